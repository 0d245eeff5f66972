"""The audit grid's round trip: export, edit the sheet as a secretary would, import back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from reports_mission import AS_OF, build_mission, copy_mission

from app.audit.grid import get_answers, load_grid, set_answer, set_answers
from app.i18n import set_language
from app.project import Project
from app.project.series import get_series
from app.project.undo import UndoStack
from app.reports.audit_workbook import write_audit_workbook
from app.reports.grid_sheet import import_grid
from app.tasks import CancelToken
from app.workbook.reader import WorkbookError

GRID = load_grid()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mission(tmp_path_factory.mktemp("mission"), files=120)


@pytest.fixture
def mission(template: Path, tmp_path: Path) -> Iterator[Project]:
    set_language("en")
    project = copy_mission(template, tmp_path)
    yield project
    project.close()


def sid(project: Project, code: str) -> int:
    found = get_series(project.conn, code).id
    assert found is not None
    return found


def export(project: Project, path: Path) -> Path:
    write_audit_workbook(
        project, path, token=CancelToken(), progress=lambda _p: None, grid=GRID, as_of=AS_OF
    )
    return path


class Sheet:
    """The grid sheet opened for editing, cells addressed by series code and header."""

    def __init__(self, path: Path, title: str = "Audit grid") -> None:
        self.path = path
        self.book = openpyxl.load_workbook(path)
        self.ws = self.book[title]
        self.headers = {c.value: c.column for c in self.ws[1] if c.value is not None}

    def row_of(self, code: str) -> int:
        for cells in self.ws.iter_rows(min_row=2):
            if cells[0].value == code:
                return int(cells[0].row)
        raise KeyError(code)

    def set(self, code: str, header: str, value: object) -> None:
        self.ws.cell(row=self.row_of(code), column=self.headers[header], value=value)

    def get(self, code: str, header: str) -> Any:
        return self.ws.cell(row=self.row_of(code), column=self.headers[header]).value

    def save(self) -> Path:
        self.book.save(self.path)
        return self.path


def snapshot(conn: sqlite3.Connection, skip: str = "audit_grid") -> dict[str, list[str]]:
    """Every table's rows (as text, sorted), but the grid's."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        t: sorted(repr(row) for row in conn.execute(f'SELECT * FROM "{t}"'))
        for t in tables
        if t != skip
    }


def test_edits_come_back_and_nothing_else_changes(mission: Project, tmp_path: Path) -> None:
    conn = mission.conn
    set_answers(
        mission,
        GRID,
        sid(mission, "CM"),
        {
            "value": {"legal": {"level": "medium", "comment": "registre"}},
            "estimates": [{"label": "Registre papier", "files_per_year": 12, "bytes_per_year": 0}],
        },
    )
    sheet = Sheet(export(mission, tmp_path / "audit.xlsx"))
    assert sheet.get("CM", "Value — legal") == "medium"
    assert sheet.get("CM", "Value — legal (comment)") == "registre"
    sheet.set("CM", "Value — legal", "FORTE")  # the French label, any case
    sheet.set("CM", "Value — legal (comment)", "délibérations: preuve de droits")
    sheet.set("CM", "Value — heritage", "high")  # the key
    sheet.set("AR", "Value — strategic", "Low")  # the English label
    sheet.set("AR", "Production context — Frequency", "hebdomadaire")
    sheet.set("AR", "Hosting — Where the data lives", "SaaS / cloud")
    sheet.set("PAIE", "Value — media", 0)  # a score, typed as a number
    sheet.set("CM", "Title", "a title edited by mistake")  # not part of the grid: ignored
    before = snapshot(conn)
    result = import_grid(mission, sheet.save(), GRID)

    assert result.conflicts == []
    assert sorted(result.applied) == ["AR", "CM", "PAIE"]
    cm = get_answers(conn, sid(mission, "CM"))
    assert cm["value"]["legal"] == {"level": "high", "comment": "délibérations: preuve de droits"}
    assert cm["value"]["heritage"] == {"level": "high", "comment": ""}
    assert cm["estimates"] == [
        {"label": "Registre papier", "files_per_year": 12, "bytes_per_year": 0}
    ]
    ar = get_answers(conn, sid(mission, "AR"))
    assert ar["value"]["strategic"]["level"] == "low"
    assert ar["context"]["frequency"] == "hebdomadaire"
    assert ar["hosting"]["location"] == "SaaS / cloud"
    assert get_answers(conn, sid(mission, "PAIE"))["value"]["media"]["level"] == "none"
    assert get_answers(conn, sid(mission, "MP")) == {}
    changes = {(c.code, c.item): (c.old, c.new) for c in result.changes}
    assert changes[("CM", "Value — legal")] == ("medium", "high")
    assert changes[("CM", "Value — legal (comment)")] == (
        "registre",
        "délibérations: preuve de droits",
    )
    assert changes[("AR", "Production context — Frequency")] == ("—", "hebdomadaire")
    assert len(changes) == 7
    assert snapshot(conn) == before
    assert get_series(conn, "CM").title == "Délibérations du conseil municipal"

    again = import_grid(mission, sheet.path, GRID)  # the same workbook a second time
    assert again.changes == []
    assert again.conflicts == []


