"""The Classer page as the archivist uses it: series, assignments, rules with preview, grid."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from app.audit.classify import ClassificationRule, Criteria, compute, list_rules
from app.audit.grid import get_answers
from app.inventory.scan import ScanOptions, scan
from app.project import MissionIdentity, Project
from app.project.metadata import Target
from app.project.series import Series, list_series
from app.ui.main_window import MainWindow
from app.ui.models.classified_tree import TreeColumn
from app.ui.models.targets_mime import targets_mime
from app.ui.pages.classify import ClassifyPage

WaitIdle = Callable[[MainWindow], None]
COUNCIL = "Direction générale/Conseil municipal"


@pytest.fixture
def scanned(tmp_path: Path, small_share: Path) -> Path:
    """A mission whose inventory is the small demo share."""
    path = tmp_path / "mission.besace"
    with Project.create(path, MissionIdentity(name="Mairie de Saint-Exemple")) as project:
        scan(project, [small_share], options=ScanOptions(workers=1))
    return path


def open_classify(window: MainWindow, path: Path, wait_idle: WaitIdle) -> ClassifyPage:
    assert window.open_project(path)
    assert window.show_page("classify")
    page = window.pages["classify"]
    assert isinstance(page, ClassifyPage)
    wait_idle(window)
    return page


def directory_id(conn: sqlite3.Connection, rel_path: str) -> int:
    row = conn.execute("SELECT id FROM directory WHERE rel_path = ?", (rel_path,)).fetchone()
    return int(row[0])


def files_below(conn: sqlite3.Connection, rel_path: str) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM file WHERE state = 'present' AND rel_path LIKE ?",
            (rel_path + "/%",),
        ).fetchone()[0]
    )


def in_series(conn: sqlite3.Connection, code: str) -> int:
    return int(
        conn.execute(
            "SELECT count(*) FROM file_class fc JOIN series s ON s.id = fc.series_id"
            " WHERE s.code = ?",
            (code,),
        ).fetchone()[0]
    )


def add_series(window: MainWindow, page: ClassifyPage, wait_idle: WaitIdle, code: str) -> int:
    page.assign_panel.save_series(Series(code=code, title=f"Série {code}"))
    wait_idle(window)
    project = window.session.project
    assert project is not None
    return next(s.id for s in list_series(project.conn) if s.code == code and s.id)


def shown_files(page: ClassifyPage, code: str) -> str:
    model = page.assign_panel.series_model
    for s in model.all_series():
        if s.code == code and s.id is not None:
            index = model.index_of(s.id)
            return str(model.data(model.index(index.row(), 1, index.parent())))
    raise AssertionError(code)


def test_a_new_series_receives_a_dropped_folder(
    window: MainWindow, scanned: Path, wait_idle: WaitIdle
) -> None:
    page = open_classify(window, scanned, wait_idle)
    panel = page.assign_panel
    assert panel.series_model.rowCount() == 0
    assert "No series yet" in panel._series_empty.text()
    series_id = add_series(window, page, wait_idle, "1D")
    assert panel.current_series() is not None
    assert panel.current_series().code == "1D"

    project = window.session.project
    assert project is not None
    council = Target("directory", directory_id(project.conn, COUNCIL), COUNCIL)
    # Drop the folder on the series, as a drag from the inventory tree does.
    model = panel.series_model
    dropped = targets_mime([council])
    assert model.canDropMimeData(
        dropped, Qt.DropAction.CopyAction, -1, -1, model.index_of(series_id)
    )
    model.dropMimeData(dropped, Qt.DropAction.CopyAction, -1, -1, model.index_of(series_id))
    wait_idle(window)

    expected = files_below(project.conn, COUNCIL)
    assert expected > 0
    assert in_series(project.conn, "1D") == expected
    assert shown_files(page, "1D") == str(expected)
    # The inventory tree says where the folder went and how much is left to classify.
    tree = panel.tree_model
    index = tree.reveal(council)
    assert index.isValid()
    assert "1D" in tree.data(index.siblingAtColumn(TreeColumn.CLASS))
    assert tree.data(index.siblingAtColumn(TreeColumn.TO_CLASSIFY)) == "0"
    root = tree.index(0, 0, QModelIndex())
    left = project.conn.execute(
        "SELECT count(*) FROM file f LEFT JOIN file_class fc ON fc.file_id = f.id"
        " WHERE f.state = 'present' AND fc.file_id IS NULL"
    ).fetchone()[0]
    assert tree.data(root.siblingAtColumn(TreeColumn.TO_CLASSIFY)) == str(left)
    assert str(left) in panel.totals.text()


def test_bulk_assign_exclude_and_unassign_a_selection(
    window: MainWindow, scanned: Path, wait_idle: WaitIdle, qtbot: QtBot
) -> None:
    page = open_classify(window, scanned, wait_idle)
    panel = page.assign_panel
    add_series(window, page, wait_idle, "3W")
    project = window.session.project
    assert project is not None
    tree = panel.tree_model
    chosen = ["Communication/Site internet", "Ressources humaines"]
    selection = panel.tree.selectionModel()
    for rel in chosen:
        index = tree.reveal(Target("directory", directory_id(project.conn, rel), rel))
        selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    assert {t.rel_path for t in panel.selected_targets()} == set(chosen)
    # Ctrl+Return assigns the selection to the series chosen on the left.
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_idle(window)
    assert in_series(project.conn, "3W") == sum(files_below(project.conn, r) for r in chosen)

    panel.exclude_targets(panel.selected_targets()[:1], "out_of_scope", "site web")
    wait_idle(window)
    excluded = project.conn.execute(
        "SELECT count(*) FROM file_class WHERE exclusion = 'out_of_scope'"
    ).fetchone()[0]
    assert excluded == files_below(project.conn, chosen[0])
    assert in_series(project.conn, "3W") == files_below(project.conn, chosen[1])

    panel.unassign_selected()
    wait_idle(window)
    assert in_series(project.conn, "3W") == 0
    assert project.conn.execute("SELECT count(*) FROM assignment").fetchone()[0] == 0


def test_rules_preview_counts_then_apply_stores_them(
    window: MainWindow, scanned: Path, wait_idle: WaitIdle, qtbot: QtBot, tmp_path: Path
) -> None:
    page = open_classify(window, scanned, wait_idle)
    series_id = add_series(window, page, wait_idle, "2D")
    page.tabs.setCurrentWidget(page.rules_editor)
    editor = page.rules_editor
    project = window.session.project
    assert project is not None

    editor.add_rule()
    form = editor.form
    form.name.setText("Délibérations")
    form.target.setCurrentIndex(form.target.findData(f"s:{series_id}"))
    form.path.setText("**/Délibérations/**")
    form.path.textEdited.emit(form.path.text())
    editor.add_rule()
    form.name.setText("Temporaires")
    form.target.setCurrentIndex(form.target.findData("x:temporary"))
    form.flags["temporary"].setChecked(True)
    qtbot.waitUntil(lambda: not editor.preview_running(), timeout=30_000)
    wait_idle(window)

    rules = editor.model.rules
    assert [r.name for r in rules] == ["Délibérations", "Temporaires"]
    expected = compute(project.conn, rules)
    preview = editor.last_preview
    assert preview is not None
    reports = {r.rule.name: r for r in expected.rules}
    for row, rule in enumerate(rules):
        counts = preview.counts[row]
        assert counts is not None, (row, rules)
        assert (counts.matched, counts.applied) == (
            reports[rule.name].matched,
            reports[rule.name].applied,
        )
        shown = editor.model.data(editor.model.index(row, 3))
        assert shown == str(reports[rule.name].matched)
    assert preview.changed == len(expected.changed) > 0
    assert "would change place" in editor.summary.text()
    # Nothing is stored before Apply.
    assert list_rules(project.conn) == []
    assert project.conn.execute("SELECT count(*) FROM file_class").fetchone()[0] == 0

    editor.apply()
    wait_idle(window)
    stored = list_rules(project.conn)
    assert [(r.name, r.series_id, r.exclusion) for r in stored] == [
        ("Délibérations", series_id, None),
        ("Temporaires", None, "temporary"),
    ]
    got = dict(
        project.conn.execute("SELECT file_id, coalesce(series_id, exclusion) FROM file_class")
    )
    assert got == {
        fid: (c.series_id if c.series_id is not None else c.exclusion)
        for fid, c in expected.classes.items()
    }
    assert not editor.dirty

    # The rules round-trip through a TOML rules file.
    saved = tmp_path / "regles.toml"
    editor.save_path(saved)
    assert 'path = "**/Délibérations/**"' in saved.read_text(encoding="utf-8")
    editor.remove_rule()
    editor.remove_rule()
    assert editor.model.rules == []
    editor.load_path(saved)
    assert [r.name for r in editor.model.rules] == ["Délibérations", "Temporaires"]
    assert editor.dirty


def test_disabling_a_rule_changes_the_preview(
    window: MainWindow, scanned: Path, wait_idle: WaitIdle, qtbot: QtBot
) -> None:
    page = open_classify(window, scanned, wait_idle)
    series_id = add_series(window, page, wait_idle, "4D")
    editor = page.rules_editor
    editor._set_rules(
        [ClassificationRule(Criteria(extensions=["pdf"]), series_id, None, "PDF")], dirty=True
    )
    qtbot.waitUntil(lambda: not editor.preview_running(), timeout=30_000)
    assert editor.last_preview is not None
    assert editor.last_preview.changed > 0
    editor.model.setData(
        editor.model.index(0, 0), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole
    )
    assert not editor.model.rules[0].enabled
    qtbot.waitUntil(lambda: not editor.preview_running(), timeout=30_000)
    assert editor.last_preview.counts == [None]
    assert editor.last_preview.changed == 0


def test_audit_grid_edits_persist_and_priority_follows(
    window: MainWindow, scanned: Path, wait_idle: WaitIdle, qtbot: QtBot
) -> None:
    page = open_classify(window, scanned, wait_idle)
    series_id = add_series(window, page, wait_idle, "1D")
    page.tabs.setCurrentWidget(page.grid_form)
    grid = page.grid_form
    assert grid.current_series_id() == series_id
    before = grid.priority_label.text()
    legal = grid.rated[("value", "legal")]
    legal.level.setCurrentIndex(legal.level.findData("high"))
    legal.comment.setText("Actes réglementaires")
    legal.comment.textEdited.emit(legal.comment.text())
    medium = grid.fields[("context", "medium")]
    medium.setCurrentIndex(medium.findData("papier"))  # type: ignore[union-attr]
    grid.add_estimate()
    grid.estimates.item(0, 0).setText("Logiciel d'état civil")  # type: ignore[union-attr]
    grid.estimates.item(0, 1).setText("120")  # type: ignore[union-attr]
    grid.estimates.item(0, 2).setText("50 MB")  # type: ignore[union-attr]
    assert grid.priority_label.text() != before  # recomputed as you type
    qtbot.waitUntil(lambda: grid.status.text() == "Saved.", timeout=30_000)
    wait_idle(window)

    project = window.session.project
    assert project is not None
    assert get_answers(project.conn, series_id) == {
        "value": {"legal": {"level": "high", "comment": "Actes réglementaires"}},
        "context": {"medium": "papier"},
        "estimates": [
            {"label": "Logiciel d'état civil", "files_per_year": 120, "bytes_per_year": 50_000_000}
        ],
    }
    # Shown again from the project after switching away and back.
    grid._load_series(None)
    grid._load_series(series_id)
    assert grid.rated[("value", "legal")].level.currentData() == "high"
    assert grid.estimates.rowCount() == 1
