"""Conservation: referentials, the retention of each series, states on a date, eliminations."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.i18n import _
from app.ui.icons import icon
from app.ui.pages.lazy_page import LazyPage
from app.ui.retention.eliminations import EliminationsView
from app.ui.retention.referentials import ReferentialsView
from app.ui.retention.series_rules import SeriesRulesView
from app.ui.retention.states_view import StatesView
from app.ui.session import Session


class RetentionPage(LazyPage):
    page_id = "retention"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.states = StatesView(session)
        self.series_rules = SeriesRulesView(session)
        self.referentials = ReferentialsView(session)
        self.eliminations = EliminationsView(session, self.states.reference_date)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(_("Retention"))
        self.tabs.addTab(self.states, icon("retention"), _("States"))
        self.tabs.addTab(self.series_rules, icon("classify"), _("Rules per series"))
        self.tabs.addTab(self.referentials, icon("schemas"), _("Referentials"))
        self.tabs.addTab(self.eliminations, icon("remove"), _("Eliminations"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.reload_on(
            session.project_changed, session.inventory_changed, session.classification_changed
        )

    def title(self) -> str:
        return _("Retention")

    def icon_name(self) -> str:
        return "retention"

    def _load(self) -> None:
        if self.session.project is None:
            return
        self.states.refresh()
        self.series_rules.refresh()
        self.referentials.refresh()
        self.eliminations.refresh()
