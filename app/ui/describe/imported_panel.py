"""The imported trees (Resip CSV, SIP) on the Décrire page, and their restructuring.

Unlike the inventory, an imported tree is the project's own: units can be added, moved (drag
one onto another unit, or onto its package to put it at the top), merged and deleted. Every
change is one undoable edit.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.seda.imported_edit import add_unit, delete_units, merge_units, move_units
from app.ui.dialogs import confirm
from app.ui.edit_task import Changed, run_edit
from app.ui.icons import icon
from app.ui.models.imported_tree import ImportedTreeModel
from app.ui.session import Session


class ImportedPanel(QWidget):
    selection_changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = ImportedTreeModel(self)
        self.model.move_requested.connect(self.move_units)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName(_("Imported trees"))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.tree.setDragEnabled(True)
        self.tree.setAcceptDrops(True)
        self.tree.setDropIndicatorShown(True)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.selectionModel().selectionChanged.connect(self._selected)

        self.add_button = QPushButton(icon("add"), _("Add a unit…"))
        self.add_button.setToolTip(_("A new unit inside the chosen one (or at the top)"))
        self.add_button.clicked.connect(self.add_dialog)
        self.merge_button = QPushButton(_("Merge"))
        self.merge_button.setToolTip(
            _("Merge the selected units into the first: children and files move to it")
        )
        self.merge_button.clicked.connect(self.merge_selected)
        self.delete_button = QPushButton(icon("remove"), _("Delete"))
        self.delete_button.setToolTip(
            _("Remove the selected units from the imported tree (files stay on disk)")
        )
        self.delete_button.clicked.connect(self.delete_selected)
        for b in (self.add_button, self.merge_button, self.delete_button):
            b.setAccessibleName(b.text().rstrip("…"))
        delete_action = QAction(self.tree)
        delete_action.setShortcut(QKeySequence.StandardKey.Delete)
        delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete_action.triggered.connect(self.delete_selected)
        self.tree.addAction(delete_action)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.merge_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        hint = QLabel(
            _(
                "An imported tree belongs to the project: drag a unit onto another to move it,"
                " or onto its package to put it at the top. Ctrl+Z undoes any change."
            )
        )
        hint.setWordWrap(True)
        self.empty = QLabel(
            _(
                "No imported tree. A Resip CSV or an existing SIP imported with"
                " `besace resip-import` or `besace sip-import` appears here."
            )
        )
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        tree_box = QWidget()
        tree_layout = QVBoxLayout(tree_box)
        tree_layout.setContentsMargins(0, 0, 0, 0)
        tree_layout.addWidget(self.tree, 1)
        tree_layout.addWidget(hint)
        tree_layout.addLayout(buttons)
        self.stack = QStackedWidget()
        self.stack.addWidget(tree_box)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._update_buttons()

    def refresh(self) -> None:
        """Reload the trees; the same units stay selected."""
        project = self.session.project
        chosen = self.selected_units()
        expanded = [
            unit
            for unit in self._all_units()
            if self.tree.isExpanded(self.model.index_of_unit(unit))
        ]
        self.tree.selectionModel().blockSignals(True)
        try:
            self.model.refresh(project.conn if project else None)
            for row in range(self.model.rowCount()):
                self.tree.expand(self.model.index(row, 0))
            for unit in expanded:
                self.tree.expand(self.model.index_of_unit(unit))
            selection = self.tree.selectionModel()
            for unit in chosen:
                index = self.model.index_of_unit(unit)
                if index.isValid():
                    selection.select(
                        index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows
                    )
                    selection.setCurrentIndex(index, selection.SelectionFlag.NoUpdate)
        finally:
            self.tree.selectionModel().blockSignals(False)
        self.stack.setCurrentIndex(1 if self.model.is_empty() else 0)
        self._update_buttons()

    def _all_units(self) -> list[int]:
        found: list[int] = []
        pending = [self.model.index(r, 0) for r in range(self.model.rowCount())]
        while pending:
            index = pending.pop()
            unit = self.model.unit_id(index)
            if unit is not None:
                found.append(unit)
            pending.extend(self.model.index(r, 0, index) for r in range(self.model.rowCount(index)))
        return found

    def selected_units(self) -> list[int]:
        rows = self.tree.selectionModel().selectedRows(0)
        return [u for i in rows if (u := self.model.unit_id(i)) is not None]

    def select_unit(self, unit_id: int) -> None:
        self.tree.setCurrentIndex(self.model.index_of_unit(unit_id))

    def _selected(self, _new: QItemSelection, _old: QItemSelection) -> None:
        self._update_buttons()
        self.selection_changed.emit()

    def _update_buttons(self) -> None:
        units = self.selected_units()
        self.add_button.setEnabled(self.tree.currentIndex().isValid())
        self.merge_button.setEnabled(len(units) >= 2)
        self.delete_button.setEnabled(bool(units))

    # -- edits -----------------------------------------------------------------------------
    def add_dialog(self) -> None:
        index = self.tree.currentIndex()
        if not index.isValid():
            return
        title, ok = QInputDialog.getText(self, _("Add a unit"), _("Title of the new unit:"))
        if ok and title.strip():
            self.add(index, title.strip())

    def add(self, index: QModelIndex, title: str) -> None:
        package = self.model.package_id(index)
        parent = self.model.unit_id(index)
        if package is None:
            return
        run_edit(
            self.session,
            _("Add unit {title}").format(title=title),
            lambda p: add_unit(p, package, parent, title),
            changed=Changed.METADATA,
        )

    def move_units(self, units: list[int], new_parent: int | None) -> None:
        run_edit(
            self.session,
            _("Move {n} unit(s)").format(n=len(units)),
            lambda p: move_units(p, units, new_parent),
            changed=Changed.METADATA,
        )

    def merge_selected(self) -> None:
        units = self.selected_units()
        if len(units) < 2:
            return
        first = self.model.label(self.model.index_of_unit(units[0]))
        if not confirm(
            self,
            _("Merge units"),
            _(
                "Merge the {n} selected units into “{first}”? Their sub-units and files move to"
                " it; their own descriptions are dropped. You can undo this (Ctrl+Z)."
            ).format(n=len(units), first=first),
            _("Merge"),
        ):
            return
        self.merge(units[0], units[1:])

    def merge(self, into: int, others: list[int]) -> None:
        run_edit(
            self.session,
            _("Merge {n} units").format(n=len(others) + 1),
            lambda p: merge_units(p, into, others),
            changed=Changed.METADATA,
        )

    def delete_selected(self) -> None:
        units = self.selected_units()
        if not units:
            return
        if not confirm(
            self,
            _("Delete units"),
            _(
                "Remove the {n} selected units and all below them from the imported tree? The"
                " files stay where they are. You can undo this (Ctrl+Z)."
            ).format(n=len(units)),
            _("Delete"),
        ):
            return
        self.delete(units)

    def delete(self, units: list[int]) -> None:
        run_edit(
            self.session,
            _("Delete {n} unit(s)").format(n=len(units)),
            lambda p: delete_units(p, units),
            changed=Changed.METADATA,
        )
