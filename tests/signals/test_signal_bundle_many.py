"""Bundling a duplicate group in one step: one new case with the subjects of all its signals, every signal
bundled and audited, a timeline line each — and nothing half-bundled when one of them was weighed meanwhile."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from signals_helpers import VALID_BSN, audit_actions, bearer, count


@pytest.fixture
def report(app, db, region, make_user):
    """``report(subjects, reporter=...)``: a signal through the service (subjects shared as find_or_create does)."""
    from casus.signals import services
    from casus.subjects.services import SubjectInput

    agents = {}

    def make(subjects=None, reporter=None):
        organisation = reporter or region.politie
        agent = agents.get(organisation.id) or agents.setdefault(
            organisation.id, make_user("partner", organisation=organisation))
        with app.test_request_context():
            signal, _known = services.report_signal(
                agent, category_id=region.category.id, team_id=region.team.id, description="Overlast",
                urgency="normaal", subjects=subjects or [SubjectInput(kind="persoon", name="Jan de Vries",
                                                                      bsn=VALID_BSN)])
        db.session.flush()
        return signal

    return make


@pytest.fixture
def group(report, region):
    """Three pending signals about Jan de Vries (same BSN), from the police and the housing corporation; the
    corporation's names his address too."""
    from casus.subjects.services import SubjectInput

    jan = SubjectInput(kind="persoon", name="Jan de Vries", bsn=VALID_BSN)
    address = SubjectInput(kind="adres", postcode="1234 AB", huisnummer="7")
    return [report([jan]), report([jan, address], reporter=region.corporatie), report([jan])]


def _case_rows(db):
    from casus.cases.models import Case

    return db.session.execute(sa.select(Case)).unique().scalars().all()


def test_the_web_form_bundles_the_whole_group_into_one_case(auth, db, login_as, region, group):
    from casus.cases.models import CaseSubject
    from casus.timeline.models import TimelineEvent

    first, second, third = group
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    response = auth.post(f"/signalen/{first.id}/casus-openen",
                         {"title": "Overlast De Vries", "risk_level": "midden", "legal_basis": "convenant",
                          "also": [str(second.id), str(third.id)]}, form_url=f"/signalen/{first.id}?bundel=groep")
    assert response.status_code == 302
    [case] = _case_rows(db)
    assert response.headers["Location"].endswith(f"/triage/casussen/{case.id}")
    for signal in group:
        db.session.refresh(signal)
        assert (signal.case_id, signal.status) == (case.id, "in_triage")
    assert case.signal_count == 3 and case.aanbrenger_organisation_id == region.politie.id
    assert count(db, CaseSubject) == 2  # Jan (shared by all three) and the corporation's address
    assert sorted(event.object_id for event in audit_actions(db, "signal.bundled")) == sorted(
        str(signal.id) for signal in group)
    lines = db.session.execute(sa.select(TimelineEvent.summary).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == "signal.bundled")).scalars().all()
    assert sorted(lines) == sorted(f"Signaal {signal.reference} (Woonoverlast) toegevoegd" for signal in group)


def test_unticked_signals_of_the_group_stay_pending(auth, db, login_as, region, group):
    first, second, third = group
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    response = auth.post(f"/signalen/{first.id}/casus-openen",
                         {"title": "Overlast", "risk_level": "midden", "legal_basis": "convenant",
                          "also": [str(third.id)]}, form_url=f"/signalen/{first.id}")
    assert response.status_code == 302
    db.session.refresh(second)
    assert second.case_id is None and second.status == "ontvangen"


