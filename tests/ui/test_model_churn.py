"""Model churn: a bad Qt binding release must fail here, not on an archivist's laptop.

PySide6 6.12.0 on CPython 3.11 aborts ("Fatal Python error: deallocating None") after many
model notifications with a view attached: each `data()` call answered with None loses a
reference to None. The churn runs in a child process so that an abort is reported as a test
failure with its output, instead of killing the test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

NOTIFICATIONS = 120_000


def churn(notifications: int = NOTIFICATIONS) -> int:
    """Insert rows, change them and reset the model under a shown QTableView."""
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
    from PySide6.QtWidgets import QApplication, QTableView

    Index = QModelIndex | QPersistentModelIndex

    class Churning(QAbstractTableModel):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[tuple[int, str]] = []

        def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else len(self.rows)

        def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
            return 0 if parent.isValid() else 3

        def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            if role != Qt.ItemDataRole.DisplayRole:
                return None  # most calls: the None the bad release mishandles
            number, text = self.rows[index.row()]
            return (number, text, None)[index.column()]

    app = QApplication.instance() or QApplication([])
    model = Churning()
    view = QTableView()
    view.setModel(model)
    view.resize(800, 600)
    view.show()
    sent = 0
    while sent < notifications:
        for _ in range(200):  # one insert per row, as a naive worker would
            row = len(model.rows)
            model.beginInsertRows(QModelIndex(), row, row)
            model.rows.append((row, f"fichier-{row}.pdf"))
            model.endInsertRows()
            sent += 1
        for row in range(0, len(model.rows), 4):
            model.rows[row] = (row, f"renommé-{row}.odt")
            model.dataChanged.emit(model.index(row, 0), model.index(row, 2))
            sent += 1
        app.processEvents()  # the view repaints: data() answers thousands of times
        if len(model.rows) >= 2000:
            model.beginResetModel()
            model.rows.clear()
            model.endResetModel()
            sent += 1
            app.processEvents()
    view.close()
    return sent


def test_model_churn_does_not_crash_the_binding() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    result = subprocess.run(
        [sys.executable, __file__],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    assert result.returncode == 0, (
        f"the Qt binding crashed under model churn (exit {result.returncode}):\n"
        f"{result.stderr[-4000:]}"
    )
    assert int(result.stdout.split()[-1]) >= 100_000


if __name__ == "__main__":
    print(churn())
