"""SAE connectors behind one interface: Vitam ingest-external, As@lae restservices, drop folder.

The HTTP client (httpx) lives here only. TLS is always verified; a custom CA bundle can be
added, verification cannot be switched off. Secrets come from `Credentials` and are never put
in an error message, a reply stored in the project or a log.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import tempfile
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import certifi
import httpx

from app.errors import AppError
from app.i18n import _
from app.settings import ServerSettings
from app.transfer.atr import PackageHeader
from app.transfer.credentials import Credentials

MAX_REPLY_BYTES = 64 << 20
_OFFLINE_ERRNOS = {errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH}


class TransferError(AppError):
    """A failed exchange with a server.

    `retryable`: worth trying again later. `uncertain`: the request may have reached the server
    (so look the transfer up before sending it again). `offline`: this machine has no network.
    """

    def __init__(
        self,
        message: str,
        *,
        details: str = "",
        retryable: bool = False,
        uncertain: bool = False,
        offline: bool = False,
        status: int | None = None,
        reply: bytes = b"",
        content_type: str = "",
    ) -> None:
        super().__init__(message, details=details)
        self.retryable = retryable
        self.uncertain = uncertain
        self.offline = offline
        self.status = status
        self.reply = reply
        self.content_type = content_type


class LookupUnsupported(Exception):
    """The server cannot tell whether it already holds a transfer."""


@dataclass(frozen=True, slots=True)
class Upload:
    operation_id: str
    status: int | None = None
    reply: bytes = b""
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class Poll:
    """`atr` is None while the server is still working on the transfer."""

    atr: bytes | None
    status: int | None = None


class Connector(ABC):
    kind = ""
    expects_reply = True  # False: delivered means done (drop folder)

    def __init__(self, server: ServerSettings) -> None:
        self.server = server

    @abstractmethod
    def check(self) -> str:
        """Test the connection and the credentials; return what the server said."""

    @abstractmethod
    def upload(self, package: Path, header: PackageHeader, *, dry_run: bool = False) -> Upload:
        """Send the package; return the id to poll. Raises TransferError."""

    @abstractmethod
    def lookup(self, header: PackageHeader) -> str | None:
        """The operation id of a transfer the server already holds, or None."""

    @abstractmethod
    def poll(self, operation_id: str, header: PackageHeader) -> Poll:
        """Ask where the transfer stands; return the ATR bytes once there is one."""

    def close(self) -> None:  # noqa: B027 - most connectors hold nothing to release
        """Release connections."""


# -- HTTP plumbing ---------------------------------------------------------------------------
def _is_offline(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return True
        if isinstance(seen, OSError) and seen.errno in _OFFLINE_ERRNOS:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _network_error(exc: httpx.HTTPError, server: ServerSettings) -> TransferError:
    offline = _is_offline(exc)
    connect = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    if offline:
        message = _("This computer seems to be offline (server {name}).")
    elif isinstance(exc, httpx.TimeoutException):
        message = _("The server {name} did not answer in time.")
    elif connect:
        message = _("Cannot connect to the server {name}.")
    else:
        message = _("The connection to the server {name} was broken.")
    if isinstance(exc, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return TransferError(
            _("The certificate of the server {name} is not trusted.").format(name=server.name),
            details=type(exc).__name__,
        )
    return TransferError(
        message.format(name=server.name),
        details=f"{type(exc).__name__}: {exc}",
        retryable=True,
        uncertain=not connect,
        offline=offline,
    )


def _http_error(response: httpx.Response, server: ServerSettings) -> TransferError:
    status = response.status_code
    body = response.content[:MAX_REPLY_BYTES]
    ctype = response.headers.get("content-type", "")
    if status in (401, 403):
        message = _("The server {name} refused the credentials or the certificate (HTTP {status}).")
    elif status >= 500 or status in (408, 429):
        message = _("The server {name} is unavailable (HTTP {status}).")
    else:
        message = _("The server {name} refused the request (HTTP {status}).")
    return TransferError(
        message.format(name=server.name, status=status),
        details=body[:500].decode("utf-8", "replace"),
        retryable=status >= 500 or status in (408, 429),
        uncertain=status == 504,
        status=status,
        reply=body,
        content_type=ctype,
    )


def _ssl_context(server: ServerSettings) -> ssl.SSLContext:
    """Verification always on: the system roots (certifi) plus the optional CA bundle."""
    context = ssl.create_default_context(cafile=certifi.where())
    if server.ca_bundle:
        try:
            context.load_verify_locations(cafile=server.ca_bundle)
        except (OSError, ssl.SSLError) as exc:
            raise AppError(
                _("The CA bundle {path} cannot be read.").format(path=server.ca_bundle),
                details=str(exc),
            ) from exc
    return context


def _load_client_certificate(
    context: ssl.SSLContext, server: ServerSettings, passphrase: str | None
) -> None:
    path = Path(server.client_certificate)
    try:
        if path.suffix.lower() in (".p12", ".pfx"):
            _load_pkcs12(context, path, passphrase)
        else:
            context.load_cert_chain(
                path,
                server.client_key or None,
                password=passphrase.encode() if passphrase else None,
            )
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise AppError(
            _("The client certificate {path} cannot be used (wrong passphrase?).").format(
                path=path
            ),
            details=type(exc).__name__,
        ) from exc


def _load_pkcs12(context: ssl.SSLContext, path: Path, passphrase: str | None) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    key, cert, extra = pkcs12.load_key_and_certificates(
        path.read_bytes(), passphrase.encode() if passphrase else None
    )
    if key is None or cert is None:
        raise ValueError("no key or certificate in the PKCS#12 file")
    # ssl only loads files: the key goes to a private temporary file, encrypted with a
    # one-time password, and is deleted at once.
    ephemeral = secrets.token_urlsafe(32).encode()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(ephemeral),
    )
    pem += cert.public_bytes(serialization.Encoding.PEM)
    for item in extra or []:
        pem += item.public_bytes(serialization.Encoding.PEM)
    fd, name = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        context.load_cert_chain(name, password=ephemeral)
    finally:
        Path(name).unlink(missing_ok=True)


class _HttpConnector(Connector):
    def __init__(self, server: ServerSettings, client: httpx.Client) -> None:
        super().__init__(server)
        self.client = client

    @contextmanager
    def _exchange(self) -> Iterator[None]:
        try:
            yield
        except httpx.HTTPError as exc:
            raise _network_error(exc, self.server) from None

    def close(self) -> None:
        self.client.close()


def _manifest_digest(package: Path) -> str:
    with zipfile.ZipFile(package) as archive:
        name = next(n for n in archive.namelist() if "/" not in n and n.endswith("manifest.xml"))
        digest = hashlib.sha512()
        with archive.open(name) as raw:
            for chunk in iter(lambda: raw.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


# -- Vitam -----------------------------------------------------------------------------------
class VitamConnector(_HttpConnector):
    kind = "vitam"

    @property
    def _ingest(self) -> str:
        return self.server.url.rstrip("/") + "/ingest-external/v1"

    @property
    def _admin(self) -> str:
        return (self.server.admin_url or self.server.url).rstrip("/")

    def _headers(self) -> dict[str, str]:
        return {"X-Tenant-Id": str(self.server.tenant)}

    def check(self) -> str:
        with self._exchange():
            response = self.client.request("OPTIONS", self._ingest + "/", headers=self._headers())
        if response.status_code >= 400:
            raise _http_error(response, self.server)
        return f"HTTP {response.status_code}"

    def upload(self, package: Path, header: PackageHeader, *, dry_run: bool = False) -> Upload:
        headers = {
            **self._headers(),
            "X-Context-Id": self.server.dry_run_context if dry_run else self.server.context,
            "X-Action": "RESUME",
            "Content-Type": "application/octet-stream",
            "Accept": "application/xml",
            "X-Manifest-Digest-Algo": "SHA-512",
            "X-Manifest-Digest-Value": _manifest_digest(package),
        }
        with package.open("rb") as body, self._exchange():
            response = self.client.post(self._ingest + "/ingests", content=body, headers=headers)
        if response.status_code != 202:
            raise _http_error(response, self.server)
        operation = response.headers.get("X-Request-Id", "").strip()
        if not operation or not re.fullmatch(r"[\w.\-]{1,200}", operation):
            raise TransferError(
                _("The server {name} accepted the package but gave no valid operation id.").format(
                    name=self.server.name
                ),
                retryable=True,
                uncertain=True,
            )
        return Upload(operation, response.status_code, response.content[:MAX_REPLY_BYTES])

    def lookup(self, header: PackageHeader) -> str | None:
        if not self.server.access_contract:
            raise LookupUnsupported
        query = {
            "$query": {
                "$and": [
                    {"$eq": {"evTypeProc": "INGEST"}},
                    {"$eq": {"obIdIn": header.message_identifier}},
                ]
            },
            "$filter": {},
            "$projection": {},
        }
        headers = {
            **self._headers(),
            "X-Access-Contract-Id": self.server.access_contract,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        with self._exchange():
            response = self.client.request(
                "GET",
                self._admin + "/access-external/v1/logbookoperations",
                content=json.dumps(query).encode(),
                headers=headers,
            )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise _http_error(response, self.server)
        try:
            results = response.json().get("$results", [])
        except (ValueError, AttributeError) as exc:
            raise TransferError(
                _("The server {name} sent an unreadable answer.").format(name=self.server.name),
                retryable=True,
            ) from exc
        for item in results:
            if isinstance(item, dict):
                found = item.get("evId") or item.get("#id")
                if isinstance(found, str) and found:
                    return found
        return None

    def poll(self, operation_id: str, header: PackageHeader) -> Poll:
        headers = {**self._headers(), "Accept": "application/json"}
        with self._exchange():
            response = self.client.head(
                f"{self._admin}/admin-external/v1/operations/{operation_id}", headers=headers
            )
        if response.status_code == 202:
            return Poll(None, 202)
        if response.status_code != 200:
            raise _http_error(response, self.server)
        state = response.headers.get("X-Global-Execution-State", "COMPLETED")
        if state.upper() != "COMPLETED":
            return Poll(None, 200)
        with self._exchange():
            atr = self.client.get(
                f"{self._ingest}/ingests/{operation_id}/archivetransferreply",
                headers={**self._headers(), "Accept": "application/octet-stream"},
            )
        if atr.status_code == 404:
            return Poll(None, 404)
        if atr.status_code != 200:
            raise _http_error(atr, self.server)
        return Poll(atr.content[:MAX_REPLY_BYTES], 200)


# -- As@lae ----------------------------------------------------------------------------------
class AsalaeConnector(_HttpConnector):
    kind = "asalae"

    @property
    def _base(self) -> str:
        url = self.server.url.rstrip("/")
        return url if url.endswith("/restservices") else url + "/restservices"

    def check(self) -> str:
        with self._exchange():
            response = self.client.get(
                self._base + "/versions", headers={"Accept": "application/json"}
            )
        if response.status_code != 200:
            raise _http_error(response, self.server)
        return response.text[:200]

    def _message_url(self, message: str, header: PackageHeader) -> str:
        return (
            f"{self._base}/sedaMessages/sequence:ArchiveTransfer/message:{message}"
            f"/originOrganizationIdentification:{header.transferring_agency}"
            f"/originMessageIdentifier:{header.message_identifier}"
        )

    def upload(self, package: Path, header: PackageHeader, *, dry_run: bool = False) -> Upload:
        if dry_run:
            raise AppError(_("As@lae has no dry run."))
        with tempfile.TemporaryDirectory(prefix="besace-") as tmp:
            attachments = Path(tmp) / "attachments.zip"
            with zipfile.ZipFile(package) as sip:
                manifest_name = next(
                    n for n in sip.namelist() if "/" not in n and n.endswith("manifest.xml")
                )
                manifest = sip.read(manifest_name)
                with zipfile.ZipFile(attachments, "w", zipfile.ZIP_STORED, allowZip64=True) as out:
                    for info in sip.infolist():
                        if info.filename == manifest_name or info.is_dir():
                            continue
                        with sip.open(info) as src, out.open(info.filename, "w") as dst:
                            shutil.copyfileobj(src, dst, 1 << 20)
            with attachments.open("rb") as body, self._exchange():
                response = self.client.post(
                    self._base + "/sedaMessages",
                    files={
                        "seda_message": ("bordereau.xml", manifest, "application/xml"),
                        "attachments": ("attachments.zip", body, "application/zip"),
                    },
                    headers={"Accept": "application/json"},
                )
        if response.status_code != 200:
            raise _http_error(response, self.server)
        return Upload(
            header.message_identifier,
            response.status_code,
            response.content[:MAX_REPLY_BYTES],
            response.headers.get("content-type", ""),
        )

    def lookup(self, header: PackageHeader) -> str | None:
        with self._exchange():
            response = self.client.get(
                self._message_url("Acknowledgement", header), headers={"Accept": "application/xml"}
            )
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise _http_error(response, self.server)
        return header.message_identifier

    def poll(self, operation_id: str, header: PackageHeader) -> Poll:
        with self._exchange():
            response = self.client.get(
                self._message_url("ArchiveTransferReply", header),
                headers={"Accept": "application/xml"},
            )
        if response.status_code == 404:
            return Poll(None, 404)
        if response.status_code != 200:
            raise _http_error(response, self.server)
        return Poll(response.content[:MAX_REPLY_BYTES], 200)


# -- drop folder -----------------------------------------------------------------------------
def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.\-]", "_", text)[:150] or "paquet"


class FolderConnector(Connector):
    """Copy under a temporary name, then rename, with a `.sha512` file beside it."""

    kind = "folder"
    expects_reply = False

    @property
    def folder(self) -> Path:
        return Path(self.server.url)

    def _target(self, header: PackageHeader) -> Path:
        return self.folder / (_safe_name(header.message_identifier) + ".zip")

    def check(self) -> str:
        if not self.folder.is_dir():
            raise TransferError(
                _("The folder {path} does not exist or cannot be reached.").format(
                    path=self.folder
                ),
                retryable=True,
            )
        probe = self.folder / f".besace-probe-{secrets.token_hex(4)}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise TransferError(
                _("Cannot write in the folder {path}.").format(path=self.folder), details=str(exc)
            ) from exc
        return str(self.folder)

    def upload(self, package: Path, header: PackageHeader, *, dry_run: bool = False) -> Upload:
        if dry_run:
            raise AppError(_("A drop folder has no dry run."))
        target = self._target(header)
        partial = target.with_name("." + target.name + ".part")
        digest = hashlib.sha512()
        try:
            with package.open("rb") as src, partial.open("wb") as dst:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    digest.update(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
            checksum = target.with_name(target.name + ".sha512")
            partial_sum = checksum.with_name("." + checksum.name + ".part")
            partial_sum.write_text(f"{digest.hexdigest()}  {target.name}\n", encoding="ascii")
            os.replace(partial_sum, checksum)
            os.replace(partial, target)
        except OSError as exc:
            with suppress(OSError):
                partial.unlink(missing_ok=True)
            raise TransferError(
                _("Cannot copy the package into {path}.").format(path=self.folder),
                details=str(exc),
                retryable=True,
                offline=False,
            ) from exc
        return Upload(target.name)

    def lookup(self, header: PackageHeader) -> str | None:
        target = self._target(header)
        return target.name if target.is_file() else None

    def poll(self, operation_id: str, header: PackageHeader) -> Poll:
        return Poll(None)


def make_connector(server: ServerSettings, credentials: Credentials) -> Connector:
    if server.kind == "folder":
        return FolderConnector(server)
    timeout = httpx.Timeout(server.timeout, connect=min(server.timeout, 30.0))
    context = _ssl_context(server)
    if server.kind == "vitam":
        _load_client_certificate(context, server, credentials.get(server.name, "passphrase"))
        client = httpx.Client(verify=context, timeout=timeout, trust_env=False)
        return VitamConnector(server, client)
    if server.kind == "asalae":
        password = credentials.get(server.name, "password")
        if password is None:
            raise AppError(
                _("No password for the server {name}: run `besace server add` again.").format(
                    name=server.name
                )
            )
        if server.hash_password:
            password = hashlib.sha256(password.encode()).hexdigest()
        client = httpx.Client(
            verify=context,
            timeout=timeout,
            auth=httpx.BasicAuth(server.username, password),
            trust_env=False,
        )
        return AsalaeConnector(server, client)
    raise AppError(_("Unknown server kind: {kind}.").format(kind=server.kind))
