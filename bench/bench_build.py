"""Build benchmark: plan + write of a SIP, and its validation, against a baseline of the same run.

Corpus: a synthetic tree of many small files (`bench/make_tree.py`, by default 100,000 files
in 500 folders × 200), scanned into a new project (setup: timed, not a target). Then, each
in a child process so its time and memory are its own, with the page cache warm (the files
are read once before every measurement):

  T_baseline  a plain Python loop writing every file into a stored zip (`zipfile`,
              ZIP_STORED, `ZipFile.open(info, "w")`, 1 MiB reads) while computing its
              SHA-512, then fsync — the least work a package of these files needs;
  T_plan      `plan_transfer` of the whole source (`SubtreeSelection(folder="")`);
  T_write     `write_package` of that plan (`PackOptions(version="2.2")`: text is deflated);
  T_build     T_plan + T_write, against 1.3 × T_baseline;
  RSS         peak resident memory of the build child (plan + write) and of the validation
              child (`getrusage(RUSAGE_SELF).ru_maxrss`; /proc VmHWM alongside);
  T_validate  `validate_sip` of the package just built, with the SEDA schemas.

A second build with `PackOptions(compress=False)` is measured for reference (same storage
as the baseline), unless `--no-stored-build`.

Timings are never asserted: the report prints values, targets and PASS/MISS, and the
program exits 0 whatever they are. Linux only (find, xargs, cat, /proc).

    python bench/bench_build.py --workdir /tmp/besace-bench-build
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (ROOT, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_scan import (  # noqa: E402  (needs the path set above)
    CORES,
    LOAD_WARNING,
    LoadMeter,
    child_env,
    fmt_bytes,
    fmt_s,
    last_json,
    log,
    markdown_table,
    read_all,
    run_scan,
    verdict,
)
from children import vm_hwm  # noqa: E402

BUILD_FACTOR = 1.3  # T_build ≤ 1.3 × T_baseline
RSS_TARGET = 300e6  # bytes, build (plan + write) and validation
VALIDATE_TARGET = 10.0  # seconds
CHUNK = 1024 * 1024  # read size, as app.seda.package
PROGRESS_EVERY = 10.0  # seconds between two progress lines of a child
SEDA_VERSION = "2.2"


# -- child processes ------------------------------------------------------------------------
def _maxrss() -> int:
    """ru_maxrss of this process, in bytes (KiB on Linux, bytes on macOS)."""
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


def _vm_rss() -> int:
    """Current resident memory of this process (bytes; 0 if unknown)."""
    with (
        contextlib.suppress(OSError, ValueError, IndexError),
        open("/proc/self/status", "rb") as handle,
    ):
        for line in handle:
            if line.startswith(b"VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _sorted_files(root: Path) -> list[bytes]:
    """Every non-empty regular file below `root`, folders and names in byte order."""
    found: list[bytes] = []
    stack = [os.fsencode(root)]
    while stack:
        directory = stack.pop()
        with os.scandir(directory) as entries:
            ordered = sorted(entries, key=lambda e: e.name)
        folders = []
        for entry in ordered:
            if entry.is_dir(follow_symlinks=False):
                folders.append(entry.path)
            elif entry.is_file(follow_symlinks=False) and entry.stat().st_size > 0:
                found.append(entry.path)
        stack.extend(reversed(folders))
    return found


def child_baseline(root: Path, dest: Path) -> dict[str, Any]:
    """Stored zip + SHA-512 of every file, a plain loop; the file list is made untimed."""
    import hashlib
    import zipfile

    paths = _sorted_files(root)
    cpu = _cpu_self()
    started = time.monotonic()
    total = 0
    with open(dest, "w+b") as raw:
        with zipfile.ZipFile(raw, "w", allowZip64=True) as zf:
            for index, path in enumerate(paths):
                info = zipfile.ZipInfo(f"content/F{index}")
                info.compress_type = zipfile.ZIP_STORED
                hasher = hashlib.sha512()
                fd = os.open(path, os.O_RDONLY)
                try:
                    with zf.open(info, "w") as out:
                        while chunk := os.read(fd, CHUNK):
                            hasher.update(chunk)
                            out.write(chunk)
                            total += len(chunk)
                finally:
                    os.close(fd)
                hasher.digest()
        raw.flush()
        written = time.monotonic() - started
        os.fsync(raw.fileno())
    wall = time.monotonic() - started
    return {
        "files": len(paths),
        "bytes": total,
        "wall": wall,
        "fsync": wall - written,
        "cpu": _cpu_self() - cpu,
        "zip_bytes": dest.stat().st_size,
        "maxrss": _maxrss(),
        "vmhwm": vm_hwm(),
    }


def _progress_printer(what: str) -> Any:
    from app.tasks import Progress

    last = [time.monotonic()]

    def progress(p: Progress) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            print(
                f"    … {what}: {p.done:,}/{p.total:,}, RSS {_vm_rss() / 1e6:.0f} MB",
                file=sys.stderr,
                flush=True,
            )

    return progress


def child_build(project_path: Path, dest: Path, compress: bool) -> dict[str, Any]:
    """plan_transfer + write_package of the whole source, each timed."""
    from app.project import Project
    from app.seda.from_project import HeaderOptions, SubtreeSelection, plan_transfer
    from app.seda.package import PackOptions, write_package

    rss_start = _vm_rss()
    cpu = _cpu_self()
    started = time.monotonic()
    project = Project.open(project_path)
    opened = time.monotonic()
    plan = plan_transfer(
        project,
        SubtreeSelection(folder=""),
        HeaderOptions(archival_agency="AD", transferring_agency="M", archival_agreement="IC-1"),
        version=SEDA_VERSION,
    )
    planned = time.monotonic()
    rss_plan = _vm_rss()
    hwm_plan = vm_hwm()
    built = write_package(
        plan.transfer,
        dest,
        options=PackOptions(version=SEDA_VERSION, compress=compress),
        progress=_progress_printer("packing"),
    )
    written = time.monotonic()
    maxrss, hwm, cpu = _maxrss(), vm_hwm(), _cpu_self() - cpu
    # For the breakdown only, after the peaks are read: the manifest XML alone, not deflated.
    from app.seda.manifest import ManifestWriter

    with open(os.devnull, "wb") as sink:
        again = time.monotonic()
        ManifestWriter(SEDA_VERSION, "generic").write(plan.transfer, sink)
        t_manifest = time.monotonic() - again
    project.close()
    return {
        "t_open": opened - started,
        "t_plan": planned - opened,
        "t_write": written - planned,
        "cpu": cpu,
        "objects": built.objects,
        "units": built.units,
        "bytes": built.content_bytes,
        "left_out": len(plan.left_out),
        "zip_bytes": dest.stat().st_size,
        "rss_start": rss_start,
        "rss_plan": rss_plan,
        "vmhwm_plan": hwm_plan,
        "t_manifest": t_manifest,
        "maxrss": maxrss,
        "vmhwm": hwm,
    }


def child_validate(zip_path: Path, schemas: Path) -> dict[str, Any]:
    from app.seda.validate import validate_sip

    rss_start = _vm_rss()
    cpu = _cpu_self()
    started = time.monotonic()
    report = validate_sip(zip_path, schemas=schemas, progress=_progress_printer("validating"))
    wall = time.monotonic() - started
    return {
        "wall": wall,
        "cpu": _cpu_self() - cpu,
        "valid": report.valid,
        "xsd_checked": report.xsd_checked,
        "version": report.version,
        "units": report.units,
        "objects": report.objects,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "codes": dict(report.codes()),
        "first_problems": [
            f"{p.severity.name} {p.code} {p.where}: {p.message}" for p in report.problems[:5]
        ],
        "rss_start": rss_start,
        "maxrss": _maxrss(),
        "vmhwm": vm_hwm(),
    }


def child_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_build.py --child")
    parser.add_argument("what", choices=("baseline", "build", "validate"))
    parser.add_argument("--root", type=Path)
    parser.add_argument("--project", type=Path)
    parser.add_argument("--dest", type=Path)
    parser.add_argument("--schemas", type=Path)
    parser.add_argument("--stored", action="store_true", help="build with compress=False")
    args = parser.parse_args(argv)
    if args.what == "baseline":
        result = child_baseline(args.root, args.dest)
    elif args.what == "build":
        result = child_build(args.project, args.dest, compress=not args.stored)
    else:
        result = child_validate(args.dest, args.schemas)
    print(json.dumps(result), flush=True)
    return 0


def run_child(*args: str) -> tuple[dict[str, Any], float]:
    """This script as a child; returns its JSON result and the share of foreign CPU load."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    with LoadMeter() as meter:
        proc = subprocess.run(
            command, check=False, stdout=subprocess.PIPE, text=True, env=child_env()
        )
    if proc.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed with exit code {proc.returncode}")
    return last_json(proc.stdout), meter.share


