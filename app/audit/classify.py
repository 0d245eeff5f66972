"""Classification rules and where every file ends up.

Precedence, from strongest to weakest (documented for the archivist in the rules editor):
1. an assignment made by hand on the file itself;
2. exclusion rules (e.g. temporary files), which apply even inside folders assigned by hand;
3. the nearest folder assigned by hand (the whole subtree follows it);
4. series rules, in their order: the first that matches wins.
A file nothing matches stays "à classer". The result is stored in `file_class`, recomputed
after every edit and after every scan, so rules re-apply to files a rescan brought.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sqlite3
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.errors import AppError
from app.i18n import _
from app.project.flags import EntryFlag
from app.project.metadata import Target
from app.project.series import EXCLUSION_REASONS, Series, add_series, get_series, list_series
from app.project.store import Project
from app.project.undo import command

FLAG_NAMES: dict[str, int] = {
    "temporary": int(EntryFlag.TEMPORARY),
    "system": int(EntryFlag.SYSTEM),
    "hidden": int(EntryFlag.HIDDEN),
    "duplicate": int(EntryFlag.DUPLICATE),
    "empty": int(EntryFlag.EMPTY),
    "long_path": int(EntryFlag.LONG_PATH),
    "problem_name": int(EntryFlag.PROBLEM_NAME),
    "unreadable": int(EntryFlag.UNREADABLE),
}
CRITERIA_KEYS = (
    "path",
    "path_regex",
    "name",
    "extensions",
    "puids",
    "modified_from",
    "modified_to",
    "min_size",
    "max_size",
    "flags",
)


@dataclass(slots=True)
class Criteria:
    """What a file must match; every criterion given must hold (AND)."""

    path: str = ""  # glob on the path inside the source, `**` spans folders
    path_regex: str = ""  # Python regex searched in the path inside the source
    name: str = ""  # glob on the file name
    extensions: list[str] = field(default_factory=list)  # without the dot, any case
    puids: list[str] = field(default_factory=list)
    modified_from: str = ""  # ISO date, inclusive
    modified_to: str = ""  # ISO date, inclusive
    min_size: int | None = None
    max_size: int | None = None
    flags: list[str] = field(default_factory=list)  # e.g. temporary, system, duplicate

    def to_json(self) -> str:
        data = {
            k: getattr(self, k) for k in CRITERIA_KEYS if getattr(self, k) not in ("", [], None)
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], where: str) -> Criteria:
        unknown = set(data) - set(CRITERIA_KEYS)
        if unknown:
            raise AppError(
                _("{where}: unknown criterion {names} (known: {known}).").format(
                    where=where, names=", ".join(sorted(unknown)), known=", ".join(CRITERIA_KEYS)
                )
            )
        c = cls()
        for key in ("path", "path_regex", "name", "modified_from", "modified_to"):
            if key in data:
                if not isinstance(data[key], str | date):
                    raise AppError(_("{where}: {key} must be text.").format(where=where, key=key))
                setattr(c, key, str(data[key]))
        for key in ("extensions", "puids", "flags"):
            if key in data:
                value = data[key]
                if isinstance(value, str):
                    value = [value]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise AppError(
                        _("{where}: {key} must be a list of texts.").format(where=where, key=key)
                    )
                setattr(c, key, list(value))
        for key in ("min_size", "max_size"):
            if key in data:
                if not isinstance(data[key], int) or data[key] < 0:
                    raise AppError(
                        _("{where}: {key} must be a whole number of bytes.").format(
                            where=where, key=key
                        )
                    )
                setattr(c, key, int(data[key]))
        c.compile(where)
        return c

    def compile(self, where: str) -> _Matcher:
        return _Matcher(self, where)

    def is_empty(self) -> bool:
        return all(getattr(self, k) in ("", [], None) for k in CRITERIA_KEYS)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob: `**` any depth, `*` and `?` within one name, case-insensitive."""
    out: list[str] = []
    i = 0
    pattern = pattern.replace("\\", "/").strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(pattern[i]))
                i += 1
            else:
                out.append(fnmatch.translate(pattern[i : end + 1])[4:-3])
                i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z", re.IGNORECASE | re.DOTALL)


