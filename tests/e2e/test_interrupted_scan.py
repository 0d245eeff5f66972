"""kill -9 or Ctrl-C at any moment: the project stays consistent and the next scan finishes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from conftest import sha512_of, start_besace, write

FILES = 1200
ENGINE = ("--engine", "fido")  # fido is slow enough to stop the scan at chosen points


def make_share(root: Path, files: int) -> Path:
    for i in range(files):
        write(root / f"service {i % 7}/{i % 50}/pièce {i}.txt", f"pièce {i}\n" * (1 + i % 40))
    return root


@pytest.fixture(scope="module")
def share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_share(tmp_path_factory.mktemp("share"), FILES)


def expected_inventory(share: Path) -> dict[str, bytes]:
    return {p.relative_to(share).as_posix(): sha512_of(p) for p in share.rglob("*") if p.is_file()}


def inventory(project: Path) -> list[tuple[str, bytes]]:
    conn = sqlite3.connect(project)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return conn.execute(
            "SELECT rel_path, sha512 FROM file WHERE state = 'present' ORDER BY rel_path"
        ).fetchall()
    finally:
        conn.close()


def new_project(tmp_path: Path) -> Path:
    project = tmp_path / "p.besace"
    assert start_besace("new", str(project), "--name", "Test").wait(60) == 0
    return project


def wait_for_progress(project: Path, files: int, process: subprocess.Popen[str]) -> None:
    """Wait until the running scan has committed `files` rows (0: until the run started)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "the scan ended before it could be interrupted"
        try:
            conn = sqlite3.connect(f"file:{project}?mode=ro", uri=True, timeout=0.1)
            try:
                runs = conn.execute("SELECT count(*) FROM scan_run").fetchone()[0]
                done = conn.execute("SELECT count(*) FROM file").fetchone()[0]
            finally:
                conn.close()
            if runs and done >= files:
                return
        except sqlite3.OperationalError:
            pass  # the schema is being written
        time.sleep(0.01)
    pytest.fail("the scan made no progress")


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9])
def test_kill_9_then_resume_loses_and_duplicates_nothing(
    share: Path, tmp_path: Path, fraction: float
) -> None:
    project = new_project(tmp_path)
    process = start_besace("scan", str(project), str(share), *ENGINE, start_new_session=True)
    wait_for_progress(project, int(FILES * fraction), process)
    os.killpg(process.pid, signal.SIGKILL)  # the scanner and its workers, at once
    process.wait(30)

    partial = inventory(project)  # opens, passes the integrity check
    assert len(partial) == len({path for path, _ in partial}) <= FILES
    for _path, digest in partial:
        assert digest is not None
        assert len(digest) == 64

    resumed = start_besace("scan", str(project), str(share), *ENGINE)
    _out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    final = inventory(project)
    assert dict(final) == expected_inventory(share)
    conn = sqlite3.connect(project)
    statuses = [s for (s,) in conn.execute("SELECT status FROM scan_run ORDER BY id")]
    conn.close()
    assert statuses[-1] == "completed"
    assert set(statuses[:-1]) <= {"interrupted"}


def test_ctrl_c_stops_cleanly_and_the_next_scan_finishes(tmp_path: Path) -> None:
    # Larger than what the workers hold in flight, so stopping early is observable.
    share = make_share(tmp_path / "share", 3000)
    project = new_project(tmp_path)
    process = start_besace("scan", str(project), str(share), *ENGINE)
    wait_for_progress(project, 300, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    partial = inventory(project)
    assert 300 <= len(partial) < 3000
    assert process.returncode == 130, err
    assert "relancez" in out.lower() or "relancez" in err.lower()
    conn = sqlite3.connect(project)
    assert conn.execute("SELECT status FROM scan_run").fetchall() == [("cancelled",)]
    conn.close()
    resumed = start_besace("scan", str(project), str(share))
    assert resumed.wait(300) == 0
    assert dict(inventory(project)) == expected_inventory(share)
