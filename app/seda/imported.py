"""Trees imported from elsewhere (a Resip CSV, an existing SIP): kept in the project, read back,
and turned into a transfer for the same package builder as `besace build`.

An imported tree is not the scanned inventory: its units carry their own descriptive
metadata (the element list of `unit_metadata`), their management rules and their objects,
whose files stay where they are (CSV) or were extracted beside the project (SIP).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from app.errors import AppError
from app.i18n import _
from app.project import Project
from app.project.store import utc_now
from app.seda.from_project import HeaderOptions, _identifier_from
from app.seda.metadata import from_json, to_json
from app.seda.model import (
    Agency,
    ArchiveUnit,
    DataObject,
    Element,
    Management,
    PhysicalObject,
    RuleCategory,
    RuleRef,
    Transfer,
    TransferHeader,
    walk_tree,
)

KINDS = ("resip_csv", "sip")
STAGING_PREFIX = ".staging-"
# Header fields kept from a SIP (or given at export), by TransferHeader attribute.
HEADER_FIELDS = (
    "message_identifier",
    "date",
    "comment",
    "archival_agreement",
    "archival_agency",
    "transferring_agency",
    "originating_agency",
    "submission_agency",
    "acquisition_information",
    "legal_status",
    "archival_profile",
)


@dataclass(slots=True)
class ImportedObject:
    """A binary object (a file on disk) or a physical one (a description only)."""

    kind: str  # "binary" or "physical"
    usage_version: str  # e.g. BinaryMaster_1
    path: str = ""  # absolute, or relative to the package's files folder
    size: int | None = None
    sha512: bytes | None = None
    original_digest: str = ""  # as the source gave it (SIP), with its algorithm
    original_algorithm: str = ""
    puid: str = ""
    format_name: str = ""
    mime: str = ""
    filename: str = ""
    last_modified: str | None = None  # ISO 8601
    physical: list[Element] = field(default_factory=list)  # PhysicalId, PhysicalDimensions…


@dataclass(slots=True)
class ImportedUnit:
    key: str  # the unit's id in its source: CSV ID or path, XML id
    level: str
    title: str  # the first Title without attributes; other Titles stay in `content`
    content: list[Element] = field(default_factory=list)
    management: Management | None = None
    children: list[ImportedUnit] = field(default_factory=list)
    objects: list[ImportedObject] = field(default_factory=list)
    series_id: int | None = None

    def walk(self) -> list[ImportedUnit]:
        return walk_tree(self)


@dataclass(slots=True)
class ImportedTree:
    kind: str
    origin: str
    units: list[ImportedUnit]
    seda_version: str = ""
    label: str = ""
    header: dict[str, Any] = field(default_factory=dict)
    origin_sha512: bytes | None = None
    warnings: list[str] = field(default_factory=list)  # reported once, not stored

    def all_units(self) -> list[ImportedUnit]:
        return [unit for root in self.units for unit in root.walk()]


@dataclass(frozen=True, slots=True)
class ImportedSummary:
    id: int
    kind: str
    origin: str
    seda_version: str
    label: str
    imported_at: str
    units: int
    objects: int
    physical_objects: int
    bytes: int
    files_dir: Path | None


def split_title_level(
    elements: list[Element],
) -> tuple[str | None, str | None, list[Element]]:
    """(DescriptionLevel, first plain Title, the other elements) of a unit's content."""
    level: str | None = None
    title: str | None = None
    rest: list[Element] = []
    for element in elements:
        plain = element.text is not None and not element.attrs and not element.children
        if element.name == "DescriptionLevel" and level is None and plain:
            level = str(element.text)
        elif element.name == "Title" and title is None and plain:
            title = str(element.text)
        else:
            rest.append(element)
    return level, title, rest


def display_title(unit: ImportedUnit) -> str:
    if unit.title:
        return unit.title
    return next((str(e.text) for e in unit.content if e.name == "Title" and e.text), "")


# -- management as JSON ---------------------------------------------------------------------------
def management_to_json(management: Management) -> dict[str, Any]:
    return {
        "categories": {
            name: {
                "rules": [
                    {
                        "rule": rule.rule_id,
                        **({"start_date": rule.start_date.isoformat()} if rule.start_date else {}),
                        **({"fields": dict(rule.fields)} if rule.fields else {}),
                    }
                    for rule in category.rules
                ],
                "prevent_inheritance": category.prevent_inheritance,
                "ref_non_rule_ids": list(category.ref_non_rule_ids),
                "final_action": category.final_action,
                "fields": dict(category.fields),
            }
            for name, category in management.categories.items()
        },
        "need_authorization": management.need_authorization,
    }


