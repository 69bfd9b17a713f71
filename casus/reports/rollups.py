"""The reports' rollup (:mod:`casus.reports.models`): counting it from the cases, and reading reports' counts from it.

Counting (:func:`count_rollup`) runs in the scheduler every 15 minutes and in ``casus reports refresh``; it reads
every case once and answers rows, which :func:`casus.reports.services.refresh_rollup` writes. Reading
(:class:`RollupCounts`) answers, for a report run, the same dictionaries the direct queries in
:mod:`casus.reports.queries` count from the cases — for the teams ``policy.case_scope_teams`` names, with a month
grain: so only a period that starts on the first of a month and ends on the last day of a month (or on or after
the latest day counted) can be read from it (:func:`answers`).

The doorlooptijd's median and 90th percentile are over each case's summed stays in a phase that ended in the
period, so its rows hold values, not counts: per case and phase one row for every run of consecutive months in which
its stays ended (almost always one month), with the months just outside the run, so that a period picks exactly one
row per case — the sum of that case's stays in the period. No row names the case.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from casus import clock
from casus.assessments.models import AssessmentMoment, AssessmentScore
from casus.cases.models import Case, TransitionLog
from casus.escalations.models import Escalation, EscalationDirection
from casus.extensions import db
from casus.organisations.models import Organisation
from casus.plans.models import Action
from casus.reports.assessment_figures import pick
from casus.reports.figures import ReportFilters, percentile_of
from casus.reports.models import ReportRollup, ReportRollupRun
from casus.voordrachten.models import Voordracht
from workflow import ActionStatus

OPEN_ACTION_STATUSES = (ActionStatus.OPEN.value, ActionStatus.IN_UITVOERING.value)
BATCH = 5000

# The kinds of rows, and what key, months and numbers they hold.
PHASE = "phase"  # key: phase of today; created and closed month; n cases
GEMEENTE = "gemeente"  # key: gemeente; created and closed month; n cases
ACTIONS = "actions"  # key: owning organisation id; n open actions, total of them past due on the day counted
STEPS = "steps"  # key: direction|from|to; created month; n escalation steps
LATE = "late_decisions"  # key: level stepped up to; n open steps up past their deadline on the day counted
VOORDRACHTEN = "voordrachten"  # key: state of today; created month; n
STAYS = "stays"  # key: phase; days, months and bounds as in models.ReportRollup; one row (n 1) per case and run
STAY_COUNTS = "stay_counts"  # as STAYS without days: n such rows
ASSESSED = "assessed"  # closed month; n closed cases with a triage and an afsluiting scoring
CHANGES = "changes"  # key: domain; closed month; n cases that scored it both times, total the summed change


def month_of(day: date) -> date:
    return date(day.year, day.month, 1)


def local_month(moment: datetime) -> date:
    return month_of(moment.astimezone(clock.local_zone()).date())


@dataclass
class Counted:
    """The rollup as counted: (kind, team, category, key, created month, closed month) -> [n, total]."""

    rows: Counter
    totals: Counter
    latest_day: date
    stays: Counter = field(default_factory=Counter)  # (team, category, phase, first, last, lower, upper, days) -> n


# --- counting ----------------------------------------------------------------------------------------------

def count_rollup(today: date, progress: Callable[[int], None] | None = None) -> Counted:
    """Every rollup row, counted from the cases, their actions, escalations, voordrachten and scorings."""
    rows, totals, days, stays = Counter(), Counter(), [today], Counter()
    _count_cases(rows, days, progress)
    _count_stays(stays, days)
    _count_actions(rows, totals, today)
    _count_escalations(rows, days, today)
    _count_voordrachten(rows, days)
    _count_assessments(rows, totals)
    return Counted(rows, totals, max(days), stays)


def _count_cases(rows: Counter, days: list, progress) -> None:
    query = (sa.select(Case.team_id, Case.category_id, Case.phase, Case.gemeente, Case.created_at, Case.closed_on)
             .where(Case.team_id.is_not(None)).execution_options(yield_per=BATCH))
    latest = None
    for number, (team, category, phase, gemeente, created, closed) in enumerate(db.session.execute(query), 1):
        created_day = created.astimezone(clock.local_zone()).date()
        created_month, closed_month = month_of(created_day), month_of(closed) if closed else None
        rows[(PHASE, team, category, str(phase), created_month, closed_month)] += 1
        rows[(GEMEENTE, team, category, gemeente, created_month, closed_month)] += 1
        latest = max(filter(None, (latest, created_day, closed)))
        if progress is not None and number % BATCH == 0:
            progress(BATCH)
    if latest is not None:
        days.append(latest)


def days_between(start, end) -> sa.ColumnElement:
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.julianday(end) - sa.func.julianday(start)
    return sa.extract("epoch", end - start) / 86400.0


def _count_stays(stays: Counter, days: list) -> None:
    """As :func:`casus.reports.queries.stay_days` without a period: every completed stay, then per case and phase
    the sum for every run of consecutive months (of the months its stays ended in)."""
    previous = sa.func.lag(TransitionLog.at).over(partition_by=TransitionLog.case_id,
                                                  order_by=(TransitionLog.at, TransitionLog.id))
    ended = (sa.select(TransitionLog.case_id.label("case_id"), TransitionLog.from_state.label("phase"),
                       TransitionLog.at.label("ended"), sa.func.coalesce(previous, Case.created_at).label("started"),
                       Case.team_id.label("team_id"), Case.category_id.label("category_id"))
             .join(Case, Case.id == TransitionLog.case_id)
             .where(TransitionLog.machine == "case", TransitionLog.allowed.is_(True), Case.team_id.is_not(None))
             .subquery())
    query = sa.select(ended.c.case_id, ended.c.team_id, ended.c.category_id, ended.c.phase, ended.c.ended,
                      days_between(ended.c.started, ended.c.ended)).execution_options(yield_per=BATCH)
    per_case: dict[tuple, Counter] = {}
    latest = None
    for case_id, team, category, phase, at, length in db.session.execute(query):
        day = at.astimezone(clock.local_zone()).date() if isinstance(at, datetime) else _parse_day(at)
        per_case.setdefault((case_id, team, category, str(phase)), Counter())[month_of(day)] += float(length)
        latest = day if latest is None or day > latest else latest
    if latest is not None:
        days.append(latest)
    for (_case, team, category, phase), by_month in per_case.items():
        months = sorted(by_month)
        for first in range(len(months)):
            total = 0.0
            for last in range(first, len(months)):
                total += by_month[months[last]]
                lower = months[first - 1] if first else None
                upper = months[last + 1] if last + 1 < len(months) else None
                stays[(team, category, phase, months[first], months[last], lower, upper, max(total, 0.0))] += 1


def _parse_day(value) -> date:
    """SQLite hands a window function's datetime back as text (no column type to convert it by)."""
    moment = datetime.fromisoformat(str(value))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(clock.local_zone()).date()


