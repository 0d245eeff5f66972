"""`besace audit`, `besace audit-import` and `besace slip` on a scanned demo commune share."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import run_besace

from app.demo.share import ROOT_NAME

AS_OF = "2045-01-01"  # every DUA of the plan is over by then


def ok(*args: str) -> subprocess.CompletedProcess[str]:
    done: subprocess.CompletedProcess[str] = run_besace(*args, lang="en")
    assert done.returncode == 0, done.stderr + done.stdout
    return done


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("reports")
    project = str(base / "mission.besace")
    ok("demo", str(base / "share"), "--files", "300", "--seed", "11")
    ok(
        "new",
        project,
        "--name",
        "Mairie de Saint-Exemple",
        "--commune",
        "Saint-Exemple-sur-Loire",
        "--producer",
        "Secrétariat général",
        "--transferring-agency",
        "Mairie de Saint-Exemple-sur-Loire",
        "--archival-agency",
        "Archives départementales de Loire-Atlantique",
        "--archivist",
        "Camille Martin",
    )
    ok("scan", project, str(base / "share" / ROOT_NAME))
    for code, title, folder, options in (
        ("CM", "Délibérations", "Direction générale/Conseil municipal", ["--dua", "1y"]),
        ("AR", "Arrêtés du maire", "Direction générale/Arrêtés du maire", ["--access", "25y"]),
    ):
        ok("series", project, "add", code, title, "--final-action", "keep", *options)
        ok("series", project, "assign", code, folder)
    ok("series", project, "edit", "AR", "--dua", "1y", "--legal-basis", "CGCT L2122-29")
    ok("series", project, "add", "PAIE", "Paie", "--dua", "5y", "--final-action", "destroy")
    ok("series", project, "assign", "PAIE", "Ressources humaines/Paie")
    ok("elimination", project, "propose", "--as-of", AS_OF)
    return base / "mission.besace"


def test_audit_workbook_then_grid_round_trip(mission: Path, tmp_path: Path) -> None:
    work = tmp_path / "mission.besace"
    shutil.copyfile(mission, work)
    report = tmp_path / "rapport.xlsx"
    done = ok("audit", str(work), "--xlsx", str(report), "--as-of", AS_OF)
    assert "Audit workbook written" in done.stdout
    book = openpyxl.load_workbook(report)
    assert book.sheetnames[:2] == ["Summary", "Audit grid"]
    assert "Inventory" in book.sheetnames

    grid = book["Audit grid"]
    headers = {c.value: c.column for c in grid[1]}
    rows = {r[0].value: r[0].row for r in grid.iter_rows(min_row=2)}
    assert set(rows) == {"CM", "AR", "PAIE"}
    grid.cell(row=rows["CM"], column=headers["Value — legal"], value="high")
    grid.cell(row=rows["AR"], column=headers["Hosting — Backup"], value="non")
    book.save(report)

    dry = ok("audit-import", str(work), str(report), "--dry-run")
    assert "CM  Value — legal: — → high" in dry.stdout
    assert "AR  Hosting — Backup: — → non" in dry.stdout
    assert "Dry run" in dry.stdout
    shown = ok("grid", str(work), "show", "CM")
    assert "legal (legal): —" in shown.stdout

    done = ok("audit-import", str(work), str(report))
    assert "Audit grid updated for 2 series" in done.stdout
    shown = ok("grid", str(work), "show", "CM")
    assert "legal (legal): high" in shown.stdout

    # Changed in the project since the export, and in the workbook: a conflict.
    ok("grid", str(work), "set", "PAIE", "value.legal=low")
    grid.cell(row=rows["PAIE"], column=headers["Value — legal"], value="medium")
    book.save(report)
    conflict = run_besace("audit-import", str(work), str(report), lang="en")
    assert conflict.returncode == 1
    assert "changed in the project after the workbook was exported" in conflict.stdout
    assert "--force" in conflict.stdout
    assert "legal (legal): low" in ok("grid", str(work), "show", "PAIE").stdout
    ok("audit-import", str(work), str(report), "--force")
    assert "legal (legal): medium" in ok("grid", str(work), "show", "PAIE").stdout

    missing = run_besace("audit-import", str(work), str(tmp_path / "nope.xlsx"), lang="en")
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr


def test_slips(mission: Path, tmp_path: Path) -> None:
    project = str(mission)
    pdf, xlsx = tmp_path / "versement.pdf", tmp_path / "versement.xlsx"
    done = ok(
        "slip",
        project,
        "transfer",
        "--series",
        "CM",
        "AR",
        "--date",
        AS_OF,
        "--number",
        "V-2045-001",
        "--pdf",
        str(pdf),
        "--xlsx",
        str(xlsx),
    )
    assert "Total: 2 series" in done.stdout
    assert pdf.read_bytes().startswith(b"%PDF-")
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    cells = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert "TRANSFER SLIP" in cells
    assert "V-2045-001" in cells
    assert "CM" in cells
    assert "AR" in cells

    elim = tmp_path / "elimination.pdf"
    done = ok("slip", project, "elimination", "ELIM-2045-001", "--pdf", str(elim))
    assert "Total: 1 series" in done.stdout
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(elim), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "ELIMINATION SLIP" in text
        assert "Annex: files proposed for elimination" in text
        assert "Visa of the director of the Archives" in text

    refused = run_besace("slip", project, "transfer", "--series", "PAIE", "--pdf", str(pdf))
    assert refused.returncode == 1
    nothing = run_besace("slip", project, "elimination", "ELIM-2045-001", lang="en")
    assert nothing.returncode == 1
    assert "--pdf" in nothing.stderr
    unknown = run_besace("slip", project, "elimination", "NOPE", "--pdf", str(elim), lang="en")
    assert unknown.returncode == 1
    assert "NOPE" in unknown.stderr
