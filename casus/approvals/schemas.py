"""Approvals as the API shows them: camelCase keys, Dutch domain values (kinds, statuses, results)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, UTCDateTime
from casus.approvals.models import ApprovalKind, ApprovalStatus
from casus.cases.schemas import CursorPageSchema, UserSummarySchema
from casus.services import MAX_TEXT
from workflow import ClosureResult

# The kinds a case's team asks for over the API; RIEC voordrachten are asked for by submitting the voordracht.
CASE_REQUEST_KINDS = (ApprovalKind.CLOSE_EARLY.value, ApprovalKind.REOPEN.value)


class ApprovalCaseSchema(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"example": "2026-00042"})


class ApprovalSchema(Schema):
    """One four-eyes request and, once decided, its decision."""

    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(ApprovalKind.values()), metadata={"example": "close_early"})
    status = fields.String(validate=validate.OneOf(ApprovalStatus.values()), metadata={
        "description": "`open`, `goedgekeurd`, `afgewezen` or `ingetrokken`."})
    case = fields.Nested(ApprovalCaseSchema, allow_none=True, metadata={
        "description": "The case asked about; null for a `destruction_list`, which names its list instead."})
    destructionListId = fields.Integer(attribute="destruction_list_id", allow_none=True, metadata={
        "description": "For `destruction_list`: the list to approve (`/destruction-lists/{id}`)."})
    destructionListReference = fields.Method("list_reference", metadata={
        "type": "string", "nullable": True, "example": "VL-2026-0001",
        "description": "For `destruction_list`: the list's reference."})
    voordrachtId = fields.Integer(attribute="voordracht_id", allow_none=True, metadata={
        "description": "For `riec_voordracht`: the voordracht decided on."})
    requestedBy = fields.Nested(UserSummarySchema, attribute="requested_by")
    requestedAt = UTCDateTime(attribute="requested_at")
    reason = fields.String()
    result = fields.Method("result_of", metadata={
        "type": "string", "nullable": True, "enum": ClosureResult.values(),
        "description": "For `close_early`: the closure result asked for."})
    until = fields.Method("until_of", metadata={
        "type": "string", "format": "date", "nullable": True,
        "description": "For `retention_extension`: the day the case would be kept until (its new archiefactiedatum)."})
    decidedBy = fields.Nested(UserSummarySchema, attribute="decided_by", allow_none=True, metadata={
        "description": "The approving or rejecting supervisor; null while open and after a withdrawal."})
    decidedAt = UTCDateTime(attribute="decided_at", allow_none=True, metadata={
        "description": "When it was decided or withdrawn."})
    motivation = fields.String(allow_none=True)
    version = fields.Integer(metadata={"description": "Send it back with a decision or withdrawal."})

    def result_of(self, approval) -> str | None:
        return (approval.details or {}).get("result")

    def until_of(self, approval) -> str | None:
        return (approval.details or {}).get("until")

    def list_reference(self, approval) -> str | None:
        return (approval.details or {}).get("reference") if approval.destruction_list_id else None


class ApprovalPageSchema(CursorPageSchema):
    items = fields.List(fields.Nested(ApprovalSchema))


class ApprovalListArgsSchema(InputSchema):
    """Query string of ``GET /approvals``."""

    status = fields.String(validate=validate.OneOf(("open", "decided")), metadata={
        "description": "`open` (oldest first: the queue) or `decided` (approved, rejected or withdrawn; most "
                       "recently decided first). Without it: every request, newest first."})
    kind = fields.String(validate=validate.OneOf(ApprovalKind.values()))
    caseId = fields.Integer(attribute="case_id", validate=validate.Range(min=1))
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=200), metadata={
        "description": "The `next` value of the previous page (opaque)."})


def _version() -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The approval's `version` as last read; a stale one answers 409."})


class ApprovalDecisionInputSchema(InputSchema):
    decision = fields.String(required=True, validate=validate.OneOf(("approve", "reject")))
    motivation = fields.String(load_default=None, validate=validate.Length(max=MAX_TEXT), metadata={
        "description": "Required to reject."})
    version = _version()


class ApprovalWithdrawalInputSchema(InputSchema):
    version = _version()


class ApprovalRequestInputSchema(InputSchema):
    kind = fields.String(required=True, validate=validate.OneOf(CASE_REQUEST_KINDS), metadata={
        "description": "`close_early` (during `aanpak.*`, with `result`) or `reopen` (a closed case within "
                       "its retention period)."})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    result = fields.String(load_default=None, validate=validate.OneOf(ClosureResult.values()), metadata={
        "description": "For `close_early`: the result the case closes with."})
