"""Rescans read only what changed and keep the history of every run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import rows, run_scan, sha512_of, write

from app.errors import AppError
from app.project import Project


def events(project: Project, run_id: int) -> set[tuple[str, str]]:
    return set(
        project.conn.execute(
            "SELECT e.kind, f.rel_path FROM file_event e JOIN file f ON f.id = e.file_id"
            " WHERE e.run_id = ?",
            (run_id,),
        )
    )


def test_rescan_reads_only_changed_files_and_records_changes(
    project: Project, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    for i in range(20):
        write(share / f"Arrêtés/{2010 + i}/arrêté {i}.txt", f"Arrêté n°{i}\n" * 20)
    write(share / "Urbanisme/PC 001/plan.txt", "plan")
    first = run_scan(project, share)
    assert (first.added, first.files_read) == (21, 21)

    unchanged = run_scan(project, share)
    assert unchanged.files_read == 0
    assert unchanged.unchanged == 21
    assert (unchanged.added, unchanged.modified, unchanged.removed) == (0, 0, 0)

    changed = share / "Arrêtés/2010/arrêté 0.txt"
    changed.write_text("Arrêté n°0 modifié\n")
    os.utime(changed, (1_700_000_000, 1_700_000_000))
    write(share / "Arrêtés/2030/nouvel arrêté.txt", "nouveau")
    (share / "Arrêtés/2011/arrêté 1.txt").unlink()
    shutil.rmtree(share / "Urbanisme")
    third = run_scan(project, share)
    assert third.files_read == 2
    assert (third.added, third.modified, third.removed) == (1, 1, 2)
    assert events(project, third.run_id) == {
        ("modified", "Arrêtés/2010/arrêté 0.txt"),
        ("added", "Arrêtés/2030/nouvel arrêté.txt"),
        ("removed", "Arrêtés/2011/arrêté 1.txt"),
        ("removed", "Urbanisme/PC 001/plan.txt"),
    }
    present = rows(project.conn)
    assert present["Arrêtés/2010/arrêté 0.txt"]["sha512"] == sha512_of(changed)
    assert "Urbanisme/PC 001/plan.txt" not in present
    removed = rows(project.conn, "state = 'removed'")
    assert set(removed) == {"Arrêtés/2011/arrêté 1.txt", "Urbanisme/PC 001/plan.txt"}
    removed_dirs = {
        r for (r,) in project.conn.execute("SELECT rel_path FROM directory WHERE state = 'removed'")
    }
    assert removed_dirs == {"Urbanisme", "Urbanisme/PC 001"}

    # a file that comes back is restored, not duplicated
    write(share / "Urbanisme/PC 001/plan.txt", "plan")
    fourth = run_scan(project, share)
    assert fourth.restored == 1
    assert (
        project.conn.execute(
            "SELECT count(*) FROM file WHERE rel_path = 'Urbanisme/PC 001/plan.txt'"
        ).fetchone()[0]
        == 1
    )

    history = project.conn.execute("SELECT id, status FROM scan_run ORDER BY id").fetchall()
    assert history == [(1, "completed"), (2, "completed"), (3, "completed"), (4, "completed")]


def test_a_change_of_content_with_the_same_size_and_date_is_not_read_again(
    project: Project, tmp_path: Path
) -> None:
    # The documented trade-off of an incremental scan: size and mtime decide.
    share = tmp_path / "share"
    target = write(share / "a.txt", "AAAA", 1_600_000_000)
    run_scan(project, share)
    target.write_text("BBBB")
    os.utime(target, (1_600_000_000, 1_600_000_000))
    assert run_scan(project, share).files_read == 0


def test_an_unreachable_root_does_not_empty_the_inventory(project: Project, tmp_path: Path) -> None:
    share = tmp_path / "share"
    write(share / "a.txt", "a")
    run_scan(project, share)
    share.rename(tmp_path / "unmounted")
    with pytest.raises(AppError, match="n'existe pas"):
        run_scan(project, share)
    assert set(rows(project.conn)) == {"a.txt"}


def test_a_file_replaced_by_a_folder_of_the_same_name_and_back(
    project: Project, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    write(share / "Budget", "un fichier")
    run_scan(project, share)
    (share / "Budget").unlink()
    write(share / "Budget/BP 2021.txt", "dans un dossier")
    run_scan(project, share)
    assert set(rows(project.conn)) == {"Budget/BP 2021.txt"}
    shutil.rmtree(share / "Budget")
    write(share / "Budget", "de nouveau un fichier")
    run_scan(project, share)
    assert set(rows(project.conn)) == {"Budget"}
    present_dirs = {
        r for (r,) in project.conn.execute("SELECT rel_path FROM directory WHERE state = 'present'")
    }
    assert present_dirs == {""}
