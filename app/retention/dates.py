"""Date arithmetic of retention periods, as Vitam computes end dates.

Adding months or years keeps the day of the month, or falls back to the month's last day
(31 January + 1 month = 28 or 29 February; 29 February + 1 year = 28 February), like Java's
`LocalDate.plusMonths`/`plusYears` on which Vitam relies.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from app.errors import AppError
from app.i18n import _, ngettext


def add_period(start: date, value: int, unit: str) -> date:
    """`start` plus `value` years, months or days."""
    if value < 0:
        raise AppError(_("A retention period cannot be negative ({value}).").format(value=value))
    if unit == "day":
        return start + timedelta(days=value)
    if unit == "month":
        months = start.month - 1 + value
    elif unit == "year":
        months = start.month - 1 + 12 * value
    else:
        raise AppError(_("Unknown period unit {unit}.").format(unit=unit))
    year = start.year + months // 12
    month = months % 12 + 1
    if year > 9999:
        return date.max
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def period_text(value: int | None, unit: str) -> str:
    """ "10 ans", "6 mois", "30 jours" in the interface language."""
    if value is None:
        return ""
    if unit == "year":
        return ngettext("{n} year", "{n} years", value).format(n=value)
    if unit == "month":
        return ngettext("{n} month", "{n} months", value).format(n=value)
    return ngettext("{n} day", "{n} days", value).format(n=value)