def _count_actions(rows: Counter, totals: Counter, today: date) -> None:
    overdue = sa.func.sum(sa.case((Action.due_on < today, 1), else_=0))
    query = (sa.select(Case.team_id, Case.category_id, Action.owner_organisation_id, sa.func.count(), overdue)
             .join(Case, Case.id == Action.case_id).where(Action.status.in_(OPEN_ACTION_STATUSES))
             .group_by(Case.team_id, Case.category_id, Action.owner_organisation_id))
    for team, category, organisation, n, late in db.session.execute(query):
        key = (ACTIONS, team, category, str(organisation), None, None)
        rows[key], totals[key] = n, int(late or 0)


def _count_escalations(rows: Counter, days: list, today: date) -> None:
    steps = (sa.select(Case.team_id, Case.category_id, Escalation.direction, Escalation.from_level,
                       Escalation.to_level, Escalation.created_at).join(Case, Case.id == Escalation.case_id))
    for team, category, direction, from_level, to_level, created in db.session.execute(steps):
        rows[(STEPS, team, category, f"{direction}|{from_level}|{to_level}", local_month(created), None)] += 1
        days.append(created.astimezone(clock.local_zone()).date())
    late = (sa.select(Case.team_id, Case.category_id, Escalation.to_level, sa.func.count())
            .join(Case, Case.id == Escalation.case_id)
            .where(Escalation.direction == EscalationDirection.OPSCHALEN, Escalation.decision.is_(None),
                   Escalation.resolved_at.is_(None), Escalation.decision_deadline < today)
            .group_by(Case.team_id, Case.category_id, Escalation.to_level))
    for team, category, level, n in db.session.execute(late):
        rows[(LATE, team, category, str(level), None, None)] = n


def _count_voordrachten(rows: Counter, days: list) -> None:
    query = (sa.select(Case.team_id, Case.category_id, Voordracht.state, Voordracht.created_at)
             .join(Case, Case.id == Voordracht.case_id))
    for team, category, state, created in db.session.execute(query):
        rows[(VOORDRACHTEN, team, category, str(state), local_month(created), None)] += 1
        days.append(created.astimezone(clock.local_zone()).date())


