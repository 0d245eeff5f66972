"""Slips (bordereaux): the layout model, its PDF and its xlsx."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from reports_mission import AS_OF, IDENTITY, build_mission, copy_mission

from app.errors import AppError
from app.i18n import format_bytes, set_language
from app.project import Project
from app.reports.formatting import long_date, short_date
from app.reports.slip_pdf import slip_fonts, wrap_path, write_slip_pdf
from app.reports.slip_xlsx import write_slip_xlsx
from app.reports.slips import AnnexLine, Slip, elimination_slip, transfer_slip
from app.retention.dates import add_period
from app.retention.elimination import propose_elimination
from app.retention.states import document_date

POPPLER = shutil.which("pdftoppm") is not None and shutil.which("pdftotext") is not None


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mission(tmp_path_factory.mktemp("mission"))


@pytest.fixture
def mission(template: Path, tmp_path: Path) -> Iterator[Project]:
    set_language("en")
    project = copy_mission(template, tmp_path)
    yield project
    project.close()


def series_files(project: Project, code: str) -> list[tuple[str, int, date | None]]:
    return [
        (f"{root}/{rel}", int(size), document_date(mtime))
        for root, rel, size, mtime in project.conn.execute(
            "SELECT src.root, f.rel_path, f.size, f.mtime_ns FROM file f"
            " JOIN source src ON src.id = f.source_id JOIN file_class fc ON fc.file_id = f.id"
            " JOIN series s ON s.id = fc.series_id WHERE s.code = ? AND f.state = 'present'",
            (code,),
        )
    ]


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def render(path: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(folder / "page")], check=True)
    return sorted(folder.glob("page*.png"))


# -- the layout model ---------------------------------------------------------------------------
def test_transfer_slip_lines_are_the_files_whose_dua_is_over(mission: Project) -> None:
    slip = transfer_slip(mission, ["CM", "AR"], reference="V-2045-01", on=AS_OF)
    assert slip.title == "Transfer slip"
    assert dict(slip.parties) == {
        "Local authority": IDENTITY.commune,
        "Producing service": IDENTITY.producer,
        "Transferring service": IDENTITY.transferring_agency,
        "Archives service": IDENTITY.archival_agency,
    }
    assert ("Transfer number", "V-2045-01") in slip.references
    assert [line.code for line in slip.lines] == ["CM", "AR"]
    for line in slip.lines:
        files = series_files(mission, line.code)
        dates = [d for _p, _s, d in files if d is not None]
        assert (line.files, line.bytes) == (len(files), sum(s for _p, s, _d in files))
        assert (line.earliest, line.latest) == (min(dates), max(dates))
        assert line.dua == "1 year"
        assert line.final_action == "keep"
    cm, ar = slip.lines
    assert cm.legal_basis == "CGCT"
    assert cm.access == "immediately communicable"
    assert ar.access == (
        f"25 years (communicable on {short_date(add_period(ar.latest, 25, 'year'))})"  # type: ignore[arg-type]
    )
    totals = slip.totals
    assert totals.files == cm.files + ar.files
    assert totals.bytes == cm.bytes + ar.bytes
    assert totals.earliest == min(cm.earliest, ar.earliest)  # type: ignore[type-var]
    assert [box.title for box in slip.signatures] == [
        "The producing service",
        "The archivist",
        "Acceptance by the archives service",
    ]
    assert slip.signatures[1].name == IDENTITY.archivist
    assert slip.annex == ()


def test_transfer_refuses_what_is_not_due(mission: Project) -> None:
    with pytest.raises(AppError, match="--all-files"):
        transfer_slip(mission, ["PAIE"], on=AS_OF)  # destroyed, not transferred
    with pytest.raises(AppError, match="CM"):
        transfer_slip(mission, ["CM"], on=date(2000, 1, 1))  # DUA still running
    everything = transfer_slip(mission, ["PAIE"], on=AS_OF, all_files=True)
    assert everything.lines[0].files == len(series_files(mission, "PAIE"))
    with pytest.raises(AppError, match="NOPE"):
        transfer_slip(mission, ["NOPE"], on=AS_OF)
    with pytest.raises(AppError):
        transfer_slip(mission, [], on=AS_OF)


def test_elimination_slip_has_the_proposal_and_its_files(mission: Project) -> None:
    proposal = propose_elimination(mission, AS_OF)
    slip = elimination_slip(mission, proposal.reference)
    assert slip.title == "Elimination slip"
    assert slip.reference == proposal.reference
    assert ("Status", "draft") in slip.references
    assert [(line.code, line.files, line.bytes) for line in slip.lines] == [
        (item.series_code, item.files, item.bytes) for item in proposal.items
    ]
    assert slip.lines[0].final_action == "destroy"
    assert slip.lines[0].legal_basis == "Instruction DAF/DPACI/RES/2009/018"
    expected = sorted((path, size) for path, size, _d in series_files(mission, "PAIE"))
    assert sorted((a.path, a.size) for a in slip.annex) == expected
    assert {a.series_code for a in slip.annex} == {"PAIE"}
    assert slip.signatures[-1].title == "Visa of the director of the Archives départementales"
    with pytest.raises(AppError):
        elimination_slip(mission, "ELIM-1999-999")


def test_french_dates() -> None:
    set_language("en")
    assert long_date(date(2025, 11, 1)) == "1 November 2025"
    assert short_date(date(2025, 11, 1)) == "2025-11-01"
    set_language("fr")
    assert short_date(date(2025, 11, 1)) == "01/11/2025"
    assert long_date(date(2025, 11, 1)).startswith("1er ")
    assert long_date(date(2025, 3, 12)).endswith(" 2025")


# -- PDF ------------------------------------------------------------------------------------------
def test_wrapped_paths_fit_their_column() -> None:
    fonts = slip_fonts()
    path = "/srv/partage/" + "/".join(f"Dossier numéro {i} avec un nom long" for i in range(12))
    wrapped = wrap_path(path, fonts.regular, 7.5, 200)
    lines = wrapped.split("\n")
    assert len(lines) > 3
    assert "".join(lines) == path
    from reportlab.pdfbase.pdfmetrics import stringWidth

    assert all(stringWidth(line, fonts.regular, 7.5) <= 200 for line in lines)
    assert sum(line.endswith("/") for line in lines[:-1]) >= len(lines) // 2


def test_transfer_pdf_renders(mission: Project, tmp_path: Path) -> None:
    slip = transfer_slip(mission, ["CM", "AR"], reference="V-2045-01", on=AS_OF)
    pages = write_slip_pdf(slip, tmp_path / "slip.pdf")
    assert pages == 1
    assert (tmp_path / "slip.pdf").read_bytes().startswith(b"%PDF-")
    assert list(tmp_path.glob(".besace-*")) == []
    if not POPPLER:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) not installed")
    assert len(render(tmp_path / "slip.pdf", tmp_path)) == 1
    text = pdf_text(tmp_path / "slip.pdf")
    for expected in (
        "TRANSFER SLIP",
        "V-2045-01",
        IDENTITY.archival_agency,
        "Délibérations du conseil municipal",
        "Acceptance by the archives service",
        "page 1 / 1",
        format_bytes(slip.totals.bytes),
    ):
        assert expected in text, expected


def test_a_long_annex_is_paginated(mission: Project, tmp_path: Path) -> None:
    proposal = propose_elimination(mission, AS_OF)
    slip = elimination_slip(mission, proposal.reference)
    long_name = "/".join(["Un dossier au nom particulièrement long"] * 12)
    annex = tuple(
        AnnexLine("PAIE", f"/srv/commun/{long_name}/bulletin {i:04d}.pdf", 1000 + i)
        for i in range(900)
    )
    big: Slip = replace(slip, annex=annex)
    pages = write_slip_pdf(big, tmp_path / "elim.pdf")
    assert pages > 10
    if not POPPLER:
        pytest.skip("poppler-utils (pdftoppm, pdftotext) not installed")
    assert len(render(tmp_path / "elim.pdf", tmp_path)) == pages
    text = pdf_text(tmp_path / "elim.pdf")
    for page in range(1, pages + 1):
        assert f"page {page} / {pages}" in text
    assert "Visa of the director of the Archives" in text
    assert "bulletin 0899.pdf" in text
    assert "bulletin 0000.pdf" in text


def test_unprintable_characters_do_not_break_the_pdf(mission: Project, tmp_path: Path) -> None:
    slip = transfer_slip(mission, ["CM"], on=AS_OF)
    odd = replace(
        slip,
        lines=(replace(slip.lines[0], title="Réunion 🎉 — 会議 & <notes>"),),
    )
    write_slip_pdf(odd, tmp_path / "odd.pdf")
    if POPPLER:
        assert "Réunion ? — ?? & <notes>" in pdf_text(tmp_path / "odd.pdf")


# -- xlsx -----------------------------------------------------------------------------------------
def test_xlsx_slip_has_the_same_content(mission: Project, tmp_path: Path) -> None:
    proposal = propose_elimination(mission, AS_OF)
    slip = elimination_slip(mission, proposal.reference)
    write_slip_xlsx(slip, tmp_path / "elim.xlsx")
    book = openpyxl.load_workbook(tmp_path / "elim.xlsx")
    form, annex = book.worksheets
    assert form.title == "Elimination slip"
    assert form.page_setup.orientation == "landscape"
    assert form.merged_cells.ranges
    values = list(form.iter_rows(values_only=True))
    flat = [v for row in values for v in row if v is not None]
    assert "ELIMINATION SLIP" in flat
    assert IDENTITY.archival_agency in flat
    assert proposal.reference in flat
    header = next(row for row in values if row[0] == "Reference code")
    assert header[:4] == ("Reference code", "Description of the records", "Extreme dates", "Files")
    line = values[values.index(header) + 1]
    item = proposal.items[0]
    assert line[0] == item.series_code
    assert line[3] == item.files
    assert line[4] == format_bytes(item.bytes)
    total = values[values.index(header) + 1 + len(slip.lines)]
    assert total[0] == "Total"
    assert total[3] == slip.totals.files
    assert any(
        isinstance(v, str) and v.startswith("Visa of the director of the Archives") for v in flat
    )
    rows = list(annex.iter_rows(values_only=True))
    assert rows[0] == ("No.", "Reference code", "Path", "Size")
    assert [(r[2], r[3]) for r in rows[1:]] == [(a.path, a.size) for a in slip.annex]
