"""``/api/v1/destruction-lists``: read, review and submit as the privacy officer; the second person decides through
``/api/v1/approvals/{id}/decision``; everyone else is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from lists_world import item_for, propose, world_fixture

from casus.cases.models import Case
from casus.retention.models import DestructionDeclaration

from support import ok

list_world = world_fixture()


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def test_the_privacy_officer_reads_the_lists(api, db, list_world):
    w = list_world
    destruction_list = propose(w)
    page = ok(api(w["privacy"], "GET", "/destruction-lists?status=concept"))
    assert destruction_list.reference in [row["reference"] for row in page["items"]]
    body = ok(api(w["privacy"], "GET", f"/destruction-lists/{destruction_list.id}"))
    assert body["status"] == "concept" and body["approvalId"] is None and body["version"] == 1
    item = next(row for row in body["items"] if row["reference"] == w["due"].reference)
    assert item == {"id": item["id"], "recordKind": "case", "reference": w["due"].reference,
                    "category": "woonoverlast", "closedOn": w["due"].closed_on.isoformat(),
                    "archiefactiedatum": w["due"].archiefactiedatum.isoformat(), "status": "voorgesteld",
                    "reason": None, "postponedUntil": None, "legalHold": False}
    assert "Vervallen Dossierlaan" not in str(body)
    _problem(api(w["privacy"], "GET", "/destruction-lists/999999"), 404)


@pytest.mark.parametrize("who", ["supervisor", "regisseur"])
def test_nobody_else_reads_or_changes_them(api, db, list_world, who):
    w = list_world
    destruction_list = propose(w)
    item = item_for(destruction_list, w["due"])
    _problem(api(w[who], "GET", "/destruction-lists"), 403)
    _problem(api(w[who], "GET", f"/destruction-lists/{destruction_list.id}"), 403)
    _problem(api(w[who], "POST", f"/destruction-lists/{destruction_list.id}/items/{item.id}/removal",
                 json={"reason": "x", "version": 1}), 403)


def test_review_submit_and_approve_over_the_api(api, db, list_world):
    w = list_world
    destruction_list = propose(w)
    base = f"/destruction-lists/{destruction_list.id}"
    removed, postponed = item_for(destruction_list, w["due2"]), item_for(destruction_list, w["today"])
    body = ok(api(w["privacy"], "POST", f"{base}/items/{removed.id}/removal",
                  json={"reason": "Evaluatie loopt", "version": 1}))
    assert body["version"] == 2
    stale = _problem(api(w["privacy"], "POST", f"{base}/items/{postponed.id}/removal",
                         json={"reason": "Oud", "version": 1}), 409)
    assert stale["currentVersion"] == 2
    until = (w["day"] + timedelta(days=30)).isoformat()
    body = ok(api(w["privacy"], "POST", f"{base}/items/{postponed.id}/postponement",
                  json={"until": until, "reason": "Bezwaar", "version": 2}))
    shown = {row["id"]: row for row in body["items"]}
    assert shown[removed.id]["status"] == "verwijderd" and shown[postponed.id]["postponedUntil"] == until
    proposed = item_for(destruction_list, w["due"])
    _problem(api(w["privacy"], "POST", f"{base}/items/{proposed.id}/postponement",
                 json={"until": w["day"].isoformat(), "reason": "Te vroeg", "version": 3}), 400)
    _problem(api(w["privacy"], "POST", f"{base}/items/{postponed.id}/removal",
                 json={"reason": "Al uitgesteld", "version": 3}), 409)

    body = ok(api(w["privacy"], "POST", f"{base}/submission", json={"version": 3}))
    assert body["status"] == "ter_goedkeuring" and body["approvalId"]
    approval = ok(api(w["privacy2"], "GET", f"/approvals/{body['approvalId']}"))
    assert approval["kind"] == "destruction_list" and approval["case"] is None
    assert approval["destructionListId"] == destruction_list.id
    assert approval["destructionListReference"] == destruction_list.reference
    _problem(api(w["privacy"], "POST", f"/approvals/{body['approvalId']}/decision",
                 json={"decision": "approve", "version": approval["version"]}), 403)
    _problem(api(w["elsewhere"], "POST", f"/approvals/{body['approvalId']}/decision",
                 json={"decision": "approve", "version": approval["version"]}), 404)
    due_id = w["due"].id
    decided = ok(api(w["privacy2"], "POST", f"/approvals/{body['approvalId']}/decision",
                     json={"decision": "approve", "version": approval["version"]}))
    assert decided["status"] == "goedgekeurd"
    after = ok(api(w["privacy"], "GET", base))
    assert after["status"] == "vernietigd" and after["destroyedAt"]
    db.session.expire_all()
    assert db.session.get(Case, due_id) is None
    assert db.session.execute(sa.select(DestructionDeclaration.destruction_list_id)).scalar_one() == \
        destruction_list.id
