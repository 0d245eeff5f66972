"""Décrire: the descriptive metadata of any folder or file of the inventory.

Left, the inventory (select one unit to describe it, several to set a field on all). Right,
the structured form and the expert XML view of the unit's `<Content>`, checked as you type.
Save stores the description (Ctrl+S); choosing another unit saves the one being edited.

The units of the inventory are the share's own folders and files: their structure follows
the share and Besace never moves anything there. To leave a folder or a file out of the
packages, exclude it (button below the tree), which the Classer step records.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.project.metadata import Target, get_metadata, set_metadata
from app.project.preferences import SEDA_VERSION, get_preference
from app.project.series import assign
from app.seda.imported_edit import set_field_on_units, set_unit_elements, unit_elements
from app.seda.metadata import from_json, to_json
from app.seda.model import Element
from app.ui.classify.dialogs import ExcludeDialog
from app.ui.describe.bulk_edit import BulkEditPanel, set_field_on_all
from app.ui.describe.content_editor import ContentEditor, prune
from app.ui.describe.imported_panel import ImportedPanel
from app.ui.describe.schema import DEFAULT_VERSION, versions
from app.ui.describe.xml_editor import XmlEditor
from app.ui.dialogs import confirm
from app.ui.edit_task import Changed, run_edit
from app.ui.icons import icon
from app.ui.models.classified_tree import ClassifiedTreeModel, TreeColumn
from app.ui.pages.base import Page
from app.ui.session import Session
from app.ui.views.captioned_pane import captioned_pane

FORM_TAB, XML_TAB = 0, 1
EMPTY, EDITOR, BULK = 0, 1, 2
INVENTORY_SOURCE, IMPORTED_SOURCE = 0, 1


@dataclass(frozen=True, slots=True)
class ImportedUnit:
    """A unit of an imported tree (its id in `imported_unit`)."""

    id: int
    title: str


Unit = Target | ImportedUnit


class DescribePage(Page):
    page_id = "describe"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.target: Unit | None = None
        self.dirty = False
        self._working: list[Element] = []
        self._stale = True
        self._restoring = False

        # -- the units -------------------------------------------------------------------------
        self.tree_model = ClassifiedTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_model)
        self.tree.setAccessibleName(_("Folders and files to describe"))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setUniformRowHeights(True)
        for column in (TreeColumn.CLASS, TreeColumn.FILES, TreeColumn.TO_CLASSIFY):
            self.tree.setColumnHidden(column, True)
        self.tree.header().setSectionResizeMode(TreeColumn.NAME, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.selectionModel().selectionChanged.connect(self._selection_changed)
        structure = QLabel(
            _(
                "The folders and files follow the share: Besace never moves nor deletes"
                " them. To leave one out of the packages, exclude it."
            )
        )
        structure.setWordWrap(True)
        self.exclude_button = QPushButton(icon("remove"), _("Exclude…"))
        self.exclude_button.setToolTip(_("Leave the selected folders or files out of every series"))
        self.exclude_button.setAccessibleName(_("Exclude the selected units"))
        self.exclude_button.clicked.connect(self.exclude_selected)
        inventory = QWidget()
        inventory_layout = QVBoxLayout(inventory)
        inventory_layout.setContentsMargins(0, 0, 0, 0)
        inventory_layout.addWidget(self.tree, 1)
        inventory_layout.addWidget(structure)
        inventory_layout.addWidget(self.exclude_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.imported = ImportedPanel(session)
        self.imported.selection_changed.connect(self._imported_selection_changed)
        self.sources = QTabWidget()
        self.sources.setAccessibleName(_("Units to describe"))
        self.sources.addTab(inventory, icon("folder"), _("Inventory"))
        self.sources.addTab(self.imported, icon("package"), _("Imported trees"))
        self.sources.currentChanged.connect(self._source_changed)
        left = self.sources

        # -- one unit ---------------------------------------------------------------------------
        self.unit_label = QLabel()
        self.unit_label.setWordWrap(True)
        self.unit_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = ContentEditor()
        self.form.changed.connect(self._form_edited)
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setWidget(self.form)
        self.xml = XmlEditor()
        self.xml.parsed.connect(self._xml_edited)
        self.xml.text.textChanged.connect(self._update_state)
        self.tabs = QTabWidget()
        self.tabs.addTab(form_scroll, icon("edit"), _("Form"))
        self.tabs.addTab(self.xml, icon("schemas"), _("XML (expert)"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.state = QLabel()
        self.state.setAccessibleName(_("State of the description"))
        self.revert_button = QPushButton(icon("undo"), _("Revert"))
        self.revert_button.setToolTip(_("Forget the changes not saved"))
        self.revert_button.clicked.connect(self.revert)
        self.save_button = QPushButton(icon("ok"), _("Save"))
        self.save_button.setToolTip(_("Store the description (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        save_action = QAction(self)
        save_action.setShortcut(QKeySequence.StandardKey.Save)
        save_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_action.triggered.connect(self.save)
        self.addAction(save_action)
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        editor_box = captioned_pane(self.unit_label, self.tabs, buttons)

        self.bulk = BulkEditPanel()
        self.bulk.requested.connect(self.set_field_on_selection)
        self.empty = QLabel(
            _(
                "Choose a folder or a file on the left to describe it: title, description,"
                " dates, keywords, writers… Select several to set a field on all of them."
            )
        )
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(editor_box)
        self.stack.addWidget(self.bulk)

        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        session.project_changed.connect(self._project_changed)
        session.inventory_changed.connect(self._project_changed)
        session.metadata_changed.connect(self._metadata_changed)
        self._update_state()

    def title(self) -> str:
        return _("Describe")

    def icon_name(self) -> str:
        return "describe"

    # -- project ---------------------------------------------------------------------------
    def activated(self) -> None:
        if self._stale:
            self._load()

    def _project_changed(self) -> None:
        self._stale = True
        self.target = None
        self.dirty = False
        if self.isVisible():
            self._load()

    def _load(self) -> None:
        self._stale = False
        project = self.session.project
        self.tree_model.set_connection(project.conn if project else None)
        if self.tree_model.rowCount():
            self.tree.expand(self.tree_model.index(0, 0))
        self.imported.refresh()
        self.stack.setCurrentIndex(EMPTY)

    def version(self) -> str:
        project = self.session.project
        wanted = get_preference(project.conn, SEDA_VERSION, DEFAULT_VERSION) if project else ""
        return wanted if wanted in versions() else DEFAULT_VERSION

    def _metadata_changed(self) -> None:
        """Stored descriptions changed (a save, a bulk edit, an undo): show what is stored."""
        if self._stale:
            return
        self.imported.refresh()
        target = self.target
        if isinstance(target, ImportedUnit) and target.id not in self.imported.selected_units():
            self.target = None  # deleted or merged away
            self._show_selection(self.imported.selected_units(), imported=True)
        elif target is not None and not self.dirty:
            self.show_unit(target)

    # -- selection -------------------------------------------------------------------------
    def reveal(self, target: Target) -> bool:
        """Select a folder or file (e.g. from a problem of the Paquets page)."""
        if self._stale:
            self._load()
        self.sources.setCurrentIndex(INVENTORY_SOURCE)
        index = self.tree_model.reveal(target)
        if not index.isValid():
            return False
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return True

    def selected_targets(self) -> list[Target]:
        return self.tree_model.targets(self.tree.selectionModel().selectedRows(TreeColumn.NAME))

    def _selection_changed(self, _new: QItemSelection, _old: QItemSelection) -> None:
        if self._restoring or self.sources.currentIndex() != INVENTORY_SOURCE:
            return
        if self.dirty and not self._leave_unit():
            return
        self._show_selection(self.selected_targets(), imported=False)

    def _imported_selection_changed(self) -> None:
        if self._restoring or self.sources.currentIndex() != IMPORTED_SOURCE:
            return
        if self.dirty and not self._leave_unit():
            return
        self._show_selection(self.imported.selected_units(), imported=True)

    def _source_changed(self, index: int) -> None:
        if self.dirty and not self._leave_unit():
            return
        if index == IMPORTED_SOURCE:
            self._show_selection(self.imported.selected_units(), imported=True)
        else:
            self._show_selection(self.selected_targets(), imported=False)

    def _show_selection(self, chosen: list[Target] | list[int], *, imported: bool) -> None:
        if len(chosen) > 1:
            self.target = None
            self.bulk.set_count(len(chosen))
            self.stack.setCurrentIndex(BULK)
        elif chosen:
            first = chosen[0]
            if isinstance(first, Target):
                self.show_unit(first)
            else:
                label = self.imported.model.label(self.imported.model.index_of_unit(first))
                self.show_unit(ImportedUnit(first, label))
        else:
            self.target = None
            self.stack.setCurrentIndex(EMPTY)

    def _leave_unit(self) -> bool:
        """Before another unit is shown: save this one (asking when its XML is invalid)."""
        if self.tabs.currentIndex() == XML_TAB and (self.xml.pending() or not self.xml.valid):
            self.xml.check()
        if self.tabs.currentIndex() == XML_TAB and not self.xml.valid:
            if not confirm(
                self,
                _("Leave this unit"),
                _("The XML of this unit has errors and cannot be saved. Forget your changes?"),
                _("Forget the changes"),
            ):
                self._restoring = True
                try:
                    if isinstance(self.target, Target):
                        self.sources.setCurrentIndex(INVENTORY_SOURCE)
                        self.tree.setCurrentIndex(self.tree_model.reveal(self.target))
                    elif isinstance(self.target, ImportedUnit):
                        self.sources.setCurrentIndex(IMPORTED_SOURCE)
                        self.imported.select_unit(self.target.id)
                finally:
                    self._restoring = False
                return False
            self.dirty = False
            return True
        self.save()
        return True

    def show_unit(self, unit: Unit) -> None:
        project = self.session.project
        if project is None:
            return
        self.target = unit
        defaults: dict[str, str] = {}
        if isinstance(unit, ImportedUnit):
            self._working = unit_elements(project.conn, unit.id)
            self.unit_label.setText(f"<b>{_('Imported unit')}</b> — {unit.title}")
        else:
            self._working = from_json(get_metadata(project.conn, unit))
            name = unit.rel_path.rsplit("/", 1)[-1] if unit.rel_path else ""
            stem = name.rsplit(".", 1)[0] if unit.kind == "file" and "." in name[1:] else name
            kind = _("Folder") if unit.kind == "directory" else _("File")
            self.unit_label.setText(f"<b>{kind}</b> — {unit.rel_path or '/'}")
            defaults = {"Title": stem or name}
        version = self.version()
        self.form.set_content(self._working, version, defaults)
        self.xml.set_elements(prune(self._working), version)
        self.dirty = False
        self.stack.setCurrentIndex(EDITOR)
        self._update_state()

    # -- editing ---------------------------------------------------------------------------
    def _form_edited(self) -> None:
        self.dirty = True
        self._update_state()

    def _xml_edited(self, elements: list[Element]) -> None:
        self._working = elements
        self.dirty = True
        self._update_state()

    def _tab_changed(self, index: int) -> None:
        if index == XML_TAB:
            self.xml.set_elements(self.form.elements(), self.version())
        else:
            if self.xml.pending():
                self.xml.check()
            if self.xml.valid:
                self.form.set_content(self._working, self.version(), self.form.defaults)
        self._update_state()

    def current_elements(self) -> list[Element] | None:
        """What Save would store; None while the XML view holds invalid XML."""
        if self.tabs.currentIndex() == XML_TAB:
            if self.xml.pending():
                self.xml.check()
            if not self.xml.valid:
                return None
            return prune(self._working)
        return self.form.elements()

    def _update_state(self) -> None:
        xml_invalid = self.tabs.currentIndex() == XML_TAB and not self.xml.valid
        self.save_button.setEnabled(self.dirty and not xml_invalid)
        self.revert_button.setEnabled(self.dirty)
        if xml_invalid:
            self.state.setText("⚠ " + _("The XML has errors: fix them to save."))
        elif self.dirty:
            self.state.setText(_("Modified, not saved yet."))
        else:
            self.state.setText(_("Saved."))

    def save(self) -> None:
        unit = self.target
        if unit is None or not self.dirty:
            return
        elements = self.current_elements()
        if elements is None:
            self._update_state()
            self.xml.go_to_problem()
            return
        self.dirty = False
        self._update_state()
        if isinstance(unit, ImportedUnit):
            run_edit(
                self.session,
                _("Describe {path}").format(path=unit.title),
                lambda p: set_unit_elements(p, unit.id, elements),
                changed=Changed.METADATA,
            )
            return
        content = to_json(elements)
        run_edit(
            self.session,
            _("Describe {path}").format(path=unit.rel_path or "/"),
            lambda p: set_metadata(p, unit, content),
            changed=Changed.METADATA,
        )

    def revert(self) -> None:
        if self.target is not None:
            self.dirty = False
            self.show_unit(self.target)

    # -- several units ---------------------------------------------------------------------
    def set_field_on_selection(self, path: str, value: str | None, add: bool) -> None:
        if self.sources.currentIndex() == IMPORTED_SOURCE:
            units = self.imported.selected_units()
            run_edit(
                self.session,
                _("Set {path} on {n} units").format(path=path, n=len(units)),
                lambda p: set_field_on_units(p, units, path, value, add=add),
                changed=Changed.METADATA,
            )
            return
        targets = self.selected_targets()
        if not targets:
            return
        run_edit(
            self.session,
            _("Set {path} on {n} units").format(path=path, n=len(targets)),
            lambda p: set_field_on_all(p, targets, path, value, add=add),
            changed=Changed.METADATA,
        )

    def exclude_selected(self) -> None:
        targets = self.selected_targets()
        if not targets:
            self.session.status_message.emit(_("Select folders or files first."))
            return
        dialog = ExcludeDialog(len(targets), self)
        if dialog.exec():
            reason, comment = dialog.chosen()
            run_edit(
                self.session,
                _("Exclude {count} item(s)").format(count=len(targets)),
                lambda p: assign(p, targets, exclusion=reason, comment=comment),
                reclassify=True,
            )
