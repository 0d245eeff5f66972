"""Spreadsheets: reports written for Excel users, and workbooks users bring, read safely."""

from __future__ import annotations

import os
import tracemalloc
import zipfile
from datetime import UTC, date, datetime
from enum import IntEnum
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from conftest import write

from app.i18n import set_language
from app.workbook import WorkbookError, sheet_xml
from app.workbook.reader import location, match_header, open_workbook
from app.workbook.writer import (
    Chart,
    Column,
    ColumnKind,
    FormWorkbook,
    Link,
    SummaryItem,
    Workbook,
)

INVENTORY = [
    Column("Nom"),
    Column("Taille", ColumnKind.BYTES),
    Column("Part", ColumnKind.PERCENT),
    Column("Date", ColumnKind.DATE),
    Column("Modifié", ColumnKind.DATETIME),
    Column("Fichiers", ColumnKind.INTEGER),
    Column("Lien", ColumnKind.HYPERLINK),
]


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


def _inventory_row(n: int) -> list[object]:
    return [
        f"fichier {n}.pdf",
        1_234_567 * n,
        0.125,
        date(2020, 1, n),
        datetime(2020, 1, n, 9, 30),
        n,
        Link(f"https://example.org/{n}", f"voir {n}"),
    ]


def test_a_streamed_table_has_french_friendly_formats_a_frozen_bold_header_and_a_filter(
    tmp_path: Path,
) -> None:
    book = Workbook()
    table = book.add_sheet("Inventaire", INVENTORY)
    for n in range(1, 4):
        table.append(_inventory_row(n))  # type: ignore[arg-type]
    book.save(tmp_path / "rapport.xlsx")

    ws = openpyxl.load_workbook(tmp_path / "rapport.xlsx")["Inventaire"]
    assert [c.value for c in ws[1]] == [c.header for c in INVENTORY]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G4"
    row = ws[3]
    assert row[0].value == "fichier 2.pdf"
    assert (row[1].value, row[1].number_format) == (2_469_134, "#,##0")
    assert (row[2].value, row[2].number_format) == (0.125, "0.0 %")
    assert (row[3].value, row[3].number_format) == (datetime(2020, 1, 2), "dd/mm/yyyy")
    assert (row[4].value, row[4].number_format) == (datetime(2020, 1, 2, 9, 30), "dd/mm/yyyy hh:mm")
    assert row[5].number_format == "#,##0"
    assert row[6].value == "voir 2"
    assert row[6].hyperlink.target == "https://example.org/2"
    assert row[6].hyperlink.ref == "G3"
    assert ws.column_dimensions["A"].width == 30
    assert ws.column_dimensions["G"].width == 40


def test_a_table_past_the_row_limit_continues_on_numbered_sheets_with_its_header(
    tmp_path: Path,
) -> None:
    book = Workbook(max_rows=4)  # header + 3 rows per sheet, instead of Excel's 1,048,576
    table = book.add_sheet("Inventaire", INVENTORY)
    for n in range(1, 9):
        table.append(_inventory_row(n))  # type: ignore[arg-type]
    assert table.row_count == 8
    assert table.sheet_titles == ["Inventaire", "Inventaire (2)", "Inventaire (3)"]
    book.save(tmp_path / "long.xlsx")

    wb = openpyxl.load_workbook(tmp_path / "long.xlsx")
    assert wb.sheetnames == ["Inventaire", "Inventaire (2)", "Inventaire (3)"]
    names = []
    for title in wb.sheetnames:
        ws = wb[title]
        assert [c.value for c in ws[1]] == [c.header for c in INVENTORY]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:G{ws.max_row}"
        names += [r[0].value for r in ws.iter_rows(min_row=2)]
    assert names == [f"fichier {n}.pdf" for n in range(1, 9)]
    assert wb["Inventaire (3)"].max_row == 3  # 2 rows left + header
    # Links live in each sheet's own part: the last sheet's point at its own rows.
    link = wb["Inventaire (3)"]["G3"].hyperlink
    assert (link.ref, link.target) == ("G3", "https://example.org/8")


