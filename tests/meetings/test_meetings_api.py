"""The meetings API: list and plan, move/cancel/close with a version, agenda, minutes per item, decisions."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from meeting_factories import AMSTERDAM, NotifyRecorder, add_item, add_meeting, build_world, local, started

from casus.clock import today
from casus.meetings.models import AgendaItem
from casus.plans.models import Action

from support import ok


@pytest.fixture(autouse=True)
def notified(monkeypatch):
    recorder = NotifyRecorder()
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", recorder)
    return recorder


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case):
    return build_world(db, make_organisation, make_team, make_user, make_case)


def test_plan_list_move_and_cancel(api, world, notified):
    starts = datetime.combine(today() + timedelta(days=20), datetime.min.time(), tzinfo=AMSTERDAM).replace(hour=9)
    body = ok(api(world.regisseur, "POST", "/meetings", json={
        "type": "casusoverleg", "title": "Extra casusoverleg", "startsAt": starts.isoformat(),
        "durationMinutes": 90, "location": "Stadhuis", "organisationIds": [world.politie.id]}), 201)
    assert body["startsAt"] == starts.astimezone(UTC).isoformat().replace("+00:00", "Z")
    assert body["icalSequence"] == 0 and body["status"] == "gepland"
    assert [o["id"] for o in body["invitedOrganisations"]] == [world.politie.id]
    meeting_id, version = body["id"], body["version"]
    assert notified.calls[-1] == (meeting_id, "new", 0)
    listed = ok(api(world.regisseur, "GET", "/meetings"))
    assert {world.meeting.id, meeting_id} <= {m["id"] for m in listed["items"]}
    moved = ok(api(world.regisseur, "PATCH", f"/meetings/{meeting_id}", json={
        "version": version, "startsAt": (starts + timedelta(hours=4)).isoformat()}))
    assert moved["icalSequence"] == 1 and moved["version"] > version
    assert notified.calls[-1] == (meeting_id, "moved", 1)
    stale = api(world.regisseur, "PATCH", f"/meetings/{meeting_id}", json={"version": version,
                                                                          "status": "geannuleerd"})
    assert stale.status_code == 409
    cancelled = ok(api(world.regisseur, "PATCH", f"/meetings/{meeting_id}", json={
        "version": moved["version"], "status": "geannuleerd"}))
    assert cancelled["status"] == "geannuleerd" and cancelled["icalSequence"] == 2
    assert notified.calls[-1] == (meeting_id, "cancelled", 2)
    both = api(world.regisseur, "PATCH", f"/meetings/{meeting_id}", json={
        "version": cancelled["version"], "status": "geannuleerd", "location": "Elders"})
    assert both.status_code == 400


def test_list_is_keyset_paginated(api, db, world):
    for days in range(8, 14):
        add_meeting(db, world.team, starts_at=local(today() + timedelta(days=days)))
    first = ok(api(world.regisseur, "GET", "/meetings?limit=3"))
    second = ok(api(world.regisseur, "GET", f"/meetings?limit=3&cursor={first['next']}"))
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 6
    assert api(world.regisseur, "GET", "/meetings?cursor=rommel").status_code == 400
    assert ok(api(world.regisseur, "GET", "/meetings?period=past"))["items"] == []


def test_agenda_minutes_and_a_decision_that_becomes_an_action(api, db, world, make_case):
    meeting_id = started(db, world.meeting).id
    extra = make_case(team=world.team, partners=[world.politie, world.zvh], phase="aanpak.plan")
    item = ok(api(world.regisseur, "POST", f"/meetings/{meeting_id}/agenda",
                  json={"caseId": extra.id, "purpose": "nieuw"}), 201)
    assert item["position"] == 3 and item["case"]["reference"] == extra.reference
    again = api(world.regisseur, "POST", f"/meetings/{meeting_id}/agenda", json={"caseId": extra.id})
    assert again.status_code == 409 and again.get_json()["detail"] == "Deze casus staat al op de agenda."
    agenda = ok(api(world.regisseur, "GET", f"/meetings/{meeting_id}/agenda"))
    assert [i["case"]["id"] for i in agenda] == [world.politie_case.id, world.corporatie_case.id, extra.id]
    assert item["version"] == 1
    moved = ok(api(world.regisseur, "PATCH", f"/agenda-items/{item['id']}", json={"move": "up", "version": 1}))
    assert moved["version"] == 1  # reordering leaves the item's contents, and so its version, alone
    minutes = ok(api(world.regisseur, "PATCH", f"/agenda-items/{item['id']}", json={
        "beeldvorming": "Beeld", "oordeelsvorming": "Oordeel", "besluitvorming": "Besluit", "discussed": True,
        "version": 1}))
    assert minutes["discussed"] is True and minutes["position"] == 2 and minutes["version"] == 2
    due = (today() + timedelta(days=21)).isoformat()
    decision = ok(api(world.regisseur, "POST", f"/agenda-items/{item['id']}/decisions", json={
        "text": "Politie spreekt betrokkene aan", "action": {"ownerOrganisationId": world.politie.id,
                                                             "dueOn": due}}), 201)
    action = db.session.get(Action, decision["actionId"])
    assert action.case_id == extra.id and action.owner_organisation_id == world.politie.id
    assert action.due_on.isoformat() == due
    plan = ok(api(world.regisseur, "GET", f"/cases/{extra.id}/actions"))
    assert [a["id"] for a in plan] == [action.id]
    refused = api(world.regisseur, "POST", f"/agenda-items/{item['id']}/decisions", json={
        "text": "Fout", "action": {"ownerOrganisationId": world.corporatie.id, "dueOn": due}})
    assert refused.status_code == 400
    assert refused.get_json()["invalidParams"][0]["name"] == "ownerOrganisationId"
    body = ok(api(world.regisseur, "GET", f"/meetings/{meeting_id}/minutes"))
    minuted = next(i for i in body["items"] if i["id"] == item["id"])
    assert minuted["beeldvorming"] == "Beeld" and [d["text"] for d in minuted["decisions"]] == [
        "Politie spreekt betrokkene aan"]
    assert {a["organisation"]["id"] for a in body["attendance"]} == {world.politie.id, world.corporatie.id}
    # Decisions keep an item on the agenda; another one goes with its own version.
    assert api(world.regisseur, "DELETE", f"/agenda-items/{item['id']}?version=2").status_code == 409
    assert api(world.regisseur, "DELETE", f"/agenda-items/{world.corporatie_item.id}").status_code == 400
    version = world.corporatie_item.version
    stale = api(world.regisseur, "DELETE", f"/agenda-items/{world.corporatie_item.id}?version={version + 1}")
    assert stale.status_code == 409 and stale.get_json()["currentVersion"] == version
    assert api(world.regisseur, "DELETE",
               f"/agenda-items/{world.corporatie_item.id}?version={version}").status_code == 204
    assert db.session.execute(sa.select(AgendaItem.id).where(AgendaItem.id == world.corporatie_item.id)
                              ).scalar_one_or_none() is None


def test_close_through_the_api(api, db, world):
    held = add_meeting(db, world.team, starts_at=local(today() - timedelta(days=2)), invited=[world.politie])
    add_item(db, held, world.politie_case, discussed=True)
    body = ok(api(world.regisseur, "PATCH", f"/meetings/{held.id}", json={"version": held.version,
                                                                          "status": "gehouden"}))
    assert body["status"] == "gehouden"
    case = ok(api(world.regisseur, "GET", f"/cases/{world.politie_case.id}"))
    assert case["nextReviewOn"] == (today() - timedelta(days=2) + timedelta(days=28)).isoformat()


def test_unknown_keys_and_missing_version_are_400(api, world):
    assert api(world.regisseur, "PATCH", f"/meetings/{world.meeting.id}",
               json={"startsAt": "2027-01-01T09:00:00+01:00"}).status_code == 400
    assert api(world.regisseur, "PATCH", f"/agenda-items/{world.politie_item.id}",
               json={"verslag": "x"}).status_code == 400
    assert api(world.regisseur, "PATCH", f"/agenda-items/{world.politie_item.id}", json={}).status_code == 400


def test_openapi_documents_the_meeting_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/meetings", "/meetings/{id}", "/meetings/{id}/agenda", "/meetings/{id}/minutes",
                 "/agenda-items/{id}", "/agenda-items/{id}/decisions"):
        assert path in paths, path
