"""The plan de classement as a tree: series, sub-series, and how many files each holds.

The plan is small (tens to a few hundred series), so the whole tree is rebuilt on `refresh()`.
Counts come from `file_class` (one grouped query on its series index). Dropping inventory
folders or files (`app.ui.models.targets_mime`) on a series asks the
page to assign them, through the `dropped` signal: the model never writes.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QObject, Qt, Signal

from app.i18n import _, format_bytes, format_count
from app.project.metadata import Target
from app.project.series import Series, list_series
from app.ui.icons import icon
from app.ui.models.node_tree import Index, NodeTreeModel
from app.ui.models.targets_mime import TARGETS_MIME, targets_from_mime

SERIES_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class SeriesColumn:
    TITLE = 0
    FILES = 1
    BYTES = 2
    COUNT = 3


class _Node:
    __slots__ = ("bytes", "children", "files", "parent", "row", "series")

    def __init__(self, series: Series | None, parent: _Node | None) -> None:
        self.series = series
        self.parent = parent
        self.children: list[_Node] = []
        self.row = 0
        self.files = 0
        self.bytes = 0


class SeriesTreeModel(NodeTreeModel[_Node]):
    """Series by parent; drops of inventory targets emit `dropped(targets, series_id)`."""

    dropped = Signal(object, int)  # list[Target], series id
    column_count = SeriesColumn.COUNT

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_Node(None, None), parent)
        self._by_id: dict[int, _Node] = {}
        self._own: dict[int, tuple[int, int]] = {}

    # -- data -----------------------------------------------------------------------------
    def refresh(self, conn: sqlite3.Connection | None) -> None:
        """The plan as stored (quick: a few hundred series); counts keep their last values
        until `set_counts` brings new ones."""
        if conn is None:
            self._own = {}
        self.beginResetModel()
        self._root = _Node(None, None)
        self._by_id = {}
        if conn is not None:
            for s in list_series(conn):  # parents come before their children
                assert s.id is not None
                parent = self._by_id.get(s.parent_id, self._root) if s.parent_id else self._root
                node = _Node(s, parent)
                node.row = len(parent.children)
                parent.children.append(node)
                self._by_id[s.id] = node
        self._apply_counts(self._own)
        self.endResetModel()

    def set_counts(self, counts: dict[int, tuple[int, int]]) -> None:
        """Files and bytes of each series itself (sub-series are added to their parents)."""
        self._own = dict(counts)
        self._apply_counts(self._own)
        if self._root.children:
            self.dataChanged.emit(
                self.index(0, SeriesColumn.FILES),
                self.index(len(self._root.children) - 1, SeriesColumn.BYTES),
            )
        for node in self._by_id.values():
            if node.children:
                parent = self.createIndex(node.row, 0, node)
                self.dataChanged.emit(
                    self.index(0, SeriesColumn.FILES, parent),
                    self.index(len(node.children) - 1, SeriesColumn.BYTES, parent),
                )

    def _apply_counts(self, own: dict[int, tuple[int, int]]) -> None:
        for sid, node in self._by_id.items():
            node.files, node.bytes = own.get(sid, (0, 0))
        # A parent's numbers include its sub-series' files.
        for node in sorted(self._by_id.values(), key=_depth, reverse=True):
            if node.parent is not None and node.parent is not self._root:
                node.parent.files += node.files
                node.parent.bytes += node.bytes

    def series_at(self, index: Index) -> Series | None:
        node = self._node(index)
        return node.series if node is not self._root else None

    def index_of(self, series_id: int) -> QModelIndex:
        node = self._by_id.get(series_id)
        if node is None:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def all_series(self) -> list[Series]:
        return [n.series for n in self._by_id.values() if n.series is not None]

    # -- Qt model interface ---------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        s = node.series
        assert s is not None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == SeriesColumn.TITLE:
                return f"{s.code} — {s.title}"
            if column == SeriesColumn.FILES:
                return format_count(node.files)
            if column == SeriesColumn.BYTES:
                return format_bytes(node.bytes)
        elif role == Qt.ItemDataRole.ToolTipRole:
            text = f"{s.code} — {s.title}"
            if s.description:
                text += "\n" + s.description
            return (
                text
                + "\n"
                + _("{files} files, {size}. Drop folders or files here.").format(
                    files=format_count(node.files), size=format_bytes(node.bytes)
                )
            )
        elif role == Qt.ItemDataRole.DecorationRole and column == SeriesColumn.TITLE:
            return icon("classify")
        elif role == Qt.ItemDataRole.TextAlignmentRole and column != SeriesColumn.TITLE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif role == SERIES_ID_ROLE:
            return s.id
        elif role == Qt.ItemDataRole.AccessibleTextRole and column == SeriesColumn.TITLE:
            return _("Series {code}, {title}, {files} files").format(
                code=s.code, title=s.title, files=format_count(node.files)
            )
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            SeriesColumn.TITLE: _("Series"),
            SeriesColumn.FILES: _("Files"),
            SeriesColumn.BYTES: _("Volume"),
        }.get(section)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        )

    # -- drops --------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [TARGETS_MIME]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction | Qt.DropAction.LinkAction

    def canDropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: Index,
    ) -> bool:
        return data.hasFormat(TARGETS_MIME) and parent.isValid()

    def dropMimeData(
        self,
        data: QMimeData,
        action: Qt.DropAction,
        row: int,
        column: int,
        parent: Index,
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        series = self.series_at(parent)
        targets: list[Target] = targets_from_mime(data)
        if series is None or series.id is None or not targets:
            return False
        self.dropped.emit(targets, series.id)
        return False  # nothing moves out of the inventory tree


def _depth(node: _Node) -> int:
    depth = 0
    while node.parent is not None:
        depth += 1
        node = node.parent
    return depth
