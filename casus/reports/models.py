"""The reports' rollup: counts of the team's cases kept by the scheduler, so a report view sums a few hundred rows
instead of counting every case (docs/ARCHITECTURE.md, "Reports").

A :class:`ReportRollup` row is one count (``n``, and for some kinds a second number ``total``) of one ``kind`` for
one team and category, keyed by ``key`` (a phase, gemeente, organisation id, state, domain...) and by the local
calendar month the counted thing was created in and, for cases, closed in. The team is what ``policy.case_scope``
scopes a supervisor on, so a supervisor's sum is over exactly their team's rows. No row names a case.

:class:`ReportRollupRun` holds when the rows were computed (the page shows it) and the latest day any counted date
fell on (the rollup answers a period that ends on or after that day as if it ended today). A run's rows are written
in short batches and read only once it is ``finished``; the previous run's rows are deleted after that, so readers
see one whole run and SQLite's write lock is never held for long.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casus.database import UTCDateTime
from casus.extensions import db


class ReportRollup(db.Model):
    __tablename__ = "report_rollups"
    __table_args__ = (sa.Index("ix_report_rollups_run_kind_team", "run_id", "kind", "team_id", "category_id"),
                      # The doorlooptijd's values of a phase in order, with what a period filters on: a percentile
                      # is read by walking this index (ORDER BY days LIMIT 2 OFFSET rank), never the table.
                      sa.Index("ix_report_rollups_days", "run_id", "kind", "team_id", "key", "days",
                               "created_month", "closed_month", "lower_month", "upper_month", "category_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.Integer)  # the ReportRollupRun that counted it
    kind: Mapped[str] = mapped_column(sa.String(20))
    team_id: Mapped[int] = mapped_column(sa.Integer)
    category_id: Mapped[int] = mapped_column(sa.Integer)
    key: Mapped[str] = mapped_column(sa.String(200), default="")
    created_month: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    closed_month: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    n: Mapped[int] = mapped_column(sa.Integer, default=0)
    total: Mapped[int] = mapped_column(sa.Integer, default=0)
    # The doorlooptijd: one case's summed stays in a phase (``days``) that ended in the months ``created_month``
    # to ``closed_month``; it counts for a period holding those months but not ``lower_month`` nor ``upper_month``
    # (the months before and after in which that case's other stays in the phase ended).
    days: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    lower_month: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    upper_month: Mapped[date | None] = mapped_column(sa.Date, nullable=True)


class ReportRollupRun(db.Model):
    __tablename__ = "report_rollup_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    latest_day: Mapped[date] = mapped_column(sa.Date)
    finished: Mapped[bool] = mapped_column(default=False)  # all its rows written: the reports may read it
