"""Classer: the plan de classement, assignments, classification rules and the audit grid."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.i18n import _
from app.project.series import Series
from app.ui.classify.assign_panel import AssignPanel
from app.ui.classify.grid_form import GridForm
from app.ui.classify.rules_editor import RulesEditor
from app.ui.icons import icon
from app.ui.pages.base import Page
from app.ui.session import Session


class ClassifyPage(Page):
    page_id = "classify"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.assign_panel = AssignPanel(session)
        self.rules_editor = RulesEditor(session)
        self.grid_form = GridForm(session)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(_("Classification"))
        self.tabs.addTab(self.assign_panel, icon("classify"), _("Plan and assignments"))
        self.tabs.addTab(self.rules_editor, icon("edit"), _("Rules"))
        self.tabs.addTab(self.grid_form, icon("reports"), _("Audit grid"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.assign_panel.series_selected.connect(self._series_selected)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_if_needed())

        self._stale_inventory = True
        self._stale_classes = True
        session.project_changed.connect(self._inventory_changed)
        session.inventory_changed.connect(self._inventory_changed)
        session.classification_changed.connect(self._classification_changed)

    def title(self) -> str:
        return _("Classify")

    def icon_name(self) -> str:
        return "classify"

    def activated(self) -> None:
        self._refresh_if_needed()

    def _inventory_changed(self) -> None:
        self._stale_inventory = True
        self._stale_classes = True
        self._refresh_if_needed()

    def _classification_changed(self) -> None:
        self._stale_classes = True
        self._refresh_if_needed()

    def _refresh_if_needed(self) -> None:
        """Pages hidden behind another refresh when they are shown again."""
        if not self.isVisible():
            return
        if self._stale_inventory:
            self._stale_inventory = False
            self._stale_classes = False
            self.assign_panel.load()
            self.rules_editor.refresh()
            self.grid_form.refresh()
        elif self._stale_classes:
            self._stale_classes = False
            self.assign_panel.refresh()
            self.rules_editor.refresh()
            self.grid_form.refresh()

    def _series_selected(self, series: Series | None) -> None:
        if series is not None:
            self.grid_form.show_series(series.id)
