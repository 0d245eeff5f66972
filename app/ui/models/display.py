"""How the Explore page writes a file's values: dates, formats, flags, classification."""

from __future__ import annotations

import datetime as dt

from app.i18n import _, current_language
from app.inventory.flags import FLAG_LABELS


def date_text(ns: int | None, *, with_time: bool = True) -> str:
    """Local date (and time) of a timestamp in nanoseconds, as the user's language writes it."""
    if ns is None:
        return ""
    try:
        moment = dt.datetime.fromtimestamp(ns / 1e9)
    except (OverflowError, OSError, ValueError):
        return ""
    if current_language() == "fr":
        return moment.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")
    return moment.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def format_text(name: str | None, version: str | None, puid: str | None) -> str:
    """'Portable Network Graphics 1.0 (fmt/11)', or 'not identified'."""
    if not puid:
        return _("not identified")
    label = " ".join(part for part in (name or "", version or "") if part)
    return f"{label} ({puid})" if label else puid


def flag_texts(flags: int) -> list[str]:
    return [_(label) for flag, label in FLAG_LABELS.items() if flags & int(flag)]


def series_text(
    series_id: int | None, exclusion: str | None, code: str | None, title: str | None
) -> str:
    """Where the classification put the file: a series, an exclusion, or 'to classify'."""
    if series_id is not None:
        return f"{code} — {title}" if code else (title or str(series_id))
    if exclusion is not None:
        return _("excluded: {reason}").format(reason=exclusion) if exclusion else _("excluded")
    return _("to classify")


def digest_short(digest: bytes | None) -> str:
    return digest.hex()[:16] + "…" if digest else ""


def percent_text(part: int, whole: int) -> str:
    if whole <= 0:
        return ""
    value = 100.0 * part / whole
    text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
    if current_language() == "fr":
        return text.replace(".", ",") + "\u202f%"
    return text + "%"
