"""From the project's inventory to a transfer: a folder subtree becomes an archive-unit tree.

Folders become `RecordGrp` units, files `Item` units with one object group each. Until
classification exists, the rules come from the caller (the command line) and apply to the
root unit, from which every unit below inherits them.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from app.errors import AppError
from app.i18n import N_, _
from app.project import Project
from app.project.flags import Bits
from app.project.metadata import metadata_below
from app.project.sources import resolve_source
from app.seda.metadata import from_json
from app.seda.model import (
    Agency,
    ArchiveUnit,
    DataObject,
    Element,
    Management,
    Transfer,
    TransferHeader,
)

# Entries a package leaves out, with the reason the build report gives.
LEFT_OUT_FLAGS: tuple[tuple[int, str], ...] = (
    (Bits.EXCLUDED, N_("excluded")),
    (Bits.TEMPORARY, N_("temporary file")),
    (Bits.SYSTEM, N_("system file")),
    (Bits.UNREADABLE, N_("unreadable")),
    (Bits.SPECIAL, N_("special file")),
    (Bits.SYMLINK, N_("symbolic link")),
    (Bits.EMPTY, N_("empty file")),
)
SUBTREE = (
    "WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT d.id FROM directory d"
    " JOIN sub ON d.parent_id = sub.id WHERE d.state = 'present')"
)
NCNAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(slots=True)
class HeaderOptions:
    archival_agency: str = ""
    transferring_agency: str = ""
    originating_agency: str = ""
    submission_agency: str = ""
    archival_agreement: str = ""
    comment: str = ""
    message_identifier: str = ""
    date: datetime | None = None
    legal_status: str = "Public Archive"
    acquisition_information: str = "Versement"
    archival_profile: str = ""
    reproducible: bool = False  # date and identifier derived from the content


@dataclass(slots=True)
class SubtreeSelection:
    folder: str = ""  # relative path of the folder to transfer; "" for the whole source
    source: str | None = None  # root as recorded by the scan; None when there is one source
    root_level: str = "RecordGrp"
    root_title: str = ""
    management: Management = field(default_factory=Management)
    language: str = "fra"


@dataclass(slots=True)
class LeftOut:
    path: str
    reason: str


@dataclass(slots=True)
class TransferPlan:
    transfer: Transfer
    left_out: list[LeftOut]
    expected_mtimes: dict[str, int]
    notes: list[str] = field(default_factory=list)  # what the archivist should know


def _datetime(ns: int | None) -> datetime | None:
    if ns is None:
        return None
    return datetime.fromtimestamp(ns / 1e9, UTC).astimezone()


def _date(ns: int | None) -> date | None:
    moment = _datetime(ns)
    return moment.date() if moment else None


def plan_transfer(
    project: Project, selection: SubtreeSelection, header: HeaderOptions, *, version: str
) -> TransferPlan:
    source_id, root_raw, root_shown = resolve_source(project, selection.source)
    folder = selection.folder.strip("/")
    row = project.conn.execute(
        "SELECT id FROM directory WHERE source_id = ? AND rel_path = ? AND state = 'present'",
        (source_id, folder),
    ).fetchone()
    if row is None:
        raise AppError(
            _("No folder {folder} in the inventory of {source}.").format(
                folder=folder or "/", source=root_shown
            )
        )
    # Folder rows of the subtree, with their raw names to rebuild exact OS paths.
    dirs = project.conn.execute(
        f"{SUBTREE} SELECT d.id, d.parent_id, d.name, d.rel_path FROM directory d"
        " JOIN sub ON sub.id = d.id ORDER BY d.depth, d.rel_path",
        (int(row[0]),),
    ).fetchall()
    raw_paths: dict[int, bytes] = {}
    units: dict[int, ArchiveUnit] = {}
    counter = Counter()
    root_id = int(row[0])
    for dir_id, parent_id, name, rel in dirs:
        if dir_id == root_id:
            raw_paths[dir_id] = rebuild_path(project, dir_id, root_raw)
        else:
            raw_paths[dir_id] = os.path.join(raw_paths[parent_id], bytes(name))
        title = rel.rsplit("/", 1)[-1] if rel else root_shown.rstrip("/\\").rsplit("/", 1)[-1]
        unit = ArchiveUnit(counter.next("AU"), "RecordGrp", title)
        units[dir_id] = unit
        if dir_id != root_id:
            units[parent_id].children.append(unit)
    root = units[root_id]
    root.level = selection.root_level
    root.management = selection.management

    left_out: list[LeftOut] = []
    expected: dict[str, int] = {}
    files = project.conn.execute(
        f"{SUBTREE} SELECT {FILE_COLUMNS} FROM file f JOIN sub ON sub.id = f.dir_id"
        " WHERE f.state = 'present' ORDER BY f.rel_path",
        (root_id,),
    )
    item_units: dict[int, ArchiveUnit] = {}
    for row in files:
        file_id, dir_id = int(row[0]), int(row[1])
        item = item_from_row(counter, raw_paths[dir_id], row, left_out, expected)
        if item is not None:
            units[dir_id].children.append(item)
            item_units[file_id] = item
    folder_metadata, file_metadata = metadata_below(project.conn, root_id)
    for dir_id, content in folder_metadata.items():
        if dir_id in units:
            apply_metadata(units[dir_id], content)
    for file_id, content in file_metadata.items():
        if file_id in item_units:
            apply_metadata(item_units[file_id], content)
    if selection.root_title:  # the command line wins over stored metadata
        root.title = selection.root_title
    fill_dates(root)
    # Language once, at the top: the units below inherit it in the SAE's reading.
    root.content.append(Element("Language", selection.language))
    return TransferPlan(make_transfer(project, [root], header, version), left_out, expected)


# What `item_from_row` reads of a file row, in this order (the `file` table as `f`).
FILE_COLUMNS = (
    "f.id, f.dir_id, f.name, f.rel_path, f.size, f.mtime_ns, f.sha512, f.puid, f.format_name,"
    " f.format_version, f.mime, f.flags, f.error, f.kind, f.extension"
)


def item_from_row(
    counter: Counter,
    dir_raw: bytes,
    row: Sequence[Any],
    left_out: list[LeftOut],
    expected: dict[str, int],
) -> ArchiveUnit | None:
    """The `Item` of a file row (FILE_COLUMNS), or None when the package must leave it out."""
    (
        _id,
        _dir,
        name,
        rel,
        size,
        mtime_ns,
        sha,
        puid,
        fmt,
        fmt_version,
        mime,
        flags,
        error,
        kind,
        ext,
    ) = row[:15]
    reason = left_out_reason(int(flags), error, kind, sha)
    if reason:
        left_out.append(LeftOut(rel, reason))
        return None
    item = file_item(
        counter,
        os.path.join(dir_raw, bytes(name)),
        rel,
        (size, mtime_ns, sha, puid, fmt, fmt_version, mime, ext),
    )
    expected[item.objects[0].id] = int(mtime_ns)
    return item


def file_item(counter: Counter, source: bytes, rel: str, facts: tuple[Any, ...]) -> ArchiveUnit:
    """The `Item` unit of one inventoried file, with its object group."""
    size, mtime_ns, sha, puid, fmt, fmt_version, mime, ext = facts
    filename = rel.rsplit("/", 1)[-1]
    obj_id = counter.next("BDO")
    obj = DataObject(
        id=obj_id,
        source=source,
        uri=f"content/{obj_id}{'.' + ext if ext else ''}",
        size=int(size),
        sha512=bytes(sha),
        filename=filename,
        mtime_ns=mtime_ns,
        puid=puid or "",
        format_name=" ".join(p for p in (fmt, fmt_version) if p),
        mime=mime or "",
    )
    stem = filename.rsplit(".", 1)[0] if "." in filename[1:] else filename
    day = _date(mtime_ns)
    return ArchiveUnit(
        counter.next("AU"),
        "Item",
        stem or filename,
        start_date=day,
        end_date=day,
        group_id=counter.next("GOT"),
        objects=[obj],
    )


def apply_metadata(unit: ArchiveUnit, content: list[dict[str, Any]]) -> None:
    """The archivist's metadata; a plain Title, level or date replaces the computed one."""
    for element in from_json(content):
        plain = element.text is not None and not element.attrs
        if element.name == "Title" and plain:
            unit.title = str(element.text)
        elif element.name == "DescriptionLevel" and plain:
            unit.level = str(element.text)
        elif element.name in ("StartDate", "EndDate") and plain:
            try:
                day = date.fromisoformat(str(element.text)[:10])
            except ValueError:
                unit.content.append(element)  # the manifest check will point at it
                continue
            if element.name == "StartDate":
                unit.start_date = day
                unit.pinned_dates = True
            else:
                unit.end_date = day
                unit.pinned_dates = True
        else:
            unit.content.append(element)


