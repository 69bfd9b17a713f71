"""search index: folded search keys on subjects and cases, pg_trgm GIN indexes or SQLite FTS5 tables over them

Name and title search through an index instead of a scan (docs/ARCHITECTURE.md, "Search"). ``search_key`` is the
name key (subjects) or the title (cases) lower-cased, single-spaced and without accents, filled here for the rows
that exist; from now on the models' flush hooks keep it. PostgreSQL: pg_trgm (a trusted extension since 13: the
database owner creates it, no superuser needed) and a GIN trigram index on each key. SQLite: an external-content
FTS5 table per key, kept in step by triggers. The statements are copies of ``casus.search.schema``'s as of this
revision; tests/test_search_index.py checks that both give the same structures.

Revision ID: 7c1e5a9d3f42
Revises: 26b3ead190e2
Create Date: 2026-12-06 12:40:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c1e5a9d3f42'
down_revision = '26b3ead190e2'
branch_labels = None
depends_on = None

SEARCHED = (("subjects", "name_key"), ("cases", "title"))
BATCH = 5000


def _fold(value):
    """casus.search.keys.fold as of this revision."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value.lower())
    folded = " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).split())
    return folded or None


def _fill(connection, table, source):
    last = 0
    while True:
        rows = connection.execute(sa.text(f"SELECT id, {source} FROM {table} WHERE id > :last ORDER BY id LIMIT {BATCH}"),
                                  {"last": last}).all()
        if not rows:
            return
        keyed = [{"id": row_id, "key": _fold(text)} for row_id, text in rows if _fold(text) is not None]
        if keyed:
            connection.execute(sa.text(f"UPDATE {table} SET search_key = :key WHERE id = :id"), keyed)
        last = rows[-1][0]


def _sqlite_statements(table):
    fts = f"{table}_search"
    insert = f"INSERT INTO {fts}(rowid, search_key) VALUES (new.id, new.search_key);"
    delete = f"INSERT INTO {fts}({fts}, rowid, search_key) VALUES ('delete', old.id, old.search_key);"
    return [f"CREATE VIRTUAL TABLE {fts} USING fts5(search_key, content='{table}', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')",
            f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_key ON {table} BEGIN {delete} {insert} END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"]


def _trigram_schema(connection):
    query = sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                    "WHERE e.extname = 'pg_trgm'")
    schema = connection.execute(query).scalar()
    if schema is None:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        schema = connection.execute(query).scalar_one()
    return schema


def upgrade():
    for table, _source in SEARCHED:
        op.add_column(table, sa.Column('search_key', sa.String(length=200), nullable=True))
    connection = op.get_bind()
    for table, source in SEARCHED:
        _fill(connection, table, source)
    if connection.dialect.name == "postgresql":
        schema = _trigram_schema(connection)
        for table, _source in SEARCHED:
            connection.exec_driver_sql(f'CREATE INDEX IF NOT EXISTS ix_{table}_search_trgm ON {table} '
                                       f'USING gin (search_key "{schema}".gin_trgm_ops)')
    elif connection.dialect.name == "sqlite":
        for table, _source in SEARCHED:
            for statement in _sqlite_statements(table):
                connection.exec_driver_sql(statement)


def downgrade():
    connection = op.get_bind()
    for table, _source in SEARCHED:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_search_trgm")
        elif connection.dialect.name == "sqlite":
            for suffix in ("_ai", "_ad", "_au"):
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_search{suffix}")
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table}_search")
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('search_key')
    # pg_trgm stays: other databases' objects or an administrator's may use it, and it costs nothing.
