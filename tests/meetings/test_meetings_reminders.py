"""Meeting reminders: the same local time the day before, once per attendee and start time, across DST changes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local(year, month, day, hour=9, minute=30) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.fixture
def invited(db, make_team, make_organisation, make_user):
    """``invited(starts, **fields)`` -> (meeting, partner, english partner); created weeks before."""
    from casus.meetings.models import Meeting, MeetingInvitation

    def make(starts, **fields):
        team = make_team()
        police = make_organisation()
        partner = make_user("partner", organisation=police)
        english = make_user("partner", organisation=police, locale="en")
        make_user("partner")  # another organisation: never reminded
        fields.setdefault("title", "Casusoverleg Noord")
        meeting = Meeting(team_id=team.id, type="casusoverleg", starts_at=starts.astimezone(UTC),
                          ends_at=(starts + timedelta(hours=2)).astimezone(UTC), ical_uid=f"{uuid.uuid4()}@test",
                          created_at=starts.astimezone(UTC) - timedelta(days=30), **fields)
        db.session.add(meeting)
        db.session.flush()
        db.session.add(MeetingInvitation(meeting_id=meeting.id, organisation_id=police.id))
        db.session.flush()
        return meeting, partner, english

    return make


def reminders(db):
    from casus.notifications.models import Notification

    return list(db.session.execute(sa.select(Notification).where(Notification.kind == "meeting_reminder")
                                   .order_by(Notification.id).execution_options(populate_existing=True)).scalars())


def test_the_job_is_registered_every_quarter_of_an_hour():
    from casus.scheduling.jobs import registry

    spec = registry()["meeting_reminders"]
    assert spec.func == "casus.notifications.jobs:meeting_reminders"
    assert spec.cron == {"minute": "*/15"}
    assert callable(spec.resolve())


def test_a_reminder_goes_out_the_day_before_at_the_same_local_time_once(app, db, invited):
    from casus.notifications.jobs import meeting_reminders

    meeting, partner, english = invited(local(2026, 11, 24))
    assert meeting_reminders(app, local(2026, 11, 23, 9, 15).astimezone(UTC)) == 0  # not yet
    now = local(2026, 11, 23, 9, 30).astimezone(UTC)
    assert meeting_reminders(app, now) == 2
    assert meeting_reminders(app, now) == 0  # twice: one notification
    assert meeting_reminders(app, now + timedelta(minutes=15)) == 0
    by_user = {item.user_id: item for item in reminders(db)}
    assert set(by_user) == {partner.id, english.id}
    item = by_user[partner.id]
    assert item.key == f"meeting-reminder:meeting:{meeting.id}:2026-11-24T08:30Z:user:{partner.id}"
    assert item.title == "Herinnering: Casusoverleg Noord op 24-11-2026 om 09:30"
    assert by_user[english.id].title == "Reminder: Casusoverleg Noord on 24-11-2026 at 09:30"
    assert item.link == f"/overleggen/{meeting.id}" and item.case_id is None
    assert item.params == {"meeting_id": meeting.id, "meeting": "Casusoverleg Noord", "date": "2026-11-24",
                           "time": "09:30"}
    assert item.next_attempt_at == now  # mailed by the send step


def test_a_cancelled_meeting_is_never_reminded(app, db, invited):
    from casus.notifications.jobs import meeting_reminders

    invited(local(2026, 11, 24), status="geannuleerd", ical_sequence=1)
    assert meeting_reminders(app, local(2026, 11, 23, 9, 30).astimezone(UTC)) == 0


def test_a_moved_meeting_reminds_again(app, db, invited):
    from casus.notifications.jobs import meeting_reminders

    meeting, _partner, _english = invited(local(2026, 11, 24))
    assert meeting_reminders(app, local(2026, 11, 23, 9, 30).astimezone(UTC)) == 2
    meeting.starts_at = local(2026, 11, 26, 14, 0).astimezone(UTC)
    meeting.ends_at = local(2026, 11, 26, 16, 0).astimezone(UTC)
    meeting.ical_sequence += 1
    db.session.flush()
    assert meeting_reminders(app, local(2026, 11, 25, 14, 0).astimezone(UTC)) == 2
    assert len(reminders(db)) == 4


def test_a_missed_reminder_is_sent_once_after_downtime_within_the_grace_time(app, db, invited):
    from casus.notifications.jobs import meeting_reminders

    invited(local(2026, 11, 24))
    late = invited(local(2026, 11, 24, 14, 0))
    # The scheduler was down from 09:00 until 12:10: the 09:30 reminder comes late, once; the 14:00 one waits.
    assert meeting_reminders(app, local(2026, 11, 23, 12, 10).astimezone(UTC)) == 2
    assert meeting_reminders(app, local(2026, 11, 23, 12, 15).astimezone(UTC)) == 0
    assert meeting_reminders(app, local(2026, 11, 23, 14, 0).astimezone(UTC)) == 2
    assert {item.params["time"] for item in reminders(db)} == {"09:30", "14:00"}
    assert late[0].id in {item.params["meeting_id"] for item in reminders(db)}


def test_a_reminder_more_than_six_hours_late_is_dropped(app, db, invited):
    from casus.notifications.jobs import meeting_reminders

    invited(local(2026, 11, 24))
    assert meeting_reminders(app, local(2026, 11, 23, 15, 45).astimezone(UTC)) == 0


def test_a_meeting_planned_after_its_reminder_moment_gets_no_reminder(app, db, invited):
    """Its invitation, a few hours old, is the reminder."""
    from casus.notifications.jobs import meeting_reminders

    meeting, _partner, _english = invited(local(2026, 11, 24))
    meeting.created_at = local(2026, 11, 23, 11, 0).astimezone(UTC)
    db.session.flush()
    assert meeting_reminders(app, local(2026, 11, 23, 11, 15).astimezone(UTC)) == 0


DST = {  # the Sunday of the change, and the days the scheduler runs around it
    "autumn": (date(2026, 10, 25), date(2026, 10, 22), date(2026, 10, 27)),
    "spring": (date(2027, 3, 28), date(2027, 3, 25), date(2027, 3, 30)),
}


def fire_times(trigger, first: date, last: date) -> list[datetime]:
    start = datetime.combine(first, datetime.min.time(), AMSTERDAM)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), AMSTERDAM)
    times, previous, now = [], None, start
    while True:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None or fire >= end:
            return times
        times.append(fire)
        previous = now = fire


@pytest.mark.parametrize("season", DST)
def test_reminders_around_a_dst_change_fire_once_at_the_local_time(app, db, invited, season):
    """Meetings on the Sunday of the change and the days around it, at 09:30 and at 02:30 (the hour that is
    doubled or skipped): the registered 15-minute trigger is played through the whole week, each run twice."""
    from casus.notifications.jobs import meeting_reminders
    from casus.scheduling.jobs import registry

    sunday, first, last = DST[season]
    starts = [datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=30, tzinfo=AMSTERDAM)
              for day in (sunday - timedelta(days=1), sunday, sunday + timedelta(days=1)) for hour in (9, 2)]
    meetings = {invited(start)[0].id: start for start in starts}
    trigger = registry()["meeting_reminders"].trigger()
    for fire in fire_times(trigger, first, last):
        now = fire.astimezone(UTC)
        meeting_reminders(app, now)
        meeting_reminders(app, now)
    per_meeting: dict[int, list] = {}
    for item in reminders(db):
        per_meeting.setdefault(item.params["meeting_id"], []).append(item)
    assert set(per_meeting) == set(meetings)
    for meeting_id, items in per_meeting.items():
        assert len(items) == 2, "one reminder per attendee"  # two invited partners
        start = meetings[meeting_id]
        sent = items[0].created_at.astimezone(AMSTERDAM)
        day_before = start.date() - timedelta(days=1)
        assert sent.date() == day_before
        if start.hour == 9:
            assert (sent.hour, sent.minute) == (9, 30), (start, sent)  # same local time, 23 or 25 hours ahead
        else:
            # 02:30 does not exist on the spring Sunday; the reminder comes in the next quarter that does.
            assert sent.hour in (2, 3), (start, sent)
