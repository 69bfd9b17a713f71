"""The meeting pages: list, meeting page with agenda/minutes/decisions for the chair, planning and series pages,
the case file's meetings tab; query counts that do not grow with the number of rows."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from meeting_factories import NotifyRecorder, add_item, add_meeting, build_world, local, started

from casus.cases.models import Case
from casus.clock import today
from casus.meetings.minutes import add_decision
from casus.meetings.models import AgendaItem, Decision, Meeting, MeetingSeries
from casus.plans.models import Action


@pytest.fixture(autouse=True)
def notified(monkeypatch):
    recorder = NotifyRecorder()
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", recorder)
    return recorder


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case, login_as):
    world = build_world(db, make_organisation, make_team, make_user, make_case, login_as=login_as)
    started(db, world.meeting)
    return world


def test_index_lists_coming_meetings_and_past_ones_on_request(client, db, world):
    past = add_meeting(db, world.team, starts_at=local(today() - timedelta(days=14)), title="Overleg van vroeger")
    page = client.get("/overleggen")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"/overleggen/{world.meeting.id}" in text and f"/overleggen/{past.id}\"" not in text
    earlier = client.get("/overleggen?periode=verleden").get_data(as_text=True)
    assert f"/overleggen/{past.id}" in earlier and f"/overleggen/{world.meeting.id}\"" not in earlier


def test_index_is_keyset_paginated(app, client, db, world):
    for days in range(8, 8 + 30):
        add_meeting(db, world.team, starts_at=local(today() + timedelta(days=days)))
    first = client.get("/overleggen").get_data(as_text=True)
    assert 'rel="next"' in first
    import re

    next_url = re.search(r'href="([^"]*na=[^"]+)" rel|rel="next" href="([^"]+)"', first)
    url = (next_url.group(1) or next_url.group(2)).replace("&amp;", "&")
    second = client.get(url)
    assert second.status_code == 200 and "Casusoverleg" in second.get_data(as_text=True)


def test_meeting_page_shows_agenda_minutes_and_forms_to_the_chair(client, world):
    page = client.get(f"/overleggen/{world.meeting.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for expected in ("Overlast Kerkstraat", "Verborgen Hofje", "Beeldvorming", "Oordeelsvorming", "Besluitvorming",
                     "Besluit vastleggen", "Aanwezigheid opslaan", "Overleg afsluiten", "Politie Eenheid Voorbeeld"):
        assert expected in text, expected


def test_the_chair_minutes_a_case_and_a_decision_becomes_an_action(client, auth, db, world):
    meeting, item = world.meeting, world.politie_item
    url = f"/overleggen/{meeting.id}"
    response = auth.post(f"{url}/agenda/{item.id}/verslag", form_url=url, data={
        "beeldvorming": "Lawaai in de nacht", "oordeelsvorming": "Zorgelijk", "besluitvorming": "Huisbezoek",
        "discussed": "y", "version": item.version})
    assert response.status_code == 302
    due = today() + timedelta(days=10)
    response = auth.post(f"{url}/agenda/{item.id}/besluiten", form_url=url, data={
        "text": "Wijkagent legt huisbezoek af", "as_action": "y", "owner_organisation_id": str(world.politie.id),
        "due_on": due.isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)
    decision = db.session.execute(sa.select(Decision)).scalar_one()
    action = db.session.get(Action, decision.action_id)
    assert (action.owner_organisation_id, action.due_on, action.case_id) == (world.politie.id, due,
                                                                             world.politie_case.id)
    plan = client.get(f"/casussen/{world.politie_case.id}/plan").get_data(as_text=True)
    assert "Wijkagent legt huisbezoek af" in plan
    page = client.get(url).get_data(as_text=True)
    assert "actie voor Politie Eenheid Voorbeeld" in page
    # A decision without a due date shows the error next to the field and changes nothing.
    response = auth.post(f"{url}/agenda/{item.id}/besluiten", form_url=url, data={
        "text": "Zonder datum", "as_action": "y", "owner_organisation_id": str(world.politie.id)})
    assert response.status_code == 400 and "Vul een uiterste datum in." in response.get_data(as_text=True)


def test_a_decision_without_an_action_shows_on_the_meeting_page(client, db, world):
    """Regression: the action owner's inner eager join dropped every decision that is not an action."""
    add_decision(world.regisseur, world.meeting, world.politie_item, world.politie_case,
                 text="Over vier weken opnieuw bespreken")
    db.session.flush()
    page = client.get(f"/overleggen/{world.meeting.id}").get_data(as_text=True)
    assert "Over vier weken opnieuw bespreken" in page


