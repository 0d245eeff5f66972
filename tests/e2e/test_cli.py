"""The command line, as an archivist uses it on the demo share."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import run_besace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "Mairie de Saint-Exemple"
    result = run_besace("demo", str(root), "--files", "400")
    assert result.returncode == 0, result.stderr
    assert "Partage de démonstration" in result.stdout
    return root


def test_demo_mission_from_new_to_export(demo: Path, tmp_path: Path) -> None:
    project = tmp_path / "saint-exemple.besace"
    created = run_besace(
        "new",
        str(project),
        "--name",
        "Mairie de Saint-Exemple",
        "--producer",
        "Mairie",
        "--archival-agency",
        "AD 45",
    )
    assert created.returncode == 0, created.stderr
    assert "Projet créé" in created.stdout

    scanned = run_besace("scan", str(project), str(demo))
    assert scanned.returncode == 0, scanned.stderr
    assert "Analyse terminée" in scanned.stdout

    again = run_besace("scan", str(project), str(demo))
    assert again.returncode == 0
    assert "0 lu" in again.stdout  # nothing re-read when nothing changed

    stats = run_besace("stats", str(project))
    assert stats.returncode == 0, stats.stderr
    for heading in ("Par format", "Par année", "Doublons", "Anomalies", "Erreurs"):
        assert heading in stats.stdout
    report = json.loads(run_besace("stats", str(project), "--json").stdout)
    assert report["files"] >= 400
    assert report["duplicate_groups"] >= 3
    assert len(report["formats"]) >= 15

    exported = run_besace("inventory", str(project), "--csv", str(tmp_path / "inv.csv"))
    assert exported.returncode == 0, exported.stderr
    with (tmp_path / "inv.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle, delimiter=";"))) == report["files"] + 1
    dumped = run_besace("inventory", str(project), "--json")
    assert len(json.loads(dumped.stdout)["files"]) == report["files"]

    history = run_besace("history", str(project))
    assert history.stdout.count("terminée") == 2


def test_english_on_request(tmp_path: Path) -> None:
    result = run_besace("new", str(tmp_path / "p.besace"), "--name", "x", lang="en")
    assert "Project created" in result.stdout


def test_errors_are_plain_messages_not_tracebacks(tmp_path: Path) -> None:
    missing = run_besace("stats", str(tmp_path / "absent.besace"))
    assert missing.returncode == 1
    assert "Erreur" in missing.stderr
    assert "Traceback" not in missing.stderr
    project = tmp_path / "p.besace"
    run_besace("new", str(project), "--name", "x")
    bad_root = run_besace("scan", str(project), str(tmp_path / "absent"))
    assert bad_root.returncode == 1
    assert "n'existe pas" in bad_root.stderr
    assert "Traceback" not in bad_root.stderr
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied/x.txt").write_text("x")
    demo = run_besace("demo", str(tmp_path / "occupied"))
    assert demo.returncode == 1
    assert "Traceback" not in demo.stderr
    assert (tmp_path / "occupied/x.txt").read_text() == "x"
