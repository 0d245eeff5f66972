"""Opening files on the scanned share: read-only, without updating their access time."""

from __future__ import annotations

import os

_O_NOATIME = getattr(os, "O_NOATIME", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


def open_read_only(path: str | bytes) -> int:
    """A read-only descriptor; O_NOATIME where the OS allows it (it needs ownership)."""
    flags = os.O_RDONLY | _O_BINARY
    if _O_NOATIME:
        try:
            return os.open(path, flags | _O_NOATIME)
        except PermissionError:
            pass  # not the owner: an ordinary read-only open may still be allowed
    return os.open(path, flags)
