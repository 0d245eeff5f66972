"""Write xlsx reports: streamed tables for big inventories, styled forms for slips.

Two kinds of workbook:

- `Workbook` streams: each table row is turned into worksheet XML at once and goes to a
  temporary file (`app.workbook.sheet_xml`), so memory stays flat and a million rows take
  seconds. openpyxl (*write-only* mode) writes the rest of the package: the styles (each
  registered once per column), the header rows, summary sheets, charts, validations and
  links; the rows are spliced into its sheet parts when the workbook is saved. The price:
  everything Excel stores about a sheet before its rows (column widths, frozen panes) is
  fixed when the sheet is created, cells cannot be merged, and a written row cannot be
  changed. Widths therefore come from the column kinds, not from the data.
- `FormWorkbook` keeps every cell in memory (openpyxl normal mode): merged cells, borders,
  row heights, page setup — what a slip with signature boxes needs. Use it for documents of
  a few thousand rows at most.

Both offer the same `add_sheet(title, columns)` table and `add_summary(...)` key/value sheet,
with the same French-friendly number formats. The formats are stored in Excel's
locale-independent code ("#,##0", "0.0 %"), which a French Excel shows as "1 234 567" and
"12,5 %". Dates are written as dd/mm/yyyy, date-times as dd/mm/yyyy hh:mm.

A table longer than Excel's limit (1,048,576 rows, header included) continues on a new sheet
named "Title (2)", "Title (3)"… with the header repeated; each part has its own autofilter.
Text that starts with "=" or looks like an Excel error stays text: a file name never becomes
a formula.
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import openpyxl
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.cell.cell import Cell as _XlCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from app.i18n import _
from app.workbook import WorkbookError
from app.workbook.sheet_xml import ColumnStyles, Link, SheetRows, clean_text, splice_rows

__all__ = [
    "DEFAULT_WIDTHS",
    "EXCEL_MAX_ROWS",
    "NUMBER_FORMATS",
    "CellInput",
    "Chart",
    "Column",
    "ColumnKind",
    "FormSheet",
    "FormWorkbook",
    "Link",
    "SummaryItem",
    "SummarySheet",
    "TableSheet",
    "Workbook",
]

EXCEL_MAX_ROWS = 1_048_576
_SHEET_TITLE_MAX = 31
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class ColumnKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    BYTES = "bytes"  # a size in bytes, shown with thousands separators
    DECIMAL = "decimal"
    PERCENT = "percent"  # a ratio: 0.125 shows as 12.5 %
    DATE = "date"
    DATETIME = "datetime"
    HYPERLINK = "hyperlink"


NUMBER_FORMATS: dict[ColumnKind, str] = {
    ColumnKind.INTEGER: "#,##0",
    ColumnKind.BYTES: "#,##0",
    ColumnKind.DECIMAL: "#,##0.00",
    ColumnKind.PERCENT: "0.0 %",
    ColumnKind.DATE: "dd/mm/yyyy",
    ColumnKind.DATETIME: "dd/mm/yyyy hh:mm",
}
DEFAULT_WIDTHS: dict[ColumnKind, float] = {
    ColumnKind.TEXT: 30,
    ColumnKind.INTEGER: 12,
    ColumnKind.BYTES: 16,
    ColumnKind.DECIMAL: 14,
    ColumnKind.PERCENT: 10,
    ColumnKind.DATE: 12,
    ColumnKind.DATETIME: 17,
    ColumnKind.HYPERLINK: 40,
}
_BOLD = Font(bold=True)
_LINK_FONT = Font(color="0563C1", underline="single")
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    kind: ColumnKind = ColumnKind.TEXT
    width: float | None = None  # in characters; None: from the kind and the header
    wrap: bool = False  # long text wraps inside the cell

    @property
    def effective_width(self) -> float:
        if self.width is not None:
            return self.width
        return max(DEFAULT_WIDTHS[self.kind], min(len(self.header) + 3, 60))


CellInput = str | int | float | bool | date | datetime | Link | None


@dataclass(frozen=True, slots=True)
class Chart:
    """A native Excel chart over a table: one category column, one or more value columns.

    Column numbers are indexes into the table's columns (0 = first). The header of each
    value column names its series.
    """

    kind: Literal["bar", "line"]
    title: str
    categories: int
    values: tuple[int, ...]
    x_title: str = ""
    y_title: str = ""
    anchor: str = ""  # top-left cell; default: two columns right of the table, row 2
    width_cm: float = 18
    height_cm: float = 9


@dataclass(frozen=True, slots=True)
class SummaryItem:
    """A line of a summary sheet: a label and its value, or a section heading."""

    label: str
    value: CellInput = None
    kind: ColumnKind | None = None  # None: from the value's type
    heading: bool = False


def _plain_datetime(value: datetime) -> datetime:
    # Excel has no time zones: show aware times in the local zone.
    return value.astimezone().replace(tzinfo=None) if value.tzinfo else value


def _kind_of(value: CellInput) -> ColumnKind:
    if isinstance(value, Link):
        return ColumnKind.HYPERLINK
    if isinstance(value, bool):
        return ColumnKind.TEXT
    if isinstance(value, int):
        return ColumnKind.INTEGER
    if isinstance(value, float):
        return ColumnKind.DECIMAL
    if isinstance(value, datetime):
        return ColumnKind.DATETIME
    if isinstance(value, date):
        return ColumnKind.DATE
    return ColumnKind.TEXT


def _new_cell(ws: Any, value: Any) -> Any:
    # A detached cell: its real place is set when the row is appended.
    return _XlCell(ws, row=1, column=1, value=value)


def _make_cell(ws: Any, value: CellInput, kind: ColumnKind, *, font: Font | None = None) -> Any:
    """The value as openpyxl will write it: a plain value when no style is needed."""
    if isinstance(value, datetime):
        value = _plain_datetime(value)
    if isinstance(value, Link):
        cell = _new_cell(ws, clean_text(value.label or value.target))
        cell.data_type = "s"
        cell.hyperlink = value.target
        cell.font = _LINK_FONT
        return cell
    if isinstance(value, str):
        value = clean_text(value)
        if font is None and not value.startswith("=") and value not in ERROR_CODES:
            return value
        cell = _new_cell(ws, value)
        cell.data_type = "s"  # never a formula or an error code
        if font is not None:
            cell.font = font
        return cell
    fmt = NUMBER_FORMATS.get(kind)
    if value is None or (fmt is None and font is None):
        return value
    cell = _new_cell(ws, value)
    if fmt is not None and not isinstance(value, bool):
        cell.number_format = fmt
    if font is not None:
        cell.font = font
    return cell


class _Part:
    """One sheet of a table: its openpyxl sheet (header, layout) and, when streamed, its rows."""

    __slots__ = ("rows", "stream", "ws")

    def __init__(self, ws: Any, stream: SheetRows | None) -> None:
        self.ws = ws
        self.stream = stream
        self.rows = 1  # rows written, header included


class TableSheet:
    """A table with a bold frozen header and an autofilter; continues past `max_rows`."""

    def __init__(self, book: _Book, title: str, columns: Sequence[Column]) -> None:
        if not columns:
            raise ValueError("a table needs at least one column")
        self._book = book
        self.title = title
        self.columns = tuple(columns)
        self._parts: list[_Part] = []
        self._validations: list[tuple[int, tuple[str, ...], bool]] = []
        self._styles: tuple[ColumnStyles, ...] = ()
        self._new_part()

    @property
    def sheet_titles(self) -> list[str]:
        """The sheets this table was written on, in order."""
        return [str(part.ws.title) for part in self._parts]

    @property
    def row_count(self) -> int:
        """Data rows written so far, all parts together."""
        return sum(part.rows - 1 for part in self._parts)

    def _new_part(self) -> None:
        number = len(self._parts) + 1
        ws = self._book._create_sheet(self.title, number)
        for index, column in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.effective_width
        ws.freeze_panes = "A2"
        header = [_make_cell(ws, c.header, ColumnKind.TEXT, font=_BOLD) for c in self.columns]
        ws.append(header)
        stream = None
        if self._book.streamed:
            if not self._styles:
                self._styles = tuple(
                    self._book._column_styles(ws, index, column)
                    for index, column in enumerate(self.columns)
                )
            stream = SheetRows(self._styles)
        self._parts.append(_Part(ws, stream))

    def append(self, values: Sequence[CellInput]) -> None:
        if len(values) != len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        part = self._parts[-1]
        if part.rows >= self._book.max_rows:
            self._new_part()
            part = self._parts[-1]
        if part.stream is not None:
            part.stream.append(values)
        else:
            self._append_cells(part.ws, values)
        part.rows += 1

    def _append_cells(self, ws: Any, values: Sequence[CellInput]) -> None:
        """A row of openpyxl cells, for a workbook kept in memory."""
        row = []
        for value, column in zip(values, self.columns, strict=True):
            cell = _make_cell(ws, value, column.kind)
            if column.wrap and value is not None:
                if not isinstance(cell, _XlCell):
                    cell = _new_cell(ws, cell)
                    if isinstance(value, str):
                        cell.data_type = "s"
                cell.alignment = _WRAP
            row.append(cell)
        ws.append(row)
        for cell in row:
            if isinstance(cell, _XlCell) and cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate  # openpyxl's normal mode leaves A1

    def extend(self, rows: Iterable[Sequence[CellInput]]) -> None:
        for values in rows:
            self.append(values)

    def add_list_validation(
        self, column: int, choices: Sequence[str], *, allow_blank: bool = True
    ) -> None:
        """A drop-down list of accepted values on a column (index into the columns)."""
        if not 0 <= column < len(self.columns):
            raise ValueError(f"no column {column}")
        self._validations.append((column, tuple(choices), allow_blank))

    def _finish(self) -> None:
        last_column = get_column_letter(len(self.columns))
        for part in self._parts:
            part.ws.auto_filter.ref = f"A1:{last_column}{part.rows}"
            if part.stream is not None:
                # openpyxl writes the sheet's <hyperlinks> and their relationships.
                part.ws._hyperlinks.extend(
                    Hyperlink(ref=ref, target=target) for ref, target in part.stream.hyperlinks
                )
            for column, choices, allow_blank in self._validations:
                letter = get_column_letter(column + 1)
                quoted = ",".join(choice.replace('"', "'") for choice in choices)
                validation = DataValidation(
                    type="list", formula1=f'"{quoted}"', allow_blank=allow_blank
                )
                validation.error = _("Choose a value from the list.")
                validation.showErrorMessage = True
                validation.add(f"{letter}2:{letter}{self._book.max_rows}")
                part.ws.data_validations.append(validation)

    def _reference(self, column: int, *, with_header: bool) -> Any:
        part = self._parts[0]  # a chart covers the first part of a long table
        first = 1 if with_header else 2
        return Reference(
            part.ws,
            min_col=column + 1,
            max_col=column + 1,
            min_row=first,
            max_row=max(part.rows, first),
        )


class SummarySheet:
    """A titled key/value sheet; charts can be placed on it."""

    def __init__(self, ws: Any, rows: int) -> None:
        self.ws = ws
        self.rows = rows

    @property
    def sheet_title(self) -> str:
        return str(self.ws.title)


class _Book:
    def __init__(self, *, write_only: bool, max_rows: int) -> None:
        if max_rows < 2:
            raise ValueError("max_rows must leave room for a header and a row")
        self._wb = openpyxl.Workbook(write_only=write_only)
        self.streamed = write_only
        if not write_only:
            self._wb.remove(self._wb.active)
        self.max_rows = max_rows
        self._tables: list[TableSheet] = []
        self._charts: list[tuple[Chart, TableSheet, TableSheet | SummarySheet | None]] = []
        self._titles: set[str] = set()
        self._style_ids: dict[tuple[str | None, bool, bool], int] = {}
        self._saved = False

    def _unique_title(self, title: str, number: int = 1) -> str:
        base = _SHEET_TITLE_FORBIDDEN.sub("_", clean_text(title)).strip("'") or "Sheet"
        while True:
            suffix = f" ({number})" if number > 1 else ""
            candidate = base[: _SHEET_TITLE_MAX - len(suffix)] + suffix
            if candidate.casefold() not in self._titles:
                self._titles.add(candidate.casefold())
                return candidate
            number += 1

    def _create_sheet(self, title: str, number: int = 1) -> Any:
        return self._wb.create_sheet(self._unique_title(title, number))

    def _style_id(self, ws: Any, number_format: str | None, *, wrap: bool, link: bool) -> int:
        """The index of a cell style in the workbook's styles, registered on first use."""
        key = (number_format, wrap, link)
        if key not in self._style_ids:
            cell = _new_cell(ws, None)
            if number_format is not None:
                cell.number_format = number_format
            if wrap:
                cell.alignment = _WRAP
            if link:
                cell.font = _LINK_FONT
            self._style_ids[key] = int(cell.style_id) if cell.has_style else 0
        return self._style_ids[key]

    def _column_styles(self, ws: Any, index: int, column: Column) -> ColumnStyles:
        """The styles of a streamed column's cells, by kind of value."""
        wrap = column.wrap
        dated = column.kind in (ColumnKind.DATE, ColumnKind.DATETIME)
        day = NUMBER_FORMATS[column.kind if dated else ColumnKind.DATE]
        moment = NUMBER_FORMATS[column.kind if dated else ColumnKind.DATETIME]
        return ColumnStyles(
            letter=get_column_letter(index + 1),
            number=self._style_id(ws, NUMBER_FORMATS.get(column.kind), wrap=wrap, link=False),
            date=self._style_id(ws, day, wrap=wrap, link=False),
            datetime=self._style_id(ws, moment, wrap=wrap, link=False),
            text=self._style_id(ws, None, wrap=wrap, link=False),
            link=self._style_id(ws, None, wrap=wrap, link=True),
        )

    def add_sheet(self, title: str, columns: Sequence[Column]) -> TableSheet:
        table = TableSheet(self, title, columns)
        self._tables.append(table)
        return table

    def hide(self, table: TableSheet) -> None:
        """Hide every sheet the table was written on (before saving).

        Excel and LibreOffice keep hidden sheets through edits and saves: the place for what a
        round trip needs (export fingerprints, column keys), out of people's way.
        """
        for title in table.sheet_titles:
            self._wb[title].sheet_state = "hidden"

    def add_summary(
        self, title: str, heading: str, items: Sequence[SummaryItem], *, first: bool = True
    ) -> SummarySheet:
        """A sheet with a big title and label/value lines; placed first unless told not to."""
        ws = self._create_sheet(title)
        labels = [item.label for item in items] or [""]
        ws.column_dimensions["A"].width = max(20, min(60, max(len(t) for t in labels) + 2))
        ws.column_dimensions["B"].width = 24
        ws.append([_make_cell(ws, heading, ColumnKind.TEXT, font=Font(bold=True, size=14))])
        ws.append([])
        for item in items:
            if item.heading:
                ws.append([])
                ws.append([_make_cell(ws, item.label, ColumnKind.TEXT, font=_BOLD)])
                continue
            kind = item.kind or _kind_of(item.value)
            ws.append(
                [
                    _make_cell(ws, item.label, ColumnKind.TEXT),
                    _make_cell(ws, item.value, kind),
                ]
            )
        if first:
            self._wb.move_sheet(ws.title, offset=-(len(self._wb.sheetnames) - 1))
        rows = 2 + sum(2 if item.heading else 1 for item in items)
        return SummarySheet(ws, rows)

    def add_chart(
        self, chart: Chart, data: TableSheet, *, on: TableSheet | SummarySheet | None = None
    ) -> None:
        """A chart over `data`'s first sheet, shown on `on` (default: beside the table)."""
        for index in (chart.categories, *chart.values):
            if not 0 <= index < len(data.columns):
                raise ValueError(f"no column {index}")
        self._charts.append((chart, data, on))

    def _build_chart(
        self, chart: Chart, data: TableSheet, on: TableSheet | SummarySheet | None
    ) -> None:
        native: Any = BarChart() if chart.kind == "bar" else LineChart()
        if chart.kind == "bar":
            native.type = "col"
        native.title = chart.title
        native.x_axis.title = chart.x_title or None
        native.y_axis.title = chart.y_title or None
        native.width = chart.width_cm
        native.height = chart.height_cm
        # Recent Excel versions hide axes that openpyxl leaves with delete unset.
        native.x_axis.delete = False
        native.y_axis.delete = False
        for column in chart.values:
            native.add_data(data._reference(column, with_header=True), titles_from_data=True)
        native.set_categories(data._reference(chart.categories, with_header=False))
        if on is None or isinstance(on, TableSheet):
            target = on or data
            ws = target._parts[0].ws
            anchor = chart.anchor or f"{get_column_letter(len(target.columns) + 2)}2"
        else:
            ws = on.ws
            anchor = chart.anchor or "D2"
        ws.add_chart(native, anchor)

    def _streams(self) -> list[tuple[Any, SheetRows]]:
        return [
            (part.ws, part.stream)
            for table in self._tables
            for part in table._parts
            if part.stream is not None
        ]

    def discard(self) -> None:
        """Give up a workbook without saving it (e.g. after an error while filling it)."""
        if not self._saved:
            self._saved = True
            self._discard_streams()

    def _discard_streams(self) -> None:
        for _ws, stream in self._streams():
            stream.close()
        # Streamed openpyxl sheets hold open temporary files: close them cleanly.
        if self._wb.write_only:
            for ws in self._wb.worksheets:
                if not ws.closed:
                    ws.close()

    def _write_package(self, temporary: str) -> None:
        if not self._wb.write_only:
            self._wb.save(temporary)
            return
        # openpyxl writes the package with each table's header alone (small: in memory),
        # then the rows are spliced into the sheet parts.
        package = io.BytesIO()
        self._wb.save(package)
        package.seek(0)
        rows = {ws.path.lstrip("/"): stream for ws, stream in self._streams()}
        with open(temporary, "wb") as dest:
            splice_rows(package, dest, rows)

    def save(self, path: Path) -> None:
        """Write the file atomically: a report is complete, or the old file stays."""
        if self._saved:
            raise ValueError("a workbook is saved once")
        if not self._wb.sheetnames:
            raise ValueError("a workbook needs at least one sheet")
        for table in self._tables:
            table._finish()
        for chart, data, on in self._charts:
            self._build_chart(chart, data, on)
        self._saved = True
        folder = path.parent
        try:
            handle, temporary = tempfile.mkstemp(prefix=".besace-", suffix=".xlsx", dir=folder)
            os.close(handle)
        except OSError as exc:
            self._discard_streams()
            raise WorkbookError(
                _("Cannot write in the folder {folder}: {error}").format(
                    folder=folder, error=exc.strerror or exc
                )
            ) from exc
        try:
            self._write_package(temporary)
            os.replace(temporary, path)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise WorkbookError(
                _(
                    "Cannot write {path}: {error}. If the file is open in a spreadsheet, "
                    "close it and try again."
                ).format(path=path, error=exc.strerror or exc)
            ) from exc
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        finally:
            for _ws, stream in self._streams():
                stream.close()


