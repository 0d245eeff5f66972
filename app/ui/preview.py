"""The preview of the selected file: a thumbnail, the first page, the first lines, and facts.

Reading happens on the read pool, never on the GUI thread, and never writes to the share:
files are opened read-only (without touching their access time where the system allows),
through `app.share_files.open_read_only`. Selecting another file cancels the pending preview.
Images go through Pillow, PDF first pages through pypdfium2 (which is not thread-safe, hence
one lock), text through a careful decoding (byte-order mark, UTF-8, else Windows-1252).
"""

from __future__ import annotations

import codecs
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from PIL import Image, ImageOps, UnidentifiedImageError
from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_bytes
from app.inventory import names
from app.inventory.formats import family_label, risk_of
from app.share_files import open_read_only
from app.tasks import Cancelled, CancelToken
from app.ui.icons import icon
from app.ui.models.display import date_text, flag_texts, format_text, series_text
from app.ui.models.files import FileRow
from app.ui.models.latest_read import LatestRead
from app.ui.session import Session

MAX_SIDE = 480  # pixels of the longest side of a thumbnail or page
MAX_IMAGE_BYTES = 256 * 1024**2
MAX_IMAGE_PIXELS = 120_000_000
MAX_PDF_BYTES = 512 * 1024**2
TEXT_BYTES = 64 * 1024
TEXT_LINES = 200


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


IMAGE_EXTENSIONS = _words(
    "jpg jpeg jpe jfif png gif bmp dib tif tiff webp ico jp2 j2k jpf jpx pcx tga ppm pgm pbm psd"
)
TEXT_EXTENSIONS = _words(
    "txt text log md markdown rst csv tsv tab json jsonl geojson xml xsd xsl xslt html htm"
    " xhtml css js eml mbox ics vcf ini cfg conf inf yaml yml sql svg srt vtt tex nfo asc gpx"
    " kml gml rdf ttl bat cmd ps1 sh py"
)

_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b")

# pdfium must never run in two threads at once.
_PDFIUM_LOCK = threading.Lock()


@dataclass(frozen=True)
class PreviewResult:
    kind: str  # "image" | "text" | "none"
    image: QImage | None = None
    text: str = ""
    note: str = ""  # what the preview shows, or why there is none


def file_os_path(conn: sqlite3.Connection, file_id: int) -> str | None:
    """The exact path of a file on the disk, rebuilt from the raw names of its folders."""
    row = conn.execute(
        "SELECT f.name, f.dir_id, s.root_raw FROM file f JOIN source s ON s.id = f.source_id"
        " WHERE f.id = ?",
        (file_id,),
    ).fetchone()
    if row is None:
        return None
    folders = [
        bytes(name)
        for (name,) in conn.execute(
            "WITH RECURSIVE up(id, parent_id, name, depth) AS (SELECT id, parent_id, name, depth"
            " FROM directory WHERE id = ? UNION ALL SELECT d.id, d.parent_id, d.name, d.depth"
            " FROM directory d JOIN up ON d.id = up.parent_id)"
            " SELECT name FROM up WHERE parent_id IS NOT NULL ORDER BY depth",
            (int(row[1]),),
        )
    ]
    raw = os.path.join(bytes(row[2]), *folders, bytes(row[0]))
    return names.raw_to_name(raw)


