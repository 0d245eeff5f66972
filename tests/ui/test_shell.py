"""The window's shell, as a user goes through it: a new mission, a scan, the outbox."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.inventory.scan import ScanOptions, scan
from app.paths import settings_file
from app.project import MissionIdentity, Project
from app.project.preferences import load_mission_preferences
from app.seda.from_project import HeaderOptions, SubtreeSelection, plan_transfer
from app.seda.package import PackOptions, write_package
from app.settings import ServerSettings, Settings, load_settings, save_settings
from app.ui.main_window import MainWindow
from app.ui.pages.new_mission import NewMissionWizard
from app.ui.pages.outbox import OutboxPage
from app.ui.pages.scan import ScanPage
from app.ui.pages.settings import SettingsPage
from app.ui.pages.start import StartPage, prepare_demo
from app.ui.tasks import Pool, Task, TaskRunner

WaitIdle = Callable[[MainWindow], None]


def _scan_page(window: MainWindow) -> ScanPage:
    page = window.pages["scan"]
    assert isinstance(page, ScanPage)
    return page


def _new_project(tmp_path: Path, name: str = "Mairie de Test") -> Path:
    path = tmp_path / "mission.besace"
    Project.create(path, MissionIdentity(name=name)).close()
    return path


# -- shell ---------------------------------------------------------------------------------
def test_steps_follow_the_work_and_need_a_mission(window: MainWindow, tmp_path: Path) -> None:
    ids = list(window.pages)
    assert ids[0] == "start"
    assert ids[-1] == "settings"
    assert ids.index("scan") < ids.index("outbox")
    # Without a mission only the home and settings pages can be shown.
    assert not window.show_page("scan")
    assert window.current_page_id() == "start"
    assert window.show_page("settings")
    assert window.windowTitle() == "Besace"

    assert window.open_project(_new_project(tmp_path, "Mairie de Brou"))
    assert window.windowTitle().startswith("Mairie de Brou")
    # A mission never scanned opens on the scan step, which says what to do.
    assert window.current_page_id() == "scan"
    assert "Add the folders" in _scan_page(window).summary.text()

    window.close_project()
    assert window.current_page_id() == "start"
    assert window.windowTitle() == "Besace"


def test_shortcuts_switch_pages(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    window.open_project(_new_project(tmp_path))
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_id() == "start"
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page_id() == "scan"


def test_opened_missions_are_remembered_and_missing_ones_shown(
    window: MainWindow, tmp_path: Path
) -> None:
    first = _new_project(tmp_path)
    window.open_project(first)
    gone = tmp_path / "gone.besace"
    settings = load_settings(settings_file())
    settings.recent_projects.append(str(gone))
    save_settings(settings, settings_file())
    start = window.pages["start"]
    assert isinstance(start, StartPage)
    start.refresh()
    texts = [start.recent.item(i).text() for i in range(start.recent.count())]
    assert texts[0].startswith("mission")
    assert "(missing)" in texts[1]
    start.recent.setCurrentRow(1)
    assert not start.open_recent_button.isEnabled()
    start.remove_button.click()
    assert load_settings(settings_file()).recent_projects == [str(first.resolve())]


def test_a_broken_file_is_refused_with_a_message(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[BaseException] = []
    monkeypatch.setattr("app.ui.main_window.show_error", lambda _parent, error: shown.append(error))
    bogus = tmp_path / "bogus.besace"
    bogus.write_text("not a database")
    assert not window.open_project(bogus)
    assert window.session.project is None
    assert "not a Besace project" in str(shown[0])


# -- new mission ---------------------------------------------------------------------------
def test_wizard_creates_the_mission_with_its_preferences(qtbot: QtBot, tmp_path: Path) -> None:
    settings = Settings(servers=[ServerSettings(name="AD45", kind="asalae", url="https://x")])
    save_settings(settings, settings_file())
    wizard = NewMissionWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    finish = wizard.button(QWizard.WizardButton.NextButton)
    assert not finish.isEnabled()  # a mission needs a name
    m = wizard.mission_page
    m.name.setText("Mairie de Brou 2026")
    qtbot.keyClicks(m.commune, "Brou")
    assert m.producer.text() == "Mairie de Brou"  # suggested from the commune
    m.transferring.setText("Secrétariat de mairie")
    m.archival.setText("Archives départementales d'Eure-et-Loir")
    m.archivist.setText("C. Dupont")
    wizard.next()
    t = wizard.transfer_page
    t.server.setCurrentIndex(1)  # AD45, an As@lae server
    assert t.profile.currentData() == "asalae"
    t.version.setCurrentIndex(t.version.findData("2.1"))
    t.archival_id.setText("FRAD028")
    t.transferring_id.setText("FRAD028_BROU")
    t.agreement.setText("CV-2026-01")
    wizard.next()
    target = tmp_path / "brou"
    wizard.file_page.path.setText(str(target))
    wizard.button(QWizard.WizardButton.FinishButton).click()

    created = tmp_path / "brou.besace"
    assert wizard.created_path == created
    with Project.open(created) as project:
        mission = project.mission()
        prefs = load_mission_preferences(project.conn)
    assert mission.name == "Mairie de Brou 2026"
    assert mission.producer == "Mairie de Brou"
    assert mission.archival_agency == "Archives départementales d'Eure-et-Loir"
    assert (prefs.target_server, prefs.seda_version, prefs.seda_profile) == (
        "AD45",
        "2.1",
        "asalae",
    )
    assert (prefs.archival_agency_id, prefs.transferring_agency_id) == ("FRAD028", "FRAD028_BROU")
    assert prefs.archival_agreement == "CV-2026-01"


def test_wizard_refuses_to_overwrite_a_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[BaseException] = []
    monkeypatch.setattr(
        "app.ui.pages.new_mission.show_error", lambda _parent, error: shown.append(error)
    )
    existing = _new_project(tmp_path)
    wizard = NewMissionWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.mission_page.name.setText("Autre")
    wizard.next()
    wizard.next()
    wizard.file_page.path.setText(str(existing))
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.created_path is None
    assert wizard.isVisible()
    assert "already exists" in str(shown[0])


# -- scan ----------------------------------------------------------------------------------
def test_scan_from_the_scan_page_shows_counts_and_tells_the_window(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, small_share: Path, wait_idle: WaitIdle
) -> None:
    window.open_project(_new_project(tmp_path))
    page = _scan_page(window)
    progress: list[object] = []
    with qtbot.waitSignal(window.session.inventory_changed, timeout=180_000):
        task = page.start_scan([small_share])
        assert task is not None
        task.progressed.connect(progress.append)
        assert not page.start_button.isEnabled()
        assert page.cancel_button.isEnabled()
    wait_idle(window)
    summary = page.last_summary
    assert summary is not None
    assert summary.status == "completed"
    files_on_disk = sum(1 for p in small_share.rglob("*") if p.is_file() or p.is_symlink())
    assert summary.files_seen == files_on_disk
    text = page.summary.text()
    assert "Scan completed" in text
    assert f"{summary.files_seen} seen" in text
    assert progress, "the page received progress reports"
    assert "found so far" in page.files_value.text()
    assert page.start_button.isEnabled()
    project = window.session.project
    assert project is not None
    issues = project.conn.execute(
        "SELECT count(*) FROM scan_issue WHERE run_id = ?", (summary.run_id,)
    ).fetchone()[0]
    assert page.issues_model.rowCount() == issues > 0  # the share has a broken link
    # The step bar says the step is done, with a mark and a sentence, not a colour.
    step = window.step_item("scan")
    assert step.text().endswith("✓")
    assert f"{summary.files_seen} files inventoried" in step.toolTip()
    # Problems are places: activating a problem asks the window to show its file.
    with qtbot.waitSignal(window.session.reveal_requested) as revealed:
        page.issues.activated.emit(page.issues_model.index(0, 0))
    assert revealed.args is not None
    assert revealed.args[1].rel_path == "raccourci cassé.pdf"
    # The folders are remembered in the mission for the next scan.
    window.close_project()
    window.open_project(tmp_path / "mission.besace")
    assert page.source_paths() == [str(small_share)]


def test_stopping_the_scan_keeps_the_mission_consistent(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, small_share: Path, wait_idle: WaitIdle
) -> None:
    window.open_project(_new_project(tmp_path))
    page = _scan_page(window)
    with qtbot.waitSignal(window.session.inventory_changed, timeout=180_000):
        page.start_scan([small_share])
        page.cancel_scan()
    wait_idle(window)
    assert page.last_summary is not None
    assert page.last_summary.status == "cancelled"
    assert "start it again" in page.summary.text()
    assert "did not finish" in window.step_item("scan").toolTip()
    project = window.session.project
    assert project is not None
    status = project.conn.execute("SELECT status FROM scan_run ORDER BY id DESC").fetchone()[0]
    assert status == "cancelled"
    # Resume is "start again": the incremental scan finishes the job.
    with qtbot.waitSignal(window.session.inventory_changed, timeout=180_000):
        page.start_scan()
    wait_idle(window)
    assert page.last_summary is not None
    assert page.last_summary.status == "completed"


def test_pause_holds_the_scan_until_resumed(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, small_share: Path, wait_idle: WaitIdle
) -> None:
    window.open_project(_new_project(tmp_path))
    page = _scan_page(window)
    task = page.start_scan([small_share])
    assert task is not None
    page.toggle_pause()
    assert task.paused
    assert page.pause_button.text().replace("&", "") == "Resume"
    qtbot.wait(1500)
    assert not task.done  # held in its progress report
    # A paused scan holds no write lock: an edit made meanwhile goes through.
    project = window.session.project
    assert project is not None
    edited = threading.Event()

    def edit() -> None:
        with project.write() as db:
            db.execute(
                "INSERT INTO project_setting (key, value) VALUES ('note', 'pendant la pause')"
            )
        edited.set()

    writer = threading.Thread(target=edit, daemon=True)
    writer.start()
    assert edited.wait(10), "a write waited for the paused scan"
    with qtbot.waitSignal(window.session.inventory_changed, timeout=180_000):
        page.toggle_pause()
    wait_idle(window)
    assert page.last_summary is not None
    assert page.last_summary.status == "completed"


# -- tasks ---------------------------------------------------------------------------------
def test_task_results_errors_and_progress_come_back_on_the_gui_thread(qtbot: QtBot) -> None:
    import threading

    from app.errors import AppError
    from app.tasks import Progress
    from app.ui.session import Session

    session = Session()
    runner = TaskRunner.of(session)
    assert TaskRunner.of(session) is runner
    gui = threading.get_ident()
    seen: list[tuple[str, int]] = []

    def work(_token: object, progress: Callable[[Progress], None]) -> int:
        for i in range(1000):
            progress(Progress(i, 1000))
        return threading.get_ident()

    task = runner.start(Task("count", work, pool=Pool.WRITES))
    task.progressed.connect(lambda _p: seen.append(("progress", threading.get_ident())))
    with qtbot.waitSignal(task.finished, timeout=10_000):
        pass
    assert task.state == "succeeded"
    assert task.result != gui  # it ran on a pool thread
    assert all(thread == gui for _kind, thread in seen)
    assert 1 <= len(seen) <= 5  # throttled to ten a second; the last one always arrives
    assert task.latest is not None
    assert task.latest.done == 999

    def failing(_token: object, _progress: object) -> None:
        raise AppError("the share is gone")

    errors: list[BaseException] = []
    runner.error.connect(errors.append)
    bad = runner.read("fail", failing)
    with qtbot.waitSignal(bad.finished, timeout=10_000):
        pass
    assert bad.state == "failed"
    assert str(errors[0]) == "the share is gone"


# -- outbox --------------------------------------------------------------------------------
def _scanned_project(tmp_path: Path, share: Path) -> Path:
    path = _new_project(tmp_path)
    with Project.open(path) as project:
        scan(project, [share], options=ScanOptions(workers=1))
    return path


def _package(project_path: Path, dest: Path) -> Path:
    header = HeaderOptions(
        archival_agency="FRAD045",
        transferring_agency="FRAD045_MAIRIE",
        message_identifier="TEST-ENVOI-1",
    )
    with Project.open(project_path) as project:
        plan = plan_transfer(project, SubtreeSelection(folder=""), header, version="2.2")
    return write_package(plan.transfer, dest, options=PackOptions(version="2.2")).path


def test_outbox_lists_a_queued_package_and_sends_it(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, small_share: Path, wait_idle: WaitIdle
) -> None:
    drop = tmp_path / "depot"
    drop.mkdir()
    settings = Settings(servers=[ServerSettings(name="Dépôt", kind="folder", url=str(drop))])
    save_settings(settings, settings_file())
    project_path = _scanned_project(tmp_path, small_share)
    package = _package(project_path, tmp_path / "paquets" / "TEST-ENVOI-1.zip")
    window.open_project(project_path)
    assert window.show_page("outbox")
    page = window.pages["outbox"]
    assert isinstance(page, OutboxPage)
    assert page.empty.isVisible()
    assert not page.send_button.isEnabled()

    with qtbot.waitSignal(window.session.outbox_changed, timeout=60_000):
        page.queue_package(package, "Dépôt")
    assert page.model.rowCount() == 1
    values = dict(zip([c.title for c in page.model.columns], page.model.row_values(0), strict=True))
    assert values["Package"] == "TEST-ENVOI-1"
    assert values["Server"] == "Dépôt"
    state_index = page.model.index(0, [c.title for c in page.model.columns].index("State"))
    assert page.model.data(state_index) == "prepared"
    assert not page.empty.isVisible()
    assert page.send_button.isEnabled()

    with qtbot.waitSignal(window.session.outbox_changed, timeout=120_000):
        page.send_now()
    wait_idle(window)
    assert page.model.data(state_index) == "sent"
    assert "every package was sent" in window.step_item("outbox").toolTip()
    assert (drop / "TEST-ENVOI-1.zip").is_file()
    assert "#1" in page.activity.text()

    # A reply stored for the transfer is shown pretty-printed, its code summarised on top.
    atr = (
        b'<?xml version="1.0"?><ArchiveTransferReply xmlns="fr:gouv:culture:archivesdefrance:'
        b'seda:v2.2"><MessageIdentifier>ATR-1</MessageIdentifier><ReplyCode>OK</ReplyCode>'
        b"</ArchiveTransferReply>"
    )
    project = window.session.project
    assert project is not None
    with project.write() as db:
        db.execute(
            "INSERT INTO transfer_reply (transfer_id, kind, content, received_at)"
            " VALUES (1, 'atr', ?, '2026-01-01T00:00:00')",
            (sqlite3.Binary(atr),),
        )
    page.table.selectRow(0)
    page.refresh()
    assert "ReplyCode: OK" in page.reply_summary.text()
    assert "accepted" in page.reply_summary.text()
    assert "\n  <MessageIdentifier>ATR-1</MessageIdentifier>" in page.reply_text.toPlainText()


# -- demo ----------------------------------------------------------------------------------
def test_demo_mission_is_made_once_and_opened_for_scanning(tmp_path: Path) -> None:
    from app.tasks import CancelToken, ignore_progress

    project_path, share_root = prepare_demo(CancelToken(), ignore_progress, base=tmp_path, files=20)
    assert share_root.is_dir()
    with Project.open(project_path) as project:
        assert project.mission().name == "Mairie de Saint-Exemple-sur-Loire"
        assert load_mission_preferences(project.conn).seda_profile == "vitam"
    stamp = project_path.stat().st_mtime_ns
    assert prepare_demo(CancelToken(), ignore_progress, base=tmp_path, files=20) == (
        project_path,
        share_root,
    )
    assert project_path.stat().st_mtime_ns == stamp


def test_demo_button_opens_the_demo_mission_and_scans_it(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, wait_idle: WaitIdle
) -> None:
    monkeypatch.setattr("app.ui.pages.start.DEMO_FILES", 20)
    start = window.pages["start"]
    assert isinstance(start, StartPage)
    with qtbot.waitSignal(window.session.inventory_changed, timeout=180_000):
        start.demo_button.click()
    wait_idle(window)
    assert window.session.project is not None
    assert window.windowTitle().startswith("Mairie de Saint-Exemple-sur-Loire")
    page = _scan_page(window)
    assert window.current_page_id() == "scan"
    assert page.last_summary is not None
    assert page.last_summary.status == "completed"
    assert page.last_summary.files_seen > 20
    assert "Demo mission" in start.demo_status.text()


# -- settings --------------------------------------------------------------------------------
class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def test_settings_page_saves_settings_and_keeps_secrets_in_the_keyring(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = MemoryKeyring()
    monkeypatch.setattr("app.transfer.credentials.keyring.get_keyring", lambda: backend)
    page = window.pages["settings"]
    assert isinstance(page, SettingsPage)
    page.language.setCurrentIndex(page.language.findData("en"))
    page.engine.setCurrentIndex(page.engine.findData("fido"))
    page.excludes.setPlainText("*.iso\n\nSauvegardes\n")
    page.save()
    saved = load_settings(settings_file())
    assert (saved.language, saved.scan.engine) == ("en", "fido")
    assert saved.scan.exclude_patterns == ["*.iso", "Sauvegardes"]

    server = ServerSettings(name="AD45", kind="asalae", url="https://sae.example", username="ws")
    page._store_server(None, server, "S3cret-Pa55")
    assert [s.name for s in load_settings(settings_file()).servers] == ["AD45"]
    assert backend.secrets[("besace", "server:AD45:password")] == "S3cret-Pa55"
    assert "S3cret" not in settings_file().read_text(encoding="utf-8")
    assert page.servers.count() == 1
    # Renamed: the secret of the old name is forgotten, the new one stored.
    renamed = ServerSettings(
        name="AD45-bis", kind="asalae", url="https://sae.example", username="ws"
    )
    page._store_server("AD45", renamed, "Autre-5ecret")
    assert ("besace", "server:AD45:password") not in backend.secrets
    assert [s.name for s in load_settings(settings_file()).servers] == ["AD45-bis"]


def test_window_size_and_layout_come_back(qtbot: QtBot) -> None:
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(760, 520)
    qtbot.wait(50)
    first.save_state()
    second = MainWindow()
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (760, 520)


# -- start-up ----------------------------------------------------------------------------------
@pytest.mark.parametrize("extra", [[], ["--demo"]])
def test_smoke_test_starts_the_window_and_exits(tmp_path: Path, extra: list[str]) -> None:
    import os
    import subprocess
    import sys

    from app import __version__

    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "BESACE_CONFIG_DIR": str(tmp_path / "config"),
        "BESACE_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "app", "--smoke-test", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(f"Besace OK {__version__}")


def test_a_rescan_from_the_window_classifies_the_new_files_by_the_rules(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, wait_idle: WaitIdle
) -> None:
    from app.audit.classify import ClassificationRule, Criteria, recompute, replace_rules
    from app.project.series import Series, add_series

    share = tmp_path / "partage"
    (share / "Factures").mkdir(parents=True)
    (share / "Factures" / "f1.pdf").write_bytes(b"%PDF-1.4 f1")
    window.open_project(_new_project(tmp_path))
    page = _scan_page(window)
    with qtbot.waitSignal(window.session.inventory_changed, timeout=180_000):
        page.start_scan([share])
    wait_idle(window)
    project = window.session.project
    assert project is not None
    series = add_series(project, Series(code="FAC", title="Factures"))
    replace_rules(project, [ClassificationRule(Criteria(path="Factures/**"), series.id)])
    recompute(project)
    (share / "Factures" / "f2.pdf").write_bytes(b"%PDF-1.4 f2")
    with qtbot.waitSignal(window.session.classification_changed, timeout=180_000):
        page.start_scan()
    wait_idle(window)
    classified = project.conn.execute(
        "SELECT f.rel_path FROM file_class c JOIN file f ON f.id = c.file_id"
        " WHERE c.series_id = ? ORDER BY 1",
        (series.id,),
    ).fetchall()
    assert [r[0] for r in classified] == ["Factures/f1.pdf", "Factures/f2.pdf"]