# -- the benchmark --------------------------------------------------------------------------
@dataclass
class Runs:
    baseline: list[dict[str, Any]] = field(default_factory=list)
    build: list[dict[str, Any]] = field(default_factory=list)
    stored: list[dict[str, Any]] = field(default_factory=list)
    validate: dict[str, Any] = field(default_factory=dict)
    loads: dict[str, float] = field(default_factory=dict)  # what → share of foreign CPU
    observations: list[str] = field(default_factory=list)

    def load(self, what: str, share: float) -> None:
        self.loads[what] = max(self.loads.get(what, 0.0), share)

    def observe(self, text: str) -> None:
        log(f"observation: {text}")
        self.observations.append(text)


def build_time(run: dict[str, Any]) -> float:
    return float(run["t_plan"] + run["t_write"])


def best(runs: list[dict[str, Any]], key: Any) -> dict[str, Any]:
    return min(runs, key=key)


def rss(run: dict[str, Any]) -> str:
    return f"{fmt_bytes(run['maxrss'])} (VmHWM {fmt_bytes(run['vmhwm'])})"


def settle(root: Path) -> None:
    """Same state before each measurement: nothing left to write back, every file cached."""
    os.sync()  # else the kernel writes back the tree, the project or a zip meanwhile
    read_all(root)


