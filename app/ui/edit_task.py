"""The archivist's edits, run on the session's writing thread, then announced to every page.

Core edits (`assign`, `save_rule`, `set_answers`…) are short but they write: like the scan,
they go to the single writing thread so that no two writes race and an edit made while a
scan runs simply waits for it. When the edit succeeds the matching session signal is emitted
on the GUI thread, and every page refreshes what it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TypeVar

from app.audit.classify import recompute
from app.project.store import Project
from app.tasks import CancelToken, ProgressSink
from app.ui.session import Session
from app.ui.tasks import Task, TaskRunner

T = TypeVar("T")


class Changed(Enum):
    """Which session signal an edit emits when it succeeds."""

    CLASSIFICATION = "classification"  # series, assignments, rules, grid, schedule
    METADATA = "metadata"  # descriptive metadata of units
    NOTHING = "nothing"


def run_edit(
    session: Session,
    label: str,
    edit: Callable[[Project], T],
    *,
    changed: Changed = Changed.CLASSIFICATION,
    reclassify: bool = False,
    on_done: Callable[[T], None] | None = None,
) -> Task | None:
    """Run `edit(project)` on the writing thread; None when no project is open.

    With `reclassify`, where every file goes is recomputed in the same task, so the pages
    refresh once with assignments and their effect together. Failures reach the window's
    error dialog through the runner.
    """
    project = session.project
    if project is None:
        return None

    def work(_token: CancelToken, _progress: ProgressSink) -> object:
        result = edit(project)
        if reclassify:
            recompute(project)
        return result

    task = TaskRunner.of(session).write(label, work)

    def succeeded(result: object) -> None:
        if session.project is not project:
            return  # the project was closed meanwhile
        if on_done is not None:
            on_done(result)  # type: ignore[arg-type]
        if changed is Changed.CLASSIFICATION:
            session.classification_changed.emit()
        elif changed is Changed.METADATA:
            session.metadata_changed.emit()
        session.status_message.emit(label)

    task.succeeded.connect(succeeded)
    return task
