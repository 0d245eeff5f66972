"""The open mission as the window sees it: one project, and signals when its data changes.

Pages never keep their own project handle: they read `session.project` and listen to the
signals below to refresh. Every change made through the core is followed by the matching
signal, emitted on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.project.store import Project


class Session(QObject):
    """Owns the open `Project` (or none) for the whole window."""

    project_changed = Signal()  # a project was opened or closed
    inventory_changed = Signal()  # a scan finished or was cancelled: files, folders, issues
    classification_changed = Signal()  # series, assignments, rules, grid, schedule
    metadata_changed = Signal()  # descriptive metadata of units
    outbox_changed = Signal()  # packages queued, sent, answered
    status_message = Signal(str)  # a short message for the status bar
    # "Problems are places": show a unit (app.project.metadata.Target) on a page (page id).
    reveal_requested = Signal(str, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None

    @property
    def project(self) -> Project | None:
        return self._project

    @property
    def path(self) -> Path | None:
        return self._project.path if self._project else None

    def open(self, path: Path) -> Project:
        """Open a project file (closing the current one); raises the core's `AppError`."""
        project = Project.open(path)
        self.close(emit=False)
        self._project = project
        self.project_changed.emit()
        return project

    def adopt(self, project: Project) -> None:
        """Take a project the caller created or opened."""
        self.close(emit=False)
        self._project = project
        self.project_changed.emit()

    def close(self, *, emit: bool = True) -> None:
        if self._project is not None:
            self._project.close()
            self._project = None
            if emit:
                self.project_changed.emit()
