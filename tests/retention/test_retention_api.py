"""The retention API: terms (privacy role only; PATCH with version, 409 with currentVersion when stale), legal holds
(privacy officer and the team's supervisors; 403 for the case's partner and procesregisseur, 404 for another
team), and the four-eyes retention extension."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.approvals.models import Approval
from casus.retention import holds, terms
from casus.retention.models import RetentionTerm

from support import ok


def _term(db, category_id) -> RetentionTerm:
    terms.ensure_terms()
    return db.session.execute(sa.select(RetentionTerm).where(RetentionTerm.category_id == category_id)).scalar_one()


def test_the_privacy_officer_lists_changes_and_confirms_terms(api, db, ret_world, categories):
    w = ret_world
    body = ok(api(w["privacy"], "GET", "/retention-terms"))
    by_code = {item["category"]["code"]: item for item in body["items"] if item["category"]}
    outcomes = {item["signalOutcome"] for item in body["items"] if item["category"] is None}
    assert outcomes == {"dismissed", "referred", "withdrawn"}
    jeugd = by_code["jeugd"]
    assert (jeugd["months"], jeugd["confirmed"], jeugd["archiefnominatie"]) == (60, False, "vernietigen")
    confirmed = ok(api(w["privacy"], "PATCH", f"/retention-terms/{jeugd['id']}",
                       json={"confirm": True, "version": jeugd["version"]}))
    assert confirmed["confirmed"] and confirmed["confirmedBy"]["id"] == w["privacy"].id and confirmed["months"] == 60
    changed = ok(api(w["privacy2"], "PATCH", f"/retention-terms/{jeugd['id']}",
                     json={"months": 36, "basis": "Selectielijst", "version": confirmed["version"]}))
    assert (changed["months"], changed["basis"], changed["confirmedBy"]["id"]) == (36, "Selectielijst",
                                                                                   w["privacy2"].id)
    stale = api(w["privacy"], "PATCH", f"/retention-terms/{jeugd['id']}",
                json={"months": 12, "version": confirmed["version"]})
    assert stale.status_code == 409 and stale.get_json()["currentVersion"] == changed["version"]
    invalid = api(w["privacy"], "PATCH", f"/retention-terms/{jeugd['id']}",
                  json={"months": 0, "version": changed["version"]})
    assert invalid.status_code == 400
    assert api(w["privacy"], "PATCH", "/retention-terms/999999", json={"confirm": True, "version": 1}).status_code \
        == 404


@pytest.mark.parametrize("who", ["supervisor", "regisseur", "partner"])
def test_only_the_privacy_officer_reads_the_terms(api, db, ret_world, who):
    w = ret_world
    assert api(w[who], "GET", "/retention-terms").status_code == 403
    term = _term(db, w["closed"].category_id)
    assert api(w[who], "PATCH", f"/retention-terms/{term.id}",
               json={"confirm": True, "version": term.version}).status_code == 403


def test_legal_holds_over_the_api(api, db, ret_world):
    w = ret_world
    closed = w["closed"]
    placed = ok(api(w["privacy"], "POST", f"/cases/{closed.id}/legal-holds",
                    json={"reason": "Procedure bij de rechtbank"}), 201)
    assert placed["active"] and placed["until"] is None and placed["placedBy"]["id"] == w["privacy"].id
    listed = ok(api(w["supervisor"], "GET", f"/cases/{closed.id}/legal-holds"))
    assert listed["case"]["underLegalHold"] and listed["case"]["reference"] == closed.reference
    assert listed["case"]["archiefactiedatum"] == closed.archiefactiedatum.isoformat()
    assert [item["id"] for item in listed["items"]] == [placed["id"]]
    stale = api(w["supervisor"], "POST", f"/legal-holds/{placed['id']}/lift",
                json={"reason": "Afgerond", "version": placed["version"] + 1})
    assert stale.status_code == 409 and stale.get_json()["currentVersion"] == placed["version"]
    lifted = ok(api(w["supervisor"], "POST", f"/legal-holds/{placed['id']}/lift",
                    json={"reason": "Afgerond", "version": placed["version"]}))
    assert not lifted["active"] and lifted["liftReason"] == "Afgerond"
    again = api(w["privacy"], "POST", f"/legal-holds/{placed['id']}/lift",
                json={"reason": "Nog eens", "version": lifted["version"]})
    assert again.status_code == 409
    assert not holds.is_under_hold(closed.id)


@pytest.mark.parametrize("who, status", [("regisseur", 403), ("partner", 403), ("elsewhere", 404)])
def test_others_may_not_place_a_hold_over_the_api(api, db, ret_world, who, status):
    w = ret_world
    response = api(w[who], "POST", f"/cases/{w['closed'].id}/legal-holds", json={"reason": "Zomaar"})
    assert response.status_code == status and response.mimetype == "application/problem+json"
    assert holds.holds_of(w["closed"]) == []


def test_a_retention_extension_over_the_api_is_decided_by_another_privacy_officer(api, db, ret_world):
    w = ret_world
    closed = w["closed"]
    until = (closed.archiefactiedatum + timedelta(days=90)).isoformat()
    asked = ok(api(w["privacy"], "POST", f"/cases/{closed.id}/retention-extension",
                   json={"until": until, "reason": "Onderzoek loopt"}), 201)
    assert asked["kind"] == "retention_extension" and asked["status"] == "open" and asked["until"] == until
    own = api(w["privacy"], "POST", f"/approvals/{asked['id']}/decision",
              json={"decision": "approve", "version": asked["version"]})
    assert own.status_code == 403
    decided = ok(api(w["privacy2"], "POST", f"/approvals/{asked['id']}/decision",
                     json={"decision": "approve", "version": asked["version"]}))
    assert decided["status"] == "goedgekeurd"
    db.session.refresh(closed)
    assert closed.archiefactiedatum.isoformat() == until
    assert db.session.get(Approval, asked["id"]).decided_by_id == w["privacy2"].id


def test_a_retention_extension_is_refused_for_a_running_case_and_for_a_partner(api, db, ret_world):
    w = ret_world
    running = api(w["privacy"], "POST", f"/cases/{w['case'].id}/retention-extension",
                  json={"until": "2040-01-01", "reason": "x"})
    assert running.status_code == 409
    partner = api(w["partner"], "POST", f"/cases/{w['closed'].id}/retention-extension",
                  json={"until": "2040-01-01", "reason": "x"})
    assert partner.status_code == 403
