"""Analyse: choose the folders, start, pause or stop the scan, see its progress and problems.

The scan is `app.inventory.scan.scan`, run as a pausable task on the writing thread. It is
incremental: starting it again after a stop finishes the job without reading again what was
already read, so "resume" is simply "start again".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.audit.classify import reclassify_after_scan
from app.errors import AppError
from app.i18n import _, format_bytes, format_count, format_duration
from app.inventory.scan import ScanOptions, ScanSummary, scan
from app.paths import settings_file
from app.project.metadata import find_target
from app.project.preferences import (
    SCAN_EXCLUDE_PATTERNS,
    SCAN_SOURCES,
    get_list,
    set_preferences,
)
from app.project.store import Project
from app.settings import load_settings
from app.tasks import CancelToken, Progress, ProgressSink
from app.ui.icons import icon
from app.ui.models.table import Column, SqlTableModel
from app.ui.pages.base import Page
from app.ui.session import Session
from app.ui.tasks import Pool, Task, TaskRunner

SEVERITY_ICONS = {"error": "error", "warning": "warning", "info": "info"}


def _severity_text(value: Any) -> str:
    return _(str(value)) if value else ""


def _severity_icon(value: Any) -> Any:
    return icon(SEVERITY_ICONS.get(str(value), "info"))


class ElidedLabel(QLabel):
    """A one-line label that shortens long paths in the middle, full text in the tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setMinimumWidth(100)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        self.setText(metrics.elidedText(self._full, Qt.TextElideMode.ElideMiddle, self.width()))


def run_scan_task(
    project: Project, roots: list[str], excludes: list[str], options: ScanOptions
) -> Any:
    """The task's work: remember the choices in the project, scan, then classify again.

    Classification rules and folder assignments re-apply to what the scan brought, as the
    command line does after `besace scan`.
    """

    def work(token: CancelToken, progress: ProgressSink) -> ScanSummary:
        with project.write() as db:
            set_preferences(db, {SCAN_SOURCES: roots, SCAN_EXCLUDE_PATTERNS: excludes})
        summary = scan(
            project, [Path(r) for r in roots], options=options, token=token, progress=progress
        )
        reclassify_after_scan(project)
        return summary

    return work


