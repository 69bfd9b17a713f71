"""Nazorg check-ins as records: planned when a case steps down to nazorg (or lazily for cases already there),
recorded by the case's team with date, contact, outcome and a signal of relapse, which offers the relapse step."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.clock import cadences, today
from casus.nazorg import services
from casus.nazorg.models import NazorgCheckin
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from casus.versioning import StaleVersion

from support import csrf_from


def rows(db, case):
    return list(db.session.execute(sa.select(NazorgCheckin).where(NazorgCheckin.case_id == case.id)
                                   .order_by(NazorgCheckin.months)).scalars())


def test_stepping_down_to_nazorg_plans_the_check_ins_of_the_cadence(db, make_team, make_user, make_case):
    from casus.cases import services as cases

    team = make_team()
    regisseur = make_user("procesregisseur", organisation=team.organisation, team=team)
    case = make_case(team=team, phase="aanpak.uitvoering", procesregisseur=regisseur, evaluation="Doelen bereikt")
    cases.transition(regisseur, case, "step_down", reason="Doelen bereikt")
    planned = rows(db, case)
    assert [(c.months, c.planned_on, c.done_on) for c in planned] == [
        (months, day, None) for months, day in zip((3, 6), cadences().nazorg_checkins(today()), strict=True)]
    assert all(c.nazorg_started_on == today() for c in planned)


def test_a_case_already_in_nazorg_gets_its_rows_on_first_read_once(db, nazorg_world):
    case = nazorg_world["case"]
    assert rows(db, case) == []
    first = services.checkins_of(case)
    assert [c.months for c in first] == [3, 6]
    assert [c.id for c in services.checkins_of(case)] == [c.id for c in first]
    assert services.plan_checkins(case) == 0  # idempotent: the unique constraint and ON CONFLICT DO NOTHING


def test_recording_a_check_in_is_checked_versioned_audited_and_on_the_timeline(db, nazorg_world):
    w = nazorg_world
    case, regisseur = w["case"], w["regisseur"]
    three = services.checkins_of(case)[0]

    def attempt(**changes):
        values = {"done_on": today(), "contact_made": True, "outcome": "Gaat goed", "relapse_signal": False,
                  "expected_version": three.version, **changes}
        return services.record_checkin(regisseur, case, three, **values)

    for changes, field in (({"done_on": today() + timedelta(days=1)}, "done_on"),
                           ({"done_on": case.nazorg_started_on - timedelta(days=1)}, "done_on"),
                           ({"done_on": None}, "done_on"), ({"contact_made": None}, "contact_made")):
        with pytest.raises(ServiceError) as refused:
            attempt(**changes)
        assert refused.value.field == field
    with pytest.raises(StaleVersion):
        attempt(expected_version=three.version + 1)

    attempt(outcome="Vertrouwelijke uitkomst over het gezin")
    assert three.done_on == today() and three.contact_made is True and three.recorded_by_id == regisseur.id
    line = db.session.execute(sa.select(TimelineEvent).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == "nazorg_checkin.recorded")).scalar_one()
    assert line.summary == "Nazorgcontact na 3 maanden vastgelegd; contact gelegd"
    assert "Vertrouwelijke" not in line.summary
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "nazorg_checkin.recorded")
                               ).scalar_one()
    assert event.case_id == case.id and event.details["relapse_signal"] is False


def test_a_check_in_of_an_earlier_nazorg_period_is_not_recorded_any_more(db, nazorg_world):
    w = nazorg_world
    three = services.checkins_of(w["case"])[0]
    w["case"].phase, w["case"].nazorg_started_on = "aanpak.uitvoering", None
    db.session.flush()
    with pytest.raises(ServiceError) as refused:
        services.record_checkin(w["regisseur"], w["case"], three, done_on=today(), contact_made=True, outcome=None,
                                relapse_signal=False)
    assert refused.value.status == 409


def test_partners_read_the_nazorg_page_and_only_the_team_records(client, db, auth, nazorg_world):
    w = nazorg_world
    url = f"/casussen/{w['case'].id}/nazorg"
    auth.login_with_totp(w["partner"])
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "na 3 maanden" in text and "na 6 maanden" in text and "Nazorgcontact vastleggen" not in text
    three = services.checkins_of(w["case"])[0]
    response = client.post(f"{url}/{three.id}", data={
        "csrf_token": csrf_from(page), "version": three.version, "done_on": today().strftime("%d-%m-%Y"),
        "contact_made": "ja"})
    assert response.status_code == 403
    auth.logout()
    auth.login_with_totp(w["outsider"])
    assert client.get(url).status_code == 404


def test_the_manager_records_a_relapse_signal_and_is_offered_the_relapse_step(client, db, auth, nazorg_world):
    w = nazorg_world
    url = f"/casussen/{w['case'].id}/nazorg"
    auth.login_with_totp(w["regisseur"])
    page = client.get(url)
    text = page.get_data(as_text=True)
    assert "Nazorgcontact na 3 maanden vastleggen" in text and "Terugval: terug naar de uitvoering" not in text
    three = services.checkins_of(w["case"])[0]
    bad = client.post(f"{url}/{three.id}", data={
        "csrf_token": csrf_from(page), "version": three.version,
        "done_on": (today() + timedelta(days=2)).strftime("%d-%m-%Y"), "contact_made": ""})
    assert bad.status_code == 400
    assert "De datum van het contact ligt niet in de toekomst." in bad.get_data(as_text=True) or \
        "Geef aan of er contact is geweest." in bad.get_data(as_text=True)
    saved = client.post(f"{url}/{three.id}", data={
        "csrf_token": csrf_from(page), "version": three.version, "done_on": today().strftime("%d-%m-%Y"),
        "contact_made": "nee", "outcome": "Niet thuis, buren melden weer overlast", "relapse_signal": "y"})
    assert saved.status_code == 302
    page = client.get(url)
    text = page.get_data(as_text=True)
    assert "Terugval: terug naar de uitvoering" in text and "Niet thuis, buren melden weer overlast" in text
    assert "Signaal van terugval bij het nazorgcontact na 3 maanden." in text
    db.session.refresh(w["case"])
    moved = client.post(f"/casussen/{w['case'].id}/overgang", data={
        "csrf_token": csrf_from(page), "version": w["case"].version, "trigger": "relapse",
        "reason": "Signaal van terugval bij het nazorgcontact na 3 maanden."})
    assert moved.status_code == 302
    db.session.refresh(w["case"])
    assert w["case"].phase == "aanpak.uitvoering"
    assert "Terugval: terug naar de uitvoering" not in client.get(url).get_data(as_text=True)


def test_the_nazorg_page_reads_a_fixed_number_of_queries(client, db, auth, nazorg_world, count_queries):
    w = nazorg_world
    url = f"/casussen/{w['case'].id}/nazorg"
    auth.login_with_totp(w["regisseur"])
    client.get(url)  # plans the rows of the current period
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for started in range(5):  # earlier nazorg periods of a case that relapsed again and again
        for months in (3, 6):
            db.session.add(NazorgCheckin(case_id=w["case"].id, months=months,
                                         nazorg_started_on=today() - timedelta(days=900 + started),
                                         planned_on=today() - timedelta(days=800 + started)))
    db.session.flush()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, many.statements
