"""Descriptive metadata set by the archivist: dotted paths, stored in the project."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import run_scan, write

from app.errors import AppError
from app.project import MissionIdentity, Project
from app.project.metadata import find_target, get_metadata, set_metadata
from app.project.migrations import LATEST_VERSION, MIGRATIONS
from app.project.store import APPLICATION_ID
from app.seda.metadata import assign, flatten, from_json, to_json
from app.seda.model import Element


def test_dotted_paths_create_update_and_remove_elements() -> None:
    elements: list[Element] = []
    assign(elements, "Description", "Délibérations du conseil municipal")
    assign(elements, "Keyword.0.KeywordContent", "voirie")
    assign(elements, "Keyword.1.KeywordContent", "éclairage public")
    assign(elements, "Content.Writer.0.FullName", "Martine Durand")  # Resip's column form
    assign(elements, "Keyword.0.KeywordContent", "voirie communale")
    assert flatten(elements) == [
        ("Description", "Délibérations du conseil municipal"),
        ("Keyword.KeywordContent", "voirie communale"),
        ("Keyword.1.KeywordContent", "éclairage public"),
        ("Writer.FullName", "Martine Durand"),
    ]
    assign(elements, "Keyword.1", None)
    assert [e.name for e in elements] == ["Description", "Keyword", "Writer"]
    assert from_json(to_json(elements)) == elements


def test_unknown_elements_are_refused_with_their_name() -> None:
    with pytest.raises(AppError, match=r"Keyword\.Foo"):
        assign([], "Keyword.Foo", "x")
    with pytest.raises(AppError, match="Bogus"):
        assign([], "Bogus", "x")


def test_metadata_is_kept_in_the_project(project: Project, tmp_path: Path) -> None:
    write(tmp_path / "share/Conseil/délibération.txt", "texte")
    run_scan(project, tmp_path / "share")
    folder = find_target(project, "Conseil")
    document = find_target(project, "Conseil/délibération.txt")
    assert (folder.kind, document.kind) == ("directory", "file")
    set_metadata(project, folder, [{"name": "Description", "text": "Séances du conseil"}])
    assert get_metadata(project.conn, folder) == [
        {"name": "Description", "text": "Séances du conseil"}
    ]
    assert get_metadata(project.conn, document) == []
    set_metadata(project, folder, [])
    assert get_metadata(project.conn, folder) == []
    with pytest.raises(AppError, match="absent"):
        find_target(project, "absent")


def test_a_version_1_project_is_upgraded_without_losing_anything(tmp_path: Path) -> None:
    path = tmp_path / "old.besace"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.executescript(MIGRATIONS[1])
    conn.execute(
        "INSERT INTO mission (id, name, created_at, updated_at) VALUES (1, 'Mairie', 'x', 'x')"
    )
    conn.execute("PRAGMA user_version=1")
    conn.commit()
    conn.close()
    with Project.open(path) as project:
        assert project.schema_version == LATEST_VERSION
        assert project.mission() == MissionIdentity(name="Mairie")
        assert project.conn.execute("SELECT count(*) FROM unit_metadata").fetchone()[0] == 0
