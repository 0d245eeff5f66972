"""Safe reading of what comes back from a SAE (ATR) and of the SIP header the outbox needs.

Server replies are untrusted: no entities, no DTD, no network, a size limit.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from app.errors import AppError
from app.i18n import _

MAX_REPLY_BYTES = 64 << 20
MAX_MANIFEST_BYTES = 1 << 30
_SAFE: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
}


class MalformedReply(AppError):
    """The server's reply is not an ArchiveTransferReply we can read."""


@dataclass(frozen=True, slots=True)
class PackageHeader:
    message_identifier: str
    transferring_agency: str
    archival_agency: str
    seda_version: str


@dataclass(frozen=True, slots=True)
class TransferReply:
    """What an ATR says: its code, whether that means archived, and why not."""

    reply_code: str
    outcome: str  # accepted | accepted_warnings | rejected
    message_identifier: str = ""
    request_identifier: str = ""
    events: list[str] = field(default_factory=list)
    system_ids: list[str] = field(default_factory=list)


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if _local(c.tag) == name]


def _text(element: Any, name: str) -> str:
    found = _children(element, name)
    return (found[0].text or "").strip() if found else ""


def parse_reply(data: bytes, *, kind: str) -> TransferReply:
    """Read an ATR from a Vitam (`kind="vitam"`) or As@lae (`kind="asalae"`) server."""
    if len(data) > MAX_REPLY_BYTES:
        raise MalformedReply(_("The server's reply is too large ({n} bytes).").format(n=len(data)))
    try:
        root = etree.fromstring(data, etree.XMLParser(**_SAFE))
    except etree.XMLSyntaxError as exc:
        raise MalformedReply(
            _("The server's reply is not well-formed XML."), details=str(exc)
        ) from exc
    if root is None or _local(root.tag) != "ArchiveTransferReply":
        raise MalformedReply(
            _("The server's reply is not an ArchiveTransferReply (root: {root}).").format(
                root=_local(root.tag) if root is not None else "?"
            )
        )
    code = _text(root, "ReplyCode")
    if not code:
        raise MalformedReply(_("The server's reply has no ReplyCode."))
    events: list[str] = []
    for operation in _children(root, "Operation"):
        for event in _children(operation, "Event"):
            outcome = _text(event, "Outcome")
            if outcome and outcome.upper() == "OK":
                continue
            label = _text(event, "EventType") or _text(event, "EventTypeCode")
            detail = _text(event, "OutcomeDetailMessage") or _text(event, "OutcomeDetail")
            events.append(f"{outcome} {label}: {detail}".strip())
    system_ids = [
        (e.text or "").strip()
        for e in root.iter()
        if _local(e.tag) in ("SystemId", "ArchivalAgencyArchiveUnitIdentifier")
    ]
    normalized = code.upper().removeprefix("TEST ").strip()
    if kind == "asalae":
        outcome = "accepted" if code == "000" else "rejected"
    elif normalized == "OK":
        outcome = "accepted"
    elif normalized == "WARNING":
        outcome = "accepted_warnings"
    elif normalized in ("KO", "FATAL"):
        outcome = "rejected"
    else:
        raise MalformedReply(_("Unknown ReplyCode: {code}.").format(code=code[:80]))
    return TransferReply(
        reply_code=code,
        outcome=outcome,
        message_identifier=_text(root, "MessageIdentifier"),
        request_identifier=_text(root, "MessageRequestIdentifier"),
        events=events,
        system_ids=[s for s in system_ids if s],
    )


def read_header(package: Path) -> PackageHeader:
    """MessageIdentifier, agencies and SEDA version of a SIP zip, read in one streaming pass."""
    try:
        with zipfile.ZipFile(package) as archive:
            names = [n for n in archive.namelist() if "/" not in n and n.endswith("manifest.xml")]
            if len(names) != 1:
                raise AppError(_("{file} has no manifest.xml.").format(file=package.name))
            info = archive.getinfo(names[0])
            if info.file_size > MAX_MANIFEST_BYTES:
                raise AppError(_("The manifest of {file} is too large.").format(file=package.name))
            with archive.open(info) as raw:
                return _header_from(raw, package)
    except (OSError, zipfile.BadZipFile) as exc:
        raise AppError(
            _("{file} is not a readable zip file.").format(file=package.name), details=str(exc)
        ) from exc


def _header_from(raw: io.BufferedIOBase | Any, package: Path) -> PackageHeader:
    values: dict[str, str] = {}
    version = ""
    depth_path: list[str] = []
    try:
        for event, element in etree.iterparse(
            raw,
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
        ):
            name = _local(element.tag)
            if event == "start":
                if not depth_path:
                    namespace = etree.QName(element.tag).namespace or ""
                    version = namespace.rsplit(":v", 1)[-1] if ":v" in namespace else ""
                depth_path.append(name)
                continue
            depth_path.pop()
            if len(depth_path) == 1 and name == "MessageIdentifier":
                values["message"] = (element.text or "").strip()
            elif len(depth_path) == 2 and name == "Identifier":
                if depth_path[1] == "TransferringAgency":
                    values["transferring"] = (element.text or "").strip()
                elif depth_path[1] == "ArchivalAgency":
                    values["archival"] = (element.text or "").strip()
            if len(depth_path) <= 2:
                element.clear()
    except etree.XMLSyntaxError as exc:
        raise AppError(
            _("The manifest of {file} is not well-formed XML.").format(file=package.name),
            details=str(exc),
        ) from exc
    if not values.get("message"):
        raise AppError(
            _("The manifest of {file} has no MessageIdentifier.").format(file=package.name)
        )
    return PackageHeader(
        message_identifier=values["message"],
        transferring_agency=values.get("transferring", ""),
        archival_agency=values.get("archival", ""),
        seda_version=version,
    )
