"""Resip's metadata CSV ("csv de métadonnées"): read every structure Resip accepts, write its
extended structure `Id;ParentId;File;ObjectFiles`.

The leading structure columns say how rows hang together (`File`, `File;ParentFile`,
`ID;File;ParentFile`, `ID;File;ParentID`, `ID;ParentID;ObjectFiles`,
`Id;ParentId;File;ObjectFiles`); every other column is a dotted metadata path
(`Content.Writer.0.FullName`, `Management.AccessRule.Rule.1`), or `attr` for the attributes
of the previous column's element. Separator `;`, RFC 4180 quoting (cells may span lines),
UTF-8 with or without BOM, or windows-1252 (what Resip reads and writes on Windows).

Nothing is half-imported: the whole file is checked first, every problem named by its line,
column and header; only then are the files read (size, SHA-512), never modified.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import mimetypes
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from app.errors import AppError, refusal
from app.i18n import _, format_count
from app.project import Project
from app.seda.from_project import HeaderOptions, SubtreeSelection, plan_transfer
from app.seda.imported import (
    ImportedObject,
    ImportedTree,
    ImportedUnit,
    fill_formats_from_inventory,
    save_tree,
    split_title_level,
    tree_with_absolute_paths,
    units_from_model,
)
from app.seda.manifest import CLASSIFICATION_FIELDS, HOLD_FIELDS
from app.seda.metadata import check_path
from app.seda.model import (
    DESCRIPTION_LEVELS,
    FINAL_ACTIONS,
    RULE_CATEGORIES,
    Element,
    Management,
    RuleCategory,
    RuleRef,
)
from app.share_files import open_read_only
from app.tasks import CancelToken, Progress, ProgressSink, Throttle, ignore_progress

SEPARATOR = ";"
OBJECT_SEPARATOR = "|"
# "auto": windows-1252 (what Resip reads by default on Windows) when every character fits.
ENCODINGS = ("auto", "windows-1252", "utf-8")
MAX_PROBLEMS = 100
MAX_RANK = 9999
_CHUNK = 1 << 20

# Structure columns (case-insensitive) and the sets Resip accepts, by the name we give them.
_STRUCTURE_COLUMNS = ("id", "file", "parentid", "parentfile", "objectfiles")
STRUCTURES: dict[frozenset[str], str] = {
    frozenset({"file"}): "File",
    frozenset({"file", "parentfile"}): "File;ParentFile",
    frozenset({"id", "file", "parentfile"}): "ID;File;ParentFile",
    frozenset({"id", "file", "parentid"}): "ID;File;ParentID",
    frozenset({"id", "parentid", "objectfiles"}): "ID;ParentID;ObjectFiles",
    frozenset({"id", "parentid", "file", "objectfiles"}): "Id;ParentId;File;ObjectFiles",
}
_TAG = re.compile(r"[A-Za-z0-9_-]+")
_RANK = re.compile(r"[0-9]+")
# `__BinaryMaster_1__scan.pdf`: the usage and version of an object, then its file name.
USAGE_IN_NAME = re.compile(r"__([A-Za-z]+)(?:_([0-9]+))?__(.+)", re.DOTALL)
_ATTRIBUTE = re.compile(r"\s*([A-Za-z_][\w.:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_WINDOWS_ABSOLUTE = re.compile(r"[A-Za-z]:/")
_XML_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))

# Management columns: the fields of each rule category, and those repeated once per rule.
_PER_RULE = {"Rule", "StartDate", *HOLD_FIELDS}
_REPEATED = {*_PER_RULE, "RefNonRuleId"}
_BOOLEANS = {
    "PreventInheritance",
    "NeedAuthorization",
    "NeedReassessingAuthorization",
    "PreventRearrangement",
}
_DATES = {"StartDate", "HoldEndDate", "HoldReassessingDate", "ClassificationReassessingDate"}


def _category_fields(category: str) -> set[str]:
    names = {"Rule", "StartDate", "PreventInheritance", "RefNonRuleId"}
    if category in FINAL_ACTIONS:
        names.add("FinalAction")
    if category == "ClassificationRule":
        names.update(CLASSIFICATION_FIELDS)
    if category == "HoldRule":
        names.update(HOLD_FIELDS)
    return names


class ResipCsvError(AppError):
    """The CSV cannot be imported; `details` lists every problem with its line and column."""


@dataclass(frozen=True, slots=True)
class _Column:
    index: int  # 0-based
    header: str
    root: str  # "Content" or "Management"
    steps: tuple[tuple[str, int], ...]  # below the root: (name, rank)
    attr: bool = False

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(slots=True)
class _Row:
    line: int
    key: str
    parent: str  # the parent's key, "" for none
    file: Path | None
    objects: list[tuple[Path, str]]  # (resolved path, as written)
    content: list[Element]
    management: Management | None
    unit: ImportedUnit | None = None


class _Problems:
    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[str] = []

    def add(self, line: int, message: str, column: _Column | None = None) -> None:
        if column is None:
            where = _("line {line}").format(line=line)
        else:
            where = _("line {line}, column {column} ({header})").format(
                line=line, column=column.number, header=column.header
            )
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise refusal(
                ResipCsvError,
                _("{file} cannot be imported ({n} problems); nothing was imported.").format(
                    file=self.name, n=format_count(len(self.items))
                ),
                self.items,
                MAX_PROBLEMS,
            )


# -- decoding -------------------------------------------------------------------------------------
def decode_csv(data: bytes, name: str) -> tuple[str, str]:
    """The text and the encoding found: UTF-8 (BOM or not), else windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8 BOM"
        except UnicodeDecodeError as exc:
            raise ResipCsvError(
                _("{file} starts with a UTF-8 mark but is not UTF-8 (line {line}).").format(
                    file=name, line=data.count(b"\n", 0, exc.start) + 1
                )
            ) from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise ResipCsvError(
            _(
                "{file} is neither UTF-8 nor windows-1252: byte {byte} at line {line} means "
                "nothing in either."
            ).format(
                file=name,
                byte=f"0x{data[exc.start]:02X}",
                line=data.count(b"\n", 0, exc.start) + 1,
            )
        ) from exc


