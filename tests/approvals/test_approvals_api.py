"""``/api/v1/approvals`` and ``POST /api/v1/cases/{id}/approvals``: request, list, decide, withdraw — four eyes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.approvals.models import Approval, ApprovalStatus
from casus.cases.models import TransitionLog
from casus.clock import today

from support import ok


def assert_problem(response, status: int) -> dict:
    """``response`` is problem+json with ``status`` (tests/api/api_helpers.py is importable only beside it)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def _ask(api, world, who="regisseur", case=None, **body):
    case = case or world["case"]
    payload = {"kind": "close_early", "reason": "Betrokkene verhuisd", "result": "verhuisd", **body}
    return ok(api(world[who], "POST", f"/cases/{case.id}/approvals", json=payload), 201)


# --- requesting ------------------------------------------------------------------------------------------------

def test_requesting_early_closure_over_the_api(api, db, team_world):
    w = team_world
    body = _ask(api, w)
    assert body["kind"] == "close_early" and body["status"] == "open" and body["result"] == "verhuisd"
    assert body["case"] == {"id": w["case"].id, "reference": w["case"].reference}
    assert body["requestedBy"] == {"id": w["regisseur"].id, "name": "Rosa Regisseur"}
    assert body["decidedBy"] is None and body["decidedAt"] is None and body["version"] == 1
    assert body["requestedAt"].endswith("Z")
    case = ok(api(w["supervisor"], "GET", f"/cases/{w['case'].id}"))
    assert [a["id"] for a in case["openApprovals"]] == [body["id"]]
    assert ok(api(w["partner"], "GET", f"/cases/{w['case'].id}"))["openApprovals"] == []
    assert_problem(api(w["dual"], "POST", f"/cases/{w['case'].id}/approvals",
                       json={"kind": "close_early", "reason": "Nogmaals", "result": "verhuisd"}), 409)


@pytest.mark.parametrize(("body", "invalid"), [
    ({"kind": "close_early", "reason": "Verhuisd"}, "result"),
    ({"kind": "close_early", "reason": "", "result": "verhuisd"}, "reason"),
    ({"kind": "riec_voordracht", "reason": "Ondermijning"}, "kind"),
    ({"kind": "close_early", "reason": "Verhuisd", "result": "weg"}, "result"),
    ({"kind": "reopen", "reason": "Nieuw", "extra": 1}, "extra"),
])
def test_invalid_requests_answer_400_naming_the_field(api, team_world, body, invalid):
    problem = assert_problem(api(team_world["regisseur"], "POST", f"/cases/{team_world['case'].id}/approvals",
                                 json=body), 400)
    assert invalid in {param["name"] for param in problem["invalidParams"]}


def test_who_may_ask_and_when(api, db, team_world, denied_events):
    w = team_world
    assert_problem(api(w["partner"], "POST", f"/cases/{w['case'].id}/approvals",
                       json={"kind": "close_early", "reason": "X", "result": "verhuisd"}), 403)
    assert denied_events(w["partner"], "approval.requested")
    assert_problem(api(w["elsewhere"], "POST", f"/cases/{w['case'].id}/approvals",
                       json={"kind": "close_early", "reason": "X", "result": "verhuisd"}), 404)
    assert_problem(api(w["regisseur"], "POST", f"/cases/{w['case'].id}/approvals",
                       json={"kind": "reopen", "reason": "Nieuw"}), 409)
    assert db.session.execute(sa.select(sa.func.count(Approval.id))).scalar_one() == 0
    body = ok(api(w["dual"], "POST", f"/cases/{w['closed'].id}/approvals",
                  json={"kind": "reopen", "reason": "Nieuwe meldingen"}), 201)
    assert body["kind"] == "reopen" and body["result"] is None


def test_the_transitions_endpoint_no_longer_takes_four_eyes_steps_directly(api, team_world):
    w = team_world
    problem = assert_problem(api(w["supervisor"], "POST", f"/cases/{w['case'].id}/transitions", json={
        "trigger": "close_early", "reason": "Verhuisd", "result": "verhuisd", "version": w["case"].version}), 409)
    assert problem["failedGuards"] == ["needs_requester"]


# --- deciding ----------------------------------------------------------------------------------------------

