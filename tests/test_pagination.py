"""casus.pagination: the one keyset implementation and its opaque cursor, on organisations paged by kind.

The kind is a key with ties (several organisations of one kind), so the id decides the order within a kind.
"""

import base64
import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from casus.edge import BIGINT_MAX, INT32_MAX
from casus.organisations.models import Organisation, OrganisationKind
from casus.pagination import KeysetPage, decode_cursor, encode_cursor, keyset_page

KINDS = [OrganisationKind.POLITIE, OrganisationKind.GEMEENTE, OrganisationKind.POLITIE, OrganisationKind.GGZ,
         OrganisationKind.GEMEENTE, OrganisationKind.POLITIE, OrganisationKind.GEMEENTE]


@pytest.fixture
def organisations(make_organisation):
    return [make_organisation(kind=kind) for kind in KINDS]


def page_of(organisations, *, descending=False, after=None, before=None, limit=3, query=None) -> KeysetPage:
    ids = [organisation.id for organisation in organisations]
    query = query if query is not None else sa.select(Organisation)
    return keyset_page(query.where(Organisation.id.in_(ids)), key=Organisation.kind, id_col=Organisation.id,
                       descending=descending, after=decode_cursor(after, str), before=decode_cursor(before, str),
                       limit=limit, value_of=lambda organisation: organisation.kind, dump=str)


def expected_order(organisations, *, descending=False) -> list[int]:
    ordered = sorted(organisations, key=lambda organisation: (str(organisation.kind), organisation.id))
    return [organisation.id for organisation in (reversed(ordered) if descending else ordered)]


def walk_forward(organisations, **options) -> tuple[list[int], list[KeysetPage]]:
    pages, cursor = [], None
    while True:
        page = page_of(organisations, after=cursor, **options)
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return [organisation.id for page in pages for organisation in page.items], pages


def test_a_cursor_round_trips():
    moment = datetime(2026, 11, 21, 9, 30, 15, 123456, tzinfo=UTC)
    assert decode_cursor(encode_cursor(moment.isoformat(), 42), datetime.fromisoformat) == (moment, 42)
    assert decode_cursor(encode_cursor("2026-11-21", 7), date.fromisoformat) == (date(2026, 11, 21), 7)
    assert decode_cursor(encode_cursor("2026-00017", INT32_MAX), str) == ("2026-00017", INT32_MAX)
    assert decode_cursor(encode_cursor(str(BIGINT_MAX), BIGINT_MAX), int, max_id=BIGINT_MAX) == (BIGINT_MAX,
                                                                                                  BIGINT_MAX)


def test_the_cursor_is_opaque_text_for_a_url():
    cursor = encode_cursor("2026-11-21T09:30:00+00:00", 12)
    assert cursor.isascii() and "=" not in cursor and "/" not in cursor and "+" not in cursor


def _raw(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    "not-a-cursor",                              # not base64 of JSON
    "%%%",                                       # not base64 at all
    _raw(["2026-11-21", 1])[:-3],                # truncated
    _raw(["2026-11-21"]),                        # not a pair
    _raw({"key": "2026-11-21", "id": 1}),        # not a list
    _raw(["niet-een-datum", 1]),                 # a key the list cannot read
    _raw(["2026-11-21", "een"]),                 # an id that is no number
    _raw(["2026-11-21", -1]),                    # an id below the range
    _raw(["2026-11-21", INT32_MAX + 1]),         # an id beyond the column
    _raw(["2026-11-21\u0000", 1]),               # a NUL the database would refuse
    base64.urlsafe_b64encode(b"[" * 2000 + b"]" * 2000).decode(),  # nested too deep
])
def test_a_tampered_cursor_is_refused(cursor):
    assert decode_cursor(cursor, date.fromisoformat) is None


def test_an_integer_key_beyond_the_range_is_refused():
    assert decode_cursor(_raw([str(INT32_MAX + 1), 1]), int) is None
    assert decode_cursor(_raw([str(INT32_MAX + 1), 1]), int, max_id=BIGINT_MAX) == (INT32_MAX + 1, 1)


def test_no_cursor_is_the_first_page():
    assert decode_cursor(None, str) is None
    assert decode_cursor("", str) is None


@pytest.mark.parametrize("descending", [False, True])
def test_pages_walk_every_row_once_in_key_then_id_order(db, organisations, descending):
    seen, pages = walk_forward(organisations, descending=descending)
    assert seen == expected_order(organisations, descending=descending)
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert pages[0].prev_cursor is None and all(page.prev_cursor for page in pages[1:])


@pytest.mark.parametrize("descending", [False, True])
def test_ties_on_the_key_are_split_by_the_id_across_pages(db, organisations, descending):
    # With two rows a page, a page boundary falls inside the three gemeenten and the three politie.
    seen, _pages = walk_forward(organisations, descending=descending, limit=2)
    assert seen == expected_order(organisations, descending=descending)


@pytest.mark.parametrize("descending", [False, True])
def test_the_previous_cursor_leads_back_to_the_same_pages(db, organisations, descending):
    _seen, pages = walk_forward(organisations, descending=descending)
    back = page_of(organisations, descending=descending, before=pages[2].prev_cursor)
    assert [o.id for o in back.items] == [o.id for o in pages[1].items]
    assert back.next_cursor and back.prev_cursor
    first = page_of(organisations, descending=descending, before=back.prev_cursor)
    assert [o.id for o in first.items] == [o.id for o in pages[0].items]
    assert first.prev_cursor is None and first.next_cursor


def test_an_empty_page_has_no_cursors(db):
    page = page_of([])
    assert page.items == [] and page.next_cursor is None and page.prev_cursor is None


def test_the_page_sets_the_order_whatever_the_query_had(db, organisations):
    query = sa.select(Organisation).order_by(Organisation.name.desc())
    assert [o.id for o in page_of(organisations, query=query, limit=10).items] == expected_order(organisations)


def test_whole_rows_page_an_entity_with_extra_columns(db, organisations):
    ids = [organisation.id for organisation in organisations]
    query = sa.select(Organisation, Organisation.name.label("label")).where(Organisation.id.in_(ids))
    options = {"key": Organisation.kind, "id_col": Organisation.id, "descending": False, "before": None, "limit": 4,
               "whole_rows": True, "value_of": lambda row: row.Organisation.kind,
               "id_of": lambda row: row.Organisation.id, "dump": str}
    first = keyset_page(query, after=None, **options)
    rest = keyset_page(query, after=decode_cursor(first.next_cursor, str), **options)
    assert [row.label for row in first.items] == [row.Organisation.name for row in first.items]
    assert [row.Organisation.id for row in (*first.items, *rest.items)] == expected_order(organisations)
    assert rest.next_cursor is None


def test_narrow_ids_then_load_gives_the_same_page(db, organisations):
    seen, _pages = walk_forward(organisations)
    ids = [organisation.id for organisation in organisations]
    page = keyset_page(sa.select(Organisation).where(Organisation.id.in_(ids)), key=Organisation.kind,
                       id_col=Organisation.id, descending=False, after=None, before=None, limit=5,
                       value_of=lambda organisation: organisation.kind, dump=str,
                       load=lambda page_ids: sa.select(Organisation).where(Organisation.id.in_(page_ids)))
    assert [organisation.id for organisation in page.items] == seen[:5]
