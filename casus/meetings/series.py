"""Meeting series: a rule (weekday, every n weeks, time, place, invited organisations) and the meetings it
generates, holidays skipped when asked.

A service module like :mod:`casus.meetings.services` (the meetings' services are split by topic: this module,
``agenda``, ``minutes`` and ``services`` for single meetings and the checks they share): it is among the only
code that changes meeting data; it validates, flushes and audits, and the request or the scheduler job commits
once. Changing a series brings its coming meetings in line; generated meetings within the coming weeks are
announced to the attendees (:func:`casus.meetings.calendar.notify_attendees`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from casus.audit.services import record
from casus.database import utcnow
from casus.extensions import db
from casus.meetings import calendar
from casus.meetings.models import (
    Meeting,
    MeetingInvitation,
    MeetingSeries,
    MeetingSeriesInvitation,
    MeetingStatus,
    Recurrence,
)
from casus.meetings.services import (
    local_date,
    local_start,
    mark_cancelled,
    new_uid,
    planning_team,
    set_invitations,
    valid_chair,
    valid_duration,
    valid_organisations,
    valid_place,
    valid_title,
    valid_type,
)
from casus.services import ServiceError
from casus.users.models import User
from casus.versioning import check_version, flush_versioned
from workflow.workdays import holiday_name

# Meetings are generated this far ahead; generated meetings within it are announced to the attendees.
GENERATION_HORIZON = timedelta(weeks=8)
NOTIFY_HORIZON = timedelta(weeks=8)
# A monthly series meets on the 1st..4th or the last (-1) weekday of the month; a 5th exists in some months only.
WEEKS_OF_MONTH = (1, 2, 3, 4, -1)


@dataclass(frozen=True)
class SeriesInput:
    type: str
    title: str
    weekday: int
    interval_weeks: int
    start_time: time
    duration_minutes: int
    first_date: date
    last_date: date | None
    skip_holidays: bool
    location: str | None
    online_url: str | None
    chair_id: int | None
    organisation_ids: tuple[int, ...]
    active: bool = True
    recurrence: str = Recurrence.WEKELIJKS.value
    week_of_month: int | None = None


def occurrences(series: MeetingSeries, since: date, until: date) -> list[date]:
    """The dates the series' rule gives in ``[since, until]``: its weekday every ``interval_weeks`` weeks,
    counted from the first such weekday on or after ``first_date``, or (monthly) the ``week_of_month``-th
    weekday of every month from ``first_date`` on; holidays left out when asked, as a skipped meeting (never
    moved to another day: the attendees keep the rhythm they know)."""
    if series.recurrence == Recurrence.MAANDELIJKS:
        return _monthly(series, since, until)
    first = series.first_date + timedelta(days=(series.weekday - series.first_date.weekday()) % 7)
    end = min(until, series.last_date) if series.last_date else until
    step = timedelta(weeks=max(1, series.interval_weeks))
    if since > first:
        first += step * (-(-(since - first).days // step.days))
    days = []
    day = first
    while day <= end:
        if not (series.skip_holidays and holiday_name(day)):
            days.append(day)
        day += step
    return days


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` (1..4, or -1 for the last) ``weekday`` (0 = Monday) of the month."""
    if nth == -1:
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def _monthly(series: MeetingSeries, since: date, until: date) -> list[date]:
    start = max(since, series.first_date)
    end = min(until, series.last_date) if series.last_date else until
    days = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        day = nth_weekday(year, month, series.weekday, int(series.week_of_month or 1))
        if start <= day <= end and not (series.skip_holidays and holiday_name(day)):
            days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return days


def _recurrence(data: SeriesInput) -> tuple[Recurrence, int | None]:
    try:
        recurrence = Recurrence(data.recurrence or Recurrence.WEKELIJKS.value)
    except ValueError as error:
        raise ServiceError("Kies hoe de reeks zich herhaalt.", field="recurrence") from error
    if recurrence == Recurrence.WEKELIJKS:
        return recurrence, None
    if data.week_of_month is None or int(data.week_of_month) not in WEEKS_OF_MONTH:
        raise ServiceError("Kies de hoeveelste weekdag van de maand.", field="week_of_month")
    return recurrence, int(data.week_of_month)


