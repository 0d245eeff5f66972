"""`besace server …`, `besace send …`, `besace outbox …`: the SAE outbox on the command line."""

from __future__ import annotations

import argparse
import getpass
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from app.errors import AppError
from app.i18n import _
from app.paths import settings_file
from app.settings import SERVER_KINDS, ServerSettings, load_settings, save_settings
from app.tasks import CancelToken


def _credentials() -> Any:
    from app.transfer.credentials import Credentials

    return Credentials()


def _secret_kind(server: ServerSettings) -> str:
    return "password" if server.kind == "asalae" else "passphrase"


def _read_secret(args: argparse.Namespace, label: str) -> str | None:
    if getattr(args, "secret_stdin", False):
        return sys.stdin.readline().rstrip("\r\n")
    if getattr(args, "ask_secret", False):
        return getpass.getpass(label + " ")
    return None


def _warn_insecure() -> None:
    print(
        _(
            "No secure keyring on this computer: the secret is kept in memory for this session"
            " only, never written; it will be asked again next time."
        ),
        file=sys.stderr,
    )


# -- server ------------------------------------------------------------------------------------
def cmd_server_add(args: argparse.Namespace) -> int:
    from app.transfer.servers import check_server

    path = settings_file()
    settings = load_settings(path)
    server = ServerSettings(
        name=args.name,
        kind=args.kind,
        url=args.url,
        admin_url=args.admin_url or "",
        tenant=args.tenant,
        context=args.context,
        access_contract=args.access_contract or "",
        client_certificate=str(Path(args.certificate).resolve()) if args.certificate else "",
        client_key=str(Path(args.key).resolve()) if args.key else "",
        ca_bundle=str(Path(args.ca_bundle).resolve()) if args.ca_bundle else "",
        username=args.user or "",
        hash_password=args.hash_password,
        timeout=args.timeout,
    )
    check_server(server)
    secret = _read_secret(
        args,
        _("Password:") if server.kind == "asalae" else _("Certificate passphrase:"),
    )
    settings.servers = [s for s in settings.servers if s.name != server.name] + [server]
    save_settings(settings, path)
    if secret and not _credentials().set(server.name, _secret_kind(server), secret):
        _warn_insecure()
    print(_("Server {name} saved.").format(name=server.name))
    return 0


def cmd_server_list(args: argparse.Namespace) -> int:
    settings = load_settings(settings_file())
    if not settings.servers:
        print(_("No server configured (besace server add …)."))
    for s in settings.servers:
        extra = f" tenant={s.tenant} context={s.context}" if s.kind == "vitam" else ""
        print(f"{s.name}\t{s.kind}\t{s.url}{extra}")
    return 0


def cmd_server_remove(args: argparse.Namespace) -> int:
    from app.transfer.servers import find_server

    path = settings_file()
    settings = load_settings(path)
    find_server(settings, args.name)
    settings.servers = [s for s in settings.servers if s.name != args.name]
    save_settings(settings, path)
    _credentials().delete(args.name)
    print(_("Server {name} removed.").format(name=args.name))
    return 0


def _connector_factory(credentials: Any, args: argparse.Namespace) -> Any:
    from app.transfer.connectors import make_connector

    def make(server: ServerSettings) -> Any:
        kind = _secret_kind(server)
        needs = server.kind == "asalae" or (
            server.kind == "vitam" and server.client_certificate.lower().endswith((".p12", ".pfx"))
        )
        if needs and credentials.get(server.name, kind) is None:
            secret = _read_secret(args, _("Secret for the server {name}:").format(name=server.name))
            if secret:
                credentials.remember(server.name, kind, secret)
        return make_connector(server, credentials)

    return make


def cmd_server_test(args: argparse.Namespace) -> int:
    from app.transfer.servers import find_server

    server = find_server(load_settings(settings_file()), args.name)
    connector = _connector_factory(_credentials(), args)(server)
    try:
        answer = connector.check()
    finally:
        connector.close()
    print(_("Server {name} reachable: {answer}").format(name=server.name, answer=answer))
    return 0


