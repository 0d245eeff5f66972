"""Translation layer: English source strings, complete French catalog, French by default.

Catalogs are gettext `.po` files read at start-up (no compile step, so a CDG can correct a
label with a text editor). The language comes from BESACE_LANG, else the settings, else French.
"""

from __future__ import annotations

import ast
import os
from importlib import resources

DEFAULT_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")

_catalog: dict[str, str] = {}
_language = "en"


def parse_po(text: str) -> dict[str, str]:
    """msgid → msgstr of a .po file (plural forms keep their first form under msgid)."""
    catalog: dict[str, str] = {}
    key: str | None = None
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None

    def flush() -> None:
        msgid = "".join(fields.get("msgid", []))
        msgstr = "".join(fields.get("msgstr", fields.get("msgstr[0]", [])))
        if msgid and msgstr:
            catalog[msgid] = msgstr
        plural = "".join(fields.get("msgid_plural", []))
        if plural and "msgstr[1]" in fields:
            catalog["\x00plural\x00" + msgid] = "".join(fields["msgstr[1]"])

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            if line == "" and fields:
                flush()
                fields, current = {}, None
            continue
        if line.startswith('"'):
            if current is not None:
                current.append(ast.literal_eval(line))
            continue
        key, _, rest = line.partition(" ")
        if key == "msgid" and fields.get("msgid") is not None:
            flush()
            fields = {}
        current = fields.setdefault(key, [])
        current.append(ast.literal_eval(rest.strip()))
    if fields:
        flush()
    return catalog


def load_catalog(language: str) -> dict[str, str]:
    if language == "en":
        return {}
    source = resources.files("app") / "resources" / "i18n" / f"{language}.po"
    return parse_po(source.read_text(encoding="utf-8"))


def set_language(language: str | None = None) -> str:
    """Select the language (BESACE_LANG, then the argument, then French) and return it."""
    global _catalog, _language
    chosen = os.environ.get("BESACE_LANG") or language or DEFAULT_LANGUAGE
    chosen = chosen.split("_")[0].lower()
    if chosen not in LANGUAGES:
        chosen = DEFAULT_LANGUAGE
    _catalog = load_catalog(chosen)
    _language = chosen
    return chosen


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _catalog.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message by the language's rule (French: 0 and 1 are singular)."""
    one = n <= 1 if _language == "fr" else n == 1
    return _(singular if one else plural)


def N_(message: str) -> str:
    """Mark a string for extraction; translate it where it is shown."""
    return message


def format_count(n: int) -> str:
    """1234567 → '1 234 567' in French (narrow no-break space), '1,234,567' in English."""
    text = f"{n:,}"
    return text.replace(",", "\u202f") if _language == "fr" else text


def format_bytes(n: int) -> str:
    """Sizes in octets for French readers (Ko, Mo, Go), bytes otherwise; powers of 1024."""
    units = ("o", "Ko", "Mo", "Go", "To") if _language == "fr" else ("B", "KB", "MB", "GB", "TB")
    value = float(n)
    for unit in units:
        if abs(value) < 1024 or unit == units[-1]:
            if unit == units[0]:
                return f"{int(value)} {unit}"
            text = f"{value:.1f}"
            return f"{text.replace('.', ',') if _language == 'fr' else text} {unit}"
        value /= 1024
    return f"{n} {units[0]}"


def format_duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"
