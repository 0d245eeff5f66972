"""Mission preferences live in the project file and survive closing and reopening it."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.project import MissionIdentity, Project
from app.project.preferences import (
    ARCHIVAL_AGREEMENT,
    SCAN_SOURCES,
    SEDA_VERSION,
    TARGET_SERVER,
    MissionPreferences,
    get_bool,
    get_int,
    get_list,
    get_preference,
    load_mission_preferences,
    save_mission_preferences,
    set_preference,
    set_preferences,
)


def test_defaults_when_nothing_was_saved(project: Project) -> None:
    prefs = load_mission_preferences(project.conn)
    assert prefs.seda_version == "2.2"
    assert prefs.seda_profile == "generic"
    assert prefs.target_server == ""
    assert get_preference(project.conn, "unknown", "fallback") == "fallback"


def test_saved_preferences_are_read_back_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "m.besace"
    wanted = MissionPreferences(
        target_server="AD Loiret",
        seda_version="2.1",
        seda_profile="vitam",
        archival_agency_id="FRAD045",
        transferring_agency_id="FRAD045_MAIRIE",
        originating_agency_id="FRAD045_MAIRIE",
        archival_agreement="IC-000001",
    )
    with Project.create(path, MissionIdentity(name="Mairie")) as created:
        save_mission_preferences(created, wanted)
    with Project.open(path) as reopened:
        assert load_mission_preferences(reopened.conn) == wanted
        assert get_preference(reopened.conn, ARCHIVAL_AGREEMENT) == "IC-000001"
        assert get_preference(reopened.conn, SEDA_VERSION) == "2.1"


def test_setting_again_replaces_the_value(project: Project) -> None:
    set_preference(project, TARGET_SERVER, "A")
    set_preference(project, TARGET_SERVER, "B")
    assert get_preference(project.conn, TARGET_SERVER) == "B"
    count = project.conn.execute("SELECT count(*) FROM project_setting").fetchone()[0]
    assert count == 1


def test_typed_helpers(project: Project) -> None:
    set_preference(project, "max_files", 500)
    set_preference(project, "compress", True)
    set_preference(project, "broken", "x")
    assert get_int(project.conn, "max_files") == 500
    assert get_int(project.conn, "broken", 7) == 7
    assert get_bool(project.conn, "compress") is True
    assert get_bool(project.conn, "absent") is False


def test_a_failed_transaction_writes_nothing(project: Project) -> None:
    def failing_write() -> None:
        with project.write() as db:
            set_preferences(db, {TARGET_SERVER: "A", SEDA_VERSION: "2.3"})
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_write()
    assert load_mission_preferences(project.conn) == MissionPreferences()


def test_lists_round_trip_and_bad_json_reads_as_unset(project: Project) -> None:
    assert get_list(project.conn, SCAN_SOURCES) is None
    set_preference(project, SCAN_SOURCES, ["/mnt/partage", "\\\\serveur\\é"])
    assert get_list(project.conn, SCAN_SOURCES) == ["/mnt/partage", "\\\\serveur\\é"]
    set_preference(project, SCAN_SOURCES, "{not json")
    assert get_list(project.conn, SCAN_SOURCES) is None
