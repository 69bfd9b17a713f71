"""What a supervisor report is made of — cells, rows, columns, the report and its period — and the one place
where figures are suppressed (docs/DESIGN.md §6: reports hold aggregates only and suppress small counts).

A figure leaves the reports as a :class:`Cell` holding the value *and* the text to show, so the page, the CSV
and XLSX downloads and the API show exactly the same. With ``t`` the threshold (``CASUS_REPORT_MIN_COUNT``,
default 5):

1. a count ``0 < n < t`` shows as ``<t`` (its value is withheld); zero shows as 0;
2. a total is hidden (``–``) when a cell it adds up is hidden, so that a small count cannot be recovered
   by subtracting the other cells from the total. The three "stand" tables (fase, categorie, gemeente)
   count the same cases, so their common total is hidden when any of the three hides a cell;
3. a median or 90th percentile, or an average change in score, over fewer than ``t`` cases is hidden (``–``);
4. a percentage is hidden when its numerator or denominator is hidden.

Pure values and functions: no database, no request.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from casus import clock

HIDDEN = "–"


class Reason(StrEnum):
    """Why a cell holds no value."""

    SMALL = "small"  # a count below the threshold
    DERIVABLE = "derivable"  # a total that would reveal a hidden count
    FEW_CASES = "few_cases"  # a median or percentile over fewer cases than the threshold


class Kind(StrEnum):
    COUNT = "count"
    DAYS = "days"
    PERCENT = "percent"
    CHANGE = "change"  # an average change in score (leefgebieden), signed


@dataclass(frozen=True)
class Cell:
    """One figure as every output shows it: ``value`` is None when it is withheld or absent."""

    value: int | float | None
    display: str
    suppressed: bool = False
    reason: Reason | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind = Kind.COUNT


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class ReportFilters:
    """A validated period (both days inclusive), and optionally one team and one category."""

    date_from: date
    date_to: date
    team_id: int | None = None
    category_id: int | None = None

    @property
    def start(self) -> datetime:
        """The first moment of the period: midnight in Amsterdam, as UTC."""
        return local_midnight(self.date_from)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return local_midnight(self.date_to + timedelta(days=1))

    def audit_details(self) -> dict:
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "teamId": self.team_id,
                "categoryId": self.category_id}


@dataclass(frozen=True)
class Report:
    """One report: a table (rows × columns, optionally a total row) and which columns its chart draws."""

    name: str
    title: str
    sheet: str
    description: str
    row_header: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total: Row | None
    chart_columns: tuple[int, ...]
    filters: ReportFilters
    threshold: int
    computed_at: datetime | None = None  # when the figures were counted (the rollup's time, or now)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.local_zone()).astimezone(UTC)


def months_of(filters: ReportFilters) -> list[date]:
    """The first day of every calendar month the period touches."""
    months, month = [], date(filters.date_from.year, filters.date_from.month, 1)
    while month <= filters.date_to:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


# --- cells: the one place where figures are suppressed -----------------------------------------------------

def is_small(n: int, t: int) -> bool:
    return 0 < n < t


def count_cell(n: int, t: int) -> Cell:
    if is_small(n, t):
        return Cell(None, f"<{t}", True, Reason.SMALL)
    return Cell(n, str(n))


def total_cell(n: int, parts: Sequence[Cell], t: int, *, hide: bool = False) -> Cell:
    """A total: below the threshold it is small itself; otherwise hidden when it would reveal a hidden part."""
    if is_small(n, t):
        return Cell(None, f"<{t}", True, Reason.SMALL)
    if hide or any(part.suppressed for part in parts):
        return Cell(None, HIDDEN, True, Reason.DERIVABLE)
    return Cell(n, str(n))


def days_cell(value: float | None, cases: int, t: int, locale: str) -> Cell:
    if cases == 0 or value is None:
        return Cell(None, HIDDEN)
    if cases < t:
        return Cell(None, HIDDEN, True, Reason.FEW_CASES)
    rounded = round(value, 1)
    text = f"{rounded:.1f}"
    return Cell(rounded, text if locale.startswith("en") else text.replace(".", ","))


def change_cell(value: float | None, cases: int, t: int, locale: str) -> Cell:
    """An average change over ``cases`` cases, signed (+0,8): hidden over fewer than ``t`` cases, like a median."""
    if cases == 0 or value is None:
        return Cell(None, HIDDEN)
    if cases < t:
        return Cell(None, HIDDEN, True, Reason.FEW_CASES)
    rounded = round(value, 1) + 0.0  # no "-0.0"
    text = f"{rounded:+.1f}" if rounded else "0.0"
    return Cell(rounded, text if locale.startswith("en") else text.replace(".", ","))


def percent_cell(part: Cell, whole: Cell) -> Cell:
    if part.suppressed or whole.suppressed:
        return Cell(None, HIDDEN, True, Reason.DERIVABLE)
    if not whole.value:
        return Cell(None, HIDDEN)
    value = round(100 * part.value / whole.value)
    return Cell(value, f"{value}%")


def count_column(values: Sequence[int], t: int, *, hide_total: bool = False) -> tuple[list[Cell], Cell]:
    """The cells of one column and its total."""
    cells = [count_cell(value, t) for value in values]
    return cells, total_cell(sum(values), cells, t, hide=hide_total)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (PostgreSQL's ``percentile_cont``); ``values`` sorted."""
    return percentile_of(values.__getitem__, len(values), fraction)


def percentile_of(value_at: Callable[[int], float], count: int, fraction: float) -> float | None:
    """``percentile`` over ``count`` sorted values read by rank (``value_at(rank)``): the rollup reads only the two
    values a percentile interpolates between."""
    if not count:
        return None
    position = (count - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, count - 1)
    return value_at(low) + (value_at(high) - value_at(low)) * (position - low)
