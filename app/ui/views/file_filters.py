"""The search box and filters above the Explore file list; every choice becomes SQL.

Typing searches after a short pause (or at once with Enter). Choices made elsewhere (a year on
the timeline, a format in the Formats tab, an anomaly, a duplicate group) land here too, so
the user always sees, and can clear, what narrows the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_count
from app.inventory.flags import FLAG_LABELS
from app.inventory.formats import FAMILY_KEYS, family_label
from app.ui.icons import icon
from app.ui.models.file_query import EXCLUDED, UNCLASSIFIED, UNKNOWN_YEAR, FileQuery

SEARCH_DELAY_MS = 300
_ANY = None


class FileFilterBar(QWidget):
    """Emits `changed` once per user change; `narrow()` applies the choices to a query."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = False
        self._sha512: bytes | None = None

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search names and paths (accents and case ignored)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(_("Search the files"))
        self.search.setToolTip(
            _("Every word must appear in the file's path; e.g. 'deliberation 2019'.")
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._emit)
        self.search.textEdited.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self._search_now)
        self.search.textChanged.connect(self._cleared)

        self.family = self._combo(_("Family"), _("Show only one format family"))
        self.format = self._combo(_("Format"), _("Show only one format (PRONOM identifier)"))
        self.year = self._combo(_("Year"), _("Show only the files last modified that year"))
        self.flag = self._combo(_("Flag"), _("Show only the files the scan flagged so"))
        self.series = self._combo(_("Series"), _("Show only one series, or what is to classify"))
        self.subfolders = QCheckBox(_("Include su&b-folders"))
        self.subfolders.setToolTip(_("List the files of every folder below the selected one"))
        self.subfolders.toggled.connect(self._user_changed)

        self.same_content = QLabel()
        self.same_content.setAccessibleName(_("Same-content filter"))
        self.clear_same = QToolButton()
        self.clear_same.setIcon(icon("close"))
        self.clear_same.setToolTip(_("Stop showing only these copies"))
        self.clear_same.setAccessibleName(_("Stop showing only these copies"))
        self.clear_same.clicked.connect(lambda: self.set_sha512(None))
        self.clear_button = QPushButton(_("&Clear filters"))
        self.clear_button.setToolTip(_("Show every file of the folder again"))
        self.clear_button.clicked.connect(self.clear)

        first = QHBoxLayout()
        first.addWidget(self.search, 3)
        first.addWidget(self.subfolders)
        first.addWidget(self.clear_button)
        second = QHBoxLayout()
        for combo in (self.family, self.format, self.year, self.flag, self.series):
            second.addWidget(combo, 1)
        third = QHBoxLayout()
        third.addWidget(self.same_content, 1)
        third.addWidget(self.clear_same)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addLayout(third)
        self._fill_static()
        self.set_sha512(None)

    def _combo(self, name: str, tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setToolTip(tip)
        combo.setMinimumContentsLength(8)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.currentIndexChanged.connect(self._user_changed)
        return combo

    def _fill_static(self) -> None:
        self._quiet = True
        self.flag.clear()
        self.flag.addItem(_("All flags"), _ANY)
        for flag, label in FLAG_LABELS.items():
            self.flag.addItem(_(label), int(flag))
        self.set_options([], [], [], [])
        self._quiet = False

    # -- options from the inventory --------------------------------------------------------
    def set_options(
        self,
        families: Sequence[tuple[str, int]],
        formats: Sequence[tuple[str, str, str, int]],
        years: Sequence[int | None],
        series: Sequence[tuple[int, str]],
    ) -> None:
        """Refill the lists: (family, files), (puid, extension, label, files), years, series."""
        self._quiet = True
        keep = (
            self.family.currentData(),
            self.format.currentData(),
            self.year.currentData(),
            self.series.currentData(),
        )
        self.family.clear()
        self.family.addItem(_("All families"), _ANY)
        counts = dict(families)
        for key in FAMILY_KEYS:
            if key in counts:
                self.family.addItem(f"{family_label(key)} ({format_count(counts[key])})", key)
        self.format.clear()
        self.format.addItem(_("All formats"), _ANY)
        self.format.addItem(_("Not identified (all)"), ("", ""))
        for puid, extension, label, files in formats:
            self.format.addItem(f"{label} ({format_count(files)})", (puid, extension))
        self.year.clear()
        self.year.addItem(_("All years"), _ANY)
        for year in years:
            if year is None:
                self.year.addItem(_("No date"), UNKNOWN_YEAR)
            else:
                self.year.addItem(str(year), year)
        self.series.clear()
        self.series.addItem(_("All series"), _ANY)
        self.series.addItem(_("To classify"), UNCLASSIFIED)
        self.series.addItem(_("Excluded"), EXCLUDED)
        for series_id, label in series:
            self.series.addItem(label, series_id)
        for combo, value in zip(
            (self.family, self.format, self.year, self.series), keep, strict=True
        ):
            found = combo.findData(value)
            combo.setCurrentIndex(max(0, found))
        self._quiet = False

    # -- values ----------------------------------------------------------------------------
    def chosen_year(self) -> int | None:
        value = self.year.currentData()
        return int(value) if isinstance(value, int) else None

    def narrow(self, query: FileQuery) -> FileQuery:
        """`query` with this bar's search words and filters."""
        puid: str | None = None
        extension: str | None = None
        chosen = self.format.currentData()
        if isinstance(chosen, tuple):
            puid = str(chosen[0])
            extension = str(chosen[1]) if chosen[1] else None
        family = self.family.currentData()
        flag = self.flag.currentData()
        series = self.series.currentData()
        return replace(
            query,
            text=self.search.text().strip(),
            subfolders=self.subfolders.isChecked(),
            family=str(family) if isinstance(family, str) else None,
            puid=puid,
            extension=extension,
            year=self.chosen_year(),
            flag=int(flag) if isinstance(flag, int) else None,
            series=int(series) if isinstance(series, int) else None,
            sha512=self._sha512,
        )

    # -- choices made elsewhere ------------------------------------------------------------
    def _select(self, combo: QComboBox, value: object, label: str | None = None) -> None:
        found = combo.findData(value)
        if found < 0 and value is not None and label is not None:
            combo.addItem(label, value)
            found = combo.count() - 1
        self._quiet = True
        combo.setCurrentIndex(max(0, found))
        self._quiet = False

    def show_only(self, **choices: object) -> None:
        """Clear the filters, then apply these (family, puid/extension, year, flag, series…)."""
        self._quiet = True
        self.clear(emit=False)
        if "family" in choices:
            self._select(self.family, choices["family"], family_label(str(choices["family"])))
        if "puid" in choices:
            value = (str(choices["puid"]), str(choices.get("extension") or ""))
            label = str(choices.get("label") or value[0] or _("Not identified"))
            self._select(self.format, value, label)
        if "year" in choices:
            self._select(self.year, choices["year"], str(choices["year"]))
        if "flag" in choices:
            self._select(self.flag, choices["flag"], str(choices.get("label", choices["flag"])))
        if "series" in choices:
            self._select(self.series, choices["series"], str(choices["series"]))
        if "sha512" in choices:
            digest = choices["sha512"]
            self._set_sha(digest if isinstance(digest, bytes) else None, str(choices.get("label")))
        if "subfolders" in choices:
            self.subfolders.setChecked(bool(choices["subfolders"]))
        self._quiet = False
        self.changed.emit()

    def set_year(self, year: int | None) -> None:
        self._select(self.year, year, str(year))
        self.changed.emit()

    def set_sha512(self, digest: bytes | None, label: str = "") -> None:
        self._set_sha(digest, label)
        if not self._quiet:
            self.changed.emit()

    def _set_sha(self, digest: bytes | None, label: str) -> None:
        self._sha512 = digest
        shown = digest is not None
        self.same_content.setVisible(shown)
        self.clear_same.setVisible(shown)
        if shown:
            self.same_content.setText(_("Only the identical copies of “{name}”").format(name=label))

    def clear(self, emit: bool = True) -> None:
        quiet, self._quiet = self._quiet, True
        self.search.clear()
        for combo in (self.family, self.format, self.year, self.flag, self.series):
            combo.setCurrentIndex(0)
        self._set_sha(None, "")
        self._quiet = quiet
        if emit and not quiet:
            self.changed.emit()

    # -- signals ---------------------------------------------------------------------------
    def _user_changed(self, *_args: object) -> None:
        if not self._quiet:
            self._emit()

    def _cleared(self, text: str) -> None:
        if not text and not self._quiet:
            self._timer.stop()
            self._emit()

    def _search_now(self) -> None:
        self._timer.stop()
        self._emit()

    def _emit(self) -> None:
        self._timer.stop()
        self.changed.emit()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
