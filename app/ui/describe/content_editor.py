"""The structured editor of a unit's descriptive metadata, driven by the SEDA ontology.

Fields are grouped (identification, dates, keywords, agents, history, other). The usual
ones are always shown; any other element of the unit's SEDA version can be added from each
group's "Add" menu. Repeatable elements get + and − buttons; elements made of others
(Keyword, Writer, CustodialHistory…) show their own fields the same way. Edits change the
element list in place; `elements()` returns it without the fields left empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from app.i18n import N_, _
from app.seda.metadata import ROOT_TYPE
from app.seda.model import DESCRIPTION_LEVELS, Element
from app.ui.describe.schema import (
    DATE_TYPES,
    GROUPS,
    OTHER_GROUP,
    Child,
    children,
    holds_text,
    top_level,
)
from app.ui.icons import icon

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")

# Friendly names of the common elements (the SEDA name stays in the tooltip).
LABELS = {
    "Title": N_("Title"),
    "Description": N_("Description"),
    "DescriptionLevel": N_("Description level"),
    "FilePlanPosition": N_("Position in the file plan"),
    "OriginatingAgencyArchiveUnitIdentifier": N_("Producer's identifier (cote)"),
    "TransferringAgencyArchiveUnitIdentifier": N_("Transferring agency's identifier"),
    "ArchivalAgencyArchiveUnitIdentifier": N_("Archives' identifier"),
    "StartDate": N_("Start date"),
    "EndDate": N_("End date"),
    "CreatedDate": N_("Created"),
    "TransactedDate": N_("Transacted"),
    "SentDate": N_("Sent"),
    "ReceivedDate": N_("Received"),
    "RegisteredDate": N_("Registered"),
    "AcquiredDate": N_("Acquired"),
    "Keyword": N_("Keyword"),
    "KeywordContent": N_("Keyword"),
    "KeywordType": N_("Kind of keyword"),
    "KeywordReference": N_("Reference"),
    "Language": N_("Language of the documents"),
    "DescriptionLanguage": N_("Language of the description"),
    "OriginatingAgency": N_("Service producteur"),
    "SubmissionAgency": N_("Service versant"),
    "Writer": N_("Writer"),
    "Addressee": N_("Addressee"),
    "Recipient": N_("Recipient"),
    "Sender": N_("Sender"),
    "Transmitter": N_("Transmitter"),
    "CustodialHistory": N_("Custodial history"),
    "CustodialHistoryItem": N_("Custodial history item"),
    "Identifier": N_("Identifier"),
    "FullName": N_("Full name"),
    "FirstName": N_("First name"),
    "BirthName": N_("Last name"),
    "Corpname": N_("Organisation"),
    "Function": N_("Function"),
    "Role": N_("Role"),
    "Tag": N_("Tag"),
    "DocumentType": N_("Document type"),
}
# Children always shown inside an element made of others, by type.
MAIN_CHILDREN = {
    "KeywordsType": ("KeywordContent", "KeywordType"),
    "AgentType": ("FullName", "FirstName", "BirthName", "Corpname", "Function"),
    "OrganizationType": ("Identifier",),
    "CustodialHistoryType": ("CustodialHistoryItem",),
    "CoverageType": ("Spatial", "Temporal"),
    "EventType": ("EventType", "EventDateTime", "EventDetail"),
}
PLACEHOLDERS = {
    "Language": "fra",
    "DescriptionLanguage": "fra",
    "KeywordType": "subject, corpname, geogname, person…",
    "StartDate": "2019-01-31",
    "EndDate": "2019-12-31",
}


def label_of(name: str) -> str:
    return _(LABELS[name]) if name in LABELS else name


def prune(elements: list[Element]) -> list[Element]:
    """The elements without empty leaves, nor elements left with nothing inside."""
    kept: list[Element] = []
    for e in elements:
        if e.children:
            inner = prune(e.children)
            if inner:
                kept.append(Element(e.name, None, inner, dict(e.attrs)))
        elif e.text is not None and e.text.strip():
            kept.append(Element(e.name, e.text.strip(), [], dict(e.attrs)))
    return kept


class _Slot:
    """An element's place in its parent's list; an element not placed yet joins it on edit."""

    def __init__(
        self, siblings: list[Element], element: Element, attach_parent: Callable[[], None]
    ):
        self.siblings = siblings
        self.element = element
        self._attach_parent = attach_parent

    def attach(self) -> None:
        self._attach_parent()
        if not any(e is self.element for e in self.siblings):
            self.siblings.append(self.element)


class DateField(QWidget):
    """An ISO date typed or picked in a calendar; says so when the text is not a date."""

    edited = Signal(str)

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.line = QLineEdit(text)
        self.line.setPlaceholderText(_("YYYY-MM-DD"))
        self.pick = QToolButton()
        self.pick.setText("…")
        self.pick.setToolTip(_("Pick the date in a calendar"))
        self.pick.setAccessibleName(_("Pick the date in a calendar"))
        self.pick.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.pick)
        self.calendar = QCalendarWidget()
        self.calendar.clicked.connect(self._picked)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        menu.aboutToShow.connect(self._sync_calendar)
        self.pick.setMenu(menu)
        self.warning = QLabel()
        layout.addWidget(self.line, 1)
        layout.addWidget(self.pick)
        layout.addWidget(self.warning)
        self.line.textEdited.connect(self._typed)
        self._check()

    def _sync_calendar(self) -> None:
        day = QDate.fromString(self.line.text()[:10], Qt.DateFormat.ISODate)
        if day.isValid():
            self.calendar.setSelectedDate(day)

    def _picked(self, day: QDate) -> None:
        self.line.setText(day.toString(Qt.DateFormat.ISODate))
        self.pick.menu().hide()
        self._typed(self.line.text())

    def _typed(self, text: str) -> None:
        self._check()
        self.edited.emit(text)

    def _check(self) -> None:
        text = self.line.text().strip()
        if text and not _DATE.match(text):
            self.warning.setText("⚠ " + _("not a date (YYYY-MM-DD)"))
        else:
            self.warning.clear()


class _FieldBlock(QWidget):
    """Every occurrence of one element name in a list, with + / − when it repeats."""

    def __init__(
        self,
        editor: ContentEditor,
        siblings: list[Element],
        info: Child,
        attach_parent: Callable[[], None],
    ) -> None:
        super().__init__()
        self.editor = editor
        self.siblings = siblings
        self.info = info
        self.attach_parent = attach_parent
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.rebuild()

    def occurrences(self) -> list[Element]:
        return [e for e in self.siblings if e.name == self.info.name]

    def rebuild(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        found = self.occurrences() or [Element(self.info.name)]
        leaf = holds_text(self.editor.version, self.info.type_name)
        name = label_of(self.info.name)
        for number, element in enumerate(found, start=1):
            slot = _Slot(self.siblings, element, self.attach_parent)
            row = QWidget()
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            row_layout.addWidget(self._editor_for(slot, number, len(found)), 1)
            if self.info.repeatable and len(found) > 1:
                remove = QToolButton()
                remove.setIcon(icon("remove"))
                text = _("Remove this {name}").format(name=name)
                remove.setToolTip(text)
                remove.setAccessibleName(text)
                remove.clicked.connect(lambda _c=False, e=element: self.remove(e))
                row_layout.addWidget(remove, 0, Qt.AlignmentFlag.AlignTop)
            if self.info.repeatable and leaf and number == len(found):
                # A second Title or Description (another language) is rare: a small button.
                add = QToolButton()
                add.setIcon(icon("add"))
                text = _("Add a {name}").format(name=name)
                add.setToolTip(text)
                add.setAccessibleName(text)
                add.clicked.connect(self.add)
                row_layout.addWidget(add, 0, Qt.AlignmentFlag.AlignTop)
            self._layout.addWidget(row)
        if self.info.repeatable and not leaf:
            add = QToolButton()
            add.setIcon(icon("add"))
            text = _("Add a {name}").format(name=name)
            add.setText(text)
            add.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            add.setAccessibleName(text)
            add.clicked.connect(self.add)
            self._layout.addWidget(add, 0, Qt.AlignmentFlag.AlignLeft)

    def add(self) -> None:
        found = self.occurrences()
        if not found:  # the empty field shown stands for the first one
            first = Element(
                self.info.name, "" if holds_text(self.editor.version, self.info.type_name) else None
            )
            _Slot(self.siblings, first, self.attach_parent).attach()
        new = Element(self.info.name)
        _Slot(self.siblings, new, self.attach_parent).attach()
        self.rebuild()
        self.editor.changed.emit()

    def remove(self, element: Element) -> None:
        self.siblings[:] = [e for e in self.siblings if e is not element]
        self.rebuild()
        self.editor.changed.emit()

    def _editor_for(self, slot: _Slot, number: int, count: int) -> QWidget:
        info = self.info
        version = self.editor.version
        name = label_of(info.name)
        shown = name if count == 1 else f"{name} {number}"
        if not holds_text(version, info.type_name):
            # The row's label names the element; a box title only numbers repetitions.
            box = QGroupBox(shown if count > 1 else "")
            box.setToolTip(info.name)
            box.setAccessibleName(shown)
            box_layout = QVBoxLayout(box)
            box_layout.addWidget(
                _ElementList(
                    self.editor,
                    slot.element.children,
                    info.type_name,
                    MAIN_CHILDREN.get(info.type_name, ()),
                    slot.attach,
                )
            )
            return box
        text = slot.element.text or ""

        def edited(value: str) -> None:
            slot.element.text = value
            slot.attach()
            self.editor.changed.emit()

        widget: QWidget
        if info.type_name in DATE_TYPES:
            field = DateField(text)
            field.edited.connect(edited)
            field.line.setAccessibleName(shown)
            widget = field
        elif info.name == "DescriptionLevel":
            combo = QComboBox()
            combo.addItem("—", "")
            for level in DESCRIPTION_LEVELS:
                combo.addItem(level, level)
            if text and combo.findData(text) < 0:
                combo.addItem(text, text)
            combo.setCurrentIndex(max(0, combo.findData(text)))
            combo.currentIndexChanged.connect(lambda _i: edited(str(combo.currentData())))
            combo.setAccessibleName(shown)
            widget = combo
        elif info.name == "Description":
            area = QPlainTextEdit(text)
            area.setTabChangesFocus(True)
            area.setFixedHeight(72)
            area.textChanged.connect(lambda: edited(area.toPlainText()))
            area.setAccessibleName(shown)
            widget = area
        else:
            line = QLineEdit(text)
            line.textEdited.connect(edited)
            line.setAccessibleName(shown)
            line.setPlaceholderText(
                self.editor.defaults.get(info.name) or PLACEHOLDERS.get(info.name, "")
            )
            widget = line
        widget.setToolTip(info.name)
        return widget


class _ElementList(QWidget):
    """Some element names of one list (a group of the form, or inside an element)."""

    def __init__(
        self,
        editor: ContentEditor,
        siblings: list[Element],
        type_name: str,
        always: tuple[str, ...],
        attach_parent: Callable[[], None],
        *,
        offered: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__()
        self.editor = editor
        self.siblings = siblings
        self.type_name = type_name
        self.attach_parent = attach_parent
        known = {c.name: c for c in children(editor.version, type_name)}
        # What this list may show: the names given, else every child of the type.
        self.offered = [n for n in (offered if offered is not None else known) if n in known]
        self.known = known
        present = {e.name for e in siblings}
        self.shown = [n for n in self.offered if n in always or n in present]
        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._form)
        for name in self.shown:
            self._add_row(name)
        self.add_button = QToolButton()
        self.add_button.setText(_("Add a field…"))
        self.add_button.setIcon(icon("add"))
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_button.setAccessibleName(_("Add a field"))
        self._menu = QMenu(self.add_button)
        self._menu.aboutToShow.connect(self._fill_menu)
        self.add_button.setMenu(self._menu)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.add_button.setVisible(len(self.shown) < len(self.offered))

    def _add_row(self, name: str) -> None:
        label = QLabel(label_of(name))
        label.setToolTip(name)
        block = _FieldBlock(self.editor, self.siblings, self.known[name], self.attach_parent)
        label.setBuddy(block)
        self._form.addRow(label, block)

    def _fill_menu(self) -> None:
        self._menu.clear()
        for name in self.offered:
            if name not in self.shown:
                action = self._menu.addAction(
                    f"{label_of(name)} ({name})" if name in LABELS else name
                )
                action.triggered.connect(lambda _c=False, n=name: self.show_field(n))

    def show_field(self, name: str) -> None:
        if name in self.shown or name not in self.known:
            return
        self.shown.append(name)
        self._add_row(name)
        self.add_button.setVisible(len(self.shown) < len(self.offered))


class ContentEditor(QWidget):
    """The form of one unit's descriptive metadata."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.version = "2.2"
        self.defaults: dict[str, str] = {}
        self._elements: list[Element] = []
        self._layout = QVBoxLayout(self)
        self.lists: dict[str, _ElementList] = {}

    def set_content(
        self, elements: list[Element], version: str, defaults: dict[str, str] | None = None
    ) -> None:
        """Show these elements (edited in place) for a unit of this SEDA version."""
        self.version = version
        self.defaults = defaults or {}
        self._elements = elements
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.lists = {}
        names = [c.name for c in top_level(version)]
        grouped = {n for _t, always, optional in GROUPS for n in (*always, *optional)}
        for title, always, optional in GROUPS:
            offered = (
                tuple(n for n in names if n not in grouped)
                if title == OTHER_GROUP
                else (*always, *optional)
            )
            box = QGroupBox(_(title))
            box_layout = QVBoxLayout(box)
            element_list = _ElementList(
                self, self._elements, ROOT_TYPE, always, lambda: None, offered=offered
            )
            box_layout.addWidget(element_list)
            self.lists[title] = element_list
            self._layout.addWidget(box)
        self._layout.addStretch(1)

    def elements(self) -> list[Element]:
        return prune(self._elements)

    def show_field(self, name: str) -> None:
        """Show an element's field (e.g. before filling it from a test or a shortcut)."""
        for element_list in self.lists.values():
            element_list.show_field(name)
