"""The caller's notifications as the API shows them: camelCase keys, titles in the caller's language."""

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, StrictBoolean, UTCDateTime
from casus.cases.schemas import CursorPageLinksSchema


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
