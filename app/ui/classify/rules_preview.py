"""What a set of classification rules would do, computed off the GUI thread (no Qt here).

`preview_rules` runs the core's `compute` with the rules being edited (nothing is written),
then sums up the difference with what is stored: how many files each rule matches and
decides, how many files would move from where to where, and a sample of them by path.
"""

from __future__ import annotations

import copy
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.audit.classify import ClassificationRule, FileClass, compute, files_of
from app.i18n import _
from app.project.series import EXCLUSION_REASONS
from app.tasks import CancelToken
from app.ui.models.reading import reading

SAMPLE_FILES = 500


@dataclass(slots=True)
class RuleCounts:
    matched: int = 0
    applied: int = 0


@dataclass(slots=True)
class RulesPreview:
    counts: list[RuleCounts | None]  # per rule of the edited list; None: disabled or incomplete
    moves: list[tuple[str, str, int]]  # (from, to, files), most files first
    changed: int  # files whose place would change
    unclassified: int  # files still to classify with these rules
    sample: list[tuple[str, str, str]] = field(default_factory=list)  # path, from, to


def is_complete(rule: ClassificationRule) -> bool:
    """A rule the preview can run: a target and at least one criterion."""
    has_target = (rule.series_id is None) != (rule.exclusion is None)
    return has_target and not rule.criteria.is_empty()


def place_label(place: FileClass | None, codes: dict[int, str]) -> str:
    if place is None:
        return _("to classify")
    if place.series_id is not None:
        return codes.get(place.series_id, "?")
    reason = EXCLUSION_REASONS.get(place.exclusion or "other", EXCLUSION_REASONS["other"])
    return _("excluded: {reason}").format(reason=_(reason))


def preview_rules(conn: sqlite3.Connection, rules: list[ClassificationRule]) -> RulesPreview:
    """What storing `rules` (in this order) would change; `rules` are not modified."""
    runnable = [copy.deepcopy(r) for r in rules]
    for original, rule in zip(rules, runnable, strict=True):
        rule.enabled = original.enabled and is_complete(original)
    result = compute(conn, runnable)
    by_rule = {id(report.rule): report for report in result.rules}
    counts: list[RuleCounts | None] = []
    for rule in runnable:
        report = by_rule.get(id(rule))
        counts.append(None if report is None else RuleCounts(report.matched, report.applied))
    codes = {int(i): str(c) for i, c in conn.execute("SELECT id, code FROM series")}
    moves: Counter[tuple[str, str]] = Counter()
    for _fid, before, after in result.changed:
        moves[(place_label(before, codes), place_label(after, codes))] += 1
    sample_changes = result.changed[:SAMPLE_FILES]
    paths = dict(files_of(conn, [fid for fid, _b, _a in sample_changes]))
    sample = [
        (paths.get(fid, "?"), place_label(before, codes), place_label(after, codes))
        for fid, before, after in sample_changes
    ]
    return RulesPreview(
        counts,
        [(a, b, n) for (a, b), n in moves.most_common()],
        len(result.changed),
        result.unclassified.files,
        sample,
    )


def preview_in_worker(
    path: Path, rules: list[ClassificationRule], token: CancelToken
) -> RulesPreview:
    with reading(path, token) as conn:
        return preview_rules(conn, rules)
