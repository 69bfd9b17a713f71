"""The escalation ladder as the API shows it: camelCase keys, Dutch domain values (levels, directions).

A step is written as it is read: ``POST /cases/{id}/escalations`` takes a ``direction`` (``opschalen`` or
``afschalen``) and the fields of that direction; the other direction's fields are refused (400, every
error listed). Dates are ISO 8601 dates.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casus.api.schemas import InputSchema, StrictBoolean, UTCDateTime
from casus.cases.schemas import CursorPageSchema, UserSummarySchema
from casus.clock import today
from casus.escalations.models import EscalationDirection
from casus.escalations.services import MAX_AHEAD, MAX_OWNER
from casus.services import MAX_TEXT
from workflow import EscalationLevel

LEVELS = validate.OneOf(EscalationLevel.values())
DIRECTIONS = EscalationDirection.values()
STEP_UP_FIELDS = ("reason", "decision_owner", "decision_deadline", "review_on")
NAMES = {"reason": "reason", "decision_owner": "decisionOwner", "decision_deadline": "decisionDeadline",
         "review_on": "reviewOn", "decision": "decision"}


class EscalationCaseSchema(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"example": "2026-00042"})
    escalationLevel = fields.String(attribute="escalation_level", validate=LEVELS, metadata={
        "description": "The case's current level."})


class EscalationSchema(Schema):
    """One step on the ladder. A step up (`opschalen`) carries the reason, the decision owner, the deadline
    and the review date, and later its decision; a step down (`afschalen`) carries the decision taken."""

    id = fields.Integer()
    case = fields.Nested(EscalationCaseSchema)
    direction = fields.String(validate=validate.OneOf(DIRECTIONS))
    from_ = fields.String(attribute="from_level", data_key="from", validate=LEVELS)
    to = fields.String(attribute="to_level", validate=LEVELS)
    reason = fields.String(allow_none=True)
    decisionOwner = fields.String(attribute="decision_owner", allow_none=True)
    decisionDeadline = fields.Date(attribute="decision_deadline", allow_none=True)
    reviewOn = fields.Date(attribute="review_on", allow_none=True, metadata={
        "description": "When to review de-escalation."})
    decision = fields.String(allow_none=True)
    decidedAt = UTCDateTime(attribute="decided_at", allow_none=True)
    decidedBy = fields.Nested(UserSummarySchema, attribute="decided_by", allow_none=True)
    createdAt = UTCDateTime(attribute="created_at")
    createdBy = fields.Nested(UserSummarySchema, attribute="created_by")
    resolvedAt = UTCDateTime(attribute="resolved_at", allow_none=True, metadata={
        "description": "A step up: when the case stepped down from the level it reached."})
    open = StrictBoolean(attribute="is_open", metadata={"description": "A step up that is not yet resolved."})
    decisionOverdue = StrictBoolean(attribute="decision_overdue", metadata={
        "description": "An open step up without a decision whose deadline has passed."})
    reviewDue = StrictBoolean(attribute="review_due", metadata={
        "description": "An open step up whose review date has come."})
    version = fields.Integer(metadata={
        "description": "The step's version, for `POST /escalations/{id}/decision`."})


class EscalationCreatedSchema(EscalationSchema):
    caseVersion = fields.Integer(attribute="case_version", metadata={
        "description": "The case's new `version`, for the next write."})


class EscalationInputSchema(InputSchema):
    """``POST /cases/{id}/escalations``: one step up or down the ladder."""

    direction = fields.String(required=True, validate=validate.OneOf(DIRECTIONS), metadata={
        "description": "`opschalen` (trigger `escalate`) or `afschalen` (trigger `deescalate`)."})
    reason = fields.String(load_default=None, validate=validate.Length(min=1, max=MAX_TEXT), metadata={
        "description": "`opschalen`: why (required)."})
    decisionOwner = fields.String(attribute="decision_owner", load_default=None,
                                  validate=validate.Length(min=1, max=MAX_OWNER), metadata={
                                      "description": "`opschalen`: who decides at the new level (required)."})
    decisionDeadline = fields.Date(attribute="decision_deadline", load_default=None, metadata={
        "description": "`opschalen`: when the decision is due, not in the past; default 10 werkdagen from "
                       "today (Dutch public holidays skipped)."})
    reviewOn = fields.Date(attribute="review_on", load_default=None, metadata={
        "description": "`opschalen`: when to review de-escalation, not in the past (required)."})
    decision = fields.String(load_default=None, validate=validate.Length(min=1, max=MAX_TEXT), metadata={
        "description": "`afschalen`: the decision taken (required)."})
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The case's `version` as last read; a stale one answers 409."})

    @validates_schema
    def _fits_the_direction(self, data, **_kwargs) -> None:
        if "direction" not in data:
            return  # reported by the field itself
        errors: dict[str, list[str]] = {}
        step_up = data["direction"] == EscalationDirection.OPSCHALEN
        wanted = STEP_UP_FIELDS if step_up else ("decision",)
        optional = ("decision_deadline",)
        for name in NAMES:
            present = data.get(name) is not None
            if name in wanted and not present and name not in optional:
                errors[NAMES[name]] = [f"Required when direction is {data['direction']}."]
            elif name not in wanted and present:
                errors[NAMES[name]] = [f"Not used when direction is {data['direction']}."]
        day = today()
        for name in ("decision_deadline", "review_on"):
            value = data.get(name)
            if value is not None and value < day:
                errors[NAMES[name]] = ["Must not be in the past."]
            elif value is not None and value > day + MAX_AHEAD:
                errors[NAMES[name]] = ["Must be within two years."]
        if errors:
            raise ValidationError(errors)


class EscalationDecisionInputSchema(InputSchema):
    decision = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT), metadata={
        "description": "The decision taken at the step's level."})
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The step's `version` as last read; a stale one answers 409."})


class EscalationListArgsSchema(InputSchema):
    overdue = StrictBoolean(load_default=False, metadata={
        "description": "`true`: only steps without a decision whose deadline has passed."})
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=200), metadata={
        "description": "The `next` value of the previous page (opaque)."})


class EscalationPageSchema(CursorPageSchema):
    items = fields.List(fields.Nested(EscalationSchema))
