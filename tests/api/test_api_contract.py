"""The OpenAPI document says what the API does: one regression test per contract defect the fuzzer
(tests/api/test_api_fuzz.py) and the ticket found — problem members, bodies that are required, strict JSON types,
every status documented, nullable objects, dates as returned."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest
from api_helpers import assert_problem, bearer
from marshmallow import Schema, fields

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, item.get("parameters", []) + operation.get("parameters", []), operation


def resolve(document, node):
    while "$ref" in node:
        target = document
        for key in node["$ref"][2:].split("/"):
            target = target[key]
        node = target
    return node


def validator(document, schema: dict):
    """An OpenAPI 3.0 validator (``nullable``) for ``schema``, its ``$ref`` resolved within ``document``."""
    from openapi_schema_validator import OAS30Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    root = {**document, "x-checked": schema}
    registry = Registry().with_resource("urn:casus", Resource.from_contents(root, default_specification=DRAFT4))
    return OAS30Validator({"$ref": "urn:casus#/x-checked"}, registry=registry)


def schema_errors(document, schema: dict, instance) -> list[str]:
    return [error.message for error in validator(document, schema).iter_errors(instance)]


# --- problem+json --------------------------------------------------------------------------------------------------

def test_problem_documents_every_member_it_is_sent_with(document):
    properties = document["components"]["schemas"]["Problem"]["properties"]
    for member in ("type", "title", "status", "detail", "instance", "invalidParams", "failedGuards", "trigger",
                   "currentVersion"):
        assert member in properties, member
        assert member in ("type", "title", "status", "detail", "instance") or properties[member]["description"]
    assert properties["failedGuards"]["type"] == "array"
    assert properties["failedGuards"]["items"]["type"] == "string"


def test_a_refused_workflow_step_is_a_valid_problem(client, document, make_user, make_case, make_token):
    """409 Transition refused carries failedGuards and trigger — which the published Problem used to forbid."""
    from casus.api.schemas import ProblemSchema

    regisseur = make_user("procesregisseur")
    case = make_case(team=regisseur.team, phase="aanpak.plan", procesregisseur=regisseur)
    response = client.post(f"/api/v1/cases/{case.id}/transitions", headers=bearer(make_token(regisseur)),
                           json={"trigger": "adopt_plan", "reason": "Plan klaar", "version": case.version})
    body = assert_problem(response, 409)
    assert "needs_plan_discussed" in body["failedGuards"] and body["trigger"] == "adopt_plan"
    operation = document["paths"]["/cases/{id}/transitions"]["post"]
    documented = resolve(document, operation["responses"]["409"])["content"]["application/problem+json"]["schema"]
    assert schema_errors(document, documented, body) == []
    assert ProblemSchema().validate(body) == {}


# --- bodies --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [("PATCH", "/me"), ("POST", "/me/notifications/read")])
def test_a_required_body_must_be_sent(client, document, make_token, method, path):
    """Without a body these used to run as if ``{}`` had been sent (PATCH /me: 200; read: every notification)."""
    assert document["paths"][path][method.lower()]["requestBody"]["required"] is True
    token = make_token()
    body = assert_problem(client.open(f"/api/v1{path}", method=method, headers=bearer(token)), 400)
    assert body["invalidParams"] == [{"name": "body", "reason": "A JSON body is required."}]
    assert client.open(f"/api/v1{path}", method=method, headers=bearer(token), json={}).status_code == 200


def test_every_operation_with_a_body_requires_it(document):
    for path, method, _parameters, operation in operations(document):
        if "requestBody" in operation:
            assert operation["requestBody"]["required"] is True, (method, path)


# --- strict JSON types ---------------------------------------------------------------------------------------------

def test_strict_boolean_takes_json_booleans_only():
    from marshmallow import ValidationError

    from casus.api.schemas import StrictBoolean

    class Body(Schema):
        flag = StrictBoolean()

    assert Body().load({"flag": True}) == {"flag": True}
    assert Body().load({"flag": False}) == {"flag": False}
    for value in (0, 1, "true", "false", "yes", "on", "1", None, 1.0, [], {}):
        with pytest.raises(ValidationError):
            Body().load({"flag": value})


def test_discussed_zero_is_not_false(client, make_user, make_case, make_token, db):
    """``{"discussed": 0}`` passed as false; a boolean is ``true`` or ``false``."""
    from casus.clock import today
    from casus.meetings.models import AgendaItem, Meeting
    from casus.meetings.services import local_start

    regisseur = make_user("procesregisseur")
    case = make_case(team=regisseur.team, phase="aanpak.uitvoering", procesregisseur=regisseur)
    # Yesterday's meeting, still open: minutes are recorded from a meeting's start only.
    starts = local_start(today() - timedelta(days=1), __import__("datetime").time(10, 0))
    meeting = Meeting(team_id=case.team_id, type="casusoverleg", title="Casusoverleg", starts_at=starts,
                      ends_at=starts + timedelta(hours=1), location="Stadskantoor", chair_id=regisseur.id,
                      ical_uid="contract-discussed@casus")
    db.session.add(meeting)
    db.session.flush()
    item = AgendaItem(meeting_id=meeting.id, case_id=case.id, purpose="bespreken", position=1)
    db.session.add(item)
    db.session.flush()
    headers = bearer(make_token(regisseur))
    for value in (0, 1, "true", "false"):
        body = assert_problem(client.patch(f"/api/v1/agenda-items/{item.id}", headers=headers,
                                           json={"discussed": value, "version": item.version}), 400)
        assert [param["name"] for param in body["invalidParams"]] == ["discussed"], value
    response = client.patch(f"/api/v1/agenda-items/{item.id}", headers=headers,
                            json={"discussed": True, "version": item.version})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["discussed"] is True


def test_booleans_in_a_query_string_are_true_or_false(client, make_token):
    headers = bearer(make_token())
    for value in ("true", "false"):
        assert client.get(f"/api/v1/escalations?overdue={value}", headers=headers).status_code == 200
        assert client.get(f"/api/v1/me/notifications?unread={value}", headers=headers).status_code == 200
    for value in ("1", "0", "True", "yes", "on", ""):
        body = assert_problem(client.get(f"/api/v1/escalations?overdue={value}", headers=headers), 400)
        assert [param["name"] for param in body["invalidParams"]] == ["overdue"], value


def test_integers_are_json_integers(client, make_token):
    """marshmallow's Integer took ``"7"``, ``7.0`` and ``7.5`` (as 7) in a JSON body."""
    headers = bearer(make_token())
    for ids in (["1"], [1.5], [1.0], [True]):
        body = assert_problem(client.post("/api/v1/me/notifications/read", headers=headers, json={"ids": ids}), 400)
        assert [param["name"] for param in body["invalidParams"]] == ["ids.0"], ids
    assert client.post("/api/v1/me/notifications/read", headers=headers, json={"ids": [1]}).status_code == 200
    # A query string is text: its integers are digits.
    assert client.get("/api/v1/me/notifications?limit=5", headers=headers).status_code == 200
    for limit in ("5.0", "5.5", "five", "0x5"):
        body = assert_problem(client.get(f"/api/v1/me/notifications?limit={limit}", headers=headers), 400)
        assert [param["name"] for param in body["invalidParams"]] == ["limit"], limit


