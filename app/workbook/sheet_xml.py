"""The rows of streamed table sheets, written as worksheet XML without openpyxl's cell objects.

openpyxl builds, styles and serialises an object per cell (about 5 µs each): a million-file
inventory would take minutes. Here a row becomes one string of `<c>` elements, with the
style indexes the workbook registered once per column, and goes to a temporary file; when
the workbook is saved, `splice_rows` puts those rows into the sheet parts openpyxl wrote
with the header alone (see `app.workbook.writer`). Memory stays flat: a few hundred rows
are buffered at most.

Cells follow what openpyxl would write: text as inline strings (so a name starting with
"=" stays text), numbers as they are, dates as Excel serial numbers with a date format,
booleans as `t="b"`. Characters XML forbids become U+FFFD and text is cut at Excel's limit
of 32,767 characters.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from app.i18n import _
from app.workbook import WorkbookError

MAX_TEXT = 32_767  # Excel's limit for one cell
# Characters XML 1.0 forbids (tab, line feed and carriage return are allowed), lone
# surrogates (undecodable file names) and the two non-characters U+FFFE and U+FFFF.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What needs a second look before going into XML as it is.
_UNUSUAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r&<>\ud800-\udfff\ufffe\uffff]")
_EXCEL_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()
_FLUSH_ROWS = 256  # rows buffered before a write to the temporary file
# Excel's limit of hyperlinks in a sheet: past it, link labels are written as plain text.
MAX_LINKS = 65_530
_COPY_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink cell: a URL or a file path, shown as its label (or the target)."""

    target: str
    label: str = ""


def clean_text(text: str) -> str:
    """The text as a cell can hold it: forbidden characters replaced, cut at Excel's limit."""
    text = _FORBIDDEN.sub("\ufffd", text)
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return text


