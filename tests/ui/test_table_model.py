"""The SQL-paged table model: SQL does the sorting and filtering, pages are read on demand."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.ui.models.table import PAGE_ROWS, Column, SqlTableModel


def _conn(rows: int) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, size INTEGER)")
    conn.executemany(
        "INSERT INTO item (id, name, size) VALUES (?, ?, ?)",
        [(i, f"fichier-{i:05d}", (i * 37) % 1000) for i in range(1, rows + 1)],
    )
    return conn


def _model() -> SqlTableModel:
    return SqlTableModel(
        [
            Column("Name", "name"),
            Column("Size", "size", format=lambda v: f"{v} B", align_right=True),
        ],
        "item",
        key="id",
    )


def test_rows_beyond_the_first_page_are_read_on_demand(qtbot: QtBot) -> None:
    model = _model()
    model.set_query(_conn(3 * PAGE_ROWS + 5))
    assert model.rowCount() == 3 * PAGE_ROWS + 5
    assert model.columnCount() == 2
    last = model.index(model.rowCount() - 1, 0)
    assert model.data(last) == f"fichier-{3 * PAGE_ROWS + 5:05d}"
    assert model.data(model.index(0, 1)) == "37 B"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) is not None
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Size"


def test_sorting_and_filtering_are_sql(qtbot: QtBot) -> None:
    model = _model()
    conn = _conn(1000)
    model.set_query(conn, where="size >= ?", params=(900,))
    expected = conn.execute("SELECT count(*) FROM item WHERE size >= 900").fetchone()[0]
    assert model.rowCount() == expected
    model.sort(1, Qt.SortOrder.DescendingOrder)
    sizes = [model.row_values(r)[1] for r in range(model.rowCount())]
    assert sizes == sorted(sizes, reverse=True)
    first_key = model.key(0)
    assert model.row_of(first_key) == 0
    assert model.row_of(-1) == -1
    model.set_query(None)
    assert model.rowCount() == 0
