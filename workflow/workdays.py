"""Working days (werkdagen): Monday to Friday, minus Dutch public holidays.

The ``holidays`` package decides what a Dutch public holiday is (Nieuwjaarsdag, Pasen, Koningsdag,
Bevrijdingsdag in lustrum years, Hemelvaart, Pinksteren, Kerst, ...). Calendars are built once per year and
cached, so the calculator is cheap enough for list pages and scheduler jobs.

Counting convention, shared by both functions: the start day itself never counts. So
``add_working_days(d, n)`` is the n-th working day *after* ``d`` (before it for negative ``n``), and
``working_days_between(d, add_working_days(d, n)) == n`` for every ``n``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

__all__ = ["add_working_days", "holiday_name", "is_working_day", "working_days_between"]

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@lru_cache(maxsize=64)
def _dutch_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NL", years=year)


def _as_date(day: date) -> date:
    # A datetime is a date too, but mixing them would make results depend on the time of day.
    return day.date() if isinstance(day, datetime) else day


def holiday_name(day: date) -> str | None:
    """The name of the Dutch public holiday on ``day``, or None."""
    day = _as_date(day)
    return _dutch_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    """True on a weekday that is not a Dutch public holiday."""
    day = _as_date(day)
    return day.weekday() < _SATURDAY and day not in _dutch_holidays(day.year)


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (before it when ``count`` is negative); ``day`` if 0."""
    day = _as_date(day)
    step = _ONE_DAY if count >= 0 else -_ONE_DAY
    remaining = abs(count)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def _count_working_days(first: date, last: date) -> int:
    """Working days from ``first`` to ``last``, both included."""
    count = 0
    day = first
    while day <= last:
        count += is_working_day(day)
        day += _ONE_DAY
    return count


def working_days_between(start: date, end: date) -> int:
    """Working days in ``(start, end]``; when ``end`` lies before ``start``, minus those in ``[end, start)``.

    The asymmetry makes it the exact inverse of ``add_working_days`` in both directions.
    """
    start, end = _as_date(start), _as_date(end)
    if end >= start:
        return _count_working_days(start + _ONE_DAY, end)
    return -_count_working_days(end, start - _ONE_DAY)
