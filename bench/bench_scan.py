"""Scan benchmark: first scan, rescan and memory against baselines measured in the same run.

Corpora: the demo share (`app.demo.share.generate_demo_share`), a synthetic tree of many
small files (`bench/make_tree.py`) and, for fido, a small tree of the same kind. For each
corpus and engine it measures

  T_read   wall time of reading every byte once (find | xargs -P cores cat), page cache
           dropped first when the OS lets us, warm otherwise (and then the scan is warm too);
  T_cpu    CPU seconds of sha512sum over every file plus CPU seconds of the engine alone
           (identify_many in batches of 256, in child processes);
  T_limit  max(T_read, T_cpu / cores);
  T_scan   wall time of a first scan (scan() call, in a child process, same cache state);
  rescan   files/s of a second scan of the unchanged tree;
  RSS      peak resident memory of the scanning process and of its workers.

Timings are never asserted: the report prints values, targets and PASS/MISS, and the
program exits 0 whatever they are. Linux only (sha512sum, xargs, /proc).

    python bench/bench_scan.py --workdir /tmp/besace-bench
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

CORES = os.cpu_count() or 1
FIRST_SCAN_FACTOR = 1.25
RESCAN_TARGET = 50_000.0  # files/s
RSS_TARGET = 300e6  # bytes
XARGS_BATCH = 256
SAMPLE_EVERY = 0.5  # seconds between two memory samples of a running scan
LOAD_WARNING = 0.10  # other processes' share of the CPU above which timings are disturbed


# -- small helpers ------------------------------------------------------------------------------
def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_size(text: str) -> int:
    """'2G' → 2·10⁹, '200M', '1.5GiB', '123' (bytes)."""
    match = re.fullmatch(r"\s*([\d.]+)\s*([kmgt]?)(i?)b?\s*", text, re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    number, unit, binary = match.groups()
    base = 1024 if binary else 1000
    return int(float(number) * base ** " kmgt".index(unit.lower() or " "))


def fmt_bytes(n: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n:.0f} B"


def fmt_s(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds:.0f} s ({seconds / 60:.1f} min)"
    return f"{seconds:.1f} s" if seconds >= 10 else f"{seconds:.2f} s"


def fmt_rate(files: float, seconds: float) -> str:
    return f"{files / seconds:,.0f} files/s" if seconds > 0 else "—"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "**MISS**"


def run_shell(command: str) -> tuple[float, float]:
    """Run a shell pipeline; returns (wall seconds, CPU seconds of it and its descendants)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(["/bin/sh", "-c", command], check=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


class LoadMeter:
    """CPU time other processes used on the machine while a measurement ran.

    System-wide busy time (/proc/stat) minus the CPU time of this process and of its
    waited-for descendants. Other work on the same cores (a test suite, another guest's
    build) disturbs timings: this says by how much.
    """

    def __init__(self) -> None:
        self.foreign = 0.0  # CPU seconds
        self.share = 0.0  # of the machine's capacity over the measurement
        self._start = (0.0, 0.0, 0.0)

    @staticmethod
    def _busy() -> float:
        try:
            with open("/proc/stat") as handle:
                fields = [int(x) for x in handle.readline().split()[1:]]
        except (OSError, ValueError):
            return 0.0
        user, nice, system, _idle, _iowait, irq, softirq = fields[:7]
        return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        import resource

        total = 0.0
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
            usage = resource.getrusage(who)
            total += usage.ru_utime + usage.ru_stime
        return total

    def __enter__(self) -> LoadMeter:
        self._start = (time.monotonic(), self._busy(), self._own())
        return self

    def __exit__(self, *_: object) -> None:
        started, busy, own = self._start
        wall = time.monotonic() - started
        self.foreign = max(0.0, (self._busy() - busy) - (self._own() - own))
        self.share = self.foreign / (wall * CORES) if wall > 0 else 0.0


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def last_json(stdout: str) -> dict[str, Any]:
    lines = [line for line in stdout.strip().splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"child printed no result: {stdout[-2000:]!r}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# -- page cache -----------------------------------------------------------------------------
class Cache:
    """Drops the page cache before each cold measurement, if the OS lets us."""

    def __init__(self, allow_drop: bool) -> None:
        self.can_drop = allow_drop and self._drop()
        self.mode = "cold" if self.can_drop else "warm"

    @staticmethod
    def _drop() -> bool:
        try:
            os.sync()
            with open("/proc/sys/vm/drop_caches", "w") as handle:
                handle.write("3\n")
        except OSError:
            return False
        return True

    def prepare(self, root: Path) -> None:
        """Put the cache in this run's state for `root`: dropped, or filled by one read."""
        if self.can_drop:
            self._drop()
        else:
            read_all(root)

    def describe(self) -> str:
        if self.can_drop:
            return (
                "cold: page cache dropped (sync; echo 3 > /proc/sys/vm/drop_caches) before"
                " T_read, each first scan and the cold rescan"
            )
        return (
            "warm: the page cache cannot be dropped here, so T_read and the first scans are"
            " both measured with the corpus already in the cache"
        )


def read_all(root: Path) -> float:
    wall, _cpu = run_shell(
        f"find {sh(root)} -type f -print0 | xargs -0 -r -P {CORES} -n {XARGS_BATCH} cat > /dev/null"
    )
    return wall


def sh(path: Path | str) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


# -- machine --------------------------------------------------------------------------------
def _burn(mebibytes: int) -> float:
    """CPU-bound work (SHA-512 of memory); returns its wall time."""
    import hashlib

    block = bytes(range(256)) * 4096
    started = time.monotonic()
    hasher = hashlib.sha512()
    for _ in range(mebibytes):
        hasher.update(block)
    return time.monotonic() - started


def parallel_speedup(mebibytes: int = 1200) -> tuple[float, float, float]:
    """How much faster `CORES` processes do CORES units of CPU work than one process does one.

    Returns (speed-up, one-process seconds, all-process seconds). A virtual machine's vCPUs
    may share physical cores: then the speed-up is well under CORES.
    """
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(CORES) as pool:
        pool.map(_burn, [1] * CORES)  # start every process before timing
        one = pool.apply(_burn, (mebibytes,))
        started = time.monotonic()
        pool.map(_burn, [mebibytes] * CORES, chunksize=1)
        many = time.monotonic() - started
    return CORES * one / many, one, many


def machine_info(workdir: Path) -> list[tuple[str, str]]:
    from app.inventory.identify import create_identifier

    rows = [("Cores", str(CORES))]
    with contextlib.suppress(OSError, StopIteration):
        with open("/proc/cpuinfo") as handle:
            model = next(line for line in handle if line.startswith("model name"))
        rows.append(("CPU", model.split(":", 1)[1].strip()))
    with contextlib.suppress(OSError, StopIteration, ValueError):
        with open("/proc/meminfo") as handle:
            total = next(line for line in handle if line.startswith("MemTotal"))
        rows.append(("RAM", f"{int(total.split()[1]) / 2**20:.1f} GiB"))
    rows.append(("OS", platform.platform()))
    rows.append(("Python", platform.python_version()))
    with contextlib.suppress(Exception):
        found = (
            subprocess.run(["df", "-T", str(workdir)], capture_output=True, text=True, check=True)
            .stdout.splitlines()[-1]
            .split()
        )
        rows.append(("Work disk", f"{found[0]} ({found[1]}), {workdir}"))
    for engine in ("siegfried", "fido"):
        try:
            info = create_identifier(engine).info
            rows.append((f"Engine {engine}", f"{info.version} ({info.signature})"))
        except Exception as exc:
            rows.append((f"Engine {engine}", f"unavailable: {exc}"))
    return rows


# -- corpora --------------------------------------------------------------------------------
@dataclass
class Corpus:
    name: str
    root: Path
    files: int = 0
    bytes: int = 0
    empty: int = 0
    others: int = 0  # symbolic links and special files: listed by the scan, never read
    made_in: float = 0.0
    note: str = ""
    list_path: Path = field(default_factory=Path)  # every regular file
    read_list_path: Path = field(default_factory=Path)  # the non-empty ones, which scans read


def list_corpus(corpus: Corpus, lists: Path) -> None:
    """Count the files and write the regular ones' NUL-separated list (for xargs, engines)."""
    lists.mkdir(parents=True, exist_ok=True)
    corpus.list_path = lists / f"{corpus.name}.lst"
    corpus.read_list_path = lists / f"{corpus.name}.nonempty.lst"
    files = size = empty = others = 0
    with open(corpus.list_path, "wb") as out, open(corpus.read_list_path, "wb") as read_out:
        stack = [os.fsencode(corpus.root)]
        while stack:
            directory = stack.pop()
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        length = entry.stat(follow_symlinks=False).st_size
                        files += 1
                        size += length
                        empty += length == 0
                        out.write(entry.path + b"\0")
                        if length:
                            read_out.write(entry.path + b"\0")
                    else:
                        others += 1
    corpus.files, corpus.bytes, corpus.empty, corpus.others = files, size, empty, others


def marker_of(root: Path) -> Path:
    return root.parent / f".{root.name}.bench.json"


def reusable(root: Path, params: dict[str, Any], reuse: bool) -> bool:
    marker = marker_of(root)
    if reuse and root.is_dir() and marker.is_file():
        with contextlib.suppress(OSError, ValueError):
            return bool(json.loads(marker.read_text()) == params)
    return False


def prepare_root(root: Path, params: dict[str, Any]) -> None:
    remove(root)
    marker_of(root).write_text(json.dumps(params))


def remove(path: Path) -> None:
    marker = marker_of(path)
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    marker.unlink(missing_ok=True)


def make_demo(workdir: Path, files: int, total_bytes: int, seed: int, reuse: bool) -> Corpus:
    root = workdir / "demo"
    params = {"kind": "demo", "files": files, "bytes": total_bytes, "seed": seed}
    corpus = Corpus("demo", root)
    if reusable(root, params, reuse):
        corpus.note = "reused from an earlier run"
        return corpus
    from app.demo.share import generate_demo_share

    prepare_root(root, params)
    log(f"generating the demo share: {files:,} files, {fmt_bytes(total_bytes)} → {root}")
    started = time.monotonic()
    generate_demo_share(root, files=files, total_bytes=total_bytes, seed=seed)
    corpus.made_in = time.monotonic() - started
    return corpus


def make_synthetic(
    workdir: Path, name: str, files: int, per_dir: int, seed: int, reuse: bool
) -> Corpus:
    from make_tree import make_tree

    root = workdir / name
    params = {"kind": "tree", "files": files, "per_dir": per_dir, "seed": seed}
    corpus = Corpus(name, root)
    if reusable(root, params, reuse):
        corpus.note = "reused from an earlier run"
        return corpus
    prepare_root(root, params)
    log(f"writing the synthetic tree: {files:,} files → {root}")
    summary = make_tree(root, files=files, per_dir=per_dir, seed=seed)
    corpus.made_in = summary.seconds
    corpus.note = f"{summary.folders:,} folders × {per_dir:,}, {summary.duplicates:,} exact copies"
    return corpus


# -- measurements ---------------------------------------------------------------------------
@dataclass
class ScanRun:
    label: str
    engine: str
    cache: str
    result: dict[str, Any]
    peak_main: int = 0  # highest RSS sampled, bytes
    peak_worker: int = 0  # highest VmHWM read from /proc of any worker, bytes
    peak_workers_sum: int = 0  # highest sum of the workers' sampled RSS, bytes
    workers_seen: int = 0
    main_timeline: list[int] = field(default_factory=list)  # RSS samples of the main process
    worker_timeline: list[int] = field(default_factory=list)  # largest worker RSS, same times
    speedup: float = 0.0  # CPU parallel speed-up measured just before
    load: float = 0.0  # share of the machine other processes used meanwhile

    @property
    def wall(self) -> float:
        return float(self.result["wall"])

    @property
    def rate(self) -> float:
        return float(self.result["files_seen"]) / self.wall if self.wall > 0 else 0.0


def worker_peak(run: ScanRun) -> int:
    """A worker's peak: VmHWM read while it ran, else getrusage (which may over-count)."""
    return run.peak_worker or int(run.result["maxrss_worker"])


def run_scan(project: Path, roots: Sequence[Path], engine: str, workers: int) -> ScanRun:
    """A scan in a child process, its memory sampled from here while it runs."""
    from children import vm_hwm

    try:
        import psutil
    except ImportError:  # psutil is optional: getrusage figures remain
        psutil = None
    command = [
        sys.executable,
        str(BENCH / "children.py"),
        "scan",
        "--project",
        str(project),
        "--engine",
        engine,
        "--workers",
        str(workers),
        *map(str, roots),
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=child_env())
    run = ScanRun("", engine, "", {})
    timeline: list[int] = []
    workers_seen: set[int] = set()
    if psutil is not None:
        with contextlib.suppress(psutil.Error):
            main = psutil.Process(proc.pid)
            while proc.poll() is None:
                with contextlib.suppress(psutil.Error):
                    rss = main.memory_info().rss
                    if rss:
                        timeline.append(rss)
                    run.peak_main = max(run.peak_main, rss)
                    total = largest = 0
                    for child in main.children(recursive=True):
                        with contextlib.suppress(psutil.Error):
                            if "resource_tracker" in " ".join(child.cmdline()):
                                continue
                            child_rss = child.memory_info().rss
                            total += child_rss
                            largest = max(largest, child_rss)
                            workers_seen.add(child.pid)
                            run.peak_worker = max(run.peak_worker, vm_hwm(child.pid))
                    run.peak_workers_sum = max(run.peak_workers_sum, total)
                    if largest:
                        run.worker_timeline.append(largest)
                time.sleep(SAMPLE_EVERY)
    stdout, _ = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"the scan child failed with exit code {proc.returncode}")
    run.result = last_json(stdout)
    run.main_timeline = timeline
    run.workers_seen = len(workers_seen)
    return run


@dataclass
class EngineAlone:
    engine: str
    files: int
    identified: int
    cpu: float  # identify_many loops only, summed over processes
    cpu_with_startup: float  # the whole child processes, interpreter and engine loading included
    wall: float
    maxrss: int
    load: float = 0.0  # share of the machine other processes used meanwhile


def engine_alone(engine: str, list_path: Path) -> EngineAlone:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(BENCH / "children.py"),
                "identify",
                "--engine",
                engine,
                "--list",
                str(list_path),
                "--part",
                str(part),
                "--parts",
                str(CORES),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for part in range(CORES)
    ]
    results = []
    for proc in procs:
        stdout, _ = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"identify child failed with exit code {proc.returncode}")
        results.append(last_json(stdout))
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return EngineAlone(
        engine=engine,
        files=sum(r["files"] for r in results),
        identified=sum(r["identified"] for r in results),
        cpu=sum(r["cpu"] for r in results),
        cpu_with_startup=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        wall=wall,
        maxrss=max(r["maxrss"] for r in results),
    )


