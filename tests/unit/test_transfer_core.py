"""The transfer core without a network: ATR parsing, schema upgrade, settings, keyring, offline."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import httpx
import keyring.backends.null
import pytest

from app.errors import AppError
from app.project import MissionIdentity, Project
from app.project.migrations import LATEST_VERSION, MIGRATIONS
from app.project.store import APPLICATION_ID
from app.settings import ServerSettings, Settings, load_settings, save_settings
from app.transfer.atr import MalformedReply, parse_reply
from app.transfer.connectors import TransferError, _network_error
from app.transfer.credentials import Credentials
from app.transfer.servers import check_server

NS = "fr:gouv:culture:archivesdefrance:seda:v2.1"


def atr(code: str, extra: str = "") -> bytes:
    return (
        f'<ArchiveTransferReply xmlns="{NS}"><MessageIdentifier>op1</MessageIdentifier>'
        f"<ReplyCode>{code}</ReplyCode>{extra}"
        "<MessageRequestIdentifier>MI-1</MessageRequestIdentifier></ArchiveTransferReply>"
    ).encode()


@pytest.mark.parametrize(
    ("kind", "code", "outcome"),
    [
        ("vitam", "OK", "accepted"),
        ("vitam", "WARNING", "accepted_warnings"),
        ("vitam", "KO", "rejected"),
        ("vitam", "FATAL", "rejected"),
        ("vitam", "Test OK", "accepted"),
        ("asalae", "000", "accepted"),
        ("asalae", "300", "rejected"),
    ],
)
def test_reply_codes(kind: str, code: str, outcome: str) -> None:
    reply = parse_reply(atr(code), kind=kind)
    assert (reply.reply_code, reply.outcome, reply.request_identifier) == (code, outcome, "MI-1")


def test_reported_errors_are_read() -> None:
    events = (
        "<Operation><Event><EventType>Contrôle du contrat</EventType><Outcome>KO</Outcome>"
        "<OutcomeDetailMessage>Contrat inconnu</OutcomeDetailMessage></Event>"
        "<Event><EventType>Antivirus</EventType><Outcome>OK</Outcome></Event></Operation>"
    )
    reply = parse_reply(atr("KO", events), kind="vitam")
    assert reply.events == ["KO Contrôle du contrat: Contrat inconnu"]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<ArchiveTransferReply><ReplyCode>OK</Rep",
        b"<Acknowledgement><ReplyCode>OK</ReplyCode></Acknowledgement>",
        b"<ArchiveTransferReply/>",
        atr("MAYBE"),
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<ArchiveTransferReply><ReplyCode>&x;</ReplyCode></ArchiveTransferReply>",
    ],
)
def test_malformed_or_hostile_replies_are_refused(data: bytes) -> None:
    with pytest.raises(MalformedReply):
        parse_reply(data, kind="vitam")


def test_a_version_2_project_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "old.besace"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    for number in (1, 2):
        conn.executescript(MIGRATIONS[number])
    conn.execute("PRAGMA user_version=2")
    conn.execute(
        "INSERT INTO mission (id, name, created_at, updated_at) VALUES (1, 'Mairie', 'x', 'x')"
    )
    conn.commit()
    conn.close()
    with Project.open(path) as project:
        assert project.schema_version == LATEST_VERSION
        assert project.mission().name == "Mairie"
        assert project.conn.execute("SELECT count(*) FROM transfer").fetchone()[0] == 0
        assert project.conn.execute("SELECT count(*) FROM transfer_reply").fetchone()[0] == 0


def test_message_identifiers_are_unique(project: Project) -> None:
    row = ("s", "MI-1", "p", "abc", 1, "prepared", "now", "now")
    sql = (
        "INSERT INTO transfer (server, message_identifier, package_path, package_sha512,"
        " package_size, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    with project.write() as db:
        db.execute(sql, row)
    with pytest.raises(sqlite3.IntegrityError), project.write() as db:
        db.execute(sql, row)


def test_settings_without_servers_load_and_servers_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('schema_version = 1\nlanguage = "fr"\n', encoding="utf-8")
    assert load_settings(path).servers == []
    server = ServerSettings(name="sae", kind="asalae", url="https://sae.test", username="ws")
    save_settings(Settings(servers=[server]), path)
    assert load_settings(path).servers == [server]


@pytest.mark.parametrize(
    "server",
    [
        ServerSettings(name="a", kind="asalae", url="http://sae.test", username="ws"),
        ServerSettings(name="v", kind="vitam", url="https://sae.test"),
        ServerSettings(name="x:y", kind="folder", url="/tmp"),
        ServerSettings(name="z", kind="ftp", url="ftp://sae.test"),
    ],
)
def test_unsafe_or_incomplete_servers_are_refused(server: ServerSettings) -> None:
    with pytest.raises(AppError):
        check_server(server)


def test_without_a_secure_keyring_secrets_stay_in_memory() -> None:
    credentials = Credentials(keyring.backends.null.Keyring())
    assert not credentials.secure
    assert credentials.set("sae", "password", "hunter2") is False
    assert credentials.get("sae", "password") == "hunter2"
    assert Credentials(keyring.backends.null.Keyring()).get("sae", "password") is None


def test_an_unreachable_network_is_offline_not_a_failure() -> None:
    server = ServerSettings(name="sae")
    cause = OSError(errno.ENETUNREACH, "Network is unreachable")
    exc = httpx.ConnectError("unreachable")
    exc.__cause__ = cause
    error = _network_error(exc, server)
    assert isinstance(error, TransferError)
    assert (error.offline, error.retryable, error.uncertain) == (True, True, False)
    refused = _network_error(httpx.ConnectError("refused"), server)
    assert (refused.offline, refused.retryable, refused.uncertain) == (False, True, False)
    broken = _network_error(httpx.ReadTimeout("slow"), server)
    assert (broken.offline, broken.uncertain) == (False, True)


def test_offline_transfers_wait_without_counting_failures(tmp_path: Path) -> None:
    from app.transfer.atr import PackageHeader
    from app.transfer.connectors import Connector, Poll, Upload
    from app.transfer.outbox import Outbox, OutboxOptions, list_transfers

    class Offline(Connector):
        kind = "vitam"

        def check(self) -> str:
            return ""

        def upload(self, package: Path, header: PackageHeader, *, dry_run: bool = False) -> Upload:
            raise TransferError("offline", retryable=True, offline=True)

        def lookup(self, header: PackageHeader) -> str | None:
            return None

        def poll(self, operation_id: str, header: PackageHeader) -> Poll:
            return Poll(None)

    with Project.create(tmp_path / "p.besace", MissionIdentity(name="x")) as project:
        with project.write() as db:
            db.execute(
                "INSERT INTO transfer (server, message_identifier, package_path, package_sha512,"
                " package_size, state, next_attempt_at, created_at, updated_at)"
                " VALUES ('sae', 'MI', ?, ?, 0, 'validated', 0, 'now', 'now')",
                (str(tmp_path / "empty.zip"), _empty_sha(tmp_path / "empty.zip")),
            )
        server = ServerSettings(name="sae", kind="vitam", url="https://sae.test")
        summary = Outbox(project, [server], Offline, options=OutboxOptions(retry_base=0.01)).run()
        assert summary.offline
        (t,) = list_transfers(project)
        assert (t.state, t.failures, t.attempts) == ("validated", 0, 1)
        assert t.next_attempt_at is not None


def _empty_sha(path: Path) -> str:
    import hashlib

    path.write_bytes(b"")
    return hashlib.sha512(b"").hexdigest()
