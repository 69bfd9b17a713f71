"""The supervisor reports' queries (docs/DESIGN.md §1, §6): aggregates of the cases a supervisor may see,
never personal data.

Every figure is counted in SQL with GROUP BY, and every query takes its WHERE clause from
``policy.case_scope`` (for a supervisor: the cases of their team), so a page costs a fixed number of
queries whatever the number of cases. No query selects a case id, reference, name or subject: what leaves
the database are counts, and — for the doorlooptijd — one number of days per case and phase. The counts
become cells through :mod:`casus.reports.figures`, which suppresses them.

What each report counts (also explained on the page):

* fasen, categorieën, gemeenten: the cases that ran during the period (created before its end, not closed
  before its start), with their phase of today;
* instroom/uitstroom: cases created / closed per calendar month (in the configured time zone);
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

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from babel.dates import format_date
from flask_babel import lazy_gettext as _l

from casus import labels, policy
from casus.cases.models import Case, Category, TransitionLog
from casus.escalations.models import Escalation, EscalationDirection
from casus.extensions import db
from casus.organisations.models import Organisation
from casus.plans.models import Action
from casus.reports import assessment_figures, rollups
from casus.reports.figures import (
    Cell,
    Column,
    Kind,
    Report,
    ReportFilters,
    Row,
    count_cell,
    count_column,
    days_cell,
    is_small,
    local_midnight,
    months_of,
    percent_cell,
    percentile,
)
from casus.users.models import User
from casus.voordrachten.models import Voordracht
from workflow import ActionStatus, CasePhase, EscalationLevel, VoordrachtState

OPEN_ACTION_STATUSES = (ActionStatus.OPEN.value, ActionStatus.IN_UITVOERING.value)


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: object  # lazy strings: translated when a report is built
    sheet: object
    description: object
    build: Callable[[_Run], Report]


# --- building reports ----------------------------------------------------------------------------------------

@dataclass
class _Run:
    """One request's worth of report building: who, which filters, and what was already counted."""

    user: User
    filters: ReportFilters
    threshold: int
    locale: str
    today: date
    now: datetime | None = None
    rollup: rollups.RollupCounts | None = None  # the counts come from the rollup, else from the cases
    rollup_at: datetime | None = None
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
                      chart_columns=tuple(chart_columns), filters=self.filters, threshold=self.threshold,
                      computed_at=self.now if self.rollup is None else self.rollup_at)


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
    by_phase, by_category, by_gemeente = run.rollup.stand() if run.rollup else _stand_counts(run)
    categories = db.session.execute(
        sa.select(Category.id, Category.name, Category.name_en, Category.active).order_by(Category.name)).all()
    t = run.threshold
    any_small = any(is_small(n, t) for counts in (by_phase, by_category, by_gemeente) for n in counts.values())
    run.cache["stand"] = {"phase": by_phase, "category": by_category, "gemeente": by_gemeente,
                          "categories": categories, "hide_total": any_small}
    return run.cache["stand"]


def _stand_counts(run: _Run) -> tuple[dict, dict, dict]:
    where = [*run.case_conditions(), Case.created_at < run.filters.end,
             sa.or_(Case.closed_on.is_(None), Case.closed_on >= run.filters.date_from)]

    def grouped(column) -> dict:
        return dict(db.session.execute(sa.select(column, sa.func.count()).where(*where).group_by(column)).all())

    return {str(key): count for key, count in grouped(Case.phase).items()}, grouped(Case.category_id), grouped(
        Case.gemeente)


def _stand_report(run: _Run, name: str, row_header, keys_labels: list[tuple[str, str]], counts: dict) -> Report:
    stand = _stand(run)
    cells, total = count_column([counts.get(key, 0) for key, _ in keys_labels], run.threshold,
                                hide_total=stand["hide_total"])
    column = Column("casussen", str(_l("Aantal casussen")))
    return run.report(name, row_header, [column], _rows(keys_labels, [cells]), _total_row([total]), [0])