def management_from_json(data: dict[str, Any]) -> Management:
    categories: dict[str, RuleCategory] = {}
    for name, item in data.get("categories", {}).items():
        rules = [
            RuleRef(
                str(rule["rule"]),
                date.fromisoformat(rule["start_date"]) if rule.get("start_date") else None,
                dict(rule.get("fields", {})),
            )
            for rule in item.get("rules", [])
        ]
        categories[str(name)] = RuleCategory(
            rules,
            bool(item.get("prevent_inheritance", False)),
            [str(ref) for ref in item.get("ref_non_rule_ids", [])],
            item.get("final_action"),
            dict(item.get("fields", {})),
        )
    need = data.get("need_authorization")
    return Management(categories, None if need is None else bool(need))


# -- where the files go ---------------------------------------------------------------------------
def imports_folder(project: Project) -> Path:
    """`<project file>.files/imports/`, beside the project file."""
    return project.path.parent / f"{project.path.name}.files" / "imports"


def new_staging_folder(project: Project) -> Path:
    """An empty folder for files being extracted; renamed to the package's folder on success.

    Leftovers of imports that were killed are removed first: no package ever points to them.
    """
    folder = imports_folder(project)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(f"{STAGING_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=folder))
    except OSError as exc:
        raise AppError(
            _("Cannot create the folder {path} for the imported files.").format(path=folder),
            details=str(exc),
        ) from exc


def discard_staging(staged: Path | None) -> None:
    if staged is not None:
        shutil.rmtree(staged, ignore_errors=True)


def _files_dir(project: Project, stored: str | None) -> Path | None:
    return project.path.parent / stored if stored else None


# -- saving ---------------------------------------------------------------------------------------
def save_tree(project: Project, tree: ImportedTree, staged: Path | None = None) -> int:
    """Store a checked tree in one transaction; the staged files become the package's folder.

    Either everything lands (rows and folder) or nothing does.
    """
    if tree.kind not in KINDS:
        raise ValueError(f"unknown import kind {tree.kind!r}")
    final: Path | None = None
    try:
        with project.write() as db:
            cursor = db.execute(
                "INSERT INTO imported_package (kind, origin, origin_sha512, seda_version, label,"
                " header, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    tree.kind,
                    tree.origin,
                    tree.origin_sha512,
                    tree.seda_version,
                    tree.label,
                    json.dumps(tree.header, ensure_ascii=False),
                    utc_now(),
                ),
            )
            package_id = int(cursor.lastrowid or 0)
            _insert_units(db, package_id, tree.units)
            if staged is not None:
                relative = f"{project.path.name}.files/imports/{package_id}"
                final = project.path.parent / relative
                if final.exists():
                    raise AppError(
                        _("{path} already exists; move it away, then import again.").format(
                            path=final
                        )
                    )
                db.execute(
                    "UPDATE imported_package SET files_dir = ? WHERE id = ?",
                    (relative, package_id),
                )
                os.replace(staged, final)
    except BaseException:
        if final is not None and final.exists() and staged is not None and not staged.exists():
            with contextlib.suppress(OSError):
                os.replace(final, staged)  # the rows are rolled back: the folder goes too
        discard_staging(staged)
        raise
    return package_id


