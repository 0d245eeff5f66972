"""A squarified treemap of one folder, its legend, and the layout algorithm.

Rectangles are sized by bytes and coloured by format family, series or final action. Colour
is never the only cue: folders carry a title band, the grouped rest is hatched, rectangles
big enough carry their name and size, every rectangle has a tooltip, and the legend lists
each colour with its label. Keyboard: arrows move between rectangles, Enter opens a folder
(or shows a file), Backspace goes up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFocusEvent,
    QFontMetrics,
    QHelpEvent,
    QIcon,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QToolTip, QWidget

from app.i18n import _, format_bytes, format_count
from app.ui.models.display import percent_text
from app.ui.models.overview import OTHERS, FolderOverview, LegendEntry, TreemapEntry

Rect = tuple[float, float, float, float]  # x, y, width, height
_BAND = 16  # height of a folder's title band, in pixels
_MIN_LABEL_WIDTH = 46
_MIN_LABEL_HEIGHT = 18


def _worst(row: Sequence[float], side: float) -> float:
    """Worst aspect ratio of a row of areas laid along a side of length `side`."""
    total = sum(row)
    if total <= 0 or side <= 0:
        return math.inf
    largest, smallest = max(row), min(row)
    if smallest <= 0:
        return math.inf
    side2, total2 = side * side, total * total
    return max(side2 * largest / total2, total2 / (side2 * smallest))


def squarify(
    values: Sequence[float], x: float, y: float, width: float, height: float
) -> list[Rect]:
    """Bruls, Huizing and van Wijk's squarified layout of `values` (largest first) in a box.

    Returns one rectangle per value, in the same order; areas are proportional to the values
    and the rectangles tile the box exactly.
    """
    total = float(sum(values))
    if total <= 0 or width <= 0 or height <= 0 or not values:
        return [(x, y, 0.0, 0.0) for _ in values]
    scale = width * height / total
    areas = [max(0.0, v) * scale for v in values]
    rects: list[Rect] = []
    start = 0
    while start < len(areas):
        side = min(width, height)
        row = [areas[start]]
        end = start + 1
        while end < len(areas) and _worst([*row, areas[end]], side) <= _worst(row, side):
            row.append(areas[end])
            end += 1
        row_total = sum(row)
        if end == len(areas):
            row_total = width * height  # the last row takes what is left (rounding)
        if width >= height:  # a column on the left
            column = row_total / height if height > 0 else 0.0
            offset = y
            for area in row:
                h = area / row_total * height if row_total > 0 else 0.0
                rects.append((x, offset, column, h))
                offset += h
            x += column
            width -= column
        else:  # a row on top
            line = row_total / width if width > 0 else 0.0
            offset = x
            for area in row:
                w = area / row_total * width if row_total > 0 else 0.0
                rects.append((offset, y, w, line))
                offset += w
            y += line
            height -= line
        start = end
    return rects


def text_colour(background: QColor) -> QColor:
    """Black or white, whichever reads better on `background` (WCAG relative luminance)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    luminance = (
        0.2126 * channel(background.redF())
        + 0.7152 * channel(background.greenF())
        + 0.0722 * channel(background.blueF())
    )
    return QColor("#000000") if luminance > 0.179 else QColor("#ffffff")


def swatch(colour: str, size: int = 14, hatched: bool = False) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    painter = QPainter(pixmap)
    painter.setPen(QPen(QColor("#404040"), 1))
    painter.drawRect(0, 0, size - 1, size - 1)
    if hatched:
        painter.fillRect(
            1, 1, size - 2, size - 2, QBrush(QColor("#505050"), Qt.BrushStyle.BDiagPattern)
        )
    painter.end()
    return QIcon(pixmap)


