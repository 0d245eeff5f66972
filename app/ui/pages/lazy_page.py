"""A page that reloads what it shows only when it is seen.

Session signals say the project's data changed; reading it again for a hidden page would be
wasted work, so such a page only notes that it is stale and reloads when next shown.
"""

from __future__ import annotations

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QWidget

from app.ui.pages.base import Page
from app.ui.session import Session


class LazyPage(Page):
    """Subclasses implement `_load()` and name the signals that make them stale."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._stale = True

    def reload_on(self, *signals: SignalInstance) -> None:
        for signal in signals:
            signal.connect(self._changed)

    def activated(self) -> None:
        if self._stale:
            self.refresh()

    def _changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        self._stale = False
        self._load()

    def _load(self) -> None:
        """Read the project again and show it."""
        raise NotImplementedError
