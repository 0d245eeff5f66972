"""`besace series|classify|grid|retention|elimination`: the plan de classement, by command."""

from __future__ import annotations

import argparse
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from app.errors import AppError
from app.i18n import _, format_bytes, format_count
from app.project.metadata import Target, find_target
from app.project.series import (
    DUA_STARTS,
    EXCLUSION_REASONS,
    FINAL_ACTION_LABELS,
    FINAL_ACTIONS,
    LEVELS,
    Series,
    add_series,
    assign,
    delete_series,
    effective_retention,
    get_series,
    list_series,
    schedule_entry_id,
    unassign,
    update_series,
)
from app.project.store import Project

PERIOD = re.compile(r"^\s*(\d+)\s*([yamdj]?)\s*$", re.IGNORECASE)
UNIT_OF = {"": "year", "y": "year", "a": "year", "m": "month", "d": "day", "j": "day"}


def _open(path: str) -> Project:
    return Project.open(Path(path))


def parse_period(text: str) -> tuple[int, str]:
    """`10`, `10y` or `10a` (years), `6m` (months), `30d` or `30j` (days)."""
    found = PERIOD.match(text)
    if not found:
        raise AppError(
            _("Period not understood: {text} (examples: 10y, 6m, 30d).").format(text=text)
        )
    return int(found.group(1)), UNIT_OF[found.group(2).lower()]


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise AppError(_("{value} is not a date (YYYY-MM-DD).").format(value=text)) from exc


def _retention_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--description")
    p.add_argument("--producer", help=_("service producteur"))
    p.add_argument("--level", choices=LEVELS)
    p.add_argument("--parent", metavar=_("CODE"), help=_("parent series"))
    p.add_argument("--schedule", metavar=_("CODE"), help=_("tableau de gestion entry it follows"))
    p.add_argument("--dua", metavar=_("PERIOD"), help=_("DUA, e.g. 10y, 6m, 30d"))
    p.add_argument("--dua-start", choices=DUA_STARTS, help=_("what starts the DUA"))
    p.add_argument("--closure", metavar=_("DATE"), help=_("closure date of the series"))
    p.add_argument("--final-action", choices=FINAL_ACTIONS, help=_("sort final"))
    p.add_argument("--access", metavar=_("PERIOD"), help=_("communicability delay, e.g. 25y"))
    p.add_argument("--appraisal-rule", metavar=_("ID"), help=_("the SAE's appraisal rule id"))
    p.add_argument("--access-rule", metavar=_("ID"), help=_("the SAE's access rule id"))
    p.add_argument("--legal-basis", help=_("legal basis (textes de référence)"))


def _apply_options(project: Project, s: Series, args: argparse.Namespace) -> Series:
    changes: dict[str, Any] = {}
    for name in ("description", "producer", "level"):
        if getattr(args, name) is not None:
            changes[name] = getattr(args, name)
    if args.parent is not None:
        changes["parent_id"] = get_series(project.conn, args.parent).id if args.parent else None
    if args.schedule is not None:
        changes["schedule_entry_id"] = (
            schedule_entry_id(project.conn, args.schedule) if args.schedule else None
        )
    if args.dua is not None:
        changes["dua_value"], changes["dua_unit"] = parse_period(args.dua)
    if args.access is not None:
        changes["access_value"], changes["access_unit"] = parse_period(args.access)
    if args.dua_start is not None:
        changes["dua_start"] = args.dua_start
    if args.closure is not None:
        changes["closure_date"] = _date(args.closure).isoformat() if args.closure else None
    if args.final_action is not None:
        changes["final_action"] = args.final_action
    if args.appraisal_rule is not None:
        changes["appraisal_rule_id"] = args.appraisal_rule
    if args.access_rule is not None:
        changes["access_rule_id"] = args.access_rule
    if args.legal_basis is not None:
        changes["legal_basis"] = args.legal_basis
    return replace(s, **changes)


def _targets(project: Project, paths: list[str], source: str | None) -> list[Target]:
    return [find_target(project, p, source) for p in paths]


def _reclassify(project: Project, within: list[Target] | None = None) -> None:
    from app.audit.classify import recompute

    result = recompute(project, within)
    message = (
        _("Classified: {files} files; to classify: {left} files ({bytes}).")
        if within is None
        else _("In these folders and files: {files} classified; {left} to classify ({bytes}).")
    )
    print(
        message.format(
            files=format_count(sum(c.files for c in result.by_series.values())),
            left=format_count(result.unclassified.files),
            bytes=format_bytes(result.unclassified.bytes),
        )
    )


