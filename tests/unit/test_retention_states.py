"""End dates, life-cycle states, elimination proposals, volumes per year and the audit grid."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import run_scan, write

from app.audit.classify import recompute
from app.audit.grid import get_answers, load_grid, priority, set_answer, set_answers
from app.audit.volumes import volumes_by_series
from app.errors import AppError
from app.project import Project
from app.project.metadata import find_target
from app.project.series import Series, add_series, assign, effective_retention, get_series
from app.project.undo import UndoStack
from app.retention.dates import add_period
from app.retention.elimination import list_proposals, propose_elimination, set_status
from app.retention.states import compute_states


@pytest.mark.parametrize(
    ("start", "value", "unit", "end"),
    [
        (date(2020, 2, 29), 1, "year", date(2021, 2, 28)),  # leap day, common year
        (date(2020, 2, 29), 4, "year", date(2024, 2, 29)),  # leap day, leap year
        (date(2019, 1, 31), 1, "month", date(2019, 2, 28)),
        (date(2020, 1, 31), 1, "month", date(2020, 2, 29)),
        (date(2020, 3, 31), 1, "month", date(2020, 4, 30)),
        (date(2020, 11, 15), 3, "month", date(2021, 2, 15)),
        (date(2020, 12, 31), 1, "day", date(2021, 1, 1)),
        (date(2020, 2, 28), 1, "day", date(2020, 2, 29)),
        (date(2015, 6, 1), 10, "year", date(2025, 6, 1)),
        (date(2015, 6, 1), 0, "year", date(2015, 6, 1)),
    ],
)
def test_end_dates(start: date, value: int, unit: str, end: date) -> None:
    assert add_period(start, value, unit) == end


def test_negative_or_unknown_periods_are_refused() -> None:
    with pytest.raises(AppError):
        add_period(date(2020, 1, 1), -1, "year")
    with pytest.raises(AppError):
        add_period(date(2020, 1, 1), 1, "week")


def ts(year: int, month: int = 6, day: int = 15) -> float:
    return datetime(year, month, day, 12).timestamp()


@pytest.fixture
def mission(project: Project, tmp_path: Path) -> Project:
    root = tmp_path / "partage"
    # Invoices: one folder per year; DUA 10 years from the latest document, destroy.
    for year in (2010, 2012, 2020):
        write(root / "Factures" / str(year) / "a.pdf", b"%PDF a" * year, ts(year, 3))
        write(root / "Factures" / str(year) / "b.pdf", b"%PDF b" * 3, ts(year, 11))
    # Deliberations: DUA 0, keep.
    write(root / "Délibérations" / "2019.pdf", b"%PDF delib", ts(2019))
    # Personnel: sort after closure.
    write(root / "Personnel" / "dossier.odt", b"odt", ts(2001))
    write(root / "Divers" / "note.txt", b"note", ts(2018))
    run_scan(project, root)
    for code, title, folder, kw in (
        (
            "FAC",
            "Factures",
            "Factures",
            {"dua_value": 10, "dua_unit": "year", "final_action": "destroy", "legal_basis": "CGCT"},
        ),
        ("DEL", "Délibérations", "Délibérations", {"dua_value": 0, "final_action": "keep"}),
        (
            "PER",
            "Personnel",
            "Personnel",
            {
                "dua_value": 5,
                "dua_start": "closure",
                "closure_date": "2015-12-31",
                "final_action": "sort",
            },
        ),
    ):
        s = add_series(project, Series(code=code, title=title, **kw))  # type: ignore[arg-type]
        assign(project, [find_target(project, folder)], series_id=s.id)
    recompute(project)
    return project


def test_states_on_a_reference_date(mission: Project) -> None:
    report = compute_states(mission.conn, date(2023, 1, 1), with_files=True)
    by_code = {s.series.code: s for s in report.series}
    fac = by_code["FAC"]
    # 2010 and 2012 dossiers: DUA over (ends 2020-11-15 and 2022-11-15); 2020: runs to 2030.
    assert fac.by_state["to_eliminate"].files == 4
    assert fac.by_state["active"].files == 2
    assert fac.next_end == date(2030, 11, 15)
    assert (fac.earliest, fac.latest) == (date(2010, 3, 15), date(2020, 11, 15))
    assert by_code["DEL"].by_state["to_transfer"].files == 1
    assert by_code["PER"].by_state["to_sort"].files == 1
    assert report.unclassified.files == 1
    # The whole dossier shares one end date: its most recent document's.
    ends = {st.dua_end for fid, st in report.files.items() if st.series_id == fac.series.id}
    assert ends == {date(2020, 11, 15), date(2022, 11, 15), date(2030, 11, 15)}


def test_the_day_the_dua_ends_the_dossier_is_due(mission: Project) -> None:
    before = compute_states(mission.conn, date(2022, 11, 14))
    on = compute_states(mission.conn, date(2022, 11, 15))
    fac_before = next(s for s in before.series if s.series.code == "FAC")
    fac_on = next(s for s in on.series if s.series.code == "FAC")
    assert fac_before.by_state["to_eliminate"].files == 2
    assert fac_on.by_state["to_eliminate"].files == 4


def test_a_series_without_rule_is_flagged(mission: Project) -> None:
    s = add_series(mission, Series(code="DIV", title="Divers"))
    assign(mission, [find_target(mission, "Divers")], series_id=s.id)
    recompute(mission)
    report = compute_states(mission.conn, date(2023, 1, 1))
    div = next(x for x in report.series if x.series.code == "DIV")
    assert div.by_state == {"no_rule": div.by_state["no_rule"]}
    assert div.by_state["no_rule"].files == 1


def test_retention_follows_the_schedule_entry_unless_overridden(mission: Project) -> None:
    with mission.write() as db:
        db.execute(
            "INSERT INTO schedule_entry (code, title, dua_value, dua_unit, final_action,"
            " access_value, appraisal_rule_id, legal_basis)"
            " VALUES ('FIN-01', 'Pièces comptables', 6, 'year', 'destroy', 0, 'APP-6', 'Code X')"
        )
    entry = mission.conn.execute("SELECT id FROM schedule_entry").fetchone()[0]
    s = add_series(
        mission, Series(code="PC", title="Pièces", schedule_entry_id=entry, legal_basis="Mine")
    )
    r = effective_retention(mission.conn, s)
    assert (r.dua_value, r.final_action, r.appraisal_rule_id, r.schedule_code) == (
        6,
        "destroy",
        "APP-6",
        "FIN-01",
    )
    assert r.legal_basis == "Mine"
    assert "legal_basis" not in r.inherited
    assert "dua_value" in r.inherited


def test_elimination_proposal_freezes_counts_volumes_and_extreme_dates(
    mission: Project, tmp_path: Path
) -> None:
    proposal = propose_elimination(mission, date(2023, 1, 1))
    assert proposal.reference == "ELIM-2023-001"
    (item,) = proposal.items
    assert (item.series_code, item.files, item.legal_basis) == ("FAC", 4, "CGCT")
    root = tmp_path / "partage" / "Factures"
    assert item.bytes == sum(
        (root / y / n).stat().st_size for y in ("2010", "2012") for n in ("a.pdf", "b.pdf")
    )
    assert (item.earliest, item.latest) == ("2010-03-15", "2012-11-15")
    # Files already proposed are not proposed twice…
    with pytest.raises(AppError):
        propose_elimination(mission, date(2023, 1, 1))
    # …unless the visa was refused.
    set_status(mission, proposal.reference, "submitted")
    with pytest.raises(AppError):
        set_status(mission, proposal.reference, "draft")
    set_status(mission, proposal.reference, "refused", note="Conserver 2010 (contentieux)")
    again = propose_elimination(mission, date(2023, 1, 1))
    assert again.reference == "ELIM-2023-002"
    assert again.files == 4
    assert [p.status for p in list_proposals(mission.conn)] == ["refused", "draft"]
    # Besace never deletes: the files are still there.
    assert all((root / y / "a.pdf").exists() for y in ("2010", "2012"))


def test_volumes_per_year_match_an_independent_count(mission: Project, tmp_path: Path) -> None:
    expected: Counter[tuple[str, int]] = Counter()
    sizes: Counter[tuple[str, int]] = Counter()
    series_of = {"Factures": "FAC", "Délibérations": "DEL", "Personnel": "PER"}
    for path in (tmp_path / "partage").rglob("*"):
        if path.is_file():
            top = path.relative_to(tmp_path / "partage").parts[0]
            key = (series_of.get(top, ""), datetime.fromtimestamp(path.stat().st_mtime).year)
            expected[key] += 1
            sizes[key] += path.stat().st_size
    volumes = volumes_by_series(mission.conn)
    codes = {get_series(mission.conn, c).id: c for c in series_of.values()}
    got: Counter[tuple[str, int]] = Counter()
    got_sizes: Counter[tuple[str, int]] = Counter()
    for sid, v in volumes.items():
        for year, yv in v.by_year.items():
            got[(codes.get(sid, "") if sid else "", year)] += yv.files
            got_sizes[(codes.get(sid, "") if sid else "", year)] += yv.bytes
    assert got == expected
    assert got_sizes == sizes
    fac = volumes[get_series(mission.conn, "FAC").id]
    annual = fac.annual(2020, window=11)  # 2010–2020: three years with files
    assert annual.files == round(6 / 11)
    assert fac.trend(2020, window=11) is not None


def test_grid_answers_persist_validate_and_feed_the_priority(mission: Project) -> None:
    grid = load_grid()
    sid = get_series(mission.conn, "FAC").id
    assert sid is not None
    stack = UndoStack(mission)
    set_answer(mission, grid, sid, "value.legal", "high")
    set_answer(mission, grid, sid, "value.legal.comment", "preuve des paiements")
    set_answer(mission, grid, sid, "hosting.location", "SaaS / cloud")
    set_answers(
        mission,
        grid,
        sid,
        {
            **get_answers(mission.conn, sid),
            "estimates": [
                {"label": "Logiciel de paie", "files_per_year": 12, "bytes_per_year": 1000}
            ],
        },
    )
    mission.close()
    reopened = Project.open(mission.path)
    answers = get_answers(reopened.conn, sid)
    assert answers["value"]["legal"] == {"level": "high", "comment": "preuve des paiements"}
    assert answers["hosting"] == {"location": "SaaS / cloud"}
    assert answers["estimates"][0]["files_per_year"] == 12
    stored = reopened.conn.execute("SELECT answers FROM audit_grid").fetchone()[0]
    assert json.loads(stored) == answers
    p = priority(grid, answers, annual_bytes=0)
    # value: legal (weight 3) high (3) of 12 weights × 3 → 9/36; risk 0.8; volume 0.
    assert p.value == pytest.approx(9 / 36)
    assert p.risk == pytest.approx(0.8)
    assert p.score == pytest.approx(round(100 * (0.6 * 0.25 + 0.25 * 0.8) / 1.0, 1))
    assert not p.complete
    with pytest.raises(AppError, match="excellent"):
        set_answer(reopened, grid, sid, "value.legal", "excellent")
    with pytest.raises(AppError):
        set_answer(reopened, grid, sid, "value.unknown", "high")
    reopened.close()
    del stack


def test_grid_edits_are_undone(mission: Project) -> None:
    grid = load_grid()
    sid = get_series(mission.conn, "DEL").id
    assert sid is not None
    stack = UndoStack(mission)
    set_answer(mission, grid, sid, "value.heritage", "high")
    set_answer(mission, grid, sid, "value.heritage", "low")
    stack.undo()
    assert get_answers(mission.conn, sid)["value"]["heritage"]["level"] == "high"
    stack.undo()
    assert get_answers(mission.conn, sid) == {}


def test_a_grid_file_of_ones_own(tmp_path: Path) -> None:
    custom = tmp_path / "grille.toml"
    custom.write_text(
        """
[[level]]
key = "no"
score = 0
label = "non"
[[level]]
key = "yes"
score = 1
label = "oui"
[[section]]
key = "value"
kind = "rated"
label = "Valeur"
  [[section.criterion]]
  key = "legal"
  label = "juridique"
""",
        encoding="utf-8",
    )
    grid = load_grid(custom)
    assert [lv.key for lv in grid.levels] == ["no", "yes"]
    custom.write_text('[[section]]\nkey = "value"\nkind = "weird"\n', encoding="utf-8")
    with pytest.raises(AppError, match=r"grille\.toml"):
        load_grid(custom)
