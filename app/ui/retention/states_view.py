"""Where each series stands on a reference date: active, to transfer, to eliminate, to sort,
without a rule; with its volumes, extreme dates and the next end of a DUA."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.i18n import _, format_bytes, format_count
from app.retention.states import STATE_LABELS, RetentionReport, Tally, compute_states
from app.tasks import CancelToken, ProgressSink
from app.ui.models.reading import reading
from app.ui.session import Session
from app.ui.simple_table import fill_table, make_table
from app.ui.tasks import Task, TaskRunner

SHOWN_STATES = ("active", "to_transfer", "to_eliminate", "to_sort", "no_rule")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def tally_text(tally: Tally | None) -> str:
    if tally is None or tally.files == 0:
        return "—"
    return f"{format_count(tally.files)} ({format_bytes(tally.bytes)})"


class StatesView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.report: RetentionReport | None = None
        self._task: Task | None = None
        self.as_of = QDateEdit(QDate.currentDate())
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setAccessibleName(_("Reference date"))
        self.as_of.setToolTip(_("The date on which the states are computed (default: today)"))
        self.as_of.dateChanged.connect(lambda _d: self.refresh())
        self.table = make_table(
            [
                _("Series"),
                *(_capital(_(STATE_LABELS[s])) for s in SHOWN_STATES),
                _("Total"),
                _("Earliest"),
                _("Latest"),
                _("Next DUA end"),
            ],
            _("States of the series"),
        )
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.totals.setAccessibleName(_("States of the whole inventory"))
        row = QHBoxLayout()
        label = QLabel(_("Reference date"))
        label.setBuddy(self.as_of)
        row.addWidget(label)
        row.addWidget(self.as_of)
        row.addStretch(1)
        explain = QLabel(
            _(
                "A dossier (the files of a series in one folder) is active while its DUA runs;"
                " then it is to transfer, to eliminate or to sort according to the final action."
                " Document dates are the files' modification dates."
            )
        )
        explain.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(explain)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)

    def reference_date(self) -> date:
        return date.fromisoformat(self.as_of.date().toString(Qt.DateFormat.ISODate))

    def running(self) -> bool:
        return self._task is not None and not self._task.done

    def refresh(self) -> None:
        project = self.session.project
        if project is None:
            return
        if self._task is not None and not self._task.done:
            self._task.cancel()
        path, as_of = project.path, self.reference_date()

        def work(token: CancelToken, _progress: ProgressSink) -> RetentionReport:
            with reading(path, token) as conn:
                return compute_states(conn, as_of)

        task = Task(_("Retention states"), work, report_errors=False)
        task.succeeded.connect(lambda report, t=task: self._ready(t, report))
        task.failed.connect(lambda error, t=task: self._failed(t, error))
        self.totals.setText(_("Computing the states…"))
        self._task = TaskRunner.of(self.session).start(task)

    def _failed(self, task: Task, error: BaseException) -> None:
        if task is self._task:
            self.totals.setText(_("The states cannot be computed: {error}").format(error=error))

    def _ready(self, task: Task, report: RetentionReport) -> None:
        if task is not self._task:
            return
        self.report = report
        rows = []
        for s in report.series:
            rows.append(
                [
                    f"{s.series.code} — {s.series.title}",
                    *(tally_text(s.by_state.get(state)) for state in SHOWN_STATES),
                    tally_text(s.total),
                    s.earliest.isoformat() if s.earliest else "—",
                    s.latest.isoformat() if s.latest else "—",
                    s.next_end.isoformat() if s.next_end else "—",
                ]
            )
        fill_table(self.table, rows, right=range(1, len(SHOWN_STATES) + 2))
        totals = report.totals()
        parts = [
            f"{_(STATE_LABELS[state])}: {tally_text(totals[state])}"
            for state in (*SHOWN_STATES, "unclassified", "excluded")
        ]
        self.totals.setText(
            _("On {date}, the whole inventory:").format(date=report.as_of.isoformat())
            + " "
            + " · ".join(parts)
        )
