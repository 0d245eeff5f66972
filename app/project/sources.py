"""The scanned roots (sources) of a project, and picking one by the name the user gives."""

from __future__ import annotations

import os

from app.errors import AppError
from app.i18n import _
from app.project.store import Project


def resolve_source(project: Project, wanted: str | None) -> tuple[int, bytes, str]:
    """(id, exact root bytes, root as shown) of the source named `wanted`, or of the only one."""
    rows = project.conn.execute("SELECT id, root_raw, root FROM source ORDER BY id").fetchall()
    if not rows:
        raise AppError(_("The project has no inventory yet: scan a folder first."))
    if wanted is None:
        if len(rows) > 1:
            raise AppError(
                _("The project has several sources; name one with --source ({choices}).").format(
                    choices=", ".join(str(r[2]) for r in rows)
                )
            )
        return int(rows[0][0]), bytes(rows[0][1]), str(rows[0][2])
    for source_id, raw, root in rows:
        if os.path.normpath(wanted) == os.path.normpath(root):
            return int(source_id), bytes(raw), str(root)
    raise AppError(_("No source {source} in the project.").format(source=wanted))
