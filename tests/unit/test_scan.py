"""The scan records every file with its digest, format, dates and flags."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from conftest import rows, run_scan, sha512_of, write

from app.errors import AppError
from app.inventory.flags import EntryFlag
from app.project import Project

YEAR_2019 = time.mktime((2019, 3, 12, 10, 0, 0, 0, 0, -1))


def make_share(root: Path) -> None:
    write(root / "Finances/Budget 2019.csv", "poste;montant\nvoirie;12000\n", YEAR_2019)
    write(root / "Finances/copie/Budget 2019.csv", "poste;montant\nvoirie;12000\n")
    write(root / "Courriers/lettre.txt", "Madame, Monsieur,\n" * 50)
    write(root / "Courriers/~$lettre.docx", b"\x0bowner file")
    write(root / "Courriers/Thumbs.db", b"\xd0\xcf\x11\xe0")
    write(root / "Courriers/.DS_Store", b"\x00\x00\x00\x01Bud1")
    write(root / "Courriers/desktop.ini", "[.ShellClassInfo]\n")
    write(root / "Vide/rien.txt", b"")
    (root / "Dossier vide/sous-dossier vide").mkdir(parents=True)


def test_every_file_is_recorded_with_its_digest_size_and_date(
    project: Project, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    make_share(share)
    summary = run_scan(project, share)
    assert summary.status == "completed"
    assert summary.files_seen == 8
    found = rows(project.conn)
    assert set(found) == {
        "Finances/Budget 2019.csv",
        "Finances/copie/Budget 2019.csv",
        "Courriers/lettre.txt",
        "Courriers/~$lettre.docx",
        "Courriers/Thumbs.db",
        "Courriers/.DS_Store",
        "Courriers/desktop.ini",
        "Vide/rien.txt",
    }
    budget = found["Finances/Budget 2019.csv"]
    assert budget["sha512"] == sha512_of(share / "Finances/Budget 2019.csv")
    assert budget["size"] == (share / "Finances/Budget 2019.csv").stat().st_size
    assert budget["mtime_ns"] == (share / "Finances/Budget 2019.csv").stat().st_mtime_ns
    assert budget["extension"] == "csv"
    letter = found["Courriers/lettre.txt"]
    assert letter["puid"] == "x-fmt/111"
    assert letter["mime"] == "text/plain"
    assert letter["engine_id"] is not None
    engine = project.conn.execute(
        "SELECT name, version, signature FROM engine WHERE id = ?", (letter["engine_id"],)
    ).fetchone()
    assert engine[0] == "siegfried"
    assert engine[1]
    assert "DROID_SignatureFile" in engine[2]


def test_duplicates_temporary_system_and_empty_are_flagged(
    project: Project, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    make_share(share)
    run_scan(project, share)
    found = rows(project.conn)

    def flags(path: str) -> EntryFlag:
        return EntryFlag(found[path]["flags"])

    assert EntryFlag.DUPLICATE in flags("Finances/Budget 2019.csv")
    assert EntryFlag.DUPLICATE in flags("Finances/copie/Budget 2019.csv")
    assert EntryFlag.DUPLICATE not in flags("Courriers/lettre.txt")
    assert EntryFlag.TEMPORARY in flags("Courriers/~$lettre.docx")
    assert EntryFlag.SYSTEM in flags("Courriers/Thumbs.db")
    assert EntryFlag.SYSTEM in flags("Courriers/desktop.ini")
    assert EntryFlag.SYSTEM | EntryFlag.HIDDEN in flags("Courriers/.DS_Store")
    empty = found["Vide/rien.txt"]
    assert EntryFlag.EMPTY in EntryFlag(empty["flags"])
    assert empty["sha512"] == hashlib.sha512(b"").digest()
    assert EntryFlag.DUPLICATE not in EntryFlag(empty["flags"])
    folders = {
        rel: EntryFlag(f)
        for rel, f in project.conn.execute("SELECT rel_path, flags FROM directory")
    }
    assert EntryFlag.EMPTY in folders["Dossier vide"]
    assert EntryFlag.EMPTY in folders["Dossier vide/sous-dossier vide"]
    assert EntryFlag.EMPTY not in folders["Vide"]  # it holds an (empty) file
    assert EntryFlag.EMPTY not in folders["Finances"]


def test_folder_totals_count_everything_below(project: Project, tmp_path: Path) -> None:
    share = tmp_path / "share"
    make_share(share)
    run_scan(project, share)
    totals = {
        rel: (n, size)
        for rel, n, size in project.conn.execute(
            "SELECT rel_path, total_files, total_bytes FROM directory"
        )
    }
    assert totals[""][0] == 8
    assert totals[""][1] == sum(p.stat().st_size for p in share.rglob("*") if p.is_file())
    assert totals["Finances"][0] == 2


def test_exclusion_patterns_list_without_reading_or_descending(
    project: Project, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    write(share / "images/disque.iso", b"x" * 1000)
    write(share / "sauvegardes/old/a.txt", "ancien")
    write(share / "garde.txt", "à garder")
    from app.inventory.flags import NameRules

    run_scan(project, share, name_rules=NameRules([], [], ["*.iso", "sauvegardes"]))
    found = rows(project.conn)
    iso = found["images/disque.iso"]
    assert EntryFlag.EXCLUDED in EntryFlag(iso["flags"])
    assert iso["sha512"] is None
    assert iso["size"] == 1000
    assert "sauvegardes/old/a.txt" not in found
    folder_flags = dict(project.conn.execute("SELECT rel_path, flags FROM directory"))
    assert EntryFlag.EXCLUDED in EntryFlag(folder_flags["sauvegardes"])
    assert found["garde.txt"]["sha512"] is not None


def test_extra_digests_on_request(project: Project, tmp_path: Path) -> None:
    share = tmp_path / "share"
    write(share / "a.txt", "contenu")
    run_scan(project, share, extra_algorithms=("md5", "sha256"))
    row = rows(project.conn)["a.txt"]
    import json

    digests = json.loads(row["other_digests"])
    assert digests == {
        "md5": hashlib.md5(b"contenu").hexdigest(),
        "sha256": hashlib.sha256(b"contenu").hexdigest(),
    }


def test_several_roots_in_one_project(project: Project, tmp_path: Path) -> None:
    write(tmp_path / "mairie/a.txt", "mairie")
    write(tmp_path / "ccas/a.txt", "ccas")
    summary = run_scan(project, tmp_path / "mairie", tmp_path / "ccas", workers=2)
    assert summary.files_seen == 2
    roots = [r for (r,) in project.conn.execute("SELECT root FROM source ORDER BY id")]
    assert roots == [str(tmp_path / "mairie"), str(tmp_path / "ccas")]


def test_a_missing_root_is_a_clear_error(project: Project, tmp_path: Path) -> None:
    with pytest.raises(AppError, match="n'existe pas"):
        run_scan(project, tmp_path / "nulle-part")
    assert project.conn.execute("SELECT count(*) FROM scan_run").fetchone()[0] == 0


def test_fido_engine_is_offered_and_recorded(project: Project, tmp_path: Path) -> None:
    share = tmp_path / "share"
    write(share / "lettre.txt", "Madame, Monsieur,\n")
    run_scan(project, share, engine="fido")
    row = rows(project.conn)["lettre.txt"]
    assert row["puid"] == "x-fmt/111"
    name, signature = project.conn.execute(
        "SELECT name, signature FROM engine WHERE id = ?", (row["engine_id"],)
    ).fetchone()
    assert name == "fido"
    assert signature.startswith("formats-v")


def test_progress_reports_files_bytes_and_current_path(project: Project, tmp_path: Path) -> None:
    share = tmp_path / "share"
    for i in range(30):
        write(share / f"d{i % 3}/f{i}.txt", f"fichier {i}\n" * 100)
    seen = []
    from app.inventory.scan import ScanOptions, scan

    scan(project, [share], options=ScanOptions(workers=1), progress=seen.append)
    last = seen[-1]
    assert last.done == last.total == 30
    assert (
        last.bytes_done == last.bytes_total == sum(p.stat().st_size for p in share.rglob("*.txt"))
    )
    assert last.elapsed > 0
    assert any(p.current.startswith("d") for p in seen)
