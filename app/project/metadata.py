"""Descriptive metadata the archivist sets on a folder or a file, kept in the project.

Stored as JSON (a list of `{"name", "text", "children", "attrs"}` elements) so the project
layer needs no knowledge of SEDA; the package builder turns it into archive-unit content.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from app.errors import AppError
from app.i18n import _
from app.project.sources import resolve_source
from app.project.store import Project, utc_now
from app.project.undo import command


@dataclass(frozen=True, slots=True)
class Target:
    """A folder or a file of the inventory."""

    kind: str  # "directory" or "file"
    id: int
    rel_path: str


def find_target(project: Project, rel_path: str, source: str | None = None) -> Target:
    """The folder or file at `rel_path` ('' for a source's root) in the inventory."""
    source_id, _raw, _shown = resolve_source(project, source)
    rel = rel_path.strip("/")
    found = project.conn.execute(
        "SELECT id FROM directory WHERE source_id = ? AND rel_path = ? AND state = 'present'",
        (source_id, rel),
    ).fetchone()
    if found is not None:
        return Target("directory", int(found[0]), rel)
    found = project.conn.execute(
        "SELECT id FROM file WHERE source_id = ? AND rel_path = ? AND state = 'present'",
        (source_id, rel),
    ).fetchone()
    if found is not None:
        return Target("file", int(found[0]), rel)
    raise AppError(_("Nothing at {path} in the inventory.").format(path=rel or "/"))


def get_metadata(conn: sqlite3.Connection, target: Target) -> list[dict[str, Any]]:
    column = "directory_id" if target.kind == "directory" else "file_id"
    row = conn.execute(
        f"SELECT content FROM unit_metadata WHERE {column} = ?", (target.id,)
    ).fetchone()
    return list(json.loads(row[0])) if row else []


def set_metadata(project: Project, target: Target, content: list[dict[str, Any]]) -> None:
    """Replace a unit's metadata (one undoable edit)."""
    label = _("Describe {path}").format(path=target.rel_path or "/")
    set_metadata_many(project, [(target, content)], label)


def set_metadata_many(
    project: Project, items: list[tuple[Target, list[dict[str, Any]]]], label: str
) -> None:
    """Replace the metadata of several units at once: one transaction, one undoable edit."""
    now = utc_now()
    with command(project, label) as db:
        for target, content in items:
            column = "directory_id" if target.kind == "directory" else "file_id"
            db.execute(f"DELETE FROM unit_metadata WHERE {column} = ?", (target.id,))
            if content:
                db.execute(
                    f"INSERT INTO unit_metadata ({column}, content, updated_at) VALUES (?, ?, ?)",
                    (target.id, json.dumps(content, ensure_ascii=False), now),
                )


def metadata_below(
    conn: sqlite3.Connection, root_directory: int
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
    """Metadata of every folder and file under a folder: (by directory id, by file id)."""
    subtree = (
        "WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT d.id FROM directory d"
        " JOIN sub ON d.parent_id = sub.id)"
    )
    folders = {
        int(i): json.loads(c)
        for i, c in conn.execute(
            f"{subtree} SELECT m.directory_id, m.content FROM unit_metadata m"
            " JOIN sub ON sub.id = m.directory_id",
            (root_directory,),
        )
    }
    files = {
        int(i): json.loads(c)
        for i, c in conn.execute(
            f"{subtree} SELECT m.file_id, m.content FROM unit_metadata m"
            " JOIN file f ON f.id = m.file_id JOIN sub ON sub.id = f.dir_id",
            (root_directory,),
        )
    }
    return folders, files
