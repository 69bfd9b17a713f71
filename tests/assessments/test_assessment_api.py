"""Leefgebieden over the API: read by everyone who may see the case, written by its managers, corrected with
the version read; the configured domains and the scale."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.clock import today


def test_the_manager_records_and_corrects_and_a_partner_reads(api, db, assessed):
    case_id = assessed["case"].id
    body = {"moment": "triage", "assessedOn": (today() - timedelta(days=2)).isoformat(), "participants": "Bewoner",
            "scores": {"financien": 2, "huisvesting": 4}}
    created = api(assessed["regisseur"], "POST", f"/cases/{case_id}/assessments", json=body)
    assert created.status_code == 201, created.get_json()
    created = created.get_json()
    assert created["scores"] == {"financien": 2, "huisvesting": 4} and created["version"] == 1
    assert created["recordedBy"]["id"] == assessed["regisseur"].id and created["note"] is None
    listed = api(assessed["partner"], "GET", f"/cases/{case_id}/assessments")
    assert [a["id"] for a in listed.get_json()] == [created["id"]]
    item = f"/cases/{case_id}/assessments/{created['id']}"
    corrected = api(assessed["regisseur"], "PATCH", item, json={"scores": {"financien": 3}, "version": 1})
    assert corrected.status_code == 200, corrected.get_json()
    corrected = corrected.get_json()
    assert corrected["scores"] == {"financien": 3} and corrected["version"] == 2
    assert corrected["participants"] == "Bewoner"  # a field not given keeps its value
    stale = api(assessed["regisseur"], "PATCH", item, json={"note": "Te laat", "version": 1})
    assert stale.status_code == 409 and stale.get_json()["currentVersion"] == 2
    assert api(assessed["partner"], "GET", item).get_json()["scores"] == {"financien": 3}
    assert api(assessed["partner"], "PATCH", item, json={"note": "x", "version": 2}).status_code == 403
    assert api(assessed["partner"], "POST", f"/cases/{case_id}/assessments", json=body).status_code == 403
    assert api(assessed["outsider"], "GET", f"/cases/{case_id}/assessments").status_code == 404
    assert api(assessed["outsider"], "GET", item).status_code == 404
    assert api(assessed["regisseur"], "GET", f"/cases/{case_id}/assessments/999999").status_code == 404
    reads = db.session.execute(sa.select(sa.func.count()).where(AuditEvent.action == "assessment.view")).scalar_one()
    assert reads >= 5


def test_invalid_input_is_a_problem_naming_the_field(api, assessed):
    case_id = assessed["case"].id
    url = f"/cases/{case_id}/assessments"
    base = {"moment": "triage", "assessedOn": today().isoformat(), "scores": {"financien": 2}}
    cases = [({"scores": {"financien": 6}}, "scores"), ({"scores": {}}, "scores"),
             ({"scores": {"onbekend": 3}}, "scores"), ({"moment": "later"}, "moment"),
             ({"assessedOn": (today() + timedelta(days=1)).isoformat()}, "assessedOn")]
    for change, name in cases:
        response = api(assessed["regisseur"], "POST", url, json={**base, **change})
        problem = response.get_json()
        assert response.status_code == 400, (change, problem)
        assert problem["invalidParams"][0]["name"].startswith(name), (change, problem)
    assert api(assessed["regisseur"], "POST", url, json={**base, "extra": 1}).status_code == 400


def test_the_domains_and_the_scale(api, assessed):
    body = api(assessed["partner"], "GET", "/assessment-domains").get_json()
    first = body["domains"][0]
    assert len(body["domains"]) == 13 and first["code"] == "financien"
    assert first["label"] == first["labelNl"] == "Financiën" and first["labelEn"]
    assert [step["score"] for step in body["scale"]] == [1, 2, 3, 4, 5]
    assert body["scale"][0]["label"] == "Acute problematiek"
    assert body["moments"] == ["triage", "evaluatie", "afsluiting"]


def test_a_correction_that_loses_the_race_at_the_update_is_a_409_and_changes_nothing(api, db, assessed, sneaks_in):
    from casus.assessments.models import Assessment
    from casus.assessments.services import record_assessment

    assessment = record_assessment(assessed["regisseur"], assessed["case"], moment="triage", assessed_on=today(),
                                   scores={"financien": 2})
    db.session.flush()
    sneaks_in(Assessment.__table__, assessment.id)
    response = api(assessed["regisseur"], "PATCH", f"/cases/{assessed['case'].id}/assessments/{assessment.id}",
                   json={"scores": {"financien": 5, "justitie": 1}, "version": assessment.version})
    assert response.status_code == 409 and isinstance(response.get_json()["currentVersion"], int)
    db.session.expire_all()
    listed = api(assessed["regisseur"], "GET", f"/cases/{assessed['case'].id}/assessments").get_json()
    assert listed[0]["scores"] == {"financien": 2}
