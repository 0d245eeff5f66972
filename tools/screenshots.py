"""Screenshots of every page of the window, on a demo mission, for the README.

    python tools/screenshots.py [--out docs/screenshots] [--lang fr] [--files 300]

Generates a small demo share, scans it and builds a package with the core (in a temporary
folder, with temporary settings: the user's own settings and recent list are not touched),
opens the window on that mission, shows each registered page in a representative state and
saves one PNG per page (`<page id>.png`). Works offscreen (no display needed:
QT_QPA_PLATFORM=offscreen is chosen when there is no display) and under Xvfb
(`xvfb-run python tools/screenshots.py`).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SIZE = (1280, 800)
# A small plan de classement for the demo, on the model tableau de gestion's entries, so
# that the classification, retention and report pages show what they are for.
DEMO_PLAN = """
[[series]]
code = "1D"
title = "Budgets et comptes administratifs"
schedule = "FI-01"

[[series]]
code = "1L"
title = "Pièces justificatives comptables"
schedule = "FI-03"

[[series]]
code = "1T"
title = "Autorisations d'urbanisme"
schedule = "UR-01"

[[series]]
code = "1K"
title = "Dossiers individuels du personnel"
schedule = "PE-01"

[[rule]]
name = "Fichiers temporaires"
exclude = "temporary"
flags = ["temporary"]

[[rule]]
name = "Budgets"
series = "1D"
path = "Finances/Budgets/**"

[[rule]]
name = "Factures"
series = "1L"
path = "Finances/Factures/**"

[[rule]]
name = "Urbanisme"
series = "1T"
path = "Urbanisme/**"

