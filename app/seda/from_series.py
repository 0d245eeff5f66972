"""From the plan de classement to a transfer: one archive unit per series, with its rules.

Each chosen series becomes a unit of its description level (sub-series nested below it), its
code as `OriginatingAgencyArchiveUnitIdentifier`. Below it, the folders holding its files
(dossiers) keep their place in the share's hierarchy, from the series' deepest common folder.
Each dossier carries the series' appraisal rule (rule id, StartDate = when its DUA started,
FinalAction) and access rule, so the SAE computes the same end dates as Besace. Files of the
series that a package must leave out (temporary, unreadable…) are reported, never silently
dropped.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import defaultdict
from datetime import date
from typing import Any

from app.errors import AppError
from app.i18n import _
from app.project import Project
from app.project.series import Retention, Series, effective_retention, get_series, list_series
from app.project.sources import resolve_source
from app.seda.from_project import (
    FILE_COLUMNS,
    Counter,
    HeaderOptions,
    LeftOut,
    TransferPlan,
    apply_metadata,
    fill_dates,
    item_from_row,
    make_transfer,
    rebuild_path,
)
from app.seda.model import ArchiveUnit, Element, Management, RuleCategory, RuleRef

# Our final actions in SEDA's words; "sort" is kept, and sorted by the archives service.
SEDA_FINAL_ACTION = {"keep": "Keep", "destroy": "Destroy", "sort": "Keep"}


def _dossier_management(retention: Retention, start_date: date | None) -> Management | None:
    categories: dict[str, RuleCategory] = {}
    if retention.final_action or retention.appraisal_rule_id:
        rules = (
            [RuleRef(retention.appraisal_rule_id, start_date)]
            if retention.appraisal_rule_id
            else []
        )
        categories["AppraisalRule"] = RuleCategory(
            rules, final_action=SEDA_FINAL_ACTION.get(retention.final_action or "keep", "Keep")
        )
    if retention.access_rule_id:
        categories["AccessRule"] = RuleCategory([RuleRef(retention.access_rule_id, start_date)])
    return Management(categories) if categories else None


def plan_series_transfer(
    project: Project,
    codes: list[str],
    header: HeaderOptions,
    *,
    version: str,
    language: str = "fra",
) -> TransferPlan:
    """A transfer of these series (and their sub-series) with their files and rules."""
    conn = project.conn
    if not codes:
        raise AppError(_("Choose at least one series."))
    chosen = [get_series(conn, c) for c in codes]
    all_series = list_series(conn)
    children: dict[int | None, list[Series]] = defaultdict(list)
    for s in all_series:
        children[s.parent_id].append(s)
    chosen_ids = {s.id for s in chosen}
    tops = [s for s in chosen if not _has_chosen_ancestor(conn, s, chosen_ids)]
    counter = Counter()
    left_out: list[LeftOut] = []
    expected: dict[str, int] = {}
    notes: list[str] = []
    built = [_series_unit(project, s, children, counter, left_out, expected, notes) for s in tops]
    roots = [r for r in built if r is not None]
    if not roots:
        raise AppError(_("These series hold no file to transfer."))
    for root in roots:
        fill_dates(root)
        root.content.append(Element("Language", language))
    plan = TransferPlan(make_transfer(project, roots, header, version), left_out, expected)
    plan.notes.extend(notes)
    return plan


def _has_chosen_ancestor(conn: sqlite3.Connection, s: Series, chosen: set[int | None]) -> bool:
    parent = s.parent_id
    while parent is not None:
        if parent in chosen:
            return True
        parent = get_series(conn, parent).parent_id
    return False


def _series_unit(
    project: Project,
    series: Series,
    children: dict[int | None, list[Series]],
    counter: Counter,
    left_out: list[LeftOut],
    expected: dict[str, int],
    notes: list[str],
) -> ArchiveUnit | None:
    conn = project.conn
    retention = effective_retention(conn, series)
    unit = ArchiveUnit(counter.next("AU"), series.level, series.title)
    unit.content.append(Element("OriginatingAgencyArchiveUnitIdentifier", series.code))
    if series.description:
        unit.content.append(Element("Description", series.description))
    if not retention.appraisal_rule_id and retention.final_action:
        notes.append(
            _(
                "Series {code}: no SAE appraisal rule id is mapped; the package carries its"
                " final action only (map it in the tableau de gestion or on the series)."
            ).format(code=series.code)
        )
    tops, dossiers = _dossiers(project, series, counter, left_out, expected)
    for dossier_unit, dates in dossiers:
        dossier_unit.management = _dossier_management(retention, retention.start_of(dates))
    unit.children.extend(tops)
    for child in children.get(series.id, []):
        sub = _series_unit(project, child, children, counter, left_out, expected, notes)
        if sub is not None:
            unit.children.append(sub)
    return unit if unit.children else None


def _dossiers(
    project: Project,
    series: Series,
    counter: Counter,
    left_out: list[LeftOut],
    expected: dict[str, int],
) -> tuple[list[ArchiveUnit], list[tuple[ArchiveUnit, list[date | None]]]]:
    """Units of the folders holding the series' files, nested as on the share.

    Returns the top units (one per source: the deepest folder common to the series' files)
    and every dossier (a unit holding files directly) with its files' dates.
    """
    conn = project.conn
    rows = conn.execute(
        f"SELECT {FILE_COLUMNS}, f.source_id, d.rel_path FROM file_class fc"
        " JOIN file f ON f.id = fc.file_id"
        " JOIN directory d ON d.id = f.dir_id"
        " WHERE fc.series_id = ? AND f.state = 'present' ORDER BY f.source_id, f.rel_path",
        (series.id,),
    ).fetchall()
    by_source: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        by_source[int(row[15])].append(tuple(row))
    tops: list[ArchiveUnit] = []
    dossiers: list[tuple[ArchiveUnit, list[date | None]]] = []
    item_of_file: dict[int, ArchiveUnit] = {}
    folder_ids: list[tuple[ArchiveUnit, int]] = []
    for source_id, source_rows in by_source.items():
        root_raw = _source_raw(project, source_id)
        common = os.path.commonpath(["/" + str(r[16]) for r in source_rows]).strip("/")
        top_dir = _directory_id(conn, source_id, common)
        top = ArchiveUnit(
            counter.next("AU"), "RecordGrp", common.rsplit("/", 1)[-1] if common else series.title
        )
        folder_ids.append((top, top_dir))
        units: dict[str, ArchiveUnit] = {common: top}
        raw: dict[int, bytes] = {}
        own_dates: dict[str, list[date | None]] = defaultdict(list)

        for row in source_rows:
            dir_id, dir_path = int(row[1]), str(row[16])
            if dir_id not in raw:
                raw[dir_id] = rebuild_path(project, dir_id, root_raw)
            item = item_from_row(counter, raw[dir_id], row, left_out, expected)
            if item is None:
                continue
            folder = _unit_at(dir_path, units, counter, conn, source_id, folder_ids)
            folder.children.append(item)
            own_dates[dir_path].append(item.start_date)
            item_of_file[int(row[0])] = item
        if top.children:
            tops.append(top)
            dossiers.extend((units[p], dates) for p, dates in own_dates.items())
    _apply_stored_metadata(conn, folder_ids, item_of_file)
    return tops, dossiers


def _unit_at(
    path: str,
    units: dict[str, ArchiveUnit],
    counter: Counter,
    conn: sqlite3.Connection,
    source_id: int,
    folder_ids: list[tuple[ArchiveUnit, int]],
) -> ArchiveUnit:
    """The unit of a folder below the series' top folder, made with its parents if needed."""
    found = units.get(path)
    if found is None:
        parent_path = path.rsplit("/", 1)[0] if "/" in path else ""
        parent = _unit_at(parent_path, units, counter, conn, source_id, folder_ids)
        found = ArchiveUnit(counter.next("AU"), "RecordGrp", path.rsplit("/", 1)[-1])
        parent.children.append(found)
        units[path] = found
        folder_ids.append((found, _directory_id(conn, source_id, path)))
    return found


def _directory_id(conn: sqlite3.Connection, source_id: int, rel_path: str) -> int:
    row = conn.execute(
        "SELECT id FROM directory WHERE source_id = ? AND rel_path = ?", (source_id, rel_path)
    ).fetchone()
    return int(row[0])


def _apply_stored_metadata(
    conn: sqlite3.Connection,
    folder_ids: list[tuple[ArchiveUnit, int]],
    item_of_file: dict[int, ArchiveUnit],
) -> None:
    """The archivist's descriptions of these folders and files."""
    for unit, dir_id in folder_ids:
        row = conn.execute(
            "SELECT content FROM unit_metadata WHERE directory_id = ?", (dir_id,)
        ).fetchone()
        if row:
            apply_metadata(unit, json.loads(row[0]))
    for file_id, item in item_of_file.items():
        row = conn.execute(
            "SELECT content FROM unit_metadata WHERE file_id = ?", (file_id,)
        ).fetchone()
        if row:
            apply_metadata(item, json.loads(row[0]))


def _source_raw(project: Project, source_id: int) -> bytes:
    row = project.conn.execute("SELECT root FROM source WHERE id = ?", (source_id,)).fetchone()
    _sid, raw, _shown = resolve_source(project, str(row[0]))
    return raw
