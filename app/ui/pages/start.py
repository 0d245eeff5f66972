"""Accueil: recent missions, a new mission, opening one, and the demo mission."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import cast

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.demo.share import ROOT_NAME, generate_demo_share
from app.errors import AppError
from app.i18n import _
from app.paths import data_dir, settings_file
from app.project.preferences import MissionPreferences, save_mission_preferences
from app.project.store import MissionIdentity, Project
from app.settings import load_settings, save_settings
from app.tasks import CancelToken, ProgressSink
from app.ui.icons import icon
from app.ui.pages.base import Page
from app.ui.session import Session
from app.ui.tasks import TaskRunner

PATH_ROLE = Qt.ItemDataRole.UserRole
DEMO_FILES = 800


def demo_identity(archivist: str = "") -> MissionIdentity:
    """The commune of the demo share and its agencies."""
    return MissionIdentity(
        name="Mairie de Saint-Exemple-sur-Loire",
        commune="Saint-Exemple-sur-Loire",
        producer="Mairie de Saint-Exemple-sur-Loire",
        transferring_agency="Secrétariat de mairie",
        archival_agency="Archives départementales",
        archivist=archivist,
    )


def demo_paths(base: Path | None = None) -> tuple[Path, Path]:
    """(project file, share root) of the demo mission under the user's data folder."""
    folder = (base or data_dir()) / "demo"
    return folder / "saint-exemple.besace", folder / "partage" / ROOT_NAME


