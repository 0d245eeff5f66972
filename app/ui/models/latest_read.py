"""One read-only background query per view, the newest winning.

A view that reloads on every click (a folder, a sort, a search word) must not show a stale
answer that arrives late: each new request cancels the previous task (its SQLite query is
interrupted) and only the newest task's result reaches the view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

from app.tasks import CancelToken, ProgressSink
from app.ui.session import Session
from app.ui.tasks import Task, TaskRunner

T = TypeVar("T")


class LatestRead(QObject, Generic[T]):
    """Starts `work(token)` on the runner's read pool; `done(result)` runs on the GUI thread."""

    busy_changed = Signal(bool)

    def __init__(self, session: Session, label: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self._label = label
        self._task: Task | None = None

    @property
    def busy(self) -> bool:
        return self._task is not None

    def start(
        self,
        work: Callable[[CancelToken], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        was_busy = self.busy
        self._cancel_current()

        def run(token: CancelToken, _progress: ProgressSink) -> object:
            return work(token)

        task = TaskRunner.of(self._session).read(self._label, run)
        self._task = task
        task.succeeded.connect(lambda result: self._finish(task, done, result))
        if failed is not None:
            task.failed.connect(lambda error: self._finish(task, failed, error))
        task.finished.connect(lambda: self._forget(task))
        if not was_busy:
            self.busy_changed.emit(True)

    def cancel(self) -> None:
        if self._task is not None:
            self._cancel_current()
            self.busy_changed.emit(False)

    def _cancel_current(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _finish(self, task: Task, handler: Callable[[Any], None], value: object) -> None:
        if task is self._task:
            handler(value)

    def _forget(self, task: Task) -> None:
        if task is self._task:
            self._task = None
            self.busy_changed.emit(False)