# -- send and outbox -----------------------------------------------------------------------------
def _when(epoch: float | None) -> str:
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def cmd_send(args: argparse.Namespace) -> int:
    from app.project import Project
    from app.project.lock import ProjectLock
    from app.transfer.outbox import Outbox, OutboxOptions, enqueue
    from app.transfer.servers import find_server

    settings = load_settings(settings_file())
    project_path = Path(args.project)
    if args.packages and not args.server:
        raise AppError(_("Name the server to send the packages to (--server NAME)."))
    if args.server:
        find_server(settings, args.server)
    options = OutboxOptions(schemas=Path(args.schemas) if args.schemas else None)
    if args.poll_interval is not None:
        options.poll_base = args.poll_interval
        options.poll_max = max(args.poll_interval, 0.01) * 4
    if args.retry_delay is not None:
        options.retry_base = args.retry_delay
    if args.no_wait:
        options.max_wait = 0.0
    token = CancelToken()

    def on_interrupt(_signum: int, _frame: FrameType | None) -> None:
        if token.cancelled:
            raise KeyboardInterrupt
        sys.stderr.write("\n" + _("Stopping… (run `besace send` again to resume)") + "\n")
        token.cancel()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    credentials = _credentials()
    try:
        with ProjectLock(project_path), Project.open(project_path) as project:
            for package in args.packages:
                t = enqueue(project, Path(package), args.server, replaces=args.replaces)
                print(
                    _("#{n} {id} queued for {server} ({state}).").format(
                        n=t.id, id=t.message_identifier, server=t.server, state=_(t.state)
                    )
                )
            outbox = Outbox(
                project,
                settings.servers,
                _connector_factory(credentials, args),
                options=options,
                token=token,
                report=lambda message: print(message, flush=True),
            )
            summary = outbox.run()
            if not credentials.secure and any(s.kind == "asalae" for s in settings.servers):
                _warn_insecure()
            if summary.waiting:
                print(
                    _(
                        "{n} transfers are waiting (retry or reply later): run `besace send` again."
                    ).format(n=summary.waiting)
                )
            failed = [s for s in summary.processed.values() if s in ("failed", "rejected")]
    finally:
        signal.signal(signal.SIGINT, previous)
    if summary.offline:
        return 3
    return 1 if failed else 0


def cmd_outbox(args: argparse.Namespace) -> int:
    from app.project import Project
    from app.transfer.atr import MalformedReply, parse_reply
    from app.transfer.outbox import get_transfer, list_transfers, replies, retry

    with Project.open(Path(args.project)) as project:
        if args.retry is not None:
            t = retry(project, args.retry)
            print(_("#{n} will be sent again ({state}).").format(n=t.id, state=_(t.state)))
            return 0
        if args.show is not None:
            t = get_transfer(project, args.show)
            stored = replies(project, t.id)
            atrs = [r for r in stored if r.kind == "atr"] or [
                r for r in stored if r.kind == "atr-malformed"
            ]
            print(f"#{t.id} {t.message_identifier} → {t.server}: {_(t.state)}")
            if t.last_error:
                print("  " + t.last_error)
            if not atrs:
                print(_("No transfer reply (ATR) yet."))
                return 0 if stored else 1
            atr = atrs[-1]
            if args.raw:
                sys.stdout.write(atr.content.decode("utf-8", "replace"))
                return 0
            server_kind = "asalae" if t.operation_id == t.message_identifier else "vitam"
            try:
                parsed = parse_reply(atr.content, kind=server_kind)
            except MalformedReply as exc:
                print(_("Unreadable reply: {message}").format(message=exc.message))
                return 1
            print(
                _("ReplyCode: {code} (received {when})").format(
                    code=parsed.reply_code, when=atr.received_at
                )
            )
            for event in parsed.events:
                print("  " + event)
            for system_id in parsed.system_ids[:1]:
                print(_("Archive identifier: {id}").format(id=system_id))
            return 0
        transfers = list_transfers(project)
        if not transfers:
            print(_("The outbox is empty."))
        for t in transfers:
            line = (
                f"#{t.id}\t{t.message_identifier}\tv{t.version}\t{t.server}\t{_(t.state)}"
                f"\t{t.reply_code or ''}"
            )
            if t.next_attempt_at is not None and t.state not in ("failed",):
                line += "\t" + _("next: {when}").format(when=_when(t.next_attempt_at))
            print(line)
            if t.last_error:
                print("\t" + t.last_error)
    return 0


