"""running cases of a procesregisseur: a partial index for the dashboard's "my cases"

``ix_cases_procesregisseur_next`` ordered every case of a procesregisseur by its next date; closed cases keep their
old dates, so the dashboard's walk in date order passed all of them (thousands) before the first running one.
The new index holds only running cases (``phase <> 'afgesloten'``, the condition the query spells literally:
``casus.cases.models.RUNNING_CASES_SQL``) and the team, which the need-to-know scope checks.

Revision ID: 8e4b1d7c2f60
Revises: 3f8a2c6d9e14
Create Date: 2026-12-06 16:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '8e4b1d7c2f60'
down_revision = '3f8a2c6d9e14'
branch_labels = None
depends_on = None

NEW = ("CREATE INDEX IF NOT EXISTS ix_cases_procesregisseur_open ON cases "
       "(procesregisseur_id, team_id, coalesce(next_review_on, triage_due_on), id) WHERE phase <> 'afgesloten'")
OLD = ("CREATE INDEX IF NOT EXISTS ix_cases_procesregisseur_next "
       "ON cases (procesregisseur_id, coalesce(next_review_on, triage_due_on), id)")


def upgrade():
    op.execute(NEW)
    op.execute("DROP INDEX IF EXISTS ix_cases_procesregisseur_next")


def downgrade():
    op.execute(OLD)
    op.execute("DROP INDEX IF EXISTS ix_cases_procesregisseur_open")
