"""Format families and preservation risks, from a file's PUID, MIME type and extension.

The mapping is data (`app/resources/formats/families.toml`) so that a Centre de gestion can
adapt it; this module loads and checks it once, then answers lookups from dictionaries.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from app.errors import AppError
from app.i18n import N_, _

UNKNOWN = "unknown"  # the family of a file nothing in the table recognises
_RESOURCE = ("resources", "formats", "families.toml")


class RiskLevel(StrEnum):
    """From best to worst; `rank` orders them."""

    OK = "ok"
    WATCH = "watch"
    RISKY = "risky"
    OBSOLETE = "obsolete"

    @property
    def rank(self) -> int:
        return _RISK_ORDER.index(self)

    @property
    def label(self) -> str:
        return _(_RISK_LABELS[self])


_RISK_ORDER = (RiskLevel.OK, RiskLevel.WATCH, RiskLevel.RISKY, RiskLevel.OBSOLETE)
_RISK_LABELS = {
    RiskLevel.OK: N_("no known risk"),
    RiskLevel.WATCH: N_("to watch"),
    RiskLevel.RISKY: N_("at risk"),
    RiskLevel.OBSOLETE: N_("obsolete"),
}
_NO_RISK = N_("No known preservation risk for this format.")
_UNIDENTIFIED = N_("Format not identified: nothing shows it can still be opened later.")


@dataclass(frozen=True, slots=True)
class Risk:
    level: RiskLevel
    reason: str  # English source text; show it with `_()` (or read `text`)

    @property
    def text(self) -> str:
        return _(self.reason)


@dataclass(frozen=True, slots=True)
class Family:
    key: str
    label: str  # English source text; `family_label()` translates it
    color: str  # "#rrggbb"


@dataclass(frozen=True)
class FormatTable:
    """The whole mapping, ready for lookups."""

    families: tuple[Family, ...]
    by_puid: Mapping[str, str]
    by_mime: Mapping[str, str]
    by_mime_prefix: tuple[tuple[str, str], ...]  # longest prefix first
    by_extension: Mapping[str, str]
    family_risks: Mapping[str, Risk]
    risk_by_puid: Mapping[str, Risk]
    risk_by_extension: Mapping[str, Risk]

    def family_of(self, puid: str | None, mime: str | None, extension: str | None) -> str:
        if puid:
            found = self.by_puid.get(puid.strip())
            if found:
                return found
        if mime:
            clean = mime.split(";", 1)[0].strip().lower()
            found = self.by_mime.get(clean)
            if found:
                return found
            for prefix, key in self.by_mime_prefix:
                if clean.startswith(prefix):
                    return key
        if extension:
            found = self.by_extension.get(extension.strip().lstrip(".").lower())
            if found:
                return found
        return UNKNOWN

    def risk_of(self, puid: str | None, extension: str | None) -> Risk:
        puid = (puid or "").strip()
        if puid:
            risk = self.risk_by_puid.get(puid)
            if risk is not None:
                return risk
        else:
            ext = (extension or "").strip().lstrip(".").lower()
            risk = self.risk_by_extension.get(ext)
            if risk is not None:
                return risk
            return Risk(RiskLevel.RISKY, _UNIDENTIFIED)
        family = self.family_of(puid, None, extension)
        return self.family_risks.get(family, Risk(RiskLevel.OK, _NO_RISK))


class FormatTableError(AppError):
    """The families file is not usable; the message says where."""


def _fail(source: str, where: str, message: str) -> FormatTableError:
    return FormatTableError(
        _("{source}: {where}: {message}").format(source=source, where=where, message=message)
    )


def _strings(source: str, where: str, entry: Mapping[str, Any], name: str) -> list[str]:
    value = entry.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(source, where, _("'{name}' must be a list of texts.").format(name=name))
    return [v.strip() for v in value if v.strip()]


def _text(source: str, where: str, entry: Mapping[str, Any], name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, where, _("'{name}' is missing or empty.").format(name=name))
    return value.strip()


def _level(source: str, where: str, value: object) -> RiskLevel:
    try:
        return RiskLevel(str(value))
    except ValueError:
        raise _fail(
            source,
            where,
            _("unknown risk level '{level}' (expected one of: {levels}).").format(
                level=value, levels=", ".join(level.value for level in RiskLevel)
            ),
        ) from None


def _claim(
    source: str, where: str, table: dict[str, str], keys: Iterable[str], owner: str, what: str
) -> None:
    for key in keys:
        previous = table.get(key)
        if previous is not None and previous != owner:
            raise _fail(
                source,
                where,
                _("{what} '{key}' is already given to '{other}'.").format(
                    what=what, key=key, other=previous
                ),
            )
        table[key] = owner


def parse_format_table(text: str, source: str = "families.toml") -> FormatTable:
    """Check and index the TOML text; raises `FormatTableError` naming the entry at fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(source, _("syntax"), str(exc)) from exc
    raw_families = data.get("family")
    if not isinstance(raw_families, list) or not raw_families:
        raise _fail(source, "[[family]]", _("no family is defined."))
    families: list[Family] = []
    by_puid: dict[str, str] = {}
    by_mime: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    by_extension: dict[str, str] = {}
    family_risks: dict[str, Risk] = {}
    for number, entry in enumerate(raw_families, start=1):
        where = _("family {number}").format(number=number)
        key = _text(source, where, entry, "key")
        where = f"{where} ({key})"
        if any(f.key == key for f in families):
            raise _fail(source, where, _("the key '{key}' is used twice.").format(key=key))
        color = _text(source, where, entry, "color")
        if len(color) != 7 or not color.startswith("#"):
            raise _fail(source, where, _("'color' must look like #4e79a7."))
        try:
            int(color[1:], 16)
        except ValueError:
            raise _fail(source, where, _("'color' must look like #4e79a7.")) from None
        families.append(Family(key, _text(source, where, entry, "label"), color.lower()))
        _claim(source, where, by_puid, _strings(source, where, entry, "puids"), key, "PUID")
        mimes = [m.lower() for m in _strings(source, where, entry, "mimes")]
        _claim(source, where, by_mime, [m for m in mimes if not m.endswith("*")], key, "MIME")
        _claim(source, where, prefixes, [m[:-1] for m in mimes if m.endswith("*")], key, "MIME")
        exts = [e.lstrip(".").lower() for e in _strings(source, where, entry, "extensions")]
        _claim(source, where, by_extension, exts, key, _("extension"))
        if "risk" in entry:
            level = _level(source, where, entry["risk"])
            family_risks[key] = Risk(level, _text(source, where, entry, "risk_reason"))
    if not any(f.key == UNKNOWN for f in families):
        raise _fail(source, "[[family]]", _("the family 'unknown' is required."))

    risk_by_puid: dict[str, Risk] = {}
    risk_by_extension: dict[str, Risk] = {}
    raw_risks = data.get("risk", [])
    if not isinstance(raw_risks, list):
        raise _fail(source, "[[risk]]", _("risks must be [[risk]] tables."))
    for number, entry in enumerate(raw_risks, start=1):
        where = _("risk {number}").format(number=number)
        risk = Risk(
            _level(source, where, entry.get("level")), _text(source, where, entry, "reason")
        )
        for puid in _strings(source, where, entry, "puids"):
            if puid in risk_by_puid:
                raise _fail(source, where, _("PUID '{key}' already has a risk.").format(key=puid))
            risk_by_puid[puid] = risk
        for raw_ext in _strings(source, where, entry, "extensions"):
            ext = raw_ext.lstrip(".").lower()
            if ext in risk_by_extension:
                raise _fail(
                    source, where, _("extension '{key}' already has a risk.").format(key=ext)
                )
            risk_by_extension[ext] = risk

    return FormatTable(
        families=tuple(families),
        by_puid=by_puid,
        by_mime=by_mime,
        by_mime_prefix=tuple(sorted(prefixes.items(), key=lambda item: -len(item[0]))),
        by_extension=by_extension,
        family_risks=family_risks,
        risk_by_puid=risk_by_puid,
        risk_by_extension=risk_by_extension,
    )


