"""The classification rules: an ordered list, a form per rule, and a live preview before Apply.

The editor works on a copy of the project's rules. Every change restarts, after a short
pause, a preview computed off the GUI thread: per rule how many files it matches and how many
it decides, and which files would move where. Nothing is stored until Apply, which replaces
the project's rules in one undoable edit and reclassifies the inventory.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.audit.classify import (
    FLAG_NAMES,
    ClassificationRule,
    Criteria,
    apply_rules_file,
    list_rules,
    read_rules_file,
    replace_rules,
    rules_file_text,
)
from app.errors import AppError
from app.i18n import _, format_count
from app.project.flags import FLAG_LABELS, EntryFlag
from app.project.series import EXCLUSION_REASONS, Series, list_series
from app.tasks import CancelToken, ProgressSink
from app.ui.classify.rules_preview import RulesPreview, is_complete, preview_in_worker
from app.ui.dialogs import confirm, show_error
from app.ui.edit_task import run_edit
from app.ui.icons import icon
from app.ui.session import Session
from app.ui.tasks import Task, TaskRunner

Index = QModelIndex | QPersistentModelIndex
PREVIEW_DELAY_MS = 400
RULES_FILTER = "TOML (*.toml)"
_SIZE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([kmgt]?)(?:i?[bo])?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4}


def parse_size(text: str) -> int | None:
    """'10 MB', '500k', '2 Go' → bytes; '' → None; raises ValueError when unreadable."""
    if not text.strip():
        return None
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(text)
    number = float(match.group(1).replace(",", "."))
    return int(number * _UNITS[match.group(2).lower()])


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\s]+", text) if part.strip()]


class RuleColumn:
    ENABLED = 0
    NAME = 1
    TARGET = 2
    MATCHED = 3
    APPLIED = 4
    COUNT = 5


class RulesListModel(QAbstractTableModel):
    """The edited rules in order, with the preview's counts."""

    enabled_toggled = Signal(int, bool)  # row, enabled

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rules: list[ClassificationRule] = []
        self.preview: RulesPreview | None = None
        self.codes: dict[int, str] = {}

    def set_rules(self, rules: list[ClassificationRule]) -> None:
        self.beginResetModel()
        self.rules = rules
        self.preview = None
        self.endResetModel()

    def set_preview(self, preview: RulesPreview | None) -> None:
        self.preview = preview
        if self.rules:
            self.dataChanged.emit(
                self.index(0, RuleColumn.MATCHED),
                self.index(len(self.rules) - 1, RuleColumn.APPLIED),
            )

    def rule_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, RuleColumn.COUNT - 1))

    def target_text(self, rule: ClassificationRule) -> str:
        if rule.series_id is not None:
            return self.codes.get(rule.series_id, "?")
        if rule.exclusion is not None:
            reason = EXCLUSION_REASONS.get(rule.exclusion, rule.exclusion)
            return _("exclude: {reason}").format(reason=_(reason))
        return _("(no target)")

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rules)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else RuleColumn.COUNT

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rules):
            return None
        rule = self.rules[index.row()]
        column = index.column()
        counts = None
        if self.preview is not None and index.row() < len(self.preview.counts):
            counts = self.preview.counts[index.row()]
        if role == Qt.ItemDataRole.CheckStateRole and column == RuleColumn.ENABLED:
            return Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            if column == RuleColumn.ENABLED:
                return _("on") if rule.enabled else _("off")
            if column == RuleColumn.NAME:
                return rule.name or _("Rule {n}").format(n=index.row() + 1)
            if column == RuleColumn.TARGET:
                return self.target_text(rule)
            if column in (RuleColumn.MATCHED, RuleColumn.APPLIED):
                if not is_complete(rule):
                    return _("incomplete") if column == RuleColumn.MATCHED else ""
                if counts is None:
                    return "—" if self.preview is not None else "…"
                value = counts.matched if column == RuleColumn.MATCHED else counts.applied
                return format_count(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            RuleColumn.MATCHED,
            RuleColumn.APPLIED,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and column == RuleColumn.NAME:
            return icon("warning") if not is_complete(rule) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if not is_complete(rule):
                return _("Give this rule a target and at least one criterion.")
            return _(
                "Matched: files the rule catches. Decided: files it actually classifies"
                " (not taken first by an assignment by hand or an earlier rule)."
            )
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            index.isValid()
            and index.column() == RuleColumn.ENABLED
            and role == Qt.ItemDataRole.CheckStateRole
        ):
            enabled = Qt.CheckState(value) == Qt.CheckState.Checked
            self.rules[index.row()].enabled = enabled
            self.rule_changed(index.row())
            self.enabled_toggled.emit(index.row(), enabled)
            return True
        return False

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == RuleColumn.ENABLED:
            base |= Qt.ItemFlag.ItemIsUserCheckable
        return base

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return {
                RuleColumn.ENABLED: _("Active"),
                RuleColumn.NAME: _("Rule"),
                RuleColumn.TARGET: _("Target"),
                RuleColumn.MATCHED: _("Matched"),
                RuleColumn.APPLIED: _("Decided"),
            }.get(section)
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None


