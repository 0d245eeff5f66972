"""Portable mode: a `besace-portable.txt` beside the frozen executable keeps settings and logs
beside it, so a bundle on a USB stick or in a user folder leaves nothing in the profile."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs
import pytest

from app import APP_ID, paths

EXE_NAME = "besace-cli.exe" if sys.platform == "win32" else "besace"


def frozen_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, marker: bool, frozen: bool = True
) -> Path:
    """A bundle folder with its executable, as PyInstaller makes it; we run "from" it."""
    root = tmp_path / "Besace"
    root.mkdir()
    exe = root / EXE_NAME
    exe.write_bytes(b"")
    if marker:
        (root / paths.PORTABLE_MARKER).write_text("portable\n", encoding="utf-8")
    if frozen:
        monkeypatch.setattr(sys, "frozen", True, raising=False)
    else:
        monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.delenv("BESACE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("BESACE_DATA_DIR", raising=False)
    return root.resolve()


def test_the_marker_puts_settings_logs_and_data_beside_the_executable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = frozen_bundle(tmp_path, monkeypatch, marker=True)

    assert paths.config_dir() == root / "config"
    assert paths.settings_file() == root / "config" / "settings.toml"
    assert paths.log_dir() == root / "logs"
    assert paths.data_dir() == root / "data"


def test_without_the_marker_the_bundle_uses_the_user_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen_bundle(tmp_path, monkeypatch, marker=False)

    assert paths.config_dir() == Path(platformdirs.user_config_dir(APP_ID, appauthor=False))
    assert paths.log_dir() == Path(platformdirs.user_log_dir(APP_ID, appauthor=False))
    assert paths.data_dir() == Path(platformdirs.user_data_dir(APP_ID, appauthor=False))


def test_a_marker_beside_the_python_interpreter_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Running from source (not frozen) never turns portable, whatever lies beside python."""
    frozen_bundle(tmp_path, monkeypatch, marker=True, frozen=False)

    assert paths.config_dir() == Path(platformdirs.user_config_dir(APP_ID, appauthor=False))
    assert paths.log_dir() == Path(platformdirs.user_log_dir(APP_ID, appauthor=False))


def test_the_environment_still_wins_over_the_marker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = frozen_bundle(tmp_path, monkeypatch, marker=True)
    monkeypatch.setenv("BESACE_CONFIG_DIR", str(tmp_path / "config-elsewhere"))
    monkeypatch.setenv("BESACE_DATA_DIR", str(tmp_path / "data-elsewhere"))

    assert paths.config_dir() == tmp_path / "config-elsewhere"
    assert paths.data_dir() == tmp_path / "data-elsewhere"
    assert paths.log_dir() == root / "logs"


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_command_link_to_the_portable_bundle_finds_its_marker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """install.sh links ~/.local/bin/besace to the bundle: the marker is where the link points."""
    root = frozen_bundle(tmp_path, monkeypatch, marker=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    link = bin_dir / EXE_NAME
    os.symlink(root / EXE_NAME, link)
    monkeypatch.setattr(sys, "executable", str(link))

    assert paths.config_dir() == root / "config"
    assert paths.log_dir() == root / "logs"
