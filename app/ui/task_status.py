"""The status-bar corner that always says what long work is running, with a Cancel button."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from app.i18n import _
from app.tasks import Progress
from app.ui.icons import icon
from app.ui.tasks import Pool, Task, TaskRunner


class TaskStatus(QWidget):
    """Shows the oldest task of the writing thread (scan, build, sending) and its progress."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._task: Task | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._label = QLabel()
        self._bar = QProgressBar()
        self._bar.setMaximumWidth(180)
        self._bar.setAccessibleName(_("Progress of the running task"))
        self._cancel = QToolButton()
        self._cancel.setIcon(icon("stop"))
        self._cancel.setText(_("Cancel"))
        self._cancel.setToolTip(_("Stop the running task (what is done is kept)"))
        self._cancel.setAccessibleName(_("Cancel the running task"))
        self._cancel.clicked.connect(self._cancel_task)
        layout.addWidget(self._label)
        layout.addWidget(self._bar)
        layout.addWidget(self._cancel)
        runner.task_started.connect(self._refresh)
        runner.task_finished.connect(self._refresh)
        self._refresh()

    def _refresh(self, _task: object = None) -> None:
        long_tasks = [t for t in self._runner.tasks if t.pool is Pool.WRITES]
        task = long_tasks[0] if long_tasks else None
        if task is not self._task:
            if self._task is not None:
                self._task.progressed.disconnect(self._show_progress)
            self._task = task
            if task is not None:
                task.progressed.connect(self._show_progress)
        self.setVisible(task is not None)
        if task is not None:
            self._label.setText(task.label)
            self._bar.setRange(0, 0)  # busy until the first report says more
            if task.latest is not None:
                self._show_progress(task.latest)

    def _show_progress(self, progress: Progress) -> None:
        if progress.bytes_total > 0:
            self._bar.setRange(0, 1000)
            self._bar.setValue(int(1000 * progress.bytes_done / progress.bytes_total))
        elif progress.total > 0:
            self._bar.setRange(0, progress.total)
            self._bar.setValue(progress.done)
        else:
            self._bar.setRange(0, 0)

    def _cancel_task(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._label.setText(_("Stopping: {task}…").format(task=self._task.label))
