"""Retention as the API shows it: camelCase keys, Dutch domain values (archiefnominatie, signal outcomes)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, StrictBoolean, UTCDateTime
from casus.cases.models import Archiefnominatie, Archiefstatus
from casus.cases.schemas import UserSummarySchema
from casus.retention.models import SignalOutcome
from casus.services import MAX_TEXT


def _version(what: str) -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": f"The {what}'s `version` as last read; a stale one answers 409 with `currentVersion`."})


class TermCategorySchema(Schema):
    id = fields.Integer()
    code = fields.String(metadata={"example": "woonoverlast"})
    active = StrictBoolean()


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
    confirmed = StrictBoolean(metadata={
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
    confirm = StrictBoolean(metadata={
        "description": "`true` without other changes: confirm the term as it stands. Any change confirms too."})
    version = _version("term")


# --- legal holds and the retention of one case ------------------------------------------------------------------

class CaseArchiveSchema(Schema):
    """A case as the retention endpoints show it: reference and the archive fields, never its content."""

    id = fields.Integer()
    reference = fields.String(metadata={"example": "2026-00042"})
    closedOn = fields.Date(attribute="closed_on", allow_none=True)
    archiefnominatie = fields.String(allow_none=True, validate=validate.OneOf(Archiefnominatie.values()), metadata={
        "description": "Set when the case is closed, from its category's retention term; null while it runs."})
    archiefactiedatum = fields.Date(allow_none=True, metadata={
        "description": "When the case is due for destruction (or transfer): the closing date plus the term, or "
                       "the date of an approved extension; null while it runs."})
    archiefstatus = fields.String(validate=validate.OneOf(Archiefstatus.values()))
    underLegalHold = StrictBoolean(attribute="under_legal_hold")


class LegalHoldSchema(Schema):
    """A *bevriezing*: the case is kept, whatever its archiefactiedatum, until lifted or until `until`."""

    id = fields.Integer()
    caseId = fields.Integer(attribute="case_id")
    reason = fields.String()
    placedBy = fields.Nested(UserSummarySchema, attribute="placed_by")
    placedAt = UTCDateTime(attribute="placed_at")
    until = fields.Date(allow_none=True, metadata={"description": "The last day it holds; null: until lifted."})
    active = StrictBoolean(metadata={"description": "In force today: not lifted and `until` not passed."})
    liftedBy = fields.Nested(UserSummarySchema, attribute="lifted_by", allow_none=True)
    liftedAt = UTCDateTime(attribute="lifted_at", allow_none=True)
    liftReason = fields.String(attribute="lift_reason", allow_none=True)
    version = fields.Integer()


class CaseLegalHoldsSchema(Schema):
    case = fields.Nested(CaseArchiveSchema)
    items = fields.List(fields.Nested(LegalHoldSchema), metadata={"description": "Newest first."})


class LegalHoldInputSchema(InputSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    until = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "The last day the hold applies (today or later); omit or null: until lifted."})


class LegalHoldLiftSchema(InputSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    version = _version("legal hold")


class RetentionExtensionInputSchema(InputSchema):
    until = fields.Date(required=True, metadata={
        "description": "Keep the case until this day: after its archiefactiedatum now."})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
