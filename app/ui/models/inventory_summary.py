"""Aggregates of the whole inventory for the Formats, Duplicates and Anomalies tabs (no Qt).

Each function reads with one or two aggregate queries and returns plain rows; the page runs
them off the GUI thread on a reader connection.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from app.i18n import N_
from app.inventory.flags import EntryFlag
from app.inventory.formats import FAMILY_KEYS, Risk, family_of, risk_of


@dataclass(frozen=True, slots=True)
class FormatTotal:
    """One format (a PUID), or the unidentified files of one extension."""

    puid: str  # "" when not identified
    extension: str  # set only for unidentified files
    name: str
    version: str
    family: str
    files: int
    bytes: int
    risk: Risk


@dataclass(frozen=True, slots=True)
class FamilyTotal:
    key: str
    files: int
    bytes: int
    formats: int  # distinct formats (PUIDs, or extensions when unidentified)
    worst: Risk  # the worst risk among its formats


@dataclass
class _FormatGroup:
    name: str
    version: str
    files: int = 0
    bytes: int = 0
    extensions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    families: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _most(counts: dict[str, int]) -> str:
    return max(counts.items(), key=lambda item: (item[1], item[0]))[0]


def format_totals(conn: sqlite3.Connection) -> tuple[list[FamilyTotal], list[FormatTotal]]:
    """Every present file counted once: by format, and by family (in family order)."""
    groups: dict[tuple[str, str], _FormatGroup] = {}
    # Families count each file by its own family, as the file list's family filter does.
    family_files: dict[str, int] = defaultdict(int)
    family_bytes: dict[str, int] = defaultdict(int)
    family_groups: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for raw_puid, name, version, mime, raw_ext, raw_files, size in conn.execute(
        "SELECT coalesce(puid, ''), max(format_name), max(format_version), coalesce(mime, ''),"
        " extension, count(*), coalesce(sum(size), 0) FROM file WHERE state = 'present'"
        " GROUP BY 1, 4, 5"
    ):
        puid, extension, files = str(raw_puid), str(raw_ext or ""), int(raw_files)
        key = (puid, "" if puid else extension)
        group = groups.setdefault(key, _FormatGroup(str(name or ""), str(version or "")))
        group.files += files
        group.bytes += int(size)
        group.extensions[extension] += files
        family = family_of(puid, str(mime), extension)
        group.families[family] += files
        family_files[family] += files
        family_bytes[family] += int(size)
        family_groups[family].add(key)
    formats = [
        FormatTotal(
            puid=puid,
            extension=ext,
            name=group.name,
            version=group.version,
            family=_most(group.families),
            files=group.files,
            bytes=group.bytes,
            risk=risk_of(puid or None, _most(group.extensions)),
        )
        for (puid, ext), group in groups.items()
    ]
    formats.sort(key=lambda f: (-f.files, f.puid, f.extension))
    risks = {(f.puid, f.extension): f.risk for f in formats}
    families = [
        FamilyTotal(
            key,
            family_files[key],
            family_bytes[key],
            len(family_groups[key]),
            max((risks[g] for g in family_groups[key]), key=lambda r: r.level.rank),
        )
        for key in FAMILY_KEYS
        if family_files.get(key)
    ]
    return families, formats


@dataclass(frozen=True, slots=True)
class DuplicateGroupRow:
    sha512: bytes
    size: int
    copies: int
    sample: str  # one of the paths (the first by name), to recognise the group

    @property
    def wasted(self) -> int:
        return self.size * (self.copies - 1)


def duplicate_summary(
    conn: sqlite3.Connection, limit: int = 20_000
) -> tuple[int, int, int, list[DuplicateGroupRow]]:
    """(groups, files in them, wasted bytes, the most wasteful groups up to `limit`).

    Same rule as `app.inventory.duplicates`: present, non-empty files with equal SHA-512.
    """
    rows = conn.execute(
        "SELECT sha512, max(size), count(*), min(rel_path) FROM file"
        " WHERE state = 'present' AND kind = 'file' AND size > 0 AND sha512 IS NOT NULL"
        " GROUP BY sha512 HAVING count(*) > 1"
    ).fetchall()
    groups = [DuplicateGroupRow(bytes(d), int(s), int(n), str(p)) for d, s, n, p in rows]
    total_files = sum(g.copies for g in groups)
    wasted = sum(g.wasted for g in groups)
    groups.sort(key=lambda g: (-g.wasted, g.sample))
    return len(groups), total_files, wasted, groups[:limit]


@dataclass(frozen=True, slots=True)
class DuplicateCopy:
    file_id: int
    path: str  # as the user knows it: scanned root + relative path
    folder_id: int
    mtime_ns: int | None


def duplicate_copies(conn: sqlite3.Connection, sha512: bytes) -> list[DuplicateCopy]:
    rows = conn.execute(
        "SELECT f.id, s.root, f.rel_path, f.dir_id, f.mtime_ns FROM file f"
        " JOIN source s ON s.id = f.source_id WHERE f.sha512 = ? AND f.state = 'present'"
        " AND f.kind = 'file' AND f.size > 0 ORDER BY f.rel_path",
        (sha512,),
    ).fetchall()
    return [
        DuplicateCopy(int(i), f"{str(root).rstrip('/')}/{rel}", int(d), m)
        for i, root, rel, d, m in rows
    ]


# -- anomalies ---------------------------------------------------------------------------------

ISSUES = "issues"  # problems the last scan recorded
EMPTY_FOLDERS = "empty_folders"


@dataclass(frozen=True, slots=True)
class AnomalyRow:
    key: str  # a flag name, ISSUES or EMPTY_FOLDERS
    label: str  # English source
    advice: str  # English source: what it means, what to do
    count: int
    bytes: int
    flag: int  # the EntryFlag bits of the files it lists; 0 for the others


_FILE_ANOMALIES: tuple[tuple[EntryFlag, str, str], ...] = (
    (
        EntryFlag.UNREADABLE,
        N_("Unreadable files"),
        N_("Besace could not read them: check the access rights, then scan again."),
    ),
    (
        EntryFlag.LONG_PATH,
        N_("Paths over 260 characters"),
        N_("Many Windows tools stop at 260 characters: shorten folder names before transfer."),
    ),
    (
        EntryFlag.PROBLEM_NAME,
        N_("Names to rename"),
        N_("Characters that archiving systems refuse: a technical renaming is needed."),
    ),
    (
        EntryFlag.RESERVED_NAME,
        N_("Names reserved by Windows"),
        N_("Windows refuses these names (CON, AUX, a name ending with a dot…)."),
    ),
    (
        EntryFlag.UNDECODABLE_NAME,
        N_("Names not in UTF-8"),
        N_("Kept exactly as on the disk, shown approximately: rename before transfer."),
    ),
    (
        EntryFlag.EMPTY,
        N_("Empty files"),
        N_("Files of 0 bytes hold nothing to keep."),
    ),
    (
        EntryFlag.TEMPORARY,
        N_("Temporary files"),
        N_("Office lock and temporary files: never records, usually left out."),
    ),
    (
        EntryFlag.SYSTEM,
        N_("System files"),
        N_("Thumbs.db, desktop.ini, .DS_Store…: made by the system, not records."),
    ),
    (
        EntryFlag.HIDDEN,
        N_("Hidden files"),
        N_("Hidden by their owner or the system: check them before transfer."),
    ),
    (
        EntryFlag.DUPLICATE,
        N_("Duplicates"),
        N_("Identical content (same SHA-512) elsewhere in the inventory: keep one copy."),
    ),
    (
        EntryFlag.LARGE_FILE,
        N_("Files over 4 GiB"),
        N_("Too big for FAT32 and plain ZIP: check the archiving system's size limit."),
    ),
    (
        EntryFlag.CHANGED_DURING_SCAN,
        N_("Changed during the scan"),
        N_("Someone wrote to them while they were read: scan again."),
    ),
    (
        EntryFlag.SYMLINK,
        N_("Symbolic links"),
        N_("Links are listed, never followed."),
    ),
    (
        EntryFlag.SPECIAL,
        N_("Special files"),
        N_("Devices, pipes or sockets: listed, never opened."),
    ),
    (
        EntryFlag.EXCLUDED,
        N_("Excluded by the scan"),
        N_("They matched an exclusion pattern: listed, never read."),
    ),
)


def anomaly_rows(conn: sqlite3.Connection) -> list[AnomalyRow]:
    """Counts for every kind of problem; file kinds in one pass over the files."""
    sums = ", ".join(
        f"coalesce(sum(flags & {int(flag)} != 0), 0),"
        f" coalesce(sum(CASE WHEN flags & {int(flag)} THEN size END), 0)"
        for flag, _, _ in _FILE_ANOMALIES
    )
    counts = conn.execute(f"SELECT {sums} FROM file WHERE state = 'present'").fetchone()
    run = conn.execute("SELECT max(id) FROM scan_run").fetchone()[0]
    issues = 0
    if run is not None:
        issues = int(
            conn.execute("SELECT count(*) FROM scan_issue WHERE run_id = ?", (run,)).fetchone()[0]
        )
    empty_folders = int(
        conn.execute(
            "SELECT count(*) FROM directory WHERE state = 'present' AND parent_id IS NOT NULL"
            " AND flags & ? != 0",
            (int(EntryFlag.EMPTY),),
        ).fetchone()[0]
    )
    rows = [
        AnomalyRow(
            ISSUES,
            N_("Problems of the last scan"),
            N_("Errors and warnings recorded while scanning: select to see them."),
            issues,
            0,
            0,
        )
    ]
    for number, (flag, label, advice) in enumerate(_FILE_ANOMALIES):
        rows.append(
            AnomalyRow(
                str(flag.name).lower(),
                label,
                advice,
                int(counts[2 * number]),
                int(counts[2 * number + 1]),
                int(flag),
            )
        )
        if flag is EntryFlag.EMPTY:
            rows.append(
                AnomalyRow(
                    EMPTY_FOLDERS,
                    N_("Empty folders"),
                    N_("Folders with no file anywhere below them: select to see them."),
                    empty_folders,
                    0,
                    0,
                )
            )
    return rows


@dataclass(frozen=True, slots=True)
class IssueRow:
    path: str
    severity: str
    message: str
    folder_id: int | None  # for empty folders: where to go


def last_scan_issues(conn: sqlite3.Connection, limit: int = 10_000) -> list[IssueRow]:
    run = conn.execute("SELECT max(id) FROM scan_run").fetchone()[0]
    if run is None:
        return []
    return [
        IssueRow(str(path), str(severity), str(message), None)
        for path, severity, message in conn.execute(
            "SELECT rel_path, severity, message FROM scan_issue WHERE run_id = ?"
            " ORDER BY severity = 'info', severity = 'warning', rel_path LIMIT ?",
            (run, limit),
        )
    ]


def empty_folders(conn: sqlite3.Connection, limit: int = 10_000) -> list[IssueRow]:
    return [
        IssueRow(str(path), "info", "", int(folder_id))
        for folder_id, path in conn.execute(
            "SELECT id, rel_path FROM directory WHERE state = 'present'"
            " AND parent_id IS NOT NULL AND flags & ? != 0 ORDER BY rel_path LIMIT ?",
            (int(EntryFlag.EMPTY), limit),
        )
    ]
