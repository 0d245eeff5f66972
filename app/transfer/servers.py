"""Server settings: find, check and describe the SAEs a mission sends to."""

from __future__ import annotations

from urllib.parse import urlsplit

from app.errors import AppError
from app.i18n import _
from app.settings import SERVER_KINDS, ServerSettings, Settings

PROFILES = {"vitam": "vitam", "asalae": "asalae", "folder": "generic"}


def find_server(settings: Settings, name: str) -> ServerSettings:
    for server in settings.servers:
        if server.name == name:
            return server
    known = ", ".join(s.name for s in settings.servers) or _("none")
    raise AppError(
        _("Unknown server: {name} (configured: {known}).").format(name=name, known=known)
    )


def validation_profile(server: ServerSettings) -> str:
    return server.profile or PROFILES.get(server.kind, "generic")


def check_server(server: ServerSettings) -> None:
    """Refuse settings that cannot work or would weaken security (plain HTTP)."""
    if not server.name or any(c in server.name for c in ":/\\"):
        raise AppError(_("A server name is required, without ':', '/' or '\\'."))
    if server.kind not in SERVER_KINDS:
        raise AppError(
            _("Unknown server kind: {kind} (expected: {kinds}).").format(
                kind=server.kind, kinds=", ".join(SERVER_KINDS)
            )
        )
    if not server.url:
        raise AppError(_("The server {name} has no address.").format(name=server.name))
    if server.kind == "folder":
        return
    for url in (server.url, server.admin_url):
        if url and (urlsplit(url).scheme != "https" or not urlsplit(url).hostname):
            raise AppError(
                _("The address {url} must start with https:// (TLS is always required).").format(
                    url=url
                )
            )
    if server.kind == "vitam" and not server.client_certificate:
        raise AppError(_("A Vitam server needs the client certificate (--certificate).").format())
    if server.kind == "asalae" and not server.username:
        raise AppError(_("An As@lae server needs the web-service user (--user)."))
