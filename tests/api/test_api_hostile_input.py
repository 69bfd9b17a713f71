"""Hostile input answers what it is — 400, 404, 409 or 414 problem+json — never 500, and never a 503 that tells
monitoring the database is down (docs/API.md, "Errors" and "Limits"). On SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from api_helpers import assert_problem, bearer

INT32_MAX = 2**31 - 1


@pytest.fixture
def world(db, make_user, make_case, make_organisation, make_team):
    zvh = make_organisation(name="Zorg- en Veiligheidshuis")
    politie = make_organisation(name="Politie")
    team = make_team(organisation=zvh)
    regisseur = make_user("procesregisseur", organisation=zvh, team=team)
    case = make_case(team=team, partners=[zvh, politie], phase="triage")
    return {"regisseur": regisseur, "case": case, "team": team, "politie": politie}


def audit_events(db, action: str, object_id: str | None = None):
    from casus.audit.models import AuditEvent

    query = sa.select(AuditEvent).where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == object_id)
    return db.session.scalars(query.order_by(AuditEvent.id)).all()


def names(body: dict) -> list[str]:
    return [param["name"] for param in body.get("invalidParams", [])]


# --- ids in the path --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case_id", [str(INT32_MAX + 1), str(2**63), "9" * 200])
def test_an_id_beyond_the_column_is_404_like_any_missing_id(api, world, case_id):
    for path in (f"/cases/{case_id}", f"/cases/{case_id}/notes", f"/cases/{case_id}/transitions"):
        method = "POST" if path.endswith("transitions") else "GET"
        assert_problem(api(world["regisseur"], method, path, json={} if method == "POST" else None), 404)


def test_the_largest_id_is_a_missing_case_and_audited_as_a_refused_read(api, db, world):
    assert_problem(api(world["regisseur"], "GET", f"/cases/{INT32_MAX}"), 404)
    [event] = audit_events(db, "case.view", str(INT32_MAX))
    assert event.outcome == "denied" and event.user_id == world["regisseur"].id


def test_a_notification_id_may_be_a_bigint(api, world):
    assert_problem(api(world["regisseur"], "GET", f"/me/notifications/{2**40}"), 404)
    assert_problem(api(world["regisseur"], "GET", f"/me/notifications/{2**63}"), 404)


def test_the_openapi_document_gives_the_id_range(client):
    document = client.get("/api/v1/openapi.json").get_json()
    [parameter] = [p for p in document["paths"]["/cases/{id}"]["get"].get("parameters", [])
                   + document["paths"]["/cases/{id}"].get("parameters", []) if p["name"] == "id"]
    assert parameter["schema"]["maximum"] == INT32_MAX


# --- strings ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["q=ab%00cd", "phase=%00", "q%00=x", "cursor=a%00b", "limit=1%00"])
def test_a_nul_in_the_query_string_is_400_naming_it(api, world, query):
    body = assert_problem(api(world["regisseur"], "GET", f"/cases?{query}"), 400)
    assert names(body) == [query.split("=")[0].replace("%00", "\ufffd")]
    assert "NUL" in body["invalidParams"][0]["reason"]


def test_a_nul_in_a_json_string_is_400_and_changes_nothing(api, db, world):
    from casus.cases.models import TransitionLog

    case = world["case"]
    before = db.session.scalar(sa.select(sa.func.count()).select_from(TransitionLog))
    response = api(world["regisseur"], "POST", f"/cases/{case.id}/transitions",
                   json={"trigger": "x\u0000", "reason": "Reden", "version": case.version})
    body = assert_problem(response, 400)
    assert names(body) == ["trigger"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TransitionLog)) == before
    db.session.refresh(case)
    assert case.phase == "triage"


@pytest.mark.parametrize("raw, where", [
    ('{"trigger": "\\ud800", "reason": "r", "version": 1}', "trigger"),
    ('{"trigger": "start_triage", "reason": "a\\udfffb", "version": 1}', "reason"),
    ('{"trigger": "start_triage", "reason": "r", "version": 1, "x\\u0000": 1}', "x\ufffd"),
    ('{"trigger": "start_triage", "reason": ["\\u0000"], "version": 1}', "reason.0"),
])
def test_nul_and_lone_surrogates_anywhere_in_a_body_are_400_naming_where(api, world, raw, where):
    response = api(world["regisseur"], "POST", f"/cases/{world['case'].id}/transitions", data=raw,
                   content_type="application/json")
    assert names(assert_problem(response, 400)) == [where]


def test_a_surrogate_pair_is_an_ordinary_character(api, world):
    response = api(world["regisseur"], "POST", f"/cases/{world['case'].id}/notes",
                   data='{"text": "Emoji \\ud83d\\ude00", "visibility": "alle_deelnemers"}',
                   content_type="application/json")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["text"] == "Emoji \U0001f600"


# --- JSON structure and numbers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deeply_nested_json_is_400(api, world, depth):
    raw = '{"locale": ' + "[" * depth + "]" * depth + "}"
    body = assert_problem(api(world["regisseur"], "PATCH", "/me", data=raw, content_type="application/json"), 400)
    assert "Nested deeper than 32" in body["invalidParams"][0]["reason"]


def test_nesting_up_to_the_limit_reaches_the_schema(api, world):
    raw = '{"locale": ' + "[" * 31 + "]" * 31 + "}"
    body = assert_problem(api(world["regisseur"], "PATCH", "/me", data=raw, content_type="application/json"), 400)
    assert names(body) == ["locale"]  # not a string: the ordinary validation error


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "9" * 5000])
def test_numbers_json_cannot_carry_are_400(api, world, number):
    raw = f'{{"trigger": "start_triage", "reason": "r", "version": {number}}}'
    response = api(world["regisseur"], "POST", f"/cases/{world['case'].id}/transitions", data=raw,
                   content_type="application/json")
    assert_problem(response, 400)


def test_bytes_that_are_not_utf8_are_invalid_json(api, world):
    response = api(world["regisseur"], "PATCH", "/me", data=b'{"locale": "\xed\xa0\x80"}',
                   content_type="application/json")
    body = assert_problem(response, 400)
    assert body["invalidParams"] == [{"name": "body", "reason": "Invalid JSON body."}]


# --- integers and dates in schemas ----------------------------------------------------------------------------------

@pytest.mark.parametrize("team_id", [str(INT32_MAX + 1), str(2**63), str(-(2**63) - 1)])
def test_an_integer_filter_beyond_the_column_is_400_naming_it(api, world, team_id):
    body = assert_problem(api(world["regisseur"], "GET", f"/cases?teamId={team_id}"), 400)
    assert names(body) == ["teamId"]


def test_integer_fields_in_a_body_are_range_checked(api, world):
    case = world["case"]
    response = api(world["regisseur"], "POST", f"/cases/{case.id}/participants", json={
        "organisationId": 2**63, "role": "deelnemer", "legalBasis": "convenant", "contactUserId": INT32_MAX + 1,
        "version": case.version})
    assert sorted(names(assert_problem(response, 400))) == ["contactUserId", "organisationId"]
    response = api(world["regisseur"], "POST", f"/cases/{case.id}/notes", json={
        "text": "t", "visibility": "genoemde_organisaties", "organisationIds": [world["politie"].id, 2**40]})
    assert names(assert_problem(response, 400)) == ["organisationIds.1"]


def test_the_largest_integer_is_an_ordinary_unknown_id(api, world):
    case = world["case"]
    response = api(world["regisseur"], "POST", f"/cases/{case.id}/participants", json={
        "organisationId": INT32_MAX, "role": "deelnemer", "legalBasis": "convenant", "version": case.version})
    assert response.status_code in (400, 404), response.get_data(as_text=True)
    assert "out of range" not in response.get_data(as_text=True).lower()


def _meeting(world, starts_at: str) -> dict:
    return {"type": "casusoverleg", "title": "Casusoverleg", "startsAt": starts_at, "durationMinutes": 90,
            "location": "Stadhuis", "organisationIds": [world["politie"].id]}


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:00:00Z", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00Z",
                                       "0001-01-01T00:00:00+01:00", "1899-12-31T12:00:00Z", "2101-01-01T00:00:00Z"])
def test_a_moment_outside_the_date_window_is_400_naming_it(api, world, starts_at):
    body = assert_problem(api(world["regisseur"], "POST", "/meetings", json=_meeting(world, starts_at)), 400)
    assert names(body) == ["startsAt"]
    assert "1900-01-01" in body["invalidParams"][0]["reason"]


def test_moments_at_the_edges_of_the_window_are_accepted(api, world, monkeypatch):
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", lambda *args, **kwargs: None)
    response = api(world["regisseur"], "POST", "/meetings", json=_meeting(world, "2100-12-31T09:00:00+01:00"))
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_date_outside_the_window_is_400_naming_it(api, world, day):
    case = world["case"]
    response = api(world["regisseur"], "PATCH", f"/cases/{case.id}", json={"planDiscussedOn": day,
                                                                          "version": case.version})
    assert names(assert_problem(response, 400)) == ["planDiscussedOn"]


# --- the query string's length and tampered cursors -----------------------------------------------------------------

def test_a_query_string_over_4096_bytes_is_414_problem_json(api, world):
    response = api(world["regisseur"], "GET", "/cases?q=" + "a" * 4100)
    body = assert_problem(response, 414)
    assert "4096" in body["detail"]
    assert api(world["regisseur"], "GET", "/cases?q=" + "a" * 90 + "&x=" + "b" * 3990).status_code == 400


def test_gunicorn_lets_such_a_query_string_through_to_casus():
    """gunicorn's default request-line limit (4094) would answer its own HTML 414 before Casus sees the request."""
    from casus import gunicorn_conf

    assert gunicorn_conf.limit_request_line >= len("DELETE /api/v1/riec-referrals/2147483647?") + 4096 + 20


