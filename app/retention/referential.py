"""Vitam's rules and agencies referentials: read their CSV files strictly, keep them in the
project, and check a transfer's rule ids and agency identifiers against them.

The CSV rules are Vitam's own (reference notes, section 4): UTF-8, comma-separated, exact
header, no empty line, unique identifiers. An import replaces the whole referential, as it
does in Vitam. Every problem names its line and column; nothing is imported if any is found.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from app.errors import AppError
from app.i18n import _
from app.project.store import Project, utc_now

RULE_TYPES = (
    "AppraisalRule",
    "AccessRule",
    "StorageRule",
    "DisseminationRule",
    "ClassificationRule",
    "ReuseRule",
    "HoldRule",
)
RULE_HEADER = (
    "RuleId",
    "RuleType",
    "RuleValue",
    "RuleDescription",
    "RuleDuration",
    "RuleMeasurement",
)
AGENCY_HEADER = ("Identifier", "Name", "Description")
MEASUREMENTS = {"YEAR": 999, "MONTH": 11_988, "DAY": 359_640}


@dataclass(frozen=True, slots=True)
class Rule:
    rule_id: str
    rule_type: str
    value: str
    description: str
    duration: str  # a number, "unlimited", or "" (HoldRule only)
    measurement: str


@dataclass(frozen=True, slots=True)
class Agency:
    identifier: str
    name: str
    description: str


class ReferentialError(AppError):
    """The CSV file breaks the SAE's rules: every problem is listed, nothing is imported."""


def _rows(path: Path, header: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReferentialError(
            _("{file} is not in UTF-8 (byte {offset}); Vitam refuses it. Save it as UTF-8.").format(
                file=path.name, offset=exc.start
            )
        ) from exc
    problems: list[str] = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            problems.append(
                _("{file}, line {line}: empty line.").format(file=path.name, line=number)
            )
    reader = csv.reader(io.StringIO(text))
    try:
        found_header = tuple(h.strip() for h in next(reader))
    except StopIteration as exc:
        raise ReferentialError(_("{file} is empty.").format(file=path.name)) from exc
    if found_header != header:
        raise ReferentialError(
            _("{file}, line 1: the columns must be exactly {expected} (found {found}).").format(
                file=path.name, expected=",".join(header), found=",".join(found_header)
            )
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for record in reader:
        number = reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # reported above as an empty line
        if len(record) != len(header):
            problems.append(
                _("{file}, line {line}: {found} columns instead of {expected}.").format(
                    file=path.name, line=number, found=len(record), expected=len(header)
                )
            )
            continue
        rows.append((number, {k: v.strip() for k, v in zip(header, record, strict=True)}))
    if problems:
        raise ReferentialError(
            _("{file} cannot be imported.").format(file=path.name), details="\n".join(problems)
        )
    return rows


def read_rules(path: Path) -> list[Rule]:
    problems: list[str] = []
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for number, row in _rows(path, RULE_HEADER):

        def problem(column: str, message: str, number: int = number) -> None:
            problems.append(
                _("{file}, line {line}, column {column}: {message}").format(
                    file=path.name, line=number, column=column, message=message
                )
            )

        for column in ("RuleId", "RuleType", "RuleValue"):
            if not row[column]:
                problem(column, _("required."))
        rule_id, rule_type = row["RuleId"], row["RuleType"]
        if rule_id in seen:
            problem(
                "RuleId", _("{id} already on line {line}.").format(id=rule_id, line=seen[rule_id])
            )
        seen.setdefault(rule_id, number)
        if rule_type and rule_type not in RULE_TYPES:
            problem(
                "RuleType",
                _("{value} is not one of {choices}.").format(
                    value=rule_type, choices=", ".join(RULE_TYPES)
                ),
            )
        duration, measurement = row["RuleDuration"], row["RuleMeasurement"].upper()
        if rule_type == "HoldRule" and not duration and not measurement:
            pass  # a hold without a duration
        elif not duration or not measurement:
            problem("RuleDuration", _("the duration and its unit are required together."))
        else:
            if measurement not in MEASUREMENTS:
                problem(
                    "RuleMeasurement",
                    _("{value} is not YEAR, MONTH or DAY.").format(value=row["RuleMeasurement"]),
                )
            if duration.lower() != "unlimited":
                if not duration.isdigit():
                    problem(
                        "RuleDuration",
                        _("{value} is not a whole number or unlimited.").format(value=duration),
                    )
                elif measurement in MEASUREMENTS and int(duration) > MEASUREMENTS[measurement]:
                    problem(
                        "RuleDuration",
                        _("{value} {unit} is over the limit ({limit}).").format(
                            value=duration, unit=measurement, limit=MEASUREMENTS[measurement]
                        ),
                    )
        rules.append(
            Rule(
                rule_id, rule_type, row["RuleValue"], row["RuleDescription"], duration, measurement
            )
        )
    if problems:
        raise ReferentialError(
            _("{file} cannot be imported.").format(file=path.name), details="\n".join(problems)
        )
    return rules


def read_agencies(path: Path) -> list[Agency]:
    problems: list[str] = []
    agencies: list[Agency] = []
    seen: dict[str, int] = {}
    for number, row in _rows(path, AGENCY_HEADER):
        for column in ("Identifier", "Name"):
            if not row[column]:
                problems.append(
                    _("{file}, line {line}, column {column}: {message}").format(
                        file=path.name, line=number, column=column, message=_("required.")
                    )
                )
        identifier = row["Identifier"]
        if identifier in seen:
            problems.append(
                _("{file}, line {line}, column {column}: {message}").format(
                    file=path.name,
                    line=number,
                    column="Identifier",
                    message=_("{id} already on line {line}.").format(
                        id=identifier, line=seen[identifier]
                    ),
                )
            )
        seen.setdefault(identifier, number)
        agencies.append(Agency(identifier, row["Name"], row["Description"]))
    if problems:
        raise ReferentialError(
            _("{file} cannot be imported.").format(file=path.name), details="\n".join(problems)
        )
    return agencies


def import_rules(project: Project, path: Path) -> int:
    rules = read_rules(path)
    with project.write() as db:
        db.execute("DELETE FROM retention_rule")
        db.executemany(
            "INSERT INTO retention_rule (rule_id, rule_type, value, description, duration,"
            " measurement, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.rule_id,
                    r.rule_type,
                    r.value,
                    r.description,
                    r.duration,
                    r.measurement,
                    utc_now(),
                )
                for r in rules
            ],
        )
    return len(rules)


