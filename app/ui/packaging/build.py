"""Checking and building a transfer for the Paquets page, as plain functions for its tasks.

`check_transfer` plans the transfer without writing anything and lists what is wrong or
worth knowing, each problem with the folder or file it is about when there is one: missing
rule ids, rules or agencies the SAE's referentials do not know, descriptions the SEDA
version refuses, files left out. `build_transfer` does it for real: the same plan, a check
that the files did not change since the scan, the SIP zip (or several, when the transfer is
split under a size or file-count limit), then the validation of each zip against the
official schemas.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.errors import AppError
from app.i18n import _
from app.project.metadata import Target
from app.project.store import Project
from app.retention.referential import check_agencies, check_rule_ids
from app.seda.from_project import HeaderOptions, SubtreeSelection, TransferPlan, plan_transfer
from app.seda.from_series import plan_series_transfer
from app.seda.metadata import from_json
from app.seda.model import Management, RuleCategory, RuleRef, Transfer
from app.seda.package import (
    BuiltPackage,
    PackOptions,
    check_sources,
    remove_stale_partials,
    split_transfer,
    write_package,
)
from app.seda.validate import UnusableSipError, ValidationReport, validate_sip
from app.tasks import CancelToken, ProgressSink
from app.ui.describe.content_xml import element_problems

SEDA_FINAL_ACTION = {"keep": "Keep", "destroy": "Destroy", "sort": "Keep"}


@dataclass(frozen=True, slots=True)
class Choice:
    """What to transfer: series (by code), or one folder of the inventory with its rules."""

    series_codes: tuple[str, ...] = ()
    folder: Target | None = None
    folder_rules: Management | None = None  # rules set on the folder's unit


@dataclass(frozen=True, slots=True)
class PackageProblem:
    severity: str  # "error" (blocks the build), "warning", "info"
    message: str
    where: str = ""
    target: Target | None = None  # the folder or file concerned, to go there


@dataclass(slots=True)
class CheckResult:
    problems: list[PackageProblem] = field(default_factory=list)
    units: int = 0
    objects: int = 0
    bytes: int = 0

    @property
    def errors(self) -> list[PackageProblem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass(frozen=True, slots=True)
class SplitLimits:
    """Most bytes and files per package (None: no limit); beyond, several packages."""

    max_bytes: int | None = None
    max_objects: int | None = None


@dataclass(frozen=True, slots=True)
class ValidatedPackage:
    """One package written, with its validation (None when it cannot be read back)."""

    package: BuiltPackage
    report: ValidationReport | None

    @property
    def valid(self) -> bool:
        return self.report is not None and self.report.valid


@dataclass(slots=True)
class BuildResult:
    """The packages of one build (several when split), and the problems of them all."""

    packages: list[ValidatedPackage]
    problems: list[PackageProblem]

    @property
    def valid(self) -> bool:
        return bool(self.packages) and all(p.valid for p in self.packages)


def management_of(
    appraisal_rule_id: str, final_action: str | None, access_rule_id: str
) -> Management:
    """The rules of a folder's unit from a series' retention (what its dossiers inherit)."""
    categories: dict[str, RuleCategory] = {}
    if appraisal_rule_id or final_action:
        rules = [RuleRef(appraisal_rule_id)] if appraisal_rule_id else []
        categories["AppraisalRule"] = RuleCategory(
            rules, final_action=SEDA_FINAL_ACTION.get(final_action or "keep", "Keep")
        )
    if access_rule_id:
        categories["AccessRule"] = RuleCategory([RuleRef(access_rule_id)])
    return Management(categories)


def _plan(project: Project, choice: Choice, header: HeaderOptions, version: str) -> TransferPlan:
    if choice.series_codes:
        return plan_series_transfer(project, list(choice.series_codes), header, version=version)
    if choice.folder is None:
        raise AppError(_("Choose the series or the folder to transfer."))
    source = project.conn.execute(
        "SELECT s.root FROM directory d JOIN source s ON s.id = d.source_id WHERE d.id = ?",
        (choice.folder.id,),
    ).fetchone()
    selection = SubtreeSelection(
        folder=choice.folder.rel_path,
        source=str(source[0]) if source else None,
        management=choice.folder_rules or Management(),
    )
    return plan_transfer(project, selection, header, version=version)


def _file_target(conn: sqlite3.Connection, rel_path: str) -> Target | None:
    row = conn.execute(
        "SELECT id FROM file WHERE rel_path = ? AND state = 'present' LIMIT 1", (rel_path,)
    ).fetchone()
    return Target("file", int(row[0]), rel_path) if row else None


def _description_problems(conn: sqlite3.Connection, version: str) -> list[PackageProblem]:
    """Descriptions the chosen SEDA version cannot carry, each with its unit."""
    found: list[PackageProblem] = []
    for directory_id, file_id, content, d_path, f_path in conn.execute(
        "SELECT m.directory_id, m.file_id, m.content, d.rel_path, f.rel_path FROM unit_metadata m"
        " LEFT JOIN directory d ON d.id = m.directory_id LEFT JOIN file f ON f.id = m.file_id"
    ):
        problems = element_problems(from_json(json.loads(content)), version)
        if not problems:
            continue
        target = (
            Target("directory", int(directory_id), str(d_path))
            if directory_id is not None
            else Target("file", int(file_id), str(f_path))
        )
        for message in problems:
            found.append(PackageProblem("error", message, target.rel_path or "/", target))
    return found


def _referential_problems(
    project: Project, transfer: Transfer, profile: str
) -> list[PackageProblem]:
    used = [
        (category, rule.rule_id)
        for root in transfer.units
        for unit in root.walk()
        if unit.management is not None
        for category, rules in unit.management.categories.items()
        for rule in rules.rules
    ]
    messages = check_rule_ids(project, sorted(set(used)))
    header = transfer.header
    if profile == "vitam":  # Vitam refuses agencies it does not know
        messages += check_agencies(project, [header.originating_agency, header.submission_agency])
    return [PackageProblem("error", m, _("referentials")) for m in messages]


def check_transfer(
    project: Project, choice: Choice, header: HeaderOptions, *, version: str, profile: str
) -> CheckResult:
    """Everything the build would refuse or report, without writing anything."""
    result = CheckResult()
    try:
        plan = _plan(project, choice, header, version)
    except AppError as exc:
        result.problems.append(PackageProblem("error", exc.message, exc.details[:200]))
        return result
    transfer = plan.transfer
    objects = transfer.objects()
    result.units = sum(len(root.walk()) for root in transfer.units)
    result.objects = len(objects)
    result.bytes = sum(o.size for o in objects)
    if profile in ("vitam", "asalae") and not header.archival_agreement:
        result.problems.append(
            PackageProblem(
                "error",
                _("The {profile} profile needs the archival agreement (contrat d'entrée).").format(
                    profile=profile
                ),
                _("header"),
            )
        )
    if not objects:
        result.problems.append(PackageProblem("error", _("Nothing to transfer: no file.")))
    result.problems += _referential_problems(project, transfer, profile)
    result.problems += _description_problems(project.conn, version)
    for note in plan.notes:
        result.problems.append(PackageProblem("warning", note, _("rules")))
    for left in plan.left_out:
        result.problems.append(
            PackageProblem(
                "warning",
                _("Left out of the package: {reason}.").format(reason=left.reason),
                left.path,
                _file_target(project.conn, left.path),
            )
        )
    return result


def default_output_folder(project: Project) -> Path:
    return project.path.parent / f"{project.path.stem}-paquets"


def build_transfer(
    project: Project,
    choice: Choice,
    header: HeaderOptions,
    *,
    version: str,
    profile: str,
    out_dir: Path,
    schemas: Path | None,
    token: CancelToken,
    progress: ProgressSink,
    limits: SplitLimits = SplitLimits(),
) -> BuildResult:
    """Plan, check, pack and validate the SIPs (one unless `limits` split the transfer);
    raises AppError when they cannot be built. A failed or cancelled build leaves no package."""
    checked = check_transfer(project, choice, header, version=version, profile=profile)
    if checked.errors:
        raise AppError(
            _("The package cannot be built: {n} problems to fix first.").format(
                n=len(checked.errors)
            ),
            details="\n".join(f"{p.where}: {p.message}" for p in checked.errors[:50]),
        )
    plan = _plan(project, choice, header, version)
    check_sources(plan.transfer.objects(), plan.expected_mtimes)
    parts = split_transfer(
        plan.transfer, max_bytes=limits.max_bytes, max_objects=limits.max_objects
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(out_dir)
    several = len(parts) > 1
    packages: list[ValidatedPackage] = []
    problems: list[PackageProblem] = []
    written: list[Path] = []
    try:
        for part in parts:
            dest = out_dir / f"{part.header.message_identifier}.zip"
            package = write_package(
                part,
                dest,
                options=PackOptions(version=version, profile=profile),
                token=token,
                progress=progress,
            )
            written.append(package.path)
            report, found = _validate(package, schemas, profile, token, progress)
            packages.append(ValidatedPackage(package, report))
            for problem in found:
                where = f"{package.path.name}: {problem.where}" if several else problem.where
                problems.append(replace(problem, where=where))
    except BaseException:
        for path in written:  # a split transfer is built whole or not at all
            path.unlink(missing_ok=True)
        raise
    problems += [p for p in checked.problems if p.severity != "error"]
    return BuildResult(packages, problems)


def _validate(
    package: BuiltPackage,
    schemas: Path | None,
    profile: str,
    token: CancelToken,
    progress: ProgressSink,
) -> tuple[ValidationReport | None, list[PackageProblem]]:
    """The validation report of a written package, and its problems to list."""
    try:
        report = validate_sip(
            package.path, schemas=schemas, profile=profile, token=token, progress=progress
        )
    except UnusableSipError as exc:
        return None, [PackageProblem("error", exc.message, package.path.name)]
    problems = [
        PackageProblem(
            p.severity.value, p.message, p.where + (f" ({_('line')} {p.line})" if p.line else "")
        )
        for p in report.problems
    ]
    if not report.xsd_checked:
        problems.append(
            PackageProblem(
                "info",
                _(
                    "Checked without the official SEDA schemas (not installed: see Settings);"
                    " the SAE will check them."
                ),
                package.path.name,
            ),
        )
    return report, problems
