"""The SAE's rules and agencies referentials: strict CSV reading, checks before building."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_besace, run_scan, write

from app.project import MissionIdentity, Project
from app.retention.referential import (
    ReferentialError,
    import_agencies,
    import_rules,
    list_agencies,
    list_rules,
)

RULES = (
    "RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement\n"
    'APP-DELIB,AppraisalRule,Délibérations,"Registre des délibérations,\n'
    "durée d'utilité administrative\",10,YEAR\n"
    "ACC-00001,AccessRule,Libre communicabilité,Délai par défaut,0,year\n"
    "HOL-00002,HoldRule,Gel sans durée,Gel,,\n"
    "HOL-00004,HoldRule,Gel illimité,Gel,unlimited,Year\n"
)
AGENCIES = (
    "Identifier,Name,Description\n"
    "FRAD045,Archives départementales du Loiret,\n"
    "FRAD045_MAIRIE,Mairie de Saint-Exemple,Service producteur\n"
)


def test_a_vitam_rules_file_is_imported(project: Project, tmp_path: Path) -> None:
    path = write(tmp_path / "regles.csv", RULES)
    assert import_rules(project, path) == 4
    rules = {r.rule_id: r for r in list_rules(project)}
    assert rules["APP-DELIB"].description.endswith("durée d'utilité administrative")
    assert (rules["APP-DELIB"].duration, rules["APP-DELIB"].measurement) == ("10", "YEAR")
    assert rules["HOL-00002"].duration == ""


def test_every_problem_is_listed_with_its_line_and_column_and_nothing_is_imported(
    project: Project, tmp_path: Path
) -> None:
    import_rules(project, write(tmp_path / "ok.csv", RULES))
    bad = write(
        tmp_path / "regles.csv",
        "RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement\n"
        "APP-1,AppraisalRule,Dossiers,,10,YEAR\n"
        "APP-1,AppraisalRule,Doublon,,10,YEAR\n"
        "X-1,DestructionRule,Type inconnu,,5,YEAR\n"
        "ACC-1,AccessRule,Unité inconnue,,5,WEEK\n"
        "ACC-2,AccessRule,Trop long,,1000,YEAR\n"
        "ACC-3,AccessRule,,,,\n",
    )
    with pytest.raises(ReferentialError) as caught:
        import_rules(project, bad)
    details = caught.value.details
    assert "line 3, column RuleId" in details or "ligne 3, colonne RuleId" in details
    for expected in (
        "ligne 4, colonne RuleType",
        "ligne 5, colonne RuleMeasurement",
        "ligne 6, colonne RuleDuration",
        "ligne 7, colonne RuleValue",
    ):
        assert expected in details
    assert len(list_rules(project)) == 4  # the previous referential is untouched


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (RULES.replace(",", ";"), "colonnes"),
        (RULES.encode("cp1252"), "UTF-8"),
        (RULES.replace("ACC-00001", "\nACC-00001"), "ligne vide"),
    ],
    ids=["semicolons", "windows-1252", "empty line"],
)
def test_files_vitam_refuses_are_refused(
    project: Project, tmp_path: Path, content: str | bytes, message: str
) -> None:
    with pytest.raises(ReferentialError, match=message) as caught:
        import_rules(project, write(tmp_path / "regles.csv", content))
    assert message in str(caught.value)


def test_agencies_are_imported_and_checked(project: Project, tmp_path: Path) -> None:
    assert import_agencies(project, write(tmp_path / "services.csv", AGENCIES)) == 2
    assert [a.identifier for a in list_agencies(project)] == ["FRAD045", "FRAD045_MAIRIE"]
    with pytest.raises(ReferentialError, match="FRAD045"):
        import_agencies(project, write(tmp_path / "double.csv", AGENCIES + "FRAD045,Autre,\n"))


def test_build_refuses_unknown_rules_and_agencies_before_packing(tmp_path: Path) -> None:
    write(tmp_path / "share/Conseil/délibération.txt", "texte")
    project_path = tmp_path / "p.besace"
    with Project.create(project_path, MissionIdentity("x")) as p:
        run_scan(p, tmp_path / "share")
        import_rules(p, write(tmp_path / "regles.csv", RULES))
        import_agencies(p, write(tmp_path / "services.csv", AGENCIES))
    out = tmp_path / "paquets"
    base = [
        "build",
        str(project_path),
        "--out",
        str(out),
        "--archival-agency",
        "FRAD045",
        "--transferring-agency",
        "FRAD045_MAIRIE",
        "--no-validate",
    ]
    wrong_rule = run_besace(*base, "--appraisal", "ACC-00001", "--final-action", "Keep")
    assert wrong_rule.returncode == 1
    assert "ACC-00001" in wrong_rule.stderr
    assert "AccessRule" in wrong_rule.stderr
    unknown_agency = run_besace(
        *base, "--profile", "vitam", "--agreement", "IC-1", "--originating-agency", "INCONNU"
    )
    assert unknown_agency.returncode == 1
    assert "INCONNU" in unknown_agency.stderr
    assert not list(out.glob("*.zip"))
    good = run_besace(
        *base,
        "--profile",
        "vitam",
        "--agreement",
        "IC-1",
        "--appraisal",
        "APP-DELIB",
        "--final-action",
        "Keep",
    )
    assert good.returncode == 0, good.stderr
    assert len(list(out.glob("*.zip"))) == 1
    shown = run_besace("referential", str(project_path), "show")
    assert "APP-DELIB" in shown.stdout
    assert "FRAD045_MAIRIE" in shown.stdout