def _date_ns(text: str, where: str, *, end_of_day: bool) -> int:
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise AppError(
            _("{where}: {value} is not a date (YYYY-MM-DD).").format(where=where, value=text)
        ) from exc
    moment = datetime(day.year, day.month, day.day, 23, 59, 59, 999999) if end_of_day else None
    moment = moment or datetime(day.year, day.month, day.day)
    return int(moment.timestamp() * 1_000_000_000)


class _Matcher:
    """A criteria set compiled once, tested on each file row."""

    def __init__(self, c: Criteria, where: str) -> None:
        self.path = _glob_regex(c.path) if c.path else None
        try:
            self.path_regex = re.compile(c.path_regex) if c.path_regex else None
        except re.error as exc:
            raise AppError(
                _("{where}: the regular expression is invalid: {error}").format(
                    where=where, error=exc
                )
            ) from exc
        self.name = _glob_regex(c.name) if c.name else None
        self.extensions = {e.lower().lstrip(".") for e in c.extensions}
        self.puids = set(c.puids)
        self.since = _date_ns(c.modified_from, where, end_of_day=False) if c.modified_from else None
        self.until = _date_ns(c.modified_to, where, end_of_day=True) if c.modified_to else None
        self.min_size = c.min_size
        self.max_size = c.max_size
        unknown = [f for f in c.flags if f not in FLAG_NAMES]
        if unknown:
            raise AppError(
                _("{where}: unknown flag {names} (known: {known}).").format(
                    where=where, names=", ".join(unknown), known=", ".join(FLAG_NAMES)
                )
            )
        self.flags = 0
        for f in c.flags:
            self.flags |= FLAG_NAMES[f]

    def matches(self, f: _FileRow) -> bool:
        if self.extensions and f.extension.lower() not in self.extensions:
            return False
        if self.puids and f.puid not in self.puids:
            return False
        if self.flags and not f.flags & self.flags:
            return False
        if self.min_size is not None and (f.size or 0) < self.min_size:
            return False
        if self.max_size is not None and (f.size or 0) > self.max_size:
            return False
        if self.since is not None and (f.mtime_ns is None or f.mtime_ns < self.since):
            return False
        if self.until is not None and (f.mtime_ns is None or f.mtime_ns > self.until):
            return False
        if self.name is not None and not self.name.match(f.name):
            return False
        if self.path is not None and not self.path.match(f.rel_path):
            return False
        return not (self.path_regex is not None and not self.path_regex.search(f.rel_path))


@dataclass(slots=True)
class ClassificationRule:
    criteria: Criteria
    series_id: int | None = None
    exclusion: str | None = None
    name: str = ""
    enabled: bool = True
    id: int | None = None
    position: int = 0


@dataclass(slots=True)
class _FileRow:
    id: int
    dir_id: int
    rel_path: str
    name: str
    extension: str
    puid: str
    size: int | None
    mtime_ns: int | None
    flags: int


def list_rules(conn: sqlite3.Connection) -> list[ClassificationRule]:
    return [
        ClassificationRule(
            Criteria.from_mapping(json.loads(criteria), name or f"#{position}"),
            series_id,
            exclusion,
            name,
            bool(enabled),
            rule_id,
            position,
        )
        for rule_id, position, name, enabled, series_id, exclusion, criteria in conn.execute(
            "SELECT id, position, name, enabled, series_id, exclusion, criteria"
            " FROM classification_rule ORDER BY position, id"
        )
    ]


