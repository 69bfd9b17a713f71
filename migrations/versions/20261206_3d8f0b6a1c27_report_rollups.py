"""report rollups: counts of the team's cases per category, key and month, kept by the scheduler for the reports

The supervisors' reports read these instead of counting every case (docs/ARCHITECTURE.md, "Reports"). The tables
start empty: until the scheduler's first run (or ``casus reports refresh``) the reports count from the cases.

Revision ID: 3d8f0b6a1c27
Revises: 8e4b1d7c2f60
Create Date: 2026-12-06 16:10:00.000000

"""
from alembic import op
import sqlalchemy as sa

import casus.database


# revision identifiers, used by Alembic.
revision = '3d8f0b6a1c27'
down_revision = '8e4b1d7c2f60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_rollups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('created_month', sa.Date(), nullable=True),
        sa.Column('closed_month', sa.Date(), nullable=True),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('days', sa.Float(), nullable=True),
        sa.Column('lower_month', sa.Date(), nullable=True),
        sa.Column('upper_month', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_rollups')),
    )
    op.create_index('ix_report_rollups_run_kind_team', 'report_rollups', ['run_id', 'kind', 'team_id', 'category_id'])
    op.create_index('ix_report_rollups_days', 'report_rollups', ['run_id', 'kind', 'team_id', 'key', 'days',
                                                                 'created_month', 'closed_month', 'lower_month',
                                                                 'upper_month', 'category_id'])
    op.create_table(
        'report_rollup_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('computed_at', casus.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('latest_day', sa.Date(), nullable=False),
        sa.Column('finished', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_rollup_runs')),
    )


def downgrade():
    op.drop_table('report_rollup_runs')
    op.drop_index('ix_report_rollups_days', table_name='report_rollups')
    op.drop_index('ix_report_rollups_run_kind_team', table_name='report_rollups')
    op.drop_table('report_rollups')
