"""Mission preferences: the project's own defaults (target SAE, SEDA version, agency codes…).

Stored as text in the `project_setting` key/value table, so the window, the package builder
and the command line read the same values. Values are plain strings; the typed helpers
convert them. Choices (SEDA version, profile) are checked by whoever uses them, against the
lists of `app.seda.model`, which this layer cannot import.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

from app.project.store import Project

# Keys of the project_setting table.
TARGET_SERVER = "target_server"  # name of a server of the app settings; "" for none
SEDA_VERSION = "seda_version"  # 2.1 | 2.2 | 2.3
SEDA_PROFILE = "seda_profile"  # generic | vitam | asalae
ARCHIVAL_AGENCY_ID = "archival_agency_id"  # identifier of the service d'archives
TRANSFERRING_AGENCY_ID = "transferring_agency_id"  # identifier of the service versant
ORIGINATING_AGENCY_ID = "originating_agency_id"  # identifier of the service producteur
ARCHIVAL_AGREEMENT = "archival_agreement"  # contrat d'entrée (ArchivalAgreement)
SCAN_SOURCES = "scan_sources"  # JSON list of the folders to scan, as the user typed them
SCAN_EXCLUDE_PATTERNS = "scan_exclude_patterns"  # JSON list of names listed without reading

DEFAULT_SEDA_VERSION = "2.2"
DEFAULT_PROFILE = "generic"


@dataclass
class MissionPreferences:
    """The preferences a new mission asks for; field names are the table's keys."""

    target_server: str = ""
    seda_version: str = DEFAULT_SEDA_VERSION
    seda_profile: str = DEFAULT_PROFILE
    archival_agency_id: str = ""
    transferring_agency_id: str = ""
    originating_agency_id: str = ""
    archival_agreement: str = ""


def get_preference(conn: sqlite3.Connection, key: str, default: str = "") -> str:
    row = conn.execute("SELECT value FROM project_setting WHERE key = ?", (key,)).fetchone()
    return default if row is None else str(row[0])


def get_int(conn: sqlite3.Connection, key: str, default: int = 0) -> int:
    try:
        return int(get_preference(conn, key, str(default)))
    except ValueError:
        return default


def get_bool(conn: sqlite3.Connection, key: str, default: bool = False) -> bool:
    return get_preference(conn, key, "1" if default else "0").strip().lower() in (
        "1",
        "true",
        "yes",
    )


def get_list(conn: sqlite3.Connection, key: str) -> list[str] | None:
    """A JSON list of strings, or None when never saved (or unreadable)."""
    text = get_preference(conn, key)
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    return [str(item) for item in value]


def all_preferences(conn: sqlite3.Connection) -> dict[str, str]:
    return {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM project_setting")}


def _text(value: str | int | bool | list[str]) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def set_preferences(
    db: sqlite3.Connection, values: Mapping[str, str | int | bool | list[str]]
) -> None:
    """Write several preferences inside the caller's transaction (`with project.write()`)."""
    rows = [(key, _text(value)) for key, value in values.items()]
    db.executemany(
        "INSERT INTO project_setting (key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        rows,
    )


def set_preference(project: Project, key: str, value: str | int | bool | list[str]) -> None:
    with project.write() as db:
        set_preferences(db, {key: value})


def load_mission_preferences(conn: sqlite3.Connection) -> MissionPreferences:
    stored = all_preferences(conn)
    defaults = MissionPreferences()
    return MissionPreferences(
        **{f.name: stored.get(f.name, getattr(defaults, f.name)) for f in fields(defaults)}
    )


def save_mission_preferences(project: Project, preferences: MissionPreferences) -> None:
    """All of them in one transaction."""
    with project.write() as db:
        set_preferences(db, asdict(preferences))
