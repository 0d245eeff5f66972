"""The form of one series: identity, place in the plan, and retention against what it inherits.

A retention value is either the series' own (its box ticked) or follows the tableau de
gestion entry the series points to; the form shows the inherited value beside each field so
the archivist sees what applies either way.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _
from app.project.series import (
    DUA_START_LABELS,
    DUA_STARTS,
    DUA_UNITS,
    FINAL_ACTION_LABELS,
    FINAL_ACTIONS,
    LEVELS,
    UNIT_LABELS,
    Series,
    list_series,
)

# Schedule-entry columns that a series can override, in form order.
_INHERITABLE = (
    "dua_value",
    "dua_unit",
    "dua_start",
    "final_action",
    "access_value",
    "access_unit",
    "appraisal_rule_id",
    "access_rule_id",
    "legal_basis",
)
_LABELS = {
    "dua_value": N_("DUA (durée d'utilité administrative)"),
    "dua_unit": N_("DUA unit"),
    "dua_start": N_("DUA starts at"),
    "closure_date": N_("Closure date"),
    "final_action": N_("Final action (sort final)"),
    "access_value": N_("Access delay (communicabilité)"),
    "access_unit": N_("Access delay unit"),
    "appraisal_rule_id": N_("SAE appraisal rule id"),
    "access_rule_id": N_("SAE access rule id"),
    "legal_basis": N_("Legal basis"),
}
_HELP = {
    "dua_value": N_("How long the files stay useful to the service before their final action."),
    "final_action": N_(
        "What happens at the end of the DUA: keep (transfer to the archives),"
        " destroy (after the visa) or sort."
    ),
    "access_value": N_("Delay before the files are freely accessible to the public."),
    "appraisal_rule_id": N_(
        "Identifier of the matching rule in the SAE's referential (AppraisalRule)."
    ),
    "access_rule_id": N_("Identifier of the matching rule in the SAE's referential (AccessRule)."),
}


def _choice_text(name: str, value: object) -> str:
    if value in (None, ""):
        return "—"
    if name in ("dua_unit", "access_unit"):
        return _(UNIT_LABELS.get(str(value), str(value)))
    if name == "dua_start":
        return _(DUA_START_LABELS.get(str(value), str(value)))
    if name == "final_action":
        return _(FINAL_ACTION_LABELS.get(str(value), str(value)))
    return str(value)


class _Field:
    """One overridable value: a tick box "own value", its editor, and the inherited value."""

    def __init__(self, name: str, editor: QWidget) -> None:
        self.name = name
        self.editor = editor
        self.own = QCheckBox(_(_LABELS[name]))
        self.own.setToolTip(_("Ticked: the series' own value. Unticked: the tableau de gestion's."))
        self.inherited = QLabel()
        self.inherited.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        editor.setAccessibleName(_(_LABELS[name]))
        if name in _HELP:
            editor.setToolTip(_(_HELP[name]))
            self.own.setToolTip(_(_HELP[name]))
        self.own.toggled.connect(editor.setEnabled)
        editor.setEnabled(False)

    def value(self) -> object:
        if not self.own.isChecked():
            return None
        e = self.editor
        if isinstance(e, QSpinBox):
            return e.value()
        if isinstance(e, QComboBox):
            return e.currentData()
        if isinstance(e, QDateEdit):
            return str(e.date().toString(Qt.DateFormat.ISODate))
        assert isinstance(e, QLineEdit)
        return e.text().strip() or None

    def set_value(self, value: object) -> None:
        self.own.setChecked(value not in (None, ""))
        if value in (None, ""):
            return
        e = self.editor
        if isinstance(e, QSpinBox):
            e.setValue(int(value))  # type: ignore[call-overload]
        elif isinstance(e, QComboBox):
            found = e.findData(value)
            if found >= 0:
                e.setCurrentIndex(found)
        elif isinstance(e, QDateEdit):
            e.setDate(QDate.fromString(str(value), Qt.DateFormat.ISODate))
        elif isinstance(e, QLineEdit):
            e.setText(str(value))


def _combo(values: tuple[str, ...], labels: dict[str, str]) -> QComboBox:
    combo = QComboBox()
    for v in values:
        combo.addItem(_(labels.get(v, v)), v)
    return combo


class SeriesDialog(QDialog):
    """Add or edit a series; `series()` gives the edited values (the caller saves them)."""

    def __init__(
        self, conn: sqlite3.Connection, series: Series | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._conn = conn
        self._original = series or Series(code="", title="")
        self.setWindowTitle(_("Edit series") if series else _("New series"))
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)

        identity = QGroupBox(_("Series"))
        form = QFormLayout(identity)
        self.code = QLineEdit(self._original.code)
        self.code.setAccessibleName(_("Code (cote)"))
        self.code.setToolTip(_("The series' code in the plan de classement, e.g. 1D or 2W."))
        self.title_edit = QLineEdit(self._original.title)
        self.title_edit.setAccessibleName(_("Title"))
        self.description = QPlainTextEdit(self._original.description)
        self.description.setAccessibleName(_("Description"))
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(64)
        self.producer = QLineEdit(self._original.producer)
        self.producer.setAccessibleName(_("Service producteur"))
        self.producer.setToolTip(_("The service that produced the records of this series."))
        self.level = QComboBox()
        for lv in LEVELS:
            self.level.addItem(lv, lv)
        self.level.setCurrentIndex(max(0, self.level.findData(self._original.level)))
        self.level.setAccessibleName(_("Description level"))
        self.parent_combo = QComboBox()
        self.parent_combo.setAccessibleName(_("Parent series"))
        self.parent_combo.addItem(_("(top of the plan)"), None)
        excluded = self._descendants(series.id) if series and series.id else set()
        for s in list_series(conn):
            if s.id not in excluded:
                self.parent_combo.addItem(f"{s.code} — {s.title}", s.id)
        self.parent_combo.setCurrentIndex(
            max(0, self.parent_combo.findData(self._original.parent_id))
        )
        self.schedule = QComboBox()
        self.schedule.setAccessibleName(_("Tableau de gestion entry"))
        self.schedule.setToolTip(
            _("The entry of the tableau de gestion this series follows for its retention.")
        )
        self.schedule.addItem(_("(none)"), None)
        for entry_id, code, title in conn.execute(
            "SELECT id, code, title FROM schedule_entry ORDER BY position, code"
        ):
            self.schedule.addItem(f"{code} — {title}", int(entry_id))
        self.schedule.setCurrentIndex(
            max(0, self.schedule.findData(self._original.schedule_entry_id))
        )
        form.addRow(_("Code (cote)"), self.code)
        form.addRow(_("Title"), self.title_edit)
        form.addRow(_("Description"), self.description)
        form.addRow(_("Service producteur"), self.producer)
        form.addRow(_("Description level"), self.level)
        form.addRow(_("Parent series"), self.parent_combo)
        form.addRow(_("Tableau de gestion entry"), self.schedule)
        layout.addWidget(identity)

        retention = QGroupBox(_("Retention (own values override the tableau de gestion)"))
        grid = QGridLayout(retention)
        grid.addWidget(QLabel("<b>" + _("Own value") + "</b>"), 0, 0, 1, 2)
        grid.addWidget(QLabel("<b>" + _("From the tableau de gestion") + "</b>"), 0, 2)
        dua = QSpinBox()
        dua.setRange(0, 999)
        access = QSpinBox()
        access.setRange(0, 999)
        closure = QDateEdit()
        closure.setCalendarPopup(True)
        closure.setDisplayFormat("yyyy-MM-dd")
        closure.setDate(QDate.currentDate())
        self._fields = [
            _Field("dua_value", dua),
            _Field("dua_unit", _combo(DUA_UNITS, UNIT_LABELS)),
            _Field("dua_start", _combo(DUA_STARTS, DUA_START_LABELS)),
            _Field("closure_date", closure),
            _Field("final_action", _combo(FINAL_ACTIONS, FINAL_ACTION_LABELS)),
            _Field("access_value", access),
            _Field("access_unit", _combo(DUA_UNITS, UNIT_LABELS)),
            _Field("appraisal_rule_id", QLineEdit()),
            _Field("access_rule_id", QLineEdit()),
            _Field("legal_basis", QLineEdit()),
        ]
        for row, f in enumerate(self._fields, start=1):
            grid.addWidget(f.own, row, 0)
            grid.addWidget(f.editor, row, 1)
            grid.addWidget(f.inherited, row, 2)
            f.set_value(getattr(self._original, f.name))
        layout.addWidget(retention)
        self.schedule.currentIndexChanged.connect(self._show_inherited)
        self._show_inherited()

        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(_("Problem"))
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.code.setFocus()

    def _descendants(self, series_id: int) -> set[int]:
        found = {series_id}
        changed = True
        all_series = list_series(self._conn)
        while changed:
            changed = False
            for s in all_series:
                if s.parent_id in found and s.id not in found and s.id is not None:
                    found.add(s.id)
                    changed = True
        return found

    def _show_inherited(self) -> None:
        entry_id = self.schedule.currentData()
        entry: dict[str, object] = {}
        if entry_id is not None:
            row = self._conn.execute(
                f"SELECT {', '.join(_INHERITABLE)} FROM schedule_entry WHERE id = ?", (entry_id,)
            ).fetchone()
            if row is not None:
                entry = dict(zip(_INHERITABLE, row, strict=True))
        for f in self._fields:
            if f.name == "closure_date":
                f.inherited.setText(_("(the series' own only)"))
            elif entry_id is None:
                f.inherited.setText(_("(no entry chosen)"))
            else:
                f.inherited.setText(_choice_text(f.name, entry.get(f.name)))

    def series(self) -> Series:
        values: dict[str, object] = {f.name: f.value() for f in self._fields}
        return replace(
            self._original,
            code=self.code.text().strip(),
            title=self.title_edit.text().strip(),
            description=self.description.toPlainText().strip(),
            producer=self.producer.text().strip(),
            level=str(self.level.currentData()),
            parent_id=self.parent_combo.currentData(),
            schedule_entry_id=self.schedule.currentData(),
            **values,  # type: ignore[arg-type]
        )

    def _accept(self) -> None:
        s = self.series()
        if not s.code:
            self.problem.setText(_("A series needs a code (cote)."))
            self.code.setFocus()
            return
        if not s.title:
            self.problem.setText(_("The series {code} needs a title.").format(code=s.code))
            self.title_edit.setFocus()
            return
        self.accept()
