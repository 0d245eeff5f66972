"""Slips as PDF (reportlab's home in the core): A4 landscape, running header, "page X / Y".

The text uses the Bitstream Vera fonts shipped with reportlab (embedded, so the PDF looks the
same everywhere); Helvetica stands in when they are missing. Characters a font cannot show
become "?" rather than an empty box. Table cells wrap inside their column, so no text runs
over its neighbour; the annex's paths are wrapped by hand (faster than paragraphs on a list of
thousands of files) and break preferably after a "/".
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    LongTable,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.errors import AppError
from app.i18n import _, format_bytes, format_count
from app.reports.formatting import date_range, files_text, long_date, short_date
from app.reports.slips import ANNEX_COLUMNS, LINE_COLUMNS, Slip, annex_headers, line_headers

PAGE = landscape(A4)
MARGIN = 14 * mm
TOP = 20 * mm
BOTTOM = 16 * mm
WIDTH = PAGE[0] - 2 * MARGIN
ANNEX_CHUNK = 300  # rows per annex table: splitting one huge table is quadratic
_GRID = colors.HexColor("#7f8c99")
_HEADER_FILL = colors.HexColor("#dde4ee")
_TOTAL_FILL = colors.HexColor("#f2f4f7")


@dataclass(frozen=True, slots=True)
class SlipFonts:
    regular: str
    bold: str
    italic: str
    glyphs: frozenset[int] | None  # None: a standard font, limited to cp1252

    def clean(self, text: str) -> str:
        """Text the font can show: narrow spaces become no-break spaces, the rest '?'."""
        text = text.replace("\u202f", "\u00a0")
        if self.glyphs is None:
            return text.encode("cp1252", "replace").decode("cp1252")
        return "".join(c if ord(c) in self.glyphs or c in "\n\t" else "?" for c in text)


@lru_cache(maxsize=1)
def slip_fonts() -> SlipFonts:
    folder = Path(reportlab.__file__).parent / "fonts"
    try:
        faces = {
            "BesaceSans": TTFont("BesaceSans", str(folder / "Vera.ttf")),
            "BesaceSans-Bold": TTFont("BesaceSans-Bold", str(folder / "VeraBd.ttf")),
            "BesaceSans-Italic": TTFont("BesaceSans-Italic", str(folder / "VeraIt.ttf")),
            "BesaceSans-BoldItalic": TTFont("BesaceSans-BoldItalic", str(folder / "VeraBI.ttf")),
        }
    except Exception:  # fonts left out of a bundle: the standard fonts still work
        return SlipFonts("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", None)
    for face in faces.values():
        pdfmetrics.registerFont(face)
    pdfmetrics.registerFontFamily(
        "BesaceSans",
        normal="BesaceSans",
        bold="BesaceSans-Bold",
        italic="BesaceSans-Italic",
        boldItalic="BesaceSans-BoldItalic",
    )
    glyphs = frozenset(faces["BesaceSans"].face.charToGlyph)
    return SlipFonts("BesaceSans", "BesaceSans-Bold", "BesaceSans-Italic", glyphs)


class _Styles:
    def __init__(self, fonts: SlipFonts) -> None:
        self.fonts = fonts
        self.title = ParagraphStyle(
            "title", fontName=fonts.bold, fontSize=17, leading=21, alignment=TA_CENTER
        )
        self.subtitle = ParagraphStyle(
            "subtitle", fontName=fonts.regular, fontSize=10.5, leading=14, alignment=TA_CENTER
        )
        self.label = ParagraphStyle("label", fontName=fonts.bold, fontSize=9, leading=11.5)
        self.value = ParagraphStyle("value", fontName=fonts.regular, fontSize=9, leading=11.5)
        self.head = ParagraphStyle("head", fontName=fonts.bold, fontSize=8, leading=10)
        self.cell = ParagraphStyle("cell", fontName=fonts.regular, fontSize=8, leading=10)
        self.number = ParagraphStyle("number", parent=self.cell, alignment=TA_RIGHT)
        self.total = ParagraphStyle("total", fontName=fonts.bold, fontSize=8, leading=10)
        self.total_number = ParagraphStyle("total_number", parent=self.total, alignment=TA_RIGHT)
        self.small = ParagraphStyle(
            "small", fontName=fonts.italic, fontSize=7.5, leading=9.5, textColor=colors.black
        )
        self.note = ParagraphStyle("note", fontName=fonts.regular, fontSize=8.5, leading=11)
        self.prompt = ParagraphStyle(
            "prompt", fontName=fonts.regular, fontSize=8.5, leading=11, spaceAfter=4 * mm
        )
        self.heading = ParagraphStyle("heading", fontName=fonts.bold, fontSize=12, leading=15)

    def para(self, text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(escape(self.fonts.clean(text)).replace("\n", "<br/>"), style)


def _numbered_canvas(footer: str, fonts: SlipFonts) -> type[canvas.Canvas]:
    """A canvas that writes "page X / Y" once the number of pages is known."""

    class NumberedCanvas(canvas.Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(fonts.regular, 7.5)
                self.setFillColor(colors.black)
                self.drawString(MARGIN, BOTTOM - 9 * mm, fonts.clean(footer))
                self.drawRightString(
                    PAGE[0] - MARGIN,
                    BOTTOM - 9 * mm,
                    fonts.clean(
                        _("page {page} / {pages}").format(page=self._pageNumber, pages=total)
                    ),
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def _header(slip: Slip, fonts: SlipFonts) -> Callable[[canvas.Canvas, Any], None]:
    left = fonts.clean(" — ".join(t for t in (slip.collectivity, slip.title) if t))
    right = fonts.clean(f"{slip.reference} · {short_date(slip.issued)}")

    def draw(pdf: canvas.Canvas, _doc: Any) -> None:
        pdf.saveState()
        pdf.setFont(fonts.regular, 8)
        y = PAGE[1] - TOP + 7 * mm
        pdf.drawString(MARGIN, y, left)
        pdf.drawRightString(PAGE[0] - MARGIN, y, right)
        pdf.setStrokeColor(_GRID)
        pdf.setLineWidth(0.5)
        pdf.line(MARGIN, y - 2.5 * mm, PAGE[0] - MARGIN, y - 2.5 * mm)
        pdf.line(MARGIN, BOTTOM - 5 * mm, PAGE[0] - MARGIN, BOTTOM - 5 * mm)
        pdf.restoreState()

    return draw


def _widths(columns: Sequence[tuple[str, str, float]]) -> list[float]:
    total = sum(width for _key, _header, width in columns)
    return [WIDTH * width / total for _key, _header, width in columns]


def _identity_block(slip: Slip, st: _Styles) -> Table:
    rows: list[list[Any]] = []
    for index in range(max(len(slip.parties), len(slip.references))):
        row: list[Any] = []
        for pairs in (slip.parties, slip.references):
            if index < len(pairs):
                label, value = pairs[index]
                row += [st.para(label, st.label), st.para(value or "—", st.value)]
            else:
                row += ["", ""]
        rows.append(row)
    table = Table(rows, colWidths=[0.15 * WIDTH, 0.33 * WIDTH, 0.17 * WIDTH, 0.35 * WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (1, -1), 0.5, _GRID),
                ("BOX", (2, 0), (3, -1), 0.5, _GRID),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


def _lines_table(slip: Slip, st: _Styles) -> LongTable:
    rows: list[list[Any]] = [[st.para(h, st.head) for h in line_headers()]]
    for line in slip.lines:
        analysis = f"<b>{escape(st.fonts.clean(line.title))}</b>"
        if line.description:
            analysis += "<br/>" + escape(st.fonts.clean(line.description)).replace("\n", "<br/>")
        rows.append(
            [
                st.para(line.code, st.cell),
                Paragraph(analysis, st.cell),
                st.para(line.dates, st.cell),
                st.para(format_count(line.files), st.number),
                st.para(line.volume, st.number),
                st.para(line.dua, st.cell),
                st.para(line.final_action, st.cell),
                st.para(line.legal_basis, st.cell),
                st.para(line.access, st.cell),
            ]
        )
    totals = slip.totals
    rows.append(
        [
            st.para(_("Total"), st.total),
            st.para(_("{count} series").format(count=totals.lines), st.total),
            st.para(date_range(totals.earliest, totals.latest), st.total),
            st.para(format_count(totals.files), st.total_number),
            st.para(format_bytes(totals.bytes), st.total_number),
            "",
            "",
            "",
            "",
        ]
    )
    table = LongTable(rows, colWidths=_widths(LINE_COLUMNS), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, _GRID),
                ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
                ("BACKGROUND", (0, -1), (-1, -1), _TOTAL_FILL),
                ("SPAN", (5, -1), (-1, -1)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _signatures(slip: Slip, st: _Styles) -> Table:
    cells: list[list[Any]] = []
    for box in slip.signatures:
        content: list[Any] = [st.para(box.title, st.label)]
        if box.name:
            content.append(st.para(box.name, st.small))
        content.append(Spacer(1, 3 * mm))
        content += [st.para(prompt, st.prompt) for prompt in slip.signature_prompts]
        cells.append(content)
    width = WIDTH / max(1, len(cells))
    table = Table([cells], colWidths=[width] * len(cells), rowHeights=[48 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.7, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 5),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


@lru_cache(maxsize=4096)
def _char_width(char: str, font: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(char, font, size))


def wrap_path(text: str, font: str, size: float, width: float) -> str:
    """Lines of at most `width` points, broken after a '/' when one is near the end."""
    lines: list[str] = []
    current: list[str] = []
    used = 0.0
    for char in text:
        w = _char_width(char, font, size)
        if current and used + w > width:
            cut = len(current)
            slash = "".join(current).rfind("/")
            if slash >= len(current) // 2:
                cut = slash + 1
            lines.append("".join(current[:cut]))
            current = current[cut:]
            used = sum(_char_width(c, font, size) for c in current)
        current.append(char)
        used += w
    lines.append("".join(current))
    return "\n".join(lines)


def _annex(slip: Slip, st: _Styles) -> list[Any]:
    fonts = st.fonts
    widths = _widths(ANNEX_COLUMNS)
    size = 7.5
    path_width = widths[2] - 6
    story: list[Any] = [
        st.para(slip.annex_title, st.heading),
        st.para(
            _("{files} listed, {size} in all.").format(
                files=files_text(len(slip.annex)),
                size=format_bytes(sum(line.size for line in slip.annex)),
            ),
            st.note,
        ),
        Spacer(1, 3 * mm),
    ]
    header = [fonts.clean(h) for h in annex_headers()]
    style = TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), fonts.regular, size, size + 1.5),
            ("FONT", (0, 0), (-1, 0), fonts.bold, size, size + 1.5),
            ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
            ("BACKGROUND", (0, 0), (-1, 0), _HEADER_FILL),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (0, 1), (0, -1), "RIGHT"),
            ("ALIGN", (3, 1), (3, -1), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]
    )
    for start in range(0, len(slip.annex), ANNEX_CHUNK):
        rows: list[list[str]] = [header]
        for number, line in enumerate(slip.annex[start : start + ANNEX_CHUNK], start + 1):
            rows.append(
                [
                    format_count(number).replace("\u202f", "\u00a0"),
                    fonts.clean(line.series_code),
                    wrap_path(fonts.clean(line.path), fonts.regular, size, path_width),
                    fonts.clean(format_bytes(line.size)),
                ]
            )
        table = LongTable(rows, colWidths=widths, repeatRows=1)
        table.setStyle(style)
        story.append(table)
    return story


def write_slip_pdf(slip: Slip, path: Path) -> int:
    """Write the slip as a PDF, atomically; returns the number of pages."""
    fonts = slip_fonts()
    st = _Styles(fonts)
    story: list[Any] = [
        st.para(slip.title.upper(), st.title),
        st.para(slip.subtitle, st.subtitle),
        Spacer(1, 5 * mm),
        _identity_block(slip, st),
        Spacer(1, 6 * mm),
        _lines_table(slip, st),
        Spacer(1, 6 * mm),
        KeepTogether(
            [st.para(note, st.note) for note in slip.notes]
            + [Spacer(1, 4 * mm), _signatures(slip, st)]
        ),
    ]
    if slip.annex:
        story += [PageBreak(), *_annex(slip, st)]
    footer = _("Made with Besace on {date}").format(date=long_date(slip.issued))
    pages = 0

    def count_pages(_pdf: canvas.Canvas, doc: Any) -> None:
        nonlocal pages
        pages = max(pages, int(doc.page))

    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=".besace-", suffix=".pdf", dir=folder)
        os.close(handle)
    except OSError as exc:
        raise AppError(
            _("Cannot write in the folder {folder}: {error}").format(
                folder=folder, error=exc.strerror or exc
            )
        ) from exc
    try:
        doc = BaseDocTemplate(
            temporary,
            pagesize=PAGE,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=TOP,
            bottomMargin=BOTTOM,
            title=f"{slip.title} {slip.reference}",
            author=slip.collectivity,
            creator="Besace",
        )
        frame = Frame(MARGIN, BOTTOM, WIDTH, PAGE[1] - TOP - BOTTOM, id="body")
        header = _header(slip, fonts)

        def on_page(pdf: canvas.Canvas, document: Any) -> None:
            header(pdf, document)
            count_pages(pdf, document)

        doc.addPageTemplates([PageTemplate(id="slip", frames=[frame], onPage=on_page)])
        doc.build(story, canvasmaker=_numbered_canvas(footer, fonts))
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise AppError(
            _("Cannot write {path}: {error}").format(path=path, error=exc.strerror or exc)
        ) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return pages
