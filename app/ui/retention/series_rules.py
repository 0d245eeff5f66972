"""The retention that applies to each series, and where each value comes from.

A value is the series' own ("série") or follows its tableau de gestion entry ("TG …"); the
letters are written in the cell, never shown by colour only. Double-click a series to edit it.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.i18n import _
from app.project.series import (
    DUA_START_LABELS,
    FINAL_ACTION_LABELS,
    Retention,
    Series,
    effective_retention,
    get_series,
    list_series,
    update_series,
)
from app.retention.dates import period_text
from app.ui.classify.series_form import SeriesDialog
from app.ui.edit_task import run_edit
from app.ui.session import Session
from app.ui.simple_table import fill_table, make_table, row_data


def _origin(series: Series, retention: Retention, *names: str) -> str:
    if any(n in retention.inherited for n in names):
        return _("TG {code}").format(code=retention.schedule_code)
    if all(getattr(series, n) in (None, "") for n in names):
        return _("default")
    return _("series")


def retention_row(series: Series, r: Retention) -> list[str]:
    def cell(value: str, *names: str) -> str:
        return f"{value} ({_origin(series, r, *names)})" if value else "—"

    dua = period_text(r.dua_value, r.dua_unit) if r.dua_value else ""
    if r.dua_value == 0:
        dua = _("no DUA")
    start = _(DUA_START_LABELS.get(r.dua_start, r.dua_start)) if r.dua_value is not None else ""
    if r.closure_date is not None:
        start += " " + r.closure_date.isoformat()
    final = _(FINAL_ACTION_LABELS[r.final_action]) if r.final_action else ""
    access = (
        period_text(r.access_value, r.access_unit)
        if r.access_value
        else (_("immediate") if r.access_value == 0 or "access_value" in r.inherited else "")
    )
    return [
        f"{series.code} — {series.title}",
        cell(dua, "dua_value", "dua_unit"),
        cell(start, "dua_start"),
        cell(final, "final_action"),
        cell(access, "access_value", "access_unit"),
        cell(r.appraisal_rule_id, "appraisal_rule_id"),
        cell(r.access_rule_id, "access_rule_id"),
        cell(r.legal_basis, "legal_basis"),
    ]


class SeriesRulesView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.table = make_table(
            [
                _("Series"),
                _("DUA"),
                _("DUA starts at"),
                _("Final action"),
                _("Access"),
                _("SAE appraisal rule"),
                _("SAE access rule"),
                _("Legal basis"),
            ],
            _("Retention of each series"),
            stretch=0,
        )
        self.table.doubleClicked.connect(self._edit)
        legend = QLabel(
            _(
                "(series): the series' own value. (TG code): from the tableau de gestion entry"
                " the series follows. (default): Besace's default. —: not decided yet."
                " Double-click a series to edit it."
            )
        )
        legend.setWordWrap(True)
        self.empty = QLabel(_("No series yet: create the plan de classement in the Classify step."))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(legend)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        project = self.session.project
        if project is None:
            return
        series = list_series(project.conn)
        rows = [retention_row(s, effective_retention(project.conn, s)) for s in series]
        fill_table(self.table, rows, data=[s.id for s in series])
        self.empty.setVisible(not series)

    def _edit(self, index: QModelIndex) -> None:
        project = self.session.project
        series_id = row_data(self.table, index.row())
        if project is None or not isinstance(series_id, int):
            return
        dialog = SeriesDialog(project.conn, get_series(project.conn, series_id), self)
        if dialog.exec():
            edited = dialog.series()
            run_edit(
                self.session,
                _("Edit series {code}").format(code=edited.code),
                lambda p: update_series(p, edited),
            )