def _insert_units(db: Any, package_id: int, roots: list[ImportedUnit]) -> None:
    # Iterative, parents before children, so a deep tree cannot exhaust the recursion limit.
    pending: list[tuple[ImportedUnit, int | None, int]] = [
        (unit, None, position) for position, unit in reversed(list(enumerate(roots)))
    ]
    while pending:
        unit, parent_id, position = pending.pop()
        cursor = db.execute(
            "INSERT INTO imported_unit (package_id, parent_id, position, key, level, title,"
            " content, management, series_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                package_id,
                parent_id,
                position,
                unit.key,
                unit.level,
                unit.title,
                json.dumps(to_json(unit.content), ensure_ascii=False),
                None
                if unit.management is None
                else json.dumps(management_to_json(unit.management), ensure_ascii=False),
                unit.series_id,
            ),
        )
        unit_id = int(cursor.lastrowid or 0)
        db.executemany(
            "INSERT INTO imported_object (unit_id, position, kind, usage_version, path, size,"
            " sha512, original_digest, original_algorithm, puid, format_name, mime, filename,"
            " last_modified, physical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    unit_id,
                    index,
                    obj.kind,
                    obj.usage_version,
                    obj.path if obj.kind == "binary" else None,
                    obj.size,
                    obj.sha512,
                    obj.original_digest or None,
                    obj.original_algorithm or None,
                    obj.puid,
                    obj.format_name,
                    obj.mime,
                    obj.filename,
                    obj.last_modified,
                    json.dumps(to_json(obj.physical), ensure_ascii=False)
                    if obj.kind == "physical"
                    else None,
                )
                for index, obj in enumerate(unit.objects)
            ],
        )
        pending.extend(
            (child, unit_id, index) for index, child in reversed(list(enumerate(unit.children)))
        )


def fill_formats_from_inventory(project: Project, tree: ImportedTree) -> int:
    """Formats the scan identified, for imported files it also read (same SHA-512)."""
    found = 0
    for unit in tree.all_units():
        for obj in unit.objects:
            if obj.kind != "binary" or obj.puid or obj.sha512 is None:
                continue
            row = project.conn.execute(
                "SELECT puid, format_name, format_version, mime FROM file"
                " WHERE sha512 = ? AND puid IS NOT NULL AND puid != '' LIMIT 1",
                (obj.sha512,),
            ).fetchone()
            if row is None:
                continue
            puid, name, version, mime = row
            obj.puid = puid
            obj.format_name = obj.format_name or " ".join(p for p in (name, version) if p)
            obj.mime = obj.mime or mime or ""
            found += 1
    return found


# -- reading --------------------------------------------------------------------------------------
_SUMMARY = (
    "SELECT p.id, p.kind, p.origin, p.seda_version, p.label, p.imported_at, p.files_dir,"
    " (SELECT COUNT(*) FROM imported_unit u WHERE u.package_id = p.id),"
    " (SELECT COUNT(*) FROM imported_object o JOIN imported_unit u ON u.id = o.unit_id"
    "  WHERE u.package_id = p.id AND o.kind = 'binary'),"
    " (SELECT COUNT(*) FROM imported_object o JOIN imported_unit u ON u.id = o.unit_id"
    "  WHERE u.package_id = p.id AND o.kind = 'physical'),"
    " (SELECT COALESCE(SUM(o.size), 0) FROM imported_object o JOIN imported_unit u"
    "  ON u.id = o.unit_id WHERE u.package_id = p.id)"
    " FROM imported_package p"
)


def _summary(project: Project, row: Any) -> ImportedSummary:
    (pid, kind, origin, version, label, imported_at, files_dir, units, objects, physical, size) = (
        row
    )
    return ImportedSummary(
        int(pid),
        kind,
        origin,
        version,
        label,
        imported_at,
        int(units),
        int(objects),
        int(physical),
        int(size),
        _files_dir(project, files_dir),
    )


def list_packages(project: Project) -> list[ImportedSummary]:
    rows = project.conn.execute(_SUMMARY + " ORDER BY p.id").fetchall()
    return [_summary(project, row) for row in rows]


def package_summary(project: Project, package_id: int) -> ImportedSummary:
    row = project.conn.execute(_SUMMARY + " WHERE p.id = ?", (package_id,)).fetchone()
    if row is None:
        raise AppError(
            _("No imported package #{id} in this project (see `besace imported list`).").format(
                id=package_id
            )
        )
    return _summary(project, row)


