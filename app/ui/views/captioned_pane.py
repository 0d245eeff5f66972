"""A caption above a view that takes the room left, edge to edge: one side of a splitter."""

from __future__ import annotations

from PySide6.QtWidgets import QLayout, QVBoxLayout, QWidget


def captioned_pane(caption: QWidget, body: QWidget, footer: QLayout | None = None) -> QWidget:
    """`caption`, then `body` stretched, then `footer` (e.g. a row of buttons), no margins."""
    pane = QWidget()
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(caption)
    layout.addWidget(body, 1)
    if footer is not None:
        layout.addLayout(footer)
    return pane
