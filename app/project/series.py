"""The plan de classement: series, their retention, and what the archivist assigns to them.

A series' retention values left empty follow its tableau-de-gestion entry; `effective_retention`
resolves them. Assignments by hand (a folder's whole subtree, or one file, to a series or
excluded with a reason) live here; rules and the resulting per-file classification are in
`app.audit.classify`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date

from app.errors import AppError
from app.i18n import N_, _
from app.project.metadata import Target
from app.project.store import Project, utc_now
from app.project.undo import command

DUA_UNITS = ("year", "month", "day")
DUA_STARTS = ("latest_document", "earliest_document", "closure")
FINAL_ACTIONS = ("keep", "destroy", "sort")
LEVELS = ("Fonds", "Subfonds", "Class", "Collection", "Series", "Subseries", "RecordGrp", "File")

FINAL_ACTION_LABELS = {
    "keep": N_("keep"),  # conserver
    "destroy": N_("destroy"),  # détruire
    "sort": N_("sort"),  # trier
}
DUA_START_LABELS = {
    "latest_document": N_("date of the most recent document"),
    "earliest_document": N_("date of the earliest document"),
    "closure": N_("closure of the series"),
}
UNIT_LABELS = {"year": N_("year(s)"), "month": N_("month(s)"), "day": N_("day(s)")}

# Why a file is left out of every series.
EXCLUSION_REASONS = {
    "duplicate": N_("duplicate"),
    "temporary": N_("temporary file"),
    "system": N_("system file"),
    "personal": N_("personal file"),
    "out_of_scope": N_("outside the mission"),
    "other": N_("other reason"),
}

RETENTION_FIELDS = (
    "dua_value",
    "dua_unit",
    "dua_start",
    "closure_date",
    "final_action",
    "access_value",
    "access_unit",
    "appraisal_rule_id",
    "access_rule_id",
    "legal_basis",
)
_SCHEDULE_FIELDS = tuple(f for f in RETENTION_FIELDS if f != "closure_date")


@dataclass(slots=True)
class Series:
    code: str
    title: str
    id: int | None = None
    parent_id: int | None = None
    position: int = 0
    description: str = ""
    producer: str = ""
    level: str = "Series"
    schedule_entry_id: int | None = None
    # Own retention; None follows the schedule entry.
    dua_value: int | None = None
    dua_unit: str | None = None
    dua_start: str | None = None
    closure_date: str | None = None  # ISO date
    final_action: str | None = None
    access_value: int | None = None
    access_unit: str | None = None
    appraisal_rule_id: str | None = None
    access_rule_id: str | None = None
    legal_basis: str | None = None


_COLUMNS = tuple(f.name for f in fields(Series))


@dataclass(frozen=True, slots=True)
class Retention:
    """What applies to a series once its own values and its schedule entry are merged."""

    dua_value: int | None = None  # None: no DUA decided yet
    dua_unit: str = "year"
    dua_start: str = "latest_document"
    closure_date: date | None = None
    final_action: str | None = None
    access_value: int | None = None  # None: freely accessible (communicable immédiatement)
    access_unit: str = "year"
    appraisal_rule_id: str = ""
    access_rule_id: str = ""
    legal_basis: str = ""
    schedule_code: str = ""
    inherited: frozenset[str] = field(default_factory=frozenset)  # fields from the schedule

    def start_of(self, document_dates: Sequence[date | None]) -> date | None:
        """When the DUA of a dossier with these document dates starts (None: not yet known)."""
        if self.dua_start == "closure":
            return self.closure_date
        known = [d for d in document_dates if d is not None]
        if not known:
            return None
        return min(known) if self.dua_start == "earliest_document" else max(known)


def _row_to_series(row: Sequence[object]) -> Series:
    return Series(**dict(zip(_COLUMNS, row, strict=True)))  # type: ignore[arg-type]


def list_series(conn: sqlite3.Connection) -> list[Series]:
    """Every series, parents before children, siblings by position then code."""
    rows = [
        _row_to_series(r)
        for r in conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM series ORDER BY position, code COLLATE NOCASE"
        )
    ]
    children: dict[int | None, list[Series]] = {}
    for s in rows:
        children.setdefault(s.parent_id, []).append(s)
    ordered: list[Series] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        s = stack.pop()
        ordered.append(s)
        stack.extend(reversed(children.get(s.id, [])))
    return ordered


def get_series(conn: sqlite3.Connection, key: str | int) -> Series:
    """A series by id or by code."""
    column = "id" if isinstance(key, int) else "code"
    row = conn.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM series WHERE {column} = ?", (key,)
    ).fetchone()
    if row is None:
        raise AppError(_("No series {key} in the plan de classement.").format(key=key))
    return _row_to_series(row)


def _check(conn: sqlite3.Connection, s: Series) -> None:
    if not s.code.strip():
        raise AppError(_("A series needs a code (cote)."))
    if not s.title.strip():
        raise AppError(_("The series {code} needs a title.").format(code=s.code))
    if s.level not in LEVELS:
        raise AppError(
            _("Unknown description level {level} (expected one of: {levels}).").format(
                level=s.level, levels=", ".join(LEVELS)
            )
        )
    for name, allowed in (
        ("dua_unit", DUA_UNITS),
        ("access_unit", DUA_UNITS),
        ("dua_start", DUA_STARTS),
        ("final_action", FINAL_ACTIONS),
    ):
        value = getattr(s, name)
        if value is not None and value not in allowed:
            raise AppError(
                _("{field}: {value} is not one of {allowed}.").format(
                    field=name, value=value, allowed=", ".join(allowed)
                )
            )
    for name in ("dua_value", "access_value"):
        value = getattr(s, name)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise AppError(_("{field} must be a whole number ≥ 0.").format(field=name))
    if s.closure_date:
        try:
            date.fromisoformat(s.closure_date)
        except ValueError as exc:
            raise AppError(
                _("Closure date {value} is not a date (YYYY-MM-DD).").format(value=s.closure_date)
            ) from exc
    if s.dua_start == "closure" and not s.closure_date and s.schedule_entry_id is None:
        pass  # a series can be opened before it is closed: its state stays "active"
    if s.parent_id is not None:
        seen = {s.id}
        parent: int | None = s.parent_id
        while parent is not None:
            if parent in seen:
                raise AppError(_("A series cannot be placed under itself."))
            seen.add(parent)
            row = conn.execute("SELECT parent_id FROM series WHERE id = ?", (parent,)).fetchone()
            if row is None:
                raise AppError(_("The parent series does not exist."))
            parent = row[0]
    if s.schedule_entry_id is not None:
        found = conn.execute(
            "SELECT 1 FROM schedule_entry WHERE id = ?", (s.schedule_entry_id,)
        ).fetchone()
        if found is None:
            raise AppError(_("The tableau de gestion entry does not exist."))


def schedule_entry_id(conn: sqlite3.Connection, code: str) -> int:
    row = conn.execute("SELECT id FROM schedule_entry WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise AppError(
            _("No entry {code} in the tableau de gestion (load or import one first).").format(
                code=code
            )
        )
    return int(row[0])


def add_series(project: Project, series: Series) -> Series:
    conn = project.conn
    if conn.execute("SELECT 1 FROM series WHERE code = ?", (series.code,)).fetchone():
        raise AppError(_("A series with code {code} already exists.").format(code=series.code))
    _check(conn, series)
    now = utc_now()
    names = [c for c in _COLUMNS if c != "id"]
    with command(project, _("Add series {code}").format(code=series.code)) as db:
        if not series.position:
            row = db.execute(
                "SELECT coalesce(max(position), 0) + 1 FROM series WHERE parent_id IS ?",
                (series.parent_id,),
            ).fetchone()
            series = replace(series, position=int(row[0]))
        cursor = db.execute(
            f"INSERT INTO series ({', '.join(names)}, created_at, updated_at)"
            f" VALUES ({', '.join('?' * len(names))}, ?, ?)",
            [getattr(series, n) for n in names] + [now, now],
        )
    return replace(series, id=cursor.lastrowid)


def update_series(project: Project, series: Series) -> None:
    if series.id is None:
        raise AppError(_("This series is not saved yet."))
    conn = project.conn
    clash = conn.execute(
        "SELECT 1 FROM series WHERE code = ? AND id != ?", (series.code, series.id)
    ).fetchone()
    if clash:
        raise AppError(_("A series with code {code} already exists.").format(code=series.code))
    _check(conn, series)
    names = [c for c in _COLUMNS if c != "id"]
    with command(project, _("Edit series {code}").format(code=series.code)) as db:
        db.execute(
            f"UPDATE series SET {', '.join(f'{n} = ?' for n in names)}, updated_at = ?"
            " WHERE id = ?",
            [getattr(series, n) for n in names] + [utc_now(), series.id],
        )


def delete_series(project: Project, series_id: int) -> None:
    """Remove a series with its assignments and rules; its files go back to "à classer"."""
    conn = project.conn
    s = get_series(conn, series_id)
    if conn.execute("SELECT 1 FROM series WHERE parent_id = ?", (series_id,)).fetchone():
        raise AppError(
            _("The series {code} has sub-series: move or delete them first.").format(code=s.code)
        )
    if conn.execute("SELECT 1 FROM elimination_item WHERE series_id = ?", (series_id,)).fetchone():
        raise AppError(
            _("The series {code} appears in an elimination proposal and cannot be deleted.").format(
                code=s.code
            )
        )
    with command(project, _("Delete series {code}").format(code=s.code)) as db:
        db.execute("DELETE FROM assignment WHERE series_id = ?", (series_id,))
        db.execute("DELETE FROM classification_rule WHERE series_id = ?", (series_id,))
        db.execute("DELETE FROM audit_grid WHERE series_id = ?", (series_id,))
        db.execute("DELETE FROM file_class WHERE series_id = ?", (series_id,))
        db.execute("DELETE FROM series WHERE id = ?", (series_id,))


def effective_retention(conn: sqlite3.Connection, series: Series) -> Retention:
    """The series' own retention values, completed by its tableau-de-gestion entry."""
    values: dict[str, object] = {}
    inherited: set[str] = set()
    schedule_code = ""
    entry: dict[str, object] = {}
    if series.schedule_entry_id is not None:
        row = conn.execute(
            f"SELECT code, {', '.join(_SCHEDULE_FIELDS)} FROM schedule_entry WHERE id = ?",
            (series.schedule_entry_id,),
        ).fetchone()
        if row is not None:
            schedule_code = str(row[0])
            entry = dict(zip(_SCHEDULE_FIELDS, row[1:], strict=True))
    for name in RETENTION_FIELDS:
        own = getattr(series, name)
        if own is not None and own != "":
            values[name] = own
        elif entry.get(name) not in (None, ""):
            values[name] = entry[name]
            inherited.add(name)
    closure = values.pop("closure_date", None)
    return Retention(
        dua_value=values.get("dua_value"),  # type: ignore[arg-type]
        dua_unit=str(values.get("dua_unit") or "year"),
        dua_start=str(values.get("dua_start") or "latest_document"),
        closure_date=date.fromisoformat(str(closure)) if closure else None,
        final_action=values.get("final_action"),  # type: ignore[arg-type]
        access_value=values.get("access_value"),  # type: ignore[arg-type]
        access_unit=str(values.get("access_unit") or "year"),
        appraisal_rule_id=str(values.get("appraisal_rule_id") or ""),
        access_rule_id=str(values.get("access_rule_id") or ""),
        legal_basis=str(values.get("legal_basis") or ""),
        schedule_code=schedule_code,
        inherited=frozenset(inherited),
    )


