"""Window benchmark: the GUI thread never stalls during a scan; a huge mission opens fast.

    python bench/bench_gui.py [--workdir /tmp/besace-bench-gui] [--scan-files 200000]
                              [--open-files 1000000] [--keep]

(a) Stall during a scan: a tree of `--scan-files` small files (bench/make_tree.py) is scanned
    from the Scan page (`ScanPage.start_scan`, the same task machinery the user drives) in
    the main window; a QTimer ticking every 5 ms on the GUI thread records how late each
    tick comes. The longest lateness is the longest time the window could not repaint or
    answer a key. Target: ≤ 100 ms.
(b) Opening a mission of `--open-files` files: the main window is built, then the clock
    starts at `open_project()` and stops when the Explore page is shown with its folder
    tree's root populated (events processed, as a user would see it). Target: ≤ 3 s.
    A real scan of a million files takes many minutes, so this project is synthesised in
    SQL with the scanner's own schema: 1,000 folders of 1,000 files (like make_tree.py),
    sizes, dates, format identification and digests filled in, folder totals computed by the
    core (`refresh_directory_totals`), one completed scan run. Its file is read once before
    the measure (warm page cache, like a mission opened a second time).

Each measure runs in its own child process (this script with `--child`), with
QT_QPA_PLATFORM=offscreen unless a display is available. The report is a Markdown table on
standard output (values, targets, PASS/MISS); progress goes to standard error. It never
asserts and always exits 0; it is not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TICK_MS = 5
STALL_TARGET_MS = 100.0
OPEN_TARGET_S = 3.0
PER_DIR = 1000


def _log(message: str) -> None:
    print(f"[bench_gui] {message}", file=sys.stderr, flush=True)


def _busy_share() -> float:
    """Share of the machine used by other processes recently (from /proc/loadavg)."""
    try:
        load = float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError):
        return 0.0
    return load / (os.cpu_count() or 1)


# -- the synthetic million-file mission --------------------------------------------------------
def synthesise_project(path: Path, files: int, per_dir: int = PER_DIR) -> float:
    """A scanned-looking project of `files` files in SQL; returns the seconds it took."""
    from app.inventory.tree import refresh_directory_totals
    from app.project.store import MissionIdentity, Project, utc_now

    started = time.monotonic()
    folders = max(1, -(-files // per_dir))
    now = utc_now()
    mtime = 1_700_000_000_000_000_000
    with Project.create(path, MissionIdentity(name="Mairie de Grande-Ville")) as project:
        conn = project.conn
        with project.write() as db:
            db.execute(
                "INSERT INTO engine (id, name, version, signature)"
                " VALUES (1, 'siegfried', 'bench', 'synthetic')"
            )
            db.execute(
                "INSERT INTO scan_run (id, started_at, finished_at, status, engine_id, roots,"
                " files_seen, files_read, added) VALUES (1, ?, ?, 'completed', 1,"
                " '[\"/srv/partage\"]', ?, ?, ?)",
                (now, now, files, files, files),
            )
            db.execute(
                "INSERT INTO source (id, root, root_raw, added_at)"
                " VALUES (1, '/srv/partage', CAST('/srv/partage' AS BLOB), ?)",
                (now,),
            )
            db.execute(
                "INSERT INTO directory (id, source_id, parent_id, name, rel_path, depth,"
                " mtime_ns, first_seen_run) VALUES (1, 1, NULL, x'', '', 0, ?, 1)",
                (mtime,),
            )
            db.execute(
                "WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < ?)"
                " INSERT INTO directory (id, source_id, parent_id, name, rel_path, depth,"
                " mtime_ns, first_seen_run)"
                " SELECT x + 2, 1, 1, CAST(printf('d%04d', x) AS BLOB), printf('d%04d', x), 1,"
                " ?, 1 FROM n",
                (folders - 1, mtime),
            )
            # Format identifications in the proportions of make_tree.py's six kinds.
            db.execute(
                "WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < ?),"
                " kind(k, ext, puid, fmt, mime) AS (VALUES"
                "  (0, 'txt', 'x-fmt/111', 'Plain Text File', 'text/plain'),"
                "  (1, 'csv', 'x-fmt/18', 'Comma Separated Values', 'text/csv'),"
                "  (2, 'xml', 'fmt/101', 'Extensible Markup Language', 'text/xml'),"
                "  (3, 'json', 'fmt/817', 'JSON Data Interchange Format', 'application/json'),"
                "  (4, 'html', 'fmt/471', 'Hypertext Markup Language', 'text/html'),"
                "  (5, 'md', 'fmt/1149', 'Markdown', 'text/markdown'))"
                " INSERT INTO file (source_id, dir_id, name, rel_path, extension, kind, size,"
                " mtime_ns, sha512, puid, format_name, mime, basis, engine_id, flags, state,"
                " first_seen_run, last_changed_run)"
                " SELECT 1, (x / ?) + 2,"
                " CAST(printf('f%04d.%s', x % ?, kind.ext) AS BLOB),"
                " printf('d%04d/f%04d.%s', x / ?, x % ?, kind.ext), kind.ext, 'file',"
                " 200 + (x * 7919) % 1800, ? + x * 1000000000, randomblob(64), kind.puid,"
                " kind.fmt, kind.mime, 'signature', 1, 0, 'present', 1, 1"
                " FROM n JOIN kind ON kind.k = (x * 7 + x / ?) % 6",
                (files - 1, per_dir, per_dir, per_dir, per_dir, mtime - files * 10**9, per_dir),
            )
            refresh_directory_totals(db)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.monotonic() - started


# -- children ------------------------------------------------------------------------------------
def _settle(seconds: float) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.005)


def child_scan(project: Path, tree: Path) -> dict[str, Any]:
    """(a) in this process: scan from the Scan page while a 5 ms timer measures lateness."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    from app.ui.application import create_application, freeze_startup_objects
    from app.ui.main_window import MainWindow
    from app.ui.pages.scan import ScanPage

    app = create_application([], "fr")
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    freeze_startup_objects()  # as application.main() does
    window.open_project(project)
    window.show_page("scan")
    page = window.pages["scan"]
    assert isinstance(page, ScanPage)
    _settle(0.5)

    clock = QElapsedTimer()
    lateness: list[float] = []
    worst = [0.0, 0.0]  # lateness (ms), when (s)
    last = [0]

    def tick() -> None:
        now = clock.elapsed()
        late = float(now - last[0] - TICK_MS)
        last[0] = now
        lateness.append(late)
        if late > worst[0]:
            worst[0], worst[1] = late, now / 1000

    timer = QTimer()
    timer.setTimerType(timer.timerType().PreciseTimer)
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    loop = QEventLoop()
    started = time.monotonic()
    task = page.start_scan([tree])
    assert task is not None
    task.finished.connect(loop.quit)
    clock.start()
    timer.start()
    loop.exec()
    timer.stop()
    elapsed = time.monotonic() - started
    _settle(0.5)  # the inventory_changed listeners run here; measured below
    ordered = sorted(lateness)
    summary = page.last_summary
    result = {
        "files": summary.files_seen if summary else 0,
        "status": summary.status if summary else "failed",
        "seconds": elapsed,
        "ticks": len(lateness),
        "max_ms": ordered[-1] if ordered else 0.0,
        "p99_ms": ordered[int(len(ordered) * 0.99)] if ordered else 0.0,
        "over_50ms": sum(1 for v in lateness if v > 50),
        "worst_at_s": worst[1],
    }
    window.close()
    app.processEvents()
    return result


