"""``casus search rebuild``: every search key computed again and the index rebuilt (docs/OPERATIONS.md)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from casus.extensions import db
from casus.search import schema
from casus.search.keys import fold

BATCH = 2000


def refold(table: str, progress=None) -> int:
    """Set ``search_key`` of every row of ``table`` whose key is not its source folded; each batch committed, so
    SQLite's write lock is never held for the whole table. Answers the number of keys changed."""
    source, last, changed = schema.SOURCES[table], 0, 0
    while True:
        rows = db.session.execute(sa.text(f"SELECT id, {source}, search_key FROM {table} WHERE id > :last "
                                          f"ORDER BY id LIMIT {BATCH}"), {"last": last}).all()
        if not rows:
            return changed
        stale = [{"id": row_id, "key": fold(text)} for row_id, text, key in rows if fold(text) != key]
        if stale:
            db.session.execute(sa.text(f"UPDATE {table} SET search_key = :key WHERE id = :id"), stale)
        db.session.commit()
        changed, last = changed + len(stale), rows[-1][0]
        if progress is not None:
            progress.update(len(rows))


def rebuild(progress=None) -> dict[str, int]:
    """Every table's keys refolded and its index built anew. On SQLite the FTS triggers go first: an
    external-content FTS5 table refuses (as a "malformed" database) to delete a row it never indexed, which is
    what updating the keys of rows written while a trigger was missing would ask; the FTS table is then made again
    and filled from the keys in one transaction. On PostgreSQL the GIN index follows the keys by itself; it is made
    only when missing."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":  # the FTS tables stay: searches meanwhile use the index as it was
        for table in schema.SEARCHED_TABLES:
            schema.drop_sqlite_triggers(connection, table)
        db.session.commit()
    changed = {table: refold(table, progress) for table in schema.SEARCHED_TABLES}
    connection = db.session.connection()
    for table in schema.SEARCHED_TABLES:  # one transaction: a search sees the old index or the new one
        if not schema.exists(connection, table):
            schema.drop(connection, table)
            schema.create(connection, table)
    db.session.commit()
    return changed


@click.group("search")
def search_group() -> None:
    """The search index over subjects' names and cases' titles."""


@search_group.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Compute every search key again and rebuild the index (after a restore, a bulk import that skipped the
    keys, or on SQLite a migration that copied the subjects or cases table)."""
    total = sum(db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in schema.SEARCHED_TABLES)
    with click.progressbar(length=total, label="Zoekindex opnieuw opbouwen", file=click.get_text_stream("stderr"),
                           show_pos=True) as bar:
        changed = rebuild(bar)
    click.echo("Zoekindex opnieuw opgebouwd: " + ", ".join(f"{table} {_keys(count)} bijgewerkt"
                                                           for table, count in changed.items()) + ".")


def _keys(count: int) -> str:
    return f"{count} {'sleutel' if count == 1 else 'sleutels'}"
