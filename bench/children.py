"""Child processes of the scan benchmark, so their time, CPU and memory can be measured alone.

    python bench/children.py scan --project P.besace --engine siegfried ROOT [ROOT ...]
    python bench/children.py identify --engine fido --list paths.lst --part 0 --parts 2

Each prints one JSON object on its last line of standard output.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

IDENTIFY_BATCH = 256
PROGRESS_EVERY = 10.0


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _kib_to_bytes(kib: int) -> int:
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    return kib if sys.platform == "darwin" else kib * 1024


def vm_hwm(pid: int | str = "self") -> int:
    """Peak resident memory of a process's current image (bytes; 0 if unknown).

    Unlike getrusage's ru_maxrss, VmHWM starts afresh at exec: ru_maxrss keeps the peak of
    the image a process was forked from (here, the benchmark's own process).
    """
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _wait_for_workers(timeout: float = 30.0) -> int:
    """Let the scan's worker processes end, so RUSAGE_CHILDREN counts them; returns those left."""
    deadline = time.monotonic() + timeout
    gc.collect()
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(multiprocessing.active_children())


def run_scan(args: argparse.Namespace) -> dict[str, Any]:
    from app.inventory.scan import ScanOptions, scan
    from app.project import MissionIdentity, Project
    from app.tasks import Progress

    path = Path(args.project)
    project = (
        Project.open(path) if path.exists() else Project.create(path, MissionIdentity("Bench"))
    )
    last = [time.monotonic()]
    rss_main: list[int] = []

    def progress(p: Progress) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            rss = vm_hwm()
            rss_main.append(rss)
            print(
                f"    … {p.done:,}/{p.total:,} files, {p.elapsed:.0f} s,"
                f" {p.files_per_second:,.0f} files/s, main peak RSS {rss / 2**20:.0f} MiB",
                file=sys.stderr,
                flush=True,
            )

    options = ScanOptions(engine=args.engine, workers=args.workers)
    cpu_self = _cpu(resource.getrusage(resource.RUSAGE_SELF))
    cpu_children = _cpu(resource.getrusage(resource.RUSAGE_CHILDREN))
    started = time.monotonic()
    summary = scan(project, [Path(r) for r in args.roots], options=options, progress=progress)
    wall = time.monotonic() - started
    result = {k: v for k, v in vars(summary).items() if k != "engine"}  # engine: not JSON
    left = _wait_for_workers()
    waited = time.monotonic() - started - wall
    peak_main = vm_hwm()
    self_usage = resource.getrusage(resource.RUSAGE_SELF)
    child_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    db = project.conn
    result.update(
        wall=wall,
        workers_exit_wait=waited,
        workers_left=left,
        cpu_main=_cpu(self_usage) - cpu_self,
        cpu_workers=_cpu(child_usage) - cpu_children,
        maxrss_main=peak_main or _kib_to_bytes(self_usage.ru_maxrss),
        maxrss_main_getrusage=_kib_to_bytes(self_usage.ru_maxrss),
        maxrss_worker=_kib_to_bytes(child_usage.ru_maxrss),
        rss_main_samples=rss_main,
        db_files=db.execute("SELECT count(*) FROM file WHERE state = 'present'").fetchone()[0],
        db_identified=db.execute(
            "SELECT count(*) FROM file WHERE state = 'present' AND puid IS NOT NULL AND puid != ''"
        ).fetchone()[0],
        db_unread=db.execute(
            "SELECT count(*) FROM file WHERE state = 'present' AND kind = 'file'"
            " AND size > 0 AND sha512 IS NULL"
        ).fetchone()[0],
        issues={
            code: count
            for code, count in db.execute(
                "SELECT code, count(*) FROM scan_issue WHERE run_id = ? GROUP BY code",
                (result["run_id"],),
            )
        },
    )
    project.close()
    result["db_bytes"] = sum(
        p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file()
    )
    return result


def run_identify(args: argparse.Namespace) -> dict[str, Any]:
    from app.inventory.identify import create_identifier

    with open(args.list, "rb") as handle:
        paths = [os.fsdecode(p) for p in handle.read().split(b"\0") if p]
    share = -(-len(paths) // args.parts)
    paths = paths[args.part * share : (args.part + 1) * share]
    identifier = create_identifier(args.engine)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    identified = 0
    for start in range(0, len(paths), IDENTIFY_BATCH):
        results = identifier.identify_many(paths[start : start + IDENTIFY_BATCH])
        identified += sum(1 for r in results if r.puid)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    identifier.close()
    return {
        "files": len(paths),
        "identified": identified,
        "wall": wall,
        "cpu": _cpu(after) - _cpu(before),
        "maxrss": vm_hwm() or _kib_to_bytes(after.ru_maxrss),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    scan_cmd = commands.add_parser("scan")
    scan_cmd.add_argument("--project", required=True)
    scan_cmd.add_argument("--engine", default="siegfried")
    scan_cmd.add_argument("--workers", type=int, default=0)
    scan_cmd.add_argument("roots", nargs="+")
    identify_cmd = commands.add_parser("identify")
    identify_cmd.add_argument("--engine", default="siegfried")
    identify_cmd.add_argument("--list", required=True, help="file of NUL-separated paths")
    identify_cmd.add_argument("--part", type=int, default=0)
    identify_cmd.add_argument("--parts", type=int, default=1)
    args = parser.parse_args(argv)
    result = run_scan(args) if args.command == "scan" else run_identify(args)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
