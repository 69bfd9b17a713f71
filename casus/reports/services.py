"""Supervisor reports (docs/DESIGN.md §1, §6): aggregates of the cases a supervisor may see, never personal data.

Every figure is counted in SQL with GROUP BY, and every query takes its WHERE clause from
``policy.case_scope`` (for a supervisor: the cases of their team), so a page costs a fixed number of
queries whatever the number of cases. No query selects a case id, reference, name or subject: what leaves
the database are counts, and — for the doorlooptijd — one number of days per case and phase.

Suppression happens here and nowhere else. A figure leaves this module as a :class:`Cell` holding the
value *and* the text to show, so the page, the CSV and XLSX downloads and the API show exactly the same.
With ``t`` the threshold (``CASUS_REPORT_MIN_COUNT``, default 5):

1. a count ``0 < n < t`` shows as ``<t`` (its value is withheld); zero shows as 0;
2. a total is hidden (``–``) when a cell it adds up is hidden, so that a small count cannot be recovered
   by subtracting the other cells from the total. The three "stand" tables (fase, categorie, gemeente)
   count the same cases, so their common total is hidden when any of the three hides a cell;
3. a median or 90th percentile over fewer than ``t`` cases is hidden (``–``);
4. a percentage is hidden when its numerator or denominator is hidden.

What each report counts (also explained on the page):

* fasen, categorieën, gemeenten: the cases that ran during the period (created before its end, not closed
  before its start), with their phase of today;
* instroom/uitstroom: cases created / closed per calendar month (Europe/Amsterdam);
* doorlooptijd: days per phase, from the case's creation to its first allowed transition and between
  allowed transitions after that. Only *completed* stays that ended in the period count: a case still in
  a phase does not count for that phase (yet). A case that went through a phase more than once counts
  once, with the sum of its stays. Median and 90th percentile interpolate linearly (as PostgreSQL's
  ``percentile_cont``);
* partners: today's open actions (open or in uitvoering) per owning organisation, how many are past their
  due date and which share that is; the period does not apply;
* escalaties: steps up (per level reached) and down (per level left) taken in the period; decisions past
  their deadline: open steps up today;
* voordrachten: voordrachten created in the period, by their state of today.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

import sqlalchemy as sa
from babel.dates import format_date
from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l

from casus import policy
from casus.cases import services as case_services
from casus.cases.models import Case, Category, TransitionLog
from casus.escalations.models import Escalation, EscalationDirection
from casus.extensions import db
from casus.i18n import AMSTERDAM
from casus.organisations.models import Organisation, Team
from casus.plans.models import Action
from casus.services import ServiceError
from casus.users.models import User
from casus.voordrachten.models import Voordracht
from workflow import ActionStatus, CasePhase, EscalationLevel, VoordrachtState

DEFAULT_THRESHOLD = 5
MAX_MONTHS = 120  # a period of at most ten years keeps the month buckets (and the queries) small
DEFAULT_MONTHS = 12
MIN_YEAR, MAX_YEAR = 2000, 2100
HIDDEN = "–"
OPEN_ACTION_STATUSES = (ActionStatus.OPEN.value, ActionStatus.IN_UITVOERING.value)


class Reason(StrEnum):
    """Why a cell holds no value."""

    SMALL = "small"  # a count below the threshold
    DERIVABLE = "derivable"  # a total that would reveal a hidden count
    FEW_CASES = "few_cases"  # a median or percentile over fewer cases than the threshold


class Kind(StrEnum):
    COUNT = "count"
    DAYS = "days"
    PERCENT = "percent"


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


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: object  # lazy strings: translated when a report is built
    sheet: object
    description: object
    build: Callable[[_Run], Report]


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM).astimezone(UTC)


def threshold() -> int:
    return int(current_app.config.get("CASUS_REPORT_MIN_COUNT") or DEFAULT_THRESHOLD)


def _locale() -> str:
    if has_request_context():
        from casus.i18n import current_locale

        return current_locale()
    return "nl"


# --- access and filters ------------------------------------------------------------------------------------

def report_teams(user: User) -> list[Team]:
    """The teams whose figures ``user`` may read and pick in the team filter. For a supervisor that is their
    own team — exactly what ``policy.case_scope`` gives them. A regional role would list more teams here."""
    if not policy.reads_reports(user) or user.team is None:
        return []
    return [user.team]


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months, the current one included: from the first of the month eleven months ago."""
    month = today.year * 12 + today.month - 1 - (DEFAULT_MONTHS - 1)
    return date(month // 12, month % 12 + 1, 1), today


def resolve_filters(user: User, *, date_from: date | None = None, date_to: date | None = None,
                    team_id: int | None = None, category_id: int | None = None) -> ReportFilters:
    """Check the filters and fill in the default period. Refusals name the filter: ``date_from``,
    ``date_to``, ``team_id`` or ``category_id``."""
    today = case_services.today()
    if date_to is None:
        date_to = max(today, date_from) if date_from else today
    if date_from is None:
        date_from = default_period(date_to)[0]
    for day, name in ((date_from, "date_from"), (date_to, "date_to")):
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise ServiceError("Kies een datum tussen 2000 en 2100.", field=name)
    if date_from > date_to:
        raise ServiceError("De begindatum ligt na de einddatum.", field="date_to")
    if _month_count(date_from, date_to) > MAX_MONTHS:
        raise ServiceError("Kies een periode van hoogstens tien jaar.", field="date_from")
    if team_id is not None and team_id not in {team.id for team in report_teams(user)}:
        raise ServiceError("Kies een team waarvan u de cijfers mag zien.", field="team_id")
    if category_id is not None and db.session.get(Category, category_id) is None:
        raise ServiceError("Kies een categorie uit de lijst.", field="category_id")
    return ReportFilters(date_from, date_to, team_id, category_id)


def _month_count(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def months_of(filters: ReportFilters) -> list[date]:
    """The first day of every calendar month the period touches."""
    months, month = [], date(filters.date_from.year, filters.date_from.month, 1)
    while month <= filters.date_to:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


# --- cells: the one place where figures are suppressed -----------------------------------------------------

def _small(n: int, t: int) -> bool:
    return 0 < n < t


def count_cell(n: int, t: int) -> Cell:
    if _small(n, t):
        return Cell(None, f"<{t}", True, Reason.SMALL)
    return Cell(n, str(n))


def total_cell(n: int, parts: Sequence[Cell], t: int, *, hide: bool = False) -> Cell:
    """A total: below the threshold it is small itself; otherwise hidden when it would reveal a hidden part."""
    if _small(n, t):
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
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


# --- building reports ----------------------------------------------------------------------------------------

@dataclass
class _Run:
    """One request's worth of report building: who, which filters, and what was already counted."""

    user: User
    filters: ReportFilters
    threshold: int
    locale: str
    today: date
    cache: dict = field(default_factory=dict)

    def case_conditions(self) -> list:
        """The WHERE clause of every query: the policy's scope first, then the chosen team and category."""
        conditions = [policy.case_scope(self.user)]
        if self.filters.team_id is not None:
            conditions.append(Case.team_id == self.filters.team_id)
        if self.filters.category_id is not None:
            conditions.append(Case.category_id == self.filters.category_id)
        return conditions

    def report(self, name: str, row_header, columns, rows, total, chart_columns) -> Report:
        spec = REPORTS[name]
        return Report(name=name, title=str(spec.title), sheet=str(spec.sheet), description=str(spec.description),
                      row_header=str(row_header), columns=tuple(columns), rows=tuple(rows), total=total,
                      chart_columns=tuple(chart_columns), filters=self.filters, threshold=self.threshold)


def _rows(keys_labels: Sequence[tuple[str, str]], columns: Sequence[Sequence[Cell]]) -> list[Row]:
    return [Row(key, label, tuple(column[index] for column in columns))
            for index, (key, label) in enumerate(keys_labels)]


def _total_row(cells: Sequence[Cell]) -> Row:
    return Row("totaal", str(_l("Totaal")), tuple(cells))


# -- the "stand": cases that ran during the period --

def _stand(run: _Run) -> dict:
    """Three GROUP BY counts over the same cases, and whether any of the three hides a cell (then their
    common total is hidden in all three)."""
    if "stand" in run.cache:
        return run.cache["stand"]
    where = [*run.case_conditions(), Case.created_at < run.filters.end,
             sa.or_(Case.closed_on.is_(None), Case.closed_on >= run.filters.date_from)]

    def grouped(column) -> dict:
        return dict(db.session.execute(sa.select(column, sa.func.count()).where(*where).group_by(column)).all())

    by_phase = {str(key): count for key, count in grouped(Case.phase).items()}
    by_category = grouped(Case.category_id)
    by_gemeente = grouped(Case.gemeente)
    categories = db.session.execute(
        sa.select(Category.id, Category.name, Category.name_en, Category.active).order_by(Category.name)).all()
    t = run.threshold
    any_small = any(_small(n, t) for counts in (by_phase, by_category, by_gemeente) for n in counts.values())
    run.cache["stand"] = {"phase": by_phase, "category": by_category, "gemeente": by_gemeente,
                          "categories": categories, "hide_total": any_small}
    return run.cache["stand"]


def _stand_report(run: _Run, name: str, row_header, keys_labels: list[tuple[str, str]], counts: dict) -> Report:
    stand = _stand(run)
    cells, total = count_column([counts.get(key, 0) for key, _ in keys_labels], run.threshold,
                                hide_total=stand["hide_total"])
    column = Column("casussen", str(_l("Aantal casussen")))
    return run.report(name, row_header, [column], _rows(keys_labels, [cells]), _total_row([total]), [0])


def _phases_report(run: _Run) -> Report:
    keys_labels = [(phase.value, phase.label(run.locale)) for phase in CasePhase]
    return _stand_report(run, "fasen", _l("Fase"), keys_labels, _stand(run)["phase"])


def _categories_report(run: _Run) -> Report:
    stand = _stand(run)
    counts = stand["category"]
    english = run.locale.startswith("en")
    keys_labels = [(str(row.id), row.name_en if english else row.name) for row in stand["categories"]
                   if (row.id == run.filters.category_id if run.filters.category_id is not None
                       else row.active or row.id in counts)]
    return _stand_report(run, "categorieen", _l("Categorie"), keys_labels,
                         {str(key): count for key, count in counts.items()})


def _gemeenten_report(run: _Run) -> Report:
    counts = _stand(run)["gemeente"]
    keys_labels = [(gemeente, gemeente) for gemeente in sorted(counts, key=lambda name: (name.casefold(), name))]
    return _stand_report(run, "gemeenten", _l("Gemeente"), keys_labels, counts)


# -- inflow and outflow per month --

def _bucket(column, bounds: Sequence) -> sa.ColumnElement:
    """The index of the month a value falls in, given the first moment of every month after the first."""
    if not bounds:
        return sa.literal(0)
    return sa.case(*[(column < bound, index) for index, bound in enumerate(bounds)], else_=len(bounds))


def _per_month(run: _Run, column, bounds: Sequence, *conditions) -> dict[int, int]:
    # Grouped in an outer query: PostgreSQL does not accept a GROUP BY expression whose parameters differ
    # from the select list's, and the month boundaries are parameters.
    inner = sa.select(_bucket(column, bounds).label("month")).where(*run.case_conditions(), *conditions).subquery()
    return dict(db.session.execute(sa.select(inner.c.month, sa.func.count()).group_by(inner.c.month)).all())


def _flow_report(run: _Run) -> Report:
    filters, months = run.filters, months_of(run.filters)
    created = _per_month(run, Case.created_at, [local_midnight(month) for month in months[1:]],
                         Case.created_at >= filters.start, Case.created_at < filters.end)
    closed = _per_month(run, Case.closed_on, months[1:], Case.closed_on >= filters.date_from,
                        Case.closed_on <= filters.date_to)
    keys_labels = [(month.strftime("%Y-%m"), format_date(month, "LLLL yyyy", locale=run.locale))
                   for month in months]
    inflow, inflow_total = count_column([created.get(index, 0) for index in range(len(months))], run.threshold)
    outflow, outflow_total = count_column([closed.get(index, 0) for index in range(len(months))], run.threshold)
    columns = [Column("instroom", str(_l("Instroom (nieuwe casussen)"))),
               Column("uitstroom", str(_l("Uitstroom (afgesloten casussen)")))]
    return run.report("instroom", _l("Maand"), columns, _rows(keys_labels, [inflow, outflow]),
                      _total_row([inflow_total, outflow_total]), [0, 1])


# -- doorlooptijd --

def _days_between(start, end) -> sa.ColumnElement:
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.julianday(end) - sa.func.julianday(start)
    return sa.extract("epoch", end - start) / 86400.0


def stay_days(run: _Run) -> dict[str, list[float]]:
    """Per phase, the days each case spent in it (completed stays ending in the period, summed per case).

    One query: the window function LAG pairs every allowed transition with the one before it (or the
    case's creation), which is when the stay in ``from_state`` began. Only numbers come back.
    """
    previous = sa.func.lag(TransitionLog.at).over(partition_by=TransitionLog.case_id,
                                                  order_by=(TransitionLog.at, TransitionLog.id))
    stays = (sa.select(TransitionLog.case_id.label("case_id"), TransitionLog.from_state.label("phase"),
                       TransitionLog.at.label("ended"), sa.func.coalesce(previous, Case.created_at).label("started"))
             .join(Case, Case.id == TransitionLog.case_id)
             .where(*run.case_conditions(), TransitionLog.machine == "case", TransitionLog.allowed.is_(True),
                    TransitionLog.at < run.filters.end)
             .subquery())
    query = (sa.select(stays.c.phase, sa.func.sum(_days_between(stays.c.started, stays.c.ended)))
             .where(stays.c.ended >= run.filters.start)
             .group_by(stays.c.phase, stays.c.case_id))
    days: dict[str, list[float]] = defaultdict(list)
    for phase, total in db.session.execute(query):
        days[str(phase)].append(max(float(total), 0.0))
    return days


def _duration_report(run: _Run) -> Report:
    days, t = stay_days(run), run.threshold
    rows = []
    for phase in CasePhase:
        if phase == CasePhase.AFGESLOTEN:
            continue  # closed is where a case ends, not a stay with a duration
        values = sorted(days.get(phase.value, []))
        rows.append(Row(phase.value, phase.label(run.locale), (
            count_cell(len(values), t),
            days_cell(percentile(values, 0.5), len(values), t, run.locale),
            days_cell(percentile(values, 0.9), len(values), t, run.locale))))
    columns = [Column("casussen", str(_l("Aantal casussen"))),
               Column("mediaan", str(_l("Mediaan (dagen)")), Kind.DAYS),
               Column("p90", str(_l("90e percentiel (dagen)")), Kind.DAYS)]
    return run.report("doorlooptijd", _l("Fase"), columns, rows, None, [1, 2])


# -- the partner accountability board --

def _partners_report(run: _Run) -> Report:
    overdue = sa.func.sum(sa.case((Action.due_on < run.today, 1), else_=0))
    query = (sa.select(Organisation.name, sa.func.count(Action.id), overdue)
             .join(Organisation, Organisation.id == Action.owner_organisation_id)
             .join(Case, Case.id == Action.case_id)
             .where(*run.case_conditions(), Action.status.in_(OPEN_ACTION_STATUSES))
             .group_by(Organisation.id, Organisation.name)
             .order_by(Organisation.name, Organisation.id))
    found = db.session.execute(query).all()
    t = run.threshold
    open_cells, open_total = count_column([row[1] for row in found], t)
    late_cells, late_total = count_column([int(row[2] or 0) for row in found], t)
    rows = [Row(f"organisatie-{index}", row[0], (open_cells[index], late_cells[index],
                                                  percent_cell(late_cells[index], open_cells[index])))
            for index, row in enumerate(found)]
    columns = [Column("open", str(_l("Lopende acties"))), Column("overDatum", str(_l("Over datum"))),
               Column("percentageOverDatum", str(_l("Deel over datum")), Kind.PERCENT)]
    total = _total_row([open_total, late_total, percent_cell(late_total, open_total)])
    return run.report("partners", _l("Organisatie"), columns, rows, total, [0, 1])


# -- escalations --

def _escalations_report(run: _Run) -> Report:
    filters = run.filters
    in_period = sa.and_(Escalation.created_at >= filters.start, Escalation.created_at < filters.end)
    late = sa.and_(Escalation.direction == EscalationDirection.OPSCHALEN, Escalation.decision.is_(None),
                   Escalation.resolved_at.is_(None), Escalation.decision_deadline < run.today)
    query = (sa.select(Escalation.direction, Escalation.from_level, Escalation.to_level,
                       sa.func.sum(sa.case((in_period, 1), else_=0)), sa.func.sum(sa.case((late, 1), else_=0)))
             .join(Case, Case.id == Escalation.case_id)
             .where(*run.case_conditions(), sa.or_(in_period, late))
             .group_by(Escalation.direction, Escalation.from_level, Escalation.to_level))
    up: dict[str, int] = defaultdict(int)
    down: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    for direction, from_level, to_level, taken, past_deadline in db.session.execute(query):
        if str(direction) == EscalationDirection.OPSCHALEN:
            up[str(to_level)] += int(taken or 0)
            overdue[str(to_level)] += int(past_deadline or 0)
        else:
            down[str(from_level)] += int(taken or 0)
    levels = [level for level in EscalationLevel if level != EscalationLevel.OPERATIONEEL]
    t = run.threshold
    columns_cells = [count_column([counts[level.value] for level in levels], t) for counts in (up, down, overdue)]
    keys_labels = [(level.value, level.label(run.locale)) for level in levels]
    columns = [Column("opgeschaald", str(_l("Opgeschaald naar dit niveau"))),
               Column("afgeschaald", str(_l("Afgeschaald vanaf dit niveau"))),
               Column("besluitOverTermijn", str(_l("Besluit over termijn (vandaag)")))]
    return run.report("escalaties", _l("Niveau"), columns, _rows(keys_labels, [cells for cells, _ in columns_cells]),
                      _total_row([total for _, total in columns_cells]), [0, 1, 2])


# -- RIEC voordrachten --

def _voordrachten_report(run: _Run) -> Report:
    filters = run.filters
    query = (sa.select(Voordracht.state, sa.func.count())
             .join(Case, Case.id == Voordracht.case_id)
             .where(*run.case_conditions(), Voordracht.created_at >= filters.start, Voordracht.created_at < filters.end)
             .group_by(Voordracht.state))
    counts = {str(state): count for state, count in db.session.execute(query)}
    keys_labels = [(state.value, state.label(run.locale)) for state in VoordrachtState]
    cells, total = count_column([counts.get(key, 0) for key, _ in keys_labels], run.threshold)
    column = Column("voordrachten", str(_l("Aantal voordrachten")))
    return run.report("voordrachten", _l("Status"), [column], _rows(keys_labels, [cells]), _total_row([total]), [0])


REPORTS: dict[str, ReportSpec] = {spec.name: spec for spec in (
    ReportSpec("fasen", _l("Casussen per fase"), _l("Fasen"),
               _l("Casussen die in de gekozen periode liepen (aangemaakt vóór het einde en niet afgesloten vóór "
                  "het begin), met hun fase van vandaag."), _phases_report),
    ReportSpec("categorieen", _l("Casussen per categorie"), _l("Categorieën"),
               _l("Dezelfde casussen als bij de fasen, per categorie."), _categories_report),
    ReportSpec("gemeenten", _l("Casussen per gemeente"), _l("Gemeenten"),
               _l("Dezelfde casussen als bij de fasen, per gemeente."), _gemeenten_report),
    ReportSpec("instroom", _l("Instroom en uitstroom per maand"), _l("Instroom en uitstroom"),
               _l("Instroom: casussen aangemaakt in de maand. Uitstroom: casussen afgesloten in de maand. "
                  "Maanden lopen volgens de Nederlandse tijd."), _flow_report),
    ReportSpec("doorlooptijd", _l("Doorlooptijd per fase"), _l("Doorlooptijd"),
               _l("Mediaan en 90e percentiel van het aantal dagen dat casussen in een fase waren. Alleen afgeronde "
                  "perioden die in de gekozen periode eindigden tellen mee: een casus die nu nog in een fase zit, "
                  "telt voor die fase nog niet mee. Doorliep een casus een fase vaker, dan telt de som van die "
                  "perioden. Afgesloten casussen hebben geen doorlooptijd in de fase Afgesloten."), _duration_report),
    ReportSpec("partners", _l("Acties per partnerorganisatie"), _l("Partners"),
               _l("Stand van vandaag: lopende acties (open of in uitvoering) per organisatie die eigenaar is, "
                  "hoeveel daarvan over datum zijn en welk deel dat is. De periode telt hier niet mee."),
               _partners_report),
    ReportSpec("escalaties", _l("Escalaties per niveau"), _l("Escalaties"),
               _l("Opschalingen naar en afschalingen vanaf elk niveau in de gekozen periode. Besluiten over termijn: "
                  "openstaande opschalingen waarvan de besluittermijn vandaag verstreken is."), _escalations_report),
    ReportSpec("voordrachten", _l("RIEC-voordrachten per status"), _l("Voordrachten"),
               _l("Voordrachten aangemaakt in de gekozen periode, met hun status van vandaag: aangenomen, "
                  "teruggelegd, afgewezen of nog onderweg."), _voordrachten_report),
)}


def build_reports(user: User, filters: ReportFilters, names: Sequence[str] | None = None) -> list[Report]:
    """The reports ``names`` (default: all) for ``user`` with ``filters``, suppressed and ready to show.

    The caller checks ``policy.reads_reports`` and audits; the figures themselves are always limited to
    ``policy.case_scope(user)``.
    """
    run = _Run(user=user, filters=filters, threshold=threshold(), locale=_locale(), today=case_services.today())
    return [REPORTS[name].build(run) for name in (names or list(REPORTS))]


def build_report(user: User, filters: ReportFilters, name: str) -> Report:
    return build_reports(user, filters, [name])[0]