def test_text_stays_text_even_when_it_looks_like_a_formula_or_is_not_printable(
    tmp_path: Path,
) -> None:
    book = Workbook()
    table = book.add_sheet("Noms", [Column("Nom")])
    for name in ("=SUM(A1:A9)", "#N/A", "bell\x07.txt", "bad\udcff.txt", "x" * 40_000):
        table.append([name])
    book.save(tmp_path / "noms.xlsx")

    ws = openpyxl.load_workbook(tmp_path / "noms.xlsx")["Noms"]
    values = [ws.cell(row=r, column=1) for r in range(2, 7)]
    assert [c.data_type for c in values] == ["s"] * 5
    assert values[0].value == "=SUM(A1:A9)"
    assert values[1].value == "#N/A"
    assert values[2].value == "bell\ufffd.txt"
    assert values[3].value == "bad\ufffd.txt"
    assert len(values[4].value) == 32_767


class _Level(IntEnum):
    HIGH = 3


def test_streamed_cells_of_every_kind_read_back_with_their_formats(tmp_path: Path) -> None:
    k = ColumnKind
    columns = [
        Column("Texte"),
        Column("Entier", k.INTEGER),
        Column("Décimal", k.DECIMAL),
        Column("Part", k.PERCENT),
        Column("Jour", k.DATE),
        Column("Moment", k.DATETIME),
        Column("Note", k.TEXT, wrap=True),
    ]
    book = Workbook()
    table = book.add_sheet("Valeurs", columns)
    table.append(
        ["a", 1, 2.5, 0.5, date(2024, 2, 29), datetime(2024, 2, 29, 23, 59, 59), "long\nnote"]
    )
    table.append(
        [True, _Level.HIGH, 3, float("nan"), datetime(2024, 1, 1, 12), date(2024, 1, 2), 42]
    )
    table.append([date(2023, 5, 6), None, -1.25e-7, 1.0, None, None, False])
    table.append(["", "", "", "", "", "", ""])
    assert table.row_count == 4
    book.save(tmp_path / "valeurs.xlsx")

    ws = openpyxl.load_workbook(tmp_path / "valeurs.xlsx")["Valeurs"]
    assert ws.auto_filter.ref == "A1:G5"

    def seen(ref: str) -> tuple[object, str]:
        return ws[ref].value, ws[ref].number_format

    assert seen("A2") == ("a", "General")
    assert seen("B2") == (1, "#,##0")
    assert seen("C2") == (2.5, "#,##0.00")
    assert seen("D2") == (0.5, "0.0 %")
    assert seen("E2") == (datetime(2024, 2, 29), "dd/mm/yyyy")
    assert seen("F2") == (datetime(2024, 2, 29, 23, 59, 59), "dd/mm/yyyy hh:mm")
    assert ws["G2"].value == "long\nnote"
    assert ws["G2"].alignment.wrap_text
    assert ws["G2"].alignment.vertical == "top"
    assert (ws["A3"].value, ws["A3"].data_type) == (True, "b")
    assert seen("B3") == (3, "#,##0")
    assert seen("C3") == (3, "#,##0.00")
    assert ws["D3"].value is None  # Excel has no NaN
    assert seen("E3") == (datetime(2024, 1, 1, 12), "dd/mm/yyyy")  # the column's format
    assert seen("F3") == (datetime(2024, 1, 2), "dd/mm/yyyy hh:mm")
    assert ws["G3"].value == 42
    assert ws["G3"].alignment.wrap_text
    assert seen("A4") == (datetime(2023, 5, 6), "dd/mm/yyyy")  # a date shows as a date anywhere
    assert ws["C4"].value == -1.25e-7
    assert ws["G4"].value is False
    assert [c.value for c in ws[5]] == [None] * 7
    # Readers that trust the sheet's dimension see every row, all as wide as the table.
    streamed = openpyxl.load_workbook(tmp_path / "valeurs.xlsx", read_only=True)["Valeurs"]
    assert streamed.calculate_dimension() == "A1:G5"
    assert list(streamed.iter_rows(min_row=5, values_only=True)) == [(None,) * 7]