def measure(args: argparse.Namespace, root: Path, project: Path, runs: Runs) -> Path:
    """Baseline and builds, alternated `--repeat` times; returns the package to validate."""
    zips: Path = args.workdir / "zips"
    zips.mkdir(parents=True, exist_ok=True)
    baseline_zip = zips / "baseline.zip"
    package = zips / "package.zip"
    stored_zip = zips / "package-stored.zip"
    for turn in range(1, args.repeat + 1):
        tag = f" ({turn}/{args.repeat})" if args.repeat > 1 else ""
        settle(root)
        log(f"baseline{tag}: stored zip + SHA-512, plain loop")
        result, share = run_child("baseline", "--root", str(root), "--dest", str(baseline_zip))
        runs.baseline.append(result)
        runs.load("baseline", share)
        log(f"baseline{tag}: {fmt_s(result['wall'])}, {result['files']:,} files")
        baseline_zip.unlink(missing_ok=True)

        settle(root)
        package.unlink(missing_ok=True)
        log(f"build{tag}: plan_transfer + write_package")
        result, share = run_child("build", "--project", str(project), "--dest", str(package))
        runs.build.append(result)
        runs.load("build", share)
        log(
            f"build{tag}: plan {fmt_s(result['t_plan'])}, write {fmt_s(result['t_write'])},"
            f" {result['objects']:,} objects, peak RSS {fmt_bytes(result['maxrss'])}"
        )

        if args.stored_build:
            settle(root)
            log(f"build{tag}, compress=False (reference)")
            result, share = run_child(
                "build", "--project", str(project), "--dest", str(stored_zip), "--stored"
            )
            runs.stored.append(result)
            runs.load("build, compress=False", share)
            log(
                f"build{tag}, compress=False: plan {fmt_s(result['t_plan'])},"
                f" write {fmt_s(result['t_write'])}"
            )
            stored_zip.unlink(missing_ok=True)
    return package


