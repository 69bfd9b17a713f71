"""The change in leefgebieden scores between triage and closure, per category (docs/DESIGN.md §6: aggregates only).

Which cases count: closed in the period, within the caller's scope (and the chosen team and category), with both a
triage and an afsluiting assessment. Per case the first triage (by date, then as recorded) is compared with the
last afsluiting; per domain only cases that scored it both times count. The change is afsluiting minus triage:
positive is more self-reliant.

Two GROUP BY queries (cases per category; per category and domain the number of cases and the sum of the changes)
plus the categories' names, whatever the number of cases: no case id, reference or score of a single case leaves
the database. Suppression is the reports' own (:mod:`casus.reports.figures`): a count below the threshold shows as
``<5``; an average over fewer cases than the threshold as ``–``, like a median; the totals row hides what would
reveal a hidden row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from casus.assessments import domains
from casus.assessments.models import Assessment, AssessmentMoment, AssessmentScore
from casus.cases.models import Case, Category
from casus.extensions import db
from casus.reports.figures import (
    HIDDEN,
    Cell,
    Column,
    Kind,
    Reason,
    ReportFilters,
    Row,
    change_cell,
    count_cell,
    total_cell,
)

CASES, OVERALL = "casussen", "alleLeefgebieden"


@dataclass(frozen=True)
class Counted:
    """What the queries return: cases per category, and per (category, domain) the cases and the summed change."""

    cases: dict[int, int]
    changes: dict[tuple[int, str], tuple[int, int]]
    categories: list


def pick(moment: AssessmentMoment, *, last: bool) -> sa.Subquery:
    """Per case the id of its first (or last) assessment at ``moment``."""
    order = (Assessment.assessed_on.desc(), Assessment.id.desc()) if last else (Assessment.assessed_on, Assessment.id)
    ranked = (sa.select(Assessment.case_id.label("case_id"), Assessment.id.label("assessment_id"),
                        sa.func.row_number().over(partition_by=Assessment.case_id, order_by=order).label("rank"))
              .where(Assessment.moment == moment).subquery())
    return sa.select(ranked.c.case_id, ranked.c.assessment_id).where(ranked.c.rank == 1).subquery()


def count_changes(conditions: Sequence, filters: ReportFilters) -> Counted:
    triage, closing = pick(AssessmentMoment.TRIAGE, last=False), pick(AssessmentMoment.AFSLUITING, last=True)
    where = [*conditions, Case.closed_on.is_not(None), Case.closed_on >= filters.date_from,
             Case.closed_on <= filters.date_to]
    paired = (sa.select(Case.category_id).select_from(Case)
              .join(triage, triage.c.case_id == Case.id).join(closing, closing.c.case_id == Case.id).where(*where))
    cases = dict(db.session.execute(
        paired.add_columns(sa.func.count()).group_by(Case.category_id)).all())
    before, after = sa.orm.aliased(AssessmentScore), sa.orm.aliased(AssessmentScore)
    changes = {(category, domain): (int(n), int(total or 0)) for category, domain, n, total in db.session.execute(
        paired.add_columns(before.domain, sa.func.count(), sa.func.sum(after.score - before.score))
        .join(before, before.assessment_id == triage.c.assessment_id)
        .join(after, sa.and_(after.assessment_id == closing.c.assessment_id, after.domain == before.domain))
        .group_by(Case.category_id, before.domain))}
    return Counted(cases, changes, categories())


def categories() -> list:
    return db.session.execute(
        sa.select(Category.id, Category.name, Category.name_en, Category.active).order_by(Category.name)).all()


def _average(n: int, total: int) -> float | None:
    return total / n if n else None


def change_table(counted: Counted, *, category_id: int | None, threshold: int,
                 locale: str) -> tuple[list[Column], list[Row], Row]:
    """Columns (cases, all domains, each domain), one row per category and the totals row, as cells."""
    t, english = threshold, locale.startswith("en")
    codes = list(domains.codes())
    codes += sorted({code for _, code in counted.changes} - set(codes))  # a code no longer configured still counts
    columns = [Column(CASES, str(_l("Aantal casussen"))),
               Column(OVERALL, str(_l("Alle leefgebieden")), Kind.CHANGE),
               *(Column(code, domains.label_of(code, locale), Kind.CHANGE) for code in codes)]
    shown = [row for row in counted.categories
             if (row.id == category_id if category_id is not None else row.active or row.id in counted.cases)]
    rows, all_changes = [], defaultdict(lambda: [0, 0])
    for category in shown:
        cases = counted.cases.get(category.id, 0)
        per_domain = [counted.changes.get((category.id, code), (0, 0)) for code in codes]
        for code, (n, total) in zip(codes, per_domain, strict=True):
            all_changes[code][0] += n
            all_changes[code][1] += total
        pairs, summed = sum(n for n, _ in per_domain), sum(total for _, total in per_domain)
        cells = (count_cell(cases, t), change_cell(_average(pairs, summed), cases, t, locale),
                 *(change_cell(_average(n, total), n, t, locale) for n, total in per_domain))
        rows.append(Row(str(category.id), category.name_en if english else category.name, cells))
    cases_total = sum(counted.cases.get(category.id, 0) for category in shown)
    count_total = total_cell(cases_total, [row.cells[0] for row in rows], t)
    hide = count_total.suppressed  # an average over all would give away a hidden category's with the others'
    pairs = sum(n for n, _ in all_changes.values())
    summed = sum(total for _, total in all_changes.values())
    averages = [(_average(pairs, summed), cases_total)] + [
        (_average(*all_changes[code]), all_changes[code][0]) for code in codes]
    total = Row("totaal", str(_l("Totaal")), (count_total, *(
        Cell(None, HIDDEN, True, Reason.DERIVABLE) if hide and value is not None
        else change_cell(value, n, t, locale) for value, n in averages)))
    return columns, rows, total
