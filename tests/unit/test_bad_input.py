"""Bad input gets an explicit row or issue: never a crash, never a silent skip."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest
from conftest import besace_command, rows, run_scan, sha512_of, write

from app.inventory import names
from app.inventory.flags import EntryFlag
from app.inventory.reader import ReadTask, read_file
from app.project import Project


def issues(project: Project) -> dict[str, tuple[str, str]]:
    return {
        path: (code, message)
        for path, code, message in project.conn.execute(
            "SELECT rel_path, code, message FROM scan_issue"
        )
    }


def test_names_that_are_not_utf8_are_kept_losslessly(project: Project, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    raw = b"d\xe9lib\xe9ration 2019.txt"  # Latin-1 bytes from an old Samba share
    target = os.path.join(os.fsencode(share), raw)
    with open(target, "wb") as handle:
        handle.write(b"Le conseil municipal...\n")
    run_scan(project, share)
    (row,) = rows(project.conn).values()
    assert row["name"] == raw
    assert row["rel_path"] == "d\ufffdlib\ufffdration 2019.txt"
    assert EntryFlag.UNDECODABLE_NAME in EntryFlag(row["flags"])
    assert row["sha512"] == hashlib.sha512(b"Le conseil municipal...\n").digest()
    assert row["puid"] == "x-fmt/111"  # identified through a link outside the share
    assert os.path.exists(
        os.path.join(os.fsencode(share), names.name_to_raw(names.raw_to_name(row["name"])))
    )
    assert sorted(os.listdir(os.fsencode(share))) == [raw]


def test_windows_reserved_names_and_long_paths_are_flagged(
    project: Project, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    for name in ("CON.txt", "aux", "fin.", "a:b.txt", "normal.txt", "Réunion  du 3 mai.txt"):
        write(share / name, "x")
    deep = share / ("Dossier au nom très long pour le test " * 2).strip()
    long_file = deep / ("sous-dossier " * 6).strip() / ("compte rendu de réunion " * 5 + ".txt")
    write(long_file, "long")
    run_scan(project, share)
    found = {p: EntryFlag(r["flags"]) for p, r in rows(project.conn).items()}
    for name in ("CON.txt", "aux", "fin.", "a:b.txt"):
        assert EntryFlag.RESERVED_NAME in found[name], name
    assert EntryFlag.RESERVED_NAME not in found["normal.txt"]
    assert EntryFlag.PROBLEM_NAME in found["Réunion  du 3 mai.txt"]
    assert EntryFlag.PROBLEM_NAME not in found["normal.txt"]
    (long_rel,) = [p for p in found if p.endswith(".txt ") or "compte rendu" in p]
    assert len(str(share)) + 1 + len(long_rel) > 260
    assert EntryFlag.LONG_PATH in found[long_rel]
    assert EntryFlag.LONG_PATH not in found["normal.txt"]


def test_symlinks_are_listed_never_followed_and_loops_are_reported(
    project: Project, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    write(share / "vrai.txt", "contenu")
    outside = write(tmp_path / "ailleurs/secret.txt", "hors du partage")
    (share / "lien.txt").symlink_to(share / "vrai.txt")
    (share / "lien-dossier").symlink_to(outside.parent)
    (share / "boucle-a").symlink_to(share / "boucle-b")
    (share / "boucle-b").symlink_to(share / "boucle-a")
    (share / "casse").symlink_to(share / "absent")
    summary = run_scan(project, share)
    assert summary.status == "completed"
    found = rows(project.conn)
    assert "lien-dossier/secret.txt" not in found
    for name in ("lien.txt", "lien-dossier", "boucle-a", "boucle-b", "casse"):
        assert found[name]["kind"] == "symlink"
        assert EntryFlag.SYMLINK in EntryFlag(found[name]["flags"])
        assert found[name]["sha512"] is None
    reported = issues(project)
    assert reported["boucle-a"][0] == "symlink-loop"
    assert reported["casse"][0] == "symlink-broken"
    assert reported["lien.txt"][0] == "symlink"


def test_fifos_and_devices_are_listed_not_opened(project: Project, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    os.mkfifo(share / "tube")  # opening it for reading would block forever
    device = share / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o600, os.makedev(1, 3))
    except PermissionError:
        device = None  # type: ignore[assignment]
    summary = run_scan(project, share)
    assert summary.status == "completed"
    found = rows(project.conn)
    assert found["tube"]["kind"] == "special"
    assert EntryFlag.SPECIAL in EntryFlag(found["tube"]["flags"])
    assert issues(project)["tube"][0] == "special-file"
    if device is not None:
        assert found["null"]["kind"] == "special"


def _as_unprivileged(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    """Root reads any file whatever its permissions: drop that capability for the scan."""
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.fail("setpriv (util-linux) is needed to test unreadable files as root")
        drop = "-dac_override,-dac_read_search"
        cmd = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_unreadable_files_and_folders_get_error_rows(tmp_path: Path) -> None:
    share = tmp_path / "share"
    write(share / "lisible.txt", "ok")
    write(share / "secret.txt", "privé").chmod(0o000)
    write(share / "Fermé/dedans.txt", "caché")
    (share / "Fermé").chmod(0o000)
    for p in (share, share / "lisible.txt"):
        p.chmod(p.stat().st_mode | 0o755 if p.is_dir() else 0o644)
    project = tmp_path / "p.besace"
    base = besace_command()
    assert _as_unprivileged([*base, "new", str(project), "--name", "x"]).returncode == 0
    try:
        result = _as_unprivileged([*base, "scan", str(project), str(share)])
        assert result.returncode == 0, result.stderr
        assert "2 erreurs" in result.stdout
        stats = _as_unprivileged([*base, "stats", str(project)])
        assert "secret.txt" in stats.stdout
        assert "Fermé" in stats.stdout
    finally:
        (share / "Fermé").chmod(0o755)
    conn = __import__("sqlite3").connect(project)
    found = dict(conn.execute("SELECT rel_path, flags FROM file WHERE state = 'present'"))
    error = conn.execute("SELECT error FROM file WHERE rel_path = 'secret.txt'").fetchone()[0]
    dir_error = conn.execute("SELECT error FROM directory WHERE rel_path = 'Fermé'").fetchone()[0]
    assert EntryFlag.UNREADABLE in EntryFlag(found["secret.txt"])
    assert "ermission" in error
    assert dir_error
    assert "lisible.txt" in found

    # Once readable, the next scan reads them and clears the errors.
    (share / "secret.txt").chmod(0o644)
    assert _as_unprivileged([*base, "scan", str(project), str(share)]).returncode == 0
    error = conn.execute("SELECT error, sha512 FROM file WHERE rel_path = 'secret.txt'").fetchone()
    assert error[0] is None
    assert error[1] is not None
    assert (
        conn.execute("SELECT count(*) FROM file WHERE rel_path = 'Fermé/dedans.txt'").fetchone()[0]
        == 1
    )
    conn.close()


def test_an_unreadable_folder_does_not_lose_what_was_known_below_it(
    tmp_path: Path,
) -> None:
    share = tmp_path / "share"
    write(share / "Fermé/dedans.txt", "caché")
    for p in (share, share / "Fermé"):
        p.chmod(0o777)
    (share / "Fermé/dedans.txt").chmod(0o644)
    project = tmp_path / "p.besace"
    base = besace_command()
    assert _as_unprivileged([*base, "new", str(project), "--name", "x"]).returncode == 0
    assert _as_unprivileged([*base, "scan", str(project), str(share)]).returncode == 0
    (share / "Fermé").chmod(0o000)
    try:
        assert _as_unprivileged([*base, "scan", str(project), str(share)]).returncode == 0
    finally:
        (share / "Fermé").chmod(0o755)
    conn = __import__("sqlite3").connect(project)
    assert conn.execute("SELECT state FROM file").fetchall() == [("present",)]
    conn.close()


def test_a_file_that_keeps_changing_while_read_is_flagged(tmp_path: Path) -> None:
    target = tmp_path / "journal.log"
    target.write_bytes(b"x" * (32 << 20))
    stop = threading.Event()

    def keep_writing() -> None:
        with target.open("ab") as handle:
            while not stop.is_set():
                handle.write(b"ligne\n")
                handle.flush()
                time.sleep(0.0005)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = read_file(ReadTask(0, str(target)), ())
    finally:
        stop.set()
        writer.join()
    assert result.changed_during_read
    assert not result.error

    still = read_file(ReadTask(0, str(target)), ())
    assert not still.changed_during_read
    assert still.sha512 == sha512_of(target)


@pytest.mark.slow
def test_files_over_4_gib_are_hashed_and_flagged(project: Project, tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    big = share / "sauvegarde.bin"
    size = 4 * 1024**3 + 7
    with big.open("wb") as handle:  # sparse: no disk used
        handle.truncate(size)
    run_scan(project, share)
    row = rows(project.conn)["sauvegarde.bin"]
    assert row["size"] == size
    assert EntryFlag.LARGE_FILE in EntryFlag(row["flags"])
    digest = hashlib.sha512()
    zeros = bytes(1 << 24)
    remaining = size
    while remaining:
        n = min(remaining, len(zeros))
        digest.update(zeros[:n])
        remaining -= n
    assert row["sha512"] == digest.digest()


def test_windows_long_and_unc_paths() -> None:
    assert names.long_path(r"C:\Partage\Mairie", windows=True) == "\\\\?\\C:\\Partage\\Mairie"
    assert (
        names.long_path(r"\\serveur\commun\Mairie", windows=True)
        == "\\\\?\\UNC\\serveur\\commun\\Mairie"
    )
    assert names.long_path("\\\\?\\C:\\x", windows=True) == "\\\\?\\C:\\x"
    assert names.display_root("\\\\?\\UNC\\serveur\\commun") == "\\\\serveur\\commun"
    assert names.display_root("\\\\?\\C:\\Partage") == "C:\\Partage"
