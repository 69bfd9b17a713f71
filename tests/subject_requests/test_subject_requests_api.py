"""/api/v1/data-subject-requests: register, list, search, confirm, review, package, extend, complete — the
privacy officer's only."""

from __future__ import annotations

import sqlalchemy as sa

from casus.cases.models import Note
from casus.clock import today

from support import ok


def test_the_whole_request_over_the_api(db, privacy_world, api):
    w = privacy_world
    officer = w["privacy"]
    db.session.add(Note(case_id=w["cases"][1].id, author_id=w["supervisor"].id, organisation_id=w["zvh"].id,
                        visibility="alle_deelnemers", text="Over de buren, niet over Jan"))
    db.session.flush()
    created = ok(api(officer, "POST", "/data-subject-requests", json={
        "kind": "inzage", "bsn": "111222333", "identityCheck": "digid", "receivedOn": today().isoformat()}), 201)
    assert created["reference"].startswith("AVG-") and created["status"] == "ontvangen"
    rid = created["id"]
    assert [item["id"] for item in ok(api(officer, "GET", "/data-subject-requests"))["items"]] == [rid]
    candidates = ok(api(officer, "POST", f"/data-subject-requests/{rid}/search"))["items"]
    assert [c["subjectId"] for c in candidates] == [w["person"].id] and len(candidates[0]["cases"]) == 3
    matched = ok(api(officer, "POST", f"/data-subject-requests/{rid}/matches", json={"subjectId": w["person"].id}))
    assert matched["matchedSubjectIds"] == [w["person"].id] and matched["status"] == "in_behandeling"
    note = db.session.scalar(sa.select(Note).where(Note.text.like("Over de buren%")))
    decided = ok(api(officer, "PUT", f"/data-subject-requests/{rid}/items/note:{note.id}",
                     json={"withheld": True, "ground": "rechten_anderen"}))
    assert decided == {"itemKey": f"note:{note.id}", "kind": "note", "withheld": True, "ground": "rechten_anderen",
                       "groundNote": None}
    package = ok(api(officer, "GET", f"/data-subject-requests/{rid}/package"))
    assert {"itemKey": f"note:{note.id}", "kind": "note", "withheld": True, "ground": "rechten_anderen"} \
        in package["items"]
    assert "buren" not in str(package)
    pdf = api(officer, "GET", f"/data-subject-requests/{rid}/package?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    current = ok(api(officer, "GET", f"/data-subject-requests/{rid}"))
    stale = api(officer, "POST", f"/data-subject-requests/{rid}/extension", json={
        "months": 1, "reason": "Veel dossiers", "letterOn": today().isoformat(), "version": 1})
    assert stale.status_code == 409 and stale.get_json()["currentVersion"] == current["version"]
    extended = ok(api(officer, "POST", f"/data-subject-requests/{rid}/extension", json={
        "months": 1, "reason": "Veel dossiers", "letterOn": today().isoformat(), "version": current["version"]}))
    assert extended["extendedDeadlineOn"] is not None
    done = ok(api(officer, "POST", f"/data-subject-requests/{rid}/completion", json={
        "outcome": "deels_toegewezen", "version": extended["version"]}))
    assert done["status"] == "afgerond" and done["completedOn"] == today().isoformat()
    unmatched = api(officer, "DELETE", f"/data-subject-requests/{rid}/matches", json={"subjectId": w["person"].id})
    assert unmatched.status_code == 409  # completed: nothing changes any more


def test_registration_refusals_name_their_field(db, privacy_world, api):
    response = api(privacy_world["privacy"], "POST", "/data-subject-requests", json={
        "kind": "inzage", "bsn": "123456789", "identityCheck": "digid", "receivedOn": today().isoformat()})
    assert response.status_code == 400
    assert response.get_json()["invalidParams"][0]["name"] == "bsn"


def test_nobody_else_reaches_any_request_endpoint(db, privacy_world, register, api):
    rid = register().id
    for who in ("supervisor", "partner", "beheerder"):
        user = privacy_world[who]
        assert api(user, "GET", "/data-subject-requests").status_code == 403
        assert api(user, "POST", "/data-subject-requests", json={
            "kind": "inzage", "bsn": "111222333", "identityCheck": "digid",
            "receivedOn": today().isoformat()}).status_code == 403
        for method, path, body in (("GET", "", None), ("POST", "/search", None), ("GET", "/package", None),
                                   ("GET", "/package?format=pdf", None),
                                   ("POST", "/matches", {"subjectId": privacy_world["person"].id}),
                                   ("DELETE", "/matches", {"subjectId": privacy_world["person"].id}),
                                   ("PUT", "/items/subject:1", {"withheld": False}),
                                   ("POST", "/extension", {"months": 1, "reason": "x", "letterOn": "2026-12-01",
                                                           "version": 1}),
                                   ("POST", "/completion", {"outcome": "afgewezen", "version": 1})):
            response = api(user, method, f"/data-subject-requests/{rid}{path}", json=body)
            assert response.status_code == 404, (who, method, path)