def _check_rule(conn: sqlite3.Connection, rule: ClassificationRule, where: str) -> None:
    if (rule.series_id is None) == (rule.exclusion is None):
        raise AppError(
            _("{where}: give either a series or an exclusion reason.").format(where=where)
        )
    if rule.exclusion is not None and rule.exclusion not in EXCLUSION_REASONS:
        raise AppError(
            _("{where}: unknown exclusion reason {reason} (known: {known}).").format(
                where=where, reason=rule.exclusion, known=", ".join(EXCLUSION_REASONS)
            )
        )
    if rule.series_id is not None:
        get_series(conn, rule.series_id)
    if rule.criteria.is_empty():
        raise AppError(_("{where}: a rule needs at least one criterion.").format(where=where))
    rule.criteria.compile(where)


def replace_rules(project: Project, rules: list[ClassificationRule]) -> None:
    """Make these the project's rules, in this order (one undoable edit)."""
    for index, rule in enumerate(rules, 1):
        _check_rule(project.conn, rule, _("rule {n}").format(n=index))
    with command(project, _("Replace classification rules")) as db:
        db.execute("DELETE FROM classification_rule")
        for position, rule in enumerate(rules, 1):
            db.execute(
                "INSERT INTO classification_rule"
                " (position, name, enabled, series_id, exclusion, criteria)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    position,
                    rule.name,
                    int(rule.enabled),
                    rule.series_id,
                    rule.exclusion,
                    rule.criteria.to_json(),
                ),
            )


def save_rule(project: Project, rule: ClassificationRule) -> int:
    """Add a rule at the end (no id) or update one in place."""
    _check_rule(project.conn, rule, rule.name or _("the rule"))
    values = (
        rule.name,
        int(rule.enabled),
        rule.series_id,
        rule.exclusion,
        rule.criteria.to_json(),
    )
    if rule.id is None:
        with command(project, _("Add rule {name}").format(name=rule.name)) as db:
            row = db.execute("SELECT coalesce(max(position), 0) + 1 FROM classification_rule")
            cursor = db.execute(
                "INSERT INTO classification_rule"
                " (position, name, enabled, series_id, exclusion, criteria)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (int(row.fetchone()[0]), *values),
            )
            return int(cursor.lastrowid or 0)
    with command(project, _("Edit rule {name}").format(name=rule.name)) as db:
        db.execute(
            "UPDATE classification_rule SET name = ?, enabled = ?, series_id = ?,"
            " exclusion = ?, criteria = ? WHERE id = ?",
            (*values, rule.id),
        )
    return rule.id


def delete_rule(project: Project, rule_id: int) -> None:
    with command(project, _("Delete rule")) as db:
        db.execute("DELETE FROM classification_rule WHERE id = ?", (rule_id,))


def move_rule(project: Project, rule_id: int, new_index: int) -> None:
    """Move a rule to a 0-based place in the order."""
    ids = [
        int(r[0])
        for r in project.conn.execute("SELECT id FROM classification_rule ORDER BY position, id")
    ]
    if rule_id not in ids:
        raise AppError(_("This rule no longer exists."))
    ids.remove(rule_id)
    ids.insert(max(0, min(new_index, len(ids))), rule_id)
    with command(project, _("Reorder rules")) as db:
        for position, i in enumerate(ids, 1):
            db.execute("UPDATE classification_rule SET position = ? WHERE id = ?", (position, i))


# -- computing where files go ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FileClass:
    series_id: int | None
    exclusion: str | None
    origin: str  # "file", "folder" or "rule"
    assignment_id: int | None = None
    rule_id: int | None = None


@dataclass(slots=True)
class RuleReport:
    rule: ClassificationRule
    matched: int = 0  # files the rule matched
    applied: int = 0  # files it decided (not taken first by a stronger assignment or rule)


@dataclass(slots=True)
class SeriesCount:
    files: int = 0
    bytes: int = 0


