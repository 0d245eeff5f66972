"""Settings survive a round trip; every message has its French translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app import i18n
from app.errors import AppError
from app.settings import SCHEMA_VERSION, Settings, load_settings, save_settings

ROOT = Path(__file__).resolve().parents[2]


def test_settings_round_trip_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config/settings.toml"
    assert load_settings(path) == Settings()
    settings = Settings(language="en")
    settings.scan.engine = "fido"
    settings.scan.exclude_patterns = ["*.iso", "Sauvegardes"]
    save_settings(settings, path)
    loaded = load_settings(path)
    assert loaded == settings
    assert loaded.schema_version == SCHEMA_VERSION
    assert "Thumbs.db" in loaded.scan.system_patterns
    assert not list(path.parent.glob(".settings-*"))


def test_a_broken_settings_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("language = [", encoding="utf-8")
    with pytest.raises(AppError, match="réglages") as caught:
        load_settings(path)
    assert str(path) in str(caught.value)


def test_the_french_catalog_translates_every_message() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools/update_catalog.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_french_by_default_english_on_request() -> None:
    i18n.set_language(None)
    assert i18n.current_language() == "fr"
    assert i18n._("Errors") == "Erreurs"
    assert i18n.format_count(1234567) == "1\u202f234\u202f567"
    assert i18n.format_bytes(1536) == "1,5 Ko"
    i18n.set_language("en")
    assert i18n._("Errors") == "Errors"
    assert i18n.format_bytes(1536) == "1.5 KB"
    i18n.set_language("fr")


def test_po_parser_reads_multiline_entries() -> None:
    catalog = i18n.parse_po(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        'msgid "Hello "\n"world"\nmsgstr "Bonjour "\n"le monde"\n'
    )
    assert catalog == {"Hello world": "Bonjour le monde"}
