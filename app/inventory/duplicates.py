"""Duplicates: present, non-empty files with the same SHA-512."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.inventory.flags import EntryFlag

_DUPLICATED_DIGESTS = (
    "SELECT sha512 FROM file WHERE state = 'present' AND kind = 'file' AND size > 0"
    " AND sha512 IS NOT NULL GROUP BY sha512 HAVING count(*) > 1"
)


def refresh_duplicate_flags(conn: sqlite3.Connection) -> None:
    dup = int(EntryFlag.DUPLICATE)
    conn.execute(f"UPDATE file SET flags = flags & ~{dup} WHERE flags & {dup}")
    conn.execute(
        f"UPDATE file SET flags = flags | {dup} WHERE state = 'present' AND kind = 'file'"
        f" AND size > 0 AND sha512 IN ({_DUPLICATED_DIGESTS})"
    )


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    sha512: bytes
    size: int
    paths: tuple[str, ...]

    @property
    def wasted_bytes(self) -> int:
        return self.size * (len(self.paths) - 1)


def duplicate_groups(conn: sqlite3.Connection, limit: int | None = None) -> list[DuplicateGroup]:
    """Groups of identical files, the most wasteful first."""
    sql = (
        "SELECT f.sha512, f.size, group_concat(s.root || char(31) || f.rel_path, char(30))"
        " FROM file f JOIN source s ON s.id = f.source_id"
        " WHERE f.state = 'present' AND f.kind = 'file' AND f.size > 0"
        f" AND f.sha512 IN ({_DUPLICATED_DIGESTS})"
        " GROUP BY f.sha512 ORDER BY f.size * (count(*) - 1) DESC, f.sha512"
    )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    groups = []
    for digest, size, joined in conn.execute(sql):
        paths = tuple(sorted(p.replace("\x1f", "/", 1) for p in str(joined).split("\x1e")))
        groups.append(DuplicateGroup(digest, int(size), paths))
    return groups


def duplicate_totals(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """(groups, files in them, bytes that copies waste)."""
    row = conn.execute(
        "SELECT count(*), coalesce(sum(n), 0), coalesce(sum(size * (n - 1)), 0) FROM"
        " (SELECT count(*) AS n, max(size) AS size FROM file WHERE state = 'present'"
        " AND kind = 'file' AND size > 0 AND sha512 IS NOT NULL GROUP BY sha512"
        " HAVING count(*) > 1)"
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])