def _phases_report(run: _Run) -> Report:
    keys_labels = [(phase.value, labels.label(phase, run.locale)) for phase in CasePhase]
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
    if run.rollup:
        created, closed = run.rollup.flow(months)
    else:
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
    query = (sa.select(stays.c.phase, sa.func.sum(rollups.days_between(stays.c.started, stays.c.ended)))
             .where(stays.c.ended >= run.filters.start)
             .group_by(stays.c.phase, stays.c.case_id))
    days: dict[str, list[float]] = defaultdict(list)
    for phase, total in db.session.execute(query):
        days[str(phase)].append(max(float(total), 0.0))
    return days


def _stay_percentiles(run: _Run, fractions: Sequence[float]) -> dict[str, tuple[int, list[float | None]]]:
    found = {}
    for phase, values in stay_days(run).items():
        values.sort()
        found[phase] = (len(values), [percentile(values, fraction) for fraction in fractions])
    return found


def _duration_report(run: _Run) -> Report:
    fractions, t = (0.5, 0.9), run.threshold
    found = run.rollup.stay_percentiles(fractions) if run.rollup else _stay_percentiles(run, fractions)
    rows = []
    for phase in CasePhase:
        if phase == CasePhase.AFGESLOTEN:
            continue  # closed is where a case ends, not a stay with a duration
        cases, (median, p90) = found.get(phase.value, (0, [None, None]))
        rows.append(Row(phase.value, labels.label(phase, run.locale), (
            count_cell(cases, t), days_cell(median, cases, t, run.locale), days_cell(p90, cases, t, run.locale))))
    columns = [Column("casussen", str(_l("Aantal casussen"))),
               Column("mediaan", str(_l("Mediaan (dagen)")), Kind.DAYS),
               Column("p90", str(_l("90e percentiel (dagen)")), Kind.DAYS)]
    return run.report("doorlooptijd", _l("Fase"), columns, rows, None, [1, 2])


# -- the partner accountability board --

def _partner_counts(run: _Run) -> list:
    overdue = sa.func.sum(sa.case((Action.due_on < run.today, 1), else_=0))
    query = (sa.select(Organisation.name, sa.func.count(Action.id), overdue)
             .join(Organisation, Organisation.id == Action.owner_organisation_id)
             .join(Case, Case.id == Action.case_id)
             .where(*run.case_conditions(), Action.status.in_(OPEN_ACTION_STATUSES))
             .group_by(Organisation.id, Organisation.name)
             .order_by(Organisation.name, Organisation.id))
    return db.session.execute(query).all()


def _partners_report(run: _Run) -> Report:
    found = run.rollup.partners() if run.rollup else _partner_counts(run)
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

def _escalation_counts(run: _Run) -> list:
    filters = run.filters
    in_period = sa.and_(Escalation.created_at >= filters.start, Escalation.created_at < filters.end)
    late = sa.and_(Escalation.direction == EscalationDirection.OPSCHALEN, Escalation.decision.is_(None),
                   Escalation.resolved_at.is_(None), Escalation.decision_deadline < run.today)
    query = (sa.select(Escalation.direction, Escalation.from_level, Escalation.to_level,
                       sa.func.sum(sa.case((in_period, 1), else_=0)), sa.func.sum(sa.case((late, 1), else_=0)))
             .join(Case, Case.id == Escalation.case_id)
             .where(*run.case_conditions(), sa.or_(in_period, late))
             .group_by(Escalation.direction, Escalation.from_level, Escalation.to_level))
    return db.session.execute(query).all()


