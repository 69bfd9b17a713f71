"""case reference prefix index: a text_pattern_ops b-tree on cases.reference (PostgreSQL)

A search for the start of a case reference ("2026-6") is ``reference LIKE '2026-6%'``. PostgreSQL can answer
that from a b-tree only when the index compares bytes: the database's collation is not "C" in production, so the
unique index on ``reference`` does not serve it and every visible case was scanned. SQLite needs nothing: the
search uses ``GLOB``, which its existing unique index serves. The statement is a copy of
``casus.search.schema``'s as of this revision; tests/test_search_index.py checks that both give the same index.

Revision ID: 3f8a2c6d9e14
Revises: 7c1e5a9d3f42
Create Date: 2026-12-06 16:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f8a2c6d9e14'
down_revision = '7c1e5a9d3f42'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX IF NOT EXISTS ix_cases_reference_prefix ON cases (reference text_pattern_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_cases_reference_prefix")
