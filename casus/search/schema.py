"""The index structures behind name and title search, one set per searched table (``subjects``, ``cases``).

PostgreSQL: a GIN index with pg_trgm's trigram operator class on the table's ``search_key``; for a table with a
prefix-searched column (``cases.reference``) also a b-tree with ``text_pattern_ops`` on it: the database's collation
is not "C" in production (and "C.UTF-8" does not count as "C" for the planner), so neither the unique index nor any
plain b-tree can answer ``reference LIKE '2026-6%'``; this operator class can. The planner uses it
for the word-prefix ``LIKE 'x%' OR LIKE '% x%'`` and rechecks every row, so the answer is exactly the LIKE's.
The extension is created in schema ``public`` when missing (pg_trgm is a trusted extension since PostgreSQL 13:
the database owner may create it without being a superuser), and the operator class is named with the schema it
lives in, so a connection whose search_path leaves that schema out (the tests' own schemas) still finds it.

SQLite: an FTS5 table ``<table>_search`` over ``search_key`` with the ``unicode61`` tokenizer (word tokens, so a
prefix query ``"de vr"*`` walks the index), as an external-content table: it stores only the index, the text stays
in the table. Triggers keep it in step, in the writer's own transaction. Triggers rather than the services because
subjects and cases are written by many paths — ORM flushes, the seed's bulk inserts, retention's bulk DELETEs — and
a derived index that one of them forgets would silently hide people from search; a trigger, like an index, cannot
be forgotten. (``search_key`` itself is computed in Python, by the models' flush hooks: SQLite cannot fold accents.)

Neither is in the models' metadata (neither can be declared there on both databases), so ``register`` attaches them
to ``create_all`` as DDL, the migration creates the same (tests/test_search_index.py compares the two), and
Alembic's comparison leaves them out (``is_index_object``). A batch migration that copies ``subjects`` or ``cases``
on SQLite drops their triggers: run ``recreate_sqlite_triggers`` after it, or ``casus search rebuild``.
"""

from __future__ import annotations

import sqlalchemy as sa

SEARCHED_TABLES: list[str] = []  # filled by register(), in the models
SOURCES: dict[str, str] = {}  # table -> the column its search_key folds
PREFIXED: dict[str, str] = {}  # table -> a column searched by prefix (PostgreSQL: a text_pattern_ops index)
FTS_SHADOW_SUFFIXES = ("", "_data", "_idx", "_content", "_docsize", "_config")
TRIGGER_SUFFIXES = ("_ai", "_ad", "_au")


def fts_table(table: str) -> str:
    return f"{table}_search"


def gin_index(table: str) -> str:
    return f"ix_{table}_search_trgm"


def prefix_index(table: str) -> str:
    return f"ix_{table}_{PREFIXED[table]}_prefix"


def is_index_object(name: str | None) -> bool:
    """Whether ``name`` is one of the search structures (not in the models: Alembic's comparison skips it)."""
    return bool(name) and any(name == gin_index(table) or name in {fts_table(table) + suffix
                                                                   for suffix in FTS_SHADOW_SUFFIXES}
                              or (table in PREFIXED and name == prefix_index(table))
                              for table in SEARCHED_TABLES)


def sqlite_statements(table: str) -> list[str]:
    fts = fts_table(table)
    return [f"CREATE VIRTUAL TABLE {fts} USING fts5(search_key, content='{table}', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')", *sqlite_trigger_statements(table)]


def sqlite_trigger_statements(table: str) -> list[str]:
    fts = fts_table(table)
    insert = f"INSERT INTO {fts}(rowid, search_key) VALUES (new.id, new.search_key);"
    delete = f"INSERT INTO {fts}({fts}, rowid, search_key) VALUES ('delete', old.id, old.search_key);"
    return [f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
            f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
            f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_key ON {table} BEGIN {delete} {insert} END"]


def trigram_schema(connection: sa.Connection) -> str:
    """The schema pg_trgm lives in, creating the extension in ``public`` when this database has none."""
    query = sa.text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                    "WHERE e.extname = 'pg_trgm'")
    schema = connection.execute(query).scalar()
    if schema is None:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        schema = connection.execute(query).scalar_one()
    return schema


