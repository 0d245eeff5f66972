"""Streamed xlsx writing at scale: the report writer against a zipped CSV of the same rows.

    python bench/bench_workbook.py                    # 1,000,000 rows, then `besace audit`
    python bench/bench_workbook.py --rows 200000 --audit-files 0

Each measurement runs in a child process (this script with `--child`), so its time and peak
memory (VmHWM) are its own:

- **writer**: an inventory-like table of N rows and 12 columns (path, name, extension, size,
  modified, created, day, SHA-512 in hex, PUID, format, series, state) through
  `app.workbook.writer.Workbook`, saved as an xlsx.
- **baseline**: the same rows written with Python's `csv` module to a file, then put in a zip
  with `zipfile` (deflate, the default level): the least a compressed table file costs.
- **audit** (unless `--audit-files 0`): a project of that many files synthesised in SQL (paths
  in folders of 1,000, sizes, dates, digests with some duplicates, PUIDs, a few anomalies,
  six series classified by folder), then `besace audit PROJECT --xlsx F` as a user runs it.

Targets: writer ≤ 3 × baseline, and the writer's peak RSS ≤ 300 MB. Prints a Markdown table;
never asserts, always exits 0.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SERVICES = ("Finances", "Urbanisme", "RH", "Conseil", "Etat civil", "Divers")
FORMATS = (
    ("pdf", "fmt/276", "Acrobat PDF 1.7 - Portable Document Format"),
    ("odt", "fmt/291", "OpenDocument Text"),
    ("docx", "fmt/412", "Microsoft Word for Windows"),
    ("xlsx", "fmt/214", "Microsoft Excel 2007 onwards"),
    ("jpg", "fmt/43", "JPEG File Interchange Format"),
    ("txt", "x-fmt/111", "Plain Text File"),
    ("msg", "x-fmt/430", "Microsoft Outlook Email Message"),
    ("tmp", "", ""),
)
STATES = ("Actif", "À verser", "À éliminer", "À trier", "À classer", "Exclu")
SERIES = ("FIN", "URB", "RH", "CM", "EC", "")
BASE_TIME = datetime(2010, 1, 4, 9, 15, 27, 123456)
PER_FOLDER = 1000
TARGET_RATIO = 3.0
TARGET_RSS = 300 * 1024 * 1024


def vm_hwm() -> int:
    """Peak resident memory of this process (bytes; 0 if unknown)."""
    try:
        with open("/proc/self/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


# -- the table ---------------------------------------------------------------------------------
def inventory_rows(count: int) -> Iterator[tuple[object, ...]]:
    """Deterministic inventory-like rows: 12 values, realistic lengths, varied enough."""
    digest = bytes(range(64)).hex()
    for i in range(count):
        service = SERVICES[i % len(SERVICES)]
        ext, puid, name = FORMATS[i % len(FORMATS)]
        folder = i // PER_FOLDER
        file_name = f"document de travail n° {i} v{i % 7}.{ext}"
        modified = BASE_TIME + timedelta(seconds=i * 397)
        yield (
            f"/srv/partage/{service}/{2010 + folder % 15}/dossier {folder:05d}/{file_name}",
            file_name,
            ext,
            1000 + (i * 7919) % 5_000_000,
            modified,
            modified - timedelta(days=3, seconds=i % 86_400),
            modified.date(),
            f"{i:016x}{digest[16:]}",
            puid,
            name,
            SERIES[i % len(SERIES)],
            STATES[i % len(STATES)],
        )


def write_with_writer(rows: int, out: Path) -> None:
    from app.workbook.writer import Column, ColumnKind, Workbook

    k = ColumnKind
    book = Workbook()
    table = book.add_sheet(
        "Inventaire",
        [
            Column("Chemin", k.TEXT, 80),
            Column("Nom", k.TEXT, 40),
            Column("Extension", k.TEXT, 10),
            Column("Taille (octets)", k.BYTES),
            Column("Modifié", k.DATETIME),
            Column("Créé", k.DATETIME),
            Column("Jour", k.DATE),
            Column("SHA-512", k.TEXT, 30),
            Column("PUID", k.TEXT, 12),
            Column("Format", k.TEXT, 30),
            Column("Série", k.TEXT, 12),
            Column("État", k.TEXT, 18),
        ],
    )
    for values in inventory_rows(rows):
        table.append(values)  # type: ignore[arg-type]
    book.save(out)


def write_with_csv(rows: int, out: Path) -> None:
    plain = out.with_suffix(".csv")
    with plain.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Chemin",
                "Nom",
                "Extension",
                "Taille (octets)",
                "Modifié",
                "Créé",
                "Jour",
                "SHA-512",
                "PUID",
                "Format",
                "Série",
                "État",
            ]
        )
        writer.writerows(inventory_rows(rows))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, plain.name)
    plain.unlink()


# -- a synthesised project ---------------------------------------------------------------------
def synthesise_project(path: Path, files: int) -> None:
    """A project of `files` files in folders of 1,000, built in SQL, classified by folder."""
    from app.audit.classify import recompute
    from app.project import MissionIdentity, Project
    from app.project.metadata import Target
    from app.project.series import Series, add_series, assign

    project = Project.create(path, MissionIdentity(name="Banc d'essai", commune="Exempleville"))
    _sha512_function(project.conn)
    folders = max(1, -(-files // PER_FOLDER))
    with project.write() as db:
        db.execute(
            "INSERT INTO scan_run (id, started_at, status) VALUES (1, ?, 'completed')",
            (datetime.now().astimezone().isoformat(),),
        )
        db.execute(
            "INSERT INTO source (id, root, root_raw, added_at)"
            " VALUES (1, '/srv/partage', CAST('/srv/partage' AS BLOB), '2026-01-01')"
        )
        db.execute(
            "INSERT INTO directory (id, source_id, parent_id, name, rel_path, depth,"
            " first_seen_run) VALUES (1, 1, NULL, X'', '', 0, 1)"
        )
        db.executemany(
            "INSERT INTO directory (id, source_id, parent_id, name, rel_path, depth,"
            " first_seen_run) VALUES (?, 1, 1, CAST(? AS BLOB), ?, 1, 1)",
            [(2 + s, name, name) for s, name in enumerate(SERVICES)],
        )
        db.execute(
            "WITH RECURSIVE n(d) AS (SELECT 0 UNION ALL SELECT d + 1 FROM n WHERE d + 1 < ?)"
            " INSERT INTO directory (id, source_id, parent_id, name, rel_path, depth,"
            " first_seen_run)"
            " SELECT 100 + d, 1, 2 + d % ?, CAST(printf('dossier %05d', d) AS BLOB),"
            " (SELECT rel_path FROM directory WHERE id = 2 + d % ?)"
            " || printf('/dossier %05d', d), 2, 1 FROM n",
            (folders, len(SERVICES), len(SERVICES)),
        )
        formats = ",".join(
            f"({n}, '{ext}', '{puid}', '{name}')" for n, (ext, puid, name) in enumerate(FORMATS)
        )
        year_ns = 31_557_600 * 10**9
        # File i is a copy of file j: itself, except one file in 50, a copy of the one before.
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?),"
            f" fmt(k, ext, puid, name) AS (VALUES {formats}),"
            " m(i, j) AS (SELECT i, i - (i % 50 = 1) FROM n)"
            " INSERT INTO file (source_id, dir_id, name, rel_path, extension, size, mtime_ns,"
            " created_ns, sha512, puid, format_name, flags, first_seen_run, last_changed_run)"
            " SELECT 1, 100 + i / ?, CAST(printf('document %d.%s', i, ext) AS BLOB),"
            " (SELECT rel_path FROM directory WHERE id = 100 + i / ?)"
            " || printf('/document %d.%s', i, ext),"
            " ext, CASE WHEN j % 997 = 0 THEN 0 ELSE 1000 + (j * 7919) % 5000000 END,"
            " 1262304000000000000 + (i % 15) * ? + i * 1000000000,"
            " 1262304000000000000 + (i % 15) * ? + i * 999000000,"
            " sha512(printf('%d', j)), nullif(puid, ''), nullif(name, ''),"
            " CASE WHEN ext = 'tmp' THEN 4 ELSE 0 END, 1, 1"
            " FROM m JOIN fmt ON fmt.k = i % ?",
            (files, PER_FOLDER, PER_FOLDER, year_ns, year_ns, len(FORMATS)),
        )
    for s, (code, service) in enumerate(zip(SERIES[:-1], SERVICES[:-1], strict=True)):
        series = add_series(
            project,
            Series(code=code, title=service, dua_value=5 + 5 * s, final_action="destroy"),
        )
        assign(project, [Target("directory", 2 + s, service)], series_id=series.id)
    recompute(project)
    project.close()


def _sha512_function(conn: object) -> None:
    import hashlib

    conn.create_function(  # type: ignore[attr-defined]
        "sha512", 1, lambda text: hashlib.sha512(text.encode()).digest(), deterministic=True
    )


# -- measuring -----------------------------------------------------------------------------------
def child(kind: str, rows: int, out: Path) -> None:
    started = time.perf_counter()
    if kind == "writer":
        write_with_writer(rows, out)
    elif kind == "baseline":
        write_with_csv(rows, out)
    elif kind == "generate":
        for _values in inventory_rows(rows):
            pass
    elif kind == "project":
        synthesise_project(out, rows)
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "rss": vm_hwm()}))


def run_child(kind: str, rows: int, out: Path) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", kind, "--rows", str(rows), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{kind} failed")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    result["bytes"] = out.stat().st_size if out.exists() else 0
    return result


def run_audit(project: Path, out: Path) -> dict[str, float]:
    """`besace audit` as a user runs it: wall time and the process's peak RSS."""
    command = [sys.executable, "-m", "app", "audit", str(project), "--xlsx", str(out)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    output = process.stdout.read() if process.stdout else ""
    if status != 0:
        raise SystemExit(f"besace audit failed: {output}")
    return {"seconds": elapsed, "rss": usage.ru_maxrss * 1024, "bytes": out.stat().st_size}


def _mb(value: float) -> str:
    return f"{value / 1024 / 1024:,.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the table")
    parser.add_argument(
        "--audit-files", type=int, default=1_000_000, help="files of the audited project (0: none)"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument("--child", choices=("writer", "baseline", "generate", "project"))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows, args.out)
        return
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="besace-bench-xlsx-") as tmp:
        work = Path(tmp)
        lines = [("Rows × columns", f"{args.rows:,} × 12")]
        print(f"generating the rows alone ({args.rows:,})…", file=sys.stderr)
        generate = run_child("generate", args.rows, work / "none")
        print("baseline (csv + zip)…", file=sys.stderr)
        baseline = run_child("baseline", args.rows, work / "baseline.zip")
        print("writer…", file=sys.stderr)
        writer = run_child("writer", args.rows, work / "writer.xlsx")
        ratio = writer["seconds"] / baseline["seconds"]
        lines += [
            ("Making the rows alone (in both)", f"{generate['seconds']:.1f} s"),
            (
                "Baseline: csv + zip (deflate)",
                f"{baseline['seconds']:.1f} s, {_mb(baseline['bytes'])}, "
                f"peak RSS {_mb(baseline['rss'])}",
            ),
            (
                "Writer: xlsx",
                f"{writer['seconds']:.1f} s, {_mb(writer['bytes'])}, peak RSS {_mb(writer['rss'])}",
            ),
            (
                f"Writer / baseline (target ≤ {TARGET_RATIO:g})",
                f"{ratio:.2f} × {'PASS' if ratio <= TARGET_RATIO else 'MISS'}",
            ),
            (
                f"Writer peak RSS (target ≤ {_mb(TARGET_RSS)})",
                f"{_mb(writer['rss'])} {'PASS' if writer['rss'] <= TARGET_RSS else 'MISS'}",
            ),
        ]
        (work / "writer.xlsx").unlink(missing_ok=True)
        if args.audit_files:
            print(f"synthesising a project of {args.audit_files:,} files…", file=sys.stderr)
            project = work / "audit.besace"
            made = run_child("project", args.audit_files, project)
            print("besace audit…", file=sys.stderr)
            audit = run_audit(project, work / "audit.xlsx")
            lines += [
                ("Project synthesised in SQL (setup)", f"{made['seconds']:.1f} s"),
                (
                    f"`besace audit` of {args.audit_files:,} files",
                    f"{audit['seconds']:.1f} s, {_mb(audit['bytes'])}, "
                    f"peak RSS {_mb(audit['rss'])}",
                ),
            ]
    print("| Measure | Value |")
    print("| --- | --- |")
    for label, value in lines:
        print(f"| {label} | {value} |")


if __name__ == "__main__":
    main()