def test_streamed_text_is_escaped_cleaned_and_kept_exactly(tmp_path: Path) -> None:
    texts = {
        "Dupont & fils <devis>.pdf": "Dupont & fils <devis>.pdf",
        "  espaces autour  ": "  espaces autour  ",
        "\u00a0insécable": "\u00a0insécable",
        "tab\there": "tab\there",
        "ligne\r\nsuite": "ligne\r\nsuite",
        "dossier 📁 éàç ]]> &amp;": "dossier 📁 éàç ]]> &amp;",
        "nul\x00 et \x1b": "nul\ufffd et \ufffd",
        "non\ufffe\uffff": "non\ufffd\ufffd",
        "bad\udcff.txt": "bad\ufffd.txt",
    }
    book = Workbook()
    table = book.add_sheet("Noms", [Column("Nom"), Column("Lien", ColumnKind.HYPERLINK)])
    for text in texts:
        table.append([text, Link("https://example.org/?a=1&b=<2>", text)])
    table.append(["é" * 40_000, None])
    book.save(tmp_path / "noms.xlsx")

    with zipfile.ZipFile(tmp_path / "noms.xlsx") as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(archive.read(name))  # well-formed, or raises
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<t xml:space="preserve">  espaces autour  </t>' in sheet
    ws = openpyxl.load_workbook(tmp_path / "noms.xlsx")["Noms"]
    for row, expected in enumerate(texts.values(), start=2):
        assert ws.cell(row=row, column=1).value == expected
        assert ws.cell(row=row, column=2).value == expected
        assert ws.cell(row=row, column=2).hyperlink.target == "https://example.org/?a=1&b=<2>"
        assert ws.cell(row=row, column=2).font.underline == "single"
    long = ws.cell(row=len(texts) + 2, column=1).value
    assert len(long) == 32_767
    assert long.endswith("é…")


def test_a_streamed_table_registers_each_style_once(tmp_path: Path) -> None:
    book = Workbook()
    table = book.add_sheet("Inventaire", INVENTORY)
    for n in range(1, 29):
        table.append(_inventory_row(n))  # type: ignore[arg-type]
    book.add_sheet("Autre", INVENTORY).append(_inventory_row(1))  # type: ignore[arg-type]
    book.save(tmp_path / "styles.xlsx")
    with zipfile.ZipFile(tmp_path / "styles.xlsx") as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    formats = styles.find(f"{main}cellXfs")
    assert formats is not None
    # Default, bold header, four number formats (#,##0 shared), the link font.
    assert len(formats) == 7


def test_streamed_rows_are_not_kept_in_memory(tmp_path: Path) -> None:
    book = Workbook()
    table = book.add_sheet("Inventaire", [Column("Chemin"), Column("Taille", ColumnKind.BYTES)])
    path = "/srv/partage/Urbanisme/permis de construire/2019/dossier " + "x" * 100
    tracemalloc.start()
    try:
        for n in range(40_000):  # about 10 MB of XML
            table.append([f"{path}{n}.pdf", n])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024
    book.save(tmp_path / "grand.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "grand.xlsx", read_only=True)["Inventaire"]
    last = list(ws.iter_rows(min_row=40_001, values_only=True))
    assert last == [(f"{path}39999.pdf", 39_999)]


def test_links_past_excels_limit_per_sheet_stay_as_plain_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_xml, "MAX_LINKS", 2)  # Excel's is 65,530 per sheet
    book = Workbook(max_rows=4)
    table = book.add_sheet("Liens", [Column("Lien", ColumnKind.HYPERLINK)])
    for n in range(1, 6):
        table.append([Link(f"https://example.org/{n}", f"lien {n}")])
    book.save(tmp_path / "liens.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "liens.xlsx")
    first, second = wb["Liens"], wb["Liens (2)"]
    assert [c.value for c in first["A"][1:]] == ["lien 1", "lien 2", "lien 3"]
    assert [bool(c.hyperlink) for c in first["A"][1:]] == [True, True, False]
    assert not first["A4"].font.underline
    assert [bool(c.hyperlink) for c in second["A"][1:]] == [True, True]  # a new sheet, anew


def test_a_full_temporary_folder_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*_args: object, **_kwargs: object) -> object:
        raise OSError(28, "No space left on device")

    book = Workbook()
    table = book.add_sheet("T", [Column("Nom")])
    monkeypatch.setattr(sheet_xml.tempfile, "TemporaryFile", full)
    with pytest.raises(WorkbookError, match=r"temporary folder .*No space left on device"):
        table.extend([f"fichier {n}"] for n in range(1000))
    book.discard()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_temporary_rows_are_deleted_after_saving_or_giving_up(tmp_path: Path) -> None:
    def open_files() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = open_files()
    for give_up in (False, True):
        book = Workbook(max_rows=300)
        table = book.add_sheet("T", [Column("Nom")])
        for n in range(1000):  # four sheets, each with its file of rows
            table.append([f"fichier {n}"])
        if give_up:
            book.discard()
        else:
            book.save(tmp_path / "t.xlsx")
        assert open_files() == before


