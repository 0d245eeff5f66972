"""Classification at scale: rules and folder assignments applied to a large inventory.

The inventory is synthesised in SQL (a scan of a million files takes minutes and is measured by
bench_scan.py): `--folders` × `--files` rows, names and extensions varied. The baseline is the
same rows read from SQLite into Python tuples, the least any recomputation must do; the ratio
says what rule matching and storing cost on top.

    python bench/bench_classify.py --folders 1000 --files 1000
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from app.audit.classify import ClassificationRule, Criteria, compute, recompute, replace_rules
from app.project import MissionIdentity, Project
from app.project.metadata import Target
from app.project.series import Series, add_series, assign, effective_retention, list_series
from app.retention.states import compute_states

EXTENSIONS = ("pdf", "odt", "docx", "xlsx", "jpg", "txt", "msg", "tmp")


def synthesise(project: Project, folders: int, files: int) -> None:
    with project.write() as db:
        db.execute("INSERT INTO scan_run (id, started_at, status) VALUES (1, '2026', 'completed')")
        db.execute(
            "INSERT INTO source (id, root, root_raw, added_at)"
            " VALUES (1, '/share', X'2f7368617265', '2026')"
        )
        db.execute(
            "INSERT INTO directory (id, source_id, parent_id, name, rel_path, depth,"
            " first_seen_run) VALUES (1, 1, NULL, X'', '', 0, 1)"
        )
        services = ("Finances", "Urbanisme", "RH", "Conseil", "Divers")
        for s, service in enumerate(services, 2):
            db.execute(
                "INSERT INTO directory (id, source_id, parent_id, name, rel_path, depth,"
                " first_seen_run) VALUES (?, 1, 1, ?, ?, 1, 1)",
                (s, service.encode(), service),
            )
        dirs = []
        for d in range(folders):
            service = services[d % len(services)]
            dirs.append(
                (100 + d, 2 + d % len(services), f"{d:05d}".encode(), f"{service}/{d:05d}", 2)
            )
        db.executemany(
            "INSERT INTO directory (id, source_id, parent_id, name, rel_path, depth,"
            " first_seen_run) VALUES (?, 1, ?, ?, ?, ?, 1)",
            dirs,
        )
        base = 1_262_304_000_000_000_000  # 2010-01-01
        year_ns = 31_557_600_000_000_000
        rows = []
        for i in range(folders * files):
            d = dirs[i // files]
            ext = EXTENSIONS[i % len(EXTENSIONS)]
            name = f"document {i}.{ext}"
            rows.append(
                (
                    d[0],
                    name.encode(),
                    f"{d[3]}/{name}",
                    ext,
                    1000 + i % 5000,
                    base + (i % 15) * year_ns,
                    4 if ext == "tmp" else 0,
                )
            )
            if len(rows) == 100_000:
                _insert(db, rows)
                rows = []
        _insert(db, rows)


def _insert(db: object, rows: list[tuple[object, ...]]) -> None:
    db.executemany(  # type: ignore[attr-defined]
        "INSERT INTO file (source_id, dir_id, name, rel_path, extension, size, mtime_ns, flags,"
        " first_seen_run, last_changed_run) VALUES (1, ?, ?, ?, ?, ?, ?, ?, 1, 1)",
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folders", type=int, default=1000)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Project.create(Path(tmp) / "bench.besace", MissionIdentity(name="bench"))
        t = time.perf_counter()
        synthesise(project, args.folders, args.files)
        made = time.perf_counter() - t
        total = args.folders * args.files

        t = time.perf_counter()
        count = sum(
            1
            for _ in project.conn.execute(
                "SELECT id, dir_id, rel_path, CAST(name AS TEXT), extension, puid, size,"
                " mtime_ns, flags FROM file WHERE state = 'present'"
            )
        )
        baseline = time.perf_counter() - t
        assert count == total

        ids = {}
        for code, title in (
            ("FIN", "Finances"),
            ("URB", "Urbanisme"),
            ("RH", "RH"),
            ("CM", "Conseil"),
            ("MAIL", "Courriels"),
            ("IMG", "Images"),
        ):
            s = add_series(
                project, Series(code=code, title=title, dua_value=10, final_action="destroy")
            )
            ids[code] = s.id
        assign(project, [Target("directory", 5, "Conseil")], series_id=ids["CM"])
        rules = [
            ClassificationRule(Criteria(flags=["temporary"]), exclusion="temporary", name="tmp"),
            ClassificationRule(Criteria(extensions=["msg"]), series_id=ids["MAIL"], name="mail"),
            ClassificationRule(
                Criteria(path="Finances/**", extensions=["pdf", "xlsx"]),
                series_id=ids["FIN"],
                name="fin",
            ),
            ClassificationRule(Criteria(path="Urbanisme/**"), series_id=ids["URB"], name="urb"),
            ClassificationRule(Criteria(path_regex=r"^RH/"), series_id=ids["RH"], name="rh"),
            ClassificationRule(
                Criteria(name="*.jpg", modified_from="2015-01-01"), series_id=ids["IMG"], name="img"
            ),
        ]
        replace_rules(project, rules)

        t = time.perf_counter()
        preview = compute(project.conn)
        t_preview = time.perf_counter() - t
        t = time.perf_counter()
        recompute(project)
        t_store = time.perf_counter() - t
        assign(project, [Target("directory", 100, "Finances/00000")], series_id=ids["RH"])
        t = time.perf_counter()
        recompute(project)
        t_edit = time.perf_counter() - t
        t = time.perf_counter()
        report = compute_states(project.conn)
        t_states = time.perf_counter() - t
        classified = sum(c.files for c in preview.by_series.values())
        for s in list_series(project.conn):
            effective_retention(project.conn, s)
        project.close()

    rows = [
        ("Inventory (synthesised in SQL)", f"{total:,} files ({made:.1f} s)"),
        ("Baseline: read the rows into Python", f"{baseline:.2f} s"),
        ("Preview (6 rules + 1 folder)", f"{t_preview:.2f} s = {t_preview / baseline:.1f} ×"),
        ("First apply, every row stored", f"{t_store:.2f} s = {t_store / baseline:.1f} ×"),
        ("Re-apply after assigning a folder", f"{t_edit:.2f} s = {t_edit / baseline:.1f} ×"),
    ]
    print("| Measure | Value |")
    print("| --- | --- |")
    for label, value in rows:
        print(f"| {label} | {value} |")
    print(f"| Retention states of every file | {t_states:.2f} s |")
    print(f"| Classified / to classify | {classified:,} / {preview.unclassified.files:,} |")
    print(f"| Series in the report | {len(report.series)} |")


if __name__ == "__main__":
    main()