def _records(text: str, separator: str, problems: _Problems) -> list[tuple[int, list[str]]]:
    """(first line, cells) of every record; a quoted cell may hold line breaks."""
    # A long Description is not an error: allow cells of any size the file itself can hold.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if cells and any(cell.strip() for cell in cells):
                records.append((start, [cell.replace("\r\n", "\n") for cell in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.add(reader.line_num, _("badly quoted cell: {detail}").format(detail=exc))
    return records


# -- the header -----------------------------------------------------------------------------------
@dataclass(slots=True)
class _Header:
    structure: str
    positions: dict[str, int]  # structure column name → index
    columns: list[_Column] = field(default_factory=list)
    width: int = 0


def _parse_header(cells: list[str], problems: _Problems) -> _Header | None:
    cells = [cell.strip() for cell in cells]
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells[:4]):
        name = cell.casefold()
        if name not in _STRUCTURE_COLUMNS:
            break
        if name in positions:
            problems.add(1, _("the column {name} appears twice.").format(name=cell))
            return None
        positions[name] = index
    structure = STRUCTURES.get(frozenset(positions))
    if structure is None:
        problems.add(
            1,
            _(
                "the first columns must be one of Resip's structures: {choices} (found {found})."
            ).format(
                choices=" | ".join(STRUCTURES.values()),
                found=";".join(cells[:4]) or "-",
            ),
        )
        return None
    header = _Header(structure, positions, width=len(cells))
    metadata = cells[len(positions) :]
    prefixed = bool(metadata) and metadata[0].startswith(("Content.", "Management."))
    previous: _Column | None = None
    seen: dict[tuple[str, tuple[tuple[str, int], ...], bool], _Column] = {}
    for offset, name in enumerate(metadata):
        index = len(positions) + offset
        column = _parse_column(index, name, prefixed, previous, problems)
        if column is None:
            continue
        identity = (column.root, column.steps, column.attr)
        if identity in seen:
            problems.add(
                1,
                _("the same element as column {other} ({header}).").format(
                    other=seen[identity].number, header=seen[identity].header
                ),
                column,
            )
            continue
        seen[identity] = column
        header.columns.append(column)
        if not column.attr:
            previous = column
    return header


def _parse_column(
    index: int, name: str, prefixed: bool, previous: _Column | None, problems: _Problems
) -> _Column | None:
    probe = _Column(index, name, "Content", ())
    if name.casefold() == "attr":
        if previous is None or previous.root != "Content":
            problems.add(1, _("attr must follow a Content column."), probe)
            return None
        return _Column(index, name, "Content", previous.steps, attr=True)
    path = name
    attr = path.endswith(".attr")
    if attr:
        path = path[: -len(".attr")]
    parts = path.split(".")
    root = "Content"
    if prefixed:
        if parts[0] not in ("Content", "Management"):
            problems.add(
                1,
                _("a metadata column starts with Content. or Management., like the first one."),
                probe,
            )
            return None
        root = parts.pop(0)
    steps: list[tuple[str, int]] = []
    ranked = False
    for part in parts:
        if _RANK.fullmatch(part):
            if not steps or ranked:
                problems.add(
                    1, _("the rank {rank} follows no element name.").format(rank=part), probe
                )
                return None
            if int(part) > MAX_RANK:
                problems.add(
                    1,
                    _("the rank {rank} is above {max}.").format(rank=part, max=MAX_RANK),
                    probe,
                )
                return None
            steps[-1] = (steps[-1][0], int(part))
            ranked = True
        elif _TAG.fullmatch(part) and not part[0].isdigit() and part[0] != "-":
            steps.append((part, 0))
            ranked = False
        else:
            if part and (part.lstrip("+-").isdigit() or part[0].isdigit()):
                message = _("{rank} is not a rank (0, 1, 2…).").format(rank=part)
            else:
                message = _("forbidden character in the element name {name!r}.").format(name=part)
            problems.add(1, message, probe)
            return None
    if not steps:
        problems.add(1, _("no element name."), probe)
        return None
    column = _Column(index, name, root, tuple(steps), attr)
    if root == "Content":
        try:
            check_path(".".join(step for step, _rank in steps))
        except AppError as exc:
            problems.add(1, exc.message, probe)
            return None
    elif not _management_column_ok(column, problems):
        return None
    return column


def _management_column_ok(column: _Column, problems: _Problems) -> bool:
    steps = column.steps
    category, rank = steps[0]
    if column.attr:
        problems.add(1, _("Management elements take no attributes."), column)
        return False
    if category == "NeedAuthorization" and len(steps) == 1 and rank == 0:
        return True
    if category not in RULE_CATEGORIES:
        problems.add(
            1,
            _("{name} is not a management rule category ({choices}).").format(
                name=category, choices=", ".join((*RULE_CATEGORIES, "NeedAuthorization"))
            ),
            column,
        )
        return False
    if rank != 0 or len(steps) != 2:
        problems.add(
            1,
            _("write Management.{category}.FIELD, with a rank after Rule or StartDate.").format(
                category=category
            ),
            column,
        )
        return False
    name, rank = steps[1]
    if name not in _category_fields(category):
        problems.add(
            1,
            _("{name} is not a field of {category}.").format(name=name, category=category),
            column,
        )
        return False
    if rank and name not in _REPEATED:
        problems.add(1, _("{name} takes no rank.").format(name=name), column)
        return False
    return True


# -- the rows -------------------------------------------------------------------------------------
class _Node:
    __slots__ = ("attrs", "children", "column", "value")

    def __init__(self) -> None:
        self.value = ""
        self.attrs: dict[str, str] = {}
        self.children: dict[tuple[str, int], _Node] = {}
        self.column: _Column | None = None  # the value's, to name it in a problem


def _parse_attributes(text: str) -> dict[str, str] | None:
    attrs: dict[str, str] = {}
    position = 0
    text = text.strip()
    while position < len(text):
        match = _ATTRIBUTE.match(text, position)
        if match is None:
            return None
        value = match.group(2) if match.group(2) is not None else match.group(3)
        for entity, char in _XML_ENTITIES:
            value = value.replace(entity, char)
        attrs[match.group(1)] = value
        position = match.end()
    return attrs


def _content(
    line: int, cells: list[str], columns: list[_Column], problems: _Problems
) -> list[Element]:
    root = _Node()
    for column in columns:
        cell = cells[column.index]
        if column.root != "Content" or not cell:
            continue
        node = root
        for step in column.steps:
            node = node.children.setdefault(step, _Node())
        if column.attr:
            attrs = _parse_attributes(cell)
            if attrs is None:
                problems.add(
                    line,
                    _(
                        'attributes are written name="value" (e.g. xml:lang="fr"), not {text!r}.'
                    ).format(text=cell),
                    column,
                )
                continue
            node.attrs = attrs
        else:
            node.value = cell
            node.column = column
    return _elements(line, root, problems)


def _elements(line: int, node: _Node, problems: _Problems) -> list[Element]:
    # Siblings: by name in the order the header first names them, then by rank.
    names: dict[str, int] = {}
    for name, _rank in node.children:
        names.setdefault(name, len(names))
    found: list[Element] = []
    for (name, _rank), child in sorted(
        node.children.items(), key=lambda item: (names[item[0][0]], item[0][1])
    ):
        children = _elements(line, child, problems) if child.children else []
        if children and child.value:
            problems.add(
                line,
                _("{name} cannot have both a value and sub-elements.").format(name=name),
                child.column,
            )
            continue
        if children:
            found.append(Element(name, None, children, child.attrs))
        elif child.value:
            found.append(Element(name, child.value, [], child.attrs))
    return found


def _management(
    line: int, cells: list[str], columns: list[_Column], problems: _Problems
) -> Management | None:
    values: dict[str, dict[str, dict[int, tuple[str, _Column]]]] = {}
    for column in columns:
        cell = cells[column.index].strip()
        if column.root != "Management" or not cell:
            continue
        category = column.steps[0][0]
        name, rank = column.steps[1] if len(column.steps) > 1 else ("", 0)
        if name in _BOOLEANS or category in _BOOLEANS:
            normal = {"true": "true", "1": "true", "false": "false", "0": "false"}.get(
                cell.casefold()
            )
            if normal is None:
                problems.add(
                    line, _("write true or false, not {value!r}.").format(value=cell), column
                )
                continue
            cell = normal
        if name in _DATES:
            try:
                date.fromisoformat(cell)
            except ValueError:
                problems.add(
                    line,
                    _("{value!r} is not a date (YYYY-MM-DD).").format(value=cell),
                    column,
                )
                continue
        values.setdefault(category, {}).setdefault(name, {})[rank] = (cell, column)
    if not values:
        return None
    management = Management()
    for category, fields in values.items():
        if category == "NeedAuthorization":
            management.need_authorization = fields[""][0][0] == "true"
            continue
        rules = fields.get("Rule", {})
        for name in _PER_RULE - {"Rule"}:
            for rank, (_value, column) in fields.get(name, {}).items():
                if rank not in rules:
                    problems.add(
                        line,
                        _("{name} of rank {rank} has no Rule of the same rank.").format(
                            name=name, rank=rank
                        ),
                        column,
                    )
        refs: list[RuleRef] = []
        for rank in sorted(rules):
            start = fields.get("StartDate", {}).get(rank)
            refs.append(
                RuleRef(
                    rules[rank][0],
                    date.fromisoformat(start[0]) if start else None,
                    {
                        name: fields[name][rank][0]
                        for name in HOLD_FIELDS
                        if rank in fields.get(name, {})
                    },
                )
            )
        final = fields.get("FinalAction", {}).get(0)
        if final is not None and final[0] not in FINAL_ACTIONS[category]:
            problems.add(
                line,
                _("the final action of {category} is one of {choices}, not {value!r}.").format(
                    category=category, choices=", ".join(FINAL_ACTIONS[category]), value=final[0]
                ),
                final[1],
            )
        prevent = fields.get("PreventInheritance", {}).get(0)
        management.categories[category] = RuleCategory(
            refs,
            prevent is not None and prevent[0] == "true",
            [value for _rank, (value, _c) in sorted(fields.get("RefNonRuleId", {}).items())],
            final[0] if final is not None else None,
            {
                name: fields[name][0][0]
                for name in CLASSIFICATION_FIELDS
                if name in fields and 0 in fields[name]
            },
        )
    return management


def _resolve(text: str, base: Path) -> Path:
    path = text.strip().replace("\\", "/")
    return Path(os.path.normpath(path if os.path.isabs(path) else base / path))


def _cell(cells: list[str], header: _Header, name: str) -> str:
    index = header.positions.get(name)
    return cells[index].strip() if index is not None else ""


def _path_problem(text: str) -> str | None:
    if os.name != "nt" and _WINDOWS_ABSOLUTE.match(text.strip().replace("\\", "/")):
        return _("{path} is a Windows absolute path; write it relative to the CSV.").format(
            path=text
        )
    return None


def _structure_column(header: _Header, name: str) -> _Column:
    index = header.positions[name]
    label = {"id": "ID", "file": "File", "parentid": "ParentID", "parentfile": "ParentFile"}
    return _Column(index, label.get(name, "ObjectFiles"), "", ())


def _read_row(
    line: int, cells: list[str], header: _Header, base: Path, problems: _Problems
) -> _Row | None:
    structure = header.structure
    mark = len(problems.items)
    file_text = _cell(cells, header, "file")
    file_path: Path | None = None
    file_based = structure in ("File", "File;ParentFile")
    needs_file = file_based or structure == "ID;File;ParentFile"
    if file_text:
        problem = _path_problem(file_text)
        if problem:
            problems.add(line, problem, _structure_column(header, "file"))
        else:
            file_path = _resolve(file_text, base)
            informative = structure == "Id;ParentId;File;ObjectFiles"
            if not informative and not file_path.exists():
                problems.add(
                    line,
                    _("{path} does not exist.").format(path=file_path),
                    _structure_column(header, "file"),
                )
    elif needs_file:
        problems.add(line, _("the file is missing."), _structure_column(header, "file"))
    key = file_text.replace("\\", "/") if file_based else _cell(cells, header, "id")
    if not key and not file_based:
        problems.add(line, _("the ID is missing."), _structure_column(header, "id"))
    if structure in ("File;ParentFile", "ID;File;ParentFile"):
        parent_text = _cell(cells, header, "parentfile")
        parent = str(_resolve(parent_text, base)) if parent_text else ""
    elif structure == "File":
        parent = str(file_path.parent) if file_path is not None else ""
    else:
        parent = _cell(cells, header, "parentid")
    objects: list[tuple[Path, str]] = []
    if "objectfiles" in header.positions:
        listed = _cell(cells, header, "objectfiles")
        for text in (t for t in listed.split(OBJECT_SEPARATOR) if t.strip()) if listed else ():
            problem = _path_problem(text)
            path = _resolve(text, base)
            if problem is None and not path.is_file():
                problem = _("{path} is not a file.").format(path=path)
            if problem:
                problems.add(line, problem, _structure_column(header, "objectfiles"))
            else:
                objects.append((path, text.strip()))
    elif file_path is not None and file_path.is_file():
        objects.append((file_path, file_text))
    content = _content(line, cells, header.columns, problems)
    management = _management(line, cells, header.columns, problems)
    if len(problems.items) > mark:
        return None
    return _Row(line, key, parent, file_path, objects, content, management)


def usage_versions(names: list[str]) -> list[tuple[str, str]]:
    """(usage_version, file name) of a unit's object files, as Resip reads them: a
    `__Usage_Version__` prefix, else the next free BinaryMaster version."""
    found: list[tuple[str, str] | None] = []
    used: set[str] = set()
    for name in names:
        match = USAGE_IN_NAME.fullmatch(name)
        if match is None:
            found.append(None)
            continue
        version = f"{match.group(1)}_{match.group(2) or '1'}"
        used.add(version)
        found.append((version, match.group(3)))
    result: list[tuple[str, str]] = []
    number = 0
    for name, item in zip(names, found, strict=True):
        if item is not None:
            result.append(item)
            continue
        number += 1
        while f"BinaryMaster_{number}" in used:
            number += 1
        used.add(f"BinaryMaster_{number}")
        result.append((f"BinaryMaster_{number}", name))
    return result


# -- the tree -------------------------------------------------------------------------------------
def _build_tree(rows: list[_Row], structure: str, problems: _Problems) -> list[ImportedUnit]:
    by_key: dict[str, _Row] = {}
    file_based = structure in ("File", "File;ParentFile")
    lookup_key = (lambda row: str(row.file)) if file_based else (lambda row: row.key)
    for row in rows:
        key = lookup_key(row)
        if key in by_key:
            problems.add(
                row.line,
                _("{key} was already given at line {line}.").format(
                    key=row.key, line=by_key[key].line
                ),
            )
        else:
            by_key[key] = row
    # ID;File;ParentFile: the parent is named by its file.
    by_file: dict[str, _Row] = {}
    if structure == "ID;File;ParentFile":
        for row in rows:
            if row.file is not None:
                by_file.setdefault(str(row.file), row)
    parents: dict[int, _Row | None] = {}
    for row in rows:
        parent: _Row | None = None
        if row.parent:
            parent = (by_file if structure == "ID;File;ParentFile" else by_key).get(row.parent)
            if parent is None and structure != "File":  # a File row's folder may have no row
                problems.add(
                    row.line, _("the parent {parent} is not in the file.").format(parent=row.parent)
                )
            elif parent is row:
                problems.add(row.line, _("the unit is its own parent."))
                parent = None
        parents[id(row)] = parent
    problems.raise_if_any()
    # Cycles: follow each row's parents; a row met twice on the way closes a loop.
    state: dict[int, int] = {}  # 1: on the current path, 2: known to reach a root
    for row in rows:
        path: list[_Row] = []
        current: _Row | None = row
        while current is not None and state.get(id(current)) != 2:
            if state.get(id(current)) == 1:
                loop = path[path.index(current) :]
                problems.add(
                    current.line,
                    _("the units at lines {lines} are each other's parents.").format(
                        lines=", ".join(str(r.line) for r in loop)
                    ),
                )
                break
            state[id(current)] = 1
            path.append(current)
            current = parents[id(current)]
        for item in path:
            state[id(item)] = 2
    problems.raise_if_any()
    for row in rows:
        level, title, rest = split_title_level(row.content)
        if title is None and not any(e.name == "Title" for e in rest):
            title = (row.file.name if row.file is not None else "") or row.key
        row.unit = ImportedUnit(row.key, level or "", title or "", rest, row.management)
    roots: list[ImportedUnit] = []
    for row in rows:
        assert row.unit is not None
        parent = parents[id(row)]
        if parent is None:
            roots.append(row.unit)
        else:
            assert parent.unit is not None
            parent.unit.children.append(row.unit)
    for row in rows:
        assert row.unit is not None
        for version, filename in usage_versions([path.name for path, _t in row.objects]):
            row.unit.objects.append(ImportedObject("binary", version, filename=filename))
        if not row.unit.level:
            only_objects = row.unit.objects and not row.unit.children
            row.unit.level = "Item" if only_objects else "RecordGrp"
    return roots


# -- reading the files ----------------------------------------------------------------------------
def _hash(path: Path, token: CancelToken) -> tuple[bytes, int]:
    hasher = hashlib.sha512()
    size = 0
    fd = open_read_only(os.fsencode(path))
    try:
        while chunk := os.read(fd, _CHUNK):
            hasher.update(chunk)
            size += len(chunk)
            if len(chunk) == _CHUNK:
                token.raise_if_cancelled()
    finally:
        os.close(fd)
    return hasher.digest(), size


def read_resip_csv(
    path: Path,
    *,
    label: str = "",
    separator: str = SEPARATOR,
    token: CancelToken | None = None,
    progress: ProgressSink = ignore_progress,
) -> ImportedTree:
    """Parse and check a Resip metadata CSV, then read its files (size, SHA-512)."""
    token = token or CancelToken()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ResipCsvError(_("Cannot read {file}.").format(file=path), details=str(exc)) from exc
    text, _encoding = decode_csv(data, path.name)
    problems = _Problems(path.name)
    records = _records(text, separator, problems)
    problems.raise_if_any()
    if len(records) < 2:
        raise ResipCsvError(_("{file} has no rows under its header.").format(file=path.name))
    header = _parse_header(records[0][1], problems)
    problems.raise_if_any()
    assert header is not None
    base = path.resolve().parent
    rows: list[_Row] = []
    for line, cells in records[1:]:
        if len(cells) != header.width:
            problems.add(
                line,
                _("{n} cells where the header has {width}.").format(
                    n=len(cells), width=header.width
                ),
            )
            continue
        row = _read_row(line, cells, header, base, problems)
        if row is not None:
            rows.append(row)
    _check_levels(rows, header, problems)
    problems.raise_if_any()
    roots = _build_tree(rows, header.structure, problems)
    _read_files(rows, problems, token, progress)
    problems.raise_if_any()
    return ImportedTree(
        "resip_csv",
        str(path.resolve()),
        roots,
        label=label or path.stem,
        header={},
        origin_sha512=hashlib.sha512(data).digest(),
    )


def _check_levels(rows: list[_Row], header: _Header, problems: _Problems) -> None:
    column = next(
        (c for c in header.columns if c.steps == (("DescriptionLevel", 0),) and not c.attr), None
    )
    for row in rows:
        for element in row.content:
            if element.name == "DescriptionLevel" and element.text not in DESCRIPTION_LEVELS:
                problems.add(
                    row.line,
                    _("{value!r} is not a SEDA description level ({choices}).").format(
                        value=element.text, choices=", ".join(DESCRIPTION_LEVELS)
                    ),
                    column,
                )


def _read_files(
    rows: list[_Row], problems: _Problems, token: CancelToken, progress: ProgressSink
) -> None:
    wanted: dict[Path, list[ImportedObject]] = {}
    lines: dict[Path, int] = {}
    for row in rows:
        assert row.unit is not None
        for (file_path, _text), obj in zip(row.objects, row.unit.objects, strict=True):
            wanted.setdefault(file_path, []).append(obj)
            lines.setdefault(file_path, row.line)
    throttle = Throttle(progress)
    total = len(wanted)
    for done, (file_path, objects) in enumerate(wanted.items(), start=1):
        token.raise_if_cancelled()
        throttle(Progress(done - 1, total, _("Reading the files"), current=file_path.name))
        try:
            stat = file_path.stat()
            digest, size = _hash(file_path, token)
        except OSError as exc:
            problems.add(
                lines[file_path],
                _("{path} cannot be read: {reason}").format(
                    path=file_path, reason=exc.strerror or exc
                ),
            )
            continue
        modified = datetime.fromtimestamp(stat.st_mtime_ns / 1e9, UTC).isoformat(timespec="seconds")
        mime = mimetypes.guess_type(file_path.name)[0] or ""
        for obj in objects:
            obj.path = str(file_path)
            obj.size = size
            obj.sha512 = digest
            obj.last_modified = modified
            obj.mime = mime
    throttle(Progress(total, total, _("Reading the files")), force=True)


# -- writing --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CsvExport:
    path: Path
    rows: int
    columns: int
    objects: int
    encoding: str
    warnings: list[str]


_Key = tuple[str, tuple[tuple[str, int], ...], bool]  # (root, steps, attr)


def _attribute_text(attrs: dict[str, str]) -> str:
    parts = []
    for name, value in attrs.items():
        escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        parts.append(f'{name}="{escaped}"')
    return " ".join(parts)


def _flatten(
    elements: list[Element], prefix: tuple[tuple[str, int], ...], out: dict[_Key, str]
) -> int:
    """Cells of a unit's content; returns how many elements could not be written (empty)."""
    ranks: dict[str, int] = {}
    lost = 0
    for element in elements:
        rank = ranks.get(element.name, 0)
        ranks[element.name] = rank + 1
        steps = (*prefix, (element.name, rank))
        if element.attrs:
            out[("Content", steps, True)] = _attribute_text(element.attrs)
        if element.children:
            lost += _flatten(element.children, steps, out)
        elif element.text:
            out[("Content", steps, False)] = element.text
        else:
            lost += 1
    return lost


def _management_cells(management: Management, out: dict[_Key, str]) -> None:
    def put(category: str, name: str, rank: int, value: str) -> None:
        out[("Management", ((category, 0), (name, rank)), False)] = value

    for category in RULE_CATEGORIES:
        rules = management.categories.get(category)
        if rules is None:
            continue
        for rank, rule in enumerate(rules.rules):
            put(category, "Rule", rank, rule.rule_id)
            if rule.start_date is not None:
                put(category, "StartDate", rank, rule.start_date.isoformat())
            for name in HOLD_FIELDS:
                value = rule.fields.get(name, rules.fields.get(name))
                if value is not None:
                    put(category, name, rank, value)
        if rules.prevent_inheritance:
            put(category, "PreventInheritance", 0, "true")
        for rank, ref in enumerate(rules.ref_non_rule_ids):
            put(category, "RefNonRuleId", rank, ref)
        if rules.final_action:
            put(category, "FinalAction", 0, rules.final_action)
        for name in CLASSIFICATION_FIELDS:
            if name in rules.fields:
                put(category, name, 0, rules.fields[name])
    if management.need_authorization is not None:
        out[("Management", (("NeedAuthorization", 0),), False)] = (
            "true" if management.need_authorization else "false"
        )


def _header_names(keys: list[_Key]) -> list[str]:
    """Resip's column names: a rank 0 is left out when that element is never repeated."""
    repeated: set[tuple[str, tuple[tuple[str, int], ...], str]] = set()
    for root, steps, _attr in keys:
        for depth, (name, rank) in enumerate(steps):
            if rank:
                repeated.add((root, steps[:depth], name))
    names = []
    for root, steps, attr in keys:
        parts = [root]
        for depth, (name, rank) in enumerate(steps):
            parts.append(name)
            if rank or (root, steps[:depth], name) in repeated:
                parts.append(str(rank))
        names.append(".".join(parts) + (".attr" if attr else ""))
    return names


def _relative(path: str, base: Path) -> str:
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive (Windows): absolute then
        return Path(path).as_posix()


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if cell else ""


def write_resip_csv(roots: list[ImportedUnit], dest: Path, *, encoding: str = "auto") -> CsvExport:
    """Write units (object paths absolute) as Resip's extended CSV; atomic, all or nothing."""
    if encoding not in ENCODINGS:
        raise AppError(
            _("Unknown encoding {encoding}; choose one of: {choices}.").format(
                encoding=encoding, choices=", ".join(ENCODINGS)
            )
        )
    base = dest.resolve().parent
    warnings: list[str] = []
    rows: list[tuple[str, str, str, str, dict[_Key, str]]] = []
    keys: dict[_Key, None] = {}
    ids: set[str] = set()
    objects = 0
    pending: list[tuple[ImportedUnit, str]] = [(unit, "") for unit in reversed(roots)]
    lost = 0
    while pending:
        unit, parent_id = pending.pop()
        unit_id = unit.key or "unit"
        suffix = 1
        while unit_id in ids:
            suffix += 1
            unit_id = f"{unit.key}-{suffix}"
        ids.add(unit_id)
        cells: dict[_Key, str] = {("Content", (("DescriptionLevel", 0),), False): unit.level}
        elements = ([Element("Title", unit.title)] if unit.title else []) + unit.content
        lost += _flatten(elements, (), cells)
        if unit.management is not None:
            _management_cells(unit.management, cells)
        files = [obj for obj in unit.objects if obj.kind == "binary"]
        physical = len(unit.objects) - len(files)
        if physical:
            warnings.append(
                _("{unit}: {n} physical objects left out (the CSV cannot carry them).").format(
                    unit=unit_id, n=physical
                )
            )
        names = [Path(obj.path).name for obj in files]
        expected = [version for version, _name in usage_versions(names)]
        if expected != [obj.usage_version for obj in files]:
            warnings.append(
                _(
                    "{unit}: the usages {usages} cannot be told by the file names; they will "
                    "read back as {expected}."
                ).format(
                    unit=unit_id,
                    usages=", ".join(obj.usage_version for obj in files),
                    expected=", ".join(expected),
                )
            )
        object_files = OBJECT_SEPARATOR.join(_relative(obj.path, base) for obj in files)
        objects += len(files)
        first = object_files.split(OBJECT_SEPARATOR, 1)[0] if files else ""
        rows.append((unit_id, parent_id, first, object_files, cells))
        for key in cells:
            keys.setdefault(key)
        pending.extend((child, unit_id) for child in reversed(unit.children))
    if lost:
        warnings.append(
            _("{n} empty elements left out (a CSV cell cannot tell empty from absent).").format(
                n=lost
            )
        )
    ordered = sorted(keys, key=lambda k: 0 if k[0] == "Content" else 1)  # stable: first seen
    names = _header_names(ordered)
    lines = [SEPARATOR.join(["Id", "ParentId", "File", "ObjectFiles", *names])]
    for unit_id, parent_id, first, object_files, cells in rows:
        values = [unit_id, parent_id, first, object_files, *(cells.get(k, "") for k in ordered)]
        lines.append(SEPARATOR.join(_quoted(value) for value in values))
    data, encoding = _encode(lines, encoding, rows, names, warnings)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, dest)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return CsvExport(dest, len(rows), 4 + len(names), objects, encoding, warnings)


def _encode(
    lines: list[str],
    encoding: str,
    rows: list[tuple[str, str, str, str, dict[_Key, str]]],
    names: list[str],
    warnings: list[str],
) -> tuple[bytes, str]:
    """The CSV's bytes, without BOM (Resip would read it as part of the first column name)."""
    text = "\r\n".join(lines) + "\r\n"
    if encoding == "utf-8":
        return text.encode("utf-8"), encoding
    try:
        return text.encode("cp1252"), "windows-1252"
    except UnicodeEncodeError as exc:
        line = text.count("\r\n", 0, exc.start) + 1
        where = rows[line - 2][0] if line >= 2 else ", ".join(names)
        problem = _("{char!r} (line {line}, unit {unit}) cannot be written in windows-1252").format(
            char=text[exc.start], line=line, unit=where
        )
        if encoding == "windows-1252":
            raise AppError(problem + "; " + _("export with --encoding utf-8.")) from exc
        warnings.append(
            problem
            + "; "
            + _("the CSV is in UTF-8: set Resip's CSV encoding to UTF-8 before importing it.")
        )
        return text.encode("utf-8"), "utf-8"


def import_resip_csv(
    project: Project,
    path: Path,
    *,
    label: str = "",
    separator: str = SEPARATOR,
    token: CancelToken | None = None,
    progress: ProgressSink = ignore_progress,
) -> tuple[int, ImportedTree]:
    """Import a Resip CSV into the project: all of it, or nothing."""
    tree = read_resip_csv(path, label=label, separator=separator, token=token, progress=progress)
    fill_formats_from_inventory(project, tree)
    return save_tree(project, tree), tree


def export_imported(
    project: Project, package_id: int, dest: Path, *, encoding: str = "auto"
) -> CsvExport:
    return write_resip_csv(tree_with_absolute_paths(project, package_id), dest, encoding=encoding)


def export_folder(
    project: Project,
    folder: str,
    dest: Path,
    *,
    source: str | None = None,
    encoding: str = "auto",
) -> CsvExport:
    """A folder of the inventory as Resip would see it: folders and files become units, each
    file the object of its unit, with the metadata the archivist set on each (as `build`)."""
    # The header is not written to a CSV: placeholders stand for the agencies.
    header = HeaderOptions(archival_agency="-", transferring_agency="-")
    plan = plan_transfer(
        project, SubtreeSelection(folder=folder, source=source), header, version="2.2"
    )
    return write_resip_csv(units_from_model(plan.transfer.units), dest, encoding=encoding)
