"""What the Explore file list shows, as SQL: filters, search and sort (no Qt here).

`FileQuery` is the user's choice (folder, search words, family, format, year, flag, series,
same content…); `id_query()` turns it into one SELECT returning the ordered file ids (and
sizes, for the total), run off the GUI thread; `ROW_SQL` reads the shown values of a page.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from enum import IntEnum

from app.ui.models.reading import fold, folder_scope

UNCLASSIFIED = -1  # series filter: files no series nor exclusion caught
EXCLUDED = -2  # series filter: files excluded from the transfer
UNKNOWN_YEAR = 0  # year filter: files without a modification date


class FileColumn(IntEnum):
    NAME = 0
    FOLDER = 1
    SIZE = 2
    MODIFIED = 3
    FORMAT = 4
    FAMILY = 5
    SERIES = 6
    FLAGS = 7
    SHA512 = 8


_ORDER = {
    FileColumn.NAME: "besace_name(f.rel_path)",
    FileColumn.FOLDER: "besace_fold(d.rel_path), besace_name(f.rel_path)",
    FileColumn.SIZE: "f.size",
    FileColumn.MODIFIED: "f.mtime_ns",
    FileColumn.FORMAT: "f.format_name, f.format_version, f.puid",
    FileColumn.FAMILY: "besace_family(f.puid, f.mime, f.extension)",
    FileColumn.SERIES: "se.code",
    FileColumn.FLAGS: "f.flags",
    FileColumn.SHA512: "f.sha512",
}


@dataclass(frozen=True)
class FileQuery:
    """The files to list and their order; every field narrows the list (None: no filter)."""

    folder_id: int | None = None
    subfolders: bool = False  # include every folder below `folder_id`
    text: str = ""  # words that must all appear in the path (case and accents ignored)
    family: str | None = None
    puid: str | None = None  # "" = formats not identified
    extension: str | None = None
    year: int | None = None  # UNKNOWN_YEAR = no date
    flag: int | None = None  # an EntryFlag bit (any of the bits given)
    series: int | None = None  # a series id, UNCLASSIFIED or EXCLUDED
    sha512: bytes | None = None
    sort: FileColumn = FileColumn.NAME
    descending: bool = False

    @property
    def is_filtered(self) -> bool:
        """True when something besides the folder narrows the list."""
        return any(
            value not in (None, "")
            for value in (
                self.text.strip(),
                self.family,
                self.puid,
                self.extension,
                self.year,
                self.flag,
                self.series,
                self.sha512,
            )
        )


def year_bounds_ns(year: int) -> tuple[int, int]:
    """[start, end) of a year in local time, in nanoseconds since the epoch.

    The timeline groups years with SQLite's 'localtime' modifier; local midnight boundaries
    here select exactly the files counted there.
    """
    start = int(dt.datetime(year, 1, 1).timestamp())
    end = int(dt.datetime(year + 1, 1, 1).timestamp())
    return start * 1_000_000_000, end * 1_000_000_000


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_clause(
    conn: sqlite3.Connection, query: FileQuery
) -> tuple[list[str], list[object], bool]:
    """(conditions, params, needs the classification join) for the query's filters."""
    conditions = ["f.state = 'present'"]
    params: list[object] = []
    needs_class = False
    if query.folder_id is not None:
        if query.subfolders:
            scope, scope_params = folder_scope(conn, query.folder_id)
            conditions.append(scope)
            params.extend(scope_params)
        else:
            conditions.append("f.dir_id = ?")
            params.append(query.folder_id)
    for word in fold(query.text).split():
        conditions.append("besace_fold(f.rel_path) LIKE ? ESCAPE '\\'")
        params.append(_like_pattern(word))
    if query.family is not None:
        conditions.append("besace_family(f.puid, f.mime, f.extension) = ?")
        params.append(query.family)
    if query.puid is not None:
        if query.puid:
            conditions.append("f.puid = ?")
            params.append(query.puid)
        else:
            conditions.append("coalesce(f.puid, '') = ''")
    if query.extension is not None:
        conditions.append("f.extension = ?")
        params.append(query.extension)
    if query.year is not None:
        if query.year == UNKNOWN_YEAR:
            conditions.append("f.mtime_ns IS NULL")
        else:
            start, end = year_bounds_ns(query.year)
            conditions.append("f.mtime_ns >= ? AND f.mtime_ns < ?")
            params.extend((start, end))
    if query.flag is not None:
        conditions.append("f.flags & ? != 0")
        params.append(query.flag)
    if query.series is not None:
        needs_class = True
        if query.series == UNCLASSIFIED:
            conditions.append("fc.series_id IS NULL AND fc.exclusion IS NULL")
        elif query.series == EXCLUDED:
            conditions.append("fc.exclusion IS NOT NULL")
        else:
            conditions.append("fc.series_id = ?")
            params.append(query.series)
    if query.sha512 is not None:
        conditions.append("f.sha512 = ?")
        params.append(query.sha512)
    return conditions, params, needs_class


def id_query(conn: sqlite3.Connection, query: FileQuery) -> tuple[str, list[object]]:
    """SELECT f.id, f.size of the files to list, in the order asked."""
    conditions, params, needs_class = where_clause(conn, query)
    sort = FileColumn(query.sort)
    needs_class = needs_class or sort is FileColumn.SERIES
    joins = ""
    if sort is FileColumn.FOLDER:
        joins += " JOIN directory d ON d.id = f.dir_id"
    if needs_class:
        joins += " LEFT JOIN file_class fc ON fc.file_id = f.id"
        if sort is FileColumn.SERIES:
            joins += " LEFT JOIN series se ON se.id = fc.series_id"
    direction = " DESC" if query.descending else ""
    order = ", ".join(f"{part}{direction}" for part in _ORDER[sort].split(", "))
    sql = (
        f"SELECT f.id, f.size FROM file f{joins} WHERE {' AND '.join(conditions)}"
        f" ORDER BY {order}, f.id{direction}"
    )
    return sql, params


# The values of one page of rows; the caller appends "(?, ?, …)" for the ids.
ROW_SQL = (
    "SELECT f.id, f.rel_path, f.size, f.mtime_ns, f.puid, f.format_name, f.format_version,"
    " f.mime, f.extension, f.flags, f.sha512, f.kind, f.error, d.rel_path, s.root,"
    " fc.series_id, fc.exclusion, se.code, se.title, f.created_ns, f.basis, f.id_warning"
    " FROM file f JOIN directory d ON d.id = f.dir_id JOIN source s ON s.id = f.source_id"
    " LEFT JOIN file_class fc ON fc.file_id = f.id LEFT JOIN series se ON se.id = fc.series_id"
    " WHERE f.id IN "
)
