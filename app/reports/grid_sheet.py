"""The *Grille d'audit* sheet and its round trip: export, offline edits, import back.

Export writes one row per series: code, title, every grid item (a rated criterion gives a
level column with a drop-down list and a comment column; a field gives one text column), then
read-only figures (volumes, trend, priority). A hidden sheet keeps, for every series, a
fingerprint of its answers at export time, and the headers of the exported columns.

Import matches rows by series code and columns by header (in French or English, or as exported),
so sorting rows, hiding or deleting columns does no harm: a missing column changes nothing.
Levels are accepted as labels in either language, keys or scores. A row is in conflict when its
series is unknown, when a cell cannot be read (unknown level, formula without value), when its
code appears twice, or when the project's answers changed since the export while the row was
edited too; conflicting rows are listed and left alone unless forced (unreadable cells are then
skipped). Everything is checked before anything is written, and all rows land in one undoable
edit through `app.audit.grid.set_many_answers`. Nothing but the grid answers changes.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from app.audit.grid import (
    GridDefinition,
    Level,
    all_answers,
    estimates_of,
    priority,
    set_many_answers,
    validate_answers,
)
from app.audit.volumes import SeriesVolumes, trend_word, volumes_by_series
from app.errors import AppError
from app.i18n import N_, _, current_language, load_catalog
from app.project.series import list_series
from app.project.store import Project
from app.workbook.reader import (
    Cell,
    HeaderColumn,
    SheetRow,
    WorkbookError,
    location,
    match_header,
    normalise_header,
    open_workbook,
)
from app.workbook.writer import Column, ColumnKind, Workbook

GRID_SHEET = N_("Audit grid")
META_SHEET = "besace"  # hidden; a fixed name so that any language reads it back
FORMAT = "besace-audit-grid"
FORMAT_VERSION = "1"
TREND_WORDS = {
    "rising": N_("rising"),
    "stable": N_("stable"),
    "falling": N_("falling"),
    "unknown": N_("not enough data"),
}
_COMMENT = N_("{item} (comment)")
_INFO_COLUMNS: tuple[tuple[str, str, ColumnKind], ...] = (
    ("info.files", N_("Files"), ColumnKind.INTEGER),
    ("info.bytes", N_("Volume (bytes)"), ColumnKind.BYTES),
    ("info.first_year", N_("First year"), ColumnKind.TEXT),  # text: no "2 005"
    ("info.last_year", N_("Last year"), ColumnKind.TEXT),
    ("info.annual_files", N_("Files per year"), ColumnKind.INTEGER),
    ("info.annual_bytes", N_("Bytes per year"), ColumnKind.BYTES),
    ("info.trend", N_("Trend (per year)"), ColumnKind.PERCENT),
    ("info.trend_word", N_("Trend"), ColumnKind.TEXT),
    ("info.priority", N_("Priority (0–100)"), ColumnKind.DECIMAL),
)


@dataclass(frozen=True, slots=True)
class GridColumn:
    key: str  # "code", "title", "value.legal.level", "value.legal.comment", "context.method"…
    header: str
    kind: ColumnKind = ColumnKind.TEXT
    width: float | None = None
    wrap: bool = False
    choices: tuple[str, ...] = ()

    @property
    def editable(self) -> bool:
        return self.key not in ("code", "title") and not self.key.startswith("info.")


def _label(labels: dict[str, str], language: str) -> str:
    return labels.get(language) or labels.get("fr") or next(iter(labels.values()), "")


def grid_columns(grid: GridDefinition, language: str, tr: Callable[[str], str]) -> list[GridColumn]:
    """The sheet's columns with headers in `language` (`tr` translates Besace's own words)."""
    columns = [
        GridColumn("code", tr("Code"), width=12),
        GridColumn("title", tr("Title"), width=36, wrap=True),
    ]
    levels = tuple(_label(lv.labels, language) for lv in grid.levels)
    for section in grid.sections:
        section_label = _label(section.labels, language)
        for item in section.items:
            header = f"{section_label} — {_label(item.labels, language)}"
            prefix = f"{section.key}.{item.key}"
            if section.kind == "rated":
                columns.append(GridColumn(f"{prefix}.level", header, width=14, choices=levels))
                columns.append(
                    GridColumn(
                        f"{prefix}.comment",
                        tr(_COMMENT).format(item=header),
                        width=30,
                        wrap=True,
                    )
                )
            else:
                columns.append(
                    GridColumn(prefix, header, width=24, wrap=True, choices=item.choices)
                )
    columns += [GridColumn(key, tr(header), kind) for key, header, kind in _INFO_COLUMNS]
    return columns


def visible_answers(grid: GridDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """The part of the answers the sheet shows: the grid's items (not the estimates)."""
    out: dict[str, Any] = {}
    for section in grid.sections:
        given = answers.get(section.key) or {}
        kept = {c.key: given[c.key] for c in section.items if c.key in given}
        if kept:
            out[section.key] = kept
    return out