def _api_schema_classes():
    import importlib
    import pkgutil

    import casus

    for module_info in pkgutil.walk_packages(casus.__path__, "casus."):
        if module_info.name.endswith(".schemas"):
            module = importlib.import_module(module_info.name)
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, Schema) and value.__module__ == module.__name__:
                    yield value


def _declared_fields(schema_class):
    for name, field in schema_class._declared_fields.items():
        yield name, field
        if isinstance(field, fields.List):
            yield f"{name}[]", field.inner


def test_every_api_boolean_is_strict():
    from casus.api.schemas import StrictBoolean

    checked = 0
    for schema_class in _api_schema_classes():
        for name, field in _declared_fields(schema_class):
            if isinstance(field, fields.Boolean):
                assert isinstance(field, StrictBoolean), f"{schema_class.__name__}.{name}"
                checked += 1
    assert checked >= 10


def test_every_api_date_is_an_iso_date_and_every_moment_utc():
    """What the document says (``format: date`` / ``date-time``) is what is sent: ``2026-03-01`` and
    ``2026-03-01T08:30:00Z`` — never a naive or local date-time."""
    from casus.api.schemas import UTCDateTime

    for schema_class in _api_schema_classes():
        for name, field in _declared_fields(schema_class):
            if isinstance(field, fields.DateTime):
                assert isinstance(field, UTCDateTime), f"{schema_class.__name__}.{name}"