def test_approving_closes_the_case_and_the_requester_reads_the_decision(api, db, team_world):
    w = team_world
    asked = _ask(api, w)
    body = ok(api(w["supervisor"], "POST", f"/approvals/{asked['id']}/decision",
                  json={"decision": "approve", "version": asked["version"]}))
    assert body["status"] == "goedgekeurd" and body["decidedBy"]["id"] == w["supervisor"].id and body["decidedAt"]
    db.session.refresh(w["case"])
    assert w["case"].phase == "afgesloten" and w["case"].result == "verhuisd"
    seen = ok(api(w["regisseur"], "GET", f"/approvals/{asked['id']}"))
    assert seen["status"] == "goedgekeurd" and seen["motivation"] is None


def test_rejecting_needs_a_motivation(api, db, team_world):
    w = team_world
    asked = _ask(api, w)
    problem = assert_problem(api(w["supervisor"], "POST", f"/approvals/{asked['id']}/decision",
                                 json={"decision": "reject", "version": 1}), 400)
    assert problem["invalidParams"][0]["name"] == "motivation"
    body = ok(api(w["supervisor"], "POST", f"/approvals/{asked['id']}/decision",
                  json={"decision": "reject", "motivation": "Eerst huisbezoek", "version": 1}))
    assert body["status"] == "afgewezen" and body["motivation"] == "Eerst huisbezoek"
    db.session.refresh(w["case"])
    assert w["case"].phase == "aanpak.uitvoering"


def test_a_requester_holding_both_roles_can_never_approve_through_the_api(api, db, team_world, denied_events):
    """Four eyes with both roles, through the API: ask as procesregisseur, then try to decide as supervisor."""
    w = team_world
    asked = _ask(api, w, who="dual")
    for decision in ({"decision": "approve"}, {"decision": "reject", "motivation": "Zelf"}):
        problem = assert_problem(api(w["dual"], "POST", f"/approvals/{asked['id']}/decision",
                                     json={**decision, "version": asked["version"]}), 403)
        assert "eigen verzoek" in problem["detail"]
    approval = db.session.get(Approval, asked["id"])
    db.session.refresh(approval)
    db.session.refresh(w["case"])
    assert approval.is_open and approval.decided_by_id is None and approval.version == 1
    assert w["case"].phase == "aanpak.uitvoering"
    assert db.session.execute(sa.select(sa.func.count(TransitionLog.id))).scalar_one() == 0
    denied = denied_events(w["dual"], "approval.decided")
    assert len(denied) == 2 and {event.details["reason"] for event in denied} == {"four_eyes"}


def test_decisions_answer_403_404_and_409_as_they_should(api, db, team_world):
    w = team_world
    asked = _ask(api, w, who="dual")
    url = f"/approvals/{asked['id']}/decision"
    assert_problem(api(w["regisseur"], "POST", url, json={"decision": "approve", "version": 1}), 403)
    for hidden in ("partner", "elsewhere"):
        assert_problem(api(w[hidden], "POST", url, json={"decision": "approve", "version": 1}), 404)
        assert_problem(api(w[hidden], "GET", f"/approvals/{asked['id']}"), 404)
    assert_problem(api(w["supervisor"], "POST", "/approvals/999999/decision",
                       json={"decision": "approve", "version": 1}), 404)
    assert_problem(api(w["supervisor"], "POST", url, json={"decision": "approve", "version": 2}), 409)
    assert_problem(api(w["supervisor"], "POST", url, json={"decision": "maybe", "version": 1}), 400)
    ok(api(w["supervisor"], "POST", url, json={"decision": "reject", "motivation": "Nee", "version": 1}))
    # A second decision on the same version: refused, the first one stands.
    assert_problem(api(w["second"], "POST", url, json={"decision": "approve", "version": 1}), 409)
    db.session.refresh(w["case"])
    assert w["case"].phase == "aanpak.uitvoering"


def test_a_refused_reopening_answers_409_with_the_failing_guard(api, db, team_world):
    w = team_world
    asked = ok(api(w["regisseur"], "POST", f"/cases/{w['closed'].id}/approvals",
                   json={"kind": "reopen", "reason": "Nieuwe meldingen"}), 201)
    w["closed"].closed_on = today() - timedelta(days=6 * 366)
    db.session.flush()
    problem = assert_problem(api(w["supervisor"], "POST", f"/approvals/{asked['id']}/decision",
                                 json={"decision": "approve", "version": 1}), 409)
    assert problem["failedGuards"] == ["within_retention"] and problem["trigger"] == "reopen"
    assert ok(api(w["supervisor"], "GET", f"/approvals/{asked['id']}"))["status"] == "open"
    log = db.session.execute(sa.select(TransitionLog).where(TransitionLog.case_id == w["closed"].id)).scalar_one()
    assert not log.allowed  # the refusal itself is recorded


