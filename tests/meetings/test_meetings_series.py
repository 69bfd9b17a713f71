"""Meeting series: recurrence in local time across DST, holidays, idempotent generation; moving and cancelling."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from meeting_factories import AMSTERDAM, NotifyRecorder, add_meeting

from casus.meetings import services
from casus.meetings.models import Meeting, MeetingInvitation, MeetingSeries, MeetingSeriesInvitation
from casus.meetings.series import SeriesInput, generate_meetings, occurrences, save_series
from casus.services import ServiceError


@pytest.fixture
def notified(monkeypatch):
    recorder = NotifyRecorder()
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", recorder)
    return recorder


@pytest.fixture
def team_setup(db, make_organisation, make_team, make_user):
    team = make_team()
    regisseur = make_user("procesregisseur", organisation=team.organisation, team=team)
    partners = [make_organisation(), make_organisation()]
    return team, regisseur, partners


def _series(db, team, partners, **fields):
    values = {"team_id": team.id, "type": "casusoverleg", "title": "Casusoverleg Zuid", "weekday": 1,
              "interval_weeks": 2, "start_time": time(9, 30), "duration_minutes": 90,
              "first_date": date(2027, 3, 16), "skip_holidays": True, "location": "Stadskantoor"}
    values.update(fields)
    series = MeetingSeries(**values)
    db.session.add(series)
    db.session.flush()
    db.session.add_all(MeetingSeriesInvitation(series_id=series.id, organisation_id=o.id) for o in partners)
    db.session.flush()
    return series


def _meetings(db, series):
    return list(db.session.execute(sa.select(Meeting).where(Meeting.series_id == series.id)
                                   .order_by(Meeting.starts_at)).scalars())


def test_every_second_tuesday_stays_at_0930_local_across_dst_and_skips_kings_day(db, team_setup, notified):
    team, _regisseur, partners = team_setup
    series = _series(db, team, partners)
    created = generate_meetings(series, date(2027, 5, 12), now=datetime(2027, 1, 1, tzinfo=UTC))
    days = [m.series_date for m in created]
    # 27 April 2027 (a Tuesday) is Koningsdag: skipped; 11 May follows the rhythm again.
    assert days == [date(2027, 3, 16), date(2027, 3, 30), date(2027, 4, 13), date(2027, 5, 11)]
    for meeting in _meetings(db, series):
        start = meeting.starts_at.astimezone(AMSTERDAM)
        assert (start.hour, start.minute) == (9, 30)
        assert meeting.ends_at - meeting.starts_at == timedelta(minutes=90)
        assert meeting.ical_uid.startswith("meeting-") and meeting.ical_uid.endswith("@casus")
    before, after = _meetings(db, series)[:2]
    assert before.starts_at.astimezone(UTC).hour == 8  # CET, UTC+1
    assert after.starts_at.astimezone(UTC).hour == 7   # CEST (after 28 March 2027), UTC+2
    assert len({m.ical_uid for m in _meetings(db, series)}) == 4


def test_generation_is_idempotent_and_copies_the_invitations(db, team_setup, notified):
    team, _regisseur, partners = team_setup
    series = _series(db, team, partners)
    now = datetime(2027, 1, 1, tzinfo=UTC)
    first = generate_meetings(series, date(2027, 5, 12), now=now)
    again = generate_meetings(series, date(2027, 5, 12), now=now)
    assert len(first) == 4 and again == []
    assert len(_meetings(db, series)) == 4
    # A moved or cancelled meeting keeps its series date, so it is not generated again.
    first[0].starts_at += timedelta(days=1)
    first[1].status = "geannuleerd"
    db.session.flush()
    assert generate_meetings(series, date(2027, 5, 12), now=now) == []
    invited = db.session.execute(sa.select(MeetingInvitation.organisation_id)
                                 .where(MeetingInvitation.meeting_id == first[0].id)).scalars().all()
    assert sorted(invited) == sorted(o.id for o in partners)


def test_holidays_are_kept_when_not_skipped(db, team_setup, notified):
    team, _regisseur, partners = team_setup
    series = _series(db, team, partners, skip_holidays=False)
    days = occurrences(series, date(2027, 4, 1), date(2027, 4, 30))
    assert days == [date(2027, 4, 13), date(2027, 4, 27)]


def test_only_meetings_within_eight_weeks_are_announced(db, team_setup, notified):
    team, _regisseur, partners = team_setup
    series = _series(db, team, partners, first_date=date(2027, 1, 5))
    now = datetime(2027, 1, 1, 12, tzinfo=UTC)
    created = generate_meetings(series, date(2027, 4, 30), now=now)
    announced = {meeting_id for meeting_id, change, _seq in notified.calls if change == "new"}
    within = {m.id for m in created if m.starts_at <= now + timedelta(weeks=8)}
    assert announced == within and 0 < len(within) < len(created)


def test_save_series_validates_and_generates(db, team_setup, notified):
    _team, regisseur, partners = team_setup
    data = SeriesInput(
        type="casusoverleg", title="Casusoverleg Noord", weekday=1, interval_weeks=2, start_time=time(9, 30),
        duration_minutes=120, first_date=services.today(), last_date=None, skip_holidays=True,
        location="Wijkcentrum", online_url=None, chair_id=regisseur.id, organisation_ids=(partners[0].id,))
    series = save_series(regisseur, None, data)
    meetings = _meetings(db, series)
    assert 3 <= len(meetings) <= 5  # eight weeks, every second week
    assert all(m.chair_id == regisseur.id for m in meetings)
    assert {c for _id, c, _s in notified.calls} == {"new"}
    with pytest.raises(ServiceError) as refused:
        save_series(regisseur, None, data.__class__(**{**data.__dict__, "location": None}))
    assert refused.value.field == "location"
    outsider_chair = data.__class__(**{**data.__dict__, "chair_id": partners[0].id})
    with pytest.raises(ServiceError):
        save_series(regisseur, None, outsider_chair)


def test_changing_the_series_time_moves_its_coming_meetings(db, team_setup, notified):
    _team, regisseur, partners = team_setup
    data = SeriesInput(
        type="casusoverleg", title="Casusoverleg Noord", weekday=2, interval_weeks=1, start_time=time(9, 30),
        duration_minutes=120, first_date=services.today() + timedelta(days=1), last_date=None, skip_holidays=False,
        location="Wijkcentrum", online_url=None, chair_id=None, organisation_ids=(partners[0].id,))
    series = save_series(regisseur, None, data)
    notified.calls.clear()
    save_series(regisseur, series, data.__class__(**{**data.__dict__, "start_time": time(13, 0)}))
    meetings = _meetings(db, series)
    assert {m.starts_at.astimezone(AMSTERDAM).time() for m in meetings} == {time(13, 0)}
    assert all(m.ical_sequence == 1 for m in meetings)
    assert {c for _id, c, _s in notified.calls} == {"moved"}


def test_single_meeting_move_and_cancel_raise_the_sequence_and_notify(db, team_setup, notified):
    _team, regisseur, partners = team_setup
    day = services.today() + timedelta(days=10)
    meeting = services.create_meeting(regisseur, type="weegploeg", title="Weegploeg", day=day,
                                      start_time=time(14, 0), duration_minutes=60, location="Zaal 1",
                                      online_url=None, chair_id=None, organisation_ids=[partners[0].id])
    assert notified.calls == [(meeting.id, "new", 0)]
    version = meeting.version
    services.move_meeting(regisseur, meeting, day=day + timedelta(days=1), start_time=time(10, 0),
                          duration_minutes=60, location="Zaal 1", online_url=None, expected_version=version)
    assert meeting.ical_sequence == 1
    assert meeting.starts_at.astimezone(AMSTERDAM) == datetime.combine(day + timedelta(days=1), time(10, 0),
                                                                       tzinfo=AMSTERDAM)
    assert notified.calls[-1] == (meeting.id, "moved", 1)
    with pytest.raises(ServiceError) as stale:
        services.cancel_meeting(regisseur, meeting, expected_version=version)
    assert stale.value.status == 409
    services.cancel_meeting(regisseur, meeting, expected_version=meeting.version)
    assert meeting.status == "geannuleerd" and meeting.ical_sequence == 2
    assert notified.calls[-1] == (meeting.id, "cancelled", 2)
    with pytest.raises(ServiceError):
        services.cancel_meeting(regisseur, meeting, expected_version=meeting.version)


def test_a_partner_cannot_plan_a_meeting(db, team_setup, make_user, notified):
    _team, _regisseur, partners = team_setup
    partner = make_user("partner", organisation=partners[0])
    with pytest.raises(ServiceError) as refused:
        services.create_meeting(partner, type="casusoverleg", title="X", day=services.today(), start_time=time(9),
                                duration_minutes=60, location="Hier", online_url=None, chair_id=None,
                                organisation_ids=[partners[0].id])
    assert refused.value.status == 403


def test_a_meeting_in_the_past_cannot_be_moved_back(db, team_setup, notified):
    team, regisseur, partners = team_setup
    meeting = add_meeting(db, team, invited=partners[:1])
    with pytest.raises(ServiceError) as refused:
        services.move_meeting(regisseur, meeting, day=services.today() - timedelta(days=3), start_time=time(9),
                              duration_minutes=60, location="Hier", online_url=None, expected_version=meeting.version)
    assert refused.value.field == "day"


def _kinds_for(db, user):
    from casus.notifications.models import Notification

    return [kind for (kind,) in db.session.execute(
        sa.select(Notification.kind).where(Notification.user_id == user.id).order_by(Notification.id))]


def test_changing_who_is_invited_tells_exactly_the_ones_added_and_removed(db, team_setup, make_user):
    """Time and place stay: the organisation taken off gets a cancellation for itself, the new one an
    invitation, and the meeting goes on (status, time) for everyone else."""
    _team, regisseur, (first, second) = team_setup
    leaving, joining = make_user("partner", organisation=first), make_user("partner", organisation=second)
    data = SeriesInput(
        type="casusoverleg", title="Casusoverleg Oost", weekday=(services.today() + timedelta(days=1)).weekday(),
        interval_weeks=4, start_time=time(9, 30), duration_minutes=90,
        first_date=services.today() + timedelta(days=1), last_date=None, skip_holidays=False,
        location="Wijkcentrum", online_url=None, chair_id=None, organisation_ids=(first.id,))
    series = save_series(regisseur, None, data)
    announced = len(_kinds_for(db, leaving))
    assert announced >= 1 and set(_kinds_for(db, leaving)) == {"meeting_invitation"}
    assert _kinds_for(db, joining) == []
    save_series(regisseur, series, data.__class__(**{**data.__dict__, "organisation_ids": (second.id,)}))
    assert _kinds_for(db, leaving)[announced:] == ["meeting_uninvited"] * announced
    assert _kinds_for(db, joining) == ["meeting_invitation"] * announced
    meetings = _meetings(db, series)
    assert {m.status for m in meetings} == {"gepland"} and {m.ical_sequence for m in meetings} == {1}
    # Saving again changes nothing and tells nobody anything.
    save_series(regisseur, series, data.__class__(**{**data.__dict__, "organisation_ids": (second.id,)}))
    assert len(_kinds_for(db, leaving)) == 2 * announced and len(_kinds_for(db, joining)) == announced