@dataclass(slots=True)
class ClassificationResult:
    classes: dict[int, FileClass]
    rules: list[RuleReport]
    by_series: dict[int, SeriesCount]
    excluded: dict[str, SeriesCount]
    unclassified: SeriesCount
    changed: list[tuple[int, FileClass | None, FileClass | None]]  # file, before, after
    previous: dict[int, FileClass] = field(default_factory=dict)  # as stored before


def _scope(within: Sequence[Target] | None) -> tuple[str, str, list[int]]:
    """SQL (prefix, condition on `file f`, parameters) limiting work to some folders and files."""
    if within is None:
        return "", "1", []
    dirs = [t.id for t in within if t.kind == "directory"]
    files = [t.id for t in within if t.kind == "file"]
    prefix = (
        "WITH RECURSIVE sub(id) AS (SELECT id FROM directory WHERE id IN"
        f" ({','.join('?' * len(dirs))}) UNION ALL SELECT d.id FROM directory d"
        " JOIN sub ON d.parent_id = sub.id) "
        if dirs
        else "WITH sub(id) AS (SELECT NULL WHERE 0) "
    )
    condition = f"(f.dir_id IN (SELECT id FROM sub) OR f.id IN ({','.join('?' * len(files))}))"
    return prefix, condition, [*dirs, *files]


def _present_files(
    conn: sqlite3.Connection, within: Sequence[Target] | None = None
) -> Iterator[_FileRow]:
    prefix, condition, params = _scope(within)
    for row in conn.execute(
        f"{prefix}SELECT f.id, f.dir_id, f.rel_path, CAST(f.name AS TEXT), f.extension,"
        " coalesce(f.puid, ''), f.size, f.mtime_ns, f.flags FROM file f"
        f" WHERE f.state = 'present' AND {condition}",
        params,
    ):
        name = row[3]
        if not isinstance(name, str):
            name = bytes(name).decode("utf-8", "surrogateescape")
        yield _FileRow(row[0], row[1], row[2], name, row[4] or "", row[5], row[6], row[7], row[8])


def _folder_assignments(conn: sqlite3.Connection) -> dict[int, FileClass]:
    """For every folder, the nearest folder assignment at or above it."""
    own = {
        int(d): FileClass(s, e, "folder", int(a))
        for a, d, s, e in conn.execute(
            "SELECT id, directory_id, series_id, exclusion FROM assignment"
            " WHERE directory_id IS NOT NULL"
        )
    }
    if not own:
        return {}
    nearest: dict[int, FileClass] = {}
    for dir_id, parent_id in conn.execute(
        "SELECT id, parent_id FROM directory WHERE state = 'present' ORDER BY depth"
    ):
        found = own.get(dir_id) or (nearest.get(parent_id) if parent_id is not None else None)
        if found is not None:
            nearest[dir_id] = found
    return nearest


