"""Render besace.svg to the PNG (Linux, window) and ICO (Windows) icons committed beside it.

Run once after editing the SVG: `.venv/bin/python installer/icons/render_icons.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    image = QImage(size, size, QImage.Format.Format_RGBA8888)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    pixels = bytes(image.constBits())
    return Image.frombuffer("RGBA", (size, size), pixels, "raw", "RGBA", image.bytesPerLine(), 1)


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(HERE / "besace.svg"))
    if not renderer.isValid():
        print("besace.svg is not a valid SVG", file=sys.stderr)
        return 1
    images = {size: render(renderer, size) for size in ICO_SIZES}
    images[256].save(HERE / "besace.png")
    largest = images[256]
    largest.save(
        HERE / "besace.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != 256],
    )
    print(f"wrote {HERE / 'besace.png'} and {HERE / 'besace.ico'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
