"""The SIP zip: content streamed and re-verified, manifest last, atomic rename at the end.

Until the final rename the package lives under a temporary name beside its destination,
so an interrupted build (even kill -9) never leaves a package that looks complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from app.errors import AppError
from app.i18n import _
from app.seda.manifest import ManifestWriter
from app.seda.model import ArchiveUnit, DataObject, Transfer
from app.share_files import open_read_only
from app.tasks import CancelToken, Progress, ProgressSink, Throttle, ignore_progress

CHUNK = 1024 * 1024
SMALL_FILE = 4 * CHUNK
DEFLATE_MIN = 4096
ZIP64_LIMIT = 0xFFFFFFFF
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PARTIAL_SUFFIX = ".part"
# Formats worth deflating (~18 % on office text); images, archives and media are stored.
COMPRESSIBLE_MIME_PREFIXES = (
    "text/",
    "application/xml",
    "application/json",
    "image/svg",
    "application/rtf",
    "message/",
    "image/bmp",
    "image/tiff",
    "audio/x-wav",
    "audio/wav",
    "application/msword",
    "application/vnd.ms-",
)


class SourceChangedError(AppError):
    """Files changed since the scan: the build stops and names them all."""

    def __init__(self, paths: Sequence[str]) -> None:
        shown = "\n".join(f"  {p}" for p in paths[:50])
        more = len(paths) - 50
        if more > 0:
            shown += "\n  " + _("… and {n} more").format(n=more)
        super().__init__(
            _("{n} files changed since the scan; scan again, then build.").format(n=len(paths)),
            details=shown,
        )
        self.paths = list(paths)


@dataclass(frozen=True, slots=True)
class BuiltPackage:
    path: Path
    message_identifier: str
    units: int
    objects: int
    content_bytes: int


@dataclass(slots=True)
class PackOptions:
    version: str = "2.2"
    profile: str = "generic"
    reproducible: bool = False
    compress: bool = True


def _compressible(obj: DataObject) -> bool:
    return obj.mime.startswith(COMPRESSIBLE_MIME_PREFIXES)


def check_sources(objects: Sequence[DataObject], expected_mtimes: dict[str, int]) -> None:
    """Stop before writing anything when a source file's size or date moved since the scan."""
    changed: list[str] = []
    for obj in objects:
        try:
            st = os.stat(obj.source)
        except OSError:
            changed.append(os.fsdecode(obj.source))
            continue
        if st.st_size != obj.size or (
            obj.id in expected_mtimes and st.st_mtime_ns != expected_mtimes[obj.id]
        ):
            changed.append(os.fsdecode(obj.source))
    if changed:
        raise SourceChangedError(changed)


