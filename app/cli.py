"""`besace …`: every project operation without a screen, on the same core as the window."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from app import __version__
from app.errors import AppError
from app.i18n import _, format_bytes, format_count, format_duration, set_language
from app.paths import settings_file
from app.seda.model import (
    DESCRIPTION_LEVELS,
    PROFILES,
    Management,
    RuleCategory,
    RuleRef,
)
from app.settings import Settings, load_settings
from app.tasks import CancelToken, Progress

if TYPE_CHECKING:
    from app.project import Project
    from app.seda.model import Transfer
    from app.seda.package import BuiltPackage


class ProgressLine:
    """One self-rewriting line on a terminal; a line every few seconds in a log."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._last_plain = time.monotonic()  # logs get a line every 5 s, not one at 0 %
        self._width = 0

    def __call__(self, p: Progress) -> None:
        eta = p.eta_seconds
        parts = [
            _("{done}/{total} files").format(
                done=format_count(p.done), total=format_count(p.total)
            ),
            f"{format_bytes(p.bytes_done)}/{format_bytes(p.bytes_total)}",
            _("{rate} files/s").format(rate=format_count(int(p.files_per_second))),
            f"{format_bytes(int(p.bytes_per_second))}/s",
        ]
        if eta is not None:
            parts.append(_("about {eta} left").format(eta=format_duration(eta)))
        if p.extra.get("errors"):
            parts.append(_("{n} errors").format(n=format_count(p.extra["errors"])))
        text = " · ".join(parts)
        if self._tty:
            ratio = p.bytes_done / p.bytes_total if p.bytes_total else 0.0
            filled = int(ratio * 20)
            bar = "[" + "#" * filled + "." * (20 - filled) + "]"
            current = p.current[-40:]
            line = f"\r{bar} {text} · {current}"
            pad = max(0, self._width - len(line))
            self._width = len(line)
            self._stream.write(line + " " * pad)
            self._stream.flush()
        elif time.monotonic() - self._last_plain >= 5.0:
            self._last_plain = time.monotonic()
            self._stream.write(text + "\n")
            self._stream.flush()

    def finish(self) -> None:
        if self._tty and self._width:
            self._stream.write("\n")
            self._stream.flush()


def _settings() -> Settings:
    return load_settings(settings_file())


def _open_project(path: Path) -> Project:
    from app.project import Project

    return Project.open(path)


# -- commands --------------------------------------------------------------------------------
def cmd_new(args: argparse.Namespace) -> int:
    from app.project import MissionIdentity, Project

    path = Path(args.project)
    if path.suffix != ".besace":
        path = path.with_name(path.name + ".besace")
    identity = MissionIdentity(
        name=args.name,
        commune=args.commune or "",
        producer=args.producer or "",
        transferring_agency=args.transferring_agency or "",
        archival_agency=args.archival_agency or "",
        archivist=args.archivist or "",
    )
    Project.create(path, identity).close()
    print(_("Project created: {path}").format(path=path))
    return 0