def _cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("payload", [
    ["2026-01-01T00:00:00+00:00", 2**70], ["2026-01-01T00:00:00+00:00", INT32_MAX + 1],
    ["2026-01-01T00:00:00+00:00\u0000", 1], ["\ud800", 1], ["2026-01-01T00:00:00+00:00", -1],
    ["2026-01-01T00:00:00+00:00", float("nan")], [[[[]]], 1],
])
def test_a_tampered_cursor_is_400(api, world, payload):
    body = assert_problem(api(world["regisseur"], "GET", f"/cases?cursor={_cursor(payload)}"), 400)
    assert names(body) == ["cursor"]


def test_a_deeply_nested_cursor_is_400(api, world):
    cursor = base64.urlsafe_b64encode(("[" * 2000 + "]" * 2000).encode()).decode().rstrip("=")[:3000]
    assert_problem(api(world["regisseur"], "GET", f"/cases?cursor={cursor}"), 400)


# --- refused before authentication: nothing reaches the token lookup ------------------------------------------------

def test_hostile_input_is_refused_before_the_token_is_looked_up(client, count_queries):
    with count_queries() as counter:
        response = client.get("/api/v1/cases?q=%00", headers=bearer("casus_00000000_x"))
    assert_problem(response, 400)
    assert counter.count == 0


def test_ordinary_ids_and_dates_are_untouched(api, db, world):
    """The limits are far from real data: an ordinary filtered list and a recent date work as before."""
    from casus.clock import today

    case = world["case"]
    response = api(world["regisseur"], "GET", f"/cases?teamId={world['team'].id}&limit=100")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert [item["id"] for item in body["items"]] == [case.id]
    case.phase = "aanpak.plan"
    db.session.flush()
    response = api(world["regisseur"], "PATCH", f"/cases/{case.id}", json={
        "planDiscussedOn": (today() - timedelta(days=7)).isoformat(), "version": case.version})
    assert response.status_code == 200, response.get_data(as_text=True)
