"""The audit workbook (`besace audit --xlsx`): what an audit of the file shares found.

Sheets, in order: *Synthèse* (who, what was scanned, totals, key findings), *Grille d'audit*
(one row per series, editable offline and imported back: `app.reports.grid_sheet`), *Volumes*
(per year and series, with a chart), *Formats*, *Doublons*, *Anomalies*, *Inventaire* (every
file), *Éliminations proposées* and *Versements*. Rows are streamed: a million files keep
memory flat, and a table past Excel's row limit continues on a new sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from app.audit.grid import GridDefinition, load_grid
from app.audit.volumes import default_reference_year, volumes_by_series
from app.i18n import N_, _, format_bytes
from app.inventory.report import InventoryReport, build_report
from app.project.series import list_series
from app.project.store import Project
from app.reports.audit_sheets import (
    FormatFigures,
    TransferFigures,
    Writing,
    write_anomalies,
    write_duplicates,
    write_eliminations,
    write_formats,
    write_inventory,
    write_transfers,
    write_volumes,
)
from app.reports.formatting import volume_text
from app.reports.grid_sheet import write_grid_sheet
from app.retention.states import STATE_LABELS, RetentionReport
from app.tasks import CancelToken, ProgressSink, Throttle
from app.workbook.writer import EXCEL_MAX_ROWS, Chart, ColumnKind, SummaryItem, Workbook

SHEET_SUMMARY = N_("Summary")
_RETENTION_STATES = ("active", "to_transfer", "to_eliminate", "to_sort", "no_rule")


@dataclass(frozen=True, slots=True)
class AuditWorkbookSummary:
    path: Path
    series: int
    inventory_rows: int
    inventory_sheets: tuple[str, ...]  # more than one past Excel's row limit


def write_audit_workbook(
    project: Project,
    path: Path,
    *,
    token: CancelToken,
    progress: ProgressSink,
    grid: GridDefinition | None = None,
    as_of: date | None = None,
    max_rows: int = EXCEL_MAX_ROWS,
) -> AuditWorkbookSummary:
    """Write the audit workbook of the project to `path` (atomically)."""
    conn = project.conn
    grid = grid or load_grid()
    as_of = as_of or date.today()
    inventory = build_report(conn)
    volumes = volumes_by_series(conn)
    work = Writing(
        token,
        Throttle(progress),
        inventory.files + inventory.duplicate_files + sum(inventory.anomalies.values()) + 100,
    )
    book = Workbook(max_rows=max_rows)
    work.start(_("Audit grid"))
    series_count = write_grid_sheet(
        book, project, grid, reference_year=default_reference_year(as_of), volumes=volumes
    )
    volumes_table, total_column = write_volumes(book, conn, volumes, work)
    formats = write_formats(book, conn, work)
    wasted = write_duplicates(book, conn, work)
    anomalies = write_anomalies(book, conn, work)
    inventory_table, retention = write_inventory(book, conn, as_of, work)
    waiting = write_eliminations(book, conn, work)
    transfers = write_transfers(book, conn, retention, work)
    items = _summary_items(
        project,
        inventory,
        as_of,
        series_count,
        formats,
        wasted,
        anomalies,
        retention,
        waiting,
        transfers,
    )
    mission = project.mission()
    summary = book.add_summary(
        _(SHEET_SUMMARY),
        _("Audit of the file shares — {name}").format(name=mission.commune or mission.name),
        items,
    )
    if inventory.years:
        book.add_chart(
            Chart(
                "bar",
                _("Files per year of last modification"),
                categories=0,
                values=(total_column,),
                y_title=_("Files"),
                anchor="D3",
            ),
            volumes_table,
            on=summary,
        )
    token.raise_if_cancelled()
    work.start(_("Saving {name}").format(name=path.name))
    book.save(path)
    work.finish()
    return AuditWorkbookSummary(
        path, series_count, inventory_table.row_count, tuple(inventory_table.sheet_titles)
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _summary_items(
    project: Project,
    inventory: InventoryReport,
    as_of: date,
    series_count: int,
    formats: FormatFigures,
    wasted: int,
    anomalies: dict[str, int],
    retention: RetentionReport,
    waiting: int,
    transfers: TransferFigures,
) -> list[SummaryItem]:
    mission = project.mission()
    items = [
        SummaryItem(_("Mission"), heading=True),
        SummaryItem(_("Local authority"), mission.commune or mission.name),
        SummaryItem(_("Mission"), mission.name),
        SummaryItem(_("Producing service"), mission.producer),
        SummaryItem(_("Transferring service"), mission.transferring_agency),
        SummaryItem(_("Archives service"), mission.archival_agency),
        SummaryItem(_("Archivist"), mission.archivist),
        SummaryItem(_("Report date"), date.today()),
        SummaryItem(_("DUA computed on"), as_of),
        SummaryItem(_("Sources scanned"), heading=True),
    ]
    items += [SummaryItem(_("Source"), source) for source in inventory.sources]
    run = inventory.last_run
    if run:
        started = run.get("started_at")
        items.append(
            SummaryItem(
                _("Last scan"),
                f"{_iso_text(started)} ({_(str(run.get('status')))})",
            )
        )
    years = [y.year for y in inventory.years if y.year is not None]
    totals = retention.totals()
    unclassified = totals["unclassified"]
    items += [
        SummaryItem(_("Totals"), heading=True),
        SummaryItem(_("Files"), inventory.files),
        SummaryItem(_("Volume"), format_bytes(inventory.bytes)),
        SummaryItem(_("Volume (bytes)"), inventory.bytes, ColumnKind.BYTES),
        SummaryItem(_("Folders"), inventory.folders),
        SummaryItem(_("Years covered"), f"{min(years)} – {max(years)}" if years else "—"),
        SummaryItem(_("Series in the plan de classement"), series_count),
        SummaryItem(_("Formats"), formats.formats),
        SummaryItem(_("Key findings"), heading=True),
        SummaryItem(_("Files to classify"), unclassified.files),
        SummaryItem(
            _("Share of files to classify"),
            _share(unclassified.files, inventory.files),
            ColumnKind.PERCENT,
        ),
        SummaryItem(_("Volume to classify"), format_bytes(unclassified.bytes)),
        SummaryItem(_("Files excluded"), totals["excluded"].files),
        SummaryItem(_("Groups of duplicates"), inventory.duplicate_groups),
        SummaryItem(_("Files in groups of duplicates"), inventory.duplicate_files),
        SummaryItem(_("Volume wasted by copies"), format_bytes(wasted)),
        SummaryItem(_("Volume wasted by copies (bytes)"), wasted, ColumnKind.BYTES),
        SummaryItem(
            _("Share of the volume wasted by copies"),
            _share(wasted, inventory.bytes),
            ColumnKind.PERCENT,
        ),
        SummaryItem(_("Files in formats at risk or obsolete"), formats.files_at_risk),
        SummaryItem(
            _("Share of files in formats at risk or obsolete"),
            _share(formats.files_at_risk, inventory.files),
            ColumnKind.PERCENT,
        ),
        SummaryItem(_("Files of unidentified format"), formats.unidentified),
        SummaryItem(_("Paths over 260 characters"), anomalies["long_path"]),
        SummaryItem(
            _("Names to rename"),
            anomalies["problem_name"] + anomalies["reserved_name"] + anomalies["undecodable_name"],
        ),
        SummaryItem(_("Read errors"), anomalies["error"]),
        SummaryItem(_("Empty files"), anomalies["empty_file"]),
        SummaryItem(_("Empty folders"), anomalies["empty_folder"]),
        SummaryItem(_("Temporary files"), anomalies["temporary"]),
        SummaryItem(_("Retention"), heading=True),
    ]
    for state in _RETENTION_STATES:
        tally = totals[state]
        items.append(
            SummaryItem(_capital(_(STATE_LABELS[state])), volume_text(tally.files, tally.bytes))
        )
    items += [
        SummaryItem(_("Series with files to transfer"), transfers.series_due),
        SummaryItem(_("Elimination proposals awaiting a visa"), waiting),
        SummaryItem(_("Transfers in the outbox"), sum(transfers.outbox.values())),
        SummaryItem(
            _("Transfers accepted by the SAE"),
            transfers.outbox.get("accepted", 0) + transfers.outbox.get("accepted_warnings", 0),
        ),
    ]
    if not list_series(project.conn):
        items.append(
            SummaryItem(
                _("Next step"),
                _("Create the series of the plan de classement and classify the files."),
            )
        )
    return items


def _iso_text(value: object) -> str:
    if not isinstance(value, str):
        return ""
    try:
        return datetime.fromisoformat(value).astimezone().strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return value
