"""`besace referential …` for the tableau de gestion, as a CDG archivist uses it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from conftest import run_besace, write

from app.project import MissionIdentity, Project
from app.project.series import Series, add_series
from app.retention.schedule import list_schedule

RULES = (
    "RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement\n"
    "APP-DELIB,AppraisalRule,Délibérations,,1,YEAR\n"
    "APP-10Y,AppraisalRule,Dix ans,,10,YEAR\n"
    "ACC-00001,AccessRule,Libre communicabilité,,0,YEAR\n"
)


def besace(*args: str) -> tuple[int, str, str]:
    result = run_besace(*args, lang="en")
    return result.returncode, result.stdout, result.stderr


def test_load_map_check_export_edit_and_import_the_tableau_de_gestion(tmp_path: Path) -> None:
    project = tmp_path / "mairie.besace"
    Project.create(project, MissionIdentity("Mairie de Saint-Exemple")).close()
    p = str(project)

    code, out, err = besace("referential", p, "load-default-schedule")
    assert code == 0, err
    assert "Tableau de gestion: 100 added, 0 updated, 0 unchanged, 0 removed." in out

    code, out, _ = besace("referential", p, "show-schedule")
    assert code == 0
    assert "Tableau de gestion (100 entries):" in out
    assert "Administration générale" in out
    assert "AG-01    Registre des délibérations du conseil municipal" in out

    code, out, err = besace("referential", p, "import-rules", str(write(tmp_path / "r.csv", RULES)))
    assert code == 0, err
    code, out, err = besace("referential", p, "map-rule", "AG-01", "--appraisal", "APP-DELIB")
    assert code == 0, err
    assert "AG-01: appraisal rule APP-DELIB, access rule —." in out
    code, _, err = besace("referential", p, "map-rule", "AG-01", "--appraisal", "ACC-00001")
    assert code == 1
    assert "ACC-00001 is a AccessRule" in err
    code, out, err = besace("referential", p, "map-rule", "FI-03", "--appraisal", "APP-10Y")
    assert code == 0, err
    code, out, _ = besace("referential", p, "map-rule", "AG-02", "--appraisal", "APP-DELIB")
    assert code == 0

    code, out, _ = besace("referential", p, "check")
    assert code == 1
    assert "100 entries, 97 without an SAE appraisal rule" in out
    assert "AG-02: the rule APP-DELIB lasts 1 YEAR, the tableau de gestion says 10 years." in out
    code, out, _ = besace("referential", p, "map-rule", "AG-02", "--appraisal", "APP-10Y")
    code, out, _ = besace("referential", p, "check")
    assert code == 0
    assert "No problem found" in out

    exported = tmp_path / "tableau.xlsx"
    code, out, err = besace("referential", p, "export-schedule", str(exported))
    assert code == 0, err
    assert "100 tableau de gestion entries written" in out

    # The CDG edits the table in Excel: a title is reworded, an entry added, one deleted.
    wb = openpyxl.load_workbook(exported)
    ws = wb["Retention schedule"]
    assert ws["A2"].value == "AG-01"
    ws["C3"] = "Dossiers de séance (convocations, procès-verbaux)"
    ws.append(["LOC-01", "Spécifique", "Registre des arrêtés de voirie", None, 5, "year(s)"])
    ws.cell(row=ws.max_row, column=8, value="Keep")
    ws.delete_rows(ws.max_row - 1)  # the last model entry
    wb.save(exported)

    code, out, err = besace("referential", p, "import-schedule", str(exported))
    assert code == 0, err
    assert "Tableau de gestion: 1 added, 1 updated, 98 unchanged, 0 removed." in out
    assert "1 entries of the project are not in the file and were kept" in out
    assert "CO-03" in out

    # Removing it is refused while a series uses it; nothing is imported then.
    with Project.open(project) as opened:
        entry = next(e for e in list_schedule(opened) if e.code == "CO-03")
        add_series(opened, Series(code="COM", title="Revue de presse", schedule_entry_id=entry.id))
    ws["C3"] = "Autre titre"
    wb.save(exported)
    code, _, err = besace("referential", p, "import-schedule", str(exported), "--remove-missing")
    assert code == 1
    assert "CO-03: used by the series COM." in err
    with Project.open(project) as opened:
        titles = {e.code: e.title for e in list_schedule(opened)}
        mapped = {e.code: e.appraisal_rule_id for e in list_schedule(opened)}
    assert titles["AG-02"] == "Dossiers de séance (convocations, procès-verbaux)"
    assert titles["LOC-01"] == "Registre des arrêtés de voirie"
    assert mapped["AG-01"] == "APP-DELIB"  # the exported rule column came back unchanged


def test_a_faulty_table_is_refused_with_its_locations(tmp_path: Path) -> None:
    project = tmp_path / "p.besace"
    Project.create(project, MissionIdentity("x")).close()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tableau de gestion"
    ws.append(["Code", "Intitulé", "DUA", "Sort final"])
    ws.append(["A", "Registre", "dix ans", "Conserver"])
    ws.append(["B", "Chronos", 5, "Garder"])
    wb.save(tmp_path / "faux.xlsx")

    code, _, err = besace(
        "referential", str(project), "import-schedule", str(tmp_path / "faux.xlsx")
    )
    assert code == 1
    assert "faux.xlsx cannot be imported" in err
    assert "sheet Tableau de gestion, row 2, column C (DUA): dix ans is not a whole number" in err
    assert (
        "sheet Tableau de gestion, row 3, column D (Sort final): Garder is not a final action"
        in (err)
    )
    code, out, _ = besace("referential", str(project), "show-schedule")
    assert "(0 entries)" in out

    code, _, err = besace("referential", str(project), "import-schedule")
    assert code == 1
    assert "needs an xlsx file" in err
    code, _, err = besace("referential", str(project), "map-rule", "A")
    assert code == 1
    assert "--appraisal" in err
    not_xlsx = write(tmp_path / "tableau.xlsx", "Code;Intitulé\n")
    code, _, err = besace("referential", str(project), "import-schedule", str(not_xlsx))
    assert code == 1
    assert "is not an Excel workbook" in err
