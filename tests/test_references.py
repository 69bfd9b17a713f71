"""casus.references: one counter per kind and year, starting at 1."""

import sqlalchemy as sa

from casus.references import ReferenceCounter, next_number


def test_numbers_count_up_per_kind_and_year(db):
    assert [next_number("proef", 2031) for _ in range(3)] == [1, 2, 3]
    assert next_number("proef", 2032) == 1
    assert next_number("ander", 2031) == 1
    assert next_number("proef", 2031) == 4


def test_a_stored_counter_goes_on_where_it_was(db):
    db.session.add(ReferenceCounter(kind="proef", year=2033, last=41))
    db.session.flush()
    assert next_number("proef", 2033) == 42
    stored = db.session.execute(sa.select(ReferenceCounter.last).where(
        ReferenceCounter.kind == "proef", ReferenceCounter.year == 2033)).scalar_one()
    assert stored == 42