def test_dry_run_reports_and_changes_nothing(mission: Project, tmp_path: Path) -> None:
    sheet = Sheet(export(mission, tmp_path / "audit.xlsx"))
    sheet.set("MP", "Value — legal", "high")
    before = snapshot(mission.conn, skip="")
    result = import_grid(mission, sheet.save(), GRID, dry_run=True)
    assert [(c.code, c.item, c.new) for c in result.changes] == [("MP", "Value — legal", "high")]
    assert result.applied == ["MP"]
    assert snapshot(mission.conn, skip="") == before


def test_conflicts_are_listed_and_left_out(mission: Project, tmp_path: Path) -> None:
    sheet = Sheet(export(mission, tmp_path / "audit.xlsx"))
    # Edited in the project after the export...
    set_answer(mission, GRID, sid(mission, "CM"), "value.legal", "low")
    set_answer(mission, GRID, sid(mission, "AR"), "value.legal", "low")
    sheet.set("CM", "Value — legal", "high")  # ...and in the workbook: a conflict
    # AR is not edited in the workbook: the project's newer answer stays, silently.
    sheet.set("PAIE", "Value — legal", "very high")  # not a level
    sheet.set("MP", "Value — legal", "medium")  # fine
    new_row = sheet.ws.max_row + 1
    sheet.ws.cell(row=new_row, column=1, value="NOPE")
    sheet.ws.cell(row=new_row, column=sheet.headers["Value — legal"], value="high")
    before = snapshot(mission.conn)
    result = import_grid(mission, sheet.save(), GRID)

    where = {c.code: c for c in result.conflicts}
    assert set(where) == {"CM", "PAIE", "NOPE"}
    assert "changed in the project" in where["CM"].message
    column = openpyxl.utils.get_column_letter(sheet.headers["Value — legal"])
    assert where["PAIE"].where == (
        f"sheet Audit grid, row {sheet.row_of('PAIE')}, column {column} (Value — legal)"
    )
    assert "very high" in where["PAIE"].message
    assert where["NOPE"].where.startswith(f"sheet Audit grid, row {new_row}, column A")
    assert "NOPE" in where["NOPE"].message
    assert result.applied == ["MP"]
    assert result.kept == ["AR"]
    assert get_answers(mission.conn, sid(mission, "CM"))["value"]["legal"]["level"] == "low"
    assert get_answers(mission.conn, sid(mission, "AR"))["value"]["legal"]["level"] == "low"
    assert "PAIE" not in {c.code for c in result.changes}
    assert get_answers(mission.conn, sid(mission, "PAIE")) == {}
    assert get_answers(mission.conn, sid(mission, "MP"))["value"]["legal"]["level"] == "medium"
    assert snapshot(mission.conn) == before

    forced = import_grid(mission, sheet.path, GRID, force=True)
    # PAIE's only edit is unreadable: skipped, so nothing is left to apply on its row.
    assert forced.applied == ["CM"]
    assert "PAIE" in {c.code for c in forced.conflicts}
    assert get_answers(mission.conn, sid(mission, "CM"))["value"]["legal"]["level"] == "high"
    assert get_answers(mission.conn, sid(mission, "PAIE")) == {}
    assert get_answers(mission.conn, sid(mission, "AR"))["value"]["legal"]["level"] == "low"


