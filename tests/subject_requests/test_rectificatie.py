"""Rectificatie (AVG art. 16) inside a registered request: the privacy officer corrects a confirmed subject's data on
the request page or through the API; the old value is kept in a history only the privacy officer sees; the partners
and procesregisseurs of the affected cases are notified with a reference only; the audit log names the fields, never
a value."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.notifications.models import Notification
from casus.subject_requests.models import SubjectCorrection
from casus.subjects.models import Subject
from casus.timeline.models import TimelineEvent

from support import ok


@pytest.fixture
def rectificatie(db, privacy_world, register, make_user):
    """A rectificatie request whose person (in three cases of two teams) is confirmed; the first case has a
    procesregisseur and the police's contact person on its participation."""
    import pyotp

    from casus.cases.models import Participation
    from casus.subject_requests import search

    w = privacy_world
    w["regisseur"] = make_user("procesregisseur", organisation=w["zvh"], team=w["north"],
                               totp_secret=pyotp.random_base32())
    w["cases"][0].procesregisseur_id = w["regisseur"].id
    w["contact"] = make_user("partner", organisation=w["politie"], totp_secret=pyotp.random_base32())
    police = db.session.scalar(sa.select(Participation).where(Participation.case_id == w["cases"][0].id,
                                                              Participation.organisation_id == w["politie"].id))
    police.contact_user_id = w["contact"].id
    db.session.flush()
    subject_request = register(kind="rectificatie")
    search.confirm(w["privacy"], subject_request, w["person"].id)
    db.session.flush()
    w["request"] = subject_request
    return w


def stored(db, subject_id: int) -> Subject:
    """The subject as the requests committed it (the test's session may hold an older copy)."""
    db.session.expire_all()
    return db.session.get(Subject, subject_id)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_privacy_officer_corrects_a_name_and_bsn_on_the_request_page(client, db, rectificatie, login, auth):
    w = rectificatie
    login(w["privacy"])
    url = f"/verzoeken/{w['request'].id}"
    body = page(client, url)
    assert "Corrigeer Jan de Vries" in body and "Nog niets gecorrigeerd" in body
    prefix = f"correctie-{w['person'].id}-"
    response = auth.post(f"{url}/rectificatie/{w['person'].id}", {
        prefix + "name": "Jan de  Vries-Bakker", prefix + "date_of_birth": "17-05-1980", prefix + "bsn": "123456782",
        prefix + "postcode": "1234 AB", prefix + "huisnummer": "5", prefix + "toevoeging": ""}, form_url=url)
    assert response.status_code == 302, response.get_data(as_text=True)
    person = stored(db, w["person"].id)
    assert (person.name, person.name_key, person.bsn) == ("Jan de Vries-Bakker", "jan de vries-bakker", "123456782")
    history = db.session.scalars(sa.select(SubjectCorrection).order_by(SubjectCorrection.field)).all()
    assert [(c.field, c.old_value, c.new_value) for c in history] == [
        ("bsn", "111222333", "123456782"), ("name", "Jan de Vries", "Jan de Vries-Bakker")]
    body = page(client, url)
    assert "Geschiedenis van de correcties" in body and "111222333" in body and "Jan de Vries-Bakker" in body


def test_a_wrong_bsn_is_refused_next_to_its_field_and_nothing_changes(client, db, rectificatie, login, auth):
    w = rectificatie
    login(w["privacy"])
    url = f"/verzoeken/{w['request'].id}"
    prefix = f"correctie-{w['person'].id}-"
    response = auth.post(f"{url}/rectificatie/{w['person'].id}", {
        prefix + "name": "Jan de Vries", prefix + "date_of_birth": "17-05-1980", prefix + "bsn": "123456789",
        prefix + "postcode": "1234AB", prefix + "huisnummer": "5"}, form_url=url)
    assert response.status_code == 400
    assert "elfproef" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SubjectCorrection)) == 0
    assert stored(db, w["person"].id).bsn == "111222333"


