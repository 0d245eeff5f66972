"""The production-audit grid of one series: rated criteria, fields, estimates, volumes, priority.

Answers are saved by themselves a moment after the last edit (one undoable edit each time),
and the priority is recomputed as you type from the form's answers and the series' annual
volume (inventory, counted off the GUI thread, plus the estimates of sources not scanned).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.audit.grid import (
    GridDefinition,
    estimates_of,
    get_answers,
    load_grid,
    priority,
    set_answers,
    validate_answers,
)
from app.audit.volumes import (
    SeriesVolumes,
    default_reference_year,
    trend_word,
    volumes_by_series,
)
from app.errors import AppError
from app.i18n import N_, _, format_bytes, format_count
from app.project.series import Series, list_series
from app.tasks import CancelToken, ProgressSink
from app.ui.classify.rules_editor import parse_size
from app.ui.edit_task import run_edit
from app.ui.icons import icon
from app.ui.models.reading import reading
from app.ui.session import Session
from app.ui.tasks import Task, TaskRunner

SAVE_DELAY_MS = 800
YEARS_SHOWN = 10
TREND_LABELS = {
    "rising": N_("rising"),
    "stable": N_("stable"),
    "falling": N_("falling"),
    "unknown": N_("unknown"),
}


@dataclass(slots=True)
class _Rated:
    level: QComboBox
    comment: QLineEdit


class GridForm(QWidget):
    """The grid of the series chosen in its combo box."""

    saved = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.grid: GridDefinition = load_grid()
        self._series_id: int | None = None
        self._loading = False
        self._volumes: dict[int | None, SeriesVolumes] = {}
        self._volume_task: Task | None = None
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save)

        self.series_combo = QComboBox()
        self.series_combo.setAccessibleName(_("Series whose grid is shown"))
        self.series_combo.currentIndexChanged.connect(self._series_chosen)
        self.priority_label = QLabel()
        self.priority_label.setAccessibleName(_("Priority"))
        self.priority_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel()
        self.status.setAccessibleName(_("Saving state of the grid"))
        self.empty = QLabel(_("Create a series first: the audit grid is filled in per series."))
        self.empty.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Series")))
        top.addWidget(self.series_combo, 1)
        top.addWidget(self.status)

        body = QWidget()
        self._body_layout = QVBoxLayout(body)
        self.rated: dict[tuple[str, str], _Rated] = {}
        self.fields: dict[tuple[str, str], QLineEdit | QComboBox] = {}
        for section in self.grid.sections:
            box = QGroupBox(section.label)
            if section.kind == "rated":
                layout = QGridLayout(box)
                layout.addWidget(QLabel("<b>" + _("Criterion") + "</b>"), 0, 0)
                layout.addWidget(QLabel("<b>" + _("Level") + "</b>"), 0, 1)
                layout.addWidget(QLabel("<b>" + _("Comment") + "</b>"), 0, 2)
                for row, c in enumerate(section.items, start=1):
                    label = QLabel(f"{c.label} (×{c.weight:g})")
                    label.setToolTip(c.help)
                    level = QComboBox()
                    level.addItem("—", None)
                    for lv in self.grid.levels:
                        level.addItem(lv.label, lv.key)
                    level.setAccessibleName(_("Level: {criterion}").format(criterion=c.label))
                    level.setMinimumWidth(140)
                    level.setToolTip(c.help)
                    comment = QLineEdit()
                    comment.setAccessibleName(_("Comment: {criterion}").format(criterion=c.label))
                    label.setBuddy(level)
                    layout.addWidget(label, row, 0)
                    layout.addWidget(level, row, 1)
                    layout.addWidget(comment, row, 2)
                    layout.setColumnStretch(2, 1)
                    level.currentIndexChanged.connect(self._edited)
                    comment.textEdited.connect(self._edited)
                    self.rated[(section.key, c.key)] = _Rated(level, comment)
            else:
                form = QFormLayout(box)
                for c in section.items:
                    editor: QLineEdit | QComboBox
                    if c.choices:
                        editor = QComboBox()
                        editor.addItem("—", "")
                        for choice in c.choices:
                            editor.addItem(choice, choice)
                        editor.currentIndexChanged.connect(self._edited)
                    else:
                        editor = QLineEdit()
                        editor.textEdited.connect(self._edited)
                    editor.setAccessibleName(c.label)
                    editor.setToolTip(c.help)
                    form.addRow(c.label, editor)
                    self.fields[(section.key, c.key)] = editor
            self._body_layout.addWidget(box)

        estimates_box = QGroupBox(_("Estimates of sources not scanned (applications, paper…)"))
        estimates_layout = QVBoxLayout(estimates_box)
        self.estimates = QTableWidget(0, 3)
        self.estimates.setHorizontalHeaderLabels(
            [_("Source"), _("Files per year"), _("Volume per year")]
        )
        self.estimates.setAccessibleName(_("Estimates"))
        self.estimates.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.estimates.itemChanged.connect(self._edited)
        add = QPushButton(icon("add"), _("Add an estimate"))
        add.clicked.connect(self.add_estimate)
        remove = QPushButton(icon("remove"), _("Remove the estimate"))
        remove.clicked.connect(self.remove_estimate)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        estimates_layout.addWidget(self.estimates)
        estimates_layout.addLayout(buttons)
        self._body_layout.addWidget(estimates_box)

        volumes_box = QGroupBox(_("Volumes per year (inventory)"))
        volumes_layout = QVBoxLayout(volumes_box)
        self.volumes_table = QTableWidget(0, 3)
        self.volumes_table.setHorizontalHeaderLabels([_("Year"), _("Files"), _("Volume")])
        self.volumes_table.setAccessibleName(_("Volumes per year"))
        self.volumes_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.volumes_table.horizontalHeader().setStretchLastSection(True)
        self.volumes_table.setMinimumHeight(160)
        self.volumes_summary = QLabel()
        self.volumes_summary.setWordWrap(True)
        volumes_layout.addWidget(self.volumes_summary)
        volumes_layout.addWidget(self.volumes_table)
        self._body_layout.addWidget(volumes_box)
        self._body_layout.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self._scroll = scroll
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(top)
        outer.addWidget(self.priority_label)
        outer.addWidget(self.empty)
        outer.addWidget(scroll, 1)

    # -- loading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Series list and volumes changed; reload the answers unless they are being typed."""
        project = self.session.project
        series = list_series(project.conn) if project else []
        self._fill_series(series)
        self.empty.setVisible(not series)
        self._scroll.setVisible(bool(series))
        self._start_volumes()
        if self._series_id is not None and not self._save_timer.isActive() and project:
            stored = get_answers(project.conn, self._series_id)
            if stored != self._clean_answers():
                self._show_answers(stored)
        self._show_priority()

    def _fill_series(self, series: list[Series]) -> None:
        self._loading = True
        try:
            wanted = self._series_id
            self.series_combo.clear()
            for s in series:
                self.series_combo.addItem(f"{s.code} — {s.title}", s.id)
            found = self.series_combo.findData(wanted)
            if found < 0 and series:
                found = 0
            self.series_combo.setCurrentIndex(found)
        finally:
            self._loading = False
        new = self.series_combo.currentData()
        if new != self._series_id:
            self._load_series(new)

    def show_series(self, series_id: int | None) -> None:
        """Show the grid of this series (the one chosen elsewhere on the page)."""
        if series_id is None or series_id == self._series_id:
            return
        found = self.series_combo.findData(series_id)
        if found >= 0:
            self.series_combo.setCurrentIndex(found)

    def _series_chosen(self, _row: int) -> None:
        if self._loading:
            return
        if self._save_timer.isActive():
            self._save_timer.stop()
            self.save()
        self._load_series(self.series_combo.currentData())

    def _load_series(self, series_id: int | None) -> None:
        self._series_id = series_id
        project = self.session.project
        answers = get_answers(project.conn, series_id) if project and series_id else {}
        self._show_answers(answers)
        self._show_volumes()
        self._show_priority()

    def _show_answers(self, answers: dict[str, Any]) -> None:
        self._loading = True
        try:
            for (section, key), rated in self.rated.items():
                answer = answers.get(section, {}).get(key) or {}
                rated.level.setCurrentIndex(max(0, rated.level.findData(answer.get("level"))))
                rated.comment.setText(str(answer.get("comment") or ""))
            for (section, key), editor in self.fields.items():
                value = str(answers.get(section, {}).get(key) or "")
                if isinstance(editor, QComboBox):
                    found = editor.findData(value)
                    if found < 0 and value:
                        editor.addItem(value, value)
                        found = editor.count() - 1
                    editor.setCurrentIndex(max(0, found))
                else:
                    editor.setText(value)
            estimates = answers.get("estimates", [])
            self.estimates.setRowCount(len(estimates))
            for row, e in enumerate(estimates):
                self.estimates.setItem(row, 0, QTableWidgetItem(str(e["label"])))
                self.estimates.setItem(row, 1, QTableWidgetItem(str(e["files_per_year"])))
                self.estimates.setItem(row, 2, QTableWidgetItem(format_bytes(e["bytes_per_year"])))
            self.status.clear()
        finally:
            self._loading = False

    # -- answers ---------------------------------------------------------------------------
    def answers(self) -> dict[str, Any]:
        """The form's answers, as `set_answers` takes them (raises ValueError on bad numbers)."""
        out: dict[str, Any] = {}
        for (section, key), rated in self.rated.items():
            out.setdefault(section, {})[key] = {
                "level": rated.level.currentData(),
                "comment": rated.comment.text(),
            }
        for (section, key), editor in self.fields.items():
            value = editor.currentData() if isinstance(editor, QComboBox) else editor.text()
            out.setdefault(section, {})[key] = value or ""
        estimates = []
        for row in range(self.estimates.rowCount()):
            cells = [self.estimates.item(row, c) for c in range(3)]
            texts = [c.text().strip() if c is not None else "" for c in cells]
            if not any(texts):
                continue
            files = int(texts[1] or "0")
            size = parse_size(texts[2]) or 0
            estimates.append({"label": texts[0], "files_per_year": files, "bytes_per_year": size})
        out["estimates"] = estimates
        return out

    def _clean_answers(self) -> dict[str, Any] | None:
        try:
            return validate_answers(self.grid, self.answers(), "")
        except (AppError, ValueError):
            return None

    def _edited(self, *_args: object) -> None:
        if self._loading or self._series_id is None:
            return
        self.status.setText(_("Modified…"))
        self._show_priority()
        self._save_timer.start()

    def save(self) -> None:
        """Store the form's answers now (normally a moment after the last edit)."""
        self._save_timer.stop()
        series_id = self._series_id
        if series_id is None or self.session.project is None:
            return
        try:
            answers = self.answers()
            validate_answers(self.grid, answers, "")
        except ValueError as exc:
            self.status.setText(_("Not saved: {text} is not a number.").format(text=exc))
            return
        except AppError as exc:
            self.status.setText(_("Not saved: {error}").format(error=exc.message))
            return
        code = self.series_combo.currentText().split(" — ")[0]
        grid = self.grid

        def done(_result: object) -> None:
            self.status.setText(_("Saved."))
            self.saved.emit()

        run_edit(
            self.session,
            _("Audit grid of {code}").format(code=code),
            lambda p: set_answers(p, grid, series_id, answers),
            on_done=done,
        )

    def add_estimate(self) -> None:
        row = self.estimates.rowCount()
        self._loading = True
        self.estimates.insertRow(row)
        for column, text in enumerate((_("New source"), "0", "0")):
            self.estimates.setItem(row, column, QTableWidgetItem(text))
        self._loading = False
        self.estimates.setCurrentCell(row, 0)
        first = self.estimates.item(row, 0)
        if first is not None:
            self.estimates.editItem(first)
        self._edited()

    def remove_estimate(self) -> None:
        row = self.estimates.currentRow()
        if row >= 0:
            self.estimates.removeRow(row)
            self._edited()

    # -- volumes and priority ----------------------------------------------------------------
    def _start_volumes(self) -> None:
        project = self.session.project
        if project is None:
            return
        if self._volume_task is not None and not self._volume_task.done:
            self._volume_task.cancel()
        path = project.path

        def work(token: CancelToken, _progress: ProgressSink) -> object:
            with reading(path, token) as conn:
                return volumes_by_series(conn)

        task = Task(_("Volumes per series"), work, report_errors=False)
        task.succeeded.connect(self._volumes_ready)
        self._volume_task = TaskRunner.of(self.session).start(task)

    def _volumes_ready(self, volumes: dict[int | None, SeriesVolumes]) -> None:
        self._volumes = volumes
        self._show_volumes()
        self._show_priority()

    def _series_volumes(self) -> SeriesVolumes:
        found = self._volumes.get(self._series_id)
        return found if found is not None else SeriesVolumes(self._series_id)

    def _show_volumes(self) -> None:
        volumes = self._series_volumes()
        reference = default_reference_year()
        years = sorted(volumes.by_year, reverse=True)[:YEARS_SHOWN]
        rows = [(str(y), volumes.by_year[y].files, volumes.by_year[y].bytes) for y in years]
        if volumes.undated.files:
            rows.append((_("no date"), volumes.undated.files, volumes.undated.bytes))
        self.volumes_table.setRowCount(len(rows))
        for row, (year, files, size) in enumerate(rows):
            for column, text in enumerate((year, format_count(files), format_bytes(size))):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.volumes_table.setItem(row, column, item)
        annual = volumes.annual(reference)
        trend = trend_word(volumes.trend(reference))
        total = volumes.total
        self.volumes_summary.setText(
            _(
                "Total {files} files, {size}. Mean per year over {first}–{last}: {afiles} files,"
                " {asize} (with estimates). Trend: {trend}."
            ).format(
                files=format_count(total.files),
                size=format_bytes(total.bytes),
                first=reference - 4,
                last=reference,
                afiles=format_count(annual.files),
                asize=format_bytes(annual.bytes),
                trend=_(TREND_LABELS[trend]),
            )
        )

    def _show_priority(self) -> None:
        if self._series_id is None:
            self.priority_label.clear()
            return
        try:
            answers = self.answers()
        except ValueError:
            return
        volumes = self._series_volumes()
        volumes.estimates = estimates_of(_valid_estimates(answers))
        annual = volumes.annual(default_reference_year()).bytes
        try:
            p = priority(self.grid, answers, annual)
        except AppError:
            return
        complete = "" if p.complete else " " + _("(some criteria not rated yet)")
        self.priority_label.setText(
            "<b>"
            + _("Priority: {score} / 100").format(score=f"{p.score:g}")
            + "</b> — "
            + _("value {value:.0%}, risk {risk:.0%}, volume {volume:.0%}").format(
                value=p.value, risk=p.risk, volume=p.volume
            )
            + complete
        )

    def current_series_id(self) -> int | None:
        return self._series_id


def _valid_estimates(answers: dict[str, Any]) -> dict[str, Any]:
    return {
        "estimates": [e for e in answers.get("estimates", []) if str(e.get("label", "")).strip()]
    }
