"""The tableau de gestion: the bundled model, strict xlsx import/export, SAE rule mapping."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from conftest import write

from app.i18n import set_language
from app.project import Project
from app.project.series import Series, add_series
from app.retention.referential import import_rules
from app.retention.schedule import (
    LAYOUT,
    ScheduleEntry,
    ScheduleError,
    check_schedule_rule_ids,
    default_schedule,
    import_schedule,
    list_schedule,
    load_default_schedule,
    map_rule_ids,
    parse_schedule_toml,
    read_schedule_sheet,
    read_schedule_xlsx,
    write_schedule_xlsx,
)

FRENCH_HEADER = [
    "Code",
    "Domaine",
    "Typologie / Intitulé",
    "Description",
    "DUA",
    "Unité DUA",
    "Point de départ de la DUA",
    "Sort final",
    "Précisions sur le tri",
    "Délai de communicabilité",
    "Unité communicabilité",
    "Règle de gestion SAE (DUA)",
    "Règle de communicabilité SAE",
    "Textes de référence",
    "Observations",
]
RULES = (
    "RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement\n"
    "APP-DELIB,AppraisalRule,Délibérations,,1,YEAR\n"
    "APP-10Y,AppraisalRule,Dix ans,,10,YEAR\n"
    "ACC-00001,AccessRule,Libre communicabilité,,0,YEAR\n"
    "ACC-50Y,AccessRule,Vie privée,,50,YEAR\n"
)


@pytest.fixture(autouse=True)
def _english() -> None:
    set_language("en")


def _table(path: Path, rows: list[list[object]], *, header: list[str] | None = None) -> Path:
    """A tableau de gestion as a CDG would type it, with a title row above the header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tableau de gestion"
    ws.append(["Tableau de gestion de la commune de Saint-Exemple"])
    ws.append(header or FRENCH_HEADER)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _row(**values: object) -> list[object]:
    keys = [layout.field for layout in LAYOUT]
    base: dict[str, object] = {
        "code": "X-1",
        "title": "Typologie",
        "dua_value": 5,
        "dua_unit": "ans",
        "final_action": "Détruire",
    }
    base.update(values)
    return [base.get(key) for key in keys]


# -- the bundled model ------------------------------------------------------------------------
def test_the_bundled_model_loads_and_covers_the_communes_domains() -> None:
    entries = default_schedule()
    assert len(entries) >= 60
    codes = [e.code for e in entries]
    assert len(set(codes)) == len(codes)
    assert [e.position for e in entries] == list(range(1, len(entries) + 1))
    domains = {e.domain for e in entries}
    for domain in (
        "Administration générale",
        "Élections",
        "État civil et population",
        "Finances",
        "Marchés publics et contrats",
        "Personnel",
        "Urbanisme",
        "Cadastre",
        "Voirie, réseaux et travaux",
        "Police et sécurité",
        "Action sociale (CCAS)",
        "Écoles et jeunesse",
        "Cimetières",
        "Associations, culture et sports",
        "Communication",
    ):
        assert domain in domains
    for entry in entries:
        # Vitam ships no rules: a model table never carries SAE rule ids.
        assert not entry.appraisal_rule_id
        assert not entry.access_rule_id
        assert entry.dua_value is not None, entry.code
        if entry.final_action == "sort":
            assert entry.sort_note, entry.code


def test_the_bundled_model_states_the_well_known_rules() -> None:
    by_code = {e.code: e for e in default_schedule()}
    deliberations = by_code["AG-01"]
    assert deliberations.final_action == "keep"
    assert "L.2121-23" in deliberations.legal_basis
    vouchers = by_code["FI-03"]
    assert (vouchers.dua_value, vouchers.dua_unit, vouchers.final_action) == (10, "year", "destroy")
    rejected = by_code["MP-03"]
    assert (rejected.dua_value, rejected.final_action) == (5, "destroy")
    assert "R.2184-13" in rejected.legal_basis
    births = by_code["EC-01"]
    assert (births.access_value, births.dua_start, births.final_action) == (75, "closure", "keep")
    staff = by_code["PE-01"]
    assert (staff.access_value, staff.final_action, staff.dua_start) == (
        50,
        "sort",
        "earliest_document",
    )
    assert "naissance" in staff.observations
    video = by_code["PS-04"]
    assert (video.dua_value, video.dua_unit, video.final_action) == (1, "month", "destroy")
    assert by_code["CI-01"].final_action == "keep"