def test_agenda_add_reorder_remove_and_attendance(client, auth, db, world, make_case):
    url = f"/overleggen/{world.meeting.id}"
    extra = make_case(team=world.team, partners=[world.politie, world.zvh], phase="aanpak.plan", title="Nieuw Plein")
    response = auth.post(f"{url}/agenda", data={"reference": extra.reference, "purpose": "nieuw"})
    assert response.status_code == 302
    again = auth.post(f"{url}/agenda", data={"reference": extra.reference, "purpose": "nieuw"})
    assert again.status_code == 409 and "Deze casus staat al op de agenda." in again.get_data(as_text=True)
    unknown = auth.post(f"{url}/agenda", data={"reference": "2099-99999", "purpose": "nieuw"})
    assert unknown.status_code == 400 and "geen casus met dit nummer" in unknown.get_data(as_text=True)
    items = lambda: list(db.session.execute(  # noqa: E731
        sa.select(AgendaItem.case_id).where(AgendaItem.meeting_id == world.meeting.id)
        .order_by(AgendaItem.position).execution_options(populate_existing=True)).scalars())
    assert items()[-1] == extra.id
    new_item = db.session.execute(sa.select(AgendaItem).where(AgendaItem.case_id == extra.id)).scalar_one()
    assert auth.post(f"{url}/agenda/{new_item.id}/omhoog", form_url=url).status_code == 302
    assert items() == [world.politie_case.id, extra.id, world.corporatie_case.id]
    response = auth.post(f"{url}/agenda/{new_item.id}/verwijderen", form_url=url,
                         data={"version": new_item.version})
    assert response.status_code == 302
    assert items() == [world.politie_case.id, world.corporatie_case.id]
    response = auth.post(f"{url}/aanwezigheid", data={
        "version": world.meeting.version, "rows-0-organisation_id": str(world.politie.id), "rows-0-present": "y",
        "rows-0-names": "J. Jansen",
        "rows-1-organisation_id": str(world.corporatie.id), "rows-1-names": ""})
    assert response.status_code == 302
    assert "J. Jansen" in client.get(url).get_data(as_text=True)


def test_closing_the_meeting_from_the_page(client, auth, db, world):
    held = add_meeting(db, world.team, starts_at=local(today()), invited=[world.politie], chair=world.regisseur)
    add_item(db, held, world.politie_case, discussed=True)
    url = f"/overleggen/{held.id}"
    response = auth.post(f"{url}/afsluiten", data={"version": held.version})
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, world.politie_case.id)
    assert case.plan_discussed_on == today() and case.next_review_on == today() + timedelta(days=28)
    assert db.session.get(Meeting, held.id).status == "gehouden"
    timeline = client.get(f"/casussen/{case.id}/tijdlijn").get_data(as_text=True)
    assert f"Besproken in casusoverleg {today():%d-%m-%Y}" in timeline


def test_plan_move_and_cancel_a_single_meeting(client, auth, db, world, notified):
    day = today() + timedelta(days=12)
    response = auth.post("/overleggen/nieuw", data={
        "type": "zorgnetwerkoverleg", "title": "Zorgnetwerk Oost", "day": day.isoformat(), "start_time": "10:00",
        "duration_minutes": "60", "location": "Wijkcentrum Oost", "online_url": "", "chair_id": str(world.regisseur.id),
        "organisation_ids": [str(world.politie.id)]})
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting = db.session.execute(sa.select(Meeting).where(Meeting.title == "Zorgnetwerk Oost")).scalar_one()
    assert notified.calls[-1] == (meeting.id, "new", 0)
    url = f"/overleggen/{meeting.id}/wijzigen"
    assert client.get(url).status_code == 200
    response = auth.post(url, data={"version": meeting.version, "day": (day + timedelta(days=1)).isoformat(),
                                    "start_time": "11:00", "duration_minutes": "60", "location": "Wijkcentrum Oost",
                                    "online_url": "https://vergader.example.org/oost"})
    assert response.status_code == 302
    assert notified.calls[-1] == (meeting.id, "moved", 1)
    db.session.expire_all()
    response = auth.post(f"/overleggen/{meeting.id}/annuleren", form_url=url,
                         data={"version": db.session.get(Meeting, meeting.id).version})
    assert response.status_code == 302
    assert notified.calls[-1] == (meeting.id, "cancelled", 2)
    invalid = auth.post("/overleggen/nieuw", data={"type": "casusoverleg", "title": "", "day": "gisteren"})
    assert invalid.status_code == 200 and "Controleer de gemarkeerde velden" in invalid.get_data(as_text=True)