def cmd_scan(args: argparse.Namespace) -> int:
    from app.inventory.scan import ScanOptions, scan

    settings = _settings().scan
    if args.engine:
        settings.engine = args.engine
    if args.hash:
        settings.extra_algorithms = [a.lower() for a in args.hash]
    settings.exclude_patterns = [*settings.exclude_patterns, *args.exclude]
    options = ScanOptions.from_settings(settings)
    if args.workers:
        options.workers = args.workers
    token = CancelToken()

    def on_interrupt(_signum: int, _frame: FrameType | None) -> None:
        if token.cancelled:
            raise KeyboardInterrupt
        sys.stderr.write("\n" + _("Stopping… (the scan can be resumed by running it again)") + "\n")
        token.cancel()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    line = ProgressLine(sys.stderr)
    try:
        with _open_project(Path(args.project)) as project:
            summary = scan(
                project,
                [Path(r) for r in args.sources],
                options=options,
                token=token,
                progress=line,
            )
    finally:
        signal.signal(signal.SIGINT, previous)
        line.finish()
    engine = summary.engine
    print(
        _("Scan {status} in {duration} ({engine}).").format(
            status=_(summary.status),
            duration=format_duration(summary.elapsed),
            engine=f"{engine.name} {engine.version}" if engine else "?",
        )
    )
    print(
        _("Files: {seen} seen, {read} read ({bytes}), {unchanged} unchanged.").format(
            seen=format_count(summary.files_seen),
            read=format_count(summary.files_read),
            bytes=format_bytes(summary.bytes_read),
            unchanged=format_count(summary.unchanged),
        )
    )
    print(
        _(
            "Changes: {added} added, {modified} modified, {removed} removed, {restored} back."
        ).format(
            added=format_count(summary.added),
            modified=format_count(summary.modified),
            removed=format_count(summary.removed),
            restored=format_count(summary.restored),
        )
    )
    if summary.errors or summary.warnings:
        print(
            _("Problems: {errors} errors, {warnings} warnings (see `besace stats`).").format(
                errors=format_count(summary.errors), warnings=format_count(summary.warnings)
            )
        )
    if summary.status == "cancelled":
        print(_("The scan was stopped; run the same command again to finish it."))
        return 130
    from app.audit.classify import reclassify_after_scan

    with _open_project(Path(args.project)) as project:
        result = reclassify_after_scan(project)
    if result is not None:
        print(
            _("Classification re-applied: {files} files in series, {left} to classify.").format(
                files=format_count(sum(c.files for c in result.by_series.values())),
                left=format_count(result.unclassified.files),
            )
        )
    return 0


def cmd_inventory(args: argparse.Namespace) -> int:
    from app.inventory.export import export_csv, export_json

    with _open_project(Path(args.project)) as project:
        if args.csv:
            rows = export_csv(
                project.conn, Path(args.csv), separator=args.separator, include_removed=args.removed
            )
            print(
                _("{n} rows written to {path}").format(n=format_count(rows), path=args.csv),
                file=sys.stderr,
            )
        else:
            mission = asdict(project.mission())
            target = None if args.json in (None, "-") else Path(args.json)
            rows = export_json(
                project.conn, target, out=sys.stdout, include_removed=args.removed, mission=mission
            )
            if target is not None:
                print(
                    _("{n} rows written to {path}").format(n=format_count(rows), path=target),
                    file=sys.stderr,
                )
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from app.inventory.report import build_report

    with _open_project(Path(args.project)) as project:
        mission = project.mission()
        report = build_report(project.conn)
    if args.json:
        print(json.dumps(asdict(report), ensure_ascii=False, indent=2, default=str))
        return 0
    out = sys.stdout
    out.write(f"{mission.name}\n{'=' * len(mission.name)}\n")
    for source in report.sources:
        out.write(_("Source: {path}").format(path=source) + "\n")
    run = report.last_run
    if run:
        out.write(
            _("Last scan: {date} ({status})").format(
                date=run.get("started_at"), status=_(str(run.get("status")))
            )
            + "\n"
        )
    out.write(
        _("{files} files, {bytes}, in {folders} folders ({empty} empty).").format(
            files=format_count(report.files),
            bytes=format_bytes(report.bytes),
            folders=format_count(report.folders),
            empty=format_count(report.empty_folders),
        )
        + "\n\n"
    )

    out.write(_("By format") + "\n")
    for line in report.formats[: args.top]:
        label = line.name or _("unidentified format")
        if line.version:
            label += f" {line.version}"
        out.write(
            f"  {line.puid or '—':<12} {format_count(line.files):>10}  "
            f"{format_bytes(line.bytes):>10}  {label}\n"
        )
    if len(report.formats) > args.top:
        out.write("  " + _("… other formats: {n}").format(n=len(report.formats) - args.top) + "\n")
    out.write(
        _("Identified by: {bases}").format(
            bases=", ".join(
                f"{_(b) if b else _('nothing')} {format_count(n)}" for b, n in report.bases.items()
            )
        )
        + "\n\n"
    )

    out.write(_("By year of last modification") + "\n")
    for year in report.years:
        out.write(
            f"  {year.year if year.year is not None else '—':<6} "
            f"{format_count(year.files):>10}  {format_bytes(year.bytes):>10}\n"
        )
    out.write(
        "\n"
        + _("Duplicates: {groups} groups, {files} files, {wasted} taken by copies.").format(
            groups=format_count(report.duplicate_groups),
            files=format_count(report.duplicate_files),
            wasted=format_bytes(report.duplicate_wasted_bytes),
        )
        + "\n\n"
    )
    out.write(_("Anomalies") + "\n")
    if not report.anomalies:
        out.write("  " + _("none") + "\n")
    for label, count in report.anomalies.items():
        out.write(f"  {format_count(count):>10}  {_(label)}\n")
    out.write("\n" + _("Errors") + "\n")
    if not report.errors:
        out.write("  " + _("none") + "\n")
    for error in report.errors:
        out.write(f"  {error.path}: {error.message}\n")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    with _open_project(Path(args.project)) as project:
        rows = project.conn.execute(
            "SELECT r.id, r.started_at, r.finished_at, r.status, e.name, e.version,"
            " r.files_seen, r.files_read, r.added, r.modified, r.removed, r.errors"
            " FROM scan_run r LEFT JOIN engine e ON e.id = r.engine_id ORDER BY r.id"
        ).fetchall()
    for (
        run_id,
        started,
        finished,
        status,
        engine,
        version,
        seen,
        read,
        added,
        modified,
        removed,
        errors,
    ) in rows:
        print(
            _(
                "#{id} {started} → {finished} {status}: {seen} files seen, {read} read,"
                " +{added} ~{modified} -{removed}, {errors} errors ({engine})"
            ).format(
                id=run_id,
                started=started,
                finished=finished or "…",
                status=_(status),
                seen=format_count(seen),
                read=format_count(read),
                added=added,
                modified=modified,
                removed=removed,
                errors=errors,
                engine=f"{engine} {version}",
            )
        )
    if not rows:
        print(_("No scan yet."))
    return 0