def postgresql_statements(table: str, schema: str) -> list[str]:
    statements = [f'CREATE INDEX IF NOT EXISTS {gin_index(table)} ON {table} '
                  f'USING gin (search_key "{schema}".gin_trgm_ops)']
    if table in PREFIXED:
        statements.append(f"CREATE INDEX IF NOT EXISTS {prefix_index(table)} ON {table} "
                          f"({PREFIXED[table]} text_pattern_ops)")
    return statements


def _postgresql_indexes(table: str) -> list[str]:
    return [gin_index(table), *([prefix_index(table)] if table in PREFIXED else [])]


def create(connection: sa.Connection, table: str) -> None:
    """The search structures of ``table``, new (its rows, if any, are indexed as they stand)."""
    if connection.dialect.name == "postgresql":
        for statement in postgresql_statements(table, trigram_schema(connection)):
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "sqlite":
        for statement in sqlite_statements(table):
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(f"INSERT INTO {fts_table(table)}({fts_table(table)}) VALUES ('rebuild')")


def drop(connection: sa.Connection, table: str) -> None:
    if connection.dialect.name == "postgresql":
        for index in _postgresql_indexes(table):
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index}")
    elif connection.dialect.name == "sqlite":
        drop_sqlite_triggers(connection, table)
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {fts_table(table)}")


def drop_sqlite_triggers(connection: sa.Connection, table: str) -> None:
    for suffix in TRIGGER_SUFFIXES:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {fts_table(table)}{suffix}")


def recreate_sqlite_triggers(connection: sa.Connection, table: str) -> None:
    """The triggers of ``table``'s FTS table, new (after a batch migration copied the table, which drops them)."""
    drop_sqlite_triggers(connection, table)
    for statement in sqlite_trigger_statements(table):
        connection.exec_driver_sql(statement)


def exists(connection: sa.Connection, table: str) -> bool:
    """Whether ``table``'s search structures are all there (on SQLite: the FTS table and its three triggers)."""
    if connection.dialect.name == "postgresql":
        query = sa.text("SELECT indexname FROM pg_indexes WHERE indexname IN :names AND schemaname = current_schema()"
                        ).bindparams(sa.bindparam("names", expanding=True))
        wanted = _postgresql_indexes(table)
        return set(connection.execute(query, {"names": wanted}).scalars()) == set(wanted)
    names = {fts_table(table) + suffix for suffix in ("", *TRIGGER_SUFFIXES)}
    found = connection.execute(sa.text("SELECT name FROM sqlite_master WHERE name IN :names")
                               .bindparams(sa.bindparam("names", expanding=True)), {"names": sorted(names)}).scalars()
    return set(found) == names


def register(table: sa.Table, *, source: str, prefix: str | None = None) -> None:
    """Build ``table``'s search structures whenever ``create_all`` creates it (and drop them before it drops);
    its ``search_key`` folds the column ``source``; the column ``prefix``, if given, is searched by prefix."""
    SEARCHED_TABLES.append(table.name)
    SOURCES[table.name] = source
    if prefix is not None:
        PREFIXED[table.name] = prefix
    sa.event.listen(table, "after_create", lambda target, connection, **_: create(connection, target.name))
    sa.event.listen(table, "before_drop", lambda target, connection, **_: drop(connection, target.name))


def purge_deleted(connection: sa.Connection, tables: set[str]) -> None:
    """On SQLite, drop the tokens of deleted rows from the FTS5 index of those of ``tables`` that are searched.

    FTS5 records a deletion as a marker and keeps the old tokens in its segments until they merge: a destroyed
    person's name would stay readable in the database file. 'optimize' merges every segment into one without them
    (and secure_delete zeroes the pages they leave). PostgreSQL's GIN index is cleaned by the VACUUM that follows
    a destruction."""
    if connection.dialect.name != "sqlite":
        return
    for table in SEARCHED_TABLES:
        if table in tables:
            fts = fts_table(table)
            connection.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")