def test_reopening_end_to_end(api, db, team_world):
    w = team_world
    asked = ok(api(w["regisseur"], "POST", f"/cases/{w['closed'].id}/approvals",
                   json={"kind": "reopen", "reason": "Nieuwe meldingen"}), 201)
    ok(api(w["second"], "POST", f"/approvals/{asked['id']}/decision", json={"decision": "approve", "version": 1}))
    assert ok(api(w["regisseur"], "GET", f"/cases/{w['closed'].id}"))["phase"] == "triage"


# --- withdrawing ---------------------------------------------------------------------------------------------

def test_only_the_requester_withdraws(api, db, team_world, denied_events):
    w = team_world
    asked = _ask(api, w)
    url = f"/approvals/{asked['id']}/withdrawal"
    assert_problem(api(w["supervisor"], "POST", url, json={"version": 1}), 403)
    assert denied_events(w["supervisor"], "approval.withdrawn")
    assert_problem(api(w["regisseur"], "POST", url, json={"version": 5}), 409)
    body = ok(api(w["regisseur"], "POST", url, json={"version": 1}))
    assert body["status"] == "ingetrokken" and body["decidedBy"] is None and body["decidedAt"]
    assert_problem(api(w["regisseur"], "POST", url, json={"version": body["version"]}), 409)
    db.session.refresh(w["case"])
    assert w["case"].phase == "aanpak.uitvoering"


# --- the list ------------------------------------------------------------------------------------------------

def test_the_list_filters_and_pages(api, db, team_world, make_case):
    w = team_world
    made = [_ask(api, w, case=make_case(team=w["team"], phase="aanpak.plan")) for _ in range(3)]
    reopen = ok(api(w["regisseur"], "POST", f"/cases/{w['closed'].id}/approvals",
                    json={"kind": "reopen", "reason": "Nieuw"}), 201)
    ok(api(w["supervisor"], "POST", f"/approvals/{made[0]['id']}/decision",
           json={"decision": "reject", "motivation": "Nee", "version": 1}))
    first = ok(api(w["supervisor"], "GET", "/approvals?status=open&limit=2"))
    assert [item["id"] for item in first["items"]] == [made[1]["id"], made[2]["id"]]  # oldest first
    assert first["next"] and "cursor=" in first["links"]["next"] and "status=open" in first["links"]["next"]
    rest = ok(api(w["supervisor"], "GET", f"/approvals?status=open&limit=2&cursor={first['next']}"))
    assert [item["id"] for item in rest["items"]] == [reopen["id"]] and rest["next"] is None
    decided = ok(api(w["supervisor"], "GET", "/approvals?status=decided"))
    assert [item["id"] for item in decided["items"]] == [made[0]["id"]]
    reopens = ok(api(w["supervisor"], "GET", "/approvals?kind=reopen"))
    assert [item["id"] for item in reopens["items"]] == [reopen["id"]]
    by_case = ok(api(w["supervisor"], "GET", f"/approvals?caseId={w['closed'].id}"))
    assert [item["id"] for item in by_case["items"]] == [reopen["id"]]
    assert ok(api(w["partner"], "GET", "/approvals"))["items"] == []
    assert ok(api(w["elsewhere"], "GET", "/approvals"))["items"] == []
    assert_problem(api(w["supervisor"], "GET", "/approvals?cursor=nonsense"), 400)
    assert_problem(api(w["supervisor"], "GET", "/approvals?status=pending"), 400)


def test_the_list_costs_the_same_queries_for_one_or_many(api, db, team_world, make_case, count_queries):
    w = team_world
    _ask(api, w)
    api(w["supervisor"], "GET", "/approvals")
    with count_queries() as one:
        assert len(ok(api(w["supervisor"], "GET", "/approvals"))["items"]) == 1
    for index in range(15):
        _ask(api, w, who=("regisseur", "dual")[index % 2], case=make_case(team=w["team"], phase="aanpak.plan"))
    with count_queries() as many:
        assert len(ok(api(w["supervisor"], "GET", "/approvals"))["items"]) == 16
    assert many.count == one.count


def test_the_approvals_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/approvals", "/approvals/{id}", "/approvals/{id}/decision", "/approvals/{id}/withdrawal",
                 "/cases/{id}/approvals"):
        assert path in paths, path
    assert {"403", "404", "409"} <= set(paths["/approvals/{id}/decision"]["post"]["responses"])
    assert ApprovalStatus.OPEN.value == "open"