def _escalations_report(run: _Run) -> Report:
    up: dict[str, int] = defaultdict(int)
    down: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    found = run.rollup.escalations() if run.rollup else _escalation_counts(run)
    for direction, from_level, to_level, taken, past_deadline in found:
        if str(direction) == EscalationDirection.OPSCHALEN:
            up[str(to_level)] += int(taken or 0)
            overdue[str(to_level)] += int(past_deadline or 0)
        else:
            down[str(from_level)] += int(taken or 0)
    levels = [level for level in EscalationLevel if level != EscalationLevel.OPERATIONEEL]
    t = run.threshold
    columns_cells = [count_column([counts[level.value] for level in levels], t) for counts in (up, down, overdue)]
    keys_labels = [(level.value, labels.label(level, run.locale)) for level in levels]
    columns = [Column("opgeschaald", str(_l("Opgeschaald naar dit niveau"))),
               Column("afgeschaald", str(_l("Afgeschaald vanaf dit niveau"))),
               Column("besluitOverTermijn", str(_l("Besluit over termijn (vandaag)")))]
    return run.report("escalaties", _l("Niveau"), columns, _rows(keys_labels, [cells for cells, _ in columns_cells]),
                      _total_row([total for _, total in columns_cells]), [0, 1, 2])


# -- RIEC voordrachten --

def _voordracht_counts(run: _Run) -> dict[str, int]:
    filters = run.filters
    query = (sa.select(Voordracht.state, sa.func.count())
             .join(Case, Case.id == Voordracht.case_id)
             .where(*run.case_conditions(), Voordracht.created_at >= filters.start, Voordracht.created_at < filters.end)
             .group_by(Voordracht.state))
    return {str(state): count for state, count in db.session.execute(query)}


def _voordrachten_report(run: _Run) -> Report:
    counts = run.rollup.voordrachten() if run.rollup else _voordracht_counts(run)
    keys_labels = [(state.value, labels.label(state, run.locale)) for state in VoordrachtState]
    cells, total = count_column([counts.get(key, 0) for key, _ in keys_labels], run.threshold)
    column = Column("voordrachten", str(_l("Aantal voordrachten")))
    return run.report("voordrachten", _l("Status"), [column], _rows(keys_labels, [cells]), _total_row([total]), [0])


# -- leefgebieden: the change in scores between triage and closure --

def _assessments_report(run: _Run) -> Report:
    if run.rollup:
        counted = assessment_figures.Counted(*run.rollup.assessments(), assessment_figures.categories())
    else:
        counted = assessment_figures.count_changes(run.case_conditions(), run.filters)
    columns, rows, total = assessment_figures.change_table(
        counted, category_id=run.filters.category_id, threshold=run.threshold, locale=run.locale)
    return run.report("leefgebieden", _l("Categorie"), columns, rows, total, [1])


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
    ReportSpec("leefgebieden", _l("Verandering in leefgebieden per categorie"), _l("Leefgebieden"),
               _l("Afgesloten casussen (afgesloten in de gekozen periode) met een scoring bij de triage en bij de "
                  "afsluiting: de gemiddelde verandering in score (afsluiting min triage; positief is zelfredzamer) "
                  "per leefgebied en over alle leefgebieden samen. Per leefgebied tellen alleen de casussen die het "
                  "beide keren scoorden."), _assessments_report),
)}


def run_reports(user: User, filters: ReportFilters, names: Sequence[str] | None, *, threshold: int, locale: str,
                today: date, now: datetime | None = None, use_rollup: bool = True) -> list[Report]:
    """The reports ``names`` (default: all) for ``user``, counted within ``policy.case_scope(user)`` and
    suppressed at ``threshold``; labels in ``locale``, "today" (open actions, late decisions) is ``today``.

    The counts come from the rollup (:mod:`casus.reports.rollups`) when it was computed, answers the period and
    the user's scope is whole teams; the reports then carry when it was computed. Otherwise they are counted from
    the cases, as of ``now``.
    """
    run = _Run(user=user, filters=filters, threshold=threshold, locale=locale, today=today, now=now)
    teams = policy.case_scope_teams(user)
    if use_rollup and teams is not None:
        latest = rollups.latest_run()
        if rollups.answers(latest, filters):
            run.rollup, run.rollup_at = rollups.RollupCounts(latest, teams, filters), latest.computed_at
    return [REPORTS[name].build(run) for name in (names or list(REPORTS))]
