"""Verklaringen van vernietiging as the API shows them: camelCase keys, no personal data of the destroyed."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import UTCDateTime
from casus.retention.models import DeclarationKind


class DeclarationEntrySchema(Schema):
    """One destroyed case or signal: its reference, category and dates, and how many records of each kind went."""

    kind = fields.String(validate=validate.OneOf(("case", "signal")))
    reference = fields.String(metadata={"example": "2026-00042"})
    category = fields.String(metadata={"description": "The category's code.", "example": "woonoverlast"})
    closedOn = fields.Date(attribute="closed_on", allow_none=True)
    destroyedOn = fields.Date(attribute="destroyed_on")
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Records destroyed per kind: `subjects`, `signals`, `notes`, `timeline_events`, "
                       "`documents` (with their versions and stored files), `goals`, "
                       "`actions`, `progress_entries`, `assessments`, `nazorg_checkins`, `participations`, "
                       "`agenda_items`, `decisions`, "
                       "`escalations`, `voordrachten`, `approvals`, `notifications`, `transitions`, "
                       "`legal_holds` (a signal: `subjects`, `documents`).",
        "example": {"notes": 12, "subjects": 2}})


class DeclarationSummarySchema(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"example": "VV-2026-0001"})
    kind = fields.String(validate=validate.OneOf(DeclarationKind.values()), metadata={
        "description": "`vernietigingslijst` (an approved destruction list) or `wissing` (a granted erasure "
                       "request that left cases without any subject)."})
    destructionListId = fields.Integer(attribute="destruction_list_id", allow_none=True)
    destructionListReference = fields.String(attribute="list_reference", allow_none=True,
                                             metadata={"example": "VL-2026-0003"})
    subjectRequestId = fields.Integer(attribute="subject_request_id", allow_none=True)
    teamId = fields.Integer(attribute="team_id", allow_none=True)
    teamName = fields.String(attribute="team_name", allow_none=True)
    destroyedAt = UTCDateTime(attribute="destroyed_at")
    preparedBy = fields.String(attribute="prepared_by", metadata={"description": "Who prepared it (name)."})
    approvedBy = fields.String(attribute="approved_by", metadata={"description": "Who approved it (name)."})
    recordCount = fields.Integer(attribute="record_count", metadata={
        "description": "How many cases and signals it declares destroyed."})


class DeclarationSchema(DeclarationSummarySchema):
    totals = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Records destroyed per kind, over all entries."})
    entries = fields.List(fields.Nested(DeclarationEntrySchema))


class DeclarationPageSchema(Schema):
    items = fields.List(fields.Nested(DeclarationSummarySchema))