def child_open(project: Path) -> dict[str, Any]:
    """(b) in this process: open a big mission and wait for the Explore tree's root."""
    from PySide6.QtCore import QModelIndex

    from app.ui.application import create_application
    from app.ui.main_window import MainWindow

    t0 = time.monotonic()
    app = create_application([], "fr")
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    _settle(0.2)
    built = time.monotonic() - t0
    started = time.monotonic()
    window.open_project(project)
    page = window.pages.get("explore")
    tree_model = getattr(page, "tree_model", None)
    deadline = started + 60
    populated = False
    while time.monotonic() < deadline:
        app.processEvents()
        if (
            window.current_page_id() == "explore"
            and tree_model is not None
            and tree_model.rowCount(QModelIndex()) > 0
            and page is not None
            and page.isVisible()
        ):
            populated = True
            break
        time.sleep(0.001)
    opened = time.monotonic() - started
    # For reference: until every pane of the page (treemap, timeline, lists) has read.
    while populated and time.monotonic() < deadline and getattr(page, "busy", False):
        app.processEvents()
        time.sleep(0.001)
    settled = time.monotonic() - started
    window.tasks.cancel_all()
    window.tasks.wait()
    window.close()
    app.processEvents()
    return {
        "window_s": built,
        "open_s": opened,
        "settled_s": settled,
        "populated": populated,
        "page": window.current_page_id(),
        "has_explore": page is not None,
    }


