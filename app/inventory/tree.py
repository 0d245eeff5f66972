"""Folder totals (files and bytes below each folder) and empty folders, bottom-up."""

from __future__ import annotations

import sqlite3

from app.inventory.flags import EntryFlag


def refresh_directory_totals(conn: sqlite3.Connection) -> None:
    """One pass per depth, deepest first: O(folders + files) with the parent indexes."""
    max_depth = conn.execute("SELECT coalesce(max(depth), 0) FROM directory").fetchone()[0]
    for depth in range(int(max_depth), -1, -1):
        conn.execute(
            "UPDATE directory SET"
            " total_files = (SELECT count(*) FROM file f WHERE f.dir_id = directory.id"
            "   AND f.state = 'present')"
            "  + (SELECT coalesce(sum(c.total_files), 0) FROM directory c"
            "   WHERE c.parent_id = directory.id AND c.state = 'present'),"
            " total_bytes = (SELECT coalesce(sum(f.size), 0) FROM file f"
            "   WHERE f.dir_id = directory.id AND f.state = 'present')"
            "  + (SELECT coalesce(sum(c.total_bytes), 0) FROM directory c"
            "   WHERE c.parent_id = directory.id AND c.state = 'present')"
            " WHERE depth = ? AND state = 'present'",
            (depth,),
        )
    empty = int(EntryFlag.EMPTY)
    conn.execute(
        f"UPDATE directory SET flags = CASE WHEN total_files = 0 AND error IS NULL"
        f" AND parent_id IS NOT NULL THEN flags | {empty} ELSE flags & ~{empty} END"
        " WHERE state = 'present'"
    )
