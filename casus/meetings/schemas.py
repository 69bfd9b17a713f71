"""Meetings as the API shows them: camelCase keys, Dutch domain values (types, statuses, purposes)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from casus.api.schemas import InputSchema, StrictBoolean, UTCDateTime
from casus.cases.schemas import CursorPageSchema
from casus.meetings.models import AgendaPurpose, MeetingStatus, MeetingType
from casus.services import MAX_TEXT
from casus.users.schemas import OrganisationRefSchema

TYPES = [value.value for value in MeetingType]
STATUSES = [value.value for value in MeetingStatus]
PURPOSES = [value.value for value in AgendaPurpose]


class MeetingSchema(Schema):
    id = fields.Integer()
    type = fields.String(validate=validate.OneOf(TYPES))
    title = fields.String()
    teamId = fields.Integer(attribute="team_id")
    seriesId = fields.Integer(attribute="series_id", allow_none=True)
    startsAt = UTCDateTime(attribute="starts_at")
    endsAt = UTCDateTime(attribute="ends_at")
    location = fields.String(allow_none=True)
    onlineUrl = fields.String(attribute="online_url", allow_none=True)
    chairId = fields.Integer(attribute="chair_id", allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUSES))
    icalUid = fields.String(attribute="ical_uid")
    icalSequence = fields.Integer(attribute="ical_sequence")
    version = fields.Integer(metadata={"description": "The meeting's version, for `PATCH` and agenda removals."})


class MeetingDetailSchema(MeetingSchema):
    invitedOrganisations = fields.List(fields.Nested(OrganisationRefSchema), attribute="invited_organisations")


class MeetingPageSchema(CursorPageSchema):
    items = fields.List(fields.Nested(MeetingSchema))


class MeetingListArgsSchema(InputSchema):
    period = fields.String(load_default="upcoming", validate=validate.OneOf(["upcoming", "past"]), metadata={
        "description": "`upcoming` (not yet ended, soonest first) or `past` (ended, latest first)."})
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=200))


class MeetingInputSchema(InputSchema):
    type = fields.String(required=True, validate=validate.OneOf(TYPES))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    startsAt = UTCDateTime(required=True, attribute="starts_at", metadata={
        "description": "With an offset; stored and answered in UTC."})
    durationMinutes = fields.Integer(required=True, attribute="duration_minutes",
                                     validate=validate.Range(min=15, max=600))
    location = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    onlineUrl = fields.String(attribute="online_url", load_default=None, allow_none=True,
                              validate=validate.Length(max=500))
    chairId = fields.Integer(attribute="chair_id", load_default=None, allow_none=True,
                             validate=validate.Range(min=1))
    organisationIds = fields.List(fields.Integer(validate=validate.Range(min=1)), required=True,
                                  attribute="organisation_ids", validate=validate.Length(min=1, max=100))


class MeetingUpdateSchema(InputSchema):
    """Move (`startsAt`, `durationMinutes`, `location`, `onlineUrl`), cancel (`status: geannuleerd`) or close
    (`status: gehouden`) a planned meeting."""

    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The meeting's `version` as last read; a stale one answers 409."})
    status = fields.String(validate=validate.OneOf([MeetingStatus.GEANNULEERD.value, MeetingStatus.GEHOUDEN.value]))
    startsAt = UTCDateTime(attribute="starts_at")
    durationMinutes = fields.Integer(attribute="duration_minutes", validate=validate.Range(min=15, max=600))
    location = fields.String(allow_none=True, validate=validate.Length(max=200))
    onlineUrl = fields.String(attribute="online_url", allow_none=True, validate=validate.Length(max=500))

    @validates_schema
    def _one_change(self, data, **kwargs):
        moves = {"starts_at", "duration_minutes", "location", "online_url"} & set(data)
        if "status" in data and moves:
            raise ValidationError("Change the status or move the meeting, not both at once.", "status")
        if "status" not in data and not moves:
            raise ValidationError("Send a new status, or startsAt/durationMinutes/location/onlineUrl.", "status")


class CaseRefSchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    title = fields.String()


class DecisionSchema(Schema):
    id = fields.Integer()
    agendaItemId = fields.Integer(attribute="agenda_item_id")
    text = fields.String()
    actionId = fields.Integer(attribute="action_id", allow_none=True, metadata={
        "description": "The action this decision became in the case's plan van aanpak, if any."})
    createdById = fields.Integer(attribute="created_by_id")
    createdAt = UTCDateTime(attribute="created_at")


class AgendaItemSchema(Schema):
    id = fields.Integer()
    meetingId = fields.Integer(attribute="meeting_id")
    case = fields.Nested(CaseRefSchema)
    position = fields.Integer()
    purpose = fields.String(validate=validate.OneOf(PURPOSES))
    addedAutomatically = StrictBoolean(attribute="added_automatically")
    discussed = StrictBoolean()
    version = fields.Integer(metadata={
        "description": "The item's version, for `PATCH` and `DELETE /agenda-items/{id}`; minutes and purpose "
                       "changes raise it, reordering the agenda does not."})


class MinutesItemSchema(AgendaItemSchema):
    beeldvorming = fields.String(allow_none=True)
    oordeelsvorming = fields.String(allow_none=True)
    besluitvorming = fields.String(allow_none=True)
    decisions = fields.List(fields.Nested(DecisionSchema))


class AttendanceSchema(Schema):
    organisation = fields.Nested(OrganisationRefSchema)
    present = StrictBoolean(allow_none=True, metadata={"description": "Null when not recorded."})
    attendees = fields.String(allow_none=True)


class MinutesSchema(Schema):
    meetingId = fields.Integer(attribute="meeting_id")
    status = fields.String(validate=validate.OneOf(STATUSES))
    items = fields.List(fields.Nested(MinutesItemSchema), metadata={
        "description": "Only the items of cases the caller may see."})
    attendance = fields.List(fields.Nested(AttendanceSchema))


class AgendaItemInputSchema(InputSchema):
    caseId = fields.Integer(required=True, attribute="case_id", validate=validate.Range(min=1))
    purpose = fields.String(load_default=AgendaPurpose.BESPREKEN.value, validate=validate.OneOf(PURPOSES))


class AgendaItemUpdateSchema(InputSchema):
    """The minutes of an item in BOB order, whether it was discussed, its purpose or its position."""

    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The item's `version` as last read; a stale one answers 409."})
    beeldvorming = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT))
    oordeelsvorming = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT))
    besluitvorming = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT))
    discussed = StrictBoolean()
    purpose = fields.String(validate=validate.OneOf(PURPOSES))
    move = fields.String(validate=validate.OneOf(["up", "down"]), metadata={
        "description": "Move the item one place up or down the agenda."})

    @validates_schema
    def _something(self, data, **kwargs):
        if not set(data) - {"version"}:
            raise ValidationError("Send at least one field to change.", "body")


class RemoveArgsSchema(InputSchema):
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The agenda item's `version` as last read; a stale one answers 409."})


class DecisionActionInputSchema(InputSchema):
    ownerOrganisationId = fields.Integer(required=True, attribute="owner_organisation_id",
                                         validate=validate.Range(min=1), metadata={
                                             "description": "An organisation taking part in the case."})
    dueOn = fields.Date(required=True, attribute="due_on")


class DecisionInputSchema(InputSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    action = fields.Nested(DecisionActionInputSchema, load_default=None, allow_none=True, metadata={
        "description": "Make the decision an action in the case's plan van aanpak."})