class ScanPage(Page):
    page_id = "scan"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.task: Task | None = None
        self.last_summary: ScanSummary | None = None

        promise = QLabel(
            _(
                "The scan only reads: nothing is moved, changed or deleted on the share. It can"
                " be stopped at any time; starting it again finishes the job without reading"
                " again what was already read."
            )
        )
        promise.setWordWrap(True)

        # -- sources
        self.sources = QListWidget()
        self.sources.setAccessibleName(_("Folders to scan"))
        self.sources.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.sources.setMaximumHeight(120)
        self.sources_empty = QLabel(_("Add a folder to scan: a local folder or a network share."))
        self.sources_empty.setWordWrap(True)
        self.add_folder_button = QPushButton(icon("folder"), _("Add a &folder…"))
        self.add_folder_button.setAccessibleName(_("Add a folder to scan"))
        self.add_folder_button.clicked.connect(self._add_folder_dialog)
        self.network_path = QLineEdit()
        self.network_path.setAccessibleName(_("Network path"))
        self.network_path.setPlaceholderText(_(r"\\server\share or /mnt/share"))
        self.network_path.setToolTip(
            _(
                "A network share by its path: \\\\server\\share on Windows; on Linux, mount it"
                " first (e.g. /mnt/share)."
            )
        )
        self.network_path.returnPressed.connect(self._add_network_path)
        self.add_network_button = QPushButton(icon("network"), _("Add pat&h"))
        self.add_network_button.setAccessibleName(_("Add the network path typed"))
        self.add_network_button.clicked.connect(self._add_network_path)
        self.remove_source_button = QPushButton(icon("remove"), _("Re&move"))
        self.remove_source_button.setAccessibleName(_("Remove the selected folders from the scan"))
        self.remove_source_button.clicked.connect(self._remove_sources)
        sources_box = QGroupBox(_("Folders to scan"))
        sources_layout = QVBoxLayout(sources_box)
        sources_layout.addWidget(self.sources_empty)
        sources_layout.addWidget(self.sources, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_folder_button)
        row.addWidget(self.network_path, 1)
        row.addWidget(self.add_network_button)
        row.addWidget(self.remove_source_button)
        sources_layout.addLayout(row)

        # -- exclusions and engine
        self.excludes = QListWidget()
        self.excludes.setAccessibleName(_("Exclusion patterns"))
        self.excludes.setMaximumHeight(120)
        self.excludes.setToolTip(
            _("Names listed in the inventory without being read, e.g. *.iso or Sauvegardes.")
        )
        self.exclude_edit = QLineEdit()
        self.exclude_edit.setAccessibleName(_("New exclusion pattern"))
        self.exclude_edit.setPlaceholderText(_("e.g. *.iso"))
        self.exclude_edit.returnPressed.connect(self._add_exclude)
        self.add_exclude_button = QPushButton(icon("add"), _("Add"))
        self.add_exclude_button.setAccessibleName(_("Add the exclusion pattern"))
        self.add_exclude_button.clicked.connect(self._add_exclude)
        self.remove_exclude_button = QPushButton(icon("remove"), _("Remove"))
        self.remove_exclude_button.setAccessibleName(_("Remove the selected exclusion pattern"))
        self.remove_exclude_button.clicked.connect(self._remove_exclude)
        self.engine_label = QLabel()
        self.engine_label.setWordWrap(True)
        options_box = QGroupBox(_("Exclusions"))
        self.excludes_empty = QLabel(_("No exclusion: every file is read."))
        options_layout = QVBoxLayout(options_box)
        options_layout.addWidget(self.excludes_empty)
        options_layout.addWidget(self.excludes, 1)
        row = QHBoxLayout()
        row.addWidget(self.exclude_edit, 1)
        row.addWidget(self.add_exclude_button)
        row.addWidget(self.remove_exclude_button)
        options_layout.addLayout(row)
        options_layout.addWidget(self.engine_label)

        top = QHBoxLayout()
        top.addWidget(sources_box, 3)
        top.addWidget(options_box, 2)

        # -- controls
        self.start_button = QPushButton(icon("start"), _("&Start the scan"))
        self.start_button.setAccessibleName(_("Start the scan"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(lambda _checked=False: self.start_scan())
        self.pause_button = QPushButton(icon("pause"), _("&Pause"))
        self.pause_button.setAccessibleName(_("Pause or resume the scan"))
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button = QPushButton(icon("stop"), _("S&top"))
        self.cancel_button.setAccessibleName(_("Stop the scan"))
        self.cancel_button.setToolTip(_("What is already read is kept; start again to finish."))
        self.cancel_button.clicked.connect(self.cancel_scan)
        controls = QHBoxLayout()
        controls.addWidget(self.start_button)
        controls.addWidget(self.pause_button)
        controls.addWidget(self.cancel_button)
        controls.addStretch(1)

        # -- progress
        self.bar = QProgressBar()
        self.bar.setAccessibleName(_("Scan progress"))
        self.files_value = QLabel("—")
        self.bytes_value = QLabel("—")
        self.rate_value = QLabel("—")
        self.eta_value = QLabel("—")
        self.problems_value = QLabel("—")
        self.current_value = ElidedLabel()
        self.progress_box = progress_box = QGroupBox(_("Progress"))
        form = QFormLayout()
        for label, widget in (
            (_("Files:"), self.files_value),
            (_("Volume:"), self.bytes_value),
            (_("Throughput:"), self.rate_value),
            (_("Time left:"), self.eta_value),
            (_("Problems:"), self.problems_value),
            (_("Reading:"), self.current_value),
        ):
            widget.setAccessibleName(label.rstrip(":"))
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, widget)
        progress_layout = QVBoxLayout(progress_box)
        progress_layout.addWidget(self.bar)
        progress_layout.addLayout(form)

        # -- result
        self.summary = QLabel(_("No scan yet."))
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(_("Summary of the last scan"))
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.issues_model = SqlTableModel(
            [
                Column(_("Path"), "scan_issue.rel_path", tooltip=str),
                Column(
                    _("Severity"),
                    "scan_issue.severity",
                    format=_severity_text,
                    decoration=_severity_icon,
                    sort_sql="CASE scan_issue.severity WHEN 'error' THEN 0"
                    " WHEN 'warning' THEN 1 ELSE 2 END",
                ),
                Column(_("Problem"), "scan_issue.message", tooltip=str),
                Column(_("Scanned folder"), "source.root"),
            ],
            "scan_issue LEFT JOIN source ON source.id = scan_issue.source_id",
            key="scan_issue.id",
            parent=self,
        )
        self.issues = QTableView()
        self.issues.setAccessibleName(_("Problems met by the last scan"))
        self.issues.setToolTip(_("Double-click (or Enter) to show the file or folder concerned."))
        self.issues.activated.connect(self._reveal_issue)
        self.issues.setModel(self.issues_model)
        self.issues.setSortingEnabled(True)
        self.issues.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.issues.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.issues.verticalHeader().setVisible(False)
        self.issues.verticalHeader().setDefaultSectionSize(24)
        header = self.issues.horizontalHeader()
        header.setObjectName("scan-issues-header")  # its state is kept (window.ini)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 320)
        header.resizeSection(1, 150)
        header.resizeSection(2, 380)
        header.setStretchLastSection(True)
        result_box = QGroupBox(_("Result of the last scan"))
        result_layout = QVBoxLayout(result_box)
        self.no_issues = QLabel(_("No problem met by this scan."))
        self.no_issues.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.result_stack = QStackedWidget()
        self.result_stack.addWidget(self.issues)
        self.result_stack.addWidget(self.no_issues)
        result_layout.addWidget(self.summary)
        result_layout.addWidget(self.result_stack, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(promise)
        layout.addLayout(top)
        layout.addLayout(controls)
        layout.addWidget(progress_box)
        layout.addWidget(result_box, 1)

        self.sources.itemSelectionChanged.connect(self._update_controls)
        self.excludes.itemSelectionChanged.connect(self._update_controls)
        session.project_changed.connect(self._load_project)
        self._load_project()
        progress_box.setVisible(False)  # shown from the first scan of this session

    def title(self) -> str:
        return _("Scan")

    def icon_name(self) -> str:
        return "scan"

    def activated(self) -> None:
        if self.task is None:
            self._show_last_run()

    def step_state(self) -> tuple[str, str] | None:
        project = self.session.project
        if project is None:
            return None
        row = project.conn.execute(
            "SELECT status, files_seen, errors FROM scan_run ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return "todo", _("no scan yet")
        status, seen, errors = str(row[0]), int(row[1]), int(row[2])
        if status != "completed":
            return "todo", _("the last scan did not finish: start it again")
        if errors:
            return "problems", _("{n} errors in the last scan").format(n=format_count(errors))
        return "done", _("{n} files inventoried").format(n=format_count(seen))

    # -- the project's choices -------------------------------------------------------------
    def _load_project(self) -> None:
        project = self.session.project
        self.sources.clear()
        self.excludes.clear()
        try:
            scan_settings = load_settings(settings_file()).scan
        except AppError:
            scan_settings = None
        engine = scan_settings.engine if scan_settings else "siegfried"
        self.engine_label.setText(
            _("Identification engine: {engine} (change it in the Settings).").format(engine=engine)
        )
        defaults = list(scan_settings.exclude_patterns) if scan_settings else []
        if project is not None:
            roots = get_list(project.conn, SCAN_SOURCES)
            if roots is None:
                roots = [
                    str(r[0]) for r in project.conn.execute("SELECT root FROM source ORDER BY id")
                ]
            for root in roots:
                self._add_source(root)
            stored = get_list(project.conn, SCAN_EXCLUDE_PATTERNS)
            for pattern in stored if stored is not None else defaults:
                self.excludes.addItem(pattern)
        self._show_last_run()
        self._update_controls()

    def source_paths(self) -> list[str]:
        return [self.sources.item(i).text() for i in range(self.sources.count())]

    def exclude_patterns(self) -> list[str]:
        return [self.excludes.item(i).text() for i in range(self.excludes.count())]

    def _add_source(self, text: str) -> bool:
        text = text.strip()
        if not text or text in self.source_paths():
            return False
        network = text.startswith(("\\\\", "//"))
        item = QListWidgetItem(icon("network" if network else "folder"), text)
        item.setToolTip(text)
        self.sources.addItem(item)
        self._update_controls()
        return True

    def _add_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Folder to scan"))
        if folder:
            self._add_source(folder)

    def _add_network_path(self) -> None:
        text = self.network_path.text().strip()
        if not text:
            return
        if "://" in text:
            QMessageBox.information(
                self,
                _("Network path"),
                _(
                    "Type the share as a path: \\\\server\\share on Windows. On Linux, mount the"
                    " share first (e.g. with the file manager or `mount`), then give its folder."
                ),
            )
            return
        self._add_source(text)
        self.network_path.clear()

    def _remove_sources(self) -> None:
        for item in self.sources.selectedItems():
            self.sources.takeItem(self.sources.row(item))
        self._update_controls()

    def _add_exclude(self) -> None:
        text = self.exclude_edit.text().strip()
        if text and text not in self.exclude_patterns():
            self.excludes.addItem(text)
        self.exclude_edit.clear()
        self._update_controls()

    def _remove_exclude(self) -> None:
        for item in self.excludes.selectedItems():
            self.excludes.takeItem(self.excludes.row(item))
        self._update_controls()

    def _update_controls(self) -> None:
        running = self.task is not None
        has_project = self.session.project is not None
        self.sources_empty.setVisible(self.sources.count() == 0)
        self.excludes_empty.setVisible(self.excludes.count() == 0)
        for widget in (
            self.add_folder_button,
            self.network_path,
            self.add_network_button,
            self.exclude_edit,
            self.add_exclude_button,
        ):
            widget.setEnabled(not running and has_project)
        self.remove_source_button.setEnabled(not running and bool(self.sources.selectedItems()))
        self.remove_exclude_button.setEnabled(not running and bool(self.excludes.selectedItems()))
        self.start_button.setEnabled(not running and has_project and self.sources.count() > 0)
        self.pause_button.setEnabled(running and self.task is not None and self.task.pausable)
        self.cancel_button.setEnabled(running)
        paused = self.task is not None and self.task.paused
        self.pause_button.setText(_("&Resume") if paused else _("&Pause"))
        self.pause_button.setIcon(icon("start" if paused else "pause"))

    # -- running ---------------------------------------------------------------------------
    def start_scan(self, roots: list[Path] | None = None) -> Task | None:
        """Scan the listed folders (after replacing them by `roots` when given)."""
        project = self.session.project
        if project is None or self.task is not None:
            return None
        if roots is not None:
            self.sources.clear()
            for root in roots:
                self._add_source(os.fspath(root))
        sources = self.source_paths()
        if not sources:
            return None
        try:
            scan_settings = load_settings(settings_file()).scan
        except AppError as exc:
            self.session.status_message.emit(exc.message)
            return None
        excludes = self.exclude_patterns()
        scan_settings.exclude_patterns = excludes
        options = ScanOptions.from_settings(scan_settings)
        task = Task(
            _("Scanning"),
            run_scan_task(project, sources, excludes, options),
            pool=Pool.WRITES,
            pausable=True,
        )
        return self._run(task)

    def _run(self, task: Task) -> Task:
        self.task = task
        task.progressed.connect(self._show_progress)
        task.succeeded.connect(self._scan_done)
        task.failed.connect(self._scan_failed)
        task.paused_changed.connect(self._paused_changed)
        task.finished.connect(self._task_finished)
        self.progress_box.setVisible(True)
        self.bar.setRange(0, 0)
        for label in (self.files_value, self.bytes_value, self.rate_value, self.eta_value):
            label.setText("—")
        self.problems_value.setText("0")
        self.current_value.set_full_text("")
        self.summary.setText(_("Scanning…"))
        self.issues_model.set_query(None)
        TaskRunner.of(self.session).start(task)
        self._update_controls()
        self.session.status_message.emit(_("Scan started."))
        return task

    def toggle_pause(self) -> None:
        if self.task is None:
            return
        if self.task.paused:
            self.task.resume()
        else:
            self.task.pause()

    def cancel_scan(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.summary.setText(_("Stopping the scan… what is already read is kept."))

    def _paused_changed(self, paused: bool) -> None:
        self._update_controls()
        self.session.status_message.emit(
            _("Scan paused: resume it or stop it.") if paused else _("Scan resumed.")
        )

    def _show_progress(self, p: Progress) -> None:
        if p.bytes_total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(p.bytes_done / p.bytes_total, 1.0)))
        elif p.total > 0:
            self.bar.setRange(0, p.total)
            self.bar.setValue(p.done)
        self.files_value.setText(
            _("{done} of {total} found so far").format(
                done=format_count(p.done), total=format_count(p.total)
            )
        )
        self.bytes_value.setText(f"{format_bytes(p.bytes_done)} / {format_bytes(p.bytes_total)}")
        self.rate_value.setText(
            _("{files} files/s, {bytes}/s").format(
                files=format_count(int(p.files_per_second)),
                bytes=format_bytes(int(p.bytes_per_second)),
            )
        )
        eta = p.eta_seconds
        self.eta_value.setText(
            _("about {eta} (more if folders remain to be found)").format(eta=format_duration(eta))
            if eta is not None
            else "—"
        )
        self.problems_value.setText(format_count(p.extra.get("errors", 0)))
        self.current_value.set_full_text(p.current)

    def _scan_done(self, result: object) -> None:
        assert isinstance(result, ScanSummary)
        self.last_summary = result
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.current_value.set_full_text("")
        self.eta_value.setText("—")
        self.summary.setText(summary_text(result))
        self._show_issues(result.run_id)
        if result.status == "cancelled":
            self.session.status_message.emit(_("Scan stopped; start it again to finish it."))
        else:
            self.session.status_message.emit(_("Scan completed."))

    def _scan_failed(self, error: object) -> None:
        message = error.message if isinstance(error, AppError) else str(error)
        self.summary.setText(_("The scan could not go on: {message}").format(message=message))
        self._show_last_run(keep_summary=True)

    def _task_finished(self) -> None:
        self.task = None
        self._update_controls()
        # Files, folders and issues changed even when the scan stopped or failed midway.
        self.session.inventory_changed.emit()
        self.session.classification_changed.emit()

    # -- last run --------------------------------------------------------------------------
    def _show_last_run(self, keep_summary: bool = False) -> None:
        project = self.session.project
        if project is None:
            self.issues_model.set_query(None)
            self.result_stack.setVisible(False)
            if not keep_summary:
                self.summary.setText(_("No mission open."))
            return
        row = project.conn.execute(
            "SELECT id, status, started_at, finished_at, files_seen, files_read, bytes_read,"
            " added, modified, removed, errors FROM scan_run ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            self.issues_model.set_query(None)
            self.result_stack.setVisible(False)
            if not keep_summary:
                self.summary.setText(
                    _("No scan yet. Add the folders of the share, then start the scan.")
                )
            return
        if not keep_summary:
            self.summary.setText(
                _(
                    "Last scan {started} ({status}): {seen} files seen, {read} read ({bytes});"
                    " {added} added, {modified} modified, {removed} removed; {errors} errors."
                ).format(
                    started=str(row[2]).replace("T", " ")[:19],
                    status=_(str(row[1])),
                    seen=format_count(int(row[4])),
                    read=format_count(int(row[5])),
                    bytes=format_bytes(int(row[6])),
                    added=format_count(int(row[7])),
                    modified=format_count(int(row[8])),
                    removed=format_count(int(row[9])),
                    errors=format_count(int(row[10])),
                )
            )
        self._show_issues(int(row[0]))

    def _reveal_issue(self, index: QModelIndex) -> None:
        """Problems are places: show the file or folder of the problem in the inventory."""
        project = self.session.project
        if project is None or not index.isValid():
            return
        rel_path, _severity, _message, root = self.issues_model.row_values(index.row())
        try:
            target = find_target(project, "" if rel_path == "." else str(rel_path), str(root))
        except AppError as exc:
            self.session.status_message.emit(exc.message)
            return
        self.session.reveal_requested.emit("explore", target)

    def _show_issues(self, run_id: int) -> None:
        project = self.session.project
        self.issues_model.set_query(
            project.conn if project else None, where="scan_issue.run_id = ?", params=(run_id,)
        )
        has_issues = self.issues_model.rowCount() > 0
        self.result_stack.setVisible(True)
        self.result_stack.setCurrentWidget(self.issues if has_issues else self.no_issues)


def summary_text(s: ScanSummary) -> str:
    engine = f"{s.engine.name} {s.engine.version}" if s.engine else "?"
    parts = [
        _("Scan {status} in {duration} ({engine}).").format(
            status=_(s.status), duration=format_duration(s.elapsed), engine=engine
        ),
        _("Files: {seen} seen, {read} read ({bytes}), {unchanged} unchanged.").format(
            seen=format_count(s.files_seen),
            read=format_count(s.files_read),
            bytes=format_bytes(s.bytes_read),
            unchanged=format_count(s.unchanged),
        ),
        _(
            "Changes: {added} added, {modified} modified, {removed} removed, {restored} back."
        ).format(
            added=format_count(s.added),
            modified=format_count(s.modified),
            removed=format_count(s.removed),
            restored=format_count(s.restored),
        ),
    ]
    if s.errors or s.warnings:
        parts.append(
            _("Problems: {errors} errors, {warnings} warnings (listed below).").format(
                errors=format_count(s.errors), warnings=format_count(s.warnings)
            )
        )
    if s.status == "cancelled":
        parts.append(_("The scan was stopped: start it again to finish it."))
    return " ".join(parts)
