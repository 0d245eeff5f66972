"""Open an existing SEDA 2.1, 2.2 or 2.3 SIP (ours, Resip's, Vitam's) as an imported tree.

The zip is checked like `besace validate` does before anything is read (no path leaving the
package, no link, bounded entry count, size and compression ratio); the manifest is parsed
without DTD, entities or network. Nested and flat archive units are resolved (a unit with
several parents is copied under each; loops and dangling references are refused), object
groups may hold several binary and physical objects, and every file is extracted once,
its size and digest checked against the manifest. All problems are listed together and
nothing is kept unless everything is right.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree

from app.errors import AppError, refusal
from app.i18n import _, format_bytes, format_count
from app.project import Project
from app.project.lock import ProjectLock
from app.seda.imported import (
    ImportedObject,
    ImportedTree,
    ImportedUnit,
    discard_staging,
    fill_formats_from_inventory,
    management_to_json,
    new_staging_folder,
    save_tree,
    split_title_level,
)
from app.seda.manifest import CLASSIFICATION_FIELDS, HOLD_FIELDS
from app.seda.model import (
    DESCRIPTION_LEVELS,
    RULE_CATEGORIES,
    Element,
    Management,
    RuleCategory,
    RuleRef,
)
from app.seda.schemas import version_of
from app.seda.validate import (
    DEFAULT_LIMITS,
    DIGEST_ALGORITHMS,
    MANIFEST_NAME,
    ZipLimits,
    _check_safety,
    _decode_digest,
    _resolve_uri,
    open_sip,
)
from app.tasks import CancelToken, Progress, ProgressSink, Throttle, ignore_progress

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XLINK_NS = "http://www.w3.org/1999/xlink"
MAX_PROBLEMS = 100
_CHUNK = 1 << 20
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
# Object elements that only name or place the object: read, not kept as its description.
_OBJECT_IDENTITY = {
    "DataObjectGroupReferenceId",
    "DataObjectGroupId",
    "DataObjectVersion",
    "DataObjectUse",
    "DataObjectNumber",
}
_UNSAFE_NAME = re.compile(r'[\x00-\x1f<>:"/\\|?*]')
_MAX_NAME_BYTES = 150


@dataclass(frozen=True, slots=True)
class SipLimits:
    """Guards on what an imported SIP may hold; a real SIP never comes close."""

    zip: ZipLimits = DEFAULT_LIMITS
    max_total_bytes: int = 1 << 40  # extracted content
    max_manifest_bytes: int = 256 << 20  # parsed whole: about 9 bytes of memory per byte
    max_units: int = 2_000_000  # units once shared ones are copied under each parent


DEFAULT_SIP_LIMITS = SipLimits()


class SipImportError(AppError):
    """The SIP cannot be imported; `details` lists every problem with its place."""


class _Problems:
    def __init__(self, name: str, entry: str) -> None:
        self.name = name
        self.entry = entry
        self.items: list[str] = []
        self.warnings: list[str] = []
        self.dropped: Counter[str] = Counter()  # what is read but not kept, by element

    def add(self, message: str, element: Any = None, where: str = "") -> None:
        self.items.append(self.place(element, where) + message)

    def place(self, element: Any = None, where: str = "") -> str:
        parts = [self.entry]
        line = getattr(element, "sourceline", None)
        if line:
            parts.append(_("line {line}").format(line=line))
        if where:
            parts.append(where)
        return ", ".join(parts) + ": "

    def raise_if_any(self) -> None:
        if self.items:
            raise refusal(
                SipImportError,
                _("{file} cannot be imported ({n} problems); nothing was imported.").format(
                    file=self.name, n=format_count(len(self.items))
                ),
                self.items,
                MAX_PROBLEMS,
            )


@dataclass(slots=True)
class _Object:
    id: str
    kind: str  # binary / physical
    element: Any
    version: str
    group_key: str = ""  # its group, or itself when alone: the folder its file goes to
    group_ref: str = ""  # SEDA 2.1 style grouping on bare objects
    group_def: str = ""
    uri: str = ""
    attachment: bytes | None = None
    algorithm: str = ""
    digest: bytes | None = None
    digest_text: str = ""
    size: int | None = None
    filename: str = ""
    last_modified: str | None = None
    puid: str = ""
    format_name: str = ""
    mime: str = ""
    physical: list[Element] = field(default_factory=list)
    stored: str = ""  # path in the package's files folder, once extracted
    sha512: bytes | None = None
    actual_size: int = 0


class _Reader:
    """One manifest, its namespace, and what it refers to."""

    def __init__(self, ns: str, problems: _Problems) -> None:
        self.ns = ns
        self.problems = problems
        self.ids: dict[str, Any] = {}

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def local(self, element: Any) -> str:
        tag = element.tag
        if tag.startswith(f"{{{self.ns}}}"):
            return str(tag[len(self.ns) + 2 :])
        return str(tag)

    def children(self, element: Any, name: str | None = None) -> list[Any]:
        found = [c for c in element if isinstance(c.tag, str)]
        if name is None:
            return found
        return [c for c in found if c.tag == self.q(name)]

    def child(self, element: Any, name: str) -> Any:
        found = self.children(element, name)
        return found[0] if found else None

    def text(self, element: Any, name: str | None = None) -> str:
        target = element if name is None else self.child(element, name)
        return (target.text or "").strip() if target is not None else ""

    def register(self, element: Any, what: str) -> str:
        identifier = str(element.get("id") or "").strip()
        if not identifier:
            self.problems.add(_("{element} has no id.").format(element=what), element)
        elif identifier in self.ids:
            self.problems.add(
                _("the id {id} is also used at line {line}.").format(
                    id=identifier, line=self.ids[identifier].sourceline
                ),
                element,
                what,
            )
        else:
            self.ids[identifier] = element
        return identifier

    def element(self, node: Any, where: str) -> Element:
        """A descriptive element with everything below it, attributes included."""
        attrs: dict[str, str] = {}
        for key, value in node.attrib.items():
            if key == XML_LANG:
                attrs["xml:lang"] = value
            elif key.startswith(f"{{{XLINK_NS}}}"):
                attrs["xlink:" + key.split("}", 1)[1]] = value
            elif key.startswith("{"):
                self.problems.dropped[f"{where}/{self.local(node)}/@{key}"] += 1
            else:
                attrs[key] = value
        children = [self.element(child, where) for child in self.children(node)]
        return Element(self.local(node), None if children else (node.text or ""), children, attrs)


# -- the zip --------------------------------------------------------------------------------------
def _find_manifest(path: Path, infos: list[zipfile.ZipInfo]) -> tuple[zipfile.ZipInfo, str]:
    files = [info for info in infos if not info.is_dir()]
    candidates = [
        info for info in files if MANIFEST_NAME.fullmatch(info.filename.rsplit("/", 1)[-1])
    ]
    if not candidates:
        raise SipImportError(
            _("{file} has no manifest (manifest.xml or <prefix>_manifest.xml).").format(
                file=path.name
            )
        )
    depth = min(info.filename.count("/") for info in candidates)
    shallow = [info for info in candidates if info.filename.count("/") == depth]
    if len(shallow) > 1:
        raise SipImportError(
            _("{file} holds several manifests: {names}.").format(
                file=path.name, names=", ".join(info.filename for info in shallow)
            )
        )
    manifest = shallow[0]
    base = manifest.filename.rsplit("/", 1)[0] + "/" if "/" in manifest.filename else ""
    return manifest, base


def _parse(data: bytes, problems: _Problems) -> Any:
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        where = _("line {line}").format(line=line) + ": " if line else ""
        raise SipImportError(
            _("{file}: the manifest is not well-formed XML.").format(file=problems.name),
            details=f"{problems.entry}, {where}{exc.msg}",
        ) from exc
    doctype = root.getroottree().docinfo
    if doctype.doctype or doctype.internalDTD is not None:
        at = data.find(b"<!DOCTYPE")
        raise SipImportError(
            _(
                "{file}: the manifest declares a DOCTYPE; it was refused, as a SEDA manifest "
                "never needs one and its entities could read files or inflate content."
            ).format(file=problems.name),
            details=f"{problems.entry}, "
            + _("line {line}").format(line=data.count(b"\n", 0, max(at, 0)) + 1),
        )
    return root


# -- header and management ------------------------------------------------------------------------
_MANAGEMENT_HEADER = {
    "ArchivalProfile": "archival_profile",
    "ServiceLevel": "service_level",
    "AcquisitionInformation": "acquisition_information",
    "LegalStatus": "legal_status",
    "OriginatingAgencyIdentifier": "originating_agency",
    "SubmissionAgencyIdentifier": "submission_agency",
}


def _boolean(text: str) -> bool:
    return text.strip() in ("true", "1")


def _rule_date(reader: _Reader, element: Any, where: str) -> date | None:
    text = reader.text(element)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        reader.problems.add(
            _("{value!r} is not a date.").format(value=text), element, f"{where}/StartDate"
        )
        return None


def _management(reader: _Reader, element: Any, where: str, skip: set[str]) -> Management:
    management = Management()
    for child in reader.children(element):
        name = reader.local(child)
        if name in skip:
            continue
        if name == "NeedAuthorization":
            management.need_authorization = _boolean(reader.text(child))
        elif name in RULE_CATEGORIES:
            management.categories[name] = _category(reader, child, f"{where}/{name}")
        else:
            reader.problems.dropped[f"{where}/{name}"] += 1
    return management


def _category(reader: _Reader, element: Any, where: str) -> RuleCategory:
    category = RuleCategory()
    current: RuleRef | None = None
    for child in reader.children(element):
        name = reader.local(child)
        text = reader.text(child)
        if name == "Rule":
            current = RuleRef(text)
            category.rules.append(current)
        elif name == "StartDate" or name in HOLD_FIELDS:
            if current is None:
                reader.problems.add(
                    _("{name} comes before any Rule.").format(name=name), child, where
                )
            elif name == "StartDate":
                current.start_date = _rule_date(reader, child, where)
            else:
                current.fields[name] = text
        elif name == "PreventInheritance":
            category.prevent_inheritance = _boolean(text)
        elif name == "RefNonRuleId":
            category.ref_non_rule_ids.append(text)
        elif name == "FinalAction":
            category.final_action = text
        elif name in CLASSIFICATION_FIELDS:
            category.fields[name] = text
        else:
            reader.problems.dropped[f"{where}/{name}"] += 1
    return category


def _header(reader: _Reader, root: Any, package: Any) -> dict[str, Any]:
    header: dict[str, Any] = {
        "message_identifier": reader.text(root, "MessageIdentifier"),
        "date": reader.text(root, "Date"),
        "comment": reader.text(root, "Comment"),
        "archival_agreement": reader.text(root, "ArchivalAgreement"),
    }
    for name, key in (
        ("ArchivalAgency", "archival_agency"),
        ("TransferringAgency", "transferring_agency"),
    ):
        agency = reader.child(root, name)
        header[key] = reader.text(agency, "Identifier") if agency is not None else ""
    for name in ("Signature", "RelatedTransferReference", "TransferRequestReplyIdentifier"):
        for element in reader.children(root, name):
            reader.problems.dropped[f"ArchiveTransfer/{reader.local(element)}"] += 1
    metadata = reader.child(package, "ManagementMetadata") if package is not None else None
    if metadata is not None:
        for name, key in _MANAGEMENT_HEADER.items():
            value = reader.text(metadata, name)
            if value:
                header[key] = value
        if "service_level" in header:
            reader.problems.dropped["ManagementMetadata/ServiceLevel"] += 1
        management = _management(reader, metadata, "ManagementMetadata", set(_MANAGEMENT_HEADER))
        if not management.is_empty():
            header["management"] = management_to_json(management)
    return header


# -- objects --------------------------------------------------------------------------------------
def _object(reader: _Reader, element: Any, kind: str) -> _Object:
    what = "BinaryDataObject" if kind == "binary" else "PhysicalDataObject"
    identifier = reader.register(element, what)
    where = f"{what} {identifier}"
    version = reader.text(element, "DataObjectVersion")
    if not version:
        use = reader.text(element, "DataObjectUse")
        number = reader.text(element, "DataObjectNumber")
        version = f"{use}_{number or '1'}" if use else ""
    default = "BinaryMaster_1" if kind == "binary" else "PhysicalMaster_1"
    obj = _Object(identifier, kind, element, version or default)
    obj.group_ref = reader.text(element, "DataObjectGroupReferenceId")
    obj.group_def = reader.text(element, "DataObjectGroupId")
    if kind == "physical":
        started = False
        for child in reader.children(element):
            name = reader.local(child)
            if name in ("PhysicalId", "PhysicalDimensions") or (started and name != "LogBook"):
                started = True
                obj.physical.append(reader.element(child, where))
            elif name not in _OBJECT_IDENTITY:
                reader.problems.dropped[f"PhysicalDataObject/{name}"] += 1
        return obj
    for child in reader.children(element):
        name = reader.local(child)
        if name == "Uri":
            obj.uri = reader.text(child)
        elif name == "Attachment":
            try:
                obj.attachment = base64.b64decode(reader.text(child), validate=True)
            except (binascii.Error, ValueError):
                reader.problems.add(_("the Attachment is not Base64."), child, where)
            obj.filename = obj.filename or str(child.get("filename") or "")
        elif name == "MessageDigest":
            _digest(reader, obj, child, where)
        elif name == "Size":
            try:
                obj.size = int(reader.text(child))
            except ValueError:
                reader.problems.add(_("the Size is not a number."), child, where)
        elif name == "FormatIdentification":
            obj.format_name = reader.text(child, "FormatLitteral")
            obj.mime = reader.text(child, "MimeType")
            obj.puid = reader.text(child, "FormatId")
            for sub in reader.children(child):
                if reader.local(sub) not in ("FormatLitteral", "MimeType", "FormatId"):
                    reader.problems.dropped[f"FormatIdentification/{reader.local(sub)}"] += 1
        elif name == "FileInfo":
            obj.filename = reader.text(child, "Filename") or obj.filename
            obj.last_modified = reader.text(child, "LastModified") or None
            for sub in reader.children(child):
                if reader.local(sub) not in ("Filename", "LastModified"):
                    reader.problems.dropped[f"FileInfo/{reader.local(sub)}"] += 1
        elif name not in _OBJECT_IDENTITY:
            reader.problems.dropped[f"BinaryDataObject/{name}"] += 1
    if not obj.uri and obj.attachment is None:
        reader.problems.add(_("neither Uri nor Attachment: where is the file?"), element, where)
    if obj.digest is None and obj.digest_text == "":
        reader.problems.add(_("no MessageDigest."), element, where)
    return obj


def _digest(reader: _Reader, obj: _Object, element: Any, where: str) -> None:
    algorithm = str(element.get("algorithm") or "")
    obj.digest_text = reader.text(element)
    hashlib_name = DIGEST_ALGORITHMS.get(algorithm)
    if hashlib_name is None:
        reader.problems.add(
            _("the digest algorithm {algorithm!r} is not one of {choices}.").format(
                algorithm=algorithm, choices=", ".join(DIGEST_ALGORITHMS)
            ),
            element,
            where,
        )
        return
    obj.algorithm = algorithm
    obj.digest = _decode_digest(obj.digest_text, hashlib.new(hashlib_name).digest_size)
    if obj.digest is None:
        reader.problems.add(
            _(
                "the {algorithm} digest is neither hexadecimal nor Base64 of the right length."
            ).format(algorithm=algorithm),
            element,
            where,
        )


@dataclass(slots=True)
class _Objects:
    groups: dict[str, list[_Object]] = field(default_factory=dict)
    group_elements: dict[str, Any] = field(default_factory=dict)
    by_id: dict[str, _Object] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # object ids some unit refers to


def _objects(reader: _Reader, package: Any) -> _Objects:
    found = _Objects()
    bare: list[_Object] = []
    for element in reader.children(package):
        name = reader.local(element)
        if name == "DataObjectGroup":
            group_id = reader.register(element, "DataObjectGroup")
            members: list[_Object] = []
            for child in reader.children(element):
                kind = {"BinaryDataObject": "binary", "PhysicalDataObject": "physical"}.get(
                    reader.local(child)
                )
                if kind is None:
                    reader.problems.dropped[f"DataObjectGroup/{reader.local(child)}"] += 1
                    continue
                members.append(_object(reader, child, kind))
            found.groups[group_id] = members
            found.group_elements[group_id] = element
        elif name in ("BinaryDataObject", "PhysicalDataObject"):
            bare.append(_object(reader, element, "binary" if name[0] == "B" else "physical"))
    # SEDA 2.1 grouping on bare objects: the first names the group, the others refer to it.
    for obj in bare:
        if obj.group_def:
            if obj.group_def in found.groups or obj.group_def in reader.ids:
                reader.problems.add(
                    _("the group {id} is defined twice.").format(id=obj.group_def),
                    obj.element,
                    f"DataObjectGroupId {obj.group_def}",
                )
                continue
            found.groups[obj.group_def] = [obj]
            found.group_elements[obj.group_def] = obj.element
    for obj in bare:
        if obj.group_ref and not obj.group_def:
            if obj.group_ref not in found.groups:
                reader.problems.add(
                    _("the group {id} is not defined.").format(id=obj.group_ref),
                    obj.element,
                    f"DataObjectGroupReferenceId {obj.group_ref}",
                )
                continue
            found.groups[obj.group_ref].append(obj)
    for group_id, members in found.groups.items():
        for obj in members:
            found.by_id[obj.id] = obj
            obj.group_key = group_id
    for obj in bare:
        found.by_id.setdefault(obj.id, obj)
        obj.group_key = obj.group_key or obj.id
    return found


# -- units ----------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Unit:
    id: str
    element: Any
    targets: list[tuple[str, Any]] = field(default_factory=list)  # child id, where named
    objects: list[_Object] = field(default_factory=list)
    level: str = ""
    title: str = ""
    content: list[Element] = field(default_factory=list)
    management: Management | None = None


def _units(
    reader: _Reader, descriptive: Any, objects: _Objects
) -> tuple[dict[str, _Unit], list[str]]:
    units: dict[str, _Unit] = {}
    referenced: set[str] = set()
    for element in descriptive.iter(reader.q("ArchiveUnit")):
        if reader.child(element, "ArchiveUnitRefId") is not None:
            reader.register(element, "ArchiveUnit")
            continue
        identifier = reader.register(element, "ArchiveUnit")
        unit = _Unit(identifier, element)
        units[identifier] = unit
        for child in reader.children(element, "ArchiveUnit"):
            ref = reader.child(child, "ArchiveUnitRefId")
            target = reader.text(ref) if ref is not None else str(child.get("id") or "")
            unit.targets.append((target, ref if ref is not None else child))
        for reference in reader.children(element, "DataObjectReference"):
            _refer(reader, unit, reference, objects)
        if reader.child(element, "ArchiveUnitProfile") is not None:
            reader.problems.dropped["ArchiveUnit/ArchiveUnitProfile"] += 1
        _describe(reader, unit)
    for unit in units.values():
        for target, where in unit.targets:
            if target not in units:
                reader.problems.add(
                    _("ArchiveUnitRefId {ref} names no archive unit.").format(ref=target),
                    where,
                    f"ArchiveUnit {unit.id}",
                )
            referenced.add(target)
    roots = []
    for element in reader.children(descriptive, "ArchiveUnit"):
        if reader.child(element, "ArchiveUnitRefId") is not None:
            reader.problems.add(
                _("a reference to another unit at the top of DescriptiveMetadata."),
                element,
                "ArchiveUnit",
            )
            continue
        identifier = str(element.get("id") or "")
        if identifier in units and identifier not in referenced:
            roots.append(identifier)
    return units, roots


def _refer(reader: _Reader, unit: _Unit, reference: Any, objects: _Objects) -> None:
    where = f"ArchiveUnit {unit.id}"
    group_id = reader.text(reference, "DataObjectGroupReferenceId")
    object_id = reader.text(reference, "DataObjectReferenceId")
    if group_id:
        members = objects.groups.get(group_id)
        if members is None:
            reader.problems.add(
                _("DataObjectGroupReferenceId {ref} names no object group.").format(ref=group_id),
                reference,
                where,
            )
            return
        unit.objects.extend(members)
    elif object_id:
        if object_id in objects.groups:  # some producers name the group here
            unit.objects.extend(objects.groups[object_id])
        elif object_id in objects.by_id:
            unit.objects.append(objects.by_id[object_id])
        else:
            reader.problems.add(
                _("DataObjectReferenceId {ref} names no object.").format(ref=object_id),
                reference,
                where,
            )
            return
    else:
        reader.problems.dropped["DataObjectReference/(other)"] += 1
    objects.used.update(obj.id for obj in unit.objects)


def _check_loops(reader: _Reader, units: dict[str, _Unit]) -> None:
    """Refuse units that are their own ancestors (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in units:
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = [start]
        state[start] = 1
        while stack:
            current, index = stack[-1]
            targets = [t for t, _w in units[current].targets if t in units]
            if index >= len(targets):
                stack.pop()
                path.pop()
                state[current] = 2
                continue
            stack[-1] = (current, index + 1)
            target = targets[index]
            if state.get(target) == 1:
                loop = [*path[path.index(target) :], target]
                reader.problems.add(
                    _("the archive units {units} contain each other.").format(
                        units=" → ".join(loop)
                    ),
                    units[target].element,
                    f"ArchiveUnit {target}",
                )
            elif not state.get(target):
                state[target] = 1
                stack.append((target, 0))
                path.append(target)


def _describe(reader: _Reader, unit: _Unit) -> None:
    """The unit's Content and Management."""
    where = f"ArchiveUnit {unit.id}"
    management = reader.child(unit.element, "Management")
    if management is not None:
        unit.management = _management(reader, management, f"{where}/Management", set())
    contents = reader.children(unit.element, "Content")
    if len(contents) != 1:
        reader.problems.add(
            _("an archive unit has exactly one Content (found {n}).").format(n=len(contents)),
            unit.element,
            where,
        )
        return
    elements = [reader.element(child, where) for child in reader.children(contents[0])]
    level, title, unit.content = split_title_level(elements)
    if level is not None and level not in DESCRIPTION_LEVELS:
        reader.problems.add(
            _("{value!r} is not a SEDA description level.").format(value=level),
            contents[0],
            where,
        )
    if level is None:
        level = "Item" if unit.objects and not unit.targets else "RecordGrp"
        reader.problems.warnings.append(
            reader.problems.place(contents[0], where)
            + _("no DescriptionLevel; {level} assumed.").format(level=level)
        )
    if title is None and not any(e.name == "Title" for e in unit.content):
        reader.problems.warnings.append(reader.problems.place(contents[0], where) + _("no Title."))
    unit.level, unit.title = level, title or ""


def _tree(
    reader: _Reader, units: dict[str, _Unit], roots: list[str], limits: SipLimits
) -> tuple[list[ImportedUnit], list[tuple[ImportedObject, _Object]]]:
    """The imported units, a unit with several parents copied under each; and each imported
    object with the manifest object it comes from (its file is extracted later)."""
    copies: Counter[str] = Counter()
    links: list[tuple[ImportedObject, _Object]] = []
    result: list[ImportedUnit] = []
    pending: list[tuple[str, ImportedUnit | None]] = [(root, None) for root in reversed(roots)]
    while pending:
        identifier, parent = pending.pop()
        if sum(copies.values()) >= limits.max_units:
            raise SipImportError(
                _(
                    "{file}: more than {n} archive units once shared units are copied under "
                    "each parent."
                ).format(file=reader.problems.name, n=format_count(limits.max_units))
            )
        unit = units[identifier]
        copies[identifier] += 1
        key = identifier if copies[identifier] == 1 else f"{identifier}~{copies[identifier]}"
        imported = ImportedUnit(key, unit.level, unit.title, list(unit.content), unit.management)
        for obj in unit.objects:
            item = _imported_object(obj)
            imported.objects.append(item)
            links.append((item, obj))
        if parent is None:
            result.append(imported)
        else:
            parent.children.append(imported)
        pending.extend(
            (target, imported) for target, _w in reversed(unit.targets) if target in units
        )
    shared = sorted(identifier for identifier, n in copies.items() if n > 1)
    if shared:
        reader.problems.warnings.append(
            _(
                "{n} archive units have several parents; each was copied under every parent: {ids}"
            ).format(n=len(shared), ids=", ".join(shared[:20]))
        )
    return result, links


def _imported_object(obj: _Object) -> ImportedObject:
    if obj.kind == "physical":
        return ImportedObject("physical", obj.version, physical=list(obj.physical))
    return ImportedObject(
        "binary",
        obj.version,
        path=obj.stored,
        size=obj.actual_size,
        sha512=obj.sha512,
        original_digest=obj.digest_text,
        original_algorithm=obj.algorithm,
        puid=obj.puid,
        format_name=obj.format_name,
        mime=obj.mime,
        filename=obj.filename,
        last_modified=obj.last_modified,
    )


# -- files ----------------------------------------------------------------------------------------
def _safe_name(filename: str, fallback: str) -> str:
    """A file name that is safe on every system, from the manifest's Filename."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if not name:
        name = _UNSAFE_NAME.sub("_", fallback).strip(" .") or "object"
    while len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem[:-8]}.{suffix}" if dot and len(suffix) < 16 and stem else name[:-8]
    return name


def _extract(
    archive: zipfile.ZipFile,
    base: str,
    objects: list[_Object],
    staged: Path,
    problems: _Problems,
    limits: SipLimits,
    token: CancelToken,
    progress: ProgressSink,
) -> None:
    names = {info.filename: info for info in archive.infolist() if not info.is_dir()}
    entries: dict[str, str] = {}  # object id → zip entry
    for obj in objects:
        if obj.attachment is not None:
            continue
        entry = _resolve_uri(obj.uri, base, names)
        if entry is None:
            problems.add(
                _("the file {uri} is not in the package.").format(uri=obj.uri),
                obj.element,
                f"BinaryDataObject {obj.id}",
            )
        else:
            entries[obj.id] = entry
    problems.raise_if_any()
    total = sum(names[entry].file_size for entry in entries.values())
    total += sum(len(obj.attachment or b"") for obj in objects)
    if total > limits.max_total_bytes:
        raise SipImportError(
            _("{file} would extract {size}, more than the {limit} allowed.").format(
                file=problems.name,
                size=format_bytes(total),
                limit=format_bytes(limits.max_total_bytes),
            )
        )
    free = shutil.disk_usage(staged).free
    if total > free:
        raise SipImportError(
            _("{file} needs {size} of free space in {folder}; only {free} are left.").format(
                file=problems.name, size=format_bytes(total), folder=staged, free=format_bytes(free)
            )
        )
    throttle = Throttle(progress)
    done = 0
    folders: dict[str, str] = {}  # group (or lone object) → folder
    taken: set[str] = set()
    for index, obj in enumerate(objects):
        token.raise_if_cancelled()
        folder = folders.setdefault(obj.group_key, f"{len(folders) + 1:05d}")
        entry = entries.get(obj.id, "")
        fallback = entry.rsplit("/", 1)[-1] if entry else obj.id
        name = f"__{obj.version}__{_safe_name(obj.filename, fallback)}"
        stored = f"{folder}/{name}"
        number = 1
        while stored.casefold() in taken:
            number += 1
            stored = f"{folder}/__{obj.version}__{number}-{_safe_name(obj.filename, fallback)}"
        taken.add(stored.casefold())
        obj.stored = stored
        throttle(Progress(index, len(objects), _("Extracting"), done, total, current=obj.filename))
        target = staged / stored
        target.parent.mkdir(parents=True, exist_ok=True)
        where = f"BinaryDataObject {obj.id} ({entry or 'Attachment'})"
        hashers = {"SHA-512": hashlib.sha512()}
        if obj.algorithm and obj.algorithm != "SHA-512":
            hashers[obj.algorithm] = hashlib.new(DIGEST_ALGORITHMS[obj.algorithm])
        size = 0
        try:
            with target.open("wb") as out:
                if obj.attachment is not None:
                    size += _write(out, obj.attachment, hashers)
                else:
                    with archive.open(names[entry]) as stream:
                        while chunk := stream.read(_CHUNK):
                            size += _write(out, chunk, hashers)
                            token.raise_if_cancelled()
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError) as exc:
            problems.add(
                _("the file cannot be read from the package: {detail}").format(detail=exc),
                obj.element,
                where,
            )
            continue
        done += size
        obj.actual_size = size
        obj.sha512 = hashers["SHA-512"].digest()
        if obj.size is not None and obj.size != size:
            problems.add(
                _("size mismatch: the manifest says {expected}, the file gives {actual}.").format(
                    expected=obj.size, actual=size
                ),
                obj.element,
                where,
            )
        actual = hashers[obj.algorithm or "SHA-512"].digest()
        if obj.digest is not None and actual != obj.digest:
            problems.add(
                _("digest mismatch: the manifest says {expected}, the file gives {actual}.").format(
                    expected=obj.digest_text, actual=actual.hex()
                ),
                obj.element,
                where,
            )
    throttle(Progress(len(objects), len(objects), _("Extracting"), done, total), force=True)


def _write(out: Any, chunk: bytes, hashers: dict[str, Any]) -> int:
    out.write(chunk)
    for hasher in hashers.values():
        hasher.update(chunk)
    return len(chunk)


# -- entry points ---------------------------------------------------------------------------------
def read_sip(
    path: Path,
    staged: Path,
    *,
    label: str = "",
    limits: SipLimits = DEFAULT_SIP_LIMITS,
    token: CancelToken | None = None,
    progress: ProgressSink = ignore_progress,
) -> ImportedTree:
    """Read and check the SIP at `path`, extracting its files into `staged`."""
    token = token or CancelToken()
    with open_sip(path) as archive:
        infos = archive.infolist()
        _check_safety(path, infos, limits.zip)
        manifest, base = _find_manifest(path, infos)
        if manifest.file_size > limits.max_manifest_bytes:
            raise SipImportError(
                _("{file}: the manifest is {size}, more than the {limit} allowed.").format(
                    file=path.name,
                    size=format_bytes(manifest.file_size),
                    limit=format_bytes(limits.max_manifest_bytes),
                )
            )
        problems = _Problems(path.name, manifest.filename)
        try:
            data = archive.read(manifest)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError) as exc:
            raise SipImportError(
                _("{file}: the manifest cannot be read: {detail}").format(
                    file=path.name, detail=exc
                )
            ) from exc
        root = _parse(data, problems)
        parsed = _read_manifest(root, problems)
        problems.raise_if_any()
        units, links = _tree(parsed.reader, parsed.units, parsed.roots, limits)
        binaries = list({obj.id: obj for _i, obj in links if obj.kind == "binary"}.values())
        _extract(archive, base, binaries, staged, problems, limits, token, progress)
        problems.raise_if_any()
    for item, obj in links:
        if obj.kind == "binary":
            item.path, item.size, item.sha512 = obj.stored, obj.actual_size, obj.sha512
    tree = ImportedTree(
        "sip",
        str(path.resolve()),
        units,
        seda_version=parsed.version,
        label=label or path.stem,
        header=parsed.header,
        origin_sha512=_file_sha512(path),
    )
    for name, count in sorted(problems.dropped.items()):
        tree.warnings.append(
            _("{element}: not kept ({n}×); Besace does not carry it into a new package.").format(
                element=name, n=count
            )
        )
    tree.warnings.extend(problems.warnings)
    return tree


@dataclass(slots=True)
class _Manifest:
    reader: _Reader
    version: str
    header: dict[str, Any]
    units: dict[str, _Unit]
    roots: list[str]


def _read_manifest(root: Any, problems: _Problems) -> _Manifest:
    qname = etree.QName(root)
    version = version_of(qname.namespace)
    if version is None:
        raise SipImportError(
            _(
                "{file}: the manifest root is not in a SEDA 2.1, 2.2 or 2.3 namespace "
                "(found {namespace})."
            ).format(file=problems.name, namespace=qname.namespace or "-")
        )
    if qname.localname != "ArchiveTransfer":
        raise SipImportError(
            _("{file}: the manifest root is {element}, not ArchiveTransfer.").format(
                file=problems.name, element=qname.localname
            )
        )
    reader = _Reader(str(qname.namespace), problems)
    package = reader.child(root, "DataObjectPackage")
    if package is None:
        raise SipImportError(
            _("{file}: the manifest has no DataObjectPackage.").format(file=problems.name)
        )
    header = _header(reader, root, package)
    objects = _objects(reader, package)
    descriptive = reader.child(package, "DescriptiveMetadata")
    if descriptive is None:
        raise SipImportError(
            _("{file}: the manifest has no DescriptiveMetadata.").format(file=problems.name)
        )
    units, roots = _units(reader, descriptive, objects)
    _check_loops(reader, units)
    unused = [obj.id for obj in objects.by_id.values() if obj.id not in objects.used]
    if unused:
        problems.warnings.append(
            _("{n} objects no archive unit refers to were left out: {ids}").format(
                n=len(unused), ids=", ".join(unused[:20])
            )
        )
    return _Manifest(reader, version, header, units, roots)


def _file_sha512(path: Path) -> bytes:
    hasher = hashlib.sha512()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            hasher.update(chunk)
    return hasher.digest()


def import_sip(
    project: Project,
    path: Path,
    *,
    label: str = "",
    limits: SipLimits = DEFAULT_SIP_LIMITS,
    token: CancelToken | None = None,
    progress: ProgressSink = ignore_progress,
) -> tuple[int, ImportedTree]:
    """Import the SIP at `path` into the project: all of it, or nothing (no rows, no files).

    The project lock is held throughout: the leftovers of a killed import, cleared when the
    next one starts, can then belong to no running import.
    """
    with ProjectLock(project.path):
        staged = new_staging_folder(project)
        try:
            tree = read_sip(
                path, staged, label=label, limits=limits, token=token, progress=progress
            )
            fill_formats_from_inventory(project, tree)
        except BaseException:
            discard_staging(staged)
            raise
        return save_tree(project, tree, staged), tree