def load_format_table(path: Path | None = None) -> FormatTable:
    """The table in `path`, or the one shipped with Besace."""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise FormatTableError(
                _("The file {path} cannot be read.").format(path=path), details=str(exc)
            ) from exc
        return parse_format_table(text, str(path))
    resource = resources.files("app").joinpath(*_RESOURCE)
    return parse_format_table(resource.read_text(encoding="utf-8"), "/".join(_RESOURCE))


_TABLE = load_format_table()

FAMILIES: tuple[Family, ...] = _TABLE.families
FAMILY_KEYS: tuple[str, ...] = tuple(f.key for f in FAMILIES)
_BY_KEY = {f.key: f for f in FAMILIES}


@lru_cache(maxsize=65536)
def family_of(puid: str | None, mime: str | None, extension: str | None) -> str:
    """The key of the file's family (`UNKNOWN` when nothing matches)."""
    return _TABLE.family_of(puid, mime, extension)


def family_label(key: str) -> str:
    """The family's name in the current language."""
    family = _BY_KEY.get(key)
    return _(family.label) if family else key


def family_color(key: str) -> str:
    family = _BY_KEY.get(key) or _BY_KEY[UNKNOWN]
    return family.color


@lru_cache(maxsize=65536)
def risk_of(puid: str | None, extension: str | None) -> Risk:
    """How safe the format is to keep as it is, and why."""
    return _TABLE.risk_of(puid, extension)
