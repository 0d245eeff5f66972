"""The only place that starts threads for the window: core work off the GUI thread.

A `Task` wraps a plain core callable `work(token, progress) -> result` (the contract of
`app.tasks`). It runs on one of two pools owned by the session's `TaskRunner`:

- `reads`: a `QThreadPool` of several threads for work that only reads (queries, previews);
- `writes`: a pool of exactly one thread for every project-database write and for long core
  work that writes (the scan, building, sending). Writes therefore never race each other, and
  a write queued while the scan runs starts when the scan ends.

Results, errors and progress come back to the GUI thread as queued signals: the working
thread only emits signals of a bridge object that lives in the GUI thread, and the `Task`
re-emits them there. Nothing in this module touches a widget or a Qt model off the GUI thread,
and neither may `work`.

Progress reaches the GUI at most ten times a second (the last report is always delivered).

Long work runs in the background: the writing thread (and the processes it starts, such as
the scan's workers) gets a lower priority, so the window keeps a core when the machine is
busy.

Pausing (`Task.pause()`, for the scan): the task's progress sink waits on a `PauseGate` before
returning. The core calls its sink between units of work, so the working thread simply stops
there, inside the core call, until `resume()` or `cancel()`. Worker processes finish what they
hold and then idle. The core may still hold the project's write lock for its current batch
while paused (at most half a second of work), so other writes wait until it resumes: the
window keeps its own writes (undo, edits) on the `writes` pool, queued behind the scan.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from enum import Enum
from typing import ClassVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThread, QThreadPool, Signal, Slot

from app.tasks import Cancelled, CancelToken, Progress, ProgressSink
from app.ui.session import Session

log = logging.getLogger(__name__)

Work = Callable[[CancelToken, ProgressSink], object]
PROGRESS_INTERVAL = 0.1  # seconds between two progress signals (≤ 10 per second)


class Pool(Enum):
    READS = "reads"
    WRITES = "writes"


class PauseGate:
    """Holds the working thread in its progress sink while paused; thread-safe."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def wait(self, token: CancelToken) -> None:
        """Return at once when running; else when resumed or cancelled."""
        while not self._running.wait(0.1):
            if token.cancelled:
                return


class _Bridge(QObject):
    """Lives in the GUI thread; the working thread emits its signals (delivered queued)."""

    progress = Signal(object)
    outcome = Signal(str, object)  # "ok" | "error" | "cancelled", value


BACKGROUND_NICENESS = 5