class _DateBox(QWidget):
    """An optional date: a tick box and a date picker."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.check = QCheckBox(label)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setDate(QDate.currentDate())
        self.date.setEnabled(False)
        self.date.setAccessibleName(label)
        layout.addWidget(self.check)
        layout.addWidget(self.date, 1)
        self.check.toggled.connect(self.date.setEnabled)
        self.check.toggled.connect(lambda _on: self.changed.emit())
        self.date.dateChanged.connect(lambda _d: self.changed.emit())

    def value(self) -> str:
        if not self.check.isChecked():
            return ""
        return str(self.date.date().toString(Qt.DateFormat.ISODate))

    def set_value(self, text: str) -> None:
        self.check.setChecked(bool(text))
        if text:
            self.date.setDate(QDate.fromString(text[:10], Qt.DateFormat.ISODate))


class RuleForm(QWidget):
    """Edits one rule in place; `changed` after every edit the rule accepted."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rule: ClassificationRule | None = None
        self._loading = False
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.target = QComboBox()
        self.path = QLineEdit()
        self.path.setPlaceholderText("**/Délibérations/**")
        self.path_regex = QLineEdit()
        self.path_regex.setPlaceholderText(r"(?i)conseil.*20[0-9]{2}")
        self.file_name = QLineEdit()
        self.file_name.setPlaceholderText("~$*")
        self.extensions = QLineEdit()
        self.extensions.setPlaceholderText("pdf, odt, docx")
        self.puids = QLineEdit()
        self.puids.setPlaceholderText("fmt/276, fmt/412")
        self.modified_from = _DateBox(_("from"))
        self.modified_to = _DateBox(_("until"))
        self.min_size = QLineEdit()
        self.min_size.setPlaceholderText("100 k")
        self.max_size = QLineEdit()
        self.max_size.setPlaceholderText("2 MB")
        flags_box = QWidget()
        flags_layout = QGridLayout(flags_box)
        flags_layout.setContentsMargins(0, 0, 0, 0)
        self.flags: dict[str, QCheckBox] = {}
        for i, (key, value) in enumerate(FLAG_NAMES.items()):
            box = QCheckBox(_(FLAG_LABELS.get(EntryFlag(value), key)))
            box.setAccessibleName(_("Flag: {name}").format(name=box.text()))
            self.flags[key] = box
            flags_layout.addWidget(box, i // 2, i % 2)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName(_("Problem with this rule"))

        rows: list[tuple[str, QWidget, str]] = [
            (_("Name"), self.name, _("A name that says what the rule catches")),
            (_("Target"), self.target, _("The series the files go to, or why they are excluded")),
            (
                _("Path (glob)"),
                self.path,
                _("Path inside the share; * within a name, ** across folders, any case"),
            ),
            (
                _("Path (regex)"),
                self.path_regex,
                _("A Python regular expression searched in the path"),
            ),
            (_("File name (glob)"), self.file_name, _("Glob on the file name only, e.g. *.tmp")),
            (_("Extensions"), self.extensions, _("Without the dot, separated by commas")),
            (_("Formats (PUID)"), self.puids, _("PRONOM identifiers, separated by commas")),
            (_("Modified"), self.modified_from, _("Last modified on or after this date")),
            ("", self.modified_to, _("Last modified on or before this date")),
            (_("Minimum size"), self.min_size, _("e.g. 100 k, 2 MB (empty: no minimum)")),
            (_("Maximum size"), self.max_size, _("e.g. 100 k, 2 MB (empty: no maximum)")),
            (_("Flags (any)"), flags_box, _("Files the scan flagged so (any of those ticked)")),
        ]
        for label, widget, tip in rows:
            widget.setToolTip(tip)
            if label:
                widget.setAccessibleName(label)
            form.addRow(label, widget)
        form.addRow(self.problem)

        for line in (
            self.name,
            self.path,
            self.path_regex,
            self.file_name,
            self.extensions,
            self.puids,
            self.min_size,
            self.max_size,
        ):
            line.textEdited.connect(self._edited)
        self.target.currentIndexChanged.connect(self._edited)
        self.modified_from.changed.connect(self._edited)
        self.modified_to.changed.connect(self._edited)
        for box in self.flags.values():
            box.toggled.connect(self._edited)
        self.setEnabled(False)

    def set_targets(self, series: list[Series]) -> None:
        self._loading = True
        self.target.clear()
        self.target.addItem(_("(choose a target)"), None)
        for s in series:
            self.target.addItem(f"{s.code} — {s.title}", f"s:{s.id}")
        for key, label in EXCLUSION_REASONS.items():
            self.target.addItem(_("Exclude: {reason}").format(reason=_(label)), f"x:{key}")
        self._loading = False
        if self._rule is not None:
            self.show_rule(self._rule)

    def show_rule(self, rule: ClassificationRule | None) -> None:
        self._rule = rule
        self.setEnabled(rule is not None)
        self._loading = True
        try:
            c = rule.criteria if rule is not None else Criteria()
            self.name.setText(rule.name if rule is not None else "")
            target: str | None = None
            if rule is not None and rule.series_id is not None:
                target = f"s:{rule.series_id}"
            elif rule is not None and rule.exclusion is not None:
                target = f"x:{rule.exclusion}"
            self.target.setCurrentIndex(max(0, self.target.findData(target)))
            self.path.setText(c.path)
            self.path_regex.setText(c.path_regex)
            self.file_name.setText(c.name)
            self.extensions.setText(", ".join(c.extensions))
            self.puids.setText(", ".join(c.puids))
            self.modified_from.set_value(c.modified_from)
            self.modified_to.set_value(c.modified_to)
            self.min_size.setText("" if c.min_size is None else str(c.min_size))
            self.max_size.setText("" if c.max_size is None else str(c.max_size))
            for key, box in self.flags.items():
                box.setChecked(key in c.flags)
            self.problem.clear()
        finally:
            self._loading = False

    def _edited(self, *_args: object) -> None:
        if self._loading or self._rule is None:
            return
        rule = self._rule
        try:
            min_size = parse_size(self.min_size.text())
            max_size = parse_size(self.max_size.text())
        except ValueError as exc:
            self.problem.setText(
                _("Size not understood: {text} (write e.g. 500 k or 2 MB).").format(text=exc)
            )
            return
        if self.path_regex.text():
            try:
                re.compile(self.path_regex.text())
            except re.error as exc:
                self.problem.setText(
                    _("The regular expression is invalid: {error}").format(error=exc)
                )
                return
        self.problem.clear()
        rule.name = self.name.text().strip()
        kind, _sep, value = str(self.target.currentData() or "").partition(":")
        rule.series_id = int(value) if kind == "s" else None
        rule.exclusion = value if kind == "x" else None
        rule.criteria = Criteria(
            path=self.path.text().strip(),
            path_regex=self.path_regex.text(),
            name=self.file_name.text().strip(),
            extensions=[e.lstrip(".") for e in _split(self.extensions.text())],
            puids=_split(self.puids.text()),
            modified_from=self.modified_from.value(),
            modified_to=self.modified_to.value(),
            min_size=min_size,
            max_size=max_size,
            flags=[key for key, box in self.flags.items() if box.isChecked()],
        )
        self.changed.emit()


class RulesEditor(QWidget):
    """The rules tab of the Classer page."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.dirty = False
        self._preview_task: Task | None = None
        self.last_preview: RulesPreview | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.start_preview)

        self.model = RulesListModel(self)
        self.model.enabled_toggled.connect(lambda _row, _on: self._edited())
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setAccessibleName(_("Classification rules, in order"))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(RuleColumn.NAME, QHeaderView.ResizeMode.Stretch)
        for column in (
            RuleColumn.ENABLED,
            RuleColumn.TARGET,
            RuleColumn.MATCHED,
            RuleColumn.APPLIED,
        ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)

        self.add_button = self._button(_("Add"), "add", _("Add a rule at the end"), self.add_rule)
        self.remove_button = self._button(
            _("Remove"), "remove", _("Remove the chosen rule"), self.remove_rule
        )
        self.up_button = self._button(
            _("Move up"), "", _("Earlier rules win (Alt+Up)"), lambda: self.move_rule(-1)
        )
        self.up_button.setShortcut("Alt+Up")
        self.down_button = self._button(
            _("Move down"),
            "",
            _("Later rules only take what earlier ones left (Alt+Down)"),
            lambda: self.move_rule(1),
        )
        self.down_button.setShortcut("Alt+Down")
        self.load_button = self._button(
            _("Load file…"),
            "open",
            _("Read rules (and series) from a TOML rules file"),
            self.load_file,
        )
        self.save_button = self._button(
            _("Save file…"), "file", _("Write these rules to a TOML rules file"), self.save_file
        )
        self.revert_button = self._button(
            _("Revert"), "undo", _("Forget the changes not applied"), self.load_from_project
        )
        self.apply_button = self._button(
            _("Apply"),
            "ok",
            _("Store these rules and classify the inventory with them"),
            self.apply,
        )
        self.apply_button.setDefault(True)

        self.form = RuleForm()
        self.form.changed.connect(self._rule_edited)
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setWidget(self.form)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(_("Preview of the rules"))
        self.moves = QTableWidget(0, 3)
        self.moves.setHorizontalHeaderLabels([_("From"), _("To"), _("Files")])
        self.moves.setAccessibleName(_("Files that would move"))
        self.moves.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.moves.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.moves.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sample = QTableWidget(0, 3)
        self.sample.setHorizontalHeaderLabels([_("File"), _("Now"), _("With these rules")])
        self.sample.setAccessibleName(_("Examples of files that would move"))
        self.sample.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.sample.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        help_text = QLabel(
            _(
                "Order of precedence: a file assigned by hand, then exclusion rules, then the"
                " nearest folder assigned by hand, then series rules in their order (the first"
                " that matches wins). The preview shows what Apply would change."
            )
        )
        help_text.setWordWrap(True)

        list_box = QWidget()
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        row1 = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            row1.addWidget(b)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        for b in (self.load_button, self.save_button):
            row2.addWidget(b)
        row2.addStretch(1)
        row2.addWidget(self.revert_button)
        row2.addWidget(self.apply_button)
        list_layout.addWidget(help_text)
        list_layout.addLayout(row1)
        list_layout.addWidget(self.view, 1)
        list_layout.addLayout(row2)

        rule_box = QGroupBox(_("Chosen rule"))
        rule_layout = QVBoxLayout(rule_box)
        rule_layout.addWidget(form_scroll)

        preview_box = QGroupBox(_("Preview"))
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.summary)
        preview_split = QSplitter(Qt.Orientation.Vertical)
        preview_split.addWidget(self.moves)
        preview_split.addWidget(self.sample)
        preview_layout.addWidget(preview_split, 1)

        top = QSplitter()
        top.addWidget(list_box)
        top.addWidget(rule_box)
        top.setStretchFactor(0, 3)
        top.setStretchFactor(1, 2)
        outer = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(top)
        outer.addWidget(preview_box)
        outer.setStretchFactor(0, 3)
        outer.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(outer)
        self._update_buttons()

    def _button(self, text: str, icon_name: str, tip: str, slot: object) -> QPushButton:
        button = QPushButton(icon(icon_name), text) if icon_name else QPushButton(text)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        button.clicked.connect(slot)
        return button

    # -- loading -----------------------------------------------------------------------------
    def load_from_project(self) -> None:
        """Show the stored rules (forgetting unapplied edits) and preview them."""
        project = self.session.project
        rules = list_rules(project.conn) if project else []
        self._set_rules(rules, dirty=False)

    def refresh(self) -> None:
        """The project changed: update targets; reload the rules unless edits are pending."""
        project = self.session.project
        series = list_series(project.conn) if project else []
        self.model.codes = {s.id: s.code for s in series if s.id is not None}
        self.form.set_targets(series)
        if not self.dirty:
            self.load_from_project()
        else:
            self.schedule_preview()

    def _set_rules(self, rules: list[ClassificationRule], *, dirty: bool) -> None:
        row = max(0, self.view.currentIndex().row())
        self.model.set_rules(rules)
        self.dirty = dirty
        if rules:
            self.view.selectRow(min(row, len(rules) - 1))
        else:
            self.form.show_rule(None)
        self._update_buttons()
        self.schedule_preview()

    # -- editing -----------------------------------------------------------------------------
    def current_row(self) -> int:
        index = self.view.currentIndex()
        return index.row() if index.isValid() else -1

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        rule = self.model.rules[current.row()] if current.isValid() else None
        self.form.show_rule(rule)
        self._update_buttons()

    def _rule_edited(self) -> None:
        row = self.current_row()
        if row >= 0:
            self.model.rule_changed(row)
        self._edited()

    def _edited(self) -> None:
        self.dirty = True
        self._update_buttons()
        self.schedule_preview()

    def add_rule(self) -> ClassificationRule:
        rule = ClassificationRule(Criteria(), name=_("New rule"))
        rules = self.model.rules
        self.model.beginInsertRows(QModelIndex(), len(rules), len(rules))
        rules.append(rule)
        self.model.endInsertRows()
        self.view.selectRow(len(rules) - 1)
        self.form.name.setFocus()
        self.form.name.selectAll()
        self._edited()
        return rule

    def remove_rule(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        self.model.beginRemoveRows(QModelIndex(), row, row)
        del self.model.rules[row]
        self.model.endRemoveRows()
        if self.model.rules:
            self.view.selectRow(min(row, len(self.model.rules) - 1))
        self._edited()

    def move_rule(self, step: int) -> None:
        row = self.current_row()
        new = row + step
        rules = self.model.rules
        if row < 0 or not 0 <= new < len(rules):
            return
        rules[row], rules[new] = rules[new], rules[row]
        self.model.rule_changed(row)
        self.model.rule_changed(new)
        self.view.selectRow(new)
        self._edited()

    def _update_buttons(self) -> None:
        row = self.current_row()
        count = len(self.model.rules)
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)
        self.apply_button.setEnabled(self.dirty)
        self.revert_button.setEnabled(self.dirty)
        self.apply_button.setText(_("Apply") + (" *" if self.dirty else ""))

    # -- preview ---------------------------------------------------------------------------
    def schedule_preview(self) -> None:
        if self.session.project is None:
            return
        self.summary.setText(_("Computing the preview…"))
        self._timer.start()

    def start_preview(self) -> None:
        project = self.session.project
        if project is None:
            return
        if self._preview_task is not None and not self._preview_task.done:
            self._preview_task.cancel()
        rules = copy.deepcopy(self.model.rules)
        path = project.path

        def work(token: CancelToken, _progress: ProgressSink) -> RulesPreview:
            return preview_in_worker(path, rules, token)

        task = Task(_("Preview of the classification rules"), work, report_errors=False)
        task.succeeded.connect(lambda result, t=task: self._preview_ready(t, result))
        task.failed.connect(lambda error, t=task: self._preview_failed(t, error))
        self._preview_task = TaskRunner.of(self.session).start(task)

    def preview_running(self) -> bool:
        return self._timer.isActive() or (
            self._preview_task is not None and not self._preview_task.done
        )

    def _preview_ready(self, task: Task, preview: RulesPreview) -> None:
        if task is not self._preview_task:
            return  # an older preview
        self.last_preview = preview
        self.model.set_preview(preview)
        if preview.changed:
            text = _(
                "With these rules, {changed} files would change place; {todo} would remain"
                " to classify."
            ).format(changed=format_count(preview.changed), todo=format_count(preview.unclassified))
        else:
            text = _("No file would change place; {todo} remain to classify.").format(
                todo=format_count(preview.unclassified)
            )
        if self.dirty:
            text += " " + _("Apply to store them.")
        self.summary.setText(text)
        self.moves.setRowCount(len(preview.moves))
        for row, (before, after, files) in enumerate(preview.moves):
            self.moves.setItem(row, 0, QTableWidgetItem(before))
            self.moves.setItem(row, 1, QTableWidgetItem(after))
            count = QTableWidgetItem(format_count(files))
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.moves.setItem(row, 2, count)
        self.sample.setRowCount(len(preview.sample))
        for row, (path, before, after) in enumerate(preview.sample):
            self.sample.setItem(row, 0, QTableWidgetItem(path))
            self.sample.setItem(row, 1, QTableWidgetItem(before))
            self.sample.setItem(row, 2, QTableWidgetItem(after))

    def _preview_failed(self, task: Task, error: BaseException) -> None:
        if task is not self._preview_task:
            return
        message = error.message if isinstance(error, AppError) else str(error)
        self.summary.setText(_("The preview cannot run: {error}").format(error=message))
        self.model.set_preview(None)

    # -- storing -------------------------------------------------------------------------
    def apply(self) -> None:
        incomplete = [i + 1 for i, r in enumerate(self.model.rules) if not is_complete(r)]
        if incomplete:
            self.summary.setText(
                _("Rules {numbers}: give each a target and at least one criterion.").format(
                    numbers=", ".join(map(str, incomplete))
                )
            )
            return
        rules = copy.deepcopy(self.model.rules)

        def stored(_result: object) -> None:
            self.dirty = False
            self._update_buttons()

        run_edit(
            self.session,
            _("Apply {n} classification rules").format(n=len(rules)),
            lambda p: replace_rules(p, rules),
            reclassify=True,
            on_done=stored,
        )

    def load_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Load a rules file"), "", RULES_FILTER)
        if path:
            self.load_path(Path(path))

    def load_path(self, path: Path) -> None:
        """Read a rules file into the editor; new series it declares are created first."""
        project = self.session.project
        if project is None:
            return
        try:
            rules_file = read_rules_file(path)
        except AppError as exc:
            show_error(self, exc)
            return
        known = {s.code: s.id for s in list_series(project.conn)}
        missing = [d.series.code for d in rules_file.series if d.series.code not in known]
        unknown_targets = [c for _r, c in rules_file.rules if c and c not in known]
        if missing or unknown_targets:
            if not confirm(
                self,
                _("Load a rules file"),
                _(
                    "The file declares series missing from the plan de classement ({codes})."
                    " Create them and store the file's rules now? You can undo this (Ctrl+Z)."
                ).format(codes=", ".join(missing or unknown_targets)),
                _("Create and store"),
            ):
                return
            run_edit(
                self.session,
                _("Load rules from {name}").format(name=path.name),
                lambda p: apply_rules_file(p, rules_file),
                reclassify=True,
                on_done=lambda _r: self._loaded_stored(),
            )
            return
        rules = []
        for rule, code in rules_file.rules:
            if code:
                rule.series_id = known[code]
            rules.append(rule)
        self._set_rules(rules, dirty=True)
        self.session.status_message.emit(
            _("{n} rules read from {name}: check the preview, then Apply.").format(
                n=len(rules), name=path.name
            )
        )

    def _loaded_stored(self) -> None:
        self.dirty = False

    def save_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the rules"), "regles.toml", RULES_FILTER
        )
        if path:
            self.save_path(Path(path))

    def save_path(self, path: Path) -> None:
        project = self.session.project
        if project is None:
            return
        try:
            path.write_text(rules_file_text(project.conn, self.model.rules), encoding="utf-8")
        except OSError as exc:
            show_error(
                self, AppError(_("Cannot write {path}: {error}").format(path=path, error=exc))
            )
            return
        self.session.status_message.emit(_("Rules saved to {path}").format(path=path))
