"""Trees imported from a Resip CSV or a SIP: packages, then their units, as one tree.

Imported trees are described and restructured by hand, so they stay small enough to load
whole on `refresh()`. Units can be dragged onto another unit (to become its child) or onto
their package (to become a top unit): the model only asks, through `move_requested`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, QObject, Qt, Signal

from app.i18n import _, format_count
from app.ui.icons import icon
from app.ui.models.node_tree import Index, NodeTreeModel

UNITS_MIME = "application/x-besace-imported-units"


class _Node:
    __slots__ = (
        "children",
        "id",
        "is_package",
        "label",
        "level",
        "objects",
        "package_id",
        "parent",
        "row",
    )

    def __init__(self, is_package: bool, node_id: int, package_id: int, label: str) -> None:
        self.is_package = is_package
        self.id = node_id
        self.package_id = package_id
        self.label = label
        self.level = ""
        self.objects = 0
        self.parent: _Node | None = None
        self.children: list[_Node] = []
        self.row = 0


class ImportedTreeModel(NodeTreeModel[_Node]):
    move_requested = Signal(object, object)  # list of unit ids, new parent unit id or None
    column_count = 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_Node(True, 0, 0, ""), parent)
        self._units: dict[int, _Node] = {}
        self._packages: dict[int, _Node] = {}

    # -- loading -----------------------------------------------------------------------------
    def refresh(self, conn: sqlite3.Connection | None) -> None:
        self.beginResetModel()
        self._root = _Node(True, 0, 0, "")
        self._units = {}
        self._packages = {}
        if conn is not None and _has_imports(conn):
            for pid, kind, origin, label in conn.execute(
                "SELECT id, kind, origin, label FROM imported_package ORDER BY id"
            ):
                shown = label or origin.rsplit("/", 1)[-1] or origin
                kind_text = _("Resip CSV") if kind == "resip_csv" else _("SIP")
                node = _Node(True, int(pid), int(pid), f"{shown} ({kind_text})")
                self._attach(self._root, node)
                self._packages[int(pid)] = node
            objects = dict(
                conn.execute("SELECT unit_id, count(*) FROM imported_object GROUP BY unit_id")
            )
            rows = conn.execute(
                "SELECT id, package_id, parent_id, level, title, content FROM imported_unit"
                " ORDER BY parent_id IS NOT NULL, parent_id, position, id"
            ).fetchall()
            pending: list[tuple[_Node, int | None]] = []
            for uid, pid, parent_id, level, title, content in rows:
                label = title or _first_title(content) or _("(untitled)")
                node = _Node(False, int(uid), int(pid), label)
                node.level = str(level)
                node.objects = int(objects.get(uid, 0))
                self._units[node.id] = node
                pending.append((node, parent_id))
            for node, parent_id in pending:
                parent = (
                    self._units.get(int(parent_id))
                    if parent_id is not None
                    else self._packages.get(node.package_id)
                )
                if parent is not None:
                    self._attach(parent, node)
        self.endResetModel()

    @staticmethod
    def _attach(parent: _Node, node: _Node) -> None:
        node.parent = parent
        node.row = len(parent.children)
        parent.children.append(node)

    def is_empty(self) -> bool:
        return not self._root.children

    # -- access ----------------------------------------------------------------------------
    def unit_id(self, index: Index) -> int | None:
        node = self._node(index)
        return None if node.is_package or node is self._root else node.id

    def package_id(self, index: Index) -> int | None:
        node = self._node(index)
        return None if node is self._root else node.package_id

    def label(self, index: Index) -> str:
        return self._node(index).label

    def index_of_unit(self, unit_id: int) -> QModelIndex:
        node = self._units.get(unit_id)
        return QModelIndex() if node is None else self.createIndex(node.row, 0, node)

    def index_of_package(self, package_id: int) -> QModelIndex:
        node = self._packages.get(package_id)
        return QModelIndex() if node is None else self.createIndex(node.row, 0, node)

    # -- Qt model interface ----------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return node.label
            if node.is_package:
                return ""
            files = _("{n} files").format(n=format_count(node.objects)) if node.objects else ""
            return f"{node.level} {files}".strip()
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            if node.is_package:
                return icon("package")
            return icon("file" if node.objects and not node.children else "folder")
        if role == Qt.ItemDataRole.ToolTipRole:
            return node.label
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (_("Unit"), _("Level"))[section] if section in (0, 1) else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        )
        if not self._node(index).is_package:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    # -- moving by drag and drop -------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [UNITS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = list(dict.fromkeys(u for i in indexes if (u := self.unit_id(i)) is not None))
        data = QMimeData()
        data.setData(UNITS_MIME, QByteArray(json.dumps(ids).encode("ascii")))
        return data

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(UNITS_MIME) and parent.isValid()

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        try:
            ids = [int(u) for u in json.loads(bytes(data.data(UNITS_MIME).data()).decode())]
        except (ValueError, TypeError):
            return False
        if ids:
            self.move_requested.emit(ids, self.unit_id(parent))
        return False  # the tree is reloaded once the move is stored


def _has_imports(conn: sqlite3.Connection) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'imported_unit'"
    ).fetchone()
    return row is not None


def _first_title(content: str) -> str:
    try:
        for element in json.loads(content):
            if element.get("name") == "Title" and element.get("text"):
                return str(element["text"])
    except (ValueError, AttributeError):
        pass
    return ""