def _count_assessments(rows: Counter, totals: Counter) -> None:
    """As :func:`casus.reports.assessment_figures.count_changes`, per team, category and day of closure."""
    triage, closing = pick(AssessmentMoment.TRIAGE, last=False), pick(AssessmentMoment.AFSLUITING, last=True)
    paired = (sa.select(Case.team_id, Case.category_id, Case.closed_on).select_from(Case)
              .join(triage, triage.c.case_id == Case.id).join(closing, closing.c.case_id == Case.id)
              .where(Case.closed_on.is_not(None)))
    grouping = (Case.team_id, Case.category_id, Case.closed_on)
    for team, category, closed, n in db.session.execute(paired.add_columns(sa.func.count()).group_by(*grouping)):
        rows[(ASSESSED, team, category, "", None, month_of(closed))] += n
    before, after = sa.orm.aliased(AssessmentScore), sa.orm.aliased(AssessmentScore)
    changes = (paired.add_columns(before.domain, sa.func.count(), sa.func.sum(after.score - before.score))
               .join(before, before.assessment_id == triage.c.assessment_id)
               .join(after, sa.and_(after.assessment_id == closing.c.assessment_id, after.domain == before.domain))
               .group_by(*grouping, before.domain))
    for team, category, closed, domain, n, total in db.session.execute(changes):
        key = (CHANGES, team, category, domain, None, month_of(closed))
        rows[key] += n
        totals[key] += int(total or 0)


def as_records(counted: Counted) -> Iterable[dict]:
    empty = {"days": None, "lower_month": None, "upper_month": None}
    for (kind, team, category, key, created_month, closed_month), n in counted.rows.items():
        yield {"kind": kind, "team_id": team, "category_id": category, "key": key, "created_month": created_month,
               "closed_month": closed_month, "n": n, "total": counted.totals.get(
                   (kind, team, category, key, created_month, closed_month), 0), **empty}
    counts = Counter()
    for (team, category, phase, first, last, lower, upper, days), n in counted.stays.items():
        row = {"kind": STAYS, "team_id": team, "category_id": category, "key": phase, "created_month": first,
               "closed_month": last, "n": 1, "total": 0, "days": days, "lower_month": lower, "upper_month": upper}
        yield from (row for _ in range(n))  # one row per case: a rank is an OFFSET
        counts[(team, category, phase, first, last, lower, upper)] += n
    for (team, category, phase, first, last, lower, upper), n in counts.items():
        yield {"kind": STAY_COUNTS, "team_id": team, "category_id": category, "key": phase, "created_month": first,
               "closed_month": last, "n": n, "total": 0, "days": None, "lower_month": lower, "upper_month": upper}


# --- reading -----------------------------------------------------------------------------------------------

def latest_run() -> ReportRollupRun | None:
    return db.session.execute(sa.select(ReportRollupRun).where(ReportRollupRun.finished.is_(True))
                              .order_by(ReportRollupRun.id.desc()).limit(1)).scalar()


def answers(run: ReportRollupRun | None, filters: ReportFilters) -> bool:
    """Whether the rollup gives exactly the direct figures for ``filters``: counted at all, and a period of whole
    months (or ending on or after the latest day counted, so nothing after its end was counted)."""
    if run is None or filters.date_from.day != 1:
        return False
    last_of_month = (filters.date_to + timedelta(days=1)).day == 1
    return last_of_month or filters.date_to >= run.latest_day