def test_partners_and_procesregisseur_are_notified_and_the_audit_names_fields_only(client, db, rectificatie, login,
                                                                                      auth):
    w = rectificatie
    login(w["privacy"])
    url = f"/verzoeken/{w['request'].id}"
    prefix = f"correctie-{w['person'].id}-"
    auth.post(f"{url}/rectificatie/{w['person'].id}", {
        prefix + "name": "Johan de Vries", prefix + "date_of_birth": "17-05-1980", prefix + "bsn": "111222333",
        prefix + "postcode": "1234AB", prefix + "huisnummer": "5"}, form_url=url)
    notified = db.session.execute(sa.select(Notification.user_id, Notification.case_id, Notification.kind,
                                            Notification.title)).all()
    first = w["cases"][0]
    assert {(user, case) for user, case, _kind, _title in notified} == {
        (w["regisseur"].id, first.id), (w["contact"].id, first.id),
        # no contact person on the police's participation in the third case: the police's partner users
        (w["partner"].id, w["cases"][2].id), (w["contact"].id, w["cases"][2].id)}
    assert all(kind == "subject_corrected" for _user, _case, kind, _title in notified)
    assert all("Vries" not in title for *_rest, title in notified)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "subject.corrected"))
    assert event.details["fields"] == ["name"] and event.purpose == w["request"].reference
    assert "Vries" not in str(event.details) and "Johan" not in str(event.details)
    lines = db.session.scalars(sa.select(TimelineEvent.summary).where(TimelineEvent.kind == "subject.corrected")).all()
    assert lines == ["Gegevens van een betrokkene gecorrigeerd"] * 3


def test_the_history_is_seen_by_the_privacy_officer_only(client, db, rectificatie, login, auth, api):
    w = rectificatie
    login(w["privacy"])
    url = f"/verzoeken/{w['request'].id}"
    prefix = f"correctie-{w['person'].id}-"
    auth.post(f"{url}/rectificatie/{w['person'].id}", {
        prefix + "name": "Johan de Vries", prefix + "date_of_birth": "17-05-1980", prefix + "bsn": "111222333",
        prefix + "postcode": "1234AB", prefix + "huisnummer": "5"}, form_url=url)
    case = w["cases"][0]
    for someone in (w["regisseur"], w["contact"], w["supervisor"]):
        auth.logout()
        login(someone)
        assert client.get(url).status_code == 403
        for tab in ("", "/betrokkenen", "/tijdlijn"):
            body = client.get(f"/casussen/{case.id}{tab}").get_data(as_text=True)
            assert "Jan de Vries" not in body, (someone.email, tab)
        for path in (f"/cases/{case.id}", f"/cases/{case.id}/timeline", f"/data-subject-requests/{w['request'].id}"):
            assert "Jan de Vries" not in api(someone, "GET", path).get_data(as_text=True)
    assert "Johan de Vries" in client.get(f"/casussen/{case.id}/betrokkenen").get_data(as_text=True)


def test_the_api_corrects_and_refuses_an_unconfirmed_subject(db, rectificatie, api):
    w = rectificatie
    path = f"/data-subject-requests/{w['request'].id}/corrections"
    body = ok(api(w["privacy"], "POST", path, json={"subjectId": w["person"].id,
                                                     "changes": {"dateOfBirth": "1980-05-18", "toevoeging": "a"}}), 201)
    assert sorted((item["field"], item["oldValue"], item["newValue"]) for item in body["items"]) == [
        ("date_of_birth", "1980-05-17", "1980-05-18"), ("toevoeging", None, "A")]
    assert stored(db, w["person"].id).date_of_birth == date(1980, 5, 18)
    refused = api(w["privacy"], "POST", path, json={"subjectId": w["other"].id, "changes": {"name": "X"}})
    assert refused.status_code == 404 and refused.mimetype == "application/problem+json"
    assert api(w["supervisor"], "POST", path, json={"subjectId": w["person"].id,
                                                    "changes": {"name": "X"}}).status_code == 404
    assert stored(db, w["person"].id).name == "Jan de Vries"


def test_the_request_page_costs_the_same_with_one_or_many_confirmed_subjects(client, db, rectificatie, login,
                                                                              make_subject, count_queries):
    from casus.subject_requests.models import SubjectCorrection, SubjectRequestMatch, SubjectRestriction

    w = rectificatie
    login(w["privacy"])
    url = f"/verzoeken/{w['request'].id}"

    def cost() -> int:
        client.get(url)  # warm-up: a session touch writes once, not per row
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    one = cost()
    for number in range(4):
        subject = make_subject(name=f"Jan de Vries {number}")
        db.session.add_all([
            SubjectRequestMatch(request_id=w["request"].id, subject_id=subject.id, confirmed_by_id=w["privacy"].id),
            SubjectRestriction(subject_id=subject.id, request_id=w["request"].id, reason="Betwist",
                               placed_by_id=w["privacy"].id),
            SubjectCorrection(subject_id=subject.id, request_id=w["request"].id, field="name", old_value="Jan",
                              new_value=f"Jan de Vries {number}", corrected_by_id=w["privacy"].id)])
    db.session.flush()
    assert cost() == one
