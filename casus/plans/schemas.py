"""The plan van aanpak as the API shows it: goals, actions and their progress (voortgang)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, UTCDateTime
from casus.cases.schemas import UserSummarySchema
from casus.plans.models import GoalStatus
from casus.services import MAX_TEXT
from casus.users.schemas import OrganisationRefSchema
from workflow import ActionStatus

STATUSES = [status.value for status in ActionStatus]
GOAL_STATUSES = [status.value for status in GoalStatus]


class GoalSchema(Schema):
    id = fields.Integer()
    description = fields.String()
    createdAt = UTCDateTime(attribute="created_at")
    createdById = fields.Integer(attribute="created_by_id")
    status = fields.String(validate=validate.OneOf(GOAL_STATUSES))
    statusOn = fields.Date(attribute="status_on", allow_none=True, metadata={
        "description": "When the goal was settled; null while open."})
    statusNote = fields.String(attribute="status_note", allow_none=True)
    statusById = fields.Integer(attribute="status_by_id", allow_none=True)
    version = fields.Integer(metadata={"description": "The goal's version, for `PATCH`."})


class GoalInputSchema(InputSchema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))


class GoalUpdateSchema(InputSchema):
    status = fields.String(required=True, validate=validate.OneOf(GOAL_STATUSES))
    statusOn = fields.Date(attribute="status_on", load_default=None, allow_none=True, metadata={
        "description": "Required unless `status` is `open`; not in the future."})
    statusNote = fields.String(attribute="status_note", load_default=None, allow_none=True,
                               validate=validate.Length(max=MAX_TEXT))
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The goal's `version` as last read; a stale one answers 409."})


class ActionSchema(Schema):
    id = fields.Integer()
    caseId = fields.Integer(attribute="case_id")
    goalId = fields.Integer(attribute="goal_id", allow_none=True)
    description = fields.String()
    ownerOrganisation = fields.Nested(OrganisationRefSchema, attribute="owner_organisation")
    ownerUser = fields.Nested(UserSummarySchema, attribute="owner_user", allow_none=True)
    dueOn = fields.Date(attribute="due_on")
    status = fields.String(validate=validate.OneOf(STATUSES))
    createdAt = UTCDateTime(attribute="created_at")
    lastActivityAt = UTCDateTime(attribute="last_activity_at")
    version = fields.Integer(metadata={"description": "The action's version, for `PATCH` and progress."})


class ActionInputSchema(InputSchema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    ownerOrganisationId = fields.Integer(required=True, attribute="owner_organisation_id",
                                         validate=validate.Range(min=1), metadata={
                                             "description": "A participating organisation."})
    ownerUserId = fields.Integer(attribute="owner_user_id", load_default=None, validate=validate.Range(min=1))
    dueOn = fields.Date(required=True, attribute="due_on")
    goalId = fields.Integer(attribute="goal_id", load_default=None, validate=validate.Range(min=1))


class ActionUpdateSchema(InputSchema):
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "The new status; `status`, `dueOn` or both."})
    dueOn = fields.Date(attribute="due_on", metadata={
        "description": "A new due date for an open action (not in the past); whoever the action is for is "
                       "notified."})
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The action's `version` as last read; a stale one answers 409."})


class ProgressSchema(Schema):
    id = fields.Integer()
    actionId = fields.Integer(attribute="action_id")
    text = fields.String()
    status = fields.String(attribute="status_after", allow_none=True, validate=validate.OneOf(STATUSES),
                           metadata={"description": "The action's status set with this entry, if any."})
    author = fields.Nested(UserSummarySchema)
    organisationId = fields.Integer(attribute="organisation_id")
    createdAt = UTCDateTime(attribute="created_at")


class ProgressCreatedSchema(ProgressSchema):
    actionVersion = fields.Integer(attribute="action_version", metadata={
        "description": "The action's new `version`, for the next write."})


class ProgressInputSchema(InputSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The action's `version` as last read; a stale one answers 409."})