def compute(
    conn: sqlite3.Connection,
    rules: list[ClassificationRule] | None = None,
    within: Sequence[Target] | None = None,
) -> ClassificationResult:
    """Where every present file goes, with these rules (default: the project's).

    `within` limits the work (and the counts) to the files under some folders and to some
    files: what an assignment by hand can change.
    """
    rules = list_rules(conn) if rules is None else rules
    active = [r for r in rules if r.enabled]
    matchers = [
        (r, r.criteria.compile(r.name or f"#{i}"), RuleReport(r)) for i, r in enumerate(active, 1)
    ]
    exclusion_rules = [m for m in matchers if m[0].exclusion is not None]
    series_rules = [m for m in matchers if m[0].series_id is not None]
    file_own = {
        int(f): FileClass(s, e, "file", int(a))
        for a, f, s, e in conn.execute(
            "SELECT id, file_id, series_id, exclusion FROM assignment WHERE file_id IS NOT NULL"
        )
    }
    folders = _folder_assignments(conn)
    classes: dict[int, FileClass] = {}
    by_series: dict[int, SeriesCount] = {}
    excluded: dict[str, SeriesCount] = {}
    unclassified = SeriesCount()
    for f in _present_files(conn, within):
        decided = file_own.get(f.id)
        for rule, matcher, report in exclusion_rules:
            if matcher.matches(f):
                report.matched += 1
                if decided is None:
                    decided = FileClass(None, rule.exclusion, "rule", rule_id=rule.id)
                    report.applied += 1
        if decided is None:
            decided = folders.get(f.dir_id)
        for rule, matcher, report in series_rules:
            if matcher.matches(f):
                report.matched += 1
                if decided is None:
                    decided = FileClass(rule.series_id, None, "rule", rule_id=rule.id)
                    report.applied += 1
        size = f.size or 0
        if decided is None:
            unclassified.files += 1
            unclassified.bytes += size
            continue
        classes[f.id] = decided
        if decided.series_id is not None:
            count = by_series.setdefault(decided.series_id, SeriesCount())
        else:
            count = excluded.setdefault(decided.exclusion or "other", SeriesCount())
        count.files += 1
        count.bytes += size
    before = _stored(conn, within)
    changed = [
        (fid, before.get(fid), classes.get(fid))
        for fid in sorted(set(before) | set(classes))
        if _key(before.get(fid)) != _key(classes.get(fid))
    ]
    return ClassificationResult(
        classes, [m[2] for m in matchers], by_series, excluded, unclassified, changed, before
    )


def _key(c: FileClass | None) -> tuple[int | None, str | None] | None:
    return None if c is None else (c.series_id, c.exclusion)


def _stored(
    conn: sqlite3.Connection, within: Sequence[Target] | None = None
) -> dict[int, FileClass]:
    prefix, condition, params = _scope(within)
    return {
        int(fid): FileClass(s, e, o, a, r)
        for fid, s, e, o, a, r in conn.execute(
            f"{prefix}SELECT c.file_id, c.series_id, c.exclusion, c.origin, c.assignment_id,"
            " c.rule_id FROM file_class c JOIN file f ON f.id = c.file_id"
            f" WHERE {condition}",
            params,
        )
    }


def recompute(project: Project, within: Sequence[Target] | None = None) -> ClassificationResult:
    """Apply assignments and rules to the inventory and store the result.

    Only the rows that differ are written; with `within` (the folders and files an assignment
    by hand just touched) only those are recomputed, so the edit costs what they hold.
    """
    result = compute(project.conn, within=within)
    gone = [(fid,) for fid in result.previous if fid not in result.classes]
    new = [
        (fid, c.series_id, c.exclusion, c.origin, c.assignment_id, c.rule_id)
        for fid, c in result.classes.items()
        if result.previous.get(fid) != c
    ]
    with project.write() as db:
        db.executemany("DELETE FROM file_class WHERE file_id = ?", gone)
        db.executemany(
            "INSERT OR REPLACE INTO file_class"
            " (file_id, series_id, exclusion, origin, assignment_id, rule_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            new,
        )
    return result


def reclassify_after_scan(project: Project) -> ClassificationResult | None:
    """Re-apply assignments and rules after a scan; None when nothing was ever classified."""
    conn = project.conn
    used = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM assignment) OR EXISTS (SELECT 1 FROM classification_rule)"
        " OR EXISTS (SELECT 1 FROM file_class)"
    ).fetchone()[0]
    return recompute(project) if used else None


# -- rules files -------------------------------------------------------------------------------
@dataclass(slots=True)
class DeclaredSeries:
    series: Series
    parent_code: str = ""
    schedule_code: str = ""


@dataclass(slots=True)
class RulesFile:
    series: list[DeclaredSeries]
    rules: list[tuple[ClassificationRule, str]]  # rule, series code it targets ('' if exclusion)


