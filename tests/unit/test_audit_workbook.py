"""The audit workbook: every sheet checked against the project's own SQL figures."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from reports_mission import AS_OF, build_mission, copy_mission

from app.i18n import set_language
from app.inventory.formats import RiskLevel, risk_of
from app.project import Project
from app.project.flags import EntryFlag
from app.reports.audit_workbook import write_audit_workbook
from app.retention.elimination import propose_elimination
from app.seda.from_project import HeaderOptions, SubtreeSelection, plan_transfer
from app.seda.model import Management, RuleCategory, RuleRef
from app.seda.package import PackOptions, write_package
from app.tasks import Cancelled, CancelToken, Progress
from app.transfer.outbox import enqueue

SHEETS = [
    "Summary",
    "Audit grid",
    "Volumes",
    "Formats",
    "Duplicates",
    "Anomalies",
    "Inventory",
    "Proposed eliminations",
    "Transfers",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_mission(tmp_path_factory.mktemp("mission"))


@pytest.fixture
def mission(template: Path, tmp_path: Path) -> Iterator[Project]:
    set_language("en")
    project = copy_mission(template, tmp_path)
    yield project
    project.close()


def export(project: Project, path: Path, **options: Any) -> Any:
    return write_audit_workbook(
        project, path, token=CancelToken(), progress=lambda _p: None, as_of=AS_OF, **options
    )


def table(book: Any, title: str) -> list[dict[str, Any]]:
    """A table sheet as dictionaries keyed by its header."""
    rows = list(book[title].iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def summary(book: Any) -> dict[str, Any]:
    return {
        row[0]: row[1]
        for row in book["Summary"].iter_rows(values_only=True)
        if row[0] is not None and len(row) > 1 and row[1] is not None
    }


def one(conn: sqlite3.Connection, sql: str, *params: object) -> Any:
    return conn.execute(sql, params).fetchone()[0]


def test_sheets_in_order_with_frozen_headers_and_filters(mission: Project, tmp_path: Path) -> None:
    result = export(mission, tmp_path / "audit.xlsx")
    book = openpyxl.load_workbook(tmp_path / "audit.xlsx")
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    assert visible == SHEETS
    assert book["besace"].sheet_state == "hidden"
    for title in SHEETS[1:]:
        ws = book[title]
        assert ws.freeze_panes == "A2", title
        assert str(ws.auto_filter.ref).startswith("A1:"), title
    assert len(book["Volumes"]._charts) == 1
    assert len(book["Summary"]._charts) == 1
    assert result.series == 4
    assert result.inventory_sheets == ("Inventory",)


def test_summary_figures_are_the_projects(mission: Project, tmp_path: Path) -> None:
    conn = mission.conn
    export(mission, tmp_path / "audit.xlsx")
    found = summary(openpyxl.load_workbook(tmp_path / "audit.xlsx"))
    assert found["Local authority"] == "Saint-Exemple-sur-Loire"
    assert found["Archivist"] == "Camille Martin"
    assert found["Files"] == one(conn, "SELECT count(*) FROM file WHERE state = 'present'")
    assert found["Volume (bytes)"] == one(
        conn, "SELECT sum(size) FROM file WHERE state = 'present'"
    )
    unclassified = one(
        conn,
        "SELECT count(*) FROM file f LEFT JOIN file_class fc ON fc.file_id = f.id"
        " WHERE f.state = 'present' AND fc.file_id IS NULL",
    )
    assert found["Files to classify"] == unclassified
    assert found["Share of files to classify"] == pytest.approx(unclassified / found["Files"])
    assert found["Files excluded"] == one(
        conn, "SELECT count(*) FROM file_class WHERE exclusion IS NOT NULL"
    )
    wasted = one(
        conn,
        "SELECT sum(size * (n - 1)) FROM (SELECT count(*) AS n, max(size) AS size FROM file"
        " WHERE state = 'present' AND kind = 'file' AND size > 0 AND sha512 IS NOT NULL"
        " GROUP BY sha512 HAVING count(*) > 1)",
    )
    assert wasted > 0
    assert found["Volume wasted by copies (bytes)"] == wasted
    long_paths = one(
        conn,
        "SELECT (SELECT count(*) FROM file WHERE state = 'present' AND flags & ?)"
        " + (SELECT count(*) FROM directory WHERE state = 'present' AND flags & ?)",
        int(EntryFlag.LONG_PATH),
        int(EntryFlag.LONG_PATH),
    )
    assert long_paths > 0
    assert found["Paths over 260 characters"] == long_paths
    assert found["Empty files"] == one(
        conn, "SELECT count(*) FROM file WHERE state = 'present' AND kind = 'file' AND size = 0"
    )
    # Every DUA of the plan is over on AS_OF: PAIE is to eliminate, CM and AR to transfer.
    paie = conn.execute(
        "SELECT count(*), sum(f.size) FROM file f JOIN file_class fc ON fc.file_id = f.id"
        " JOIN series s ON s.id = fc.series_id WHERE s.code = 'PAIE'"
    ).fetchone()
    assert found["To eliminate"] == f"{paie[0]} files, " + _bytes_text(paie[1])
    assert found["Series with files to transfer"] == 2


def _bytes_text(size: int) -> str:
    from app.i18n import format_bytes

    return format_bytes(size)


def test_volumes_per_year_and_series_are_the_sql_ones(mission: Project, tmp_path: Path) -> None:
    export(mission, tmp_path / "audit.xlsx")
    rows = {r["Year"]: r for r in table(openpyxl.load_workbook(tmp_path / "audit.xlsx"), "Volumes")}
    expected = mission.conn.execute(
        "SELECT coalesce(s.code, 'to classify'),"
        " strftime('%Y', f.mtime_ns / 1000000000, 'unixepoch', 'localtime'),"
        " count(*), sum(f.size) FROM file f LEFT JOIN file_class fc ON fc.file_id = f.id"
        " LEFT JOIN series s ON s.id = fc.series_id"
        " WHERE f.state = 'present' AND fc.exclusion IS NULL GROUP BY 1, 2"
    ).fetchall()
    assert expected
    for code, year, files, size in expected:
        assert rows[year][f"{code} (files)"] == files, (code, year)
        assert rows[year][f"{code} (bytes)"] == size, (code, year)
    for row in rows.values():
        series_files = [v for k, v in row.items() if k.endswith("(files)") and k != "Total (files)"]
        assert row["Total (files)"] == sum(series_files)
    assert sum(r["Total (files)"] for r in rows.values()) == one(
        mission.conn,
        "SELECT count(*) FROM file f LEFT JOIN file_class fc ON fc.file_id = f.id"
        " WHERE f.state = 'present' AND fc.exclusion IS NULL",
    )


def test_duplicates_anomalies_and_formats(mission: Project, tmp_path: Path) -> None:
    conn = mission.conn
    export(mission, tmp_path / "audit.xlsx")
    book = openpyxl.load_workbook(tmp_path / "audit.xlsx")

    duplicates = table(book, "Duplicates")
    expected_paths = {
        f"{root}/{rel}"
        for root, rel in conn.execute(
            "SELECT s.root, f.rel_path FROM file f JOIN source s ON s.id = f.source_id"
            " WHERE f.state = 'present' AND f.size > 0 AND f.sha512 IN (SELECT sha512 FROM file"
            " WHERE state = 'present' AND size > 0 GROUP BY sha512 HAVING count(*) > 1)"
        )
    }
    assert {r["Path"] for r in duplicates} == expected_paths
    groups: dict[int, list[dict[str, Any]]] = {}
    for r in duplicates:
        groups.setdefault(r["Group"], []).append(r)
    for members in groups.values():
        assert len({m["SHA-512"] for m in members}) == 1
        assert members[0]["Copies"] == len(members)
        assert members[0]["Wasted (bytes)"] == members[0]["Size (bytes)"] * (len(members) - 1)

    anomalies = table(book, "Anomalies")
    kinds: dict[str, int] = {}
    for r in anomalies:
        kinds[r["Anomaly"]] = kinds.get(r["Anomaly"], 0) + 1
        assert r["Path length"] == len(r["Path"])
    assert kinds["empty folder"] == one(
        conn,
        "SELECT count(*) FROM directory WHERE state = 'present' AND parent_id IS NOT NULL"
        " AND flags & ?",
        int(EntryFlag.EMPTY),
    )
    assert kinds["temporary file"] == one(
        conn,
        "SELECT (SELECT count(*) FROM file WHERE state = 'present' AND flags & ?)"
        " + (SELECT count(*) FROM directory WHERE state = 'present' AND parent_id IS NOT NULL"
        " AND flags & ?)",
        int(EntryFlag.TEMPORARY),
        int(EntryFlag.TEMPORARY),
    )
    assert all(
        len(r["Path"]) > 260 for r in anomalies if r["Anomaly"] == "path over 260 characters"
    )

    formats = table(book, "Formats")
    assert sum(r["Files"] for r in formats) == one(
        conn, "SELECT count(*) FROM file WHERE state = 'present' AND kind = 'file' AND size > 0"
    )
    assert sum(r["Share of files"] for r in formats) == pytest.approx(1.0)
    for r in formats:
        if r["PUID"]:
            assert r["Risk"] == risk_of(r["PUID"], None).level.label
    at_risk = sum(
        r["Files"]
        for r in formats
        if r["Risk"] in (RiskLevel.RISKY.label, RiskLevel.OBSOLETE.label)
    )
    assert summary(book)["Files in formats at risk or obsolete"] == at_risk


def test_inventory_lists_every_file_with_series_and_state(mission: Project, tmp_path: Path) -> None:
    conn = mission.conn
    export(mission, tmp_path / "audit.xlsx")
    rows = table(openpyxl.load_workbook(tmp_path / "audit.xlsx"), "Inventory")
    present = conn.execute(
        "SELECT s.root || '/' || f.rel_path, f.size, f.sha512, coalesce(se.code, ''),"
        " fc.exclusion FROM file f JOIN source s ON s.id = f.source_id"
        " LEFT JOIN file_class fc ON fc.file_id = f.id LEFT JOIN series se ON se.id = fc.series_id"
        " WHERE f.state = 'present'"
    ).fetchall()
    assert len(rows) == len(present)
    by_path = {r["Path"]: r for r in rows}
    states = {"CM": "to transfer", "AR": "to transfer", "PAIE": "to eliminate", "MP": "to sort"}
    for path, size, sha, code, exclusion in present:
        row = by_path[path]
        assert row["Size (bytes)"] == size
        assert row["SHA-512"] == (sha.hex() if sha else None)
        assert (row["Series"] or "") == code
        expected = states.get(code) or ("excluded" if exclusion else "to classify")
        assert row["State"] == expected, path


def test_inventory_continues_on_new_sheets(mission: Project, tmp_path: Path) -> None:
    files = one(mission.conn, "SELECT count(*) FROM file WHERE state = 'present'")
    result = export(mission, tmp_path / "audit.xlsx", max_rows=120)
    book = openpyxl.load_workbook(tmp_path / "audit.xlsx")
    parts = [t for t in book.sheetnames if t == "Inventory" or t.startswith("Inventory (")]
    assert len(parts) == -(-files // 119) > 1
    assert tuple(parts) == result.inventory_sheets
    total = 0
    for title in parts:
        rows = list(book[title].iter_rows(values_only=True))
        assert rows[0][0] == "Path"
        assert len(rows) <= 120
        total += len(rows) - 1
    assert total == files == result.inventory_rows


def make_sip(project: Project, dest: Path) -> Path:
    header = HeaderOptions(
        archival_agency="FRAD044",
        transferring_agency="FRAD044_MAIRIE",
        originating_agency="FRAD044_MAIRIE",
        message_identifier="SIP-CM-001",
    )
    rules = Management({"AppraisalRule": RuleCategory([RuleRef("APP-00001")], final_action="Keep")})
    planned = plan_transfer(
        project,
        SubtreeSelection(folder="Direction générale/Conseil municipal", management=rules),
        header,
        version="2.2",
    )
    dest.parent.mkdir(parents=True, exist_ok=True)
    return write_package(planned.transfer, dest, options=PackOptions(version="2.2")).path


def test_eliminations_and_transfers(mission: Project, tmp_path: Path) -> None:
    proposal = propose_elimination(mission, AS_OF)
    sip = make_sip(mission, tmp_path / "sips" / "SIP-CM-001.zip")
    enqueue(mission, sip, "sae-test")
    export(mission, tmp_path / "audit.xlsx")
    book = openpyxl.load_workbook(tmp_path / "audit.xlsx")

    eliminations = table(book, "Proposed eliminations")
    assert [
        (r["Reference"], r["Series"], r["Files"], r["Volume (bytes)"]) for r in eliminations
    ] == [(proposal.reference, i.series_code, i.files, i.bytes) for i in proposal.items]
    assert eliminations[0]["Status"] == "draft"
    assert summary(book)["Elimination proposals awaiting a visa"] == 1

    transfers = table(book, "Transfers")
    due = [r for r in transfers if r["Kind"] == "series to transfer"]
    assert sorted(r["Series or package"] for r in due) == ["AR", "CM"]
    cm_files = one(
        mission.conn,
        "SELECT count(*) FROM file_class fc JOIN series s ON s.id = fc.series_id"
        " WHERE s.code = 'CM'",
    )
    assert next(r for r in due if r["Series or package"] == "CM")["Files"] == cm_files
    queued = [r for r in transfers if r["Kind"] == "transfer in the outbox"]
    assert [(r["Series or package"], r["Title or server"], r["State"]) for r in queued] == [
        ("SIP-CM-001", "sae-test", "prepared")
    ]
    assert queued[0]["Volume (bytes)"] == sip.stat().st_size
    assert summary(book)["Transfers in the outbox"] == 1


def test_cancel_writes_nothing_and_progress_reaches_the_end(
    mission: Project, tmp_path: Path
) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        write_audit_workbook(mission, tmp_path / "a.xlsx", token=token, progress=lambda _p: None)
    assert list(tmp_path.glob("*.xlsx")) == []
    seen: list[Progress] = []
    write_audit_workbook(mission, tmp_path / "b.xlsx", token=CancelToken(), progress=seen.append)
    assert seen[-1].done == seen[-1].total
    assert all(p.done <= p.total for p in seen)


def test_headers_follow_the_language(mission: Project, tmp_path: Path) -> None:
    set_language("fr")
    export(mission, tmp_path / "audit.xlsx")
    header = next(openpyxl.load_workbook(tmp_path / "audit.xlsx").worksheets[7].iter_rows())
    assert header[0].value == "Chemin"  # "Path", translated in the French catalog
