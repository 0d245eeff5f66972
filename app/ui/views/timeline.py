"""Files or bytes per year of last modification, as bars; a click filters the file list.

Years between the first and the last are all drawn (an empty year is information too); files
without a date get their own bar, "?". The chosen year is outlined and its label is bold, and
a text line under the chart says it: colour is never the only cue. Keyboard: Left/Right move,
Enter or Space choose the year (again to clear).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QFocusEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QToolTip, QWidget

from app.i18n import _, format_bytes, format_count
from app.ui.models.overview import YearTotal

UNKNOWN_YEAR_LABEL = "?"


class TimelineView(QWidget):
    """Bars per year; `year_chosen` carries the year (0 for 'no date') or None to clear."""

    year_chosen = Signal(object)  # int | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: list[YearTotal] = []
        self._by_bytes = False
        self._selected: int | None = None  # a year, 0 for unknown
        self._focus = -1
        self._hover = -1
        self._message = ""
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumHeight(110)
        self.setAccessibleName(_("Timeline: files by year of last modification"))

    # -- content ---------------------------------------------------------------------------
    def set_years(self, years: Sequence[YearTotal]) -> None:
        known = sorted((y for y in years if y.year is not None), key=lambda y: y.year or 0)
        bars: list[YearTotal] = []
        if known:
            first, last = known[0].year or 0, known[-1].year or 0
            found = {y.year: y for y in known}
            bars = [found.get(year, YearTotal(year, 0, 0)) for year in range(first, last + 1)]
        bars.extend(y for y in years if y.year is None)
        self._bars = bars
        self._message = ""
        self._focus = min(max(self._focus, 0), len(bars) - 1) if bars else -1
        self._describe()
        self.update()

    def bars(self) -> list[YearTotal]:
        return list(self._bars)

    def set_message(self, text: str) -> None:
        self._message = text
        self.update()

    def set_by_bytes(self, by_bytes: bool) -> None:
        self._by_bytes = by_bytes
        self._describe()
        self.update()

    def set_selected(self, year: int | None) -> None:
        """Show which year filters the list (no signal)."""
        self._selected = year
        self._describe()
        self.update()

    @property
    def selected(self) -> int | None:
        return self._selected

    # -- geometry --------------------------------------------------------------------------
    def _plot(self) -> QRectF:
        metrics = QFontMetrics(self.font())
        return QRectF(self.rect()).adjusted(8, metrics.height() + 6, -8, -(metrics.height() + 8))

    def bar_rects(self) -> list[QRectF]:
        """The full-height slot of each bar (for hit tests and tests)."""
        plot = self._plot()
        count = len(self._bars)
        if count == 0 or plot.width() <= 0:
            return []
        width = plot.width() / count
        return [QRectF(plot.x() + n * width, plot.y(), width, plot.height()) for n in range(count)]

    def _bar_at(self, point: QPointF) -> int:
        for number, rect in enumerate(self.bar_rects()):
            if rect.left() <= point.x() < rect.right():
                return number
        return -1

    @staticmethod
    def _year_key(bar: YearTotal) -> int:
        return bar.year if bar.year is not None else 0

    def _value(self, bar: YearTotal) -> int:
        return bar.bytes if self._by_bytes else bar.files

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Base))
        metrics = QFontMetrics(self.font())
        if self._message or not self._bars:
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                self.rect(),
                int(Qt.AlignmentFlag.AlignCenter),
                self._message or _("No dated file here."),
            )
            painter.end()
            return
        peak = max(self._value(b) for b in self._bars) or 1
        plot = self._plot()
        text = palette.color(QPalette.ColorRole.Text)
        painter.setPen(text)
        caption = (
            _("Largest year: {size}").format(size=format_bytes(peak))
            if self._by_bytes
            else _("Largest year: {count} files").format(count=format_count(peak))
        )
        painter.drawText(QRectF(8, 2, self.width() - 16, metrics.height() + 2), 0, caption)
        bar_colour = palette.color(QPalette.ColorRole.Highlight)
        slots = self.bar_rects()
        step = max(1, int((metrics.horizontalAdvance("0000") + 6) // max(1.0, slots[0].width())))
        bold = QFont(self.font())
        bold.setBold(True)
        for number, (bar, slot) in enumerate(zip(self._bars, slots, strict=True)):
            value = self._value(bar)
            height = plot.height() * value / peak
            rect = QRectF(slot.x() + 1, plot.bottom() - height, max(1.0, slot.width() - 2), height)
            chosen = self._selected is not None and self._year_key(bar) == self._selected
            colour = bar_colour.darker(140) if chosen else bar_colour
            if number == self._hover:
                colour = colour.lighter(120)
            painter.fillRect(rect, colour)
            if chosen:
                painter.setPen(QPen(text, 2))
                painter.drawRect(slot.adjusted(1, 1, -1, -1))
            if number == self._focus and self.hasFocus():
                painter.setPen(QPen(text, 1, Qt.PenStyle.DotLine))
                painter.drawRect(slot.adjusted(0, 0, -1, -1))
            label = str(bar.year) if bar.year is not None else UNKNOWN_YEAR_LABEL
            if number % step == 0 or chosen or bar.year is None:
                painter.setFont(bold if chosen else self.font())
                painter.setPen(text)
                label_rect = QRectF(slot.center().x() - 30, plot.bottom() + 2, 60, metrics.height())
                painter.drawText(label_rect, int(Qt.AlignmentFlag.AlignHCenter), label)
                painter.setFont(self.font())
        painter.end()

    # -- text for people -------------------------------------------------------------------
    def describe(self, bar: YearTotal) -> str:
        year = str(bar.year) if bar.year is not None else _("No date")
        return _("{year}: {files} files, {size}").format(
            year=year, files=format_count(bar.files), size=format_bytes(bar.bytes)
        )

    def _describe(self) -> None:
        parts = []
        if 0 <= self._focus < len(self._bars):
            parts.append(self.describe(self._bars[self._focus]))
        if self._selected is not None:
            parts.append(_("the file list shows this year only"))
        self.setAccessibleDescription("; ".join(parts))

    def event(self, event: QEvent) -> bool:
        if isinstance(event, QHelpEvent) and event.type() == QHelpEvent.Type.ToolTip:
            number = self._bar_at(QPointF(event.pos()))
            if 0 <= number < len(self._bars):
                text = self.describe(self._bars[number]) + "\n" + _("Click to list these files")
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    # -- mouse and keyboard ----------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        number = self._bar_at(event.position())
        if number != self._hover:
            self._hover = number
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._hover = -1
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        number = self._bar_at(event.position())
        if number >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self._focus = number
            self.choose(number)
        super().mousePressEvent(event)

    def choose(self, number: int) -> None:
        """Pick bar `number` as the year filter, or clear the filter if it was picked."""
        if not 0 <= number < len(self._bars):
            return
        key = self._year_key(self._bars[number])
        self._selected = None if self._selected == key else key
        self._describe()
        self.update()
        self.year_chosen.emit(self._selected)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and self._bars:
            delta = -1 if key == Qt.Key.Key_Left else 1
            self._focus = max(0, min(len(self._bars) - 1, self._focus + delta))
            self._describe()
            self.update()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.choose(self._focus)
        elif key == Qt.Key.Key_Escape and self._selected is not None:
            self._selected = None
            self._describe()
            self.update()
            self.year_chosen.emit(None)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if self._focus < 0 and self._bars:
            self._focus = 0
        self._describe()
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(480, 130)