class RollupCounts:
    """The counts of one report run, summed from the rollup within ``teams`` (and the chosen team and category)."""

    def __init__(self, run: ReportRollupRun, teams: frozenset[int], filters: ReportFilters):
        self.filters = filters
        self.first, self.last = month_of(filters.date_from), month_of(filters.date_to)
        self.conditions = [ReportRollup.run_id == run.id, ReportRollup.team_id.in_(sorted(teams))]
        if filters.team_id is not None:
            self.conditions.append(ReportRollup.team_id == filters.team_id)
        if filters.category_id is not None:
            self.conditions.append(ReportRollup.category_id == filters.category_id)

    def _sum(self, kind: str, *columns, where=(), with_total: bool = False):
        numbers = (sa.func.sum(ReportRollup.n), sa.func.sum(ReportRollup.total)) if with_total else (
            sa.func.sum(ReportRollup.n),)
        return db.session.execute(sa.select(*columns, *numbers)
                                  .where(ReportRollup.kind == kind, *self.conditions, *where)
                                  .group_by(*columns)).all()

    def _ran(self) -> tuple:
        """Cases created before the period's end and not closed before its start."""
        return (ReportRollup.created_month <= self.last,
                sa.or_(ReportRollup.closed_month.is_(None), ReportRollup.closed_month >= self.first))

    def stand(self) -> tuple[dict, dict, dict]:
        """Cases that ran in the period: per phase, per category id and per gemeente."""
        by_phase, by_category = Counter(), Counter()
        for phase, category, n in self._sum(PHASE, ReportRollup.key, ReportRollup.category_id, where=self._ran()):
            by_phase[phase] += int(n)
            by_category[category] += int(n)
        by_gemeente = {key: int(n) for key, n in self._sum(GEMEENTE, ReportRollup.key, where=self._ran())}
        return dict(by_phase), dict(by_category), by_gemeente

    def flow(self, months: list[date]) -> tuple[dict[int, int], dict[int, int]]:
        """Cases created and closed per month of the period, by the month's index."""
        index = {month: number for number, month in enumerate(months)}
        created = self._sum(PHASE, ReportRollup.created_month,
                            where=(ReportRollup.created_month.between(self.first, self.last),))
        closed = self._sum(PHASE, ReportRollup.closed_month,
                           where=(ReportRollup.closed_month.between(self.first, self.last),))
        return ({index[month]: int(n) for month, n in created}, {index[month]: int(n) for month, n in closed})

    def partners(self) -> list[tuple[str, int, int]]:
        """Per owning organisation (by name): open actions and how many of them are past due."""
        query = (sa.select(Organisation.name, sa.func.sum(ReportRollup.n), sa.func.sum(ReportRollup.total))
                 .join(Organisation, sa.cast(Organisation.id, sa.String) == ReportRollup.key)
                 .where(ReportRollup.kind == ACTIONS, *self.conditions)
                 .group_by(Organisation.id, Organisation.name).order_by(Organisation.name, Organisation.id))
        return [(name, int(n), int(late)) for name, n, late in db.session.execute(query)]

    def escalations(self) -> list[tuple[str, str, str, int, int]]:
        """(direction, from level, to level, steps in the period, open steps up past their deadline)."""
        found = []
        for key, n in self._sum(STEPS, ReportRollup.key,
                                where=(ReportRollup.created_month.between(self.first, self.last),)):
            direction, from_level, to_level = key.split("|")
            found.append((direction, from_level, to_level, int(n), 0))
        for level, n in self._sum(LATE, ReportRollup.key):
            found.append((EscalationDirection.OPSCHALEN.value, "", level, 0, int(n)))
        return found

    def voordrachten(self) -> dict[str, int]:
        return {state: int(n) for state, n in self._sum(
            VOORDRACHTEN, ReportRollup.key, where=(ReportRollup.created_month.between(self.first, self.last),))}

    def _stays_in_period(self) -> tuple:
        return (*self.conditions, ReportRollup.created_month >= self.first, ReportRollup.closed_month <= self.last,
                sa.or_(ReportRollup.lower_month.is_(None), ReportRollup.lower_month < self.first),
                sa.or_(ReportRollup.upper_month.is_(None), ReportRollup.upper_month > self.last))

    def stay_percentiles(self, fractions: Sequence[float]) -> dict[str, tuple[int, list[float | None]]]:
        """Per phase the number of cases and the percentiles of their summed stays in the period — exactly as
        ``figures.percentile`` over all values, from two queries: the number of values per phase, then for each
        percentile the two values it interpolates between, read in order from an index (LIMIT 2 OFFSET rank)."""
        counts = {phase: int(n) for phase, n in self._sum(STAY_COUNTS, ReportRollup.key,
                                                         where=self._stays_in_period()[len(self.conditions):])}
        picks, lows, read = [], {}, set()
        for phase, count in counts.items():
            for fraction in fractions:
                lows[(phase, fraction)] = low = math.floor((count - 1) * fraction)
                if (phase, low) in read:
                    continue  # the same two values as another percentile's (a median and p90 of 3 values)
                read.add((phase, low))
                ordered = (sa.select(sa.literal(phase).label("phase"), sa.literal(low).label("low"),
                                     ReportRollup.days.label("days"))
                           .where(ReportRollup.kind == STAYS, ReportRollup.key == phase, *self._stays_in_period())
                           .order_by(ReportRollup.days).limit(2).offset(low).subquery())
                picks.append(sa.select(ordered.c.phase, ordered.c.low, ordered.c.days))
        values: dict[tuple[str, int], list[float]] = {}
        if picks:
            for phase, low, days in db.session.execute(sa.union_all(*picks)):
                values.setdefault((phase, int(low)), []).append(days)
        found = {}
        for phase, count in counts.items():
            percentiles = []
            for fraction in fractions:
                low = lows[(phase, fraction)]
                pair = sorted(values[(phase, low)])
                percentiles.append(percentile_of(lambda rank, p=pair, lo=low: p[rank - lo], count, fraction))
            found[phase] = (count, percentiles)
        return found

    def assessments(self) -> tuple[dict[int, int], dict[tuple[int, str], tuple[int, int]]]:
        """Closed cases with both scorings per category; per category and domain the cases and summed change."""
        in_period = (ReportRollup.closed_month.between(self.first, self.last),)
        cases = {category: int(n) for category, n in self._sum(ASSESSED, ReportRollup.category_id, where=in_period)}
        changes = {(category, domain): (int(n), int(total)) for category, domain, n, total in self._sum(
            CHANGES, ReportRollup.category_id, ReportRollup.key, where=in_period, with_total=True)}
        return cases, changes
