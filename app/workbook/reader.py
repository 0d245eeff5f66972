"""Read xlsx workbooks that users bring (tables to import), safely and with located errors.

The file is checked before openpyxl sees it: a regular file, a zip holding an Excel workbook,
not an encrypted (password-protected) workbook, not a zip bomb. openpyxl then reads it in
read-only mode (streamed rows) with `data_only=True`, so a formula gives the value Excel last
computed. A formula that was never computed (a file written by a program, never opened in a
spreadsheet) has no value: the cell says so through `Cell.formula`, and `Cell.problem()`
turns it into a message when the caller needs the value.

XML safety: openpyxl parses with lxml without entity resolution, and with the standard
library's expat (no external entities, protection against entity expansion) for the rows.

Every row carries its sheet name and 1-based number, and every cell its column letter, so a
caller reports "sheet X, row N, column C (Header)" through `location()`.
"""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from app.i18n import _
from app.workbook import WorkbookError

__all__ = [
    "MAX_UNCOMPRESSED_BYTES",
    "Cell",
    "CellValue",
    "HeaderColumn",
    "ReadWorkbook",
    "SheetRow",
    "WorkbookError",
    "location",
    "match_header",
    "normalise_header",
    "open_workbook",
]

CellValue = str | int | float | bool | date | datetime | None

# Largest total of uncompressed parts accepted: tables people import are a few megabytes;
# a zip bomb declares gigabytes.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: old .xls or encrypted OOXML
_ENCRYPTION_MARKER = "EncryptionInfo".encode("utf-16-le")


@dataclass(frozen=True, slots=True)
class Cell:
    column: str  # letter: "A", "B", … "AA"
    value: CellValue
    formula: str = ""  # a formula whose value was never computed (the value is None)
    error: str = ""  # an Excel error shown in the cell, such as #REF! (the value is None)

    def problem(self) -> str:
        """Why the cell has no usable value, or "" when it has one (or is simply empty)."""
        if self.formula:
            return _(
                "the formula {formula} has no computed value: open the file in Excel or "
                "LibreOffice and save it again."
            ).format(formula=self.formula)
        if self.error:
            return _("the cell shows the error {error}.").format(error=self.error)
        return ""


@dataclass(frozen=True, slots=True)
class SheetRow:
    sheet: str
    number: int  # 1-based, as the spreadsheet shows it
    cells: tuple[Cell, ...]

    def is_empty(self) -> bool:
        return all(c.value is None and not c.formula and not c.error for c in self.cells)

    def cell(self, column: str) -> Cell:
        """The cell in that column; an empty one when the row stops before it."""
        for candidate in self.cells:
            if candidate.column == column:
                return candidate
        return Cell(column, None)


def location(sheet: str, row: int | None = None, column: str = "", header: str = "") -> str:
    """'sheet X, row N, column C (Header)', as far as it is known."""
    if row is None:
        return _("sheet {sheet}").format(sheet=sheet)
    if not column:
        return _("sheet {sheet}, row {row}").format(sheet=sheet, row=row)
    if not header:
        return _("sheet {sheet}, row {row}, column {column}").format(
            sheet=sheet, row=row, column=column
        )
    return _("sheet {sheet}, row {row}, column {column} ({header})").format(
        sheet=sheet, row=row, column=column, header=header
    )