def decode_text(data: bytes, *, truncated: bool) -> tuple[str, str] | None:
    """(text, encoding name) of the start of a file, or None when it looks binary."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            decoder = codecs.getincrementaldecoder(encoding)("replace")
            return decoder.decode(data, final=not truncated), encoding.upper()
    sample = data[:4096]
    controls = sum(1 for byte in sample if byte < 32 and byte not in _TEXT_CONTROLS)
    if b"\x00" in sample or controls > len(sample) // 20:
        return None
    try:
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        return decoder.decode(data, final=not truncated), "UTF-8"
    except UnicodeDecodeError:
        pass
    # Older Windows files of French communes: Windows-1252 (a superset of Latin-1).
    return data.decode("cp1252", "replace"), "Windows-1252"


def _read_start(path: str, limit: int) -> tuple[bytes, bool]:
    with os.fdopen(open_read_only(names.long_path(path)), "rb") as handle:
        data = handle.read(limit + 1)
    return data[:limit], len(data) > limit


def _pil_to_qimage(picture: Image.Image) -> QImage:
    rgba = picture.convert("RGBA")
    data = rgba.tobytes("raw", "RGBA")
    image = QImage(data, rgba.width, rgba.height, rgba.width * 4, QImage.Format.Format_RGBA8888)
    return image.copy()  # own the pixels: `data` dies with this function


def _image_preview(path: str, size: int, token: CancelToken) -> PreviewResult:
    if size > MAX_IMAGE_BYTES:
        return PreviewResult(
            "none", note=_("Image too large to preview ({size}).").format(size=format_bytes(size))
        )
    with (
        os.fdopen(open_read_only(names.long_path(path)), "rb") as handle,
        Image.open(handle) as picture,
    ):
        width, height = picture.size
        if width * height > MAX_IMAGE_PIXELS:
            return PreviewResult(
                "none",
                note=_("Image too large to preview ({width} × {height} pixels).").format(
                    width=width, height=height
                ),
            )
        token.raise_if_cancelled()
        picture.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced scale
        upright = ImageOps.exif_transpose(picture)
        upright.thumbnail((MAX_SIDE, MAX_SIDE))
        token.raise_if_cancelled()
        image = _pil_to_qimage(upright)
    note = _("{width} × {height} pixels").format(width=width, height=height)
    return PreviewResult("image", image=image, note=note)


def _pdf_preview(path: str, size: int, token: CancelToken) -> PreviewResult:
    if size > MAX_PDF_BYTES:
        return PreviewResult(
            "none", note=_("PDF too large to preview ({size}).").format(size=format_bytes(size))
        )
    with os.fdopen(open_read_only(names.long_path(path)), "rb") as handle, _PDFIUM_LOCK:
        token.raise_if_cancelled()
        try:
            document = pdfium.PdfDocument(handle)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                return PreviewResult("none", note=_("This PDF is protected by a password."))
            return PreviewResult(
                "none", note=_("This PDF cannot be read: {reason}").format(reason=exc)
            )
        try:
            pages = len(document)
            if pages == 0:
                return PreviewResult("none", note=_("This PDF has no page."))
            page = document[0]
            try:
                width, height = page.get_size()
                scale = min(3.0, MAX_SIDE / max(width, height, 1.0))
                bitmap = page.render(scale=scale)
                image = _pil_to_qimage(bitmap.to_pil())
                bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
    return PreviewResult("image", image=image, note=_("Page 1 of {pages}").format(pages=pages))


def _text_preview(path: str) -> PreviewResult:
    data, truncated = _read_start(path, TEXT_BYTES)
    decoded = decode_text(data, truncated=truncated)
    if decoded is None:
        return PreviewResult("none", note=_("This file holds binary data, not text."))
    text, encoding = decoded
    lines = text.splitlines()
    more = truncated or len(lines) > TEXT_LINES
    shown = "\n".join(lines[:TEXT_LINES])
    note = (
        _("First lines, read as {encoding}").format(encoding=encoding)
        if more
        else _("Whole file, read as {encoding}").format(encoding=encoding)
    )
    return PreviewResult("text", text=shown, note=note)


def preview_kind(row: FileRow) -> str:
    """'image', 'pdf', 'text' or '' (no preview) for a file, from its format."""
    if row.kind != "file" or not row.size:
        return ""
    family = row.family
    extension = row.extension.lower()
    if family == "pdf" and (extension == "pdf" or (row.mime or "") == "application/pdf"):
        return "pdf"
    if family == "image" and extension in IMAGE_EXTENSIONS:
        return "image"
    if extension in TEXT_EXTENSIONS or (row.mime or "").startswith("text/"):
        return "text"
    return ""


def make_preview(path: str, row: FileRow, token: CancelToken) -> PreviewResult:
    """Read the file (read-only) and build its preview; never raises for a bad file."""
    kind = preview_kind(row)
    try:
        if kind == "image":
            return _image_preview(path, row.size or 0, token)
        if kind == "pdf":
            return _pdf_preview(path, row.size or 0, token)
        if kind == "text":
            return _text_preview(path)
    except Cancelled:
        raise
    except FileNotFoundError:
        return PreviewResult("none", note=_("The file is no longer on the share."))
    except PermissionError:
        return PreviewResult("none", note=_("Access to the file is refused."))
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        return PreviewResult("none", note=_("No preview: {reason}").format(reason=exc))
    return PreviewResult("none", note=_("No preview for this format."))


class _ScaledImage(QLabel):
    """A label that shows its pixmap as large as fits, keeping proportions."""

    def __init__(self) -> None:
        super().__init__()
        self._pixmap = QPixmap()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(80, 80)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def set_image(self, pixmap: QPixmap) -> None:
        self._pixmap = pixmap
        self._rescale()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap.isNull():
            self.clear()
            return
        target = self._pixmap
        if target.width() > self.width() or target.height() > self.height():
            target = target.scaled(
                self.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.setPixmap(target)


class PreviewPane(QWidget):
    """Shows the selected file; `show_file(None)` clears it."""

    preview_ready = Signal()  # a preview (or its absence) is on screen

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._row: FileRow | None = None
        self._path: str | None = None
        self._read = LatestRead[PreviewResult](session, _("Preview"), self)
        self.setAccessibleName(_("Preview of the selected file"))

        self.title = QLabel()
        self.title.setWordWrap(True)
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.image = _ScaledImage()
        self.image.setAccessibleName(_("Picture of the file"))
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setAccessibleName(_("First lines of the file"))
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        for widget in (self.message, self.image, self.text):
            self.stack.addWidget(widget)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName(_("About the preview"))

        self.facts = QFormLayout()
        self.facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        facts_box = QWidget()
        facts_box.setLayout(self.facts)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(facts_box)
        scroll.setAccessibleName(_("Properties of the file"))

        self.open_button = QPushButton(icon("open"), _("&Open with the default application"))
        self.open_button.setToolTip(
            _("Opens the original on the share with its usual program. Besace never changes it.")
        )
        self.open_button.setAccessibleName(_("Open the file with the default application"))
        self.open_button.clicked.connect(self.open_externally)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.stack, 3)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        layout.addWidget(scroll, 2)
        self.show_file(None)

    # -- what is shown ---------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._read.busy

    @property
    def path(self) -> str | None:
        return self._path

    def show_file(self, row: FileRow | None, conn: sqlite3.Connection | None = None) -> None:
        self._read.cancel()
        self._row = row
        self._path = file_os_path(conn, row.id) if row is not None and conn is not None else None
        self._fill_facts(row)
        self.open_button.setEnabled(self._path is not None)
        if row is None:
            self.title.setText(_("No file selected"))
            self._show_message(_("Select a file in the list to see it here."))
            self.note.clear()
            return
        self.title.setText(row.name)
        if self._path is None or not preview_kind(row):
            reason = (
                _("This file is empty.")
                if row.kind == "file" and not row.size
                else _("No preview for this format: its properties are below.")
            )
            self._show_message(reason)
            self.note.clear()
            self.preview_ready.emit()
            return
        self._show_message(_("Reading the file…"))
        self.note.clear()
        path = self._path

        def work(token: CancelToken) -> PreviewResult:
            return make_preview(path, row, token)

        self._read.start(work, self._show_result, self._show_failure)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def _show_result(self, result: PreviewResult) -> None:
        if result.kind == "image" and result.image is not None:
            self.image.set_image(QPixmap.fromImage(result.image))
            self.stack.setCurrentWidget(self.image)
        elif result.kind == "text":
            self.text.setPlainText(result.text)
            self.stack.setCurrentWidget(self.text)
        else:
            self._show_message(result.note or _("No preview for this format."))
        self.note.setText(result.note if result.kind != "none" else "")
        self.preview_ready.emit()

    def _show_failure(self, error: BaseException) -> None:
        self._show_message(_("No preview: {reason}").format(reason=error))
        self.preview_ready.emit()

    def _fill_facts(self, row: FileRow | None) -> None:
        while self.facts.rowCount():
            self.facts.removeRow(0)
        if row is None:
            return
        risk = risk_of(row.puid or None, row.extension)
        facts = [
            (_("Path"), row.shown_path),
            (_("Size"), format_bytes(row.size) if row.size is not None else ""),
            (_("Modified"), date_text(row.mtime_ns)),
            (_("Created"), date_text(row.created_ns)),
            (_("Format"), format_text(row.format_name, row.format_version, row.puid)),
            (_("PUID"), row.puid or _("none (not identified)")),
            (_("MIME type"), row.mime or ""),
            (_("Identified by"), row.basis or ""),
            (_("Family"), family_label(row.family)),
            (_("Preservation"), f"{risk.level.label}: {risk.text}"),
            (_("SHA-512"), row.sha512.hex() if row.sha512 else ""),
            (_("Flags"), ", ".join(flag_texts(row.flags))),
            (
                _("Series"),
                series_text(row.series_id, row.exclusion, row.series_code, row.series_title),
            ),
        ]
        if row.id_warning:
            facts.append((_("Identification note"), row.id_warning))
        if row.error:
            facts.append((_("Error"), row.error))
        for label, value in facts:
            if not value:
                continue
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setAccessibleName(label)
            self.facts.addRow(_("{label}:").format(label=label), field)

    def open_externally(self) -> None:
        if self._path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self._path))))