def _rule_category(spec: str, option: str) -> tuple[str, date | None]:
    rule_id, _sep, start = spec.partition(":")
    if not rule_id:
        raise AppError(_("{option} needs a rule identifier, e.g. APP-00001.").format(option=option))
    try:
        return rule_id, date.fromisoformat(start) if start else None
    except ValueError as exc:
        raise AppError(
            _("{option}: {value} is not a date (YYYY-MM-DD).").format(option=option, value=start)
        ) from exc


def _management_from(args: argparse.Namespace) -> Management:
    management = Management()
    for category, option, final in (
        ("AppraisalRule", "appraisal", "final_action"),
        ("AccessRule", "access", None),
        ("DisseminationRule", "dissemination", None),
        ("ReuseRule", "reuse", None),
        ("StorageRule", "storage", "storage_final_action"),
        ("HoldRule", "hold", None),
    ):
        specs = getattr(args, option) or []
        if not specs:
            continue
        rules = [RuleRef(*_rule_category(spec, f"--{option}")) for spec in specs]
        final_action = getattr(args, final) if final else None
        if final and not final_action:
            raise AppError(
                _("--{option} needs its final action ({flag}).").format(
                    option=option, flag="--" + final.replace("_", "-")
                )
            )
        management.categories[category] = RuleCategory(rules, final_action=final_action)
    return management


