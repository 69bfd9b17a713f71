"""APScheduler's job table, declared in our own metadata so that Alembic creates and keeps it.

The columns are exactly those of ``apscheduler.jobstores.sqlalchemy.SQLAlchemyJobStore`` (3.x); the job
store finds the table present (it only creates it when missing) and reads and writes it as its own.
"""

import sqlalchemy as sa

from casus.extensions import db

JOB_TABLE = "apscheduler_jobs"

apscheduler_jobs = sa.Table(
    JOB_TABLE,
    db.metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)
