"""`besace-gui` and `python -m app`: start the desktop window.

    besace-gui [MISSION.besace] [--demo] [--lang fr|en] [--smoke-test]

`--demo` prepares the demo mission (a generated town-hall share under the user's data folder
and its project, both made once), opens it and starts its scan, exactly as the "Try the demo
mission" button does. `--smoke-test` builds and shows the window, lets it live one second,
prints "Besace OK <version>" and exits 0 (the installers run it).
"""

from __future__ import annotations

import argparse
import gc
import logging
import logging.handlers
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import (
    QLibraryInfo,
    QLocale,
    QMessageLogContext,
    Qt,
    QTimer,
    QtMsgType,
    QTranslator,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app import APP_ID, APP_NAME, __version__
from app.errors import AppError
from app.i18n import LANGUAGES, _, set_language
from app.paths import settings_file
from app.settings import load_settings
from app.ui.dialogs import ExceptionReporter, log_file

log = logging.getLogger("app.ui")
SMOKE_TEST_MS = 1000


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="besace-gui", description=_("Besace: the desktop window.")
    )
    parser.add_argument(
        "project", nargs="?", metavar=_("MISSION.besace"), help=_("mission to open")
    )
    parser.add_argument(
        "--demo", action="store_true", help=_("open the demo mission (made on first use)")
    )
    parser.add_argument("--lang", choices=LANGUAGES, help=_("language of the window"))
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help=_("show the window for one second, print the version and exit"),
    )
    parser.add_argument("--version", action="version", version=f"Besace {__version__}")
    return parser


def configure_logging() -> Path | None:
    """Log to the user's log folder (rotated); never secrets. None when it cannot be written."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    path = log_file()
    written: Path | None = path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2 << 20, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler(sys.stderr)
        written = None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return written


def _qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    level = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
    }.get(kind, logging.ERROR)
    logging.getLogger("qt").log(level, "%s", message)


def _no_display() -> bool:
    """On Linux, no X11 nor Wayland display and no platform chosen: Qt would abort."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )


def _language(requested: str | None) -> str:
    if requested:
        return set_language(requested)
    try:
        return set_language(load_settings(settings_file()).language)
    except AppError:
        return set_language(None)


def install_qt_translations(app: QApplication, language: str) -> None:
    """Qt's own strings (dialog buttons, context menus) in the window's language."""
    QLocale.setDefault(QLocale(language))
    if language == "en":
        return
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase",):
        translator = QTranslator(app)
        if translator.load(f"{name}_{language}", folder):
            app.installTranslator(translator)
        else:
            log.info("no Qt translation %s_%s in %s", name, language, folder)


def freeze_startup_objects() -> None:
    """Leave the objects made at start-up (modules, classes, Qt wrappers) out of the garbage
    collector's full passes. A full pass walks every tracked object while holding the GIL;
    with the scan running on other threads and processes it took 100 ms and more, during
    which the window could not repaint. Start-up objects live as long as the program anyway.
    """
    gc.collect()
    gc.freeze()


def create_application(argv: Sequence[str], language: str) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Fractional scaling (125 %, 150 %) as the system says, not rounded to whole numbers.
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication([sys.argv[0] if sys.argv else APP_ID, *argv])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    install_qt_translations(app, language)
    return app


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    language = _language(args.lang)
    if _no_display():
        if not args.smoke_test:
            print(
                _(
                    "No graphical display. Run Besace in a desktop session, or without a screen"
                    " with: xvfb-run besace-gui …  (or QT_QPA_PLATFORM=offscreen)."
                ),
                file=sys.stderr,
            )
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    configure_logging()
    qInstallMessageHandler(_qt_message)
    log.info("Besace %s starting (language %s)", __version__, language)
    app = create_application([], language)
    reporter = ExceptionReporter(app)
    reporter.install()

    from app.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    freeze_startup_objects()
    if args.demo:
        window.open_demo()
    elif args.project:
        window.open_project(Path(args.project))
    if args.smoke_test:
        # exit(), not quit(): quit() would close the window, which asks about running work.
        QTimer.singleShot(SMOKE_TEST_MS, lambda: app.exit(0))
        app.exec()
        window.stop_tasks()  # never ask: nobody is there to answer
        window.close()
        print(f"Besace OK {__version__}")
        return 0
    status = app.exec()
    log.info("Besace stopped")
    return int(status)
