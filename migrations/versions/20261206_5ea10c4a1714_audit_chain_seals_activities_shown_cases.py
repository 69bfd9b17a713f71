"""audit chain, seals, verifications, shown cases; activity, legal basis and trace id on every event

Accountability that survives a hostile administrator (docs/DESIGN.md, Audit): every audit event gets the
registered processing activity, its legal basis and the W3C trace id (Logboek Dataverwerkingen). The hash chain
(``audit_chain``), the signed seals of its head (``audit_seals``) and the cases a page view showed
(``audit_shown_cases``) are separate, insert-only tables — chaining never updates an event — and on PostgreSQL a
trigger refuses UPDATE and DELETE on them, as on ``audit_events``. ``audit_verifications`` keeps the results of
``casus audit verify``.

Revision ID: 5ea10c4a1714
Revises: 27471c979ffd
Create Date: 2026-12-06 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import casus.database


# revision identifiers, used by Alembic.
revision = '5ea10c4a1714'
down_revision = '27471c979ffd'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION casus_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only';
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TABLES = ('audit_chain', 'audit_seals', 'audit_shown_cases')


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('legal_basis', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('trace_id', sa.String(length=32), nullable=True))
    op.create_table('audit_shown_cases',
    sa.Column('event_id', BIG_ID, nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('event_id', 'case_id', name=op.f('pk_audit_shown_cases'))
    )
    op.create_index(op.f('ix_audit_shown_cases_case_id'), 'audit_shown_cases', ['case_id'], unique=False)
    op.create_table('audit_chain',
    sa.Column('position', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('event_id', BIG_ID, nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('chained_at', casus.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('position', name=op.f('pk_audit_chain')),
    sa.UniqueConstraint('event_id', name=op.f('uq_audit_chain_event_id'))
    )
    op.create_table('audit_seals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sealed_at', casus.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('head_position', BIG_ID, nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('event_count', BIG_ID, nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.String(length=200), nullable=False),
    sa.Column('destinations', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_seals'))
    )
    op.create_index(op.f('ix_audit_seals_sealed_at'), 'audit_seals', ['sealed_at'], unique=False)
    op.create_table('audit_verifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', casus.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', casus.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('chain_length', BIG_ID, nullable=False),
    sa.Column('started_by', sa.String(length=20), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_verifications'))
    )
    op.create_index(op.f('ix_audit_verifications_started_at'), 'audit_verifications', ['started_at'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(APPEND_ONLY_FUNCTION)
        for table in APPEND_ONLY_TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION casus_append_only()")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS casus_append_only()")
    op.drop_index(op.f('ix_audit_verifications_started_at'), table_name='audit_verifications')
    op.drop_table('audit_verifications')
    op.drop_index(op.f('ix_audit_seals_sealed_at'), table_name='audit_seals')
    op.drop_table('audit_seals')
    op.drop_table('audit_chain')
    op.drop_index(op.f('ix_audit_shown_cases_case_id'), table_name='audit_shown_cases')
    op.drop_table('audit_shown_cases')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('trace_id')
        batch_op.drop_column('legal_basis')
        batch_op.drop_column('activity')