def _run_in_background() -> None:
    """Lower the calling thread's priority, so the window always gets a core first.

    On Linux a thread has its own nice value, and processes it starts inherit it: the scan's
    worker processes run in the background too. Elsewhere Qt's thread priority does it.
    Never raised back: the writing thread does nothing but background work.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            tid = threading.get_native_id()
            current = os.getpriority(os.PRIO_PROCESS, tid)
            if current < BACKGROUND_NICENESS:
                os.setpriority(os.PRIO_PROCESS, tid, BACKGROUND_NICENESS)
    else:
        QThread.currentThread().setPriority(QThread.Priority.LowPriority)


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:  # in a pool thread
        if self._task.pool is Pool.WRITES:
            _run_in_background()
        self._task._execute()


class Task(QObject):
    """One piece of core work; connect its signals, then give it to `TaskRunner.start`."""

    progressed = Signal(object)  # Progress, at most ten a second
    succeeded = Signal(object)  # the callable's result
    failed = Signal(object)  # the exception (AppError for domain errors)
    cancelled = Signal()  # the callable raised Cancelled (or returned after a cancel)
    finished = Signal()  # always last, after one of the three above
    paused_changed = Signal(bool)

    def __init__(
        self,
        label: str,
        work: Work,
        *,
        pool: Pool = Pool.READS,
        pausable: bool = False,
        report_errors: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = label  # shown in the status bar while it runs
        self.pool = pool
        self.pausable = pausable
        # When True, the runner's `error` signal carries failures to the error dialog.
        self.report_errors = report_errors
        self.token = CancelToken()
        self.gate = PauseGate()
        self.latest: Progress | None = None  # last progress seen on the GUI thread
        self.result: object = None
        self.error: BaseException | None = None
        self.state = "waiting"  # waiting | running | succeeded | failed | cancelled
        self._work = work
        self._bridge = _Bridge()
        self._bridge.progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._bridge.outcome.connect(self._on_outcome, Qt.ConnectionType.QueuedConnection)
        self._pending: Progress | None = None
        self._last_emit = 0.0
        self._lock = threading.Lock()

    # -- control, from the GUI thread -------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.state in ("succeeded", "failed", "cancelled")

    @property
    def paused(self) -> bool:
        return self.gate.paused

    def cancel(self) -> None:
        self.token.cancel()
        self.gate.resume()

    def pause(self) -> None:
        if self.pausable and not self.done and not self.gate.paused:
            self.gate.pause()
            self.paused_changed.emit(True)

    def resume(self) -> None:
        if self.gate.paused:
            self.gate.resume()
            self.paused_changed.emit(False)

    # -- in the working thread --------------------------------------------------------------
    def _sink(self, progress: Progress) -> None:
        self.gate.wait(self.token)
        now = time.monotonic()
        with self._lock:
            if now - self._last_emit < PROGRESS_INTERVAL:
                self._pending = progress
                return
            self._last_emit = now
            self._pending = None
        self._bridge.progress.emit(progress)

    def _flush_progress(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            self._bridge.progress.emit(pending)

    def _execute(self) -> None:
        try:
            result = self._work(self.token, self._sink)
        except Cancelled:
            self._flush_progress()
            self._bridge.outcome.emit("cancelled", None)
        except BaseException as exc:  # delivered to the GUI thread, never lost
            self._flush_progress()
            self._bridge.outcome.emit("error", exc)
        else:
            self._flush_progress()
            self._bridge.outcome.emit("ok", result)

    # -- back on the GUI thread -------------------------------------------------------------
    @Slot(object)
    def _on_progress(self, progress: Progress) -> None:
        if self.done:
            return
        self.latest = progress
        self.progressed.emit(progress)

    @Slot(str, object)
    def _on_outcome(self, kind: str, value: object) -> None:
        if kind == "ok":
            self.result = value
            self.state = "succeeded"
            self.succeeded.emit(value)
        elif kind == "cancelled":
            self.state = "cancelled"
            self.cancelled.emit()
        else:
            assert isinstance(value, BaseException)
            self.error = value
            self.state = "failed"
            self.failed.emit(value)
        self.finished.emit()


class TaskRunner(QObject):
    """The session's two pools and the tasks in flight; one per `Session` (`of(session)`)."""

    task_started = Signal(object)  # Task
    task_finished = Signal(object)  # Task
    error = Signal(object)  # exception of a task with report_errors

    _by_session: ClassVar[weakref.WeakKeyDictionary[Session, TaskRunner]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reads = QThreadPool(self)
        self._writes = QThreadPool(self)
        self._writes.setMaxThreadCount(1)
        self._tasks: list[Task] = []

    @classmethod
    def of(cls, session: Session) -> TaskRunner:
        """The runner of this session's window, created on first use."""
        runner = cls._by_session.get(session)
        if runner is None:
            runner = cls(session)
            cls._by_session[session] = runner
        return runner

    # -- starting ------------------------------------------------------------------------
    def start(self, task: Task) -> Task:
        self._tasks.append(task)
        task.finished.connect(lambda: self._forget(task))
        task.state = "running"
        pool = self._writes if task.pool is Pool.WRITES else self._reads
        pool.start(_Runnable(task))
        log.info("task started: %s", task.label)
        self.task_started.emit(task)
        return task

    def read(self, label: str, work: Work, *, report_errors: bool = True) -> Task:
        """Start a read-only task on the parallel pool.

        Connect its signals right after: they are delivered through the GUI thread's event
        loop, so none can fire before the caller returns to it.
        """
        return self.start(Task(label, work, pool=Pool.READS, report_errors=report_errors))

    def write(
        self, label: str, work: Work, *, pausable: bool = False, report_errors: bool = True
    ) -> Task:
        """Start a task on the single writing thread (same remark about signals)."""
        task = Task(label, work, pool=Pool.WRITES, pausable=pausable, report_errors=report_errors)
        return self.start(task)

    def _forget(self, task: Task) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        log.info("task %s: %s", task.state, task.label)
        if task.state == "failed" and task.report_errors and task.error is not None:
            self.error.emit(task.error)
        self.task_finished.emit(task)

    # -- state -----------------------------------------------------------------------------
    @property
    def tasks(self) -> list[Task]:
        """Tasks started and not finished yet, oldest first."""
        return [t for t in self._tasks if not t.done]

    def writing(self) -> bool:
        """True while a task is queued or running on the writing thread."""
        return any(t.pool is Pool.WRITES for t in self.tasks)

    def cancel_all(self) -> None:
        for task in self._tasks:
            task.cancel()

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until both pools are idle (used when closing); True when they are."""
        reads = self._reads.waitForDone(timeout_ms)
        writes = self._writes.waitForDone(timeout_ms)
        return reads and writes