def test_plan_a_series_from_its_page(client, auth, db, world):
    assert client.get("/overleggen/reeksen/nieuw").status_code == 200
    response = auth.post("/overleggen/reeksen/nieuw", data={
        "type": "casusoverleg", "title": "Casusoverleg West", "weekday": "1", "interval_weeks": "2",
        "start_time": "09:30", "duration_minutes": "120", "first_date": today().isoformat(), "last_date": "",
        "skip_holidays": "y", "location": "Stadhuis", "online_url": "", "chair_id": str(world.regisseur.id),
        "organisation_ids": [str(world.politie.id), str(world.corporatie.id)], "active": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    series = db.session.execute(sa.select(MeetingSeries)).scalar_one()
    assert db.session.execute(sa.select(sa.func.count(Meeting.id)).where(Meeting.series_id == series.id)).scalar() >= 3
    assert "Casusoverleg West" in client.get("/overleggen/reeksen").get_data(as_text=True)
    edit = client.get(f"/overleggen/reeksen/{series.id}")
    assert edit.status_code == 200 and "Komende overleggen" in edit.get_data(as_text=True)


def test_case_meetings_tab(client, world):
    page = client.get(f"/casussen/{world.politie_case.id}/overleggen")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"/overleggen/{world.meeting.id}" in text and 'aria-current="page">Overleggen' in text


def _more_meetings(db, team, invited, count):
    for days in range(count):
        add_meeting(db, team, starts_at=local(today() + timedelta(days=8 + days)), invited=invited)


def test_index_query_count_does_not_grow(client, db, world, count_queries):
    client.get("/overleggen")
    with count_queries() as one:
        assert client.get("/overleggen").status_code == 200
    _more_meetings(db, world.team, [world.politie], 50)
    with count_queries() as many:
        assert client.get("/overleggen").status_code == 200
    assert many.count == one.count, many.statements


def test_detail_query_count_does_not_grow(client, db, world, make_case, count_queries):
    url = f"/overleggen/{world.meeting.id}"
    add_decision(world.regisseur, world.meeting, world.politie_item, world.politie_case, text="Eerste",
                 as_action=True, owner_organisation_id=world.politie.id, due_on=today() + timedelta(days=5))
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for number in range(50):
        case = make_case(team=world.team, partners=[world.politie, world.zvh], phase="aanpak.uitvoering")
        item = add_item(db, world.meeting, case)
        add_decision(world.regisseur, world.meeting, item, case, text=f"Besluit {number}",
                     as_action=True, owner_organisation_id=world.politie.id,
                     due_on=today() + timedelta(days=5))
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, many.statements


def test_the_agenda_page_records_the_cases_the_user_was_shown(client, db, world, auth, login_as):
    """One event per view of the meeting page, with the agenda's cases that user may see (need-to-know)."""
    from casus.audit.models import AuditEvent, AuditShownCase

    def shown(user) -> set[int]:
        event = db.session.execute(sa.select(AuditEvent).where(
            AuditEvent.action == "meeting.agenda.view", AuditEvent.user_id == user.id)).scalar_one()
        assert (event.object_type, event.object_id) == ("meeting", str(world.meeting.id))
        return set(db.session.execute(sa.select(AuditShownCase.case_id)
                                      .where(AuditShownCase.event_id == event.id)).scalars())

    assert client.get(f"/overleggen/{world.meeting.id}").status_code == 200
    assert shown(world.regisseur) == {world.politie_case.id, world.corporatie_case.id}
    auth.logout()
    agent = login_as("partner", organisation=world.politie)
    assert client.get(f"/overleggen/{world.meeting.id}").status_code == 200
    assert shown(agent) == {world.politie_case.id}
