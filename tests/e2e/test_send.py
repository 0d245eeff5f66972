"""The outbox against real HTTPS servers on loopback: Vitam (mTLS) and As@lae (Basic), with faults.

The fake servers count complete uploads per MessageIdentifier: every test checks that each
package reaches the server exactly once, whatever fails in between.
"""

from __future__ import annotations

import base64
import contextlib
import email.parser
import email.policy
import io
import json
import os
import re
import signal
import socket
import sqlite3
import ssl
import struct
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.null
import pytest
import trustme
from conftest import run_scan, start_besace, write
from keyring.backend import KeyringBackend

from app.cli import main
from app.errors import AppError
from app.paths import settings_file
from app.project import MissionIdentity, Project
from app.seda.from_project import HeaderOptions, SubtreeSelection, plan_transfer
from app.seda.model import Management, RuleCategory, RuleRef
from app.seda.package import PackOptions, write_package
from app.settings import ServerSettings, Settings, save_settings
from app.transfer.connectors import make_connector
from app.transfer.credentials import Credentials
from app.transfer.outbox import Outbox, OutboxOptions, enqueue, list_transfers, replies, retry

SCHEMAS = Path(__file__).resolve().parents[2].parent / "shared" / "seda"
PASSWORD = "S3cret-Pa55word!asalae"
PASSPHRASE = "Phrase-Secrete-42-vitam"
TENANT = 3
FAST = OutboxOptions(
    schemas=SCHEMAS, retry_base=0.05, retry_max=0.2, poll_base=0.02, poll_max=0.1, max_wait=10
)
ATR = """<?xml version="1.0" encoding="UTF-8"?>
<ArchiveTransferReply xmlns="fr:gouv:culture:archivesdefrance:seda:v2.2">
  <Date>2026-11-23T10:00:00</Date>
  <MessageIdentifier>{op}</MessageIdentifier>
  <ArchivalAgreement>IC-000001</ArchivalAgreement>
  <CodeListVersions/>
  <DataObjectPackage><DescriptiveMetadata><ArchiveUnit id="AU1"><Content>
    <SystemId>guid-{op}</SystemId></Content></ArchiveUnit></DescriptiveMetadata>
  </DataObjectPackage>
  <ReplyCode>{code}</ReplyCode>
  <Operation><Event><EventType>Contrôle</EventType><Outcome>{outcome}</Outcome>
    <OutcomeDetailMessage>{detail}</OutcomeDetailMessage></Event></Operation>
  <MessageRequestIdentifier>{mi}</MessageRequestIdentifier>
  <ArchivalAgency><Identifier>FRAD045</Identifier></ArchivalAgency>
  <TransferringAgency><Identifier>FRAD045_MAIRIE</Identifier></TransferringAgency>
</ArchiveTransferReply>
"""


# -- the keyring: in memory, never the real keychain ------------------------------------------
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


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    # Subprocesses get a keyring that stores nothing, never the user's keychain.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    yield backend
    keyring.set_keyring(keyring.backends.null.Keyring())


# -- the fake servers ---------------------------------------------------------------------------
class Abort(Exception):
    pass


def manifest_fields(manifest: bytes) -> tuple[str, str]:
    mi = re.search(rb"<MessageIdentifier>([^<]+)</MessageIdentifier>", manifest)
    ta = re.search(rb"<TransferringAgency>\s*<Identifier>([^<]+)</Identifier>", manifest, re.DOTALL)
    assert mi is not None
    return mi.group(1).decode(), ta.group(1).decode() if ta else ""


