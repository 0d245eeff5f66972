"""Small choices of the Classer page: a series to assign to, a reason to exclude."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _
from app.project.series import EXCLUSION_REASONS, Series
from app.ui.dialog_buttons import ok_cancel_buttons


class ChooseSeriesDialog(QDialog):
    """Pick one series of the plan (type to search in the list)."""

    def __init__(self, series: list[Series], count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Assign to a series"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(_("Put the {n} selected item(s) and all they hold in:").format(n=count))
        )
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setAccessibleName(_("Series"))
        for s in series:
            self.combo.addItem(f"{s.code} — {s.title}", s.id)
        layout.addWidget(self.combo)
        layout.addWidget(ok_cancel_buttons(self))

    def series_id(self) -> int | None:
        found = self.combo.findText(self.combo.currentText())
        if found < 0:
            return None
        value = self.combo.itemData(found)
        return int(value) if value is not None else None


class ExcludeDialog(QDialog):
    """A reason for leaving folders or files out of every series, and a comment."""

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Exclude from the transfer"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "The {n} selected item(s) will be left out of every series. Nothing is deleted:"
                " Besace never touches the files."
            ).format(n=count)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.reason = QComboBox()
        self.reason.setAccessibleName(_("Reason"))
        for key, label in EXCLUSION_REASONS.items():
            self.reason.addItem(_(label), key)
        self.comment = QLineEdit()
        self.comment.setAccessibleName(_("Comment"))
        form.addRow(_("Reason"), self.reason)
        form.addRow(_("Comment"), self.comment)
        layout.addLayout(form)
        layout.addWidget(ok_cancel_buttons(self))

    def chosen(self) -> tuple[str, str]:
        return str(self.reason.currentData()), self.comment.text().strip()