def write_package(
    transfer: Transfer,
    dest: Path,
    *,
    options: PackOptions,
    token: CancelToken | None = None,
    progress: ProgressSink = ignore_progress,
) -> BuiltPackage:
    """Write one SIP at `dest`: complete and verified, or not at all."""
    token = token or CancelToken()
    writer = ManifestWriter(options.version, options.profile)
    writer.check(transfer)  # before any byte is written
    objects = transfer.objects()
    total = sum(o.size for o in objects)
    throttle = Throttle(progress)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=PARTIAL_SUFFIX, dir=dest.parent)
    tmp = Path(tmp_name)
    done = 0
    mismatched: list[str] = []
    try:
        with os.fdopen(fd, "w+b") as raw, zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
            for index, obj in enumerate(objects):
                token.raise_if_cancelled()
                digest, size = _add_object(zf, obj, options, token)
                if digest != obj.sha512 or size != obj.size:
                    mismatched.append(os.fsdecode(obj.source))
                done += obj.size
                throttle(
                    Progress(
                        index + 1, len(objects), _("Packing"), done, total, current=obj.filename
                    )
                )
            if mismatched:
                raise SourceChangedError(mismatched)
            manifest = zipfile.ZipInfo("manifest.xml", _zip_time(transfer.header.date, options))
            manifest.compress_type = zipfile.ZIP_DEFLATED
            manifest.external_attr = 0o644 << 16
            with zf.open(manifest, "w", force_zip64=True) as out:
                writer.write(transfer, out)
            zf.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, dest)
        _fsync_folder(dest.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    throttle(Progress(len(objects), len(objects), _("Packing"), total, total), force=True)
    units = sum(len(root.walk()) for root in transfer.units)
    return BuiltPackage(dest, transfer.header.message_identifier, units, len(objects), total)


def _zip_time(moment: datetime | None, options: PackOptions) -> tuple[int, int, int, int, int, int]:
    """Zip entry time: the file's (or the transfer's) date; fixed when output must reproduce."""
    if options.reproducible or moment is None or moment.year < 1980:
        return FIXED_ZIP_TIME
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _add_object(
    zf: zipfile.ZipFile, obj: DataObject, options: PackOptions, token: CancelToken
) -> tuple[bytes, int]:
    info = zipfile.ZipInfo(obj.uri, _zip_time(obj.last_modified, options))
    info.compress_type = (
        zipfile.ZIP_DEFLATED if options.compress and _compressible(obj) else zipfile.ZIP_STORED
    )
    info.external_attr = 0o644 << 16
    try:
        fd = open_read_only(obj.source)
    except OSError as exc:
        raise AppError(
            _("{path} cannot be read: {reason}").format(
                path=os.fsdecode(obj.source), reason=exc.strerror or exc
            )
        ) from exc
    try:
        if obj.size <= SMALL_FILE:
            # One read, one write: zipfile writes the header once, with the CRC known.
            data = _read_all(fd)
            if len(data) < DEFLATE_MIN:
                info.compress_type = zipfile.ZIP_STORED  # deflate would cost more than it saves
            zf.writestr(info, data)
            return hashlib.sha512(data).digest(), len(data)
        hasher = hashlib.sha512()
        size = 0
        with zf.open(info, "w", force_zip64=obj.size >= ZIP64_LIMIT) as out:
            while True:
                chunk = os.read(fd, CHUNK)
                if not chunk:
                    break
                hasher.update(chunk)
                out.write(chunk)
                size += len(chunk)
                if size % (64 * CHUNK) == 0:
                    token.raise_if_cancelled()
        return hasher.digest(), size
    finally:
        os.close(fd)


def _read_all(fd: int) -> bytes:
    parts: list[bytes] = []
    while True:
        chunk = os.read(fd, CHUNK)
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_partials(folder: Path) -> list[Path]:
    """Leftovers of builds that were killed: never presented, removed at the next build."""
    removed = []
    for path in folder.glob(f".*{PARTIAL_SUFFIX}"):
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


# -- splitting -----------------------------------------------------------------------------------
@dataclass(slots=True)
class _Part:
    objects: set[str] = field(default_factory=set)
    size: int = 0


def split_transfer(
    transfer: Transfer, *, max_bytes: int | None = None, max_objects: int | None = None
) -> list[Transfer]:
    """Several self-contained transfers, each under the limits; units are repeated in every
    part that holds some of their objects, so each SIP keeps its place in the tree."""
    if not max_bytes and not max_objects:
        return [transfer]
    parts = [_Part()]
    for obj in transfer.objects():
        part = parts[-1]
        full = part.objects and (
            (max_objects and len(part.objects) >= max_objects)
            or (max_bytes and part.size + obj.size > max_bytes)
        )
        if full:
            part = _Part()
            parts.append(part)
        part.objects.add(obj.id)
        part.size += obj.size
    if len(parts) == 1:
        return [transfer]
    results = []
    for number, part in enumerate(parts, start=1):
        units = [
            pruned
            for root in transfer.units
            if (pruned := _prune(root, part.objects, keep_empty=number == 1)) is not None
        ]
        header = replace(
            transfer.header,
            message_identifier=f"{transfer.header.message_identifier}-{number:02d}",
            comment=(transfer.header.comment + " " if transfer.header.comment else "")
            + _("(part {n} of {total})").format(n=number, total=len(parts)),
        )
        results.append(Transfer(header, units))
    return results


def _prune(unit: ArchiveUnit, keep: set[str], keep_empty: bool) -> ArchiveUnit | None:
    objects = [o for o in unit.objects if o.id in keep]
    children = [c for child in unit.children if (c := _prune(child, keep, keep_empty))]
    has_own = bool(unit.objects)
    if not objects and not children and (has_own or not keep_empty or _holds_objects(unit)):
        return None
    return replace(
        unit, objects=objects, children=children, group_id=unit.group_id if objects else None
    )


def _holds_objects(unit: ArchiveUnit) -> bool:
    return any(u.objects for u in unit.walk())
