"""What every domain's ``api.py`` builds on: :class:`ApiBlueprint` and its strict argument parser.

Invalid input answers 400 (docs/DESIGN.md §6) listing every validation error, unknown keys are errors, query
values are typed as their fields say, bodies go through :func:`casus.edge.load_json`, and a JSON body documented
as required is required.
"""

from __future__ import annotations

import re
from functools import wraps

from flask import current_app, request
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
        "multipart": RAISE,
    }
    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_querystring(self, req, schema):
        """Query values are text and the schemas are strict (JSON types): type each value as its field says —
        ``7`` for an integer, ``true``/``false`` for a boolean. Anything else stays text, and the field refuses it."""
        return self._makeproxy(_typed_query(req.args, schema), schema)

    def load_multipart(self, req, schema):
        """A ``multipart/form-data`` body: its form fields typed as for a query string, and its files."""
        values = _typed_query(req.form, schema)
        for key, files in req.files.lists():
            values.setlist(key, files)
        return self._makeproxy(values, schema)

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


MULTIPART = "multipart/form-data"


class ApiBlueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = StrictParser()
    # An upload (location "multipart"): the file and its fields in one multipart/form-data body.
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**SmorestBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": MULTIPART}

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        """As flask-smorest's, and a JSON body documented as required (the default) is required: a request without
        one answers 400 naming ``body`` — never the endpoint run as if ``{}`` had been sent."""
        decorator = super().arguments(schema, location=location, required=required, **kwargs)
        if location == "multipart":
            return _takes_multipart(decorator)
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


def _takes_multipart(decorator):
    """Mark the operation as one that reads a multipart body (:func:`takes_multipart`; the guard lets it in)."""
    def marked(func):
        parsed = decorator(func)
        parsed.takes_multipart = True
        return parsed

    return marked


def takes_multipart() -> bool:
    """The request's operation reads a ``multipart/form-data`` body (an upload)."""
    view = current_app.view_functions.get(request.endpoint or "")
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    return bool(getattr(handler, "takes_multipart", False))


def has_body() -> bool:
    """The request carries a body (a length, or chunks)."""
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()
