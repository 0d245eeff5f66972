"""Editing an imported tree (Resip CSV, SIP): describe, add, move, merge and delete units.

Unlike the inventory, whose folders are the share's own, an imported tree belongs to the
project: the archivist may restructure it before building the package again. Every function
here is one undoable edit (`app.project.undo.command`) and checks everything before writing.
A unit's level and first plain Title are columns of `imported_unit`; the element lists given
and returned here include them, as the structured editor shows them.
"""

from __future__ import annotations

import json
import sqlite3
import uuid

from app.errors import AppError
from app.i18n import _
from app.project.store import Project
from app.project.undo import command
from app.seda.imported import split_title_level
from app.seda.metadata import assign, check_path, from_json, to_json
from app.seda.model import Element

DEFAULT_LEVEL = "RecordGrp"


def _unit_row(conn: sqlite3.Connection, unit_id: int) -> tuple[int, int | None, str, str, str]:
    row = conn.execute(
        "SELECT package_id, parent_id, level, title, content FROM imported_unit WHERE id = ?",
        (unit_id,),
    ).fetchone()
    if row is None:
        raise AppError(_("The imported unit #{id} no longer exists.").format(id=unit_id))
    return int(row[0]), row[1], str(row[2]), str(row[3]), str(row[4])


def unit_elements(conn: sqlite3.Connection, unit_id: int) -> list[Element]:
    """DescriptionLevel, Title, then the unit's other descriptive elements."""
    _package, _parent, level, title, content = _unit_row(conn, unit_id)
    elements = [Element("DescriptionLevel", level)]
    if title:
        elements.append(Element("Title", title))
    return elements + from_json(json.loads(content))


def _split(elements: list[Element], current_level: str) -> tuple[str, str, str]:
    level, title, rest = split_title_level(elements)
    return level or current_level, title or "", json.dumps(to_json(rest), ensure_ascii=False)


def set_unit_elements(project: Project, unit_id: int, elements: list[Element]) -> None:
    _package, _parent, level, title, _content = _unit_row(project.conn, unit_id)
    new_level, new_title, content = _split(elements, level)
    with command(project, _("Describe {title}").format(title=new_title or title)) as db:
        db.execute(
            "UPDATE imported_unit SET level = ?, title = ?, content = ? WHERE id = ?",
            (new_level, new_title, content, unit_id),
        )


def set_field_on_units(
    project: Project, unit_ids: list[int], path: str, value: str | None, *, add: bool = False
) -> int:
    """Set (add, or remove when `value` is None) one field on several imported units."""
    check_path(path)
    rows = []
    for unit_id in unit_ids:
        elements = unit_elements(project.conn, unit_id)
        wanted = path
        if add and value is not None:
            head, _sep, rest = path.partition(".")
            rank = sum(1 for e in elements if e.name == head)
            wanted = f"{head}.{rank}" + (f".{rest}" if rest else "")
        assign(elements, wanted, value)
        level = _unit_row(project.conn, unit_id)[2]
        rows.append((*_split(elements, level), unit_id))
    label = (_("Remove {path}") if value is None else _("Set {path}")).format(path=path)
    with command(project, label + " " + _("on {n} units").format(n=len(unit_ids))) as db:
        db.executemany(
            "UPDATE imported_unit SET level = ?, title = ?, content = ? WHERE id = ?", rows
        )
    return len(rows)


def _next_position(conn: sqlite3.Connection, package_id: int, parent_id: int | None) -> int:
    row = conn.execute(
        "SELECT coalesce(max(position), -1) + 1 FROM imported_unit"
        " WHERE package_id = ? AND parent_id IS ?",
        (package_id, parent_id),
    ).fetchone()
    return int(row[0])


def add_unit(
    project: Project,
    package_id: int,
    parent_id: int | None,
    title: str,
    level: str = DEFAULT_LEVEL,
) -> int:
    """A new unit at the end of its parent's children (or of the package's top units)."""
    conn = project.conn
    if (
        conn.execute("SELECT 1 FROM imported_package WHERE id = ?", (package_id,)).fetchone()
        is None
    ):
        raise AppError(_("No imported package #{id} in this project.").format(id=package_id))
    if parent_id is not None and _unit_row(conn, parent_id)[0] != package_id:
        raise AppError(_("A unit can only be added inside its own package."))
    with command(project, _("Add unit {title}").format(title=title)) as db:
        cursor = db.execute(
            "INSERT INTO imported_unit (package_id, parent_id, position, key, level, title)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                package_id,
                parent_id,
                _next_position(db, package_id, parent_id),
                f"besace-{uuid.uuid4().hex[:12]}",
                level,
                title,
            ),
        )
    return int(cursor.lastrowid or 0)


