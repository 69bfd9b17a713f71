"""Supervisor reports (docs/DESIGN.md §1, §6): the filters a supervisor may choose, and the reports built
for them — aggregates of the cases they may see, never personal data.

The reports are split in three: this module checks the filters and builds reports for a user (the entry
point of the page, the downloads and the API); :mod:`casus.reports.queries` counts each report with GROUP BY
within ``policy.case_scope``; :mod:`casus.reports.figures` holds what a report is made of and is the one
place where figures are suppressed. Reports only read: nothing here changes data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import gettext as _

from casus import clock, policy
from casus.cases.models import Category
from casus.database import vacuum
from casus.extensions import db
from casus.i18n import current_locale, format_date_nl
from casus.organisations.models import Team
from casus.reports import rollups
from casus.reports.figures import Report, ReportFilters
from casus.reports.models import ReportRollup, ReportRollupRun
from casus.reports.queries import run_reports
from casus.services import ServiceError
from casus.users.models import User

WRITE_BATCH = 5000  # rollup rows per committed batch
MAX_MONTHS = 120  # a period of at most ten years keeps the month buckets (and the queries) small
DEFAULT_MONTHS = 12
MIN_YEAR, MAX_YEAR = 2000, 2100


def threshold() -> int:
    return current_app.config["CASUS"].report_min_count


def _locale() -> str:
    if has_request_context():
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
    today = clock.today()
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


def build_reports(user: User, filters: ReportFilters, names: Sequence[str] | None = None) -> list[Report]:
    """The reports ``names`` (default: all) for ``user`` with ``filters``, suppressed and ready to show.

    The caller checks ``policy.reads_reports`` and audits; the figures themselves are always limited to
    ``policy.case_scope(user)``.
    """
    return run_reports(user, filters, names, threshold=threshold(), locale=_locale(), today=clock.today(),
                       now=clock.now())


def updated_text(computed_at: datetime, today: date) -> str:
    """"Bijgewerkt om 14:15" (local time), with the date when it was not today."""
    local = computed_at.astimezone(clock.local_zone())
    if local.date() == today:
        return _("Bijgewerkt om %(time)s", time=local.strftime("%H:%M"))
    return _("Bijgewerkt op %(date)s om %(time)s", date=format_date_nl(local), time=local.strftime("%H:%M"))


def build_report(user: User, filters: ReportFilters, name: str) -> Report:
    return build_reports(user, filters, [name])[0]


# --- the rollup ----------------------------------------------------------------------------------------------

def refresh_rollup(progress: Callable[[int], None] | None = None) -> int:
    """Count the rollup again from the cases and replace the old one: the new run's rows are written in committed
    batches (SQLite's write lock is held a moment at a time), the run is marked finished — from then on reports read
    it, never half of it — and the older runs' rows are deleted, again in batches. Answers the number of rows
    written; ``progress`` is called with the number of cases counted so far, batch by batch."""
    computed_at = clock.now()
    counted = rollups.count_rollup(clock.today(), progress)
    records = list(rollups.as_records(counted))
    db.session.commit()  # end the reading transaction: on SQLite an old read snapshot cannot become a write
    run = ReportRollupRun(computed_at=computed_at, latest_day=counted.latest_day, finished=False)
    db.session.add(run)
    db.session.commit()
    for start in range(0, len(records), WRITE_BATCH):
        db.session.execute(sa.insert(ReportRollup), [{**record, "run_id": run.id}
                                                     for record in records[start:start + WRITE_BATCH]])
        db.session.commit()
    run.finished = True
    db.session.commit()
    _delete_runs_before(run.id)
    _vacuum_rollup()
    return len(records)


def _vacuum_rollup() -> None:
    """On PostgreSQL, VACUUM (ANALYZE) the rollup once it is replaced: the reports read a percentile by walking
    an index (LIMIT 2 OFFSET rank), which is an index-only scan only once VACUUM has set the visibility map of
    the new rows — at 1,000,000 cases ten times faster than checking each row in the table."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    vacuum([ReportRollup.__tablename__, ReportRollupRun.__tablename__],
           current_app.config["CASUS"].owner_database_url, after="the reports' rollup", analyze=True)


def _delete_runs_before(run_id: int) -> None:
    while True:
        batch = sa.select(ReportRollup.id).where(ReportRollup.run_id < run_id).limit(WRITE_BATCH)
        deleted = db.session.execute(sa.delete(ReportRollup).where(ReportRollup.id.in_(batch))).rowcount
        db.session.commit()
        if not deleted:
            break
    db.session.execute(sa.delete(ReportRollupRun).where(ReportRollupRun.id < run_id))
    db.session.commit()
