"""Explorer: the share as a whole first (tree, treemap, timeline), then details on demand.

Left, the folder tree with counts, sizes and shares. Right, above: the treemap of the folder
(coloured by format family, series or final action) with its legend and the timeline by year.
Right, below: tabs for the file list (search and filters, all SQL) with the preview of the
selected file, and the whole inventory's formats, duplicates and anomalies.

Everything heavy runs on the read pool with the page's own read-only connections; the GUI
thread only reads pages of rows and folder children, which take milliseconds.
"""

from __future__ import annotations

import sqlite3
from contextlib import suppress

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_bytes, format_count
from app.project.metadata import Target
from app.tasks import CancelToken
from app.ui.models.file_query import EXCLUDED, UNCLASSIFIED, FileColumn, FileQuery
from app.ui.models.files import FileListModel
from app.ui.models.latest_read import LatestRead
from app.ui.models.overview import (
    COLOUR_MODE_LABELS,
    ColourMode,
    FolderOverview,
    TreemapEntry,
    folder_overview,
    has_classification,
)
from app.ui.models.overview import EXCLUDED as EXCLUDED_KEY
from app.ui.models.overview import (
    UNCLASSIFIED as UNCLASSIFIED_KEY,
)
from app.ui.models.reading import open_reader, reading
from app.ui.models.tree import FOLDER_ID_ROLE, FolderTreeModel, TreeColumn
from app.ui.pages.base import Page
from app.ui.preview import PreviewPane
from app.ui.session import Session
from app.ui.views.breadcrumb import Breadcrumb
from app.ui.views.file_filters import FileFilterBar
from app.ui.views.share_bar import ShareBarDelegate
from app.ui.views.summary_panels import AnomaliesPanel, DuplicatesPanel, FormatsPanel
from app.ui.views.timeline import TimelineView
from app.ui.views.treemap import LegendList, TreemapView

FILE_COLUMN_WIDTHS = {
    FileColumn.NAME: 260,
    FileColumn.FOLDER: 200,
    FileColumn.SIZE: 80,
    FileColumn.MODIFIED: 120,
    FileColumn.FORMAT: 220,
    FileColumn.FAMILY: 130,
    FileColumn.SERIES: 150,
    FileColumn.FLAGS: 150,
    FileColumn.SHA512: 140,
}


