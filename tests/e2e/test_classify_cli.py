"""The plan de classement on the command line, down to a package carrying the series' rules."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

from conftest import run_besace, write
from lxml import etree

from app.seda.validate import validate_sip

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "seda"
NS = {"s": "fr:gouv:culture:archivesdefrance:seda:v2.2"}


def ts(year: int, month: int = 6) -> float:
    return datetime(year, month, 15, 12).timestamp()


def ok(*args: str) -> str:
    done = run_besace(*args, lang="en")
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def test_series_rules_retention_elimination_and_a_series_package(tmp_path: Path) -> None:
    share = tmp_path / "partage"
    write(share / "Finances" / "Factures" / "2010" / "f1.pdf", b"%PDF-1.4 f1", ts(2010))
    write(share / "Finances" / "Factures" / "2011" / "f2.pdf", b"%PDF-1.4 f2", ts(2011))
    write(share / "Finances" / "Budgets" / "bp2020.pdf", b"%PDF-1.4 bp", ts(2020))
    write(share / "Finances" / "~$temp.docx", b"x", ts(2020))
    write(share / "Courrier" / "lettre.txt", b"Bonjour", ts(2021))
    project = str(tmp_path / "p.besace")
    ok("new", project, "--name", "Mairie", "--archival-agency", "AD", "--producer", "Mairie")
    ok("scan", project, str(share))
    ok("series", project, "add", "FIN", "Finances communales")
    ok(
        "series",
        project,
        "add",
        "FAC",
        "Factures",
        "--parent",
        "FIN",
        "--dua",
        "10y",
        "--final-action",
        "destroy",
        "--appraisal-rule",
        "APP-10",
        "--legal-basis",
        "CGCT",
    )
    ok(
        "series",
        project,
        "add",
        "BUD",
        "Budgets",
        "--parent",
        "FIN",
        "--dua",
        "0",
        "--final-action",
        "keep",
        "--access",
        "0",
        "--appraisal-rule",
        "APP-0",
        "--access-rule",
        "ACC-00001",
    )
    rules = tmp_path / "regles.toml"
    rules.write_text(
        '[[rule]]\nname = "tmp"\nexclude = "temporary"\nflags = ["temporary"]\n\n'
        '[[rule]]\nname = "factures"\nseries = "FAC"\npath = "Finances/Factures/**"\n',
        encoding="utf-8",
    )
    preview = ok("classify", project, "--rules", str(rules), "--preview")
    assert "3 file(s) would change" in preview
    out = ok("classify", project, "--rules", str(rules))
    assert "Rule factures → FAC: 2 matched, 2 applied." in out
    out = ok("series", project, "assign", "BUD", "Finances/Budgets")
    assert "In these folders and files: 1 classified; 0 to classify" in out
    listing = ok("series", project, "list")
    assert "  FAC  Factures  [2 files" in listing

    retention = ok("retention", project, "--as-of", "2021-01-01")
    assert "to eliminate: 1 files" in retention  # 2010's ended in 2020, 2011's ends in 2021
    retention_later = ok("retention", project, "--as-of", "2022-01-01", "--series", "FAC")
    assert "BUD" not in retention_later

    proposal = ok("elimination", project, "propose", "--as-of", "2022-01-01")
    assert "ELIM-2022-001" in proposal
    assert "FAC  Factures: 2 files" in proposal
    assert "2010-06-15 – 2011-06-15" in proposal
    ok("elimination", project, "submitted", "ELIM-2022-001")
    assert "visa granted" in ok("elimination", project, "approved", "ELIM-2022-001")
    assert (share / "Finances" / "Factures" / "2010" / "f1.pdf").exists()

    grid = ok("grid", project, "set", "FAC", "value.legal=high", "hosting.backup=non")
    assert "legal (legal): high" in grid.replace("juridique", "legal")

    out_dir = tmp_path / "paquets"
    ok(
        "build",
        project,
        "--out",
        str(out_dir),
        "--series",
        "FIN",
        "--seda",
        "2.2",
        "--transferring-agency",
        "MAIRIE",
        "--schemas",
        str(SCHEMAS),
    )
    (package,) = out_dir.glob("*.zip")
    assert validate_sip(package, schemas=SCHEMAS).valid
    with zipfile.ZipFile(package) as z:
        manifest = etree.fromstring(z.read("manifest.xml"))
    top = manifest.find(".//s:DescriptiveMetadata/s:ArchiveUnit", NS)
    assert top is not None
    assert top.findtext("s:Content/s:Title", namespaces=NS) == "Finances communales"
    subs = {
        u.findtext("s:Content/s:OriginatingAgencyArchiveUnitIdentifier", namespaces=NS): u
        for u in top.findall("s:ArchiveUnit", NS)
    }
    assert set(subs) == {"FAC", "BUD"}
    rules_2010 = [
        (
            r.findtext("s:Rule", namespaces=NS),
            r.findtext("s:StartDate", namespaces=NS),
            r.findtext("s:FinalAction", namespaces=NS),
        )
        for r in subs["FAC"].iter("{*}AppraisalRule")
    ]
    assert ("APP-10", "2010-06-15", "Destroy") in rules_2010
    assert ("APP-10", "2011-06-15", "Destroy") in rules_2010
    access = [r.findtext("s:Rule", namespaces=NS) for r in subs["BUD"].iter("{*}AccessRule")]
    assert access == ["ACC-00001"]
    # The temporary file stays out; every classified file is in.
    names = {
        o.findtext("s:FileInfo/s:Filename", namespaces=NS)
        for o in manifest.iter("{*}BinaryDataObject")
    }
    assert names == {"f1.pdf", "f2.pdf", "bp2020.pdf"}


def test_bad_series_commands_say_what_is_wrong(tmp_path: Path) -> None:
    project = str(tmp_path / "p.besace")
    ok("new", project, "--name", "Mairie")
    done = run_besace("series", project, "add", "X", "Titre", "--dua", "dix ans", lang="en")
    assert done.returncode == 1
    assert "dix ans" in done.stderr
    done = run_besace("series", project, "assign", "NOPE", "a/b", lang="en")
    assert done.returncode == 1
    assert "NOPE" in done.stderr
    done = run_besace("elimination", project, "propose", lang="en")
    assert done.returncode == 1
    assert "Nothing to eliminate" in done.stderr
