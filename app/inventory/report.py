"""The inventory summary: counts and bytes by format, by year, duplicates, anomalies, errors."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from app.inventory.duplicates import duplicate_totals
from app.inventory.flags import FLAG_LABELS, EntryFlag

PRESENT = "state = 'present'"


@dataclass(frozen=True, slots=True)
class FormatLine:
    puid: str
    name: str
    version: str
    files: int
    bytes: int


@dataclass(frozen=True, slots=True)
class YearLine:
    year: int | None
    files: int
    bytes: int


@dataclass(frozen=True, slots=True)
class ErrorLine:
    path: str
    message: str


@dataclass
class InventoryReport:
    sources: list[str]
    files: int
    bytes: int
    folders: int
    empty_folders: int
    unidentified: int
    formats: list[FormatLine]
    years: list[YearLine]
    bases: dict[str, int]
    duplicate_groups: int
    duplicate_files: int
    duplicate_wasted_bytes: int
    anomalies: dict[str, int]  # untranslated flag label → count
    errors: list[ErrorLine] = field(default_factory=list)
    last_run: dict[str, object] = field(default_factory=dict)


def build_report(conn: sqlite3.Connection, error_limit: int = 200) -> InventoryReport:
    files, size = conn.execute(
        f"SELECT count(*), coalesce(sum(size), 0) FROM file WHERE {PRESENT}"
    ).fetchone()
    folders, empty_folders = conn.execute(
        "SELECT count(*), coalesce(sum(flags & ? != 0), 0) FROM directory"
        f" WHERE {PRESENT} AND parent_id IS NOT NULL",
        (int(EntryFlag.EMPTY),),
    ).fetchone()
    formats = [
        FormatLine(str(p or ""), str(n or ""), str(v or ""), int(c), int(b))
        for p, n, v, c, b in conn.execute(
            "SELECT puid, format_name, format_version, count(*), coalesce(sum(size), 0)"
            f" FROM file WHERE {PRESENT} AND kind = 'file' AND size > 0"
            " GROUP BY puid ORDER BY count(*) DESC, puid"
        )
    ]
    unidentified = sum(f.files for f in formats if not f.puid)
    years = [
        YearLine(int(y) if y is not None else None, int(c), int(b))
        for y, c, b in conn.execute(
            "SELECT strftime('%Y', mtime_ns / 1000000000, 'unixepoch', 'localtime') AS y,"
            f" count(*), coalesce(sum(size), 0) FROM file WHERE {PRESENT}"
            " GROUP BY y ORDER BY y IS NULL, y"
        )
    ]
    bases = {
        str(b or ""): int(c)
        for b, c in conn.execute(
            f"SELECT basis, count(*) FROM file WHERE {PRESENT} AND kind = 'file' AND size > 0"
            " GROUP BY basis ORDER BY count(*) DESC"
        )
    }
    groups, dup_files, wasted = duplicate_totals(conn)
    anomalies: dict[str, int] = {}
    for flag, label in FLAG_LABELS.items():
        count = conn.execute(
            f"SELECT count(*) FROM file WHERE {PRESENT} AND flags & ?", (int(flag),)
        ).fetchone()[0]
        if flag == EntryFlag.EMPTY:
            count += empty_folders
        if count:
            anomalies[label] = int(count)
    errors = [
        ErrorLine(str(path), str(message))
        for path, message in conn.execute(
            "SELECT s.root || '/' || f.rel_path, f.error FROM file f"
            f" JOIN source s ON s.id = f.source_id WHERE f.{PRESENT} AND f.error IS NOT NULL"
            " UNION ALL SELECT s.root || '/' || d.rel_path, d.error FROM directory d"
            f" JOIN source s ON s.id = d.source_id WHERE d.{PRESENT} AND d.error IS NOT NULL"
            " LIMIT ?",
            (error_limit,),
        )
    ]
    sources = [str(r[0]) for r in conn.execute("SELECT root FROM source ORDER BY id")]
    conn.row_factory = sqlite3.Row
    try:
        run = conn.execute("SELECT * FROM scan_run ORDER BY id DESC LIMIT 1").fetchone()
    finally:
        conn.row_factory = None
    return InventoryReport(
        sources=sources,
        files=int(files),
        bytes=int(size),
        folders=int(folders),
        empty_folders=int(empty_folders),
        unidentified=unidentified,
        formats=formats,
        years=years,
        bases=bases,
        duplicate_groups=groups,
        duplicate_files=dup_files,
        duplicate_wasted_bytes=wasted,
        anomalies=anomalies,
        errors=errors,
        last_run=dict(run) if run is not None else {},
    )


def count_errors(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        f"SELECT (SELECT count(*) FROM file WHERE {PRESENT} AND error IS NOT NULL)"
        f" + (SELECT count(*) FROM directory WHERE {PRESENT} AND error IS NOT NULL)"
    ).fetchone()
    return int(row[0])
