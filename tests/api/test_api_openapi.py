"""The published OpenAPI document, held to the Dutch API Design Rules generically, so every
future endpoint is checked by these tests without having to be named in them."""

from __future__ import annotations

import re

import pytest

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
KEBAB_SEGMENT = re.compile(r"^[a-z]+(-[a-z]+)*$")
PATH_PARAMETER = re.compile(r"^\{[a-z]+\}$")
# The Logius ADR linter's own kebab-case rule (paths-kebab-case), openapi.json excepted.
ADR_KEBAB_PATH = re.compile(
    r"^(\/|(\/_[a-z]+|\/(([a-z\-]+|{[a-z]+})(\/([a-z\-\.]+|{[a-z]+}))*)(\/_[a-z]+)?)\/?)$")
CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
PASCAL_CASE = re.compile(r"^[A-Z][a-zA-Z0-9]*$")
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def resolve(document, node):
    while "$ref" in node:
        assert node["$ref"].startswith("#/"), node["$ref"]
        for key in node["$ref"][2:].split("/"):
            document = document[key]
        node = document
    return node


def test_published_without_a_token_as_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"


def test_openapi_3_0_with_semver_version_and_contact(document, app):
    assert re.match(r"^3\.0\.\d+$", document["openapi"])
    assert SEMVER.match(document["info"]["version"])
    assert document["info"]["version"] == app.config["API_VERSION"]
    contact = document["info"]["contact"]
    assert contact["name"] and "@" in contact["email"] and contact["url"].startswith("https://")
    assert document["info"]["title"]


def test_servers_end_in_the_major_version(document):
    assert document["servers"]
    for server in document["servers"]:
        assert server["url"].endswith("/v1")


def test_lists_itself_as_public(document):
    operation = document["paths"]["/openapi.json"]["get"]
    assert operation["security"] == []
    assert "200" in operation["responses"]


def test_paths_are_lowercase_kebab_case_without_trailing_slashes(document):
    assert document["paths"]
    for path in document["paths"]:
        assert path.startswith("/") and not path.endswith("/"), path
        assert not path.startswith("/api/"), f"{path}: paths are relative to servers[].url"
        if path == "/openapi.json":
            continue
        assert ADR_KEBAB_PATH.match(path), path
        for segment in path[1:].split("/"):
            assert KEBAB_SEGMENT.match(segment) or PATH_PARAMETER.match(segment), f"{path}: {segment}"


def test_every_api_route_is_documented_and_has_no_trailing_slash(app, document):
    """Werkzeug redirects to a rule's trailing slash; no API rule may have one, and none may hide."""
    documented = {(path, method.upper()) for path, method, _ in operations(document)}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        assert not rule.rule.endswith("/"), rule.rule
        assert rule.strict_slashes, rule.rule
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, f"{method} {rule.rule} is not in the OpenAPI document"


def test_success_responses_document_the_api_version_header(document):
    checked = 0
    for path, method, operation in operations(document):
        for code, response in operation["responses"].items():
            if code[0] in "23":
                headers = resolve(document, response).get("headers", {})
                assert "API-Version" in headers, (path, method, code)
                assert resolve(document, headers["API-Version"])["schema"]["type"] == "string"
                checked += 1
    assert checked >= 3


def test_error_responses_are_documented_as_problem_json(document):
    problem = document["components"]["schemas"]["Problem"]
    assert {"status", "title", "detail"} <= set(problem["required"])
    assert {"type", "instance", "invalidParams"} <= set(problem["properties"])
    for path, method, operation in operations(document):
        assert "default" in operation["responses"] or path == "/openapi.json", (path, method)
        for code, response in operation["responses"].items():
            if code == "default" or code[0] in "45":
                content = resolve(document, response)["content"]
                assert list(content) == ["application/problem+json"], (path, method, code)
                assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    for name, response in document["components"].get("responses", {}).items():
        assert "application/json" not in response.get("content", {}), name


def test_protected_operations_document_401_and_writes_403(document):
    for path, method, operation in operations(document):
        if operation.get("security") == []:
            continue
        assert "401" in operation["responses"], (path, method)
        if method not in {"get", "head", "options"}:
            assert "403" in operation["responses"], (path, method)
        if "requestBody" in operation:
            assert "400" in operation["responses"], (path, method)


def test_bearer_security_scheme_applies_by_default(document):
    assert document["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]


def test_schema_names_are_pascal_case_and_properties_camel_case(document):
    schemas = document["components"]["schemas"]
    assert "Me" in schemas
    for name, schema in schemas.items():
        assert PASCAL_CASE.match(name), name
        for prop in schema.get("properties", {}):
            assert CAMEL_CASE.match(prop), f"{name}.{prop}"


def test_query_parameters_are_camel_case(document):
    for path, method, operation in operations(document):
        for parameter in operation.get("parameters", []):
            parameter = resolve(document, parameter)
            if parameter["in"] == "query":
                assert CAMEL_CASE.match(parameter["name"]), (path, method, parameter["name"])


def test_no_personal_data_in_uris(document):
    """A BSN (or any other personal data) is never a path or query parameter: search by BSN is a POST."""
    for path, method, operation in operations(document):
        assert "bsn" not in path.lower(), path
        for parameter in operation.get("parameters", []):
            parameter = resolve(document, parameter)
            if parameter["in"] in ("path", "query"):
                assert parameter["name"].lower() not in {"bsn", "email", "name", "birthdate", "dateofbirth"}, (
                    path, method, parameter["name"])


def test_document_is_stable_across_requests(client):
    assert client.get("/api/v1/openapi.json").get_json() == client.get("/api/v1/openapi.json").get_json()


def test_document_is_a_valid_openapi_3_0_document(document):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)
