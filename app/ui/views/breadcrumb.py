"""The path of the folder shown, as buttons: each one goes back up to that folder."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from app.i18n import _

MAX_CRUMBS = 7  # beyond, the middle folders fold into "…"


class Breadcrumb(QWidget):
    folder_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self._path: list[tuple[int, str]] = []
        self.setAccessibleName(_("Path of the folder shown"))

    def set_path(self, path: Sequence[tuple[int, str]]) -> None:
        self._path = list(path)
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        shown: list[tuple[int, str] | None] = list(self._path)
        if len(shown) > MAX_CRUMBS:
            shown = [*shown[:2], None, *shown[-(MAX_CRUMBS - 3) :]]
        for number, crumb in enumerate(shown):
            if number:
                separator = QLabel("›")
                separator.setAccessibleName("")
                self._layout.addWidget(separator)
            if crumb is None:
                self._layout.addWidget(QLabel("…"))
                continue
            folder_id, name = crumb
            button = QToolButton()
            button.setText(name if len(name) <= 40 else name[:18] + "…" + name[-18:])
            button.setAutoRaise(True)
            button.setToolTip(_("Go to {folder}").format(folder=name))
            button.setAccessibleName(_("Go to {folder}").format(folder=name))
            if number == len(shown) - 1:
                font = button.font()
                font.setBold(True)
                button.setFont(font)
            button.clicked.connect(lambda _checked=False, f=folder_id: self.folder_chosen.emit(f))
            self._layout.addWidget(button)
        self._layout.addStretch(1)

    def path(self) -> list[tuple[int, str]]:
        return list(self._path)

    def go_up(self) -> None:
        """Choose the parent of the folder shown, if any."""
        if len(self._path) >= 2:
            self.folder_chosen.emit(self._path[-2][0])
