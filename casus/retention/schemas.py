"""Retention as the API shows it: camelCase keys, Dutch domain values (archiefnominatie, signal outcomes)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, UTCDateTime
from casus.cases.models import Archiefnominatie
from casus.cases.schemas import UserSummarySchema
from casus.retention.models import SignalOutcome
from casus.services import MAX_TEXT


def _version(what: str) -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": f"The {what}'s `version` as last read; a stale one answers 409 with `currentVersion`."})


class TermCategorySchema(Schema):
    id = fields.Integer()
    code = fields.String(metadata={"example": "woonoverlast"})
    active = fields.Boolean()


class RetentionTermSchema(Schema):
    """A retention term: per case category, or per outcome of a signal that ended without a case."""

    id = fields.Integer()
    category = fields.Nested(TermCategorySchema, allow_none=True, metadata={
        "description": "The case category the term is for; null for a signal outcome."})
    signalOutcome = fields.String(attribute="signal_outcome", allow_none=True,
                                  validate=validate.OneOf(SignalOutcome.values()), metadata={
        "description": "`dismissed`, `referred` or `withdrawn`: a signal that ended this way without a case; "
                       "null for a category's term."})
    months = fields.Integer(metadata={"description": "Months after closure.", "example": 60})
    archiefnominatie = fields.String(validate=validate.OneOf(Archiefnominatie.values()))
    basis = fields.String(allow_none=True, metadata={"description": "The organisation's ground for the term."})
    confirmed = fields.Boolean(metadata={
        "description": "False until a privacy officer confirmed it: the default is not the organisation's decision."})
    confirmedBy = fields.Nested(UserSummarySchema, attribute="confirmed_by", allow_none=True)
    confirmedAt = UTCDateTime(attribute="confirmed_at", allow_none=True)
    version = fields.Integer()


class RetentionTermListSchema(Schema):
    items = fields.List(fields.Nested(RetentionTermSchema))


class RetentionTermUpdateSchema(InputSchema):
    """``PATCH /retention-terms/{id}``: change the term (which confirms it), or only confirm it."""

    months = fields.Integer(validate=validate.Range(min=1, max=1200))
    archiefnominatie = fields.String(validate=validate.OneOf(Archiefnominatie.values()))
    basis = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT))
    confirm = fields.Boolean(metadata={
        "description": "`true` without other changes: confirm the term as it stands. Any change confirms too."})
    version = _version("term")
