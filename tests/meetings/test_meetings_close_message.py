"""Closing a meeting says how many discussed cases got a new review date, in the right number: "1 besproken casus
heeft", "2 besproken casussen hebben"."""

from datetime import timedelta

import pytest
from meeting_factories import NotifyRecorder, add_item, add_meeting, build_world, local, started

from casus.clock import today


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


@pytest.mark.parametrize(("discussed", "expected"), [
    (1, "Het overleg is afgesloten. 1 besproken casus heeft een nieuwe herbeoordelingsdatum."),
    (2, "Het overleg is afgesloten. 2 besproken casussen hebben een nieuwe herbeoordelingsdatum."),
])
def test_the_closing_message_counts_in_the_right_number(client, auth, db, world, discussed, expected):
    held = add_meeting(db, world.team, starts_at=local(today() - timedelta(hours=1)), invited=[world.politie],
                       chair=world.regisseur)
    for case in [world.politie_case, world.corporatie_case][:discussed]:
        add_item(db, held, case, discussed=True)
    response = auth.post(f"/overleggen/{held.id}/afsluiten", data={"version": held.version},
                         follow_redirects=True)
    assert expected in response.get_data(as_text=True)
