"""Default cadences and periods (docs/DESIGN.md §3.4) in one place, plus the date arithmetic built on them.

``Cadences()`` holds the defaults; a deployment overrides them from its configuration with
``Cadences.from_mapping({...})``. Guards that depend on a period read ``ctx.cadences``.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta

from workflow.workdays import add_working_days

__all__ = ["Cadences", "add_months", "add_years"]


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Aug + 6 = 28/29 Feb)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def add_years(day: date, years: int) -> date:
    """``day`` plus ``years`` years; 29 February becomes 28 February in a common year."""
    return add_months(day, years * 12)


@dataclass(frozen=True)
class Cadences:
    """Configurable periods of the process; the defaults are docs/DESIGN.md §3.4.

    Attributes:
        triage_working_days: triage is due this many werkdagen after the first signal.
        review_interval_days: during aanpak a case is reviewed in casusoverleg this often.
        nazorg_checkins_months: check-ins during nazorg, in months after nazorg started.
        nazorg_period_months: a case may be closed (without override) this long after nazorg started.
        action_due_soon_days: an action counts as "due soon" this many days ahead of its due date.
        stale_after_days: an action or voordracht untouched this long is stale.
        escalation_decision_working_days: an escalation decision is due this many werkdagen after the step.
        retention_years: a closed case can be reopened (and is kept) this long after closure.
    """

    triage_working_days: int = 5
    review_interval_days: int = 28
    nazorg_checkins_months: tuple[int, ...] = (3, 6)
    nazorg_period_months: int = 6
    action_due_soon_days: int = 7
    stale_after_days: int = 14
    escalation_decision_working_days: int = 10
    retention_years: int = 5

    def __post_init__(self) -> None:
        # Configuration comes from environment variables; fail at start-up, not in a guard at 3 a.m.
        object.__setattr__(self, "nazorg_checkins_months", tuple(self.nazorg_checkins_months))
        for item in fields(self):
            values = getattr(self, item.name)
            for value in values if isinstance(values, tuple) else (values,):
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"Cadences.{item.name} must be a non-negative integer, got {value!r}")

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, object]) -> Cadences:
        """Build from configuration; unknown keys are an error so that typos do not pass silently."""
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise ValueError(f"unknown cadence setting(s): {', '.join(unknown)}")
        return cls(**mapping)  # type: ignore[arg-type]

    def triage_due(self, first_signal_on: date) -> date:
        return add_working_days(first_signal_on, self.triage_working_days)

    def next_review(self, last_review_on: date) -> date:
        return last_review_on + timedelta(days=self.review_interval_days)

    def nazorg_checkins(self, nazorg_started_on: date) -> tuple[date, ...]:
        return tuple(add_months(nazorg_started_on, months) for months in self.nazorg_checkins_months)

    def nazorg_ends(self, nazorg_started_on: date) -> date:
        return add_months(nazorg_started_on, self.nazorg_period_months)

    def is_action_due_soon(self, due_on: date, today: date) -> bool:
        """Due within the coming ``action_due_soon_days`` (overdue actions are not "soon", they are late)."""
        return today <= due_on <= today + timedelta(days=self.action_due_soon_days)

    def is_stale(self, last_touched_on: date, today: date) -> bool:
        return (today - last_touched_on).days >= self.stale_after_days

    def escalation_decision_due(self, escalated_on: date) -> date:
        return add_working_days(escalated_on, self.escalation_decision_working_days)

    def retention_ends(self, closed_on: date) -> date:
        return add_years(closed_on, self.retention_years)
