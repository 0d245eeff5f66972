"""The Explore page's file list: an ordered id vector from SQL, rows read by cached pages.

`set_query()` starts one background query (filters, search and sort are all SQL, run on the
read pool and interrupted if the user asks something else first); when it returns, the model
resets once to the new id vector. `data()` reads the rows it shows by pages of `PAGE_ROWS`
ids on the page's own read-only connection (a few milliseconds a page).
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.i18n import N_, _, format_bytes, format_count
from app.inventory.formats import family_label, family_of
from app.tasks import CancelToken
from app.ui.models.display import (
    date_text,
    digest_short,
    flag_texts,
    format_text,
    series_text,
)
from app.ui.models.file_query import ROW_SQL, FileColumn, FileQuery, id_query
from app.ui.models.latest_read import LatestRead
from app.ui.models.reading import reading
from app.ui.session import Session

PAGE_ROWS = 256
CACHED_PAGES = 24
FILE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
Index = QModelIndex | QPersistentModelIndex

HEADERS = {
    FileColumn.NAME: N_("Name"),
    FileColumn.FOLDER: N_("Folder"),
    FileColumn.SIZE: N_("Size"),
    FileColumn.MODIFIED: N_("Modified"),
    FileColumn.FORMAT: N_("Format"),
    FileColumn.FAMILY: N_("Family"),
    FileColumn.SERIES: N_("Series"),
    FileColumn.FLAGS: N_("Flags"),
    FileColumn.SHA512: N_("SHA-512"),
}


@dataclass(frozen=True, slots=True)
class FileRow:
    """One file as the list and the preview show it."""

    id: int
    rel_path: str
    size: int | None
    mtime_ns: int | None
    puid: str | None
    format_name: str | None
    format_version: str | None
    mime: str | None
    extension: str
    flags: int
    sha512: bytes | None
    kind: str
    error: str | None
    folder: str
    root: str
    series_id: int | None
    exclusion: str | None
    series_code: str | None
    series_title: str | None
    created_ns: int | None
    basis: str | None
    id_warning: str | None

    @property
    def name(self) -> str:
        return self.rel_path.rsplit("/", 1)[-1]

    @property
    def shown_path(self) -> str:
        """The path as the user knows it: the scanned root, then the relative path."""
        separator = "\\" if "\\" in self.root and "/" not in self.root else "/"
        rel = self.rel_path.replace("/", separator)
        return self.root.rstrip("/\\") + separator + rel

    @property
    def family(self) -> str:
        return family_of(self.puid, self.mime, self.extension)


def read_rows(conn: sqlite3.Connection, ids: list[int]) -> dict[int, FileRow]:
    if not ids:
        return {}
    marks = "(" + ",".join("?" * len(ids)) + ")"
    found: dict[int, FileRow] = {}
    for row in conn.execute(ROW_SQL + marks, ids):
        values = list(row)
        values[10] = bytes(values[10]) if values[10] is not None else None
        found[int(row[0])] = FileRow(*values)
    return found


@dataclass(frozen=True)
class FileList:
    """The answer of one query: ids in order, and their total size."""

    query: FileQuery
    ids: array[int]
    total_bytes: int


def load_file_list(conn: sqlite3.Connection, query: FileQuery) -> FileList:
    sql, params = id_query(conn, query)
    ids: array[int] = array("q")
    total = 0
    cursor = conn.execute(sql, params)
    while True:
        chunk = cursor.fetchmany(8192)
        if not chunk:
            break
        ids.extend(row[0] for row in chunk)
        total += sum(row[1] or 0 for row in chunk)
    return FileList(query, ids, total)


class FileListModel(QAbstractTableModel):
    """Files of the project matching a `FileQuery`; sorting asks SQL again."""

    loaded = Signal(object, object)  # files, bytes of the new list (bytes exceed 32 bits)
    loading_changed = Signal(bool)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._conn: sqlite3.Connection | None = None
        self._query = FileQuery()
        self._ids: array[int] = array("q")
        self._total_bytes = 0
        self._pages: OrderedDict[int, list[FileRow | None]] = OrderedDict()
        self._read = LatestRead[FileList](session, _("Listing files"), self)
        self._read.busy_changed.connect(self.loading_changed)

    # -- state -----------------------------------------------------------------------------
    @property
    def query(self) -> FileQuery:
        return self._query

    @property
    def loading(self) -> bool:
        return self._read.busy

    @property
    def total_bytes(self) -> int:
        return self._total_bytes

    def set_connection(self, conn: sqlite3.Connection | None) -> None:
        """The page's reader (None when no project is open): the list empties."""
        self._read.cancel()
        self.beginResetModel()
        self._conn = conn
        self._ids = array("q")
        self._total_bytes = 0
        self._pages.clear()
        self.endResetModel()

    def set_query(self, query: FileQuery) -> None:
        self._query = query
        self.reload()

    def reload(self) -> None:
        project = self._session.project
        if project is None or self._conn is None:
            return
        query = self._query
        path = project.path

        def work(token: CancelToken) -> FileList:
            with reading(path, token) as conn:
                return load_file_list(conn, query)

        self._read.start(work, self._apply)

    def _apply(self, result: FileList) -> None:
        self.beginResetModel()
        self._ids = result.ids
        self._total_bytes = result.total_bytes
        self._pages.clear()
        self.endResetModel()
        self.loaded.emit(len(self._ids), self._total_bytes)

    def refresh_rows(self) -> None:
        """Re-read the shown values (e.g. after a classification change), same rows."""
        self._pages.clear()
        if self._ids:
            last = self.index(len(self._ids) - 1, len(FileColumn) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    # -- rows ------------------------------------------------------------------------------
    def file_id(self, row: int) -> int:
        return int(self._ids[row])

    def row_of(self, file_id: int) -> int:
        try:
            return self._ids.index(file_id)
        except ValueError:
            return -1

    def ids(self) -> array[int]:
        return self._ids

    def file_row(self, row: int) -> FileRow | None:
        if not 0 <= row < len(self._ids):
            return None
        number, offset = divmod(row, PAGE_ROWS)
        page = self._pages.get(number)
        if page is None:
            wanted = [int(i) for i in self._ids[number * PAGE_ROWS : (number + 1) * PAGE_ROWS]]
            found = read_rows(self._conn, wanted) if self._conn is not None else {}
            page = [found.get(i) for i in wanted]
            self._pages[number] = page
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    # -- Qt interface ----------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(FileColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(FileColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[FileColumn(section)])
        if role == Qt.ItemDataRole.ToolTipRole:
            return _("Click to sort by this column (the whole list is sorted, not just the page)")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == FILE_ID_ROLE:
            return self.file_id(index.row())
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.TextAlignmentRole,
            Qt.ItemDataRole.AccessibleTextRole,
        ):
            return None
        column = FileColumn(index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column is FileColumn.SIZE:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        row = self.file_row(index.row())
        if row is None:
            return _("(removed)") if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        return self._text(row, column)

    @staticmethod
    def _text(row: FileRow, column: FileColumn) -> str:
        if column is FileColumn.NAME:
            return row.name
        if column is FileColumn.FOLDER:
            return row.folder or "/"
        if column is FileColumn.SIZE:
            return format_bytes(row.size) if row.size is not None else ""
        if column is FileColumn.MODIFIED:
            return date_text(row.mtime_ns)
        if column is FileColumn.FORMAT:
            return format_text(row.format_name, row.format_version, row.puid)
        if column is FileColumn.FAMILY:
            return family_label(row.family)
        if column is FileColumn.SERIES:
            return series_text(row.series_id, row.exclusion, row.series_code, row.series_title)
        if column is FileColumn.FLAGS:
            return ", ".join(flag_texts(row.flags))
        return digest_short(row.sha512)

    def _tooltip(self, row: FileRow, column: FileColumn) -> str:
        if column is FileColumn.SHA512:
            return row.sha512.hex() if row.sha512 else _("No digest: the file was not read.")
        if column is FileColumn.SIZE and row.size is not None:
            return _("{count} bytes").format(count=format_count(row.size))
        if column is FileColumn.SERIES and row.series_id is None and row.exclusion is None:
            return _("No series yet: assign one in the Classification step.")
        if column is FileColumn.FLAGS and row.error:
            return row.error
        return row.shown_path

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(FileColumn):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if self._query.sort == column and self._query.descending == descending:
            return
        self.set_query(replace(self._query, sort=FileColumn(column), descending=descending))
