"""The outbox: transfers stored in the project, moved through their states one commit at a time.

    prepared ──validate──▶ validated ──upload──▶ sending ──202/200──▶ sent ──ATR──▶ accepted
        │                    ▲   │                  │                   │        accepted_warnings
        ▼                    │   ▼                  ▼                   ▼        rejected
      failed ◀───────────────┴── (network error: back to validated, retried with backoff)

A state is committed before the step that follows it starts, so a crash (even kill -9) leaves
the transfer at a known step. A transfer found in `sending` may have reached the server: the
outbox asks the server first (`lookup`) and never sends blindly again. A package is never sent
unless it passed validation and still has the SHA-512 it had when it was queued.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import AppError
from app.i18n import N_, _
from app.project.store import Project, utc_now
from app.settings import ServerSettings
from app.tasks import CancelToken
from app.transfer.atr import MalformedReply, PackageHeader, parse_reply, read_header
from app.transfer.connectors import Connector, LookupUnsupported, TransferError
from app.transfer.servers import validation_profile

STATES = (
    "prepared",
    "validated",
    "sending",
    "sent",
    "accepted",
    "accepted_warnings",
    "rejected",
    "failed",
)
STATE_LABELS = (
    N_("prepared"),
    N_("validated"),
    N_("sending"),
    N_("sent"),
    N_("accepted"),
    N_("accepted_warnings"),
    N_("rejected"),
    N_("failed"),
)
DONE = ("accepted", "accepted_warnings", "rejected")
_COLUMNS = (
    "id, server, message_identifier, transferring_agency, seda_version, package_path,"
    " package_sha512, package_size, version, replaces_id, state, uncertain, attempts, failures,"
    " polls, next_attempt_at, last_error, operation_id, reply_code, created_at, updated_at"
)


@dataclass(frozen=True, slots=True)
class Transfer:
    id: int
    server: str
    message_identifier: str
    transferring_agency: str
    seda_version: str
    package_path: str
    package_sha512: str
    package_size: int
    version: int
    replaces_id: int | None
    state: str
    uncertain: int
    attempts: int
    failures: int
    polls: int
    next_attempt_at: float | None
    last_error: str | None
    operation_id: str | None
    reply_code: str | None
    created_at: str
    updated_at: str

    @property
    def header(self) -> PackageHeader:
        return PackageHeader(
            self.message_identifier, self.transferring_agency, "", self.seda_version
        )


@dataclass(frozen=True, slots=True)
class StoredReply:
    id: int
    transfer_id: int
    kind: str
    http_status: int | None
    content_type: str
    content: bytes
    received_at: str


@dataclass
class OutboxOptions:
    schemas: Path | None = None
    retry_base: float = 5.0  # seconds before the first retry; doubles each time
    retry_max: float = 900.0
    max_failures: int = 8
    poll_base: float = 1.0  # first status poll; grows by half each time
    poll_max: float = 30.0
    max_polls: int = 2000
    max_wait: float = 120.0  # a run waits for what is due within this delay, not beyond


@dataclass
class RunSummary:
    processed: dict[int, str] = field(default_factory=dict)
    offline: bool = False
    waiting: int = 0  # transfers left for a later run (backoff, slow server)
    messages: list[str] = field(default_factory=list)


Report = Callable[[str], None]


def _row(row: tuple[object, ...]) -> Transfer:
    return Transfer(*row)  # type: ignore[arg-type]


def sha512_file(path: Path) -> str:
    digest = hashlib.sha512()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def get_transfer(project: Project, transfer_id: int) -> Transfer:
    row = project.conn.execute(
        f"SELECT {_COLUMNS} FROM transfer WHERE id = ?", (transfer_id,)
    ).fetchone()
    if row is None:
        raise AppError(_("No transfer #{id} in the outbox.").format(id=transfer_id))
    return _row(row)


def list_transfers(project: Project) -> list[Transfer]:
    rows = project.conn.execute(f"SELECT {_COLUMNS} FROM transfer ORDER BY id").fetchall()
    return [_row(r) for r in rows]


def replies(project: Project, transfer_id: int) -> list[StoredReply]:
    rows = project.conn.execute(
        "SELECT id, transfer_id, kind, http_status, content_type, content, received_at"
        " FROM transfer_reply WHERE transfer_id = ? ORDER BY id",
        (transfer_id,),
    ).fetchall()
    return [StoredReply(*r) for r in rows]


def enqueue(
    project: Project, package: Path, server: str, *, replaces: int | None = None
) -> Transfer:
    """Queue a package for a server. Queuing the same package again returns its transfer."""
    package = package.resolve()
    if not package.is_file():
        raise AppError(_("The package {path} does not exist.").format(path=package))
    header = read_header(package)
    digest = sha512_file(package)
    existing = project.conn.execute(
        f"SELECT {_COLUMNS} FROM transfer WHERE message_identifier = ?",
        (header.message_identifier,),
    ).fetchone()
    if existing is not None:
        found = _row(existing)
        if found.package_sha512 == digest and found.server == server:
            return found
        raise AppError(
            _(
                "The MessageIdentifier {id} is already used by transfer #{n} ({state}). Build the"
                " corrected package with a new message identifier, then send it with"
                " --replaces {n}."
            ).format(id=header.message_identifier, n=found.id, state=_(found.state))
        )
    version = 1
    if replaces is not None:
        old = get_transfer(project, replaces)
        if old.state not in ("rejected", "failed"):
            raise AppError(
                _(
                    "Transfer #{n} is {state}: only a rejected or failed one can be replaced."
                ).format(n=old.id, state=_(old.state))
            )
        if old.package_sha512 == digest:
            raise AppError(_("This is the same package as transfer #{n}.").format(n=old.id))
        version = old.version + 1
    now = utc_now()
    with project.write() as db:
        cursor = db.execute(
            "INSERT INTO transfer (server, message_identifier, transferring_agency, seda_version,"
            " package_path, package_sha512, package_size, version, replaces_id, state,"
            " next_attempt_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'prepared', ?, ?, ?)",
            (
                server,
                header.message_identifier,
                header.transferring_agency,
                header.seda_version,
                str(package),
                digest,
                package.stat().st_size,
                version,
                replaces,
                time.time(),
                now,
                now,
            ),
        )
        new_id = int(cursor.lastrowid or 0)
    return get_transfer(project, new_id)


def retry(project: Project, transfer_id: int) -> Transfer:
    """Send a failed transfer again (after the user fixed the cause), or now instead of later.

    A transfer that failed while uncertain is sent again: the user has checked the server.
    """
    found = get_transfer(project, transfer_id)
    if found.state in DONE:
        raise AppError(
            _("Transfer #{n} is {state}: it will not be sent again.").format(
                n=found.id, state=_(found.state)
            )
        )
    with project.write() as db:
        if found.state == "failed":
            state = "sent" if found.operation_id else "prepared"
            db.execute(
                "UPDATE transfer SET state = ?, failures = 0, polls = 0, uncertain = 0,"
                " next_attempt_at = ?, updated_at = ? WHERE id = ?",
                (state, time.time(), utc_now(), found.id),
            )
        else:
            db.execute(
                "UPDATE transfer SET next_attempt_at = ?, failures = 0, updated_at = ?"
                " WHERE id = ? AND next_attempt_at IS NOT NULL",
                (time.time(), utc_now(), found.id),
            )
    return get_transfer(project, transfer_id)


# -- the run ---------------------------------------------------------------------------------
class Outbox:
    """Delivers the due transfers of one project. Hold the project lock while it runs."""

    def __init__(
        self,
        project: Project,
        servers: list[ServerSettings],
        connector_for: Callable[[ServerSettings], Connector],
        *,
        options: OutboxOptions | None = None,
        token: CancelToken | None = None,
        report: Report | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.project = project
        self.servers = {s.name: s for s in servers}
        self.connector_for = connector_for
        self.options = options or OutboxOptions()
        self.token = token or CancelToken()
        self.report = report or (lambda _message: None)
        self.clock = clock
        self._connectors: dict[str, Connector] = {}
        self._skipped: set[str] = set()

    # -- storage helpers
    def _update(self, db: sqlite3.Connection, transfer_id: int, **values: object) -> None:
        values["updated_at"] = utc_now()
        assignments = ", ".join(f"{k} = ?" for k in values)
        db.execute(
            f"UPDATE transfer SET {assignments} WHERE id = ?", [*values.values(), transfer_id]
        )

    def _store_reply(
        self,
        db: sqlite3.Connection,
        transfer_id: int,
        kind: str,
        content: bytes,
        status: int | None = None,
        content_type: str = "",
    ) -> None:
        db.execute(
            "INSERT INTO transfer_reply (transfer_id, kind, http_status, content_type, content,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?)",
            (transfer_id, kind, status, content_type, content, utc_now()),
        )

    def _fail(self, t: Transfer, reason: str) -> None:
        with self.project.write() as db:
            self._update(db, t.id, state="failed", last_error=reason, next_attempt_at=None)
        self.report(_("#{n} failed: {reason}").format(n=t.id, reason=reason))

    def _backoff(self, t: Transfer, exc: TransferError, *, state: str, uncertain: bool) -> None:
        """A retryable error: try again later, or give up after too many failures."""
        # Being offline is no fault of the transfer: it does not count as a failure.
        failures = t.failures if exc.offline else t.failures + 1
        reason = exc.message
        with self.project.write() as db:
            if exc.reply:
                self._store_reply(db, t.id, "error", exc.reply, exc.status, exc.content_type)
            if failures >= self.options.max_failures:
                self._update(
                    db,
                    t.id,
                    state="failed",
                    uncertain=int(uncertain),
                    failures=failures,
                    last_error=reason,
                    next_attempt_at=None,
                )
            else:
                delay = min(
                    self.options.retry_base * 2 ** max(failures - 1, 0), self.options.retry_max
                )
                self._update(
                    db,
                    t.id,
                    state=state,
                    uncertain=int(uncertain),
                    failures=failures,
                    last_error=reason,
                    next_attempt_at=self.clock() + delay,
                )
        self.report(_("#{n}: {reason}").format(n=t.id, reason=reason))

    # -- public
    def run(self) -> RunSummary:
        summary = RunSummary()
        # Only one run holds the project lock, so a transfer still `sending` was interrupted.
        with self.project.write() as db:
            db.execute(
                "UPDATE transfer SET state = 'validated', uncertain = 1, next_attempt_at = ?"
                " WHERE state = 'sending'",
                (self.clock(),),
            )
        try:
            while True:
                self.token.raise_if_cancelled()
                t = self._next_due()
                if t is None:
                    break
                wait = (t.next_attempt_at or 0.0) - self.clock()
                if wait > self.options.max_wait:
                    break
                if wait > 0:
                    self.token._event.wait(wait)
                    continue
                try:
                    self._step(t)
                except TransferError as exc:
                    if exc.offline:
                        summary.offline = True
                        self._skipped.add(t.server)
                        self.report(
                            _(
                                "Offline: the transfers to {name} will be sent when the network"
                                " is back (run `besace send` again)."
                            ).format(name=t.server)
                        )
                summary.processed[t.id] = get_transfer(self.project, t.id).state
        finally:
            for connector in self._connectors.values():
                connector.close()
        summary.waiting = sum(
            1
            for t in list_transfers(self.project)
            if t.next_attempt_at is not None and t.state != "failed"
        )
        return summary

    def _next_due(self) -> Transfer | None:
        rows = self.project.conn.execute(
            f"SELECT {_COLUMNS} FROM transfer WHERE state IN ('prepared', 'validated', 'sent')"
            " AND next_attempt_at IS NOT NULL ORDER BY next_attempt_at, id"
        ).fetchall()
        for row in rows:
            t = _row(row)
            if t.server in self._skipped:
                continue
            if t.server not in self.servers:
                self._skipped.add(t.server)
                self.report(
                    _("#{n}: the server {name} is not configured; transfer left waiting.").format(
                        n=t.id, name=t.server
                    )
                )
                continue
            return t
        return None

    def _connector(self, name: str) -> Connector:
        if name not in self._connectors:
            self._connectors[name] = self.connector_for(self.servers[name])
        return self._connectors[name]

    def _step(self, t: Transfer) -> None:
        if t.state == "prepared":
            self._validate(t)
        elif t.state == "validated":
            self._send(t)
        elif t.state == "sent":
            self._poll(t)

    def _package_unchanged(self, t: Transfer) -> bool:
        path = Path(t.package_path)
        try:
            same = path.stat().st_size == t.package_size and sha512_file(path) == t.package_sha512
        except OSError:
            self._fail(t, _("The package {path} cannot be read.").format(path=path))
            return False
        if not same:
            self._fail(
                t,
                _("The package {path} changed since it was queued; queue it again.").format(
                    path=path
                ),
            )
        return same

    def _validate(self, t: Transfer) -> None:
        from app.seda.validate import UnusableSipError, validate_sip

        if not self._package_unchanged(t):
            return
        server = self.servers[t.server]
        self.report(_("#{n}: checking {path}").format(n=t.id, path=Path(t.package_path).name))
        try:
            result = validate_sip(
                Path(t.package_path),
                schemas=self.options.schemas,
                profile=validation_profile(server),
            )
        except UnusableSipError as exc:
            self._fail(t, _("Invalid package: {reason}").format(reason=exc.message))
            return
        if not result.valid:
            first = "; ".join(f"{p.where}: {p.message}" for p in result.errors[:3])
            self._fail(
                t,
                _("Invalid package ({n} errors): {first}").format(
                    n=len(result.errors), first=first
                ),
            )
            return
        with self.project.write() as db:
            self._update(db, t.id, state="validated", next_attempt_at=self.clock())

    def _send(self, t: Transfer) -> None:
        if not self._package_unchanged(t):
            return
        connector = self._connector(t.server)
        if t.uncertain:
            # The last upload may have reached the server: ask before sending again.
            try:
                operation = connector.lookup(t.header)
            except LookupUnsupported:
                self._fail(
                    t,
                    _(
                        "The upload was interrupted and the server {name} cannot tell whether it"
                        " received the package. Check on the server, then `besace outbox --retry"
                        " {n}` to send it again."
                    ).format(name=t.server, n=t.id),
                )
                return
            except TransferError as exc:
                if not exc.retryable:
                    self._fail(t, exc.message)
                    return
                self._backoff(t, exc, state="validated", uncertain=True)
                raise_if_offline(exc)
                return
            if operation is not None:
                self.report(_("#{n}: already received by the server.").format(n=t.id))
                self._mark_sent(t, operation, b"", None, "", connector)
                return
        with self.project.write() as db:
            self._update(db, t.id, state="sending", attempts=t.attempts + 1, uncertain=0)
        self.report(_("#{n}: sending to {name}").format(n=t.id, name=t.server))
        try:
            upload = connector.upload(Path(t.package_path), t.header)
        except TransferError as exc:
            if not exc.retryable:
                with self.project.write() as db:
                    if exc.reply:
                        self._store_reply(
                            db, t.id, "error", exc.reply, exc.status, exc.content_type
                        )
                self._fail(t, exc.message)
                return
            self._backoff(t, exc, state="validated", uncertain=exc.uncertain)
            raise_if_offline(exc)
            return
        self._mark_sent(
            t, upload.operation_id, upload.reply, upload.status, upload.content_type, connector
        )

    def _mark_sent(
        self,
        t: Transfer,
        operation: str,
        reply: bytes,
        status: int | None,
        content_type: str,
        connector: Connector,
    ) -> None:
        with self.project.write() as db:
            self._store_reply(db, t.id, "upload", reply, status, content_type)
            self._update(
                db,
                t.id,
                state="sent",
                operation_id=operation,
                uncertain=0,
                failures=0,
                polls=0,
                last_error=None,
                next_attempt_at=(
                    self.clock() + self.options.poll_base if connector.expects_reply else None
                ),
            )
        self.report(_("#{n}: sent (operation {op}).").format(n=t.id, op=operation))

    def _poll(self, t: Transfer) -> None:
        connector = self._connector(t.server)
        try:
            result = connector.poll(t.operation_id or "", t.header)
        except TransferError as exc:
            if not exc.retryable:
                self._fail(t, exc.message)
                return
            self._backoff(t, exc, state="sent", uncertain=False)
            raise_if_offline(exc)
            return
        if result.atr is None:
            polls = t.polls + 1
            if polls >= self.options.max_polls:
                self._fail(
                    t, _("No transfer reply from the server after {n} checks.").format(n=polls)
                )
                return
            delay = min(self.options.poll_base * 1.5**polls, self.options.poll_max)
            with self.project.write() as db:
                self._update(db, t.id, polls=polls, next_attempt_at=self.clock() + delay)
            return
        try:
            parsed = parse_reply(result.atr, kind=connector.kind)
        except MalformedReply as exc:
            with self.project.write() as db:
                self._store_reply(db, t.id, "atr-malformed", result.atr, result.status)
            self._backoff(
                t, TransferError(exc.message, retryable=True), state="sent", uncertain=False
            )
            return
        reason = "; ".join(parsed.events[:5]) or None
        with self.project.write() as db:
            self._store_reply(db, t.id, "atr", result.atr, result.status, "application/xml")
            self._update(
                db,
                t.id,
                state=parsed.outcome,
                reply_code=parsed.reply_code,
                last_error=reason if parsed.outcome != "accepted" else None,
                next_attempt_at=None,
            )
        self.report(
            _("#{n}: {state} (ReplyCode {code}).").format(
                n=t.id, state=_(parsed.outcome), code=parsed.reply_code
            )
        )


def raise_if_offline(exc: TransferError) -> None:
    if exc.offline:
        raise exc