class TreemapView(QWidget):
    """Draws a `FolderOverview`; emits what the user opens."""

    activated = Signal(object)  # TreemapEntry (double-click or Enter)
    current_changed = Signal(object)  # TreemapEntry | None
    up_requested = Signal()  # Backspace

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._overview: FolderOverview | None = None
        self._rects: list[QRectF] = []
        self._layout_size = QSize()
        self._current = -1
        self._message = ""
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(160, 120)
        self.setAccessibleName(_("Treemap of the folder"))
        self.setToolTip("")

    # -- content ---------------------------------------------------------------------------
    def set_message(self, text: str) -> None:
        """Shown instead of rectangles (loading, empty folder, no project)."""
        self._message = text
        self.update()

    def set_overview(self, overview: FolderOverview | None) -> None:
        """Show a folder; the same folder again (now coloured) keeps the current rectangle."""
        previous = self.current_entry()
        same_folder = (
            previous is not None
            and overview is not None
            and self._overview is not None
            and self._overview.folder_id == overview.folder_id
        )
        self._overview = overview
        self._message = ""
        self._layout_size = QSize()
        self._current = 0 if overview and overview.entries else -1
        if same_folder and previous is not None and overview is not None:
            for number, entry in enumerate(overview.entries):
                if (entry.kind, entry.id) == (previous.kind, previous.id):
                    self._current = number
                    break
        self._layout()
        self._describe()
        self.update()
        self.current_changed.emit(self.current_entry())

    @property
    def overview(self) -> FolderOverview | None:
        return self._overview

    def entries(self) -> list[TreemapEntry]:
        return list(self._overview.entries) if self._overview else []

    def rects(self) -> list[QRectF]:
        """The rectangle of each entry, in widget coordinates (same order as `entries()`)."""
        self._layout()
        return list(self._rects)

    def current_entry(self) -> TreemapEntry | None:
        entries = self.entries()
        return entries[self._current] if 0 <= self._current < len(entries) else None

    def set_current(self, number: int) -> None:
        entries = self.entries()
        if not entries:
            return
        number = max(0, min(number, len(entries) - 1))
        if number != self._current:
            self._current = number
            self._describe()
            self.update()
            self.current_changed.emit(self.current_entry())

    # -- geometry --------------------------------------------------------------------------
    def _layout(self) -> None:
        if self._layout_size == self.size():
            return
        self._layout_size = self.size()
        entries = self.entries()
        area = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        boxes = squarify(
            [float(e.bytes) for e in entries], area.x(), area.y(), area.width(), area.height()
        )
        self._rects = [QRectF(*box) for box in boxes]

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._layout()

    def _entry_at(self, point: QPointF) -> int:
        self._layout()
        for number, rect in enumerate(self._rects):
            if rect.contains(point):
                return number
        return -1

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        self._layout()
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        entries = self.entries()
        if self._message or not entries:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            text = self._message or _("Nothing to draw: no file with content in this folder.")
            painter.drawText(
                self.rect().adjusted(12, 12, -12, -12),
                int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
                text,
            )
            painter.end()
            return
        assert self._overview is not None
        colours = self._overview.colours
        metrics = QFontMetrics(self.font())
        border = QPen(palette.color(QPalette.ColorRole.Base), 1)
        for number, (entry, rect) in enumerate(zip(entries, self._rects, strict=True)):
            if rect.width() < 1 or rect.height() < 1:
                continue
            colour = QColor(colours.get(entry.colour_key, ("#d9d9d9", ""))[0])
            painter.fillRect(rect, colour)
            ink = text_colour(colour)
            if entry.kind == OTHERS:
                painter.fillRect(rect, QBrush(QColor(80, 80, 80, 160), Qt.BrushStyle.BDiagPattern))
            label_box = rect.adjusted(4, 2, -4, -2)
            if entry.kind == "folder" and rect.height() > _BAND + 4 and rect.width() > 20:
                band = QRectF(rect.x(), rect.y(), rect.width(), _BAND)
                painter.fillRect(band, colour.darker(135))
                ink = text_colour(colour.darker(135))
                label_box = band.adjusted(4, 0, -4, 0)
            painter.setPen(border)
            painter.drawRect(rect)
            if rect.width() >= _MIN_LABEL_WIDTH and rect.height() >= _MIN_LABEL_HEIGHT:
                painter.setPen(ink)
                name = metrics.elidedText(
                    entry.name, Qt.TextElideMode.ElideMiddle, int(label_box.width())
                )
                align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
                painter.drawText(label_box, int(align), name)
                size_box = QRectF(
                    rect.x() + 4,
                    label_box.bottom() + 1 if entry.kind == "folder" else label_box.y() + 15,
                    rect.width() - 8,
                    metrics.height(),
                )
                if size_box.bottom() <= rect.bottom() - 1:
                    painter.setPen(text_colour(colour))
                    painter.drawText(size_box, int(align), format_bytes(entry.bytes))
            if number == self._current:
                highlight = palette.color(QPalette.ColorRole.Highlight)
                pen = QPen(highlight, 3)
                if self.hasFocus():
                    pen.setStyle(Qt.PenStyle.SolidLine)
                else:
                    pen.setStyle(Qt.PenStyle.DashLine)
                painter.setPen(pen)
                painter.drawRect(rect.adjusted(1.5, 1.5, -1.5, -1.5))
        painter.end()

    # -- text for people -------------------------------------------------------------------
    def describe(self, entry: TreemapEntry) -> str:
        assert self._overview is not None
        label = self._overview.colours.get(entry.colour_key, ("", entry.colour_key))[1]
        whole = self._overview.total_bytes
        if entry.kind == "folder":
            kind = _("Folder")
        elif entry.kind == "file":
            kind = _("File")
        else:
            kind = _("Grouped small items")
        lines = [
            f"{entry.name}",
            f"{kind} · {format_bytes(entry.bytes)} · {percent_text(entry.bytes, whole)}",
            _("{count} files").format(count=format_count(entry.files)),
        ]
        if entry.kind != OTHERS:
            lines.append(
                _("Mostly: {label}").format(label=label) if entry.kind == "folder" else label
            )
        return "\n".join(lines)

    def _describe(self) -> None:
        entry = self.current_entry()
        self.setAccessibleDescription(self.describe(entry).replace("\n", ", ") if entry else "")

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QHelpEvent) and event.type() == QHelpEvent.Type.ToolTip:
            number = self._entry_at(QPointF(event.pos()))
            entries = self.entries()
            if 0 <= number < len(entries):
                QToolTip.showText(event.globalPos(), self.describe(entries[number]), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    # -- mouse and keyboard ----------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        number = self._entry_at(event.position())
        if number >= 0:
            self.set_current(number)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        number = self._entry_at(event.position())
        entry = self.entries()[number] if number >= 0 else None
        if entry is not None:
            self.activated.emit(entry)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def _neighbour(self, dx: int, dy: int) -> int:
        """The rectangle nearest to the current one in a direction, or the current one."""
        self._layout()
        if not 0 <= self._current < len(self._rects):
            return 0
        here = self._rects[self._current].center()
        best, best_score = self._current, math.inf
        for number, rect in enumerate(self._rects):
            if number == self._current or rect.width() < 1 or rect.height() < 1:
                continue
            delta = rect.center() - here
            along = delta.x() * dx + delta.y() * dy
            if along <= 0:
                continue
            across = abs(delta.x() * dy) + abs(delta.y() * dx)
            score = along + 2 * across
            if score < best_score:
                best, best_score = number, score
        return best

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        moves = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
        }
        if key in moves:
            self.set_current(self._neighbour(*moves[Qt.Key(key)]))
        elif key == Qt.Key.Key_Home:
            self.set_current(0)
        elif key == Qt.Key.Key_End:
            self.set_current(len(self.entries()) - 1)
        elif key == Qt.Key.Key_Tab and event.modifiers() == Qt.KeyboardModifier.ControlModifier:
            self.set_current(self._current + 1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            entry = self.current_entry()
            if entry is not None:
                self.activated.emit(entry)
        elif key == Qt.Key.Key_Backspace:
            self.up_requested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def sizeHint(self) -> QSize:
        return QSize(480, 300)


class LegendList(QListWidget):
    """The colours of the treemap with their labels and shares; activating one filters."""

    key_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Legend of the treemap"))
        self.setToolTip(_("Colours of the treemap; double-click one to list its files."))
        self.setUniformItemSizes(True)
        self.itemActivated.connect(self._activated)

    def set_entries(self, entries: Sequence[LegendEntry], total_bytes: int) -> None:
        self.clear()
        for entry in entries:
            share = percent_text(entry.bytes, total_bytes) or "0"
            text = f"{entry.label} — {share} · {format_bytes(entry.bytes)}"
            item = QListWidgetItem(swatch(entry.colour, hatched=entry.key == OTHERS), text)
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            item.setToolTip(
                _("{label}: {files} files, {size} ({share} of the folder)").format(
                    label=entry.label,
                    files=format_count(entry.files),
                    size=format_bytes(entry.bytes),
                    share=share,
                )
            )
            self.addItem(item)

    def _activated(self, item: QListWidgetItem) -> None:
        self.key_activated.emit(str(item.data(Qt.ItemDataRole.UserRole)))
