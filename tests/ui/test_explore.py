"""Explorer, as an archivist uses it on a small scanned demo commune share.

Every number the page shows is checked against the project database: the tree's counts,
the file list of a folder, the formats, duplicates and anomalies tabs, the timeline and the
treemap's proportions. The previews must read the share without changing it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QModelIndex, Qt, QUrl
from PySide6.QtGui import QHelpEvent, QStandardItemModel
from PySide6.QtWidgets import QApplication, QToolTip, QWidget
from pytestqt.qtbot import QtBot

from app.demo.share import generate_demo_share
from app.i18n import format_bytes, format_count, set_language
from app.inventory.duplicates import duplicate_groups, duplicate_totals
from app.inventory.flags import EntryFlag
from app.inventory.formats import family_of
from app.inventory.report import build_report
from app.inventory.scan import ScanOptions, scan
from app.project import MissionIdentity, Project
from app.project.metadata import Target
from app.project.store import utc_now
from app.ui import preview as preview_module
from app.ui.models.file_query import FileColumn, year_bounds_ns
from app.ui.models.files import FileRow
from app.ui.models.inventory_summary import EMPTY_FOLDERS, ISSUES
from app.ui.models.overview import ColourMode
from app.ui.models.reading import fold
from app.ui.models.tree import FOLDER_ID_ROLE, TreeColumn
from app.ui.pages.explore import ExplorePage
from app.ui.preview import decode_text
from app.ui.session import Session
from app.ui.tasks import TaskRunner
from app.ui.views.treemap import squarify


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project file, share root) of a scanned demo share of about 120 files, made once."""
    base = tmp_path_factory.mktemp("explore")
    root = generate_demo_share(base / "partage", files=120, workers=1).root
    path = base / "mission.besace"
    with Project.create(path, MissionIdentity(name="Mairie de Saint-Exemple")) as project:
        scan(project, [root], options=ScanOptions(workers=1))
    return path, root


def _wait(qtbot: QtBot, page: ExplorePage) -> None:
    qtbot.waitUntil(lambda: not page.busy, timeout=60_000)


@pytest.fixture
def opened(qtbot: QtBot, scanned: tuple[Path, Path]) -> Iterator[ExplorePage]:
    session = Session()
    page = ExplorePage(session)
    qtbot.addWidget(page)
    page.resize(1400, 900)
    page.show()
    session.open(scanned[0])
    page.activated()
    _wait(qtbot, page)
    yield page
    runner = TaskRunner.of(session)
    runner.cancel_all()
    runner.wait(60_000)
    qtbot.wait(20)
    session.close()


def _conn(page: ExplorePage) -> sqlite3.Connection:
    assert page.session.project is not None
    return page.session.project.conn


def _listed_ids(page: ExplorePage) -> list[int]:
    return [int(i) for i in page.file_model.ids()]


def _choose_folder(qtbot: QtBot, page: ExplorePage, folder_id: int) -> None:
    page.select_folder(folder_id)
    _wait(qtbot, page)
    assert page.folder_id == folder_id


# -- the folder tree ----------------------------------------------------------------------------
def test_tree_shows_the_top_folders_with_their_counts_and_sizes(opened: ExplorePage) -> None:
    conn = _conn(opened)
    model = opened.tree_model
    root = model.index(0, 0)
    assert root.isValid()
    assert model.index(1, 0).isValid() is False  # one scanned folder
    assert root.data() == "Mairie de Saint-Exemple-sur-Loire"
    while model.canFetchMore(root):
        model.fetchMore(root)
    shown = {}
    for row in range(model.rowCount(root)):
        name = model.index(row, TreeColumn.NAME, root).data()
        files = model.index(row, TreeColumn.FILES, root).data()
        size = model.index(row, TreeColumn.SIZE, root).data()
        shown[name] = (files, size)
    # Compared with the files themselves, not with the stored totals only.
    expected = {}
    for (top,) in conn.execute("SELECT rel_path FROM directory WHERE depth = 1"):
        files, size = conn.execute(
            "SELECT count(*), coalesce(sum(size), 0) FROM file WHERE state = 'present'"
            " AND rel_path LIKE ? || '/%'",
            (top,),
        ).fetchone()
        expected[top] = (format_count(files), format_bytes(size))
    assert shown == expected
    assert "Direction générale" in shown
    # Shares of the parent add up to the whole.
    total = sum(
        model.index(row, TreeColumn.SHARE, root).data(Qt.ItemDataRole.UserRole + 2)
        for row in range(model.rowCount(root))
    )
    assert total == pytest.approx(1.0, abs=1e-6)


