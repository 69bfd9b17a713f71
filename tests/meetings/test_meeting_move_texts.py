"""Moving a meeting rewrites the tijdlijn lines that quote its date: they carry the meeting (meeting_id), and the
move recomputes their text from the meeting in one UPDATE."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from meeting_factories import NotifyRecorder, add_item, add_meeting, build_world, local, started

from casus.clock import today
from casus.meetings import services
from casus.meetings.minutes import add_decision, close_meeting, save_minutes
from casus.timeline.models import TimelineEvent
from casus.timeline.services import add_timeline


@pytest.fixture(autouse=True)
def quiet_calendar(monkeypatch):
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", NotifyRecorder())


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case):
    return build_world(db, make_organisation, make_team, make_user, make_case)


def lines(db, case, kind):
    return list(db.session.execute(sa.select(TimelineEvent.summary, TimelineEvent.meeting_id).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == kind)
        .order_by(TimelineEvent.id).execution_options(populate_existing=True)).all())


def test_moving_a_meeting_rewrites_its_decision_lines_in_one_update(db, world, count_queries):
    meeting = started(db, world.meeting)
    old_day = f"{today():%d-%m-%Y}"
    add_decision(world.regisseur, meeting, world.politie_item, world.politie_case, text="Huisbezoek: wie gaat?")
    add_decision(world.regisseur, meeting, world.corporatie_item, world.corporatie_case, text="Brief sturen")
    other = add_meeting(db, world.team)
    add_timeline(world.politie_case, "note.added", f"Notitie over {old_day}", actor=world.regisseur)
    assert lines(db, world.politie_case, "meeting.decision") == [
        (f"Besluit in casusoverleg van {old_day}: Huisbezoek: wie gaat?", meeting.id)]
    new_day = today() + timedelta(days=3)
    with count_queries() as counted:
        services.move_meeting(world.regisseur, meeting, day=new_day, start_time=time(14, 0), duration_minutes=90,
                              location="Wijkcentrum", online_url=None, expected_version=meeting.version)
    assert sum("UPDATE timeline_events" in s for s in counted.statements) == 1
    assert lines(db, world.politie_case, "meeting.decision") == [
        (f"Besluit in casusoverleg van {new_day:%d-%m-%Y}: Huisbezoek: wie gaat?", meeting.id)]
    assert lines(db, world.corporatie_case, "meeting.decision")[0][0] == \
        f"Besluit in casusoverleg van {new_day:%d-%m-%Y}: Brief sturen"
    assert lines(db, world.politie_case, "note.added") == [(f"Notitie over {old_day}", None)]
    assert other.id != meeting.id


def test_the_discussed_line_carries_its_meeting_and_is_recomputed(db, world):
    held = add_meeting(db, world.team, starts_at=local(today() - timedelta(days=1)), invited=[world.politie])
    item = add_item(db, held, world.politie_case)
    save_minutes(world.regisseur, held, item, beeldvorming="b", oordeelsvorming=None, besluitvorming=None,
                 discussed=True)
    close_meeting(world.regisseur, held, expected_version=held.version)
    (line, meeting_id), = lines(db, world.politie_case, "meeting.discussed")
    assert line == f"Besproken in casusoverleg {today() - timedelta(days=1):%d-%m-%Y}" and meeting_id == held.id
    # A held meeting is not moved; should its date be corrected in the database, the rewrite follows it.
    held.starts_at = local(today() - timedelta(days=2))
    db.session.flush()
    assert services.rewrite_timeline(held) == 1
    assert lines(db, world.politie_case, "meeting.discussed")[0][0] == \
        f"Besproken in casusoverleg {today() - timedelta(days=2):%d-%m-%Y}"


def test_moving_a_meeting_updates_the_agenda_notices_of_its_partners(db, world, make_user):
    from casus.notifications.models import Notification
    from casus.notifications.services import NewNotification, notify_many, title_of

    agent = make_user("partner", organisation=world.politie)
    other_meeting = add_meeting(db, world.team, starts_at=local(today() + timedelta(days=14)))
    other_item = add_item(db, other_meeting, world.politie_case)

    def notice(item, starts):
        return NewNotification(
            user_id=agent.id, key=f"case-on-agenda:item:{item.id}:user:{agent.id}", kind="case_on_agenda",
            link="/", case_id=item.case_id, locale="nl",
            params={"reference": world.politie_case.reference, "date": starts.date().isoformat(), "time": "09:30",
                    "meeting_type": "Casusoverleg"})

    week = today() + timedelta(days=7)
    notify_many([notice(world.politie_item, local(week).astimezone(world_zone())),
                 notice(other_item, local(today() + timedelta(days=14)).astimezone(world_zone()))], email=False)
    new_day = today() + timedelta(days=9)
    services.move_meeting(world.regisseur, world.meeting, day=new_day, start_time=time(14, 0), duration_minutes=90,
                          location="Wijkcentrum", online_url=None, expected_version=world.meeting.version)
    notices = {n.key: n for n in db.session.execute(sa.select(Notification).execution_options(
        populate_existing=True)).scalars()}
    moved = notices[f"case-on-agenda:item:{world.politie_item.id}:user:{agent.id}"]
    assert (moved.params["date"], moved.params["time"]) == (new_day.isoformat(), "14:00")
    assert f"{new_day:%d-%m-%Y}" in title_of(moved, "nl")
    untouched = notices[f"case-on-agenda:item:{other_item.id}:user:{agent.id}"]
    assert untouched.params["date"] == (today() + timedelta(days=14)).isoformat()


def world_zone():
    from casus.clock import local_zone

    return local_zone()
