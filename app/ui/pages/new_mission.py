"""The new-mission wizard: who the mission is for, where packages go, where the file lives."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import AppError
from app.i18n import _
from app.paths import settings_file
from app.project.preferences import (
    DEFAULT_PROFILE,
    DEFAULT_SEDA_VERSION,
    MissionPreferences,
    save_mission_preferences,
)
from app.project.store import PROJECT_SUFFIX, MissionIdentity, Project
from app.seda.model import PROFILES, SEDA_VERSIONS
from app.settings import ServerSettings, load_settings
from app.transfer.servers import validation_profile
from app.ui.dialogs import show_error

PROFILE_LABELS = {
    "generic": "SEDA",
    "vitam": "Vitam",
    "asalae": "As@lae",
}


def _line(name: str, tooltip: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setToolTip(tooltip)
    edit.setPlaceholderText(placeholder)
    return edit


def file_name_for(mission: str) -> str:
    """A safe file name from the mission name: "Mairie de Brou" → "Mairie de Brou.besace"."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', " ", mission).strip(" .") or _("mission")
    return cleaned[:120] + PROJECT_SUFFIX


class MissionPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("The mission"))
        self.setSubTitle(
            _("Who the records belong to. These names appear in every package and slip.")
        )
        self.name = _line(
            _("Mission name"),
            _("A name you will recognise, e.g. the commune and the year."),
            _("e.g. Mairie de Saint-Exemple 2026"),
        )
        self.commune = _line(_("Commune"), _("The commune or public body audited."))
        self.producer = _line(
            _("Service producteur"),
            _("Service producteur: the service that created or received the records."),
        )
        self.transferring = _line(
            _("Service versant"),
            _("Service versant: the service that hands the records over to the archives."),
        )
        self.archival = _line(
            _("Service d'archives"),
            _("Service d'archives: the archives that receive and keep the records."),
            _("e.g. Archives départementales du Loiret"),
        )
        self.archivist = _line(_("Archivist"), _("The archivist in charge of this mission."))
        form = QFormLayout(self)
        form.addRow(_("Mission &name:"), self.name)
        form.addRow(_("&Commune:"), self.commune)
        form.addRow(_("Service &producteur:"), self.producer)
        form.addRow(_("Service &versant:"), self.transferring)
        form.addRow(_("Service d'&archives:"), self.archival)
        form.addRow(_("Arc&hivist:"), self.archivist)
        self.registerField("name*", self.name)
        self.commune.textEdited.connect(self._suggest_producer)

    def _suggest_producer(self, text: str) -> None:
        if not self.producer.isModified():
            self.producer.setText(_("Mairie de {commune}").format(commune=text) if text else "")


class TransferPage(QWizardPage):
    def __init__(self, servers: list[ServerSettings]) -> None:
        super().__init__()
        self.setTitle(_("The transfer"))
        self.setSubTitle(
            _(
                "Where the packages will be sent and the codes the archives gave you. All of"
                " this can be left empty and filled in later."
            )
        )
        self._servers = servers
        self.server = QComboBox()
        self.server.setAccessibleName(_("Target SAE server"))
        self.server.setToolTip(_("SAE: the archiving system that receives the packages."))
        self.server.addItem(_("None for now"), "")
        for server in servers:
            self.server.addItem(f"{server.name} ({server.kind})", server.name)
        self.server.currentIndexChanged.connect(self._server_chosen)
        self.version = QComboBox()
        self.version.setAccessibleName(_("SEDA version"))
        for version in SEDA_VERSIONS:
            self.version.addItem(f"SEDA {version}", version)
        self.version.setCurrentIndex(SEDA_VERSIONS.index(DEFAULT_SEDA_VERSION))
        self.profile = QComboBox()
        self.profile.setAccessibleName(_("Profile"))
        self.profile.setToolTip(_("The conventions of the receiving system."))
        for profile in PROFILES:
            self.profile.addItem(PROFILE_LABELS.get(profile, profile), profile)
        self.profile.setCurrentIndex(PROFILES.index(DEFAULT_PROFILE))
        self.archival_id = _line(
            _("Archival agency identifier"),
            _("The identifier of the service d'archives in the SAE."),
            "FRAD045",
        )
        self.transferring_id = _line(
            _("Transferring agency identifier"),
            _("The identifier of the service versant in the SAE."),
            "FRAD045_MAIRIE",
        )
        self.originating_id = _line(
            _("Originating agency identifier"),
            _("The identifier of the service producteur in the SAE."),
        )
        self.agreement = _line(
            _("Archival agreement"),
            _("Contrat d'entrée: the agreement the archives gave for these transfers."),
            "IC-000001",
        )
        form = QFormLayout(self)
        form.addRow(_("Target &SAE:"), self.server)
        form.addRow(_("SEDA &version:"), self.version)
        form.addRow(_("&Profile:"), self.profile)
        form.addRow(_("Archival a&gency identifier:"), self.archival_id)
        form.addRow(_("&Transferring agency identifier:"), self.transferring_id)
        form.addRow(_("&Originating agency identifier:"), self.originating_id)
        form.addRow(_("Archival agr&eement:"), self.agreement)

    def _server_chosen(self, _index: int) -> None:
        name = self.server.currentData()
        for server in self._servers:
            if server.name == name:
                profile = validation_profile(server)
                if profile in PROFILES:
                    self.profile.setCurrentIndex(PROFILES.index(profile))


