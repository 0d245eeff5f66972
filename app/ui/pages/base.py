"""What every page of the main window offers the shell."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.session import Session


class Page(QWidget):
    """One step of the mission in the navigation bar (Accueil, Analyse, Explorer…).

    A page reads the project through `self.session` and refreshes itself when the session's
    signals say its data changed. `activated()` is called each time the user shows it, so a
    page can load lazily.
    """

    page_id = ""  # stable key, e.g. "explore" (screenshots, settings, tests)
    needs_project = True  # disabled in the navigation while no project is open

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session

    def title(self) -> str:
        """The name in the navigation bar, translated."""
        raise NotImplementedError

    def icon_name(self) -> str:
        """A name understood by `app.ui.icons.icon()`."""
        return ""

    def activated(self) -> None:
        """Called when the page is shown."""

    def step_state(self) -> tuple[str, str] | None:
        """Where this step stands, for the step bar: ("done" | "todo" | "problems", a short
        sentence), or None when it has nothing to say. Called on the GUI thread after the
        session's signals: keep it to a quick query."""
        return None
