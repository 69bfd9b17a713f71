"""The personal iCal feed: made and revoked on the account page, read without login, only what the user may see."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FEED_URL = re.compile(r"http://127\.0\.0\.1:5000(/agenda/[A-Za-z0-9_-]{40,}\.ics)")


@pytest.fixture
def make_meeting(db, make_team):
    from casus.meetings.models import Meeting, MeetingInvitation

    def make(*, days=7, invited=(), chair=None, team=None, **fields):
        starts = (datetime.now(AMSTERDAM) + timedelta(days=days)).replace(hour=9, minute=30, second=0, microsecond=0)
        fields.setdefault("title", "Casusoverleg Noord")
        fields.setdefault("type", "casusoverleg")
        meeting = Meeting(team_id=(team or make_team()).id, starts_at=starts.astimezone(UTC),
                          ends_at=(starts + timedelta(hours=2)).astimezone(UTC), chair_id=getattr(chair, "id", None),
                          ical_uid=f"{uuid.uuid4()}@casus.test", **fields)
        db.session.add(meeting)
        db.session.flush()
        for organisation in invited:
            db.session.add(MeetingInvitation(meeting_id=meeting.id, organisation_id=organisation.id))
        db.session.flush()
        return meeting

    return make


def make_action(db, case, organisation, *, days=5, status="open"):
    from casus.plans.models import Action

    action = Action(case_id=case.id, description="Huisbezoek bij Jan Jansen", owner_organisation_id=organisation.id,
                    due_on=date.today() + timedelta(days=days), status=status)
    db.session.add(action)
    db.session.flush()
    return action


def create_feed(auth, client) -> str:
    """Make a feed on the account page; returns its path (the URL is shown once)."""
    response = auth.post("/account/agenda")
    assert response.status_code == 200
    match = FEED_URL.search(response.get_data(as_text=True))
    assert match, "the new feed URL is shown"
    return match.group(1)


def audit_events(db, action):
    from casus.audit.models import AuditEvent

    return list(db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).scalars())


def events(body: bytes):
    from icalendar import Calendar

    return Calendar.from_ical(body).walk("VEVENT")


# --- management -------------------------------------------------------------------------------------------------

def test_the_account_page_links_to_the_feed_page(client, login_as):
    login_as("partner")
    page = client.get("/account").get_data(as_text=True)
    assert 'href="/account/agenda"' in page


def test_a_feed_url_is_shown_once_and_only_its_hash_is_stored(client, db, auth, login_as):
    from casus.meetings.models import CalendarFeed

    user = login_as("partner")
    page = client.get("/account/agenda")
    assert page.status_code == 200 and "U hebt geen actieve agenda-link." in page.get_data(as_text=True)
    path = create_feed(auth, client)
    token = path.removeprefix("/agenda/").removesuffix(".ics")
    [feed] = db.session.execute(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id)).scalars()
    assert feed.token_hash != token and token not in feed.token_hash and len(feed.token_hash) == 64
    again = client.get("/account/agenda").get_data(as_text=True)
    assert token not in again and "U hebt een actieve agenda-link" in again
    [created] = audit_events(db, "calendar.feed_created")
    assert created.user_id == user.id and created.object_id == str(feed.id)


def test_the_feed_is_read_without_login_and_the_read_is_audited(app, client, db, auth, login_as):
    user = login_as("partner")
    path = create_feed(auth, client)
    auth.logout()
    anonymous = app.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"BEGIN:VCALENDAR")
    assert b"TZID:Europe/Amsterdam" in response.data
    assert "Set-Cookie" not in response.headers
    [read] = audit_events(db, "calendar.feed")
    assert read.user_id == user.id and read.outcome == "success"
    assert read.details == {"meetings": 0, "actions": 0}


def test_a_revoked_or_unknown_token_answers_404(app, client, db, auth, login_as):
    login_as("partner")
    path = create_feed(auth, client)
    anonymous = app.test_client()
    assert anonymous.get(path).status_code == 200
    response = auth.post("/account/agenda/intrekken", form_url="/account/agenda")
    assert response.status_code == 302
    assert anonymous.get(path).status_code == 404
    assert anonymous.get("/agenda/" + "x" * 43 + ".ics").status_code == 404
    assert len(audit_events(db, "calendar.feed_revoked")) == 1
    denied = audit_events(db, "calendar.feed")[-1]
    assert denied.outcome == "denied"
    assert "U hebt geen actieve agenda-link." in client.get("/account/agenda").get_data(as_text=True)


def test_a_new_url_replaces_the_old_one(app, client, db, auth, login_as):
    login_as("partner")
    first = create_feed(auth, client)
    second = create_feed(auth, client)
    anonymous = app.test_client()
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200


def test_a_deactivated_users_feed_answers_404(app, client, db, auth, login_as):
    user = login_as("partner")
    path = create_feed(auth, client)
    user.active = False
    db.session.flush()
    assert app.test_client().get(path).status_code == 404


def test_creating_and_revoking_need_a_login_and_a_post(app, client, login_as):
    anonymous = app.test_client()
    assert anonymous.get("/account/agenda").status_code == 302  # to the login page
    login_as("partner")
    assert client.get("/account/agenda/intrekken").status_code == 405


# --- need-to-know -----------------------------------------------------------------------------------------------

@pytest.fixture
def partner_world(db, make_organisation, make_team, make_user, make_case, make_subject, make_meeting):
    """A partner of ``police`` and what it may and may not see."""
    team = make_team()
    police, housing = make_organisation(name="Politie"), make_organisation(name="Woningcorporatie")
    partner = make_user("partner", organisation=police)
    shared = make_case(team=team, partners=[housing, police], title="Woonoverlast Jan Jansen",
                       subjects=[make_subject(name="Jan Jansen")])
    hidden = make_case(team=team, partners=[housing], title="Verward gedrag Piet Pietersen")
    world = {
        "partner": partner,
        "shared": shared,
        "hidden": hidden,
        "invited": make_meeting(team=team, invited=[police, housing], title="Casusoverleg Zuid"),
        "cancelled": make_meeting(team=team, invited=[police], title="Casusoverleg Extra", days=14,
                                  status="geannuleerd", ical_sequence=1),
        "held": make_meeting(team=team, invited=[police], title="Casusoverleg Vorige", days=-14, status="gehouden"),
        "not_invited": make_meeting(team=team, invited=[housing], title="Stuurgroep Wonen"),
        "too_far": make_meeting(team=team, invited=[police], title="Casusoverleg Volgend Jaar", days=400),
        "own_action": make_action(db, shared, police, days=3),
        "other_org_action": make_action(db, shared, housing, days=4),
        "hidden_case_action": make_action(db, hidden, police, days=6),  # police owns it but takes no part
        "done_action": make_action(db, shared, police, days=8, status="gereed"),
    }
    return world


def feed_of(app, client, auth, user):
    auth.login_with_totp(user) if user.totp_secret else auth.login(user)
    path = create_feed(auth, client)
    return app.test_client().get(path)


def test_a_partner_sees_its_meetings_and_its_organisations_action_dates(app, client, db, auth, partner_world):
    world = partner_world
    response = feed_of(app, client, auth, world["partner"])
    found = {str(event["UID"]): event for event in events(response.data)}
    meetings = {world[name].ical_uid for name in ("invited", "cancelled", "held")}
    assert set(found) == meetings | {f"action-{world['own_action'].id}@127.0.0.1"}
    assert found[world["cancelled"].ical_uid]["STATUS"] == "CANCELLED"
    assert found[world["cancelled"].ical_uid]["SUMMARY"] == "Geannuleerd: Casusoverleg Extra"
    assert found[world["invited"].ical_uid]["STATUS"] == "CONFIRMED"
    action = found[f"action-{world['own_action'].id}@127.0.0.1"]
    assert action["SUMMARY"] == f"Actie casus {world['shared'].reference} uiterlijk vandaag"
    assert action.decoded("DTSTART") == world["own_action"].due_on  # an all-day item
    assert action.decoded("DTEND") == world["own_action"].due_on + timedelta(days=1)
    assert f"/casussen/{world['shared'].id}" in action["DESCRIPTION"]
    for secret in (b"Jan", b"Jansen", b"Piet", b"Woonoverlast", b"Huisbezoek", b"Stuurgroep Wonen",
                   world["hidden"].reference.encode()):
        assert secret not in response.data
    [read] = audit_events(db, "calendar.feed")
    assert read.details == {"meetings": 3, "actions": 1}


def test_a_partner_that_leaves_the_case_loses_its_action_dates(app, client, db, auth, partner_world):
    from casus.cases.models import Participation

    world = partner_world
    participation = db.session.execute(sa.select(Participation).where(
        Participation.case_id == world["shared"].id,
        Participation.organisation_id == world["partner"].organisation_id)).scalar_one()
    participation.left_on = date.today()
    db.session.flush()
    response = feed_of(app, client, auth, world["partner"])
    assert not [event for event in events(response.data) if str(event["UID"]).startswith("action-")]


def test_the_team_sees_its_meetings_in_english_for_an_english_user(app, client, db, auth, make_user, make_team,
                                                                   make_meeting, make_case):
    team = make_team()
    other = make_team()
    regisseur = make_user("procesregisseur", team=team, organisation=team.organisation, locale="en")
    mine = make_meeting(team=team, type="weegploeg", title="Weegploeg Centrum")
    make_meeting(team=other, title="Casusoverleg elders")
    case = make_case(team=team, partners=[team.organisation])
    make_action(db, case, team.organisation)
    response = feed_of(app, client, auth, regisseur)
    summaries = sorted(str(event["SUMMARY"]) for event in events(response.data))
    assert summaries == [f"Action case {case.reference} due today", "Weegploeg Centrum (Triage team)"]
    assert mine.ical_uid.encode() in response.data


def test_the_feed_costs_the_same_queries_for_1_and_20_items(app, client, db, auth, make_user, make_organisation,
                                                            make_team, make_case, make_meeting, count_queries):
    team = make_team()
    police = make_organisation()
    partner = make_user("partner", organisation=police)
    case = make_case(team=team, partners=[police])
    make_meeting(team=team, invited=[police])
    make_action(db, case, police)
    auth.login(partner)
    path = create_feed(auth, client)
    anonymous = app.test_client()

    def measure():
        with count_queries() as counter:
            assert anonymous.get(path).status_code == 200
        return counter.count

    few = measure()
    for day in range(20):
        make_meeting(team=team, invited=[police], days=day + 1)
        make_action(db, make_case(team=team, partners=[police]), police, days=day + 1)
    assert measure() == few