def test_dates_are_sent_in_the_documented_format(client, document, make_user, make_case, make_token):
    import re

    regisseur = make_user("procesregisseur")
    case = make_case(team=regisseur.team, phase="aanpak.uitvoering", procesregisseur=regisseur)
    body = client.get(f"/api/v1/cases/{case.id}", headers=bearer(make_token(regisseur))).get_json()
    properties = document["components"]["schemas"]["Case"]["properties"]
    formats = {"date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
               "date-time": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")}
    checked = 0
    for name, prop in properties.items():
        if prop.get("format") in formats and body.get(name) is not None:
            assert formats[prop["format"]].match(body[name]), (name, body[name])
            checked += 1
    assert checked >= 3
    assert schema_errors(document, {"$ref": "#/components/schemas/Case"}, body) == []


# --- every status documented ---------------------------------------------------------------------------------------

def test_every_operation_documents_the_statuses_it_can_answer(document):
    """401, 403 (scope or role), 429 and 503 (the token is looked up in the database) on every protected
    operation; 404 with an id in the path; 400, 413 and 415 with a body; 400 and 414 with a query string."""
    for path, method, parameters, operation in operations(document):
        codes = set(operation["responses"])
        if operation.get("security") == []:
            continue
        locations = {resolve(document, parameter)["in"] for parameter in parameters}
        expected = {"401", "403", "429", "503"}
        if "path" in locations:
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"400", "413", "415"}
        if "query" in locations:
            expected |= {"400", "414"}
        assert expected <= codes, (method, path, sorted(expected - codes))


def test_every_response_documents_the_api_version_header(document):
    for path, method, _parameters, operation in operations(document):
        for code, response in operation["responses"].items():
            headers = resolve(document, response).get("headers", {})
            assert "API-Version" in headers, (method, path, code)


def test_every_error_is_problem_json_with_the_retry_after_of_429(document):
    for name, response in document["components"]["responses"].items():
        assert list(response["content"]) == ["application/problem+json"], name
    assert "Retry-After" in document["components"]["responses"]["TOO_MANY_REQUESTS"]["headers"]


def test_not_found_is_documented_on_the_notification_item(client, document, make_token):
    """GET and PATCH /me/notifications/{id} answered an undocumented 404."""
    for method in ("get", "patch"):
        assert "404" in document["paths"]["/me/notifications/{id}"][method]["responses"]
    assert_problem(client.get("/api/v1/me/notifications/987654", headers=bearer(make_token())), 404)


# --- nullable objects ----------------------------------------------------------------------------------------------

def test_a_nullable_object_is_null_or_that_object(document):
    """apispec wrote a nullable nested object as ``anyOf: [$ref, {type: object, nullable: true}]``: any object at
    all was valid (``{"action": {}}``). The second branch now takes null only."""
    action = document["components"]["schemas"]["DecisionInput"]["properties"]["action"]
    assert schema_errors(document, action, None) == []
    assert schema_errors(document, action, {"ownerOrganisationId": 4, "dueOn": "2026-03-01"}) == []
    assert schema_errors(document, action, {}) != []
    assert schema_errors(document, action, {"colour": "red"}) != []