def import_agencies(project: Project, path: Path) -> int:
    agencies = read_agencies(path)
    with project.write() as db:
        db.execute("DELETE FROM agency")
        db.executemany(
            "INSERT INTO agency (identifier, name, description, imported_at) VALUES (?, ?, ?, ?)",
            [(a.identifier, a.name, a.description, utc_now()) for a in agencies],
        )
    return len(agencies)


def list_rules(project: Project) -> list[Rule]:
    return [
        Rule(*row)
        for row in project.conn.execute(
            "SELECT rule_id, rule_type, value, description, duration, measurement"
            " FROM retention_rule ORDER BY rule_type, rule_id"
        )
    ]


def list_agencies(project: Project) -> list[Agency]:
    return [
        Agency(*row)
        for row in project.conn.execute(
            "SELECT identifier, name, description FROM agency ORDER BY identifier"
        )
    ]


def check_rule_ids(project: Project, used: list[tuple[str, str]]) -> list[str]:
    """Problems with (category, rule id) pairs, when the project has a rules referential."""
    known = {r: t for r, t in project.conn.execute("SELECT rule_id, rule_type FROM retention_rule")}
    if not known:
        return []
    problems = []
    for category, rule_id in used:
        if rule_id not in known:
            problems.append(_("The rule {id} is not in the rules referential.").format(id=rule_id))
        elif known[rule_id] != category:
            problems.append(
                _("The rule {id} is a {actual}, not a {expected}.").format(
                    id=rule_id, actual=known[rule_id], expected=category
                )
            )
    return problems


def check_agencies(project: Project, identifiers: list[str]) -> list[str]:
    """Problems with agency identifiers, when the project has an agencies referential."""
    known = {i for (i,) in project.conn.execute("SELECT identifier FROM agency")}
    if not known:
        return []
    return [
        _("The agency {id} is not in the agencies referential.").format(id=identifier)
        for identifier in identifiers
        if identifier and identifier not in known
    ]
