"""The caller's notifications as the API shows them: camelCase keys, titles in the caller's language."""

from marshmallow import Schema, ValidationError, fields, validate

from casus.api.schemas import InputSchema, StrictBoolean, UTCDateTime
from casus.cases.schemas import CursorPageLinksSchema
from casus.notifications.models import Delivery
from casus.notifications.preferences import choosable_kinds


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "What needs attention (`review_due`, `triage_deadline`, …).",
                                   "example": "review_due"})
    title = fields.String(metadata={"description": "A short title in the caller's language; a case reference at "
                                                   "most, no personal data.",
                                    "example": "Herbeoordeling nodig: casus 2026-00042"})
    link = fields.String(metadata={"description": "Path of the page in the Casus web interface.",
                                   "example": "/casussen/42"})
    caseId = fields.Integer(attribute="case_id", allow_none=True)
    createdAt = UTCDateTime(attribute="created_at")
    readAt = UTCDateTime(attribute="read_at", allow_none=True)
    read = StrictBoolean(attribute="is_read")


class NotificationPageSchema(Schema):
    """Same page shape as the other lists (``GET /cases``): ``items``, ``next`` and ``links.next``."""

    items = fields.List(fields.Nested(NotificationSchema))
    next = fields.String(allow_none=True, metadata={
        "description": "The cursor of the next (older) page (pass it as `cursor`), or null on the last page."})
    links = fields.Nested(CursorPageLinksSchema)


class NotificationQuerySchema(InputSchema):
    unread = StrictBoolean(load_default=False, metadata={"description": "Only unread notifications."})
    cursor = fields.String(load_default=None, validate=validate.Length(max=200), metadata={
        "description": "The `next` value of the previous page (opaque)."})
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class NotificationUpdateSchema(InputSchema):
    read = StrictBoolean(required=True, metadata={"description": "true marks read, false marks unread."})


class MarkReadSchema(InputSchema):
    ids = fields.List(fields.Integer(), validate=validate.Length(min=1, max=500), metadata={
        "description": "The notifications to mark read; leave out to mark all unread notifications read."})


class MarkReadResultSchema(Schema):
    marked = fields.Integer(metadata={"description": "How many notifications changed from unread to read."})



DELIVERIES = [member.value for member in Delivery]


def _kind_names() -> list[str]:
    return [spec.name for spec in choosable_kinds()]


def _valid_deliveries(value: object) -> None:
    """An object of kinds and deliveries: an unknown kind or delivery is named in the 400."""
    if not isinstance(value, dict):
        raise ValidationError("Not an object of kinds and deliveries.")
    kinds = set(_kind_names())
    errors = {key: ["Not a kind of notification."] if key not in kinds else
              ["Must be one of: direct, dagoverzicht, alleen_in_app."] for key, delivery in value.items()
              if key not in kinds or delivery not in DELIVERIES}
    if errors:
        raise ValidationError(errors)


def _deliveries_field(*, required: bool) -> fields.Raw:
    # Raw with the properties spelled out: the document lists every kind (no other key is valid), which a Dict
    # field cannot say; the keys are the kind names notifications carry in `kind`, not camelCase properties.
    return fields.Raw(required=required, validate=_valid_deliveries, metadata={
        "type": "object",
        "description": "Per kind of notification (the `kind` a notification carries) its delivery: `direct` "
                       "(e-mailed at once), `dagoverzicht` (in the daily digest e-mail) or `alleen_in_app` (no "
                       "e-mail).",
        "properties": {name: {"type": "string", "enum": DELIVERIES} for name in _kind_names()},
        "additionalProperties": False,
        "example": {"participation_started": "direct", "action_due_changed": "dagoverzicht"}})


class NotificationKindSchema(Schema):
    kind = fields.String(metadata={"example": "action_due_changed"})
    label = fields.String(metadata={"description": "What the kind is about, in the caller's language.",
                                    "example": "Uiterste datum van een actie gewijzigd"})
    defaultDelivery = fields.String(attribute="default_delivery", metadata={
        "description": "The delivery when the caller made no choice.", "enum": DELIVERIES})


class NotificationPreferencesSchema(Schema):
    preferences = _deliveries_field(required=True)
    kinds = fields.List(fields.Nested(NotificationKindSchema), metadata={
        "description": "Every kind that can be chosen, with its label and default."})


class NotificationPreferencesUpdateSchema(InputSchema):
    preferences = _deliveries_field(required=True)
