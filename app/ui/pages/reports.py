"""Rapports: the audit workbook and the slips (bordereaux) the archivist hands over.

Each export asks where to write the file, runs as a task with its progress (the window stays
usable), then offers to open the file. The documents are written by the core
(`app.reports`), exactly as `besace audit` and `besace slip` write them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.project.series import list_series
from app.project.store import Project
from app.reports.audit_workbook import write_audit_workbook
from app.reports.slip_pdf import write_slip_pdf
from app.reports.slip_xlsx import write_slip_xlsx
from app.reports.slips import Slip, elimination_slip, transfer_slip
from app.retention.elimination import STATUS_LABELS, list_proposals
from app.tasks import CancelToken, Progress, ProgressSink
from app.ui.icons import icon
from app.ui.pages.lazy_page import LazyPage
from app.ui.session import Session
from app.ui.tasks import Task, TaskRunner

PDF_FILTER = "PDF (*.pdf)"
XLSX_FILTER = "Excel (*.xlsx)"


def _date_edit(accessible: str) -> QDateEdit:
    edit = QDateEdit(QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setAccessibleName(accessible)
    return edit


def _to_date(edit: QDateEdit) -> date:
    return date.fromisoformat(edit.date().toString(Qt.DateFormat.ISODate))


def _button(text: str, icon_name: str, tip: str) -> QPushButton:
    button = QPushButton(icon(icon_name), text)
    button.setToolTip(tip)
    button.setAccessibleName(text.rstrip("…"))
    return button


def write_slip(slip: Slip, path: Path) -> Path:
    """The slip as PDF or xlsx, by the file's extension."""
    if path.suffix.lower() == ".xlsx":
        write_slip_xlsx(slip, path)
    else:
        write_slip_pdf(slip, path)
    return path