def _xml_text(text: str) -> str:
    """Cleaned and escaped for an XML text node; most texts need neither and pass as they are."""
    if len(text) <= MAX_TEXT and _UNUSUAL.search(text) is None:
        return text
    text = clean_text(text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def excel_serial(value: date) -> float:
    """Days since Excel's epoch (1899-12-30), the time as a fraction, as openpyxl computes it."""
    days = value.toordinal() - _EXCEL_EPOCH_ORDINAL
    if 0 < days <= 60:  # Excel's phantom 29 February 1900
        days -= 1
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return days + (seconds + value.microsecond / 1_000_000) / 86_400
    return float(days)


@dataclass(frozen=True, slots=True)
class ColumnStyles:
    """Where a column is and the style index (in the workbook's styles) of each kind of value.

    0 is the default style. Dates and date-times have their own, so a date shows as a date in
    any column.
    """

    letter: str
    number: int = 0
    date: int = 0
    datetime: int = 0
    text: int = 0  # text and booleans
    link: int = 0


def _style(index: int) -> str:
    return f' s="{index}"' if index else ""


class SheetRows:
    """The `<row>` elements of one sheet, from row `first_row` on, in a temporary file.

    Hyperlinks cannot be written inside the rows: they are collected as (cell, target) for
    the sheet's `<hyperlinks>` element.
    """

    def __init__(self, columns: Sequence[ColumnStyles], *, first_row: int = 2) -> None:
        self._letters = tuple(c.letter for c in columns)
        self._number = tuple(_style(c.number) for c in columns)
        self._date = tuple(_style(c.date) for c in columns)
        self._datetime = tuple(_style(c.datetime) for c in columns)
        self._text = tuple(_style(c.text) for c in columns)
        self._link = tuple(_style(c.link) for c in columns)
        # What follows the row number in the commonest cells: plain text, whole numbers and
        # date-times, so that each is a single string formatting.
        self._fast = tuple(
            (
                c.letter,
                f'"{_style(c.text)} t="inlineStr"><is><t>',
                f'"{_style(c.number)}><v>',
                f'"{_style(c.datetime)}><v>',
            )
            for c in columns
        )
        self.next_row = first_row
        self.hyperlinks: list[tuple[str, str]] = []
        self.size = 0  # bytes written to the file
        self._file: IO[bytes] | None = None
        self._pending: list[str] = []

    def append(self, values: Sequence[Any]) -> None:
        """One row; the values must be as many as the columns (the caller checks)."""
        r = self.next_row
        rs = str(r)
        cells = [f'<row r="{rs}">']
        add = cells.append
        # The commonest values inline: this loop runs for every cell of a million-row sheet.
        for index, (value, (letter, text, number, moment)) in enumerate(
            zip(values, self._fast, strict=True)
        ):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                if (
                    value.isprintable()  # no control character, surrogate nor U+FFFE/U+FFFF
                    and "&" not in value
                    and "<" not in value
                    and ">" not in value
                    and value[0] != " "
                    and value[-1] != " "
                    and len(value) <= MAX_TEXT
                ):
                    add(f'<c r="{letter}{rs}{text}{value}</t></is></c>')
                else:
                    add(self._text_cell(index, r, value))
            elif kind is int:
                add(f'<c r="{letter}{rs}{number}{value}</v></c>')
            elif kind is datetime and value.tzinfo is None:
                add(f'<c r="{letter}{rs}{moment}{excel_serial(value):.16g}</v></c>')
            elif value is not None:
                add(self._other_cell(index, r, value))
        add("</row>")
        self._pending.append("".join(cells))
        self.next_row = r + 1
        if len(self._pending) >= _FLUSH_ROWS:
            self._flush()

    def _text_cell(self, index: int, r: int, text: str) -> str:
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        return (
            f'<c r="{self._letters[index]}{r}"{self._text[index]} t="inlineStr">'
            f"<is><t{space}>{_xml_text(text)}</t></is></c>"
        )

    def _datetime_cell(self, index: int, r: int, value: datetime) -> str:
        if value.tzinfo is not None:  # Excel has no time zones: local time, as people read it
            value = value.astimezone().replace(tzinfo=None)
        serial = excel_serial(value)
        return f'<c r="{self._letters[index]}{r}"{self._datetime[index]}><v>{serial:.16g}</v></c>'

    def _other_cell(self, index: int, r: int, value: object) -> str:
        ref = f"{self._letters[index]}{r}"
        if isinstance(value, bool):
            return f'<c r="{ref}"{self._text[index]} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int):
            return f'<c r="{ref}"{self._number[index]}><v>{int(value)}</v></c>'
        if isinstance(value, float):
            if not math.isfinite(value):
                return ""  # Excel has no NaN nor infinity: an empty cell
            return f'<c r="{ref}"{self._number[index]}><v>{float(value)!r}</v></c>'
        if isinstance(value, datetime):
            return self._datetime_cell(index, r, value)
        if isinstance(value, date):
            return f'<c r="{ref}"{self._date[index]}><v>{excel_serial(value):.16g}</v></c>'
        if isinstance(value, Link):
            text = value.label or value.target
            if len(self.hyperlinks) >= MAX_LINKS:
                return self._text_cell(index, r, text) if text else ""
            self.hyperlinks.append((ref, value.target))
            if not text:
                return ""
            space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
            return (
                f'<c r="{ref}"{self._link[index]} t="inlineStr">'
                f"<is><t{space}>{_xml_text(text)}</t></is></c>"
            )
        if isinstance(value, str):
            return self._text_cell(index, r, str(value)) if value else ""
        raise ValueError(f"cannot write a {type(value).__name__} in a cell")

    def _flush(self) -> None:
        if not self._pending:
            return
        data = "".join(self._pending).encode("utf-8")
        self._pending.clear()
        try:
            if self._file is None:
                # Closed by close(), whatever happens to the workbook.
                self._file = tempfile.TemporaryFile(prefix="besace-rows-")  # noqa: SIM115
            self._file.write(data)
        except OSError as exc:  # a full disk, most likely
            raise WorkbookError(
                _(
                    "Cannot write the workbook's rows in the temporary folder {folder}: {error}"
                ).format(folder=tempfile.gettempdir(), error=exc.strerror or exc)
            ) from exc
        self.size += len(data)

    def finish(self) -> None:
        """Write what is still buffered; the rows are then complete."""
        self._flush()

    @property
    def dimension(self) -> str:
        """The sheet's used range, header included: "A1:I1000001"."""
        return f"A1:{self._letters[-1]}{self.next_row - 1}"

    def copy_to(self, dest: IO[bytes]) -> None:
        self.finish()
        if self._file is None:
            return
        self._file.seek(0)
        shutil.copyfileobj(self._file, dest, _COPY_CHUNK)

    def close(self) -> None:
        """Delete the temporary file (the rows are lost)."""
        self._pending.clear()
        if self._file is not None:
            self._file.close()
            self._file = None


_SHEET_DATA_END = b"</sheetData>"
_SHEET_DATA_EMPTY = b"<sheetData/>"
_DIMENSION = re.compile(rb"<dimension [^>]*/>")
# What may follow <dimension> in a worksheet, in the schema's order.
_AFTER_DIMENSION = (b"<sheetViews", b"<sheetFormatPr", b"<cols", b"<sheetData")
# Deflate level of the sheets with rows: twice as fast as the default (6) on a million-row
# inventory (3.6 s instead of 7.5 s for 650 MB of XML) for a file 10 to 20 % larger.
_ROWS_LEVEL = 3
_ZIP64_LIMIT = (1 << 31) - 1  # as zipfile: a part larger than this needs zip64 records


def splice_rows(package: IO[bytes], dest: IO[bytes], rows: Mapping[str, SheetRows]) -> None:
    """Copy the xlsx `package` to `dest`, each sheet part named in `rows` with its rows added.

    The parts were written with their header row alone: the rows go just before
    `</sheetData>`, everything else (columns, frozen panes, filter, validations, links,
    drawings) stays as it was. A `<dimension>` gives the used range, so readers that trust
    it (openpyxl's read-only mode) see the whole sheet with rows of equal length.
    """
    with (
        zipfile.ZipFile(package) as source,
        zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED, compresslevel=_ROWS_LEVEL) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            sheet = rows.get(info.filename)
            if sheet is not None:
                sheet.finish()
            if sheet is None or not sheet.size:
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            if _SHEET_DATA_END in data:
                cut = data.rindex(_SHEET_DATA_END)
                head, tail = data[:cut], data[cut:]
            else:  # no header row: an empty element
                cut = data.index(_SHEET_DATA_EMPTY)
                head = data[:cut] + b"<sheetData>"
                tail = _SHEET_DATA_END + data[cut + len(_SHEET_DATA_EMPTY) :]
            head = _with_dimension(head, sheet.dimension)
            # The size is known in advance: zip64 only when the part needs it, as zipfile does.
            size = len(head) + sheet.size + len(tail)
            with target.open(info.filename, "w", force_zip64=size * 1.05 > _ZIP64_LIMIT) as out:
                out.write(head)
                sheet.copy_to(out)
                out.write(tail)


def _with_dimension(head: bytes, dimension: str) -> bytes:
    element = f'<dimension ref="{dimension}"/>'.encode()
    if _DIMENSION.search(head):  # the header's alone
        return _DIMENSION.sub(element, head, count=1)
    at = min(head.find(name) for name in _AFTER_DIMENSION if name in head)
    return head[:at] + element + head[at:]
