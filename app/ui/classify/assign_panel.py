"""Plan de classement beside the inventory: make series, then put folders and files in them.

Left, the series tree (add, edit, delete; drop folders or files on a series). Right, the
inventory with where each folder and file goes and how many files are still "à classer".
Bulk actions work on the whole selection: assign to the series chosen on the left
(Ctrl+Entrée), assign to… (Ctrl+Maj+A), exclude with a reason (Ctrl+Maj+E), unassign
(Ctrl+Maj+U), from buttons, the context menu or the keyboard.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_bytes, format_count
from app.project.metadata import Target
from app.project.series import (
    Series,
    add_series,
    assign,
    delete_series,
    get_series,
    unassign,
    update_series,
)
from app.project.store import Project
from app.tasks import CancelToken, ProgressSink
from app.ui.classify.dialogs import ChooseSeriesDialog, ExcludeDialog
from app.ui.classify.folder_summary import ClassificationCounts, classification_counts
from app.ui.classify.series_form import SeriesDialog
from app.ui.dialogs import confirm
from app.ui.edit_task import run_edit
from app.ui.icons import icon
from app.ui.models.classified_tree import ClassifiedTreeModel, TreeColumn
from app.ui.models.reading import reading
from app.ui.models.series_tree import SeriesColumn, SeriesTreeModel
from app.ui.session import Session
from app.ui.tasks import Task, TaskRunner


def _button(text: str, icon_name: str, tip: str) -> QPushButton:
    button = QPushButton(icon(icon_name), text)
    button.setToolTip(tip)
    button.setAccessibleName(text.replace("&", ""))
    return button


class AssignPanel(QWidget):
    """The series panel and the inventory tree, side by side."""

    series_selected = Signal(object)  # Series | None

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._summary_task: Task | None = None
        self._select_next: int | None = None

        # -- the plan de classement ---------------------------------------------------------
        self.series_model = SeriesTreeModel(self)
        self.series_model.dropped.connect(self.assign_targets)
        self.series_view = QTreeView()
        self.series_view.setModel(self.series_model)
        self.series_view.setAccessibleName(_("Plan de classement"))
        self.series_view.setToolTip(
            _("Series of the plan de classement: drop folders or files here")
        )
        self.series_view.setAcceptDrops(True)
        self.series_view.setDropIndicatorShown(True)
        self.series_view.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.series_view.setUniformRowHeights(True)
        header = self.series_view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(SeriesColumn.TITLE, QHeaderView.ResizeMode.Stretch)
        for column in (SeriesColumn.FILES, SeriesColumn.BYTES):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.series_view.selectionModel().currentChanged.connect(self._series_current)
        self.series_view.doubleClicked.connect(lambda _i: self.edit_series())

        self.new_series_button = _button(
            _("&New series…"), "add", _("Add a series to the plan de classement (Insert)")
        )
        self.edit_series_button = _button(_("&Edit…"), "edit", _("Edit the chosen series (F2)"))
        self.delete_series_button = _button(
            _("Delete"), "remove", _("Delete the chosen series; its files go back to be classified")
        )
        self.new_series_button.clicked.connect(self.new_series)
        self.edit_series_button.clicked.connect(self.edit_series)
        self.delete_series_button.clicked.connect(self.delete_series)
        self._shortcut(self.series_view, "Ins", self.new_series)
        self._shortcut(self.series_view, "F2", self.edit_series)
        self._shortcut(self.series_view, QKeySequence.StandardKey.Delete, self.delete_series)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.totals.setAccessibleName(_("Files still to classify"))

        self._series_empty = QLabel(
            _(
                "No series yet. Create the series of the plan de classement (New series…),"
                " or load a rules file in the Rules tab: it can declare them."
            )
        )
        self._series_empty.setWordWrap(True)
        self._series_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._series_stack = QStackedWidget()
        self._series_stack.addWidget(self.series_view)
        self._series_stack.addWidget(self._series_empty)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>" + _("Plan de classement") + "</b>"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_series_button)
        buttons.addWidget(self.edit_series_button)
        buttons.addWidget(self.delete_series_button)
        buttons.addStretch(1)
        left_layout.addLayout(buttons)
        left_layout.addWidget(self._series_stack, 1)
        left_layout.addWidget(self.totals)

        # -- the inventory --------------------------------------------------------------------
        self.tree_model = ClassifiedTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_model)
        self.tree.setAccessibleName(_("Inventory folders and files"))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setUniformRowHeights(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        tree_header = self.tree.header()
        tree_header.setStretchLastSection(False)
        tree_header.setSectionResizeMode(TreeColumn.NAME, QHeaderView.ResizeMode.Stretch)
        tree_header.resizeSection(TreeColumn.CLASS, 220)
        for column in (TreeColumn.FILES, TreeColumn.TO_CLASSIFY):
            tree_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.assign_current_action = self._action(
            _("Assign to the chosen series"), "classify", "Ctrl+Return", self.assign_to_current
        )
        self.assign_action = self._action(
            _("Assign to…"), "classify", "Ctrl+Shift+A", self.assign_to_chosen
        )
        self.exclude_action = self._action(
            _("Exclude…"), "remove", "Ctrl+Shift+E", self.exclude_selected
        )
        self.unassign_action = self._action(
            _("Unassign"), "undo", "Ctrl+Shift+U", self.unassign_selected
        )
        actions = QHBoxLayout()
        for action in (
            self.assign_current_action,
            self.assign_action,
            self.exclude_action,
            self.unassign_action,
        ):
            button = QPushButton(action.icon(), action.text())
            shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            button.setToolTip(f"{action.toolTip()} ({shortcut})")
            button.setAccessibleName(action.text())
            button.clicked.connect(action.trigger)
            actions.addWidget(button)
        actions.addStretch(1)

        self._tree_empty = QLabel(
            _("The inventory is empty: scan the commune's share first (step Analyse).")
        )
        self._tree_empty.setWordWrap(True)
        self._tree_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._tree_stack = QStackedWidget()
        self._tree_stack.addWidget(self.tree)
        self._tree_stack.addWidget(self._tree_empty)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        hint = QLabel(
            _(
                "<b>Inventory</b> — select folders or files, then assign them (or drag them"
                " onto a series). A folder takes everything below it."
            )
        )
        hint.setWordWrap(True)
        right_layout.addWidget(hint)
        right_layout.addLayout(actions)
        right_layout.addWidget(self._tree_stack, 1)

        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.setTabOrder(self.series_view, self.tree)

    def _action(self, text: str, icon_name: str, shortcut: str, slot: object) -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(text)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _shortcut(self, widget: QWidget, keys: object, slot: object) -> None:
        action = QAction(widget)
        action.setShortcut(QKeySequence(keys))  # type: ignore[call-overload]
        action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        action.triggered.connect(lambda _c=False: slot())  # type: ignore[operator]
        widget.addAction(action)

    # -- reading ---------------------------------------------------------------------------
    def load(self) -> None:
        """Show the open project from scratch (after opening it or a scan)."""
        project = self.session.project
        self.tree_model.set_connection(project.conn if project else None)
        has_inventory = self.tree_model.rowCount() > 0
        self._tree_stack.setCurrentIndex(0 if has_inventory else 1)
        if has_inventory:
            self.tree.expand(self.tree_model.index(0, 0))
        self.refresh()

    def refresh(self) -> None:
        """Show changed series, assignments and classification; keep what is expanded."""
        project = self.session.project
        current = self.current_series()
        expanded = self._expanded_series()
        self.series_model.refresh(project.conn if project else None)
        for series_id in expanded:
            self.series_view.expand(self.series_model.index_of(series_id))
        chosen = self._select_next or (current.id if current is not None else None)
        self._select_next = None
        if chosen is not None:
            self.series_view.setCurrentIndex(self.series_model.index_of(chosen))
        self._series_stack.setCurrentIndex(0 if self.series_model.rowCount() else 1)
        self.tree_model.reload_classes()
        self._start_summaries(project)

    def _expanded_series(self) -> list[int]:
        found = []
        for s in self.series_model.all_series():
            assert s.id is not None
            if self.series_view.isExpanded(self.series_model.index_of(s.id)):
                found.append(s.id)
        return found

    def _start_summaries(self, project: Project | None) -> None:
        if self._summary_task is not None and not self._summary_task.done:
            self._summary_task.cancel()
        if project is None:
            self.totals.clear()
            return
        path = project.path

        def work(token: CancelToken, _progress: ProgressSink) -> ClassificationCounts:
            with reading(path, token) as conn:
                return classification_counts(conn, token)

        task = Task(_("Counting files to classify"), work, report_errors=False)
        task.succeeded.connect(self._counts_ready)
        self._summary_task = TaskRunner.of(self.session).start(task)

    def _counts_ready(self, counts: ClassificationCounts) -> None:
        self.tree_model.set_summaries(counts.folders)
        self.series_model.set_counts(counts.series)
        files, size = counts.unclassified
        self.totals.setText(
            _("To classify (à classer): {files} files, {size}. Excluded: {excluded} files.").format(
                files=format_count(files),
                size=format_bytes(size),
                excluded=format_count(counts.excluded),
            )
        )

    # -- selections -----------------------------------------------------------------------
    def current_series(self) -> Series | None:
        return self.series_model.series_at(self.series_view.currentIndex())

    def selected_targets(self) -> list[Target]:
        rows = self.tree.selectionModel().selectedRows(TreeColumn.NAME)
        if not rows and self.tree.currentIndex().isValid():
            rows = [self.tree.currentIndex()]
        return self.tree_model.targets(rows)

    def select_series(self, series_id: int) -> None:
        self.series_view.setCurrentIndex(self.series_model.index_of(series_id))

    def _series_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.series_selected.emit(self.series_model.series_at(current))

    # -- series edits ---------------------------------------------------------------------
    def new_series(self) -> None:
        project = self.session.project
        if project is None:
            return
        dialog = SeriesDialog(project.conn, None, self)
        current = self.current_series()
        if current is not None:
            dialog.parent_combo.setCurrentIndex(max(0, dialog.parent_combo.findData(current.id)))
        if dialog.exec():
            self.save_series(dialog.series())

    def save_series(self, series: Series) -> None:
        """Add (no id) or update a series; the new one becomes the chosen series."""
        if series.id is None:
            label = _("Add series {code}").format(code=series.code)

            def added(saved: object) -> None:
                assert isinstance(saved, Series)
                self._select_next = saved.id  # chosen when the pages refresh

            run_edit(self.session, label, lambda p: add_series(p, series), on_done=added)
        else:
            label = _("Edit series {code}").format(code=series.code)
            run_edit(self.session, label, lambda p: update_series(p, series))

    def edit_series(self) -> None:
        project = self.session.project
        current = self.current_series()
        if project is None or current is None or current.id is None:
            return
        dialog = SeriesDialog(project.conn, get_series(project.conn, current.id), self)
        if dialog.exec():
            self.save_series(dialog.series())

    def delete_series(self) -> None:
        current = self.current_series()
        if current is None or current.id is None:
            return
        series_id = current.id
        if not confirm(
            self,
            _("Delete series"),
            _(
                "Delete the series {code} — {title}? Its assignments and rules go with it and"
                " its files go back to be classified. You can undo this (Ctrl+Z)."
            ).format(code=current.code, title=current.title),
            _("Delete the series"),
        ):
            return
        run_edit(
            self.session,
            _("Delete series {code}").format(code=current.code),
            lambda p: delete_series(p, series_id),
            reclassify=True,
        )

    # -- assignments ------------------------------------------------------------------------
    def assign_targets(self, targets: list[Target], series_id: int) -> None:
        if not targets:
            return
        run_edit(
            self.session,
            _("Assign {count} item(s)").format(count=len(targets)),
            lambda p: _assign(p, targets, series_id),
            reclassify=True,
        )

    def exclude_targets(self, targets: list[Target], reason: str, comment: str = "") -> None:
        if not targets:
            return
        run_edit(
            self.session,
            _("Exclude {count} item(s)").format(count=len(targets)),
            lambda p: assign(p, targets, exclusion=reason, comment=comment),
            reclassify=True,
        )

    def unassign_targets(self, targets: list[Target]) -> None:
        if not targets:
            return
        run_edit(
            self.session,
            _("Unassign {count} item(s)").format(count=len(targets)),
            lambda p: unassign(p, targets),
            reclassify=True,
        )

    def assign_to_current(self) -> None:
        series = self.current_series()
        targets = self.selected_targets()
        if series is None or series.id is None:
            self.session.status_message.emit(_("Choose a series on the left first."))
            return
        if not targets:
            self.session.status_message.emit(_("Select folders or files in the inventory first."))
            return
        self.assign_targets(targets, series.id)

    def assign_to_chosen(self) -> None:
        targets = self.selected_targets()
        if not targets:
            self.session.status_message.emit(_("Select folders or files in the inventory first."))
            return
        all_series = self.series_model.all_series()
        if not all_series:
            self.session.status_message.emit(_("Create a series first."))
            return
        dialog = ChooseSeriesDialog(all_series, len(targets), self)
        current = self.current_series()
        if current is not None:
            dialog.combo.setCurrentIndex(max(0, dialog.combo.findData(current.id)))
        if dialog.exec():
            series_id = dialog.series_id()
            if series_id is not None:
                self.assign_targets(targets, series_id)

    def exclude_selected(self) -> None:
        targets = self.selected_targets()
        if not targets:
            self.session.status_message.emit(_("Select folders or files in the inventory first."))
            return
        dialog = ExcludeDialog(len(targets), self)
        if dialog.exec():
            reason, comment = dialog.chosen()
            self.exclude_targets(targets, reason, comment)

    def unassign_selected(self) -> None:
        self.unassign_targets(self.selected_targets())

    def _context_menu(self, point: QPoint) -> None:
        if not self.tree.indexAt(point).isValid():
            return
        menu = QMenu(self)
        series = self.current_series()
        if series is not None:
            self.assign_current_action.setText(
                _("Assign to {code} — {title}").format(code=series.code, title=series.title)
            )
        else:
            self.assign_current_action.setText(_("Assign to the chosen series"))
        self.assign_current_action.setEnabled(series is not None)
        for action in (
            self.assign_current_action,
            self.assign_action,
            self.exclude_action,
            self.unassign_action,
        ):
            menu.addAction(action)
        menu.exec(self.tree.viewport().mapToGlobal(point))
        self.assign_current_action.setEnabled(True)


def _assign(project: Project, targets: list[Target], series_id: int) -> int:
    return assign(project, targets, series_id=series_id)
