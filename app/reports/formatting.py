"""How reports write dates, volumes and periods for their reader (French by default)."""

from __future__ import annotations

from datetime import date

from app.i18n import N_, _, current_language, format_bytes, format_count
from app.project.series import Retention
from app.retention.dates import add_period, period_text

MONTHS = (
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("May"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)


def short_date(value: date | None) -> str:
    """23/11/2025 in French, 2025-11-23 otherwise; '' for no date."""
    if value is None:
        return ""
    if current_language() == "fr":
        return value.strftime("%d/%m/%Y")
    return value.isoformat()


def long_date(value: date) -> str:
    """'23 novembre 2025' (months through the catalog, lower case in French)."""
    month = _(MONTHS[value.month - 1])
    if current_language() == "fr":
        month = month.lower()
        day = "1er" if value.day == 1 else str(value.day)
        return f"{day} {month} {value.year}"
    return f"{value.day} {month} {value.year}"


def date_range(first: date | None, last: date | None) -> str:
    """Extreme dates: '12/03/2005 – 30/06/2019', one date when they agree, '' when unknown."""
    if first is None and last is None:
        return ""
    if first is None or last is None or first == last:
        return short_date(first or last)
    return f"{short_date(first)} – {short_date(last)}"


def files_text(count: int) -> str:
    if count == 1:
        return _("1 file")
    return _("{n} files").format(n=format_count(count))


def volume_text(files: int, size: int) -> str:
    """'1 234 fichiers, 12,3 Mo'."""
    return _("{files}, {size}").format(files=files_text(files), size=format_bytes(size))


def access_text(retention: Retention, latest: date | None) -> str:
    """Communicability: immediate, or the delay and the date the most recent document opens."""
    if not retention.access_value:
        return _("immediately communicable")
    delay = period_text(retention.access_value, retention.access_unit)
    if latest is None:
        return delay
    opens = add_period(latest, retention.access_value, retention.access_unit)
    return _("{delay} (communicable on {date})").format(delay=delay, date=short_date(opens))


def dua_text(retention: Retention) -> str:
    """'10 years' — or 'no DUA' when none is decided yet."""
    return period_text(retention.dua_value, retention.dua_unit) or _("no DUA")


def iso_to_date(text: str | None) -> date | None:
    """A stored ISO date (or date-time) as a date; None when empty or malformed."""
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
