"""What every domain's ``api.py`` builds on: :class:`ApiBlueprint` and its strict argument parser.

Invalid input answers 400 (docs/DESIGN.md §6) listing every validation error, unknown keys are errors, query
values are typed as their fields say, bodies go through :func:`casus.edge.load_json`, and a JSON body documented
as required is required.
"""

from __future__ import annotations

import re
from functools import wraps

from flask import request
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import abort as smorest_abort
from marshmallow import EXCLUDE, RAISE
from marshmallow import fields as ma_fields
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import MultiDict

from casus.edge import load_json

MISSING_BODY = "A JSON body is required."
QUERY_INTEGER = re.compile(r"-?[0-9]{1,30}")


class StrictParser(FlaskParser):
    """Invalid input answers 400 (docs/DESIGN.md §6), listing every validation error; unknown keys are errors."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "json": RAISE,
        "form": RAISE,
        "json_or_form": RAISE,
        "querystring": RAISE,
        "query": RAISE,
        "headers": EXCLUDE,
        "cookies": EXCLUDE,
        "files": EXCLUDE,
    }

    def load_querystring(self, req, schema):
        """Query values are text and the schemas are strict (JSON types): type each value as its field says —
        ``7`` for an integer, ``true``/``false`` for a boolean. Anything else stays text, and the field refuses it."""
        return self._makeproxy(_typed_query(req.args, schema), schema)

    def _raw_load_json(self, req):
        """The body through :func:`casus.edge.load_json`: no NUL or lone surrogate, not nested too deep."""
        if not is_json_request(req):
            return missing
        return load_json(req.get_data(cache=True))


def _typed_query(args: MultiDict, schema) -> MultiDict:
    fields_by_key = {field.data_key or name: field for name, field in schema.fields.items()}
    typed = MultiDict()
    for key, values in args.lists():
        field = fields_by_key.get(key)
        inner = field.inner if isinstance(field, ma_fields.List) else field
        typed.setlist(key, [_typed_value(inner, value) for value in values])
    return typed


def _typed_value(field, value: str):
    if isinstance(field, ma_fields.Boolean) and value in ("true", "false"):
        return value == "true"
    if isinstance(field, ma_fields.Integer) and QUERY_INTEGER.fullmatch(value):
        return int(value)
    return value


class ApiBlueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = StrictParser()

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        """As flask-smorest's, and a JSON body documented as required (the default) is required: a request without
        one answers 400 naming ``body`` — never the endpoint run as if ``{}`` had been sent."""
        decorator = super().arguments(schema, location=location, required=required, **kwargs)
        if location != "json" or not required:
            return decorator

        def with_body(func):
            parsed = decorator(func)

            @wraps(parsed)
            def wrapper(*args, **kwargs):
                if not has_body():
                    smorest_abort(400, errors={"json": {"body": [MISSING_BODY]}})
                return parsed(*args, **kwargs)

            return wrapper

        return with_body


def has_body() -> bool:
    """The request carries a body (a length, or chunks)."""
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
