"""The flags stored on each file and folder row: what the scan noticed about it.

They live with the project because every layer reads them (the scan sets them, the
package builder leaves flagged files out, the reports count them).
"""

from __future__ import annotations

from enum import IntFlag

from app.i18n import N_


class EntryFlag(IntFlag):
    HIDDEN = 1 << 0
    SYSTEM = 1 << 1
    TEMPORARY = 1 << 2
    DUPLICATE = 1 << 3
    EMPTY = 1 << 4  # empty file, or folder with no file anywhere below it
    EXCLUDED = 1 << 5  # matched an exclusion pattern: listed, never read
    LONG_PATH = 1 << 6  # full path over Windows' 260-character limit
    RESERVED_NAME = 1 << 7  # a name Windows refuses (CON, AUX, "name.", a:b…)
    UNDECODABLE_NAME = 1 << 8  # bytes that are not valid UTF-8, kept losslessly
    LARGE_FILE = 1 << 9  # over 4 GiB: beyond FAT32 and plain zip
    CHANGED_DURING_SCAN = 1 << 10
    UNREADABLE = 1 << 11
    SPECIAL = 1 << 12  # FIFO, socket or device: listed, never opened
    SYMLINK = 1 << 13  # link: listed, never followed
    PROBLEM_NAME = 1 << 14  # characters that need a technical renaming before transfer


class Bits:
    """The same flags as plain ints, for the scan's per-file loop (enum arithmetic is slow)."""

    HIDDEN = int(EntryFlag.HIDDEN)
    SYSTEM = int(EntryFlag.SYSTEM)
    TEMPORARY = int(EntryFlag.TEMPORARY)
    DUPLICATE = int(EntryFlag.DUPLICATE)
    EMPTY = int(EntryFlag.EMPTY)
    EXCLUDED = int(EntryFlag.EXCLUDED)
    LONG_PATH = int(EntryFlag.LONG_PATH)
    RESERVED_NAME = int(EntryFlag.RESERVED_NAME)
    UNDECODABLE_NAME = int(EntryFlag.UNDECODABLE_NAME)
    LARGE_FILE = int(EntryFlag.LARGE_FILE)
    CHANGED_DURING_SCAN = int(EntryFlag.CHANGED_DURING_SCAN)
    UNREADABLE = int(EntryFlag.UNREADABLE)
    SPECIAL = int(EntryFlag.SPECIAL)
    SYMLINK = int(EntryFlag.SYMLINK)
    PROBLEM_NAME = int(EntryFlag.PROBLEM_NAME)


FLAG_LABELS: dict[EntryFlag, str] = {
    EntryFlag.HIDDEN: N_("hidden"),
    EntryFlag.SYSTEM: N_("system"),
    EntryFlag.TEMPORARY: N_("temporary"),
    EntryFlag.DUPLICATE: N_("duplicate"),
    EntryFlag.EMPTY: N_("empty"),
    EntryFlag.EXCLUDED: N_("excluded"),
    EntryFlag.LONG_PATH: N_("path over 260 characters"),
    EntryFlag.RESERVED_NAME: N_("name reserved by Windows"),
    EntryFlag.UNDECODABLE_NAME: N_("name not in UTF-8"),
    EntryFlag.LARGE_FILE: N_("over 4 GiB"),
    EntryFlag.CHANGED_DURING_SCAN: N_("changed during the scan"),
    EntryFlag.UNREADABLE: N_("unreadable"),
    EntryFlag.SPECIAL: N_("special file"),
    EntryFlag.SYMLINK: N_("symbolic link"),
    EntryFlag.PROBLEM_NAME: N_("name to rename"),
}
