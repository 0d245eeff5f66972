"""The inventory leaves Besace as CSV (spreadsheets) or JSON (programs), and as a summary."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import run_scan, write

from app.inventory.export import export_csv, export_json
from app.inventory.report import build_report
from app.project import Project


def make_share(root: Path) -> None:
    write(root / "2019/délibération.txt", "Le conseil municipal\n", 1_560_000_000)
    write(root / "2019/copie délibération.txt", "Le conseil municipal\n", 1_560_000_000)
    write(root / "2021/budget.csv", "a;b\n1;2\n", 1_620_000_000)
    write(root / "vide.txt", b"", 1_620_000_000)


def test_csv_opens_in_a_french_spreadsheet(project: Project, tmp_path: Path) -> None:
    make_share(tmp_path / "share")
    run_scan(project, tmp_path / "share")
    target = tmp_path / "inventaire.csv"
    assert export_csv(project.conn, target) == 4
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 accents correctly
    with target.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle, delimiter=";"))
    assert {r["Chemin"] for r in table} == {
        "2019/délibération.txt",
        "2019/copie délibération.txt",
        "2021/budget.csv",
        "vide.txt",
    }
    first = next(r for r in table if r["Chemin"] == "2019/délibération.txt")
    assert first["Taille (octets)"] == "21"
    assert len(first["SHA-512"]) == 128
    assert first["PUID"] == "x-fmt/111"
    assert "doublon" in first["Indicateurs"]
    assert first["Modifié"].startswith("2019-06-08")
    assert not list(tmp_path.glob(".inventaire.csv.*"))  # no temporary file left behind


def test_json_export_is_complete_and_valid(project: Project, tmp_path: Path) -> None:
    make_share(tmp_path / "share")
    run_scan(project, tmp_path / "share")
    target = tmp_path / "inventaire.json"
    export_json(project.conn, target, mission={"name": "Mairie de Test"})
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["mission"]["name"] == "Mairie de Test"
    files = {f["path"]: f for f in document["files"]}
    assert set(files) == {
        "2019/délibération.txt",
        "2019/copie délibération.txt",
        "2021/budget.csv",
        "vide.txt",
    }
    assert files["vide.txt"]["flags"] == ["empty"]
    assert files["2021/budget.csv"]["engine"].startswith("siegfried")


def test_report_counts_formats_years_duplicates_and_anomalies(
    project: Project, tmp_path: Path
) -> None:
    make_share(tmp_path / "share")
    run_scan(project, tmp_path / "share")
    report = build_report(project.conn)
    assert report.files == 4
    assert report.bytes == 21 * 2 + 8
    years = {y.year: y.files for y in report.years}
    assert years == {2019: 2, 2021: 2}
    assert (report.duplicate_groups, report.duplicate_files) == (1, 2)
    assert report.duplicate_wasted_bytes == 21
    assert report.anomalies["duplicate"] == 2
    assert report.anomalies["empty"] == 1
    assert not report.errors
    assert report.last_run["status"] == "completed"
