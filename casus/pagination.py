"""Keyset pagination, the one way every list and API pages: never OFFSET, never COUNT(*).

A page is ``query`` ordered by (key, id) from a cursor on. The cursor is opaque to its readers: base64url of
the JSON ``[key, id]`` of the row at the page's edge, the key as text (``dump``) and read back by the list's
``load``. A cursor that does not decode — tampered, truncated, a key its list cannot read, an id beyond the
column's range — decodes to None: pages then start at the first page, the API answers 400.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from casus.edge import INT32_MAX, RefusedInput, load_json
from casus.extensions import db

Cursor = tuple[object, int]


@dataclass
class KeysetPage:
    items: list
    next_cursor: str | None = None
    prev_cursor: str | None = None


def encode_cursor(key: str, row_id: int) -> str:
    """The cursor of the row with ``key`` (already dumped to text) and ``row_id``."""
    return base64.urlsafe_b64encode(json.dumps([key, row_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, load: Callable[[str], object], *, max_id: int = INT32_MAX) -> Cursor | None:
    """The (key, id) in ``cursor``, or None for a missing or tampered cursor (the first page, then). Tampered
    includes what the database could not compare with: an id (or an integer key) beyond ``max_id``, a NUL."""
    if not cursor:
        return None
    try:
        key, row_id = load_json(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value, row_id = load(key), int(row_id)
    except (ValueError, TypeError, OverflowError, binascii.Error, RefusedInput):
        return None
    if not 0 <= row_id <= max_id or (isinstance(value, int) and not -max_id - 1 <= value <= max_id):
        return None
    return value, row_id


def keyset_page(query: sa.Select, *, key: ColumnElement, id_col: ColumnElement, descending: bool,
                after: Cursor | None, before: Cursor | None, limit: int, value_of: Callable,
                dump: Callable[[object], str], load: Callable[[list], sa.Select] | None = None,
                whole_rows: bool = False, id_of: Callable[[object], int] = attrgetter("id")) -> KeysetPage:
    """One page of ``query`` ordered by (key, id), after or before a cursor (``decode_cursor``'s answer). The page
    sets the order: an ORDER BY already on ``query`` is replaced.

    The page's items are the objects of ``query``'s first column; with ``whole_rows`` the result rows
    themselves (an entity with extra columns). ``value_of(item)`` is the item's key, ``id_of(item)`` its id;
    ``dump`` writes a key into the cursor (the list's ``load`` reads it back).

    With ``load`` (ids → the query for those rows) the page's ids come from a narrow query (``query`` with only
    the id column, no eager joins) and ``load`` fetches the rows: with the joins of a wide row SQLite may start
    from a joined table and sort every visible row instead of walking the (key, id) index and stopping after one
    page (30 ms instead of 0.1 ms for a partner's first page at 20,000 cases). The ids carry ``query``'s scope.
    """
    backwards = before is not None and after is None
    cursor = before if backwards else after
    reverse = descending != backwards
    if cursor is not None:
        value, row_id = cursor
        # The redundant bound (key <= value) lets the database start its index scan at the cursor: PostgreSQL
        # does not derive it from the OR and would otherwise walk and discard every row of the earlier pages.
        if reverse:
            query = query.where(key <= value, sa.or_(key < value, sa.and_(key == value, id_col < row_id)))
        else:
            query = query.where(key >= value, sa.or_(key > value, sa.and_(key == value, id_col > row_id)))
    order = (key.desc(), id_col.desc()) if reverse else (key.asc(), id_col.asc())
    query = query.order_by(None)
    if load is not None:
        rows = _rows_by_ids(query, id_col, order, limit + 1, load)
    else:
        result = db.session.execute(query.order_by(*order).limit(limit + 1)).unique()
        rows = list(result.all() if whole_rows else result.scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    page = KeysetPage(rows)
    if rows:
        first, last = rows[0], rows[-1]
        has_next = True if backwards else more
        has_prev = more if backwards else cursor is not None
        if has_next:
            page.next_cursor = encode_cursor(dump(value_of(last)), id_of(last))
        if has_prev:
            page.prev_cursor = encode_cursor(dump(value_of(first)), id_of(first))
    return page


def _rows_by_ids(query: sa.Select, id_col: ColumnElement, order: tuple, limit: int,
                 load: Callable[[list], sa.Select]) -> list:
    """The first ``limit`` rows of ``query`` in ``order``: their ids first (narrow), then ``load(ids)``."""
    ids = list(db.session.execute(query.with_only_columns(id_col).order_by(*order).limit(limit)).scalars())
    if not ids:
        return []
    found = {row.id: row for row in db.session.execute(load(ids)).unique().scalars()}
    return [found[row_id] for row_id in ids if row_id in found]
