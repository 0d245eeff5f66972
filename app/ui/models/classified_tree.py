"""The inventory as a lazy tree of folders and files, with where each one is classified.

Folders load their children when expanded (`fetchMore`): all sub-folders, then files by
batches of `FILE_BATCH`, so a folder of 50,000 files opens at once. Nodes use `__slots__` and
know their row. What each folder's subtree holds (files, files still to classify, series)
arrives from a worker as `FolderSummary` values (`set_summaries`); file rows read their own
classification when loaded and again on `reload_classes()`.

Rows can be dragged (`app.ui.models.targets_mime`) onto a series of the plan.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QMimeData, QModelIndex, QObject, Qt

from app.i18n import N_, _, format_bytes, format_count
from app.project.metadata import Target
from app.project.series import EXCLUSION_REASONS
from app.ui.classify.folder_summary import FolderSummary
from app.ui.icons import icon
from app.ui.models.node_tree import Index, NodeTreeModel
from app.ui.models.targets_mime import TARGETS_MIME, targets_mime

FILE_BATCH = 500
TARGET_ROLE = Qt.ItemDataRole.UserRole + 1

ORIGIN_LABELS = {"file": N_("by hand"), "folder": N_("from its folder"), "rule": N_("by a rule")}


class TreeColumn:
    NAME = 0
    CLASS = 1
    FILES = 2
    TO_CLASSIFY = 3
    COUNT = 4


class _Node:
    __slots__ = (
        "assigned",
        "children",
        "file_class",
        "files_loaded",
        "id",
        "is_dir",
        "loaded",
        "name",
        "parent",
        "rel_path",
        "row",
        "size",
        "total_files",
    )

    def __init__(
        self, is_dir: bool, node_id: int, name: str, rel_path: str, parent: _Node | None
    ) -> None:
        self.is_dir = is_dir
        self.id = node_id
        self.name = name
        self.rel_path = rel_path
        self.parent = parent
        self.row = 0
        self.children: list[_Node] = []
        self.loaded = False  # sub-folders read
        self.files_loaded = 0  # files read so far
        self.total_files = 0  # files directly inside (folders), for batching
        self.size = 0
        # (series id, exclusion, origin) of a file; None: still to classify.
        self.file_class: tuple[int | None, str | None, str] | None = None
        self.assigned: tuple[int | None, str | None] | None = None  # by hand, on this node

    def target(self) -> Target:
        return Target("directory" if self.is_dir else "file", self.id, self.rel_path)


def exclusion_label(reason: str | None) -> str:
    return _(EXCLUSION_REASONS.get(reason or "other", EXCLUSION_REASONS["other"]))


class ClassifiedTreeModel(NodeTreeModel[_Node]):
    """Folders and files of every source; classification columns can be hidden by views."""

    column_count = TreeColumn.COUNT

    def __init__(self, parent: QObject | None = None, *, with_files: bool = True) -> None:
        super().__init__(_Node(True, 0, "", "", None), parent)
        self._conn: sqlite3.Connection | None = None
        self._with_files = with_files
        self._root.loaded = True
        self._summaries: dict[int, FolderSummary] = {}
        self._codes: dict[int, str] = {}
        self._dir_assign: dict[int, tuple[int | None, str | None]] = {}
        self._file_assign: dict[int, tuple[int | None, str | None]] = {}

    # -- loading --------------------------------------------------------------------------
    def set_connection(self, conn: sqlite3.Connection | None) -> None:
        """Show the inventory read through `conn` (None: nothing), collapsed."""
        self.beginResetModel()
        self._conn = conn
        self._root = _Node(True, 0, "", "", None)
        self._root.loaded = True
        self._summaries = {}
        if conn is not None:
            self._read_assignments()
            self._read_codes()
            for dir_id, shown, files, size in conn.execute(
                "SELECT d.id, s.root, (SELECT count(*) FROM file f WHERE f.dir_id = d.id"
                " AND f.state = 'present'), d.total_bytes FROM directory d"
                " JOIN source s ON s.id = d.source_id"
                " WHERE d.parent_id IS NULL AND d.state = 'present' ORDER BY s.id"
            ):
                node = _Node(True, int(dir_id), str(shown), "", self._root)
                node.row = len(self._root.children)
                node.total_files = int(files)
                node.size = int(size or 0)
                node.assigned = self._dir_assign.get(node.id)
                self._root.children.append(node)
        self.endResetModel()

    def _read_assignments(self) -> None:
        assert self._conn is not None
        self._dir_assign = {}
        self._file_assign = {}
        for dir_id, file_id, series_id, exclusion in self._conn.execute(
            "SELECT directory_id, file_id, series_id, exclusion FROM assignment"
        ):
            if dir_id is not None:
                self._dir_assign[int(dir_id)] = (series_id, exclusion)
            else:
                self._file_assign[int(file_id)] = (series_id, exclusion)

    def _read_codes(self) -> None:
        assert self._conn is not None
        self._codes = {int(i): str(c) for i, c in self._conn.execute("SELECT id, code FROM series")}

    def set_summaries(self, summaries: dict[int, FolderSummary]) -> None:
        self._summaries = summaries
        self._changed_everywhere()

    def reload_classes(self) -> None:
        """Read again the assignments, series codes and the loaded files' classification."""
        if self._conn is None:
            return
        self._read_assignments()
        self._read_codes()
        folders = [n for n in self._walk_loaded() if n.is_dir]
        for node in folders:
            node.assigned = self._dir_assign.get(node.id)
        by_id: dict[int, _Node] = {}
        for folder in folders:
            for child in folder.children:
                if not child.is_dir:
                    by_id[child.id] = child
        ids = list(by_id)
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            marks = ",".join("?" * len(chunk))
            found = {
                int(fid): (sid, exc, str(origin))
                for fid, sid, exc, origin in self._conn.execute(
                    "SELECT file_id, series_id, exclusion, origin FROM file_class"
                    f" WHERE file_id IN ({marks})",
                    chunk,
                )
            }
            for fid in chunk:
                node = by_id[fid]
                node.file_class = found.get(fid)
                node.assigned = self._file_assign.get(fid)
        self._changed_everywhere()

    def _walk_loaded(self) -> list[_Node]:
        found: list[_Node] = []
        stack = list(self._root.children)
        while stack:
            node = stack.pop()
            found.append(node)
            if node.is_dir and node.loaded:
                stack.extend(node.children)
        return found

    def _changed_everywhere(self) -> None:
        """One dataChanged per loaded parent: only the rows a view may show."""
        parents = [self._root] + [n for n in self._walk_loaded() if n.is_dir and n.children]
        for parent in parents:
            if not parent.children:
                continue
            top = self.createIndex(0, 0, parent.children[0])
            bottom = self.createIndex(
                len(parent.children) - 1, TreeColumn.COUNT - 1, parent.children[-1]
            )
            self.dataChanged.emit(top, bottom)

    def _load_folders(self, node: _Node) -> None:
        assert self._conn is not None
        rows = self._conn.execute(
            "SELECT d.id, d.rel_path, d.total_bytes, (SELECT count(*) FROM file f"
            " WHERE f.dir_id = d.id AND f.state = 'present') FROM directory d"
            " WHERE d.parent_id = ? AND d.state = 'present' ORDER BY d.rel_path COLLATE NOCASE",
            (node.id,),
        ).fetchall()
        node.loaded = True
        if not rows:
            return
        first = len(node.children)
        self.beginInsertRows(self._index_of(node), first, first + len(rows) - 1)
        for dir_id, rel, size, files in rows:
            child = _Node(True, int(dir_id), str(rel).rsplit("/", 1)[-1], str(rel), node)
            child.row = len(node.children)
            child.size = int(size or 0)
            child.total_files = int(files)
            child.assigned = self._dir_assign.get(child.id)
            node.children.append(child)
        self.endInsertRows()

    def _load_files(self, node: _Node) -> None:
        assert self._conn is not None
        rows = self._conn.execute(
            "SELECT f.id, f.rel_path, f.size, fc.series_id, fc.exclusion, fc.origin FROM file f"
            " LEFT JOIN file_class fc ON fc.file_id = f.id"
            " WHERE f.dir_id = ? AND f.state = 'present' ORDER BY f.rel_path COLLATE NOCASE"
            " LIMIT ? OFFSET ?",
            (node.id, FILE_BATCH, node.files_loaded),
        ).fetchall()
        if not rows:
            node.files_loaded = node.total_files
            return
        first = len(node.children)
        self.beginInsertRows(self._index_of(node), first, first + len(rows) - 1)
        for fid, rel, size, sid, exc, origin in rows:
            child = _Node(False, int(fid), str(rel).rsplit("/", 1)[-1], str(rel), node)
            child.row = len(node.children)
            child.size = int(size or 0)
            child.file_class = None if origin is None else (sid, exc, str(origin))
            child.assigned = self._file_assign.get(child.id)
            node.children.append(child)
        node.files_loaded += len(rows)
        self.endInsertRows()

    # -- access for views and pages ------------------------------------------------------
    def target(self, index: Index) -> Target | None:
        if not index.isValid():
            return None
        return self._node(index).target()

    def targets(self, indexes: Iterable[Index]) -> list[Target]:
        """Distinct targets of these indexes, in the order given."""
        seen: set[tuple[bool, int]] = set()
        found: list[Target] = []
        for index in indexes:
            if not index.isValid():
                continue
            node = self._node(index)
            key = (node.is_dir, node.id)
            if key not in seen:
                seen.add(key)
                found.append(node.target())
        return found

    def summary(self, dir_id: int) -> FolderSummary | None:
        return self._summaries.get(dir_id)

    def reveal(self, target: Target) -> QModelIndex:
        """The index of a folder or file, loading its ancestors; invalid when not found."""
        if self._conn is None:
            return QModelIndex()
        if target.kind == "file":
            row = self._conn.execute("SELECT dir_id FROM file WHERE id = ?", (target.id,))
            found = row.fetchone()
            if found is None:
                return QModelIndex()
            folder = self._folder_node(int(found[0]))
            if folder is None:
                return QModelIndex()
            while True:
                for child in folder.children:
                    if not child.is_dir and child.id == target.id:
                        return self.createIndex(child.row, 0, child)
                if folder.files_loaded >= folder.total_files or not self._with_files:
                    return QModelIndex()
                if not folder.loaded:
                    self._load_folders(folder)
                self._load_files(folder)
        folder = self._folder_node(target.id)
        return QModelIndex() if folder is None else self._index_of(folder)

    def _folder_node(self, dir_id: int) -> _Node | None:
        assert self._conn is not None
        chain: list[int] = []
        current: int | None = dir_id
        while current is not None:
            chain.append(current)
            row = self._conn.execute("SELECT parent_id FROM directory WHERE id = ?", (current,))
            found = row.fetchone()
            if found is None:
                return None
            current = found[0]
        node = self._root
        for wanted in reversed(chain):
            if not node.loaded:
                self._load_folders(node)
            match = next((c for c in node.children if c.is_dir and c.id == wanted), None)
            if match is None:
                return None
            node = match
        return node

    # -- Qt model interface ----------------------------------------------------------------
    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        node = self._node(parent)
        if not node.is_dir:
            return False
        if parent.isValid() and parent.column() != 0:
            return False
        return bool(node.children) or not node.loaded or self._more_files(node)

    def _more_files(self, node: _Node) -> bool:
        return self._with_files and node.files_loaded < node.total_files

    def canFetchMore(self, parent: Index) -> bool:
        node = self._node(parent)
        if self._conn is None or not node.is_dir or node is self._root:
            return False
        return not node.loaded or self._more_files(node)

    def fetchMore(self, parent: Index) -> None:
        node = self._node(parent)
        if self._conn is None or not node.is_dir:
            return
        if not node.loaded:
            self._load_folders(node)
        if self._more_files(node):
            self._load_files(node)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | (Qt.ItemFlag.ItemIsDragEnabled)
        )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                TreeColumn.NAME: _("Name"),
                TreeColumn.CLASS: _("Classification"),
                TreeColumn.FILES: _("Files"),
                TreeColumn.TO_CLASSIFY: _("To classify"),
            }.get(section)
        if role == Qt.ItemDataRole.ToolTipRole and section == TreeColumn.TO_CLASSIFY:
            return _("Files of this folder (and below) that no series nor exclusion holds yet")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self._node(index)
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == TreeColumn.NAME:
                return node.name
            if column == TreeColumn.CLASS:
                return self._class_text(node)
            if node.is_dir:
                summary = self._summaries.get(node.id)
                if column == TreeColumn.FILES:
                    return format_count(summary.files) if summary else ""
                if column == TreeColumn.TO_CLASSIFY:
                    return format_count(summary.unclassified) if summary else ""
            elif column == TreeColumn.FILES:
                return format_bytes(node.size)
            return ""
        if role == Qt.ItemDataRole.DecorationRole:
            if column == TreeColumn.NAME:
                return icon("folder" if node.is_dir else "file")
            if column == TreeColumn.TO_CLASSIFY and node.is_dir:
                summary = self._summaries.get(node.id)
                if summary is not None and summary.unclassified:
                    return icon("warning")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            TreeColumn.FILES,
            TreeColumn.TO_CLASSIFY,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node)
        if role == TARGET_ROLE:
            return node.target()
        return None

    def _key_label(self, series_id: int | None, exclusion: str | None) -> str:
        if series_id is not None:
            return self._codes.get(series_id, "?")
        return _("excluded: {reason}").format(reason=exclusion_label(exclusion))

    def _class_text(self, node: _Node) -> str:
        if node.assigned is not None:
            return _("{what} (assigned)").format(what=self._key_label(*node.assigned))
        if not node.is_dir:
            if node.file_class is None:
                return _("to classify")
            sid, exc, origin = node.file_class
            return f"{self._key_label(sid, exc)} ({_(ORIGIN_LABELS.get(origin, origin))})"
        summary = self._summaries.get(node.id)
        if summary is None or summary.files == 0:
            return ""
        labels = [
            self._key_label(*key)
            for key, _count in sorted(summary.classes.items(), key=lambda kv: -kv[1])
        ]
        if not labels:
            return _("to classify")
        text = ", ".join(labels[:3]) + ("…" if len(labels) > 3 else "")
        if summary.unclassified:
            text += " + " + _("to classify")
        return text

    def _tooltip(self, node: _Node) -> str:
        lines = [node.rel_path or node.name]
        if node.assigned is not None:
            lines.append(_("Assigned by hand: {what}").format(what=self._key_label(*node.assigned)))
        if node.is_dir:
            summary = self._summaries.get(node.id)
            if summary is not None:
                lines.append(
                    _("{files} files, {todo} to classify").format(
                        files=format_count(summary.files), todo=format_count(summary.unclassified)
                    )
                )
        return "\n".join(lines)

    # -- drags ---------------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [TARGETS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        return targets_mime(self.targets(indexes))

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.LinkAction