def test_selecting_a_folder_lists_exactly_its_files(qtbot: QtBot, opened: ExplorePage) -> None:
    conn = _conn(opened)
    folder_id, direct = conn.execute(
        "SELECT dir_id, count(*) FROM file WHERE state = 'present' GROUP BY dir_id"
        " ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    _choose_folder(qtbot, opened, folder_id)
    tree_index = opened.tree.currentIndex()
    assert tree_index.data(FOLDER_ID_ROLE) == folder_id
    expected = {
        r[0]
        for r in conn.execute(
            "SELECT id FROM file WHERE dir_id = ? AND state = 'present'", (folder_id,)
        )
    }
    assert set(_listed_ids(opened)) == expected
    assert len(expected) == direct
    assert opened.count.text().startswith(f"{format_count(direct)} files")

    # A top folder holds files below it: with sub-folders, the list is its whole subtree.
    top_id, top_path, top_files = conn.execute(
        "SELECT id, rel_path, total_files FROM directory WHERE depth = 1"
        " ORDER BY total_files DESC LIMIT 1"
    ).fetchone()
    _choose_folder(qtbot, opened, top_id)
    opened.filters.subfolders.setChecked(True)
    _wait(qtbot, opened)
    below = {
        r[0]
        for r in conn.execute(
            "SELECT id FROM file WHERE state = 'present' AND rel_path LIKE ? || '/%'", (top_path,)
        )
    }
    assert set(_listed_ids(opened)) == below
    assert len(below) == top_files
    assert opened.breadcrumb.path()[-1] == (top_id, top_path)


def _selected_file_ids(page: ExplorePage) -> list[int]:
    rows = page.files.selectionModel().selectedRows()
    return [page.file_model.file_id(index.row()) for index in rows]


def test_reveal_goes_to_a_deep_file_and_to_a_folder(qtbot: QtBot, opened: ExplorePage) -> None:
    """A problem of another page (a scan error, a file left out of a package) leads here."""
    conn = _conn(opened)
    file_id, rel_path, folder_id = conn.execute(
        "SELECT f.id, f.rel_path, f.dir_id FROM file f JOIN directory d ON d.id = f.dir_id"
        " WHERE f.state = 'present' ORDER BY d.depth DESC, f.rel_path DESC LIMIT 1"
    ).fetchone()
    assert rel_path.count("/") >= 2, "a file a few levels deep"
    assert opened.reveal(Target("file", file_id, rel_path))
    _wait(qtbot, opened)
    current = opened.tree.currentIndex()
    assert current.data(FOLDER_ID_ROLE) == folder_id
    assert opened.folder_id == folder_id
    parent = current.parent()
    while parent.isValid():  # every level above is open, so the folder is visible
        assert opened.tree.isExpanded(parent)
        parent = parent.parent()
    assert _selected_file_ids(opened) == [file_id]
    assert opened.tabs.currentWidget() is opened.files_tab

    # Shown again while a search hides it: the filters give way to the file.
    opened.filters.search.setText("no file is called like this")
    qtbot.keyClick(opened.filters.search, Qt.Key.Key_Return)
    _wait(qtbot, opened)
    assert file_id not in _listed_ids(opened)
    assert opened.reveal(Target("file", file_id, rel_path))
    _wait(qtbot, opened)
    assert file_id in _listed_ids(opened)
    assert _selected_file_ids(opened) == [file_id]

    # A folder: selected in the tree, its files listed.
    top_id, top_path = conn.execute(
        "SELECT id, rel_path FROM directory WHERE depth = 1 ORDER BY rel_path LIMIT 1"
    ).fetchone()
    assert opened.reveal(Target("directory", top_id, top_path))
    _wait(qtbot, opened)
    assert opened.tree.currentIndex().data(FOLDER_ID_ROLE) == top_id
    assert not opened.reveal(Target("file", -1, "gone.txt"))


def test_sorting_and_searching_are_done_by_the_database(qtbot: QtBot, opened: ExplorePage) -> None:
    conn = _conn(opened)
    opened.filters.subfolders.setChecked(True)
    _wait(qtbot, opened)
    opened.files.sortByColumn(FileColumn.SIZE, Qt.SortOrder.DescendingOrder)
    _wait(qtbot, opened)
    biggest = conn.execute(
        "SELECT id, size FROM file WHERE state = 'present' ORDER BY size DESC, id DESC LIMIT 1"
    ).fetchone()
    first = opened.file_model.file_row(0)
    assert first is not None
    assert (first.id, first.size) == tuple(biggest)
    sizes = [opened.file_model.file_row(r).size or 0 for r in range(opened.file_model.rowCount())]  # type: ignore[union-attr]
    assert sizes == sorted(sizes, reverse=True)

    # By name, the French way: case and accents do not split "Élections" from "elections".
    opened.files.sortByColumn(FileColumn.NAME, Qt.SortOrder.AscendingOrder)
    _wait(qtbot, opened)
    names = [opened.file_model.file_row(r).name for r in range(opened.file_model.rowCount())]  # type: ignore[union-attr]
    assert [fold(n) for n in names] == sorted(fold(n) for n in names)

    # Searching ignores case and accents; every word must match.
    paths = {
        r[0]: r[1] for r in conn.execute("SELECT id, rel_path FROM file WHERE state = 'present'")
    }
    for text in ("deliberation", "DÉLIBÉRATION", "facture 2019"):
        opened.filters.search.setText(text)
        opened.filters.search.returnPressed.emit()
        _wait(qtbot, opened)
        words = fold(text).split()
        expected = {i for i, p in paths.items() if all(w in fold(p) for w in words)}
        assert expected, text
        assert set(_listed_ids(opened)) == expected, text
    opened.filters.search.clear()
    _wait(qtbot, opened)
    assert len(_listed_ids(opened)) == len(paths)


def test_formats_tab_counts_every_file_once(qtbot: QtBot, opened: ExplorePage) -> None:
    conn = _conn(opened)
    report = build_report(conn)
    panel = opened.formats
    assert panel.total_files == report.files
    assert panel.total_bytes == report.bytes
    assert sum(f.files for f in panel.formats.rows()) == report.files
    assert sum(f.bytes for f in panel.formats.rows()) == report.bytes
    pdf = next(f for f in panel.formats.rows() if f.puid == "fmt/18")
    assert pdf.family == "pdf"
    assert (
        pdf.files
        == conn.execute(
            "SELECT count(*) FROM file WHERE state = 'present' AND puid = 'fmt/18'"
        ).fetchone()[0]
    )
    assert pdf.risk.level.value == "ok"
    unknown = [f for f in panel.formats.rows() if not f.puid]
    assert unknown
    assert all(f.risk.level.value == "risky" for f in unknown)

    # Activating a family lists its files across the whole inventory.
    families = {f.key: f for f in panel.families.rows()}
    row = [f.key for f in panel.families.rows()].index("pdf")
    panel.family_view.activated.emit(panel.families.index(row, 0))
    _wait(qtbot, opened)
    assert opened.tabs.currentWidget() is opened.files_tab
    listed = _listed_ids(opened)
    assert len(listed) == families["pdf"].files
    for number in range(len(listed)):
        file_row = opened.file_model.file_row(number)
        assert file_row is not None
        assert family_of(file_row.puid, file_row.mime, file_row.extension) == "pdf"
    assert "Whole inventory" in opened.scope.text()

    # And a format, by its PUID.
    opened.formats.format_chosen.emit("fmt/18", "", "PDF 1.4")
    _wait(qtbot, opened)
    assert len(_listed_ids(opened)) == pdf.files


def test_duplicates_tab_shows_the_demo_duplicate_groups(qtbot: QtBot, opened: ExplorePage) -> None:
    conn = _conn(opened)
    panel = opened.duplicates
    opened.tabs.setCurrentWidget(panel)  # read when first shown
    _wait(qtbot, opened)
    expected = duplicate_groups(conn)
    assert expected  # the demo share has copies on purpose
    assert {g.sha512 for g in panel.groups.rows()} == {g.sha512 for g in expected}
    assert panel.totals == duplicate_totals(conn)
    # The most wasteful group first, and its copies listed with their paths.
    assert panel.groups.row(0).wasted == max(g.wasted_bytes for g in expected)
    panel.group_view.setCurrentIndex(panel.groups.index(0, 0))
    group = next(g for g in expected if g.sha512 == panel.groups.row(0).sha512)
    assert [c.path for c in panel.copies.rows()] == list(group.paths)
    panel.list_button.click()
    _wait(qtbot, opened)
    assert len(_listed_ids(opened)) == len(group.paths)
    assert opened.filters.same_content.isVisibleTo(opened)


def test_anomalies_tab_lists_the_temporary_files(qtbot: QtBot, opened: ExplorePage) -> None:
    conn = _conn(opened)
    assert opened.anomalies.rows() == []  # read when first shown
    opened.tabs.setCurrentWidget(opened.anomalies)
    _wait(qtbot, opened)
    rows = {row.key: row for row in opened.anomalies.rows()}
    temporary = {
        r[0]
        for r in conn.execute(
            "SELECT id FROM file WHERE state = 'present' AND flags & ? != 0",
            (int(EntryFlag.TEMPORARY),),
        )
    }
    assert temporary
    assert rows["temporary"].count == len(temporary)
    assert (
        rows["long_path"].count
        == conn.execute(
            "SELECT count(*) FROM file WHERE state = 'present' AND flags & ? != 0",
            (int(EntryFlag.LONG_PATH),),
        ).fetchone()[0]
    )
    opened.anomalies.choose("temporary")
    _wait(qtbot, opened)
    assert set(_listed_ids(opened)) == temporary
    names = {opened.file_model.file_row(r).name for r in range(len(temporary))}  # type: ignore[union-attr]
    assert any(name.startswith(("~", ".~lock")) for name in names)

    # Empty folders are places too: listed, and one activation shows the folder.
    empty = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM directory WHERE parent_id IS NOT NULL AND flags & ? != 0",
            (int(EntryFlag.EMPTY),),
        )
    ]
    assert rows[EMPTY_FOLDERS].count == len(empty) > 0
    opened.anomalies.choose(EMPTY_FOLDERS)
    _wait(qtbot, opened)
    assert {d.folder_id for d in opened.anomalies.details.rows()} == set(empty)
    opened.anomalies.detail_view.activated.emit(opened.anomalies.details.index(0, 0))
    _wait(qtbot, opened)
    assert opened.folder_id == opened.anomalies.details.row(0).folder_id
    assert (
        rows[ISSUES].count
        == conn.execute(
            "SELECT count(*) FROM scan_issue WHERE run_id = (SELECT max(id) FROM scan_run)"
        ).fetchone()[0]
    )


