"""Paramètres: language, SAE servers and their secrets, SEDA schemas, scan defaults.

Everything is saved in the app settings (app.settings, TOML) that the command line reads
too; secrets go to the OS keyring only and are never shown back.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.i18n import _
from app.inventory.identify import ENGINES
from app.paths import settings_file
from app.seda.model import SEDA_VERSIONS
from app.seda.schemas import default_schema_dir, find_schema_set, install_schemas
from app.settings import ServerSettings, Settings, load_settings, save_settings
from app.tasks import CancelToken, ProgressSink
from app.transfer.connectors import make_connector
from app.ui.dialogs import confirm, show_error
from app.ui.icons import icon
from app.ui.pages.base import Page
from app.ui.secrets import (
    INSECURE_NOTICE,
    ask_missing_secrets,
    credentials_of,
    secret_kind,
)
from app.ui.server_dialog import ServerDialog, kind_label
from app.ui.session import Session
from app.ui.tasks import TaskRunner

LANGUAGE_NAMES = (("fr", "Français"), ("en", "English"))
NAME_ROLE = Qt.ItemDataRole.UserRole


def _patterns(edit: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]


class SettingsPage(Page):
    page_id = "settings"
    needs_project = False

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._settings = Settings()

        # -- general
        self.language = QComboBox()
        self.language.setAccessibleName(_("Language"))
        for code, name in LANGUAGE_NAMES:
            self.language.addItem(name, code)
        self.engine = QComboBox()
        self.engine.setAccessibleName(_("Identification engine"))
        self.engine.setToolTip(
            _("siegfried is fast; fido is the reference engine of the National Archives (UK).")
        )
        for engine in ENGINES:
            self.engine.addItem(engine, engine)
        self.excludes = QPlainTextEdit()
        self.excludes.setAccessibleName(_("Default exclusion patterns, one per line"))
        self.excludes.setPlaceholderText("*.iso\nSauvegardes")
        self.excludes.setTabChangesFocus(True)
        self.temporary = QPlainTextEdit()
        self.temporary.setAccessibleName(_("Temporary file patterns, one per line"))
        self.temporary.setTabChangesFocus(True)
        for edit in (self.excludes, self.temporary):
            edit.setMaximumHeight(110)
        self.save_button = QPushButton(icon("ok"), _("&Save the settings"))
        self.save_button.setAccessibleName(_("Save the settings"))
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(icon("undo"), _("Re&vert"))
        self.revert_button.setAccessibleName(_("Revert the unsaved changes"))
        self.revert_button.clicked.connect(self.load)
        general = QGroupBox(_("General"))
        form = QFormLayout(general)
        form.addRow(_("&Language:"), self.language)
        form.addRow("", QLabel(_("The language applies the next time Besace starts.")))
        form.addRow(_("Identification &engine:"), self.engine)
        form.addRow(_("E&xclusions (new missions):"), self.excludes)
        form.addRow(_("&Temporary files:"), self.temporary)
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.revert_button)
        save_row.addStretch(1)
        form.addRow(save_row)

        # -- servers
        self.servers = QListWidget()
        self.servers.setAccessibleName(_("SAE servers"))
        self.servers.currentItemChanged.connect(self._update_buttons)
        self.servers.itemActivated.connect(lambda _i: self.edit_server())
        self.servers_empty = QLabel(
            _("No server yet: add the archiving system (SAE) your packages go to.")
        )
        self.servers_empty.setWordWrap(True)
        self.add_server_button = QPushButton(icon("add"), _("&Add…"))
        self.add_server_button.setAccessibleName(_("Add a server"))
        self.add_server_button.clicked.connect(self.add_server)
        self.edit_server_button = QPushButton(icon("edit"), _("E&dit…"))
        self.edit_server_button.setAccessibleName(_("Edit the selected server"))
        self.edit_server_button.clicked.connect(self.edit_server)
        self.remove_server_button = QPushButton(icon("remove"), _("&Remove"))
        self.remove_server_button.setAccessibleName(_("Remove the selected server"))
        self.remove_server_button.clicked.connect(self.remove_server)
        self.test_server_button = QPushButton(icon("test"), _("Test the co&nnection"))
        self.test_server_button.setAccessibleName(_("Test the connection to the selected server"))
        self.test_server_button.clicked.connect(self.test_server)
        self.server_status = QLabel()
        self.server_status.setWordWrap(True)
        self.server_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        servers_box = QGroupBox(_("SAE servers"))
        servers_layout = QVBoxLayout(servers_box)
        servers_layout.addWidget(self.servers_empty)
        servers_layout.addWidget(self.servers, 1)
        row = QHBoxLayout()
        for button in (
            self.add_server_button,
            self.edit_server_button,
            self.remove_server_button,
            self.test_server_button,
        ):
            row.addWidget(button)
        row.addStretch(1)
        servers_layout.addLayout(row)
        servers_layout.addWidget(self.server_status)

        # -- schemas
        self.schemas_status = QLabel()
        self.schemas_status.setWordWrap(True)
        self.install_button = QPushButton(icon("schemas"), _("&Install from a folder…"))
        self.install_button.setAccessibleName(_("Install the official SEDA schemas from a folder"))
        self.install_button.clicked.connect(self.install_dialog)
        schemas_box = QGroupBox(_("Official SEDA schemas"))
        schemas_layout = QVBoxLayout(schemas_box)
        schemas_layout.addWidget(
            QLabel(
                _(
                    "The packages are checked against the official XSD files of the SEDA,"
                    " installed once from the folder where you unpacked them."
                )
            )
        )
        schemas_layout.addWidget(self.schemas_status)
        schemas_layout.addWidget(self.install_button, 0, Qt.AlignmentFlag.AlignLeft)
        for label in schemas_box.findChildren(QLabel):
            label.setWordWrap(True)

        content = QWidget()
        grid = QGridLayout(content)
        grid.addWidget(general, 0, 0)
        grid.addWidget(schemas_box, 1, 0)
        grid.addWidget(servers_box, 0, 1, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(2, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.load()

    def title(self) -> str:
        return _("Settings")

    def icon_name(self) -> str:
        return "settings"

    def activated(self) -> None:
        self._show_schemas()

    # -- general settings ------------------------------------------------------------------
    def load(self) -> None:
        try:
            self._settings = load_settings(settings_file())
        except AppError as exc:
            show_error(self, exc)
            self._settings = Settings()
        s = self._settings
        codes = [code for code, _name in LANGUAGE_NAMES]
        self.language.setCurrentIndex(codes.index(s.language) if s.language in codes else 0)
        self.engine.setCurrentIndex(
            list(ENGINES).index(s.scan.engine) if s.scan.engine in ENGINES else 0
        )
        self.excludes.setPlainText("\n".join(s.scan.exclude_patterns))
        self.temporary.setPlainText("\n".join(s.scan.temporary_patterns))
        self._fill_servers()
        self._show_schemas()

    def save(self) -> None:
        """Save the general settings (servers are saved as soon as they are edited)."""
        try:
            settings = load_settings(settings_file())  # servers may have changed meanwhile
        except AppError as exc:
            show_error(self, exc)
            return
        old_language = settings.language
        settings.language = str(self.language.currentData())
        settings.scan.engine = str(self.engine.currentData())
        settings.scan.exclude_patterns = _patterns(self.excludes)
        settings.scan.temporary_patterns = _patterns(self.temporary)
        save_settings(settings, settings_file())
        self._settings = settings
        message = _("Settings saved.")
        if settings.language != old_language:
            message += " " + _("Restart Besace to change the language.")
        self.session.status_message.emit(message)

    # -- servers -----------------------------------------------------------------------------
    def _fill_servers(self) -> None:
        self.servers.clear()
        for server in self._settings.servers:
            kind = kind_label(server.kind)
            item = QListWidgetItem(icon("network"), f"{server.name} — {kind} — {server.url}")
            item.setData(NAME_ROLE, server.name)
            self.servers.addItem(item)
        self.servers_empty.setVisible(not self._settings.servers)
        if self._settings.servers:
            self.servers.setCurrentRow(0)
        self._update_buttons()

    def selected_server(self) -> ServerSettings | None:
        if self.servers.currentRow() < 0:
            return None
        name = str(self.servers.currentItem().data(NAME_ROLE))
        return next((s for s in self._settings.servers if s.name == name), None)

    def _update_buttons(self, *_args: object) -> None:
        selected = self.selected_server() is not None
        for button in (
            self.edit_server_button,
            self.remove_server_button,
            self.test_server_button,
        ):
            button.setEnabled(selected)

    def _store_server(self, old_name: str | None, server: ServerSettings, secret: str) -> None:
        settings = load_settings(settings_file())
        settings.servers = [
            s for s in settings.servers if s.name not in (old_name, server.name)
        ] + [server]
        save_settings(settings, settings_file())
        credentials = credentials_of(self.session)
        if old_name and old_name != server.name:
            credentials.delete(old_name)
        notice = ""
        if secret and not credentials.set(server.name, secret_kind(server), secret):
            notice = " " + _(INSECURE_NOTICE)
        self._settings = settings
        self._fill_servers()
        self.server_status.setText(_("Server {name} saved.").format(name=server.name) + notice)

    def add_server(self) -> None:
        taken = {s.name for s in self._settings.servers}
        dialog = ServerDialog(None, has_secret=False, taken_names=taken, parent=self)
        if dialog.exec() and dialog.server is not None:
            self._store_server(None, dialog.server, dialog.secret)

    def edit_server(self) -> None:
        server = self.selected_server()
        if server is None:
            return
        credentials = credentials_of(self.session)
        has_secret = credentials.get(server.name, secret_kind(server)) is not None
        taken = {s.name for s in self._settings.servers} - {server.name}
        dialog = ServerDialog(server, has_secret=has_secret, taken_names=taken, parent=self)
        if dialog.exec() and dialog.server is not None:
            self._store_server(server.name, dialog.server, dialog.secret)

    def remove_server(self) -> None:
        server = self.selected_server()
        if server is None or not confirm(
            self,
            _("Remove a server"),
            _("Remove the server {name} and its stored secret?").format(name=server.name),
            _("Remove"),
        ):
            return
        settings = load_settings(settings_file())
        settings.servers = [s for s in settings.servers if s.name != server.name]
        save_settings(settings, settings_file())
        credentials_of(self.session).delete(server.name)
        self._settings = settings
        self._fill_servers()
        self.server_status.setText(_("Server {name} removed.").format(name=server.name))

    def test_server(self) -> None:
        server = self.selected_server()
        if server is None:
            return
        credentials = credentials_of(self.session)
        if not ask_missing_secrets(self, credentials, [server]):
            return

        def work(_token: CancelToken, _progress: ProgressSink) -> str:
            connector = make_connector(server, credentials)
            try:
                return connector.check()
            finally:
                connector.close()

        self.server_status.setText(_("Testing {name}…").format(name=server.name))
        self.test_server_button.setEnabled(False)
        task = TaskRunner.of(self.session).read(
            _("Testing {name}").format(name=server.name), work, report_errors=False
        )
        task.succeeded.connect(
            lambda answer: self.server_status.setText(
                _("Server {name} reachable: {answer}").format(name=server.name, answer=answer)
            )
        )
        task.failed.connect(
            lambda error: self.server_status.setText(
                _("Server {name} not reachable: {reason}").format(
                    name=server.name,
                    reason=error.message if isinstance(error, AppError) else str(error),
                )
            )
        )
        task.finished.connect(self._update_buttons)

    # -- schemas -----------------------------------------------------------------------------
    def _show_schemas(self) -> None:
        base = default_schema_dir()
        installed = [v for v in SEDA_VERSIONS if find_schema_set(base, v) is not None]
        if installed:
            self.schemas_status.setText(
                _("Installed: SEDA {versions}.").format(versions=", ".join(installed))
            )
        else:
            self.schemas_status.setText(
                _("Not installed: packages are checked without the XSD files.")
            )

    def install_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Folder holding the SEDA schemas"))
        if folder:
            self.install_schemas(Path(folder))

    def install_schemas(self, folder: Path) -> None:
        def work(_token: CancelToken, _progress: ProgressSink) -> list[str]:
            return install_schemas(folder, default_schema_dir())

        self.install_button.setEnabled(False)
        task = TaskRunner.of(self.session).write(_("Installing the SEDA schemas"), work)
        task.succeeded.connect(
            lambda versions: self.session.status_message.emit(
                _("SEDA schemas installed: {versions}.").format(versions=", ".join(versions))
            )
        )
        task.finished.connect(self._schemas_done)

    def _schemas_done(self) -> None:
        self.install_button.setEnabled(True)
        self._show_schemas()