def rebuild_path(project: Project, dir_id: int, root_raw: bytes) -> bytes:
    """The exact OS path of a folder, from the raw names of its ancestors."""
    names: list[bytes] = []
    current: int | None = dir_id
    while current is not None:
        parent, name = project.conn.execute(
            "SELECT parent_id, name FROM directory WHERE id = ?", (current,)
        ).fetchone()
        if parent is not None:
            names.append(bytes(name))
        current = parent
    return os.path.join(root_raw, *reversed(names)) if names else root_raw


def left_out_reason(flags: int, error: str | None, kind: str, sha: bytes | None) -> str:
    for flag, label in LEFT_OUT_FLAGS:
        if flags & flag:
            return _(label)
    if error or sha is None or kind != "file":
        return _("not read by the scan")
    return ""


def fill_dates(root: ArchiveUnit) -> None:
    """Folder dates span the dates of everything below them."""
    for unit in reversed(root.walk()):
        dates = [d for child in unit.children for d in (child.start_date, child.end_date) if d]
        if dates and not unit.objects and not unit.pinned_dates:
            unit.start_date = min(dates)
            unit.end_date = max(dates)


class Counter:
    def __init__(self) -> None:
        self._n: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        self._n[prefix] = self._n.get(prefix, 0) + 1
        return f"{prefix}{self._n[prefix]}"