def test_a_model_table_with_rule_ids_or_bad_values_is_refused_with_every_problem() -> None:
    text = """
[[entry]]
code = "A"
title = "Registre"
dua_value = 1
final_action = "keep"
appraisal_rule_id = "APP-00001"

[[entry]]
code = "A"
title = "Doublon"
dua_value = 1
final_action = "keep"

[[entry]]
code = "B"
title = "Mauvais"
dua_value = "dix"
dua_unit = "semaine"
final_action = "garder"
"""
    with pytest.raises(ScheduleError) as caught:
        parse_schedule_toml(text, "modele.toml")
    details = caught.value.details
    assert "modele.toml, entry 1 (A), appraisal_rule_id: unknown key." in details
    assert "entry 2 (A), code: A already in entry 1." in details
    assert "entry 3 (B), dua_value: dix is not a whole number" in details
    assert "entry 3 (B), dua_unit: semaine is not a unit" in details
    assert "entry 3 (B), final_action: garder is not a final action" in details


def test_human_texts_for_durations_and_actions() -> None:
    entry = ScheduleEntry("A", "Registre", dua_value=10, access_value=50)
    assert entry.dua_text() == "10 years"
    assert entry.dua_summary() == "DUA of 10 years from the date of the most recent document"
    assert entry.final_action_text() == "keep"
    assert entry.access_text() == "50 years"
    assert ScheduleEntry("B", "x", dua_value=6, dua_unit="month").dua_text() == "6 months"
    assert ScheduleEntry("C", "x").dua_text() == "DUA not set"
    assert ScheduleEntry("D", "x", dua_value=0, dua_start="closure").dua_summary() == (
        "DUA until the closure"
    )
    assert ScheduleEntry("E", "x", final_action="sort").final_action_text() == "sort"
    assert ScheduleEntry("F", "x").access_text() == "communicable immediately"


# -- xlsx ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["fr", "en"])
def test_export_then_import_gives_back_exactly_the_same_table(
    tmp_path: Path, language: str
) -> None:
    set_language(language)
    entries = [
        *default_schedule(),
        ScheduleEntry(
            "Z-1",
            "Cas limite",
            dua_value=None,
            dua_unit="day",
            final_action="sort",
            sort_note="Ligne 1\nLigne 2",
            access_value=25,
            access_unit="month",
            appraisal_rule_id="APP-1",
            access_rule_id="ACC-1",
            position=101,
        ),
    ]
    path = tmp_path / "tableau.xlsx"
    write_schedule_xlsx(entries, path)
    assert read_schedule_xlsx(path) == entries
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] in ("Tableau de gestion", "Retention schedule")
    sheet = wb[wb.sheetnames[0]]
    assert sheet.freeze_panes == "A2"
    assert len(sheet.data_validations.dataValidation) == 4


def test_english_headers_and_key_values_are_accepted(tmp_path: Path) -> None:
    header = ["code", "TITLE", "DUA", "Final action", "Access delay", "DUA start"]
    path = _table(
        tmp_path / "en.xlsx",
        [
            ["A-1", "Minutes", "10 years", "keep", "immediately", "closure"],
            ["A-2", "Copies", "6 mois", "D", 25, "earliest document"],
            ["A-3", "Drafts", 0, "T", None, None],
        ],
        header=header,
    )
    sheet = read_schedule_sheet(path)
    a1, a2, a3 = sheet.entries
    assert (a1.dua_value, a1.dua_unit, a1.final_action, a1.access_value, a1.dua_start) == (
        10,
        "year",
        "keep",
        0,
        "closure",
    )
    assert (a2.dua_value, a2.dua_unit, a2.final_action, a2.access_value) == (
        6,
        "month",
        "destroy",
        25,
    )
    assert a2.dua_start == "earliest_document"
    assert (a3.dua_value, a3.final_action, a3.access_value) == (0, "sort", None)
    assert "appraisal_rule_id" in sheet.missing_fields
    assert "code" not in sheet.missing_fields


