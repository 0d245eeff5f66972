"""Creation date of an open file: st_birthtime where the OS reports it, statx on Linux."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

_AT_EMPTY_PATH = 0x1000
_STATX_BTIME = 0x800


class _StatxTimestamp(ctypes.Structure):
    _fields_ = (
        ("tv_sec", ctypes.c_int64),
        ("tv_nsec", ctypes.c_uint32),
        ("reserved", ctypes.c_int32),
    )


class _Statx(ctypes.Structure):
    _fields_ = (
        ("stx_mask", ctypes.c_uint32),
        ("stx_blksize", ctypes.c_uint32),
        ("stx_attributes", ctypes.c_uint64),
        ("stx_nlink", ctypes.c_uint32),
        ("stx_uid", ctypes.c_uint32),
        ("stx_gid", ctypes.c_uint32),
        ("stx_mode", ctypes.c_uint16),
        ("spare0", ctypes.c_uint16),
        ("stx_ino", ctypes.c_uint64),
        ("stx_size", ctypes.c_uint64),
        ("stx_blocks", ctypes.c_uint64),
        ("stx_attributes_mask", ctypes.c_uint64),
        ("stx_atime", _StatxTimestamp),
        ("stx_btime", _StatxTimestamp),
        ("stx_ctime", _StatxTimestamp),
        ("stx_mtime", _StatxTimestamp),
        # The kernel writes 256 bytes; keep room to spare so nothing lands past the buffer.
        ("spare", ctypes.c_uint64 * 48),
    )


_statx = None
if sys.platform.startswith("linux"):
    _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    _statx = getattr(_libc, "statx", None)


def birth_time_ns(fd: int, st: os.stat_result) -> int | None:
    """Nanoseconds since the epoch, or None where the file system does not keep it."""
    birth = getattr(st, "st_birthtime_ns", None)
    if birth is not None:
        return int(birth)
    birth_s = getattr(st, "st_birthtime", None)
    if birth_s is not None:
        return int(birth_s * 1_000_000_000)
    if sys.platform == "win32":
        return st.st_ctime_ns  # creation time on Windows before Python 3.12
    if _statx is None:
        return None
    buf = _Statx()
    if _statx(fd, b"", _AT_EMPTY_PATH, _STATX_BTIME, ctypes.byref(buf)) != 0:
        return None
    if not buf.stx_mask & _STATX_BTIME:
        return None
    return int(buf.stx_btime.tv_sec) * 1_000_000_000 + int(buf.stx_btime.tv_nsec)
