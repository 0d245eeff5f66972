"""Window tests: offscreen Qt, English, settings and data in temporary folders."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Before any QApplication exists: no display needed, ever.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pytestqt.qtbot import QtBot

from app.demo.share import generate_demo_share
from app.i18n import set_language
from app.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def _english_window(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BESACE_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("BESACE_LANG", raising=False)
    set_language("en")


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[MainWindow]:
    """The main window, shown; its running tasks are stopped before it closes."""
    main = MainWindow()
    # pytest-qt closes the window before fixtures end: stop the tasks first, or closing
    # would ask the (absent) user whether to stop them, and a failing test would hang.
    qtbot.addWidget(main, before_close_func=lambda w: w.stop_tasks())
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.stop_tasks()  # cancel, wait, deliver their last signals: closing never asks


@pytest.fixture
def wait_idle(qtbot: QtBot) -> Callable[[MainWindow], None]:
    """Wait until every task of a window has finished and told the GUI thread."""

    def wait(window: MainWindow, timeout: int = 120_000) -> None:
        qtbot.waitUntil(lambda: not window.tasks.tasks, timeout=timeout)

    return wait


@pytest.fixture(scope="session")
def small_share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo commune share (about 40 files) with a broken link, made once."""
    root = generate_demo_share(tmp_path_factory.mktemp("share") / "partage", files=40).root
    (root / "raccourci cassé.pdf").symlink_to(root / "document disparu.pdf")
    return root