def validate(args: argparse.Namespace, package: Path, runs: Runs) -> None:
    log(f"validating {package.name} ({fmt_bytes(package.stat().st_size)})")
    os.sync()
    result, share = run_child("validate", "--dest", str(package), "--schemas", str(args.schemas))
    runs.validate = result
    runs.load("validation", share)
    log(
        f"validation: {fmt_s(result['wall'])}, valid={result['valid']},"
        f" peak RSS {fmt_bytes(result['maxrss'])}"
    )


def check(corpus_files: int, corpus_bytes: int, runs: Runs) -> None:
    base = runs.baseline[-1] if runs.baseline else None
    build = runs.build[-1] if runs.build else None
    if base and (base["files"], base["bytes"]) != (corpus_files, corpus_bytes):
        runs.observe(
            f"the baseline wrote {base['files']:,} files, {base['bytes']:,} bytes;"
            f" the corpus has {corpus_files:,}, {corpus_bytes:,}"
        )
    if build:
        if (build["objects"], build["bytes"]) != (corpus_files, corpus_bytes):
            runs.observe(
                f"the package holds {build['objects']:,} objects, {build['bytes']:,} bytes;"
                f" the corpus has {corpus_files:,} files, {corpus_bytes:,} bytes"
                f" ({build['left_out']:,} left out by the plan)"
            )
        if build["maxrss"] > 1.5 * build["vmhwm"] and build["maxrss"] - build["vmhwm"] > 30e6:
            runs.observe(
                "the build child's ru_maxrss is well above its VmHWM: it inherited the peak"
                " of the benchmark process it was started from"
            )
    val = runs.validate
    if val:
        if not val["valid"]:
            runs.observe(
                f"the package is NOT valid: {val['errors']:,} errors, codes {val['codes']};"
                f" first: {' | '.join(val['first_problems'])}"
            )
        elif val["warnings"]:
            runs.observe(f"validation warnings: {val['codes']}")
        if not val["xsd_checked"]:
            runs.observe("the validator did not check the manifest against the XSD schemas")
        if build and val["objects"] != build["objects"]:
            runs.observe(
                f"the validator counted {val['objects']:,} objects, the build {build['objects']:,}"
            )
    for what, share in runs.loads.items():
        if share >= LOAD_WARNING:
            runs.observe(
                f"other processes used {share:.0%} of the CPU during {what}: those figures are"
                " disturbed, run again on a quiet machine"
            )


@dataclass
class Setup:
    files: int = 0
    bytes: int = 0
    folders: int = 0
    made_in: float = 0.0
    scan_wall: float = 0.0
    scan_files: int = 0
    scan_issues: dict[str, int] = field(default_factory=dict)


