"""The folder tree of the inventory: lazy, with file counts, sizes and share of the parent.

Nothing is read until the view asks. Expanding a folder reads its children's ids and sort
keys in one indexed query (cheap even for tens of thousands of children), then the rows
appear by batches of `BATCH` through `canFetchMore`/`fetchMore`, so a folder of 50,000
sub-folders opens at once. Nodes keep their row number and use `__slots__`.
"""

from __future__ import annotations

import sqlite3
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.i18n import N_, _, format_bytes, format_count
from app.inventory.flags import EntryFlag
from app.ui.icons import icon
from app.ui.models.display import flag_texts, percent_text
from app.ui.models.reading import fold

BATCH = 500
FOLDER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SHARE_ROLE = Qt.ItemDataRole.UserRole + 2  # float 0..1, for the bar delegate
Index = QModelIndex | QPersistentModelIndex


class TreeColumn(IntEnum):
    NAME = 0
    FILES = 1
    SIZE = 2
    SHARE = 3


HEADERS = (N_("Folder"), N_("Files"), N_("Size"), N_("Share"))
HEADER_TIPS = (
    N_("The folder's name; the top line is the scanned folder"),
    N_("Files in the folder and all its sub-folders"),
    N_("Bytes in the folder and all its sub-folders"),
    N_("Part of the parent folder's size"),
)
_PROBLEM_FLAGS = int(EntryFlag.EMPTY | EntryFlag.UNREADABLE | EntryFlag.LONG_PATH)


def root_name(root: str) -> str:
    r"""The last name of a scanned folder's path ('\\srv\partage\Mairie' → 'Mairie')."""
    trimmed = root.rstrip("/\\")
    return trimmed.replace("\\", "/").rsplit("/", 1)[-1] or root


class FolderNode:
    __slots__ = (
        "bytes",
        "child_keys",
        "children",
        "error",
        "files",
        "flags",
        "has_children",
        "id",
        "name",
        "parent",
        "root_path",
        "row",
    )

    def __init__(
        self,
        id: int,
        name: str,
        files: int,
        bytes: int,
        flags: int,
        error: str | None,
        parent: FolderNode | None,
        row: int,
    ) -> None:
        self.id = id
        self.name = name
        self.files = files
        self.bytes = bytes
        self.flags = flags
        self.error = error
        self.parent = parent
        self.row = row
        self.root_path: str | None = None  # the scanned folder's full path, for top rows
        self.has_children = True  # until known otherwise
        # Children not shown yet, in display order: (id, name, files, bytes, flags, error).
        self.child_keys: list[tuple[int, str, int, int, int, str | None]] | None = None
        self.children: list[FolderNode] = []