def _validated_series(user: User, data: SeriesInput) -> dict:
    team_id = planning_team(user)
    if not 0 <= int(data.weekday) <= 6:
        raise ServiceError("Kies een dag van de week.", field="weekday")
    recurrence, week_of_month = _recurrence(data)
    if recurrence == Recurrence.WEKELIJKS and not 1 <= int(data.interval_weeks or 0) <= 52:
        raise ServiceError("Het interval is 1 tot 52 weken.", field="interval_weeks")
    if data.first_date is None:
        raise ServiceError("Vul de eerste datum in.", field="first_date")
    if data.last_date is not None and data.last_date < data.first_date:
        raise ServiceError("De laatste datum ligt na de eerste.", field="last_date")
    if data.start_time is None:
        raise ServiceError("Vul de begintijd in.", field="start_time")
    location, online_url = valid_place(data.location, data.online_url)
    return {
        "team_id": team_id, "type": valid_type(data.type), "title": valid_title(data.title),
        "weekday": int(data.weekday), "recurrence": recurrence, "week_of_month": week_of_month,
        # a monthly series keeps its last weekly interval, so switching back offers it again
        "interval_weeks": int(data.interval_weeks) if 1 <= int(data.interval_weeks or 0) <= 52 else 1,
        "start_time": data.start_time.replace(second=0, microsecond=0),
        "duration_minutes": valid_duration(data.duration_minutes), "first_date": data.first_date,
        "last_date": data.last_date, "skip_holidays": bool(data.skip_holidays), "location": location,
        "online_url": online_url, "chair_id": valid_chair(team_id, data.chair_id), "active": bool(data.active),
    }


def series_invited_ids(series: MeetingSeries) -> list[int]:
    return list(db.session.execute(sa.select(MeetingSeriesInvitation.organisation_id)
                                   .where(MeetingSeriesInvitation.series_id == series.id)).scalars())


def save_series(user: User, series: MeetingSeries | None, data: SeriesInput, *,
                now: datetime | None = None, expected_version: int | None = None) -> MeetingSeries:
    """Create or change a series, then bring its coming meetings in line and generate the next weeks'.

    Coming meetings that the changed rule no longer gives are cancelled; the others follow the new time,
    place, chair and invitations (announced as a change when time or place moved). Meetings already held
    or moved by hand keep their own time. A change carries the series' ``version`` (stale: 409, nothing changed).
    """
    now = now or utcnow()
    if series is not None:
        check_version(series, expected_version)
    values = _validated_series(user, data)
    organisation_ids = valid_organisations(data.organisation_ids)
    created = series is None
    if created:
        series = MeetingSeries(**values)
        db.session.add(series)
        db.session.flush()
        old_rule = None
    else:
        if series.team_id != values["team_id"]:
            raise ServiceError("Deze reeks is van een ander team.", status=403)
        old_rule = (series.start_time, series.duration_minutes)
        for key, value in values.items():
            setattr(series, key, value)
        series.updated_at = now  # a new version also when only the invitations change
        flush_versioned(series)
    db.session.execute(sa.delete(MeetingSeriesInvitation).where(MeetingSeriesInvitation.series_id == series.id))
    db.session.add_all(MeetingSeriesInvitation(series_id=series.id, organisation_id=org_id)
                       for org_id in organisation_ids)
    db.session.flush()
    if old_rule is not None:
        _follow_series(series, old_rule, organisation_ids, now)
    if series.active:
        generate_meetings(series, local_date(now) + GENERATION_HORIZON, since=local_date(now), now=now)
    record("meeting_series.created" if created else "meeting_series.changed", object_type="meeting_series",
           object_id=series.id, user=user)
    return series


