"""Elimination proposals for the visa of the Archives départementales.

A proposal gathers what may be destroyed on a date; it is submitted, then the visa is granted
or refused. Besace never deletes a file: once the visa is granted, the archivist destroys
the files and the proposal keeps the record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_bytes, format_count
from app.project.series import list_series
from app.retention.elimination import (
    STATUS_LABELS,
    Proposal,
    list_proposals,
    propose_elimination,
    set_status,
)
from app.ui.dialog_buttons import ok_cancel_buttons
from app.ui.edit_task import Changed, run_edit
from app.ui.icons import icon
from app.ui.session import Session
from app.ui.simple_table import fill_table, make_table, row_data
from app.ui.views.captioned_pane import captioned_pane


class NewProposalDialog(QDialog):
    """The date and (optionally) the series of a new proposal."""

    def __init__(self, series: list[tuple[str, str]], as_of: date, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New elimination proposal"))
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.as_of = QDateEdit()
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setDate(QDate(as_of.year, as_of.month, as_of.day))
        self.as_of.setAccessibleName(_("Reference date"))
        self.reference = QLineEdit()
        self.reference.setPlaceholderText(_("automatic (ELIM-year-number)"))
        self.reference.setAccessibleName(_("Reference"))
        self.series = QListWidget()
        self.series.setAccessibleName(_("Series (none ticked: all)"))
        for code, title in series:
            item = QListWidgetItem(f"{code} — {title}")
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.series.addItem(item)
        form.addRow(_("Reference date"), self.as_of)
        form.addRow(_("Reference"), self.reference)
        form.addRow(_("Series (none ticked: all)"), self.series)
        layout.addLayout(form)
        layout.addWidget(ok_cancel_buttons(self))

    def chosen(self) -> tuple[date, list[str], str]:
        codes = []
        for row in range(self.series.count()):
            item = self.series.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                codes.append(str(item.data(Qt.ItemDataRole.UserRole)))
        day = date.fromisoformat(self.as_of.date().toString(Qt.DateFormat.ISODate))
        return day, codes, self.reference.text().strip()


class EliminationsView(QWidget):
    def __init__(
        self,
        session: Session,
        reference_date: Callable[[], date],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._reference_date = reference_date  # callable giving the States tab's date
        self.proposals: list[Proposal] = []
        self.table = make_table(
            [
                _("Reference"),
                _("Status"),
                _("Reference date"),
                _("Files"),
                _("Volume"),
                _("Decided on"),
            ],
            _("Elimination proposals"),
        )
        self.table.itemSelectionChanged.connect(self._show_items)
        self.items = make_table(
            [
                _("Series"),
                _("Files"),
                _("Volume"),
                _("Earliest"),
                _("Latest"),
                _("DUA"),
                _("Legal basis"),
            ],
            _("Content of the proposal"),
            stretch=0,
        )
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.new_button = QPushButton(icon("add"), _("New proposal…"))
        self.new_button.setToolTip(
            _("Gather the files whose DUA is over with a final action of destruction")
        )
        self.new_button.clicked.connect(self.new_proposal_dialog)
        self.submit_button = QPushButton(_("Submitted for visa"))
        self.approve_button = QPushButton(icon("ok"), _("Visa granted"))
        self.refuse_button = QPushButton(icon("error"), _("Visa refused"))
        self.submit_button.clicked.connect(lambda: self.change_status("submitted"))
        self.approve_button.clicked.connect(lambda: self.change_status("approved"))
        self.refuse_button.clicked.connect(lambda: self.change_status("refused"))
        for b in (self.new_button, self.submit_button, self.approve_button, self.refuse_button):
            b.setAccessibleName(b.text().rstrip("…"))
        row = QHBoxLayout()
        for b in (self.new_button, self.submit_button, self.approve_button, self.refuse_button):
            row.addWidget(b)
        row.addStretch(1)
        warning = QLabel(
            _(
                "Besace never deletes anything: a proposal is sent for the visa of the Archives"
                " départementales; once it is granted, you destroy the files yourself and the"
                " proposal keeps the record (the elimination slip is in Reports)."
            )
        )
        warning.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(captioned_pane(self.note, self.items))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(warning)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        self._update_buttons()

    def refresh(self) -> None:
        project = self.session.project
        if project is None:
            return
        chosen = self.current()
        self.proposals = list_proposals(project.conn)
        fill_table(
            self.table,
            [
                (
                    p.reference,
                    _(STATUS_LABELS[p.status]),
                    p.as_of,
                    format_count(p.files),
                    format_bytes(p.bytes),
                    (p.decided_at or "")[:10],
                )
                for p in self.proposals
            ],
            right=(3, 4),
            data=[p.id for p in self.proposals],
        )
        for row, p in enumerate(self.proposals):
            if chosen is not None and p.id == chosen.id:
                self.table.selectRow(row)
        self._show_items()

    def current(self) -> Proposal | None:
        row = self.table.currentRow()
        if row < 0:
            return None
        proposal_id = row_data(self.table, row)
        return next((p for p in self.proposals if p.id == proposal_id), None)

    def _show_items(self) -> None:
        p = self.current()
        items = p.items if p is not None else ()
        fill_table(
            self.items,
            [
                (
                    f"{i.series_code} — {i.series_title}",
                    format_count(i.files),
                    format_bytes(i.bytes),
                    i.earliest or "—",
                    i.latest or "—",
                    i.dua,
                    i.legal_basis,
                )
                for i in items
            ],
            right=(1, 2),
        )
        if p is None:
            self.note.setText(
                _("No proposal chosen.") if self.proposals else _("No elimination proposal yet.")
            )
        else:
            self.note.setText(
                _("{reference}: {status}.").format(
                    reference=p.reference, status=_(STATUS_LABELS[p.status])
                )
                + (" " + p.decision_note if p.decision_note else "")
            )
        self._update_buttons()

    def _update_buttons(self) -> None:
        p = self.current()
        status = p.status if p is not None else ""
        self.submit_button.setEnabled(status == "draft")
        self.approve_button.setEnabled(status == "submitted")
        self.refuse_button.setEnabled(status in ("draft", "submitted"))

    def new_proposal_dialog(self) -> None:
        project = self.session.project
        if project is None:
            return
        series = [(s.code, s.title) for s in list_series(project.conn)]
        as_of = self._reference_date()
        dialog = NewProposalDialog(series, as_of, self)
        if dialog.exec():
            day, codes, reference = dialog.chosen()
            self.create_proposal(day, codes, reference)

    def create_proposal(self, as_of: date, codes: list[str], reference: str = "") -> None:
        run_edit(
            self.session,
            _("New elimination proposal"),
            lambda p: propose_elimination(
                p, as_of, series_codes=codes or None, reference=reference
            ),
            changed=Changed.CLASSIFICATION,
        )

    def change_status(self, status: str) -> None:
        p = self.current()
        if p is None:
            return
        note = ""
        if status in ("approved", "refused"):
            text, ok = QInputDialog.getText(
                self,
                _(STATUS_LABELS[status]),
                _("Note for the record (visa number, reason…):"),
            )
            if not ok:
                return
            note = text.strip()
        self.set_proposal_status(p.id, status, note)

    def set_proposal_status(self, proposal_id: int, status: str, note: str = "") -> None:
        run_edit(
            self.session,
            _("Elimination proposal: {status}").format(status=_(STATUS_LABELS[status])),
            lambda p: set_status(p, proposal_id, status, note),
        )