def test_every_problem_of_a_table_is_listed_with_sheet_row_and_column(tmp_path: Path) -> None:
    path = _table(
        tmp_path / "faux.xlsx",
        [
            _row(code="A-1"),
            _row(code="A-1", title="Doublon"),
            _row(code="A-2", dua_value="dix"),
            _row(code="A-3", dua_value=-2),
            _row(code="A-4", dua_value=2.5),
            _row(code="A-5", final_action="Garder"),
            _row(code="A-6", dua_unit="semaines"),
            _row(code="A-7", dua_start="au hasard"),
            _row(code="A-8", title=None),
            _row(code="A-9", dua_value="=1+1"),
            _row(code="A-10", dua_value=date(2024, 1, 1)),
            _row(code="A-11", dua_value="6 mois", dua_unit="ans"),
            _row(code="A-12", dua_value=1000),
            _row(code="A-13", dua_value="illimitée"),
            _row(code="A-14", final_action=None),
            [*_row(code="A-15"), "hors colonne"],
        ],
    )
    with pytest.raises(ScheduleError) as caught:
        read_schedule_xlsx(path)
    assert "faux.xlsx cannot be imported" in str(caught.value)
    details = caught.value.details.splitlines()

    def at(row: int, column: str, header: str) -> str:
        found = [
            d
            for d in details
            if d.startswith(f"sheet Tableau de gestion, row {row}, column {column} ({header}): ")
        ]
        assert found, f"nothing reported at row {row}, column {column}: {details}"
        return found[0]

    assert "A-1 already on row 3" in at(4, "A", "Code")
    assert "dix is not a whole number" in at(5, "E", "DUA")
    assert "-2 is negative" in at(6, "E", "DUA")
    assert "2.5 is not a whole number" in at(7, "E", "DUA")
    assert "Garder is not a final action" in at(8, "H", "Sort final")
    assert "semaines is not a unit" in at(9, "F", "Unité DUA")
    assert "au hasard is not a starting point" in at(10, "G", "Point de départ de la DUA")
    assert "required" in at(11, "C", "Typologie / Intitulé")
    assert "no computed value" in at(12, "E", "DUA")
    assert "not a number" in at(13, "E", "DUA")
    assert "does not agree with the unit column" in at(14, "E", "DUA")
    assert "over the SAE's limit (999)" in at(15, "E", "DUA")
    assert "closure" in at(16, "E", "DUA")
    assert "required" in at(17, "H", "Sort final")
    assert "sheet Tableau de gestion, row 18, column P: a value in a column without a header." in (
        details
    )
    assert len(details) == 15  # one per faulty row, nothing else


