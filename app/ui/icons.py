"""One small, coherent icon set: line icons drawn in the text colour of the current palette.

The SVG files in app/resources/icons/ use `currentColor`; each icon is rendered on demand at
the exact size and pixel ratio asked, in the palette's text colour (or its disabled colour),
so icons stay crisp at 200 % scaling and readable on dark themes. Icons never carry meaning
alone: every control that shows one also has a text or a tooltip and an accessible name.
"""

from __future__ import annotations

import logging
from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

log = logging.getLogger(__name__)

# Names understood by `icon()` (the files app/resources/icons/<name>.svg).
ICON_NAMES = (
    "about",
    "add",
    "classify",
    "close",
    "demo",
    "describe",
    "edit",
    "error",
    "explore",
    "file",
    "folder",
    "home",
    "info",
    "key",
    "language",
    "missing",
    "network",
    "new",
    "ok",
    "open",
    "outbox",
    "package",
    "pause",
    "queue",
    "quit",
    "recent",
    "redo",
    "refresh",
    "remove",
    "reply",
    "reports",
    "retention",
    "retry",
    "scan",
    "schemas",
    "send",
    "settings",
    "start",
    "stop",
    "test",
    "undo",
    "warning",
)


@cache
def _svg_text(name: str) -> str | None:
    source = resources.files("app") / "resources" / "icons" / f"{name}.svg"
    try:
        return source.read_text(encoding="utf-8")
    except FileNotFoundError:
        log.warning("no icon named %r", name)
        return None


def _colour(mode: QIcon.Mode) -> QColor:
    palette = QGuiApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorRole.WindowText)


class _SvgIconEngine(QIconEngine):
    def __init__(self, name: str, svg: str) -> None:
        super().__init__()
        self._name = name
        self._svg = svg

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self._name, self._svg)

    def iconName(self) -> str:
        return self._name

    def _renderer(self, mode: QIcon.Mode) -> QSvgRenderer:
        svg = self._svg.replace("currentColor", _colour(mode).name())
        return QSvgRenderer(QByteArray(svg.encode("utf-8")))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._renderer(mode).render(painter, rect)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap


def icon(name: str) -> QIcon:
    """The icon called `name` (see ICON_NAMES); an empty icon for an unknown name."""
    svg = _svg_text(name) if name else None
    if svg is None:
        return QIcon()
    return QIcon(_SvgIconEngine(name, svg))