def test_aware_datetimes_are_written_in_local_time_without_zone(tmp_path: Path) -> None:
    moment = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    book = Workbook()
    book.add_sheet("T", [Column("Quand", ColumnKind.DATETIME)]).append([moment])
    book.save(tmp_path / "t.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "t.xlsx")["T"]["A2"]
    assert cell.value == moment.astimezone().replace(tzinfo=None).replace(second=0)


def test_summary_sheet_comes_first_and_charts_are_native(tmp_path: Path) -> None:
    book = Workbook()
    years = book.add_sheet("Par année", [Column("Année"), Column("Fichiers", ColumnKind.INTEGER)])
    for year, count in ((2021, 120), (2022, 340), (2023, 90)):
        years.append([str(year), count])
    summary = book.add_summary(
        "Synthèse",
        "Synthèse de l'audit",
        [
            SummaryItem("Fichiers", 12_345),
            SummaryItem("Volumes", heading=True),
            SummaryItem("Doublons", 0.125, ColumnKind.PERCENT),
            SummaryItem("Date de l'audit", date(2026, 3, 2)),
        ],
    )
    book.add_chart(Chart("bar", "Fichiers par année", 0, (1,), y_title="Fichiers"), years)
    book.add_chart(Chart("line", "Tendance", 0, (1,)), years, on=summary)
    book.save(tmp_path / "audit.xlsx")

    wb = openpyxl.load_workbook(tmp_path / "audit.xlsx")
    assert wb.sheetnames == ["Synthèse", "Par année"]
    ws = wb["Synthèse"]
    assert ws["A1"].value == "Synthèse de l'audit"
    assert ws["A1"].font.bold
    assert (ws["A3"].value, ws["B3"].value, ws["B3"].number_format) == ("Fichiers", 12_345, "#,##0")
    assert ws["A5"].value == "Volumes"
    assert ws["A5"].font.bold
    assert (ws["B6"].value, ws["B6"].number_format) == (0.125, "0.0 %")
    assert ws["B7"].number_format == "dd/mm/yyyy"
    with zipfile.ZipFile(tmp_path / "audit.xlsx") as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        xml = "".join(archive.read(n).decode() for n in charts)
    assert len(charts) == 2
    assert "<barChart>" in xml
    assert "<lineChart>" in xml
    assert "'Par année'!$B$2:$B$4" in xml  # values
    assert "'Par année'!$A$2:$A$4" in xml  # categories


def test_list_validation_is_written_on_every_part(tmp_path: Path) -> None:
    book = Workbook(max_rows=3)
    table = book.add_sheet("Tableau", [Column("Code"), Column("Sort final")])
    for n in range(4):
        table.append([f"A{n}", "Conserver"])
    table.add_list_validation(1, ["Conserver", "Détruire", "Trier"], allow_blank=False)
    book.save(tmp_path / "v.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "v.xlsx")
    for title in ("Tableau", "Tableau (2)"):
        (validation,) = wb[title].data_validations.dataValidation
        assert validation.formula1 == '"Conserver,Détruire,Trier"'
        assert str(validation.sqref) == "B2:B3"


def test_a_form_has_merged_cells_borders_and_a4_page_setup(tmp_path: Path) -> None:
    book = FormWorkbook()
    form = book.add_form("Bordereau", [8, 30, 20, 20])
    form.heading("Bordereau d'élimination")
    form.field("Service producteur", "Mairie de Saint-Exemple")
    form.paragraph("Les documents ci-dessous ont atteint le terme de leur DUA. " * 6)
    form.blank()
    count = form.table(
        [
            Column("N°", ColumnKind.INTEGER),
            Column("Intitulé"),
            Column("Volume", ColumnKind.BYTES),
            Column("Dossier", ColumnKind.HYPERLINK),
        ],
        [[1, "Factures 2012", 1_234_567, Link("file:///srv/factures")], [2, "Mandats", 10, None]],
    )
    assert count == 2
    form.signature_boxes(
        ["Le service producteur", "Visa du directeur des Archives départementales"],
        lines=4,
        prompts=["Date :", "Nom, qualité et signature :"],
    )
    book.save(tmp_path / "bordereau.xlsx")

    ws = openpyxl.load_workbook(tmp_path / "bordereau.xlsx")["Bordereau"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:D1", "B2:D2", "A3:D3", "A8:B8", "C8:D8", "A9:B12", "C9:D12"} <= merged
    assert ws["A1"].value == "Bordereau d'élimination"
    assert ws["A1"].font.bold
    assert ws["A2"].font.bold
    assert ws.row_dimensions[3].height > 15  # the long paragraph wraps on several lines
    assert ws["A5"].value == "N°"
    assert ws["A5"].border.top.style == "thin"
    assert (ws["C6"].value, ws["C6"].number_format) == (1_234_567, "#,##0")
    assert ws["D6"].hyperlink.target == "file:///srv/factures"
    assert ws["A9"].value == "Date :\nNom, qualité et signature :"
    # The signature box is framed: left and bottom edges, right edge on the last column.
    assert ws["A12"].border.bottom.style == "thin"
    assert ws["A10"].border.left.style == "thin"
    assert ws["B10"].border.right.style == "thin"
    assert ws["A10"].border.right.style is None
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$5:$5"


def test_a_form_workbook_can_hold_a_plain_table_with_links(tmp_path: Path) -> None:
    book = FormWorkbook()
    table = book.add_sheet("Annexe", [Column("Lien", ColumnKind.HYPERLINK)])
    table.append([Link("https://example.org/a")])
    table.append([Link("https://example.org/b")])
    book.save(tmp_path / "annexe.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "annexe.xlsx")["Annexe"]
    assert ws["A3"].hyperlink.target == "https://example.org/b"
    assert ws["A3"].hyperlink.ref == "A3"


def test_sheet_titles_are_made_valid_and_unique(tmp_path: Path) -> None:
    book = Workbook()
    first = book.add_sheet("Dossiers/2024: [brouillon]", [Column("A")])
    second = book.add_sheet("dossiers_2024_ _brouillon_", [Column("A")])
    third = book.add_sheet("Un titre beaucoup trop long pour Excel qui coupe", [Column("A")])
    book.save(tmp_path / "t.xlsx")
    assert first.sheet_titles == ["Dossiers_2024_ _brouillon_"]
    assert second.sheet_titles == ["dossiers_2024_ _brouillon_ (2)"]
    assert len(third.sheet_titles[0]) == 31


def test_saving_where_it_cannot_write_is_a_clear_error(tmp_path: Path) -> None:
    book = Workbook()
    book.add_sheet("A", [Column("A")])
    with pytest.raises(WorkbookError, match="Cannot write"):
        book.save(tmp_path / "missing folder" / "r.xlsx")
    assert not list(tmp_path.iterdir())


# -- reading ------------------------------------------------------------------------------------
def _xlsx(path: Path, rows: list[list[object]], title: str = "Feuille") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _patch(path: Path, member: str, old: str, new: str) -> None:
    """Rewrite one part of an xlsx, as another program would have written it."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    text = parts[member].decode()
    assert old in text
    parts[member] = text.replace(old, new).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_rows_come_with_numbers_letters_and_normalised_values(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "t.xlsx",
        [
            ["  Code  ", "DUA", "Date", "Horodatage", "Vide"],
            ["AG-01", 10.0, date(2024, 3, 1), datetime(2024, 3, 1, 8, 15), "   "],
            [],
            ["AG-02", 2.5, None, datetime(2024, 3, 2), None],
        ],
    )
    with open_workbook(path) as workbook:
        assert workbook.sheet_names == ["Feuille"]
        rows = list(workbook.rows("Feuille"))
    assert [r.number for r in rows] == [1, 2, 3, 4]
    assert rows[0].cell("A").value == "Code"
    assert rows[1].cell("B").value == 10
    assert isinstance(rows[1].cell("B").value, int)
    assert rows[1].cell("C").value == date(2024, 3, 1)
    assert rows[1].cell("D").value == datetime(2024, 3, 1, 8, 15)
    assert rows[1].cell("E").value is None
    assert rows[2].is_empty()
    assert rows[3].cell("B").value == 2.5
    assert rows[3].cell("D").value == datetime(2024, 3, 2)  # a date-time format keeps the time
    assert rows[3].cell("Z").value is None


def test_a_formula_never_computed_is_reported_and_a_computed_one_gives_its_value(
    tmp_path: Path,
) -> None:
    path = _xlsx(tmp_path / "f.xlsx", [["Total", "=1+1", "=2+2", "#REF!"]])
    _patch(path, "xl/worksheets/sheet1.xml", "<f>2+2</f><v></v>", "<f>2+2</f><v>4</v>")
    with open_workbook(path) as workbook:
        (row,) = list(workbook.rows("Feuille"))
    uncomputed, computed, error = row.cell("B"), row.cell("C"), row.cell("D")
    assert uncomputed.value is None
    assert uncomputed.formula == "=1+1"
    assert "no computed value" in uncomputed.problem()
    assert computed.value == 4
    assert computed.problem() == ""
    assert error.error == "#REF!"
    assert "#REF!" in error.problem()


def test_a_wrong_sheet_size_written_by_another_program_does_not_hide_rows(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "d.xlsx", [["a"], ["b"], ["c", "d"]])
    _patch(path, "xl/worksheets/sheet1.xml", '<dimension ref="A1:B3"', '<dimension ref="A1"')
    with open_workbook(path) as workbook:
        rows = list(workbook.rows("Feuille"))
    assert [r.cell("A").value for r in rows] == ["a", "b", "c"]
    assert rows[2].cell("B").value == "d"


def test_a_malformed_sheet_is_a_clear_error(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "m.xlsx", [["a"], ["b"]])
    _patch(path, "xl/worksheets/sheet1.xml", "</sheetData>", "<row></sheetData>")
    with open_workbook(path) as workbook, pytest.raises(WorkbookError, match="cannot be read"):
        list(workbook.rows("Feuille"))


def test_a_streamed_workbook_given_up_leaves_no_file(tmp_path: Path) -> None:
    book = Workbook()
    book.add_sheet("A", [Column("A")]).append(["x"])
    book.discard()
    with pytest.raises(ValueError, match="saved once"):
        book.save(tmp_path / "a.xlsx")
    assert not list(tmp_path.iterdir())


def test_sheet_choice_and_missing_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.create_sheet("TABLEAU de gestion")
    wb.save(tmp_path / "s.xlsx")
    with open_workbook(tmp_path / "s.xlsx") as workbook:
        assert workbook.pick_sheet(["Tableau de gestion"]) == "TABLEAU de gestion"
        assert workbook.pick_sheet(["Inconnue"]) == "Notes"
        with pytest.raises(WorkbookError, match="no sheet named Budget"):
            list(workbook.rows("Budget"))


def _ole(path: Path, encrypted: bool) -> Path:
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    if encrypted:
        body += "EncryptionInfo".encode("utf-16-le") + b"\0" * 100
    return write(path, body)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "absent.xlsx", "does not exist"),
        (lambda d: (d / "dossier.xlsx").mkdir() or d / "dossier.xlsx", "is not a file"),
        (lambda d: write(d / "texte.xlsx", "Code;Intitulé\n"), "is not an Excel workbook"),
        (lambda d: _ole(d / "protege.xlsx", encrypted=True), "protected by a password"),
        (lambda d: _ole(d / "ancien.xls", encrypted=False), "old Excel file"),
    ],
    ids=["missing", "folder", "text", "encrypted", "xls"],
)
def test_files_that_are_not_readable_workbooks_are_refused_clearly(
    tmp_path: Path, make: object, message: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(WorkbookError, match=message):
        open_workbook(path)


def test_other_zip_documents_and_zip_bombs_are_refused(tmp_path: Path) -> None:
    odt = tmp_path / "tableau.ods"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(WorkbookError, match="OpenDocument"):
        open_workbook(odt)
    docx = tmp_path / "note.xlsx"
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
    with pytest.raises(WorkbookError, match="not an Excel workbook"):
        open_workbook(docx)
    big = _xlsx(tmp_path / "big.xlsx", [["x" * 1000] for _ in range(50)])
    with pytest.raises(WorkbookError, match="refused"):
        open_workbook(big, max_bytes=10_000)
    with open_workbook(big) as workbook:
        assert len(list(workbook.rows("Feuille"))) == 50


def test_locations_and_header_matching() -> None:
    assert location("Tableau") == "sheet Tableau"
    assert location("Tableau", 4) == "sheet Tableau, row 4"
    assert location("Tableau", 4, "C") == "sheet Tableau, row 4, column C"
    assert location("Tableau", 4, "C", "DUA") == "sheet Tableau, row 4, column C (DUA)"
    set_language("fr")
    assert location("Tableau", 4, "C", "DUA").startswith(("feuille", "sheet"))
    from app.workbook.reader import Cell, SheetRow

    row = SheetRow(
        "T", 1, (Cell("A", "CODE"), Cell("B", None), Cell("C", "Sort  final"), Cell("D", "Autre"))
    )
    known, unknown = match_header(row, {"Code": "code", "Sort final": "final_action"})
    assert [(h.column, h.key, h.header) for h in known] == [
        ("A", "code", "CODE"),
        ("C", "final_action", "Sort  final"),
    ]
    assert [c.column for c in unknown] == ["D"]
