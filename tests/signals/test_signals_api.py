"""POST/GET /api/v1/signals: camelCase bodies, 400 naming the field, scope, cursors, no BSN in URLs."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from signals_helpers import INVALID_BSN, VALID_BSN, audit_actions, bearer, count


def _body(region, subjects=None, **fields):
    return {"categoryId": region.category.id, "teamId": region.team.id,
            "description": "Overlast en zorgen om de bewoner", "urgency": "hoog",
            "subjects": subjects if subjects is not None else [
                {"kind": "persoon", "name": "Jan de Vries", "dateOfBirth": "1980-11-21", "bsn": VALID_BSN},
                {"kind": "adres", "postcode": "1234 AB", "huisnummer": 12, "toevoeging": "a"}],
            **fields}


def _problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.fixture
def agent(make_user, region):
    return make_user("partner", organisation=region.politie)


def test_post_reports_a_signal_with_two_subjects(client, db, region, agent, api_token):
    from casus.signals.models import Signal, SignalSubject

    response = client.post("/api/v1/signals", json=_body(region), headers=bearer(api_token(agent)))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    signal = db.session.execute(sa.select(Signal)).unique().scalar_one()
    assert response.headers["Location"].endswith(f"/api/v1/signals/{signal.id}")
    assert body["id"] == signal.id and body["reference"] == signal.reference
    assert (body["status"], body["category"], body["urgency"]) == ("ontvangen", "woonoverlast", "hoog")
    assert body["receivedAt"].endswith("Z")
    assert body["knownElsewhere"] == [] and body["caseId"] is None
    assert [s["kind"] for s in body["subjects"]] == ["persoon", "adres"]
    assert signal.reporting_organisation_id == region.politie.id
    assert count(db, SignalSubject) == 2
    assert VALID_BSN not in response.get_data(as_text=True)  # the reporter gets kinds, not identifiers


@pytest.mark.parametrize(("subjects", "field", "fragment"), [
    ([{"kind": "persoon", "name": "Jan", "bsn": INVALID_BSN}], "subjects.0.bsn", "elfproef"),
    ([{"kind": "adres", "postcode": "12345", "huisnummer": 1}], "subjects.0.postcode", "1234 AB"),
    ([{"kind": "bedrijf", "name": "Handel B.V.", "kvkNummer": "1234567"}], "subjects.0.kvkNummer", "acht cijfers"),
    ([{"kind": "persoon", "name": "Jan", "dateOfBirth": "FUTURE"}], "subjects.0.dateOfBirth", "toekomst"),
    ([{"kind": "persoon", "name": "Jan", "dateOfBirth": "21-11-1980"}], "subjects.0.dateOfBirth", "date"),
    ([], "subjects", "betrokkenen"),
    ([{"kind": "persoon", "name": "Jan"}, {"kind": "adres", "postcode": "1234AB", "huisnummer": 0}],
     "subjects.1.huisnummer", ""),
    ([{"kind": "persoon", "name": "Jan", "email": "x@example.org"}], "subjects.0.email", ""),
    ([{"kind": "dier", "name": "Rex"}], "subjects.0.kind", ""),
])
def test_bad_subjects_answer_400_naming_the_field_and_store_nothing(client, db, region, agent, api_token,
                                                                   subjects, field, fragment):
    from casus.clock import today
    from casus.signals.models import Signal
    from casus.subjects.models import Subject

    for subject in subjects:
        if subject.get("dateOfBirth") == "FUTURE":
            subject["dateOfBirth"] = (today() + timedelta(days=3)).isoformat()
    response = client.post("/api/v1/signals", json=_body(region, subjects), headers=bearer(api_token(agent)))
    body = _problem(response, 400)
    reasons = {param["name"]: param["reason"] for param in body["invalidParams"]}
    assert field in reasons, reasons
    assert fragment in reasons[field]
    assert count(db, Signal) == count(db, Subject) == 0


def test_every_bad_field_is_listed(client, db, region, agent, api_token):
    subjects = [{"kind": "persoon", "name": "Jan", "bsn": INVALID_BSN},
                {"kind": "adres", "postcode": "x", "huisnummer": 1}, {"kind": "bedrijf", "kvkNummer": "1"}]
    body = _problem(client.post("/api/v1/signals", json=_body(region, subjects), headers=bearer(api_token(agent))),
                    400)
    assert {"subjects.0.bsn", "subjects.1.postcode", "subjects.2.name", "subjects.2.kvkNummer"} <= {
        param["name"] for param in body["invalidParams"]}


def test_a_huge_description_unknown_keys_and_bad_ids_answer_400(client, db, region, agent, api_token):
    from casus.signals.models import Signal

    token = api_token(agent)
    body = _problem(client.post("/api/v1/signals", json=_body(region, description="x" * 20_001),
                                headers=bearer(token)), 400)
    assert [param["name"] for param in body["invalidParams"]] == ["description"]
    body = _problem(client.post("/api/v1/signals", json=_body(region, reporterId=1), headers=bearer(token)), 400)
    assert [param["name"] for param in body["invalidParams"]] == ["reporterId"]
    body = _problem(client.post("/api/v1/signals", json=_body(region, categoryId=999_999), headers=bearer(token)),
                    400)
    assert [param["name"] for param in body["invalidParams"]] == ["categoryId"]
    assert count(db, Signal) == 0


def test_known_elsewhere_names_only_the_contact_and_is_audited(client, db, region, agent, api_token, make_case,
                                                               make_subject):
    known = make_subject(name="Piet Pieters", bsn=VALID_BSN)
    hidden = make_case(team=region.team, partners=[region.corporatie], subjects=[known], title="Geheime casus",
                       procesregisseur=region.regisseur)
    response = client.post("/api/v1/signals", headers=bearer(api_token(agent)), json=_body(region, [
        {"kind": "persoon", "name": "P. Pieters", "bsn": VALID_BSN}]))
    assert response.status_code == 201
    body = response.get_json()
    assert body["knownElsewhere"] == [{"contactName": "Ria Regisseur", "contactTeam": "Team Centrum"}]
    assert body["caseId"] is None
    text = response.get_data(as_text=True)
    for secret in (hidden.reference, hidden.title, "Piet Pieters", "Woonstichting"):
        assert secret not in text
    assert [e.case_id for e in audit_actions(db, "subject.known_elsewhere")] == [hidden.id]


def test_roles_that_do_not_report_get_403(client, make_user, region, api_token):
    beheerder = make_user("beheerder", organisation=region.zvh)
    _problem(client.post("/api/v1/signals", json=_body(region), headers=bearer(api_token(beheerder))), 403)


def test_a_read_only_token_cannot_report(client, region, agent, api_token):
    _problem(client.post("/api/v1/signals", json=_body(region), headers=bearer(api_token(agent, "read"))), 403)


def _report(client, region, token, **fields):
    response = client.post("/api/v1/signals", json=_body(region, **fields), headers=bearer(token))
    assert response.status_code == 201
    return response.get_json()


def test_get_lists_visible_signals_newest_first_with_a_cursor(client, db, region, agent, api_token, make_user):
    from casus.database import utcnow
    from casus.signals.models import Signal

    token = api_token(agent)
    ids = [_report(client, region, token)["id"] for _ in range(3)]
    for offset, signal_id in enumerate(ids):
        db.session.get(Signal, signal_id).received_at = utcnow() - timedelta(hours=10 - offset)
    other = make_user("partner", organisation=region.corporatie)
    _report(client, region, api_token(other))
    db.session.flush()
    page = client.get("/api/v1/signals?limit=2", headers=bearer(token)).get_json()
    assert [item["id"] for item in page["items"]] == [ids[2], ids[1]]
    assert page["next"] and "limit=2" in page["next"]
    rest = client.get(page["next"], headers=bearer(token)).get_json()
    assert [item["id"] for item in rest["items"]] == [ids[0]] and rest["next"] is None
    assert set(rest["items"][0]) >= {"id", "reference", "status", "receivedAt", "category", "urgency", "caseId"}
    _problem(client.get("/api/v1/signals?cursor=nonsense", headers=bearer(token)), 400)
    _problem(client.get("/api/v1/signals?bsn=111222333", headers=bearer(token)), 400)


def test_get_one_signal_is_scoped_and_audited(client, db, region, agent, api_token, make_user):
    token = api_token(agent)
    signal = _report(client, region, token)
    response = client.get(f"/api/v1/signals/{signal['id']}", headers=bearer(token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["description"] == "Overlast en zorgen om de bewoner"
    # The reporter sees what it typed itself ...
    assert [s["displayName"] for s in body["subjects"]] == ["Jan de Vries", "1234 AB 12-A"]
    outsider = make_user("partner", organisation=region.corporatie)
    _problem(client.get(f"/api/v1/signals/{signal['id']}", headers=bearer(api_token(outsider))), 404)
    _problem(client.get("/api/v1/signals/999999", headers=bearer(token)), 404)
    events = [(e.object_id, e.outcome) for e in audit_actions(db, "signal.view")]
    assert (str(signal["id"]), "success") in events and (str(signal["id"]), "denied") in events
    # The receiving team sees names and addresses.
    team_body = client.get(f"/api/v1/signals/{signal['id']}", headers=bearer(api_token(region.regisseur))).get_json()
    assert [s["displayName"] for s in team_body["subjects"]] == ["Jan de Vries", "1234 AB 12-A"]


def test_the_reporter_sees_its_own_words_not_what_the_subject_became(client, db, region, agent, api_token):
    """Subject rows are shared: details added or corrected elsewhere never reach the reporter."""
    import sqlalchemy as sa

    from casus.signals.models import SignalSubject
    from casus.subjects.models import Subject

    token = api_token(agent)
    signal = _report(client, region, token)
    person_id = db.session.execute(sa.select(SignalSubject.subject_id).where(
        SignalSubject.signal_id == signal["id"]).order_by(SignalSubject.subject_id)).scalars().first()
    db.session.get(Subject, person_id).name = "Johannes Cornelis de Vries"
    db.session.flush()
    mine = client.get(f"/api/v1/signals/{signal['id']}", headers=bearer(token)).get_json()
    assert [s["displayName"] for s in mine["subjects"]] == ["Jan de Vries", "1234 AB 12-A"]
    team = client.get(f"/api/v1/signals/{signal['id']}", headers=bearer(api_token(region.regisseur))).get_json()
    assert team["subjects"][0]["displayName"] == "Johannes Cornelis de Vries"


def test_case_id_only_when_the_caller_may_see_the_case(client, db, region, agent, api_token):
    from casus.signals import services
    from casus.signals.models import Signal

    token = api_token(agent)
    signal_id = _report(client, region, token)["id"]
    signal = db.session.get(Signal, signal_id)
    with client.application.test_request_context():
        case = services.open_case(region.regisseur, signal, title="Casus")
    db.session.flush()
    assert client.get(f"/api/v1/signals/{signal_id}", headers=bearer(token)).get_json()["caseId"] == case.id
    from casus.cases.models import Participation
    from casus.clock import today

    db.session.execute(sa.update(Participation).values(left_on=today()))
    db.session.flush()
    body = client.get(f"/api/v1/signals/{signal_id}", headers=bearer(token)).get_json()
    assert body["caseId"] is None and body["status"] == "in_triage"
    listed = client.get("/api/v1/signals", headers=bearer(token)).get_json()["items"]
    assert listed[0]["caseId"] is None


def test_the_openapi_document_has_no_bsn_in_paths_or_query(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "/signals" in document["paths"] and "/signals/{id}" in document["paths"]
    parameters = [p["name"] for p in document["paths"]["/signals"]["get"].get("parameters", [])]
    assert set(parameters) == {"cursor", "limit"}