class Workbook(_Book):
    """A streamed workbook for big tables: rows as XML in temporary files, flat memory."""

    def __init__(self, *, max_rows: int = EXCEL_MAX_ROWS) -> None:
        super().__init__(write_only=True, max_rows=max_rows)


class FormSheet:
    """A small styled sheet laid out on a grid of fixed columns, printed on A4."""

    def __init__(self, ws: Any, widths: Sequence[float]) -> None:
        self.ws = ws
        self.widths = tuple(widths)
        self.row = 1  # the next row to write

    @property
    def _last(self) -> int:
        return len(self.widths)

    def _merged(self, row: int, first: int, last: int, value: CellInput, **style: Any) -> Any:
        cell = self.ws.cell(row=row, column=first)
        written = _make_cell(self.ws, value, _kind_of(value))
        if isinstance(written, _XlCell):
            cell.value = written.value
            cell.data_type = written.data_type
            cell.number_format = written.number_format
            if written.hyperlink is not None:
                cell.hyperlink = written.hyperlink.target
                cell.font = _LINK_FONT
        else:
            cell.value = written
        for name, setting in style.items():
            setattr(cell, name, setting)
        if last > first:
            self.ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        return cell

    def _fit_height(self, row: int, text: str, first: int, last: int) -> None:
        # Excel does not grow merged rows to fit their text: estimate the lines.
        chars = max(1.0, sum(self.widths[first - 1 : last]) * 1.1)
        lines = sum(max(1, math.ceil(len(part) / chars)) for part in text.split("\n"))
        if lines > 1:
            self.ws.row_dimensions[row].height = 15 * lines

    def heading(self, text: str, *, size: int = 14) -> None:
        self._merged(
            self.row,
            1,
            self._last,
            text,
            font=Font(bold=True, size=size),
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        )
        self.ws.row_dimensions[self.row].height = size * 1.6
        self.row += 1

    def field(self, label: str, value: CellInput) -> None:
        """A label in the first column and its value across the others."""
        self._merged(self.row, 1, 1, label, font=_BOLD, alignment=Alignment(vertical="top"))
        self._merged(
            self.row,
            2 if self._last > 1 else 1,
            self._last,
            value,
            alignment=Alignment(wrap_text=True, vertical="top", horizontal="left"),
        )
        if isinstance(value, str):
            self._fit_height(self.row, value, 2, self._last)
        self.row += 1

    def paragraph(self, text: str, *, bold: bool = False) -> None:
        self._merged(
            self.row,
            1,
            self._last,
            text,
            font=Font(bold=bold),
            alignment=Alignment(wrap_text=True, vertical="top"),
        )
        self._fit_height(self.row, text, 1, self._last)
        self.row += 1

    def blank(self, count: int = 1) -> None:
        self.row += count

    def table(self, columns: Sequence[Column], rows: Iterable[Sequence[CellInput]]) -> int:
        """A bordered table; its header repeats on every printed page. Returns its rows."""
        if len(columns) > self._last:
            raise ValueError("more table columns than the form's grid")
        header_row = self.row
        for index, column in enumerate(columns, start=1):
            self._merged(
                header_row,
                index,
                index,
                column.header,
                font=_BOLD,
                fill=_HEADER_FILL,
                border=_BOX,
                alignment=Alignment(wrap_text=True, vertical="center"),
            )
        self.ws.print_title_rows = f"{header_row}:{header_row}"
        count = 0
        for values in rows:
            if len(values) != len(columns):
                raise ValueError(f"{len(values)} values for {len(columns)} columns")
            self.row += 1
            count += 1
            for index, (value, column) in enumerate(zip(values, columns, strict=True), 1):
                cell = self._merged(
                    self.row,
                    index,
                    index,
                    value,
                    border=_BOX,
                    alignment=Alignment(wrap_text=column.wrap, vertical="top"),
                )
                fmt = NUMBER_FORMATS.get(column.kind)
                if fmt and value is not None and not isinstance(value, str | Link | bool):
                    cell.number_format = fmt
        self.row += 1
        return count

    def signature_boxes(
        self, labels: Sequence[str], *, lines: int = 6, prompts: Sequence[str] = ()
    ) -> None:
        """Boxes side by side for the signatures (e.g. the service and the archives' visa).

        Each box has its label in bold on top and a framed area of `lines` rows; `prompts`
        (such as "Date:" and "Name, title and signature:") are printed inside, top left.
        """
        if not labels:
            return
        if len(labels) > self._last:
            raise ValueError("more boxes than the form has columns")
        span = self._last // len(labels)
        top = self.row
        bottom = top + lines
        for index, label in enumerate(labels):
            first = 1 + index * span
            last = self._last if index == len(labels) - 1 else first + span - 1
            self._merged(
                top,
                first,
                last,
                label,
                font=_BOLD,
                alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            )
            inside = "\n".join(prompts)
            cell = self.ws.cell(row=top + 1, column=first)
            cell.value = inside or None
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            self.ws.merge_cells(
                start_row=top + 1, start_column=first, end_row=bottom, end_column=last
            )
            self._outline(top, first, bottom, last)
        self.row = bottom + 1

    def _outline(self, top: int, first: int, bottom: int, last: int) -> None:
        """A frame around a block (merged or not): borders on its edge cells."""
        for row in range(top, bottom + 1):
            for column in range(first, last + 1):
                cell = self.ws.cell(row=row, column=column)
                cell.border = Border(
                    left=_THIN if column == first else cell.border.left,
                    right=_THIN if column == last else cell.border.right,
                    top=_THIN if row == top else cell.border.top,
                    bottom=_THIN if row == bottom else cell.border.bottom,
                )


class FormWorkbook(_Book):
    """A workbook kept in memory (openpyxl normal mode) for styled forms such as slips."""

    def __init__(self, *, max_rows: int = EXCEL_MAX_ROWS) -> None:
        super().__init__(write_only=False, max_rows=max_rows)

    def add_form(
        self, title: str, widths: Sequence[float], *, landscape: bool = False
    ) -> FormSheet:
        """A form on a grid of columns of these widths (characters), fitted to an A4 width."""
        if not widths:
            raise ValueError("a form needs at least one column")
        ws = self._create_sheet(title)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_options.horizontalCentered = True
        return FormSheet(ws, widths)
