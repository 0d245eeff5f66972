"""Names and paths as the OS gives them, kept losslessly, shown readably.

POSIX names are bytes that need not be UTF-8; Python hands them over as `str` with
surrogate escapes. We store the exact bytes (to find the file again) and a readable
UTF-8 form (to show and search it).
"""

from __future__ import annotations

import ntpath
import os
import sys

WINDOWS = sys.platform == "win32"


def name_to_raw(name: str) -> bytes:
    """The exact on-disk name, as bytes."""
    if WINDOWS:
        return name.encode("utf-8", "surrogatepass")
    return os.fsencode(name)


def raw_to_name(raw: bytes) -> str:
    """Inverse of `name_to_raw`: the `str` that opens the same file."""
    if WINDOWS:
        return raw.decode("utf-8", "surrogatepass")
    return os.fsdecode(raw)


def readable(name: str) -> tuple[str, bool]:
    """A valid UTF-8 rendering, and whether the original was not valid UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name_to_raw(name).decode("utf-8", "replace"), True
    return name, False


def long_path(path: str, *, windows: bool = WINDOWS) -> str:
    r"""On Windows, the `\\?\` form that lifts the 260-character limit (UNC shares too)."""
    if not windows or path.startswith("\\\\?\\"):
        return path
    path = ntpath.abspath(path) if WINDOWS else ntpath.normpath(path)
    if path.startswith("\\\\"):
        return "\\\\?\\UNC\\" + path[2:]
    return "\\\\?\\" + path


def display_root(path: str) -> str:
    r"""The root as the user typed it, without the `\\?\` prefix."""
    if path.startswith("\\\\?\\UNC\\"):
        return "\\\\" + path[8:]
    if path.startswith("\\\\?\\"):
        return path[4:]
    return path


def windows_length(root_display: str, rel_path: str) -> int:
    """Length of the full path as Windows counts it (separator included)."""
    return len(root_display.rstrip("/\\")) + 1 + len(rel_path)


def extension_of(name: str) -> str:
    """Lower-case extension without the dot; '' for none or for dot-files."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or " " in ext or len(ext) > 10:
        return ""
    return ext.lower()