def read_rules_file(path: Path) -> RulesFile:
    """A TOML rules file: optional `[[series]]` to create, then `[[rule]]` in order.

    ```toml
    [[series]]
    code = "1D"
    title = "Délibérations du conseil municipal"
    schedule = "AG-01"          # optional: code of a tableau de gestion entry

    [[rule]]
    name = "Délibérations"
    series = "1D"
    path = "**/Délibérations/**"
    extensions = ["pdf", "odt"]

    [[rule]]
    name = "Fichiers temporaires"
    exclude = "temporary"
    flags = ["temporary"]
    file_name = "~$*"           # glob on the file name (the `name` criterion)
    ```
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AppError(_("{path}: file not found.").format(path=path)) from exc
    except UnicodeDecodeError as exc:
        raise AppError(
            _("{path}: not UTF-8 text (byte {offset}).").format(path=path, offset=exc.start)
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise AppError(_("{path}: {error}").format(path=path, error=exc)) from exc
    unknown = set(data) - {"series", "rule"}
    if unknown:
        raise AppError(
            _("{path}: unknown section {names} (expected [[series]] and [[rule]]).").format(
                path=path, names=", ".join(sorted(unknown))
            )
        )
    series: list[DeclaredSeries] = []
    for index, item in enumerate(data.get("series", []), 1):
        where = _("{path}: series {n}").format(path=path.name, n=index)
        extra = set(item) - {
            "code",
            "title",
            "description",
            "producer",
            "level",
            "parent",
            "schedule",
        }
        if extra:
            raise AppError(
                _("{where}: unknown field {names}.").format(where=where, names=", ".join(extra))
            )
        if not item.get("code") or not item.get("title"):
            raise AppError(_("{where}: code and title are required.").format(where=where))
        s = Series(
            code=str(item["code"]),
            title=str(item["title"]),
            description=str(item.get("description", "")),
            producer=str(item.get("producer", "")),
            level=str(item.get("level", "Series")),
        )
        # Parent and schedule are codes, resolved when the file is applied.
        series.append(
            DeclaredSeries(s, str(item.get("parent") or ""), str(item.get("schedule") or ""))
        )
    rules: list[tuple[ClassificationRule, str]] = []
    for index, item in enumerate(data.get("rule", []), 1):
        name = str(item.get("name", ""))
        where = _("{path}: rule {n}").format(path=path.name, n=index) + (
            f" ({name})" if name else ""
        )
        target = item.get("series")
        exclusion = item.get("exclude")
        if (target is None) == (exclusion is None):
            raise AppError(
                _('{where}: give either series = "CODE" or exclude = "REASON".').format(where=where)
            )
        if exclusion is not None and exclusion not in EXCLUSION_REASONS:
            raise AppError(
                _("{where}: unknown exclusion reason {reason} (known: {known}).").format(
                    where=where, reason=exclusion, known=", ".join(EXCLUSION_REASONS)
                )
            )
        criteria = {
            k: v
            for k, v in item.items()
            if k not in {"name", "series", "exclude", "enabled", "file_name"}
        }
        if "file_name" in item:  # `name` is the rule's own name in a rules file
            criteria["name"] = item["file_name"]
        c = Criteria.from_mapping(criteria, where)
        if c.is_empty():
            raise AppError(_("{where}: a rule needs at least one criterion.").format(where=where))
        rule = ClassificationRule(c, None, exclusion, name, bool(item.get("enabled", True)))
        rules.append((rule, str(target or "")))
    return RulesFile(series, rules)


def _toml_text(value: str) -> str:
    """A TOML basic string (quotes, backslashes and control characters escaped)."""
    out = ['"']
    for char in value:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_text(str(v)) for v in value) + "]"
    return _toml_text(str(value))


def rules_file_text(conn: sqlite3.Connection, rules: list[ClassificationRule]) -> str:
    """These rules as a rules file that `read_rules_file` reads back, with the series they
    target (and their parents) declared, so the file can start another mission."""
    by_id = {s.id: s for s in list_series(conn)}
    wanted: set[int] = set()
    for rule in rules:
        current = rule.series_id
        while current is not None and current not in wanted and current in by_id:
            wanted.add(current)
            current = by_id[current].parent_id
    lines: list[str] = []
    for s in list_series(conn):  # parents first, as the file is applied in order
        if s.id not in wanted:
            continue
        lines.append("[[series]]")
        lines.append(f"code = {_toml_text(s.code)}")
        lines.append(f"title = {_toml_text(s.title)}")
        for key, value in (
            ("description", s.description),
            ("producer", s.producer),
            ("level", s.level if s.level != "Series" else ""),
            ("parent", by_id[s.parent_id].code if s.parent_id in by_id else ""),
        ):
            if value:
                lines.append(f"{key} = {_toml_text(value)}")
        if s.schedule_entry_id is not None:
            row = conn.execute(
                "SELECT code FROM schedule_entry WHERE id = ?", (s.schedule_entry_id,)
            ).fetchone()
            if row is not None:
                lines.append(f"schedule = {_toml_text(str(row[0]))}")
        lines.append("")
    for rule in rules:
        lines.append("[[rule]]")
        if rule.name:
            lines.append(f"name = {_toml_text(rule.name)}")
        if rule.series_id is not None and rule.series_id in by_id:
            lines.append(f"series = {_toml_text(by_id[rule.series_id].code)}")
        elif rule.exclusion is not None:
            lines.append(f"exclude = {_toml_text(rule.exclusion)}")
        if not rule.enabled:
            lines.append("enabled = false")
        for key in CRITERIA_KEYS:
            value = getattr(rule.criteria, key)
            if value not in ("", [], None):
                lines.append(f"{'file_name' if key == 'name' else key} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def apply_rules_file(project: Project, rules_file: RulesFile) -> list[ClassificationRule]:
    """Create the file's new series, then make its rules the project's (all or nothing)."""
    conn = project.conn
    known = {s.code: s for s in list_series(conn)}
    declared = {d.series.code for d in rules_file.series}
    for rule, code in rules_file.rules:
        if code and code not in known and code not in declared:
            raise AppError(
                _("Rule {name}: no series {code} in the project or the file.").format(
                    name=rule.name or "?", code=code
                )
            )
    for d in rules_file.series:
        s, parent, schedule = d.series, d.parent_code, d.schedule_code
        if parent and parent not in known and parent not in declared:
            raise AppError(
                _("Series {code}: unknown parent series {parent}.").format(
                    code=s.code, parent=parent
                )
            )
        if (
            schedule
            and not conn.execute(
                "SELECT 1 FROM schedule_entry WHERE code = ?", (schedule,)
            ).fetchone()
        ):
            raise AppError(
                _("Series {code}: no entry {entry} in the tableau de gestion.").format(
                    code=s.code, entry=schedule
                )
            )
    for d in rules_file.series:
        s, parent, schedule = d.series, d.parent_code, d.schedule_code
        if s.code in known:
            continue
        if parent:
            s.parent_id = get_series(conn, parent).id
        if schedule:
            row = conn.execute("SELECT id FROM schedule_entry WHERE code = ?", (schedule,))
            s.schedule_entry_id = int(row.fetchone()[0])
        known[s.code] = add_series(project, s)
    rules: list[ClassificationRule] = []
    for rule, code in rules_file.rules:
        if code:
            rule.series_id = known[code].id
        rules.append(rule)
    replace_rules(project, rules)
    return rules


def files_of(conn: sqlite3.Connection, file_ids: Iterable[int]) -> list[tuple[int, str]]:
    """Paths of some files, for showing samples of a preview."""
    found: list[tuple[int, str]] = []
    for fid in file_ids:
        row = conn.execute("SELECT rel_path FROM file WHERE id = ?", (fid,)).fetchone()
        if row:
            found.append((fid, str(row[0])))
    return found
