"""Small read-only tables (tens to a few thousand rows) filled from plain values.

Big lists use the SQL-paged models of `app.ui.models`; these are for summaries: states per
series, referentials, proposals, validation problems. A row can carry a value for the page
(`ROW_DATA`) on its first cell.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

ROW_DATA = Qt.ItemDataRole.UserRole + 1
MAX_COLUMN_WIDTH = 300  # a long text is cut with "…" (full text in the tooltip)


def make_table(headers: Sequence[str], accessible_name: str, *, stretch: int = -1) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setAccessibleName(accessible_name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if stretch >= 0:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    else:
        header.setStretchLastSection(True)
    return table


def fit_columns(table: QTableWidget) -> None:
    """Columns as wide as their content, up to MAX_COLUMN_WIDTH; the stretched one fills."""
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Stretch:
            continue
        table.resizeColumnToContents(column)
        if header.sectionSize(column) > MAX_COLUMN_WIDTH:
            header.resizeSection(column, MAX_COLUMN_WIDTH)


def fill_table(
    table: QTableWidget,
    rows: Sequence[Sequence[object]],
    *,
    right: Sequence[int] = (),
    data: Sequence[object] | None = None,
    tooltips: Sequence[Sequence[str] | None] | None = None,
) -> None:
    """Replace the table's rows; `right` are number columns, `data` one value per row."""
    table.setSortingEnabled(False)
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem("" if value is None else str(value))
            if c in right:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if data is not None and c == 0:
                item.setData(ROW_DATA, data[r])
            tip = ""
            if tooltips is not None and tooltips[r] is not None:
                tips = tooltips[r]
                assert tips is not None
                tip = tips[c] if c < len(tips) else ""
            item.setToolTip(tip or item.text())
            table.setItem(r, c, item)
    fit_columns(table)


def row_data(table: QTableWidget, row: int) -> object:
    item = table.item(row, 0)
    return item.data(ROW_DATA) if item is not None else None
