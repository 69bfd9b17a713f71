"""The plan van aanpak through the API: goals, actions, status and progress by the owning organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa


@pytest.fixture
def plan(db, make_organisation, make_team, make_user, make_case):
    from casus.clock import today
    from casus.plans.models import Action

    team = make_team()
    politie, corporatie, ggz = (make_organisation(name=name) for name in ("Politie", "Corporatie", "GGZ"))
    regisseur = make_user("procesregisseur", organisation=team.organisation, team=team)
    case = make_case(team=team, partners=[politie, corporatie], phase="aanpak.plan", procesregisseur=regisseur)
    action = Action(case_id=case.id, description="Huisbezoek", owner_organisation_id=corporatie.id,
                    due_on=today() + timedelta(days=7))
    db.session.add(action)
    db.session.flush()
    return {"case": case, "action": action, "regisseur": regisseur, "politie": politie, "corporatie": corporatie,
            "agent": make_user("partner", organisation=politie), "woon": make_user("partner", organisation=corporatie),
            "buitenstaander": make_user("partner", organisation=ggz), "ggz": ggz}


def test_goals_and_actions_are_added_by_managers_and_read_by_participants(api, db, plan):
    from casus.clock import today

    case_id = plan["case"].id
    goal = api(plan["regisseur"], "POST", f"/cases/{case_id}/goals", json={"description": "Rust in de straat"})
    assert goal.status_code == 201, goal.get_json()
    goal = goal.get_json()
    assert goal["description"] == "Rust in de straat" and goal["createdAt"].endswith("Z")
    response = api(plan["regisseur"], "POST", f"/cases/{case_id}/actions", json={
        "description": "Gesprek", "ownerOrganisationId": plan["politie"].id,
        "dueOn": (today() + timedelta(days=3)).isoformat(), "goalId": goal["id"]})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["ownerOrganisation"]["name"] == "Politie"
    assert [g["id"] for g in api(plan["agent"], "GET", f"/cases/{case_id}/goals").get_json()] == [goal["id"]]
    actions = api(plan["agent"], "GET", f"/cases/{case_id}/actions").get_json()
    assert [a["description"] for a in actions] == ["Gesprek", "Huisbezoek"]
    assert api(plan["agent"], "POST", f"/cases/{case_id}/goals", json={"description": "x"}).status_code == 403


def test_an_action_needs_a_participating_owner_and_a_due_date_not_in_the_past(api, plan):
    from casus.clock import today

    case_id = plan["case"].id
    body = api(plan["regisseur"], "POST", f"/cases/{case_id}/actions", json={
        "description": "x", "ownerOrganisationId": plan["ggz"].id, "dueOn": today().isoformat()}).get_json()
    assert body["status"] == 400 and body["invalidParams"][0]["name"] == "ownerOrganisationId"
    body = api(plan["regisseur"], "POST", f"/cases/{case_id}/actions", json={
        "description": "x", "ownerOrganisationId": plan["politie"].id,
        "dueOn": (today() - timedelta(days=1)).isoformat()}).get_json()
    assert body["status"] == 400 and body["invalidParams"][0]["name"] == "dueOn"
    body = api(plan["regisseur"], "POST", f"/cases/{case_id}/actions", json={
        "description": "x", "ownerOrganisationId": plan["politie"].id, "dueOn": "31-12-2026"}).get_json()
    assert body["status"] == 400 and body["invalidParams"][0]["name"] == "dueOn"


def test_a_goal_of_another_case_is_refused(api, db, plan, make_case):
    from casus.clock import today
    from casus.plans.models import Goal

    other = make_case(team=plan["case"].team, phase="aanpak.plan")
    goal = Goal(case_id=other.id, description="Elders", created_by_id=plan["regisseur"].id)
    db.session.add(goal)
    db.session.flush()
    body = api(plan["regisseur"], "POST", f"/cases/{plan['case'].id}/actions", json={
        "description": "x", "ownerOrganisationId": plan["politie"].id, "dueOn": today().isoformat(),
        "goalId": goal.id}).get_json()
    assert body["status"] == 400 and body["invalidParams"][0]["name"] == "goalId"


def test_progress_is_written_only_by_the_owning_organisation(api, db, plan):
    from casus.audit.models import AuditEvent, Outcome
    from casus.plans.models import ProgressEntry

    action_id = plan["action"].id
    body = {"text": "Langs geweest", "version": plan["action"].version}
    assert api(plan["agent"], "POST", f"/actions/{action_id}/progress", json=body).status_code == 403
    assert api(plan["regisseur"], "POST", f"/actions/{action_id}/progress", json=body).status_code == 403
    assert api(plan["buitenstaander"], "POST", f"/actions/{action_id}/progress", json=body).status_code == 404
    assert db.session.execute(sa.select(sa.func.count()).select_from(ProgressEntry)).scalar_one() == 0
    denied = db.session.execute(sa.select(AuditEvent.user_id).where(
        AuditEvent.action == "action.progress", AuditEvent.outcome == Outcome.DENIED)).scalars().all()
    assert sorted(denied) == sorted([plan["agent"].id, plan["regisseur"].id, plan["buitenstaander"].id])

    response = api(plan["woon"], "POST", f"/actions/{action_id}/progress", json={**body, "status": "in_uitvoering"})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "in_uitvoering" and created["organisationId"] == plan["corporatie"].id
    assert created["actionVersion"] == plan["action"].version + 1
    stale = api(plan["woon"], "POST", f"/actions/{action_id}/progress", json=body)
    assert stale.status_code == 409
    assert [entry["text"] for entry in api(plan["agent"], "GET", f"/actions/{action_id}/progress").get_json()] == [
        "Langs geweest"]
    action = api(plan["agent"], "GET", f"/actions/{action_id}").get_json()
    assert action["status"] == "in_uitvoering" and action["version"] == created["actionVersion"]


def test_managers_set_the_status_with_the_actions_version(api, db, plan):
    from casus.plans.models import Action

    action_id, version = plan["action"].id, plan["action"].version
    assert api(plan["woon"], "PATCH", f"/actions/{action_id}", json={
        "status": "vervallen", "version": version}).status_code == 403
    response = api(plan["regisseur"], "PATCH", f"/actions/{action_id}", json={"status": "vervallen",
                                                                               "version": version})
    assert response.status_code == 200 and response.get_json()["status"] == "vervallen"
    stale = api(plan["regisseur"], "PATCH", f"/actions/{action_id}", json={"status": "open", "version": version})
    assert stale.status_code == 409 and stale.mimetype == "application/problem+json"
    unknown = api(plan["regisseur"], "PATCH", f"/actions/{action_id}", json={
        "status": "klaar", "version": version, "owner": 1}).get_json()
    assert {p["name"] for p in unknown["invalidParams"]} == {"status", "owner"}
    db.session.expire_all()
    assert db.session.get(Action, action_id).status == "vervallen"