def make_transfer(
    project: Project, roots: list[ArchiveUnit], options: HeaderOptions, version: str
) -> Transfer:
    mission = project.mission()
    objects = [o for root in roots for u in root.walk() for o in u.objects]
    moment = options.date or datetime.now(UTC).astimezone().replace(microsecond=0)
    if options.reproducible and options.date is None:
        dated = [o.last_modified for o in objects if o.last_modified is not None]
        moment = max(dated) if dated else datetime(2000, 1, 1, tzinfo=UTC)
    identifier = options.message_identifier or _message_identifier(mission.name, objects, moment)
    archival = options.archival_agency or _identifier_from(mission.archival_agency)
    transferring = options.transferring_agency or _identifier_from(
        mission.transferring_agency or mission.producer
    )
    missing = [
        option
        for option, value in (
            ("--archival-agency", archival),
            ("--transferring-agency", transferring),
        )
        if not value
    ]
    if missing:
        raise AppError(
            _("Give the agency identifiers the SAE knows: {options}.").format(
                options=", ".join(missing)
            )
        )
    header = TransferHeader(
        message_identifier=identifier,
        date=moment,
        archival_agency=Agency(archival, mission.archival_agency),
        transferring_agency=Agency(transferring, mission.transferring_agency),
        comment=options.comment
        or _("Transfer of {title} ({mission})").format(
            title=", ".join(r.title for r in roots), mission=mission.name
        ),
        archival_agreement=options.archival_agreement,
        originating_agency=options.originating_agency
        or _identifier_from(mission.producer)
        or transferring,
        submission_agency=options.submission_agency or transferring,
        acquisition_information=options.acquisition_information,
        legal_status=options.legal_status,
        archival_profile=options.archival_profile,
    )
    return Transfer(header, roots)


def _identifier_from(text: str) -> str:
    """An identifier from a name when the SAE's one is not given (e.g. 'Mairie-de-Ville')."""
    return NCNAME_UNSAFE.sub("-", text.strip()).strip("-")[:64] if text else ""


def _message_identifier(name: str, objects: list[DataObject], moment: datetime) -> str:
    digest = hashlib.sha256()
    for obj in objects:
        digest.update(obj.sha512)
    prefix = _identifier_from(name)[:40] or "Besace"
    return f"{prefix}-{moment.strftime('%Y%m%d%H%M%S')}-{digest.hexdigest()[:8]}"