def _follow_series(series: MeetingSeries, old_rule: tuple[time, int], organisation_ids: list[int],
                   now: datetime) -> None:
    coming = list(db.session.execute(sa.select(Meeting).where(
        Meeting.series_id == series.id, Meeting.status == MeetingStatus.GEPLAND, Meeting.starts_at > now)).scalars())
    if not coming:
        return
    horizon = max(m.series_date for m in coming if m.series_date) if any(m.series_date for m in coming) else None
    valid = set(occurrences(series, local_date(now), horizon)) if (series.active and horizon) else set()
    old_time, old_duration = old_rule
    for meeting in coming:
        if meeting.series_date not in valid:
            mark_cancelled(meeting)
            continue
        changed = False
        by_rule = meeting.starts_at == local_start(meeting.series_date, old_time) and \
            meeting.ends_at == meeting.starts_at + timedelta(minutes=old_duration)
        if by_rule:
            starts = local_start(meeting.series_date, series.start_time)
            ends = starts + timedelta(minutes=series.duration_minutes)
            if (starts, ends) != (meeting.starts_at, meeting.ends_at):
                meeting.starts_at, meeting.ends_at, changed = starts, ends, True
        if (meeting.location, meeting.online_url) != (series.location, series.online_url):
            meeting.location, meeting.online_url, changed = series.location, series.online_url, True
        meeting.title, meeting.type, meeting.chair_id = series.title, series.type, series.chair_id
        _reinvite(meeting, organisation_ids, changed=changed)
    db.session.flush()


def _reinvite(meeting: Meeting, organisation_ids: list[int], *, changed: bool) -> None:
    """Set a coming meeting's invitations and tell exactly who needs to know: everyone of a changed meeting,
    else only the users of newly invited organisations (an invitation); users of organisations taken off
    the list get a cancellation for themselves, so the meeting leaves their calendar."""
    before = dict(calendar.attendees(meeting))
    set_invitations(meeting.id, organisation_ids)
    db.session.flush()
    after = dict(calendar.attendees(meeting))
    removed = [(user_id, locale) for user_id, locale in before.items() if user_id not in after]
    if changed or removed:
        meeting.ical_sequence += 1  # a new version: the CANCEL must outrank the invitation they hold
        db.session.flush()
    if changed:
        calendar.notify_attendees(meeting, "moved")
    else:
        added = [(user_id, locale) for user_id, locale in after.items() if user_id not in before]
        if added:
            calendar.notify_attendees(meeting, "new", recipients=added)
    if removed:
        calendar.notify_attendees(meeting, "uninvited", recipients=removed)


def generate_meetings(series: MeetingSeries, until: date, *, since: date | None = None,
                      now: datetime | None = None) -> list[Meeting]:
    """Create the series' meetings up to ``until`` (from ``since``, default its first date) that do not exist
    yet. Idempotent: one meeting per series and date (unique), also when a meeting was moved or cancelled.
    Meetings within the coming eight weeks are announced to the attendees."""
    now = now or utcnow()
    days = occurrences(series, since or series.first_date, until)
    if not days:
        return []
    existing = set(db.session.execute(sa.select(Meeting.series_date).where(
        Meeting.series_id == series.id, Meeting.series_date.in_(days))).scalars())
    organisation_ids = series_invited_ids(series)
    created = []
    for day in days:
        if day in existing:
            continue
        starts = local_start(day, series.start_time)
        meeting = Meeting(series_id=series.id, series_date=day, team_id=series.team_id, type=series.type,
                          title=series.title, starts_at=starts,
                          ends_at=starts + timedelta(minutes=series.duration_minutes), location=series.location,
                          online_url=series.online_url, chair_id=series.chair_id, status=MeetingStatus.GEPLAND,
                          ical_uid=new_uid(), ical_sequence=0)
        db.session.add(meeting)
        created.append(meeting)
    if not created:
        return []
    db.session.flush()
    db.session.add_all(MeetingInvitation(meeting_id=m.id, organisation_id=org_id)
                       for m in created for org_id in organisation_ids)
    db.session.flush()
    for meeting in created:
        if now < meeting.starts_at <= now + NOTIFY_HORIZON:
            calendar.notify_attendees(meeting, "new")
    return created


def extend_series(now: datetime) -> int:
    """Generate the coming weeks of every active series (the daily agenda job calls this first)."""
    start = local_date(now)
    created = 0
    for series in db.session.execute(sa.select(MeetingSeries).where(
            MeetingSeries.active.is_(True),
            sa.or_(MeetingSeries.last_date.is_(None), MeetingSeries.last_date >= start))).scalars():
        created += len(generate_meetings(series, start + GENERATION_HORIZON, since=start, now=now))
    return created