def report(args: argparse.Namespace, setup: Setup, runs: Runs) -> str:
    rows: list[list[str]] = [
        [
            "Corpus",
            f"{setup.files:,} files, {fmt_bytes(setup.bytes)} ({setup.folders:,} folders,"
            f" mean {setup.bytes / max(setup.files, 1):,.0f} B)",
            "",
            "",
        ],
        [
            "Setup (not measured): tree written / first scan",
            f"{fmt_s(setup.made_in)} / {fmt_s(setup.scan_wall)} ({setup.scan_files:,} files"
            f" seen{', issues ' + str(setup.scan_issues) if setup.scan_issues else ''})",
            "",
            "",
        ],
    ]
    targets: list[tuple[str, str, bool]] = []
    if runs.baseline and runs.build:
        base = best(runs.baseline, lambda r: r["wall"])
        build = best(runs.build, build_time)
        t_base = float(base["wall"])
        t_build = build_time(build)
        ratio = t_build / t_base if t_base > 0 else float("inf")
        peak = max(r["maxrss"] for r in runs.build)
        peak_run = max(runs.build, key=lambda r: r["maxrss"])
        rows += [
            [
                "T_baseline: stored zip + SHA-512, plain loop (incl. fsync)",
                f"{fmt_s(t_base)} ({base['files'] / t_base:,.0f} files/s; fsync"
                f" {fmt_s(base['fsync'])}; CPU {fmt_s(base['cpu'])}; peak RSS {rss(base)})",
                "",
                "",
            ],
            [
                "T_plan (plan_transfer)",
                f"{fmt_s(build['t_plan'])} (Project.open {fmt_s(build['t_open'])})",
                "",
                "",
            ],
            [
                "T_write (write_package, default options)",
                f"{fmt_s(build['t_write'])} ({build['objects'] / build['t_write']:,.0f}"
                f" objects/s; package {fmt_bytes(build['zip_bytes'])}; of which the"
                f" manifest XML ≈ {fmt_s(build['t_manifest'])}, timed again alone)",
                "",
                "",
            ],
            [
                "T_build = T_plan + T_write",
                f"{fmt_s(t_build)} = **{ratio:.2f} × T_baseline** (CPU {fmt_s(build['cpu'])})",
                f"≤ {BUILD_FACTOR} × T_baseline = {fmt_s(BUILD_FACTOR * t_base)}",
                verdict(ratio <= BUILD_FACTOR),
            ],
            [
                "Peak RSS of the build (plan + write), ru_maxrss",
                f"{rss(peak_run)}; after the plan {fmt_bytes(build['rss_plan'])},"
                f" at start {fmt_bytes(build['rss_start'])}",
                f"≤ {fmt_bytes(RSS_TARGET)}",
                verdict(peak <= RSS_TARGET),
            ],
        ]
        targets += [
            (
                f"build ≤ {BUILD_FACTOR} × baseline",
                f"{ratio:.2f} × ({fmt_s(t_build)} / {fmt_s(t_base)})",
                ratio <= BUILD_FACTOR,
            ),
            ("build peak RSS ≤ 300 MB", fmt_bytes(peak), peak <= RSS_TARGET),
        ]
        if runs.stored:
            stored = best(runs.stored, build_time)
            t_stored = build_time(stored)
            rows.append(
                [
                    "Reference: build with compress=False (plan + write)",
                    f"{fmt_s(t_stored)} = {t_stored / t_base:.2f} × T_baseline (plan"
                    f" {fmt_s(stored['t_plan'])}, write {fmt_s(stored['t_write'])};"
                    f" package {fmt_bytes(stored['zip_bytes'])}; RSS {rss(stored)})",
                    "(ref.)",
                    "—",
                ]
            )
        if args.repeat > 1:
            rows.append(
                [
                    f"All {args.repeat} runs (best is used): baseline / build",
                    ", ".join(fmt_s(r["wall"]) for r in runs.baseline)
                    + " / "
                    + ", ".join(fmt_s(build_time(r)) for r in runs.build),
                    "",
                    "",
                ]
            )
    val = runs.validate
    if val:
        ok_time = val["wall"] <= VALIDATE_TARGET
        ok_rss = val["maxrss"] <= RSS_TARGET
        status = "valid" if val["valid"] else f"**NOT valid** ({val['errors']:,} errors)"
        rows += [
            [
                "T_validate (validate_sip, XSD + content)",
                f"{fmt_s(val['wall'])}: {status}, {val['units']:,} units, {val['objects']:,}"
                f" objects, XSD checked: {val['xsd_checked']} (CPU {fmt_s(val['cpu'])})",
                f"≤ {VALIDATE_TARGET:.0f} s",
                verdict(ok_time),
            ],
            [
                "Peak RSS of the validation, ru_maxrss",
                rss(val),
                f"≤ {fmt_bytes(RSS_TARGET)}",
                verdict(ok_rss),
            ],
        ]
        targets += [
            (f"validation ≤ {VALIDATE_TARGET:.0f} s", fmt_s(val["wall"]), ok_time),
            ("validation peak RSS ≤ 300 MB", fmt_bytes(val["maxrss"]), ok_rss),
            ("package valid", status, bool(val["valid"])),
        ]
    disturbed = any(share >= LOAD_WARNING for share in runs.loads.values())
    rows.append(
        [
            "Other processes' CPU meanwhile (share of the machine)",
            ", ".join(f"{what} {share:.0%}" for what, share in runs.loads.items()) or "—",
            f"< {LOAD_WARNING:.0%}",
            "**busy**" if disturbed else "quiet",
        ]
    )
    out = [
        "## Besace build benchmark",
        "",
        f"{CORES} cores; Python {sys.version.split()[0]}; SEDA {SEDA_VERSION}; page cache warm"
        " (every file read once before each measurement); each measurement in its own child"
        " process.",
        "",
        markdown_table(
            "Targets",
            ("Target", "Measured", "Result"),
            [
                (what, measured, "ref." if ok is None else verdict(ok))
                for what, measured, ok in targets
            ],
        ),
        "",
        "### Observations",
        "",
        *([f"- {o}" for o in runs.observations] or ["- none: no errors, counts consistent."]),
        "",
        markdown_table(
            f"Details — {setup.files:,} files", ("Measure", "Value", "Target", "Result"), rows
        ),
        "",
        f"Reproduce: `python bench/bench_build.py {' '.join(sys.argv[1:])}`".rstrip(),
    ]
    return "\n".join(out) + "\n"