def load_tree(project: Project, package_id: int) -> ImportedTree:
    package_summary(project, package_id)  # names a missing package
    kind, origin, version, label, header, digest = project.conn.execute(
        "SELECT kind, origin, seda_version, label, header, origin_sha512 FROM imported_package"
        " WHERE id = ?",
        (package_id,),
    ).fetchone()
    units: dict[int, ImportedUnit] = {}
    roots: list[ImportedUnit] = []
    # Parents always have smaller ids than their children: they were inserted first.
    for (
        unit_id,
        parent_id,
        key,
        level,
        title,
        content,
        management,
        series_id,
    ) in project.conn.execute(
        "SELECT id, parent_id, key, level, title, content, management, series_id"
        " FROM imported_unit WHERE package_id = ? ORDER BY parent_id IS NOT NULL, parent_id,"
        " position",
        (package_id,),
    ):
        unit = ImportedUnit(
            key,
            level,
            title,
            from_json(json.loads(content)),
            None if management is None else management_from_json(json.loads(management)),
            series_id=series_id,
        )
        units[int(unit_id)] = unit
        if parent_id is None:
            roots.append(unit)
    for unit_id, parent_id in project.conn.execute(
        "SELECT id, parent_id FROM imported_unit WHERE package_id = ? AND parent_id IS NOT NULL"
        " ORDER BY parent_id, position",
        (package_id,),
    ):
        units[int(parent_id)].children.append(units[int(unit_id)])
    for row in project.conn.execute(
        "SELECT o.unit_id, o.kind, o.usage_version, o.path, o.size, o.sha512, o.original_digest,"
        " o.original_algorithm, o.puid, o.format_name, o.mime, o.filename, o.last_modified,"
        " o.physical FROM imported_object o JOIN imported_unit u ON u.id = o.unit_id"
        " WHERE u.package_id = ? ORDER BY o.unit_id, o.position",
        (package_id,),
    ):
        (unit_id, okind, usage, path, size, sha, digest_text, algorithm, puid) = row[:9]
        (format_name, mime, filename, modified, physical) = row[9:]
        units[int(unit_id)].objects.append(
            ImportedObject(
                okind,
                usage,
                path or "",
                size,
                bytes(sha) if sha is not None else None,
                digest_text or "",
                algorithm or "",
                puid,
                format_name,
                mime,
                filename,
                modified,
                from_json(json.loads(physical)) if physical else [],
            )
        )
    return ImportedTree(
        kind,
        origin,
        roots,
        version,
        label,
        json.loads(header),
        bytes(digest) if digest is not None else None,
    )


def remove_package(project: Project, package_id: int) -> ImportedSummary:
    """Forget an imported package and delete the files extracted for it (never the sources)."""
    summary = package_summary(project, package_id)
    with project.write() as db:
        db.execute("DELETE FROM imported_package WHERE id = ?", (package_id,))
    if summary.files_dir is not None:
        shutil.rmtree(summary.files_dir, ignore_errors=True)
    return summary


# -- back to a transfer ---------------------------------------------------------------------------
def object_source(summary: ImportedSummary, obj: ImportedObject) -> Path:
    path = Path(obj.path)
    if path.is_absolute() or summary.files_dir is None:
        return path
    return summary.files_dir / path


def _mtime_ns(text: str | None) -> int | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000) * 1000


class _Ids:
    def __init__(self) -> None:
        self._n: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        self._n[prefix] = self._n.get(prefix, 0) + 1
        return f"{prefix}{self._n[prefix]}"


def tree_units(project: Project, package_id: int) -> list[ArchiveUnit]:
    """The imported tree as model units, with fresh SEDA identifiers and the files' paths."""
    summary = package_summary(project, package_id)
    tree = load_tree(project, package_id)
    ids = _Ids()
    roots: list[ArchiveUnit] = []
    pending: list[tuple[ImportedUnit, ArchiveUnit | None]] = [
        (unit, None) for unit in reversed(tree.units)
    ]
    while pending:
        unit, parent = pending.pop()
        model = ArchiveUnit(
            ids.next("AU"),
            unit.level,
            unit.title,
            content=list(unit.content),
            management=unit.management,
        )
        for obj in unit.objects:
            if obj.kind == "physical":
                model.physical_objects.append(
                    PhysicalObject(ids.next("PDO"), obj.usage_version, list(obj.physical))
                )
                continue
            object_id = ids.next("BDO")
            suffix = Path(obj.filename).suffix if "." in obj.filename[1:] else ""
            model.objects.append(
                DataObject(
                    id=object_id,
                    source=os.fsencode(object_source(summary, obj)),
                    uri=f"content/{object_id}{suffix}",
                    size=int(obj.size or 0),
                    sha512=obj.sha512 or b"",
                    filename=obj.filename,
                    mtime_ns=_mtime_ns(obj.last_modified),
                    puid=obj.puid,
                    format_name=obj.format_name,
                    mime=obj.mime,
                    version=obj.usage_version,
                )
            )
        if model.objects or model.physical_objects:
            model.group_id = ids.next("GOT")
        if parent is None:
            roots.append(model)
        else:
            parent.children.append(model)
        pending.extend((child, model) for child in reversed(unit.children))
    return roots