def _ancestors(conn: sqlite3.Connection, unit_id: int | None) -> set[int]:
    found: set[int] = set()
    while unit_id is not None and unit_id not in found:
        found.add(unit_id)
        unit_id = _unit_row(conn, unit_id)[1]
    return found


def move_units(project: Project, unit_ids: list[int], new_parent_id: int | None) -> None:
    """Put units (with all below them) at the end of another unit's children, or at the top
    of their package when `new_parent_id` is None."""
    conn = project.conn
    if not unit_ids:
        return
    packages = {_unit_row(conn, u)[0] for u in unit_ids}
    if new_parent_id is not None:
        packages.add(_unit_row(conn, new_parent_id)[0])
    if len(packages) != 1:
        raise AppError(_("Units can only move inside their own package."))
    above = _ancestors(conn, new_parent_id)
    if any(u in above for u in unit_ids):
        raise AppError(_("A unit cannot be moved inside itself."))
    package_id = packages.pop()
    with command(project, _("Move {n} unit(s)").format(n=len(unit_ids))) as db:
        for unit_id in unit_ids:
            db.execute(
                "UPDATE imported_unit SET parent_id = ?, position = ? WHERE id = ?",
                (new_parent_id, _next_position(db, package_id, new_parent_id), unit_id),
            )


def merge_units(project: Project, into_id: int, others: list[int]) -> None:
    """Merge units into one: their children and objects move to it, their descriptions are
    dropped (the first unit's is kept), then they are deleted."""
    conn = project.conn
    others = [u for u in others if u != into_id]
    if not others:
        raise AppError(_("Choose at least two units to merge."))
    package_id = _unit_row(conn, into_id)[0]
    above = _ancestors(conn, into_id)
    for unit_id in others:
        if _unit_row(conn, unit_id)[0] != package_id:
            raise AppError(_("Only units of the same package can be merged."))
        if unit_id in above:
            raise AppError(_("A unit cannot be merged into one of its own sub-units."))
    with command(project, _("Merge {n} units").format(n=len(others) + 1)) as db:
        for unit_id in others:
            for (child,) in db.execute(
                "SELECT id FROM imported_unit WHERE parent_id = ? ORDER BY position", (unit_id,)
            ).fetchall():
                db.execute(
                    "UPDATE imported_unit SET parent_id = ?, position = ? WHERE id = ?",
                    (into_id, _next_position(db, package_id, into_id), child),
                )
            start = db.execute(
                "SELECT coalesce(max(position), -1) + 1 FROM imported_object WHERE unit_id = ?",
                (into_id,),
            ).fetchone()[0]
            db.execute(
                "UPDATE imported_object SET unit_id = ?, position = position + ? WHERE unit_id = ?",
                (into_id, int(start), unit_id),
            )
            db.execute("DELETE FROM imported_unit WHERE id = ?", (unit_id,))


def delete_units(project: Project, unit_ids: list[int]) -> int:
    """Forget units with all below them and their objects' records (files stay on disk)."""
    conn = project.conn
    for unit_id in unit_ids:
        _unit_row(conn, unit_id)
    subtree = (
        "WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL"
        " SELECT u.id FROM imported_unit u JOIN sub ON u.parent_id = sub.id)"
    )
    doomed: list[int] = []
    for unit_id in unit_ids:
        doomed += [int(r[0]) for r in conn.execute(f"{subtree} SELECT id FROM sub", (unit_id,))]
    doomed = list(dict.fromkeys(doomed))
    with command(project, _("Delete {n} unit(s)").format(n=len(doomed))) as db:
        # Deepest first, so that no row ever points to a deleted parent.
        for unit_id in reversed(doomed):
            db.execute("DELETE FROM imported_object WHERE unit_id = ?", (unit_id,))
            db.execute("DELETE FROM imported_unit WHERE id = ?", (unit_id,))
    return len(doomed)
