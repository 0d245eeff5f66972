"""`besace resip-import|resip-export|sip-import|sip-export|imported …`: working with Resip
and with packages built elsewhere, on the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli import (
    ProgressLine,
    _open_project,
    _print_validation,
    _referential_problems,
    add_header_options,
    print_package,
)
from app.errors import AppError
from app.i18n import _, format_bytes, format_count
from app.seda.model import PROFILES, SEDA_VERSIONS
from app.tasks import CancelToken

if TYPE_CHECKING:
    from app.seda.imported import ImportedSummary, ImportedTree, ImportedUnit

# As app.seda.resip_csv.ENCODINGS, without loading the SEDA modules for every command.
CSV_ENCODINGS = ("auto", "windows-1252", "utf-8")

MAX_WARNINGS = 30


def _print_import(package_id: int, tree: ImportedTree, summary: ImportedSummary) -> None:
    kind = _("Resip CSV") if tree.kind == "resip_csv" else _("SIP")
    version = f", SEDA {tree.seda_version}" if tree.seda_version else ""
    print(
        _(
            "Imported as #{id} ({kind}{version}): {units} units, {objects} files ({bytes}),"
            " {physical} physical objects."
        ).format(
            id=package_id,
            kind=kind,
            version=version,
            units=format_count(summary.units),
            objects=format_count(summary.objects),
            bytes=format_bytes(summary.bytes),
            physical=format_count(summary.physical_objects),
        )
    )
    if summary.files_dir is not None:
        print(_("Files extracted to {path}").format(path=summary.files_dir))
    _print_warnings(tree.warnings)


def _print_warnings(warnings: list[str]) -> None:
    if not warnings:
        return
    print(_("Warnings ({n}):").format(n=len(warnings)))
    for warning in warnings[:MAX_WARNINGS]:
        print(f"  {warning}")
    if len(warnings) > MAX_WARNINGS:
        print("  " + _("… and {n} more").format(n=len(warnings) - MAX_WARNINGS))


def cmd_resip_import(args: argparse.Namespace) -> int:
    from app.seda.imported import package_summary
    from app.seda.resip_csv import import_resip_csv

    line = ProgressLine(sys.stderr)
    try:
        with _open_project(Path(args.project)) as project:
            package_id, tree = import_resip_csv(
                project,
                Path(args.file),
                label=args.label or "",
                separator=args.separator,
                token=CancelToken(),
                progress=line,
            )
            summary = package_summary(project, package_id)
    finally:
        line.finish()
    _print_import(package_id, tree, summary)
    return 0


def cmd_resip_export(args: argparse.Namespace) -> int:
    from app.seda.resip_csv import export_folder, export_imported

    dest = Path(args.out)
    with _open_project(Path(args.project)) as project:
        if args.imported is not None:
            written = export_imported(project, args.imported, dest, encoding=args.encoding)
        else:
            written = export_folder(
                project, args.folder, dest, source=args.source, encoding=args.encoding
            )
    print(
        _("{path}: {rows} units, {objects} files, {columns} columns ({encoding}).").format(
            path=written.path,
            rows=format_count(written.rows),
            objects=format_count(written.objects),
            columns=written.columns,
            encoding=written.encoding,
        )
    )
    _print_warnings(written.warnings)
    return 0


def cmd_sip_import(args: argparse.Namespace) -> int:
    from app.seda.imported import package_summary
    from app.seda.sip_import import import_sip

    line = ProgressLine(sys.stderr)
    try:
        with _open_project(Path(args.project)) as project:
            package_id, tree = import_sip(
                project,
                Path(args.sip),
                label=args.label or "",
                token=CancelToken(),
                progress=line,
            )
            summary = package_summary(project, package_id)
    finally:
        line.finish()
    _print_import(package_id, tree, summary)
    return 0


def cmd_sip_export(args: argparse.Namespace) -> int:
    from app.seda.from_project import HeaderOptions
    from app.seda.imported import imported_transfer, package_summary
    from app.seda.package import PackOptions, check_sources, remove_stale_partials, write_package

    options = HeaderOptions(
        archival_agency=args.archival_agency or "",
        transferring_agency=args.transferring_agency or "",
        originating_agency=args.originating_agency or "",
        submission_agency=args.submission_agency or "",
        archival_agreement=args.agreement or "",
        comment=args.comment or "",
        message_identifier=args.message_id or "",
    )
    with _open_project(Path(args.project)) as project:
        summary = package_summary(project, args.id)
        version = args.seda or summary.seda_version or "2.2"
        transfer = imported_transfer(project, args.id, options)
        problems = _referential_problems(project, transfer, args.profile)
    if args.profile in ("vitam", "asalae") and not transfer.header.archival_agreement:
        raise AppError(
            _("The {profile} profile needs the archival agreement (--agreement).").format(
                profile=args.profile
            )
        )
    if problems:
        raise AppError(
            _("The transfer does not match the project's referentials."),
            details="\n".join(problems),
        )
    check_sources(transfer.objects(), {})
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_partials(out)
    line = ProgressLine(sys.stderr)
    try:
        package = write_package(
            transfer,
            out / f"{transfer.header.message_identifier}.zip",
            options=PackOptions(version=version, profile=args.profile),
            token=CancelToken(),
            progress=line,
        )
    finally:
        line.finish()
    print_package(package)
    if args.no_validate:
        return 0
    return _print_validation(package.path, args.schemas, args.profile)


def cmd_imported(args: argparse.Namespace) -> int:
    from app.seda.imported import list_packages, load_tree, package_summary, remove_package

    with _open_project(Path(args.project)) as project:
        if args.action == "list":
            packages = list_packages(project)
            if not packages:
                print(_("Nothing imported yet."))
            for item in packages:
                print(_summary_line(item))
            return 0
        if args.id is None:
            raise AppError(
                _("Name the imported package: besace imported {action} PROJECT ID.").format(
                    action=args.action
                )
            )
        if args.action == "remove":
            removed = remove_package(project, args.id)
            print(_("Imported package #{id} removed.").format(id=removed.id))
            return 0
        summary = package_summary(project, args.id)
        tree = load_tree(project, args.id)
    print(_summary_line(summary))
    print("  " + _("from {origin}").format(origin=summary.origin))
    if summary.files_dir is not None:
        print("  " + _("files in {path}").format(path=summary.files_dir))
    for key, label in (
        ("message_identifier", _("Message identifier")),
        ("date", _("Date")),
        ("comment", _("Comment")),
        ("archival_agency", _("Archival agency")),
        ("transferring_agency", _("Transferring agency")),
        ("originating_agency", _("Originating agency")),
        ("submission_agency", _("Submission agency")),
        ("archival_agreement", _("Archival agreement")),
        ("archival_profile", _("Archival profile")),
    ):
        value = tree.header.get(key)
        if value:
            print(f"  {label}: {value}")
    _print_tree(tree.units, args.depth)
    return 0


def _summary_line(item: ImportedSummary) -> str:
    kind = _("Resip CSV") if item.kind == "resip_csv" else _("SIP")
    version = f" SEDA {item.seda_version}" if item.seda_version else ""
    return _(
        "#{id} {kind}{version} \u201c{label}\u201d, {date}: {units} units, {objects} files"
        " ({bytes}), {physical} physical"
    ).format(
        id=item.id,
        kind=kind,
        version=version,
        label=item.label,
        date=item.imported_at,
        units=format_count(item.units),
        objects=format_count(item.objects),
        bytes=format_bytes(item.bytes),
        physical=format_count(item.physical_objects),
    )


def _print_tree(roots: list[ImportedUnit], depth: int | None) -> None:
    from app.seda.imported import display_title

    pending: list[tuple[ImportedUnit, int]] = [(unit, 0) for unit in reversed(roots)]
    while pending:
        unit, level = pending.pop()
        files = sum(1 for o in unit.objects if o.kind == "binary")
        physical = len(unit.objects) - files
        extras = []
        if files:
            extras.append(_("{n} files").format(n=files))
        if physical:
            extras.append(_("{n} physical").format(n=physical))
        if unit.management is not None:
            extras.append(", ".join(sorted(unit.management.categories)) or "Management")
        suffix = f" — {'; '.join(extras)}" if extras else ""
        print(f"{'  ' * (level + 1)}[{unit.level}] {display_title(unit)} ({unit.key}){suffix}")
        if depth is None or level + 1 < depth:
            pending.extend((child, level + 1) for child in reversed(unit.children))


def register(sub: Any) -> None:
    """Add the interoperability commands to the `besace` subparsers."""
    p = sub.add_parser("resip-import", help=_("import a Resip metadata CSV (tree and files)"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("file", metavar=_("FILE.csv"))
    p.add_argument("--label", help=_("name shown in the list of imports"))
    p.add_argument("--separator", default=";", help=_("CSV separator (default: ;)"))
    p.set_defaults(func=cmd_resip_import)

    p = sub.add_parser(
        "resip-export", help=_("write a Resip metadata CSV of an import or an inventory folder")
    )
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("out", metavar=_("OUT.csv"))
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--imported", type=int, metavar="ID", help=_("an imported package"))
    what.add_argument(
        "--folder", metavar=_("PATH"), help=_("folder of the inventory, relative to its source")
    )
    p.add_argument("--source", metavar=_("SOURCE"), help=_("source folder, if several"))
    p.add_argument(
        "--encoding",
        choices=CSV_ENCODINGS,
        default="auto",
        help=_(
            "auto (default): windows-1252, what Resip reads on Windows, unless a character"
            " needs utf-8"
        ),
    )
    p.set_defaults(func=cmd_resip_export)

    p = sub.add_parser("sip-import", help=_("import an existing SEDA package (SIP zip)"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("sip", metavar="SIP.zip")
    p.add_argument("--label", help=_("name shown in the list of imports"))
    p.set_defaults(func=cmd_sip_import)

    p = sub.add_parser("imported", help=_("list, show or remove imported packages"))
    p.add_argument("action", choices=("list", "show", "remove"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("id", nargs="?", type=int, metavar="ID")
    p.add_argument("--depth", type=int, help=_("levels of the tree to show (default: all)"))
    p.set_defaults(func=cmd_imported)

    p = sub.add_parser("sip-export", help=_("build a SEDA package (SIP) from an imported package"))
    p.add_argument("project", metavar=_("PROJECT.besace"))
    p.add_argument("id", type=int, metavar="ID")
    p.add_argument("--out", required=True, metavar=_("FOLDER"), help=_("where to write the zip"))
    p.add_argument(
        "--seda",
        choices=SEDA_VERSIONS,
        help=_("SEDA version (default: the imported package's, else 2.2)"),
    )
    p.add_argument(
        "--profile",
        choices=PROFILES,
        default="generic",
        help=_("target SAE conventions (default: generic)"),
    )
    add_header_options(p, message_id_help=_("message identifier (default: the imported one)"))
    p.add_argument("--schemas", metavar=_("FOLDER"), help=_("official SEDA schemas to check with"))
    p.add_argument("--no-validate", action="store_true", help=_("do not validate after building"))
    p.set_defaults(func=cmd_sip_export)