def prepare_demo(
    token: CancelToken,
    progress: ProgressSink,
    *,
    base: Path | None = None,
    files: int | None = None,
) -> tuple[Path, Path]:
    """Write the demo share and create its mission, each only if missing (Qt-free work)."""
    files = files or DEMO_FILES
    project_path, share_root = demo_paths(base)
    share_dest = share_root.parent
    if not share_root.is_dir():
        # Written beside, then renamed: a stopped generation never leaves half a share.
        partial = share_dest.with_name(share_dest.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.parent.mkdir(parents=True, exist_ok=True)
        try:
            generate_demo_share(partial, files=files, token=token, progress=progress)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        shutil.rmtree(share_dest, ignore_errors=True)
        partial.rename(share_dest)
    if not project_path.exists():
        with Project.create(project_path, demo_identity()) as project:
            save_mission_preferences(
                project,
                MissionPreferences(
                    seda_version="2.2",
                    seda_profile="vitam",
                    archival_agency_id="FRAD045",
                    transferring_agency_id="FRAD045_MAIRIE",
                    originating_agency_id="FRAD045_MAIRIE",
                    archival_agreement="IC-000001",
                ),
            )
    return project_path, share_root


class StartPage(Page):
    page_id = "start"
    needs_project = False

    new_mission_requested = Signal()
    open_requested = Signal()
    open_path_requested = Signal(object)  # Path
    demo_ready = Signal(object, object)  # project file, share root

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        heading = QLabel(_("<h1>Besace</h1>"))
        intro = QLabel(
            _(
                "Audit a commune's digital records, classify them and prepare their transfer"
                " (versement) to the archiving system. Besace only reads the folders it scans:"
                " it never moves nor deletes a file."
            )
        )
        intro.setWordWrap(True)

        self.recent = QListWidget()
        self.recent.setAccessibleName(_("Recent missions"))
        self.recent.itemActivated.connect(self._open_item)
        self.recent.currentItemChanged.connect(self._update_buttons)
        self._empty = QLabel(
            _("No recent mission yet. Create a new mission, or try the demo mission.")
        )
        self._empty.setWordWrap(True)
        self.open_recent_button = QPushButton(icon("open"), _("O&pen selected"))
        self.open_recent_button.setAccessibleName(_("Open the selected recent mission"))
        self.open_recent_button.clicked.connect(lambda: self._open_item(self.recent.currentItem()))
        self.remove_button = QPushButton(icon("remove"), _("&Remove from list"))
        self.remove_button.setToolTip(_("Forget this mission in the list (the file is kept)"))
        self.remove_button.setAccessibleName(_("Remove the selected mission from the list"))
        self.remove_button.clicked.connect(self._remove_selected)
        recent_box = QGroupBox(_("Recent missions"))
        recent_layout = QVBoxLayout(recent_box)
        recent_layout.addWidget(self._empty)
        recent_layout.addWidget(self.recent, 1)
        row = QHBoxLayout()
        row.addWidget(self.open_recent_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        recent_layout.addLayout(row)

        self.new_button = self._big_button("new", _("&New mission…"))
        self.new_button.clicked.connect(self.new_mission_requested)
        self.open_button = self._big_button("open", _("&Open a mission…"))
        self.open_button.clicked.connect(self.open_requested)
        self.demo_button = self._big_button("demo", _("Try the &demo mission"))
        self.demo_button.clicked.connect(self.open_demo)
        self.demo_status = QLabel()
        self.demo_status.setWordWrap(True)
        cards = QHBoxLayout()
        for button, hint in (
            (self.new_button, _("Name the commune and its services, choose where packages go.")),
            (self.open_button, _("A .besace file made on this or another computer.")),
            (
                self.demo_button,
                _("A fictitious town hall's share of 800 files, made and scanned for you."),
            ),
        ):
            button.setAccessibleDescription(hint)
            label = QLabel(hint)
            label.setWordWrap(True)
            card = QVBoxLayout()
            card.addWidget(button)
            card.addWidget(label)
            card.addStretch(1)
            cards.addLayout(card, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addLayout(cards)
        layout.addWidget(self.demo_status)
        layout.addSpacing(8)
        layout.addWidget(recent_box, 1)
        self.refresh()

    def title(self) -> str:
        return _("Home")

    def icon_name(self) -> str:
        return "home"

    def activated(self) -> None:
        self.refresh()

    def _big_button(self, icon_name: str, text: str) -> QPushButton:
        button = QPushButton(icon(icon_name), text)
        button.setIconSize(QSize(24, 24))
        button.setMinimumHeight(48)
        return button

    # -- recent missions -----------------------------------------------------------------------
    def refresh(self) -> None:
        self.recent.clear()
        try:
            paths = load_settings(settings_file()).recent_projects
        except AppError:
            paths = []
        for text in paths:
            path = Path(text)
            exists = path.is_file()
            label = f"{path.stem}\n{path.parent}"
            if not exists:
                label = _("{name} (missing)").format(name=path.stem) + f"\n{path.parent}"
            item = QListWidgetItem(icon("file" if exists else "missing"), label)
            item.setData(PATH_ROLE, text)
            item.setToolTip(
                text if exists else _("This file no longer exists: {path}").format(path=text)
            )
            self.recent.addItem(item)
        self._empty.setVisible(not paths)
        self.recent.setVisible(bool(paths))
        if paths:
            self.recent.setCurrentRow(0)
        self._update_buttons()

    def _selected_path(self) -> Path | None:
        item = self.recent.currentItem()
        return Path(str(item.data(PATH_ROLE))) if item is not None else None

    def _update_buttons(self, *_args: object) -> None:
        path = self._selected_path()
        self.open_recent_button.setEnabled(path is not None and path.is_file())
        self.remove_button.setEnabled(path is not None)

    def _open_item(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        path = Path(str(item.data(PATH_ROLE)))
        if path.is_file():
            self.open_path_requested.emit(path)

    def _remove_selected(self) -> None:
        path = self._selected_path()
        if path is None:
            return
        settings = load_settings(settings_file())
        settings.recent_projects = [p for p in settings.recent_projects if p != str(path)]
        save_settings(settings, settings_file())
        self.refresh()

    # -- demo ------------------------------------------------------------------------------
    def open_demo(self) -> None:
        self.demo_button.setEnabled(False)
        self.demo_status.setText(_("Preparing the demo mission…"))
        task = TaskRunner.of(self.session).write(_("Preparing the demo mission"), prepare_demo)
        task.succeeded.connect(self._demo_prepared)
        task.finished.connect(lambda: self.demo_button.setEnabled(True))
        task.failed.connect(lambda _error: self.demo_status.clear())
        task.cancelled.connect(lambda: self.demo_status.setText(_("Demo stopped.")))

    def _demo_prepared(self, result: object) -> None:
        project_path, share_root = cast(tuple[Path, Path], result)
        self.demo_status.setText(_("Demo mission: {path}").format(path=project_path))
        self.demo_ready.emit(project_path, share_root)
