"""Annual volumes per series, from the inventory and the archivist's estimates.

A file counts in the year of its last modification (local time), the best production date a
file share offers. The annual volume of a series is the mean over the last `window` years up
to the reference year (complete years only: the current year is partial); the trend is the
least-squares slope over those years, relative to that mean (per cent per year).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date

from app.audit.grid import Estimate

WINDOW_YEARS = 5
STABLE_TREND = 10.0  # |slope| under 10 % of the mean per year counts as stable


@dataclass(slots=True)
class YearVolume:
    files: int = 0
    bytes: int = 0


@dataclass(slots=True)
class SeriesVolumes:
    series_id: int | None  # None: files not classified yet
    by_year: dict[int, YearVolume] = field(default_factory=dict)
    undated: YearVolume = field(default_factory=YearVolume)
    estimates: list[Estimate] = field(default_factory=list)

    @property
    def total(self) -> YearVolume:
        t = YearVolume(self.undated.files, self.undated.bytes)
        for v in self.by_year.values():
            t.files += v.files
            t.bytes += v.bytes
        return t

    def annual(self, reference_year: int, window: int = WINDOW_YEARS) -> YearVolume:
        """Mean volume per year over the window, plus the estimated sources."""
        years = range(reference_year - window + 1, reference_year + 1)
        files = sum(self.by_year.get(y, YearVolume()).files for y in years) / window
        size = sum(self.by_year.get(y, YearVolume()).bytes for y in years) / window
        return YearVolume(
            round(files) + sum(e.files_per_year for e in self.estimates),
            round(size) + sum(e.bytes_per_year for e in self.estimates),
        )

    def trend(self, reference_year: int, window: int = WINDOW_YEARS) -> float | None:
        """Slope of bytes per year over the window, in % of the mean; None without data."""
        years = list(range(reference_year - window + 1, reference_year + 1))
        values = [self.by_year.get(y, YearVolume()).bytes for y in years]
        mean = sum(values) / window
        if mean == 0:
            return None
        x_mean = sum(years) / window
        num = sum((x - x_mean) * (v - mean) for x, v in zip(years, values, strict=True))
        den = sum((x - x_mean) ** 2 for x in years)
        return 100 * (num / den) / mean


def trend_word(trend: float | None) -> str:
    """A key for the trend: rising, stable, falling or unknown."""
    if trend is None:
        return "unknown"
    if trend > STABLE_TREND:
        return "rising"
    if trend < -STABLE_TREND:
        return "falling"
    return "stable"


def default_reference_year(today: date | None = None) -> int:
    """The last complete year."""
    return (today or date.today()).year - 1


def volumes_by_series(conn: sqlite3.Connection) -> dict[int | None, SeriesVolumes]:
    """Files and bytes per year for every series (key None: unclassified files)."""
    out: dict[int | None, SeriesVolumes] = {}
    for series_id, year, files, size in conn.execute(
        "SELECT fc.series_id,"
        " CAST(strftime('%Y', f.mtime_ns / 1000000000, 'unixepoch', 'localtime') AS INTEGER),"
        " count(*), coalesce(sum(f.size), 0) FROM file f"
        " LEFT JOIN file_class fc ON fc.file_id = f.id"
        " WHERE f.state = 'present' AND fc.exclusion IS NULL"
        " GROUP BY 1, 2"
    ):
        volumes = out.setdefault(series_id, SeriesVolumes(series_id))
        if year is None:
            volumes.undated.files += int(files)
            volumes.undated.bytes += int(size)
        else:
            volumes.by_year[int(year)] = YearVolume(int(files), int(size))
    return out
