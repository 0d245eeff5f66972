"""A read-only table over an SQL query, paged: fast on a million rows, no proxy model.

`refresh()` runs one query for the ordered vector of row keys (sorting and filtering are
SQL); `data()` reads rows by pages of `PAGE_ROWS` keys and keeps the last few pages. Columns
say how their value is selected, shown and sorted.

    model = SqlTableModel([Column(_("Path"), "rel_path"), ...], "scan_issue", key="id")
    model.set_query(conn, where="run_id = ?", params=(run_id,))

Reads happen on the GUI thread: a key vector of a million integers takes well under a
second, a page a few milliseconds. Call `refresh()` after the data changed.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

PAGE_ROWS = 256
CACHED_PAGES = 16
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    title: str  # translated header
    sql: str  # the selected expression
    format: Callable[[Any], str] | None = None  # raw value → text shown; default str()
    sort_sql: str = ""  # ORDER BY expression; default `sql`
    align_right: bool = False  # numbers
    tooltip: Callable[[Any], str] | None = None
    decoration: Callable[[Any], Any] | None = None  # raw value → QIcon (never the only cue)


class SqlTableModel(QAbstractTableModel):
    """Rows of `source` (a table, or tables with joins) keyed by an integer `key`."""

    def __init__(
        self,
        columns: Sequence[Column],
        source: str,
        *,
        key: str = "id",
        default_order: str = "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._source = source
        self._key = key
        self._default_order = default_order or key
        self._conn: sqlite3.Connection | None = None
        self._where = ""
        self._params: tuple[object, ...] = ()
        self._order = self._default_order
        self._keys: array[int] = array("q")
        self._pages: OrderedDict[int, list[tuple[Any, ...]]] = OrderedDict()

    # -- query -----------------------------------------------------------------------------
    def set_query(
        self,
        conn: sqlite3.Connection | None,
        *,
        where: str = "",
        params: Sequence[object] = (),
    ) -> None:
        """Show the rows matching `where` (SQL with `?` parameters); None shows nothing."""
        self._conn = conn
        self._where = where
        self._params = tuple(params)
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._pages.clear()
        self._keys = self._load_keys()
        self.endResetModel()

    def _load_keys(self) -> array[int]:
        keys: array[int] = array("q")
        if self._conn is None:
            return keys
        where = f" WHERE {self._where}" if self._where else ""
        sql = f"SELECT {self._key} FROM {self._source}{where} ORDER BY {self._order}, {self._key}"
        for (value,) in self._conn.execute(sql, self._params):
            keys.append(int(value))
        return keys

    def _page(self, number: int) -> list[tuple[Any, ...]]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        wanted = self._keys[number * PAGE_ROWS : (number + 1) * PAGE_ROWS]
        found: dict[int, tuple[Any, ...]] = {}
        if self._conn is not None and wanted:
            marks = ",".join("?" * len(wanted))
            selected = ", ".join(c.sql for c in self.columns)
            sql = (
                f"SELECT {self._key}, {selected} FROM {self._source} WHERE {self._key} IN ({marks})"
            )
            for row in self._conn.execute(sql, list(wanted)):
                found[int(row[0])] = tuple(row[1:])
        blank = (None,) * len(self.columns)
        page = [found.get(k, blank) for k in wanted]
        self._pages[number] = page
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        return page

    # -- access for views and pages --------------------------------------------------------
    def key(self, row: int) -> int:
        """The key (e.g. the SQL id) of a row."""
        return int(self._keys[row])

    def row_values(self, row: int) -> tuple[Any, ...]:
        """The raw values of a row, one per column."""
        return self._page(row // PAGE_ROWS)[row % PAGE_ROWS]

    def row_of(self, key: int) -> int:
        """The row showing `key`, or -1."""
        try:
            return self._keys.index(key)
        except ValueError:
            return -1

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._keys)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._keys):
            return None
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.row_values(index.row())[index.column()]
            if column.format is not None:
                return column.format(value)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(self.row_values(index.row())[index.column()])
        if role == Qt.ItemDataRole.DecorationRole and column.decoration is not None:
            return column.decoration(self.row_values(index.row())[index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section].title
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            self._order = self._default_order
        else:
            spec = self.columns[column]
            direction = "DESC" if order == Qt.SortOrder.DescendingOrder else "ASC"
            self._order = f"{spec.sort_sql or spec.sql} {direction}"
        self.refresh()