class FakeSAE(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, kind: str, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.kind = kind
        self.context = context
        self.faults: dict[str, list[str]] = defaultdict(list)
        self.deliveries: Counter[str] = Counter()
        self.operations: dict[str, dict[str, Any]] = {}
        self.events: list[str] = []
        self.release = threading.Event()
        self.codes: dict[str, str] = {}
        self.polls = 2
        self.authorizations: list[str] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}"

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(10)
        try:
            conn = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        with contextlib.suppress(OSError, Abort):
            self.RequestHandlerClass(conn, client_address, self)

    def fault(self, key: str) -> str | None:
        with self.lock:
            return self.faults[key].pop(0) if self.faults[key] else None

    def event(self, name: str) -> None:
        with self.lock:
            self.events.append(name)

    def hold(self, name: str) -> None:
        self.event(name)
        self.release.wait(15)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FakeSAE

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self, fault: str | None = None) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if fault == "reset":
            self.rfile.read(length // 2)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            raise Abort
        data = self.rfile.read(length)
        if len(data) != length:
            raise Abort
        return data

    def do_OPTIONS(self) -> None:
        self.reply(200)

    def do_HEAD(self) -> None:
        self.route("HEAD")

    def do_GET(self) -> None:
        self.route("GET")

    def do_POST(self) -> None:
        self.route("POST")

    def route(self, method: str) -> None:
        if self.server.kind == "vitam":
            if not self.connection.getpeercert():
                self.reply(401, b"Request do not contain any X509Certificate")
                return
            if self.headers.get("X-Tenant-Id") != str(TENANT):
                self.reply(412)
                return
            self.vitam(method)
        else:
            auth = self.headers.get("Authorization", "")
            self.server.authorizations.append(auth)
            expected = "Basic " + base64.b64encode(f"ws:{PASSWORD}".encode()).decode()
            if auth != expected:
                self.body()
                self.reply(401, b'{"error":"unauthorized"}')
                return
            self.asalae(method)

    # Vitam ingest-external and admin-external
    def vitam(self, method: str) -> None:
        path = self.path
        if method == "POST" and path == "/ingest-external/v1/ingests":
            fault = self.server.fault("upload")
            assert self.headers["X-Action"] == "RESUME"
            assert self.headers["X-Context-Id"] in ("DEFAULT_WORKFLOW", "BLANK_TEST")
            assert self.headers["Content-Type"] == "application/octet-stream"
            if fault == "hold-before":
                self.server.hold("upload-start")
            if fault == "timeout-before":
                time.sleep(2.5)
            data = self.body(fault)
            if fault == "401":
                self.reply(401, b'{"httpCode":401,"code":"INTERNAL_SECURITY_UNAUTHORIZED"}')
                return
            if fault == "500":
                self.reply(500, b'{"httpCode":500,"state":"FATAL"}', {"X-Request-Id": "err"})
                return
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                mi, _ta = manifest_fields(archive.read("manifest.xml"))
            with self.server.lock:
                op = f"aeaaaaaaaa{len(self.server.operations):08d}"
                self.server.operations[op] = {"mi": mi, "polls": self.server.polls}
                self.server.deliveries[mi] += 1
            self.server.event("upload-stored")
            if fault == "hold":
                self.server.hold("upload-held")
            if fault == "timeout":
                time.sleep(2.5)
            if fault == "slow":
                time.sleep(0.5)
            self.reply(202, headers={"X-Request-Id": op, "X-Global-Execution-State": "PAUSE"})
            return
        match = re.fullmatch(r"/admin-external/v1/operations/(\w+)", path)
        if method == "HEAD" and match:
            fault = self.server.fault("poll")
            if fault == "hold":
                self.server.hold("poll")
            if fault == "503":
                self.reply(503)
                return
            operation = self.server.operations.get(match.group(1))
            if operation is None:
                self.reply(404)
            elif operation["polls"] > 0:
                operation["polls"] -= 1
                self.reply(202, headers={"X-Global-Execution-State": "RUNNING"})
            else:
                self.reply(200, headers={"X-Global-Execution-State": "COMPLETED"})
            return
        match = re.fullmatch(r"/ingest-external/v1/ingests/(\w+)/archivetransferreply", path)
        if method == "GET" and match:
            fault = self.server.fault("atr")
            if fault == "hold":
                self.server.hold("atr-requested")
            if fault == "malformed":
                self.reply(200, b"<ArchiveTransferReply><ReplyCode>OK</Rep")
                return
            op = match.group(1)
            mi = self.server.operations[op]["mi"]
            code = self.server.codes.get(mi, "OK")
            outcome = "OK" if code == "OK" else code
            detail = "Refus : contrat inconnu" if code == "KO" else "ok"
            body = ATR.format(op=op, mi=mi, code=code, outcome=outcome, detail=detail)
            self.reply(200, body.encode(), {"Content-Type": "application/octet-stream"})
            return
        if method == "GET" and path == "/access-external/v1/logbookoperations":
            assert self.headers.get("X-Access-Contract-Id") == "AC-000001"
            query = json.loads(self.body())
            wanted = query["$query"]["$and"][1]["$eq"]["obIdIn"]
            found = [
                {"evId": op, "obIdIn": o["mi"]}
                for op, o in self.server.operations.items()
                if o["mi"] == wanted
            ]
            self.reply(200, json.dumps({"$results": found}).encode())
            return
        self.reply(404)

    # As@lae restservices
    def asalae(self, method: str) -> None:
        path = self.path
        if method == "GET" and path == "/restservices/versions":
            self.reply(200, b'{"application":"as@lae","version":"V2.1"}')
            return
        if method == "POST" and path == "/restservices/sedaMessages":
            fault = self.server.fault("upload")
            data = self.body(fault)
            if fault == "500":
                self.reply(500)
                return
            raw = b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + data
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
            parts = {
                p.get_param("name", header="content-disposition"): p for p in message.iter_parts()
            }  # type: ignore[attr-defined]
            manifest = parts["seda_message"].get_payload(decode=True)
            attachments = parts["attachments"].get_payload(decode=True)
            with zipfile.ZipFile(io.BytesIO(attachments)) as archive:
                assert "manifest.xml" not in archive.namelist()
                assert all(n.startswith("content/") for n in archive.namelist())
            mi, ta = manifest_fields(manifest)
            with self.server.lock:
                self.server.operations[f"{ta}/{mi}"] = {"mi": mi, "polls": self.server.polls}
                self.server.deliveries[mi] += 1
            self.server.event("upload-stored")
            if fault == "timeout":
                time.sleep(2.5)
            self.reply(200, b'{"message":"ok"}', {"Content-Type": "application/json"})
            return
        match = re.fullmatch(
            r"/restservices/sedaMessages/sequence:ArchiveTransfer/message:(\w+)"
            r"/originOrganizationIdentification:([^/]+)/originMessageIdentifier:([^/]+)",
            path,
        )
        if method == "GET" and match:
            kind, ta, mi = match.groups()
            operation = self.server.operations.get(f"{ta}/{mi}")
            if operation is None:
                self.reply(404)
            elif kind == "Acknowledgement":
                self.reply(200, b"<Acknowledgement/>")
            elif operation["polls"] > 0:
                operation["polls"] -= 1
                self.reply(404)
            else:
                code = self.server.codes.get(mi, "000")
                body = ATR.format(op=mi, mi=mi, code=code, outcome="OK", detail="")
                self.reply(200, body.encode())
            return
        self.reply(404)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    base = tmp_path_factory.mktemp("pki")
    server_ca = trustme.CA()
    client_ca = trustme.CA()
    server_cert = server_ca.issue_cert("127.0.0.1")
    client_cert = client_ca.issue_cert("besace@mairie.test")
    server_ca.cert_pem.write_to_path(base / "ca.pem")
    pem = base / "client.pem"
    client_cert.private_key_and_cert_chain_pem.write_to_path(pem)
    key = serialization.load_pem_private_key(client_cert.private_key_pem.bytes(), None)
    cert = load_pem_x509_certificate(client_cert.cert_chain_pems[0].bytes())
    p12 = base / "client.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"besace",
            key,  # type: ignore[arg-type]
            cert,
            None,
            serialization.BestAvailableEncryption(PASSPHRASE.encode()),
        )
    )
    return {
        "server_ca": server_ca,
        "client_ca": client_ca,
        "server_cert": server_cert,
        "ca": base / "ca.pem",
        "pem": pem,
        "p12": p12,
    }


