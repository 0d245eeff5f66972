"""The production-audit grid: its definition (a resource a CDG can adapt) and the answers.

Answers are stored per series as JSON keyed by the definition's stable keys:
`{"value": {"legal": {"level": "high", "comment": "…"}}, "context": {"method": "…"},
"hosting": {"location": "SaaS / cloud"}, "estimates": [{"label": "…", "files_per_year": 120,
"bytes_per_year": 50000000}]}`. Estimates stand for sources that were not scanned (a business
application, paper) and add to the volumes computed from the inventory.

The priority score (0–100) is documented in the grid file itself:
value = Σ weight × level score / (Σ weight × highest score); risk = the hosting location's
risk, or the backup's when higher; volume = log10(1 + annual bytes) / log10(1 + reference),
capped at 1; priority = 100 × weighted mean of the three with the file's weights.
"""

from __future__ import annotations

import json
import math
import sqlite3
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from app.errors import AppError
from app.i18n import _, current_language
from app.project.series import get_series
from app.project.store import Project, utc_now
from app.project.undo import command


@dataclass(frozen=True, slots=True)
class Level:
    key: str
    score: int
    labels: dict[str, str]

    @property
    def label(self) -> str:
        return _localised(self.labels)


@dataclass(frozen=True, slots=True)
class Criterion:
    key: str
    labels: dict[str, str]
    weight: float = 1.0
    helps: dict[str, str] = field(default_factory=dict)
    choices: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return _localised(self.labels)

    @property
    def help(self) -> str:
        return _localised(self.helps)


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    kind: str  # "rated" or "fields"
    labels: dict[str, str]
    items: tuple[Criterion, ...]

    @property
    def label(self) -> str:
        return _localised(self.labels)


@dataclass(frozen=True, slots=True)
class PriorityWeights:
    value: float
    risk: float
    volume: float
    reference_bytes: int
    location_risk: dict[str, float]
    backup_risk: dict[str, float]


@dataclass(frozen=True, slots=True)
class GridDefinition:
    levels: tuple[Level, ...]
    sections: tuple[Section, ...]
    priority: PriorityWeights
    origin: str

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise AppError(_("The audit grid has no section {key}.").format(key=key))

    def level(self, key: str) -> Level:
        for lv in self.levels:
            if lv.key == key:
                return lv
        raise AppError(
            _("Unknown level {key} (expected one of: {known}).").format(
                key=key, known=", ".join(lv.key for lv in self.levels)
            )
        )


def _localised(labels: dict[str, str]) -> str:
    return labels.get(current_language()) or labels.get("fr") or next(iter(labels.values()), "")