def fingerprint(grid: GridDefinition, answers: dict[str, Any]) -> str:
    text = json.dumps(visible_answers(grid, answers), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


# -- export ------------------------------------------------------------------------------------
def write_grid_sheet(
    book: Workbook,
    project: Project,
    grid: GridDefinition,
    *,
    reference_year: int,
    volumes: dict[int | None, SeriesVolumes] | None = None,
) -> int:
    """Add the *Grille d'audit* sheet and its hidden fingerprints; returns the rows written."""
    conn = project.conn
    volumes = volumes_by_series(conn) if volumes is None else volumes
    answers_by_series = all_answers(conn)
    columns = grid_columns(grid, current_language(), _)
    table = book.add_sheet(
        _(GRID_SHEET),
        [Column(c.header, c.kind, c.width, c.wrap) for c in columns],
    )
    for index, column in enumerate(columns):
        if column.choices:
            table.add_list_validation(index, column.choices)
    prints: list[tuple[str, str]] = []
    for series in list_series(conn):
        assert series.id is not None
        answers = answers_by_series.get(series.id, {})
        found = volumes.get(series.id) or SeriesVolumes(series.id)
        found.estimates = estimates_of(answers)
        annual = found.annual(reference_year)
        trend = found.trend(reference_year)
        years = sorted(found.by_year)
        score = priority(grid, answers, annual.bytes)
        values: dict[str, Any] = {
            "code": series.code,
            "title": series.title,
            "info.files": found.total.files,
            "info.bytes": found.total.bytes,
            "info.first_year": str(years[0]) if years else None,
            "info.last_year": str(years[-1]) if years else None,
            "info.annual_files": annual.files,
            "info.annual_bytes": annual.bytes,
            "info.trend": None if trend is None else round(trend / 100, 4),
            "info.trend_word": _(TREND_WORDS[trend_word(trend)]),
            "info.priority": score.score,
        }
        values.update(_answer_cells(grid, answers))
        table.append([values.get(c.key) for c in columns])
        prints.append((series.code, fingerprint(grid, answers)))
    meta = book.add_sheet(META_SHEET, [Column("record"), Column("key"), Column("value", width=60)])
    meta.append(["format", FORMAT, FORMAT_VERSION])
    meta.append(["exported_at", "", datetime.now(UTC).isoformat(timespec="seconds")])
    meta.append(["grid", "", grid.origin])
    meta.append(["sheet", "", _(GRID_SHEET)])
    for column in columns:
        meta.append(["column", column.key, column.header])
    for code, print_ in prints:
        meta.append(["answers", code, print_])
    book.hide(meta)
    return len(prints)


def _answer_cells(grid: GridDefinition, answers: dict[str, Any]) -> dict[str, str | None]:
    cells: dict[str, str | None] = {}
    for section in grid.sections:
        given = answers.get(section.key) or {}
        for item in section.items:
            prefix = f"{section.key}.{item.key}"
            answer = given.get(item.key)
            if section.kind == "rated":
                answer = answer or {}
                level = answer.get("level")
                cells[f"{prefix}.level"] = grid.level(level).label if level else None
                cells[f"{prefix}.comment"] = answer.get("comment") or None
            else:
                cells[prefix] = str(answer) if answer else None
    return cells


# -- import ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GridChange:
    code: str
    item: str  # the column's header
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class GridConflict:
    where: str  # sheet, row (and column)
    code: str
    message: str


@dataclass(slots=True)
class GridImport:
    sheet: str
    dry_run: bool
    forced: bool
    changes: list[GridChange] = field(default_factory=list)
    conflicts: list[GridConflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    applied: list[str] = field(default_factory=list)  # series codes written (or to write)
    kept: list[str] = field(default_factory=list)  # unchanged rows whose project answers are newer
    unchanged: int = 0


@dataclass(slots=True)
class _Meta:
    prints: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # exported header → column key
    sheet: str = ""
    present: bool = False


def _read_meta(book: Any, names: list[str]) -> _Meta:
    meta = _Meta()
    if META_SHEET not in names:
        return meta
    meta.present = True
    for row in book.rows(META_SHEET):
        record, key, value = (row.cell(c).value for c in ("A", "B", "C"))
        if record == "answers" and key is not None:
            meta.prints[str(key)] = str(value or "")
        elif record == "column" and key is not None and value is not None:
            meta.headers[str(value)] = str(key)
        elif record == "sheet" and value is not None:
            meta.sheet = str(value)
    return meta


def _aliases(grid: GridDefinition, meta: _Meta) -> dict[str, str]:
    """Every accepted header → column key: both languages, the exported headers, the keys."""
    french = load_catalog("fr")

    def english(message: str) -> str:
        return message

    def in_french(message: str) -> str:
        return french.get(message, message)

    aliases: dict[str, str] = {}
    for language, tr in (("en", english), ("fr", in_french)):
        for column in grid_columns(grid, language, tr):
            aliases.setdefault(column.header, column.key)
            aliases.setdefault(column.key, column.key)
    for header, key in meta.headers.items():
        aliases.setdefault(header, key)
    return aliases


def _level_lookup(levels: Iterable[Level]) -> dict[str, str]:
    found: dict[str, str] = {}
    for lv in levels:
        for text in (lv.key, str(lv.score), *lv.labels.values()):
            found.setdefault(normalise_header(text), lv.key)
    return found


def _cell_text(cell: Cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _find_sheet(names: list[str], meta: _Meta, path: Path) -> str:
    french = load_catalog("fr")
    wanted = {
        normalise_header(t) for t in (GRID_SHEET, french.get(GRID_SHEET, GRID_SHEET), meta.sheet)
    }
    for name in names:
        if normalise_header(name) in wanted:
            return name
    raise WorkbookError(
        _("{name} has no sheet named {sheet} (sheets: {sheets}).").format(
            name=path.name, sheet=_(GRID_SHEET), sheets=", ".join(names)
        )
    )


def _display(grid: GridDefinition, value: Any, part: str) -> str:
    if value in (None, ""):
        return "—"
    if part == "level":
        return grid.level(str(value)).label
    return str(value)


def _parts(grid: GridDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers flattened to column keys: 'value.legal.level' → 'high'."""
    flat: dict[str, Any] = {}
    for section in grid.sections:
        given = answers.get(section.key) or {}
        for item in section.items:
            prefix = f"{section.key}.{item.key}"
            answer = given.get(item.key)
            if section.kind == "rated":
                answer = answer or {}
                flat[f"{prefix}.level"] = answer.get("level") or None
                flat[f"{prefix}.comment"] = answer.get("comment") or None
            else:
                flat[prefix] = answer or None
    return flat


@dataclass(frozen=True, slots=True)
class _Layout:
    header_row: int
    code: HeaderColumn
    editable: tuple[HeaderColumn, ...]  # grid items present in the sheet


def _layout(
    rows: list[SheetRow], sheet: str, aliases: dict[str, str], result: GridImport
) -> _Layout:
    header = next((r for r in rows if not r.is_empty()), None)
    if header is None:
        raise WorkbookError(_("{where} is empty.").format(where=location(sheet)))
    known, unknown = match_header(header, aliases)
    code = next((c for c in known if c.key == "code"), None)
    if code is None:
        raise WorkbookError(
            _("{where}: no column {header} (the series codes).").format(
                where=location(sheet, header.number), header=_("Code")
            )
        )
    for cell in unknown:
        result.warnings.append(
            _("{where}: this column is not part of the audit grid; it was ignored.").format(
                where=location(sheet, header.number, cell.column, str(cell.value))
            )
        )
    editable = tuple(
        c for c in known if c.key not in ("code", "title") and not c.key.startswith("info.")
    )
    return _Layout(header.number, code, editable)


def _read_row(
    grid: GridDefinition,
    row: SheetRow,
    code: str,
    layout: _Layout,
    current: dict[str, Any],
    levels: dict[str, str],
) -> tuple[dict[str, Any], list[GridConflict]]:
    """The row's answers over the project's (a missing column changes nothing) and the cells
    that could not be read (left at the project's value)."""
    proposed = copy.deepcopy(current)
    problems: list[GridConflict] = []
    for column in layout.editable:
        cell = row.cell(column.column)
        where = location(row.sheet, row.number, column.column, column.header)
        problem = cell.problem()
        if problem:
            problems.append(GridConflict(where, code, problem))
            continue
        text = _cell_text(cell)
        section_key, item_key, *part = column.key.split(".")
        bucket = proposed.setdefault(section_key, {})
        if not part:  # a field
            bucket[item_key] = text
            continue
        answer = dict(bucket.get(item_key) or {})  # a rated criterion: its level or comment
        if part[0] == "comment":
            answer["comment"] = text
        else:
            level = levels.get(normalise_header(text)) if text else None
            if text and level is None:
                problems.append(
                    GridConflict(
                        where,
                        code,
                        _("unknown level {value} (expected one of: {known}).").format(
                            value=text, known=", ".join(lv.label for lv in grid.levels)
                        ),
                    )
                )
                continue
            answer["level"] = level
        bucket[item_key] = answer
    return proposed, problems


def _changes(
    grid: GridDefinition,
    code: str,
    layout: _Layout,
    old: dict[str, Any],
    new: dict[str, Any],
) -> list[GridChange]:
    old_parts, new_parts = _parts(grid, old), _parts(grid, new)
    changes = []
    for column in layout.editable:
        before, after = old_parts.get(column.key), new_parts.get(column.key)
        if before != after:
            kind = column.key.split(".")[2] if column.key.count(".") == 2 else "text"
            changes.append(
                GridChange(
                    code,
                    column.header,
                    _display(grid, before, kind),
                    _display(grid, after, kind),
                )
            )
    return changes


def import_grid(
    project: Project,
    path: Path,
    grid: GridDefinition,
    *,
    dry_run: bool = False,
    force: bool = False,
) -> GridImport:
    """Read the *Grille d'audit* sheet back into the project's grid answers."""
    conn = project.conn
    with open_workbook(path) as book:
        names = book.sheet_names
        meta = _read_meta(book, names)
        sheet = _find_sheet(names, meta, path)
        rows = list(book.rows(sheet))
    result = GridImport(sheet, dry_run, force)
    if not meta.present:
        result.warnings.append(
            _(
                "{name} has no export fingerprints (hidden sheet {meta}): changes made in the"
                " project since the export cannot be detected."
            ).format(name=path.name, meta=META_SHEET)
        )
    layout = _layout(rows, sheet, _aliases(grid, meta), result)
    series = {s.code: s.id for s in list_series(conn) if s.id is not None}
    stored = all_answers(conn)
    levels = _level_lookup(grid.levels)
    seen: dict[str, int] = {}
    pending: dict[str, dict[str, Any]] = {}  # series code → answers to write
    changes: dict[str, list[GridChange]] = {}
    for row in rows:
        if row.number <= layout.header_row or row.is_empty():
            continue
        code = _cell_text(row.cell(layout.code.column))
        where_code = location(sheet, row.number, layout.code.column, layout.code.header)
        if not code:
            if any(row.cell(c.column).value is not None for c in layout.editable):
                result.conflicts.append(
                    GridConflict(where_code, "", _("this row has no series code."))
                )
            continue
        if code in seen:
            message = _("the series {code} is already on row {row}: neither row is applied.")
            result.conflicts.append(
                GridConflict(where_code, code, message.format(code=code, row=seen[code]))
            )
            pending.pop(code, None)
            continue
        seen[code] = row.number
        series_id = series.get(code)
        if series_id is None:
            message = _("no series {code} in the project's plan de classement.")
            result.conflicts.append(GridConflict(where_code, code, message.format(code=code)))
            continue
        current = stored.get(series_id, {})
        proposed, problems = _read_row(grid, row, code, layout, current, levels)
        try:
            clean = validate_answers(grid, proposed, location(sheet, row.number))
        except AppError as exc:
            result.conflicts.append(GridConflict(location(sheet, row.number), code, str(exc)))
            continue
        if "estimates" in current:
            clean["estimates"] = current["estimates"]
        now_print, new_print = fingerprint(grid, current), fingerprint(grid, clean)
        exported = meta.prints.get(code)
        result.conflicts.extend(problems)
        if new_print == now_print:
            result.unchanged += not problems
            continue
        if exported is not None and new_print == exported:
            result.kept.append(code)  # the row was not edited; the project's answers are newer
            continue
        in_conflict = bool(problems)
        if now_print != exported and (exported is not None or current):
            in_conflict = True
            message = (
                _("the grid of {code} was changed in the project after the workbook was exported.")
                if exported is not None
                else _(
                    "the series {code} was not in the exported workbook and already has answers"
                    " in the project."
                )
            )
            result.conflicts.append(
                GridConflict(location(sheet, row.number), code, message.format(code=code))
            )
        if in_conflict and not force:
            continue
        pending[code] = clean
        changes[code] = _changes(grid, code, layout, current, clean)
    result.applied = list(pending)
    result.changes = [change for code in pending for change in changes[code]]
    if pending and not dry_run:
        set_many_answers(
            project,
            grid,
            {series[code]: answers for code, answers in pending.items()},
            _("Import the audit grid from {name}").format(name=path.name),
        )
    return result
