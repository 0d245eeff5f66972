"""The Formats, Duplicates and Anomalies tabs of the Explore page.

Each panel computes its aggregates off the GUI thread (`load(project_path)`), shows them in
small sortable tables, and says what the user picked (double-click or Enter, or the button)
through a signal; the page turns that into a filter of the file list.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_bytes, format_count
from app.inventory.formats import Risk, RiskLevel, family_color, family_label
from app.tasks import CancelToken
from app.ui.icons import icon
from app.ui.models.display import date_text, percent_text
from app.ui.models.inventory_summary import (
    EMPTY_FOLDERS,
    ISSUES,
    AnomalyRow,
    DuplicateCopy,
    DuplicateGroupRow,
    FamilyTotal,
    FormatTotal,
    IssueRow,
    anomaly_rows,
    duplicate_copies,
    duplicate_summary,
    empty_folders,
    format_totals,
    last_scan_issues,
)
from app.ui.models.latest_read import LatestRead
from app.ui.models.reading import reading
from app.ui.models.rows import ROW_ROLE, RowColumn, RowsModel
from app.ui.session import Session
from app.ui.views.captioned_pane import captioned_pane
from app.ui.views.treemap import swatch

T = TypeVar("T")


def make_table(
    model: RowsModel[T], name: str, *, stretch: int = -1, widths: Sequence[int] = ()
) -> QTableView:
    """A keyboard-friendly sortable table for a summary model (`widths` in pixels)."""
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setSortingEnabled(False)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    header = view.horizontalHeader()
    header.setSectionsClickable(True)
    header.setSortIndicatorShown(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    for column, width in enumerate(widths):
        header.resizeSection(column, width)
    header.sectionClicked.connect(lambda section: model.sort(section, header.sortIndicatorOrder()))
    if stretch >= 0:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    view.setTabKeyNavigation(False)
    return view


def _current_row(view: QTableView) -> object | None:
    index = view.currentIndex()
    return index.data(ROW_ROLE) if index.isValid() else None


def _risk_icon(risk: Risk) -> QIcon | None:
    if risk.level is RiskLevel.OBSOLETE or risk.level is RiskLevel.RISKY:
        return icon("error")
    if risk.level is RiskLevel.WATCH:
        return icon("warning")
    return icon("ok")


class FormatsPanel(QWidget):
    """Families and formats of the whole inventory, with their preservation risk."""

    family_chosen = Signal(str)
    format_chosen = Signal(str, str, str)  # puid ("" = unidentified), extension, label
    loaded = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read = LatestRead[tuple[list[FamilyTotal], list[FormatTotal]]](
            session, _("Counting formats"), self
        )
        self.total_files = 0
        self.total_bytes = 0
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.families = RowsModel[FamilyTotal](
            [
                RowColumn(
                    N_("Family"),
                    lambda f: family_label(f.key),
                    icon=lambda f: swatch(family_color(f.key)),
                ),
                RowColumn(N_("Files"), lambda f: format_count(f.files), lambda f: f.files, True),
                RowColumn(N_("Size"), lambda f: format_bytes(f.bytes), lambda f: f.bytes, True),
                RowColumn(
                    N_("Share"),
                    lambda f: percent_text(f.bytes, self.total_bytes),
                    lambda f: f.bytes,
                    True,
                ),
                RowColumn(N_("Formats"), lambda f: str(f.formats), lambda f: f.formats, True),
                RowColumn(
                    N_("Worst risk"),
                    lambda f: f.worst.level.label,
                    lambda f: f.worst.level.rank,
                    tooltip=lambda f: f.worst.text,
                    icon=lambda f: _risk_icon(f.worst),
                ),
            ],
            self,
        )
        self.formats = RowsModel[FormatTotal](
            [
                RowColumn(N_("PUID"), lambda f: f.puid or "—", lambda f: (f.puid, f.extension)),
                RowColumn(N_("Format"), self.format_label, tooltip=self.format_label),
                RowColumn(N_("Family"), lambda f: family_label(f.family)),
                RowColumn(N_("Files"), lambda f: format_count(f.files), lambda f: f.files, True),
                RowColumn(N_("Size"), lambda f: format_bytes(f.bytes), lambda f: f.bytes, True),
                RowColumn(
                    N_("Risk"),
                    lambda f: f.risk.level.label,
                    lambda f: f.risk.level.rank,
                    tooltip=lambda f: f.risk.text,
                    icon=lambda f: _risk_icon(f.risk),
                ),
                RowColumn(N_("Why"), lambda f: f.risk.text),
            ],
            self,
        )
        self.family_view = make_table(
            self.families, _("Format families"), stretch=0, widths=(240, 90, 90, 70, 70, 150)
        )
        self.format_view = make_table(
            self.formats, _("Formats"), stretch=6, widths=(90, 300, 150, 80, 90, 160)
        )
        for view in (self.family_view, self.format_view):
            view.activated.connect(self._activated)
            view.setToolTip(_("Double-click or press Enter to list these files"))
        self.show_button = QPushButton(_("&List these files"))
        self.show_button.setToolTip(_("Show the files of the selected family or format"))
        self.show_button.clicked.connect(self._show_selected)
        self._last_view = self.format_view
        self.family_view.clicked.connect(lambda: setattr(self, "_last_view", self.family_view))
        self.format_view.clicked.connect(lambda: setattr(self, "_last_view", self.format_view))

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.family_view)
        splitter.addWidget(self.format_view)
        splitter.setStretchFactor(1, 2)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.show_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    @staticmethod
    def format_label(row: FormatTotal) -> str:
        """'Acrobat PDF 1.4 - Portable Document Format 1.4', or 'Not identified (.doc)'."""
        if not row.puid:
            if row.extension:
                return _("Not identified (.{extension})").format(extension=row.extension)
            return _("Not identified (no extension)")
        return " ".join(part for part in (row.name, row.version) if part) or row.puid

    @property
    def busy(self) -> bool:
        return self._read.busy

    def load(self, path: Path | None) -> None:
        if path is None:
            self._read.cancel()
            self.families.set_rows([])
            self.formats.set_rows([])
            self.summary.setText("")
            return
        self.summary.setText(_("Counting…"))

        def work(token: CancelToken) -> tuple[list[FamilyTotal], list[FormatTotal]]:
            with reading(path, token) as conn:
                return format_totals(conn)

        self._read.start(work, self._show)

    def _show(self, result: tuple[list[FamilyTotal], list[FormatTotal]]) -> None:
        families, formats = result
        self.total_files = sum(f.files for f in families)
        self.total_bytes = sum(f.bytes for f in families)
        self.families.set_rows(families)
        self.formats.set_rows(formats)
        at_risk = sum(f.files for f in formats if f.risk.level.rank >= RiskLevel.RISKY.rank)
        self.summary.setText(
            _(
                "Whole inventory: {files} files, {size}, {formats} formats;"
                " {risky} files in a format at risk or obsolete."
            ).format(
                files=format_count(self.total_files),
                size=format_bytes(self.total_bytes),
                formats=format_count(len(formats)),
                risky=format_count(at_risk),
            )
        )
        self.loaded.emit()

    def _activated(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        self._choose(row)

    def _show_selected(self) -> None:
        self._choose(_current_row(self._last_view))

    def _choose(self, row: object) -> None:
        if isinstance(row, FamilyTotal):
            self.family_chosen.emit(row.key)
        elif isinstance(row, FormatTotal):
            self.format_chosen.emit(row.puid, row.extension, self.format_label(row))


class DuplicatesPanel(QWidget):
    """Groups of identical files (same SHA-512), the most wasteful first, and their copies."""

    copies_chosen = Signal(bytes, str)  # digest, a name to recognise it
    copy_activated = Signal(int, int)  # file id, folder id
    loaded = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._conn: sqlite3.Connection | None = None
        self._read = LatestRead[tuple[int, int, int, list[DuplicateGroupRow]]](
            session, _("Finding duplicates"), self
        )
        self.totals = (0, 0, 0)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.groups = RowsModel[DuplicateGroupRow](
            [
                RowColumn(
                    N_("File"),
                    lambda g: g.sample.rsplit("/", 1)[-1],
                    tooltip=lambda g: g.sample,
                ),
                RowColumn(N_("Copies"), lambda g: str(g.copies), lambda g: g.copies, True),
                RowColumn(N_("Size"), lambda g: format_bytes(g.size), lambda g: g.size, True),
                RowColumn(N_("Wasted"), lambda g: format_bytes(g.wasted), lambda g: g.wasted, True),
                RowColumn(
                    N_("SHA-512"),
                    lambda g: g.sha512.hex()[:16] + "…",
                    tooltip=lambda g: g.sha512.hex(),
                ),
            ],
            self,
        )
        self.copies = RowsModel[DuplicateCopy](
            [
                RowColumn(N_("Path"), lambda c: c.path),
                RowColumn(
                    N_("Modified"),
                    lambda c: date_text(c.mtime_ns),
                    lambda c: c.mtime_ns or 0,
                ),
            ],
            self,
        )
        self.group_view = make_table(
            self.groups, _("Duplicate groups"), stretch=0, widths=(300, 70, 90, 90, 150)
        )
        self.copy_view = make_table(
            self.copies, _("Copies of the selected group"), stretch=0, widths=(500, 130)
        )
        self.copy_view.setToolTip(_("Double-click a copy to show it in its folder"))
        self.group_view.selectionModel().currentRowChanged.connect(self._group_changed)
        self.group_view.activated.connect(lambda _index: self._list_copies())
        self.copy_view.activated.connect(self._copy_activated)
        self.list_button = QPushButton(_("&List these copies"))
        self.list_button.setToolTip(_("Show the copies of the selected group in the file list"))
        self.list_button.clicked.connect(self._list_copies)
        self.list_button.setEnabled(False)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.group_view)
        splitter.addWidget(self.copy_view)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.list_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    @property
    def busy(self) -> bool:
        return self._read.busy

    def set_connection(self, conn: sqlite3.Connection | None) -> None:
        self._conn = conn

    def load(self, path: Path | None) -> None:
        self.copies.set_rows([])
        self.list_button.setEnabled(False)
        if path is None:
            self._read.cancel()
            self.groups.set_rows([])
            self.summary.setText("")
            return
        self.summary.setText(_("Counting…"))

        def work(token: CancelToken) -> tuple[int, int, int, list[DuplicateGroupRow]]:
            with reading(path, token) as conn:
                return duplicate_summary(conn)

        self._read.start(work, self._show)

    def _show(self, result: tuple[int, int, int, list[DuplicateGroupRow]]) -> None:
        groups, files, wasted, rows = result
        self.totals = (groups, files, wasted)
        self.groups.set_rows(rows)
        if groups:
            text = _(
                "{groups} groups of identical files: {files} files, {wasted} taken by the extra"
                " copies. Identical means the same SHA-512 digest."
            ).format(
                groups=format_count(groups),
                files=format_count(files),
                wasted=format_bytes(wasted),
            )
            if len(rows) < groups:
                text += " " + _("The {count} most wasteful groups are listed.").format(
                    count=format_count(len(rows))
                )
        else:
            text = _("No duplicate: every file's content is unique.")
        self.summary.setText(text)
        self.loaded.emit()

    def _group_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.data(ROW_ROLE) if current.isValid() else None
        self.list_button.setEnabled(isinstance(row, DuplicateGroupRow))
        if isinstance(row, DuplicateGroupRow) and self._conn is not None:
            self.copies.set_rows(duplicate_copies(self._conn, row.sha512))
        else:
            self.copies.set_rows([])

    def _list_copies(self) -> None:
        row = _current_row(self.group_view)
        if isinstance(row, DuplicateGroupRow):
            self.copies_chosen.emit(row.sha512, row.sample.rsplit("/", 1)[-1])

    def _copy_activated(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if isinstance(row, DuplicateCopy):
            self.copy_activated.emit(row.file_id, row.folder_id)


class AnomaliesPanel(QWidget):
    """What needs the archivist's eye: scan problems, long paths, odd names, empty items…"""

    flag_chosen = Signal(int, str)  # EntryFlag bits, label
    folder_chosen = Signal(int)
    loaded = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read = LatestRead[list[AnomalyRow]](session, _("Counting anomalies"), self)
        self._detail_read = LatestRead[list[IssueRow]](session, _("Listing anomalies"), self)
        self._path: Path | None = None
        self.summary = QLabel(_("Double-click a line (or press Enter) to list what it counts."))
        self.summary.setWordWrap(True)
        self.categories = RowsModel[AnomalyRow](
            [
                RowColumn(
                    N_("Anomaly"),
                    lambda a: _(a.label),
                    icon=lambda a: icon("warning") if a.count else icon("ok"),
                    tooltip=lambda a: _(a.advice),
                ),
                RowColumn(N_("Count"), lambda a: format_count(a.count), lambda a: a.count, True),
                RowColumn(
                    N_("Size"),
                    lambda a: format_bytes(a.bytes) if a.flag else "",
                    lambda a: a.bytes,
                    True,
                ),
                RowColumn(N_("What it means"), lambda a: _(a.advice)),
            ],
            self,
        )
        self.details = RowsModel[IssueRow](
            [
                RowColumn(N_("Path"), lambda i: i.path or "/"),
                RowColumn(N_("Severity"), lambda i: _(i.severity) if i.message else ""),
                RowColumn(N_("Message"), lambda i: i.message),
            ],
            self,
        )
        self.category_view = make_table(
            self.categories, _("Anomalies"), stretch=3, widths=(250, 80, 90)
        )
        self.detail_view = make_table(
            self.details, _("Details of the anomaly"), stretch=2, widths=(450, 90)
        )
        self.category_view.activated.connect(self._activated)
        self.detail_view.activated.connect(self._detail_activated)
        self.detail_view.setToolTip(_("Double-click a folder to show it"))
        self.detail_label = QLabel()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.category_view)
        splitter.addWidget(captioned_pane(self.detail_label, self.detail_view))
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    @property
    def busy(self) -> bool:
        return self._read.busy or self._detail_read.busy

    def load(self, path: Path | None) -> None:
        self._path = path
        self.details.set_rows([])
        self.detail_label.clear()
        if path is None:
            self._read.cancel()
            self.categories.set_rows([])
            return

        def work(token: CancelToken) -> list[AnomalyRow]:
            with reading(path, token) as conn:
                return anomaly_rows(conn)

        self._read.start(work, self._show)

    def _show(self, rows: list[AnomalyRow]) -> None:
        self.categories.set_rows(rows)
        self.loaded.emit()

    def rows(self) -> list[AnomalyRow]:
        return self.categories.rows()

    def choose(self, key: str) -> None:
        """Act as if the user activated the category `key`."""
        for row in self.categories.rows():
            if row.key == key:
                self._choose(row)
                return

    def _activated(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if isinstance(row, AnomalyRow):
            self._choose(row)

    def _choose(self, row: AnomalyRow) -> None:
        if row.flag:
            self.flag_chosen.emit(row.flag, _(row.label))
            return
        path = self._path
        if path is None:
            return
        lister: Callable[[sqlite3.Connection], list[IssueRow]] = (
            last_scan_issues if row.key == ISSUES else empty_folders
        )
        self.detail_label.setText(_("{label}: loading…").format(label=_(row.label)))

        def work(token: CancelToken) -> list[IssueRow]:
            with reading(path, token) as conn:
                return lister(conn)

        def show(items: Sequence[IssueRow]) -> None:
            self.details.set_rows(items)
            for column in (1, 2):  # severity and message say nothing about a folder
                self.detail_view.setColumnHidden(column, row.key == EMPTY_FOLDERS)
            self.detail_label.setText(
                _("{label}: {count}").format(label=_(row.label), count=format_count(len(items)))
            )

        self._detail_read.start(work, show)

    def _detail_activated(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if isinstance(row, IssueRow) and row.folder_id is not None:
            self.folder_chosen.emit(row.folder_id)
