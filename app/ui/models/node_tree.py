"""A tree model over Python nodes that know their parent, children and row.

The series plan, the classified inventory and the imported trees all keep such nodes, with the
node itself as each index's internal pointer; this base class answers Qt's navigation
(`index`, `parent`, `rowCount`, `columnCount`) for them.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex

Index = QModelIndex | QPersistentModelIndex


class TreeNode(Protocol):
    @property
    def parent(self) -> Any: ...  # the same node type, or None for the root

    @property
    def children(self) -> Any: ...  # a list of the same node type

    @property
    def row(self) -> int: ...


NodeT = TypeVar("NodeT", bound=TreeNode)


class NodeTreeModel(QAbstractItemModel, Generic[NodeT]):
    """Subclasses set `column_count` and keep `_root`, the invisible node above the top rows."""

    column_count = 1

    def __init__(self, root: NodeT, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._node_type = type(root)
        self._root = root

    def _node(self, index: Index) -> NodeT:
        if index.isValid():
            node = index.internalPointer()
            assert isinstance(node, self._node_type)
            return node
        return self._root

    def _index_of(self, node: NodeT) -> QModelIndex:
        if node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    # -- Qt model interface ----------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        node = self._node(parent)
        if 0 <= row < len(node.children) and 0 <= column < self.column_count:
            return self.createIndex(row, column, node.children[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = self._node(index).parent
        if parent is None:
            return QModelIndex()
        return self._index_of(parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return self.column_count
