"""The main window: step bar on the left, the current page, menus, shortcuts, status line.

The window owns the `Session` (the open project) and its `TaskRunner`; pages are built from
the registry (`app.ui.pages.page_classes()`). Opening, closing and the recent list live here;
pages ask for them through signals.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from pathlib import Path
from typing import Protocol, cast

from PySide6.QtCore import QByteArray, QCoreApplication, QSettings, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from app import APP_NAME, __version__
from app.errors import AppError
from app.i18n import _
from app.paths import config_dir, settings_file
from app.project.store import Project
from app.settings import load_settings, save_settings
from app.tasks import CancelToken, ProgressSink
from app.ui.dialogs import confirm, show_error
from app.ui.icons import icon
from app.ui.pages import page_classes
from app.ui.pages.base import Page
from app.ui.pages.new_mission import NewMissionWizard
from app.ui.pages.scan import ScanPage
from app.ui.pages.start import StartPage
from app.ui.session import Session
from app.ui.task_status import TaskStatus
from app.ui.tasks import Pool, TaskRunner

log = logging.getLogger(__name__)
MAX_RECENT = 10
PAGE_ROLE = Qt.ItemDataRole.UserRole
STEP_MARKS = {"done": "  ✓", "problems": "  ⚠"}  # "todo": no mark


class UndoProvider(Protocol):
    """What the Edit menu needs of `app.project.undo.UndoStack`."""

    def can_undo(self) -> bool: ...
    def can_redo(self) -> bool: ...
    def undo_label(self) -> str: ...
    def redo_label(self) -> str: ...
    def undo(self) -> str: ...
    def redo(self) -> str: ...


def _undo_stack_for(project: Project) -> UndoProvider | None:
    """The project's undo history, when this build has one (app.project.undo)."""
    if importlib.util.find_spec("app.project.undo") is None:
        return None
    module = importlib.import_module("app.project.undo")
    from app.audit.classify import recompute

    # Where each file is classified is derived data: recomputed after every undo and redo
    # (on the writing thread, inside the replay task), before the pages are told.
    return cast(UndoProvider, module.UndoStack(project, after_change=recompute))


