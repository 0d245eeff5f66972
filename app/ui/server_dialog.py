"""The dialog that adds or edits one SAE server (or drop folder) and its secret."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.i18n import _
from app.settings import SERVER_KINDS, ServerSettings
from app.transfer.servers import check_server
from app.ui.dialog_buttons import ok_cancel_buttons
from app.ui.dialogs import show_error

FIELDS_BY_KIND = {
    "vitam": {
        "url",
        "admin_url",
        "tenant",
        "context",
        "access_contract",
        "certificate",
        "key",
        "ca_bundle",
        "secret",
        "timeout",
    },
    "asalae": {"url", "ca_bundle", "username", "hash_password", "secret", "timeout"},
    "folder": {"folder"},
}


def kind_label(kind: str) -> str:
    return {"vitam": "Vitam", "asalae": "As@lae", "folder": _("Drop folder")}.get(kind, kind)


class _FileField(QWidget):
    """A path typed or chosen with a Browse… button."""

    def __init__(self, name: str, folder: bool = False) -> None:
        super().__init__()
        self.edit = QLineEdit()
        self.edit.setAccessibleName(name)
        browse = QPushButton(_("Browse…"))
        browse.setAccessibleName(_("Choose: {what}").format(what=name))
        browse.clicked.connect(self._browse)
        self._folder = folder
        self._name = name
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(browse)

    def _browse(self) -> None:
        if self._folder:
            chosen = QFileDialog.getExistingDirectory(self, self._name, self.edit.text())
        else:
            chosen, _filter = QFileDialog.getOpenFileName(self, self._name, self.edit.text())
        if chosen:
            self.edit.setText(chosen)

    def text(self) -> str:
        return self.edit.text().strip()

    def setText(self, text: str) -> None:
        self.edit.setText(text)


class ServerDialog(QDialog):
    """Fields of `ServerSettings`; `server` and `secret` after acceptance."""

    def __init__(
        self,
        server: ServerSettings | None,
        *,
        has_secret: bool,
        taken_names: set[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("SAE server") if server is None else _("Edit the server"))
        self._original = server or ServerSettings()
        self._taken = taken_names
        self.server: ServerSettings | None = None
        self.secret = ""
        s = self._original

        self.name = QLineEdit(s.name)
        self.name.setAccessibleName(_("Server name"))
        self.kind = QComboBox()
        self.kind.setAccessibleName(_("Kind of server"))
        for kind in SERVER_KINDS:
            self.kind.addItem(kind_label(kind), kind)
        self.kind.setCurrentIndex(max(0, list(SERVER_KINDS).index(s.kind)))
        self.url = QLineEdit(s.url)
        self.url.setAccessibleName(_("Address"))
        self.folder = _FileField(_("Drop folder"), folder=True)
        self.folder.setText(s.url if s.kind == "folder" else "")
        self.admin_url = QLineEdit(s.admin_url)
        self.admin_url.setAccessibleName(_("Access address (Vitam)"))
        self.admin_url.setPlaceholderText(_("default: the address above"))
        self.tenant = QSpinBox()
        self.tenant.setRange(0, 1_000_000)
        self.tenant.setValue(s.tenant)
        self.tenant.setAccessibleName(_("Tenant"))
        self.context = QLineEdit(s.context)
        self.context.setAccessibleName(_("Ingest context"))
        self.access_contract = QLineEdit(s.access_contract)
        self.access_contract.setAccessibleName(_("Access contract"))
        self.certificate = _FileField(_("Client certificate"))
        self.certificate.setText(s.client_certificate)
        self.key = _FileField(_("Private key"))
        self.key.setText(s.client_key)
        self.ca_bundle = _FileField(_("Certificates to trust"))
        self.ca_bundle.setText(s.ca_bundle)
        self.username = QLineEdit(s.username)
        self.username.setAccessibleName(_("User"))
        self.hash_password = QCheckBox(_("Send the SHA-256 of the password"))
        self.hash_password.setChecked(s.hash_password)
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setAccessibleName(_("Password or passphrase"))
        self.secret_edit.setPlaceholderText(
            _("stored in the keyring; leave empty to keep it")
            if has_secret
            else _("stored in the system keyring, never in a file")
        )
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(1, 3600)
        self.timeout.setSuffix(" s")
        self.timeout.setValue(s.timeout)
        self.timeout.setAccessibleName(_("Timeout"))

        self.form = QFormLayout()
        self.rows: dict[str, QWidget] = {}
        for key, label, widget in (
            ("name", _("&Name:"), self.name),
            ("kind", _("&Kind:"), self.kind),
            ("url", _("&Address (https://…):"), self.url),
            ("folder", _("&Folder:"), self.folder),
            ("admin_url", _("Access a&ddress:"), self.admin_url),
            ("tenant", _("&Tenant:"), self.tenant),
            ("context", _("Ingest &context:"), self.context),
            ("access_contract", _("Access c&ontract:"), self.access_contract),
            ("certificate", _("Client c&ertificate:"), self.certificate),
            ("key", _("Private ke&y (PEM):"), self.key),
            ("ca_bundle", _("Certificates to t&rust:"), self.ca_bundle),
            ("username", _("&User:"), self.username),
            ("hash_password", "", self.hash_password),
            ("secret", _("&Password / passphrase:"), self.secret_edit),
            ("timeout", _("T&imeout:"), self.timeout),
        ):
            self.form.addRow(label, widget)
            self.rows[key] = widget
        self.kind.currentIndexChanged.connect(self._kind_changed)
        buttons = ok_cancel_buttons(self)
        note = QLabel(_("TLS is always required; the certificate of the server is checked."))
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self._kind_changed()

    def _kind_changed(self, _index: int = 0) -> None:
        kind = str(self.kind.currentData())
        visible = FIELDS_BY_KIND[kind]
        for key, widget in self.rows.items():
            shown = key in ("name", "kind") or key in visible
            self.form.setRowVisible(widget, shown)

    def build(self) -> ServerSettings:
        kind = str(self.kind.currentData())
        return replace(
            self._original,
            name=self.name.text().strip(),
            kind=kind,
            url=self.folder.text() if kind == "folder" else self.url.text().strip(),
            admin_url=self.admin_url.text().strip() if kind == "vitam" else "",
            tenant=self.tenant.value(),
            context=self.context.text().strip() or "DEFAULT_WORKFLOW",
            access_contract=self.access_contract.text().strip(),
            client_certificate=self.certificate.text() if kind == "vitam" else "",
            client_key=self.key.text() if kind == "vitam" else "",
            ca_bundle=self.ca_bundle.text() if kind != "folder" else "",
            username=self.username.text().strip() if kind == "asalae" else "",
            hash_password=self.hash_password.isChecked() and kind == "asalae",
            timeout=float(self.timeout.value()),
        )

    def accept(self) -> None:
        server = self.build()
        try:
            check_server(server)
            if server.name in self._taken:
                raise AppError(_("A server named {name} already exists.").format(name=server.name))
        except AppError as exc:
            show_error(self, exc)
            return
        self.server = server
        self.secret = self.secret_edit.text()
        super().accept()
