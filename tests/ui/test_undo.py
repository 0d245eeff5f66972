"""Ctrl+Z and Ctrl+Shift+Z over the archivist's edits: the classification comes back exactly."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.audit.classify import ClassificationRule, Criteria, list_rules
from app.audit.grid import get_answers
from app.inventory.scan import ScanOptions, scan
from app.project import MissionIdentity, Project
from app.project.metadata import Target
from app.project.series import Series, list_series
from app.ui.main_window import MainWindow
from app.ui.pages.classify import ClassifyPage

WaitIdle = Callable[[MainWindow], None]


@pytest.fixture
def scanned(tmp_path: Path, small_share: Path) -> Path:
    path = tmp_path / "mission.besace"
    with Project.create(path, MissionIdentity(name="Mairie de Saint-Exemple")) as project:
        scan(project, [small_share], options=ScanOptions(workers=1))
    return path


def classes(conn: sqlite3.Connection) -> dict[int, tuple[int | None, str | None]]:
    return {
        int(f): (s, e)
        for f, s, e in conn.execute("SELECT file_id, series_id, exclusion FROM file_class")
    }


def folder(conn: sqlite3.Connection, rel_path: str) -> Target:
    row = conn.execute("SELECT id FROM directory WHERE rel_path = ?", (rel_path,)).fetchone()
    return Target("directory", int(row[0]), rel_path)


def open_classify(window: MainWindow, path: Path, wait_idle: WaitIdle) -> ClassifyPage:
    assert window.open_project(path)
    assert window.show_page("classify")
    wait_idle(window)
    page = window.pages["classify"]
    assert isinstance(page, ClassifyPage)
    return page


def test_undo_restores_the_previous_classification_and_redo_replays_it(
    window: MainWindow, scanned: Path, wait_idle: WaitIdle, qtbot: QtBot
) -> None:
    page = open_classify(window, scanned, wait_idle)
    project = window.session.project
    assert project is not None
    panel = page.assign_panel
    panel.save_series(Series(code="1D", title="Conseil"))
    wait_idle(window)
    series_id = list_series(project.conn)[0].id
    assert series_id is not None
    panel.assign_targets([folder(project.conn, "Direction générale")], series_id)
    wait_idle(window)
    first = classes(project.conn)
    assert first
    panel.exclude_targets([folder(project.conn, "Direction générale/Conseil municipal")], "other")
    wait_idle(window)
    second = classes(project.conn)
    assert second != first

    assert window.undo_action.isEnabled()
    assert "Exclude" in window.undo_action.text()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Z
    wait_idle(window)
    assert classes(project.conn) == first
    # The page shows it too: the series counts what the folder holds again.
    shown = panel.series_model.data(panel.series_model.index(0, 1))
    assert shown == str(sum(1 for s, _e in first.values() if s == series_id))

    qtbot.keyClick(
        window,
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    wait_idle(window)
    assert classes(project.conn) == second

    for _step in range(3):  # exclusion, assignment, series
        window.undo()
        wait_idle(window)
    assert classes(project.conn) == {}
    assert list_series(project.conn) == []
    assert panel.series_model.rowCount() == 0
    assert not window.undo_action.isEnabled()


def test_undo_takes_back_applied_rules_and_grid_answers(
    window: MainWindow, scanned: Path, wait_idle: WaitIdle, qtbot: QtBot
) -> None:
    page = open_classify(window, scanned, wait_idle)
    project = window.session.project
    assert project is not None
    page.assign_panel.save_series(Series(code="4D", title="Documents"))
    wait_idle(window)
    series_id = list_series(project.conn)[0].id
    editor = page.rules_editor
    editor._set_rules(
        [ClassificationRule(Criteria(extensions=["pdf"]), series_id, None, "PDF")], dirty=True
    )
    editor.apply()
    wait_idle(window)
    assert len(list_rules(project.conn)) == 1
    assert classes(project.conn)

    grid = page.grid_form
    grid.rated[("value", "heritage")].level.setCurrentIndex(
        grid.rated[("value", "heritage")].level.findData("medium")
    )
    grid.save()
    wait_idle(window)
    assert get_answers(project.conn, series_id)["value"]["heritage"]["level"] == "medium"  # type: ignore[arg-type]

    window.undo()
    wait_idle(window)
    assert get_answers(project.conn, series_id) == {}  # type: ignore[arg-type]
    assert grid.rated[("value", "heritage")].level.currentData() is None  # the form follows
    window.undo()
    wait_idle(window)
    assert list_rules(project.conn) == []
    assert classes(project.conn) == {}
    assert editor.model.rules == []  # the editor shows the stored rules again