class ExplorePage(Page):
    page_id = "explore"

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._conn: sqlite3.Connection | None = None
        self._dirty = True
        self._folder_id: int | None = None
        self._whole_inventory = False  # the file list ignores the folder (chosen in a tab)
        self._pending_file: int | None = None
        self._overviews: dict[tuple[int, ColourMode], FolderOverview] = {}
        self._stale_tabs: set[QWidget] = set()  # tabs to load when first shown
        self._years: list[int | None] = []
        self._series: list[tuple[int, str]] = []
        self._overview_read = LatestRead[FolderOverview](session, _("Drawing the folder"), self)
        self._sizes_read = LatestRead[FolderOverview](session, _("Drawing the folder"), self)
        self._options_read = LatestRead[tuple[list[int | None], list[tuple[int, str]], bool]](
            session, _("Reading the years and series"), self
        )
        self._build()
        session.project_changed.connect(self._data_changed)
        session.inventory_changed.connect(self._data_changed)
        session.classification_changed.connect(self._classification_changed)

    # == construction =========================================================================
    def title(self) -> str:
        return _("Explore")

    def icon_name(self) -> str:
        return "explore"

    def _build(self) -> None:
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setAccessibleName(_("Nothing to explore yet"))

        # -- the folder tree --
        self.tree_model = FolderTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.tree_model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAccessibleName(_("Folders of the inventory"))
        self.tree.setItemDelegateForColumn(TreeColumn.SHARE, ShareBarDelegate(self.tree))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(TreeColumn.NAME, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        for column, width in (
            (TreeColumn.FILES, 58),
            (TreeColumn.SIZE, 70),
            (TreeColumn.SHARE, 52),
        ):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setSortIndicator(TreeColumn.NAME, Qt.SortOrder.AscendingOrder)
        self.tree.setSortingEnabled(True)
        self.tree.selectionModel().currentChanged.connect(self._tree_current_changed)
        self.tree.clicked.connect(self._tree_clicked)
        self.tree_model.modelReset.connect(self._reselect_folder)
        tree_box = QWidget()
        tree_layout = QVBoxLayout(tree_box)
        tree_layout.setContentsMargins(0, 0, 0, 0)
        tree_label = QLabel(_("Folder &tree"))
        tree_label.setBuddy(self.tree)
        tree_layout.addWidget(tree_label)
        tree_layout.addWidget(self.tree, 1)

        # -- the overview: breadcrumb, treemap and legend, timeline --
        self.breadcrumb = Breadcrumb()
        self.breadcrumb.folder_chosen.connect(self.select_folder)
        self.colour_mode = QComboBox()
        self.colour_mode.setAccessibleName(_("Colour the treemap by"))
        self.colour_mode.setToolTip(_("What the colours of the treemap say"))
        for mode in ColourMode:
            self.colour_mode.addItem(_(COLOUR_MODE_LABELS[mode]), mode.value)
        self.colour_mode.currentIndexChanged.connect(lambda _i: self._load_overview())
        colour_label = QLabel(_("Colou&r by:"))
        colour_label.setBuddy(self.colour_mode)
        top = QHBoxLayout()
        top.addWidget(self.breadcrumb, 1)
        top.addWidget(colour_label)
        top.addWidget(self.colour_mode)

        self.treemap = TreemapView()
        self.treemap.activated.connect(self._treemap_activated)
        self.treemap.up_requested.connect(self.breadcrumb.go_up)
        self.legend = LegendList()
        self.legend.key_activated.connect(self._legend_activated)
        self.legend.setMinimumWidth(200)
        map_split = QSplitter(Qt.Orientation.Horizontal)
        map_split.addWidget(self.treemap)
        map_split.addWidget(self.legend)
        map_split.setStretchFactor(0, 1)
        map_split.setStretchFactor(1, 0)
        map_split.setSizes([800, 300])
        map_split.setChildrenCollapsible(False)

        self.timeline = TimelineView()
        self.timeline.year_chosen.connect(self._year_chosen)
        self.timeline_metric = QComboBox()
        self.timeline_metric.setAccessibleName(_("Timeline measure"))
        self.timeline_metric.addItem(_("Files"), False)
        self.timeline_metric.addItem(_("Size"), True)
        self.timeline_metric.currentIndexChanged.connect(
            lambda _i: self.timeline.set_by_bytes(bool(self.timeline_metric.currentData()))
        )
        timeline_row = QHBoxLayout()
        timeline_row.addWidget(self.timeline, 1)
        metric_box = QVBoxLayout()
        metric_label = QLabel(_("Years b&y:"))
        metric_label.setBuddy(self.timeline_metric)
        metric_box.addWidget(metric_label)
        metric_box.addWidget(self.timeline_metric)
        metric_box.addStretch(1)
        timeline_row.addLayout(metric_box)

        overview = QWidget()
        overview_layout = QVBoxLayout(overview)
        overview_layout.setContentsMargins(0, 0, 0, 0)
        overview_layout.addLayout(top)
        overview_layout.addWidget(map_split, 1)
        overview_layout.addLayout(timeline_row)

        # -- the file list and the preview --
        self.file_model = FileListModel(self.session, self)
        self.file_model.loaded.connect(self._files_loaded)
        self.file_model.loading_changed.connect(self._files_loading)
        self.files = QTableView()
        self.files.setModel(self.file_model)
        self.files.setAccessibleName(_("Files"))
        self.files.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.files.setWordWrap(False)
        self.files.setTabKeyNavigation(False)
        self.files.verticalHeader().setVisible(False)
        rows = self.files.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.files.fontMetrics().height() + 8)
        file_header = self.files.horizontalHeader()
        for file_column, width in FILE_COLUMN_WIDTHS.items():
            file_header.resizeSection(file_column, width)
        file_header.setSortIndicator(FileColumn.NAME, Qt.SortOrder.AscendingOrder)
        self.files.setSortingEnabled(True)
        self.files.selectionModel().currentRowChanged.connect(self._file_current_changed)
        self.files.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.files.customContextMenuRequested.connect(self._file_menu)

        self.filters = FileFilterBar()
        self.filters.changed.connect(self._filters_changed)
        self.scope = QLabel()
        self.scope.setWordWrap(True)
        self.scope.setAccessibleName(_("What the list shows"))
        self.count = QLabel()
        self.count.setAccessibleName(_("Files listed"))
        self.back_to_folder = QPushButton(_("Back to the &selected folder"))
        self.back_to_folder.setToolTip(_("List the files of the folder selected in the tree again"))
        self.back_to_folder.clicked.connect(self._back_to_folder)
        self.back_to_folder.hide()
        scope_row = QHBoxLayout()
        scope_row.addWidget(self.scope, 1)
        scope_row.addWidget(self.back_to_folder)
        scope_row.addWidget(self.count)
        self.preview = PreviewPane(self.session)
        # Shown instead of an empty list: why it is empty, and the way out.
        self.no_files = QLabel()
        self.no_files.setWordWrap(True)
        self.no_files.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.show_below = QPushButton(_("Include the sub-folders"))
        self.show_below.clicked.connect(lambda: self.filters.subfolders.setChecked(True))
        no_files_box = QWidget()
        no_files_layout = QVBoxLayout(no_files_box)
        no_files_layout.addStretch(1)
        no_files_layout.addWidget(self.no_files)
        no_files_layout.addWidget(self.show_below, 0, Qt.AlignmentFlag.AlignHCenter)
        no_files_layout.addStretch(1)
        self.file_stack = QStackedWidget()
        self.file_stack.addWidget(self.files)
        self.file_stack.addWidget(no_files_box)
        self.no_files_box = no_files_box
        file_split = QSplitter(Qt.Orientation.Horizontal)
        file_split.addWidget(self.file_stack)
        file_split.addWidget(self.preview)
        file_split.setStretchFactor(0, 1)
        file_split.setStretchFactor(1, 0)
        file_split.setSizes([900, 340])
        file_split.setChildrenCollapsible(False)
        files_tab = QWidget()
        files_layout = QVBoxLayout(files_tab)
        files_layout.addWidget(self.filters)
        files_layout.addLayout(scope_row)
        files_layout.addWidget(file_split, 1)

        self.formats = FormatsPanel(self.session)
        self.formats.family_chosen.connect(lambda key: self._list_whole_inventory(family=key))
        self.formats.format_chosen.connect(
            lambda puid, ext, label: self._list_whole_inventory(
                puid=puid, extension=ext or None, label=label
            )
        )
        self.formats.loaded.connect(self._formats_loaded)
        self.duplicates = DuplicatesPanel(self.session)
        self.duplicates.copies_chosen.connect(
            lambda digest, name: self._list_whole_inventory(sha512=digest, label=name)
        )
        self.duplicates.copy_activated.connect(self._show_file_in_folder)
        self.anomalies = AnomaliesPanel(self.session)
        self.anomalies.flag_chosen.connect(
            lambda bits, label: self._list_whole_inventory(flag=bits, label=label)
        )
        self.anomalies.folder_chosen.connect(self.select_folder)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(_("Details"))
        self.tabs.addTab(files_tab, _("F&iles"))
        self.tabs.addTab(self.formats, _("For&mats"))
        self.tabs.addTab(self.duplicates, _("&Duplicates"))
        self.tabs.addTab(self.anomalies, _("A&nomalies"))
        self.tabs.currentChanged.connect(self._tab_shown)
        self.files_tab = files_tab

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(overview)
        right.addWidget(self.tabs)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        right.setSizes([380, 520])
        right.setChildrenCollapsible(False)
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(tree_box)
        main.addWidget(right)
        main.setStretchFactor(0, 0)
        main.setStretchFactor(1, 1)
        main.setSizes([420, 1000])
        main.setChildrenCollapsible(False)
        self.content = main

        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(main)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.stack)

        search = QShortcut(QKeySequence.StandardKey.Find, self)
        search.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        search.activated.connect(self._focus_search)
        self._show_empty(_("Open a mission to explore its inventory."))

    # == life cycle ===========================================================================
    def activated(self) -> None:
        if self._dirty:
            self.reload()

    def _data_changed(self) -> None:
        self._dirty = True
        if self.session.project is None or self.isVisible():
            self.reload()

    def _classification_changed(self) -> None:
        if self._conn is None:
            return
        self.file_model.refresh_rows()
        self._load_options()
        self._overviews.clear()
        if ColourMode(self.colour_mode.currentData()) is not ColourMode.FAMILY:
            self._load_overview()

    @property
    def busy(self) -> bool:
        """True while some part of the page is still reading (tests wait on it)."""
        return any(
            (
                self.file_model.loading,
                self._overview_read.busy,
                self._sizes_read.busy,
                self._options_read.busy,
                self.formats.busy,
                self.duplicates.busy,
                self.anomalies.busy,
                self.preview.busy,
            )
        )

    def reload(self) -> None:
        """Read everything again from the project (after a scan, or another project)."""
        self._dirty = False
        self._close_reader()
        project = self.session.project
        if project is None:
            self._show_empty(_("Open a mission to explore its inventory."))
            return
        self._conn = open_reader(project.path)
        has_folders = self._conn.execute(
            "SELECT EXISTS (SELECT 1 FROM directory WHERE state = 'present')"
        ).fetchone()[0]
        if not has_folders:
            self._close_reader()
            self._show_empty(
                _(
                    "Nothing to explore yet: scan a folder first (step Scan). Besace only"
                    " reads the files; it never moves nor deletes one."
                )
            )
            return
        self.stack.setCurrentWidget(self.content)
        self._folder_id = None
        self._whole_inventory = False
        self._overviews.clear()
        self.filters.clear(emit=False)
        self.file_model.set_connection(self._conn)
        self.duplicates.set_connection(self._conn)
        self.tree_model.set_connection(self._conn)
        # The first screen first: the top folder's treemap and files, then the summaries
        # (the read pool has few threads); duplicates and anomalies wait for their tab.
        first = self.tree_model.index(0, 0)
        if not first.isValid() and self.tree_model.canFetchMore(QModelIndex()):
            self.tree_model.fetchMore(QModelIndex())
            first = self.tree_model.index(0, 0)
        if first.isValid():
            self.tree.expand(first)
            self.tree.setCurrentIndex(first)
        self._load_options()
        self.formats.load(project.path)
        self._stale_tabs = {self.duplicates, self.anomalies}
        self._tab_shown(self.tabs.currentIndex())

    def _tab_shown(self, number: int) -> None:
        tab = self.tabs.widget(number)
        project = self.session.project
        if tab in self._stale_tabs and project is not None and self._conn is not None:
            self._stale_tabs.discard(tab)
            if tab is self.duplicates:
                self.duplicates.load(project.path)
            elif tab is self.anomalies:
                self.anomalies.load(project.path)

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.stack.setCurrentWidget(self.empty)
        self.file_model.set_connection(None)
        self.duplicates.set_connection(None)
        self.tree_model.set_connection(None)
        self.treemap.set_overview(None)
        self.legend.clear()
        self.timeline.set_years([])
        self.preview.show_file(None)
        self._overview_read.cancel()
        self._sizes_read.cancel()
        self.formats.load(None)
        self.duplicates.load(None)
        self.anomalies.load(None)

    def _close_reader(self) -> None:
        if self._conn is not None:
            self.file_model.set_connection(None)
            self.duplicates.set_connection(None)
            self.tree_model.set_connection(None)
            self.preview.show_file(None)
            with suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    # == folders ==============================================================================
    @property
    def folder_id(self) -> int | None:
        return self._folder_id

    def select_folder(self, folder_id: int) -> None:
        """Show a folder: in the tree, the treemap, the timeline and the file list."""
        index = self.tree_model.index_of_folder(folder_id)
        if not index.isValid():
            return
        parent = index.parent()
        if parent.isValid():
            self.tree.expand(parent)
        self.tree.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.tree.scrollTo(index)
        if self._whole_inventory and folder_id == self._folder_id:
            self._set_folder(folder_id, force=True)

    def reveal(self, target: Target) -> bool:
        """Select a folder in the tree, or a file in its folder's list (e.g. from a problem of
        the Scan or Paquets page); False when it is no longer in the inventory."""
        if self._dirty or self._conn is None:
            self.reload()
        folder = target.id if target.kind == "directory" else self._folder_of(target.id)
        if folder is None:
            return False
        index = self.tree_model.index_of_folder(folder)
        if not index.isValid():
            return False
        ancestor = index.parent()  # a deep folder: open every level above it
        while ancestor.isValid():
            self.tree.expand(ancestor)
            ancestor = ancestor.parent()
        if target.kind == "directory":
            self.select_folder(folder)
        else:
            self._show_file_in_folder(target.id, folder)
        return True

    def _tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._set_folder(int(current.data(FOLDER_ID_ROLE)))

    def _tree_clicked(self, index: QModelIndex) -> None:
        """A click on the folder already selected brings its files back after a whole-list."""
        if index.isValid() and self._whole_inventory:
            self._set_folder(int(index.data(FOLDER_ID_ROLE)), force=True)

    def _back_to_folder(self) -> None:
        if self._folder_id is not None:
            self._set_folder(self._folder_id, force=True)

    def _reselect_folder(self) -> None:
        """After the tree was sorted or reloaded, select the same folder again."""
        if self._folder_id is not None and self._conn is not None:
            folder = self._folder_id
            index = self.tree_model.index_of_folder(folder)
            if index.isValid():
                self.tree.selectionModel().setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.tree.scrollTo(index)

    def _set_folder(self, folder_id: int, *, force: bool = False) -> None:
        if folder_id == self._folder_id and not self._whole_inventory and not force:
            return
        self._folder_id = folder_id
        self._whole_inventory = False
        self.breadcrumb.set_path(self.tree_model.folder_path(folder_id))
        self._load_overview()
        self._query_files()

    def _load_overview(self) -> None:
        project = self.session.project
        folder = self._folder_id
        if project is None or folder is None or self._conn is None:
            return
        mode = ColourMode(self.colour_mode.currentData())
        path = project.path
        known = self._overviews.get((folder, mode))
        if known is not None:
            self._sizes_read.cancel()
            self._overview_read.cancel()
            self._show_overview(known)
            return
        self.treemap.set_message(_("Reading the folder…"))
        self.timeline.set_message(_("Counting the years…"))
        self.legend.clear()

        # Sizes first (stored totals: instant), then colours, legend and years.
        def sizes(token: CancelToken) -> FolderOverview:
            with reading(path, token) as conn:
                return folder_overview(conn, folder, mode, complete=False)

        def everything(token: CancelToken) -> FolderOverview:
            with reading(path, token) as conn:
                return folder_overview(conn, folder, mode)

        self._sizes_read.start(sizes, self._show_overview)
        self._overview_read.start(everything, self._show_overview)

    def _show_overview(self, overview: FolderOverview) -> None:
        shown = self.treemap.overview
        if not overview.complete:
            if (
                shown is not None
                and shown.complete
                and (shown.folder_id, shown.mode)
                == (
                    overview.folder_id,
                    overview.mode,
                )
            ):
                return  # the full answer came first
            self.treemap.set_overview(overview)
            return
        if len(self._overviews) >= 64:
            self._overviews.pop(next(iter(self._overviews)))
        self._overviews[(overview.folder_id, overview.mode)] = overview
        self.treemap.set_overview(overview)
        self.legend.set_entries(overview.legend, overview.total_bytes)
        self.timeline.set_years(overview.years)
        self.timeline.set_selected(self.file_model.query.year)
        hidden = []
        if overview.empty_items:
            hidden.append(
                _("{count} empty items not drawn").format(count=format_count(overview.empty_items))
            )
        self.treemap.setToolTip("; ".join(hidden))

    def _treemap_activated(self, entry: TreemapEntry) -> None:
        if entry.kind == "folder":
            self.select_folder(entry.id)
        elif entry.kind == "file":
            self._show_file(entry.id)

    def _legend_activated(self, key: str) -> None:
        mode = ColourMode(self.colour_mode.currentData())
        if mode is ColourMode.FAMILY:
            self.filters.show_only(family=key, subfolders=True)
        elif mode is ColourMode.SERIES:
            if key == UNCLASSIFIED_KEY:
                series = UNCLASSIFIED
            elif key == EXCLUDED_KEY:
                series = EXCLUDED
            elif key.startswith("s") and key[1:].isdigit():
                series = int(key[1:])
            else:
                return
            self.filters.show_only(series=series, subfolders=True)
        else:
            return
        self.tabs.setCurrentWidget(self.files_tab)

    def _year_chosen(self, year: int | None) -> None:
        self.filters.set_year(year)
        self.tabs.setCurrentWidget(self.files_tab)

    # == files ================================================================================
    def _filters_changed(self) -> None:
        self.timeline.set_selected(self.filters.chosen_year())
        self._query_files()

    def _query_files(self) -> None:
        if self._conn is None:
            return
        current = self.file_model.query
        query = self.filters.narrow(
            FileQuery(
                folder_id=None if self._whole_inventory else self._folder_id,
                sort=current.sort,
                descending=current.descending,
            )
        )
        self._describe_scope(query)
        self.preview.show_file(None)
        self.file_model.set_query(query)

    def _describe_scope(self, query: FileQuery) -> None:
        if self._whole_inventory:
            text = _("Whole inventory")
        else:
            path = self.breadcrumb.path()
            name = path[-1][1] if path else ""
            text = (
                _("Files in “{folder}” and its sub-folders").format(folder=name)
                if query.subfolders
                else _("Files directly in “{folder}”").format(folder=name)
            )
        if query.is_filtered:
            text += " — " + _("filtered")
        self.scope.setText(text)
        self.back_to_folder.setVisible(self._whole_inventory)

    def _files_loading(self, loading: bool) -> None:
        if loading:
            self.count.setText(_("Listing…"))

    def _files_loaded(self, files: int, size: int) -> None:
        self.count.setText(
            _("{files} files, {size}").format(files=format_count(files), size=format_bytes(size))
        )
        query = self.file_model.query
        if files:
            self.file_stack.setCurrentWidget(self.files)
        else:
            below = self.tree.currentIndex()
            has_below = below.isValid() and self.tree_model.hasChildren(below.siblingAtColumn(0))
            offer = not self._whole_inventory and not query.subfolders and has_below
            if offer:
                text = _("No file directly in this folder: its files are in its sub-folders.")
            elif query.is_filtered:
                text = _("No file matches these filters.")
            else:
                text = _("This folder holds no file.")
            self.no_files.setText(text)
            self.show_below.setVisible(offer)
            self.file_stack.setCurrentWidget(self.no_files_box)
        if self._pending_file is not None:
            self._select_file(self._pending_file)
            self._pending_file = None

    def _list_whole_inventory(self, **choices: object) -> None:
        """List files of the whole inventory matching a choice made in a tab."""
        self._whole_inventory = True
        self.tabs.setCurrentWidget(self.files_tab)
        self.filters.show_only(**choices)

    def _show_file(self, file_id: int) -> None:
        self.tabs.setCurrentWidget(self.files_tab)
        if not self._select_file(file_id):
            self._pending_file = file_id
            self.filters.clear()

    def _show_file_in_folder(self, file_id: int, folder_id: int) -> None:
        self._pending_file = file_id
        self.filters.clear(emit=False)
        self.select_folder(folder_id)
        self.tabs.setCurrentWidget(self.files_tab)
        if self.file_model.loading:
            return  # selected when the list arrives
        if self._select_file(file_id):
            self._pending_file = None
        else:  # the folder was already shown, filtered: list all its files again
            self._set_folder(folder_id, force=True)

    def _select_file(self, file_id: int) -> bool:
        row = self.file_model.row_of(file_id)
        if row < 0:
            return False
        index = self.file_model.index(row, 0)
        self.files.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.files.scrollTo(index)
        self.files.setFocus()
        return True

    def _file_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.file_model.file_row(current.row()) if current.isValid() else None
        self.preview.show_file(row, self._conn)

    def _file_menu(self, point: QPoint) -> None:
        index = self.files.indexAt(point)
        row = self.file_model.file_row(index.row()) if index.isValid() else None
        if row is None:
            return
        menu = QMenu(self)
        folder = self._folder_of(row.id)
        show = menu.addAction(_("Show in the folder tree"))
        show.setEnabled(folder is not None)
        copy = menu.addAction(_("Copy the path"))
        opener = menu.addAction(_("Open with the default application"))
        chosen = menu.exec(self.files.viewport().mapToGlobal(point))
        if chosen is show and folder is not None:
            self._show_file_in_folder(row.id, folder)
        elif chosen is copy:
            QGuiApplication.clipboard().setText(row.shown_path)
        elif chosen is opener:
            self.preview.open_externally()

    def _folder_of(self, file_id: int) -> int | None:
        if self._conn is None:
            return None
        found = self._conn.execute("SELECT dir_id FROM file WHERE id = ?", (file_id,)).fetchone()
        return int(found[0]) if found else None

    def _focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.files_tab)
        self.filters.focus_search()

    # == options of the filters ===============================================================
    def _load_options(self) -> None:
        project = self.session.project
        if project is None:
            return
        path = project.path

        def work(token: CancelToken) -> tuple[list[int | None], list[tuple[int, str]], bool]:
            with reading(path, token) as conn:
                years = [
                    int(y) if y is not None else None
                    for (y,) in conn.execute(
                        "SELECT DISTINCT CAST(strftime('%Y', mtime_ns / 1000000000, 'unixepoch',"
                        " 'localtime') AS INTEGER) AS y FROM file WHERE state = 'present'"
                        " ORDER BY y IS NULL, y"
                    )
                ]
                series = [
                    (int(i), f"{code} — {title}")
                    for i, code, title in conn.execute(
                        "SELECT id, code, title FROM series ORDER BY code, id"
                    )
                ]
                return years, series, has_classification(conn)

        self._options_read.start(work, self._show_options)

    def _show_options(self, result: tuple[list[int | None], list[tuple[int, str]], bool]) -> None:
        years, series, classified = result
        self._years, self._series = years, series
        self._refill_filter_options()
        for mode in (ColourMode.SERIES, ColourMode.RETENTION):
            model = self.colour_mode.model()
            item = (
                model.item(self.colour_mode.findData(mode.value))
                if isinstance(model, QStandardItemModel)
                else None
            )
            if item is not None:
                item.setEnabled(classified)
                item.setToolTip("" if classified else _("Create series in the Classification step"))
        if not classified and self.colour_mode.currentData() != ColourMode.FAMILY.value:
            self.colour_mode.setCurrentIndex(0)

    def _formats_loaded(self) -> None:
        self._refill_filter_options()

    def _refill_filter_options(self) -> None:
        families = [(f.key, f.files) for f in self.formats.families.rows()]
        formats = [
            (f.puid, f.extension, self.formats.format_label(f), f.files)
            for f in sorted(self.formats.formats.rows(), key=lambda f: (-f.files, f.puid))
        ]
        self.filters.set_options(families, formats, self._years, self._series)
