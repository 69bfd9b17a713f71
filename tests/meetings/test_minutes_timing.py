"""Minutes, attendance and decisions record what happened: only from the meeting's start. Before it the
services refuse (409, a Dutch message with the start), the API answers problem+json and the page shows the
message instead of the forms."""

from __future__ import annotations

import pytest
from meeting_factories import AMSTERDAM, NotifyRecorder, build_world, started

from casus.meetings.minutes import add_decision, record_attendance, save_minutes
from casus.services import ServiceError

MESSAGE = "Notulen kunnen pas vanaf het begin van het overleg worden vastgelegd"


@pytest.fixture(autouse=True)
def quiet_calendar(monkeypatch):
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", NotifyRecorder())


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case, login_as):
    return build_world(db, make_organisation, make_team, make_user, make_case, login_as=login_as)


def test_the_services_refuse_before_the_start(db, world):
    meeting, item, case = world.meeting, world.politie_item, world.politie_case
    attempts = (
        lambda: save_minutes(world.regisseur, meeting, item, beeldvorming="Te vroeg", oordeelsvorming=None,
                             besluitvorming=None, discussed=True),
        lambda: add_decision(world.regisseur, meeting, item, case, text="Te vroeg"),
        lambda: record_attendance(world.regisseur, meeting, {world.politie.id: (True, "J. Jansen")}),
    )
    start = meeting.starts_at.astimezone(AMSTERDAM)
    for attempt in attempts:
        with pytest.raises(ServiceError) as refused:
            attempt()
        assert refused.value.status == 409
        assert refused.value.message == f"{MESSAGE} ({start:%d-%m-%Y %H:%M})."
    started(db, meeting)
    save_minutes(world.regisseur, meeting, item, beeldvorming="Nu wel", oordeelsvorming=None, besluitvorming=None,
                 discussed=True)
    assert item.beeldvorming == "Nu wel"


def test_the_api_answers_409_problem_before_the_start(api, db, world):
    item = world.politie_item
    early = api(world.regisseur, "PATCH", f"/agenda-items/{item.id}", json={"beeldvorming": "x", "version": 1})
    assert early.status_code == 409 and MESSAGE in early.get_json()["detail"]
    assert early.headers["Content-Type"].startswith("application/problem+json")
    decision = api(world.regisseur, "POST", f"/agenda-items/{item.id}/decisions", json={"text": "Te vroeg"})
    assert decision.status_code == 409 and MESSAGE in decision.get_json()["detail"]
    moved = api(world.regisseur, "PATCH", f"/agenda-items/{item.id}", json={"move": "down", "version": 1})
    assert moved.status_code == 200  # the agenda itself is prepared before the meeting
    started(db, world.meeting)
    assert api(world.regisseur, "PATCH", f"/agenda-items/{item.id}",
               json={"beeldvorming": "x", "version": 1}).status_code == 200


def test_the_page_shows_the_message_instead_of_the_forms_until_the_start(client, db, world):
    url = f"/overleggen/{world.meeting.id}"
    text = client.get(url).get_data(as_text=True)
    assert MESSAGE in text and "Verslag opslaan" not in text and "Besluit vastleggen" not in text
    assert "Aanwezigheid opslaan" not in text and "Op de agenda zetten" in text
    started(db, world.meeting)
    text = client.get(url).get_data(as_text=True)
    assert MESSAGE not in text and "Verslag opslaan" in text and "Aanwezigheid opslaan" in text