def cmd_series(args: argparse.Namespace) -> int:
    with _open(args.project) as project:
        conn = project.conn
        if args.action == "list":
            _print_series(project)
            return 0
        if args.action == "add":
            if not args.title:
                raise AppError(_("Give the series a title: besace series PROJECT add CODE TITLE"))
            s = _apply_options(project, Series(code=args.code, title=args.title), args)
            add_series(project, s)
            print(_("Series {code} added.").format(code=s.code))
            return 0
        if args.action == "edit":
            s = get_series(conn, args.code)
            if args.title:
                s = replace(s, title=args.title)
            update_series(project, _apply_options(project, s, args))
            _reclassify(project)
            return 0
        if args.action == "delete":
            s = get_series(conn, args.code)
            assert s.id is not None
            delete_series(project, s.id)
            print(_("Series {code} deleted.").format(code=s.code))
            _reclassify(project)
            return 0
        if args.action == "assign":
            s = get_series(conn, args.code)
            targets = _targets(project, args.paths, args.source)
            count = assign(project, targets, series_id=s.id)
            print(_("{count} item(s) assigned to {code}.").format(count=count, code=s.code))
        elif args.action == "exclude":
            targets = _targets(project, args.paths, args.source)
            count = assign(project, targets, exclusion=args.code, comment=args.comment or "")
            print(_("{count} item(s) excluded.").format(count=count))
        else:
            targets = _targets(project, [args.code, *args.paths], args.source)
            count = unassign(project, targets)
            print(_("{count} assignment(s) removed.").format(count=count))
        _reclassify(project, targets)
    return 0


def _print_series(project: Project) -> None:
    from app.retention.dates import period_text

    conn = project.conn
    counts = {
        int(s): (int(n), int(b))
        for s, n, b in conn.execute(
            "SELECT fc.series_id, count(*), coalesce(sum(f.size), 0) FROM file_class fc"
            " JOIN file f ON f.id = fc.file_id WHERE fc.series_id IS NOT NULL GROUP BY 1"
        )
    }
    depth: dict[int | None, int] = {None: -1}
    rows = list_series(conn)
    if not rows:
        print(_("No series yet: besace series PROJECT add CODE TITLE"))
        return
    for s in rows:
        depth[s.id] = depth.get(s.parent_id, -1) + 1
        r = effective_retention(conn, s)
        files, size = counts.get(s.id or 0, (0, 0))
        dua = period_text(r.dua_value, r.dua_unit) or "—"
        action = _(FINAL_ACTION_LABELS[r.final_action]) if r.final_action else "—"
        print(
            f"{'  ' * depth[s.id]}{s.code}  {s.title}  "
            + _("[{files} files, {bytes}; DUA {dua}, {action}]").format(
                files=format_count(files), bytes=format_bytes(size), dua=dua, action=action
            )
        )


def cmd_classify(args: argparse.Namespace) -> int:
    from app.audit.classify import apply_rules_file, compute, read_rules_file, recompute

    with _open(args.project) as project:
        if args.rules:
            rules_file = read_rules_file(Path(args.rules))
            if args.preview:
                _preview(project, rules_file)
                return 0
            apply_rules_file(project, rules_file)
            print(_("{count} rule(s) loaded.").format(count=len(rules_file.rules)))
        elif args.preview:
            result = compute(project.conn)
            print(
                _("{count} file(s) would change.").format(count=format_count(len(result.changed)))
            )
            return 0
        result = recompute(project)
        _print_result(project, result)
    return 0


def _preview(project: Project, rules_file: Any) -> None:
    """What a rules file would do, without changing the project."""
    from app.audit.classify import ClassificationRule, compute

    series = {s.code: s for s in list_series(project.conn)}
    # Series the file would create get temporary ids, below zero, for the preview only.
    for n, declared in enumerate(rules_file.series, 1):
        if declared.series.code not in series:
            series[declared.series.code] = replace(declared.series, id=-n)
    rules: list[ClassificationRule] = [
        replace(rule, series_id=series[code].id) if code else rule
        for rule, code in rules_file.rules
        if not code or code in series
    ]
    result = compute(project.conn, rules)
    print(_("Preview (nothing changed):"))
    _print_result(project, result, extra=list(series.values()))
    print(_("{count} file(s) would change.").format(count=format_count(len(result.changed))))