def _platform() -> str:
    """The Qt platform the children use: offscreen unless there is a display."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return os.environ["QT_QPA_PLATFORM"]
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return "display"
    return "offscreen"


def _run_child(kind: str, *args: str) -> dict[str, Any]:
    env = dict(os.environ)
    if _platform() == "offscreen":
        env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        _log(f"child {kind} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return {"error": done.returncode}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _read_file(path: Path) -> None:
    with path.open("rb") as handle:
        while handle.read(1 << 24):
            pass


# -- report ----------------------------------------------------------------------------------
def _verdict(ok: bool) -> str:
    return "PASS" if ok else "**MISS**"


def report(scan: dict[str, Any], opened: dict[str, Any], info: dict[str, Any]) -> str:
    lines = [
        "# Window benchmark",
        "",
        f"Machine: {os.cpu_count()} cores, Qt platform {_platform()}; load before the run"
        f" {info['load']:.0%} of the machine.",
        "",
        "| Measure | Value | Target | Result |",
        "| --- | --- | --- | --- |",
    ]
    if "error" in scan:
        lines.append("| (a) longest GUI stall during a scan | child failed | ≤ 100 ms | **MISS** |")
    elif scan:
        lines.append(
            f"| (a) longest GUI stall, scan of {scan['files']:,} files"
            f" ({scan['status']}, {scan['seconds']:.1f} s) | {scan['max_ms']:.0f} ms"
            f" | ≤ {STALL_TARGET_MS:.0f} ms | {_verdict(scan['max_ms'] <= STALL_TARGET_MS)} |"
        )
        lines.append(
            f"| (a) 99th percentile lateness of a 5 ms tick ({scan['ticks']:,} ticks)"
            f" | {scan['p99_ms']:.1f} ms | — | — |"
        )
        lines.append(f"| (a) ticks late by more than 50 ms | {scan['over_50ms']} | — | — |")
    if "error" in opened:
        lines.append(
            "| (b) open a mission until the Explore tree shows | child failed | ≤ 3 s | **MISS** |"
        )
    elif opened:
        ok = opened["populated"] and opened["open_s"] <= OPEN_TARGET_S
        shown = f"{opened['open_s']:.2f} s" if opened["populated"] else "not shown in 60 s"
        lines.append(
            f"| (b) open a mission of {info['open_files']:,} files until the Explore tree's"
            f" root shows | {shown} | ≤ {OPEN_TARGET_S:.0f} s | {_verdict(ok)} |"
        )
        lines.append(
            f"| (b) same, until every pane of the Explore page has finished reading |"
            f" {opened.get('settled_s', 0.0):.2f} s | — | — |"
        )
        lines.append(
            f"| (b) start-up: window built and shown (before opening) |"
            f" {opened['window_s']:.2f} s | — | — |"
        )
    lines += ["", "Setup (not targets):", ""]
    if "tree_s" in info:
        lines.append(
            f"- tree of {info['scan_files']:,} files (make_tree.py): {info['tree_s']:.1f} s"
        )
    if "synth_s" in info:
        lines.append(
            f"- synthetic mission of {info['open_files']:,} files (SQL):"
            f" {info['synth_s']:.1f} s, {info['project_mb']:.0f} MB"
        )
    if scan and "worst_at_s" in scan:
        lines.append(f"- (a) the longest stall came {scan['worst_at_s']:.1f} s after the start")
    if opened and not opened.get("has_explore", True):
        lines.append("- the Explore page is not registered: (b) cannot be measured")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/besace-bench-gui"))
    parser.add_argument("--scan-files", type=int, default=200_000)
    parser.add_argument("--open-files", type=int, default=1_000_000)
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument("--skip-open", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the tree and the projects")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        os.environ.setdefault("BESACE_CONFIG_DIR", str(Path(args.child[1]).parent / "config"))
        kind = args.child[0]
        if kind == "scan":
            result = child_scan(Path(args.child[1]), Path(args.child[2]))
        else:
            result = child_open(Path(args.child[1]))
        print(json.dumps(result))
        return 0

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from make_tree import make_tree

    from app.project.store import MissionIdentity, Project

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    info: dict[str, Any] = {
        "load": _busy_share(),
        "scan_files": args.scan_files,
        "open_files": args.open_files,
    }
    scan_result: dict[str, Any] = {}
    open_result: dict[str, Any] = {}
    try:
        if not args.skip_scan:
            tree = work / "tree"
            shutil.rmtree(tree, ignore_errors=True)
            _log(f"writing a tree of {args.scan_files:,} files…")
            made = make_tree(tree, args.scan_files, per_dir=PER_DIR)
            info["tree_s"] = made.seconds
            scan_project = work / "scan.besace"
            for leftover in work.glob("scan.besace*"):
                leftover.unlink()
            Project.create(scan_project, MissionIdentity(name="Bench scan")).close()
            _log("scanning from the Scan page…")
            scan_result = _run_child("scan", str(scan_project), str(tree))
        if not args.skip_open:
            big = work / "million.besace"
            for leftover in work.glob("million.besace*"):
                leftover.unlink()
            _log(f"synthesising a mission of {args.open_files:,} files…")
            info["synth_s"] = synthesise_project(big, args.open_files)
            info["project_mb"] = big.stat().st_size / 1e6
            _read_file(big)
            _log("opening it in the window…")
            open_result = _run_child("open", str(big))
    finally:
        if not args.keep:
            shutil.rmtree(work / "tree", ignore_errors=True)
            for leftover in [*work.glob("scan.besace*"), *work.glob("million.besace*")]:
                leftover.unlink(missing_ok=True)
    text = report(scan_result, open_result, info)
    print(text)
    (work / "report.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
