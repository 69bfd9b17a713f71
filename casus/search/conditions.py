"""Word-prefix search over a table's ``search_key``, through the database's index (``casus.search.schema``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from casus.search.schema import fts_table


def word_prefix_scan(key: sa.ColumnElement[str], folded: str) -> ColumnElement[bool]:
    """The meaning of a name or title search: the key starts with the term, or a word of it does ("vries" finds
    "de vries", "ries" does not). Used as such, it scans; ``word_prefix`` adds the index in front of it."""
    return sa.or_(key.startswith(folded, autoescape=True), key.contains(" " + folded, autoescape=True))


def fts_phrase(folded: str) -> str | None:
    """The FTS5 query for a word-prefix search: the term as one phrase whose last word is a prefix (``"de vr"*``).
    FTS5 splits it into words as it split the keys, so every row the LIKE keeps is among the rows it finds. None
    when the term has no letter or digit (the tokenizer would see no word: the scan answers instead)."""
    if not any(char.isalnum() for char in folded):
        return None
    return '"' + folded.replace('"', '""') + '"*'


def word_prefix(dialect: str, table: sa.Table, key: sa.ColumnElement[str], folded: str) -> ColumnElement[bool]:
    """``word_prefix_scan`` for rows of ``table`` (a condition on its ``id``), through the index: on SQLite the FTS
    table narrows the rows by id first and the LIKE keeps exactly today's matches; on PostgreSQL the LIKE itself
    runs on the trigram GIN index (with its own recheck)."""
    exact = word_prefix_scan(key, folded)
    phrase = fts_phrase(folded) if dialect == "sqlite" else None
    if phrase is None:
        return exact
    fts = sa.table(fts_table(table.name), sa.column("rowid"))
    found = sa.select(fts.c.rowid).where(sa.literal_column(fts_table(table.name)).op("MATCH")(phrase))
    return sa.and_(table.c.id.in_(found), exact)


def prefix(dialect: str, column: sa.ColumnElement[str], term: str) -> ColumnElement[bool]:
    """``column`` starts with ``term`` (letters, digits and dashes only: the caller checks), through an index: on
    PostgreSQL the ``text_pattern_ops`` b-tree of ``casus.search.schema`` serves ``LIKE 'term%'``; on SQLite a
    ``LIKE`` is case-insensitive and cannot use the column's (case-sensitive) index, a ``GLOB`` can."""
    if dialect == "sqlite":
        return column.op("GLOB")(term + "*")
    return column.like(term + "%")
