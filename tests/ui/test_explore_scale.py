"""Explorer stays usable on a big inventory: 200,000 files synthesised directly in SQL.

The folders: 20 services of 100 folders each, one folder "Vrac" of 10,000 files, and one
folder "Dossiers" of 3,000 sub-folders (more than one batch of the tree). Every check compares
with SQL; nothing here measures time (the benchmarks do).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.qtbot import QtBot

from app.inventory.flags import EntryFlag
from app.inventory.tree import refresh_directory_totals
from app.project import MissionIdentity, Project
from app.project.store import utc_now
from app.ui.models.file_query import FileColumn
from app.ui.models.tree import BATCH, FOLDER_ID_ROLE, TreeColumn
from app.ui.pages.explore import ExplorePage
from app.ui.session import Session
from app.ui.tasks import TaskRunner

SERVICES = 20
FOLDERS_PER_SERVICE = 100
FILES_PER_FOLDER = 80
BIG_FOLDER_FILES = 10_000
MANY_FOLDERS = 3_000
FILES_PER_SMALL_FOLDER = 10
TOTAL_FILES = (
    SERVICES * FOLDERS_PER_SERVICE * FILES_PER_FOLDER
    + BIG_FOLDER_FILES
    + MANY_FOLDERS * FILES_PER_SMALL_FOLDER
)
PUIDS = (
    ("fmt/18", "pdf", "application/pdf", "Acrobat PDF 1.4 - Portable Document Format"),
    ("fmt/412", "docx", "", "Microsoft Word for Windows"),
    ("fmt/214", "xlsx", "", "Microsoft Excel for Windows"),
    ("fmt/1507", "jpg", "image/jpeg", "Exchangeable Image File Format (Compressed)"),
    ("fmt/40", "doc", "application/msword", "Microsoft Word Document"),
    ("", "bin", "", ""),
)
TEMPORARY_EVERY = 997


def _build(path: Path) -> None:
    """Write the synthetic inventory in one transaction, folders first, then files by SQL."""
    project = Project.create(path, MissionIdentity(name="Grande commune"))
    now = utc_now()
    with project.write() as db:
        db.execute(
            "INSERT INTO source (id, root, root_raw, added_at) VALUES (1, ?, ?, ?)",
            ("/srv/partage/Mairie", b"/srv/partage/Mairie", now),
        )
        db.execute(
            "INSERT INTO scan_run (id, started_at, finished_at, status) VALUES (1, ?, ?,"
            " 'completed')",
            (now, now),
        )
        folders: list[tuple[int, int | None, str, int]] = [(1, None, "", 0)]
        next_id = 2
        leaf_folders: list[tuple[int, str, int]] = []  # id, rel_path, files in it
        for service in range(SERVICES):
            service_id, service_path = next_id, f"Service {service:02d}"
            folders.append((service_id, 1, service_path, 1))
            next_id += 1
            for folder in range(FOLDERS_PER_SERVICE):
                rel = f"{service_path}/Dossier {folder:03d}"
                folders.append((next_id, service_id, rel, 2))
                leaf_folders.append((next_id, rel, FILES_PER_FOLDER))
                next_id += 1
        big_id = next_id
        folders.append((big_id, 1, "Vrac", 1))
        leaf_folders.append((big_id, "Vrac", BIG_FOLDER_FILES))
        next_id += 1
        many_id = next_id
        folders.append((many_id, 1, "Dossiers", 1))
        next_id += 1
        for number in range(MANY_FOLDERS):
            rel = f"Dossiers/Dossier n°{number:04d}"
            folders.append((next_id, many_id, rel, 2))
            leaf_folders.append((next_id, rel, FILES_PER_SMALL_FOLDER))
            next_id += 1
        db.executemany(
            "INSERT INTO directory (id, source_id, parent_id, name, rel_path, depth,"
            " first_seen_run) VALUES (?, 1, ?, ?, ?, ?, 1)",
            [
                (i, parent, rel.rsplit("/", 1)[-1].encode(), rel, depth)
                for i, parent, rel, depth in folders
            ],
        )
        db.execute("CREATE TEMP TABLE leaf (id INTEGER, rel TEXT, files INTEGER, first INTEGER)")
        first = 0
        rows = []
        for folder_id, rel, files in leaf_folders:
            rows.append((folder_id, rel, files, first))
            first += files
        db.executemany("INSERT INTO leaf VALUES (?, ?, ?, ?)", rows)
        db.execute(
            "CREATE TEMP TABLE kinds (k INTEGER PRIMARY KEY, puid TEXT, ext TEXT, mime TEXT,"
            " name TEXT)"
        )
        db.executemany(
            "INSERT INTO kinds VALUES (?, ?, ?, ?, ?)",
            [(k, *values) for k, values in enumerate(PUIDS)],
        )
        # n: the file's number in its folder; g: its number in the whole inventory.
        db.execute(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO file (source_id, dir_id, name, rel_path, extension, size, mtime_ns,"
            " sha512, puid, format_name, mime, flags, first_seen_run, last_changed_run)"
            " SELECT 1, leaf.id, CAST(printf('fichier %06d.%s', leaf.first + n.i, kinds.ext)"
            " AS BLOB), leaf.rel || '/' || printf('fichier %06d.%s', leaf.first + n.i,"
            " kinds.ext), kinds.ext, ((leaf.first + n.i) * 7919) % 5000000 + 1,"
            " (1262304000 + ((leaf.first + n.i) * 86399) % 473040000) * 1000000000,"
            " CAST(printf('%064d', leaf.first + n.i) AS BLOB), nullif(kinds.puid, ''),"
            " nullif(kinds.name, ''), nullif(kinds.mime, ''),"
            " CASE WHEN (leaf.first + n.i) % ? = 0 THEN ? ELSE 0 END, 1, 1"
            " FROM leaf JOIN n ON n.i < leaf.files"
            " JOIN kinds ON kinds.k = (leaf.first + n.i) % ?",
            (BIG_FOLDER_FILES, TEMPORARY_EVERY, int(EntryFlag.TEMPORARY), len(PUIDS)),
        )
        refresh_directory_totals(db)
        db.execute("DROP TABLE leaf")
        db.execute("DROP TABLE kinds")
    count = project.conn.execute("SELECT count(*) FROM file").fetchone()[0]
    assert count == TOTAL_FILES
    project.close()


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "grande.besace"
    _build(path)
    return path


@pytest.fixture
def page(qtbot: QtBot, big_project: Path) -> Iterator[ExplorePage]:
    session = Session()
    explore = ExplorePage(session)
    qtbot.addWidget(explore)
    explore.resize(1400, 900)
    explore.show()
    session.open(big_project)
    explore.activated()
    _wait(qtbot, explore)
    yield explore
    runner = TaskRunner.of(session)
    runner.cancel_all()
    runner.wait(120_000)
    qtbot.wait(20)
    session.close()


def _wait(qtbot: QtBot, page: ExplorePage) -> None:
    qtbot.waitUntil(lambda: not page.busy, timeout=180_000)


def _top_index(page: ExplorePage, name: str) -> QModelIndex:
    model = page.tree_model
    root = model.index(0, 0)
    for row in range(model.rowCount(root)):
        index = model.index(row, 0, root)
        if index.data() == name:
            return index
    raise AssertionError(name)


def test_a_big_inventory_is_explored_with_exact_answers(qtbot: QtBot, page: ExplorePage) -> None:
    project = page.session.project
    assert project is not None
    conn = project.conn
    model = page.tree_model

    # The root opens with its 22 folders, each with the right count.
    root = model.index(0, 0)
    assert model.rowCount(root) == SERVICES + 2
    for row in range(model.rowCount(root)):
        index = model.index(row, 0, root)
        expected = conn.execute(
            "SELECT count(*) FROM file WHERE rel_path LIKE ? || '/%'", (index.data(),)
        ).fetchone()[0]
        files = model.index(row, TreeColumn.FILES, root).data().replace(",", "")
        assert int(files) == expected, index.data()

    # A folder of 3,000 sub-folders opens by batches; any of them can be reached.
    many = _top_index(page, "Dossiers")
    assert model.canFetchMore(many)
    model.fetchMore(many)
    assert model.rowCount(many) == BATCH
    assert model.canFetchMore(many)
    last_id = conn.execute(
        "SELECT id FROM directory WHERE rel_path = 'Dossiers/Dossier n°2999'"
    ).fetchone()[0]
    found = model.index_of_folder(last_id)
    assert found.isValid()
    assert found.data() == "Dossier n°2999"
    assert found.parent() == many

    # A folder of 10,000 files: listed, sorted by size both ways, by the database.
    big = _top_index(page, "Vrac")
    page.select_folder(int(big.data(FOLDER_ID_ROLE)))
    _wait(qtbot, page)
    assert page.file_model.rowCount() == BIG_FOLDER_FILES
    page.files.sortByColumn(FileColumn.SIZE, Qt.SortOrder.DescendingOrder)
    _wait(qtbot, page)
    largest, smallest = conn.execute(
        "SELECT max(size), min(size) FROM file WHERE dir_id = ?", (big.data(FOLDER_ID_ROLE),)
    ).fetchone()
    top = page.file_model.file_row(0)
    assert top is not None
    assert top.size == largest
    bottom = page.file_model.file_row(BIG_FOLDER_FILES - 1)
    assert bottom is not None
    assert bottom.size == smallest
    page.files.sortByColumn(FileColumn.SIZE, Qt.SortOrder.AscendingOrder)
    _wait(qtbot, page)
    top = page.file_model.file_row(0)
    assert top is not None
    assert top.size == smallest

    # The whole inventory, biggest file first.
    page.select_folder(int(root.data(FOLDER_ID_ROLE)))
    page.filters.subfolders.setChecked(True)
    page.files.sortByColumn(FileColumn.SIZE, Qt.SortOrder.DescendingOrder)
    _wait(qtbot, page)
    assert page.file_model.rowCount() == TOTAL_FILES
    biggest = conn.execute("SELECT max(size) FROM file").fetchone()[0]
    top = page.file_model.file_row(0)
    assert top is not None
    assert top.size == biggest
    total_bytes = conn.execute("SELECT sum(size) FROM file").fetchone()[0]
    assert page.file_model.total_bytes == total_bytes

    # Searching the whole inventory, accents ignored.
    page.filters.search.setText("DOSSIER N°29 fichier")
    page.filters.search.returnPressed.emit()
    _wait(qtbot, page)
    expected = conn.execute(
        "SELECT count(*) FROM file WHERE rel_path LIKE '%Dossier n°29%'"
    ).fetchone()[0]
    assert expected == 100 * FILES_PER_SMALL_FOLDER  # Dossier n°2900 … n°2999
    assert page.file_model.rowCount() == expected

    # The summaries count every file once.
    assert page.formats.total_files == TOTAL_FILES
    assert sum(f.files for f in page.formats.formats.rows()) == TOTAL_FILES
    risky = {f.puid: f.risk.level.value for f in page.formats.formats.rows()}
    assert risky["fmt/40"] == "risky"
    page.tabs.setCurrentWidget(page.anomalies)
    _wait(qtbot, page)
    temporary = next(r for r in page.anomalies.rows() if r.key == "temporary")
    assert temporary.count == len(range(0, TOTAL_FILES, TEMPORARY_EVERY))
    assert sum(b.files for b in page.timeline.bars()) == TOTAL_FILES

    # The treemap of the root: one rectangle per top folder, sized by bytes.
    entries = page.treemap.entries()
    assert {e.name for e in entries} == {
        str(model.index(r, 0, root).data()) for r in range(model.rowCount(root))
    }
    rects = page.treemap.rects()
    total = sum(e.bytes for e in entries)
    area = sum(r.width() * r.height() for r in rects)
    for entry, rect in zip(entries, rects, strict=True):
        assert rect.width() * rect.height() / area == pytest.approx(entry.bytes / total, rel=1e-3)
