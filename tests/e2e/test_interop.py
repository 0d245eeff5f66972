"""Resip and other tools' packages on the command line: our builds import back, imports build
again and validate, and Resip CSVs go round trip unchanged."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import run_besace, write

from app.project import Project
from app.seda.from_project import HeaderOptions, SubtreeSelection, plan_transfer
from app.seda.imported import (
    ImportedUnit,
    load_tree,
    management_to_json,
    tree_with_absolute_paths,
    units_from_model,
)
from app.seda.metadata import to_json
from app.seda.validate import validate_sip

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "seda"
AGENCIES = ("--archival-agency", "FRAD045", "--transferring-agency", "MAIRIE")


def besace(*args: str) -> str:
    done = run_besace(*args, lang="en")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def mission(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scanned share with the archivist's metadata on a folder and a file."""
    base = tmp_path_factory.mktemp("interop")
    share = base / "partage"
    write(share / "Conseil municipal/2019/délibération 45.pdf", b"%PDF-1.4 vente d'un terrain")
    write(share / "Conseil municipal/2019/délibération 46.txt", "Budget primitif")
    write(share / "Conseil municipal/2020/procès-verbal.txt", "Séance du 3 mars")
    write(share / "Voirie/plan.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
    project = base / "mission.besace"
    besace("new", str(project), "--name", "Mairie de Test")
    besace("scan", str(project), str(share))
    besace(
        "describe",
        str(project),
        "Conseil municipal",
        "--set",
        "Title=Délibérations du conseil",
        "--set",
        "Description=Registre; « séances » 2019-2020",
        "--set",
        "Keyword.0.KeywordContent=urbanisme",
        "--set",
        "Keyword.1.KeywordContent=budget",
    )
    besace(
        "describe",
        str(project),
        "Conseil municipal/2019/délibération 45.pdf",
        "--set",
        "Title=Vente du terrain des Noues",
    )
    return project


def outline(units: list[ImportedUnit]) -> list[Any]:
    """Structure, levels, titles, every metadata element, rules and files of a tree."""
    return [
        (
            u.level,
            u.title,
            sorted(json.dumps(item, sort_keys=True) for item in to_json(u.content)),
            management_to_json(u.management) if u.management else None,
            [(o.kind, o.usage_version, o.sha512, o.size) for o in u.objects],
            outline(u.children),
        )
        for u in units
    ]


def last_package(project: Path) -> int:
    listed = besace("imported", "list", str(project)).strip().splitlines()
    return int(listed[-1].split()[0].lstrip("#"))


@pytest.mark.parametrize("version", ["2.1", "2.2", "2.3"])
def test_our_builds_import_and_build_again(mission: Path, tmp_path: Path, version: str) -> None:
    out = tmp_path / "built"
    besace(
        "build",
        str(mission),
        "--out",
        str(out),
        "--seda",
        version,
        *AGENCIES,
        "--appraisal",
        "APP-00001:2020-01-01",
        "--final-action",
        "Keep",
        "--access",
        "ACC-00001",
        "--schemas",
        str(SCHEMAS),
    )
    [sip] = out.glob("*.zip")
    shown = besace("sip-import", str(mission), str(sip), "--label", f"build {version}")
    assert f"SEDA {version}" in shown
    package_id = last_package(mission)
    with Project.open(mission) as project:
        planned = plan_transfer(
            project, SubtreeSelection(), HeaderOptions(*AGENCIES[1::2]), version=version
        )
        imported = load_tree(project, package_id)
    expected = units_from_model(planned.transfer.units)
    rules = imported.units[0].management
    assert rules is not None
    assert rules.categories["AppraisalRule"].final_action == "Keep"
    imported.units[0].management = None  # the command line gave the rules, not the plan
    assert outline(imported.units) == outline(expected)

    details = besace("imported", "show", str(mission), str(package_id))
    assert "Délibérations du conseil" in details
    assert "Vente du terrain des Noues" in details
    assert "Archival agency: FRAD045" in details

    again = tmp_path / "again"
    exported = besace(
        "sip-export", str(mission), str(package_id), "--out", str(again), "--schemas", str(SCHEMAS)
    )
    assert f"valid against the SEDA {version} schema" in exported
    [rebuilt] = again.glob("*.zip")
    report = validate_sip(rebuilt, schemas=SCHEMAS)
    assert report.valid, report.problems
    assert report.version == version
    with zipfile.ZipFile(sip) as first, zipfile.ZipFile(rebuilt) as second:
        assert sorted(i.file_size for i in first.infolist() if i.filename != "manifest.xml") == (
            sorted(i.file_size for i in second.infolist() if i.filename != "manifest.xml")
        )


def test_resip_csv_round_trip_on_the_command_line(mission: Path, tmp_path: Path) -> None:
    first_csv = tmp_path / "resip/conseil.csv"
    shown = besace("resip-export", str(mission), str(first_csv), "--folder", "Conseil municipal")
    assert "windows-1252" in shown
    header = first_csv.read_bytes().split(b"\r\n", 1)[0].decode("cp1252")
    assert header.startswith("Id;ParentId;File;ObjectFiles;Content.DescriptionLevel;Content.Title")
    assert "Content.Keyword.1.KeywordContent" in header

    besace("resip-import", str(mission), str(first_csv))
    first_id = last_package(mission)
    second_csv = tmp_path / "resip/again.csv"
    besace("resip-export", str(mission), str(second_csv), "--imported", str(first_id))
    besace("resip-import", str(mission), str(second_csv))
    second_id = last_package(mission)
    with Project.open(mission) as project:
        first = tree_with_absolute_paths(project, first_id)
        second = tree_with_absolute_paths(project, second_id)
        planned = plan_transfer(
            project,
            SubtreeSelection(folder="Conseil municipal"),
            HeaderOptions(*AGENCIES[1::2]),
            version="2.2",
        )
    assert outline(second) == outline(first)
    assert outline(first) == outline(units_from_model(planned.transfer.units))
    assert second_csv.read_bytes() == first_csv.read_bytes()

    # What Resip would be given also builds into a valid package.
    out = tmp_path / "from-csv"
    built = besace(
        "sip-export",
        str(mission),
        str(second_id),
        "--out",
        str(out),
        "--seda",
        "2.3",
        *AGENCIES,
        "--schemas",
        str(SCHEMAS),
    )
    assert "valid against the SEDA 2.3 schema" in built


def test_sip_to_resip_csv_and_back(mission: Path, tmp_path: Path) -> None:
    out = tmp_path / "built"
    besace("build", str(mission), "--out", str(out), *AGENCIES, "--access", "ACC-00001")
    [sip] = out.glob("*.zip")
    besace("sip-import", str(mission), str(sip))
    sip_id = last_package(mission)
    csv_path = tmp_path / "sip.csv"
    besace("resip-export", str(mission), str(csv_path), "--imported", str(sip_id))
    besace("resip-import", str(mission), str(csv_path))
    csv_id = last_package(mission)
    with Project.open(mission) as project:
        from_sip = load_tree(project, sip_id)
        from_csv = load_tree(project, csv_id)
    assert outline(from_csv.units) == outline(from_sip.units)
    names = sorted(o.filename for u in from_csv.all_units() for o in u.objects)
    assert names == sorted(o.filename for u in from_sip.all_units() for o in u.objects)
    assert "délibération 45.pdf" in names


def test_broken_inputs_fail_with_their_place(mission: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("ID;ParentID;File;Content.Title\n1;;;Un\n2;9;;Deux\n", "utf-8")
    done = run_besace("resip-import", str(mission), str(broken), lang="en")
    assert done.returncode == 1
    assert "line 3: the parent 9 is not in the file" in done.stderr
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("manifest.xml", "<x/>")
        zf.writestr("../evil", "x")
    done = run_besace("sip-import", str(mission), str(evil), lang="en")
    assert done.returncode == 1
    assert "../evil" in done.stderr
    before = besace("imported", "list", str(mission))
    assert "broken" not in before
    assert "evil" not in before


def test_remove_forgets_the_package_and_its_files(tmp_path: Path) -> None:
    share = tmp_path / "share"
    write(share / "a.txt", "contenu")
    project = tmp_path / "p.besace"
    besace("new", str(project), "--name", "x")
    besace("scan", str(project), str(share))
    besace("build", str(project), "--out", str(tmp_path / "out"), *AGENCIES)
    [sip] = (tmp_path / "out").glob("*.zip")
    besace("sip-import", str(project), str(sip))
    files = tmp_path / "p.besace.files/imports/1"
    assert any(files.rglob("*a.txt"))
    assert "removed" in besace("imported", "remove", str(project), "1")
    assert not files.exists()
    assert (share / "a.txt").read_text() == "contenu"
    assert "Nothing imported yet." in besace("imported", "list", str(project))
