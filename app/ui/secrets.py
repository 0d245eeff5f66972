"""Server secrets for the window: one `Credentials` per session, and asking for missing ones.

Secrets live in the OS keyring (`app.transfer.credentials`). When there is no secure
keyring, a secret typed in a dialog is kept in memory for this session only, and the window
says so. A stored secret is never shown back.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

from app.i18n import N_, _
from app.settings import ServerSettings
from app.transfer.credentials import Credentials
from app.ui.session import Session

_by_session: weakref.WeakKeyDictionary[Session, Credentials] = weakref.WeakKeyDictionary()

INSECURE_NOTICE = N_(
    "No secure keyring on this computer: the secret is kept in memory until Besace closes,"
    " never written; it will be asked again next time."
)


def credentials_of(session: Session) -> Credentials:
    found = _by_session.get(session)
    if found is None:
        found = Credentials()
        _by_session[session] = found
    return found


def secret_kind(server: ServerSettings) -> str:
    return "password" if server.kind == "asalae" else "passphrase"


def needs_secret(server: ServerSettings) -> bool:
    """As@lae always has a password; Vitam a passphrase when its certificate is PKCS#12."""
    return server.kind == "asalae" or (
        server.kind == "vitam" and server.client_certificate.lower().endswith((".p12", ".pfx"))
    )


def secret_label(server: ServerSettings) -> str:
    if secret_kind(server) == "password":
        return _("Password of {user} on {name}:").format(user=server.username, name=server.name)
    return _("Passphrase of the certificate for {name}:").format(name=server.name)


def ask_missing_secrets(
    parent: QWidget, credentials: Credentials, servers: Iterable[ServerSettings]
) -> bool:
    """Ask for each secret the keyring lacks, for this session; False when the user cancels."""
    for server in servers:
        if not needs_secret(server):
            continue
        kind = secret_kind(server)
        if credentials.get(server.name, kind) is not None:
            continue
        secret, ok = QInputDialog.getText(
            parent, _("Secret needed"), secret_label(server), QLineEdit.EchoMode.Password
        )
        if not ok:
            return False
        if secret:
            credentials.remember(server.name, kind, secret)
    return True
