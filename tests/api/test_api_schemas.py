"""Shared API schema building blocks: strict input, UTC date-times with a Z, sorted lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from marshmallow import Schema, ValidationError, fields


def test_input_schemas_refuse_unknown_keys():
    from casus.api.schemas import InputSchema

    class Body(InputSchema):
        name = fields.String(load_default="x")

    assert Body().load({}) == {"name": "x"}
    with pytest.raises(ValidationError) as error:
        Body().load({"name": "a", "nmae": "b"})
    assert error.value.messages == {"nmae": ["Unknown field."]}


def test_utc_date_time_dumps_iso_8601_in_utc_with_z():
    from casus.api.schemas import UTCDateTime

    class Out(Schema):
        at = UTCDateTime()

    amsterdam = timezone(timedelta(hours=2))
    assert Out().dump({"at": datetime(2026, 6, 1, 10, 30, tzinfo=amsterdam)}) == {"at": "2026-06-01T08:30:00Z"}
    assert Out().dump({"at": datetime(2026, 1, 1, 9, 0)}) == {"at": "2026-01-01T09:00:00Z"}
    assert Out().dump({"at": None}) == {"at": None}


def test_utc_date_time_loads_only_with_an_offset_and_converts_to_utc():
    from casus.api.schemas import UTCDateTime

    class In(Schema):
        at = UTCDateTime()

    assert In().load({"at": "2026-06-01T10:30:00+02:00"})["at"] == datetime(2026, 6, 1, 8, 30, tzinfo=UTC)
    assert In().load({"at": "2026-06-01T08:30:00Z"})["at"] == datetime(2026, 6, 1, 8, 30, tzinfo=UTC)
    with pytest.raises(ValidationError):
        In().load({"at": "2026-06-01T10:30:00"})


def test_sorted_strings():
    from casus.api.schemas import SortedStrings

    class Out(Schema):
        roles = SortedStrings()

    assert Out().dump({"roles": frozenset({"riec", "partner"})}) == {"roles": ["partner", "riec"]}


def test_problem_schema_describes_what_the_error_handler_sends(fresh_api):
    from casus.api.schemas import ProblemSchema

    body = fresh_api.patch("/api/v1/me", json={"locale": "xx", "extra": 1}).get_json()
    assert ProblemSchema().validate(body) == {}
    assert set(body) <= set(ProblemSchema().fields)
