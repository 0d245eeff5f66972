"""Shared fixtures: a fresh project, trees written by the tests, a scan helper."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.i18n import set_language
from app.inventory.scan import ScanOptions, ScanSummary, scan
from app.project import MissionIdentity, Project


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BESACE_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("BESACE_LANG", raising=False)
    set_language("fr")


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    proj = Project.create(tmp_path / "mission.besace", MissionIdentity(name="Mairie de Test"))
    yield proj
    proj.close()


def write(path: Path, data: bytes | str, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def sha512_of(path: Path) -> bytes:
    digest = hashlib.sha512()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.digest()


def run_scan(project: Project, *roots: Path, **options: object) -> ScanSummary:
    opts = ScanOptions(workers=int(options.pop("workers", 1)))  # type: ignore[call-overload]
    for key, value in options.items():
        setattr(opts, key, value)
    return scan(project, list(roots), options=opts)


def rows(conn: sqlite3.Connection, where: str = "state = 'present'") -> dict[str, sqlite3.Row]:
    conn.row_factory = sqlite3.Row
    try:
        found = conn.execute(f"SELECT * FROM file WHERE {where}").fetchall()
    finally:
        conn.row_factory = None
    return {row["rel_path"]: row for row in found}


def besace_command(*args: str) -> list[str]:
    """The command line of `besace …` with this interpreter, as the user runs it."""
    return [sys.executable, "-m", "app", *args]


def run_besace(*args: str, lang: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BESACE_LANG": lang} if lang else None
    return subprocess.run(
        besace_command(*args), capture_output=True, text=True, timeout=600, check=False, env=env
    )


def start_besace(*args: str, **popen: object) -> subprocess.Popen[str]:
    """`besace …` in the background, for tests that stop it on purpose."""
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        besace_command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )
