"""Check a SEDA 2.x transfer package (SIP), ours or anyone's, and say where every problem is.

The checks, in order: the zip itself (safe paths, sane size, Vitam's layout), the manifest XML
(parsed safely, no DOCTYPE), the official XSD of its version, the structure the XSD cannot see
(unique identifiers, resolvable references, Uri, digest and size of every object), then the
rules of the target archiving system (profile). Problems are data: every one is reported with
the file inside the zip, the element path and the line. Only input that cannot be examined at
all (not a zip, unsafe paths, zip bomb) raises `UnusableSipError`.

The manifest is streamed once with `iterparse` (XSD and structure together) and pruned as it
goes. lxml's streaming validation stops at the first XSD error and gives no line; only then is
the manifest parsed whole (up to FULL_TREE_LIMIT) to list every XSD error with its line, and
streamed again for the structural checks. Content files are read once, in zip order.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote

from lxml import etree

from app.errors import AppError, Severity
from app.i18n import _, format_bytes, format_count
from app.seda.model import PROFILES
from app.seda.schemas import default_schema_dir, find_schema_set, load_schema, version_of
from app.tasks import CancelToken, Progress, ProgressSink, Throttle, ignore_progress

# Vitam's MANIFEST_FILE_NAME_REGEX, applied like Java's matches() (whole name).
MANIFEST_NAME = re.compile(r"([a-zA-Z0-9_\-]{0,56}[_-]{1}){0,1}(manifest.xml)\b")
CONTENT_FOLDER = "content"

# SEDA digest algorithm names (as Vitam spells them) → hashlib names.
DIGEST_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
_LOOSE_ALGORITHMS = {name.replace("-", ""): name for name in DIGEST_ALGORITHMS}
VITAM_OBJECT_VERSION = re.compile(
    r"(BinaryMaster|Dissemination|Thumbnail|TextContent|PhysicalMaster)(_\d+)?"
)

# Above this manifest size, a schema-invalid manifest is not loaded whole to list every XSD
# error (about 9 bytes of memory per byte of XML: 96 MiB ≈ 1 GB, 100,000 objects ≈ 85 MB):
# the first error is reported alone.
FULL_TREE_LIMIT = 96 << 20

XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
_SAFE_PARSING: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": True,  # large Base64 attachments; size is bounded by the zip-bomb guard
    "load_dtd": False,
}
_CHUNK = 1 << 20
# What reading one damaged, encrypted or oddly compressed zip entry can raise.
_ENTRY_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    RuntimeError,
    NotImplementedError,
    EOFError,
    OSError,
)
_TICK = 4096  # elements between two looks at the cancel token and progress


@dataclass(frozen=True, slots=True)
class ZipLimits:
    """Guards against hostile zips; a real SIP never comes close."""

    max_entries: int = 1_000_000
    max_ratio: float = 200.0  # uncompressed / compressed
    ratio_floor: int = 64 << 20  # below this many bytes, a high ratio is harmless


DEFAULT_LIMITS = ZipLimits()


class UnusableSipError(AppError):
    """The package cannot be examined at all: unreadable, not a zip, unsafe or a zip bomb."""


@dataclass(frozen=True, slots=True)
class ValidationProblem:
    severity: Severity
    code: str
    message: str
    where: str  # file inside the package, then the element path: "manifest.xml /ArchiveTransfer/…"
    line: int | None = None


@dataclass(frozen=True, slots=True)
class ValidationReport:
    path: Path
    version: str | None
    profile: str
    problems: list[ValidationProblem]
    xsd_checked: bool
    units: int
    objects: int

    @property
    def valid(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def errors(self) -> list[ValidationProblem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[ValidationProblem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def codes(self) -> Counter[str]:
        return Counter(p.code for p in self.problems)


class _Problems:
    def __init__(self) -> None:
        self.items: list[ValidationProblem] = []

    def add(
        self, severity: Severity, code: str, message: str, where: str, line: int | None = None
    ) -> None:
        self.items.append(ValidationProblem(severity, code, message, where, line))

    def error(self, code: str, message: str, where: str, line: int | None = None) -> None:
        self.add(Severity.ERROR, code, message, where, line)

    def warning(self, code: str, message: str, where: str, line: int | None = None) -> None:
        self.add(Severity.WARNING, code, message, where, line)


class _Clock:
    """Progress for one validation: throttled, with the elapsed time filled in."""

    def __init__(self, sink: ProgressSink, token: CancelToken | None) -> None:
        self._throttle = Throttle(sink)
        self._token = token
        self._start = time.monotonic()

    def check(self) -> None:
        if self._token is not None:
            self._token.raise_if_cancelled()

    def report(
        self,
        message: str,
        done: int = 0,
        total: int = 0,
        bytes_done: int = 0,
        bytes_total: int = 0,
        current: str = "",
        *,
        force: bool = False,
    ) -> None:
        self._throttle(
            Progress(
                done,
                total,
                message,
                bytes_done,
                bytes_total,
                time.monotonic() - self._start,
                current,
            ),
            force=force,
        )


# ---------------------------------------------------------------------------------------------
# Entry points


def validate_sip(
    path: Path,
    *,
    schemas: Path | None = None,
    profile: str = "generic",
    token: CancelToken | None = None,
    progress: ProgressSink = ignore_progress,
    limits: ZipLimits = DEFAULT_LIMITS,
) -> ValidationReport:
    """Check the SIP zip at `path` against SEDA, its own manifest and the `profile` rules.

    `schemas` is a folder holding the XSD sets (`<folder>/<version>/` or one flat set); by
    default the sets installed with `besace schemas install`. Raises `UnusableSipError` when the
    file cannot be examined, `Cancelled` when `token` is cancelled.
    """
    _check_profile(profile)
    clock = _Clock(progress, token)
    problems = _Problems()
    with open_sip(path) as archive:
        infos = archive.infolist()
        _check_safety(path, infos, limits)
        manifest, base = _check_layout(path, infos, problems)
        if manifest is None:
            return ValidationReport(path, None, profile, problems.items, False, 0, 0)
        try:
            scan = _check_manifest(
                lambda: archive.open(manifest),
                manifest.file_size,
                manifest.filename,
                schemas,
                profile,
                problems,
                clock,
            )
        except _ENTRY_ERRORS as exc:
            problems.error(
                "ZIP_ENTRY_UNREADABLE",
                _("{entry} cannot be read from the package: {detail}").format(
                    entry=manifest.filename, detail=exc
                ),
                manifest.filename,
            )
            scan = _ManifestScan()
        if scan.structure is not None:
            _check_content(archive, infos, base, manifest.filename, scan.structure, problems, clock)
    return _report(path, profile, scan, problems)


def validate_manifest(
    path: Path,
    *,
    schemas: Path | None = None,
    profile: str = "generic",
    token: CancelToken | None = None,
    progress: ProgressSink = ignore_progress,
) -> ValidationReport:
    """Check a bare manifest file: everything but the package layout and the content files."""
    _check_profile(profile)
    clock = _Clock(progress, token)
    problems = _Problems()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnusableSipError(
            _("Cannot read {file}.").format(file=path), details=str(exc)
        ) from exc

    def opener() -> IO[bytes]:
        return path.open("rb")

    scan = _check_manifest(opener, size, path.name, schemas, profile, problems, clock)
    if scan.structure is not None:
        problems.add(
            Severity.INFO,
            "CONTENT_NOT_CHECKED",
            _(
                "Only the manifest was checked: the files, their digests and sizes need the "
                "whole package."
            ),
            path.name,
        )
    return _report(path, profile, scan, problems)


def _report(path: Path, profile: str, scan: _ManifestScan, problems: _Problems) -> ValidationReport:
    structure = scan.structure
    return ValidationReport(
        path,
        scan.version,
        profile,
        problems.items,
        scan.xsd_checked,
        structure.units if structure is not None else 0,
        structure.objects if structure is not None else 0,
    )


def _check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise AppError(
            _("Unknown validation profile {profile}; choose one of: {choices}.").format(
                profile=profile, choices=", ".join(PROFILES)
            )
        )


# ---------------------------------------------------------------------------------------------
# 1. The zip


_CONTROL = re.compile(r"[\x00-\x1f]")


def _unsafe_name(info: zipfile.ZipInfo) -> bool:
    name = info.filename
    raw = info.orig_filename
    if "\\" in raw or name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return True
    if _CONTROL.search(raw):
        return True
    if ".." in name.split("/"):
        return True
    is_link = info.create_system == 3 and (info.external_attr >> 16) & 0o170000 == 0o120000
    return is_link


def open_sip(path: Path) -> zipfile.ZipFile:
    """The SIP's zip, or `UnusableSipError` saying why it cannot be read."""
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise UnusableSipError(
            _("{file} is not a readable zip file.").format(file=path.name), details=str(exc)
        ) from exc
    except OSError as exc:
        raise UnusableSipError(
            _("Cannot read {file}.").format(file=path), details=str(exc)
        ) from exc


def _check_safety(path: Path, infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(infos) > limits.max_entries:
        raise UnusableSipError(
            _("{file} holds {count} entries, more than the {limit} allowed.").format(
                file=path.name,
                count=format_count(len(infos)),
                limit=format_count(limits.max_entries),
            )
        )
    unsafe = [info.orig_filename for info in infos if _unsafe_name(info)]
    if unsafe:
        raise UnusableSipError(
            _(
                "{file} contains unsafe paths (absolute, with '..', backslashes or links); "
                "it was not examined further."
            ).format(file=path.name),
            details="\n".join(repr(name) for name in unsafe[:50]),
        )
    bombs = [
        info.filename
        for info in infos
        if info.file_size >= limits.ratio_floor
        and info.file_size > limits.max_ratio * max(info.compress_size, 1)
    ]
    total = sum(info.file_size for info in infos)
    try:
        archive_size = path.stat().st_size
    except OSError:
        archive_size = sum(info.compress_size for info in infos)
    if bombs or (total >= limits.ratio_floor and total > limits.max_ratio * max(archive_size, 1)):
        raise UnusableSipError(
            _(
                "{file} expands to {size}, far more than its own size: it looks like a "
                "zip bomb and was not examined further."
            ).format(file=path.name, size=format_bytes(total)),
            details="\n".join(bombs[:50]),
        )


def _check_layout(
    path: Path, infos: list[zipfile.ZipInfo], problems: _Problems
) -> tuple[zipfile.ZipInfo | None, str]:
    """Vitam's layout: one manifest at the root, everything else under content/.

    Returns the manifest to check and the folder its Uris are relative to ("" for the root).
    """
    for name, count in Counter(info.filename for info in infos).items():
        if count > 1:
            problems.error(
                "ZIP_DUPLICATE_ENTRY",
                _("{entry} appears {count} times in the package.").format(entry=name, count=count),
                name,
            )
    files = [info for info in infos if not info.is_dir()]
    manifests = [
        info
        for info in files
        if "/" not in info.filename and MANIFEST_NAME.fullmatch(info.filename)
    ]
    base = ""
    if not manifests:
        # A SIP wrapped in one folder is still worth checking, relative to that folder.
        nested = sorted(
            (
                info
                for info in files
                if "/" in info.filename
                and info.filename.split("/", 1)[0].casefold() != CONTENT_FOLDER
                and MANIFEST_NAME.fullmatch(info.filename.rsplit("/", 1)[1])
            ),
            key=lambda info: (info.filename.count("/"), info.filename),
        )
        if nested:
            base = nested[0].filename.rsplit("/", 1)[0] + "/"
            manifests = [info for info in nested if info.filename.rsplit("/", 1)[0] + "/" == base]
            problems.error(
                "MANIFEST_NOT_AT_ROOT",
                _(
                    "The manifest is not at the root of the package but in {folder}; it was "
                    "checked there."
                ).format(folder=base),
                nested[0].filename,
            )
        else:
            problems.error(
                "MANIFEST_MISSING",
                _(
                    "No manifest at the root of the package: Vitam expects manifest.xml or "
                    "<prefix>_manifest.xml there."
                ),
                path.name,
            )
    manifest = next((info for info in manifests if info.filename == base + "manifest.xml"), None)
    if manifest is None and manifests:
        manifest = manifests[0]
    for extra in manifests:
        if manifest is not None and extra is not manifest:
            problems.error(
                "MANIFEST_MULTIPLE",
                _(
                    "A second manifest, {entry}, sits beside {manifest}; only one is allowed."
                ).format(entry=extra.filename, manifest=manifest.filename),
                extra.filename,
            )
    for info in infos:
        name = info.filename
        if info in manifests:
            continue
        if not name.startswith(base):
            problems.error(
                "ZIP_OUTSIDE_CONTENT",
                _("{entry} is outside the {folder} folder.").format(
                    entry=name, folder=base + CONTENT_FOLDER + "/"
                ),
                name,
            )
            continue
        relative = name[len(base) :]
        if not relative:
            continue  # the wrapping folder itself
        if "/" not in relative:
            problems.error(
                "ZIP_ROOT_FILE",
                _("{entry} is at the root of the package, where only the manifest may be.").format(
                    entry=name
                ),
                name,
            )
        elif relative.split("/", 1)[0].casefold() != CONTENT_FOLDER:
            problems.error(
                "ZIP_OUTSIDE_CONTENT",
                _("{entry} is outside the {folder} folder.").format(
                    entry=name, folder=base + CONTENT_FOLDER + "/"
                ),
                name,
            )
    return manifest, base


# ---------------------------------------------------------------------------------------------
# 2-4. The manifest


@dataclass(slots=True)
class _Expected:
    """What the manifest says about one object's file; `where` is split to share the prefix."""

    prefix: str  # path of the DataObjectPackage, shared by every object
    suffix: str  # "/DataObjectGroup[@id='…']/BinaryDataObject[@id='…']"
    uri: str
    uri_line: int | None
    algorithm: str | None  # hashlib name, None when the digest cannot be checked
    digest: bytes | None
    digest_line: int | None
    size: int | None
    size_line: int | None


@dataclass(slots=True)
class _Header:
    text: str
    where: str
    line: int | None


@dataclass(slots=True)
class _ManifestScan:
    version: str | None = None
    xsd_checked: bool = False
    structure: _Structure | None = None  # None when the manifest could not be read through


class _CountingReader:
    """A file-like view that reports how much of the manifest has been read."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None]) -> None:
        self._raw = raw
        self._on_read = on_read
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.count += len(data)
        self._on_read(self.count)
        return data


def _is_schema_error(exc: etree.XMLSyntaxError) -> bool:
    log = getattr(exc, "error_log", None) or []
    return any(entry.domain == etree.ErrorDomains.SCHEMASV for entry in log)


def _first_schema_error(exc: etree.XMLSyntaxError) -> str:
    # The log of a reused schema keeps the errors of earlier streams: the last one is ours.
    entries = [
        entry
        for entry in getattr(exc, "error_log", None) or []
        if entry.domain == etree.ErrorDomains.SCHEMASV
    ]
    return _clean(entries[-1].message if entries else str(exc))


def _clean(message: str) -> str:
    """libxml2 messages name elements as {namespace}Name: keep the name."""
    return _QUALIFIED.sub("", message).strip()


_QUALIFIED = re.compile(r"\{[^\s{}'\"]*\}(?=[\w-])")


def _check_manifest(
    opener: Callable[[], IO[bytes]],
    size: int,
    name: str,
    schemas: Path | None,
    profile: str,
    problems: _Problems,
    clock: _Clock,
) -> _ManifestScan:
    scan = _ManifestScan()
    version = _sniff(opener, name, problems)
    if version is None:
        return scan
    scan.version = version
    base = schemas if schemas is not None else default_schema_dir()
    xsd_dir = find_schema_set(base, version)
    schema = load_schema(xsd_dir, version) if xsd_dir is not None else None
    if schema is None:
        problems.warning(
            "XSD_SKIPPED",
            _(
                "The manifest was not checked against the SEDA {version} schema: no schema set "
                "for this version in {folder} (install it with `besace schemas install`)."
            ).format(version=version, folder=base),
            name,
        )

    def stream(with_schema: Any) -> _Structure:
        structure = _Structure(version, name, profile, problems, clock)
        with opener() as raw:
            reader = _CountingReader(
                raw,
                lambda n: clock.report(
                    _("Reading the manifest"),
                    structure.objects,
                    0,
                    n,
                    size,
                    name,
                ),
            )
            events = etree.iterparse(
                reader, events=("end",), tag=structure.tags, schema=with_schema, **_SAFE_PARSING
            )
            structure.feed(events)
        return structure

    mark = len(problems.items)
    try:
        structure = stream(schema)
        scan.xsd_checked = schema is not None
    except etree.XMLSyntaxError as exc:
        del problems.items[mark:]  # the structural pass starts again from scratch
        if not _is_schema_error(exc):
            _not_well_formed(exc, name, problems)
            return scan
        scan.xsd_checked = True
        try:
            if size <= FULL_TREE_LIMIT:
                _list_schema_errors(opener, schema, version, name, problems, clock)
            else:
                problems.error("XSD_INVALID", _first_schema_error(exc), name)
                problems.add(
                    Severity.INFO,
                    "XSD_FIRST_ERROR_ONLY",
                    _(
                        "The manifest is too large to list every schema error: only the first "
                        "one is reported."
                    ),
                    name,
                )
            structure = stream(None)
        except etree.XMLSyntaxError as again:
            del problems.items[mark:]
            _not_well_formed(again, name, problems)
            return scan
    structure.finish()
    scan.structure = structure
    return scan


def _not_well_formed(exc: etree.XMLSyntaxError, name: str, problems: _Problems) -> None:
    line = getattr(exc, "lineno", None) or None
    problems.error(
        "MANIFEST_NOT_WELL_FORMED",
        _("The manifest is not well-formed XML: {detail}").format(detail=_clean(exc.msg or "")),
        name,
        line,
    )


def _sniff(opener: Callable[[], IO[bytes]], name: str, problems: _Problems) -> str | None:
    """The SEDA version from the root element; refuses a DOCTYPE before anything else is read."""
    try:
        with opener() as raw:
            for _event, root in etree.iterparse(raw, events=("start",), **_SAFE_PARSING):
                doctype = root.getroottree().docinfo.doctype
                tag = root.tag
                line = root.sourceline
                break
            else:  # pragma: no cover - lxml raises on a document without a root
                doctype, tag, line = "", "", None
    except etree.XMLSyntaxError as exc:
        _not_well_formed(exc, name, problems)
        return None
    if doctype:
        with opener() as raw:
            head = raw.read(1 << 16)
        at = head.find(b"<!DOCTYPE")
        problems.error(
            "MANIFEST_DOCTYPE",
            _(
                "The manifest declares a DOCTYPE; it was refused, as a SEDA manifest never "
                "needs one and its entities could hide or inflate content."
            ),
            name,
            head.count(b"\n", 0, at) + 1 if at >= 0 else None,
        )
        return None
    namespace, _sep, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
    version = version_of(namespace)
    if version is None:
        problems.error(
            "MANIFEST_NAMESPACE",
            _(
                "The manifest root {element} is not in a SEDA 2.1, 2.2 or 2.3 namespace "
                "(found {namespace})."
            ).format(element=local, namespace=namespace or "-"),
            f"{name} /{local}",
            line,
        )
        return None
    if local != "ArchiveTransfer":
        problems.error(
            "MANIFEST_ROOT",
            _("The manifest root is {element}, not ArchiveTransfer.").format(element=local),
            f"{name} /{local}",
            line,
        )
        return None
    return version


def _list_schema_errors(
    opener: Callable[[], IO[bytes]],
    schema: Any,
    version: str,
    name: str,
    problems: _Problems,
    clock: _Clock,
) -> None:
    """Every XSD error with its line: needs the whole tree, so only after streaming failed.

    lxml computes the path of every error by counting the preceding siblings, which is
    quadratic when a manifest has thousands of errors among 100,000 groups or units. So the
    long lists of groups and units are validated a slice at a time, the rest staying in place.
    """
    clock.report(_("Listing the schema errors"), force=True)
    with opener() as raw:
        # Whitespace between elements means nothing to the XSD and costs a third of the tree.
        tree = etree.parse(raw, etree.XMLParser(remove_blank_text=True, **_SAFE_PARSING))
    root = tree.getroot()
    ns = "{fr:gouv:culture:archivesdefrance:seda:v" + version + "}"
    repeated = {ns + local for local in _REPEATED}
    lists = _long_lists(root, ns, repeated)
    sliced = {parent for parent, _children in lists}
    unlocated: set[tuple[int, str]] = set()
    found: list[ValidationProblem] = []
    for number in _slices(lists):
        clock.check()
        schema.validate(tree)
        finder = _ErrorPaths(root)
        for entry in schema.error_log:
            message = _clean(entry.message)
            element = finder.find(entry.path or "")
            if element is None:
                if (entry.line, message) in unlocated:
                    continue
                unlocated.add((entry.line, message))
            elif number and not _in_slice(element, sliced, repeated):
                continue  # outside the slices: reported at the first pass
            where = f"{name} {_path(element)}" if element is not None else name
            found.append(
                ValidationProblem(Severity.ERROR, "XSD_INVALID", message, where, entry.line or None)
            )
    found.sort(key=lambda problem: problem.line or 0)
    problems.items.extend(found)


# The repeated children that make lists long, and how many are validated together.
_REPEATED = (
    "DataObjectGroup",
    "BinaryDataObject",
    "PhysicalDataObject",
    "ArchiveUnit",
    "DataObjectReference",
)
_SLICE = 1000


def _long_lists(root: Any, ns: str, repeated: set[str]) -> list[tuple[Any, list[tuple[int, Any]]]]:
    """Parents with more than _SLICE repeated children (outermost only), with those children
    and, for each, how many other children precede it. The children are taken out of the tree.
    """
    long: dict[Any, list[tuple[int, Any]]] = {}
    for parent in root.iter(
        ns + "DataObjectPackage", ns + "DescriptiveMetadata", ns + "ArchiveUnit"
    ):
        if len(parent) <= _SLICE:
            continue
        others = 0
        children: list[tuple[int, Any]] = []
        for child in parent:
            if child.tag in repeated:
                children.append((others, child))
            else:
                others += 1
        if len(children) > _SLICE:
            long[parent] = children
    lists: list[tuple[Any, list[tuple[int, Any]]]] = []
    for parent, children in long.items():
        # A long list inside a sliced element comes and goes with it: validated whole.
        nested = any(
            ancestor.tag in repeated and ancestor.getparent() in long
            for ancestor in parent.iterancestors()
        )
        if not nested:
            lists.append((parent, children))
    for parent, children in lists:
        for _others, child in children:
            parent.remove(child)
    return lists


def _in_slice(element: Any, sliced: set[Any], repeated: set[str]) -> bool:
    node = element
    while node is not None:
        parent = node.getparent()
        if parent in sliced and node.tag in repeated:
            return True
        node = parent
    return False


def _slices(lists: list[tuple[Any, list[tuple[int, Any]]]]) -> Iterator[int]:
    """Put each slice of every long list in place in turn (one pass when there is none)."""
    passes = max((-(-len(children) // _SLICE) for _parent, children in lists), default=1)
    for number in range(passes):
        placed: list[tuple[Any, Any]] = []
        for parent, children in lists:
            for offset, (others, child) in enumerate(
                children[number * _SLICE : (number + 1) * _SLICE]
            ):
                parent.insert(others + offset, child)
                placed.append((parent, child))
        yield number
        for parent, child in placed:
            parent.remove(child)


class _ErrorPaths:
    """The elements named by libxml2 error paths such as /*/*[6]/*[1001]/*[2].

    XPath would rescan the siblings for each error (quadratic on 100,000 errors); errors come in
    document order, so a cursor per parent walks each list of children once.
    """

    def __init__(self, root: Any) -> None:
        self._root = root
        # Keyed by the parent element itself: holding it keeps its proxy (and identity) alive.
        self._cursors: dict[tuple[Any, str], tuple[int, Any]] = {}

    def find(self, path: str) -> Any:
        steps = path.split("/")[1:]
        if not steps or not self._matches(self._root, steps[0].split("[", 1)[0]):
            return None
        node = self._root
        for step in steps[1:]:
            if not step or step[0] in "@(" or step.startswith("text()"):
                break  # attribute or text: the element is precise enough
            name, _sep, rest = step.partition("[")
            position = int(rest[:-1]) if rest[:-1].isdigit() else 1
            key = (node, name)
            count, child = self._cursors.get(key, (0, None))
            if child is None or count > position:
                count, child = 0, None
            candidate = child.getnext() if child is not None else (node[0] if len(node) else None)
            while count < position and candidate is not None:
                if isinstance(candidate.tag, str) and self._matches(candidate, name):
                    count, child = count + 1, candidate
                    if count == position:
                        break
                candidate = candidate.getnext()
            if count != position or child is None:
                return None
            self._cursors[key] = (count, child)
            node = child
        return node

    @staticmethod
    def _matches(element: Any, name: str) -> bool:
        if name == "*":
            return True
        prefix, _sep, local = name.rpartition(":")
        uri = element.nsmap.get(prefix) if prefix else None
        return bool(element.tag == (f"{{{uri}}}{local}" if uri else local))


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _segment(element: Any) -> str:
    ident = element.get("id")
    name = _local(element.tag)
    return f"/{name}[@id='{ident}']" if ident is not None else "/" + name


def _path(element: Any) -> str:
    """/ArchiveTransfer/DataObjectPackage/BinaryDataObject[@id='ID12']/MessageDigest."""
    parts: list[str] = []
    while element is not None:
        parts.append(_segment(element))
        element = element.getparent()
    return "".join(reversed(parts))


def _text(element: Any) -> str:
    return (element.text or "").strip() if element is not None else ""


# What an identifier names, packed with its line in one int: line << 2 | kind.
_OTHER, _UNIT, _GROUP, _OBJECT = range(4)
_KIND_NAMES = {_UNIT: "ArchiveUnit", _GROUP: "DataObjectGroup", _OBJECT: "DataObject"}
_KIND_OF_TAG = {
    "ArchiveUnit": _UNIT,
    "DataObjectGroup": _GROUP,
    "BinaryDataObject": _OBJECT,
    "PhysicalDataObject": _OBJECT,
}
# Elements whose type carries an `id` or `xml:id` attribute (from the 2.1-2.3 XSDs).
_ID_TAGS = (
    "ArchiveTransfer",
    "ArchivalAgency",
    "TransferringAgency",
    "OriginatingAgency",
    "CodeListVersions",
    "DataObjectPackage",
    "DataObjectGroup",
    "BinaryDataObject",
    "PhysicalDataObject",
    "ManagementMetadata",
    "ArchiveUnit",
    "DataObjectReference",
    "CustodialHistoryFile",
    "Keyword",
    "Rule",
    "RefNonRuleId",
)
# Elements whose path is kept while they are open, so that paths inside them cost little.
_CONTAINERS = ("ArchiveTransfer", "DataObjectPackage", "DescriptiveMetadata", "ArchiveUnit")
# Header element → the parent it must have to count.
_HEADERS = {
    "MessageIdentifier": "ArchiveTransfer",
    "ArchivalAgreement": "ArchiveTransfer",
    "ArchivalAgency": "ArchiveTransfer",
    "TransferringAgency": "ArchiveTransfer",
    "OriginatingAgencyIdentifier": "ManagementMetadata",
    "SubmissionAgencyIdentifier": "ManagementMetadata",
}


class _Structure:
    """What the XSD cannot check, gathered from one stream of end events.

    Only the elements of interest reach Python (lxml filters the tags), and the stored
    locations share the path of their group or unit: this is what keeps 100,000 objects fast.
    """

    def __init__(
        self, version: str, name: str, profile: str, problems: _Problems, clock: _Clock
    ) -> None:
        self._ns = ns = "{fr:gouv:culture:archivesdefrance:seda:v" + version + "}"
        self._name = name
        self._profile = profile
        self._problems = problems
        self._clock = clock
        self.units = 0
        self.objects = 0
        self.expected: list[_Expected] = []
        self._ids: dict[str, int] = {}
        # References met before what they point to: resolved at the end.
        self._pending: list[tuple[str, int, str, str, int | None]] = []
        # Groups no unit points at yet, and what units pointed at before it was declared.
        self._unattached: dict[str, tuple[str, str, int | None]] = {}
        self._early_groups: set[str] = set()
        self._early_objects: set[str] = set()
        self._object_group: dict[str, str] = {}
        self._headers: dict[str, _Header] = {}
        self._memo: dict[Any, str] = {}
        t = self._t = _Tags(ns)
        self._containers = {ns + local for local in _CONTAINERS}
        self._kinds = {ns + local: kind for local, kind in _KIND_OF_TAG.items()}
        self._bulky = {t.ArchiveUnit, t.DataObjectGroup, t.BinaryDataObject, t.PhysicalDataObject}
        self._handlers: dict[str, Callable[[Any], object]] = {
            ns + local: self._declare_ids for local in _ID_TAGS
        }
        for local in _HEADERS:
            self._handlers[ns + local] = self._header
        self._handlers.update(
            {
                t.BinaryDataObject: self._binary,
                t.PhysicalDataObject: self._physical,
                t.DataObjectGroup: self._group,
                t.ArchiveUnit: self._unit,
                t.DataObjectGroupId: self._group_id,
                t.DataObjectGroupReferenceId: self._reference(_GROUP),
                t.DataObjectReferenceId: self._reference(_OBJECT),
                t.ArchiveUnitRefId: self._reference(_UNIT),
                t.SignedObjectId: self._reference(_OBJECT),
                t.SignedDocumentReferenceId: self._reference(_OTHER),
                t.Relationship: self._relationship,
            }
        )
        if profile == "vitam":
            self._handlers[t.Content] = self._content

    @property
    def tags(self) -> list[str]:
        """The tags to ask lxml for."""
        return list(self._handlers)

    # -- the stream

    def feed(self, events: Iterable[tuple[str, Any]]) -> None:
        handlers = self._handlers
        bulky = self._bulky
        memo = self._memo
        check = self._clock.check
        for count, (_event, element) in enumerate(events, 1):
            if not count & 0x3FF:
                check()
            tag = element.tag
            handlers[tag](element)
            if tag in bulky:
                # Done with it: drop its content and the emptied siblings before it.
                memo.pop(element, None)
                element.clear(keep_tail=True)
                previous = element.getprevious()
                while previous is not None and previous.tag in bulky and not len(previous):
                    element.getparent().remove(previous)
                    previous = element.getprevious()

    def _container_path(self, element: Any) -> str:
        path = self._memo.get(element)
        if path is None:
            parent = element.getparent()
            path = (self._container_path(parent) if parent is not None else "") + _segment(element)
            if element.tag in self._containers:
                self._memo[element] = path
        return path

    def _locate(self, element: Any) -> tuple[str, str]:
        """(path of the nearest open container, the rest): cheap, and the prefix is shared."""
        parts: list[str] = []
        node = element
        containers = self._containers
        while node is not None and node.tag not in containers:
            parts.append(_segment(node))
            node = node.getparent()
        prefix = self._container_path(node) if node is not None else ""
        return prefix, "".join(reversed(parts))

    def _where(self, element: Any, child: str = "") -> str:
        prefix, suffix = self._locate(element)
        return f"{self._name} {prefix}{suffix}{child}"

    def _declare_ids(self, element: Any) -> str | None:
        """Record the element's identifiers; returns its `id`."""
        ident: str | None = element.get("id")
        if ident is not None:
            self._declare(ident, self._kinds.get(element.tag, _OTHER), element)
        xml_id = element.get(XML_ID)
        if xml_id is not None:
            self._declare(xml_id, _OTHER, element)
        return ident

    def _declare(self, ident: str, kind: int, element: Any) -> None:
        line = element.sourceline or 0
        first = self._ids.get(ident)
        if first is None:
            self._ids[ident] = line << 2 | kind
            return
        self._problems.error(
            "ID_DUPLICATE",
            _("The identifier {id} is used more than once (first at line {line}).").format(
                id=ident, line=first >> 2 or "?"
            ),
            self._where(element),
            element.sourceline,
        )

    # -- handlers

    def _reference(self, kind: int) -> Callable[[Any], None]:
        reference_tag = self._t.DataObjectReference

        def handle(element: Any) -> None:
            value = _text(element)
            parent = element.getparent()
            if parent is not None and parent.tag == reference_tag:
                self._attach(value, kind)
            self._resolve(value, kind, element)

        return handle

    def _attach(self, value: str, kind: int) -> None:
        """A unit points at a group or an object: that group is attached."""
        if kind == _OBJECT:
            group = self._object_group.get(value)
            if group is None:
                self._early_objects.add(value)  # declared further down
                return
            value = group
        elif kind != _GROUP:
            return
        if self._unattached.pop(value, None) is None and value not in self._ids:
            self._early_groups.add(value)

    def _declare_group(self, ident: str, location: tuple[str, str, int | None]) -> None:
        if ident in self._early_groups:
            self._early_groups.discard(ident)
        else:
            self._unattached.setdefault(ident, location)

    def _relationship(self, element: Any) -> None:
        target = element.get("target")
        if target is not None:
            self._resolve(target.strip(), _OTHER, element)

    def _resolve(self, value: str, kind: int, element: Any) -> None:
        """Check a reference now if its target is known, else keep it for the end."""
        target = self._ids.get(value)
        if target is None:
            self._pending.append((value, kind, *self._locate(element), element.sourceline))
        elif kind != _OTHER and target & 3 != kind:
            self._wrong_kind(value, kind, target, self._where(element), element.sourceline)

    def _wrong_kind(self, value: str, kind: int, target: int, where: str, line: int | None) -> None:
        self._problems.error(
            "REF_WRONG_KIND",
            _("The reference {id} should point to a {expected}, not a {actual}.").format(
                id=value, expected=_KIND_NAMES[kind], actual=_KIND_NAMES.get(target & 3, "?")
            ),
            where,
            line,
        )

    def _group_id(self, element: Any) -> None:
        # SEDA 2.1-style grouping: the first object of a group declares the group's id.
        value = _text(element)
        if value:
            self._declare(value, _GROUP, element)
            declared_by = element.getparent()
            self._declare_group(value, (*self._locate(declared_by), declared_by.sourceline))

    def _group(self, element: Any) -> None:
        ident = self._declare_ids(element)
        if ident:
            self._declare_group(ident, (*self._locate(element), element.sourceline))

    def _unit(self, element: Any) -> None:
        self._declare_ids(element)
        self.units += 1

    def _object_common(self, element: Any, physical: bool) -> tuple[str, dict[Any, Any]]:
        ident = self._declare_ids(element) or ""
        self.objects += 1
        children: dict[Any, Any] = {}
        for child in element:
            children.setdefault(child.tag, child)
        t = self._t
        parent = element.getparent()
        if parent is not None and parent.tag == t.DataObjectGroup:
            group = parent.get("id") or ""
        else:
            group = _text(children.get(t.DataObjectGroupId)) or _text(
                children.get(t.DataObjectGroupReferenceId)
            )
            if not group:
                # A bare object stands for its own group when nothing attaches it to one.
                group = ident
                self._declare_group(ident, (*self._locate(element), element.sourceline))
        self._object_group[ident] = group
        if ident in self._early_objects:
            self._early_objects.discard(ident)
            self._attach(group, _GROUP)
        if self._profile == "vitam":
            self._vitam_version(element, children.get(t.DataObjectVersion), physical)
        return ident, children

    def _physical(self, element: Any) -> None:
        self._object_common(element, physical=True)

    def _binary(self, element: Any) -> None:
        ident, children = self._object_common(element, physical=False)
        t = self._t
        problems = self._problems
        prefix, suffix = self._locate(element)
        where = f"{self._name} {prefix}{suffix}"
        digest_el = children.get(t.MessageDigest)
        algorithm: str | None = None
        expected_digest: bytes | None = None
        if digest_el is None:
            problems.error(
                "DIGEST_MISSING",
                _("The object {id} has no MessageDigest: its integrity cannot be checked.").format(
                    id=ident
                ),
                where,
                element.sourceline,
            )
        else:
            algorithm, expected_digest = self._digest(ident, digest_el, where)
        size_el = children.get(t.Size)
        size: int | None = None
        if size_el is None:
            problems.warning(
                "SIZE_MISSING",
                _("The object {id} has no Size.").format(id=ident),
                where,
                element.sourceline,
            )
        else:
            try:
                size = int(_text(size_el))
            except ValueError:
                problems.error(
                    "SIZE_MALFORMED",
                    _("The Size of the object {id} is not a number of bytes: {value}.").format(
                        id=ident, value=_text(size_el)
                    ),
                    where + "/Size",
                    size_el.sourceline,
                )
        attachment = children.get(t.Attachment)
        if attachment is not None:
            self._attachment(
                ident, attachment, algorithm, expected_digest, size, where, size_el, digest_el
            )
            return
        uri_el = children.get(t.Uri)
        if uri_el is None or not _text(uri_el):
            problems.error(
                "URI_MISSING",
                _("The object {id} has neither a Uri nor an Attachment.").format(id=ident),
                where,
                element.sourceline,
            )
            return
        self.expected.append(
            _Expected(
                prefix,
                suffix,
                _text(uri_el),
                uri_el.sourceline,
                algorithm,
                expected_digest,
                digest_el.sourceline if digest_el is not None else None,
                size,
                size_el.sourceline if size_el is not None else None,
            )
        )

    def _digest(self, ident: str, element: Any, where: str) -> tuple[str | None, bytes | None]:
        problems = self._problems
        written = (element.get("algorithm") or "").strip()
        loose = written.upper().replace("-", "").replace("_", "")
        canonical = written if written in DIGEST_ALGORITHMS else _LOOSE_ALGORITHMS.get(loose)
        if canonical is None:
            problems.error(
                "DIGEST_ALGORITHM_UNKNOWN",
                _(
                    "The digest algorithm {algorithm} of the object {id} is not one of "
                    "MD5, SHA-1, SHA-256, SHA-384, SHA-512: the digest cannot be checked."
                ).format(algorithm=written or "-", id=ident),
                where + "/MessageDigest",
                element.sourceline,
            )
            return None, None
        if canonical != written:
            vitam = self._profile == "vitam"
            problems.add(
                Severity.ERROR if vitam else Severity.WARNING,
                "VITAM_DIGEST_ALGORITHM" if vitam else "DIGEST_ALGORITHM_NAME",
                _(
                    "The digest algorithm of the object {id} is written {written}, not {name}."
                ).format(id=ident, written=written, name=canonical),
                where + "/MessageDigest",
                element.sourceline,
            )
        algorithm = DIGEST_ALGORITHMS[canonical]
        value = _decode_digest(_text(element), hashlib.new(algorithm).digest_size)
        if value is None:
            problems.error(
                "DIGEST_MALFORMED",
                _(
                    "The MessageDigest of the object {id} is not a {algorithm} digest in "
                    "hexadecimal or Base64."
                ).format(id=ident, algorithm=canonical),
                where + "/MessageDigest",
                element.sourceline,
            )
            return None, None
        return algorithm, value

    def _attachment(
        self,
        ident: str,
        element: Any,
        algorithm: str | None,
        digest: bytes | None,
        size: int | None,
        where: str,
        size_el: Any,
        digest_el: Any,
    ) -> None:
        try:
            data = base64.b64decode("".join((element.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            self._problems.error(
                "ATTACHMENT_MALFORMED",
                _("The Attachment of the object {id} is not valid Base64.").format(id=ident),
                where + "/Attachment",
                element.sourceline,
            )
            return
        if size is not None and size != len(data):
            self._problems.error(
                "SIZE_MISMATCH",
                _(
                    "Size mismatch for {uri}: the manifest says {expected}, the file "
                    "gives {actual}."
                ).format(
                    uri=_("the attachment of {id}").format(id=ident),
                    expected=size,
                    actual=len(data),
                ),
                where + "/Size",
                size_el.sourceline if size_el is not None else None,
            )
        if algorithm is not None and digest is not None:
            actual = hashlib.new(algorithm, data).digest()
            if actual != digest:
                self._problems.error(
                    "DIGEST_MISMATCH",
                    _(
                        "Digest mismatch for {uri}: the manifest says {expected}, the file "
                        "gives {actual}."
                    ).format(
                        uri=_("the attachment of {id}").format(id=ident),
                        expected=digest.hex(),
                        actual=actual.hex(),
                    ),
                    where + "/MessageDigest",
                    digest_el.sourceline,
                )

    def _content(self, element: Any) -> None:
        t = self._t
        titles = [child for child in element if child.tag == t.Title]
        levels = [child for child in element if child.tag == t.DescriptionLevel]
        parent = element.getparent()
        unit = (parent.get("id") if parent is not None else None) or "?"
        if not any(_text(title) for title in titles):
            self._problems.error(
                "VITAM_TITLE_MISSING",
                _("The archive unit {id} has no Title; Vitam requires one.").format(id=unit),
                self._where(element),
                element.sourceline,
            )
        if not any(_text(level) for level in levels):
            self._problems.error(
                "VITAM_LEVEL_MISSING",
                _("The archive unit {id} has no DescriptionLevel; Vitam requires one.").format(
                    id=unit
                ),
                self._where(element),
                element.sourceline,
            )

    def _vitam_version(self, element: Any, version: Any, physical: bool) -> None:
        ident = element.get("id") or "?"
        if version is None:
            self._problems.warning(
                "VITAM_OBJECT_VERSION",
                _(
                    "The object {id} has no DataObjectVersion; Vitam expects one (e.g. {example})."
                ).format(id=ident, example="PhysicalMaster" if physical else "BinaryMaster_1"),
                self._where(element),
                element.sourceline,
            )
            return
        value = _text(version)
        match = VITAM_OBJECT_VERSION.fullmatch(value)
        if match is None or (match.group(1) == "PhysicalMaster") != physical:
            self._problems.error(
                "VITAM_OBJECT_VERSION",
                _(
                    "The DataObjectVersion {value} of the object {id} is not one Vitam accepts "
                    "(BinaryMaster, Dissemination, Thumbnail or TextContent for a file, "
                    "PhysicalMaster for a physical object, optionally followed by _<number>)."
                ).format(value=value, id=ident),
                self._where(element, "/DataObjectVersion"),
                version.sourceline,
            )

    def _header(self, element: Any) -> None:
        self._declare_ids(element)
        local = _local(element.tag)
        parent = element.getparent()
        if parent is None or _local(parent.tag) != _HEADERS[local]:
            return
        if local in {"ArchivalAgency", "TransferringAgency"}:
            text = _text(element.find(self._t.Identifier))
        else:
            text = _text(element)
        self._headers[local] = _Header(text, self._where(element), element.sourceline)

    # -- once the stream is over

    def finish(self) -> None:
        problems = self._problems
        pending, self._pending = self._pending, []
        for value, kind, prefix, suffix, line in pending:
            target = self._ids.get(value)
            if target is not None:
                if kind != _OTHER and target & 3 != kind:
                    self._wrong_kind(value, kind, target, f"{self._name} {prefix}{suffix}", line)
            else:
                problems.error(
                    "REF_DANGLING",
                    _("The reference {id} points to nothing in the manifest.").format(
                        id=value or "''"
                    ),
                    f"{self._name} {prefix}{suffix}",
                    line,
                )
        for group, (prefix, suffix, line) in self._unattached.items():
            problems.warning(
                "OBJECT_UNREFERENCED",
                _("The object group {id} is not attached to any archive unit.").format(id=group),
                f"{self._name} {prefix}{suffix}",
                line,
            )
        if self._profile == "vitam":
            self._require("ArchivalAgreement", "VITAM_ARCHIVAL_AGREEMENT")
            self._require("OriginatingAgencyIdentifier", "VITAM_ORIGINATING_AGENCY")
            self._require("SubmissionAgencyIdentifier", "VITAM_SUBMISSION_AGENCY")
            self._no_empty_identifiers()
        elif self._profile == "asalae":
            self._require("ArchivalAgreement", "ASALAE_ARCHIVAL_AGREEMENT")
            self._no_empty_identifiers("OriginatingAgencyIdentifier", "SubmissionAgencyIdentifier")

    def _require(self, element: str, code: str) -> None:
        header = self._headers.get(element)
        if header is None:
            self._problems.error(
                code,
                _("{element} is missing; the archiving system requires it.").format(
                    element=element
                ),
                f"{self._name} /ArchiveTransfer"
                + (
                    "/DataObjectPackage/ManagementMetadata"
                    if element.endswith("Identifier")
                    else ""
                ),
            )
        elif not header.text:
            self._problems.error(
                code,
                _("{element} is empty; the archiving system requires a value.").format(
                    element=element
                ),
                header.where,
                header.line,
            )

    def _no_empty_identifiers(self, *elements: str) -> None:
        for element in ("MessageIdentifier", "ArchivalAgency", "TransferringAgency", *elements):
            header = self._headers.get(element)
            if header is not None and not header.text:
                self._problems.error(
                    "EMPTY_IDENTIFIER",
                    _("The identifier of {element} is empty.").format(element=element),
                    header.where,
                    header.line,
                )


class _Tags:
    """Qualified names of the elements the scanner reads, in one SEDA namespace."""

    ArchiveUnit: str
    Attachment: str
    ArchiveUnitRefId: str
    BinaryDataObject: str
    Content: str
    DataObjectGroup: str
    DataObjectGroupId: str
    DataObjectGroupReferenceId: str
    DataObjectReference: str
    DataObjectReferenceId: str
    DataObjectVersion: str
    DescriptionLevel: str
    Identifier: str
    MessageDigest: str
    PhysicalDataObject: str
    Relationship: str
    SignedDocumentReferenceId: str
    SignedObjectId: str
    Size: str
    Title: str
    Uri: str

    def __init__(self, ns: str) -> None:
        for local in self.__annotations__:
            setattr(self, local, ns + local)


def _decode_digest(text: str, digest_size: int) -> bytes | None:
    """SEDA allows hexadecimal or Base64 digests; Vitam writes hexadecimal."""
    if len(text) == 2 * digest_size:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return value if len(value) == digest_size else None


# ---------------------------------------------------------------------------------------------
# 4. The content files: one pass over the zip, in its own order


def _check_content(
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    base: str,
    name: str,
    structure: _Structure,
    problems: _Problems,
    clock: _Clock,
) -> None:
    by_name = {info.filename: info for info in infos if not info.is_dir()}
    wanted: dict[str, list[_Expected]] = {}
    for expected in structure.expected:
        entry = _resolve_uri(expected.uri, base, by_name)
        if entry is None:
            problems.error(
                "URI_NOT_FOUND",
                _("The file {uri} named by the manifest is not in the package.").format(
                    uri=expected.uri
                ),
                f"{name} {expected.prefix}{expected.suffix}/Uri",
                expected.uri_line,
            )
        else:
            wanted.setdefault(entry, []).append(expected)
    total = sum(len(items) for items in wanted.values())
    bytes_total = sum(by_name[entry].file_size for entry in wanted)
    done = 0
    bytes_done = 0
    content_prefix = (base + CONTENT_FOLDER + "/").casefold()
    for info in infos:
        if info.is_dir():
            continue
        expectations = wanted.pop(info.filename, None)
        if expectations is None:
            if info.filename.casefold().startswith(content_prefix):
                problems.warning(
                    "CONTENT_UNREFERENCED",
                    _(
                        "{entry} is in the package but no object of the manifest points to it."
                    ).format(entry=info.filename),
                    info.filename,
                )
            continue
        clock.check()
        clock.report(_("Checking the files"), done, total, bytes_done, bytes_total, info.filename)
        hashers = {e.algorithm: hashlib.new(e.algorithm) for e in expectations if e.algorithm}
        size = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    for hasher in hashers.values():
                        hasher.update(chunk)
                    if len(chunk) == _CHUNK:
                        clock.check()
        except _ENTRY_ERRORS as exc:
            problems.error(
                "ZIP_ENTRY_UNREADABLE",
                _("{entry} cannot be read from the package: {detail}").format(
                    entry=info.filename, detail=exc
                ),
                info.filename,
            )
            done += len(expectations)
            continue
        bytes_done += info.file_size
        done += len(expectations)
        for expected in expectations:
            if expected.size is not None and expected.size != size:
                problems.error(
                    "SIZE_MISMATCH",
                    _(
                        "Size mismatch for {uri}: the manifest says {expected}, the file "
                        "gives {actual}."
                    ).format(uri=expected.uri, expected=expected.size, actual=size),
                    f"{name} {expected.prefix}{expected.suffix}/Size",
                    expected.size_line,
                )
            if expected.algorithm is None or expected.digest is None:
                continue
            actual = hashers[expected.algorithm].digest()
            if actual != expected.digest:
                problems.error(
                    "DIGEST_MISMATCH",
                    _(
                        "Digest mismatch for {uri}: the manifest says {expected}, the file "
                        "gives {actual}."
                    ).format(uri=expected.uri, expected=expected.digest.hex(), actual=actual.hex()),
                    f"{name} {expected.prefix}{expected.suffix}/MessageDigest",
                    expected.digest_line,
                )
    clock.report(_("Checking the files"), done, total, bytes_done, bytes_total, force=True)


def _resolve_uri(uri: str, base: str, names: dict[str, zipfile.ZipInfo]) -> str | None:
    """The zip entry a Uri names: as written, then percent-decoded, relative to the manifest."""
    candidate = base + uri.removeprefix("./")
    if candidate in names:
        return candidate
    candidate = base + unquote(uri).removeprefix("./")
    return candidate if candidate in names else None