def cmd_build(args: argparse.Namespace) -> int:
    from app.seda.from_project import HeaderOptions, SubtreeSelection, plan_transfer
    from app.seda.package import (
        PackOptions,
        check_sources,
        remove_stale_partials,
        split_transfer,
        write_package,
    )

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(out)
    selection = SubtreeSelection(
        folder=args.folder or "",
        source=args.source,
        root_level=args.level,
        root_title=args.title or "",
        management=_management_from(args),
    )
    header = HeaderOptions(
        archival_agency=args.archival_agency or "",
        transferring_agency=args.transferring_agency or "",
        originating_agency=args.originating_agency or "",
        submission_agency=args.submission_agency or "",
        archival_agreement=args.agreement or "",
        comment=args.comment or "",
        message_identifier=args.message_id or "",
        reproducible=args.reproducible,
    )
    if args.profile in ("vitam", "asalae") and not header.archival_agreement:
        raise AppError(
            _("The {profile} profile needs the archival agreement (--agreement).").format(
                profile=args.profile
            )
        )
    with _open_project(Path(args.project)) as project:
        if args.series:
            from app.seda.from_series import plan_series_transfer

            if args.folder or not selection.management.is_empty():
                raise AppError(
                    _(
                        "With --series, the folders and rules come from the plan de classement:"
                        " leave out --folder and the rule options."
                    )
                )
            plan = plan_series_transfer(project, args.series, header, version=args.seda)
        else:
            plan = plan_transfer(project, selection, header, version=args.seda)
        problems = _referential_problems(project, plan.transfer, args.profile)
    if problems:
        raise AppError(
            _("The transfer does not match the project's referentials."),
            details="\n".join(problems),
        )
    objects = plan.transfer.objects()
    if not objects:
        raise AppError(_("Nothing to transfer in this folder."))
    for note in plan.notes:
        print(note)
    check_sources(objects, plan.expected_mtimes)
    parts = split_transfer(
        plan.transfer,
        max_bytes=_parse_size(args.max_size) or None,
        max_objects=args.max_objects or None,
    )
    options = PackOptions(version=args.seda, profile=args.profile, reproducible=args.reproducible)
    token = CancelToken()
    line = ProgressLine(sys.stderr)
    built = []
    try:
        for transfer in parts:
            dest = out / f"{transfer.header.message_identifier}.zip"
            built.append(write_package(transfer, dest, options=options, token=token, progress=line))
    finally:
        line.finish()
    for package in built:
        print_package(package)
    if plan.left_out:
        print(_("Left out of the transfer ({n}):").format(n=format_count(len(plan.left_out))))
        for item in plan.left_out[:50]:
            print(f"  {item.path} — {item.reason}")
        if len(plan.left_out) > 50:
            print("  " + _("… other files: {n}").format(n=len(plan.left_out) - 50))
    status = 0
    if not args.no_validate:
        for package in built:
            status = max(status, _print_validation(package.path, args.schemas, args.profile))
    return status


def print_package(package: BuiltPackage) -> None:
    print(
        _("Package {path}: {units} units, {objects} files, {bytes}.").format(
            path=package.path,
            units=format_count(package.units),
            objects=format_count(package.objects),
            bytes=format_bytes(package.content_bytes),
        )
    )


def _referential_problems(project: Project, transfer: Transfer, profile: str) -> list[str]:
    """Rule ids and agencies checked against the imported referentials, before any packing."""
    from app.retention.referential import check_agencies, check_rule_ids

    used = [
        (category, rule.rule_id)
        for root in transfer.units
        for unit in root.walk()
        if unit.management is not None
        for category, rules in unit.management.categories.items()
        for rule in rules.rules
    ]
    header = transfer.header
    problems = check_rule_ids(project, used)
    if profile == "vitam":  # Vitam refuses agencies it does not know
        problems += check_agencies(project, [header.originating_agency, header.submission_agency])
    return problems


def _print_validation(path: Path, schemas: str | None, profile: str) -> int:
    from app.seda.validate import UnusableSipError, validate_sip

    try:
        report = validate_sip(path, schemas=Path(schemas) if schemas else None, profile=profile)
    except UnusableSipError as exc:
        print(_("{path}: unusable: {message}").format(path=path, message=exc), file=sys.stderr)
        return 2
    for problem in report.problems:
        where = f"{problem.where}" + (f" ({_('line')} {problem.line})" if problem.line else "")
        print(f"  [{_(problem.severity.value)}] {where}: {problem.message}")
    if report.valid:
        checked = (
            _("valid against the SEDA {version} schema").format(version=report.version)
            if report.xsd_checked
            else _(
                "valid, without the XSD check (schemas not installed:"
                " besace schemas install FOLDER)"
            )
        )
        print(
            f"{path.name}: {checked} — {report.units} {_('units')}, {report.objects} "
            f"{_('objects')}."
        )
        return 0
    errors = sum(1 for p in report.problems if p.severity.value == "error")
    print(_("{name}: INVALID, {n} errors.").format(name=path.name, n=errors))
    return 1


