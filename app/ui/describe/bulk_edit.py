"""Setting one field on many units at once: the panel, and the edit it runs (one undo step)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.i18n import _
from app.project.metadata import Target, get_metadata, set_metadata_many
from app.project.store import Project
from app.seda.metadata import assign, check_path, from_json, to_json
from app.ui.describe.content_editor import label_of
from app.ui.describe.schema import DEFAULT_VERSION, top_level
from app.ui.icons import icon

# Paths offered first (any dotted path of the ontology can be typed).
COMMON_PATHS = (
    "Title",
    "Description",
    "DescriptionLevel",
    "Keyword.KeywordContent",
    "Language",
    "OriginatingAgency.Identifier",
    "Writer.FullName",
    "Addressee.FullName",
    "StartDate",
    "EndDate",
    "CustodialHistory.CustodialHistoryItem",
    "FilePlanPosition",
)


def _with_rank(elements_json: list[dict[str, object]], path: str, add: bool) -> str:
    """With `add`, the path of a new occurrence of a repeatable top-level element."""
    if not add:
        return path
    head, _sep, rest = path.partition(".")
    if head.isdigit() or (rest and rest.split(".")[0].isdigit()):
        return path  # a rank is already given
    repeatable = {c.name for c in top_level(DEFAULT_VERSION) if c.repeatable}
    if head not in repeatable:
        return path
    rank = sum(1 for e in elements_json if e.get("name") == head)
    return f"{head}.{rank}" + (f".{rest}" if rest else "")


def set_field_on_all(
    project: Project, targets: list[Target], path: str, value: str | None, *, add: bool = False
) -> int:
    """Set (or add, or remove when `value` is None) one field on every target."""
    check_path(path)
    items = []
    for target in targets:
        current = get_metadata(project.conn, target)
        elements = from_json(current)
        assign(elements, _with_rank(current, path, add and value is not None), value)
        items.append((target, to_json(elements)))
    verb = _("Remove {path}") if value is None else _("Set {path}")
    set_metadata_many(
        project, items, (verb + " " + _("on {n} units")).format(path=path, n=len(targets))
    )
    return len(items)


class BulkEditPanel(QWidget):
    """Shown when several units are selected."""

    requested = Signal(str, object, bool)  # path, value (None: remove), add an occurrence

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        self.path = QComboBox()
        self.path.setEditable(True)
        self.path.setAccessibleName(_("Field"))
        for p in COMMON_PATHS:
            label = label_of(p.split(".")[-1])
            self.path.addItem(f"{label} — {p}" if label != p else p, p)
        self.value = QLineEdit()
        self.value.setAccessibleName(_("Value"))
        self.replace = QRadioButton(_("Replace the field (its first occurrence)"))
        self.add = QRadioButton(_("Add one more occurrence (keywords, writers…)"))
        self.replace.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.replace)
        group.addButton(self.add)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.apply_button = QPushButton(icon("ok"), _("Set on all"))
        self.apply_button.setAccessibleName(_("Set the field on all selected units"))
        self.apply_button.clicked.connect(self._apply)
        self.remove_button = QPushButton(icon("remove"), _("Remove from all"))
        self.remove_button.setAccessibleName(_("Remove the field from all selected units"))
        self.remove_button.clicked.connect(self._remove)

        form = QFormLayout()
        form.addRow(_("Field"), self.path)
        form.addRow(_("Value"), self.value)
        form.addRow("", self.replace)
        form.addRow("", self.add)
        buttons = QHBoxLayout()
        buttons.addWidget(self.apply_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count_label)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def set_count(self, count: int) -> None:
        self.count_label.setText(
            "<b>"
            + _("{n} units selected.").format(n=count)
            + "</b> "
            + _("Set one field on all of them at once (you can undo it with Ctrl+Z).")
        )
        self.problem.clear()

    def chosen_path(self) -> str:
        text = self.path.currentText()
        found = self.path.findText(text)
        if found >= 0:
            return str(self.path.itemData(found))
        return text.split(" — ")[-1].strip()

    def _checked_path(self) -> str | None:
        path = self.chosen_path()
        try:
            check_path(path)
        except AppError as exc:
            self.problem.setText("⚠ " + exc.message)
            return None
        self.problem.clear()
        return path

    def _apply(self) -> None:
        path = self._checked_path()
        if path is None:
            return
        if not self.value.text().strip():
            self.problem.setText("⚠ " + _("Type the value to set."))
            return
        self.requested.emit(path, self.value.text().strip(), self.add.isChecked())

    def _remove(self) -> None:
        path = self._checked_path()
        if path is not None:
            self.requested.emit(path, None, False)