def add_transfer_commands(sub: Any) -> None:
    """Register `server`, `send` and `outbox` on the `besace` subparsers."""
    p = sub.add_parser("server", help=_("configure the archiving systems (SAE) to send to"))
    actions = p.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help=_("add or replace a server"))
    add.add_argument("name", metavar=_("NAME"))
    add.add_argument("--kind", choices=SERVER_KINDS, required=True)
    add.add_argument("--url", required=True, help=_("https address, or the drop folder"))
    add.add_argument("--admin-url", help=_("Vitam: access-external address (default: --url)"))
    add.add_argument("--tenant", type=int, default=0, help=_("Vitam tenant"))
    add.add_argument("--context", default="DEFAULT_WORKFLOW", help=_("Vitam workflow"))
    add.add_argument("--access-contract", help=_("Vitam access contract (to look transfers up)"))
    add.add_argument("--certificate", metavar=_("FILE"), help=_("client certificate (.p12 or PEM)"))
    add.add_argument("--key", metavar=_("FILE"), help=_("PEM private key, if separate"))
    add.add_argument("--ca-bundle", metavar=_("FILE"), help=_("extra CA certificates to trust"))
    add.add_argument("--user", help=_("As@lae web-service user"))
    add.add_argument(
        "--hash-password", action="store_true", help=_("send the SHA-256 of the password")
    )
    add.add_argument("--timeout", type=float, default=60.0, help=_("seconds"))
    add.add_argument("--ask-secret", action="store_true", help=_("ask the password or passphrase"))
    add.add_argument(
        "--secret-stdin", action="store_true", help=_("read the password or passphrase on stdin")
    )
    add.set_defaults(func=cmd_server_add)
    lst = actions.add_parser("list", help=_("list the servers"))
    lst.set_defaults(func=cmd_server_list)
    rm = actions.add_parser("remove", help=_("remove a server and its secrets"))
    rm.add_argument("name", metavar=_("NAME"))
    rm.set_defaults(func=cmd_server_remove)
    test = actions.add_parser("test", help=_("test the connection and the credentials"))
    test.add_argument("name", metavar=_("NAME"))
    test.add_argument("--ask-secret", action="store_true", help=argparse.SUPPRESS)
    test.add_argument("--secret-stdin", action="store_true", help=argparse.SUPPRESS)
    test.set_defaults(func=cmd_server_test)

    p = sub.add_parser("send", help=_("queue packages and deliver the outbox"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("packages", nargs="*", metavar=_("PACKAGE.zip"))
    p.add_argument("--server", metavar=_("NAME"))
    p.add_argument(
        "--replaces", type=int, metavar="ID", help=_("new version of a rejected transfer")
    )
    p.add_argument("--schemas", metavar=_("FOLDER"), help=_("SEDA XSD folder"))
    p.add_argument("--no-wait", action="store_true", help=_("do not wait for replies or retries"))
    p.add_argument("--ask-secret", action="store_true", help=_("ask the password or passphrase"))
    p.add_argument("--secret-stdin", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--poll-interval", type=float, help=argparse.SUPPRESS)
    p.add_argument("--retry-delay", type=float, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_send)

    p = sub.add_parser("outbox", help=_("the transfers of a project and their replies"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("--retry", type=int, metavar="ID", help=_("send a failed transfer again"))
    p.add_argument("--show", type=int, metavar="ID", help=_("print the transfer reply (ATR)"))
    p.add_argument("--raw", action="store_true", help=_("with --show: the XML as received"))
    p.set_defaults(func=cmd_outbox)