def window_settings() -> QSettings:
    """Window geometry and header states only, beside the app settings (portable-aware)."""
    return QSettings(str(config_dir() / "window.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    page_shown = Signal(str)  # page_id

    def __init__(self, session: Session | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session or Session(self)
        self.tasks = TaskRunner.of(self.session)
        self.undo_stack: UndoProvider | None = None
        self.pages: dict[str, Page] = {}
        self.setWindowIcon(icon("package"))
        self.setMinimumSize(QSize(640, 420))  # small screens at 200 % scaling

        self._nav = QListWidget()
        self._nav.setAccessibleName(_("Steps of the mission"))
        self._nav.setIconSize(QSize(22, 22))
        self._nav.setSpacing(2)
        self._stack = QStackedWidget()
        for cls in page_classes():
            page = cls(self.session)
            self.pages[cls.page_id] = page
            self._stack.addWidget(page)
            item = QListWidgetItem(icon(page.icon_name()), page.title())
            item.setData(PAGE_ROLE, cls.page_id)
            item.setSizeHint(QSize(0, 36))
            self._nav.addItem(item)
        self._nav.setMinimumWidth(self._nav.sizeHintForColumn(0) + 24)
        self._nav.currentRowChanged.connect(self._show_row)

        self._splitter = QSplitter()
        self._splitter.setChildrenCollapsible(False)
        self._splitter.addWidget(self._nav)
        self._splitter.addWidget(self._stack)
        self._splitter.setStretchFactor(1, 1)
        self._splitter.setSizes([200, 1000])
        self.setCentralWidget(self._splitter)

        self._build_menus()
        self._task_status = TaskStatus(self.tasks)
        self.statusBar().addPermanentWidget(self._task_status)
        self.session.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.session.reveal_requested.connect(self.reveal)
        self.session.project_changed.connect(self._project_changed)
        for signal in (
            self.session.inventory_changed,
            self.session.classification_changed,
            self.session.metadata_changed,
            self.session.outbox_changed,
        ):
            signal.connect(self.refresh_steps)
        self.session.classification_changed.connect(self._refresh_edit_actions)
        self.session.metadata_changed.connect(self._refresh_edit_actions)
        self.tasks.error.connect(self._task_error)
        self.tasks.task_started.connect(self._refresh_edit_actions)
        self.tasks.task_finished.connect(self._refresh_edit_actions)
        self._wire_pages()
        self._project_changed()
        self.show_page("start")
        self._restore_state()

    # -- building ---------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        icon_name: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        slot: object,
    ) -> QAction:
        action = QAction(icon(icon_name), text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(_("&File"))
        self.new_action = self._action(
            _("&New mission…"), "new", QKeySequence.StandardKey.New, self.new_mission
        )
        self.open_action = self._action(
            _("&Open…"), "open", QKeySequence.StandardKey.Open, self.open_dialog
        )
        self.recent_menu = file_menu.addMenu(icon("recent"), _("Open &recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.close_action = self._action(_("&Close"), "close", "Ctrl+W", self.close_project)
        self.quit_action = self._action(_("&Quit"), "quit", "Ctrl+Q", self.close)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.insertAction(self.recent_menu.menuAction(), self.new_action)
        file_menu.insertAction(self.recent_menu.menuAction(), self.open_action)
        file_menu.addSeparator()
        file_menu.addAction(self.close_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = bar.addMenu(_("&Edit"))
        self.undo_action = self._action(_("&Undo"), "undo", "Ctrl+Z", self.undo)
        self.redo_action = self._action(_("&Redo"), "redo", "Ctrl+Shift+Z", self.redo)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.aboutToShow.connect(self._refresh_edit_actions)

        go_menu = bar.addMenu(_("&Go"))
        self.page_actions: dict[str, QAction] = {}
        for number, (page_id, page) in enumerate(self.pages.items(), start=1):
            shortcut: QKeySequence.StandardKey | str | None = (
                f"Ctrl+{number}" if number <= 9 else None
            )
            if page_id == "settings":
                shortcut = QKeySequence.StandardKey.Preferences
            action = self._action(
                page.title(),
                page.icon_name(),
                shortcut,
                lambda _c=False, p=page_id: self.show_page(p),
            )
            go_menu.addAction(action)
            self.page_actions[page_id] = action

        help_menu = bar.addMenu(_("&Help"))
        about = self._action(_("&About Besace"), "about", None, self.about)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        help_menu.addAction(about)

    def _wire_pages(self) -> None:
        start = self.pages.get("start")
        if isinstance(start, StartPage):
            start.new_mission_requested.connect(self.new_mission)
            start.open_requested.connect(self.open_dialog)
            start.open_path_requested.connect(self.open_project)
            start.demo_ready.connect(self._open_demo)

    # -- pages ------------------------------------------------------------------------------
    def show_page(self, page_id: str) -> bool:
        """Show a page; False when it does not exist or needs a project and none is open."""
        page = self.pages.get(page_id)
        if page is None or (page.needs_project and self.session.project is None):
            return False
        row = list(self.pages).index(page_id)
        if self._nav.currentRow() != row:
            self._nav.setCurrentRow(row)  # → _show_row
        else:
            self._show_row(row)
        return True

    def current_page_id(self) -> str:
        page = self._stack.currentWidget()
        return page.page_id if isinstance(page, Page) else ""

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        page = list(self.pages.values())[row]
        if page.needs_project and self.session.project is None:
            self.show_page("start")
            return
        if self._stack.currentWidget() is not page:
            self._stack.setCurrentWidget(page)
        page.activated()
        self.page_shown.emit(page.page_id)

    # -- project life -----------------------------------------------------------------------
    def _project_changed(self) -> None:
        project = self.session.project
        for row, page in enumerate(self.pages.values()):
            item = self._nav.item(row)
            enabled = project is not None or not page.needs_project
            flags = item.flags()
            if enabled:
                item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(page.title())
            else:
                item.setFlags(flags & ~Qt.ItemFlag.ItemIsEnabled)
                item.setToolTip(
                    _("{page}: open or create a mission first").format(page=page.title())
                )
            action = self.page_actions.get(page.page_id)
            if action is not None:
                action.setEnabled(enabled)
        self.refresh_steps()
        self.close_action.setEnabled(project is not None)
        if project is None:
            self.setWindowTitle(APP_NAME)
            self.undo_stack = None
            current = self._stack.currentWidget()
            if isinstance(current, Page) and current.needs_project:
                self.show_page("start")
        else:
            try:
                name = project.mission().name
            except AppError:
                name = project.path.stem
            self.setWindowTitle(f"{name} — {APP_NAME}")
            self.undo_stack = _undo_stack_for(project)
        self._refresh_edit_actions()

    def step_item(self, page_id: str) -> QListWidgetItem:
        """The entry of a page in the step bar."""
        return self._nav.item(list(self.pages).index(page_id))

    def refresh_steps(self) -> None:
        """Show each step's state in the bar: a mark and a sentence, never colour alone."""
        has_project = self.session.project is not None
        for row, page in enumerate(self.pages.values()):
            item = self._nav.item(row)
            if page.needs_project and not has_project:
                item.setText(page.title())
                continue
            state = page.step_state() if has_project else None
            kind, sentence = state if state is not None else ("", "")
            item.setText(page.title() + STEP_MARKS.get(kind, ""))
            item.setToolTip(f"{page.title()}: {sentence}" if sentence else page.title())
            item.setData(Qt.ItemDataRole.AccessibleDescriptionRole, sentence)

    def open_project(self, path: Path) -> bool:
        """Open a project file (closing the current one); errors are shown, never raised."""
        path = Path(path)
        if not self._stop_tasks(_("Open another mission")):
            return False
        try:
            self.session.open(path)
        except AppError as exc:
            show_error(self, exc)
            return False
        self.remember_recent(path)
        self.session.status_message.emit(_("Mission opened: {path}").format(path=path))
        current = self._stack.currentWidget()
        # From the home or settings page, go where the mission's work is.
        if (not isinstance(current, Page) or not current.needs_project) and (
            self._inventory_is_empty() or not self.show_page("explore")
        ):
            self.show_page("scan")
        return True

    def _inventory_is_empty(self) -> bool:
        project = self.session.project
        if project is None:
            return True
        return project.conn.execute("SELECT 1 FROM source LIMIT 1").fetchone() is None

    def open_dialog(self) -> None:
        start = str(self.session.path.parent) if self.session.path else ""
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("Open a mission"), start, _("Besace missions (*.besace)")
        )
        if chosen:
            self.open_project(Path(chosen))

    def new_mission(self) -> None:
        wizard = NewMissionWizard(self)
        if wizard.exec() and wizard.created_path is not None:
            self.open_project(wizard.created_path)

    def close_project(self) -> None:
        if self.session.project is None:
            return
        if not self._stop_tasks(_("Close the mission")):
            return
        self.session.close()
        self.session.status_message.emit(_("Mission closed."))

    def _open_demo(self, project_path: Path, share_root: Path) -> None:
        if not self.open_project(project_path):
            return
        self.show_page("scan")
        scan = self.pages.get("scan")
        if isinstance(scan, ScanPage):
            scan.start_scan([share_root])

    def open_demo(self) -> None:
        """Prepare the demo mission (once), open it and scan it, as the Home page's button."""
        start = self.pages.get("start")
        if isinstance(start, StartPage):
            start.open_demo()

    def _task_error(self, error: BaseException) -> None:
        if not isinstance(error, AppError):
            log.error("task failed", exc_info=error)
        show_error(self, error)

    def _stop_tasks(self, what: str) -> bool:
        """Ask before stopping long work; stop everything and wait. False when the user says no.

        Reads are stopped without asking: nothing is lost.
        """
        long_work = [t for t in self.tasks.tasks if t.pool is Pool.WRITES]
        if long_work and not confirm(
            self,
            what,
            _(
                "Work is still running:\n{tasks}\n\nStop it? What is already done is kept;"
                " a scan resumes where it stopped the next time you start it."
            ).format(tasks="\n".join(f"• {t.label}" for t in long_work)),
            _("Stop and continue"),
        ):
            return False
        self.stop_tasks()
        return True

    def stop_tasks(self) -> None:
        """Cancel every task, wait for the threads, and deliver their last signals.

        A task's outcome reaches the GUI thread as a queued event; delivering it may start
        another task (the demo opens its mission and scans it), which is stopped in turn.
        """
        for _round in range(10):
            if not self.tasks.tasks:
                return
            self.tasks.cancel_all()
            self.tasks.wait()
            QCoreApplication.sendPostedEvents()

    # -- recent projects --------------------------------------------------------------------
    def remember_recent(self, path: Path) -> None:
        try:
            settings = load_settings(settings_file())
        except AppError as exc:
            log.warning("recent projects not saved: %s", exc.message)
            return
        text = str(Path(path).resolve())
        settings.recent_projects = [text] + [p for p in settings.recent_projects if p != text]
        settings.recent_projects = settings.recent_projects[:MAX_RECENT]
        save_settings(settings, settings_file())
        start = self.pages.get("start")
        if isinstance(start, StartPage):
            start.refresh()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        try:
            recent = load_settings(settings_file()).recent_projects
        except AppError:
            recent = []
        for number, text in enumerate(recent, start=1):
            path = Path(text)
            label = f"&{number % 10} {path.name}"
            if not path.exists():
                label += " " + _("(missing)")
            action = self.recent_menu.addAction(icon("file" if path.exists() else "missing"), label)
            action.setToolTip(text)
            action.setEnabled(path.exists())
            action.triggered.connect(lambda _c=False, p=path: self.open_project(p))
        if not recent:
            empty = self.recent_menu.addAction(_("No recent mission"))
            empty.setEnabled(False)

    # -- undo --------------------------------------------------------------------------------
    def _refresh_edit_actions(self, _arg: object = None) -> None:
        stack = self.undo_stack
        idle = not self.tasks.writing()
        can_undo = stack is not None and idle and stack.can_undo()
        can_redo = stack is not None and idle and stack.can_redo()
        self.undo_action.setEnabled(can_undo)
        self.redo_action.setEnabled(can_redo)
        self.undo_action.setText(
            _("&Undo {what}").format(what=stack.undo_label()) if can_undo and stack else _("&Undo")
        )
        self.redo_action.setText(
            _("&Redo {what}").format(what=stack.redo_label()) if can_redo and stack else _("&Redo")
        )

    def undo(self) -> None:
        self._replay(redo=False)

    def redo(self) -> None:
        self._replay(redo=True)

    def _replay(self, *, redo: bool) -> None:
        stack = self.undo_stack
        if stack is None or self.tasks.writing():
            return
        if not (stack.can_redo() if redo else stack.can_undo()):
            return

        def work(_token: CancelToken, _progress: ProgressSink) -> str:
            return stack.redo() if redo else stack.undo()

        task = self.tasks.write(_("Redo") if redo else _("Undo"), work)
        task.succeeded.connect(lambda label: self._replayed(str(label), redo))

    def _replayed(self, label: str, redo: bool) -> None:
        self.session.classification_changed.emit()
        self.session.metadata_changed.emit()
        text = _("Redone: {what}") if redo else _("Undone: {what}")
        self.session.status_message.emit(text.format(what=label))
        self._refresh_edit_actions()

    # -- going to a problem ------------------------------------------------------------------
    def reveal(self, page_id: str, target: object) -> bool:
        """Show a folder or file on a page that can select it (`reveal(target)`), else on
        the Décrire page, which shows any unit of the inventory."""
        for candidate in (page_id, "describe"):
            page = self.pages.get(candidate)
            reveal = getattr(page, "reveal", None)
            if page is not None and callable(reveal) and self.show_page(candidate):
                return bool(reveal(target))
        return False

    # -- help ------------------------------------------------------------------------------
    def about(self) -> None:
        QMessageBox.about(
            self,
            _("About Besace"),
            _(
                "<h3>Besace {version}</h3><p>Audit, classification and transfer of a commune's"
                " digital records to its archiving system (SEDA, Vitam, As@lae).</p>"
                "<p>Besace only reads the folders it scans: it never moves nor deletes a"
                " file. Eliminations are proposals for the visa of the Archives.</p>"
                "<p>Licence: EUPL-1.2.</p>"
            ).format(version=__version__),
        )

    # -- window state ----------------------------------------------------------------------
    def _restore_state(self) -> None:
        stored = window_settings()
        geometry = stored.value("main/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 780)
        splitter = stored.value("main/splitter")
        if isinstance(splitter, QByteArray):
            self._splitter.restoreState(splitter)
        for key, widget in self._page_layout_widgets():
            state = stored.value(key)
            if isinstance(state, QByteArray):
                widget.restoreState(state)

    def _page_layout_widgets(self) -> list[tuple[str, QSplitter | QHeaderView]]:
        """Splitters and table headers of the pages that have an object name, by key."""
        found: list[tuple[str, QSplitter | QHeaderView]] = []
        for page_id, page in self.pages.items():
            for widget in page.findChildren(QSplitter) + page.findChildren(QHeaderView):
                if widget.objectName() and not widget.objectName().startswith("qt_"):
                    found.append((f"pages/{page_id}/{widget.objectName()}", widget))
        return found

    def save_state(self) -> None:
        stored = window_settings()
        stored.setValue("main/geometry", self.saveGeometry())
        stored.setValue("main/splitter", self._splitter.saveState())
        for key, widget in self._page_layout_widgets():
            stored.setValue(key, widget.saveState())
        stored.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._stop_tasks(_("Quit Besace")):
            event.ignore()
            return
        self.save_state()
        self.session.close(emit=False)
        event.accept()
