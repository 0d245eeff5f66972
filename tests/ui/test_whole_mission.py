"""The whole chain in one window, as an archivist goes through it, without the command line:
a new mission from the wizard, a scan of the demo share, a series receiving a folder, the
package of that series built valid and queued in the outbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from app.paths import settings_file
from app.project.metadata import find_target
from app.project.series import Series, list_series
from app.seda.validate import validate_sip
from app.settings import ServerSettings, Settings, save_settings
from app.ui.main_window import MainWindow
from app.ui.models.targets_mime import targets_mime
from app.ui.pages.classify import ClassifyPage
from app.ui.pages.new_mission import NewMissionWizard
from app.ui.pages.package import PackagePage
from app.ui.pages.scan import ScanPage

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "seda"
COUNCIL = "Direction générale/Conseil municipal"


def test_new_mission_scan_classify_build_and_queue(
    window: MainWindow,
    qtbot: QtBot,
    tmp_path: Path,
    small_share: Path,
    wait_idle: Callable[[MainWindow], None],
) -> None:
    drop = tmp_path / "depot"
    drop.mkdir()
    save_settings(
        Settings(servers=[ServerSettings(name="Dépôt AD", kind="folder", url=str(drop))]),
        settings_file(),
    )
    # 1. A new mission, from the wizard.
    wizard = NewMissionWizard()
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.mission_page.name.setText("Mairie de Saint-Exemple")
    qtbot.keyClicks(wizard.mission_page.commune, "Saint-Exemple")
    wizard.mission_page.archival.setText("Archives départementales")
    wizard.next()
    t = wizard.transfer_page
    t.server.setCurrentIndex(1)  # the only server configured
    t.version.setCurrentIndex(t.version.findData("2.2"))
    t.archival_id.setText("FRAD045")
    t.transferring_id.setText("FRAD045_MAIRIE")
    wizard.next()
    wizard.file_page.path.setText(str(tmp_path / "mission"))
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.created_path is not None
    assert window.open_project(wizard.created_path)

    # 2. The scan of the share.
    scan_page = window.pages["scan"]
    assert isinstance(scan_page, ScanPage)
    with qtbot.waitSignal(window.session.inventory_changed, timeout=180_000):
        scan_page.start_scan([small_share])
    wait_idle(window)
    assert scan_page.last_summary is not None
    assert scan_page.last_summary.status == "completed"

    # 3. A series, and a folder dropped on it.
    assert window.show_page("classify")
    classify = window.pages["classify"]
    assert isinstance(classify, ClassifyPage)
    wait_idle(window)
    classify.assign_panel.save_series(
        Series(code="1D", title="Conseil municipal", dua_value=10, final_action="keep")
    )
    wait_idle(window)
    project = window.session.project
    assert project is not None
    (series,) = list_series(project.conn)
    assert series.id is not None
    model = classify.assign_panel.series_model
    dropped = targets_mime([find_target(project, COUNCIL)])
    model.dropMimeData(dropped, Qt.DropAction.CopyAction, -1, -1, model.index_of(series.id))
    wait_idle(window)
    classified = project.conn.execute(
        "SELECT count(*) FROM file_class WHERE series_id = ?", (series.id,)
    ).fetchone()[0]
    assert classified > 0

    # 4. The package of the series, checked, built, valid, and queued for sending.
    assert window.show_page("package")
    package = window.pages["package"]
    assert isinstance(package, PackagePage)
    wait_idle(window)
    package.schemas = SCHEMAS
    package.set_series(["1D"])
    qtbot.waitUntil(lambda: not package.busy(), timeout=30_000)
    assert package.check_result is not None
    assert not package.check_result.errors
    package.build()
    wait_idle(window)
    assert package.build_result is not None
    (built,) = package.build_result.packages
    assert built.report is not None
    assert built.report.valid
    assert validate_sip(built.package.path, schemas=SCHEMAS).valid
    package.queue_dialog()
    wait_idle(window)
    state, server = project.conn.execute("SELECT state, server FROM transfer").fetchone()
    assert (state, server) == ("prepared", "Dépôt AD")
