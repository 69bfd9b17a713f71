"""Building blocks every API schema shares: the problem+json body, UTC date-times, strict input.

Works on marshmallow 3.20+ and 4: no ``missing=``/``default=``, only ``load_default``/``dump_default``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import RAISE, Schema, fields


class InputSchema(Schema):
    """Base for request bodies and query strings: an unknown key is an error, never silently dropped."""

    class Meta:
        unknown = RAISE


class InvalidParamSchema(Schema):
    name = fields.String(required=True, metadata={
        "description": "The input that was refused, as a dotted path (`organisation.id`); `body` for the "
                       "body as a whole.", "example": "locale"})
    reason = fields.String(required=True, metadata={"example": "Must be one of: en, nl."})


class ProblemSchema(Schema):
    """An error, as RFC 9457 and the Dutch API Design Rules describe it."""

    type = fields.String(metadata={"description": "A URI identifying the kind of problem.",
                                   "example": "about:blank"})
    title = fields.String(required=True, metadata={"description": "The HTTP status phrase.",
                                                   "example": "Bad Request"})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code.", "example": 400})
    detail = fields.String(required=True, metadata={
        "description": "What went wrong, for a developer; never a stack trace.",
        "example": "The request contains invalid input; see invalidParams."})
    instance = fields.String(metadata={"description": "The path of the request.", "example": "/api/v1/me"})
    invalidParams = fields.List(fields.Nested(InvalidParamSchema), metadata={
        "description": "Every validation error, present on 400 responses to invalid input."})
    currentVersion = fields.Integer(metadata={
        "description": "On a 409 for a stale `version`: the version stored now. Fetch the resource again, "
                       "apply the change to what it says now, and retry with this version.", "example": 8})


class UTCDateTime(fields.AwareDateTime):
    """A date-time as ISO 8601 in UTC with a ``Z`` (``2026-03-01T08:30:00Z``); input must carry an offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if not isinstance(value, datetime):
            return super()._serialize(value, attr, obj, **kwargs)
        if value.tzinfo is None:  # stored values are UTC already
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).astimezone(UTC)


class SortedStrings(fields.List):
    """A list of strings, always in sorted order (roles, scopes)."""

    def __init__(self, inner: fields.Field | None = None, **kwargs):
        super().__init__(inner or fields.String(), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return super()._serialize(sorted(value), attr, obj, **kwargs)
