"""Working days (werkdagen): Monday to Friday, minus the days the Algemene termijnenwet (Atw) excludes.

Deadlines in werkdagen follow the Atw, as Dutch government deadlines do: its art. 3 names the algemeen erkende
feestdagen (Nieuwjaarsdag, tweede Paas- en Pinksterdag, both Kerstdagen, Hemelvaartsdag, Koningsdag and 5 mei
— every year, not only in lustrum years), equates Goede Vrijdag with them (lid 2), and lets the Crown equate
further days, in practice the bridge days, by a besluit gelijkstelling published every three years (lid 3;
``EQUATED_DAYS``, to be extended when the next besluit appears). The ``holidays`` package supplies the
movable feasts; :func:`holiday_name` keeps its meaning of a public holiday (a day off), which is what meeting
series skip. Calendars are built once per year and cached, so the calculator is cheap enough for list pages
and scheduler jobs.

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

# Besluiten gelijkstelling (Atw art. 3 lid 3): days equated with an algemeen erkende feestdag.
EQUATED_DAYS = frozenset({
    # Besluit gelijkstelling van 28 april 2023, 19 mei 2023, 10 mei 2024, 27 december 2024 en 30 mei 2025
    date(2023, 4, 28), date(2023, 5, 19), date(2024, 5, 10), date(2024, 12, 27), date(2025, 5, 30),
    # Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027, 28 april 2028 en 26 mei 2028
    date(2026, 1, 2), date(2026, 5, 15), date(2027, 5, 7), date(2028, 4, 28), date(2028, 5, 26),
})


@lru_cache(maxsize=64)
def _dutch_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NL", years=year)


@lru_cache(maxsize=64)
def _termijnenwet_days(year: int) -> frozenset[date]:
    """Every day of ``year`` that the Algemene termijnenwet does not count as a working day (weekends aside)."""
    days = set(_dutch_holidays(year)) | {date(year, 5, 5)}
    return frozenset(days | {day for day in EQUATED_DAYS if day.year == year})


def _as_date(day: date) -> date:
    # A datetime is a date too, but mixing them would make results depend on the time of day.
    return day.date() if isinstance(day, datetime) else day


def holiday_name(day: date) -> str | None:
    """The name of the Dutch public holiday on ``day``, or None."""
    day = _as_date(day)
    return _dutch_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    """True on a weekday that is neither an algemeen erkende feestdag nor a day equated with one (Atw)."""
    day = _as_date(day)
    return day.weekday() < _SATURDAY and day not in _termijnenwet_days(day.year)


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