def count_tree(root: Path) -> tuple[int, int, int]:
    """(files, bytes, folders) below `root`."""
    files = size = folders = 0
    stack = [os.fsencode(root)]
    while stack:
        directory = stack.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    folders += 1
                elif entry.is_file(follow_symlinks=False):
                    files += 1
                    size += entry.stat(follow_symlinks=False).st_size
    return files, size, folders


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Besace build benchmark (see bench/README.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/besace-bench-build"))
    parser.add_argument("--files", type=int, default=100_000, help="files in the tree")
    parser.add_argument("--per-dir", type=int, default=200, help="files per folder")
    parser.add_argument("--seed", type=int, default=3, help="tree content seed")
    parser.add_argument("--engine", default="siegfried", help="scan engine (setup)")
    parser.add_argument("--workers", type=int, default=0, help="scan workers (0: one per core)")
    parser.add_argument("--schemas", type=Path, default=Path("/work/shared/seda"))
    parser.add_argument("--repeat", type=int, default=1, help="baseline/build pairs; best kept")
    parser.add_argument(
        "--no-stored-build",
        dest="stored_build",
        action="store_false",
        help="skip the reference build with compress=False",
    )
    parser.add_argument("--keep", action="store_true", help="keep the tree, project and zips")
    parser.add_argument("--report", type=Path, help="also write the report here (Markdown)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.files < 1 or args.per_dir < 1:
        parser.error("--repeat, --files and --per-dir must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    root = args.workdir / "tree"
    projects = args.workdir / "projects"
    project = projects / "build.besace"
    setup = Setup()
    runs = Runs()
    text = ""
    try:
        from make_tree import make_tree

        if root.exists():
            shutil.rmtree(root)
        log(f"writing the tree: {args.files:,} files, {args.per_dir} per folder → {root}")
        made = make_tree(root, files=args.files, per_dir=args.per_dir, seed=args.seed)
        setup.made_in = made.seconds
        setup.files, setup.bytes, setup.folders = count_tree(root)
        log(f"tree written in {fmt_s(made.seconds)}: {setup.files:,} files")

        projects.mkdir(parents=True, exist_ok=True)
        for old in projects.glob(project.name + "*"):
            old.unlink()
        log(f"scanning into {project} (setup, {args.engine})")
        scanned = run_scan(project, [root], args.engine, args.workers)
        setup.scan_wall = scanned.wall
        setup.scan_files = int(scanned.result["files_seen"])
        setup.scan_issues = dict(scanned.result.get("issues") or {})
        log(f"scan: {fmt_s(setup.scan_wall)}")
        if setup.scan_files != setup.files:
            runs.observe(f"the scan saw {setup.scan_files:,} files of {setup.files:,}")

        package = measure(args, root, project, runs)
        if package.exists():
            validate(args, package, runs)
    except Exception as exc:
        traceback.print_exc()
        runs.observe(f"the benchmark did not finish: {type(exc).__name__}: {exc}")
    finally:
        check(setup.files, setup.bytes, runs)
        text = report(args, setup, runs)
        print(text)
        target = args.report or args.workdir / "report.md"
        with contextlib.suppress(OSError):
            target.write_text(text)
            log(f"report written to {target}")
        if not args.keep:
            for path in (root, projects, args.workdir / "zips"):
                shutil.rmtree(path, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(main())