def test_a_code_twice_applies_neither_row(mission: Project, tmp_path: Path) -> None:
    sheet = Sheet(export(mission, tmp_path / "audit.xlsx"))
    sheet.set("CM", "Value — legal", "high")
    row = sheet.ws.max_row + 1
    sheet.ws.cell(row=row, column=1, value="CM")
    sheet.ws.cell(row=row, column=sheet.headers["Value — legal"], value="low")
    result = import_grid(mission, sheet.save(), GRID)
    assert [c.code for c in result.conflicts] == ["CM"]
    assert result.applied == []
    assert get_answers(mission.conn, sid(mission, "CM")) == {}


def test_sorted_rows_and_removed_columns_do_no_harm(mission: Project, tmp_path: Path) -> None:
    set_answer(mission, GRID, sid(mission, "AR"), "value.legal.comment", "kept")
    sheet = Sheet(export(mission, tmp_path / "audit.xlsx"))
    comment = sheet.headers["Value — legal (comment)"]
    sheet.ws.delete_cols(comment)  # the secretary removed a column
    sheet.headers = {c.value: c.column for c in sheet.ws[1] if c.value is not None}
    sheet.set("AR", "Value — legal", "high")
    # Sort the rows backwards by code, as a spreadsheet's sort would.
    rows = [[c.value for c in r] for r in sheet.ws.iter_rows(min_row=2)]
    for index, values in enumerate(sorted(rows, key=lambda r: str(r[0]), reverse=True), 2):
        for column, value in enumerate(values, 1):
            sheet.ws.cell(row=index, column=column, value=value)
    result = import_grid(mission, sheet.save(), GRID)
    assert result.conflicts == []
    assert get_answers(mission.conn, sid(mission, "AR"))["value"]["legal"] == {
        "level": "high",
        "comment": "kept",
    }


def test_a_french_workbook_imports_in_english(mission: Project, tmp_path: Path) -> None:
    set_language("fr")
    path = export(mission, tmp_path / "audit.xlsx")
    book = openpyxl.load_workbook(path)
    grid_sheet = book.worksheets[1]  # after the summary
    headers = {c.value: c.column for c in grid_sheet[1]}
    assert "Valeur — juridique" in headers
    row = next(r[0].row for r in grid_sheet.iter_rows(min_row=2) if r[0].value == "MP")
    grid_sheet.cell(row=row, column=headers["Valeur — juridique"], value="moyenne")
    book.save(path)
    set_language("en")
    result = import_grid(mission, path, GRID)
    assert result.conflicts == []
    assert [(c.code, c.new) for c in result.changes] == [("MP", "medium")]


def test_one_undo_takes_the_whole_import_back(mission: Project, tmp_path: Path) -> None:
    stack = UndoStack(mission)
    sheet = Sheet(export(mission, tmp_path / "audit.xlsx"))
    sheet.set("CM", "Value — legal", "high")
    sheet.set("AR", "Value — legal", "low")
    import_grid(mission, sheet.save(), GRID)
    assert stack.undo_label() == "Import the audit grid from audit.xlsx"
    stack.undo()
    assert get_answers(mission.conn, sid(mission, "CM")) == {}
    assert get_answers(mission.conn, sid(mission, "AR")) == {}


def test_unusable_workbooks_are_refused_with_a_location(mission: Project, tmp_path: Path) -> None:
    path = export(mission, tmp_path / "audit.xlsx")
    book = openpyxl.load_workbook(path)
    book["Audit grid"].title = "Something else"
    book.save(tmp_path / "renamed.xlsx")
    with pytest.raises(WorkbookError, match="no sheet named Audit grid"):
        import_grid(mission, tmp_path / "renamed.xlsx", GRID)

    book = openpyxl.load_workbook(path)
    book["Audit grid"]["A1"] = "Cote?"
    book.save(tmp_path / "nocode.xlsx")
    with pytest.raises(WorkbookError, match="sheet Audit grid, row 1: no column Code"):
        import_grid(mission, tmp_path / "nocode.xlsx", GRID)

    (tmp_path / "not.xlsx").write_text("hello")
    with pytest.raises(WorkbookError):
        import_grid(mission, tmp_path / "not.xlsx", GRID)
