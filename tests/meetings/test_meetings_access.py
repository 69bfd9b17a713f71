"""Need-to-know in meetings: an attendee sees the meeting and only the agenda items and minutes of cases its
organisation takes part in — the others are absent, in pages and API alike; a non-invited organisation gets 404."""

import re

import pytest
from meeting_factories import NotifyRecorder, build_world, started

from casus.meetings.minutes import add_decision

OTHER_CASE_TRACES = ("Verborgen Hofje", "Geheime beeldvorming Hofje")


@pytest.fixture(autouse=True)
def quiet_calendar(monkeypatch):
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", NotifyRecorder())


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case):
    world = build_world(db, make_organisation, make_team, make_user, make_case)
    started(db, world.meeting)
    add_decision(world.regisseur, world.meeting, world.corporatie_item, world.corporatie_case,
                 text="Geheim besluit corporatie")
    return world


def _absent(text: str, world) -> None:
    for trace in (*OTHER_CASE_TRACES, "Geheim besluit corporatie", world.corporatie_case.reference,
                  f"punt-{world.corporatie_item.id}"):
        assert trace not in text, trace
    assert not re.search(r"\d+ andere (punten|casussen)", text)


def test_attendee_page_shows_only_its_own_cases(client, world, login_as):
    login_as("partner", organisation=world.politie)
    page = client.get(f"/overleggen/{world.meeting.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Overlast Kerkstraat" in text and world.politie_case.reference in text
    assert "Stadhuis, zaal 2" in text
    _absent(text, world)
    assert "Besluit vastleggen" not in text and "Overleg afsluiten" not in text  # read-only
    assert world.corporatie_case.reference not in client.get("/overleggen").get_data(as_text=True)


def test_attendee_api_shows_only_its_own_cases(api, world, make_user):
    partner = make_user("partner", organisation=world.politie)
    for path in (f"/meetings/{world.meeting.id}", f"/meetings/{world.meeting.id}/agenda",
                 f"/meetings/{world.meeting.id}/minutes", "/meetings"):
        response = api(partner, "GET", path)
        assert response.status_code == 200, path
        _absent(response.get_data(as_text=True), world)
    agenda = api(partner, "GET", f"/meetings/{world.meeting.id}/agenda").get_json()
    assert [item["case"]["id"] for item in agenda] == [world.politie_case.id]
    assert api(partner, "GET", f"/agenda-items/{world.corporatie_item.id}").status_code == 404
    assert api(partner, "GET", f"/agenda-items/{world.corporatie_item.id}/decisions").status_code == 404
    assert api(partner, "GET", f"/agenda-items/{world.politie_item.id}").status_code == 200


def test_the_other_attendee_sees_the_mirror_image(api, world, make_user):
    partner = make_user("partner", organisation=world.corporatie)
    agenda = api(partner, "GET", f"/meetings/{world.meeting.id}/agenda").get_json()
    assert [item["case"]["id"] for item in agenda] == [world.corporatie_case.id]
    assert "Overlast Kerkstraat" not in api(partner, "GET", f"/meetings/{world.meeting.id}/minutes").get_data(
        as_text=True)


@pytest.mark.parametrize("roles", [("partner",), ("riec",), ("procesregisseur",)])
def test_a_non_invited_organisation_gets_404(client, api, world, login_as, make_team, roles):
    fields = {"organisation": world.outsider}
    if "procesregisseur" in roles:
        fields["team"] = make_team(organisation=world.outsider)
    user = login_as(*roles, **fields)
    for url in (f"/overleggen/{world.meeting.id}", f"/overleggen/{world.meeting.id}/wijzigen",
                f"/casussen/{world.politie_case.id}/overleggen"):
        assert client.get(url).status_code == 404, url
    assert world.meeting.title not in client.get("/overleggen").get_data(as_text=True)
    for path in (f"/meetings/{world.meeting.id}", f"/meetings/{world.meeting.id}/agenda",
                 f"/meetings/{world.meeting.id}/minutes", f"/agenda-items/{world.politie_item.id}"):
        response = api(user, "GET", path)
        assert response.status_code == 404, path
        _absent(response.get_data(as_text=True), world)
    assert api(user, "GET", "/meetings").get_json()["items"] == []


def test_beheerder_and_privacy_of_an_invited_organisation_see_no_meeting(client, world, login_as):
    login_as("beheerder", organisation=world.politie)
    assert client.get(f"/overleggen/{world.meeting.id}").status_code == 404
    assert client.get("/overleggen").status_code == 403


def test_attendee_cannot_change_the_meeting(client, auth, api, world, login_as):
    partner = login_as("partner", organisation=world.politie)
    url = f"/overleggen/{world.meeting.id}"
    assert auth.post(f"{url}/agenda/{world.politie_item.id}/verslag", form_url=url,
                     data={"beeldvorming": "x"}).status_code == 403
    assert auth.post(f"{url}/afsluiten", form_url=url, data={"version": world.meeting.version}).status_code == 403
    assert client.get(f"{url}/wijzigen").status_code == 403
    response = api(partner, "PATCH", f"/agenda-items/{world.politie_item.id}",
                   json={"beeldvorming": "x", "version": world.politie_item.version})
    assert response.status_code == 403
    response = api(partner, "PATCH", f"/meetings/{world.meeting.id}",
                   json={"version": world.meeting.version, "status": "geannuleerd"})
    assert response.status_code == 403


def test_the_case_tab_lists_only_meetings_the_user_may_see(client, world, login_as, make_organisation):
    # A participant of the case whose organisation is not invited: the case is visible, the meeting is not.
    from casus.cases.models import LegalBasis, Participation
    from casus.clock import today
    from casus.extensions import db

    ggz = make_organisation(name="GGZ Deelnemer")
    db.session.add(Participation(case_id=world.politie_case.id, organisation_id=ggz.id, role="deelnemer",
                                 legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.flush()
    login_as("partner", organisation=ggz)
    page = client.get(f"/casussen/{world.politie_case.id}/overleggen")
    assert page.status_code == 200
    assert f"/overleggen/{world.meeting.id}" not in page.get_data(as_text=True)
