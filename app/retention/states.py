"""Where each classified file stands in its life cycle, and when that changes.

The unit whose DUA runs is the dossier: the files of one series in one folder. Its DUA starts
at the date of its most recent document (or its earliest, or the series' closure, as the
series says); the end date is start + DUA. On the reference date a file is:
- active: the DUA still runs;
- to transfer (à verser): the DUA is over and the final action is keep;
- to eliminate (à éliminer): the DUA is over and the final action is destroy;
- to sort (à trier): the DUA is over and the final action is sort;
- no rule: its series has no DUA or no final action yet;
- unclassified (à classer) or excluded: not in any series.
Document dates are the files' modification dates, in local time.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime

from app.i18n import N_
from app.project.series import Retention, Series, effective_retention, list_series
from app.retention.dates import add_period

STATES = (
    "active",
    "to_transfer",
    "to_eliminate",
    "to_sort",
    "no_rule",
    "unclassified",
    "excluded",
)
STATE_LABELS = {
    "active": N_("active (DUA running)"),
    "to_transfer": N_("to transfer"),
    "to_eliminate": N_("to eliminate"),
    "to_sort": N_("to sort"),
    "no_rule": N_("no retention rule"),
    "unclassified": N_("to classify"),
    "excluded": N_("excluded"),
}
_FINAL_STATE = {"keep": "to_transfer", "destroy": "to_eliminate", "sort": "to_sort"}


def document_date(mtime_ns: int | None) -> date | None:
    if mtime_ns is None:
        return None
    return datetime.fromtimestamp(mtime_ns / 1e9).date()


@dataclass(slots=True)
class Tally:
    files: int = 0
    bytes: int = 0

    def add(self, size: int) -> None:
        self.files += 1
        self.bytes += size


@dataclass(frozen=True, slots=True)
class FileState:
    state: str
    series_id: int | None
    start: date | None  # when the DUA started
    dua_end: date | None  # when the DUA ends (None: not computable)
    access_end: date | None  # when the file becomes freely accessible


@dataclass(slots=True)
class SeriesStates:
    series: Series
    retention: Retention
    by_state: dict[str, Tally] = field(default_factory=dict)
    earliest: date | None = None  # extreme dates of its documents
    latest: date | None = None
    next_end: date | None = None  # the next DUA end after the reference date

    @property
    def total(self) -> Tally:
        t = Tally()
        for tally in self.by_state.values():
            t.files += tally.files
            t.bytes += tally.bytes
        return t


@dataclass(slots=True)
class RetentionReport:
    as_of: date
    series: list[SeriesStates]
    unclassified: Tally
    excluded: Tally
    files: dict[int, FileState]  # only when asked for

    def totals(self) -> dict[str, Tally]:
        out = {s: Tally() for s in STATES}
        for s in self.series:
            for state, tally in s.by_state.items():
                out[state].files += tally.files
                out[state].bytes += tally.bytes
        out["unclassified"] = self.unclassified
        out["excluded"] = self.excluded
        return out


def _dossier_state(
    retention: Retention, dates: list[date | None], as_of: date
) -> tuple[str, date | None, date | None, date | None]:
    """State, DUA start, DUA end and access end of one dossier."""
    start = retention.start_of(dates)
    access_end = None
    if start is not None:
        access_end = add_period(start, retention.access_value or 0, retention.access_unit)
    if retention.dua_value is None or retention.final_action is None:
        return "no_rule", start, None, access_end
    if start is None:  # series not closed yet, or undated files
        return "active", None, None, access_end
    end = add_period(start, retention.dua_value, retention.dua_unit)
    if end > as_of:
        return "active", start, end, access_end
    return _FINAL_STATE[retention.final_action], start, end, access_end


def compute_states(
    conn: sqlite3.Connection,
    as_of: date | None = None,
    *,
    with_files: bool = False,
    series_ids: set[int] | None = None,
) -> RetentionReport:
    """States of every present file on `as_of` (default today), summed per series."""
    as_of = as_of or date.today()
    all_series = {s.id: s for s in list_series(conn) if s.id is not None}
    chosen = [sid for sid in all_series if series_ids is None or sid in series_ids]
    report = RetentionReport(as_of, [], Tally(), Tally(), {})
    if series_ids is None:
        for exclusion, size in conn.execute(
            "SELECT fc.exclusion, coalesce(f.size, 0) FROM file f"
            " LEFT JOIN file_class fc ON fc.file_id = f.id"
            " WHERE f.state = 'present' AND fc.series_id IS NULL"
        ):
            (report.excluded if exclusion else report.unclassified).add(int(size))
    for sid in chosen:
        series = all_series[sid]
        retention = effective_retention(conn, series)
        summary = SeriesStates(series, retention)
        dossiers: dict[int, list[tuple[int, int, date | None]]] = {}
        for fid, dir_id, size, mtime in conn.execute(
            "SELECT f.id, f.dir_id, coalesce(f.size, 0), f.mtime_ns FROM file_class fc"
            " JOIN file f ON f.id = fc.file_id WHERE fc.series_id = ? AND f.state = 'present'",
            (sid,),
        ):
            dossiers.setdefault(int(dir_id), []).append((int(fid), int(size), document_date(mtime)))
        for files in dossiers.values():
            dates = [d for _fid, _size, d in files]
            state, start, end, access_end = _dossier_state(retention, dates, as_of)
            tally = summary.by_state.setdefault(state, Tally())
            for fid, size, d in files:
                tally.add(size)
                if d is not None:
                    summary.earliest = d if summary.earliest is None else min(summary.earliest, d)
                    summary.latest = d if summary.latest is None else max(summary.latest, d)
                if with_files:
                    report.files[fid] = FileState(state, sid, start, end, access_end)
            if end is not None and end > as_of:
                summary.next_end = end if summary.next_end is None else min(summary.next_end, end)
        report.series.append(summary)
    return report
