"""The OpenAPI document at ``/api/v1/openapi.json``: flask-smorest's spec, post-processed in
:func:`openapi_document` so that paths are relative to ``servers[0].url``, errors are documented as
problem+json, every operation documents the statuses it can answer and every response the ``API-Version``
header."""

from __future__ import annotations

import copy
import json

from flask import Blueprint, current_app, jsonify
from flask_smorest import Api

from casus.api.schemas import OneOfNested, ProblemSchema
from casus.api_paths import API_PREFIX

PROBLEM_JSON = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
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
    "LOCKED": ("423", "A data subject of the case is under a beperking (AVG art. 18): only the privacy officer may "
                      "change the case until it is lifted; nothing was changed"),
    "TOO_MANY_REQUESTS": ("429", "Too many requests: wait `Retry-After` seconds"),
    "SERVICE_UNAVAILABLE": ("503", "The database is not available; try again later"),
}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
SPEC_KWARGS = {
    "info": {
        "description": "Casus API voor ketenpartners. Zie docs/API.md.",
        "contact": {"name": "Team Casus", "email": "casus@example.org", "url": "https://example.org/casus"},
        "license": {"name": "EUPL-1.2", "url": "https://interoperable-europe.ec.europa.eu/collection/eupl"},
    },
}


class CasusApi(Api):
    ERROR_SCHEMA = ProblemSchema  # documents flask-smorest's default error responses as our problem body


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
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _complete_operation(operation, path_parameters=operations.get("parameters", []),
                                writes=method in WRITE_METHODS)
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


def _complete_operation(operation: dict, *, path_parameters: list, writes: bool = False) -> None:
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
        # any write may touch a case whose subject's processing is restricted (casus.subject_requests.restriction)
        "LOCKED": protected and writes,
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