# -- assignments by hand -----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Assignment:
    target: Target
    series_id: int | None
    exclusion: str | None
    comment: str = ""


def _check_exclusion(reason: str | None) -> None:
    if reason is not None and reason not in EXCLUSION_REASONS:
        raise AppError(
            _("Unknown exclusion reason {reason} (expected one of: {reasons}).").format(
                reason=reason, reasons=", ".join(EXCLUSION_REASONS)
            )
        )


def assign(
    project: Project,
    targets: Iterable[Target],
    *,
    series_id: int | None = None,
    exclusion: str | None = None,
    comment: str = "",
) -> int:
    """Put folders (with all they hold) and files in a series, or exclude them with a reason.

    Returns how many targets were assigned. Call `app.audit.classify.recompute` afterwards
    (the window and the CLI do) to see the files move.
    """
    if (series_id is None) == (exclusion is None):
        raise AppError(_("Choose either a series or a reason for exclusion."))
    _check_exclusion(exclusion)
    if series_id is not None:
        get_series(project.conn, series_id)
    chosen = list(targets)
    if series_id is not None:
        label = _("Assign {count} item(s) to {code}").format(
            count=len(chosen), code=get_series(project.conn, series_id).code
        )
    else:
        label = _("Exclude {count} item(s)").format(count=len(chosen))
    now = utc_now()
    with command(project, label) as db:
        for t in chosen:
            column = "directory_id" if t.kind == "directory" else "file_id"
            db.execute(f"DELETE FROM assignment WHERE {column} = ?", (t.id,))
            db.execute(
                f"INSERT INTO assignment ({column}, series_id, exclusion, comment, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (t.id, series_id, exclusion, comment, now),
            )
    return len(chosen)


def unassign(project: Project, targets: Iterable[Target]) -> int:
    """Forget the assignments made by hand on these folders and files."""
    chosen = list(targets)
    removed = 0
    with command(project, _("Unassign {count} item(s)").format(count=len(chosen))) as db:
        for t in chosen:
            column = "directory_id" if t.kind == "directory" else "file_id"
            removed += db.execute(f"DELETE FROM assignment WHERE {column} = ?", (t.id,)).rowcount
    return removed


def list_assignments(conn: sqlite3.Connection) -> list[Assignment]:
    found: list[Assignment] = []
    for dir_id, file_id, series_id, exclusion, comment, d_path, f_path in conn.execute(
        "SELECT a.directory_id, a.file_id, a.series_id, a.exclusion, a.comment,"
        " d.rel_path, f.rel_path FROM assignment a"
        " LEFT JOIN directory d ON d.id = a.directory_id LEFT JOIN file f ON f.id = a.file_id"
        " ORDER BY coalesce(d.rel_path, f.rel_path)"
    ):
        target = (
            Target("directory", int(dir_id), str(d_path))
            if dir_id is not None
            else Target("file", int(file_id), str(f_path))
        )
        found.append(Assignment(target, series_id, exclusion, comment))
    return found
