"""Nazorg check-ins over the API: read by everyone who sees the case, recorded by its team with a version."""

from __future__ import annotations

from datetime import timedelta

from casus.clock import today


def test_check_ins_are_listed_and_recorded_with_their_version(api, db, nazorg_world):
    w = nazorg_world
    path = f"/cases/{w['case'].id}/checkins"
    listed = api(w["partner"], "GET", path)
    assert listed.status_code == 200, listed.get_json()
    three = listed.get_json()[0]
    assert three["months"] == 3 and three["doneOn"] is None and three["version"] == 1
    body = {"doneOn": today().isoformat(), "contactMade": True, "outcome": "Rustig", "relapseSignal": True,
            "version": three["version"]}
    assert api(w["partner"], "PATCH", f"{path}/{three['id']}", json=body).status_code == 403
    saved = api(w["regisseur"], "PATCH", f"{path}/{three['id']}", json=body)
    assert saved.status_code == 200, saved.get_json()
    saved = saved.get_json()
    assert saved["doneOn"] == today().isoformat() and saved["relapseSignal"] is True and saved["version"] == 2
    assert saved["recordedById"] == w["regisseur"].id and saved["recordedAt"].endswith("Z")
    stale = api(w["regisseur"], "PATCH", f"{path}/{three['id']}", json=body)
    assert stale.status_code == 409 and stale.get_json()["currentVersion"] == 2
    assert stale.headers["Content-Type"].startswith("application/problem+json")


def test_refusals_are_problems_naming_the_field(api, db, nazorg_world, make_case):
    w = nazorg_world
    path = f"/cases/{w['case'].id}/checkins"
    three = api(w["regisseur"], "GET", path).get_json()[0]
    future = api(w["regisseur"], "PATCH", f"{path}/{three['id']}", json={
        "doneOn": (today() + timedelta(days=1)).isoformat(), "contactMade": False, "version": three["version"]})
    assert future.status_code == 400
    assert future.get_json()["invalidParams"][0]["name"] == "doneOn"
    missing = api(w["regisseur"], "PATCH", f"{path}/{three['id']}", json={"doneOn": today().isoformat(),
                                                                         "version": 1})
    assert missing.status_code in (400, 422)
    other = make_case(team=w["team"], phase="nazorg")
    foreign = api(w["regisseur"], "GET", f"/cases/{other.id}/checkins").get_json()[0]
    assert api(w["regisseur"], "PATCH", f"{path}/{foreign['id']}", json={
        "doneOn": today().isoformat(), "contactMade": True, "version": 1}).status_code == 404
    assert api(w["outsider"], "GET", path).status_code == 404
