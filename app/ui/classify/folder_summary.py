"""Where the inventory stands: per folder, what its whole subtree holds (files, files still
to classify, where the rest go), and per series its files and volume.

Computed off the GUI thread (grouped queries, then a roll-up from the deepest folders to the
top), and given to the series panel and the inventory tree.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from app.tasks import CancelToken

# A file's destination: (series id, None) or (None, exclusion reason).
ClassKey = tuple[int | None, str | None]


@dataclass(slots=True)
class FolderSummary:
    files: int = 0
    unclassified: int = 0
    classes: dict[ClassKey, int] = field(default_factory=dict)

    def add(self, other: FolderSummary) -> None:
        self.files += other.files
        self.unclassified += other.unclassified
        for key, count in other.classes.items():
            self.classes[key] = self.classes.get(key, 0) + count


@dataclass(slots=True)
class ClassificationCounts:
    folders: dict[int, FolderSummary]
    series: dict[int, tuple[int, int]]  # series id → (files, bytes)
    unclassified: tuple[int, int]  # (files, bytes)
    excluded: int  # files


def classification_counts(
    conn: sqlite3.Connection, token: CancelToken | None = None
) -> ClassificationCounts:
    series: dict[int, tuple[int, int]] = {}
    unclassified = (0, 0)
    excluded = 0
    for series_id, exclusion, files, size in conn.execute(
        "SELECT fc.series_id, fc.exclusion, count(*), coalesce(sum(f.size), 0) FROM file f"
        " LEFT JOIN file_class fc ON fc.file_id = f.id WHERE f.state = 'present'"
        " GROUP BY fc.series_id, fc.exclusion IS NOT NULL"
    ):
        if series_id is not None:
            series[int(series_id)] = (int(files), int(size))
        elif exclusion is not None:
            excluded += int(files)
        else:
            unclassified = (int(files), int(size))
    if token is not None:
        token.raise_if_cancelled()
    return ClassificationCounts(folder_summaries(conn, token), series, unclassified, excluded)


def folder_summaries(
    conn: sqlite3.Connection, token: CancelToken | None = None
) -> dict[int, FolderSummary]:
    """Summary of every present folder's subtree, by folder id."""
    summaries: dict[int, FolderSummary] = {}
    for dir_id, series_id, exclusion, count in conn.execute(
        "SELECT f.dir_id, fc.series_id, fc.exclusion, count(*) FROM file f"
        " LEFT JOIN file_class fc ON fc.file_id = f.id WHERE f.state = 'present'"
        " GROUP BY 1, 2, 3"
    ):
        summary = summaries.setdefault(int(dir_id), FolderSummary())
        summary.files += int(count)
        if series_id is not None:
            key: ClassKey = (int(series_id), None)
        elif exclusion is not None:
            key = (None, str(exclusion))
        else:
            summary.unclassified += int(count)
            continue
        summary.classes[key] = summary.classes.get(key, 0) + int(count)
    if token is not None:
        token.raise_if_cancelled()
    for dir_id, parent_id in conn.execute(
        "SELECT id, parent_id FROM directory WHERE state = 'present' ORDER BY depth DESC"
    ):
        if parent_id is None:
            continue
        own = summaries.get(int(dir_id))
        if own is not None:
            summaries.setdefault(int(parent_id), FolderSummary()).add(own)
    return summaries
