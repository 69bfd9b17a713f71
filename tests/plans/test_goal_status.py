"""Settling goals: behaald / deels behaald / vervallen with a date and a note (and open again), by the case's
managers, versioned, audited and on the tijdlijn; shown on the plan and in the closing evaluation."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.clock import today
from casus.plans import goals
from casus.plans.models import Goal, GoalStatus
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from casus.versioning import StaleVersion

from support import csrf_from


@pytest.fixture
def goal_world(db, make_organisation, make_team, make_user, make_case):
    import pyotp

    team = make_team()
    politie = make_organisation(name="Politie")
    regisseur = make_user("procesregisseur", organisation=team.organisation, team=team,
                          totp_secret=pyotp.random_base32())
    case = make_case(team=team, partners=[team.organisation, politie], phase="aanpak.uitvoering",
                     procesregisseur=regisseur)
    goal = Goal(case_id=case.id, description="Rust in de straat", created_by_id=regisseur.id)
    db.session.add(goal)
    db.session.flush()
    return {"case": case, "goal": goal, "regisseur": regisseur,
            "partner": make_user("partner", organisation=politie, totp_secret=pyotp.random_base32())}


def test_a_goal_is_settled_with_a_date_and_opened_again(db, goal_world):
    w = goal_world
    goal, case, regisseur = w["goal"], w["case"], w["regisseur"]
    with pytest.raises(ServiceError) as refused:
        goals.set_goal_status(regisseur, case, goal, status="behaald", status_on=None, status_note=None)
    assert refused.value.field == "status_on"
    with pytest.raises(ServiceError) as refused:
        goals.set_goal_status(regisseur, case, goal, status="behaald", status_on=today() + timedelta(days=1),
                              status_note=None)
    assert refused.value.field == "status_on"
    with pytest.raises(ServiceError) as refused:
        goals.set_goal_status(regisseur, case, goal, status="gehaald", status_on=today(), status_note=None)
    assert refused.value.field == "status"
    goals.set_goal_status(regisseur, case, goal, status="behaald", status_on=today(), status_note="Geen meldingen",
                          expected_version=1)
    assert (goal.status, goal.status_on, goal.status_note, goal.status_by_id, goal.version) == (
        GoalStatus.BEHAALD, today(), "Geen meldingen", regisseur.id, 2)
    with pytest.raises(StaleVersion):
        goals.set_goal_status(regisseur, case, goal, status="open", status_on=None, status_note=None,
                              expected_version=1)
    goals.set_goal_status(regisseur, case, goal, status="open", status_on=today(), status_note="x", expected_version=2)
    assert (goal.status, goal.status_on, goal.status_note, goal.status_by_id) == (GoalStatus.OPEN, None, None, None)
    lines = db.session.execute(sa.select(TimelineEvent.summary).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == "goal.status").order_by(TimelineEvent.id)).scalars()
    assert list(lines) == ["Doel gemarkeerd als behaald: Rust in de straat", "Doel weer open: Rust in de straat"]
    assert db.session.execute(sa.select(sa.func.count()).where(
        AuditEvent.action == "goal.status_changed")).scalar_one() == 2


def test_a_closed_case_keeps_its_goals_as_they_are(db, goal_world):
    w = goal_world
    w["case"].phase = "afgesloten"
    with pytest.raises(ServiceError) as refused:
        goals.set_goal_status(w["regisseur"], w["case"], w["goal"], status="vervallen", status_on=today(),
                              status_note=None)
    assert refused.value.status == 409


def test_the_plan_page_settles_goals_and_the_evaluation_shows_them(client, db, auth, goal_world):
    w = goal_world
    base = f"/casussen/{w['case'].id}"
    auth.login_with_totp(w["partner"])
    page = client.get(f"{base}/plan").get_data(as_text=True)
    assert "Rust in de straat" in page and "Status van dit doel wijzigen" not in page
    assert client.post(f"{base}/plan/doelen/{w['goal'].id}/status", data={
        "csrf_token": csrf_from(client.get("/")), "version": 1, "status": "behaald",
        "status_on": today().strftime("%d-%m-%Y")}).status_code == 403
    auth.logout()
    auth.login_with_totp(w["regisseur"])
    page = client.get(f"{base}/plan")
    assert "Status van dit doel wijzigen" in page.get_data(as_text=True)
    missing = client.post(f"{base}/plan/doelen/{w['goal'].id}/status", data={
        "csrf_token": csrf_from(page), "version": 1, "status": "deels_behaald", "status_on": ""})
    assert missing.status_code == 400
    assert "Vul de datum in waarop het doel is afgerond." in missing.get_data(as_text=True)
    saved = client.post(f"{base}/plan/doelen/{w['goal'].id}/status", data={
        "csrf_token": csrf_from(page), "version": 1, "status": "deels_behaald",
        "status_on": today().strftime("%d-%m-%Y"), "status_note": "Overlast minder"})
    assert saved.status_code == 302
    stale = client.post(f"{base}/plan/doelen/{w['goal'].id}/status", data={
        "csrf_token": csrf_from(page), "version": 1, "status": "vervallen",
        "status_on": today().strftime("%d-%m-%Y")})
    assert stale.status_code == 409
    overview = client.get(base).get_data(as_text=True)
    assert "Doelen van het plan van aanpak" in overview and "Deels behaald" in overview
    assert "Overlast minder" in overview


def test_the_api_patches_a_goal_with_its_version(api, db, goal_world, make_case):
    w = goal_world
    goal_id = w["goal"].id
    listed = api(w["partner"], "GET", f"/cases/{w['case'].id}/goals").get_json()
    assert listed[0]["status"] == "open" and listed[0]["version"] == 1 and listed[0]["statusOn"] is None
    body = {"status": "behaald", "statusOn": today().isoformat(), "statusNote": "Klaar", "version": 1}
    assert api(w["partner"], "PATCH", f"/goals/{goal_id}", json=body).status_code == 403
    saved = api(w["regisseur"], "PATCH", f"/goals/{goal_id}", json=body)
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["status"] == "behaald" and saved.get_json()["version"] == 2
    stale = api(w["regisseur"], "PATCH", f"/goals/{goal_id}", json=body)
    assert stale.status_code == 409 and stale.get_json()["currentVersion"] == 2
    undated = api(w["regisseur"], "PATCH", f"/goals/{goal_id}", json={"status": "vervallen", "version": 2})
    assert undated.status_code == 400 and undated.get_json()["invalidParams"][0]["name"] == "statusOn"
    hidden = make_case(phase="aanpak.uitvoering")
    other = Goal(case_id=hidden.id, description="Elders", created_by_id=w["regisseur"].id)
    db.session.add(other)
    db.session.flush()
    assert api(w["regisseur"], "PATCH", f"/goals/{other.id}", json=body).status_code == 404
    assert api(w["regisseur"], "PATCH", "/goals/999999", json=body).status_code == 404
