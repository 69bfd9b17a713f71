"""Rectificatie, beperking and wissing as the API shows them: camelCase keys, Dutch domain values."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, UTCDateTime
from casus.services import MAX_TEXT

CORRECTED_FIELDS = ("name", "date_of_birth", "bsn", "postcode", "huisnummer", "toevoeging", "kvk_nummer")


class SubjectChangesSchema(InputSchema):
    """Only the fields to correct; an empty string or null clears an optional one."""

    name = fields.String(allow_none=True, validate=validate.Length(max=200))
    dateOfBirth = fields.Date(attribute="date_of_birth", data_key="dateOfBirth", allow_none=True)
    bsn = fields.String(allow_none=True, validate=validate.Length(max=11))
    postcode = fields.String(allow_none=True, validate=validate.Length(max=7))
    huisnummer = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=99999))
    toevoeging = fields.String(allow_none=True, validate=validate.Length(max=6))
    kvkNummer = fields.String(attribute="kvk_nummer", data_key="kvkNummer", allow_none=True,
                              validate=validate.Length(max=8))


class CorrectionInputSchema(InputSchema):
    subjectId = fields.Integer(attribute="subject_id", data_key="subjectId", required=True,
                               validate=validate.Range(min=1), metadata={
                                   "description": "A subject confirmed as the person in this request."})
    changes = fields.Nested(SubjectChangesSchema, required=True)


class CorrectionSchema(Schema):
    """One corrected field, with its old value: the privacy officer alone ever reads it."""

    id = fields.Integer()
    subjectId = fields.Integer(attribute="subject_id", allow_none=True)
    field = fields.String(validate=validate.OneOf(CORRECTED_FIELDS))
    oldValue = fields.String(attribute="old_value", allow_none=True)
    newValue = fields.String(attribute="new_value", allow_none=True)
    correctedAt = UTCDateTime(attribute="corrected_at")


class CorrectionListSchema(Schema):
    items = fields.List(fields.Nested(CorrectionSchema))


class RestrictionInputSchema(InputSchema):
    subjectId = fields.Integer(attribute="subject_id", data_key="subjectId", required=True,
                               validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))


class RestrictionSchema(Schema):
    id = fields.Integer()
    subjectId = fields.Integer(attribute="subject_id")
    requestId = fields.Integer(attribute="request_id", allow_none=True)
    reason = fields.String()
    placedAt = UTCDateTime(attribute="placed_at")
    liftedAt = UTCDateTime(attribute="lifted_at", allow_none=True)
    active = fields.Function(lambda restriction: restriction.lifted_at is None, metadata={"type": "boolean"})


class ErasureInputSchema(InputSchema):
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The request's `version` as last read; a stale one answers 409."})


class ErasureOutcomeSchema(Schema):
    erasedSubjects = fields.Integer(attribute="erased_subjects")
    destroyedCases = fields.List(fields.String(), attribute="destroyed_cases",
                                 metadata={"description": "References of the cases left without any subject."})
    keptCases = fields.List(fields.String(), attribute="kept_cases")
    declarations = fields.List(fields.String(), metadata={
        "description": "References of the verklaringen van vernietiging (kind `wissing`), one per team."})