class ReportsPage(LazyPage):
    page_id = "reports"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.last_file: Path | None = None
        self._task: Task | None = None

        # -- audit workbook ------------------------------------------------------------------
        self.audit_date = _date_edit(_("Reference date of the audit"))
        self.audit_button = _button(
            _("Export the audit workbook…"),
            "reports",
            _("Summary for the mayor, volumes, formats, duplicates, grid, inventory (xlsx)"),
        )
        self.audit_button.clicked.connect(self.audit_dialog)
        audit_box = QGroupBox(_("Audit workbook"))
        audit_form = QFormLayout(audit_box)
        audit_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        audit_hint = QLabel(
            _(
                "The workbook opens on a summary a mayor can read, then the volumes per series,"
                " the formats, the duplicates, the audit grid and the whole inventory."
            )
        )
        audit_hint.setWordWrap(True)
        audit_form.addRow(audit_hint)
        audit_form.addRow(_("Reference date (DUA)"), self.audit_date)
        audit_form.addRow("", self.audit_button)

        # -- transfer slip ------------------------------------------------------------------
        self.series_list = QListWidget()
        self.series_list.setAccessibleName(_("Series of the transfer slip"))
        self.series_list.setMaximumHeight(160)
        self.series_list.setMinimumWidth(480)
        self.slip_date = _date_edit(_("Date of the slip"))
        self.slip_number = QLineEdit()
        self.slip_number.setPlaceholderText(_("default: VERS-date"))
        self.slip_number.setAccessibleName(_("Transfer number"))
        self.slip_number.setMinimumWidth(240)
        self.all_files = QCheckBox(_("Every file of the series (not only those whose DUA is over)"))
        self.transfer_pdf = _button(_("PDF…"), "file", _("The transfer slip as PDF (A4)"))
        self.transfer_xlsx = _button(_("xlsx…"), "file", _("The transfer slip as a workbook"))
        self.transfer_pdf.setAccessibleName(_("Export the transfer slip as PDF"))
        self.transfer_xlsx.setAccessibleName(_("Export the transfer slip as xlsx"))
        self.transfer_pdf.clicked.connect(lambda: self.transfer_dialog(PDF_FILTER, ".pdf"))
        self.transfer_xlsx.clicked.connect(lambda: self.transfer_dialog(XLSX_FILTER, ".xlsx"))
        transfer_box = QGroupBox(_("Transfer slip (bordereau de versement)"))
        transfer_form = QFormLayout(transfer_box)
        transfer_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        transfer_form.addRow(_("Series"), self.series_list)
        transfer_form.addRow(_("Date"), self.slip_date)
        transfer_form.addRow(_("Transfer number"), self.slip_number)
        transfer_form.addRow("", self.all_files)
        row = QHBoxLayout()
        row.addWidget(self.transfer_pdf)
        row.addWidget(self.transfer_xlsx)
        row.addStretch(1)
        transfer_form.addRow(_("Export"), row)

        # -- elimination slip -------------------------------------------------------------------
        self.proposal = QComboBox()
        self.proposal.setAccessibleName(_("Elimination proposal"))
        self.proposal.setMinimumWidth(320)
        self.elimination_pdf = _button(_("PDF…"), "file", _("The elimination slip as PDF (A4)"))
        self.elimination_xlsx = _button(_("xlsx…"), "file", _("The elimination slip as a workbook"))
        self.elimination_pdf.setAccessibleName(_("Export the elimination slip as PDF"))
        self.elimination_xlsx.setAccessibleName(_("Export the elimination slip as xlsx"))
        self.elimination_pdf.clicked.connect(lambda: self.elimination_dialog(PDF_FILTER, ".pdf"))
        self.elimination_xlsx.clicked.connect(lambda: self.elimination_dialog(XLSX_FILTER, ".xlsx"))
        elimination_box = QGroupBox(_("Elimination slip (bordereau d'élimination)"))
        elimination_form = QFormLayout(elimination_box)
        elimination_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.no_proposal = QLabel(
            _("No elimination proposal yet: make one in the Retention step (Eliminations).")
        )
        self.no_proposal.setWordWrap(True)
        elimination_form.addRow(self.no_proposal)
        elimination_form.addRow(_("Proposal"), self.proposal)
        row = QHBoxLayout()
        row.addWidget(self.elimination_pdf)
        row.addWidget(self.elimination_xlsx)
        row.addStretch(1)
        elimination_form.addRow(_("Export"), row)

        # -- progress and result ------------------------------------------------------------
        self.progress = QProgressBar()
        self.progress.setAccessibleName(_("Progress of the export"))
        self.progress.setVisible(False)
        self.cancel_button = _button(_("Cancel"), "stop", _("Stop the export: nothing is written"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setVisible(False)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setAccessibleName(_("Last file written"))
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = _button(_("Open the file"), "open", _("Open it in its application"))
        self.open_button.clicked.connect(self.open_file)
        self.open_button.setEnabled(False)
        self.folder_button = _button(_("Open the folder"), "open", "")
        self.folder_button.clicked.connect(self.open_folder)
        self.folder_button.setEnabled(False)
        status = QHBoxLayout()
        status.addWidget(self.progress, 1)
        status.addWidget(self.cancel_button)
        after = QHBoxLayout()
        after.addWidget(self.result, 1)
        after.addWidget(self.open_button)
        after.addWidget(self.folder_button)

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(audit_box)
        body_layout.addWidget(transfer_box)
        body_layout.addWidget(elimination_box)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(status)
        layout.addLayout(after)

        self.reload_on(
            session.project_changed, session.classification_changed, session.inventory_changed
        )

    def title(self) -> str:
        return _("Reports")

    def icon_name(self) -> str:
        return "reports"

    # -- loading ---------------------------------------------------------------------------
    def _load(self) -> None:
        project = self.session.project
        ticked = set(self.series_codes())
        self.series_list.clear()
        self.proposal.clear()
        if project is None:
            return
        for s in list_series(project.conn):
            item = QListWidgetItem(f"{s.code} — {s.title}")
            item.setData(Qt.ItemDataRole.UserRole, s.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if s.code in ticked else Qt.CheckState.Unchecked
            )
            self.series_list.addItem(item)
        proposals = list_proposals(project.conn)
        for p in proposals:
            self.proposal.addItem(f"{p.reference} — {_(STATUS_LABELS[p.status])}", p.reference)
        self.no_proposal.setVisible(not proposals)
        for widget in (self.proposal, self.elimination_pdf, self.elimination_xlsx):
            widget.setEnabled(bool(proposals))

    def series_codes(self) -> list[str]:
        codes = []
        for row in range(self.series_list.count()):
            item = self.series_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                codes.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return codes

    def set_series(self, codes: list[str]) -> None:
        for row in range(self.series_list.count()):
            item = self.series_list.item(row)
            wanted = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    # -- exports ---------------------------------------------------------------------------
    def _ask(self, title: str, name: str, file_filter: str, suffix: str) -> Path | None:
        project = self.session.project
        folder = project.path.parent if project else Path.home()
        chosen, _f = QFileDialog.getSaveFileName(self, title, str(folder / name), file_filter)
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == suffix else path.with_suffix(suffix)

    def audit_dialog(self) -> None:
        project = self.session.project
        if project is None:
            return
        path = self._ask(
            _("Export the audit workbook"),
            f"audit-{project.path.stem}.xlsx",
            XLSX_FILTER,
            ".xlsx",
        )
        if path is not None:
            self.export_audit(path)

    def export_audit(self, path: Path) -> Task | None:
        as_of = _to_date(self.audit_date)

        def work(project: Project, token: CancelToken, progress: ProgressSink) -> Path:
            write_audit_workbook(project, path, token=token, progress=progress, as_of=as_of)
            return path

        return self._run(_("Writing the audit workbook"), work)

    def transfer_dialog(self, file_filter: str, suffix: str) -> None:
        if not self.series_codes():
            self.result.setText("⚠ " + _("Tick the series of the transfer first."))
            return
        path = self._ask(
            _("Export the transfer slip"), f"bordereau-versement{suffix}", file_filter, suffix
        )
        if path is not None:
            self.export_transfer_slip(path)

    def export_transfer_slip(self, path: Path) -> Task | None:
        codes = self.series_codes()
        number, on, every = (
            self.slip_number.text().strip(),
            _to_date(self.slip_date),
            (self.all_files.isChecked()),
        )

        def work(project: Project, _token: CancelToken, _progress: ProgressSink) -> Path:
            slip = transfer_slip(project, codes, reference=number, on=on, all_files=every)
            return write_slip(slip, path)

        return self._run(_("Writing the transfer slip"), work)

    def elimination_dialog(self, file_filter: str, suffix: str) -> None:
        reference = self.proposal.currentData()
        if not reference:
            return
        path = self._ask(
            _("Export the elimination slip"),
            f"bordereau-elimination-{reference}{suffix}",
            file_filter,
            suffix,
        )
        if path is not None:
            self.export_elimination_slip(str(reference), path)

    def export_elimination_slip(self, reference: str, path: Path) -> Task | None:
        def work(project: Project, _token: CancelToken, _progress: ProgressSink) -> Path:
            return write_slip(elimination_slip(project, reference), path)

        return self._run(_("Writing the elimination slip"), work)

    def _run(
        self, label: str, work: Callable[[Project, CancelToken, ProgressSink], Path]
    ) -> Task | None:
        project = self.session.project
        if project is None:
            return None
        if self._task is not None and not self._task.done:
            self.result.setText("⚠ " + _("An export is already running."))
            return None

        def run(token: CancelToken, progress: ProgressSink) -> Path:
            return work(project, token, progress)

        task = TaskRunner.of(self.session).write(label, run)
        task.progressed.connect(self._progressed)
        task.succeeded.connect(self._written)
        task.cancelled.connect(lambda: self.result.setText(_("Stopped: nothing was written.")))
        task.failed.connect(lambda _e: self.result.setText(_("The file was not written.")))
        task.finished.connect(self._finished)
        self._task = task
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.result.setText(label + "…")
        return task

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _progressed(self, progress: Progress) -> None:
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
        self.progress.setFormat((progress.message or "") + " %p %")

    def _finished(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)

    def _written(self, path: Path) -> None:
        self.last_file = path
        self.result.setText(_("Written: {path}").format(path=path))
        self.open_button.setEnabled(True)
        self.folder_button.setEnabled(True)
        self.session.status_message.emit(_("Written: {path}").format(path=path))

    def open_file(self) -> None:
        if self.last_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_file)))

    def open_folder(self) -> None:
        if self.last_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_file.parent)))