def test_header_problems_unknown_duplicate_and_missing_columns(tmp_path: Path) -> None:
    unknown = _table(
        tmp_path / "u.xlsx",
        [["A", "Registre", 1, "C", "x"]],
        header=["Code", "Intitulé", "DUA", "Sort final", "Couleur"],
    )
    with pytest.raises(ScheduleError) as caught:
        read_schedule_xlsx(unknown)
    assert caught.value.details == (
        "sheet Tableau de gestion, row 2, column E: unknown column Couleur."
    )
    duplicate = _table(
        tmp_path / "d.xlsx",
        [["A", "Registre", 1, "C", 2]],
        header=["Code", "Intitulé", "DUA", "Sort final", "D.U.A."],
    )
    with pytest.raises(ScheduleError, match="already in column C"):
        read_schedule_xlsx(duplicate)
    missing = _table(
        tmp_path / "m.xlsx", [["A", "Registre", 1]], header=["Code", "Intitulé", "DUA"]
    )
    with pytest.raises(ScheduleError) as caught:
        read_schedule_xlsx(missing)
    assert caught.value.details == (
        "sheet Tableau de gestion, row 2: the required column Final action is missing."
    )
    no_header = _table(tmp_path / "n.xlsx", [], header=["Intitulé", "DUA"])
    with pytest.raises(ScheduleError, match="no header row"):
        read_schedule_xlsx(no_header)
    empty = _table(tmp_path / "e.xlsx", [], header=["Code", "Intitulé", "DUA", "Sort final"])
    with pytest.raises(ScheduleError) as caught:
        read_schedule_xlsx(empty)
    assert "no entry below the header" in caught.value.details


def test_the_sheet_named_tableau_de_gestion_is_read_even_if_not_first(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["Rien d'utile"])
    ws = wb.create_sheet("Tableau de gestion")
    ws.append(["Code", "Intitulé", "DUA", "Sort final"])
    ws.append(["A", "Registre", 1, "Conserver"])
    wb.save(tmp_path / "deux.xlsx")
    assert [e.code for e in read_schedule_xlsx(tmp_path / "deux.xlsx")] == ["A"]


# -- the project's schedule ---------------------------------------------------------------------
def test_import_adds_updates_and_keeps_entries_absent_from_the_file(project: Project) -> None:
    first = [
        ScheduleEntry("A", "Registre", dua_value=1),
        ScheduleEntry("B", "Chronos", dua_value=5),
    ]
    result = import_schedule(project, first, remove_missing=False)
    assert (result.added, result.updated, result.unchanged) == (2, 0, 0)
    second = [
        ScheduleEntry("B", "Chronos du courrier", dua_value=5, final_action="sort", position=1),
        ScheduleEntry("C", "Photographies", dua_value=2, position=2),
    ]
    result = import_schedule(project, second, remove_missing=False)
    assert (result.added, result.updated, result.unchanged, result.removed) == (1, 1, 0, 0)
    assert result.not_in_file == ("A",)
    listed = {e.code: e for e in list_schedule(project)}
    assert set(listed) == {"A", "B", "C"}
    assert listed["B"].title == "Chronos du courrier"
    assert listed["B"].final_action == "sort"
    result = import_schedule(project, second, remove_missing=True)
    assert (result.removed, result.unchanged) == (1, 2)
    assert [e.code for e in list_schedule(project)] == ["B", "C"]


def test_entries_used_by_a_series_are_never_removed_and_nothing_is_imported(
    project: Project,
) -> None:
    import_schedule(
        project,
        [ScheduleEntry("A", "Registre", dua_value=1), ScheduleEntry("B", "Chronos", dua_value=5)],
        remove_missing=False,
    )
    entry_a = next(e for e in list_schedule(project) if e.code == "A")
    add_series(project, Series(code="1D", title="Délibérations", schedule_entry_id=entry_a.id))
    with pytest.raises(ScheduleError) as caught:
        import_schedule(
            project, [ScheduleEntry("B", "Chronos renommés", dua_value=5)], remove_missing=True
        )
    assert "A: used by the series 1D." in caught.value.details
    assert {e.code: e.title for e in list_schedule(project)} == {"A": "Registre", "B": "Chronos"}


def test_columns_absent_from_a_file_keep_the_project_values(project: Project) -> None:
    import_schedule(project, [ScheduleEntry("A", "Registre", dua_value=1)], remove_missing=False)
    map_rule_ids(project, "A", appraisal="APP-1", access="ACC-1")
    import_schedule(
        project,
        [ScheduleEntry("A", "Registre des délibérations", dua_value=1)],
        remove_missing=False,
        keep_fields=("appraisal_rule_id", "access_rule_id"),
    )
    (entry,) = list_schedule(project)
    assert (entry.title, entry.appraisal_rule_id, entry.access_rule_id) == (
        "Registre des délibérations",
        "APP-1",
        "ACC-1",
    )


