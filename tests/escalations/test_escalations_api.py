"""The escalation ladder through ``/api/v1``: history, steps up and down, decisions, the open list, and errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.cases.models import Case, TransitionLog
from casus.clock import today
from casus.escalations import services
from casus.escalations.models import Escalation
from casus.organisations.models import OrganisationKind

from support import ok


def assert_problem(response, status: int) -> dict:
    """An RFC 9457 problem with ``status`` (``tests/api/api_helpers`` is importable only from tests/api)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.headers["API-Version"]
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def _step_up(case, **overrides):
    body = {"direction": "opschalen", "reason": "Partners komen er samen niet uit",
            "decisionOwner": "Ketenmanagers politie en gemeente",
            "decisionDeadline": (today() + timedelta(days=14)).isoformat(),
            "reviewOn": (today() + timedelta(days=42)).isoformat(), "version": case.version}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def _level(db, case):
    return db.session.execute(sa.select(Case.escalation_level, Case.version).where(Case.id == case.id)).one()


def test_up_decision_and_down_through_the_api(api, db, ladder):
    case, regisseur, supervisor = ladder["case"], ladder["regisseur"], ladder["supervisor"]
    created = ok(api(regisseur, "POST", f"/cases/{case.id}/escalations", json=_step_up(case)), 201)
    assert created["direction"] == "opschalen" and created["from"] == "operationeel" and created["to"] == "tactisch"
    assert created["decisionOwner"] == "Ketenmanagers politie en gemeente"
    assert created["reviewOn"] == (today() + timedelta(days=42)).isoformat()
    assert created["open"] is True and created["decision"] is None and created["decisionOverdue"] is False
    assert created["createdBy"] == {"id": regisseur.id, "name": "Rosa Regisseur"}
    assert created["case"] == {"id": case.id, "reference": case.reference, "escalationLevel": "tactisch"}
    level, version = _level(db, case)
    assert level == "tactisch" and created["caseVersion"] == version

    assert created["version"] == 1
    stale = assert_problem(api(supervisor, "POST", f"/escalations/{created['id']}/decision",
                               json={"decision": "Extra inzet wijkagent", "version": 2}), 409)
    assert stale["currentVersion"] == 1
    decided = ok(api(supervisor, "POST", f"/escalations/{created['id']}/decision",
                     json={"decision": "Extra inzet wijkagent", "version": 1}), 201)
    assert decided["decision"] == "Extra inzet wijkagent" and decided["decidedBy"]["id"] == supervisor.id
    assert decided["decidedAt"].endswith("Z") and decided["version"] == 2
    again = assert_problem(api(supervisor, "POST", f"/escalations/{created['id']}/decision",
                               json={"decision": "Nogmaals", "version": 2}), 409)
    assert "al vastgelegd" in again["detail"]

    down = ok(api(supervisor, "POST", f"/cases/{case.id}/escalations",
                  json={"direction": "afschalen", "decision": "Inzet werkt", "version": version}), 201)
    assert (down["direction"], down["from"], down["to"]) == ("afschalen", "tactisch", "operationeel")
    assert down["caseVersion"] == version + 1

    history = ok(api(ladder["agent"], "GET", f"/cases/{case.id}/escalations"))
    assert [step["direction"] for step in history] == ["afschalen", "opschalen"]
    assert history[1]["resolvedAt"] is not None and history[1]["open"] is False
    assert history[1]["decision"] == "Extra inzet wijkagent"
    one = ok(api(ladder["agent"], "GET", f"/escalations/{created['id']}"))
    assert one["id"] == created["id"] and one["case"]["escalationLevel"] == "operationeel"


def test_the_decision_deadline_defaults_to_ten_working_days(api, db, ladder):
    case = ladder["case"]
    created = ok(api(ladder["regisseur"], "POST", f"/cases/{case.id}/escalations",
                     json=_step_up(case, decisionDeadline=None)), 201)
    assert created["decisionDeadline"] == services.default_decision_deadline().isoformat()


