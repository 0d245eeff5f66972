"""Paquets: choose series or a folder, check, build a SEDA package, then queue it for sending.

The check runs by itself (off the GUI thread) whenever the choice changes and lists every
problem with the unit or file it is about: double-click one to go there. The build runs as a
task with its progress and a Cancel button; the package is validated as soon as it is written.
A maximum size or number of files per package splits the transfer into several packages, each
listed, validated and queued on its own.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.i18n import N_, _, format_bytes, format_count
from app.paths import settings_file
from app.project.metadata import Target
from app.project.preferences import TARGET_SERVER, get_preference, load_mission_preferences
from app.project.series import effective_retention, get_series, list_series
from app.project.store import Project
from app.seda.from_project import HeaderOptions
from app.seda.model import PROFILES, SEDA_VERSIONS
from app.settings import load_settings
from app.tasks import CancelToken, Progress, ProgressSink
from app.transfer.outbox import enqueue
from app.ui.edit_task import Changed, run_edit
from app.ui.icons import icon
from app.ui.models.classified_tree import ClassifiedTreeModel, TreeColumn
from app.ui.models.reading import reading
from app.ui.packaging.build import (
    BuildResult,
    CheckResult,
    Choice,
    PackageProblem,
    SplitLimits,
    ValidatedPackage,
    build_transfer,
    check_transfer,
    default_output_folder,
    management_of,
)
from app.ui.pages.base import Page
from app.ui.session import Session
from app.ui.simple_table import fill_table, make_table, row_data
from app.ui.tasks import Task, TaskRunner

CHECK_DELAY_MS = 500
SIZE_UNITS = (
    (N_("kB"), 1000),
    (N_("MB"), 1000**2),
    (N_("GB"), 1000**3),
)  # as the SAEs state their limits


def severity_label(severity: str) -> str:
    words = {"error": _("error"), "warning": _("warning"), "info": _("info")}
    marks = {"error": "⛔", "warning": "⚠", "info": "ℹ"}
    return f"{marks.get(severity, '')} {words.get(severity, severity)}".strip()


def package_text(built: ValidatedPackage) -> str:
    """What a built package holds and whether it is valid, in one line."""
    p = built.package
    text = _("Package {name}: {units} units, {files} files, {size}.").format(
        name=p.path.name,
        units=format_count(p.units),
        files=format_count(p.objects),
        size=format_bytes(p.content_bytes),
    )
    report = built.report
    if report is None:
        return text + " " + _("It cannot be read back.")
    if report.valid and report.xsd_checked:
        return (
            text
            + " ✓ "
            + _("Valid against the SEDA {version} schema.").format(version=report.version)
        )
    if report.valid:
        return text + " ✓ " + _("Valid (without the XSD check).")
    return text + " ⛔ " + _("INVALID: {n} errors (see the list).").format(n=len(report.errors))


class PackagePage(Page):
    page_id = "package"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.schemas: Path | None = None  # None: the sets installed from the Settings page
        self.check_result: CheckResult | None = None
        self.build_result: BuildResult | None = None
        self.problems: list[PackageProblem] = []
        self._check_task: Task | None = None
        self._build_task: Task | None = None
        self._stale = True
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.start_check)

        # -- what to transfer -----------------------------------------------------------------
        self.by_series = QRadioButton(_("Series of the plan de classement"))
        self.by_folder = QRadioButton(_("A folder of the inventory"))
        self.by_series.setChecked(True)
        mode = QButtonGroup(self)
        mode.addButton(self.by_series)
        mode.addButton(self.by_folder)
        self.series_list = QListWidget()
        self.series_list.setAccessibleName(_("Series to transfer"))
        self.series_list.itemChanged.connect(lambda _i: self._choice_changed())
        self.folder_model = ClassifiedTreeModel(self, with_files=False)
        self.folder_tree = QTreeView()
        self.folder_tree.setModel(self.folder_model)
        self.folder_tree.setAccessibleName(_("Folder to transfer"))
        self.folder_tree.setUniformRowHeights(True)
        for column in (TreeColumn.TO_CLASSIFY,):
            self.folder_tree.setColumnHidden(column, True)
        self.folder_tree.header().setSectionResizeMode(
            TreeColumn.NAME, QHeaderView.ResizeMode.Stretch
        )
        self.folder_tree.header().setStretchLastSection(False)
        self.folder_tree.selectionModel().currentChanged.connect(
            lambda _c, _p: self._choice_changed()
        )
        self.folder_rules = QComboBox()
        self.folder_rules.setAccessibleName(_("Rules of the folder"))
        self.folder_rules.setToolTip(
            _("The retention rules the folder's unit carries: those of a series, or none")
        )
        self.folder_rules.currentIndexChanged.connect(lambda _i: self._choice_changed())
        folder_box = QWidget()
        folder_layout = QVBoxLayout(folder_box)
        folder_layout.setContentsMargins(0, 0, 0, 0)
        folder_layout.addWidget(self.folder_tree, 1)
        rules_row = QFormLayout()
        rules_row.addRow(_("Rules from the series"), self.folder_rules)
        folder_layout.addLayout(rules_row)
        self.choice_stack = QStackedWidget()
        self.choice_stack.addWidget(self.series_list)
        self.choice_stack.addWidget(folder_box)
        self.by_series.toggled.connect(self._mode_changed)
        choice_box = QGroupBox(_("What to transfer"))
        choice_layout = QVBoxLayout(choice_box)
        choice_layout.addWidget(self.by_series)
        choice_layout.addWidget(self.by_folder)
        choice_layout.addWidget(self.choice_stack, 1)

        # -- package and header ------------------------------------------------------------
        self.version = QComboBox()
        for v in SEDA_VERSIONS:
            self.version.addItem(f"SEDA {v}", v)
        self.profile = QComboBox()
        profile_names = {"generic": _("generic"), "vitam": "Vitam", "asalae": "As@lae"}
        for p in PROFILES:
            self.profile.addItem(profile_names.get(p, p), p)
        self.out_dir = QLineEdit()
        browse = QPushButton(icon("open"), _("Choose…"))
        browse.setAccessibleName(_("Choose the output folder"))
        browse.clicked.connect(self._choose_folder)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_dir, 1)
        out_row.addWidget(browse)
        self.archival_agency = QLineEdit()
        self.transferring_agency = QLineEdit()
        self.originating_agency = QLineEdit()
        self.submission_agency = QLineEdit()
        self.agreement = QLineEdit()
        self.comment = QLineEdit()
        self.message_id = QLineEdit()
        self.message_id.setPlaceholderText(_("automatic"))
        self.max_size = QSpinBox()
        self.max_size.setRange(0, 999_999)
        self.max_size.setSpecialValueText(_("no limit"))
        self.max_size.setAccessibleName(_("Maximum size per package"))
        self.max_size.setToolTip(
            _("Beyond this size, the transfer is split into several packages (0: no limit)")
        )
        self.max_size_unit = QComboBox()
        self.max_size_unit.setAccessibleName(_("Unit of the maximum size"))
        for unit, factor in SIZE_UNITS:
            self.max_size_unit.addItem(_(unit), factor)
        self.max_size_unit.setCurrentIndex(len(SIZE_UNITS) - 1)
        size_row = QHBoxLayout()
        size_row.addWidget(self.max_size, 1)
        size_row.addWidget(self.max_size_unit)
        self.max_files = QSpinBox()
        self.max_files.setRange(0, 99_999_999)
        self.max_files.setSpecialValueText(_("no limit"))
        self.max_files.setAccessibleName(_("Maximum files per package"))
        self.max_files.setToolTip(
            _("Beyond this number of files, the transfer is split into several packages")
        )
        settings_box = QGroupBox(_("Package"))
        form = QFormLayout(settings_box)
        for label, widget, tip in (
            (_("SEDA version"), self.version, _("The version the SAE expects")),
            (_("Profile"), self.profile, _("The SAE's own rules checked on the package")),
            (_("Output folder"), out_row, ""),
            (
                _("Service d'archives (id)"),
                self.archival_agency,
                _("Identifier of the archives service in the SAE (ArchivalAgency)"),
            ),
            (
                _("Service versant (id)"),
                self.transferring_agency,
                _("Identifier of the transferring agency in the SAE (TransferringAgency)"),
            ),
            (
                _("Service producteur (id)"),
                self.originating_agency,
                _("Identifier of the producing agency (OriginatingAgency)"),
            ),
            (_("Submission agency (id)"), self.submission_agency, ""),
            (
                _("Archival agreement"),
                self.agreement,
                _("The contrat d'entrée (ArchivalAgreement) the SAE gave"),
            ),
            (_("Comment"), self.comment, ""),
            (_("Message identifier"), self.message_id, ""),
            (_("Maximum size per package"), size_row, ""),
            (_("Maximum files per package"), self.max_files, ""),
        ):
            if isinstance(widget, QWidget):
                widget.setAccessibleName(label)
                if tip:
                    widget.setToolTip(tip)
                form.addRow(label, widget)
            else:
                form.addRow(label, widget)
        for widget in (self.version, self.profile):
            widget.currentIndexChanged.connect(lambda _i: self._choice_changed())
        for line in (
            self.archival_agency,
            self.transferring_agency,
            self.originating_agency,
            self.submission_agency,
            self.agreement,
        ):
            line.textEdited.connect(lambda _t: self._choice_changed())

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(choice_box, 1)
        left_layout.addWidget(settings_box)
        left_scroll = QScrollArea()
        left_scroll.setWidgetResizable(True)
        left_scroll.setWidget(left)

        # -- checks, build, result -------------------------------------------------------------
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(_("Summary of the package"))
        self.check_button = QPushButton(icon("refresh"), _("Check again"))
        self.check_button.clicked.connect(self.start_check)
        self.build_button = QPushButton(icon("package"), _("Build the package"))
        self.build_button.setAccessibleName(_("Build the package"))
        self.build_button.clicked.connect(self.build)
        self.cancel_button = QPushButton(icon("stop"), _("Cancel"))
        self.cancel_button.setAccessibleName(_("Cancel the build"))
        self.cancel_button.clicked.connect(self.cancel_build)
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(_("Progress of the build"))
        self.progress.setVisible(False)
        self.problem_table = make_table(
            [_("Severity"), _("Where"), _("Problem")], _("Problems of the package"), stretch=2
        )
        self.problem_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.problem_table.doubleClicked.connect(self._problem_activated)
        self.problem_table.setToolTip(_("Double-click a problem to go to its folder or file"))
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName(_("Built package"))
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.package_list = QListWidget()
        self.package_list.setAccessibleName(_("Packages built"))
        self.package_list.setToolTip(
            _("Select the packages to queue; none selected: every valid package is queued")
        )
        self.package_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.package_list.setMaximumHeight(self.fontMetrics().height() * 8)
        self.package_list.hide()
        self.open_button = QPushButton(icon("open"), _("Open the folder"))
        self.open_button.clicked.connect(self.open_folder)
        self.queue_button = QPushButton(icon("queue"), _("Queue for sending"))
        self.queue_button.setToolTip(_("Put the package in the outbox (Envoi step)"))
        self.queue_button.clicked.connect(self.queue_dialog)
        for b in (self.open_button, self.queue_button, self.check_button):
            b.setAccessibleName(b.text())
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.build_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)
        after = QHBoxLayout()
        after.addWidget(self.open_button)
        after.addWidget(self.queue_button)
        after.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.summary)
        right_layout.addLayout(buttons)
        right_layout.addWidget(QLabel("<b>" + _("Problems") + "</b>"))
        right_layout.addWidget(self.problem_table, 1)
        right_layout.addWidget(self.result)
        right_layout.addWidget(self.package_list)
        right_layout.addLayout(after)

        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left_scroll)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._show_result()

        session.project_changed.connect(self._project_changed)
        session.inventory_changed.connect(self._project_changed)
        session.classification_changed.connect(self._classification_changed)
        session.metadata_changed.connect(self._choice_changed)

    def title(self) -> str:
        return _("Packages")

    def icon_name(self) -> str:
        return "package"

    # -- loading ---------------------------------------------------------------------------
    def activated(self) -> None:
        if self._stale:
            self.load()

    def _project_changed(self) -> None:
        self._stale = True
        self.build_result = None
        if self.isVisible():
            self.load()

    def _classification_changed(self) -> None:
        if self.isVisible():
            self._fill_series()
            self._choice_changed()
        else:
            self._stale = True

    def load(self) -> None:
        """Defaults from the mission's preferences; the series and folders of the project."""
        self._stale = False
        project = self.session.project
        self._loading = True
        try:
            self.folder_model.set_connection(project.conn if project else None)
            if self.folder_model.rowCount():
                self.folder_tree.expand(self.folder_model.index(0, 0))
            if project is not None:
                prefs = load_mission_preferences(project.conn)
                self.version.setCurrentIndex(max(0, self.version.findData(prefs.seda_version)))
                self.profile.setCurrentIndex(max(0, self.profile.findData(prefs.seda_profile)))
                self.archival_agency.setText(prefs.archival_agency_id)
                self.transferring_agency.setText(prefs.transferring_agency_id)
                self.originating_agency.setText(prefs.originating_agency_id)
                self.submission_agency.setText(prefs.transferring_agency_id)
                self.agreement.setText(prefs.archival_agreement)
                if not self.out_dir.text():
                    self.out_dir.setText(str(default_output_folder(project)))
            self._fill_series()
        finally:
            self._loading = False
        if project is not None and not list_series(project.conn):
            self.by_folder.setChecked(True)
        self._show_result()
        self._choice_changed()

    def _fill_series(self) -> None:
        project = self.session.project
        ticked = set(self.series_codes())
        self._loading = True
        try:
            self.series_list.clear()
            self.folder_rules.clear()
            self.folder_rules.addItem(_("(no rules)"), None)
            if project is None:
                return
            counts = dict(
                project.conn.execute(
                    "SELECT series_id, count(*) FROM file_class"
                    " WHERE series_id IS NOT NULL GROUP BY series_id"
                )
            )
            for s in list_series(project.conn):
                files = int(counts.get(s.id, 0))
                item = QListWidgetItem(
                    f"{s.code} — {s.title} ({_('{n} files').format(n=format_count(files))})"
                )
                item.setData(Qt.ItemDataRole.UserRole, s.code)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(
                    Qt.CheckState.Checked if s.code in ticked else Qt.CheckState.Unchecked
                )
                self.series_list.addItem(item)
                self.folder_rules.addItem(f"{s.code} — {s.title}", s.id)
        finally:
            self._loading = False

    # -- the choice ------------------------------------------------------------------------
    def series_codes(self) -> list[str]:
        codes = []
        for row in range(self.series_list.count()):
            item = self.series_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                codes.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return codes

    def set_series(self, codes: list[str]) -> None:
        self.by_series.setChecked(True)
        for row in range(self.series_list.count()):
            item = self.series_list.item(row)
            wanted = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def set_folder(self, folder_id: int) -> None:
        self.by_folder.setChecked(True)
        index = self.folder_model.reveal(Target("directory", folder_id, ""))
        self.folder_tree.setCurrentIndex(index)

    def choice(self) -> Choice:
        project = self.session.project
        if self.by_series.isChecked():
            return Choice(series_codes=tuple(self.series_codes()))
        target = self.folder_model.target(self.folder_tree.currentIndex())
        rules = None
        series_id = self.folder_rules.currentData()
        if project is not None and series_id is not None:
            r = effective_retention(project.conn, get_series(project.conn, int(series_id)))
            rules = management_of(r.appraisal_rule_id, r.final_action, r.access_rule_id)
        return Choice(folder=target, folder_rules=rules)

    def header(self) -> HeaderOptions:
        return HeaderOptions(
            archival_agency=self.archival_agency.text().strip(),
            transferring_agency=self.transferring_agency.text().strip(),
            originating_agency=self.originating_agency.text().strip(),
            submission_agency=self.submission_agency.text().strip(),
            archival_agreement=self.agreement.text().strip(),
            comment=self.comment.text().strip(),
            message_identifier=self.message_id.text().strip(),
        )

    def _mode_changed(self) -> None:
        self.choice_stack.setCurrentIndex(0 if self.by_series.isChecked() else 1)
        self._choice_changed()

    def _choice_changed(self) -> None:
        if self._loading or self.session.project is None:
            return
        self._timer.start()

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, _("Output folder"), self.out_dir.text())
        if chosen:
            self.out_dir.setText(chosen)

    # -- checking --------------------------------------------------------------------------
    def busy(self) -> bool:
        running = [t for t in (self._check_task, self._build_task) if t is not None]
        return self._timer.isActive() or any(not t.done for t in running)

    def _nothing_chosen(self, choice: Choice) -> str:
        if self.by_series.isChecked() and not choice.series_codes:
            return _("Tick the series to transfer.")
        if not self.by_series.isChecked() and choice.folder is None:
            return _("Choose the folder to transfer.")
        return ""

    def start_check(self) -> None:
        self._timer.stop()
        project = self.session.project
        if project is None:
            return
        choice = self.choice()
        missing = self._nothing_chosen(choice)
        if missing:
            self.check_result = None
            self._show_problems([])
            self.summary.setText(missing)
            self._update_buttons()
            return
        if self._check_task is not None and not self._check_task.done:
            self._check_task.cancel()
        header, path = self.header(), project.path
        version, profile = str(self.version.currentData()), str(self.profile.currentData())

        def work(token: CancelToken, _progress: ProgressSink) -> CheckResult:
            with reading(path, token) as conn:
                return check_transfer(
                    Project(path, conn), choice, header, version=version, profile=profile
                )

        task = Task(_("Checking the package"), work, report_errors=False)
        task.succeeded.connect(lambda result, t=task: self._checked(t, result))
        task.failed.connect(lambda error, t=task: self._check_failed(t, error))
        self.summary.setText(_("Checking…"))
        self._check_task = TaskRunner.of(self.session).start(task)

    def _checked(self, task: Task, result: CheckResult) -> None:
        if task is not self._check_task:
            return
        self.check_result = result
        errors = len(result.errors)
        text = _("{units} units, {files} files, {size}.").format(
            units=format_count(result.units),
            files=format_count(result.objects),
            size=format_bytes(result.bytes),
        )
        if errors:
            text += " " + _("{n} problems to fix before building.").format(n=errors)
        else:
            text += " " + _("Ready to build.")
        self.summary.setText(text)
        if self.build_result is None:
            self._show_problems(result.problems)
        self._update_buttons()

    def _check_failed(self, task: Task, error: BaseException) -> None:
        if task is self._check_task:
            message = error.message if isinstance(error, AppError) else str(error)
            self.summary.setText(_("The check failed: {error}").format(error=message))

    def _show_problems(self, problems: list[PackageProblem]) -> None:
        self.problems = problems
        order = {"error": 0, "warning": 1, "info": 2}
        self.problems.sort(key=lambda p: order.get(p.severity, 3))
        fill_table(
            self.problem_table,
            [(severity_label(p.severity), p.where, p.message) for p in self.problems],
            data=list(range(len(self.problems))),
            tooltips=[
                [_("Double-click to go there")] * 3 if p.target is not None else None
                for p in self.problems
            ],
        )

    def _problem_activated(self, index: QModelIndex) -> None:
        number = row_data(self.problem_table, index.row())
        if not isinstance(number, int) or number >= len(self.problems):
            return
        target = self.problems[number].target
        if target is not None:
            page = "explore" if target.kind == "file" else "describe"
            self.session.reveal_requested.emit(page, target)

    # -- building --------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        building = self._build_task is not None and not self._build_task.done
        ready = self.check_result is not None and not self.check_result.errors
        self.build_button.setEnabled(ready and not building)
        self.cancel_button.setEnabled(building)
        self.progress.setVisible(building)
        built = self.build_result is not None
        self.open_button.setEnabled(built)
        self.queue_button.setEnabled(bool(self.packages_to_queue()))

    def split_limits(self) -> SplitLimits:
        """The most bytes and files per package chosen (None: no limit)."""
        size = self.max_size.value() * int(self.max_size_unit.currentData())
        return SplitLimits(max_bytes=size or None, max_objects=self.max_files.value() or None)

    def packages_to_queue(self) -> list[ValidatedPackage]:
        """The valid packages selected in the list, or all the valid ones if none is."""
        result = self.build_result
        if result is None:
            return []
        rows = sorted(index.row() for index in self.package_list.selectedIndexes())
        chosen = [result.packages[r] for r in rows] if rows else result.packages
        return [p for p in chosen if p.valid]

    def build(self) -> Task | None:
        project = self.session.project
        if project is None:
            return None
        choice, header = self.choice(), self.header()
        version, profile = str(self.version.currentData()), str(self.profile.currentData())
        out_dir = Path(self.out_dir.text().strip() or default_output_folder(project))
        schemas = self.schemas
        limits = self.split_limits()

        def work(token: CancelToken, progress: ProgressSink) -> BuildResult:
            return build_transfer(
                project,
                choice,
                header,
                version=version,
                profile=profile,
                out_dir=out_dir,
                schemas=schemas,
                token=token,
                progress=progress,
                limits=limits,
            )

        task = TaskRunner.of(self.session).write(_("Building the package"), work)
        task.progressed.connect(self._progressed)
        task.succeeded.connect(self._built)
        task.cancelled.connect(lambda: self.result.setText(_("Build cancelled: nothing written.")))
        task.failed.connect(lambda _e: self.result.setText(_("The package was not built.")))
        task.finished.connect(self._update_buttons)
        self._build_task = task
        self.build_result = None
        self._show_result()
        self.progress.setRange(0, 0)
        self.result.setText(_("Building…"))
        self._update_buttons()
        return task

    def cancel_build(self) -> None:
        if self._build_task is not None:
            self._build_task.cancel()

    def _progressed(self, progress: Progress) -> None:
        if progress.bytes_total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * progress.bytes_done / progress.bytes_total))
        elif progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
        self.progress.setFormat(progress.message or "%p %")

    def _built(self, result: BuildResult) -> None:
        self.build_result = result
        self._show_problems(list(result.problems))
        self._show_result()
        if len(result.packages) == 1:
            message = _("Package written: {path}").format(path=result.packages[0].package.path)
        else:
            message = _("{n} packages written in {folder}").format(
                n=len(result.packages), folder=result.packages[0].package.path.parent
            )
        self.session.status_message.emit(message)

    def _show_result(self) -> None:
        result = self.build_result
        self.package_list.clear()
        if result is None:
            self.result.setText(_("No package built yet: check, then build."))
            self.package_list.hide()
        elif len(result.packages) == 1:
            self.result.setText(package_text(result.packages[0]))
            self.package_list.hide()
        else:
            invalid = sum(not p.valid for p in result.packages)
            text = _("{n} packages built, split under the limits chosen.").format(
                n=len(result.packages)
            )
            if invalid:
                text += " ⛔ " + _("{n} of them INVALID (see the list).").format(n=invalid)
            else:
                text += " ✓ " + _("All valid.")
            self.result.setText(text)
            for package in result.packages:
                item = QListWidgetItem(package_text(package))
                item.setToolTip(str(package.package.path))
                self.package_list.addItem(item)
            self.package_list.show()
        self._update_buttons()

    def open_folder(self) -> None:
        if self.build_result is not None and self.build_result.packages:
            folder = self.build_result.packages[0].package.path.parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def queue_dialog(self) -> None:
        project = self.session.project
        if project is None or not self.packages_to_queue():
            return
        try:
            servers = [s.name for s in load_settings(settings_file()).servers]
        except AppError:
            servers = []
        if not servers:
            self.result.setText(
                _("No server configured: add one in the Settings before queuing a package.")
            )
            return
        target = get_preference(project.conn, TARGET_SERVER)
        if target in servers:
            self.queue(target)
            return
        server, ok = QInputDialog.getItem(
            self, _("Queue for sending"), _("Send to the server:"), servers, 0, False
        )
        if ok and server:
            self.queue(server)

    def queue(self, server: str) -> Task | None:
        """Put the valid packages chosen in the list (or all of them) in the outbox."""
        paths = [p.package.path for p in self.packages_to_queue()]
        if not paths:
            return None
        label = (
            _("{name} queued for {server}.").format(name=paths[0].name, server=server)
            if len(paths) == 1
            else _("{n} packages queued for {server}.").format(n=len(paths), server=server)
        )
        task = run_edit(
            self.session,
            label,
            lambda project: [enqueue(project, path, server) for path in paths],
            changed=Changed.NOTHING,
        )
        if task is not None:
            task.succeeded.connect(lambda _t: self.session.outbox_changed.emit())
        return task
