"""Nazorg check-ins as the API shows and records them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, StrictBoolean, UTCDateTime
from casus.services import MAX_TEXT


class CheckinSchema(Schema):
    id = fields.Integer()
    caseId = fields.Integer(attribute="case_id")
    nazorgStartedOn = fields.Date(attribute="nazorg_started_on", metadata={
        "description": "The start of the nazorg period this check-in belongs to."})
    months = fields.Integer(metadata={"description": "Months after the start of nazorg."})
    plannedOn = fields.Date(attribute="planned_on")
    doneOn = fields.Date(attribute="done_on", allow_none=True, metadata={"description": "Null until recorded."})
    contactMade = StrictBoolean(attribute="contact_made", allow_none=True)
    outcome = fields.String(allow_none=True)
    relapseSignal = StrictBoolean(attribute="relapse_signal")
    recordedById = fields.Integer(attribute="recorded_by_id", allow_none=True)
    recordedAt = UTCDateTime(attribute="recorded_at", allow_none=True)
    version = fields.Integer(metadata={"description": "The check-in's version, for `PATCH`."})


class CheckinInputSchema(InputSchema):
    doneOn = fields.Date(required=True, attribute="done_on", metadata={
        "description": "Not in the future and not before nazorg started."})
    contactMade = StrictBoolean(required=True, attribute="contact_made")
    outcome = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_TEXT))
    relapseSignal = StrictBoolean(load_default=False, attribute="relapse_signal")
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The check-in's `version` as last read; a stale one answers 409."})
