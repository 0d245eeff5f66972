"""Real sample files of many formats, written by the libraries that make them in real life.

Each `SampleFormat` writes one kind of file and records the PRONOM identifier (PUID) that
siegfried (and, where it agrees, fido) gives to what it writes. Those PUIDs were found by
experiment, so the demo share and the identification tests can rely on them.

Output is deterministic for a given `random.Random` seed: document dates come from the
content, never from the clock, and ZIP-based formats are re-packed with fixed timestamps
because their libraries stamp every member with the current time.
"""

from __future__ import annotations

import bz2
import contextlib
import datetime as dt
import functools
import gzip
import io
import json
import lzma
import math
import random
import sqlite3
import struct
import tarfile
import wave
import zipfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import docx
import openpyxl
import pptx
from odf import dc, draw, meta, style, table, text
from odf.element import Element
from odf.opendocument import (
    OpenDocument,
    OpenDocumentPresentation,
    OpenDocumentSpreadsheet,
    OpenDocumentText,
)
from openpyxl.writer.excel import ExcelWriter
from PIL import Image, ImageDraw, ImageFont, ImageOps
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen import canvas

ORGANISATION = "Mairie de Saint-Exemple-sur-Loire"
COMMUNE = "Saint-Exemple-sur-Loire"
MAIL_DOMAIN = "saint-exemple-sur-loire.fr"

# MS Office writes every ZIP member of a DOCX/XLSX/PPTX with this DOS date.
_OOXML_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class DocumentContent:
    """What a document says; the writers lay it out in their own format."""

    title: str
    paragraphs: list[str]
    year: int
    author: str
    date: dt.date | None = None
    organisation: str = ORGANISATION

    @property
    def when(self) -> dt.datetime:
        """The document's creation time: its date (mid-June if unknown) at 10:00."""
        day = self.date or dt.date(self.year, 6, 15)
        return dt.datetime(day.year, day.month, day.day, 10, 0, 0)


Writer = Callable[[Path, DocumentContent, random.Random], None]


@dataclass(frozen=True, slots=True)
class SampleFormat:
    """One format the demo can write for real, and how identification tools name it."""

    key: str
    extension: str
    expected_puid: str
    description: str
    write: Writer = field(repr=False, compare=False)
    # siegfried's basis for the match, as found by experiment (signature, container, text...).
    basis: str = "signature"
    # What fido 1.6.1 says, or None where it disagrees with siegfried or cannot tell.
    expected_fido_puid: str | None = None


# --------------------------------------------------------------------------------------
# French text that reads like a commune's records
# --------------------------------------------------------------------------------------

AUTHORS = (
    "Martine Dupré",
    "Jean-Luc Moreau",
    "Sophie Lefèvre",
    "Patrick Gauthier",
    "Nathalie Rousseau",
    "Hélène Bérard",
    "François Nguyen",
    "Cécile Marchand",
    "Loïc Le Gall",
    "Amélie Fontaine",
)

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_STREETS = (
    "rue de l'Église",
    "chemin des Œillets",
    "place de la Mairie",
    "route de Beaugency",
    "allée des Tilleuls",
    "rue du Moulin",
    "impasse des Vignes",
    "quai de Loire",
)

_SENTENCES = (
    "Le conseil municipal, régulièrement convoqué le {date}, s'est réuni en séance publique "
    "sous la présidence de M. le Maire.",
    "Vu le Code général des collectivités territoriales, et notamment son article L. 2121-29 ;",
    "Après en avoir délibéré, le conseil municipal approuve à l'unanimité la proposition "
    "présentée.",
    "Considérant la nécessité de procéder à la réfection de la toiture de l'école élémentaire ;",
    "Les crédits nécessaires sont inscrits au budget primitif de l'exercice {year}.",
    "M. le Maire rappelle que la commune est propriétaire de la parcelle cadastrée section "
    "{section} n° {n}, d'une contenance de {area} m².",
    "Le montant des travaux est estimé à {amount} € hors taxes.",
    "Mme l'adjointe aux affaires scolaires présente le bilan de la rentrée : {n} élèves "
    "sont inscrits.",
    "La commission d'appel d'offres s'est réunie le {date} pour l'ouverture des plis.",
    "Le présent arrêté sera affiché en mairie et transmis au représentant de l'État.",
    "Le stationnement est interdit {street} pendant toute la durée du chantier.",
    "Le compte administratif {year} fait apparaître un excédent de fonctionnement de {amount} €.",
    "La demande de subvention au titre de la DETR a été déposée auprès de la préfecture le {date}.",
    "Les bénéficiaires du repas des aînés ont été recensés par le CCAS : {n} inscrits.",
    "Le bulletin municipal sera distribué dans toutes les boîtes aux lettres courant {month}.",
    "Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
    "Suite à notre entretien téléphonique, vous trouverez ci-joint les pièces demandées.",
    "Le permis de construire est accordé sous réserve du respect des prescriptions ci-après.",
    "Les travaux de voirie {street} débuteront le {date} pour une durée de trois semaines.",
    "Le registre des délibérations est tenu à la disposition du public au secrétariat.",
    "La cantine scolaire accueille désormais {n} enfants chaque midi.",
    "Le recensement de la population se déroulera du 16 janvier au 15 février {year}.",
    "Un agent d'entretien à temps non complet sera recruté pour la salle des fêtes.",
    "Le tableau des effectifs est modifié en conséquence à compter du 1er {month} {year}.",
    "L'entreprise titulaire du lot n° {lot} a remis son décompte général définitif.",
    "Le taux de la taxe foncière sur les propriétés bâties est maintenu à {rate} %.",
    "Une réunion publique d'information aura lieu à la salle des fêtes le {date} à 18 h 30.",
    "Le plan local d'urbanisme classe ce terrain en zone UB « urbaine mixte ».",
    "La déclaration préalable concerne l'édification d'une clôture {street}.",
    "L'acte de naissance a été dressé le {date} sur la déclaration du père.",
    "Les listes électorales ont été arrêtées par la commission de contrôle le {date}.",
    "Le sinistre a été déclaré à l'assureur de la commune dans les délais requis.",
    "Ci-joint le procès-verbal de réception des travaux signé sans réserve.",
    "Le marché est attribué à l'entreprise la mieux-disante pour un montant de {amount} € TTC.",
    "L'association du comité des fêtes sollicite le prêt de barrières et de tables.",
    "Le chœur de l'église nécessite une restauration des vitraux, déjà signalée en {year}.",
)


def _fill(sentence: str, rng: random.Random, year: int) -> str:
    day = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
    return sentence.format(
        date=f"{day.day} {_MONTHS[day.month - 1]} {year}",
        year=year,
        month=rng.choice(_MONTHS),
        section=rng.choice(("AB", "AC", "ZD", "B", "C")),
        n=rng.randint(12, 480),
        area=rng.randint(150, 4800),
        amount=f"{rng.randint(1_200, 480_000):,}".replace(",", "\u202f") + ",00",
        street=rng.choice(_STREETS),
        lot=rng.randint(1, 9),
        rate=f"{rng.uniform(12, 24):.2f}".replace(".", ","),
    )