def test_a_signal_weighed_meanwhile_refuses_the_whole_step(auth, db, login_as, region, group):
    first, second, third = group
    regisseur = login_as("procesregisseur", organisation=region.zvh, team=region.team)
    from casus.signals import services

    services.dismiss_signal(regisseur, third, reason="Al opgepakt")
    db.session.commit()
    response = auth.post(f"/signalen/{first.id}/casus-openen",
                         {"title": "Overlast", "risk_level": "midden", "legal_basis": "convenant",
                          "also": [str(second.id), str(third.id)]}, form_url=f"/signalen/{first.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Signaal {third.reference} is al gewogen of afgehandeld; er is niets gebundeld." in page
    assert _case_rows(db) == []
    for signal in (first, second):
        db.session.refresh(signal)
        assert signal.case_id is None and signal.status == "ontvangen"
    assert audit_actions(db, "signal.bundled") == []


def test_a_signal_of_another_team_cannot_be_posted_along(auth, db, login_as, region, group, make_team, report):
    from casus.signals.models import Signal

    first = group[0]
    elsewhere = make_team(organisation=region.zvh, name="Team Noord")
    theirs = report()
    theirs.team_id = elsewhere.id
    db.session.flush()
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    response = auth.post(f"/signalen/{first.id}/casus-openen",
                         {"title": "Overlast", "risk_level": "midden", "legal_basis": "convenant",
                          "also": [str(theirs.id)]}, form_url=f"/signalen/{first.id}")
    assert response.status_code == 404  # hidden means absent
    assert _case_rows(db) == []
    assert db.session.get(Signal, theirs.id).case_id is None


# --- the API ---------------------------------------------------------------------------------------------------

def _bundle(client, token, **body):
    body = {"title": "Overlast De Vries", **body}
    return client.post("/api/v1/signals/bundles", json=body, headers=bearer(token))


def test_the_api_bundles_several_signals_into_one_case(client, db, region, group, api_token):
    from casus.cases.models import Case

    token = api_token(region.regisseur)
    response = _bundle(client, token, signalIds=[signal.id for signal in group], riskLevel="hoog")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    case = db.session.get(Case, body["caseId"])
    assert body["caseReference"] == case.reference and case.risk_level == "hoog"
    assert response.headers["Location"].endswith(f"/api/v1/cases/{case.id}")
    assert [item["id"] for item in body["signals"]] == [signal.id for signal in group]
    assert {item["caseId"] for item in body["signals"]} == {case.id}
    assert {item["status"] for item in body["signals"]} == {"in_triage"}
    assert case.signal_count == 3 and len(audit_actions(db, "signal.bundled")) == 3


def test_the_api_answers_409_and_bundles_nothing_when_one_is_weighed(client, db, region, group, api_token):
    from casus.signals import services

    with client.application.test_request_context():
        services.dismiss_signal(region.regisseur, group[1], reason="Al opgepakt")
    db.session.commit()
    token = api_token(region.regisseur)
    response = _bundle(client, token, signalIds=[signal.id for signal in group])
    assert response.status_code == 409
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert group[1].reference in response.get_json()["detail"]
    assert _case_rows(db) == []
    db.session.refresh(group[0])
    assert group[0].case_id is None and group[0].status == "ontvangen"


def test_the_api_answers_404_for_a_signal_the_caller_may_not_see(client, db, region, group, api_token, make_team,
                                                                 make_user):
    other_team = make_team(organisation=region.zvh, name="Team Noord")
    stranger = make_user("procesregisseur", organisation=region.zvh, team=other_team)
    response = _bundle(client, api_token(stranger), signalIds=[group[0].id])
    assert response.status_code == 404
    response = _bundle(client, api_token(region.regisseur), signalIds=[group[0].id, 2_000_000])
    assert response.status_code == 404
    assert _case_rows(db) == []


def test_the_api_answers_403_to_the_reporter(client, db, region, group, api_token, make_user):
    agent = make_user("partner", organisation=region.politie)
    response = _bundle(client, api_token(agent), signalIds=[group[0].id])
    assert response.status_code == 403 and _case_rows(db) == []


def test_the_api_names_a_wrong_field(client, db, region, group, api_token):
    token = api_token(region.regisseur)
    response = _bundle(client, token, signalIds=[group[0].id], legalBasis="geheimhoudingsverklaring")
    assert response.status_code == 400
    assert response.get_json()["invalidParams"][0]["name"] == "confidentialitySignedOn"
    assert _bundle(client, token, signalIds=[]).status_code in (400, 422)
    assert _case_rows(db) == []
