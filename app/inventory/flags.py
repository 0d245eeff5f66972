"""What a scan notices about an entry, stored as a bit set on its row."""

from __future__ import annotations

import fnmatch
import re
import stat
from collections.abc import Sequence

from app.project.flags import FLAG_LABELS, Bits, EntryFlag

__all__ = ["FLAG_LABELS", "Bits", "EntryFlag", "NameRules"]


# Flags a scan sets from the entry itself; duplicates and emptiness of folders are derived later.
DERIVED_FLAGS = int(EntryFlag.DUPLICATE)

WINDOWS_PATH_LIMIT = 260
LARGE_FILE_LIMIT = 4 * 1024**3

_RESERVED_STEMS = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\\/]')
# Characters that survive Windows but break SAE ingest, URIs in manifests or old tools.
_RISKY_CHARACTERS = re.compile(r"[#%&{}$!'’`@+=;,\[\]~^«»]|\s{2,}|^\s|\s$")

FILE_ATTRIBUTE_HIDDEN = 0x2
FILE_ATTRIBUTE_SYSTEM = 0x4


def is_reserved_windows_name(name: str) -> bool:
    if _WINDOWS_FORBIDDEN.search(name):
        return True
    if name.endswith((".", " ")) and name not in (".", ".."):
        return True
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    return stem in _RESERVED_STEMS


def has_problem_characters(name: str) -> bool:
    return bool(_RISKY_CHARACTERS.search(name)) or not name.isascii()


class NameRules:
    """Compiled temporary, system and exclusion patterns (case-insensitive shell globs)."""

    def __init__(
        self,
        temporary: Sequence[str],
        system: Sequence[str],
        excluded: Sequence[str],
    ) -> None:
        self._temporary = self._compile(temporary)
        self._system = self._compile(system)
        self._excluded = self._compile(excluded)

    @staticmethod
    def _compile(patterns: Sequence[str]) -> re.Pattern[str] | None:
        if not patterns:
            return None
        return re.compile(
            "|".join(f"(?:{fnmatch.translate(p)})" for p in patterns), re.IGNORECASE | re.DOTALL
        )

    def name_flags(self, name: str) -> int:
        flags = 0
        if self._temporary is not None and self._temporary.match(name):
            flags |= Bits.TEMPORARY
        if self._system is not None and self._system.match(name):
            flags |= Bits.SYSTEM
        if self._excluded is not None and self._excluded.match(name):
            flags |= Bits.EXCLUDED
        if name.startswith("."):
            flags |= Bits.HIDDEN
        if is_reserved_windows_name(name):
            flags |= Bits.RESERVED_NAME
        elif has_problem_characters(name):
            flags |= Bits.PROBLEM_NAME
        return flags


def attribute_flags(st_file_attributes: int) -> int:
    """Windows hidden and system attributes (zero elsewhere)."""
    flags = 0
    if st_file_attributes & FILE_ATTRIBUTE_HIDDEN:
        flags |= Bits.HIDDEN
    if st_file_attributes & FILE_ATTRIBUTE_SYSTEM:
        flags |= Bits.SYSTEM
    return flags


def mode_kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "directory"
    return "special"


def describe_flags(flags: int) -> list[str]:
    """The untranslated labels of the flags set (translate them where shown)."""
    return [label for flag, label in FLAG_LABELS.items() if flags & flag]