def imported_transfer(
    project: Project, package_id: int, options: HeaderOptions | None = None
) -> Transfer:
    """A transfer of the imported tree: its header from the options, else the one it came with,
    else the mission's agencies."""
    options = options or HeaderOptions()
    tree = load_tree(project, package_id)
    roots = tree_units(project, package_id)
    stored = tree.header
    mission = project.mission()

    def pick(option: str, key: str, fallback: str = "") -> str:
        return option or str(stored.get(key) or "") or fallback

    # The mission names its agencies; an identifier is derived as `besace build` does.
    archival = pick(
        options.archival_agency, "archival_agency", _identifier_from(mission.archival_agency)
    )
    transferring = pick(
        options.transferring_agency,
        "transferring_agency",
        _identifier_from(mission.transferring_agency or mission.producer),
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
    moment = options.date or datetime.now(UTC).astimezone().replace(microsecond=0)
    identifier = pick(
        options.message_identifier,
        "message_identifier",
        f"Besace-import-{package_id}-{moment.strftime('%Y%m%d%H%M%S')}",
    )
    management = stored.get("management")
    header = TransferHeader(
        message_identifier=identifier,
        date=moment,
        archival_agency=Agency(archival),
        transferring_agency=Agency(transferring),
        comment=pick(options.comment, "comment", tree.label),
        archival_agreement=pick(options.archival_agreement, "archival_agreement"),
        originating_agency=pick(
            options.originating_agency,
            "originating_agency",
            _identifier_from(mission.producer) or transferring,
        ),
        submission_agency=pick(options.submission_agency, "submission_agency", transferring),
        acquisition_information=str(stored.get("acquisition_information") or ""),
        legal_status=str(stored.get("legal_status") or ""),
        archival_profile=pick(options.archival_profile, "archival_profile"),
        management=management_from_json(management) if management else Management(),
    )
    return Transfer(header, roots)


def units_from_model(roots: list[ArchiveUnit]) -> list[ImportedUnit]:
    """Model units (e.g. planned from the inventory) as an imported tree, object paths absolute."""
    converted: list[ImportedUnit] = []
    pending: list[tuple[ArchiveUnit, ImportedUnit | None]] = [
        (unit, None) for unit in reversed(roots)
    ]
    while pending:
        unit, parent = pending.pop()
        content = list(unit.content)
        for name, day in (("StartDate", unit.start_date), ("EndDate", unit.end_date)):
            if day is not None:
                content = [e for e in content if e.name != name]
                content.append(Element(name, day.isoformat()))
        management = unit.management
        if management is not None and management.is_empty():
            management = None  # nothing set here: all inherited
        item = ImportedUnit(unit.id, unit.level, unit.title, content, management)
        for obj in unit.objects:
            modified = obj.last_modified
            item.objects.append(
                ImportedObject(
                    "binary",
                    obj.version,
                    path=os.fsdecode(obj.source),
                    size=obj.size,
                    sha512=obj.sha512,
                    puid=obj.puid,
                    format_name=obj.format_name,
                    mime=obj.mime,
                    filename=obj.filename,
                    last_modified=modified.isoformat() if modified is not None else None,
                )
            )
        for physical in unit.physical_objects:
            item.objects.append(
                ImportedObject("physical", physical.version, physical=list(physical.elements))
            )
        if parent is None:
            converted.append(item)
        else:
            parent.children.append(item)
        pending.extend((child, item) for child in reversed(unit.children))
    return converted


def tree_with_absolute_paths(project: Project, package_id: int) -> list[ImportedUnit]:
    """The imported units, their files' paths made absolute (for a CSV beside them)."""
    summary = package_summary(project, package_id)
    tree = load_tree(project, package_id)
    for unit in tree.all_units():
        for obj in unit.objects:
            if obj.kind == "binary":
                obj.path = str(object_source(summary, obj))
    return tree.units