class FolderTreeModel(QAbstractItemModel):
    """Folders of every scanned source (the sources' top folders are the top rows)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._conn: sqlite3.Connection | None = None
        self._root = FolderNode(0, "", 0, 0, 0, None, None, 0)
        self._root_paths: dict[int, str] = {}
        self._sort = TreeColumn.NAME
        self._descending = False
        self._folder_icon = icon("folder")
        self._warning_icon = icon("warning")

    def set_connection(self, conn: sqlite3.Connection | None) -> None:
        self._conn = conn
        self.reset()

    def reset(self) -> None:
        """Forget everything loaded; the view reloads what it shows."""
        self.beginResetModel()
        self._root = FolderNode(0, "", 0, 0, 0, None, None, 0)
        self._root.has_children = self._conn is not None
        if self._conn is not None:
            total = self._conn.execute(
                "SELECT coalesce(sum(total_files), 0), coalesce(sum(total_bytes), 0)"
                " FROM directory WHERE parent_id IS NULL AND state = 'present'"
            ).fetchone()
            self._root.files, self._root.bytes = int(total[0]), int(total[1])
        self.endResetModel()

    # -- loading ---------------------------------------------------------------------------
    def _node(self, index: Index) -> FolderNode:
        if index.isValid():
            node = index.internalPointer()
            assert isinstance(node, FolderNode)
            return node
        return self._root

    def _load_keys(self, node: FolderNode) -> None:
        assert self._conn is not None
        if node is self._root:
            rows = self._conn.execute(
                "SELECT d.id, s.root, d.total_files, d.total_bytes, d.flags, d.error"
                " FROM directory d JOIN source s ON s.id = d.source_id"
                " WHERE d.parent_id IS NULL AND d.state = 'present'"
            ).fetchall()
            self._root_paths = {int(r[0]): str(r[1]) for r in rows}
            rows = [(r[0], root_name(str(r[1])), *r[2:]) for r in rows]
        else:
            rows = [
                (i, rel.rsplit("/", 1)[-1], files, size, flags, error)
                for i, rel, files, size, flags, error in self._conn.execute(
                    "SELECT id, rel_path, total_files, total_bytes, flags, error"
                    " FROM directory WHERE parent_id = ? AND state = 'present'",
                    (node.id,),
                )
            ]
        if self._sort is TreeColumn.NAME:
            rows.sort(key=lambda r: (fold(r[1]), r[1]), reverse=self._descending)
        elif self._sort is TreeColumn.FILES:
            rows.sort(key=lambda r: (r[2], r[0]), reverse=self._descending)
        else:
            rows.sort(key=lambda r: (r[3], r[0]), reverse=self._descending)
        node.child_keys = [
            (int(i), str(name), int(files), int(size), int(flags), error)
            for i, name, files, size, flags, error in rows
        ]
        node.has_children = bool(rows)

    def canFetchMore(self, parent: Index) -> bool:
        node = self._node(parent)
        if self._conn is None or not node.has_children:
            return False
        return node.child_keys is None or len(node.children) < len(node.child_keys)

    def fetchMore(self, parent: Index) -> None:
        self._fetch(parent, BATCH)

    def _fetch(self, parent: Index, count: int) -> None:
        node = self._node(parent)
        if self._conn is None:
            return
        if node.child_keys is None:
            self._load_keys(node)
            if not node.has_children:
                # The view had drawn an expander: tell it there is nothing below.
                self.layoutChanged.emit()
                return
        assert node.child_keys is not None
        first = len(node.children)
        batch = node.child_keys[first : first + count]
        if not batch:
            return
        ids = [key[0] for key in batch]
        marks = ",".join("?" * len(ids))
        with_children = {
            int(r[0])
            for r in self._conn.execute(
                f"SELECT DISTINCT parent_id FROM directory WHERE parent_id IN ({marks})"
                " AND state = 'present'",
                ids,
            )
        }
        self.beginInsertRows(parent, first, first + len(batch) - 1)
        for offset, (i, name, files, size, flags, error) in enumerate(batch):
            child = FolderNode(i, name, files, size, flags, error, node, first + offset)
            child.has_children = i in with_children
            if node is self._root:
                child.root_path = self._root_paths.get(i)
            node.children.append(child)
        self.endInsertRows()

    # -- finding a folder ------------------------------------------------------------------
    def index_of_folder(self, folder_id: int) -> QModelIndex:
        """The index of a folder, loading its ancestors' children as needed (invalid if gone)."""
        if self._conn is None:
            return QModelIndex()
        chain = [
            int(r[0])
            for r in self._conn.execute(
                "WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM directory"
                " WHERE id = ? UNION ALL SELECT d.id, d.parent_id FROM directory d"
                " JOIN up ON d.id = up.parent_id) SELECT id FROM up",
                (folder_id,),
            )
        ]
        chain.reverse()
        parent = QModelIndex()
        for wanted in chain:
            node = self._node(parent)
            if node.child_keys is None:
                self._fetch(parent, BATCH)
            keys = node.child_keys or []
            position = next((n for n, key in enumerate(keys) if key[0] == wanted), -1)
            if position < 0:
                return QModelIndex()
            missing = position + 1 - len(node.children)
            if missing > 0:
                self._fetch(parent, missing + BATCH)
            parent = self.index(position, 0, parent)
        return parent

    def folder_path(self, folder_id: int) -> list[tuple[int, str]]:
        """(id, name) from the source's top folder down to `folder_id`."""
        if self._conn is None:
            return []
        rows = self._conn.execute(
            "WITH RECURSIVE up(id, parent_id, rel_path, source_id) AS ("
            " SELECT id, parent_id, rel_path, source_id FROM directory WHERE id = ?"
            " UNION ALL SELECT d.id, d.parent_id, d.rel_path, d.source_id FROM directory d"
            " JOIN up ON d.id = up.parent_id)"
            " SELECT up.id, up.parent_id, up.rel_path, s.root FROM up"
            " JOIN source s ON s.id = up.source_id",
            (folder_id,),
        ).fetchall()
        path = [
            (int(i), root_name(str(root)) if parent is None else str(rel).rsplit("/", 1)[-1])
            for i, parent, rel, root in rows
        ]
        path.reverse()
        return path

    # -- Qt interface ----------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        node = self._node(parent)
        if 0 <= row < len(node.children) and 0 <= column < len(TreeColumn):
            return self.createIndex(row, column, node.children[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node = self._node(index)
        up = node.parent
        if up is None or up is self._root:
            return QModelIndex()
        return self.createIndex(up.row, 0, up)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node(parent).children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(TreeColumn)

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return False
        node = self._node(parent)
        return bool(node.children) or node.has_children

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(TreeColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(HEADERS[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return _(HEADER_TIPS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        column = TreeColumn(index.column())
        if role == FOLDER_ID_ROLE:
            return node.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(node, column)
        if role == SHARE_ROLE:
            whole = node.parent.bytes if node.parent is not None else 0
            return node.bytes / whole if whole > 0 else 0.0
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node)
        if role == Qt.ItemDataRole.DecorationRole and column is TreeColumn.NAME:
            problem = node.error or node.flags & _PROBLEM_FLAGS
            return self._warning_icon if problem else self._folder_icon
        if role == Qt.ItemDataRole.TextAlignmentRole and column is not TreeColumn.NAME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, node: FolderNode, column: TreeColumn) -> str:
        if column is TreeColumn.NAME:
            return node.name
        if column is TreeColumn.FILES:
            return format_count(node.files)
        if column is TreeColumn.SIZE:
            return format_bytes(node.bytes)
        whole = node.parent.bytes if node.parent is not None else 0
        return percent_text(node.bytes, whole)

    def _tooltip(self, node: FolderNode) -> str:
        lines = [
            node.root_path or node.name,
            _("{files} files, {size}").format(
                files=format_count(node.files), size=format_bytes(node.bytes)
            ),
        ]
        notes = flag_texts(node.flags)
        if notes:
            lines.append(", ".join(notes))
        if node.error:
            lines.append(_("Error: {message}").format(message=node.error))
        return "\n".join(lines)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(TreeColumn):
            return
        sort = TreeColumn.SIZE if column == TreeColumn.SHARE else TreeColumn(column)
        descending = order == Qt.SortOrder.DescendingOrder
        if (sort, descending) == (self._sort, self._descending):
            return
        self._sort, self._descending = sort, descending
        self.reset()
