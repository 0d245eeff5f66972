"""Conservation and Paquets: states computed by the core, proposals, the tableau de gestion,
then a valid SIP of a series built, checked and queued in the outbox."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from app.audit.classify import recompute
from app.inventory.scan import ScanOptions, scan
from app.paths import settings_file
from app.project import MissionIdentity, Project
from app.project.metadata import Target, set_metadata
from app.project.preferences import MissionPreferences, save_mission_preferences
from app.project.series import Series, add_series, assign
from app.retention.elimination import list_proposals
from app.retention.states import compute_states
from app.seda.validate import validate_sip
from app.settings import ServerSettings, Settings, save_settings
from app.ui.main_window import MainWindow
from app.ui.pages.package import PackagePage
from app.ui.pages.retention import RetentionPage
from app.ui.retention.referentials import APPRAISAL_COLUMN
from app.ui.retention.states_view import SHOWN_STATES, tally_text

WaitIdle = Callable[[MainWindow], None]
SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "seda"
COUNCIL = "Direction générale/Conseil municipal"
PERSONAL = "Bureau de Martine"


def folder(conn: sqlite3.Connection, rel_path: str) -> Target:
    row = conn.execute("SELECT id FROM directory WHERE rel_path = ?", (rel_path,)).fetchone()
    return Target("directory", int(row[0]), rel_path)


@pytest.fixture
def classified(tmp_path: Path, small_share: Path) -> Path:
    """The small demo share scanned, with two series: one kept, one destroyed after 1 year."""
    path = tmp_path / "mission.besace"
    with Project.create(path, MissionIdentity(name="Mairie de Saint-Exemple")) as project:
        scan(project, [small_share], options=ScanOptions(workers=1))
        save_mission_preferences(
            project,
            MissionPreferences(
                seda_version="2.2",
                seda_profile="generic",
                archival_agency_id="FRAD045",
                transferring_agency_id="FRAD045_MAIRIE",
                originating_agency_id="FRAD045_MAIRIE",
                target_server="Dépôt AD",
            ),
        )
        council = add_series(
            project,
            Series(
                code="1D",
                title="Conseil municipal",
                dua_value=10,
                dua_unit="year",
                final_action="keep",
                appraisal_rule_id="APP-1D",
            ),
        )
        personal = add_series(
            project,
            Series(code="9Z", title="Divers", dua_value=1, dua_unit="year", final_action="destroy"),
        )
        assign(project, [folder(project.conn, COUNCIL)], series_id=council.id)
        assign(project, [folder(project.conn, PERSONAL)], series_id=personal.id)
        set_metadata(
            project,
            folder(project.conn, COUNCIL),
            [{"name": "Description", "text": "Séances et délibérations"}],
        )
        recompute(project)
    return path


def open_page(window: MainWindow, path: Path, page_id: str, wait_idle: WaitIdle) -> object:
    assert window.open_project(path)
    assert window.show_page(page_id)
    wait_idle(window)
    return window.pages[page_id]


def test_retention_page_shows_the_states_the_core_computes(
    window: MainWindow, classified: Path, wait_idle: WaitIdle
) -> None:
    page = open_page(window, classified, "retention", wait_idle)
    assert isinstance(page, RetentionPage)
    states = page.states
    project = window.session.project
    assert project is not None
    for as_of in (date.today(), date(2012, 1, 1)):
        states.as_of.setDate(QDate(as_of.year, as_of.month, as_of.day))
        wait_idle(window)
        expected = compute_states(project.conn, as_of)
        assert states.report is not None
        assert states.report.as_of == as_of
        shown = {
            states.table.item(r, 0).text().split(" — ")[0]: [  # type: ignore[union-attr]
                states.table.item(r, c).text()  # type: ignore[union-attr]
                for c in range(1, len(SHOWN_STATES) + 1)
            ]
            for r in range(states.table.rowCount())
        }
        assert shown == {
            s.series.code: [tally_text(s.by_state.get(state)) for state in SHOWN_STATES]
            for s in expected.series
        }
    # Rules per series say where each value comes from.
    rules = page.series_rules.table
    assert rules.rowCount() == 2
    assert "10 years (series)" in rules.item(0, 1).text()  # type: ignore[union-attr]
    assert rules.item(0, 5).text() == "APP-1D (series)"  # type: ignore[union-attr]


def test_an_elimination_proposal_goes_through_the_visa(
    window: MainWindow, classified: Path, wait_idle: WaitIdle
) -> None:
    page = open_page(window, classified, "retention", wait_idle)
    assert isinstance(page, RetentionPage)
    project = window.session.project
    assert project is not None
    view = page.eliminations
    later = date(date.today().year + 3, 1, 1)  # every DUA of 1 year is over by then
    view.create_proposal(later, ["9Z"])
    wait_idle(window)
    proposals = list_proposals(project.conn)
    assert len(proposals) == 1
    assert proposals[0].status == "draft"
    assert view.table.rowCount() == 1
    view.table.selectRow(0)
    assert view.submit_button.isEnabled()
    assert not view.approve_button.isEnabled()
    view.set_proposal_status(proposals[0].id, "submitted")
    wait_idle(window)
    view.table.selectRow(0)
    assert view.approve_button.isEnabled()
    view.set_proposal_status(proposals[0].id, "approved", "visa n° 2024-12")
    wait_idle(window)
    approved = list_proposals(project.conn)[0]
    assert approved.status == "approved"
    assert approved.decision_note == "visa n° 2024-12"
    view.table.selectRow(0)
    assert "visa granted" in view.table.item(0, 1).text()  # type: ignore[union-attr]
    # Nothing was deleted: the files are still on the share and in the inventory.
    assert (
        project.conn.execute(
            "SELECT count(*) FROM elimination_file ef JOIN file f ON f.id = ef.file_id"
            " WHERE f.state = 'present'"
        ).fetchone()[0]
        == approved.files
    )


def test_tableau_de_gestion_default_export_and_inline_rule_mapping(
    window: MainWindow, classified: Path, wait_idle: WaitIdle, tmp_path: Path
) -> None:
    page = open_page(window, classified, "retention", wait_idle)
    assert isinstance(page, RetentionPage)
    project = window.session.project
    assert project is not None
    referentials = page.referentials
    assert referentials.schedule.rowCount() == 0
    referentials.load_default()
    wait_idle(window)
    count = project.conn.execute("SELECT count(*) FROM schedule_entry").fetchone()[0]
    assert count > 10
    assert referentials.schedule.rowCount() == count
    code = referentials.schedule.item(0, 0).text()  # type: ignore[union-attr]
    referentials.schedule.item(0, APPRAISAL_COLUMN).setText("APP-00042")  # type: ignore[union-attr]
    wait_idle(window)
    stored = project.conn.execute(
        "SELECT appraisal_rule_id FROM schedule_entry WHERE code = ?", (code,)
    ).fetchone()[0]
    assert stored == "APP-00042"
    exported = tmp_path / "tg.xlsx"
    referentials.export_schedule_file(exported)
    wait_idle(window)
    assert exported.is_file()
    assert exported.stat().st_size > 1000


def test_package_of_a_series_is_built_valid_and_queued(
    window: MainWindow, classified: Path, wait_idle: WaitIdle, qtbot: QtBot, tmp_path: Path
) -> None:
    drop = tmp_path / "depot"
    drop.mkdir()
    save_settings(
        Settings(servers=[ServerSettings(name="Dépôt AD", kind="folder", url=str(drop))]),
        settings_file(),
    )
    page = open_page(window, classified, "package", wait_idle)
    assert isinstance(page, PackagePage)
    page.schemas = SCHEMAS
    assert page.version.currentData() == "2.2"
    assert page.archival_agency.text() == "FRAD045"
    page.set_series(["1D"])
    qtbot.waitUntil(lambda: not page.busy(), timeout=30_000)
    check = page.check_result
    assert check is not None
    assert not check.errors, [p.message for p in check.problems]
    assert check.objects > 0
    assert page.build_button.isEnabled()

    task = page.build()
    assert task is not None
    wait_idle(window)
    assert page.build_result is not None
    assert len(page.build_result.packages) == 1
    result = page.build_result.packages[0]
    assert result.report is not None
    assert result.report.valid, result.report.problems
    assert result.report.xsd_checked
    assert "Valid against the SEDA 2.2 schema" in page.result.text()
    assert validate_sip(result.package.path, schemas=SCHEMAS).valid
    assert page.queue_button.isEnabled()

    outbox_signals: list[bool] = []
    window.session.outbox_changed.connect(lambda: outbox_signals.append(True))
    page.queue_dialog()  # the mission's target server is configured: no question asked
    wait_idle(window)
    project = window.session.project
    assert project is not None
    row = project.conn.execute(
        "SELECT server, message_identifier, state, package_path FROM transfer"
    ).fetchone()
    assert row[0] == "Dépôt AD"
    assert row[1] == result.package.message_identifier
    assert row[2] == "prepared"  # waiting in the outbox
    assert Path(row[3]) == result.package.path.resolve()
    assert outbox_signals


def test_package_of_a_folder_lists_left_out_files_that_lead_to_them(
    window: MainWindow, classified: Path, wait_idle: WaitIdle, qtbot: QtBot
) -> None:
    page = open_page(window, classified, "package", wait_idle)
    assert isinstance(page, PackagePage)
    page.schemas = SCHEMAS
    project = window.session.project
    assert project is not None
    page.set_folder(folder(project.conn, PERSONAL).id)
    qtbot.waitUntil(lambda: not page.busy(), timeout=30_000)
    check = page.check_result
    assert check is not None
    assert not check.errors
    left_out = [p for p in page.problems if p.target is not None]
    assert left_out, "the demo's desktop.ini is left out"
    row = page.problems.index(left_out[0])
    page._problem_activated(page.problem_table.model().index(row, 0))
    assert window.current_page_id() in ("explore", "describe")
    if window.current_page_id() == "describe":
        assert window.pages["describe"].target == left_out[0].target  # type: ignore[attr-defined]

    page_again = window.pages["package"]
    window.show_page("package")
    assert page_again is page
    page.build()
    wait_idle(window)
    assert page.build_result is not None
    assert page.build_result.valid


def test_package_split_under_a_size_limit_gives_several_valid_packages_all_queued(
    window: MainWindow,
    classified: Path,
    wait_idle: WaitIdle,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    drop = tmp_path / "depot"
    drop.mkdir()
    save_settings(
        Settings(servers=[ServerSettings(name="Dépôt AD", kind="folder", url=str(drop))]),
        settings_file(),
    )
    page = open_page(window, classified, "package", wait_idle)
    assert isinstance(page, PackagePage)
    page.schemas = SCHEMAS
    out = tmp_path / "paquets"
    page.out_dir.setText(str(out))
    page.set_series(["1D"])
    qtbot.waitUntil(lambda: not page.busy(), timeout=30_000)
    check = page.check_result
    assert check is not None
    assert not check.errors, [p.message for p in check.problems]
    assert check.objects >= 3

    # A third of the series' size per package: it needs several packages.
    kilobytes = max(1, check.bytes // 3000)
    page.max_size.setValue(kilobytes)
    page.max_size_unit.setCurrentIndex(page.max_size_unit.findData(1000))
    assert page.split_limits().max_bytes == kilobytes * 1000
    assert page.split_limits().max_objects is None
    page.build()
    wait_idle(window)
    result = page.build_result
    assert result is not None
    packages = result.packages
    assert len(packages) >= 2
    assert result.valid, result.problems
    assert sorted(p.package.path for p in packages) == sorted(out.glob("*.zip"))
    assert sum(p.package.objects for p in packages) == check.objects
    for built in packages:  # a file bigger than the limit makes a package alone
        assert built.package.content_bytes <= kilobytes * 1000 or built.package.objects == 1
        assert validate_sip(built.package.path, schemas=SCHEMAS).valid
    listed = [page.package_list.item(i).text() for i in range(page.package_list.count())]
    assert len(listed) == len(packages)
    for built, text in zip(packages, listed, strict=True):
        assert built.package.path.name in text
    assert page.package_list.isVisibleTo(page)

    # One package chosen in the list is queued alone; none chosen, all are.
    page.package_list.item(1).setSelected(True)
    assert page.packages_to_queue() == [packages[1]]
    page.queue("Dépôt AD")
    wait_idle(window)
    project = window.session.project
    assert project is not None
    queued = [r[0] for r in project.conn.execute("SELECT message_identifier FROM transfer")]
    assert queued == [packages[1].package.message_identifier]
    page.package_list.clearSelection()
    page.queue_dialog()
    wait_idle(window)
    queued = [r[0] for r in project.conn.execute("SELECT message_identifier FROM transfer")]
    assert sorted(queued) == sorted(p.package.message_identifier for p in packages)


def test_reports_page_writes_the_workbook_and_the_slips(
    window: MainWindow, classified: Path, wait_idle: WaitIdle, tmp_path: Path
) -> None:
    from app.retention.elimination import propose_elimination
    from app.ui.pages.reports import ReportsPage

    with Project.open(classified) as project:
        proposal = propose_elimination(project, date(date.today().year + 3, 1, 1))
    page = open_page(window, classified, "reports", wait_idle)
    assert isinstance(page, ReportsPage)
    assert page.proposal.currentData() == proposal.reference

    workbook = tmp_path / "audit.xlsx"
    page.export_audit(workbook)
    wait_idle(window)
    assert workbook.is_file()
    assert page.last_file == workbook
    assert page.open_button.isEnabled()

    page.set_series(["1D"])
    slip = tmp_path / "versement.pdf"
    page.all_files.setChecked(True)
    page.export_transfer_slip(slip)
    wait_idle(window)
    assert slip.read_bytes().startswith(b"%PDF")

    elimination = tmp_path / "elimination.xlsx"
    page.export_elimination_slip(proposal.reference, elimination)
    wait_idle(window)
    assert elimination.is_file()
    assert str(elimination) in page.result.text()