def test_bad_input_lists_every_error_and_changes_nothing(api, db, ladder):
    case = ladder["case"]
    yesterday = (today() - timedelta(days=1)).isoformat()
    body = assert_problem(api(ladder["regisseur"], "POST", f"/cases/{case.id}/escalations", json={
        "direction": "opschalen", "decisionDeadline": yesterday, "decision": "Hoort hier niet", "version": 1}), 400)
    names = {param["name"] for param in body["invalidParams"]}
    assert names == {"reason", "decisionOwner", "reviewOn", "decisionDeadline", "decision"}
    body = assert_problem(api(ladder["regisseur"], "POST", f"/cases/{case.id}/escalations",
                              json={"direction": "omhoog", "version": 1, "extra": True}), 400)
    assert len(body["invalidParams"]) == 2
    assert _level(db, case)[0] == "operationeel"
    assert db.session.execute(sa.select(sa.func.count(TransitionLog.id))).scalar_one() == 0


def test_a_stale_version_and_a_refused_step_answer_409(api, db, ladder, put_step):
    case = ladder["case"]
    stale = assert_problem(api(ladder["regisseur"], "POST", f"/cases/{case.id}/escalations",
                               json=_step_up(case, version=case.version + 5)), 409)
    assert "gewijzigd" in stale["detail"]
    refused = assert_problem(api(ladder["regisseur"], "POST", f"/cases/{case.id}/escalations",
                                 json={"direction": "afschalen", "decision": "Terug", "version": case.version}), 409)
    assert refused["failedGuards"] == ["not_allowed_from_state"] and refused["trigger"] == "deescalate"
    log = db.session.execute(sa.select(TransitionLog)).scalar_one()  # the refusal is recorded and committed
    assert log.machine == "escalation" and log.allowed is False
    put_step(case, ladder["regisseur"])
    put_step(case, ladder["regisseur"], to="bestuurlijk")
    top = assert_problem(api(ladder["regisseur"], "POST", f"/cases/{case.id}/escalations",
                             json=_step_up(case, version=case.version)), 409)
    assert top["failedGuards"] == ["not_allowed_from_state"]
    assert _level(db, case)[0] == "bestuurlijk"


def test_a_decision_on_a_resolved_step_answers_409(api, db, ladder, put_step):
    from casus.database import utcnow

    step = put_step(ladder["case"], ladder["regisseur"], resolved_at=utcnow())
    body = assert_problem(api(ladder["supervisor"], "POST", f"/escalations/{step.id}/decision",
                              json={"decision": "Te laat", "version": step.version}), 409)
    assert "afgerond" in body["detail"]


def test_partners_read_but_may_not_write(api, db, ladder, put_step):
    case = ladder["case"]
    step = put_step(case, ladder["regisseur"])
    agent = ladder["agent"]
    assert ok(api(agent, "GET", f"/cases/{case.id}/escalations"))[0]["id"] == step.id
    assert_problem(api(agent, "POST", f"/cases/{case.id}/escalations", json=_step_up(case)), 403)
    assert_problem(api(agent, "POST", f"/escalations/{step.id}/decision",
                       json={"decision": "Nee", "version": step.version}), 403)
    denied = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.outcome == "denied")
                                .order_by(AuditEvent.id)).scalars().all()
    assert denied == ["escalation.escalate", "escalation.decision"]
    db.session.expire_all()
    assert db.session.get(Escalation, step.id).decision is None
    assert _level(db, case)[0] == "tactisch"


