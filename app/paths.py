"""Where Besace keeps its own files: platform folders, or beside the executable (portable)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from app import APP_ID

PORTABLE_MARKER = "besace-portable.txt"


def _portable_root() -> Path | None:
    if not getattr(sys, "frozen", False):
        return None
    root = Path(sys.executable).resolve().parent
    return root if (root / PORTABLE_MARKER).exists() else None


def config_dir() -> Path:
    override = os.environ.get("BESACE_CONFIG_DIR")
    if override:
        return Path(override)
    portable = _portable_root()
    if portable is not None:
        return portable / "config"
    return Path(platformdirs.user_config_dir(APP_ID, appauthor=False))


def log_dir() -> Path:
    portable = _portable_root()
    if portable is not None:
        return portable / "logs"
    return Path(platformdirs.user_log_dir(APP_ID, appauthor=False))


def data_dir() -> Path:
    """Files Besace makes for the user (the demo share and its mission)."""
    override = os.environ.get("BESACE_DATA_DIR")
    if override:
        return Path(override)
    portable = _portable_root()
    if portable is not None:
        return portable / "data"
    return Path(platformdirs.user_data_dir(APP_ID, appauthor=False))


def settings_file() -> Path:
    return config_dir() / "settings.toml"
