"""The per-file step run in worker processes: read once to hash, then identify.

siegfried reads much of each file again; hashing first leaves those bytes in the page
cache. Nothing here writes to the scanned tree: files are opened read-only, with
O_NOATIME where the OS allows it, and never re-timed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.inventory.birthtime import birth_time_ns
from app.inventory.identify import EngineInfo, Identification, Identifier, create_identifier
from app.share_files import open_read_only

CHUNK = 1024 * 1024
STABILITY_RETRIES = 2
DIGEST_ALGORITHMS = ("md5", "sha1", "sha256", "sha512")


@dataclass(slots=True)
class ReadTask:
    key: int
    path: str  # OS path, long-path prefixed on Windows


@dataclass(slots=True)
class ReadResult:
    key: int
    size: int = 0
    mtime_ns: int = 0
    created_ns: int | None = None
    sha512: bytes | None = None
    other_digests: dict[str, str] = field(default_factory=dict)
    identification: Identification | None = None
    error: str = ""
    error_code: str = ""
    changed_during_read: bool = False


def read_file(task: ReadTask, algorithms: Sequence[str]) -> ReadResult:
    """Hash one file, re-reading it if it changes underneath (then flag it if it keeps on)."""
    result = ReadResult(task.key)
    try:
        fd = open_read_only(task.path)
    except OSError as exc:
        result.error, result.error_code = _describe(exc), "unreadable"
        return result
    try:
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        for _attempt in range(STABILITY_RETRIES + 1):
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                result.error, result.error_code = "not a regular file", "special"
                return result
            hashers = [hashlib.sha512(), *(hashlib.new(name) for name in algorithms)]
            os.lseek(fd, 0, os.SEEK_SET)
            while True:
                n = os.readv(fd, [buffer]) if sys.platform != "win32" else _readinto(fd, buffer)
                if n <= 0:
                    break
                chunk = view[:n]
                for hasher in hashers:
                    hasher.update(chunk)
            after = os.fstat(fd)
            result.size = after.st_size
            result.mtime_ns = after.st_mtime_ns
            result.created_ns = birth_time_ns(fd, after)
            result.sha512 = hashers[0].digest()
            result.other_digests = {h.name: h.hexdigest() for h in hashers[1:]}
            stable = (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns)
            if stable:
                result.changed_during_read = False
                break
            result.changed_during_read = True
    except OSError as exc:
        result.error, result.error_code = _describe(exc), "unreadable"
        result.sha512 = None
    finally:
        os.close(fd)
    return result


def _readinto(fd: int, buffer: bytearray) -> int:
    data = os.read(fd, len(buffer))
    buffer[: len(data)] = data
    return len(data)


def _describe(exc: OSError) -> str:
    name = errno.errorcode.get(exc.errno or 0, "")
    return f"{name}: {exc.strerror}" if name else str(exc)


# -- worker process state ------------------------------------------------------------------
_identifier: Identifier | None = None
_algorithms: tuple[str, ...] = ()


def init_worker(engine: str, algorithms: Sequence[str]) -> None:
    """Each worker loads its engine once; Ctrl-C is the parent's to handle."""
    global _identifier, _algorithms
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _identifier = create_identifier(engine)
    _algorithms = tuple(a for a in algorithms if a != "sha512")


def engine_info() -> EngineInfo:
    assert _identifier is not None
    return _identifier.info


def read_batch(tasks: Sequence[ReadTask]) -> list[ReadResult]:
    assert _identifier is not None
    results = [read_file(task, _algorithms) for task in tasks]
    readable = [r for r in results if not r.error]
    paths = {t.key: t.path for t in tasks}
    try:
        identified = _identifier.identify_many([paths[r.key] for r in readable])
    except Exception as exc:  # an engine failure costs the batch its formats, not its hashes
        identified = [Identification(error=f"{type(exc).__name__}: {exc}")] * len(readable)
    for result, identification in zip(readable, identified, strict=True):
        result.identification = identification
    return results