def test_bad_entries_built_in_code_are_refused(project: Project) -> None:
    with pytest.raises(ScheduleError) as caught:
        import_schedule(
            project,
            [
                ScheduleEntry("A", "x", final_action="garder"),
                ScheduleEntry("A", "y", dua_value=-1),
            ],
            remove_missing=False,
        )
    assert "A: final_action garder is not one of keep, destroy, sort." in caught.value.details
    assert "A: the code appears twice." in caught.value.details
    assert list_schedule(project) == []


def test_the_default_is_loaded_once_and_never_overwrites_without_asking(project: Project) -> None:
    total = len(default_schedule())
    assert load_default_schedule(project).added == total
    again = load_default_schedule(project)
    assert (again.added, again.updated, again.unchanged) == (0, 0, total)
    entry = next(e for e in list_schedule(project) if e.code == "AG-06")
    import_schedule(project, [replace(entry, dua_value=3)], remove_missing=False)
    map_rule_ids(project, "AG-06", appraisal="APP-CHRONO")
    load_default_schedule(project)
    kept = next(e for e in list_schedule(project) if e.code == "AG-06")
    assert kept.dua_value == 3
    reset = load_default_schedule(project, overwrite=True)
    assert reset.updated == 1
    restored = next(e for e in list_schedule(project) if e.code == "AG-06")
    assert (restored.dua_value, restored.appraisal_rule_id) == (5, "APP-CHRONO")


def test_rule_ids_are_mapped_and_checked_against_the_rules_referential(
    project: Project, tmp_path: Path
) -> None:
    load_default_schedule(project)
    # Without a referential, ids are accepted, and the check says they cannot be verified.
    map_rule_ids(project, "AG-01", appraisal="APP-DELIB")
    assert check_schedule_rule_ids(project) == [
        "The project has no rules referential: import the SAE's rules "
        "(referential import-rules) to check the rule ids."
    ]
    import_rules(project, write(tmp_path / "regles.csv", RULES))
    assert check_schedule_rule_ids(project) == []
    with pytest.raises(ScheduleError) as caught:
        map_rule_ids(project, "FI-03", appraisal="ACC-00001")
    assert "The rule ACC-00001 is a AccessRule, not a AppraisalRule." in caught.value.details
    with pytest.raises(ScheduleError, match="not in the rules referential"):
        map_rule_ids(project, "FI-03", access="ACC-404")
    with pytest.raises(ScheduleError, match="No entry ZZ"):
        map_rule_ids(project, "ZZ", appraisal="APP-10Y")
    entry = map_rule_ids(project, "PE-01", appraisal="APP-10Y", access="ACC-50Y")
    assert (entry.appraisal_rule_id, entry.access_rule_id) == ("APP-10Y", "ACC-50Y")
    map_rule_ids(project, "FI-03", appraisal="APP-10Y", access="ACC-00001")
    assert check_schedule_rule_ids(project) == [
        "PE-01: the rule APP-10Y lasts 10 YEAR, the tableau de gestion says 90 years."
    ]
    map_rule_ids(project, "PE-01", appraisal="")
    assert check_schedule_rule_ids(project) == []
    assert next(e for e in list_schedule(project) if e.code == "PE-01").access_rule_id == "ACC-50Y"
    # A referential replaced later may lose a rule still mapped: the check finds it.
    import_rules(
        project,
        write(
            tmp_path / "autres.csv",
            "RuleId,RuleType,RuleValue,RuleDescription,RuleDuration,RuleMeasurement\n"
            "APP-10Y,AccessRule,Changée,,10,YEAR\n",
        ),
    )
    problems = check_schedule_rule_ids(project)
    assert "AG-01: the rule APP-DELIB is not in the rules referential." in problems
    assert "FI-03: the rule APP-10Y is a AccessRule, not a AppraisalRule." in problems