# -- previews ---------------------------------------------------------------------------------
def _row_of(conn: sqlite3.Connection, where: str) -> FileRow:
    from app.ui.models.files import read_rows

    file_id = conn.execute(
        f"SELECT id FROM file WHERE state = 'present' AND size > 0 AND {where}"
        " ORDER BY size DESC LIMIT 1"
    ).fetchone()[0]
    return read_rows(conn, [file_id])[file_id]


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in sorted(root.rglob("*"))}


def test_previews_show_images_pdf_pages_and_text_without_touching_the_share(
    qtbot: QtBot, opened: ExplorePage, scanned: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = _conn(opened)
    before = _snapshot(scanned[1])
    pane = opened.preview
    for where, kind, note in (
        ("puid = 'fmt/11' AND extension = 'png'", "image", "pixels"),
        ("puid = 'fmt/1507'", "image", "pixels"),
        ("puid IN ('fmt/18', 'fmt/276')", "image", "Page 1 of "),
        ("puid = 'x-fmt/18'", "text", "read as UTF-8"),
    ):
        row = _row_of(conn, where)
        pane.show_file(row, conn)
        qtbot.waitUntil(lambda: not pane.busy, timeout=30_000)
        assert note in pane.note.text(), (where, pane.message.text())
        if kind == "image":
            assert pane.stack.currentWidget() is pane.image, (where, pane.message.text())
            pixmap = pane.image.pixmap()
            assert not pixmap.isNull()
            assert max(pixmap.width(), pixmap.height()) <= preview_module.MAX_SIDE
        else:
            assert pane.stack.currentWidget() is pane.text
            on_disk = Path(pane.path or "").read_bytes().decode("utf-8-sig")
            assert pane.text.toPlainText().splitlines()[0] == on_disk.splitlines()[0]
        assert pane.title.text() == row.name

    # A format without preview still shows the file's properties.
    docx = _row_of(conn, "puid = 'fmt/412'")
    pane.show_file(docx, conn)
    assert pane.stack.currentWidget() is pane.message
    shown = [
        pane.facts.itemAt(i).widget().text()
        for i in range(pane.facts.count())  # type: ignore[union-attr]
        if pane.facts.itemAt(i).widget() is not None
    ]
    assert "fmt/412" in shown
    assert docx.sha512 is not None
    assert docx.sha512.hex() in shown

    # "Open with the default application" opens the original, by its real path.
    opened_urls: list[QUrl] = []
    monkeypatch.setattr(preview_module.QDesktopServices, "openUrl", opened_urls.append)
    pane.open_button.click()
    assert [u.toLocalFile() for u in opened_urls] == [pane.path]
    assert Path(pane.path or "").is_file()

    assert _snapshot(scanned[1]) == before


def test_selecting_a_file_previews_it_and_a_new_choice_cancels_the_old(
    qtbot: QtBot, opened: ExplorePage
) -> None:
    opened.filters.subfolders.setChecked(True)
    _wait(qtbot, opened)
    opened.files.selectRow(0)
    opened.files.selectRow(1)
    _wait(qtbot, opened)
    row = opened.file_model.file_row(1)
    assert row is not None
    assert opened.preview.title.text() == row.name


def test_text_decoding_guesses_sensibly() -> None:
    assert decode_text("Été à Noël".encode(), truncated=False) == ("Été à Noël", "UTF-8")
    assert decode_text("Été à Noël".encode("cp1252"), truncated=False) == (
        "Été à Noël",
        "Windows-1252",
    )
    text, encoding = decode_text("Délibération".encode("utf-16"), truncated=False) or ("", "")
    assert (text, encoding) == ("Délibération", "UTF-16")
    # Cut in the middle of a character: the start still reads as UTF-8.
    assert decode_text("Noël".encode()[:-2], truncated=True) == ("No", "UTF-8")
    assert decode_text(bytes(range(256)) * 4, truncated=False) is None


# -- treemap and timeline ---------------------------------------------------------------------
def test_squarify_tiles_the_box_in_proportion() -> None:
    values = [500.0, 433.0, 100.0, 60.0, 59.0, 10.0, 1.0]
    rects = squarify(values, 0, 0, 600, 400)
    areas = [w * h for _, _, w, h in rects]
    assert sum(areas) == pytest.approx(600 * 400)
    for area, value in zip(areas, values, strict=True):
        assert area / (600 * 400) == pytest.approx(value / sum(values), rel=1e-6)
    for x, y, w, h in rects:
        assert x >= 0
        assert y >= 0
        assert x + w <= 600 + 1e-6
        assert y + h <= 400 + 1e-6
    # No two rectangles overlap.
    for i, (x1, y1, w1, h1) in enumerate(rects):
        for x2, y2, w2, h2 in rects[i + 1 :]:
            overlap_w = min(x1 + w1, x2 + w2) - max(x1, x2)
            overlap_h = min(y1 + h1, y2 + h2) - max(y1, y2)
            assert overlap_w <= 1e-6 or overlap_h <= 1e-6


def test_treemap_rectangles_cover_the_area_in_proportion_and_drill_down(
    qtbot: QtBot, opened: ExplorePage
) -> None:
    conn = _conn(opened)
    treemap = opened.treemap
    entries = treemap.entries()
    rects = treemap.rects()
    assert entries
    assert len(rects) == len(entries)
    area = (treemap.width() - 2) * (treemap.height() - 2)
    assert sum(r.width() * r.height() for r in rects) == pytest.approx(area, rel=1e-3)
    total = sum(e.bytes for e in entries)
    for entry, rect in zip(entries, rects, strict=True):
        assert rect.width() * rect.height() / area == pytest.approx(entry.bytes / total, rel=1e-3)
    # Sizes are the folders' real sizes.
    folders = {e.id: e.bytes for e in entries if e.kind == "folder"}
    for folder_id, size in folders.items():
        assert (
            size
            == conn.execute(
                "SELECT total_bytes FROM directory WHERE id = ?", (folder_id,)
            ).fetchone()[0]
        )
    # Everything has a label for people, not only a colour: hovering tells name and size.
    biggest = entries[0]
    centre = rects[0].center().toPoint()
    QApplication.sendEvent(
        treemap, QHelpEvent(QEvent.Type.ToolTip, centre, treemap.mapToGlobal(centre))
    )
    assert biggest.name in QToolTip.text()
    assert format_bytes(biggest.bytes) in QToolTip.text()
    labels = [opened.legend.item(i).text() for i in range(opened.legend.count())]
    assert any(label.startswith("Image — ") for label in labels)

    # Keyboard: move, then Enter opens the folder; Backspace comes back up.
    treemap.setFocus()
    qtbot.keyClick(treemap, Qt.Key.Key_Home)
    first = treemap.current_entry()
    assert first is not None
    assert first.kind == "folder"
    qtbot.keyClick(treemap, Qt.Key.Key_Right)
    assert treemap.current_entry() is not None
    qtbot.keyClick(treemap, Qt.Key.Key_Home)
    root_id = opened.folder_id
    qtbot.keyClick(treemap, Qt.Key.Key_Return)
    _wait(qtbot, opened)
    assert opened.folder_id == first.id
    assert opened.breadcrumb.path()[-1][0] == first.id
    assert opened.tree.currentIndex().data(FOLDER_ID_ROLE) == first.id
    treemap.setFocus()
    qtbot.keyClick(treemap, Qt.Key.Key_Backspace)
    _wait(qtbot, opened)
    assert opened.folder_id == root_id


def test_timeline_counts_years_and_a_click_filters_the_list(
    qtbot: QtBot, opened: ExplorePage
) -> None:
    conn = _conn(opened)
    bars = opened.timeline.bars()
    assert (
        sum(b.files for b in bars)
        == conn.execute("SELECT count(*) FROM file WHERE state = 'present'").fetchone()[0]
    )
    busiest = max(range(len(bars)), key=lambda n: bars[n].files)
    year = bars[busiest].year
    assert year is not None
    rect = opened.timeline.bar_rects()[busiest]
    centre = rect.center().toPoint()
    QApplication.sendEvent(
        opened.timeline,
        QHelpEvent(QEvent.Type.ToolTip, centre, opened.timeline.mapToGlobal(centre)),
    )
    assert QToolTip.text().startswith(f"{year}: {bars[busiest].files} files")
    qtbot.mouseClick(opened.timeline, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    _wait(qtbot, opened)
    start, end = year_bounds_ns(year)
    expected = {
        r[0]
        for r in conn.execute(
            "SELECT id FROM file WHERE state = 'present' AND dir_id = ?"
            " AND mtime_ns >= ? AND mtime_ns < ?",
            (opened.folder_id, start, end),
        )
    }
    assert set(_listed_ids(opened)) == expected
    assert opened.filters.year.currentData() == year
    # With sub-folders, the list holds exactly the files the bar counts.
    opened.filters.subfolders.setChecked(True)
    _wait(qtbot, opened)
    assert len(_listed_ids(opened)) == bars[busiest].files
    # A second click clears the filter.
    qtbot.mouseClick(opened.timeline, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    _wait(qtbot, opened)
    assert opened.filters.year.currentData() is None
    assert len(_listed_ids(opened)) == sum(b.files for b in bars)


# -- accessibility, refresh, empty state ------------------------------------------------------
def test_every_view_has_a_name_for_screen_readers(opened: ExplorePage) -> None:
    for widget in (
        opened.tree,
        opened.files,
        opened.treemap,
        opened.legend,
        opened.timeline,
        opened.preview,
        opened.filters.search,
        opened.filters.family,
        opened.filters.year,
        opened.colour_mode,
        opened.formats.family_view,
        opened.formats.format_view,
        opened.duplicates.group_view,
        opened.anomalies.category_view,
        opened.tabs,
    ):
        assert isinstance(widget, QWidget)
        assert widget.accessibleName(), type(widget).__name__
    assert opened.treemap.accessibleDescription()
    assert opened.tabs.count() == 4


def test_the_page_follows_scans_and_classification(qtbot: QtBot, tmp_path: Path) -> None:
    share = tmp_path / "partage"
    (share / "Finances").mkdir(parents=True)
    (share / "Finances" / "budget.csv").write_text("poste;montant\nvoirie;1200\n", "utf-8")
    (share / "note.txt").write_text("Bonjour\n", "utf-8")
    path = tmp_path / "mission.besace"
    Project.create(path, MissionIdentity(name="Mairie")).close()
    session = Session()
    page = ExplorePage(session)
    qtbot.addWidget(page)
    page.show()
    session.open(path)
    page.activated()
    assert page.stack.currentWidget() is page.empty
    assert "scan a folder first" in page.empty.text()

    project = session.project
    assert project is not None
    scan(project, [share], options=ScanOptions(workers=1))
    session.inventory_changed.emit()
    _wait(qtbot, page)
    assert page.stack.currentWidget() is page.content
    page.filters.subfolders.setChecked(True)
    _wait(qtbot, page)
    assert page.file_model.rowCount() == 2

    (share / "Finances" / "budget 2024.csv").write_text("poste;montant\n", "utf-8")
    scan(project, [share], options=ScanOptions(workers=1))
    session.inventory_changed.emit()
    _wait(qtbot, page)
    page.filters.subfolders.setChecked(True)
    _wait(qtbot, page)
    assert page.file_model.rowCount() == 3

    # Classification: the series column and the colouring by series follow.
    file_id = project.conn.execute("SELECT id FROM file WHERE rel_path = 'note.txt'").fetchone()[0]
    with project.write() as db:
        series_id = db.execute(
            "INSERT INTO series (code, title, created_at, updated_at) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            ("1D", "Délibérations", utc_now(), utc_now()),
        ).fetchone()[0]
        db.execute(
            "INSERT INTO file_class (file_id, series_id, origin) VALUES (?, ?, 'file')",
            (file_id, series_id),
        )
    session.classification_changed.emit()
    _wait(qtbot, page)
    row = page.file_model.row_of(file_id)
    text = page.file_model.index(row, FileColumn.SERIES).data()
    assert text == "1D — Délibérations"
    other = page.file_model.index(1 - row if row < 2 else 0, FileColumn.SERIES).data()
    assert other == "to classify"
    modes = page.colour_mode.model()
    assert isinstance(modes, QStandardItemModel)
    assert modes.item(page.colour_mode.findData(ColourMode.SERIES.value)).isEnabled()
    page.colour_mode.setCurrentIndex(page.colour_mode.findData(ColourMode.SERIES.value))
    _wait(qtbot, page)
    labels = [page.legend.item(i).text() for i in range(page.legend.count())]
    assert any(label.startswith("1D — Délibérations") for label in labels)
    assert any(label.startswith("To classify") for label in labels)

    runner = TaskRunner.of(session)
    runner.wait(60_000)
    session.close()
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.empty, timeout=5_000)


def test_french_sizes_and_labels(qtbot: QtBot, scanned: tuple[Path, Path]) -> None:
    set_language("fr")
    try:
        session = Session()
        page = ExplorePage(session)
        qtbot.addWidget(page)
        page.show()
        session.open(scanned[0])
        page.activated()
        _wait(qtbot, page)
        root = page.tree_model.index(0, TreeColumn.SIZE, QModelIndex())
        assert root.data().endswith(("Ko", "Mo", "Go"))
        TaskRunner.of(session).wait(60_000)
        session.close()
    finally:
        set_language("en")


def test_the_keyboard_reaches_folders_files_and_search(qtbot: QtBot, opened: ExplorePage) -> None:
    opened.activateWindow()
    opened.tree.setFocus()
    root_id = opened.folder_id
    qtbot.keyClick(opened.tree, Qt.Key.Key_Down)
    _wait(qtbot, opened)
    first_child = opened.tree_model.index(0, 0, opened.tree_model.index(0, 0))
    assert opened.folder_id == first_child.data(FOLDER_ID_ROLE) != root_id
    assert opened.breadcrumb.path()[-1][0] == opened.folder_id
    qtbot.keyClick(opened.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert opened.filters.search.hasFocus()
    assert opened.tabs.currentWidget() is opened.files_tab