def make_content(
    rng: random.Random,
    title: str,
    year: int,
    *,
    author: str | None = None,
    date: dt.date | None = None,
    paragraphs: int | None = None,
) -> DocumentContent:
    """French paragraphs that read like a town hall's records, drawn from `rng`."""
    count = paragraphs if paragraphs is not None else rng.randint(2, 6)
    body = [
        " ".join(_fill(rng.choice(_SENTENCES), rng, year) for _ in range(rng.randint(1, 4)))
        for _ in range(count)
    ]
    return DocumentContent(
        title=title,
        paragraphs=body,
        year=year,
        author=author or rng.choice(AUTHORS),
        date=date or dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
    )


def _plain_text(content: DocumentContent) -> str:
    lines = [content.organisation, "", content.title, "=" * len(content.title), ""]
    for paragraph in content.paragraphs:
        lines.extend((paragraph, ""))
    lines.append(f"{content.author}, le {content.when:%d/%m/%Y}")
    return "\n".join(lines) + "\n"


def _iso(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def _table_rows(content: DocumentContent, rng: random.Random) -> list[tuple[str, str, float]]:
    """Budget-like rows: chapter code, label, amount."""
    chapters = (
        ("011", "Charges à caractère général"),
        ("012", "Charges de personnel et frais assimilés"),
        ("014", "Atténuations de produits"),
        ("65", "Autres charges de gestion courante"),
        ("66", "Charges financières"),
        ("67", "Charges exceptionnelles"),
        ("023", "Virement à la section d'investissement"),
        ("70", "Produits des services, du domaine"),
        ("73", "Impôts et taxes"),
        ("74", "Dotations et participations"),
        ("75", "Autres produits de gestion courante"),
    )
    chosen = chapters[: rng.randint(5, len(chapters))]
    return [(code, label, round(rng.uniform(2_000, 650_000), 2)) for code, label in chosen]


# --------------------------------------------------------------------------------------
# ZIP-based office formats
# --------------------------------------------------------------------------------------


def _dos_stamp(date_time: tuple[int, ...]) -> bytes:
    year, month, day, hour, minute, second = date_time[:6]
    dos_time = (hour << 11) | (minute << 5) | (second // 2)
    dos_date = ((year - 1980) << 9) | (month << 5) | day
    return struct.pack("<HH", dos_time, dos_date)


def fix_zip_times(data: bytes, date_time: tuple[int, ...]) -> bytes:
    """Give every member of a ZIP the same DOS time, in place, without re-compressing.

    python-docx, python-pptx, openpyxl and odfpy stamp members with the clock, which would
    make the bytes differ from run to run. The "made by" system is set to MS-DOS too,
    since zipfile writes the platform's.
    """
    stamp = _dos_stamp(date_time)
    patched = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        offset: int = archive.start_dir
    for info in members:
        local = info.header_offset
        patched[local + 10 : local + 14] = stamp  # local file header: time, date
    for _ in members:
        if patched[offset : offset + 4] != b"PK\x01\x02":
            raise ValueError("unexpected ZIP central directory")
        patched[offset + 5] = 0  # made by MS-DOS
        patched[offset + 12 : offset + 16] = stamp  # central header: time, date
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", patched, offset + 28)
        offset += 46 + name_len + extra_len + comment_len
    return bytes(patched)


def _ooxml_props(props: object, content: DocumentContent, rng: random.Random) -> None:
    """Core properties shared by python-docx and python-pptx."""
    when = content.when
    props.author = content.author  # type: ignore[attr-defined]
    props.last_modified_by = rng.choice(AUTHORS)  # type: ignore[attr-defined]
    props.title = content.title  # type: ignore[attr-defined]
    props.subject = content.organisation  # type: ignore[attr-defined]
    props.created = when  # type: ignore[attr-defined]
    props.modified = when + dt.timedelta(hours=rng.randint(1, 72))  # type: ignore[attr-defined]
    props.last_printed = when  # type: ignore[attr-defined]
    props.revision = rng.randint(1, 14)  # type: ignore[attr-defined]


def write_docx(path: Path, content: DocumentContent, rng: random.Random) -> None:
    document = docx.Document()
    document.add_paragraph(content.organisation).runs[0].bold = True
    document.add_heading(content.title, level=1)
    for paragraph in content.paragraphs:
        document.add_paragraph(paragraph)
    if rng.random() < 0.3:
        rows = _table_rows(content, rng)
        grid = document.add_table(rows=len(rows) + 1, cols=3)
        grid.style = "Table Grid"
        for cell, label in zip(
            grid.rows[0].cells, ("Chapitre", "Libellé", "Montant (€)"), strict=True
        ):
            cell.text = label
        for row, (code, label, amount) in zip(grid.rows[1:], rows, strict=True):
            row.cells[0].text = code
            row.cells[1].text = label
            row.cells[2].text = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    document.add_paragraph(f"Fait à {COMMUNE}, le {content.when:%d/%m/%Y}.")
    document.add_paragraph(content.author)
    _ooxml_props(document.core_properties, content, rng)
    buffer = io.BytesIO()
    document.save(buffer)
    path.write_bytes(fix_zip_times(buffer.getvalue(), _OOXML_ZIP_TIME))


def write_xlsx(path: Path, content: DocumentContent, rng: random.Random) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = f"Budget {content.year}"
    sheet.append([content.title])
    sheet["A1"].font = openpyxl.styles.Font(bold=True, size=13)
    sheet.append([])
    sheet.append(["Chapitre", "Libellé", f"BP {content.year}", f"Réalisé {content.year}"])
    for cell in sheet[3]:
        cell.font = openpyxl.styles.Font(bold=True)
    rows = _table_rows(content, rng)
    for code, label, amount in rows:
        sheet.append([code, label, amount, round(amount * rng.uniform(0.82, 1.04), 2)])
    last = 3 + len(rows)
    sheet.append(["", "Total", f"=SUM(C4:C{last})", f"=SUM(D4:D{last})"])
    sheet.column_dimensions["B"].width = 44
    sheet.column_dimensions["C"].width = 16
    sheet.column_dimensions["D"].width = 16
    for row in sheet.iter_rows(min_row=4, min_col=3, max_col=4):
        for cell in row:
            cell.number_format = "#,##0.00 €"
    notes = workbook.create_sheet("Notes")
    for paragraph in content.paragraphs:
        notes.append([paragraph])
    props = workbook.properties
    props.creator = content.author
    props.lastModifiedBy = rng.choice(AUTHORS)
    props.title = content.title
    props.created = content.when
    props.modified = content.when + dt.timedelta(hours=rng.randint(1, 72))
    buffer = io.BytesIO()
    # Workbook.save() stamps "modified" with the clock; its ExcelWriter does not.
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    path.write_bytes(fix_zip_times(buffer.getvalue(), _OOXML_ZIP_TIME))


def write_pptx(path: Path, content: DocumentContent, rng: random.Random) -> None:
    presentation = pptx.Presentation()
    cover = presentation.slides.add_slide(presentation.slide_layouts[0])
    cover.shapes.title.text = content.title
    cover.placeholders[1].text = f"{content.organisation}\n{content.when:%d/%m/%Y}"
    for start in range(0, len(content.paragraphs), 2):
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = f"{content.title} ({start // 2 + 1})"
        body = slide.placeholders[1].text_frame
        chunk = content.paragraphs[start : start + 2]
        body.text = chunk[0][:180]
        for paragraph in chunk[1:]:
            body.add_paragraph().text = paragraph[:180]
    _ooxml_props(presentation.core_properties, content, rng)
    buffer = io.BytesIO()
    presentation.save(buffer)
    path.write_bytes(fix_zip_times(buffer.getvalue(), _OOXML_ZIP_TIME))


def _new_odf(factory: Callable[[], OpenDocument]) -> OpenDocument:
    # odfpy declares, in every document, all namespaces used so far by the process (a
    # class-level dict): start afresh so the bytes do not depend on earlier documents.
    Element.namespaces.clear()
    return factory()


def _odf_meta(document: OpenDocument, content: DocumentContent) -> None:
    document.meta.addElement(dc.Title(text=content.title))
    document.meta.addElement(dc.Creator(text=content.author))
    document.meta.addElement(meta.InitialCreator(text=content.author))
    document.meta.addElement(meta.CreationDate(text=_iso(content.when)))
    document.meta.addElement(dc.Date(text=_iso(content.when)))


def _save_odf(path: Path, document: OpenDocument, content: DocumentContent) -> None:
    buffer = io.BytesIO()
    document.write(buffer)
    # odfpy stamps the members with the clock; LibreOffice would use the save time.
    path.write_bytes(fix_zip_times(buffer.getvalue(), content.when.timetuple()[:6]))


def write_odt(path: Path, content: DocumentContent, rng: random.Random) -> None:
    document = _new_odf(OpenDocumentText)
    _odf_meta(document, content)
    document.text.addElement(text.P(text=content.organisation))
    document.text.addElement(text.H(outlinelevel=1, text=content.title))
    for paragraph in content.paragraphs:
        document.text.addElement(text.P(text=paragraph))
    document.text.addElement(text.P(text=f"{content.author}, le {content.when:%d/%m/%Y}"))
    _save_odf(path, document, content)


def write_ods(path: Path, content: DocumentContent, rng: random.Random) -> None:
    document = _new_odf(OpenDocumentSpreadsheet)
    _odf_meta(document, content)
    sheet = table.Table(name=f"Budget {content.year}")

    def add_row(*values: str | float) -> None:
        row = table.TableRow()
        for value in values:
            if isinstance(value, float):
                cell = table.TableCell(valuetype="float", value=value)
                cell.addElement(text.P(text=f"{value:.2f}"))
            else:
                cell = table.TableCell(valuetype="string")
                cell.addElement(text.P(text=value))
            row.addElement(cell)
        sheet.addElement(row)

    add_row(content.title)
    add_row("Chapitre", "Libellé", "Montant")
    for code, label, amount in _table_rows(content, rng):
        add_row(code, label, amount)
    document.spreadsheet.addElement(sheet)
    _save_odf(path, document, content)


def write_odp(path: Path, content: DocumentContent, rng: random.Random) -> None:
    document = _new_odf(OpenDocumentPresentation)
    _odf_meta(document, content)
    layout = style.PageLayout(name="PM1")
    layout.addElement(
        style.PageLayoutProperties(
            margin="0cm", pagewidth="28cm", pageheight="21cm", printorientation="landscape"
        )
    )
    document.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Standard", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    slides = [(content.title, [content.organisation, f"{content.when:%d/%m/%Y}"])]
    slides += [(content.title, [paragraph[:160]]) for paragraph in content.paragraphs[:4]]
    for number, (heading, lines) in enumerate(slides, start=1):
        page = draw.Page(name=f"page{number}", masterpagename=master)
        document.presentation.addElement(page)
        frame = draw.Frame(width="24cm", height="3cm", x="2cm", y="1.5cm")
        box = draw.TextBox()
        box.addElement(text.P(text=heading))
        frame.addElement(box)
        page.addElement(frame)
        frame = draw.Frame(width="24cm", height="12cm", x="2cm", y="5.5cm")
        box = draw.TextBox()
        for line in lines:
            box.addElement(text.P(text=line))
        frame.addElement(box)
        page.addElement(frame)
    _save_odf(path, document, content)


# --------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------

_PDF_CREATORS = ("Microsoft® Word 2016", "Writer", "PDFCreator 2.3", "Microsoft® Excel® 2019")


def _pdf_canvas(
    target: Path | io.BytesIO, content: DocumentContent, version: tuple[int, int] = (1, 4)
) -> canvas.Canvas:
    # reportlab only uses PDF 1.3 features, which every later version includes, so the
    # header may claim the version the imitated software writes.
    pdf = canvas.Canvas(
        str(target) if isinstance(target, Path) else target,
        pagesize=A4,
        invariant=1,  # no clock-based document ID
        pageCompression=1,
        pdfVersion=version,
    )
    stamp = content.when.strftime("D:%Y%m%d%H%M%S+01'00'")
    pdf.setDateFormatter(lambda *_: stamp)
    pdf.setAuthor(content.author)
    pdf.setTitle(content.title)
    pdf.setSubject(content.organisation)
    return pdf


def _pdf_text(pdf: canvas.Canvas, content: DocumentContent) -> None:
    width, height = A4
    margin = 56.0
    y = height - margin
    pdf.setFont("Helvetica", 9)
    pdf.drawString(margin, y, content.organisation)
    y -= 34
    pdf.setFont("Helvetica-Bold", 14)
    for line in simpleSplit(content.title, "Helvetica-Bold", 14, width - 2 * margin):
        pdf.drawString(margin, y, line)
        y -= 18
    y -= 10
    page = 1
    for paragraph in [*content.paragraphs, f"{content.author}, le {content.when:%d/%m/%Y}"]:
        for line in simpleSplit(paragraph, "Times-Roman", 11, width - 2 * margin):
            if y < margin + 20:
                pdf.setFont("Helvetica", 8)
                pdf.drawCentredString(width / 2, margin / 2, str(page))
                pdf.showPage()
                page += 1
                y = height - margin
            pdf.setFont("Times-Roman", 11)
            pdf.drawString(margin, y, line)
            y -= 14
        y -= 8
    pdf.setFont("Helvetica", 8)
    pdf.drawCentredString(width / 2, margin / 2, str(page))
    pdf.showPage()


@contextlib.contextmanager
def _binary_pdf_streams() -> Iterator[None]:
    """Binary streams, as Word and scanners write them.

    reportlab's default ASCII85 stream encoding runs in pure Python (its C accelerator is
    not installed) and takes seconds on page images; the flag is global, hence restored.
    """
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def _text_pdf(
    target: Path | io.BytesIO,
    content: DocumentContent,
    rng: random.Random,
    version: tuple[int, int] = (1, 4),
) -> None:
    with _binary_pdf_streams():
        pdf = _pdf_canvas(target, content, version)
        pdf.setCreator(rng.choice(_PDF_CREATORS))
        _pdf_text(pdf, content)
        pdf.save()


def write_pdf(path: Path, content: DocumentContent, rng: random.Random) -> None:
    _text_pdf(path, content, rng)


def write_pdf17(path: Path, content: DocumentContent, rng: random.Random) -> None:
    """PDF 1.7, the version of Word's and LibreOffice's "Save as PDF"."""
    _text_pdf(path, content, rng, (1, 7))


def pdf_bytes(content: DocumentContent, rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    _text_pdf(buffer, content, rng)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# Pictures that look like something
# --------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size)


def _gradient(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Image.Image:
    # One column, coloured through lookup tables, then widened: cheaper than colorize().
    ramp = Image.linear_gradient("L").resize((1, size[1]))
    bands = [
        ramp.point([low + (high - low) * level // 255 for level in range(256)])
        for low, high in zip(top, bottom, strict=True)
    ]
    return Image.merge("RGB", bands).resize(size, Image.Resampling.NEAREST)


def _noise(rng: random.Random, size: tuple[int, int], mode: str = "L") -> Image.Image:
    bands = len(mode)
    return Image.frombytes(mode, size, rng.randbytes(size[0] * size[1] * bands))


def _grainy(picture: Image.Image, rng: random.Random, amount: float) -> Image.Image:
    """Sensor-like grain from half-resolution noise: it keeps JPEGs as big as photos."""
    width, height = picture.size
    half = (max(1, width // 2), max(1, height // 2))
    grain = _noise(rng, half, picture.mode).resize(picture.size, Image.Resampling.NEAREST)
    return Image.blend(picture, grain, amount)


def scene(rng: random.Random, size: tuple[int, int], grain: float = 0.0) -> Image.Image:
    """A photo-like street view: sky, ground, buildings, trees, sun."""
    width, height = size
    horizon = int(height * rng.uniform(0.45, 0.65))
    sky = rng.choice((((70, 130, 200), (190, 220, 245)), ((120, 140, 170), (220, 215, 200))))
    ground = rng.choice((((110, 150, 70), (60, 95, 40)), ((150, 140, 120), (90, 85, 75))))
    picture = Image.new("RGB", size)
    picture.paste(_gradient((width, horizon), *sky), (0, 0))
    picture.paste(_gradient((width, height - horizon), *ground), (0, horizon))
    pen = ImageDraw.Draw(picture)
    sun_x, sun_r = rng.randint(0, width), rng.randint(height // 20, height // 10)
    pen.ellipse(
        (sun_x - sun_r, height // 8 - sun_r, sun_x + sun_r, height // 8 + sun_r),
        fill=(255, 240, 190),
    )
    x = rng.randint(-width // 10, width // 10)
    while x < width:
        w = rng.randint(width // 10, width // 4)
        h = rng.randint(height // 6, int(horizon * 0.8))
        wall = rng.choice(((225, 215, 190), (200, 180, 150), (235, 230, 220), (180, 120, 90)))
        pen.rectangle((x, horizon - h, x + w, horizon), fill=wall, outline=(90, 80, 70))
        pen.polygon(
            [(x - 6, horizon - h), (x + w // 2, horizon - h - h // 3), (x + w + 6, horizon - h)],
            fill=rng.choice(((150, 60, 50), (80, 80, 90))),
        )
        step = max(12, w // 4)
        for wx in range(x + step // 2, x + w - step // 2, step):
            for wy in range(horizon - h + step // 2, horizon - step, step):
                pen.rectangle((wx, wy, wx + step // 3, wy + step // 2), fill=(60, 70, 90))
        x += w + rng.randint(0, width // 12)
    for _ in range(rng.randint(2, 6)):
        tx, tr = rng.randint(0, width), rng.randint(height // 20, height // 8)
        pen.rectangle(
            (tx - tr // 6, horizon - tr, tx + tr // 6, horizon + tr // 2), fill=(90, 60, 40)
        )
        pen.ellipse((tx - tr, horizon - 3 * tr, tx + tr, horizon - tr // 2), fill=(50, 110, 50))
    return _grainy(picture, rng, grain) if grain > 0 else picture


def plan(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A cadastral-style plan: grid, parcels with numbers, a road, a title block."""
    width, height = size
    picture = Image.new("RGB", size, (252, 251, 246))
    pen = ImageDraw.Draw(picture)
    for gx in range(0, width, 40):
        pen.line((gx, 0, gx, height), fill=(228, 232, 238))
    for gy in range(0, height, 40):
        pen.line((0, gy, width, gy), fill=(228, 232, 238))
    road = rng.randint(height // 4, 3 * height // 4)
    pen.rectangle((0, road - 18, width, road + 18), fill=(215, 215, 215))
    label = _font(max(10, width // 70))
    section = rng.choice(("AB", "AC", "ZD"))
    for top, bottom in ((20, road - 24), (road + 24, height - 20)):
        x = 20
        while x < width - 60 and bottom - top > 40:
            w = rng.randint(width // 12, width // 5)
            fill = rng.choice(((250, 240, 200), (225, 240, 220), (240, 225, 225), (255, 255, 255)))
            pen.rectangle(
                (x, top, min(x + w, width - 20), bottom), fill=fill, outline=(40, 40, 40), width=2
            )
            pen.text(
                (x + 8, top + 8), f"{section} {rng.randint(1, 999)}", fill=(30, 30, 120), font=label
            )
            x += w
    box = (width - width // 3, height - height // 6, width - 10, height - 10)
    pen.rectangle(box, fill=(255, 255, 255), outline=(0, 0, 0), width=2)
    pen.text((box[0] + 8, box[1] + 6), f"Plan de situation\n{COMMUNE}", fill=(0, 0, 0), font=label)
    pen.polygon([(30, height - 30), (40, height - 70), (50, height - 30)], fill=(0, 0, 0))
    return picture


def scan_page(rng: random.Random, size: tuple[int, int], grain: float = 0.0) -> Image.Image:
    """A scanned letter: off-white paper, letterhead, text lines, stamp and signature."""
    width, height = size
    page = Image.new("L", size, rng.randint(236, 250))
    pen = ImageDraw.Draw(page)
    margin = width // 10
    pen.rectangle((margin, margin, margin + width // 6, margin + width // 8), fill=120)
    line_height = max(6, height // 60)
    y = margin + width // 5
    while y < height - 3 * margin:
        x = margin + (rng.randint(0, 3) * line_height if rng.random() < 0.1 else 0)
        end = width - margin - (rng.randint(0, width // 2) if rng.random() < 0.15 else 0)
        while x < end:
            word = rng.randint(line_height, 5 * line_height)
            pen.rectangle(
                (x, y, min(x + word, end), y + line_height * 2 // 3), fill=rng.randint(20, 70)
            )
            x += word + line_height // 2
        y += line_height * 2 if rng.random() > 0.1 else line_height * 4
    cx, cy, r = width - 2 * margin, height - 2 * margin, width // 12
    pen.ellipse((cx - r, cy - r, cx + r, cy + r), outline=90, width=max(2, r // 15))
    points = [
        (margin + i * width // 40, height - 2 * margin + rng.randint(-20, 20)) for i in range(8)
    ]
    pen.line(points, fill=30, width=max(2, width // 400))
    if grain > 0:
        page = Image.blend(page, _noise(rng, size), grain * 0.3)
    return page


def _save_image(path: Path, picture: Image.Image, image_format: str, **options: object) -> None:
    buffer = io.BytesIO()
    picture.save(buffer, image_format, **options)
    path.write_bytes(buffer.getvalue())


def write_png(path: Path, content: DocumentContent, rng: random.Random) -> None:
    _save_image(path, plan(rng, (960, 680)), "PNG")


def write_jpeg(path: Path, content: DocumentContent, rng: random.Random) -> None:
    _save_image(path, scene(rng, (800, 600), grain=0.08), "JPEG", quality=85)


def camera_exif(when: dt.datetime, rng: random.Random) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = rng.choice(("Canon EOS 2000D", "Canon PowerShot SX620 HS"))  # Model
    exif[0x0132] = when.strftime("%Y:%m:%d %H:%M:%S")  # DateTime
    camera = exif.get_ifd(0x8769)
    camera[0x9000] = b"0231"  # ExifVersion 2.31, which the PRONOM signatures key on
    camera[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    return exif.tobytes()


def camera_jpeg(
    picture: Image.Image, when: dt.datetime, rng: random.Random, quality: int = 88
) -> bytes:
    """JPEG bytes as a camera writes them: Exif (APP1) first and no JFIF (APP0) segment."""
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality, exif=camera_exif(when, rng))
    data = buffer.getvalue()
    # Pillow always writes a JFIF segment; identification tools then see JFIF, not Exif.
    if data[2:4] == b"\xff\xe0":
        data = data[:2] + data[4 + int.from_bytes(data[4:6], "big") :]
    return data


def write_jpeg_exif(path: Path, content: DocumentContent, rng: random.Random) -> None:
    path.write_bytes(camera_jpeg(scene(rng, (1024, 768), grain=0.08), content.when, rng))


def write_gif(path: Path, content: DocumentContent, rng: random.Random) -> None:
    picture = plan(rng, (480, 340)).quantize(colors=32)
    _save_image(path, picture, "GIF", comment=content.title.encode("utf-8")[:200])


def write_tiff(path: Path, content: DocumentContent, rng: random.Random) -> None:
    page = scan_page(rng, (620, 877))
    _save_image(path, page, "TIFF", compression="tiff_lzw", dpi=(75, 75))


def write_bmp(path: Path, content: DocumentContent, rng: random.Random) -> None:
    _save_image(path, scene(rng, (320, 240)), "BMP")


def write_webp(path: Path, content: DocumentContent, rng: random.Random) -> None:
    _save_image(path, scene(rng, (800, 600), grain=0.05), "WEBP", quality=80)


def write_ico(path: Path, content: DocumentContent, rng: random.Random) -> None:
    icon = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    pen = ImageDraw.Draw(icon)
    badge = (rng.randint(0, 90), rng.randint(40, 120), rng.randint(100, 200), 255)
    pen.ellipse((2, 2, 62, 62), fill=badge)  # the commune's colours, a steeple
    pen.polygon([(14, 44), (32, rng.randint(8, 20)), (50, 44)], fill=(250, 250, 250, 255))
    # PNG-compressed icon entries (Pillow's default) match no PRONOM signature.
    _save_image(path, icon, "ICO", sizes=[(16, 16), (32, 32), (64, 64)], bitmap_format="bmp")


def write_jp2(path: Path, content: DocumentContent, rng: random.Random) -> None:
    _save_image(path, scene(rng, (640, 480)), "JPEG2000", quality_mode="rates", quality_layers=[20])


# --------------------------------------------------------------------------------------
# Archives
# --------------------------------------------------------------------------------------


def _csv_text(content: DocumentContent, rng: random.Random) -> str:
    lines = ["Chapitre;Libellé;Montant"]
    for code, label, amount in _table_rows(content, rng):
        lines.append(f"{code};{label};{amount:.2f}".replace(".", ","))
    return "\r\n".join(lines) + "\r\n"


def write_zip(path: Path, content: DocumentContent, rng: random.Random) -> None:
    stamp = content.when.timetuple()[:6]
    members = {
        "Lisez-moi.txt": _plain_text(content).encode("utf-8"),
        f"Annexes/Tableau {content.year}.csv": _csv_text(content, rng).encode("utf-8"),
        "Annexes/Note de présentation.txt": "\n".join(content.paragraphs).encode("utf-8"),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            member = zipfile.ZipInfo(name, stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 0
            archive.writestr(member, payload)
    path.write_bytes(buffer.getvalue())


def write_gzip(path: Path, content: DocumentContent, rng: random.Random) -> None:
    buffer = io.BytesIO()
    inner = path.name.removesuffix(".gz") if path.name.endswith(".gz") else "export.csv"
    with gzip.GzipFile(inner, "wb", fileobj=buffer, mtime=int(content.when.timestamp())) as out:
        out.write(_csv_text(content, rng).encode("utf-8"))
    path.write_bytes(buffer.getvalue())


def write_tar(path: Path, content: DocumentContent, rng: random.Random) -> None:
    members = {
        "sauvegarde/lisez-moi.txt": _plain_text(content).encode("utf-8"),
        "sauvegarde/tableau.csv": _csv_text(content, rng).encode("utf-8"),
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            info.mtime = int(content.when.timestamp())
            info.mode = 0o644
            info.uname = info.gname = "mairie"
            archive.addfile(info, io.BytesIO(payload))
    path.write_bytes(buffer.getvalue())


def write_bzip2(path: Path, content: DocumentContent, rng: random.Random) -> None:
    path.write_bytes(bz2.compress(_csv_text(content, rng).encode("utf-8")))


def write_xz(path: Path, content: DocumentContent, rng: random.Random) -> None:
    path.write_bytes(lzma.compress(_csv_text(content, rng).encode("utf-8")))


# --------------------------------------------------------------------------------------
# Text formats
# --------------------------------------------------------------------------------------


def write_txt(path: Path, content: DocumentContent, rng: random.Random) -> None:
    path.write_bytes(_plain_text(content).encode("utf-8"))


def write_csv(path: Path, content: DocumentContent, rng: random.Random) -> None:
    path.write_bytes(_csv_text(content, rng).encode("utf-8"))


def write_markdown(path: Path, content: DocumentContent, rng: random.Random) -> None:
    lines = [f"# {content.title}", "", f"*{content.organisation}*", ""]
    for paragraph in content.paragraphs:
        lines.extend((f"- {paragraph}", ""))
    path.write_bytes("\n".join(lines).encode("utf-8"))


def write_html(path: Path, content: DocumentContent, rng: random.Random) -> None:
    body = "\n".join(f"    <p>{escape(p)}</p>" for p in content.paragraphs)
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="fr">\n'
        "  <head>\n"
        '    <meta charset="utf-8">\n'
        f"    <title>{escape(content.title)}</title>\n"
        "  </head>\n"
        "  <body>\n"
        f"    <header>{escape(content.organisation)}</header>\n"
        f"    <h1>{escape(content.title)}</h1>\n"
        f"{body}\n"
        f"    <footer>{escape(content.author)}, {content.when:%d/%m/%Y}</footer>\n"
        "  </body>\n"
        "</html>\n"
    )
    path.write_bytes(page.encode("utf-8"))


def write_xml(path: Path, content: DocumentContent, rng: random.Random) -> None:
    body = "\n".join(f"    <alinea>{escape(p)}</alinea>" for p in content.paragraphs)
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<acte collectivite="{escape(content.organisation)}" date="{content.when:%Y-%m-%d}">\n'
        f"  <objet>{escape(content.title)}</objet>\n"
        f"  <redacteur>{escape(content.author)}</redacteur>\n"
        "  <texte>\n"
        f"{body}\n"
        "  </texte>\n"
        "</acte>\n"
    )
    path.write_bytes(document.encode("utf-8"))


def write_json(path: Path, content: DocumentContent, rng: random.Random) -> None:
    record = {
        "collectivite": content.organisation,
        "titre": content.title,
        "date": f"{content.when:%Y-%m-%d}",
        "auteur": content.author,
        "texte": content.paragraphs,
        "montants": [amount for _, _, amount in _table_rows(content, rng)],
    }
    path.write_bytes(json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8"))


def write_svg(path: Path, content: DocumentContent, rng: random.Random) -> None:
    shapes = []
    for _ in range(rng.randint(4, 9)):
        x, y = rng.randint(10, 500), rng.randint(60, 300)
        w, h = rng.randint(40, 160), rng.randint(30, 100)
        colour = rng.choice(("#f4e3b5", "#d8ecd0", "#f0d5d5", "#dde5f2"))
        shapes.append(
            f'  <rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{colour}" stroke="#333"/>'
        )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="640" height="400" '
        'viewBox="0 0 640 400">\n'
        f"  <title>{escape(content.title)}</title>\n"
        '  <rect width="640" height="400" fill="#ffffff"/>\n' + "\n".join(shapes) + "\n"
        '  <text x="20" y="36" font-family="sans-serif" font-size="20">'
        f"{escape(content.title)}</text>\n"
        "</svg>\n"
    )
    path.write_bytes(document.encode("utf-8"))


def _rtf_escape(value: str) -> str:
    out = []
    for char in value:
        if char in "\\{}":
            out.append("\\" + char)
        elif ord(char) < 128:
            out.append(char)
        else:
            try:
                out.append(f"\\'{char.encode('cp1252')[0]:02x}")
            except UnicodeEncodeError:
                code = ord(char)
                out.append(f"\\u{code if code < 32768 else code - 65536}?")
    return "".join(out)


def write_rtf(path: Path, content: DocumentContent, rng: random.Random) -> None:
    parts = [
        "{\\rtf1\\ansi\\ansicpg1252\\deff0\\nouicompat\\deflang1036",
        "{\\fonttbl{\\f0\\fswiss\\fcharset0 Arial;}{\\f1\\froman\\fcharset0 Times New Roman;}}",
        "{\\*\\generator Riched20 10.0.19041}\\viewkind4\\uc1",
        f"\\pard\\sa200\\sl276\\slmult1\\f0\\fs18 {_rtf_escape(content.organisation)}\\par",
        f"\\b\\fs28 {_rtf_escape(content.title)}\\b0\\par",
    ]
    parts += [f"\\f1\\fs22 {_rtf_escape(p)}\\par" for p in content.paragraphs]
    parts.append(f"\\i {_rtf_escape(content.author)}\\i0\\par")
    parts.append("}")
    path.write_bytes(("\r\n".join(parts) + "\r\n").encode("ascii"))


# Unfolded headers: folding can leave "From:" alone on its line, and the PRONOM MIME
# signature looks for "From: " (with its space). RFC 5322 allows lines up to 998 bytes.
_MAIL_POLICY = SMTP.clone(max_line_length=998)
_MBOX_POLICY = _MAIL_POLICY.clone(linesep="\n")


def _message(content: DocumentContent, rng: random.Random, *, attach: bool) -> EmailMessage:
    sender = rng.choice(AUTHORS)
    login = sender.lower().replace(" ", ".").replace("é", "e").replace("è", "e").replace("ï", "i")
    message = EmailMessage(policy=_MAIL_POLICY)
    message["From"] = f"{sender} <{login}@{MAIL_DOMAIN}>"
    message["To"] = f"Secrétariat de mairie <mairie@{MAIL_DOMAIN}>"
    message["Subject"] = content.title
    message["Date"] = format_datetime(
        content.when.replace(tzinfo=dt.timezone(dt.timedelta(hours=1)))
    )
    message["Message-ID"] = f"<{rng.getrandbits(64):016x}.{content.year}@{MAIL_DOMAIN}>"
    message["MIME-Version"] = "1.0"
    message.set_content("Bonjour,\n\n" + "\n\n".join(content.paragraphs) + f"\n\n{sender}\n")
    if attach:
        message.add_attachment(
            pdf_bytes(content, rng),
            maintype="application",
            subtype="pdf",
            filename=f"{content.title[:60]}.pdf",
        )
        # The email package draws a random boundary unless told one.
        message.set_boundary(f"===============_{rng.getrandbits(64):016x}==")
    return message


def write_eml(path: Path, content: DocumentContent, rng: random.Random) -> None:
    path.write_bytes(_message(content, rng, attach=True).as_bytes(policy=_MAIL_POLICY))


def write_mbox(path: Path, content: DocumentContent, rng: random.Random) -> None:
    chunks = []
    for _ in range(rng.randint(2, 4)):
        message = _message(content, rng, attach=False)
        stamp = content.when.strftime("%a %b %d %H:%M:%S %Y")
        # Mailboxes use Unix line ends, and quote body lines that start like a separator.
        body = message.as_bytes(policy=_MBOX_POLICY).replace(b"\nFrom ", b"\n>From ")
        chunks.append(f"From mairie@{MAIL_DOMAIN} {stamp}\n".encode() + body + b"\n")
    path.write_bytes(b"".join(chunks))


def write_eps(path: Path, content: DocumentContent, rng: random.Random) -> None:
    boxes = "\n".join(
        f"{rng.randint(10, 300)} {rng.randint(10, 150)} {rng.randint(20, 90)} "
        f"{rng.randint(20, 60)} rectstroke"
        for _ in range(rng.randint(3, 7))
    )
    title = content.title.encode("ascii", "replace").decode()
    document = (
        "%!PS-Adobe-3.0 EPSF-3.0\n"
        "%%BoundingBox: 0 0 400 200\n"
        f"%%Title: ({title})\n"
        "%%Creator: Adobe Illustrator(R) 16.0\n"
        f"%%CreationDate: {content.when:%d/%m/%Y %H:%M}\n"
        "%%EndComments\n"
        "0.2 setlinewidth\n"
        f"{boxes}\n"
        "/Helvetica findfont 14 scalefont setfont\n"
        f"20 180 moveto ({title}) show\n"
        "showpage\n"
        "%%EOF\n"
    )
    path.write_bytes(document.encode("ascii"))


def write_ics(path: Path, content: DocumentContent, rng: random.Random) -> None:
    start = content.when
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN",
        "BEGIN:VEVENT",
        f"UID:{rng.getrandbits(64):016x}@{MAIL_DOMAIN}",
        f"DTSTAMP:{start:%Y%m%dT%H%M%S}Z",
        f"DTSTART:{start:%Y%m%dT%H%M%S}",
        f"DTEND:{start + dt.timedelta(hours=2):%Y%m%dT%H%M%S}",
        f"SUMMARY:{content.title}",
        "LOCATION:Salle du conseil",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def write_vcf(path: Path, content: DocumentContent, rng: random.Random) -> None:
    first, _, last = content.author.partition(" ")
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"N:{last};{first};;;",
        f"FN:{content.author}",
        f"ORG:{content.organisation}",
        "TEL;TYPE=WORK,VOICE:02 38 " + " ".join(str(rng.randint(10, 99)) for _ in range(3)),
        f"EMAIL:mairie@{MAIL_DOMAIN}",
        "END:VCARD",
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def write_wav(path: Path, content: DocumentContent, rng: random.Random) -> None:
    """An answering-machine beep sequence: 8 kHz, 16-bit mono PCM."""
    rate = 8000
    samples = array("h")
    for _ in range(rng.randint(3, 6)):
        tone = rng.choice((440.0, 523.3, 659.3, 880.0))
        length = rng.randint(rate // 8, rate // 3)
        samples.extend(
            int(9000 * math.sin(2 * math.pi * tone * i / rate) * min(1.0, (length - i) / 200))
            for i in range(length)
        )
        samples.extend([0] * (rate // 10))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    path.write_bytes(buffer.getvalue())


def write_sqlite(path: Path, content: DocumentContent, rng: random.Random) -> None:
    """A small application database, as a register exported by some municipal software."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute(
            "CREATE TABLE registre (id INTEGER PRIMARY KEY, date TEXT, objet TEXT, auteur TEXT)"
        )
        connection.executemany(
            "INSERT INTO registre (date, objet, auteur) VALUES (?, ?, ?)",
            [
                (
                    f"{content.year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    p[:120],
                    content.author,
                )
                for p in content.paragraphs
            ],
        )
        connection.commit()
        data = connection.serialize()
    finally:
        connection.close()
    path.write_bytes(data)


# --------------------------------------------------------------------------------------
# Large files: scans, recordings and photo archives whose bytes are cheap to make
# --------------------------------------------------------------------------------------

LargeWriter = Callable[[Path, DocumentContent, random.Random, int], None]


@dataclass(frozen=True, slots=True)
class LargeFormat:
    """A kind of big file a share holds; `write` aims at a size in bytes."""

    key: str
    extension: str
    expected_puid: str
    description: str
    write: LargeWriter = field(repr=False, compare=False)


def write_scanned_pdf(
    path: Path, content: DocumentContent, rng: random.Random, target_bytes: int
) -> None:
    """A scanner's PDF 1.5: one JPEG page image per page until about `target_bytes`.

    reportlab embeds JPEG data as it is (DCTDecode), so the cost is the JPEG encoding.
    """
    width, height = A4
    written = 0
    with _binary_pdf_streams():
        pdf = _pdf_canvas(path, content, (1, 5))
        pdf.setCreator("Canon iR-ADV C5535 PDF")
        while written < target_bytes:
            page = _grainy(scan_page(rng, (1240, 1754)), rng, 0.25)
            data = io.BytesIO()
            page.save(data, "JPEG", quality=rng.randint(75, 90))
            written += data.tell()
            data.seek(0)
            pdf.drawImage(ImageReader(data), 0, 0, width, height)
            pdf.showPage()
        pdf.save()


def write_register_tiff(
    path: Path, content: DocumentContent, rng: random.Random, target_bytes: int
) -> None:
    """An uncompressed colour scan of an old register page, about `target_bytes` big."""
    pixels = max(1, target_bytes // 3)
    width = max(64, int(math.sqrt(pixels / math.sqrt(2))))
    height = max(64, pixels // width)
    page = scan_page(rng, (width, height))
    sepia = ImageOps.colorize(page, black=(40, 25, 10), white=(238, 224, 190))
    with path.open("wb") as out:
        _grainy(sepia, rng, 0.12).save(out, "TIFF", dpi=(300, 300))


def write_recording(
    path: Path, content: DocumentContent, rng: random.Random, target_bytes: int
) -> None:
    """A council meeting recording: 16 kHz, 16-bit mono PCM hiss of `target_bytes`."""
    remaining = max(2, target_bytes - 44) & ~1  # 44: the WAV header
    with path.open("wb") as handle, wave.open(handle, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        while remaining > 0:  # by chunks: recordings run to a hundred megabytes
            frames = bytearray(rng.randbytes(min(remaining, 1 << 22)))
            # Quiet the high bytes (little-endian) so the hiss sits at about -36 dBFS.
            frames[1::2] = frames[1::2].translate(_QUIET)
            out.writeframesraw(frames)
            remaining -= len(frames)


_QUIET = bytes((0, 0, 1, 255, 255, 254, 0, 0) * 32)


def big_photo(rng: random.Random, pixels: int, when: dt.datetime, quality: int = 92) -> bytes:
    """A camera JPEG of about `pixels` pixels, drawn small, enlarged, then grained."""
    width = max(64, int(math.sqrt(pixels * 4 / 3)))
    height = max(48, width * 3 // 4)
    picture = scene(rng, (width // 4, height // 4)).resize(
        (width, height), Image.Resampling.BILINEAR
    )
    return camera_jpeg(_grainy(picture, rng, 0.22), when, rng, quality)


def write_big_photo(
    path: Path, content: DocumentContent, rng: random.Random, target_bytes: int
) -> None:
    # About half a byte per pixel at this grain and quality (measured).
    path.write_bytes(big_photo(rng, int(target_bytes / 0.5), content.when))


def write_photo_archive(
    path: Path, content: DocumentContent, rng: random.Random, target_bytes: int
) -> None:
    """A ZIP of camera photos ("Send to > Compressed folder" of an SD card)."""
    when = content.when
    written = 0
    with zipfile.ZipFile(path, "w") as archive:
        number = rng.randint(1000, 8000)
        while written < target_bytes:
            when += dt.timedelta(seconds=rng.randint(20, 900))
            photo = big_photo(rng, rng.randint(1_500_000, 3_000_000), when)
            member = zipfile.ZipInfo(f"DCIM/100CANON/IMG_{number:04d}.JPG", when.timetuple()[:6])
            member.create_system = 0
            member.compress_type = zipfile.ZIP_STORED  # JPEG data does not deflate
            archive.writestr(member, photo)
            written += len(photo)
            number += 1


LARGE_FORMATS: tuple[LargeFormat, ...] = (
    LargeFormat("scan-pdf", ".pdf", "fmt/19", "Scanned PDF 1.5", write_scanned_pdf),
    LargeFormat("scan-tiff", ".tif", "fmt/353", "Uncompressed TIFF scan", write_register_tiff),
    LargeFormat("recording", ".wav", "fmt/141", "WAV meeting recording", write_recording),
    LargeFormat("photo", ".jpg", "fmt/1507", "Camera JPEG (Exif 2.3x)", write_big_photo),
    LargeFormat("photo-zip", ".zip", "x-fmt/263", "ZIP of camera photos", write_photo_archive),
)

LARGE_BY_KEY: dict[str, LargeFormat] = {large.key: large for large in LARGE_FORMATS}


# --------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------

# PUIDs found by experiment with siegfried (pygfried 2.2.0) and fido 1.6.1 (PRONOM v109):
# see the test that checks them. "basis" is siegfried's kind of evidence; extension-only
# formats (CSV, Markdown, JSON) have no PRONOM signature and siegfried warns about it.
_S, _C, _T, _E = "signature", "container", "text", "extension"
SAMPLE_FORMATS: tuple[SampleFormat, ...] = (
    SampleFormat("pdf", ".pdf", "fmt/18", "PDF 1.4 document", write_pdf, _S, "fmt/18"),
    SampleFormat("pdf17", ".pdf", "fmt/276", "PDF 1.7 document", write_pdf17, _S, "fmt/276"),
    SampleFormat("docx", ".docx", "fmt/412", "Word document", write_docx, _C, "fmt/412"),
    SampleFormat("xlsx", ".xlsx", "fmt/214", "Excel workbook", write_xlsx, _C, "fmt/214"),
    SampleFormat("pptx", ".pptx", "fmt/215", "PowerPoint presentation", write_pptx, _C, "fmt/215"),
    # fido 1.6.1 calls these ODF 1.0/1.1 (fmt/290, fmt/294, fmt/292): odfpy writes 1.2.
    SampleFormat("odt", ".odt", "fmt/291", "OpenDocument text 1.2", write_odt, _C),
    SampleFormat("ods", ".ods", "fmt/295", "OpenDocument spreadsheet 1.2", write_ods, _C),
    SampleFormat("odp", ".odp", "fmt/293", "OpenDocument presentation 1.2", write_odp, _C),
    SampleFormat("png", ".png", "fmt/11", "PNG 1.0 plan drawing", write_png, _S, "fmt/11"),
    SampleFormat("jpeg", ".jpg", "fmt/43", "JPEG (JFIF 1.01) photo", write_jpeg, _S, "fmt/43"),
    SampleFormat(
        "jpeg-exif", ".jpg", "fmt/1507", "Camera JPEG (Exif 2.3x)", write_jpeg_exif, _S, "fmt/1507"
    ),
    SampleFormat("gif", ".gif", "fmt/4", "GIF 89a plan drawing", write_gif, _S, "fmt/4"),
    SampleFormat("tiff", ".tif", "fmt/353", "TIFF page scan", write_tiff, _S, "fmt/353"),
    SampleFormat("bmp", ".bmp", "fmt/116", "Windows bitmap 3.0", write_bmp, _S, "fmt/116"),
    SampleFormat("webp", ".webp", "fmt/566", "WebP (lossy) photo", write_webp, _S, "fmt/566"),
    SampleFormat("ico", ".ico", "x-fmt/418", "Windows icon", write_ico, _S, "x-fmt/418"),
    SampleFormat("jp2", ".jp2", "x-fmt/392", "JPEG 2000 (JP2) image", write_jp2, _S, "x-fmt/392"),
    SampleFormat("zip", ".zip", "x-fmt/263", "ZIP archive", write_zip, _C, "x-fmt/263"),
    SampleFormat("gzip", ".gz", "x-fmt/266", "GZIP-compressed CSV", write_gzip, _S, "x-fmt/266"),
    SampleFormat("tar", ".tar", "x-fmt/265", "TAR archive", write_tar, _S, "x-fmt/265"),
    SampleFormat(
        "bzip2", ".bz2", "x-fmt/268", "BZIP2-compressed CSV", write_bzip2, _S, "x-fmt/268"
    ),
    SampleFormat("xz", ".xz", "fmt/1098", "XZ-compressed CSV", write_xz, _S, "fmt/1098"),
    # fido only knows text by its extension, and .txt maps to several PUIDs there.
    SampleFormat("txt", ".txt", "x-fmt/111", "UTF-8 plain text", write_txt, _T),
    SampleFormat("csv", ".csv", "x-fmt/18", "Semicolon CSV, UTF-8", write_csv, _E, "x-fmt/18"),
    SampleFormat("md", ".md", "fmt/1149", "Markdown", write_markdown, _E, "fmt/1149"),
    SampleFormat("html", ".html", "fmt/471", "HTML 5 page", write_html, _S, "fmt/471"),
    SampleFormat("xml", ".xml", "fmt/101", "XML 1.0 document", write_xml, _S, "fmt/101"),
    # fido maps .json to fmt/1311 (JSON Text Sequences).
    SampleFormat("json", ".json", "fmt/817", "JSON record", write_json, _E),
    SampleFormat("svg", ".svg", "fmt/92", "SVG 1.1 drawing", write_svg, _S, "fmt/92"),
    SampleFormat("rtf", ".rtf", "fmt/50", "Rich Text Format 1.5-1.6", write_rtf, _S, "fmt/50"),
    SampleFormat("eml", ".eml", "fmt/950", "MIME e-mail with attachment", write_eml, _S, "fmt/950"),
    # fido sees the first message of the mailbox (fmt/950) rather than the mailbox.
    SampleFormat("mbox", ".mbox", "fmt/720", "Mailbox (mbox)", write_mbox, _S),
    SampleFormat("eps", ".eps", "fmt/124", "Encapsulated PostScript 3.0", write_eps, _S, "fmt/124"),
    SampleFormat("ics", ".ics", "fmt/388", "iCalendar event", write_ics, _S, "fmt/388"),
    # fido's older signature file names vCard fmt/395.
    SampleFormat("vcf", ".vcf", "fmt/1880", "vCard 3.0 contact", write_vcf, _S),
    SampleFormat("wav", ".wav", "fmt/141", "WAV PCM sound", write_wav, _S, "fmt/141"),
    SampleFormat("sqlite", ".sqlite", "fmt/729", "SQLite 3 database", write_sqlite, _S, "fmt/729"),
)

FORMATS_BY_KEY: dict[str, SampleFormat] = {sample.key: sample for sample in SAMPLE_FORMATS}


def write_sample(
    sample: SampleFormat, folder: Path, rng: random.Random, *, stem: str = "exemple"
) -> Path:
    """Write one sample of `sample` in `folder` and return its path (handy for tests)."""
    path = folder / f"{stem}{sample.extension}"
    sample.write(path, make_content(rng, f"Exemple {sample.description}", 2019), rng)
    return path
