"""The HTTP API under ``/api/v1``: flask-smorest, bearer tokens, problem+json, Dutch API Design Rules.

Each domain keeps its endpoints in its own ``api.py`` as a :class:`ApiBlueprint`; they are
registered here. What every endpoint gets without asking:

- a bearer token is required (except for the OpenAPI document); reads need the ``read`` scope,
  writes the ``write`` scope; the browser session is neither read nor written on API paths;
- request bodies must be JSON; unknown keys, bad values and malformed JSON answer 400 with every
  validation error in ``invalidParams`` (see :mod:`casus.errors`);
- every response carries ``API-Version``, every error is ``application/problem+json``;
- the OpenAPI document at ``/api/v1/openapi.json`` is post-processed in :func:`openapi_document`
  so that paths are relative to ``servers[0].url``, errors are documented as problem+json and
  every 2xx/3xx response documents the ``API-Version`` header.
"""

from __future__ import annotations

import copy
import json
import re
from functools import wraps

from flask import Blueprint, Flask, abort, current_app, g, jsonify, request
from flask.sessions import SecureCookieSession, SessionInterface
from flask_login import current_user
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import abort as smorest_abort
from marshmallow import EXCLUDE, RAISE
from marshmallow import fields as ma_fields
from webargs.core import missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import MultiDict

from casus.api.schemas import OneOfNested, ProblemSchema
from casus.edge import load_json
from casus.extensions import csrf

