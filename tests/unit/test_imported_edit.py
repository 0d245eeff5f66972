"""Restructuring an imported tree (add, move, merge, delete, describe), each step undoable."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from app.errors import AppError
from app.project import Project
from app.project.undo import UndoStack
from app.seda.imported import load_tree
from app.seda.imported_edit import (
    add_unit,
    delete_units,
    merge_units,
    move_units,
    set_field_on_units,
)
from app.seda.resip_csv import import_resip_csv


def shape(project: Project, package_id: int) -> list[tuple[int, str, list[str]]]:
    """(depth, title, file names) of every unit, in order."""
    out: list[tuple[int, str, list[str]]] = []
    stack = [(0, u) for u in reversed(load_tree(project, package_id).units)]
    while stack:
        depth, unit = stack.pop()
        out.append((depth, unit.title, sorted(o.filename for o in unit.objects)))
        stack.extend((depth + 1, c) for c in reversed(unit.children))
    return out


def ids_by_title(project: Project, package_id: int) -> dict[str, int]:
    return {
        str(t): int(i)
        for i, t in project.conn.execute(
            "SELECT id, title FROM imported_unit WHERE package_id = ?", (package_id,)
        )
    }


@pytest.fixture
def imported(project: Project, tmp_path: Path) -> int:
    root = tmp_path / "versement"
    write(root / "Conseil" / "delib.pdf", b"%PDF delib")
    write(root / "Conseil" / "pv.pdf", b"%PDF pv")
    write(root / "Finances" / "budget.pdf", b"%PDF budget")
    csv = root / "metadata.csv"
    csv.write_text(
        "ID;ParentID;File;Content.DescriptionLevel;Content.Title\n"
        "1;;Conseil;RecordGrp;Conseil municipal\n"
        "2;1;Conseil/delib.pdf;Item;Délibération\n"
        "3;1;Conseil/pv.pdf;Item;Procès-verbal\n"
        "4;;Finances;RecordGrp;Finances\n"
        "5;4;Finances/budget.pdf;Item;Budget\n",
        encoding="utf-8",
    )
    package_id, _tree = import_resip_csv(project, csv)
    return package_id


def test_add_move_merge_delete_and_undo_each(project: Project, imported: int) -> None:
    stack = UndoStack(project)
    original = shape(project, imported)
    ids = ids_by_title(project, imported)

    new_id = add_unit(project, imported, None, "Administration générale")
    move_units(project, [ids["Conseil municipal"], ids["Finances"]], new_id)
    assert [(d, t) for d, t, _f in shape(project, imported)][:2] == [
        (0, "Administration générale"),
        (1, "Conseil municipal"),
    ]
    merge_units(project, ids["Délibération"], [ids["Procès-verbal"]])
    merged = {t: f for _d, t, f in shape(project, imported)}
    assert "Procès-verbal" not in merged
    assert merged["Délibération"] == ["delib.pdf", "pv.pdf"]
    assert delete_units(project, [ids["Finances"]]) >= 1
    assert all(t not in ("Finances", "Budget") for _d, t, _f in shape(project, imported))

    for _ in range(4):  # delete, merge, move, add
        stack.undo()
    assert shape(project, imported) == original


def test_bulk_field_is_one_step(project: Project, imported: int) -> None:
    stack = UndoStack(project)
    ids = ids_by_title(project, imported)
    units = [ids["Délibération"], ids["Procès-verbal"], ids["Budget"]]
    set_field_on_units(project, units, "Description", "Versement 2026")
    described = [
        u.title
        for u in load_tree(project, imported).all_units()
        if any(e.name == "Description" for e in u.content)
    ]
    assert sorted(described) == ["Budget", "Délibération", "Procès-verbal"]
    stack.undo()
    units = load_tree(project, imported).all_units()
    assert not any(e.name == "Description" for u in units for e in u.content)


def test_impossible_moves_are_refused(project: Project, imported: int) -> None:
    ids = ids_by_title(project, imported)
    before = shape(project, imported)
    with pytest.raises(AppError):
        move_units(project, [ids["Conseil municipal"]], ids["Délibération"])  # into its own child
    with pytest.raises(AppError):
        merge_units(project, ids["Délibération"], [])
    assert shape(project, imported) == before