class FilePage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(_("The mission file"))
        self.setSubTitle(
            _(
                "Everything about the mission is kept in this one file. Keep it on your"
                " computer or a USB key, not on the share being audited."
            )
        )
        self.path = _line(_("Mission file"), _("Where to save the .besace file."))
        browse = QPushButton(_("&Browse…"))
        browse.setAccessibleName(_("Choose where to save the mission file"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        label = QLabel(_("&File:"))
        label.setBuddy(self.path)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addLayout(row)
        layout.addStretch(1)
        self.registerField("path*", self.path)

    def initializePage(self) -> None:
        if not self.path.text():
            folder = QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.DocumentsLocation
            ) or str(Path.home())
            name = str(self.field("name") or "")
            self.path.setText(str(Path(folder) / file_name_for(name)))

    def _browse(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self, _("Save the mission as"), self.path.text(), _("Besace missions (*.besace)")
        )
        if chosen:
            self.path.setText(chosen)


class NewMissionWizard(QWizard):
    """Creates the project file with its identity and preferences; `created_path` after."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New mission"))
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        try:
            servers = load_settings(settings_file()).servers
        except AppError:
            servers = []
        self.mission_page = MissionPage()
        self.transfer_page = TransferPage(servers)
        self.file_page = FilePage()
        self.addPage(self.mission_page)
        self.addPage(self.transfer_page)
        self.addPage(self.file_page)
        self.created_path: Path | None = None

    def identity(self) -> MissionIdentity:
        m = self.mission_page
        return MissionIdentity(
            name=m.name.text().strip(),
            commune=m.commune.text().strip(),
            producer=m.producer.text().strip(),
            transferring_agency=m.transferring.text().strip(),
            archival_agency=m.archival.text().strip(),
            archivist=m.archivist.text().strip(),
        )

    def preferences(self) -> MissionPreferences:
        t = self.transfer_page
        return MissionPreferences(
            target_server=str(t.server.currentData() or ""),
            seda_version=str(t.version.currentData()),
            seda_profile=str(t.profile.currentData()),
            archival_agency_id=t.archival_id.text().strip(),
            transferring_agency_id=t.transferring_id.text().strip(),
            originating_agency_id=t.originating_id.text().strip(),
            archival_agreement=t.agreement.text().strip(),
        )

    def target_path(self) -> Path:
        path = Path(self.file_page.path.text().strip()).expanduser()
        return path if path.suffix == PROJECT_SUFFIX else path.with_name(path.name + PROJECT_SUFFIX)

    def create_project(self) -> Path:
        """Create the project file; raises AppError and leaves no file behind on failure."""
        path = self.target_path()
        identity = self.identity()
        if not identity.name:
            raise AppError(_("Give the mission a name."))
        project = Project.create(path, identity)
        try:
            save_mission_preferences(project, self.preferences())
        except BaseException:
            project.close()
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
            raise
        project.close()
        return path

    def validateCurrentPage(self) -> bool:
        if self.currentPage() is not self.file_page:
            return super().validateCurrentPage()
        try:
            self.created_path = self.create_project()
        except AppError as exc:
            show_error(self, exc)
            return False
        return True