[[rule]]
name = "Personnel"
series = "1K"
path = "Ressources humaines/**"
"""


def _prepare_mission(work: Path, files: int) -> tuple[Path, Path]:
    """Demo share, scanned mission, one package sent to a drop folder, one waiting."""
    from app.demo.share import generate_demo_share
    from app.inventory.scan import ScanOptions, scan
    from app.paths import settings_file
    from app.project.preferences import MissionPreferences, save_mission_preferences
    from app.project.store import Project
    from app.seda.from_project import HeaderOptions, SubtreeSelection, plan_transfer
    from app.seda.package import PackOptions, write_package
    from app.settings import ServerSettings, Settings, save_settings
    from app.transfer.connectors import make_connector
    from app.transfer.credentials import Credentials
    from app.transfer.outbox import Outbox, OutboxOptions, enqueue
    from app.ui.pages.start import demo_identity

    drop = work / "depot-AD"
    drop.mkdir()
    servers = [
        ServerSettings(name="Dépôt AD45", kind="folder", url=str(drop)),
        ServerSettings(
            name="SAE départemental",
            kind="vitam",
            url="https://sae.departement.example:8443",
            tenant=2,
            client_certificate=str(work / "certificat-mairie.p12"),
        ),
    ]
    save_settings(Settings(language="fr", servers=servers), settings_file())
    shared_schemas = ROOT.parent / "shared" / "seda"
    if shared_schemas.is_dir():  # the Settings page then shows them installed
        from app.seda.schemas import default_schema_dir, install_schemas

        install_schemas(shared_schemas, default_schema_dir())
    share = generate_demo_share(work / "partage", files=files).root
    # Real shares have dead shortcuts: the Scan page then shows a problem to act on.
    (share / "Informatique" / "raccourci vers l'ancien serveur.lnk").symlink_to(
        share / "Informatique" / "ancien serveur"
    )
    project_path = work / "Saint-Exemple.besace"
    with Project.create(project_path, demo_identity("Camille Martin")) as project:
        save_mission_preferences(
            project,
            MissionPreferences(
                target_server="Dépôt AD45",
                seda_profile="generic",
                archival_agency_id="FRAD045",
                transferring_agency_id="FRAD045_MAIRIE",
                archival_agreement="IC-000001",
            ),
        )
        scan(project, [share], options=ScanOptions())
        _classify(project, work)
        packages = []
        for number, folder in enumerate(("Finances", "Urbanisme"), start=1):
            header = HeaderOptions(
                archival_agency="FRAD045",
                transferring_agency="FRAD045_MAIRIE",
                archival_agreement="IC-000001",
                message_identifier=f"SAINT-EXEMPLE-2026-{number:03d}",
            )
            plan = plan_transfer(project, SubtreeSelection(folder=folder), header, version="2.2")
            dest = work / "paquets" / f"{header.message_identifier}.zip"
            packages.append(write_package(plan.transfer, dest, options=PackOptions()).path)
        enqueue(project, packages[0], "Dépôt AD45")
        credentials = Credentials()
        Outbox(
            project,
            servers,
            lambda server: make_connector(server, credentials),
            options=OutboxOptions(max_wait=0),
        ).run()
        enqueue(project, packages[1], "SAE départemental")
    return project_path, share


def _classify(project: object, work: Path) -> None:
    """The demo plan de classement, through the core as the Classify page would."""
    from app.audit.classify import apply_rules_file, read_rules_file, recompute
    from app.project.store import Project
    from app.retention.schedule import load_default_schedule

    assert isinstance(project, Project)
    plan = work / "plan-de-classement.toml"
    plan.write_text(DEMO_PLAN, encoding="utf-8")
    load_default_schedule(project)
    apply_rules_file(project, read_rules_file(plan))
    recompute(project)


def _settle(app: object, seconds: float) -> None:
    """Run the event loop for a while, as the real application would (deleteLater included,
    which a bare processEvents() leaves pending)."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _representative_state(page: object) -> None:
    """Select a folder a few levels down in the page's tree (the demo's "Finances" when
    there is one), then the first row of its tables, so that detail panes show content."""
    from PySide6.QtCore import QItemSelectionModel, QModelIndex
    from PySide6.QtWidgets import QTableView, QTreeView, QWidget

    if not isinstance(page, QWidget):
        return
    trees = [v for v in page.findChildren(QTreeView) if v.isVisible() and v.model() is not None]
    if trees:
        tree = trees[0]
        model = tree.model()
        node = model.index(0, 0)
        for depth in range(4):
            if not node.isValid():
                break
            tree.expand(node)
            if model.canFetchMore(node):
                model.fetchMore(node)
            _settle(None, 0.2)
            children = [model.index(row, 0, node) for row in range(model.rowCount(node))]
            if not children:
                break
            preferred = [c for c in children if depth == 0 and c.data() == "Finances"]
            node = (preferred or [c for c in children if model.hasChildren(c)] or children)[0]
            if depth >= 2:
                break
        if node.isValid() and node != QModelIndex():
            tree.setCurrentIndex(node)
            tree.selectionModel().select(
                node,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            tree.scrollTo(node)
        _settle(None, 0.6)
    tables = [
        v
        for v in page.findChildren(QTableView)
        if v.isVisible() and v.model() is not None and v.model().rowCount() > 0
    ]
    if tables:
        tables[0].selectRow(0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.add_argument("--files", type=int, default=300, help="files in the demo share")
    parser.add_argument("--pages", help="comma-separated page ids (default: all)")
    args = parser.parse_args(argv)

    if sys.platform.startswith("linux") and not (
        os.environ.get("QT_QPA_PLATFORM")
        or os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory(prefix="besace-screens-") as tmp:
        work = Path(tmp)
        os.environ["BESACE_CONFIG_DIR"] = str(work / "config")
        os.environ["BESACE_DATA_DIR"] = str(work / "data")
        os.environ["BESACE_LANG"] = args.lang
        from app.i18n import set_language

        set_language(args.lang)
        print("Preparing the demo mission…", file=sys.stderr)
        project_path, _share = _prepare_mission(work, args.files)

        from PySide6.QtWidgets import QApplication

        from app.ui.application import create_application
        from app.ui.main_window import MainWindow

        app = create_application([], args.lang)
        app.setStyle("Fusion")  # the same look offscreen, under Xvfb and in CI
        window = MainWindow()
        window.resize(*SIZE)
        window.show()
        window.open_project(project_path)
        _settle(app, 0.5)
        args.out.mkdir(parents=True, exist_ok=True)
        wanted = args.pages.split(",") if args.pages else list(window.pages)
        for page_id in window.pages:
            if page_id not in wanted:
                continue
            window.show_page(page_id)
            _settle(app, 0.8)
            _representative_state(window.pages[page_id])
            _settle(app, 0.8)
            target = args.out / f"{page_id}.png"  # stable names for the README
            window.grab().save(str(target))
            print(target, file=sys.stderr)
        window.tasks.cancel_all()
        window.tasks.wait(30_000)
        window.close()
        QApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