API_PREFIX = "/api/v1"
PUBLIC_API_ENDPOINTS = frozenset({"api_docs.openapi_json"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
MISSING_BODY = "A JSON body is required."
VERSION_HEADER = {"API-Version": {"$ref": "#/components/headers/API-Version"}}
# The statuses any operation may answer, by the component response documenting them (docs/API.md, "Errors");
# _complete_operation says which apply to which operation.
STANDARD_RESPONSES = {
    "BAD_REQUEST": ("400", "Invalid input: `invalidParams` lists every problem"),
    "UNAUTHORIZED": ("401", "Missing, invalid, expired or revoked bearer token"),
    "FORBIDDEN": ("403", "The token lacks the scope this operation needs, or the caller may not do this"),
    "NOT_FOUND": ("404", "No such resource, or the caller may not know about it"),
    "PAYLOAD_TOO_LARGE": ("413", "The request body is larger than the server accepts"),
    "URI_TOO_LONG": ("414", "The query string is longer than the server accepts"),
    "UNSUPPORTED_MEDIA_TYPE": ("415", "The request body is not JSON"),
    "TOO_MANY_REQUESTS": ("429", "Too many requests: wait `Retry-After` seconds"),
    "SERVICE_UNAVAILABLE": ("503", "The database is not available; try again later"),
}


def is_api_path(path: str) -> bool:
    """Same rule as :func:`casus.security.is_api_request`, for a path (the session opens before routing)."""
    return path == API_PREFIX or path.startswith("/api/")


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


QUERY_INTEGER = re.compile(r"-?[0-9]{1,30}")


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
                if not _has_body():
                    smorest_abort(400, errors={"json": {"body": [MISSING_BODY]}})
                return parsed(*args, **kwargs)

            return wrapper

        return with_body


class CasusApi(Api):
    ERROR_SCHEMA = ProblemSchema  # documents flask-smorest's default error responses as our problem body


class ApiSessionInterface(SessionInterface):
    """Keeps the browser session out of the API: a session cookie never authenticates an API call,
    and an API response never sets one. Other paths use the wrapped interface unchanged."""

    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner

    def open_session(self, app, request):
        if is_api_path(request.path):
            return SecureCookieSession()  # empty, and discarded at the end of the request
        return self.inner.open_session(app, request)

    def save_session(self, app, session, response):
        if is_api_path(request.path):
            return None
        return self.inner.save_session(app, session, response)


SPEC_KWARGS = {
    "info": {
        "description": "Casus API voor ketenpartners. Zie docs/API.md.",
        "contact": {"name": "Team Casus", "email": "casus@example.org", "url": "https://example.org/casus"},
        "license": {"name": "EUPL-1.2", "url": "https://interoperable-europe.ec.europa.eu/collection/eupl"},
    },
}

docs_bp = Blueprint("api_docs", __name__)


@docs_bp.get(f"{API_PREFIX}/openapi.json")
def openapi_json():
    response = jsonify(openapi_document())
    response.headers["Access-Control-Allow-Origin"] = "*"  # CORS is open for this document only
    return response


def openapi_document() -> dict:
    """The OpenAPI document as published: flask-smorest's spec, brought in line with the ADR."""
    spec = copy.deepcopy(current_app.extensions["casus_api"].spec.to_dict())
    base_url = current_app.config["CASUS"].base_url.rstrip("/")
    spec["servers"] = [{"url": f"{base_url}{API_PREFIX}", "description": "Casus API v1"}]
    components = spec.setdefault("components", {})
    components.setdefault("headers", {})["API-Version"] = {
        "description": "The full version of the API (major.minor.patch).",
        "schema": {"type": "string", "example": current_app.config["API_VERSION"]},
    }
    responses = components.setdefault("responses", {})
    for name, (_status, description) in STANDARD_RESPONSES.items():
        responses[name] = _problem_response(description)
    responses["TOO_MANY_REQUESTS"]["headers"] = {"Retry-After": {
        "description": "Seconds to wait before the next request.", "schema": {"type": "integer", "minimum": 0}}}
    # Paths relative to servers[0].url, as OpenAPI intends.
    spec["paths"] = {(path[len(API_PREFIX):] or "/") if path.startswith(API_PREFIX) else path: operations
                     for path, operations in spec.get("paths", {}).items()}
    spec["paths"]["/openapi.json"] = {
        "get": {
            "summary": "This OpenAPI document",
            "tags": ["Meta"],
            "security": [],
            "responses": {"200": {"description": "The OpenAPI document", "content": {
                "application/json": {"schema": {"type": "object"}}}}},
        }
    }
    for operations in spec["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _complete_operation(operation, path_parameters=operations.get("parameters", []))
    for response in responses.values():
        _as_problem_json(response)
        response.setdefault("headers", {}).update(VERSION_HEADER)
    for schema in components.get("schemas", {}).values():
        _only_null_besides_refs(schema)
    if "#/components/schemas/PaginationMetadata" not in json.dumps(spec):
        components.get("schemas", {}).pop("PaginationMetadata", None)  # snake_case, and unused
    return spec


def _only_null_besides_refs(node) -> None:
    """apispec documents a nullable nested object as ``anyOf: [{$ref}, {type: object, nullable: true}]``, whose
    second branch takes *any* object (``{"action": {}}`` would be valid). Make that branch null and nothing else."""
    if isinstance(node, dict):
        branches = node.get("anyOf")
        if isinstance(branches, list) and any("$ref" in branch for branch in branches):
            for branch in branches:
                if branch == {"nullable": True, "type": "object"}:
                    branch["enum"] = [None]
        for value in node.values():
            _only_null_besides_refs(value)
    elif isinstance(node, list):
        for value in node:
            _only_null_besides_refs(value)


def _problem_response(description: str) -> dict:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}}


def _as_problem_json(response: dict) -> None:
    """flask-smorest documents error bodies as application/json; ours are application/problem+json."""
    content = response.get("content", {})
    if content.get("application/json", {}).get("schema", {}).get("$ref") == PROBLEM_REF:
        content[PROBLEM_JSON] = content.pop("application/json")


def _complete_operation(operation: dict, *, path_parameters: list) -> None:
    """Document every status the operation can answer (docs/API.md, "Errors"), each error as problem+json, and
    the ``API-Version`` header on every response. Statuses the operation documents itself keep their text."""
    responses = operation["responses"]
    parameters = [*path_parameters, *operation.get("parameters", [])]
    locations = {parameter.get("in") for parameter in parameters}
    has_body = "requestBody" in operation
    protected = operation.get("security") != []
    applies = {
        # invalid input, or a character the edge refuses (an integer in the path cannot carry one)
        "BAD_REQUEST": has_body or any(parameter.get("in") != "path" or parameter.get("schema", {}).get("type")
                                       != "integer" for parameter in parameters),
        "UNAUTHORIZED": protected,
        "FORBIDDEN": protected,  # a token without the scope (a write-only token reads too), or the user may not
        "NOT_FOUND": "path" in locations,
        "PAYLOAD_TOO_LARGE": has_body,
        "URI_TOO_LONG": "query" in locations,
        "UNSUPPORTED_MEDIA_TYPE": has_body,
        "TOO_MANY_REQUESTS": protected,
        "SERVICE_UNAVAILABLE": protected,  # the token is looked up in the database
    }
    for name, (status, _description) in STANDARD_RESPONSES.items():
        if applies[name]:
            responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
    for code, response in responses.items():
        if "$ref" in response:
            continue
        response.setdefault("headers", {}).update(VERSION_HEADER)
        if str(code)[0] not in "23":
            _as_problem_json(response)
    operation["responses"] = dict(sorted(responses.items()))


def one_of_property(converter, field, **kwargs) -> dict:
    """apispec: a :class:`OneOfNested` field is ``oneOf`` its schemas (each a ``$ref``)."""
    if isinstance(field, OneOfNested):
        return {"oneOf": [converter.resolve_nested_schema(schema) for schema in field.schemas]}
    return {}


def init_api(app: Flask) -> None:
    app.config["OPENAPI_URL_PREFIX"] = None  # we serve the document ourselves, post-processed
    api = CasusApi(spec_kwargs={**SPEC_KWARGS, "version": app.config["API_VERSION"]})
    api.init_app(app)
    app.extensions["casus_api"] = api
    api.ma_plugin.converter.add_attribute_function(one_of_property)
    if "Problem" not in api.spec.components.schemas:  # flask-smorest may have registered ERROR_SCHEMA
        api.spec.components.schema("Problem", schema=ProblemSchema)
    api.spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token from `casus create-token`; scopes `read` and `write`."})
    api.spec.options["security"] = [{"bearerAuth": []}]
    from casus.approvals.api import blp as approvals_blp
    from casus.cases.api import blp as cases_blp
    from casus.escalations.api import blp as escalations_blp
    from casus.meetings.api import blp as meetings_blp
    from casus.notifications.api import blp as notifications_blp
    from casus.plans.api import blp as plans_blp
    from casus.reports.api import blp as reports_blp
    from casus.signals.api import blp as signals_blp
    from casus.users.api import blp as me_blp
    from casus.voordrachten.api import blp as voordrachten_blp

    for blueprint in (me_blp, cases_blp, plans_blp, signals_blp, notifications_blp, meetings_blp,
                      escalations_blp, voordrachten_blp, approvals_blp, reports_blp):
        api.register_blueprint(blueprint, url_prefix=API_PREFIX + (blueprint.url_prefix or ""))
        csrf.exempt(blueprint)
    app.register_blueprint(docs_bp)
    csrf.exempt(docs_bp)
    app.session_interface = ApiSessionInterface(app.session_interface)
    app.before_request(_guard_api_request)
    app.after_request(_api_headers)


def _guard_api_request():
    if not is_api_path(request.path) or request.endpoint in PUBLIC_API_ENDPOINTS or request.endpoint is None:
        return  # not the API, public, or answered by the 404/405 handlers
    if not current_user.is_authenticated:
        abort(401, description="A valid bearer token is required.")
    needed = "read" if request.method in READ_METHODS else "write"
    token = g.get("api_token")
    if token is None or needed not in token.scope_set:
        g.insufficient_scope = True
        abort(403, description=f"This token lacks the '{needed}' scope.")
    if request.method in BODY_METHODS and _has_body() and not request.is_json:
        abort(415, description="Send the request body as application/json.")


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _api_headers(response):
    if not is_api_path(request.path):
        return response
    response.headers["API-Version"] = current_app.config["API_VERSION"]
    if response.status_code == 401:
        # RFC 6750 §3: say why a presented token was refused.
        error = ', error="invalid_token"' if request.headers.get("Authorization") else ""
        response.headers["WWW-Authenticate"] = f'Bearer realm="casus"{error}'
    elif response.status_code == 403 and g.get("insufficient_scope"):
        response.headers["WWW-Authenticate"] = 'Bearer realm="casus", error="insufficient_scope"'
    return response
