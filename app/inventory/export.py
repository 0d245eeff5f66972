"""Inventory export: CSV for spreadsheets (`;`, UTF-8 with BOM) and JSON for programs.

Both are streamed: a million rows never sit in memory.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from app.i18n import N_, _
from app.inventory.flags import describe_flags
from app.tasks import CancelToken, Progress, ProgressSink, ignore_progress

# (JSON key, column title) — titles are translated when the CSV is written.
STATE_LABELS = (N_("present"), N_("removed"))
COLUMNS: tuple[tuple[str, str], ...] = (
    ("source", N_("Source")),
    ("path", N_("Path")),
    ("name", N_("Name")),
    ("extension", N_("Extension")),
    ("kind", N_("Kind")),
    ("size", N_("Size (bytes)")),
    ("modified", N_("Modified")),
    ("created", N_("Created")),
    ("sha512", N_("SHA-512")),
    ("puid", N_("PUID")),
    ("format", N_("Format")),
    ("format_version", N_("Format version")),
    ("mime", N_("MIME type")),
    ("basis", N_("Identification basis")),
    ("identification_warning", N_("Identification warning")),
    ("engine", N_("Engine")),
    ("flags", N_("Flags")),
    ("state", N_("State")),
    ("error", N_("Error")),
)

_QUERY = (
    "SELECT s.root, f.rel_path, f.extension, f.kind, f.size, f.mtime_ns, f.created_ns,"
    " f.sha512, f.puid, f.format_name, f.format_version, f.mime, f.basis, f.id_warning,"
    " e.name || ' ' || e.version || ' (' || e.signature || ')', f.flags, f.state, f.error"
    " FROM file f JOIN source s ON s.id = f.source_id LEFT JOIN engine e ON e.id = f.engine_id"
    " {where} ORDER BY f.source_id, f.rel_path"
)


def _iso(ns: int | None) -> str:
    if ns is None:
        return ""
    try:
        return datetime.fromtimestamp(ns / 1e9).astimezone().isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return ""


def iter_records(
    conn: sqlite3.Connection, include_removed: bool = False
) -> Iterator[dict[str, Any]]:
    where = "" if include_removed else "WHERE f.state = 'present'"
    for row in conn.execute(_QUERY.format(where=where)):
        (
            root,
            rel,
            ext,
            kind,
            size,
            mtime,
            created,
            sha,
            puid,
            fmt,
            version,
            mime,
            basis,
            warning,
            engine,
            flags,
            state,
            error,
        ) = row
        yield {
            "source": root,
            "path": rel,
            "name": rel.rsplit("/", 1)[-1],
            "extension": ext,
            "kind": kind,
            "size": size,
            "modified": _iso(mtime),
            "created": _iso(created),
            "sha512": sha.hex() if sha else "",
            "puid": puid or "",
            "format": fmt or "",
            "format_version": version or "",
            "mime": mime or "",
            "basis": basis or "",
            "identification_warning": warning or "",
            "engine": engine or "",
            "flags": describe_flags(int(flags)),
            "state": state,
            "error": error or "",
        }


def _atomic_target(path: Path) -> tuple[IO[str], str]:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    return os.fdopen(
        fd, "w", encoding="utf-8-sig" if path.suffix.lower() == ".csv" else "utf-8", newline=""
    ), tmp


def _count(conn: sqlite3.Connection, include_removed: bool) -> int:
    where = "" if include_removed else " WHERE state = 'present'"
    return int(conn.execute(f"SELECT count(*) FROM file{where}").fetchone()[0])


def export_csv(
    conn: sqlite3.Connection,
    path: Path,
    *,
    separator: str = ";",
    include_removed: bool = False,
    token: CancelToken | None = None,
    progress: ProgressSink = ignore_progress,
) -> int:
    """Write the inventory as CSV; returns the number of rows. Written whole, or not at all."""
    total = _count(conn, include_removed)
    handle, tmp = _atomic_target(path)
    rows = 0
    try:
        with handle:
            writer = csv.writer(handle, delimiter=separator, lineterminator="\r\n")
            writer.writerow([_(title) for _key, title in COLUMNS])
            for record in iter_records(conn, include_removed):
                record["flags"] = ", ".join(_(label) for label in record["flags"])
                record["state"] = _(record["state"])
                writer.writerow([record[key] for key, _title in COLUMNS])
                rows += 1
                if rows % 10000 == 0:
                    if token is not None:
                        token.raise_if_cancelled()
                    progress(Progress(rows, total, _("Exporting")))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return rows


def export_json(
    conn: sqlite3.Connection,
    path: Path | None,
    *,
    out: IO[str] | None = None,
    include_removed: bool = False,
    mission: dict[str, Any] | None = None,
) -> int:
    """Write `{"mission": …, "files": [...]}`, to `path` atomically or to `out` (stdout)."""
    if path is None:
        assert out is not None
        return _write_json(conn, out, include_removed, mission)
    handle, tmp = _atomic_target(path)
    try:
        with handle:
            rows = _write_json(conn, handle, include_removed, mission)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return rows


def _write_json(
    conn: sqlite3.Connection, out: IO[str], include_removed: bool, mission: dict[str, Any] | None
) -> int:
    out.write('{"mission": ')
    out.write(json.dumps(mission or {}, ensure_ascii=False))
    out.write(', "files": [')
    rows = 0
    for record in iter_records(conn, include_removed):
        out.write(",\n  " if rows else "\n  ")
        out.write(json.dumps(record, ensure_ascii=False))
        rows += 1
    out.write("\n]}\n")
    return rows
