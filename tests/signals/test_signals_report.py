"""Signaal melden in the web UI: two subjects, every validation error, "Nog een betrokkene", known-elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from signals_helpers import INVALID_BSN, VALID_BSN, audit_actions, count, signal_form


def _models():
    from casus.signals.models import Signal, SignalSubject
    from casus.subjects.models import Subject

    return Signal, SignalSubject, Subject


def test_the_form_offers_active_categories_and_teams_as_gemeente_and_team(client, login_as, region):
    login_as("partner", organisation=region.politie)
    page = client.get("/signalen/nieuw").get_data(as_text=True)
    assert "Voorbeeldstad — Team Centrum" in page
    assert "Woonoverlast" in page
    assert 'name="subjects-0-name"' in page and 'name="subjects-1-name"' not in page
    assert 'name="subjects-0-straat"' in page and 'name="subjects-0-woonplaats"' in page
    assert "Nog een betrokkene" in page


def test_roles_without_signals_cannot_report(client, login_as, region):
    login_as("beheerder", organisation=region.zvh)
    assert client.get("/signalen/nieuw").status_code == 403


def test_partner_reports_a_signal_with_two_subjects(client, auth, login_as, region, db):
    Signal, SignalSubject, Subject = _models()
    agent = login_as("partner", organisation=region.politie)
    response = auth.post("/signalen/nieuw", signal_form(region, [
        {"kind": "persoon", "name": "Jan de Vries", "date_of_birth": "21-11-1980", "bsn": VALID_BSN},
        {"kind": "adres", "postcode": "1234 ab", "huisnummer": "12", "toevoeging": "a",
         "straat": " Dorpsstraat ", "woonplaats": "Voorbeeldstad"},
    ], urgency="hoog"))
    assert response.status_code == 302
    signal = db.session.execute(sa.select(Signal)).unique().scalar_one()
    assert response.headers["Location"].endswith(f"/signalen/{signal.id}")
    assert signal.reporting_organisation_id == region.politie.id and signal.reported_by_id == agent.id
    assert signal.urgency == "hoog" and signal.status == "ontvangen" and signal.team_id == region.team.id
    subjects = db.session.execute(
        sa.select(Subject).join(SignalSubject, SignalSubject.subject_id == Subject.id).order_by(Subject.id)
    ).scalars().all()
    assert [(s.kind, s.name, str(s.date_of_birth), s.bsn) for s in subjects[:1]] == [
        ("persoon", "Jan de Vries", "1980-11-21", VALID_BSN)]
    assert (subjects[1].kind, subjects[1].postcode, subjects[1].huisnummer, subjects[1].toevoeging) == (
        "adres", "1234AB", 12, "A")
    assert (subjects[1].straat, subjects[1].woonplaats) == ("Dorpsstraat", "Voorbeeldstad")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dorpsstraat 12-A, 1234 AB Voorbeeldstad" in page
    assert f"Uw signaal is ontvangen onder kenmerk {signal.reference}" in page
    assert "al bekend" not in page
    assert [event.object_id for event in audit_actions(db, "signal.view")] == [str(signal.id)]


@pytest.mark.parametrize(("subject", "field", "message"), [
    ({"name": "Jan de Vries", "bsn": INVALID_BSN}, "subjects-0-bsn", "de elfproef faalt"),
    ({"kind": "adres", "postcode": "12345", "huisnummer": "3"}, "subjects-0-postcode",
     "Vul een postcode in als 1234 AB."),
    ({"kind": "bedrijf", "name": "Handel B.V.", "kvk_nummer": "1234567"}, "subjects-0-kvk_nummer",
     "Een KvK-nummer bestaat uit acht cijfers."),
    ({"name": "Jan de Vries", "date_of_birth": "FUTURE"}, "subjects-0-date_of_birth",
     "Een geboortedatum kan niet in de toekomst liggen."),
    ({"name": "Jan de Vries", "date_of_birth": "31-02-1980"}, "subjects-0-date_of_birth", "dd-mm-jjjj"),
    ({}, "subjects-0-name", "Voeg minstens één betrokkene toe."),
    ({"kind": "persoon", "bsn": VALID_BSN}, "subjects-0-name", "Vul een naam in."),
])
def test_each_bad_subject_gets_a_dutch_message_next_to_its_field_and_nothing_is_stored(
        client, auth, login_as, region, db, subject, field, message):
    from casus.clock import today

    Signal, SignalSubject, Subject = _models()
    login_as("partner", organisation=region.politie)
    if subject.get("date_of_birth") == "FUTURE":
        subject = {**subject, "date_of_birth": (today() + timedelta(days=2)).strftime("%d-%m-%Y")}
    response = auth.post("/signalen/nieuw", signal_form(region, [subject]), form_url="/signalen/nieuw")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page
    error_block = page.split(f'id="{field}-error"', 1)[1].split("</div>", 1)[0]
    assert message in error_block
    assert f'href="#{field}"' in page  # the error summary links to the field
    for value in subject.values():
        if value not in ("persoon", "adres", "bedrijf"):
            assert f'value="{value}"' in page  # input kept
    assert count(db, Signal) == count(db, SignalSubject) == count(db, Subject) == 0


def test_a_huge_description_is_refused_and_nothing_is_stored(client, auth, login_as, region, db):
    Signal, _SignalSubject, Subject = _models()
    login_as("partner", organisation=region.politie)
    response = auth.post("/signalen/nieuw", signal_form(region, [{"name": "Jan"}], description="x" * 20_001))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Gebruik hoogstens 20000 tekens." in page.split('id="description-error"', 1)[1]
    assert count(db, Signal) == count(db, Subject) == 0


def test_errors_in_two_subjects_are_shown_at_once(client, auth, login_as, region, db):
    Signal, _SignalSubject, _Subject = _models()
    login_as("partner", organisation=region.politie)
    response = auth.post("/signalen/nieuw", signal_form(region, [
        {"name": "Jan", "bsn": INVALID_BSN}, {"kind": "adres", "postcode": "AB 1234", "huisnummer": "x"}]))
    page = response.get_data(as_text=True)
    for field in ("subjects-0-bsn", "subjects-1-postcode", "subjects-1-huisnummer"):
        assert f'id="{field}-error"' in page
    assert "Betrokkene 2: Postcode" in page
    assert count(db, Signal) == 0


def test_a_service_refusal_after_valid_subjects_changes_nothing(client, auth, login_as, region, db):
    Signal, _SignalSubject, Subject = _models()
    login_as("partner", organisation=region.politie)
    region.category.active = False
    db.session.flush()
    response = auth.post("/signalen/nieuw", signal_form(region, [{"name": "Jan"}]))
    assert response.status_code == 200
    assert count(db, Signal) == count(db, Subject) == 0


def test_nog_een_betrokkene_adds_a_row_and_saves_nothing(client, auth, login_as, region, db):
    Signal, _SignalSubject, Subject = _models()
    login_as("partner", organisation=region.politie)
    data = signal_form(region, [{"name": "Jan de Vries", "bsn": INVALID_BSN}], add_subject="1")
    response = auth.post("/signalen/nieuw", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="subjects-1-name"' in page and 'name="subjects-2-name"' not in page
    assert 'value="Jan de Vries"' in page
    assert "elfproef" not in page  # not validated yet
    assert count(db, Signal) == count(db, Subject) == 0
    data = signal_form(region, [{"name": "Jan de Vries"}, {"name": "Piet"}], add_subject="1")
    page = auth.post("/signalen/nieuw", data).get_data(as_text=True)
    assert 'name="subjects-2-name"' in page and 'value="Piet"' in page


def test_blank_extra_rows_are_skipped(client, auth, login_as, region, db):
    Signal, SignalSubject, _Subject = _models()
    login_as("partner", organisation=region.politie)
    response = auth.post("/signalen/nieuw", signal_form(region, [{"name": "Jan"}, {"kind": "adres"}]))
    assert response.status_code == 302
    assert count(db, Signal) == 1 and count(db, SignalSubject) == 1


def test_known_elsewhere_names_only_the_contact_and_is_audited(client, auth, login_as, region, db, make_case,
                                                               make_subject):
    known = make_subject(name="Piet Pieters", bsn=VALID_BSN)
    hidden = make_case(team=region.team, partners=[region.corporatie], subjects=[known],
                       procesregisseur=region.regisseur, title="Geheime casus Pieters", phase="triage")
    login_as("partner", organisation=region.politie)
    response = auth.post("/signalen/nieuw", signal_form(region, [{"name": "P. Pieters", "bsn": VALID_BSN}]),
                         follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("Deze betrokkene is al bekend bij een lopende casus. Neem contact op met Ria Regisseur "
            "(Team Centrum).") in page
    for secret in (hidden.reference, hidden.title, "Piet Pieters", "Woonstichting"):
        assert secret not in page
    events = audit_actions(db, "subject.known_elsewhere")
    assert [(e.object_type, e.object_id, e.case_id) for e in events] == [("subject", str(known.id), hidden.id)]
    for url in ("/signalen", *(f"/signalen/{e}" for e in _signal_ids(db))):
        text = client.get(url).get_data(as_text=True)
        assert hidden.reference not in text and hidden.title not in text and "Piet Pieters" not in text


def test_no_known_elsewhere_hint_for_a_case_the_reporter_takes_part_in(client, auth, login_as, region, db,
                                                                       make_case, make_subject):
    known = make_subject(name="Piet Pieters", bsn=VALID_BSN)
    make_case(team=region.team, partners=[region.politie], subjects=[known], procesregisseur=region.regisseur)
    login_as("partner", organisation=region.politie)
    page = auth.post("/signalen/nieuw", signal_form(region, [{"name": "Piet Pieters", "bsn": VALID_BSN}]),
                     follow_redirects=True).get_data(as_text=True)
    assert "al bekend" not in page
    assert audit_actions(db, "subject.known_elsewhere") == []


def _signal_ids(db):
    Signal, _SignalSubject, _Subject = _models()
    return db.session.execute(sa.select(Signal.id)).scalars().all()


def test_the_bsn_never_appears_in_a_url(client, auth, login_as, region, db):
    login_as("partner", organisation=region.politie)
    response = auth.post("/signalen/nieuw", signal_form(region, [{"name": "Jan", "bsn": VALID_BSN}]))
    assert VALID_BSN not in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert VALID_BSN not in page  # the reporter sees the kinds of subjects, not their identifiers
