"""The referentials: the SAE's rules and agencies (Vitam CSV) and the tableau de gestion.

The tableau de gestion can start from the default one for communes, be imported from or
exported to xlsx, and its entries mapped to the SAE's rule ids by typing in the table.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_count
from app.retention.referential import import_agencies, import_rules, list_agencies, list_rules
from app.retention.schedule import (
    ScheduleEntry,
    ScheduleImport,
    check_schedule_rule_ids,
    import_schedule,
    list_schedule,
    load_default_schedule,
    map_rule_ids,
    read_schedule_sheet,
    write_schedule_xlsx,
)
from app.ui.dialogs import confirm, show_error
from app.ui.edit_task import Changed, run_edit
from app.ui.icons import icon
from app.ui.session import Session
from app.ui.simple_table import fill_table, make_table

CSV_FILTER = "CSV (*.csv)"
XLSX_FILTER = "Excel (*.xlsx)"
APPRAISAL_COLUMN, ACCESS_COLUMN = 6, 7


def _button(text: str, icon_name: str, tip: str) -> QPushButton:
    button = QPushButton(icon(icon_name), text)
    button.setToolTip(tip)
    button.setAccessibleName(text.rstrip("…"))
    return button


class ReferentialsView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._filling = False

        # -- tableau de gestion -----------------------------------------------------------
        self.schedule = make_table(
            [
                _("Code"),
                _("Domain"),
                _("Title"),
                _("DUA"),
                _("Final action"),
                _("Access"),
                _("SAE appraisal rule"),
                _("SAE access rule"),
                _("Legal basis"),
            ],
            _("Tableau de gestion"),
            stretch=2,
        )
        self.schedule.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.schedule.itemChanged.connect(self._rule_id_typed)
        self.schedule_problems = QLabel()
        self.schedule_problems.setWordWrap(True)
        self.schedule_problems.setAccessibleName(_("Problems of the SAE rule ids"))
        self.load_default_button = _button(
            _("Load the default for communes"),
            "add",
            _("Add the entries of the tableau de gestion for communes that the project lacks"),
        )
        self.load_default_button.clicked.connect(self.load_default)
        self.import_schedule_button = _button(
            _("Import xlsx…"), "open", _("Add or update entries from a spreadsheet")
        )
        self.import_schedule_button.clicked.connect(self.import_schedule_dialog)
        self.export_schedule_button = _button(
            _("Export xlsx…"), "file", _("Write the tableau de gestion to a spreadsheet")
        )
        self.export_schedule_button.clicked.connect(self.export_schedule_dialog)
        schedule_box = QWidget()
        schedule_layout = QVBoxLayout(schedule_box)
        hint = QLabel(
            _(
                "Each entry says how long a kind of record stays useful (DUA), what becomes of"
                " it (sort final) and when it is freely accessible. Type the SAE's rule ids in"
                " the two rule columns to map them."
            )
        )
        hint.setWordWrap(True)
        schedule_layout.addWidget(hint)
        row = QHBoxLayout()
        for b in (
            self.load_default_button,
            self.import_schedule_button,
            self.export_schedule_button,
        ):
            row.addWidget(b)
        row.addStretch(1)
        schedule_layout.addLayout(row)
        schedule_layout.addWidget(self.schedule, 1)
        schedule_layout.addWidget(self.schedule_problems)

        # -- SAE rules and agencies -------------------------------------------------------------
        self.rules = make_table(
            [_("Rule id"), _("Type"), _("Name"), _("Duration"), _("Unit")],
            _("Rules referential of the SAE"),
            stretch=2,
        )
        self.rules_count = QLabel()
        import_rules_button = _button(
            _("Import the rules CSV…"),
            "open",
            _("Vitam rules referential (RuleId, RuleType, …): replaces the one in the project"),
        )
        import_rules_button.clicked.connect(self.import_rules_dialog)
        rules_box = self._box(self.rules, self.rules_count, import_rules_button)

        self.agencies = make_table(
            [_("Identifier"), _("Name"), _("Description")],
            _("Agencies referential of the SAE"),
            stretch=1,
        )
        self.agencies_count = QLabel()
        import_agencies_button = _button(
            _("Import the agencies CSV…"),
            "open",
            _("Vitam agencies referential (Identifier, Name, Description): replaces the previous"),
        )
        import_agencies_button.clicked.connect(self.import_agencies_dialog)
        agencies_box = self._box(self.agencies, self.agencies_count, import_agencies_button)

        tabs = QTabWidget()
        tabs.addTab(schedule_box, _("Tableau de gestion"))
        tabs.addTab(rules_box, _("SAE rules"))
        tabs.addTab(agencies_box, _("SAE agencies"))
        self.tabs = tabs
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(tabs)

    def _box(self, table: QTableWidget, count: QLabel, button: QPushButton) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        row = QHBoxLayout()
        row.addWidget(button)
        row.addWidget(count, 1)
        layout.addLayout(row)
        layout.addWidget(table, 1)
        return box

    # -- showing ---------------------------------------------------------------------------
    def refresh(self) -> None:
        project = self.session.project
        if project is None:
            return
        entries = list_schedule(project)
        self._show_schedule(entries)
        problems = check_schedule_rule_ids(project)
        unmapped = sum(1 for e in entries if not e.appraisal_rule_id)
        if not entries:
            text = _("No tableau de gestion yet: load the default for communes, or import yours.")
        else:
            text = _("{n} entries, {unmapped} without an SAE appraisal rule.").format(
                n=format_count(len(entries)), unmapped=format_count(unmapped)
            )
        if problems:
            text += "\n" + "\n".join("⚠ " + p for p in problems[:10])
        self.schedule_problems.setText(text)

        rules = list_rules(project)
        fill_table(
            self.rules,
            [(r.rule_id, r.rule_type, r.value, r.duration, r.measurement) for r in rules],
        )
        self.rules_count.setText(
            _("{n} rules.").format(n=format_count(len(rules)))
            if rules
            else _("No rules referential: rule ids are not checked until you import one.")
        )
        agencies = list_agencies(project)
        fill_table(self.agencies, [(a.identifier, a.name, a.description) for a in agencies])
        self.agencies_count.setText(
            _("{n} agencies.").format(n=format_count(len(agencies)))
            if agencies
            else _("No agencies referential: agency identifiers are not checked.")
        )

    def _show_schedule(self, entries: list[ScheduleEntry]) -> None:
        self._filling = True
        try:
            fill_table(
                self.schedule,
                [
                    (
                        e.code,
                        e.domain,
                        e.title,
                        e.dua_summary(),
                        e.final_action_text(),
                        e.access_text(),
                        e.appraisal_rule_id,
                        e.access_rule_id,
                        e.legal_basis,
                    )
                    for e in entries
                ],
                data=[e.code for e in entries],
            )
            editable = (APPRAISAL_COLUMN, ACCESS_COLUMN)
            for r in range(self.schedule.rowCount()):
                for c in range(self.schedule.columnCount()):
                    item = self.schedule.item(r, c)
                    if item is None:
                        continue
                    if c in editable:
                        item.setToolTip(_("Type the SAE's rule id (empty: none)"))
                    else:
                        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        finally:
            self._filling = False

    # -- edits -----------------------------------------------------------------------------
    def _rule_id_typed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() not in (APPRAISAL_COLUMN, ACCESS_COLUMN):
            return
        code_item = self.schedule.item(item.row(), 0)
        if code_item is None:
            return
        self.map_rule(code_item.text(), item.column(), item.text().strip())

    def map_rule(self, code: str, column: int, rule_id: str) -> None:
        appraisal = rule_id if column == APPRAISAL_COLUMN else None
        access = rule_id if column == ACCESS_COLUMN else None
        task = run_edit(
            self.session,
            _("Map SAE rules to {code}").format(code=code),
            lambda p: map_rule_ids(p, code, appraisal=appraisal, access=access),
        )
        if task is not None:
            task.failed.connect(lambda _e: self.refresh())  # show the stored value again

    def load_default(self) -> None:
        run_edit(
            self.session,
            _("Load the default tableau de gestion"),
            load_default_schedule,
            on_done=self._imported,
        )

    def _imported(self, result: object) -> None:
        assert isinstance(result, ScheduleImport)
        self.session.status_message.emit(
            _(
                "Tableau de gestion: {added} added, {updated} updated, {unchanged} unchanged."
            ).format(added=result.added, updated=result.updated, unchanged=result.unchanged)
        )

    def import_schedule_dialog(self) -> None:
        path, _f = QFileDialog.getOpenFileName(
            self, _("Import a tableau de gestion"), "", XLSX_FILTER
        )
        if path:
            self.import_schedule_file(Path(path))

    def import_schedule_file(self, path: Path) -> None:
        try:
            sheet = read_schedule_sheet(path)
        except Exception as exc:  # AppError with every problem listed
            show_error(self, exc)
            return
        remove = False
        project = self.session.project
        if project is not None:
            codes = {e.code for e in sheet.entries}
            missing = [e.code for e in list_schedule(project) if e.code not in codes]
            if missing:
                remove = confirm(
                    self,
                    _("Import a tableau de gestion"),
                    _(
                        "{n} entries of the project are not in the file ({codes}). Remove them?"
                        " (Entries used by a series are never removed.)"
                    ).format(n=len(missing), codes=", ".join(missing[:10])),
                    _("Remove them"),
                )
        run_edit(
            self.session,
            _("Import the tableau de gestion"),
            lambda p: import_schedule(
                p, sheet.entries, remove_missing=remove, keep_fields=sheet.missing_fields
            ),
            on_done=self._imported,
        )

    def export_schedule_dialog(self) -> None:
        path, _f = QFileDialog.getSaveFileName(
            self, _("Export the tableau de gestion"), "tableau-de-gestion.xlsx", XLSX_FILTER
        )
        if path:
            self.export_schedule_file(Path(path))

    def export_schedule_file(self, path: Path) -> None:
        project = self.session.project
        if project is None:
            return
        entries = list_schedule(project)
        run_edit(
            self.session,
            _("Export the tableau de gestion to {name}").format(name=path.name),
            lambda _p: write_schedule_xlsx(entries, path),
            changed=Changed.NOTHING,
        )

    def import_rules_dialog(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _("Import the SAE rules"), "", CSV_FILTER)
        if path:
            self.import_csv(Path(path), rules=True)

    def import_agencies_dialog(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, _("Import the SAE agencies"), "", CSV_FILTER)
        if path:
            self.import_csv(Path(path), rules=False)

    def import_csv(self, path: Path, *, rules: bool) -> None:
        label = (
            _("Import the rules referential {name}") if rules else _("Import the agencies {name}")
        ).format(name=path.name)
        run_edit(
            self.session,
            label,
            lambda p: import_rules(p, path) if rules else import_agencies(p, path),
        )
