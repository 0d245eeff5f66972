"""What the treemap and the timeline of one folder show, computed by SQL off the GUI thread.

`folder_overview()` reads, for a folder: its sub-folders and files with their sizes, the
dominant colour key of each (format family, series or retention state, whichever colouring
the user chose), the bytes per colour key for the legend, and files and bytes per year of
modification. No Qt here: it runs in a worker with its own read-only connection.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from app.i18n import N_, _
from app.inventory.formats import FAMILY_KEYS, family_color, family_label, family_of
from app.ui.models.reading import folder_scope

MAX_ENTRIES = 400  # rectangles drawn; the smallest items beyond share one "others" box
OTHERS = "others"
PENDING = "pending"  # a folder whose colour is still being counted
UNCLASSIFIED = "unclassified"
EXCLUDED = "excluded"


class ColourMode(StrEnum):
    FAMILY = "family"
    SERIES = "series"
    RETENTION = "retention"


COLOUR_MODE_LABELS = {
    ColourMode.FAMILY: N_("Format family"),
    ColourMode.SERIES: N_("Series"),
    ColourMode.RETENTION: N_("Final action"),
}

RETENTION_KEYS = ("keep", "sort", "destroy", "unset", EXCLUDED, UNCLASSIFIED)
_RETENTION_LABELS = {
    "keep": N_("Keep (conservation)"),
    "sort": N_("Sort (tri)"),
    "destroy": N_("Destroy (destruction)"),
    "unset": N_("Series without a final action"),
    EXCLUDED: N_("Excluded from the transfer"),
    UNCLASSIFIED: N_("To classify"),
}
_RETENTION_COLOURS = {
    "keep": "#4e79a7",
    "sort": "#f28e2b",
    "destroy": "#e15759",
    "unset": "#edc948",
    EXCLUDED: "#bab0ac",
    UNCLASSIFIED: "#d9d9d9",
}
# Distinct hues for series, in plan order; their labels always go with them.
_SERIES_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#499894",
    "#86bcb6",
    "#d37295",
    "#a0cbe8",
    "#8cd17d",
    "#ffbe7d",
    "#f1ce63",
)


@dataclass(frozen=True, slots=True)
class TreemapEntry:
    """One rectangle: a sub-folder, a file, or the rest grouped."""

    kind: str  # "folder" | "file" | OTHERS
    id: int  # folder or file id; 0 for OTHERS
    name: str
    bytes: int
    files: int
    colour_key: str


@dataclass(frozen=True, slots=True)
class LegendEntry:
    key: str
    label: str
    colour: str
    bytes: int
    files: int


@dataclass(frozen=True, slots=True)
class YearTotal:
    year: int | None  # None: no modification date
    files: int
    bytes: int


@dataclass
class FolderOverview:
    folder_id: int
    mode: ColourMode
    entries: list[TreemapEntry]
    legend: list[LegendEntry]
    years: list[YearTotal]
    total_bytes: int
    total_files: int
    empty_items: int  # sub-folders and files of 0 bytes, which a treemap cannot draw
    others_count: int = 0
    colours: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (colour, label)
    complete: bool = True  # False: sizes only, colours of folders, legend and years to come


@dataclass(frozen=True)
class _Colouring:
    """How a colour mode groups files: SQL columns, joins, and the key of a grouped row."""

    columns: str
    joins: str
    key: Callable[[Sequence[object]], str]


def _family_key(values: Sequence[object]) -> str:
    puid, mime, extension = values
    return family_of(str(puid) if puid else None, str(mime) if mime else None, str(extension or ""))


def _series_key(values: Sequence[object]) -> str:
    series_id, excluded = values
    if series_id is not None:
        return f"s{series_id}"
    return EXCLUDED if excluded else UNCLASSIFIED


def _retention_key(values: Sequence[object]) -> str:
    action, classified, excluded = values
    if excluded:
        return EXCLUDED
    if not classified:
        return UNCLASSIFIED
    return str(action) if action in ("keep", "sort", "destroy") else "unset"


_CLASS_JOIN = " LEFT JOIN file_class fc ON fc.file_id = f.id"
COLOURINGS = {
    ColourMode.FAMILY: _Colouring("f.puid, f.mime, f.extension", "", _family_key),
    ColourMode.SERIES: _Colouring(
        "fc.series_id, fc.exclusion IS NOT NULL", _CLASS_JOIN, _series_key
    ),
    ColourMode.RETENTION: _Colouring(
        "coalesce(se.final_action, sch.final_action), fc.series_id IS NOT NULL,"
        " fc.exclusion IS NOT NULL",
        _CLASS_JOIN + " LEFT JOIN series se ON se.id = fc.series_id"
        " LEFT JOIN schedule_entry sch ON sch.id = se.schedule_entry_id",
        _retention_key,
    ),
}


def has_classification(conn: sqlite3.Connection) -> bool:
    """True once a series exists: colouring by series or final action then means something."""
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM series)").fetchone()[0])


def colour_table(conn: sqlite3.Connection, mode: ColourMode) -> dict[str, tuple[str, str]]:
    """key → (colour "#rrggbb", translated label) for every key the mode can produce."""
    if mode is ColourMode.FAMILY:
        return {key: (family_color(key), family_label(key)) for key in FAMILY_KEYS}
    if mode is ColourMode.RETENTION:
        return {key: (_RETENTION_COLOURS[key], _(_RETENTION_LABELS[key])) for key in RETENTION_KEYS}
    table: dict[str, tuple[str, str]] = {}
    rows = conn.execute("SELECT id, code, title FROM series ORDER BY code, id").fetchall()
    for number, (series_id, code, title) in enumerate(rows):
        colour = _SERIES_PALETTE[number % len(_SERIES_PALETTE)]
        table[f"s{series_id}"] = (colour, f"{code} — {title}")
    table[EXCLUDED] = (_RETENTION_COLOURS[EXCLUDED], _(_RETENTION_LABELS[EXCLUDED]))
    table[UNCLASSIFIED] = (_RETENTION_COLOURS[UNCLASSIFIED], _(_RETENTION_LABELS[UNCLASSIFIED]))
    return table


def _dominant(mix: dict[str, int]) -> str:
    return max(mix.items(), key=lambda item: (item[1], item[0]))[0] if mix else UNCLASSIFIED


def folder_overview(
    conn: sqlite3.Connection,
    folder_id: int,
    mode: ColourMode = ColourMode.FAMILY,
    max_entries: int = MAX_ENTRIES,
    *,
    complete: bool = True,
) -> FolderOverview:
    """The treemap, legend and years of a folder.

    With `complete=False` only the sizes are read (folder totals are stored, so this is
    quick even at the top of a million files): the treemap can be drawn at once, and the
    full answer, which walks every file below, replaces it when ready.
    """
    colouring = COLOURINGS[mode]
    # Every file below each sub-folder, grouped by sub-folder and colour columns.
    by_folder: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    legend_bytes: dict[str, int] = defaultdict(int)
    legend_files: dict[str, int] = defaultdict(int)
    grouped: list[sqlite3.Row] = []
    if complete:
        grouped = conn.execute(
            "WITH RECURSIVE sub(id, top) AS (SELECT id, id FROM directory WHERE parent_id = ?"
            " AND state = 'present' UNION ALL SELECT d.id, sub.top FROM directory d"
            " JOIN sub ON d.parent_id = sub.id WHERE d.state = 'present')"
            f" SELECT sub.top, {colouring.columns}, count(*), coalesce(sum(f.size), 0)"
            f" FROM sub JOIN file f ON f.dir_id = sub.id{colouring.joins}"
            f" WHERE f.state = 'present' GROUP BY sub.top, {colouring.columns}",
            (folder_id,),
        ).fetchall()
    for row in grouped:
        key = colouring.key(row[1:-2])
        files, size = int(row[-2]), int(row[-1])
        by_folder[int(row[0])][key] += size
        legend_bytes[key] += size
        legend_files[key] += files

    entries: list[TreemapEntry] = []
    empty = 0
    for sub_id, rel_path, files, size in conn.execute(
        "SELECT id, rel_path, total_files, total_bytes FROM directory"
        " WHERE parent_id = ? AND state = 'present'",
        (folder_id,),
    ):
        if not size:
            empty += 1
            continue
        name = str(rel_path).rsplit("/", 1)[-1]
        key = _dominant(by_folder.get(int(sub_id), {})) if complete else PENDING
        entries.append(TreemapEntry("folder", int(sub_id), name, int(size), int(files), key))
    for row in conn.execute(
        f"SELECT f.id, f.rel_path, f.size, {colouring.columns} FROM file f{colouring.joins}"
        " WHERE f.dir_id = ? AND f.state = 'present'",
        (folder_id,),
    ):
        size = int(row[2] or 0)
        key = colouring.key(row[3:])
        legend_files[key] += 1
        legend_bytes[key] += size
        if not size:
            empty += 1
            continue
        name = str(row[1]).rsplit("/", 1)[-1]
        entries.append(TreemapEntry("file", int(row[0]), name, size, 1, key))

    entries.sort(key=lambda e: (-e.bytes, e.name))
    others_count = 0
    if len(entries) > max_entries:
        kept, rest = entries[: max_entries - 1], entries[max_entries - 1 :]
        others_count = len(rest)
        entries = [
            *kept,
            TreemapEntry(
                OTHERS,
                0,
                _("{count} other items").format(count=others_count),
                sum(e.bytes for e in rest),
                sum(e.files for e in rest),
                OTHERS,
            ),
        ]

    colours = colour_table(conn, mode)
    colours[OTHERS] = ("#c8c8c8", _("Smaller items, grouped"))
    colours[PENDING] = ("#e4e4e4", _("Still counting"))
    legend = (
        []
        if not complete
        else [
            LegendEntry(
                key,
                colours.get(key, ("#d9d9d9", key))[1],
                colours.get(key, ("#d9d9d9", key))[0],
                legend_bytes[key],
                legend_files[key],
            )
            for key in sorted(legend_files, key=lambda k: (-legend_bytes[k], k))
        ]
    )
    return FolderOverview(
        folder_id=folder_id,
        mode=mode,
        entries=entries,
        legend=legend,
        years=year_totals(conn, folder_id) if complete else [],
        total_bytes=sum(legend_bytes.values()) if complete else sum(e.bytes for e in entries),
        total_files=sum(legend_files.values()) if complete else sum(e.files for e in entries),
        empty_items=empty,
        others_count=others_count,
        colours=colours,
        complete=complete,
    )


def year_totals(conn: sqlite3.Connection, folder_id: int) -> list[YearTotal]:
    """Files and bytes by year of last modification, at and below a folder."""
    scope, params = folder_scope(conn, folder_id)
    rows = conn.execute(
        "SELECT CAST(strftime('%Y', f.mtime_ns / 1000000000, 'unixepoch', 'localtime')"
        " AS INTEGER) AS y, count(*), coalesce(sum(f.size), 0) FROM file f"
        f" WHERE f.state = 'present' AND {scope} GROUP BY y ORDER BY y IS NULL, y",
        params,
    ).fetchall()
    return [YearTotal(int(y) if y is not None else None, int(c), int(b)) for y, c, b in rows]
