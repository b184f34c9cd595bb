"""Periods: calendar months written YYYY-MM."""
from __future__ import annotations

import calendar
import datetime as dt
import re

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PeriodError(ValueError):
    """A period is not written YYYY-MM."""


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """First and last day of the period `YYYY-MM`."""
    match = _PERIOD.match(text or "")
    if not match:
        raise PeriodError(f"period {text!r}: expected YYYY-MM, e.g. 2026-10")
    year, month = int(match.group(1)), int(match.group(2))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def period_of(day: dt.date) -> str:
    """The period a date falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def previous_period(day: dt.date) -> str:
    """The period just before the one `day` falls in (the month just ended)."""
    first = day.replace(day=1)
    return period_of(first - dt.timedelta(days=1))


def periods_between(first: str, last: str) -> list[str]:
    """Every period from `first` to `last` inclusive."""
    start, _ = parse_period(first)
    end, _ = parse_period(last)
    if end < start:
        raise PeriodError(f"range {first}..{last}: the end is before the start")
    out, day = [], start
    while day <= end:
        out.append(period_of(day))
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out