def cmd_validate(args: argparse.Namespace) -> int:
    status = 0
    for sip in args.sips:
        status = max(status, _print_validation(Path(sip), args.schemas, args.profile))
    return status


def cmd_schemas(args: argparse.Namespace) -> int:
    from app.seda.schemas import default_schema_dir, install_schemas

    dest = Path(args.dest) if args.dest else default_schema_dir()
    versions = install_schemas(Path(args.folder), dest)
    print(
        _("SEDA schemas installed in {path}: {versions}.").format(
            path=dest, versions=", ".join(versions)
        )
    )
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    from app.project.metadata import find_target, get_metadata, set_metadata
    from app.seda.metadata import assign, flatten, from_json, to_json

    with _open_project(Path(args.project)) as project:
        target = find_target(project, args.path, args.source)
        elements = from_json(get_metadata(project.conn, target))
        changes = [(item, False) for item in args.set or []] + [
            (item, True) for item in args.unset or []
        ]
        for item, remove in changes:
            if remove:
                assign(elements, item, None)
                continue
            path, sep, value = item.partition("=")
            if not sep:
                raise AppError(_('Write --set PATH=VALUE, e.g. --set Description="…".'))
            assign(elements, path, value)
        if changes:
            set_metadata(project, target, to_json(elements))
    label = _("folder") if target.kind == "directory" else _("file")
    print(f"{label} {target.rel_path or '/'}")
    pairs = flatten(elements)
    if not pairs:
        print("  " + _("no descriptive metadata yet"))
    for path, value in pairs:
        print(f"  {path} = {value}")
    return 0