@pytest.mark.parametrize("who", ["partner_elsewhere", "procesregisseur_other_team"])
def test_outsiders_find_nothing(api, db, ladder, make_user, make_organisation, make_team, put_step, who):
    case = ladder["case"]
    step = put_step(case, ladder["regisseur"])
    if who == "partner_elsewhere":
        user = make_user("partner", organisation=make_organisation(kind=OrganisationKind.GGZ))
    else:
        user = make_user("procesregisseur", organisation=ladder["zvh"], team=make_team(organisation=ladder["zvh"]))
    for method, path, body in (("GET", f"/cases/{case.id}/escalations", None),
                               ("POST", f"/cases/{case.id}/escalations", _step_up(case)),
                               ("GET", f"/escalations/{step.id}", None),
                               ("POST", f"/escalations/{step.id}/decision", {"decision": "Nee", "version": 1})):
        response = api(user, method, path, json=body) if body else api(user, method, path)
        assert_problem(response, 404)
        assert case.reference.encode() not in response.data
    assert ok(api(user, "GET", "/escalations"))["items"] == []
    denied = db.session.execute(sa.select(AuditEvent).where(AuditEvent.user_id == user.id)).scalars().all()
    assert len(denied) == 4 and {event.outcome for event in denied} == {"denied"}


def test_the_open_list_is_keyset_paginated_by_deadline(api, db, ladder, put_step, make_case, make_team, make_user):
    team, regisseur = ladder["team"], ladder["regisseur"]
    steps = []
    for number in range(5):
        case = make_case(team=team, title=f"Casus {number}")
        steps.append(put_step(case, regisseur, decision_deadline=today() + timedelta(days=number - 2)))
    resolved_case = make_case(team=team)
    put_step(resolved_case, regisseur)
    resolved_case.escalation_level = "operationeel"  # stepped down since: no longer open at its level
    elsewhere = make_case(team=make_team())
    put_step(elsewhere, make_user("procesregisseur", team=elsewhere.team))
    db.session.flush()

    first = ok(api(ladder["supervisor"], "GET", "/escalations?limit=3"))
    assert [item["id"] for item in first["items"]] == [step.id for step in steps[:3]]
    assert [item["decisionOverdue"] for item in first["items"]] == [True, True, False]
    assert first["next"] and first["links"]["next"].startswith("/api/v1/escalations?")
    second = ok(api(ladder["supervisor"], "GET", f"/escalations?limit=3&cursor={first['next']}"))
    assert [item["id"] for item in second["items"]] == [step.id for step in steps[3:]]
    assert second["next"] is None
    overdue = ok(api(ladder["supervisor"], "GET", "/escalations?overdue=true"))
    assert [item["id"] for item in overdue["items"]] == [step.id for step in steps[:2]]
    assert_problem(api(ladder["supervisor"], "GET", "/escalations?cursor=nonsense"), 400)
    # A partner sees the open steps of the cases its organisation takes part in.
    assert ok(api(ladder["agent"], "GET", "/escalations"))["items"] == []
    mine = put_step(ladder["case"], regisseur)
    assert [item["id"] for item in ok(api(ladder["agent"], "GET", "/escalations"))["items"]] == [mine.id]


def test_lists_cost_the_same_queries_for_one_or_many(api, db, ladder, put_step, make_case, count_queries):
    team, regisseur = ladder["team"], ladder["regisseur"]
    put_step(ladder["case"], regisseur)
    big = make_case(team=team)
    for _ in range(6):
        up = put_step(big, regisseur)
        up.resolved_at = up.created_at
        big.escalation_level = "operationeel"
    put_step(big, ladder["supervisor"], decision="Besloten", decided_at=big.created_at,
             decided_by_id=ladder["supervisor"].id)
    db.session.flush()
    supervisor = ladder["supervisor"]
    api(supervisor, "GET", "/escalations")
    counts = []
    for case in (ladder["case"], big):
        with count_queries() as counter:
            ok(api(supervisor, "GET", f"/cases/{case.id}/escalations"))
        counts.append(counter.count)
    assert counts[0] == counts[1], counts

    list_counts = []
    for extra in range(2):
        if extra:
            for number in range(8):
                put_step(make_case(team=team, title=f"Extra {number}"), regisseur)
            db.session.flush()
        with count_queries() as counter:
            ok(api(supervisor, "GET", "/escalations"))
        list_counts.append(counter.count)
    assert list_counts[0] == list_counts[1], list_counts
