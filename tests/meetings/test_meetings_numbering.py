"""Agenda numbers per viewer: an attendee sees its items numbered 1, 2, 3, … in the page and in the API alike
(``position``), so the gap an item of somebody else's case would leave never shows; the team sees every item."""

import re

import pytest
from meeting_factories import NotifyRecorder, add_item, build_world

from support import ok


@pytest.fixture(autouse=True)
def quiet_calendar(monkeypatch):
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", NotifyRecorder())


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case):
    """Agenda: 1 politie case, 2 corporatie case (hidden from the police), 3 a second politie case."""
    world = build_world(db, make_organisation, make_team, make_user, make_case)
    world.second_case = make_case(team=world.team, partners=[world.politie, world.zvh], phase="aanpak.uitvoering",
                                  title="Overlast Molenweg", procesregisseur=world.regisseur)
    world.second_item = add_item(db, world.meeting, world.second_case)
    return world


def test_the_api_numbers_an_attendees_items_without_gaps(api, world, make_user):
    partner = make_user("partner", organisation=world.politie)
    meeting = world.meeting.id
    agenda = ok(api(partner, "GET", f"/meetings/{meeting}/agenda"))
    assert [(item["case"]["id"], item["position"]) for item in agenda] == [
        (world.politie_case.id, 1), (world.second_case.id, 2)]
    minutes = ok(api(partner, "GET", f"/meetings/{meeting}/minutes"))
    assert [item["position"] for item in minutes["items"]] == [1, 2]
    assert ok(api(partner, "GET", f"/agenda-items/{world.second_item.id}"))["position"] == 2
    corporatie = make_user("partner", organisation=world.corporatie)
    assert [item["position"] for item in ok(api(corporatie, "GET", f"/meetings/{meeting}/agenda"))] == [1]
    assert ok(api(corporatie, "GET", f"/agenda-items/{world.corporatie_item.id}"))["position"] == 1


def test_the_team_sees_every_item_numbered_and_moves_keep_the_numbers_dense(api, world):
    meeting = world.meeting.id
    agenda = ok(api(world.regisseur, "GET", f"/meetings/{meeting}/agenda"))
    assert [item["position"] for item in agenda] == [1, 2, 3]
    moved = ok(api(world.regisseur, "PATCH", f"/agenda-items/{world.second_item.id}",
                   json={"move": "up", "version": 1}))
    assert moved["position"] == 2


def test_page_and_api_agree(client, api, world, login_as):
    partner = login_as("partner", organisation=world.politie)
    page = client.get(f"/overleggen/{world.meeting.id}").get_data(as_text=True)
    numbered = re.findall(r'id="punt-\d+">(\d+)\. (\S+)', page)
    assert numbered == [("1", world.politie_case.reference), ("2", world.second_case.reference)]
    agenda = ok(api(partner, "GET", f"/meetings/{world.meeting.id}/agenda"))
    assert [(str(item["position"]), item["case"]["reference"]) for item in agenda] == numbered
