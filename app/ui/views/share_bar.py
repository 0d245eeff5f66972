"""A bar drawn behind a percentage, for the folder tree's 'share of the parent' column."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.ui.models.tree import SHARE_ROLE


class ShareBarDelegate(QStyledItemDelegate):
    """Paints the share as a bar under its text (the text says the number: not colour alone)."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        share = index.data(SHARE_ROLE)
        if isinstance(share, float) and share > 0:
            selected = bool(option.state & QStyle.StateFlag.State_Selected)
            rect: QRect = option.rect.adjusted(2, 3, -2, -3)
            bar = QRect(
                rect.x(), rect.y(), max(1, int(rect.width() * min(share, 1.0))), rect.height()
            )
            colour = option.palette.color(
                QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight
            )
            colour.setAlpha(70)
            painter.save()
            painter.fillRect(bar, colour)
            painter.restore()
        super().paint(painter, option, index)
