"""Destruction lists as the API shows them: camelCase keys, Dutch values (statuses)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, UTCDateTime
from casus.retention.models import DestructionItemStatus, DestructionListStatus
from casus.services import MAX_TEXT


class DestructionListItemSchema(Schema):
    """One case or signal on a list: its reference, category and dates, copied when proposed."""

    id = fields.Integer()
    recordKind = fields.String(attribute="record_kind", validate=validate.OneOf(("case", "signal")))
    reference = fields.String(metadata={"example": "2026-00042"})
    category = fields.String(attribute="category_code", metadata={"example": "woonoverlast"})
    closedOn = fields.Date(attribute="closed_on")
    archiefactiedatum = fields.Date()
    status = fields.String(validate=validate.OneOf(DestructionItemStatus.values()))
    reason = fields.String(allow_none=True, metadata={"description": "Why it was taken off or postponed."})
    postponedUntil = fields.Date(attribute="postponed_until", allow_none=True)
    legalHold = fields.Boolean(attribute="legal_hold", metadata={
        "description": "The case is under legal hold now: it drops off when the list is submitted."})


class DestructionListSummarySchema(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"example": "VL-2026-0001"})
    teamId = fields.Integer(attribute="team_id")
    period = fields.String(metadata={"example": "2026-12"})
    status = fields.String(validate=validate.OneOf(DestructionListStatus.values()), metadata={
        "description": "`concept`, `ter_goedkeuring`, `goedgekeurd`, `vernietigd` or `afgewezen` (back in review)."})
    proposedAt = UTCDateTime(attribute="proposed_at")
    preparedAt = UTCDateTime(attribute="prepared_at", allow_none=True)
    destroyedAt = UTCDateTime(attribute="destroyed_at", allow_none=True)
    version = fields.Integer(metadata={"description": "Send it back with every change to the list or its items."})


class DestructionListSchema(DestructionListSummarySchema):
    approvalId = fields.Integer(attribute="approval_id", allow_none=True, metadata={
        "description": "The open approval (decide it at `/approvals/{id}/decision`), else the latest one."})
    items = fields.List(fields.Nested(DestructionListItemSchema))


class DestructionListPageSchema(Schema):
    items = fields.List(fields.Nested(DestructionListSummarySchema))


class DestructionListArgsSchema(InputSchema):
    status = fields.String(validate=validate.OneOf(DestructionListStatus.values()))


def _version() -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The list's `version` as last read; a stale one answers 409 with `currentVersion`."})


class ItemRemovalInputSchema(InputSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    version = _version()


class ItemPostponementInputSchema(InputSchema):
    until = fields.Date(required=True, metadata={"description": "After today: the record's new archiefactiedatum."})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    version = _version()


class ListSubmissionInputSchema(InputSchema):
    version = _version()
