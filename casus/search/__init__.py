"""Search that scales: the folded keys that name and title search compare, and the index structures over them.

``keys.fold`` makes a search key (lower case, single spaces, accents dropped); the models keep one next to each
subject's name and each case's title (``search_key``). ``schema`` builds the index over those keys — pg_trgm GIN
indexes on PostgreSQL, FTS5 tables kept in step by triggers on SQLite — for ``create_all`` and for the
``casus search rebuild`` command; ``conditions`` gives the word-prefix condition that uses it. The need-to-know
scope stays with the caller: every condition here selects ids, which the case list puts inside its scoped query.
"""
