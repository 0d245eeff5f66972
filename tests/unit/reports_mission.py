"""A classified mission on the demo commune share, for the report tests (built once, copied)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

from conftest import run_scan

from app.audit.classify import ClassificationRule, Criteria, recompute, save_rule
from app.demo.share import ROOT_NAME, generate_demo_share
from app.project import MissionIdentity, Project
from app.project.series import Series, add_series

IDENTITY = MissionIdentity(
    name="Mairie de Saint-Exemple",
    commune="Saint-Exemple-sur-Loire",
    producer="Secrétariat général",
    transferring_agency="Mairie de Saint-Exemple-sur-Loire",
    archival_agency="Archives départementales de Loire-Atlantique",
    archivist="Camille Martin",
)
# Far enough for every DUA of the plan to be over: states and proposals do not depend on
# the day the tests run.
AS_OF = date(2045, 1, 1)
SERIES: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    # code, title, path glob, retention
    (
        "CM",
        "Délibérations du conseil municipal",
        "Direction générale/Conseil municipal/**",
        {"dua_value": 1, "dua_unit": "year", "final_action": "keep", "legal_basis": "CGCT"},
    ),
    (
        "AR",
        "Arrêtés du maire",
        "Direction générale/Arrêtés du maire/**",
        {
            "dua_value": 1,
            "dua_unit": "year",
            "final_action": "keep",
            "access_value": 25,
            "access_unit": "year",
        },
    ),
    (
        "PAIE",
        "Paie",
        "Ressources humaines/Paie/**",
        {
            "dua_value": 5,
            "dua_unit": "year",
            "final_action": "destroy",
            "legal_basis": "Instruction DAF/DPACI/RES/2009/018",
        },
    ),
    (
        "MP",
        "Marchés publics",
        "Marchés publics/**",
        {"dua_value": 10, "dua_unit": "year", "final_action": "sort"},
    ),
)


def build_mission(folder: Path, files: int = 300) -> Path:
    """Scan a demo share into a classified project; returns the closed project's path."""
    generate_demo_share(folder / "share", files=files, seed=11)
    path = folder / "template.besace"
    project = Project.create(path, IDENTITY)
    try:
        run_scan(project, folder / "share" / ROOT_NAME)
        for code, title, glob, retention in SERIES:
            series = add_series(project, Series(code=code, title=title, **retention))
            save_rule(
                project,
                ClassificationRule(Criteria(path=glob), series_id=series.id, name=code),
            )
        save_rule(
            project,
            ClassificationRule(Criteria(flags=["temporary"]), exclusion="temporary", name="tmp"),
        )
        recompute(project)
    finally:
        project.close()
    return path


def copy_mission(template: Path, folder: Path) -> Project:
    target = folder / "mission.besace"
    shutil.copyfile(template, target)
    return Project.open(target)