def _labels(item: dict[str, Any], key: str, where: str) -> dict[str, str]:
    value = item.get(key, {})
    if isinstance(value, str):
        return {"fr": value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise AppError(
            _("{where}: {key} must be text or a table of texts.").format(where=where, key=key)
        )
    return dict(value)


def load_grid(path: Path | None = None) -> GridDefinition:
    """The grid definition: a CDG's file, or the default one shipped with Besace."""
    if path is None:
        text = (resources.files("app") / "resources" / "audit" / "grid.toml").read_text("utf-8")
        origin = "grid.toml"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise AppError(_("Cannot read {path}: {error}").format(path=path, error=exc)) from exc
        origin = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AppError(_("{path}: {error}").format(path=origin, error=exc)) from exc
    return _parse(data, origin)


def _parse(data: dict[str, Any], origin: str) -> GridDefinition:
    levels = []
    for i, item in enumerate(data.get("level", []), 1):
        where = f"{origin}: level {i}"
        if not isinstance(item.get("key"), str) or not isinstance(item.get("score"), int):
            raise AppError(_("{where}: key and score are required.").format(where=where))
        levels.append(Level(item["key"], item["score"], _labels(item, "label", where)))
    if not levels:
        raise AppError(_("{path}: the grid defines no level.").format(path=origin))
    sections = []
    seen: set[str] = set()
    for i, item in enumerate(data.get("section", []), 1):
        where = f"{origin}: section {i}"
        key, kind = item.get("key"), item.get("kind")
        if not isinstance(key, str) or kind not in ("rated", "fields") or key in seen:
            raise AppError(
                _("{where}: a unique key and a kind (rated or fields) are required.").format(
                    where=where
                )
            )
        if key == "estimates":
            raise AppError(_("{where}: the key estimates is reserved.").format(where=where))
        seen.add(key)
        entries = item.get("criterion" if kind == "rated" else "field", [])
        items = []
        keys: set[str] = set()
        for j, entry in enumerate(entries, 1):
            w = f"{where}, item {j}"
            if not isinstance(entry.get("key"), str) or entry["key"] in keys:
                raise AppError(_("{where}: a unique key is required.").format(where=w))
            keys.add(entry["key"])
            weight = entry.get("weight", 1)
            if not isinstance(weight, int | float) or weight < 0:
                raise AppError(_("{where}: weight must be a number ≥ 0.").format(where=w))
            items.append(
                Criterion(
                    entry["key"],
                    _labels(entry, "label", w),
                    float(weight),
                    _labels(entry, "help", w),
                    tuple(str(c) for c in entry.get("choices", [])),
                )
            )
        sections.append(Section(key, kind, _labels(item, "label", where), tuple(items)))
    p = data.get("priority", {})
    priority = PriorityWeights(
        float(p.get("value_weight", 0.6)),
        float(p.get("risk_weight", 0.25)),
        float(p.get("volume_weight", 0.15)),
        int(p.get("reference_bytes", 10_000_000_000)),
        {str(k): float(v) for k, v in p.get("location_risk", {}).items()},
        {str(k): float(v) for k, v in p.get("backup_risk", {}).items()},
    )
    if priority.value + priority.risk + priority.volume <= 0:
        raise AppError(_("{path}: the priority weights add up to zero.").format(path=origin))
    return GridDefinition(tuple(levels), tuple(sections), priority, origin)


# -- answers ---------------------------------------------------------------------------------
@dataclass(slots=True)
class Estimate:
    label: str
    files_per_year: int = 0
    bytes_per_year: int = 0


def _clean_estimates(raw: object, where: str) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise AppError(_("{where}: estimates must be a list.").format(where=where))
    out = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict) or not str(item.get("label", "")).strip():
            raise AppError(_("{where}: estimate {n} needs a label.").format(where=where, n=i))
        files = item.get("files_per_year", 0)
        size = item.get("bytes_per_year", 0)
        if not isinstance(files, int) or not isinstance(size, int) or files < 0 or size < 0:
            raise AppError(
                _("{where}: estimate {n}: volumes must be whole numbers ≥ 0.").format(
                    where=where, n=i
                )
            )
        out.append(
            {"label": str(item["label"]).strip(), "files_per_year": files, "bytes_per_year": size}
        )
    return out


def validate_answers(grid: GridDefinition, answers: dict[str, Any], where: str) -> dict[str, Any]:
    """Answers checked against the grid; returns them cleaned (empty values dropped)."""
    clean: dict[str, Any] = {}
    for key, section_answers in answers.items():
        if key == "estimates":
            estimates = _clean_estimates(section_answers, where)
            if estimates:
                clean["estimates"] = estimates
            continue
        section = grid.section(key)
        if not isinstance(section_answers, dict):
            raise AppError(_("{where}: {key} must be a table.").format(where=where, key=key))
        items = {c.key: c for c in section.items}
        out: dict[str, Any] = {}
        for item_key, answer in section_answers.items():
            if item_key not in items:
                raise AppError(
                    _("{where}: the section {section} has no criterion {key}.").format(
                        where=where, section=key, key=item_key
                    )
                )
            if section.kind == "rated":
                if not isinstance(answer, dict):
                    raise AppError(
                        _("{where}: {key} needs a level and a comment.").format(
                            where=where, key=item_key
                        )
                    )
                level = answer.get("level") or None
                comment = str(answer.get("comment") or "").strip()
                if level is not None:
                    grid.level(str(level))
                if level or comment:
                    out[item_key] = {"level": level, "comment": comment}
            else:
                text = str(answer or "").strip()
                if text:
                    out[item_key] = text
        if out:
            clean[key] = out
    return clean


