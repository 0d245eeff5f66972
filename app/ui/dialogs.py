"""Errors at the window's boundary: a plain message for a domain error, a report for a bug.

`ExceptionReporter.install()` routes `sys.excepthook` (exceptions escaping Qt slots and
event handlers) and `threading.excepthook` (threads) to these dialogs, on the GUI thread,
so nothing dies silently. Every bug is also written to the log file with its traceback.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.errors import AppError
from app.i18n import _
from app.paths import log_dir

log = logging.getLogger(__name__)
LOG_FILE_NAME = "besace.log"


def log_file() -> Path:
    return log_dir() / LOG_FILE_NAME


def show_error(parent: QWidget | None, error: BaseException) -> None:
    """A modal message: the AppError's own words, or a bug report with the traceback."""
    box = QMessageBox(parent)
    box.setWindowTitle(_("Besace"))
    if isinstance(error, AppError):
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText(error.message)
        if error.details:
            box.setDetailedText(error.details)
    else:
        box.setIcon(QMessageBox.Icon.Critical)
        box.setText(_("Something went wrong inside Besace. Your project is safe."))
        box.setInformativeText(
            _("Please send the log file to your support, with what you were doing:\n{path}").format(
                path=log_file()
            )
        )
        box.setDetailedText("".join(traceback.format_exception(error)))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


def confirm(parent: QWidget | None, title: str, text: str, yes: str) -> bool:
    """Ask a yes/no question whose "yes" button says what it does."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setIcon(QMessageBox.Icon.Question)
    box.setText(text)
    accept = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(accept)
    box.exec()
    return box.clickedButton() is accept


class ExceptionReporter(QObject):
    """Installs the exception hooks and shows their reports on the GUI thread."""

    _reported = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reported.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._showing = False

    def install(self) -> None:
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook

    def report(self, error: BaseException) -> None:
        """Show `error` (from any thread); bugs are logged with their traceback."""
        if not isinstance(error, AppError):
            log.error("unexpected error", exc_info=error)
        else:
            log.info("error shown: %s", error.message)
        self._reported.emit(error)

    def _excepthook(
        self,
        kind: type[BaseException],
        error: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        self.report(error.with_traceback(tb))

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.report(args.exc_value.with_traceback(args.exc_traceback))

    @Slot(object)
    def _show(self, error: BaseException) -> None:
        if self._showing:  # one dialog at a time; the others are in the log
            return
        self._showing = True
        try:
            show_error(QApplication.activeWindow(), error)
        finally:
            self._showing = False