def _start(kind: str, pki: dict[str, Any]) -> Iterator[FakeSAE]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    pki["server_cert"].configure_cert(context)
    if kind == "vitam":
        pki["client_ca"].configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
    server = FakeSAE(kind, context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture
def vitam(pki: dict[str, Any]) -> Iterator[FakeSAE]:
    yield from _start("vitam", pki)


@pytest.fixture
def asalae(pki: dict[str, Any]) -> Iterator[FakeSAE]:
    yield from _start("asalae", pki)


def vitam_settings(server: FakeSAE, pki: dict[str, Any], **changes: Any) -> ServerSettings:
    settings = ServerSettings(
        name="vitam",
        kind="vitam",
        url=server.url,
        tenant=TENANT,
        access_contract="AC-000001",
        client_certificate=str(pki["pem"]),
        ca_bundle=str(pki["ca"]),
        timeout=1.0,
    )
    return replace(settings, **changes)


def asalae_settings(server: FakeSAE, pki: dict[str, Any]) -> ServerSettings:
    return ServerSettings(
        name="asalae",
        kind="asalae",
        url=server.url,
        username="ws",
        ca_bundle=str(pki["ca"]),
        timeout=1.0,
    )


# -- packages ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("share")
    share = base / "Mairie"
    write(share / "Conseil/délibération 2024-01.txt", "Délibération du conseil municipal\n" * 20)
    write(share / "Conseil/délibération 2024-02.txt", "Séance du 12 février\n" * 30)
    write(share / "Voirie/arrêté.txt", "Arrêté de voirie\n" * 10)
    path = base / "inventory.besace"
    with Project.create(path, MissionIdentity(name="Mairie de Test")) as project:
        run_scan(project, share)
    return path


def make_sip(inventory: Path, dest: Path, message_id: str, profile: str = "vitam") -> Path:
    header = HeaderOptions(
        archival_agency="FRAD045",
        transferring_agency="FRAD045_MAIRIE",
        originating_agency="FRAD045_MAIRIE",
        submission_agency="FRAD045_MAIRIE",
        archival_agreement="IC-000001",
        message_identifier=message_id,
    )
    rules = Management(
        {
            "AppraisalRule": RuleCategory([RuleRef("APP-00001")], final_action="Keep"),
            "AccessRule": RuleCategory([RuleRef("ACC-00001")]),
        }
    )
    with Project.open(inventory) as project:
        planned = plan_transfer(
            project, SubtreeSelection(folder="", management=rules), header, version="2.2"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    return write_package(
        planned.transfer, dest, options=PackOptions(version="2.2", profile=profile)
    ).path


@pytest.fixture
def outbox_project(tmp_path: Path) -> Iterator[Project]:
    with Project.create(tmp_path / "envoi.besace", MissionIdentity(name="Envoi")) as project:
        yield project


def deliver(project: Project, *servers: ServerSettings, options: OutboxOptions = FAST) -> Outbox:
    credentials = Credentials()
    outbox = Outbox(
        project, list(servers), lambda s: make_connector(s, credentials), options=options
    )
    outbox.run()
    return outbox


def only(project: Project) -> Any:
    transfers = list_transfers(project)
    assert len(transfers) == 1
    return transfers[0]


# -- delivery --------------------------------------------------------------------------------------
def test_vitam_delivery_keeps_the_atr(
    vitam: FakeSAE, pki: dict[str, Any], inventory: Path, outbox_project: Project, tmp_path: Path
) -> None:
    sip = make_sip(inventory, tmp_path / "a.zip", "MI-VITAM-1")
    enqueue(outbox_project, sip, "vitam")
    deliver(outbox_project, vitam_settings(vitam, pki))
    t = only(outbox_project)
    assert (t.state, t.reply_code) == ("accepted", "OK")
    assert vitam.deliveries == Counter({"MI-VITAM-1": 1})
    atr = [r for r in replies(outbox_project, t.id) if r.kind == "atr"]
    assert len(atr) == 1
    assert b"<ReplyCode>OK</ReplyCode>" in atr[0].content
    # Sending the same package again sends nothing: it is the same transfer.
    assert enqueue(outbox_project, sip, "vitam").id == t.id
    deliver(outbox_project, vitam_settings(vitam, pki))
    assert vitam.deliveries == Counter({"MI-VITAM-1": 1})


def test_asalae_delivery_with_basic_auth_from_the_keyring(
    asalae: FakeSAE, pki: dict[str, Any], inventory: Path, outbox_project: Project, tmp_path: Path
) -> None:
    Credentials().set("asalae", "password", PASSWORD)
    sip = make_sip(inventory, tmp_path / "a.zip", "MI-ASALAE-1", profile="asalae")
    enqueue(outbox_project, sip, "asalae")
    deliver(outbox_project, asalae_settings(asalae, pki))
    t = only(outbox_project)
    assert (t.state, t.reply_code) == ("accepted", "000")
    assert asalae.deliveries == Counter({"MI-ASALAE-1": 1})


def test_drop_folder_copy_is_atomic_with_a_checksum(
    inventory: Path, outbox_project: Project, tmp_path: Path
) -> None:
    import hashlib

    sip = make_sip(inventory, tmp_path / "a.zip", "MI-DROP-1", profile="generic")
    drop = tmp_path / "depot"
    drop.mkdir()
    enqueue(outbox_project, sip, "depot")
    deliver(outbox_project, ServerSettings(name="depot", kind="folder", url=str(drop)))
    assert only(outbox_project).state == "sent"
    assert sorted(p.name for p in drop.iterdir()) == ["MI-DROP-1.zip", "MI-DROP-1.zip.sha512"]
    digest = hashlib.sha512((drop / "MI-DROP-1.zip").read_bytes()).hexdigest()
    assert (drop / "MI-DROP-1.zip.sha512").read_text() == f"{digest}  MI-DROP-1.zip\n"


# -- faults ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "faults"),
    [
        ("upload", ["500", "500"]),
        ("upload", ["reset"]),
        ("upload", ["timeout"]),  # stored by the server, reply lost: looked up, not resent
        ("upload", ["timeout-before"]),
        ("upload", ["slow"]),
        ("poll", ["503", "503"]),
        ("atr", ["malformed"]),
    ],
)
def test_vitam_faults_are_recovered_without_duplicates(
    vitam: FakeSAE,
    pki: dict[str, Any],
    inventory: Path,
    outbox_project: Project,
    tmp_path: Path,
    key: str,
    faults: list[str],
) -> None:
    vitam.faults[key] = list(faults)
    sip = make_sip(inventory, tmp_path / "a.zip", "MI-FAULT")
    enqueue(outbox_project, sip, "vitam")
    deliver(outbox_project, vitam_settings(vitam, pki))
    t = only(outbox_project)
    assert t.state == "accepted", t.last_error
    assert vitam.deliveries == Counter({"MI-FAULT": 1})
    assert not vitam.faults[key]
    kinds = [r.kind for r in replies(outbox_project, t.id)]
    assert kinds.count("atr") == 1
    if faults == ["malformed"]:
        assert "atr-malformed" in kinds


def test_asalae_reply_lost_after_upload_is_not_sent_twice(
    asalae: FakeSAE, pki: dict[str, Any], inventory: Path, outbox_project: Project, tmp_path: Path
) -> None:
    Credentials().set("asalae", "password", PASSWORD)
    asalae.faults["upload"] = ["timeout", "reset"]
    sip = make_sip(inventory, tmp_path / "a.zip", "MI-ASALAE-2", profile="asalae")
    enqueue(outbox_project, sip, "asalae")
    deliver(outbox_project, asalae_settings(asalae, pki))
    assert only(outbox_project).state == "accepted"
    assert asalae.deliveries == Counter({"MI-ASALAE-2": 1})


def test_refused_credentials_fail_without_retrying(
    vitam: FakeSAE,
    asalae: FakeSAE,
    pki: dict[str, Any],
    inventory: Path,
    outbox_project: Project,
    tmp_path: Path,
) -> None:
    Credentials().set("asalae", "password", "not-the-password")
    vitam.faults["upload"] = ["401"]
    enqueue(outbox_project, make_sip(inventory, tmp_path / "v.zip", "MI-401-V"), "vitam")
    sip = make_sip(inventory, tmp_path / "a.zip", "MI-401-A", profile="asalae")
    enqueue(outbox_project, sip, "asalae")
    deliver(outbox_project, vitam_settings(vitam, pki), asalae_settings(asalae, pki))
    transfers = list_transfers(outbox_project)
    assert [t.state for t in transfers] == ["failed", "failed"]
    assert all("HTTP 401" in (t.last_error or "") for t in transfers)
    assert [t.attempts for t in transfers] == [1, 1]
    assert not vitam.deliveries
    assert not asalae.deliveries
    # Fixed, then retried on demand.
    Credentials().set("asalae", "password", PASSWORD)
    retry(outbox_project, transfers[1].id)
    deliver(outbox_project, asalae_settings(asalae, pki))
    assert list_transfers(outbox_project)[1].state == "accepted"


def test_an_invalid_package_is_never_sent(
    vitam: FakeSAE, pki: dict[str, Any], inventory: Path, outbox_project: Project, tmp_path: Path
) -> None:
    sip = make_sip(inventory, tmp_path / "a.zip", "MI-INVALID")
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(sip) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("content/"):
                data += b"tampered"
            dst.writestr(info, data)
    enqueue(outbox_project, broken, "vitam")
    deliver(outbox_project, vitam_settings(vitam, pki))
    t = only(outbox_project)
    assert t.state == "failed"
    assert "Paquet non valide" in (t.last_error or "")
    assert not vitam.deliveries


def test_a_rejected_package_is_sent_again_as_a_new_version(
    vitam: FakeSAE, pki: dict[str, Any], inventory: Path, outbox_project: Project, tmp_path: Path
) -> None:
    vitam.codes["MI-REJ-1"] = "KO"
    first = make_sip(inventory, tmp_path / "v1.zip", "MI-REJ-1")
    enqueue(outbox_project, first, "vitam")
    deliver(outbox_project, vitam_settings(vitam, pki))
    rejected = only(outbox_project)
    assert (rejected.state, rejected.reply_code) == ("rejected", "KO")
    assert "contrat inconnu" in (rejected.last_error or "")
    # The same MessageIdentifier with other bytes is refused: identifiers stay unique.
    same_id = tmp_path / "v1b.zip"
    same_id.write_bytes(first.read_bytes())
    with zipfile.ZipFile(same_id, "a") as archive:
        archive.comment = b"other bytes"
    with pytest.raises(AppError, match="MI-REJ-1"):
        enqueue(outbox_project, same_id, "vitam")
    fixed = make_sip(inventory, tmp_path / "v2.zip", "MI-REJ-2")
    second = enqueue(outbox_project, fixed, "vitam", replaces=rejected.id)
    assert (second.version, second.replaces_id) == (2, rejected.id)
    deliver(outbox_project, vitam_settings(vitam, pki))
    states = {t.message_identifier: t.state for t in list_transfers(outbox_project)}
    assert states == {"MI-REJ-1": "rejected", "MI-REJ-2": "accepted"}
    assert vitam.deliveries == Counter({"MI-REJ-1": 1, "MI-REJ-2": 1})


def test_tls_is_verified(
    vitam: FakeSAE, pki: dict[str, Any], inventory: Path, outbox_project: Project, tmp_path: Path
) -> None:
    enqueue(outbox_project, make_sip(inventory, tmp_path / "a.zip", "MI-TLS"), "vitam")
    deliver(outbox_project, vitam_settings(vitam, pki, ca_bundle=""))
    t = only(outbox_project)
    assert t.state == "failed"
    assert "certificat" in (t.last_error or "").lower()
    assert not vitam.deliveries


# -- kill -9 ---------------------------------------------------------------------------------
def wait_for(server: FakeSAE, event: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while event not in server.events:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, server.events
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("key", "fault", "event"),
    [
        ("upload", "hold-before", "upload-start"),
        ("upload", "hold", "upload-held"),
        ("poll", "hold", "poll"),
        ("atr", "hold", "atr-requested"),
    ],
)
def test_kill_9_at_any_step_then_send_again(
    vitam: FakeSAE,
    pki: dict[str, Any],
    inventory: Path,
    tmp_path: Path,
    key: str,
    fault: str,
    event: str,
) -> None:
    save_settings(Settings(servers=[vitam_settings(vitam, pki, timeout=20.0)]), settings_file())
    project = tmp_path / "envoi.besace"
    Project.create(project, MissionIdentity(name="Envoi")).close()
    mi = f"MI-KILL-{key}-{fault}"
    sip = make_sip(inventory, tmp_path / "a.zip", mi)
    fast = ("--schemas", str(SCHEMAS), "--poll-interval", "0.05", "--retry-delay", "0.05")
    vitam.faults[key] = [fault]
    process = start_besace("send", str(project), str(sip), "--server", "vitam", *fast)
    try:
        wait_for(vitam, event, process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()
    vitam.release.set()
    again = start_besace("send", str(project), *fast)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, out + err
    conn = sqlite3.connect(project)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        (state, code, tid), *more = conn.execute(
            "SELECT state, reply_code, id FROM transfer"
        ).fetchall()
        kinds = [
            k
            for (k,) in conn.execute(
                "SELECT kind FROM transfer_reply WHERE transfer_id = ?", (tid,)
            )
        ]
    finally:
        conn.close()
    assert not more
    assert (state, code) == ("accepted", "OK")
    assert kinds.count("atr") == 1
    assert vitam.deliveries == Counter({mi: 1})
    show = start_besace("outbox", str(project), "--show", str(tid))
    out, _err = show.communicate(timeout=60)
    assert re.search(r"ReplyCode ?: OK", out), out


# -- secrets ---------------------------------------------------------------------------------
def test_no_secret_in_any_file_or_log(
    vitam: FakeSAE,
    asalae: FakeSAE,
    pki: dict[str, Any],
    inventory: Path,
    tmp_path: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    vitam_args = ["--url", vitam.url, "--tenant", str(TENANT), "--certificate", str(pki["p12"])]
    vitam_args += ["--ca-bundle", str(pki["ca"]), "--access-contract", "AC-000001"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSPHRASE + "\n"))
    assert main(["server", "add", "vitam", "--kind", "vitam", *vitam_args, "--secret-stdin"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    asalae_args = ["--url", asalae.url, "--user", "ws", "--ca-bundle", str(pki["ca"])]
    assert (
        main(["server", "add", "asalae", "--kind", "asalae", *asalae_args, "--secret-stdin"]) == 0
    )
    assert set(memory_keyring.secrets.values()) == {PASSWORD, PASSPHRASE}
    assert main(["server", "test", "vitam"]) == 0
    assert main(["server", "test", "asalae"]) == 0
    project = tmp_path / "envoi.besace"
    Project.create(project, MissionIdentity(name="Envoi")).close()
    v = make_sip(inventory, tmp_path / "v.zip", "MI-SECRET-V")
    a = make_sip(inventory, tmp_path / "a.zip", "MI-SECRET-A", profile="asalae")
    fast = ["--schemas", str(SCHEMAS), "--poll-interval", "0.02", "--retry-delay", "0.02"]
    vitam.faults["upload"] = ["500"]
    assert main(["send", str(project), str(v), "--server", "vitam", *fast]) == 0
    assert main(["send", str(project), str(a), "--server", "asalae", *fast]) == 0
    assert main(["outbox", str(project)]) == 0
    assert main(["outbox", str(project), "--show", "1"]) == 0
    # A refused password: the error is reported and stored, the password is not.
    memory_keyring.secrets[("besace", "server:asalae:password")] = PASSWORD + "-wrong"
    a2 = make_sip(inventory, tmp_path / "a2.zip", "MI-SECRET-A2", profile="asalae")
    assert main(["send", str(project), str(a2), "--server", "asalae", *fast]) == 1
    captured = capsys.readouterr()
    assert "accept" in captured.out
    assert vitam.deliveries["MI-SECRET-V"] == asalae.deliveries["MI-SECRET-A"] == 1
    basic = base64.b64encode(f"ws:{PASSWORD}".encode())
    texts = [captured.out.encode(), captured.err.encode(), caplog.text.encode()]
    config = settings_file().parent
    files = [p for p in [*tmp_path.rglob("*"), *config.rglob("*")] if p.is_file()]
    assert settings_file() in files
    assert any(p.name.startswith("envoi.besace") for p in files)
    texts += [p.read_bytes() for p in files]
    for secret in (PASSWORD.encode(), PASSPHRASE.encode(), basic):
        assert not any(secret in text for text in texts), secret
