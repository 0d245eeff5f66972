"""The detail sheets of the audit workbook: volumes, formats, duplicates, anomalies, inventory,
proposed eliminations and transfers. Each streams its rows from SQL into the workbook and
returns the figures the *Synthèse* quotes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from app.audit.volumes import SeriesVolumes
from app.i18n import N_, _
from app.inventory.duplicates import duplicate_groups
from app.inventory.formats import RiskLevel, family_label, family_of, risk_of
from app.project.flags import EntryFlag
from app.project.series import FINAL_ACTION_LABELS, list_series
from app.reports.formatting import date_range, dua_text, iso_to_date
from app.retention.dates import period_text
from app.retention.elimination import STATUS_LABELS
from app.retention.states import STATE_LABELS, STATES, RetentionReport, compute_states
from app.tasks import CancelToken, Progress, Throttle
from app.workbook.writer import Chart, Column, ColumnKind, TableSheet, Workbook

K = ColumnKind
SHEET_VOLUMES = N_("Volumes")
SHEET_FORMATS = N_("Formats")
SHEET_DUPLICATES = N_("Duplicates")
SHEET_ANOMALIES = N_("Anomalies")
SHEET_INVENTORY = N_("Inventory")
SHEET_ELIMINATIONS = N_("Proposed eliminations")
SHEET_TRANSFERS = N_("Transfers")
CHART_SERIES_MAX = 20  # beyond this many series a bar chart is unreadable: the largest only
AT_RISK = (RiskLevel.RISKY, RiskLevel.OBSOLETE)

ANOMALY_KINDS = {
    "error": N_("read error"),
    "long_path": N_("path over 260 characters"),
    "problem_name": N_("name to rename"),
    "reserved_name": N_("name reserved by Windows"),
    "undecodable_name": N_("name not in UTF-8"),
    "empty_file": N_("empty file"),
    "empty_folder": N_("empty folder"),
    "temporary": N_("temporary file"),
}
TRANSFER_KINDS = {"series": N_("series to transfer"), "outbox": N_("transfer in the outbox")}


class Writing:
    """Progress and cancellation shared by the sheets: one tick per row written."""

    def __init__(self, token: CancelToken, sink: Throttle, total: int) -> None:
        self.token = token
        self._sink = sink
        self.total = max(1, total)
        self.done = 0
        self.message = ""

    def start(self, message: str) -> None:
        self.message = message
        self.token.raise_if_cancelled()
        self._report(force=True)

    def tick(self, count: int = 1) -> None:
        self.done += count
        if self.done % 500 < count:
            self.token.raise_if_cancelled()
            self._report()

    def finish(self) -> None:
        self.done = self.total
        self._report(force=True)

    def _report(self, *, force: bool = False) -> None:
        self._sink(Progress(min(self.done, self.total), self.total, self.message), force=force)


def full_path(root: str, rel_path: str) -> str:
    root = root.rstrip("/\\")
    return f"{root}/{rel_path}" if rel_path else root


def _local(ns: int | None) -> datetime | None:
    if ns is None:
        return None
    try:
        return datetime.fromtimestamp(ns / 1e9)
    except (OverflowError, OSError, ValueError):
        return None


# -- volumes ---------------------------------------------------------------------------------
def write_volumes(
    book: Workbook,
    conn: sqlite3.Connection,
    volumes: dict[int | None, SeriesVolumes],
    work: Writing,
) -> tuple[TableSheet, int]:
    """Files and bytes per year (rows) and series (columns), with a bar chart of the files.

    Returns the table and the index of its "Total (files)" column.
    """
    work.start(_(SHEET_VOLUMES))
    series = [s for s in list_series(conn) if s.id in volumes]
    keys: list[int | None] = [s.id for s in series]
    names = [s.code for s in series]
    if None in volumes:
        keys.append(None)
        names.append(_("to classify"))
    columns = [Column(_("Year"), K.TEXT, 10)]
    columns += [Column(_("{name} (files)").format(name=n), K.INTEGER) for n in names]
    columns.append(Column(_("Total (files)"), K.INTEGER))
    columns += [Column(_("{name} (bytes)").format(name=n), K.BYTES) for n in names]
    columns.append(Column(_("Total (bytes)"), K.BYTES))
    table = book.add_sheet(_(SHEET_VOLUMES), columns)
    years = sorted({y for v in volumes.values() for y in v.by_year})
    undated = any(v.undated.files for v in volumes.values())
    for year in [*years, None] if undated else years:
        counts = []
        for key in keys:
            v = volumes[key]
            counts.append(v.undated if year is None else v.by_year.get(year))
        files = [c.files if c else 0 for c in counts]
        sizes = [c.bytes if c else 0 for c in counts]
        label = _("undated") if year is None else str(year)
        table.append([label, *files, sum(files), *sizes, sum(sizes)])
        work.tick()
    if years:
        ranked = sorted(range(len(keys)), key=lambda i: -volumes[keys[i]].total.files)[
            :CHART_SERIES_MAX
        ]
        book.add_chart(
            Chart(
                "bar",
                _("Files per year and series"),
                categories=0,
                values=tuple(1 + i for i in sorted(ranked)),
                x_title=_("Year of last modification"),
                y_title=_("Files"),
                width_cm=24,
                height_cm=12,
            ),
            table,
        )
    return table, len(keys) + 1


# -- formats ---------------------------------------------------------------------------------
@dataclass(slots=True)
class FormatFigures:
    formats: int = 0
    files_at_risk: int = 0
    bytes_at_risk: int = 0
    unidentified: int = 0


def write_formats(book: Workbook, conn: sqlite3.Connection, work: Writing) -> FormatFigures:
    """One row per PUID (per extension when unidentified): family, counts, sizes, risk."""
    work.start(_(SHEET_FORMATS))
    table = book.add_sheet(
        _(SHEET_FORMATS),
        [
            Column(_("PUID"), K.TEXT, 12),
            Column(_("Format"), K.TEXT, 36),
            Column(_("Version"), K.TEXT, 10),
            Column(_("Extension"), K.TEXT, 11),
            Column(_("Family"), K.TEXT, 20),
            Column(_("Files"), K.INTEGER),
            Column(_("Volume (bytes)"), K.BYTES),
            Column(_("Share of files"), K.PERCENT, 12),
            Column(_("Risk"), K.TEXT, 14),
            Column(_("Why"), K.TEXT, 50, wrap=True),
        ],
    )
    figures = FormatFigures()
    rows = conn.execute(
        "SELECT coalesce(puid, ''),"
        " CASE WHEN coalesce(puid, '') = '' THEN lower(extension) ELSE '' END,"
        " max(format_name), max(format_version), max(mime), max(lower(extension)),"
        " count(*), coalesce(sum(size), 0) FROM file"
        " WHERE state = 'present' AND kind = 'file' AND size > 0"
        " GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2"
    ).fetchall()
    total = sum(int(r[6]) for r in rows) or 1
    for puid, ext, name, version, mime, any_ext, files, size in rows:
        risk = risk_of(puid or None, ext or any_ext)
        if risk.level in AT_RISK:
            figures.files_at_risk += int(files)
            figures.bytes_at_risk += int(size)
        if not puid:
            figures.unidentified += int(files)
        table.append(
            [
                puid,
                name or (_("unidentified format") if not puid else ""),
                version or "",
                ext,
                family_label(family_of(puid or None, mime, ext or any_ext)),
                int(files),
                int(size),
                int(files) / total,
                risk.level.label,
                risk.text,
            ]
        )
        figures.formats += 1
        work.tick()
    return figures


# -- duplicates ------------------------------------------------------------------------------
def write_duplicates(book: Workbook, conn: sqlite3.Connection, work: Writing) -> int:
    """One row per copy, grouped; returns the bytes the copies waste."""
    work.start(_(SHEET_DUPLICATES))
    table = book.add_sheet(
        _(SHEET_DUPLICATES),
        [
            Column(_("Group"), K.INTEGER, 8),
            Column(_("Copies"), K.INTEGER, 8),
            Column(_("Size (bytes)"), K.BYTES),
            Column(_("Wasted (bytes)"), K.BYTES),
            Column(_("Path"), K.TEXT, 90),
            Column(_("SHA-512"), K.TEXT, 30),
        ],
    )
    wasted = 0
    for number, group in enumerate(duplicate_groups(conn), 1):
        wasted += group.wasted_bytes
        digest = group.sha512.hex()
        for path in group.paths:
            table.append([number, len(group.paths), group.size, group.wasted_bytes, path, digest])
            work.tick()
    return wasted


# -- anomalies -------------------------------------------------------------------------------
def _anomaly_rows(conn: sqlite3.Connection) -> Iterator[tuple[str, str, str]]:
    """(kind, full path, detail) of every anomaly, kind by kind."""
    present = "state = 'present'"
    yield from (
        ("error", full_path(root, rel), str(message))
        for root, rel, message in conn.execute(
            "SELECT s.root, f.rel_path, f.error FROM file f JOIN source s ON s.id = f.source_id"
            f" WHERE f.{present} AND f.error IS NOT NULL"
            " UNION ALL SELECT s.root, d.rel_path, d.error FROM directory d"
            f" JOIN source s ON s.id = d.source_id WHERE d.{present} AND d.error IS NOT NULL"
            " ORDER BY 1, 2"
        )
    )
    flag_kinds = (
        ("long_path", EntryFlag.LONG_PATH),
        ("problem_name", EntryFlag.PROBLEM_NAME),
        ("reserved_name", EntryFlag.RESERVED_NAME),
        ("undecodable_name", EntryFlag.UNDECODABLE_NAME),
        ("temporary", EntryFlag.TEMPORARY),
    )
    for kind, flag in flag_kinds:
        for root, rel in conn.execute(
            "SELECT s.root, f.rel_path FROM file f JOIN source s ON s.id = f.source_id"
            f" WHERE f.{present} AND f.flags & ?"
            " UNION ALL SELECT s.root, d.rel_path FROM directory d"
            f" JOIN source s ON s.id = d.source_id WHERE d.{present} AND d.flags & ?"
            " AND d.parent_id IS NOT NULL ORDER BY 1, 2",
            (int(flag), int(flag)),
        ):
            yield kind, full_path(root, rel), ""
    for root, rel in conn.execute(
        "SELECT s.root, f.rel_path FROM file f JOIN source s ON s.id = f.source_id"
        f" WHERE f.{present} AND f.kind = 'file' AND f.size = 0 ORDER BY 1, 2"
    ):
        yield "empty_file", full_path(root, rel), ""
    for root, rel in conn.execute(
        "SELECT s.root, d.rel_path FROM directory d JOIN source s ON s.id = d.source_id"
        f" WHERE d.{present} AND d.parent_id IS NOT NULL AND d.flags & ? ORDER BY 1, 2",
        (int(EntryFlag.EMPTY),),
    ):
        yield "empty_folder", full_path(root, rel), ""


def write_anomalies(book: Workbook, conn: sqlite3.Connection, work: Writing) -> dict[str, int]:
    """Errors, long paths, names to rename, empty files and folders, temporary files."""
    work.start(_(SHEET_ANOMALIES))
    table = book.add_sheet(
        _(SHEET_ANOMALIES),
        [
            Column(_("Anomaly"), K.TEXT, 26),
            Column(_("Path"), K.TEXT, 90),
            Column(_("Path length"), K.INTEGER, 10),
            Column(_("Detail"), K.TEXT, 50, wrap=True),
        ],
    )
    counts = dict.fromkeys(ANOMALY_KINDS, 0)
    labels = {kind: _(label) for kind, label in ANOMALY_KINDS.items()}
    for kind, path, detail in _anomaly_rows(conn):
        counts[kind] += 1
        table.append([labels[kind], path, len(path), detail])
        work.tick()
    return counts


# -- inventory -------------------------------------------------------------------------------
def _file_states(conn: sqlite3.Connection, as_of: date) -> tuple[dict[int, int], RetentionReport]:
    """State (index in STATES) of every classified file; series one by one to bound memory."""
    states: dict[int, int] = {}
    index = {state: i for i, state in enumerate(STATES)}
    report = compute_states(conn, as_of)
    for s in list_series(conn):
        if s.id is None:
            continue
        for file_id, state in compute_states(
            conn, as_of, with_files=True, series_ids={s.id}
        ).files.items():
            states[file_id] = index[state.state]
    return states, report


def write_inventory(
    book: Workbook, conn: sqlite3.Connection, as_of: date, work: Writing
) -> tuple[TableSheet, RetentionReport]:
    """Every present file: path, size, dates, SHA-512, format, series and state."""
    work.start(_(SHEET_INVENTORY))
    states, report = _file_states(conn, as_of)
    labels = [_(STATE_LABELS[s]) for s in STATES]
    excluded = labels[STATES.index("excluded")]
    unclassified = labels[STATES.index("unclassified")]
    table = book.add_sheet(
        _(SHEET_INVENTORY),
        [
            Column(_("Path"), K.TEXT, 80),
            Column(_("Size (bytes)"), K.BYTES),
            Column(_("Modified"), K.DATETIME),
            Column(_("Created"), K.DATETIME),
            Column(_("SHA-512"), K.TEXT, 30),
            Column(_("PUID"), K.TEXT, 12),
            Column(_("Format"), K.TEXT, 30),
            Column(_("Series"), K.TEXT, 12),
            Column(_("State"), K.TEXT, 18),
        ],
    )
    for file_id, root, rel, size, mtime, created, sha, puid, fmt, code, exclusion in conn.execute(
        "SELECT f.id, s.root, f.rel_path, f.size, f.mtime_ns, f.created_ns, f.sha512, f.puid,"
        " f.format_name, se.code, fc.exclusion FROM file f JOIN source s ON s.id = f.source_id"
        " LEFT JOIN file_class fc ON fc.file_id = f.id LEFT JOIN series se ON se.id = fc.series_id"
        " WHERE f.state = 'present' ORDER BY f.source_id, f.rel_path"
    ):
        if code is not None and file_id in states:
            state = labels[states[file_id]]
        else:
            state = excluded if exclusion else unclassified
        table.append(
            [
                full_path(root, rel),
                size,
                _local(mtime),
                _local(created),
                bytes(sha).hex() if sha else "",
                puid or "",
                fmt or "",
                code or "",
                state,
            ]
        )
        work.tick()
    return table, report


# -- eliminations ----------------------------------------------------------------------------
def write_eliminations(book: Workbook, conn: sqlite3.Connection, work: Writing) -> int:
    """One row per series of each proposal; returns the proposals still awaiting a visa."""
    work.start(_(SHEET_ELIMINATIONS))
    table = book.add_sheet(
        _(SHEET_ELIMINATIONS),
        [
            Column(_("Reference"), K.TEXT, 16),
            Column(_("Status"), K.TEXT, 18),
            Column(_("DUA computed on"), K.DATE),
            Column(_("Proposed on"), K.DATE),
            Column(_("Decided on"), K.DATE),
            Column(_("Decision"), K.TEXT, 24, wrap=True),
            Column(_("Series"), K.TEXT, 12),
            Column(_("Title"), K.TEXT, 36, wrap=True),
            Column(_("Files"), K.INTEGER),
            Column(_("Volume (bytes)"), K.BYTES),
            Column(_("Earliest"), K.DATE),
            Column(_("Latest"), K.DATE),
            Column(_("DUA"), K.TEXT, 10),
            Column(_("Legal basis"), K.TEXT, 40, wrap=True),
        ],
    )
    waiting = 0
    for pid, reference, status, as_of, created, decided, note in conn.execute(
        "SELECT id, reference, status, as_of, created_at, decided_at, decision_note"
        " FROM elimination_proposal ORDER BY id"
    ):
        waiting += status in ("draft", "submitted")
        for code, title, files, size, earliest, latest, dua_value, dua_unit, legal in conn.execute(
            "SELECT series_code, series_title, files, bytes, earliest, latest, dua_value,"
            " dua_unit, legal_basis FROM elimination_item WHERE proposal_id = ?"
            " ORDER BY series_code",
            (pid,),
        ):
            table.append(
                [
                    reference,
                    _(STATUS_LABELS.get(status, status)),
                    iso_to_date(as_of),
                    iso_to_date(created),
                    iso_to_date(decided),
                    note,
                    code,
                    title,
                    files,
                    size,
                    iso_to_date(earliest),
                    iso_to_date(latest),
                    period_text(dua_value, dua_unit),
                    legal,
                ]
            )
            work.tick()
    return waiting


# -- transfers -------------------------------------------------------------------------------
@dataclass(slots=True)
class TransferFigures:
    series_due: int = 0
    outbox: dict[str, int] = field(default_factory=dict)  # state → transfers


def write_transfers(
    book: Workbook,
    conn: sqlite3.Connection,
    report: RetentionReport,
    work: Writing,
) -> TransferFigures:
    """The series with files to transfer, then the transfers of the outbox."""
    work.start(_(SHEET_TRANSFERS))
    table = book.add_sheet(
        _(SHEET_TRANSFERS),
        [
            Column(_("Kind"), K.TEXT, 22),
            Column(_("Series or package"), K.TEXT, 24),
            Column(_("Title or server"), K.TEXT, 36, wrap=True),
            Column(_("State"), K.TEXT, 18),
            Column(_("Files"), K.INTEGER),
            Column(_("Volume (bytes)"), K.BYTES),
            Column(_("Extreme dates"), K.TEXT, 24),
            Column(_("Date"), K.DATETIME),
            Column(_("Details"), K.TEXT, 50, wrap=True),
        ],
    )
    figures = TransferFigures()
    series_kind = _(TRANSFER_KINDS["series"])
    for summary in report.series:
        due = summary.by_state.get("to_transfer")
        if due is None or not due.files:
            continue
        figures.series_due += 1
        table.append(
            [
                series_kind,
                summary.series.code,
                summary.series.title,
                _(STATE_LABELS["to_transfer"]),
                due.files,
                due.bytes,
                date_range(summary.earliest, summary.latest),
                None,
                _details(summary.retention.final_action, dua_text(summary.retention)),
            ]
        )
        work.tick()
    outbox_kind = _(TRANSFER_KINDS["outbox"])
    for message_id, server, state, size, version, created, error, reply in conn.execute(
        "SELECT message_identifier, server, state, package_size, seda_version, created_at,"
        " last_error, reply_code FROM transfer ORDER BY id"
    ):
        figures.outbox[state] = figures.outbox.get(state, 0) + 1
        details = [f"SEDA {version}" if version else ""]
        if reply:
            details.append(_("reply {code}").format(code=reply))
        if error:
            details.append(str(error))
        table.append(
            [
                outbox_kind,
                message_id,
                server,
                _(state),
                None,
                size,
                "",
                _aware(created),
                "; ".join(d for d in details if d),
            ]
        )
        work.tick()
    return figures


def _details(final_action: str | None, dua: str) -> str:
    action = _(FINAL_ACTION_LABELS[final_action]) if final_action else ""
    return " — ".join(t for t in (_("DUA {dua}").format(dua=dua), action) if t)


def _aware(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