def _natural(code: str) -> list[tuple[int, int | str]]:
    """Sort key putting 2.1 before 10, as a plan de classement reads."""
    return [(0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", code) if p]


def _print_result(project: Project, result: Any, extra: list[Series] | None = None) -> None:
    codes = {s.id: s for s in [*list_series(project.conn), *(extra or [])]}
    for report in result.rules:
        target = (
            codes[report.rule.series_id].code
            if report.rule.series_id in codes
            else _(EXCLUSION_REASONS.get(report.rule.exclusion or "", "?"))
        )
        print(
            _("Rule {name} → {target}: {matched} matched, {applied} applied.").format(
                name=report.rule.name or "?",
                target=target,
                matched=format_count(report.matched),
                applied=format_count(report.applied),
            )
        )
    for sid, count in sorted(result.by_series.items(), key=lambda kv: _natural(codes[kv[0]].code)):
        print(
            f"  {codes[sid].code}  {codes[sid].title}: "
            + _("{files} files, {bytes}").format(
                files=format_count(count.files), bytes=format_bytes(count.bytes)
            )
        )
    for reason, count in sorted(result.excluded.items()):
        print(
            "  "
            + _("Excluded ({reason}): {files} files, {bytes}").format(
                reason=_(EXCLUSION_REASONS.get(reason, reason)),
                files=format_count(count.files),
                bytes=format_bytes(count.bytes),
            )
        )
    print(
        "  "
        + _("To classify: {files} files, {bytes}").format(
            files=format_count(result.unclassified.files),
            bytes=format_bytes(result.unclassified.bytes),
        )
    )


def cmd_grid(args: argparse.Namespace) -> int:
    from app.audit.grid import get_answers, load_grid, priority, set_answer
    from app.audit.volumes import default_reference_year, volumes_by_series

    grid = load_grid(Path(args.grid) if args.grid else None)
    with _open(args.project) as project:
        s = get_series(project.conn, args.code)
        assert s.id is not None
        if args.action == "set":
            for item in args.values:
                key, sep, value = item.partition("=")
                if not sep:
                    raise AppError(_("Expected KEY=VALUE, got {item}.").format(item=item))
                set_answer(project, grid, s.id, key.strip(), value.strip())
        answers = get_answers(project.conn, s.id)
        volumes = volumes_by_series(project.conn).get(s.id)
        year = default_reference_year()
        annual = volumes.annual(year).bytes if volumes else 0
        print(f"{s.code}  {s.title}")
        for section in grid.sections:
            print(f"\n{section.label}")
            given = answers.get(section.key, {})
            for c in section.items:
                answer = given.get(c.key)
                if section.kind == "rated":
                    level = (
                        grid.level(answer["level"]).label if answer and answer.get("level") else "—"
                    )
                    comment = f" — {answer['comment']}" if answer and answer.get("comment") else ""
                    print(f"  {c.label} ({c.key}): {level}{comment}")
                else:
                    print(f"  {c.label} ({c.key}): {answer or '—'}")
        p = priority(grid, answers, annual)
        print(
            "\n"
            + _(
                "Priority: {score}/100 (value {value:.0%}, risk {risk:.0%}, volume {volume:.0%})"
            ).format(score=p.score, value=p.value, risk=p.risk, volume=p.volume)
        )
        if not p.complete:
            print(_("Some value criteria are not rated yet."))
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    from app.retention.dates import period_text
    from app.retention.states import STATE_LABELS, STATES, compute_states

    as_of = _date(args.as_of) if args.as_of else date.today()
    with _open(args.project) as project:
        ids = {get_series(project.conn, c).id or 0 for c in args.series} if args.series else None
        report = compute_states(project.conn, as_of, series_ids=ids)
    print(_("Retention on {date}").format(date=as_of.isoformat()))
    for s in report.series:
        r = s.retention
        dua = period_text(r.dua_value, r.dua_unit) or _("no DUA")
        action = _(FINAL_ACTION_LABELS[r.final_action]) if r.final_action else _("no final action")
        extremes = (
            f"{s.earliest.isoformat()} – {s.latest.isoformat()}" if s.earliest and s.latest else "—"
        )
        print(f"\n{s.series.code}  {s.series.title}  ({dua}, {action}; {extremes})")
        for state in STATES:
            tally = s.by_state.get(state)
            if tally and tally.files:
                print(
                    f"  {_(STATE_LABELS[state])}: "
                    + _("{files} files, {bytes}").format(
                        files=format_count(tally.files), bytes=format_bytes(tally.bytes)
                    )
                )
        if s.next_end:
            print("  " + _("next end of DUA: {date}").format(date=s.next_end.isoformat()))
    print()
    for state, tally in report.totals().items():
        if tally.files:
            print(
                f"{_(STATE_LABELS[state])}: "
                + _("{files} files, {bytes}").format(
                    files=format_count(tally.files), bytes=format_bytes(tally.bytes)
                )
            )
    return 0


def cmd_elimination(args: argparse.Namespace) -> int:
    from app.retention.elimination import (
        STATUS_LABELS,
        get_proposal,
        list_proposals,
        propose_elimination,
        set_status,
    )

    with _open(args.project) as project:
        if args.action == "propose":
            as_of = _date(args.as_of) if args.as_of else None
            proposal = propose_elimination(
                project, as_of, series_codes=args.series or None, reference=args.reference or ""
            )
        elif args.action == "list":
            for p in list_proposals(project.conn):
                print(
                    f"{p.reference}  {_(STATUS_LABELS[p.status])}  {p.as_of}  "
                    + _("{files} files, {bytes}").format(
                        files=format_count(p.files), bytes=format_bytes(p.bytes)
                    )
                )
            return 0
        elif args.action == "show":
            proposal = get_proposal(project.conn, _required(args.reference))
        else:
            proposal = set_status(project, _required(args.reference), args.action, args.note or "")
    print(
        f"{proposal.reference}  {_(STATUS_LABELS[proposal.status])}  "
        + _("as of {date}").format(date=proposal.as_of)
    )
    for item in proposal.items:
        print(
            f"  {item.series_code}  {item.series_title}: "
            + _("{files} files, {bytes}").format(
                files=format_count(item.files), bytes=format_bytes(item.bytes)
            )
            + f"  ({item.earliest or '?'} – {item.latest or '?'}; DUA {item.dua}"
            + (f"; {item.legal_basis}" if item.legal_basis else "")
            + ")"
        )
    print(
        _(
            "Total: {files} files, {bytes}. Besace deletes nothing: destroy the files once the visa"
            " is granted."
        ).format(files=format_count(proposal.files), bytes=format_bytes(proposal.bytes))
    )
    return 0


def _required(reference: str | None) -> str:
    if not reference:
        raise AppError(_("Give the proposal's reference (e.g. ELIM-2026-001)."))
    return reference


def add_classify_commands(sub: Any) -> None:
    p = sub.add_parser("series", help=_("the plan de classement: add, list, assign series"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument(
        "action", choices=("list", "add", "edit", "delete", "assign", "exclude", "unassign")
    )
    p.add_argument(
        "code",
        nargs="?",
        metavar=_("CODE"),
        help=_("series code (for exclude: the reason, one of {reasons})").format(
            reasons=", ".join(EXCLUSION_REASONS)
        ),
    )
    p.add_argument("title", nargs="?", metavar=_("TITLE_OR_PATH"))
    p.add_argument("more", nargs="*", metavar=_("PATH"))
    p.add_argument("--source", metavar=_("ROOT"), help=_("source, when the project has several"))
    p.add_argument("--comment", help=_("why these items are excluded"))
    _retention_options(p)
    p.set_defaults(func=_series_entry)

    p = sub.add_parser("classify", help=_("apply classification rules to the inventory"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("--rules", metavar=_("FILE.toml"), help=_("rules file to load (replaces them)"))
    p.add_argument("--preview", action="store_true", help=_("show the effect, change nothing"))
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("grid", help=_("the production-audit grid of a series"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("action", choices=("show", "set"))
    p.add_argument("code", metavar=_("CODE"))
    p.add_argument("values", nargs="*", metavar=_("KEY=VALUE"), help=_("e.g. value.legal=high"))
    p.add_argument("--grid", metavar=_("FILE.toml"), help=_("a grid definition of your own"))
    p.set_defaults(func=cmd_grid)

    p = sub.add_parser(
        "retention", help=_("what to transfer, what to eliminate, what stays active")
    )
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("--as-of", metavar=_("DATE"), help=_("reference date (default: today)"))
    p.add_argument("--series", action="append", metavar=_("CODE"))
    p.set_defaults(func=cmd_retention)

    p = sub.add_parser("elimination", help=_("elimination proposals for the visa"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument(
        "action", choices=("propose", "list", "show", "submitted", "approved", "refused")
    )
    p.add_argument("reference", nargs="?", metavar=_("REFERENCE"))
    p.add_argument("--as-of", metavar=_("DATE"))
    p.add_argument("--series", action="append", metavar=_("CODE"))
    p.add_argument("--note", help=_("the decision's reference or comment"))
    p.set_defaults(func=cmd_elimination)


def _series_entry(args: argparse.Namespace) -> int:
    """Positional arguments of `series` depend on the action; sort them out."""
    if args.action != "list" and not args.code:
        raise AppError(_("Give a series code."))
    if args.action in ("assign", "exclude", "unassign"):
        args.paths = [p for p in [args.title, *args.more] if p is not None]
        if args.action != "unassign" and not args.paths:
            raise AppError(_("Give at least one folder or file path."))
    elif args.more:
        raise AppError(_("Too many arguments: {extra}").format(extra=" ".join(args.more)))
    return cmd_series(args)
