"""Building blocks every API schema shares: the problem+json body, UTC date-times, strict input.

Works on marshmallow 3.20+ and 4: no ``missing=``/``default=``, only ``load_default``/``dump_default``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from casus.edge import DATE_MAX, DATE_MIN, INT32_MAX, date_in_window

OUTSIDE_DATE_WINDOW = f"Must lie between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}."


class InputSchema(Schema):
    """Base for request bodies and query strings: an unknown key is an error, never silently dropped. Every
    integer must fit an INTEGER column and every date lie in the date window (casus.edge), or the input is a 400
    naming the field — never a value the database refuses."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        _within_limits(field_obj)
        _strict_integers(field_obj)


def _within_limits(field: fields.Field) -> None:
    """Add the limits to a field of this schema instance (a new list: copies of a field share their validators).
    An integer's own plain ``Range`` is merged with the column's, so one error names both bounds."""
    if isinstance(field, fields.List):
        _within_limits(field.inner)
    elif isinstance(field, fields.Integer):
        plain = [rule for rule in field.validators if _plain_range(rule)]
        lows = [rule.min for rule in plain if rule.min is not None]
        highs = [rule.max for rule in plain if rule.max is not None]
        field.validators = [rule for rule in field.validators if rule not in plain] + [validate.Range(
            min=max([*lows, -INT32_MAX - 1]), max=min([*highs, INT32_MAX]))]
    elif isinstance(field, fields.Date | fields.DateTime) and _in_date_window not in field.validators:
        field.validators = [*field.validators, _in_date_window]


def _plain_range(rule) -> bool:
    return (isinstance(rule, validate.Range) and rule.min_inclusive and rule.max_inclusive
            and rule.error is None)


def _in_date_window(value) -> None:
    if not date_in_window(value):
        raise ValidationError(OUTSIDE_DATE_WINDOW)


class InvalidParamSchema(Schema):
    name = fields.String(required=True, metadata={
        "description": "The input that was refused, as a dotted path (`organisation.id`); `body` for the "
                       "body as a whole.", "example": "locale"})
    reason = fields.String(required=True, metadata={"example": "Must be one of: en, nl."})


class ProblemSchema(Schema):
    """An error, as RFC 9457 and the Dutch API Design Rules describe it."""

    type = fields.String(metadata={"description": "A URI identifying the kind of problem.",
                                   "example": "about:blank"})
    title = fields.String(required=True, metadata={
        "description": "The HTTP status phrase (`Transition refused` for a refused workflow step) in the request's "
                       "language: English with `Accept-Language: en`, else the user's language, Dutch by default "
                       "(`Ongeldig verzoek`, `Stap geweigerd`).",
        "example": "Ongeldig verzoek"})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code.", "example": 400})
    detail = fields.String(required=True, metadata={
        "description": "What went wrong, for a developer; never a stack trace.",
        "example": "The request contains invalid input; see invalidParams."})
    instance = fields.String(metadata={"description": "The path of the request.", "example": "/api/v1/me"})
    invalidParams = fields.List(fields.Nested(InvalidParamSchema), metadata={
        "description": "Every validation error, present on 400 responses to invalid input."})
    failedGuards = fields.List(fields.String(), metadata={
        "description": "On a 409 for a workflow step that was refused (`title` `Transition refused`): the codes of "
                       "the guards that failed (docs/WORKFLOW.md); `detail` gives their messages.",
        "example": ["needs_plan_discussed"]})
    trigger = fields.String(metadata={
        "description": "With `failedGuards`: the workflow step that was refused.", "example": "adopt_plan"})
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
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not date_in_window(moment):  # before converting: 0001-01-01T00:00:00+01:00 has no UTC form
            raise ValidationError(OUTSIDE_DATE_WINDOW)
        return moment.astimezone(UTC)


class SortedStrings(fields.List):
    """A list of strings, always in sorted order (roles, scopes)."""

    def __init__(self, inner: fields.Field | None = None, **kwargs):
        super().__init__(inner or fields.String(), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return super()._serialize(sorted(value), attr, obj, **kwargs)


class StrictBoolean(fields.Boolean):
    """A JSON ``true`` or ``false`` and nothing else.

    marshmallow's ``Boolean`` also takes ``0``/``1``, ``"true"``, ``"yes"``, ``"on"`` … (and ``1 in {True}`` holds
    in Python), so ``{"discussed": 0}`` would pass as ``false``; the OpenAPI document says ``boolean``, and so does
    this field. Every boolean of every API schema is one (tests/api/test_api_contract.py holds them to it); in a query
    string the API's parser reads ``true`` and ``false`` as booleans first.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


class OneOfNested(fields.Field):
    """An object dumped beforehand by one of ``schemas`` (which one depends on the caller), passed through as it
    is; documented as ``oneOf`` those schemas (:func:`casus.api.openapi.one_of_property`). Make the schemas disjoint —
    a required property the others do not have — so exactly one matches."""

    def __init__(self, *schemas: type[Schema], **kwargs) -> None:
        super().__init__(**kwargs)
        self.schemas = schemas

    def _serialize(self, value, attr, obj, **kwargs):
        return value


def _strict_integers(field: fields.Field) -> None:
    """An integer is a JSON integer: marshmallow's ``Integer`` also takes ``"7"``, ``7.0`` and even ``7.5`` (as 7).
    Query strings, where every value is text, are typed by the API's parser before they get here."""
    if isinstance(field, fields.List):
        _strict_integers(field.inner)
    elif isinstance(field, fields.Integer):
        field.strict = True
