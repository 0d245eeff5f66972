"""Slips as xlsx: the same content as the PDF, on a printable form sheet (A4 landscape).

The annex of a bordereau d'élimination goes on its own sheet, as a filterable table.
"""

from __future__ import annotations

from pathlib import Path

from app.i18n import _, format_bytes
from app.reports.formatting import date_range
from app.reports.slips import Slip, annex_headers, line_headers
from app.workbook.writer import CellInput, Column, ColumnKind, FormWorkbook

# Column widths of the form grid, in characters: the main table's nine columns (the first also
# holds the labels of the header fields, such as "Référence de la proposition").
FORM_WIDTHS = (26, 40, 22, 10, 12, 12, 14, 30, 26)
_LINE_KINDS = (
    ColumnKind.TEXT,
    ColumnKind.TEXT,
    ColumnKind.TEXT,
    ColumnKind.INTEGER,
    ColumnKind.TEXT,
    ColumnKind.TEXT,
    ColumnKind.TEXT,
    ColumnKind.TEXT,
    ColumnKind.TEXT,
)
_ANNEX_KINDS = (ColumnKind.INTEGER, ColumnKind.TEXT, ColumnKind.TEXT, ColumnKind.BYTES)
_ANNEX_WIDTHS = (8, 14, 100, 16)


def slip_rows(slip: Slip) -> list[list[CellInput]]:
    """The main table's rows, the totals last."""
    rows: list[list[CellInput]] = []
    for line in slip.lines:
        analysis = line.title + (f"\n{line.description}" if line.description else "")
        rows.append(
            [
                line.code,
                analysis,
                line.dates,
                line.files,
                line.volume,
                line.dua,
                line.final_action,
                line.legal_basis,
                line.access,
            ]
        )
    totals = slip.totals
    rows.append(
        [
            _("Total"),
            _("{count} series").format(count=totals.lines),
            date_range(totals.earliest, totals.latest),
            totals.files,
            format_bytes(totals.bytes),
            None,
            None,
            None,
            None,
        ]
    )
    return rows


def write_slip_xlsx(slip: Slip, path: Path) -> None:
    """Write the slip as an xlsx workbook (atomically)."""
    book = FormWorkbook()
    form = book.add_form(slip.title, FORM_WIDTHS, landscape=True)
    form.heading(slip.title.upper(), size=16)
    form.paragraph(slip.subtitle)
    form.blank()
    for label, value in (*slip.parties, *slip.references):
        form.field(label, value or "—")
    form.blank()
    columns = [
        Column(header, kind, wrap=kind is ColumnKind.TEXT)
        for header, kind in zip(line_headers(), _LINE_KINDS, strict=True)
    ]
    form.table(columns, slip_rows(slip))
    for note in slip.notes:
        form.paragraph(note)
    form.blank()
    top = form.row
    form.signature_boxes(
        [f"{box.title}\n{box.name}" if box.name else box.title for box in slip.signatures],
        lines=7,
        prompts=slip.signature_prompts,
    )
    form.ws.row_dimensions[top].height = 32  # the box title and the signer's name
    if slip.annex:
        annex = book.add_sheet(
            _("Annex"),
            [
                Column(header, kind, width)
                for header, kind, width in zip(
                    annex_headers(), _ANNEX_KINDS, _ANNEX_WIDTHS, strict=True
                )
            ],
        )
        for number, line in enumerate(slip.annex, 1):
            annex.append([number, line.series_code, line.path, line.size])
    book.save(path)
