"""The Décrire page: describe a folder in the form or in XML, several at once, then undo."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from app.inventory.scan import ScanOptions, scan
from app.project import MissionIdentity, Project
from app.project.metadata import Target, get_metadata
from app.ui.main_window import MainWindow
from app.ui.pages.describe import XML_TAB, DescribePage

WaitIdle = Callable[[MainWindow], None]
FOLDER = "Direction générale/Conseil municipal/Délibérations"


@pytest.fixture
def scanned(tmp_path: Path, small_share: Path) -> Path:
    path = tmp_path / "mission.besace"
    with Project.create(path, MissionIdentity(name="Mairie de Saint-Exemple")) as project:
        scan(project, [small_share], options=ScanOptions(workers=1))
    return path


def folder(conn: sqlite3.Connection, rel_path: str) -> Target:
    row = conn.execute("SELECT id FROM directory WHERE rel_path = ?", (rel_path,)).fetchone()
    return Target("directory", int(row[0]), rel_path)


def open_describe(window: MainWindow, path: Path, wait_idle: WaitIdle) -> DescribePage:
    assert window.open_project(path)
    assert window.show_page("describe")
    page = window.pages["describe"]
    assert isinstance(page, DescribePage)
    wait_idle(window)
    return page


def field(page: DescribePage, name: str, kind: type[QWidget] = QLineEdit) -> QWidget:
    found = [w for w in page.form.findChildren(kind) if w.accessibleName() == name]
    assert found, name
    return found[0]


def type_into(widget: QWidget, text: str) -> None:
    if isinstance(widget, QLineEdit):
        widget.setText(text)
        widget.textEdited.emit(text)
    else:
        assert isinstance(widget, QPlainTextEdit)
        widget.setPlainText(text)  # emits textChanged


def test_title_description_and_keyword_of_a_folder_persist(
    window: MainWindow, scanned: Path, wait_idle: WaitIdle, qtbot: QtBot
) -> None:
    page = open_describe(window, scanned, wait_idle)
    project = window.session.project
    assert project is not None
    target = folder(project.conn, FOLDER)
    assert page.reveal(target)
    assert page.target == target
    title = field(page, "Title")
    assert isinstance(title, QLineEdit)
    assert title.placeholderText() == "Délibérations"  # what the package uses by default
    type_into(title, "Délibérations du conseil municipal")
    type_into(field(page, "Description", QPlainTextEdit), "Registre des délibérations.")
    type_into(field(page, "Keyword"), "urbanisme")
    assert page.dirty
    assert page.save_button.isEnabled()
    page.save()
    wait_idle(window)

    assert get_metadata(project.conn, target) == [
        {"name": "Title", "text": "Délibérations du conseil municipal"},
        {"name": "Description", "text": "Registre des délibérations."},
        {"name": "Keyword", "children": [{"name": "KeywordContent", "text": "urbanisme"}]},
    ]
    assert page.state.text() == "Saved."
    # Undo (Ctrl+Z in the Edit menu) takes the description back, and the form follows.
    window.undo()
    wait_idle(window)
    assert get_metadata(project.conn, target) == []
    assert field(page, "Title").text() == ""  # type: ignore[attr-defined]
    window.redo()
    wait_idle(window)
    assert get_metadata(project.conn, target)[0]["text"] == "Délibérations du conseil municipal"


def test_xml_view_flags_an_invalid_element_and_saves_valid_xml(
    window: MainWindow, scanned: Path, wait_idle: WaitIdle, qtbot: QtBot
) -> None:
    page = open_describe(window, scanned, wait_idle)
    project = window.session.project
    assert project is not None
    target = folder(project.conn, FOLDER)
    page.reveal(target)
    page.tabs.setCurrentIndex(XML_TAB)
    xml = page.xml
    xml.text.setPlainText(
        "<Content>\n  <Title>Délibérations</Title>\n  <Auteur>Le maire</Auteur>\n</Content>\n"
    )
    qtbot.waitUntil(lambda: not xml.pending(), timeout=30_000)
    assert not xml.valid
    assert xml.problems[0].line == 3
    assert "Line 3" in xml.status.text()
    assert "<Auteur>" in xml.status.text()
    assert not page.save_button.isEnabled()
    assert page.current_elements() is None

    xml.text.setPlainText(
        "<Content>\n"
        "  <Title>Délibérations</Title>\n"
        "  <Writer><FullName>Le maire</FullName></Writer>\n"
        "  <StartDate>2019-01-01</StartDate>\n"
        "</Content>\n"
    )
    qtbot.waitUntil(lambda: not xml.pending(), timeout=30_000)
    assert xml.valid
    assert "valid for SEDA" in xml.status.text()
    page.save()
    wait_idle(window)
    assert get_metadata(project.conn, target) == [
        {"name": "Title", "text": "Délibérations"},
        {"name": "Writer", "children": [{"name": "FullName", "text": "Le maire"}]},
        {"name": "StartDate", "text": "2019-01-01"},
    ]
    # The form shows what the XML said.
    page.tabs.setCurrentIndex(0)
    assert field(page, "Full name").text() == "Le maire"  # type: ignore[attr-defined]


def test_one_field_set_on_several_folders_at_once(
    window: MainWindow, scanned: Path, wait_idle: WaitIdle
) -> None:
    page = open_describe(window, scanned, wait_idle)
    project = window.session.project
    assert project is not None
    chosen = [folder(project.conn, FOLDER), folder(project.conn, "Ressources humaines")]
    selection = page.tree.selectionModel()
    for target in chosen:
        index = page.tree_model.reveal(target)
        selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
    assert page.stack.currentWidget() is page.bulk
    page.bulk.path.setCurrentIndex(page.bulk.path.findData("Keyword.KeywordContent"))
    page.bulk.value.setText("archives 2024")
    page.bulk.add.setChecked(True)
    page.bulk.apply_button.click()
    wait_idle(window)
    for target in chosen:
        assert get_metadata(project.conn, target) == [
            {"name": "Keyword", "children": [{"name": "KeywordContent", "text": "archives 2024"}]}
        ]
    page.bulk.apply_button.click()  # adds a second keyword, not replacing the first
    wait_idle(window)
    assert len(get_metadata(project.conn, chosen[0])) == 2
    window.undo()
    wait_idle(window)
    assert len(get_metadata(project.conn, chosen[1])) == 1


def test_an_imported_tree_is_described_and_restructured_with_undo(
    window: MainWindow, scanned: Path, wait_idle: WaitIdle
) -> None:
    from app.seda.imported import ImportedTree, ImportedUnit, save_tree
    from app.seda.model import Element

    with Project.open(scanned) as project:
        tree = ImportedTree(
            "resip_csv",
            "plan.csv",
            [
                ImportedUnit(
                    "1",
                    "Series",
                    "Urbanisme",
                    [],
                    children=[
                        ImportedUnit("2", "File", "Permis 2019", [Element("Description", "PC")]),
                        ImportedUnit("3", "File", "Permis 2020"),
                    ],
                ),
                ImportedUnit("4", "File", "Divers"),
            ],
            label="Plan Resip",
        )
        save_tree(project, tree)
    page = open_describe(window, scanned, wait_idle)
    project = window.session.project
    assert project is not None
    ids = dict(project.conn.execute("SELECT key, id FROM imported_unit"))
    units = page.imported
    assert not units.model.is_empty()
    page.sources.setCurrentIndex(1)
    units.select_unit(ids["2"])
    assert page.target is not None
    assert page.target.id == ids["2"]
    title = field(page, "Title")
    assert title.text() == "Permis 2019"  # type: ignore[attr-defined]
    type_into(title, "Permis de construire 2019")
    page.save()
    wait_idle(window)
    row = project.conn.execute(
        "SELECT title, level, content FROM imported_unit WHERE id = ?", (ids["2"],)
    ).fetchone()
    assert row[0] == "Permis de construire 2019"
    assert row[1] == "File"
    assert '"Description"' in row[2]

    units.move_units([ids["4"]], ids["1"])  # as a drag onto "Urbanisme" does
    wait_idle(window)
    assert (
        project.conn.execute(
            "SELECT parent_id FROM imported_unit WHERE id = ?", (ids["4"],)
        ).fetchone()[0]
        == ids["1"]
    )
    units.merge(ids["2"], [ids["3"]])
    wait_idle(window)
    assert project.conn.execute("SELECT count(*) FROM imported_unit").fetchone()[0] == 3
    units.delete([ids["1"]])
    wait_idle(window)
    assert project.conn.execute("SELECT count(*) FROM imported_unit").fetchone()[0] == 0
    assert units.model.rowCount(units.model.index(0, 0)) == 0  # the package has no unit left
    for _step in range(3):  # delete, merge, move
        window.undo()
        wait_idle(window)
    rows = dict(project.conn.execute("SELECT id, parent_id FROM imported_unit"))
    assert rows == {ids["1"]: None, ids["2"]: ids["1"], ids["3"]: ids["1"], ids["4"]: None}
    assert units.model.index_of_unit(ids["3"]).isValid()