# -- report ---------------------------------------------------------------------------------
def markdown_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    lines = [f"### {title}", "", line(header), line(["-" * w for w in widths])]
    return "\n".join([*lines, *(line(r) for r in rows)])


@dataclass
class Target:
    number: int
    what: str
    corpus: str
    engine: str
    measured: str
    ok: bool | None  # None: reference only


class Report:
    def __init__(self) -> None:
        self.head: list[str] = []  # machine, cache, corpora
        self.parts: list[str] = []  # one table per corpus and engine
        self.footer: list[str] = []
        self.targets: list[Target] = []
        self.observations: list[str] = []

    def table(self, title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.parts.append(markdown_table(title, header, rows))
        print("\n" + self.parts[-1] + "\n", file=sys.stderr, flush=True)

    def observe(self, text: str) -> None:
        log(f"observation: {text}")
        self.observations.append(text)

    def render(self) -> str:
        out = ["## Besace scan benchmark", "", *(p + "\n" for p in self.head)]
        if self.targets:
            rows = [
                (
                    str(t.number),
                    t.what,
                    t.corpus,
                    t.engine,
                    t.measured,
                    "ref." if t.ok is None else verdict(t.ok),
                )
                for t in self.targets
            ]
            header = ("#", "Target", "Corpus", "Engine", "Measured", "Result")
            out += [markdown_table("Targets", header, rows), ""]
        out.append("### Observations")
        out.append("")
        out += [f"- {o}" for o in self.observations] or ["- none: no errors, counts consistent."]
        out += ["", "## Details", "", *(p + "\n" for p in self.parts), *self.footer]
        return "\n".join(out) + "\n"


# -- one corpus -----------------------------------------------------------------------------
@dataclass
class Baseline:
    speedup: float = 1.0
    read: float = 0.0
    sha_cpu: float = 0.0
    sha_wall: float = 0.0
    loads: dict[str, float] = field(default_factory=dict)  # what → share of other load


class Bench:
    def __init__(self, args: argparse.Namespace, report: Report, cache: Cache) -> None:
        self.args = args
        self.report = report
        self.cache = cache
        self.workdir: Path = args.workdir
        self.projects = self.workdir / "projects"
        self.lists = self.workdir / "lists"

    def project_path(self, corpus: Corpus, engine: str) -> Path:
        self.projects.mkdir(parents=True, exist_ok=True)
        return self.projects / f"{corpus.name}-{engine}.besace"

    def drop_project(self, path: Path) -> None:
        for extra in path.parent.glob(path.name + "*"):
            extra.unlink()

    def corpus_row(self, corpus: Corpus) -> list[str]:
        made = fmt_s(corpus.made_in) if corpus.made_in else "—"
        return [
            corpus.name,
            str(corpus.root),
            f"{corpus.files:,}" + (f" (+{corpus.others:,} links)" if corpus.others else ""),
            fmt_bytes(corpus.bytes),
            f"{corpus.bytes / max(corpus.files, 1):,.0f} B",
            made,
            corpus.note or "—",
        ]

    def baseline(self, corpus: Corpus) -> Baseline:
        base = Baseline()
        base.speedup, _one, _many = parallel_speedup()
        log(f"{corpus.name}: parallel speed-up on {CORES} cores = {base.speedup:.2f}")
        log(f"{corpus.name}: T_read ({self.cache.mode})")
        self.cache.prepare(corpus.root)
        with LoadMeter() as meter:
            base.read = read_all(corpus.root)
        base.loads["T_read"] = meter.share
        log(f"{corpus.name}: T_read = {base.read:.1f} s; sha512sum over all files")
        with LoadMeter() as meter:
            base.sha_wall, base.sha_cpu = run_shell(
                f"xargs -0 -r -a {sh(corpus.list_path)} -P {CORES} -n {XARGS_BATCH} sha512sum"
                " > /dev/null"
            )
        base.loads["sha512sum"] = meter.share
        log(f"{corpus.name}: T_cpu(sha512sum) = {base.sha_cpu:.1f} s CPU")
        return base

    def check(self, corpus: Corpus, run: ScanRun, first: bool) -> None:
        r = run.result
        where = f"{corpus.name}, {run.engine}, {run.label}"
        if r["status"] != "completed":
            self.report.observe(f"{where}: scan status {r['status']!r}")
        if r["files_seen"] != corpus.files + corpus.others:
            self.report.observe(
                f"{where}: files_seen {r['files_seen']:,} ≠ {corpus.files + corpus.others:,}"
                " files and links on disk"
            )
        if r["errors"]:
            self.report.observe(f"{where}: {r['errors']} errors; issues by code {r['issues']}")
        if r["db_unread"]:
            self.report.observe(f"{where}: {r['db_unread']:,} non-empty files have no digest")
        if first:
            expected = corpus.files - corpus.empty
            if r["files_read"] != expected:
                self.report.observe(
                    f"{where}: files_read {r['files_read']:,} ≠ {expected:,} non-empty files"
                )
            if r["bytes_read"] != corpus.bytes:
                self.report.observe(
                    f"{where}: bytes_read {r['bytes_read']:,} ≠ {corpus.bytes:,} on disk"
                )
        elif r["files_read"] or r["added"] or r["modified"] or r["removed"]:
            self.report.observe(
                f"{where}: an unchanged tree gave files_read={r['files_read']},"
                f" added={r['added']}, modified={r['modified']}, removed={r['removed']}"
            )
        if not first and r["unchanged"] != corpus.files + corpus.others:
            self.report.observe(
                f"{where}: unchanged {r['unchanged']:,} ≠ {corpus.files + corpus.others:,}"
                " on a rescan"
            )
        if r["workers_left"]:
            self.report.observe(
                f"{where}: {r['workers_left']} worker processes still alive 30 s after scan()"
                " returned"
            )
        if r["workers_exit_wait"] > 2:
            self.report.observe(
                f"{where}: the workers took {r['workers_exit_wait']:.1f} s to exit after scan()"
                " returned"
            )
        for who, timeline in (
            ("main process", run.main_timeline),
            ("largest worker", run.worker_timeline),
        ):
            if len(timeline) >= 8:
                quarter = len(timeline) // 4
                early = max(timeline[quarter : 2 * quarter])
                late = max(timeline[3 * quarter :])
                if late > early * 1.3 and late - early > 30e6:
                    self.report.observe(
                        f"{where}: the {who} grew from {fmt_bytes(early)} (2nd quarter of the"
                        f" scan) to {fmt_bytes(late)} (last quarter)"
                    )

    def scan(
        self, corpus: Corpus, project: Path, engine: str, label: str, cold: bool, first: bool
    ) -> ScanRun:
        if cold:
            self.cache.prepare(corpus.root)
        log(f"{corpus.name}: {label} with {engine} ({'cold' if cold else 'warm'} cache)")
        with LoadMeter() as meter:
            run = run_scan(project, [corpus.root], engine, self.args.workers)
        run.load = meter.share
        run.label = label
        run.cache = self.cache.mode if cold else "warm"
        r = run.result
        log(
            f"{corpus.name}: {label} with {engine}: {run.wall:.1f} s,"
            f" {r['files_seen']:,} files, {fmt_rate(r['files_seen'], run.wall)},"
            f" peak RSS main {fmt_bytes(r['maxrss_main'])}, worker {fmt_bytes(worker_peak(run))}"
        )
        self.check(corpus, run, first)
        return run

    def memory_rows(self, run: ScanRun, million: bool) -> list[list[str]]:
        r = run.result
        target = "≤ 300 MB" + ("" if million else " (ref.)")
        rows = [
            [
                f"Peak RSS, main process ({run.label})",
                f"{fmt_bytes(r['maxrss_main'])} (VmHWM)",
                target,
                verdict(r["maxrss_main"] <= RSS_TARGET),
            ],
            [
                f"Peak RSS, largest worker ({run.label})",
                f"{fmt_bytes(worker_peak(run))} (VmHWM; getrusage says"
                f" {fmt_bytes(r['maxrss_worker'])})",
                target,
                verdict(worker_peak(run) <= RSS_TARGET),
            ],
            [
                f"Peak RSS, all workers together ({run.label})",
                f"{fmt_bytes(run.peak_workers_sum)} ({run.workers_seen} worker processes,"
                f" sampled every {SAMPLE_EVERY} s)",
                "—",
                "—",
            ],
        ]
        for who, t in (("main", run.main_timeline), ("largest worker", run.worker_timeline)):
            if len(t) >= 4:
                points = [t[len(t) // 4], t[len(t) // 2], t[3 * len(t) // 4], t[-1]]
                rows.append(
                    [
                        f"RSS of the {who} at 25/50/75/100 % of the {run.label}",
                        " → ".join(fmt_bytes(p) for p in points),
                        "—",
                        "—",
                    ]
                )
        return rows

    def full(
        self,
        corpus: Corpus,
        engines: Sequence[str],
        million: bool = False,
        cold_rescan: bool = True,
    ) -> dict[str, Path]:
        """Baselines, first scan, rescans, for each engine. Returns the projects."""
        base = self.baseline(corpus)
        projects = {}
        for engine in engines:
            nonempty = corpus.files - corpus.empty
            log(f"{corpus.name}: {engine} alone over {nonempty:,} files ({CORES} processes)")
            with LoadMeter() as meter:
                alone = engine_alone(engine, corpus.read_list_path)
            alone.load = meter.share
            log(f"{corpus.name}: T_cpu({engine}) = {alone.cpu:.1f} s CPU, wall {alone.wall:.1f}")
            project = self.project_path(corpus, engine)
            self.drop_project(project)
            projects[engine] = project
            speedup, _one, _many = parallel_speedup()
            log(f"{corpus.name}: parallel speed-up before the first scan = {speedup:.2f}")
            first = self.scan(corpus, project, engine, "first scan", cold=True, first=True)
            first.speedup = speedup
            rescan = self.scan(corpus, project, engine, "rescan", cold=False, first=False)
            cold = None
            if cold_rescan and self.cache.can_drop:
                cold = self.scan(corpus, project, engine, "cold rescan", cold=True, first=False)
            self.full_table(corpus, engine, base, alone, first, rescan, cold, million)
        return projects

    def full_table(
        self,
        corpus: Corpus,
        engine: str,
        base: Baseline,
        alone: EngineAlone,
        first: ScanRun,
        rescan: ScanRun,
        cold: ScanRun | None,
        million: bool,
    ) -> None:
        t_cpu = base.sha_cpu + alone.cpu
        t_limit = max(base.read, t_cpu / CORES)
        bound = "I/O" if base.read >= t_cpu / CORES else "CPU"
        ratio = first.wall / t_limit if t_limit > 0 else float("inf")
        speedup = min((base.speedup + first.speedup) / 2, CORES)
        t_limit_eff = max(base.read, t_cpu / speedup)
        ratio_eff = first.wall / t_limit_eff if t_limit_eff > 0 else float("inf")
        fr = first.result
        rows = [
            ["Corpus", f"{corpus.files:,} files, {fmt_bytes(corpus.bytes)}", "", ""],
            [
                f"T_read ({self.cache.mode}, find | xargs -P{CORES} cat)",
                fmt_s(base.read) + f" ({fmt_bytes(corpus.bytes / max(base.read, 1e-9))}/s)",
                "",
                "",
            ],
            [
                "T_cpu(sha512sum), user+sys",
                f"{fmt_s(base.sha_cpu)} (wall {fmt_s(base.sha_wall)} on {CORES} cores)",
                "",
                "",
            ],
            [
                f"T_cpu({engine} alone), user+sys",
                f"{fmt_s(alone.cpu)} ({fmt_rate(alone.files, alone.cpu)} per core;"
                f" {fmt_s(alone.cpu_with_startup)} with process start-up)",
                "",
                "",
            ],
            [f"T_cpu / {CORES} cores", fmt_s(t_cpu / CORES), "", ""],
            [f"T_limit = max(T_read, T_cpu / cores) — {bound}-bound", fmt_s(t_limit), "", ""],
            [
                f"T_scan, first scan ({first.cache} cache)",
                f"{fmt_s(first.wall)} = **{ratio:.2f} × T_limit**"
                f" ({fmt_rate(fr['files_seen'], first.wall)},"
                f" {fmt_bytes(fr['bytes_read'] / max(first.wall, 1e-9))}/s)",
                f"≤ {FIRST_SCAN_FACTOR} × T_limit = {fmt_s(FIRST_SCAN_FACTOR * t_limit)}",
                verdict(ratio <= FIRST_SCAN_FACTOR),
            ],
            [
                "T_scan / T_limit at the measured CPU speed-up",
                f"{ratio_eff:.2f} × {fmt_s(t_limit_eff)} (speed-up {speedup:.2f}: mean of"
                f" {base.speedup:.2f} before T_read, {first.speedup:.2f} before the scan)",
                "(ref.)",
                "—",
            ],
            [
                "First scan CPU, main / workers",
                f"{fmt_s(fr['cpu_main'])} / {fmt_s(fr['cpu_workers'])}"
                f" (summary.elapsed {fmt_s(fr['elapsed'])})",
                "",
                "",
            ],
            [
                "Identified (PUID found), scan / engine alone",
                f"{fr['db_identified']:,} / {alone.identified:,} of {alone.files:,} non-empty"
                " files",
                "",
                "",
            ],
            [
                "Scan issues (first scan)",
                ", ".join(f"{code} {n:,}" for code, n in sorted(fr["issues"].items())) or "none",
                "",
                "",
            ],
            ["Project file after first scan", fmt_bytes(fr["db_bytes"]), "", ""],
            *self.rescan_rows(rescan, cold),
            *self.memory_rows(first, million),
            self.load_row(
                corpus,
                engine,
                {
                    **base.loads,
                    f"{engine} alone": alone.load,
                    "first scan": first.load,
                    "rescan": rescan.load,
                    **({"cold rescan": cold.load} if cold else {}),
                },
            ),
        ]
        self.report.table(
            f"{corpus.name} — {engine} — {corpus.files:,} files, {fmt_bytes(corpus.bytes)}",
            ("Measure", "Value", "Target", "Result"),
            rows,
        )
        self.report.targets.append(
            Target(
                1,
                f"first scan ≤ {FIRST_SCAN_FACTOR} × T_limit",
                corpus.name,
                engine,
                f"{ratio:.2f} × ({fmt_s(first.wall)} / {fmt_s(t_limit)})",
                ratio <= FIRST_SCAN_FACTOR if engine == "siegfried" else None,
            )
        )
        self.rescan_target(corpus, rescan, cold)
        self.memory_target(corpus, first, million)

    def load_row(self, corpus: Corpus, engine: str, loads: dict[str, float]) -> list[str]:
        disturbed = {what: share for what, share in loads.items() if share >= LOAD_WARNING}
        if disturbed:
            self.report.observe(
                f"{corpus.name}, {engine}: other processes used "
                + ", ".join(
                    f"{share:.0%} of the CPU during {what}" for what, share in disturbed.items()
                )
                + ": those figures are disturbed, run again on a quiet machine"
            )
        return [
            "Other processes' CPU meanwhile (share of the machine)",
            ", ".join(f"{what} {share:.0%}" for what, share in loads.items()),
            f"< {LOAD_WARNING:.0%}",
            "**busy**" if disturbed else "quiet",
        ]

    def rescan_rows(self, rescan: ScanRun, cold: ScanRun | None) -> list[list[str]]:
        rows = []
        for run, target in ((rescan, f"≥ {RESCAN_TARGET:,.0f} files/s"), (cold, "(ref.)")):
            if run is None:
                continue
            r = run.result
            rows.append(
                [
                    f"Rescan, unchanged ({run.cache} cache)",
                    f"{fmt_rate(r['files_seen'], run.wall)} ({fmt_s(run.wall)};"
                    f" summary.elapsed {fmt_s(r['elapsed'])})",
                    target,
                    verdict(run.rate >= RESCAN_TARGET) if run is rescan else "—",
                ]
            )
        return rows

    def rescan_target(self, corpus: Corpus, rescan: ScanRun, cold: ScanRun | None) -> None:
        self.report.targets.append(
            Target(
                2,
                f"rescan ≥ {RESCAN_TARGET:,.0f} files/s (warm)",
                corpus.name,
                rescan.engine,
                fmt_rate(rescan.result["files_seen"], rescan.wall),
                rescan.rate >= RESCAN_TARGET if rescan.engine == "siegfried" else None,
            )
        )
        if cold is not None:
            self.report.targets.append(
                Target(
                    2,
                    "rescan, cold cache (reference)",
                    corpus.name,
                    cold.engine,
                    fmt_rate(cold.result["files_seen"], cold.wall),
                    None,
                )
            )

    def memory_target(self, corpus: Corpus, run: ScanRun, million: bool) -> None:
        r = run.result
        ok = max(r["maxrss_main"], worker_peak(run)) <= RSS_TARGET
        self.report.targets.append(
            Target(
                3,
                f"peak RSS ≤ 300 MB ({run.label})",
                corpus.name,
                run.engine,
                f"main {fmt_bytes(r['maxrss_main'])}, worker {fmt_bytes(worker_peak(run))}",
                ok if million and run.engine == "siegfried" else None,
            )
        )

    def rescan_only(self, corpus: Corpus, project: Path, engine: str, note: str) -> None:
        rescan = self.scan(corpus, project, engine, "rescan", cold=False, first=False)
        rows = [
            ["Corpus", f"{corpus.files:,} files, {fmt_bytes(corpus.bytes)}", "", ""],
            ["What", note, "", ""],
            *self.rescan_rows(rescan, None),
            *self.memory_rows(rescan, million=True),
            self.load_row(corpus, engine, {"rescan": rescan.load}),
        ]
        self.report.table(
            f"{corpus.name} — {engine} — rescan only",
            ("Measure", "Value", "Target", "Result"),
            rows,
        )
        self.rescan_target(corpus, rescan, None)
        self.memory_target(corpus, rescan, million=True)


# -- main -----------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Besace scan benchmark (see bench/README.md).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/besace-bench"))
    parser.add_argument("--files", type=int, default=20_000, help="demo share: files")
    parser.add_argument("--bytes", type=parse_size, default="2G", help="demo share: total size")
    parser.add_argument("--seed", type=int, default=2026, help="demo share: seed")
    parser.add_argument("--tree-files", type=int, default=1_000_000, help="synthetic tree: files")
    parser.add_argument("--per-dir", type=int, default=1000, help="synthetic tree: files/folder")
    parser.add_argument(
        "--fido-tree-files",
        type=int,
        default=20_000,
        help="small synthetic tree for a fido first scan (0: none)",
    )
    parser.add_argument("--engines", default="siegfried,fido", help="comma-separated")
    parser.add_argument("--workers", type=int, default=0, help="scan workers (0: one per core)")
    parser.add_argument("--skip-demo", action="store_true", help="no demo-share corpus")
    parser.add_argument("--skip-million", action="store_true", help="no large synthetic tree")
    parser.add_argument("--warm", action="store_true", help="never drop the page cache")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse corpora of an earlier run made alike"
    )
    parser.add_argument("--keep", action="store_true", help="keep corpora and projects")
    parser.add_argument("--report", type=Path, help="also write the report here (Markdown)")
    args = parser.parse_args(argv)
    args.engine_list = [e.strip() for e in args.engines.split(",") if e.strip()]
    from app.inventory.identify import ENGINES

    for engine in args.engine_list:
        if engine not in ENGINES:
            parser.error(f"unknown engine {engine!r} (choose among {', '.join(ENGINES)})")
    return args


def phase(report: Report, name: str, work: Callable[[], None]) -> None:
    """Run one part of the benchmark; a failure is reported and the rest goes on."""
    try:
        work()
    except Exception as exc:
        log(f"{name} failed: {exc}")
        traceback.print_exc()
        report.observe(f"{name} did not finish: {type(exc).__name__}: {exc}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    report = Report()
    cache = Cache(allow_drop=not args.warm)
    bench = Bench(args, report, cache)
    engines = args.engine_list
    started = time.monotonic()
    corpora: list[Corpus] = []
    workers = str(args.workers or CORES) + ("" if args.workers else " (one per core)")
    speedup, one, many = parallel_speedup()
    machine = [
        *machine_info(args.workdir),
        (
            "CPU parallel speed-up",
            f"{speedup:.2f} with {CORES} processes (SHA-512 of memory: {one:.2f} s alone,"
            f" {many:.2f} s for {CORES}× the work in {CORES} processes)",
        ),
        ("Scan workers", workers),
    ]
    report.head.append(markdown_table("Machine", ("", ""), machine))
    report.head.append(f"Page cache: {cache.describe()}.")

    def demo_phase() -> None:
        corpus = make_demo(args.workdir, args.files, args.bytes, args.seed, args.reuse)
        try:
            list_corpus(corpus, bench.lists)
            corpora.append(corpus)
            if corpus.files < args.files or corpus.bytes < args.bytes:
                report.observe(
                    f"the demo share is smaller than asked: {corpus.files:,} files,"
                    f" {fmt_bytes(corpus.bytes)} (asked {args.files:,}, {fmt_bytes(args.bytes)})"
                )
            projects = bench.full(corpus, engines)
        finally:
            if not args.keep and not args.reuse:
                remove(corpus.root)
        if not args.keep:
            for project in projects.values():
                bench.drop_project(project)

    def million_phase() -> None:
        corpus = make_synthetic(args.workdir, "tree", args.tree_files, args.per_dir, 1, args.reuse)
        try:
            list_corpus(corpus, bench.lists)
            corpora.append(corpus)
            projects: dict[str, Path] = {}
            if "siegfried" in engines:
                projects = bench.full(corpus, ["siegfried"], million=True)
            if "fido" in engines:
                if "siegfried" in projects:
                    bench.rescan_only(
                        corpus,
                        projects["siegfried"],
                        "fido",
                        "fido rescan of the project first scanned with siegfried (unchanged"
                        " files are never re-identified: walk + compare, fido workers loaded)",
                    )
                else:
                    report.observe(
                        "fido on the large tree needs a siegfried first scan (a fido first"
                        " scan of it would take hours): skipped"
                    )
        finally:
            if not args.keep and not args.reuse:
                remove(corpus.root)
        if not args.keep:
            for project in projects.values():
                bench.drop_project(project)

    def fido_tree_phase() -> None:
        corpus = make_synthetic(
            args.workdir, "fido-tree", args.fido_tree_files, args.per_dir, 2, args.reuse
        )
        try:
            list_corpus(corpus, bench.lists)
            corpora.append(corpus)
            projects = bench.full(corpus, engines)
        finally:
            if not args.keep and not args.reuse:
                remove(corpus.root)
        if not args.keep:
            for project in projects.values():
                bench.drop_project(project)

    if not args.skip_demo:
        phase(report, "the demo-share benchmark", demo_phase)
    if not args.skip_million:
        phase(report, "the large-tree benchmark", million_phase)
    if "fido" in engines and args.fido_tree_files > 0:
        phase(report, "the small-tree benchmark", fido_tree_phase)

    if corpora:
        report.head.append(
            markdown_table(
                "Corpora",
                ("Corpus", "Root", "Files", "Bytes", "Mean size", "Made in", "Notes"),
                [bench.corpus_row(c) for c in corpora],
            )
        )
    report.footer.append(
        f"Total benchmark time {fmt_s(time.monotonic() - started)}."
        f" Reproduce: `python bench/bench_scan.py {' '.join(sys.argv[1:])}`".rstrip()
    )
    text = report.render()
    print(text)
    target = args.report or args.workdir / "report.md"
    with contextlib.suppress(OSError):
        target.write_text(text)
        log(f"report written to {target}")
    if not args.keep:
        shutil.rmtree(bench.lists, ignore_errors=True)
        with contextlib.suppress(OSError):
            bench.projects.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
