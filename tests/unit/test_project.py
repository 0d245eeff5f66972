"""The project file: one SQLite file per mission, versioned, safe to reopen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.errors import ProjectBusyError, ProjectError
from app.project import MissionIdentity, Project
from app.project.lock import ProjectLock
from app.project.migrations import LATEST_VERSION


def test_new_project_holds_the_mission_identity(tmp_path: Path) -> None:
    identity = MissionIdentity(
        name="Mairie de Saint-Exemple",
        commune="Saint-Exemple",
        producer="Mairie",
        transferring_agency="Secrétariat général",
        archival_agency="Archives départementales du Loiret",
        archivist="Claire Martin (CDG 45)",
    )
    path = tmp_path / "mission.besace"
    Project.create(path, identity).close()
    with Project.open(path) as project:
        assert project.mission() == identity
        assert project.schema_version == LATEST_VERSION
        assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_mission_identity_can_be_edited(project: Project) -> None:
    identity = project.mission()
    identity.archival_agency = "Archives départementales"
    project.update_mission(identity)
    assert project.mission().archival_agency == "Archives départementales"


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "a.besace"
    path.write_text("précieux")
    with pytest.raises(ProjectError, match="existe déjà"):
        Project.create(path, MissionIdentity(name="x"))
    assert path.read_text() == "précieux"


def test_open_refuses_a_file_that_is_not_a_project(tmp_path: Path) -> None:
    other = tmp_path / "other.besace"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ProjectError, match="n'est pas un projet Besace"):
        Project.open(other)
    text = tmp_path / "text.besace"
    text.write_text("bonjour")
    with pytest.raises(ProjectError, match="n'est pas un projet Besace"):
        Project.open(text)


def test_open_refuses_a_project_from_a_newer_besace(tmp_path: Path) -> None:
    path = tmp_path / "future.besace"
    Project.create(path, MissionIdentity(name="x")).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(ProjectError, match="version plus récente"):
        Project.open(path)


def test_a_failed_write_leaves_nothing_behind(project: Project) -> None:
    def failing_edit() -> None:
        with project.write() as db:
            db.execute("UPDATE mission SET name = 'changed'")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing_edit()
    assert project.mission().name == "Mairie de Test"


def test_only_one_process_at_a_time_holds_a_project(project: Project) -> None:
    with ProjectLock(project.path), pytest.raises(ProjectBusyError):
        ProjectLock(project.path).acquire()
    with ProjectLock(project.path):
        pass  # released, so it can be taken again