def get_answers(conn: sqlite3.Connection, series_id: int) -> dict[str, Any]:
    row = conn.execute(
        "SELECT answers FROM audit_grid WHERE series_id = ?", (series_id,)
    ).fetchone()
    return dict(json.loads(row[0])) if row else {}


def all_answers(conn: sqlite3.Connection) -> dict[int, dict[str, Any]]:
    return {
        int(s): json.loads(a) for s, a in conn.execute("SELECT series_id, answers FROM audit_grid")
    }


def set_answers(
    project: Project, grid: GridDefinition, series_id: int, answers: dict[str, Any]
) -> dict[str, Any]:
    """Replace the grid answers of a series (one undoable edit)."""
    series = get_series(project.conn, series_id)
    label = _("Audit grid of {code}").format(code=series.code)
    return set_many_answers(project, grid, {series_id: answers}, label)[series_id]


def set_many_answers(
    project: Project, grid: GridDefinition, answers: dict[int, dict[str, Any]], label: str
) -> dict[int, dict[str, Any]]:
    """Replace the answers of several series at once: all are checked, then one undoable edit."""
    clean = {
        series_id: validate_answers(grid, given, get_series(project.conn, series_id).code)
        for series_id, given in answers.items()
    }
    now = utc_now()
    with command(project, label) as db:
        for series_id, checked in clean.items():
            db.execute("DELETE FROM audit_grid WHERE series_id = ?", (series_id,))
            if checked:
                db.execute(
                    "INSERT INTO audit_grid (series_id, answers, updated_at) VALUES (?, ?, ?)",
                    (series_id, json.dumps(checked, ensure_ascii=False, sort_keys=True), now),
                )
    return clean


def set_answer(
    project: Project, grid: GridDefinition, series_id: int, path: str, value: str
) -> dict[str, Any]:
    """Change one answer: `value.legal` (a level), `value.legal.comment`, `context.method`."""
    answers = get_answers(project.conn, series_id)
    parts = path.split(".")
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("level", "comment")):
        raise AppError(
            _("{path}: expected SECTION.KEY or SECTION.KEY.comment (e.g. value.legal).").format(
                path=path
            )
        )
    section = grid.section(parts[0])
    bucket = answers.setdefault(section.key, {})
    if section.kind == "rated":
        current = dict(bucket.get(parts[1], {}))
        current["comment" if len(parts) == 3 and parts[2] == "comment" else "level"] = value
        bucket[parts[1]] = current
    else:
        bucket[parts[1]] = value
    return set_answers(project, grid, series_id, answers)


def estimates_of(answers: dict[str, Any]) -> list[Estimate]:
    return [
        Estimate(e["label"], e["files_per_year"], e["bytes_per_year"])
        for e in answers.get("estimates", [])
    ]


# -- priority ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Priority:
    score: float  # 0–100
    value: float  # each part in [0, 1]
    risk: float
    volume: float
    complete: bool  # every value criterion rated


def priority(grid: GridDefinition, answers: dict[str, Any], annual_bytes: int) -> Priority:
    top = max(lv.score for lv in grid.levels) or 1
    weighted = 0.0
    total_weight = 0.0
    complete = True
    for section in grid.sections:
        if section.kind != "rated":
            continue
        given = answers.get(section.key, {})
        for c in section.items:
            total_weight += c.weight
            level = (given.get(c.key) or {}).get("level")
            if level:
                weighted += c.weight * grid.level(level).score
            else:
                complete = False
    value = weighted / (total_weight * top) if total_weight else 0.0
    hosting = answers.get("hosting", {})
    p = grid.priority
    risk = max(
        p.location_risk.get(str(hosting.get("location", "")), 0.0),
        p.backup_risk.get(str(hosting.get("backup", "")), 0.0),
    )
    volume = min(1.0, math.log10(1 + max(0, annual_bytes)) / math.log10(1 + p.reference_bytes))
    score = (
        100 * (p.value * value + p.risk * risk + p.volume * volume) / (p.value + p.risk + p.volume)
    )
    return Priority(round(score, 1), value, risk, volume, complete)
