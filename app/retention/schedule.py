"""The tableau de gestion (retention schedule): its entries, the bundled default for communes,
strict xlsx import and export, and the mapping of entries to the SAE's rule ids.

Representation (the same as the series that follow an entry, see app.project.series):
- `dua_value` None: no DUA decided yet ("DUA à définir"); the series' files are "no rule".
- A DUA that lasts as long as the dossier is in force ("validité", a perpetual concession, a
  plan until it is replaced) is 0 counted from the closure (`dua_start` "closure"): the files
  stay active until the series is closed, and the final action applies at once after.
- `access_value` None: the general rule of the Code du patrimoine (L.213-1), communicable
  immediately, like 0. A delay (25, 50, 75 years…) comes from L.213-2.
- The final action is keep (conserver), destroy (détruire) or sort (trier, how in `sort_note`).

An xlsx import is strict like the Vitam CSV imports (app.retention.referential): every problem
names its sheet, row and column, and nothing is imported while one remains.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from app.errors import AppError
from app.i18n import N_, _
from app.project.series import (
    DUA_START_LABELS,
    DUA_STARTS,
    DUA_UNITS,
    FINAL_ACTION_LABELS,
    FINAL_ACTIONS,
    UNIT_LABELS,
)
from app.project.store import Project
from app.project.undo import command
from app.retention.dates import period_text
from app.retention.referential import MEASUREMENTS, check_rule_ids, list_rules
from app.workbook.reader import (
    Cell,
    SheetRow,
    location,
    match_header,
    normalise_header,
    open_workbook,
)
from app.workbook.writer import Column, ColumnKind, SummaryItem, Workbook

DEFAULT_RESOURCE = ("retention", "tableau-de-gestion-communes.toml")
SHEET_NAMES = ("Tableau de gestion", "Retention schedule")
HEADER_SEARCH_ROWS = 10  # a title may sit above the header row
_UNIT_LIMITS = {
    "year": MEASUREMENTS["YEAR"],
    "month": MEASUREMENTS["MONTH"],
    "day": MEASUREMENTS["DAY"],
}


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    """One line of the tableau de gestion: a kind of record and what becomes of it."""

    code: str
    title: str
    domain: str = ""
    description: str = ""
    dua_value: int | None = None
    dua_unit: str = "year"
    dua_start: str = "latest_document"
    final_action: str = "keep"
    sort_note: str = ""
    access_value: int | None = None
    access_unit: str = "year"
    appraisal_rule_id: str = ""
    access_rule_id: str = ""
    legal_basis: str = ""
    observations: str = ""
    position: int = 0
    id: int | None = None

    def dua_text(self) -> str:
        """ "10 ans", "6 mois", "aucune", "DUA à définir"."""
        if self.dua_value is None:
            return _("DUA not set")
        if self.dua_value == 0:
            return _("no DUA")
        return period_text(self.dua_value, self.dua_unit)

    def dua_summary(self) -> str:
        """ "DUA de 10 ans à compter de la date du document le plus récent", "sans DUA"…"""
        if self.dua_value is None:
            return _("DUA not set")
        if self.dua_value == 0:
            if self.dua_start == "closure":
                return _("DUA until the closure")
            return _("no DUA")
        return _("DUA of {period} from the {start}").format(
            period=period_text(self.dua_value, self.dua_unit),
            start=_(DUA_START_LABELS[self.dua_start]),
        )

    def final_action_text(self) -> str:
        return _(FINAL_ACTION_LABELS[self.final_action])

    def access_text(self) -> str:
        if not self.access_value:
            return _("communicable immediately")
        return period_text(self.access_value, self.access_unit)


FIELD_NAMES = tuple(f.name for f in fields(ScheduleEntry) if f.name not in ("id", "position"))
_COLUMNS_SQL = ", ".join(FIELD_NAMES)


class ScheduleError(AppError):
    """A tableau de gestion cannot be read or imported: every problem is listed."""


# -- values, in French, English or as keys ----------------------------------------------------
def _words(*items: str) -> frozenset[str]:
    return frozenset(normalise_header(item) for item in items)


_UNIT_WORDS = {
    "year": _words("year", "years", "y", "an", "ans", "année", "années", "a", "an(s)", "year(s)"),
    "month": _words("month", "months", "m", "mois", "month(s)"),
    "day": _words("day", "days", "d", "j", "jour", "jours", "jour(s)", "day(s)"),
}
_FINAL_WORDS = {
    "keep": _words("keep", "k", "c", "conserver", "conservation", "conservation définitive"),
    "destroy": _words("destroy", "d", "e", "détruire", "destruction", "éliminer", "élimination"),
    "sort": _words("sort", "t", "trier", "tri"),
}
_START_WORDS = {
    "latest_document": _words(
        "latest_document",
        "latest document",
        "most recent document",
        "date of the most recent document",
        "document le plus récent",
        "date du document le plus récent",
        "plus récent",
    ),
    "earliest_document": _words(
        "earliest_document",
        "earliest document",
        "date of the earliest document",
        "document le plus ancien",
        "date du document le plus ancien",
        "plus ancien",
    ),
    "closure": _words(
        "closure",
        "closure of the series",
        "closure of the dossier",
        "clôture",
        "clôture du dossier",
        "clôture de la série",
        "date de clôture",
    ),
}
_IMMEDIATE_WORDS = _words(
    "immédiat",
    "immédiate",
    "immédiatement",
    "communicable immédiatement",
    "immediately",
    "communicable immediately",
)
_UNLIMITED_WORDS = _words("illimitée", "illimité", "unlimited", "validité", "durée de validité")
_NUMBER_AND_UNIT = re.compile(r"^(\d+)(?: (.+))?$")


def _lookup(words: Mapping[str, frozenset[str]], labels: Mapping[str, str], value: str) -> str:
    """The key a word names, or "" (the current language's labels are accepted too)."""
    wanted = normalise_header(value)
    for key, accepted in words.items():
        if wanted in accepted:
            return key
        label = labels.get(key)
        if label and wanted in (normalise_header(label), normalise_header(_(label))):
            return key
    return ""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


Report = Callable[[str, str], None]  # (field, message)


def _period(
    value: object, unit_value: object, field: str, unit_field: str, report: Report, *, dua: bool
) -> tuple[int | None, str | None]:
    """A number of years/months/days (unit from its column or written after the number)."""
    unit: str | None = None
    unit_text = _text(unit_value)
    if unit_text:
        unit = _lookup(_UNIT_WORDS, UNIT_LABELS, unit_text) or None
        if unit is None:
            report(
                unit_field,
                _("{value} is not a unit (years, months or days).").format(value=unit_text),
            )
    if value is None or value == "":
        return None, unit
    number: int | None = None
    if isinstance(value, bool | date | datetime):
        report(field, _("{value} is not a number.").format(value=_text(value)))
        return None, unit
    if isinstance(value, float):
        if not value.is_integer():
            report(field, _("{value} is not a whole number.").format(value=value))
            return None, unit
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = normalise_header(str(value))
        if not dua and text in _IMMEDIATE_WORDS:
            return 0, unit
        if dua and text in _UNLIMITED_WORDS:
            report(
                field,
                _(
                    "{value}: a DUA that lasts as long as the dossier is in force is written 0, "
                    "with the start 'closure'."
                ).format(value=_text(value)),
            )
            return None, unit
        match = _NUMBER_AND_UNIT.match(text)
        if match is None or str(value).strip().startswith("-"):
            report(
                field,
                _("{value} is not a whole number of years, months or days.").format(
                    value=_text(value)
                ),
            )
            return None, unit
        number = int(match.group(1))
        if match.group(2):
            written = _lookup(_UNIT_WORDS, UNIT_LABELS, match.group(2))
            if not written:
                report(
                    field,
                    _("{value} is not a whole number of years, months or days.").format(
                        value=_text(value)
                    ),
                )
                return None, unit
            if unit is not None and unit != written:
                report(
                    field,
                    _("{value} does not agree with the unit column ({unit}).").format(
                        value=_text(value), unit=unit_text
                    ),
                )
            unit = unit or written
    if number < 0:
        report(field, _("{value} is negative.").format(value=number))
        return None, unit
    limit = _UNIT_LIMITS[unit or "year"]
    if number > limit:
        report(
            field,
            _("{value} is over the SAE's limit ({limit}).").format(value=number, limit=limit),
        )
        return None, unit
    return number, unit


def _entry(raw: Mapping[str, object], position: int, report: Report) -> ScheduleEntry | None:
    """An entry from field values as found in a file, or None after reporting its problems."""
    failed: list[str] = []

    def note(field: str, message: str) -> None:
        failed.append(field)
        report(field, message)

    code, title = _text(raw.get("code")), _text(raw.get("title"))
    if not code:
        note("code", _("required."))
    if not title:
        note("title", _("required."))
    dua_value, dua_unit = _period(
        raw.get("dua_value"), raw.get("dua_unit"), "dua_value", "dua_unit", note, dua=True
    )
    access_value, access_unit = _period(
        raw.get("access_value"),
        raw.get("access_unit"),
        "access_value",
        "access_unit",
        note,
        dua=False,
    )
    start = "latest_document"
    start_text = _text(raw.get("dua_start"))
    if start_text:
        start = _lookup(_START_WORDS, DUA_START_LABELS, start_text)
        if not start:
            note(
                "dua_start",
                _("{value} is not a starting point ({choices}).").format(
                    value=start_text,
                    choices=", ".join(_(DUA_START_LABELS[s]) for s in DUA_STARTS),
                ),
            )
    final_text = _text(raw.get("final_action"))
    final = _lookup(_FINAL_WORDS, FINAL_ACTION_LABELS, final_text)
    if not final_text:
        note("final_action", _("required."))
    elif not final:
        note(
            "final_action",
            _("{value} is not a final action ({choices}).").format(
                value=final_text,
                choices=", ".join(_(FINAL_ACTION_LABELS[a]) for a in FINAL_ACTIONS),
            ),
        )
    if failed:
        return None
    return ScheduleEntry(
        code=code,
        title=title,
        domain=_text(raw.get("domain")),
        description=_text(raw.get("description")),
        dua_value=dua_value,
        dua_unit=dua_unit or "year",
        dua_start=start,
        final_action=final,
        sort_note=_text(raw.get("sort_note")),
        access_value=access_value,
        access_unit=access_unit or "year",
        appraisal_rule_id=_text(raw.get("appraisal_rule_id")),
        access_rule_id=_text(raw.get("access_rule_id")),
        legal_basis=_text(raw.get("legal_basis")),
        observations=_text(raw.get("observations")),
        position=position,
    )


def _reporter(problems: list[str], locate: Callable[[str], str]) -> Report:
    def report(field: str, message: str) -> None:
        problems.append(f"{locate(field)}: {message}")

    return report


def check_entries(entries: Sequence[ScheduleEntry]) -> list[str]:
    """Problems with entries built in code (the readers already guarantee all this)."""
    problems: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        label = entry.code or "?"
        if not entry.code.strip() or not entry.title.strip():
            problems.append(_("{code}: a code and a title are required.").format(code=label))
        if entry.code in seen:
            problems.append(_("{code}: the code appears twice.").format(code=label))
        seen.add(entry.code)
        for name, allowed in (
            ("dua_unit", DUA_UNITS),
            ("access_unit", DUA_UNITS),
            ("dua_start", DUA_STARTS),
            ("final_action", FINAL_ACTIONS),
        ):
            if getattr(entry, name) not in allowed:
                problems.append(
                    _("{code}: {field} {value} is not one of {allowed}.").format(
                        code=label,
                        field=name,
                        value=getattr(entry, name),
                        allowed=", ".join(allowed),
                    )
                )
        for name in ("dua_value", "access_value"):
            value = getattr(entry, name)
            if value is not None and (isinstance(value, bool) or value < 0):
                problems.append(
                    _("{code}: {field} must be a whole number ≥ 0.").format(code=label, field=name)
                )
    return problems


# -- the bundled default -----------------------------------------------------------------------
_DEFAULT_KEYS = frozenset(FIELD_NAMES) - {"appraisal_rule_id", "access_rule_id"}


def parse_schedule_toml(text: str, name: str) -> list[ScheduleEntry]:
    """Entries of a tableau de gestion written in TOML (`[[entry]]` tables, keys as fields).

    SAE rule ids are refused: they belong to each SAE's referential, never to a model table.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(
            _("{file} is not valid TOML: {error}").format(file=name, error=exc)
        ) from exc
    problems: list[str] = []
    for key in sorted(set(document) - {"schedule", "entry"}):
        problems.append(
            _("{file}, {key}: unknown table (expected [schedule] and [[entry]]).").format(
                file=name, key=key
            )
        )
    raw_entries = document.get("entry", [])
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ScheduleError(_("{file} has no [[entry]] table.").format(file=name))
    entries: list[ScheduleEntry] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_entries, start=1):
        code = str(raw.get("code", "")) if isinstance(raw, dict) else ""

        def locate(field: str, index: int = index, code: str = code) -> str:
            return _("{file}, entry {n} ({code}), {field}").format(
                file=name, n=index, code=code or "?", field=field
            )

        report = _reporter(problems, locate)
        if not isinstance(raw, dict):
            report("entry", _("not a table."))
            continue
        for key in sorted(set(raw) - _DEFAULT_KEYS):
            report(key, _("unknown key."))
        for key, value in raw.items():
            if key not in {"dua_value", "access_value"} and not isinstance(value, str):
                report(key, _("must be text."))
        entry = _entry(raw, index, report)
        if entry is None:
            continue
        if entry.code in seen:
            report(
                "code", _("{id} already in entry {n}.").format(id=entry.code, n=seen[entry.code])
            )
            continue
        seen[entry.code] = index
        entries.append(entry)
    if problems:
        raise ScheduleError(
            _("{file} cannot be read.").format(file=name), details="\n".join(problems)
        )
    return entries


def default_schedule() -> list[ScheduleEntry]:
    """The model tableau de gestion for communes bundled with Besace (no SAE rule ids)."""
    folder, name = DEFAULT_RESOURCE
    source = resources.files("app") / "resources" / folder / name
    try:
        return parse_schedule_toml(source.read_text(encoding="utf-8"), name)
    except ScheduleError as exc:
        # The file ships with the application: a problem in it is a bug, not the user's.
        raise ScheduleError(
            _("The bundled tableau de gestion is damaged (please report this bug)."),
            details=f"{exc.message}\n{exc.details}".strip(),
        ) from exc


# -- xlsx layout ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Layout:
    field: str
    header: str  # English source (marked with N_), written translated
    aliases: tuple[str, ...]  # other accepted headers, any language
    kind: ColumnKind = ColumnKind.TEXT
    width: float = 14
    wrap: bool = False


LAYOUT = (
    _Layout("code", N_("Code"), ("Code", "Cote", "N°", "Numéro"), width=10),
    _Layout("domain", N_("Domain"), ("Domaine", "Rubrique"), width=22),
    _Layout(
        "title",
        N_("Title"),
        ("Typologie / Intitulé", "Typologie", "Intitulé", "Typologie documentaire", "Document"),
        width=45,
        wrap=True,
    ),
    _Layout("description", N_("Description"), ("Description", "Contenu"), width=40, wrap=True),
    _Layout(
        "dua_value",
        N_("DUA"),
        ("DUA", "D.U.A.", "Durée d'utilité administrative", "Retention period"),
        ColumnKind.INTEGER,
        8,
    ),
    _Layout("dua_unit", N_("DUA unit"), ("Unité DUA", "Unité de la DUA"), width=10),
    _Layout(
        "dua_start",
        N_("DUA start"),
        ("Point de départ de la DUA", "Point de départ", "Départ de la DUA"),
        width=24,
    ),
    _Layout("final_action", N_("Final action"), ("Sort final", "Sort"), width=12),
    _Layout(
        "sort_note",
        N_("Sort note"),
        ("Précisions sur le tri", "Modalités de tri", "Tri"),
        width=40,
        wrap=True,
    ),
    _Layout(
        "access_value",
        N_("Access delay"),
        ("Délai de communicabilité", "Communicabilité", "Access period"),
        ColumnKind.INTEGER,
        14,
    ),
    _Layout(
        "access_unit",
        N_("Access unit"),
        ("Unité communicabilité", "Unité de communicabilité", "Unité du délai de communicabilité"),
        width=12,
    ),
    _Layout(
        "appraisal_rule_id",
        N_("SAE appraisal rule (DUA)"),
        ("Règle de gestion SAE (DUA)", "Règle de gestion SAE", "Règle DUA SAE", "Appraisal rule"),
        width=18,
    ),
    _Layout(
        "access_rule_id",
        N_("SAE access rule"),
        ("Règle de communicabilité SAE", "Règle de communicabilité", "Access rule"),
        width=18,
    ),
    _Layout(
        "legal_basis",
        N_("Legal basis"),
        ("Textes de référence", "Références réglementaires", "Références", "Base légale"),
        width=40,
        wrap=True,
    ),
    _Layout(
        "observations",
        N_("Observations"),
        ("Observations", "Remarques", "Notes"),
        width=45,
        wrap=True,
    ),
)
REQUIRED_FIELDS = ("code", "title", "dua_value", "final_action")
_BY_FIELD = {layout.field: layout for layout in LAYOUT}


def _aliases() -> dict[str, str]:
    accepted: dict[str, str] = {}
    for layout in LAYOUT:
        for header in (layout.header, _(layout.header), *layout.aliases):
            accepted[header] = layout.field
    return accepted


@dataclass(frozen=True, slots=True)
class ScheduleSheet:
    """What an xlsx file holds: its entries and which fields had a column."""

    entries: list[ScheduleEntry]
    present_fields: frozenset[str]

    @property
    def missing_fields(self) -> frozenset[str]:
        return frozenset(FIELD_NAMES) - self.present_fields


def read_schedule_sheet(path: Path) -> ScheduleSheet:
    """Read a tableau de gestion from xlsx: every problem is listed, or none is imported."""
    with open_workbook(path) as workbook:
        sheet = workbook.pick_sheet(SHEET_NAMES)
        rows = workbook.rows(sheet)
        return _read_rows(path, sheet, rows)


def read_schedule_xlsx(path: Path) -> list[ScheduleEntry]:
    return read_schedule_sheet(path).entries


def _find_header(
    path: Path, sheet: str, rows: Iterable[SheetRow]
) -> tuple[SheetRow, dict[str, tuple[str, str]], set[str], list[str]]:
    """The header row, its known columns (letter → field, header), the letters already
    reported (unknown or repeated headers), and the header's problems."""
    aliases = _aliases()
    for row in rows:
        if row.number > HEADER_SEARCH_ROWS:
            break
        known, unknown = match_header(row, aliases)
        found = {h.key for h in known}
        if "code" not in found or "title" not in found:
            continue
        problems: list[str] = []
        columns: dict[str, tuple[str, str]] = {}  # letter → (field, header as written)
        first_seen: dict[str, str] = {}
        for header in known:
            if header.key in first_seen:
                problems.append(
                    f"{location(sheet, row.number, header.column, header.header)}: "
                    + _("this column is already in column {column}.").format(
                        column=first_seen[header.key]
                    )
                )
                continue
            first_seen[header.key] = header.column
            columns[header.column] = (header.key, header.header)
        for cell in unknown:
            problems.append(
                f"{location(sheet, row.number, cell.column)}: "
                + _("unknown column {header}.").format(header=cell.value)
            )
        for field in REQUIRED_FIELDS:
            if field not in first_seen:
                problems.append(
                    f"{location(sheet, row.number)}: "
                    + _("the required column {header} is missing.").format(
                        header=_(_BY_FIELD[field].header)
                    )
                )
        reported = {cell.column for cell in unknown} | {h.column for h in known} - set(columns)
        return row, columns, reported, problems
    raise ScheduleError(
        _(
            "{file}, {where}: no header row with the columns {code} and {title} "
            "in the first {n} rows."
        ).format(
            file=path.name,
            where=location(sheet),
            code=_("Code"),
            title=_(_BY_FIELD["title"].header),
            n=HEADER_SEARCH_ROWS,
        ),
        details=_("Accepted columns: {columns}.").format(
            columns=", ".join(_(layout.header) for layout in LAYOUT)
        ),
    )


def _read_rows(path: Path, sheet: str, rows: Iterable[SheetRow]) -> ScheduleSheet:
    iterator = iter(rows)
    header_row, columns, reported, header_problems = _find_header(path, sheet, iterator)
    if any(f not in {k for k, _h in columns.values()} for f in REQUIRED_FIELDS):
        raise ScheduleError(
            _("{file} cannot be imported.").format(file=path.name),
            details="\n".join(header_problems),
        )
    problems = list(header_problems)
    known_letters = set(columns) | reported
    entries: list[ScheduleEntry] = []
    seen: dict[str, int] = {}
    for row in iterator:
        if row.is_empty():
            continue
        letters = {c.column: c for c in row.cells}

        def locate(field: str, row: SheetRow = row) -> str:
            for letter, (key, header) in columns.items():
                if key == field:
                    return location(sheet, row.number, letter, header)
            return location(sheet, row.number)

        report = _reporter(problems, locate)
        raw: dict[str, object] = {}
        for letter, (key, _header) in columns.items():
            cell = letters.get(letter, Cell(letter, None))
            issue = cell.problem()
            if issue:
                report(key, issue)
            raw[key] = cell.value
        for cell in row.cells:
            if cell.column not in known_letters and (cell.value is not None or cell.formula):
                problems.append(
                    f"{location(sheet, row.number, cell.column)}: "
                    + _("a value in a column without a header.")
                )
        entry = _entry(raw, len(entries) + 1, report)
        if entry is None:
            continue
        if entry.code in seen:
            report(
                "code",
                _("{id} already on row {line}.").format(id=entry.code, line=seen[entry.code]),
            )
            continue
        seen[entry.code] = row.number
        entries.append(entry)
    if not problems and not entries:
        problems.append(f"{location(sheet, header_row.number)}: " + _("no entry below the header."))
    if problems:
        raise ScheduleError(
            _("{file} cannot be imported.").format(file=path.name), details="\n".join(problems)
        )
    return ScheduleSheet(entries, frozenset(key for key, _h in columns.values()))


def write_schedule_xlsx(entries: Sequence[ScheduleEntry], path: Path) -> None:
    """The tableau de gestion as xlsx, in the layout `read_schedule_xlsx` reads back."""
    book = Workbook()
    table = book.add_sheet(
        _("Retention schedule"),
        [Column(_(layout.header), layout.kind, layout.width, layout.wrap) for layout in LAYOUT],
    )
    for entry in entries:
        table.append(
            [
                entry.code,
                entry.domain,
                entry.title,
                entry.description,
                entry.dua_value,
                _(UNIT_LABELS[entry.dua_unit]),
                _(DUA_START_LABELS[entry.dua_start]),
                _(FINAL_ACTION_LABELS[entry.final_action]).capitalize(),
                entry.sort_note,
                entry.access_value,
                _(UNIT_LABELS[entry.access_unit]),
                entry.appraisal_rule_id,
                entry.access_rule_id,
                entry.legal_basis,
                entry.observations,
            ]
        )
    index = {layout.field: i for i, layout in enumerate(LAYOUT)}
    units = [_(UNIT_LABELS[u]) for u in DUA_UNITS]
    table.add_list_validation(index["dua_unit"], units)
    table.add_list_validation(index["access_unit"], units)
    table.add_list_validation(
        index["dua_start"], [_(DUA_START_LABELS[s]) for s in DUA_STARTS], allow_blank=True
    )
    table.add_list_validation(
        index["final_action"],
        [_(FINAL_ACTION_LABELS[a]).capitalize() for a in FINAL_ACTIONS],
        allow_blank=False,
    )
    book.add_summary(
        _("How to fill in"),
        _("Tableau de gestion: how to fill in this workbook"),
        [
            SummaryItem(_(_BY_FIELD[f].header), text)
            for f, text in (
                ("code", _("required, unique: the series of the plan de classement refer to it")),
                ("title", _("required: the kind of record")),
                (
                    "dua_value",
                    _("required column: a whole number (0: none); leave empty while not decided"),
                ),
                ("dua_unit", _("year(s), month(s) or day(s)")),
                (
                    "dua_start",
                    _(
                        "most recent document (default), earliest document, "
                        "or closure of the series"
                    ),
                ),
                ("final_action", _("required: Keep (C), Destroy (D) or Sort (T)")),
                (
                    "access_value",
                    _("years before the records are communicable; 0 or empty: at once"),
                ),
                ("appraisal_rule_id", _("the rule id in the SAE's rules referential, if known")),
            )
        ],
        first=False,
    )
    book.save(path)


# -- the project's schedule --------------------------------------------------------------------
def _row_to_entry(row: Sequence[object]) -> ScheduleEntry:
    names = (*FIELD_NAMES, "position", "id")
    return ScheduleEntry(**dict(zip(names, row, strict=True)))  # type: ignore[arg-type]


def list_schedule(project: Project) -> list[ScheduleEntry]:
    return [
        _row_to_entry(row)
        for row in project.conn.execute(
            f"SELECT {_COLUMNS_SQL}, position, id FROM schedule_entry ORDER BY position, code"
        )
    ]


def get_entry(project: Project, code: str) -> ScheduleEntry:
    row = project.conn.execute(
        f"SELECT {_COLUMNS_SQL}, position, id FROM schedule_entry WHERE code = ?", (code,)
    ).fetchone()
    if row is None:
        raise ScheduleError(_("No entry {code} in the tableau de gestion.").format(code=code))
    return _row_to_entry(row)


@dataclass(frozen=True, slots=True)
class ScheduleImport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    not_in_file: tuple[str, ...] = ()  # codes kept in the project, absent from the file


def import_schedule(
    project: Project,
    entries: Sequence[ScheduleEntry],
    *,
    remove_missing: bool,
    keep_fields: Collection[str] = (),
    add_only: bool = False,
) -> ScheduleImport:
    """Add or update the entries by code, in one transaction.

    Entries of the project absent from `entries` are removed only with `remove_missing`, and
    never while a series refers to them: then nothing is imported and the error lists them.
    `keep_fields` (e.g. the SAE rule ids when the file has no such column) keep the project's
    values for entries already there. With `add_only`, existing entries are left as they are.
    """
    problems = check_entries(entries)
    if problems:
        raise ScheduleError(
            _("The tableau de gestion cannot be imported."), details="\n".join(problems)
        )
    updatable = [name for name in FIELD_NAMES if name not in keep_fields and name != "code"]
    counts = {"added": 0, "updated": 0, "unchanged": 0, "removed": 0}
    with command(project, _("Import the tableau de gestion")) as db:
        existing = {
            row[0]: _row_to_entry(row[1:])
            for row in db.execute(f"SELECT code, {_COLUMNS_SQL}, position, id FROM schedule_entry")
        }
        incoming = {e.code for e in entries}
        missing = sorted(set(existing) - incoming)
        if remove_missing and missing:
            used = db.execute(
                "SELECT e.code, group_concat(s.code, ', ') FROM schedule_entry e"
                " JOIN series s ON s.schedule_entry_id = e.id"
                f" WHERE e.code IN ({', '.join('?' * len(missing))})"
                " GROUP BY e.code ORDER BY e.code",
                missing,
            ).fetchall()
            if used:
                raise ScheduleError(
                    _(
                        "Entries absent from the file are used by series and cannot be removed; "
                        "nothing was imported."
                    ),
                    details="\n".join(
                        _("{code}: used by the series {series}.").format(code=c, series=s)
                        for c, s in used
                    ),
                )
        for entry in entries:
            old = existing.get(entry.code)
            if old is None:
                db.execute(
                    f"INSERT INTO schedule_entry ({_COLUMNS_SQL}, position)"
                    f" VALUES ({', '.join('?' * (len(FIELD_NAMES) + 1))})",
                    [getattr(entry, n) for n in FIELD_NAMES] + [entry.position],
                )
                counts["added"] += 1
                continue
            if add_only:
                counts["unchanged"] += 1
                continue
            new = replace(old, **{n: getattr(entry, n) for n in updatable}, position=entry.position)
            if new == old:
                counts["unchanged"] += 1
                continue
            db.execute(
                f"UPDATE schedule_entry SET {', '.join(f'{n} = ?' for n in updatable)},"
                " position = ? WHERE id = ?",
                [getattr(new, n) for n in updatable] + [new.position, old.id],
            )
            counts["updated"] += 1
        if remove_missing and missing:
            db.execute(
                f"DELETE FROM schedule_entry WHERE code IN ({', '.join('?' * len(missing))})",
                missing,
            )
            counts["removed"] = len(missing)
    return ScheduleImport(**counts, not_in_file=() if remove_missing else tuple(missing))


def load_default_schedule(project: Project, *, overwrite: bool = False) -> ScheduleImport:
    """Add the bundled entries the project lacks; `overwrite` also resets those it has.

    Mapped SAE rule ids are always kept: the bundled table has none.
    """
    return import_schedule(
        project,
        default_schedule(),
        remove_missing=False,
        keep_fields=("appraisal_rule_id", "access_rule_id"),
        add_only=not overwrite,
    )


def map_rule_ids(
    project: Project, code: str, *, appraisal: str | None = None, access: str | None = None
) -> ScheduleEntry:
    """Set the SAE rule ids of an entry ("" clears one, None leaves it).

    With a rules referential in the project, an unknown id or one of the wrong type is refused.
    """
    entry = get_entry(project, code)
    appraisal = appraisal.strip() if appraisal is not None else None
    access = access.strip() if access is not None else None
    used = [(t, r) for r, t in ((appraisal, "AppraisalRule"), (access, "AccessRule")) if r]
    problems = check_rule_ids(project, used)
    if problems:
        raise ScheduleError(
            _("The rule cannot be mapped to {code}.").format(code=code), details="\n".join(problems)
        )
    updated = replace(
        entry,
        appraisal_rule_id=entry.appraisal_rule_id if appraisal is None else appraisal,
        access_rule_id=entry.access_rule_id if access is None else access,
    )
    with command(project, _("Map SAE rules to {code}").format(code=code)) as db:
        db.execute(
            "UPDATE schedule_entry SET appraisal_rule_id = ?, access_rule_id = ? WHERE id = ?",
            (updated.appraisal_rule_id, updated.access_rule_id, entry.id),
        )
    return updated


_MEASUREMENT_OF_UNIT = {"year": "YEAR", "month": "MONTH", "day": "DAY"}


def check_schedule_rule_ids(project: Project) -> list[str]:
    """Problems of the entries' SAE rule ids against the project's rules referential.

    An id must exist, be of the right type (AppraisalRule for the DUA, AccessRule for
    communicabilité), and its duration should be the entry's: the SAE computes end dates
    from the rule, not from the tableau de gestion.
    """
    entries = [e for e in list_schedule(project) if e.appraisal_rule_id or e.access_rule_id]
    if not entries:
        return []
    rules = {rule.rule_id: rule for rule in list_rules(project)}
    if not rules:
        return [
            _(
                "The project has no rules referential: import the SAE's rules "
                "(referential import-rules) to check the rule ids."
            )
        ]
    problems: list[str] = []
    for entry in entries:
        for rule_id, rule_type, value, unit in (
            (entry.appraisal_rule_id, "AppraisalRule", entry.dua_value, entry.dua_unit),
            (entry.access_rule_id, "AccessRule", entry.access_value, entry.access_unit),
        ):
            if not rule_id:
                continue
            rule = rules.get(rule_id)
            if rule is None:
                problems.append(
                    _("{code}: the rule {id} is not in the rules referential.").format(
                        code=entry.code, id=rule_id
                    )
                )
                continue
            if rule.rule_type != rule_type:
                problems.append(
                    _("{code}: the rule {id} is a {actual}, not a {expected}.").format(
                        code=entry.code, id=rule_id, actual=rule.rule_type, expected=rule_type
                    )
                )
                continue
            if rule_type == "AccessRule" and value is None:
                expected: int | None = 0  # the general rule: communicable at once
            else:
                expected = value
            if expected is None:
                continue
            same = (
                rule.duration.isdigit()
                and int(rule.duration) == expected
                and rule.measurement == _MEASUREMENT_OF_UNIT[unit]
            ) or (expected == 0 and rule.duration == "0")
            if not same:
                problems.append(
                    _(
                        "{code}: the rule {id} lasts {rule}, the tableau de gestion says {entry}."
                    ).format(
                        code=entry.code,
                        id=rule_id,
                        rule=f"{rule.duration} {rule.measurement}".strip(),
                        entry=period_text(expected, unit) if expected else "0",
                    )
                )
    return problems