def normalise_header(text: str) -> str:
    """A header as matched against known names: no case, no accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    kept = "".join(c if c.isalnum() else " " for c in plain.casefold())
    return " ".join(kept.split())


def _check_file(path: Path, max_bytes: int) -> None:
    if not path.exists():
        raise WorkbookError(_("{path} does not exist.").format(path=path))
    if not path.is_file():
        raise WorkbookError(_("{path} is not a file.").format(path=path))
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise WorkbookError(
            _("{path} cannot be read: {error}").format(path=path, error=exc.strerror or exc)
        ) from exc
    if head == _OLE_MAGIC:
        if _is_encrypted(path):
            raise WorkbookError(
                _(
                    "{name} is protected by a password: remove the password in Excel "
                    "(File, Info, Protect Workbook) and save it again."
                ).format(name=path.name)
            )
        raise WorkbookError(
            _("{name} is an old Excel file (.xls): save it as an Excel workbook (.xlsx).").format(
                name=path.name
            )
        )
    if not zipfile.is_zipfile(path):
        raise WorkbookError(_("{name} is not an Excel workbook (.xlsx).").format(name=path.name))
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            declared = sum(info.file_size for info in archive.infolist())
            mimetype = (
                archive.read("mimetype")[:100].decode("ascii", "replace")
                if "mimetype" in names
                else ""
            )
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(
            _("{name} is damaged: {error}").format(name=path.name, error=exc)
        ) from exc
    if "opendocument.spreadsheet" in mimetype:
        raise WorkbookError(
            _(
                "{name} is an OpenDocument spreadsheet (.ods): save it as an Excel workbook "
                "(.xlsx)."
            ).format(name=path.name)
        )
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise WorkbookError(_("{name} is not an Excel workbook (.xlsx).").format(name=path.name))
    if "xl/workbook.bin" in names:
        raise WorkbookError(
            _("{name} is a binary Excel workbook (.xlsb): save it as .xlsx.").format(name=path.name)
        )
    if declared > max_bytes:
        raise WorkbookError(
            _("{name} unpacks to more than {limit} MB: refused.").format(
                name=path.name, limit=max_bytes // (1024 * 1024)
            )
        )


def _is_encrypted(path: Path) -> bool:
    """An encrypted OOXML file is a compound file with an EncryptionInfo stream."""
    tail = b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            if _ENCRYPTION_MARKER in tail + chunk:
                return True
            tail = chunk[-len(_ENCRYPTION_MARKER) :]
    return False


def _normalise(raw: Any, number_format: str) -> CellValue:
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw.strip()
        return text or None
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, float):
        # Excel has one number type: a whole number comes back as an int.
        return int(raw) if raw.is_integer() else raw
    if isinstance(raw, int):
        return raw
    if isinstance(raw, datetime):
        date_only = raw.time() == time(0) and not any(c in number_format.lower() for c in "hs")
        return raw.date() if date_only else raw
    if isinstance(raw, date):
        return raw
    if isinstance(raw, time):
        return raw.isoformat()
    if isinstance(raw, timedelta):
        return str(raw)
    return str(raw).strip() or None


class ReadWorkbook:
    """An open workbook; use it as a context manager, or call close()."""

    def __init__(self, path: Path, values: Any, formulas: Any) -> None:
        self.path = path
        self._values = values
        self._formulas = formulas

    def __enter__(self) -> ReadWorkbook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._values.close()
        if self._formulas is not None:
            self._formulas.close()

    @property
    def sheet_names(self) -> list[str]:
        return [str(name) for name in self._values.sheetnames]

    def pick_sheet(self, preferred: Sequence[str] = ()) -> str:
        """The first sheet whose name matches one of `preferred` (any case), else the first."""
        wanted = {normalise_header(name) for name in preferred}
        for name in self.sheet_names:
            if normalise_header(name) in wanted:
                return name
        if not self.sheet_names:
            raise WorkbookError(_("{name} has no sheet.").format(name=self.path.name))
        return self.sheet_names[0]

    def rows(self, sheet: str) -> Iterator[SheetRow]:
        """Every row of the sheet from row 1, empty ones included, with located cells."""
        if sheet not in self.sheet_names:
            raise WorkbookError(
                _("{name} has no sheet named {sheet} (sheets: {sheets}).").format(
                    name=self.path.name, sheet=sheet, sheets=", ".join(self.sheet_names)
                )
            )
        values_sheet = self._values[sheet]
        if not hasattr(values_sheet, "iter_rows"):  # a chart sheet
            raise WorkbookError(
                _("{name}: the sheet {sheet} holds no cells.").format(
                    name=self.path.name, sheet=sheet
                )
            )
        # Some programs write a wrong size in the sheet header: read what is really there.
        values_sheet.reset_dimensions()
        value_rows = values_sheet.iter_rows()
        formula_rows: Iterator[Any] | None = None
        if self._formulas is not None:
            formula_sheet = self._formulas[sheet]
            formula_sheet.reset_dimensions()
            formula_rows = formula_sheet.iter_rows()
        try:
            for number, row in enumerate(value_rows, start=1):
                twin = next(formula_rows, ()) if formula_rows is not None else ()
                yield SheetRow(sheet, number, tuple(self._cells(row, twin)))
        except WorkbookError:
            raise
        except Exception as exc:  # malformed XML or parts: openpyxl raises many kinds
            raise WorkbookError(
                _("{name}, sheet {sheet}: the sheet cannot be read ({error}).").format(
                    name=self.path.name, sheet=sheet, error=exc
                )
            ) from exc

    @staticmethod
    def _cells(row: Sequence[Any], twin: Sequence[Any]) -> Iterator[Cell]:
        for index, cell in enumerate(row):
            column = get_column_letter(index + 1)
            raw = getattr(cell, "value", None)
            data_type = getattr(cell, "data_type", "n")
            if data_type == "e":
                yield Cell(column, None, error=str(raw))
                continue
            if raw is None and index < len(twin):
                formula = getattr(twin[index], "value", None)
                if getattr(twin[index], "data_type", "") == "f" and formula is not None:
                    yield Cell(column, None, formula=str(getattr(formula, "text", formula)))
                    continue
            number_format = str(getattr(cell, "number_format", "General") or "General")
            yield Cell(column, _normalise(raw, number_format))


def open_workbook(
    path: Path, *, detect_formulas: bool = True, max_bytes: int = MAX_UNCOMPRESSED_BYTES
) -> ReadWorkbook:
    """Open an xlsx file for reading, or raise WorkbookError saying why it cannot be.

    With `detect_formulas`, the workbook is also read once without cached values, row by
    row alongside the first, to tell an empty cell from a formula never computed.
    """
    _check_file(path, max_bytes)

    def load(data_only: bool) -> Any:
        try:
            return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
        except Exception as exc:  # openpyxl raises many kinds on a malformed file
            raise WorkbookError(
                _("{name} cannot be read as an Excel workbook ({error}).").format(
                    name=path.name, error=exc
                )
            ) from exc

    values = load(True)
    formulas = None
    if detect_formulas:
        try:
            formulas = load(False)
        except WorkbookError:
            values.close()
            raise
    return ReadWorkbook(path, values, formulas)


@dataclass(frozen=True, slots=True)
class HeaderColumn:
    column: str  # letter
    key: str  # the caller's name for the field
    header: str  # as written in the file


def match_header(
    row: SheetRow, aliases: Mapping[str, str]
) -> tuple[list[HeaderColumn], list[Cell]]:
    """Known columns of a header row, and the cells whose text names no known column.

    `aliases` maps every accepted header (any case or accents) to the caller's field key.
    Empty header cells are neither known nor unknown.
    """
    normalised = {normalise_header(alias): key for alias, key in aliases.items()}
    known: list[HeaderColumn] = []
    unknown: list[Cell] = []
    for cell in row.cells:
        if cell.value is None:
            continue
        text = str(cell.value)
        key = normalised.get(normalise_header(text))
        if key is None:
            unknown.append(cell)
        else:
            known.append(HeaderColumn(cell.column, key, text))
    return known, unknown
