"""`besace audit`, `besace audit-import`, `besace slip`: the reports handed over, by command."""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from app.errors import AppError
from app.i18n import _, format_count
from app.project.store import Project
from app.tasks import Cancelled, CancelToken, Progress


class _PercentLine:
    """'Inventory… 42 %' rewritten in place on a terminal; one line per step in a log."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._message = ""
        self._width = 0

    def __call__(self, p: Progress) -> None:
        percent = int(100 * p.done / p.total) if p.total else 0
        if self._tty:
            line = f"\r{p.message}… {percent} %"
            self._stream.write(line + " " * max(0, self._width - len(line)))
            self._width = len(line)
            self._stream.flush()
        elif p.message != self._message:
            self._message = p.message
            self._stream.write(f"{p.message}…\n")
            self._stream.flush()

    def finish(self) -> None:
        if self._tty and self._width:
            self._stream.write("\n")
            self._stream.flush()


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise AppError(_("{value} is not a date (YYYY-MM-DD).").format(value=text)) from exc


def _grid(path: str | None) -> Any:
    from app.audit.grid import load_grid

    return load_grid(Path(path) if path else None)


def _xlsx_target(path: str, option: str) -> Path:
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise AppError(
            _("{option} {path}: the file name must end in .xlsx.").format(option=option, path=path)
        )
    return target


# -- audit -------------------------------------------------------------------------------------
def cmd_audit(args: argparse.Namespace) -> int:
    from app.reports.audit_workbook import write_audit_workbook

    target = _xlsx_target(args.xlsx, "--xlsx")
    grid = _grid(args.grid)
    token = CancelToken()

    def on_interrupt(_signum: int, _frame: FrameType | None) -> None:
        if token.cancelled:
            raise KeyboardInterrupt
        token.cancel()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    line = _PercentLine(sys.stderr)
    try:
        with Project.open(Path(args.project)) as project:
            summary = write_audit_workbook(
                project,
                target,
                token=token,
                progress=line,
                grid=grid,
                as_of=_date(args.as_of),
            )
    except Cancelled:
        line.finish()
        print(_("Stopped: no workbook was written."), file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGINT, previous)
    line.finish()
    print(
        _("Audit workbook written: {path} ({series} series, {files} files).").format(
            path=summary.path,
            series=format_count(summary.series),
            files=format_count(summary.inventory_rows),
        )
    )
    if len(summary.inventory_sheets) > 1:
        print(
            _("The inventory goes on over {count} sheets: {sheets}.").format(
                count=len(summary.inventory_sheets), sheets=", ".join(summary.inventory_sheets)
            )
        )
    return 0


# -- audit-import ------------------------------------------------------------------------------
def cmd_audit_import(args: argparse.Namespace) -> int:
    from app.reports.grid_sheet import import_grid

    grid = _grid(args.grid)
    with Project.open(Path(args.project)) as project:
        result = import_grid(
            project, Path(args.workbook), grid, dry_run=args.dry_run, force=args.force
        )
    for warning in result.warnings:
        print(_("Warning: {message}").format(message=warning), file=sys.stderr)
    if result.changes:
        print(_("Changes ({count}):").format(count=len(result.changes)))
        for change in result.changes:
            print(
                "  "
                + _("{code}  {item}: {old} → {new}").format(
                    code=change.code, item=change.item, old=change.old, new=change.new
                )
            )
    else:
        print(_("No change to apply."))
    if result.kept:
        print(
            _(
                "Rows not edited in the workbook, whose answers changed in the project since the"
                " export (the project's answers are kept): {codes}"
            ).format(codes=", ".join(result.kept))
        )
    if result.conflicts:
        print(_("Conflicts ({count}):").format(count=len(result.conflicts)))
        for conflict in result.conflicts:
            print(
                "  "
                + _("{where}: {message}").format(where=conflict.where, message=conflict.message)
            )
        if not result.forced:
            print(
                _(
                    "These rows were left out. Correct the workbook, or use --force to apply the"
                    " rows changed in the project since the export (unreadable cells are then"
                    " skipped)."
                )
            )
    if result.dry_run:
        print(_("Dry run: nothing was changed in the project."))
    elif result.applied:
        print(
            _("Audit grid updated for {count} series: {codes}.").format(
                count=len(result.applied), codes=", ".join(result.applied)
            )
        )
    return 1 if result.conflicts and not result.forced else 0


# -- slip --------------------------------------------------------------------------------------
def cmd_slip(args: argparse.Namespace) -> int:
    from app.reports.slip_pdf import write_slip_pdf
    from app.reports.slip_xlsx import write_slip_xlsx
    from app.reports.slips import elimination_slip, transfer_slip

    if not args.pdf and not args.xlsx:
        raise AppError(_("Say where to write the slip: --pdf FILE.pdf and/or --xlsx FILE.xlsx."))
    xlsx = _xlsx_target(args.xlsx, "--xlsx") if args.xlsx else None
    with Project.open(Path(args.project)) as project:
        if args.kind == "transfer":
            if args.reference:
                raise AppError(
                    _("A transfer slip takes its series with --series CODE, not a reference.")
                )
            slip = transfer_slip(
                project,
                args.series or [],
                reference=args.transfer_reference or "",
                on=_date(args.date),
                all_files=args.all_files,
            )
        else:
            if not args.reference:
                raise AppError(_("Give the elimination proposal's reference (e.g. ELIM-2026-001)."))
            if args.series:
                raise AppError(_("An elimination slip covers its whole proposal: no --series."))
            slip = elimination_slip(project, args.reference)
    if args.pdf:
        pages = write_slip_pdf(slip, Path(args.pdf))
        print(_("PDF written: {path} ({pages} page(s)).").format(path=args.pdf, pages=pages))
    if xlsx is not None:
        write_slip_xlsx(slip, xlsx)
        print(_("Workbook written: {path}.").format(path=xlsx))
    print(slip.totals_text())
    return 0


def add_report_commands(sub: Any) -> None:
    p = sub.add_parser("audit", help=_("write the audit workbook (xlsx)"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("--xlsx", required=True, metavar=_("FILE.xlsx"), help=_("the workbook to write"))
    p.add_argument("--grid", metavar=_("FILE.toml"), help=_("a grid definition of your own"))
    p.add_argument(
        "--as-of", metavar=_("DATE"), help=_("reference date of the DUA (default: today)")
    )
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser(
        "audit-import", help=_("import the audit grid filled in the workbook's grid sheet")
    )
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("workbook", metavar=_("FILE.xlsx"))
    p.add_argument("--dry-run", action="store_true", help=_("show the changes, change nothing"))
    p.add_argument(
        "--force",
        action="store_true",
        help=_("also apply the rows whose grid changed in the project since the export"),
    )
    p.add_argument("--grid", metavar=_("FILE.toml"), help=_("a grid definition of your own"))
    p.set_defaults(func=cmd_audit_import)

    p = sub.add_parser("slip", help=_("write a transfer or elimination slip (bordereau)"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("kind", choices=("transfer", "elimination"))
    p.add_argument(
        "reference",
        nargs="?",
        metavar=_("REFERENCE"),
        help=_("elimination: the proposal's reference (e.g. ELIM-2026-001)"),
    )
    p.add_argument(
        "--series",
        nargs="+",
        action="extend",
        metavar=_("CODE"),
        help=_("transfer: the series to transfer"),
    )
    p.add_argument("--pdf", metavar=_("FILE.pdf"), help=_("the PDF to write"))
    p.add_argument("--xlsx", metavar=_("FILE.xlsx"), help=_("the workbook to write"))
    p.add_argument(
        "--number",
        dest="transfer_reference",
        metavar=_("REFERENCE"),
        help=_("transfer: the transfer number (default: VERS-date)"),
    )
    p.add_argument(
        "--date", metavar=_("DATE"), help=_("transfer: the slip's date (default: today)")
    )
    p.add_argument(
        "--all-files",
        action="store_true",
        help=_("transfer: every file of the series, not only those whose DUA is over"),
    )
    p.set_defaults(func=cmd_slip)
