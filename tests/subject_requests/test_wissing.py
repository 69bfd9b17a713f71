"""Wissing (AVG art. 17): granted by one privacy officer, carried out when a second confirms; the person is removed
from every case, signal and voordracht, a case left without any subject is destroyed with a verklaring of kind
wissing (so is a signal without a case that was about the person alone), a case with other subjects is kept, and a
case under legal hold refuses the whole wissing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from casus.audit.models import AuditEvent
from casus.cases.models import Case, CaseSubject
from casus.retention.models import DeclarationKind, DestructionDeclaration, LegalHold
from casus.signals.models import Signal, SignalSubject
from casus.subject_requests.models import RequestOutcome, RequestStatus, SubjectRequest
from casus.subjects.models import Subject

from support import ok


@pytest.fixture
def wissing(db, privacy_world, register):
    """A wissing request whose person (alone in two cases of two teams, with someone else in a third, and in a
    signal) is confirmed."""
    from casus.subject_requests import search

    w = privacy_world
    w["request"] = register(kind="wissing")
    search.confirm(w["privacy"], w["request"], w["person"].id)
    db.session.flush()
    # read now: the cases' rows go, and the objects with them
    w["ids"] = {"person": w["person"].id, "other": w["other"].id, "cases": [case.id for case in w["cases"]],
                "unrelated": w["unrelated"].id, "references": [case.reference for case in w["cases"]],
                "teams": {w["north"].id, w["south"].id}, "signal": w["signal"].id}
    return w


def current(db, model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def assert_erased(db, w):
    ids = w["ids"]
    db.session.expire_all()
    assert db.session.get(Subject, ids["person"]) is None
    for link in (CaseSubject, SignalSubject):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(link).where(
            link.subject_id == ids["person"])) == 0
    alone, shared, other_team = ids["cases"]
    assert db.session.get(Case, alone) is None and db.session.get(Case, other_team) is None
    assert db.session.scalars(sa.select(CaseSubject.subject_id).where(CaseSubject.case_id == shared)).all() == [
        ids["other"]]
    assert db.session.get(Case, ids["unrelated"]) is not None
    declarations = db.session.scalars(sa.select(DestructionDeclaration).order_by(DestructionDeclaration.id)).all()
    assert [(d.kind, d.subject_request_id, d.prepared_by_id, d.approved_by_id) for d in declarations] == [
        (DeclarationKind.ERASURE, w["request"].id, w["privacy"].id, w["second_privacy"].id)] * 2
    references = ids["references"]
    # The signal that was about the person alone (its description names them) goes too, declared with the cases.
    assert sorted(entry["reference"] for d in declarations for entry in d.entries) == sorted(
        [references[0], references[2], "S-2026-000901"])
    assert db.session.get(Signal, ids["signal"]) is None
    assert {d.team_id for d in declarations} == ids["teams"]
    assert "Vries" not in str([d.entries for d in declarations])
    done = current(db, SubjectRequest, w["request"].id)
    assert (done.status, done.outcome) == (RequestStatus.AFGEROND, RequestOutcome.TOEGEWEZEN)


def test_wissing_through_the_pages_by_two_privacy_officers(client, db, wissing, login, auth):
    w = wissing
    url = f"/verzoeken/{w['request'].id}"
    login(w["privacy"])
    assert "Wissing toekennen" in client.get(url).get_data(as_text=True)
    response = auth.post(f"{url}/wissing", {"version": w["request"].version}, form_url=url)
    assert response.status_code == 302, response.get_data(as_text=True)
    body = client.get(url).get_data(as_text=True)
    assert "Toegekend door Paula Privacy" in body and "Wissing bevestigen" not in body
    # the one who granted it cannot carry it out
    version = current(db, SubjectRequest, w["request"].id).version
    refused = auth.post(f"{url}/wissing/bevestigen", {"version": version}, form_url=url)
    assert refused.status_code == 400 and "andere privacyfunctionaris" in refused.get_data(as_text=True)
    assert current(db, Subject, w["person"].id) is not None

    auth.logout()
    login(w["second_privacy"])
    assert "Wissing bevestigen en uitvoeren" in client.get(url).get_data(as_text=True)
    response = auth.post(f"{url}/wissing/bevestigen", {"version": version}, form_url=url)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert_erased(db, w)
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.purpose == w["request"].reference)).all()
    for action in ("subject_request.erasure_granted", "subject_request.erasure_confirmed", "subject.erased",
                   "case.destroyed", "subject_request.completed"):
        assert action in actions, action


def test_wissing_through_the_api(db, wissing, api):
    w = wissing
    path = f"/data-subject-requests/{w['request'].id}/erasure"
    granted = ok(api(w["privacy"], "POST", path, json={"version": w["request"].version}))
    assert granted["status"] == "in_behandeling"
    assert api(w["privacy"], "POST", path, json={"version": granted["version"]}).status_code == 409
    same = api(w["privacy"], "POST", f"{path}/confirmation", json={"version": granted["version"]})
    assert same.status_code == 403 and same.mimetype == "application/problem+json"
    assert api(w["supervisor"], "POST", f"{path}/confirmation", json={"version": granted["version"]}
               ).status_code == 404
    outcome = ok(api(w["second_privacy"], "POST", f"{path}/confirmation", json={"version": granted["version"]}))
    references = w["ids"]["references"]
    assert outcome["erasedSubjects"] == 1 and outcome["keptCases"] == [references[1]]
    assert sorted(outcome["destroyedCases"]) == sorted([references[0], references[2]])
    assert len(outcome["declarations"]) == 2
    assert_erased(db, w)


def test_a_case_under_legal_hold_refuses_the_wissing(db, wissing, api):
    w = wissing
    db.session.add(LegalHold(case_id=w["cases"][1].id, reason="Rechtszaak", placed_by_id=w["supervisor"].id,
                             until=None))
    db.session.flush()
    path = f"/data-subject-requests/{w['request'].id}/erasure"
    refused = api(w["privacy"], "POST", path, json={"version": w["request"].version})
    assert refused.status_code == 409
    assert w["cases"][1].reference in refused.get_json()["detail"]
    # held after the grant: the confirmation refuses too, and nothing is erased
    hold = db.session.scalar(sa.select(LegalHold))
    hold.until = hold.placed_at.date() - timedelta(days=1)  # expired
    db.session.flush()
    granted = ok(api(w["privacy"], "POST", path, json={"version": w["request"].version}))
    hold.until = None
    db.session.flush()
    refused = api(w["second_privacy"], "POST", f"{path}/confirmation", json={"version": granted["version"]})
    assert refused.status_code == 409
    assert current(db, Subject, w["person"].id) is not None
    assert current(db, Case, w["cases"][0].id) is not None


def test_the_database_refuses_one_officer_granting_and_confirming(db, wissing):
    from casus.database import utcnow

    subject_request = wissing["request"]
    subject_request.erasure_granted_by_id = subject_request.erasure_confirmed_by_id = wissing["privacy"].id
    subject_request.erasure_granted_at = subject_request.erasure_confirmed_at = utcnow()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.flush()


def test_only_a_wissing_request_erases(db, privacy_world, register, api):
    from casus.subject_requests import search

    w = privacy_world
    inzage = register(kind="inzage")
    search.confirm(w["privacy"], inzage, w["person"].id)
    db.session.flush()
    response = api(w["privacy"], "POST", f"/data-subject-requests/{inzage.id}/erasure", json={"version": 1})
    assert response.status_code == 409