def cmd_referential(args: argparse.Namespace) -> int:
    from app.retention.referential import (
        import_agencies,
        import_rules,
        list_agencies,
        list_rules,
    )
    from app.retention.schedule import (
        check_schedule_rule_ids,
        import_schedule,
        list_schedule,
        load_default_schedule,
        map_rule_ids,
        read_schedule_sheet,
        write_schedule_xlsx,
    )

    needs = {
        "import-rules": _("a CSV file"),
        "import-agencies": _("a CSV file"),
        "import-schedule": _("an xlsx file"),
        "export-schedule": _("an xlsx file"),
        "map-rule": _("the code of a tableau de gestion entry"),
    }
    if args.action in needs and not args.file:
        raise AppError(
            _("The action {action} needs {what}.").format(
                action=args.action, what=needs[args.action]
            )
        )
    with _open_project(Path(args.project)) as project:
        if args.action == "import-rules":
            count = import_rules(project, Path(args.file))
            print(
                _("{n} rules imported (the previous rules referential is replaced).").format(
                    n=format_count(count)
                )
            )
        elif args.action == "import-agencies":
            count = import_agencies(project, Path(args.file))
            print(
                _("{n} agencies imported (the previous agencies referential is replaced).").format(
                    n=format_count(count)
                )
            )
        elif args.action in ("import-schedule", "load-default-schedule"):
            if args.action == "import-schedule":
                sheet = read_schedule_sheet(Path(args.file))
                result = import_schedule(
                    project,
                    sheet.entries,
                    remove_missing=args.remove_missing,
                    keep_fields=sheet.missing_fields,
                )
            else:
                result = load_default_schedule(project, overwrite=args.overwrite)
            print(
                _(
                    "Tableau de gestion: {added} added, {updated} updated, {unchanged} unchanged, "
                    "{removed} removed."
                ).format(
                    added=result.added,
                    updated=result.updated,
                    unchanged=result.unchanged,
                    removed=result.removed,
                )
            )
            if result.not_in_file:
                print(
                    _(
                        "{n} entries of the project are not in the file and were kept "
                        "(--remove-missing removes them): {codes}"
                    ).format(n=len(result.not_in_file), codes=", ".join(result.not_in_file))
                )
        elif args.action == "export-schedule":
            entries = list_schedule(project)
            write_schedule_xlsx(entries, Path(args.file))
            print(
                _("{n} tableau de gestion entries written to {path}.").format(
                    n=format_count(len(entries)), path=args.file
                )
            )
        elif args.action == "map-rule":
            if args.appraisal is None and args.access is None:
                raise AppError(_("Give --appraisal ID, --access ID or both (an empty ID clears)."))
            entry = map_rule_ids(project, args.file, appraisal=args.appraisal, access=args.access)
            print(
                _("{code}: appraisal rule {appraisal}, access rule {access}.").format(
                    code=entry.code,
                    appraisal=entry.appraisal_rule_id or "—",
                    access=entry.access_rule_id or "—",
                )
            )
        elif args.action == "check":
            entries = list_schedule(project)
            problems = check_schedule_rule_ids(project)
            unmapped = [e.code for e in entries if not e.appraisal_rule_id]
            print(
                _(
                    "Tableau de gestion: {n} entries, {unmapped} without an SAE appraisal rule."
                ).format(n=format_count(len(entries)), unmapped=format_count(len(unmapped)))
            )
            for problem in problems:
                print("  " + problem)
            if problems:
                return 1
            print(_("No problem found with the SAE rule ids."))
        elif args.action == "show-schedule":
            entries = list_schedule(project)
            print(_("Tableau de gestion ({n} entries):").format(n=format_count(len(entries))))
            domain = None
            for entry in entries:
                if entry.domain != domain:
                    domain = entry.domain
                    print(domain or _("(no domain)"))
                rule_ids = f"{entry.appraisal_rule_id or '—'} / {entry.access_rule_id or '—'}"
                print(
                    f"  {entry.code:<8} {entry.title}\n"
                    f"           {entry.dua_summary()} · {entry.final_action_text()}"
                    f" · {entry.access_text()} · {_('SAE rules')} {rule_ids}"
                )
        else:
            rules, agencies = list_rules(project), list_agencies(project)
            print(_("Rules ({n}):").format(n=len(rules)))
            for rule in rules:
                duration = f"{rule.duration} {rule.measurement}".strip() or "—"
                print(f"  {rule.rule_type:<20} {rule.rule_id:<14} {duration:<14} {rule.value}")
            print(_("Agencies ({n}):").format(n=len(agencies)))
            for agency in agencies:
                print(f"  {agency.identifier:<24} {agency.name}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo.share import generate_demo_share

    summary = generate_demo_share(
        Path(args.folder), files=args.files, total_bytes=_parse_size(args.size), seed=args.seed
    )
    print(
        _("Demo share written to {path}: {files} files, {bytes}.").format(
            path=summary.root,
            files=format_count(summary.files),
            bytes=format_bytes(summary.total_bytes),
        )
    )
    return 0


def _parse_size(text: str | None) -> int:
    if not text:
        return 0
    units = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
    text = text.strip().lower().rstrip("bo")
    try:
        if text and text[-1] in units:
            return int(float(text[:-1].replace(",", ".")) * units[text[-1]])
        return int(text)
    except ValueError as exc:
        raise AppError(
            _("Size not understood: {text} (examples: 500M, 2G).").format(text=text)
        ) from exc


def add_header_options(p: argparse.ArgumentParser, *, message_id_help: str) -> None:
    """The transfer header's agencies, agreement, comment and identifier."""
    p.add_argument("--archival-agency", metavar="ID", help=_("archival agency identifier"))
    p.add_argument(
        "--transferring-agency",
        metavar="ID",
        help=_("transferring agency identifier (service versant)"),
    )
    p.add_argument(
        "--originating-agency",
        metavar="ID",
        help=_("originating agency identifier (service producteur)"),
    )
    p.add_argument("--submission-agency", metavar="ID", help=_("submission agency identifier"))
    p.add_argument("--agreement", metavar="ID", help=_("archival agreement (contrat d'entrée)"))
    p.add_argument("--comment", help=_("comment of the transfer"))
    p.add_argument("--message-id", metavar="ID", help=message_id_help)


# -- parser ----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="besace",
        description=_("Besace: audit, classify and transfer a commune's digital records."),
    )
    parser.add_argument("--version", action="version", version=f"Besace {__version__}")
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"))

    p = sub.add_parser("new", help=_("create a mission project file"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("--name", required=True, help=_('mission name, e.g. "Mairie de …"'))
    p.add_argument("--commune", help=_("commune or public body"))
    p.add_argument("--producer", help=_("service producteur (producing agency)"))
    p.add_argument("--transferring-agency", help=_("service versant (transferring agency)"))
    p.add_argument("--archival-agency", help=_("service d'archives (archival agency)"))
    p.add_argument("--archivist", help=_("archivist in charge"))
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("scan", help=_("inventory folders or network shares (read-only)"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("sources", nargs="+", metavar=_("SOURCE"))
    p.add_argument(
        "--engine",
        choices=("siegfried", "fido"),
        help=_("format identification engine (default: siegfried)"),
    )
    p.add_argument(
        "--hash",
        action="append",
        choices=("md5", "sha1", "sha256"),
        help=_("extra digest besides SHA-512 (repeatable)"),
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar=_("PATTERN"),
        help=_('names to list without reading, e.g. "*.iso" (repeatable)'),
    )
    p.add_argument("--workers", type=int, default=0, help=_("reading processes (default: cores)"))
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("inventory", help=_("export the inventory (CSV or JSON)"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--csv", metavar=_("FILE"), help=_("CSV file for a spreadsheet"))
    target.add_argument(
        "--json",
        nargs="?",
        const="-",
        metavar=_("FILE"),
        help=_("JSON file (standard output without a name)"),
    )
    p.add_argument("--separator", default=";", help=_("CSV separator (default: ;)"))
    p.add_argument("--removed", action="store_true", help=_("include files no longer present"))
    p.set_defaults(func=cmd_inventory)

    p = sub.add_parser("stats", help=_("summary: formats, years, duplicates, anomalies, errors"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("--top", type=int, default=25, help=_("formats to list (default: 25)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("history", help=_("the project's scan runs"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("build", help=_("build SEDA transfer packages (SIP) from the inventory"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("--out", required=True, metavar=_("FOLDER"), help=_("where to write the zips"))
    p.add_argument(
        "--seda",
        choices=("2.1", "2.2", "2.3"),
        default="2.2",
        help=_("SEDA version (default: 2.2)"),
    )
    p.add_argument(
        "--profile",
        choices=PROFILES,
        default="generic",
        help=_("target SAE conventions (default: generic)"),
    )
    p.add_argument(
        "--folder",
        metavar=_("PATH"),
        help=_("folder of the inventory to transfer, relative to its source"),
    )
    p.add_argument(
        "--series",
        action="append",
        metavar=_("CODE"),
        help=_("series of the plan de classement to transfer, with their rules (repeatable)"),
    )
    p.add_argument("--source", metavar=_("SOURCE"), help=_("source folder, if several"))
    p.add_argument(
        "--level",
        default="RecordGrp",
        choices=DESCRIPTION_LEVELS,
        help=_("description level of the top unit (default: RecordGrp)"),
    )
    p.add_argument("--title", help=_("title of the top unit (default: the folder name)"))
    for option, label in (
        ("appraisal", _("appraisal rule (DUA)")),
        ("access", _("access rule (communicabilité)")),
        ("dissemination", _("dissemination rule")),
        ("reuse", _("reuse rule")),
        ("storage", _("storage rule")),
        ("hold", _("hold rule (SEDA 2.2+)")),
    ):
        p.add_argument(
            f"--{option}",
            action="append",
            metavar=_("RULE[:START]"),
            help=label + " " + _("(repeatable; START as YYYY-MM-DD)"),
        )
    p.add_argument(
        "--final-action",
        choices=("Keep", "Destroy"),
        help=_("final action of the appraisal rule (sort final)"),
    )
    p.add_argument("--storage-final-action", choices=("RestrictAccess", "Transfer", "Copy"))
    add_header_options(p, message_id_help=_("message identifier (default: generated)"))
    p.add_argument("--max-size", metavar=_("SIZE"), help=_("split into packages of at most SIZE"))
    p.add_argument(
        "--max-objects", type=int, metavar="N", help=_("split into packages of at most N files")
    )
    p.add_argument(
        "--reproducible",
        action="store_true",
        help=_("same inventory, same bytes: dates and identifiers from the content"),
    )
    p.add_argument("--schemas", metavar=_("FOLDER"), help=_("official SEDA schemas to check with"))
    p.add_argument("--no-validate", action="store_true", help=_("do not validate after building"))
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("validate", help=_("check SEDA packages (SIP zip)"))
    p.add_argument("sips", nargs="+", metavar="SIP.zip")
    p.add_argument("--schemas", metavar=_("FOLDER"), help=_("official SEDA schemas to check with"))
    p.add_argument(
        "--profile",
        choices=PROFILES,
        default="generic",
        help=_("also check the rules of this SAE (default: generic)"),
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schemas", help=_("manage the official SEDA schemas"))
    schemas_sub = p.add_subparsers(dest="action", required=True)
    install = schemas_sub.add_parser("install", help=_("install the official XSD files once"))
    install.add_argument("folder", metavar=_("FOLDER"))
    install.add_argument("--dest", metavar=_("FOLDER"), help=argparse.SUPPRESS)
    install.set_defaults(func=cmd_schemas)

    p = sub.add_parser(
        "describe", help=_("show or set the descriptive metadata of a folder or file")
    )
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("path", metavar=_("PATH"), help=_("folder or file, relative to its source"))
    p.add_argument("--source", metavar=_("SOURCE"), help=_("source folder, if several"))
    p.add_argument(
        "--set",
        action="append",
        metavar=_("NAME=VALUE"),
        help=_("e.g. Description=…, Keyword.0.KeywordContent=voirie (repeatable)"),
    )
    p.add_argument("--unset", action="append", metavar=_("NAME"), help=_("remove an element"))
    p.set_defaults(func=cmd_describe)

    from app.cli_transfer import add_transfer_commands

    add_transfer_commands(sub)

    from app.cli_interop import register as add_interop_commands

    add_interop_commands(sub)

    from app.cli_classify import add_classify_commands

    add_classify_commands(sub)

    from app.cli_reports import add_report_commands

    add_report_commands(sub)

    p = sub.add_parser(
        "referential",
        help=_("the SAE's rules and agencies referentials, and the tableau de gestion"),
    )
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument(
        "action",
        choices=(
            "import-rules",
            "import-agencies",
            "show",
            "import-schedule",
            "export-schedule",
            "load-default-schedule",
            "show-schedule",
            "map-rule",
            "check",
        ),
    )
    p.add_argument(
        "file",
        nargs="?",
        metavar=_("FILE|CODE"),
        help=_(
            "Vitam CSV (RuleId,RuleType,… or Identifier,Name,Description), tableau de gestion "
            "xlsx, or the code of an entry (map-rule)"
        ),
    )
    p.add_argument(
        "--remove-missing",
        action="store_true",
        help=_("import-schedule: remove entries absent from the file (unless a series uses them)"),
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help=_("load-default-schedule: also reset the entries the project already has"),
    )
    p.add_argument("--appraisal", metavar="ID", help=_("map-rule: SAE appraisal rule (DUA)"))
    p.add_argument("--access", metavar="ID", help=_("map-rule: SAE access rule"))
    p.set_defaults(func=cmd_referential)

    p = sub.add_parser("demo", help=_("generate a demo commune share"))
    p.add_argument("folder", metavar=_("FOLDER"))
    p.add_argument("--files", type=int, default=800, help=_("approximate number of files"))
    p.add_argument("--size", help=_("approximate total size, e.g. 2G"))
    p.add_argument("--seed", type=int, default=2026, help=_("random seed (same seed, same share)"))
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    set_language(_settings_language())
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        result: int = args.func(args)
        return result
    except AppError as exc:
        print(_("Error: {message}").format(message=exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n" + _("Interrupted."), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`besace … | head`): not an error; keep Python quiet at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _settings_language() -> str | None:
    try:
        return _settings().language
    except AppError:
        return None
