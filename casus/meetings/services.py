"""Meetings: series and their generated meetings, single meetings, agendas, minutes, decisions, attendance.

Times: a series' start time is local (Europe/Amsterdam); meetings store ``starts_at``/``ends_at`` in UTC,
computed per date, so 09:30 stays 09:30 on either side of a daylight-saving change. A meeting's
``ical_uid`` never changes; ``ical_sequence`` rises with every change sent to the attendees
(:func:`casus.meetings.calendar.notify_attendees`).

Need-to-know lives in :mod:`casus.policy` (``meeting_scope``, ``agenda_item_scope``); views load meetings and
items through it and only the team's procesregisseurs and supervisors (``policy.manages_meetings``) call the
changing services here. Services flush and audit; the request (or the scheduler job) commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from casus.audit.services import record
from casus.cases.models import Case, Category, Participation
from casus.cases.services import MAX_TEXT, add_timeline, cadences, check_version, flush_versioned, today
from casus.database import utcnow
from casus.extensions import db
from casus.meetings import calendar
from casus.meetings.models import (
    MEETING_TYPE_LABELS,
    AgendaItem,
    AgendaPurpose,
    Attendance,
    Decision,
    Meeting,
    MeetingInvitation,
    MeetingSeries,
    MeetingSeriesInvitation,
    MeetingStatus,
    MeetingType,
)
from casus.organisations.models import Organisation
from casus.services import ServiceError
from casus.users.models import User, UserRole
from workflow import CasePhase
from workflow.workdays import holiday_name

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Meetings are generated this far ahead; generated meetings within it are announced to the attendees.
GENERATION_HORIZON = timedelta(weeks=8)
NOTIFY_HORIZON = timedelta(weeks=8)
REVIEW_WINDOW_DAYS = 7
REVIEWED_PHASES = (CasePhase.AANPAK_PLAN, CasePhase.AANPAK_UITVOERING, CasePhase.NAZORG)
# A casusoverleg discusses a few dozen cases at most: the automatic fill stops there (manual additions do not).
MAX_AUTO_AGENDA = 30
MIN_DURATION, MAX_DURATION = 15, 600


def type_label(value, locale: str = "nl") -> str:
    labels = MEETING_TYPE_LABELS.get(MeetingType(value))
    return labels[1] if str(locale).startswith("en") else labels[0]


def local_start(day: date, at: time) -> datetime:
    """``day`` at local time ``at`` in Amsterdam, as UTC (the offset of that very day)."""
    return datetime.combine(day, at, tzinfo=AMSTERDAM).astimezone(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def _new_uid() -> str:
    return f"meeting-{uuid4()}@casus"


# --- validation shared by series and single meetings ---------------------------------------------------------

def _title(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError("Geef het overleg een titel.", field="title")
    if len(value) > 200:
        raise ServiceError("Een titel is hoogstens 200 tekens.", field="title")
    return value


def _place(location: str | None, online_url: str | None) -> tuple[str | None, str | None]:
    location = (location or "").strip() or None
    online_url = (online_url or "").strip() or None
    if not location and not online_url:
        raise ServiceError("Vul een locatie of een link voor online deelname in.", field="location")
    if location and len(location) > 200:
        raise ServiceError("Een locatie is hoogstens 200 tekens.", field="location")
    if online_url and (not online_url.startswith("https://") or len(online_url) > 500 or " " in online_url):
        raise ServiceError("Een link voor online deelname begint met https://.", field="online_url")
    return location, online_url


def _duration(minutes: int | None) -> int:
    if minutes is None or not MIN_DURATION <= int(minutes) <= MAX_DURATION:
        raise ServiceError("Een overleg duurt %(min)s tot %(max)s minuten.", field="duration_minutes",
                           min=MIN_DURATION, max=MAX_DURATION)
    return int(minutes)


def _type(value) -> MeetingType:
    try:
        return MeetingType(value)
    except ValueError as error:
        raise ServiceError("Kies een soort overleg.", field="type") from error


def _chair(team_id: int, chair_id: int | None) -> int | None:
    """The chair is an active procesregisseur or supervisor of the team."""
    if chair_id is None:
        return None
    ok = db.session.execute(
        sa.select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(User.id == chair_id, User.team_id == team_id, User.active.is_(True),
               UserRole.role.in_(("procesregisseur", "supervisor"))).limit(1)).scalar_one_or_none()
    if ok is None:
        raise ServiceError("De voorzitter moet een procesregisseur of supervisor van het team zijn.", field="chair_id")
    return chair_id


def _organisations(ids: Iterable[int]) -> list[int]:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        raise ServiceError("Nodig ten minste één organisatie uit.", field="organisation_ids")
    found = set(db.session.execute(sa.select(Organisation.id).where(
        Organisation.id.in_(wanted), Organisation.active.is_(True))).scalars())
    if found != set(wanted):
        raise ServiceError("Kies actieve organisaties uit de lijst.", field="organisation_ids")
    return wanted


def _team_of(user: User) -> int:
    if not user.has_role("procesregisseur", "supervisor") or user.team_id is None:
        raise ServiceError("Alleen procesregisseurs en supervisors van een team plannen overleggen.", status=403)
    return user.team_id


def invited_ids(meeting: Meeting) -> list[int]:
    return list(db.session.execute(sa.select(MeetingInvitation.organisation_id)
                                   .where(MeetingInvitation.meeting_id == meeting.id)).scalars())


def _set_invitations(meeting_id: int, organisation_ids: list[int]) -> None:
    db.session.execute(sa.delete(MeetingInvitation).where(MeetingInvitation.meeting_id == meeting_id))
    db.session.add_all(MeetingInvitation(meeting_id=meeting_id, organisation_id=org_id) for org_id in organisation_ids)


# --- series ----------------------------------------------------------------------------------------------------

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


def occurrences(series: MeetingSeries, since: date, until: date) -> list[date]:
    """The dates the series' rule gives in ``[since, until]``: its weekday every ``interval_weeks`` weeks,
    counted from the first such weekday on or after ``first_date``; holidays left out when asked."""
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


def _validated_series(user: User, data: SeriesInput) -> dict:
    team_id = _team_of(user)
    if not 0 <= int(data.weekday) <= 6:
        raise ServiceError("Kies een dag van de week.", field="weekday")
    if not 1 <= int(data.interval_weeks) <= 52:
        raise ServiceError("Het interval is 1 tot 52 weken.", field="interval_weeks")
    if data.first_date is None:
        raise ServiceError("Vul de eerste datum in.", field="first_date")
    if data.last_date is not None and data.last_date < data.first_date:
        raise ServiceError("De laatste datum ligt na de eerste.", field="last_date")
    if data.start_time is None:
        raise ServiceError("Vul de begintijd in.", field="start_time")
    location, online_url = _place(data.location, data.online_url)
    return {
        "team_id": team_id, "type": _type(data.type), "title": _title(data.title), "weekday": int(data.weekday),
        "interval_weeks": int(data.interval_weeks), "start_time": data.start_time.replace(second=0, microsecond=0),
        "duration_minutes": _duration(data.duration_minutes), "first_date": data.first_date,
        "last_date": data.last_date, "skip_holidays": bool(data.skip_holidays), "location": location,
        "online_url": online_url, "chair_id": _chair(team_id, data.chair_id), "active": bool(data.active),
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
    organisation_ids = _organisations(data.organisation_ids)
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
           object_id=series.id)
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
            _cancel(meeting)
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
    _set_invitations(meeting.id, organisation_ids)
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
                          ical_uid=_new_uid(), ical_sequence=0)
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


# --- single meetings -------------------------------------------------------------------------------------------

def create_meeting(user: User, *, type: str, title: str, day: date | None, start_time: time | None,
                   duration_minutes: int | None, location: str | None, online_url: str | None,
                   chair_id: int | None, organisation_ids: Iterable[int]) -> Meeting:
    """A single meeting (not part of a series) of the user's team, announced to the attendees."""
    team_id = _team_of(user)
    if day is None or start_time is None:
        raise ServiceError("Vul de datum en de begintijd in.", field="day")
    starts = local_start(day, start_time.replace(second=0, microsecond=0))
    if local_date(starts) < today():
        raise ServiceError("Een nieuw overleg ligt niet in het verleden.", field="day")
    location, online_url = _place(location, online_url)
    meeting = Meeting(team_id=team_id, type=_type(type), title=_title(title), starts_at=starts,
                      ends_at=starts + timedelta(minutes=_duration(duration_minutes)), location=location,
                      online_url=online_url, chair_id=_chair(team_id, chair_id), status=MeetingStatus.GEPLAND,
                      ical_uid=_new_uid(), ical_sequence=0)
    organisation_ids = _organisations(organisation_ids)
    db.session.add(meeting)
    db.session.flush()
    _set_invitations(meeting.id, organisation_ids)
    db.session.flush()
    record("meeting.created", object_type="meeting", object_id=meeting.id)
    calendar.notify_attendees(meeting, "new")
    return meeting


def _planned(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.GEPLAND:
        raise ServiceError("Dit overleg is geannuleerd of al gehouden.", status=409)


def move_meeting(user: User, meeting: Meeting, *, day: date | None, start_time: time | None,
                 duration_minutes: int | None, location: str | None, online_url: str | None,
                 expected_version: int | None) -> Meeting:
    """Move a planned meeting (date, time, duration, place); the attendees get an update."""
    check_version(meeting, expected_version)
    _planned(meeting)
    if day is None or start_time is None:
        raise ServiceError("Vul de datum en de begintijd in.", field="day")
    starts = local_start(day, start_time.replace(second=0, microsecond=0))
    if local_date(starts) < today():
        raise ServiceError("Een overleg verplaatst u niet naar het verleden.", field="day")
    ends = starts + timedelta(minutes=_duration(duration_minutes))
    location, online_url = _place(location, online_url)
    if (starts, ends, location, online_url) == (meeting.starts_at, meeting.ends_at, meeting.location,
                                                 meeting.online_url):
        return meeting
    meeting.starts_at, meeting.ends_at = starts, ends
    meeting.location, meeting.online_url = location, online_url
    meeting.ical_sequence += 1
    flush_versioned(meeting)
    record("meeting.moved", object_type="meeting", object_id=meeting.id,
           details={"starts_at": starts.isoformat()})
    calendar.notify_attendees(meeting, "moved")
    return meeting


def _cancel(meeting: Meeting) -> None:
    meeting.status = MeetingStatus.GEANNULEERD
    meeting.ical_sequence += 1
    flush_versioned(meeting)
    record("meeting.cancelled", object_type="meeting", object_id=meeting.id)
    calendar.notify_attendees(meeting, "cancelled")


def cancel_meeting(user: User, meeting: Meeting, *, expected_version: int | None) -> Meeting:
    """Cancel a planned meeting; the attendees get a cancellation. Its agenda stays as it was."""
    check_version(meeting, expected_version)
    _planned(meeting)
    _cancel(meeting)
    return meeting


# --- agenda ----------------------------------------------------------------------------------------------------

def _purpose(value) -> AgendaPurpose:
    try:
        return AgendaPurpose(value)
    except ValueError as error:
        raise ServiceError("Kies het doel van de bespreking.", field="purpose") from error


def agenda_of(meeting: Meeting, scope) -> list[AgendaItem]:
    """The items of ``meeting`` within ``scope`` (``policy.agenda_item_scope(user)``), with their cases.

    Each is numbered for this viewer (``item.number``: 1, 2, 3, …), as the page and the API show it: an item
    the viewer may not see leaves no gap that would betray it (``position`` itself counts every item).
    """
    rows = db.session.execute(
        sa.select(AgendaItem, Case).join(Case, Case.id == AgendaItem.case_id)
        .where(AgendaItem.meeting_id == meeting.id, scope)
        .order_by(AgendaItem.position, AgendaItem.id)).unique().all()
    items = []
    for number, (item, case) in enumerate(rows, start=1):
        item.case = case  # plain attributes: AgendaItem has no relationship to Case
        item.number = number
        items.append(item)
    return items


def agenda_number(meeting: Meeting, item: AgendaItem, scope) -> int:
    """``item``'s number on the agenda as a viewer with ``scope`` sees it (see :func:`agenda_of`)."""
    return next(other.number for other in agenda_of(meeting, scope) if other.id == item.id)


def lock_agenda(meeting: Meeting) -> MeetingStatus:
    """Take the meeting's row lock for a change of its agenda and answer its status as committed now.

    ``SELECT ... FOR UPDATE`` on PostgreSQL: whoever adds, removes or reorders items of this meeting waits for
    the one before to commit, then reads the agenda as that one left it (READ COMMITTED: every statement sees
    what is committed), so positions are handed out one at a time and a case is added once. SQLite serialises
    writers anyway (``BEGIN IMMEDIATE``) and renders no ``FOR UPDATE``. The unique constraints on
    (meeting, case) and (meeting, position) are the backstop."""
    status = db.session.execute(sa.select(Meeting.status).where(Meeting.id == meeting.id)
                                .with_for_update()).scalar_one()
    return MeetingStatus(status)


def _planned_and_locked(meeting: Meeting) -> None:
    _planned(meeting)
    if lock_agenda(meeting) != MeetingStatus.GEPLAND:  # cancelled or closed meanwhile
        raise ServiceError("Dit overleg is geannuleerd of al gehouden.", status=409)


def add_agenda_item(user: User, meeting: Meeting, case: Case, *, purpose: str) -> AgendaItem:
    """Put a case of the meeting's team on its agenda, last. Once: a case already on it answers 409, also when
    two people add it at the same moment (the meeting's lock orders them; see :func:`lock_agenda`)."""
    _planned(meeting)
    purpose = _purpose(purpose)
    if case.team_id != meeting.team_id:
        raise ServiceError("Alleen casussen van het eigen team komen op de agenda.", field="reference")
    if case.phase == CasePhase.AFGESLOTEN:
        raise ServiceError("Een afgesloten casus komt niet op de agenda.", field="reference")
    _planned_and_locked(meeting)
    for attempt in range(3):
        exists = db.session.execute(sa.select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.case_id == case.id)).scalar_one_or_none()
        if exists is not None:
            raise ServiceError("Deze casus staat al op de agenda.", field="reference", status=409)
        last = db.session.execute(sa.select(sa.func.max(AgendaItem.position))
                                  .where(AgendaItem.meeting_id == meeting.id)).scalar_one()
        item = AgendaItem(meeting_id=meeting.id, case_id=case.id, purpose=purpose, position=(last or 0) + 1)
        try:
            with db.session.begin_nested():  # a unique constraint refusing the row leaves the request usable
                db.session.add(item)
                db.session.flush()
            break
        except IntegrityError:  # only next to a writer that bypassed the lock: look again (its row is committed)
            if attempt == 2:
                raise
    record("agenda_item.added", object_type="agenda_item", object_id=item.id, case_id=case.id,
           details={"meeting_id": meeting.id, "purpose": purpose.value})
    return item


def remove_agenda_item(user: User, meeting: Meeting, item: AgendaItem, *, expected_version: int | None = None) -> None:
    """Take the item off the agenda, with its ``version`` (its minutes may have changed since it was read)."""
    check_version(item, expected_version)
    _planned_and_locked(meeting)
    has_decisions = db.session.execute(sa.select(Decision.id).where(Decision.agenda_item_id == item.id)
                                       .limit(1)).scalar_one_or_none()
    if has_decisions is not None:
        raise ServiceError("Over deze casus zijn al besluiten vastgelegd; hij blijft op de agenda.", status=409)
    record("agenda_item.removed", object_type="agenda_item", object_id=item.id, case_id=item.case_id,
           details={"meeting_id": meeting.id})
    db.session.delete(item)
    flush_versioned(item)


def move_agenda_item(user: User, meeting: Meeting, item: AgendaItem, direction: str, *,
                     expected_version: int | None = None) -> None:
    """Swap the item with its neighbour above (``up``) or below (``down``); the whole agenda is renumbered 1..n.

    Relative to the agenda as it is when the meeting's lock is held, so two moves at once both count. Only
    ``position`` changes, written past the ORM: the items' versions guard their contents, and reordering must
    not make anyone's minutes form stale. Every position is first made negative, so the unique (meeting,
    position) never sees two items on one place mid-way (PostgreSQL checks it row by row)."""
    check_version(item, expected_version)
    _planned_and_locked(meeting)
    db.session.flush()
    table = AgendaItem.__table__
    ids = list(db.session.execute(sa.select(table.c.id).where(table.c.meeting_id == meeting.id)
                                  .order_by(table.c.position, table.c.id)).scalars())
    index = ids.index(item.id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    db.session.execute(table.update().where(table.c.meeting_id == meeting.id).values(position=-table.c.position))
    db.session.execute(table.update().where(table.c.id.in_(ids)).values(
        position=sa.case({item_id: number for number, item_id in enumerate(ids, start=1)}, value=table.c.id)))
    for other in list(db.session.identity_map.values()):
        if isinstance(other, AgendaItem) and other.meeting_id == meeting.id:
            db.session.expire(other, ["position"])


def set_purpose(user: User, meeting: Meeting, item: AgendaItem, purpose: str, *,
                expected_version: int | None = None) -> None:
    check_version(item, expected_version)
    _planned(meeting)
    item.purpose = _purpose(purpose)
    flush_versioned(item)


# --- minutes, decisions, attendance ----------------------------------------------------------------------------

def _text(value: str | None, field: str) -> str | None:
    value = (value or "").strip() or None
    if value and len(value) > MAX_TEXT:
        raise ServiceError("Hoogstens %(max)s tekens.", field=field, max=MAX_TEXT)
    return value


def save_minutes(user: User, meeting: Meeting, item: AgendaItem, *, beeldvorming: str | None,
                 oordeelsvorming: str | None, besluitvorming: str | None, discussed: bool,
                 expected_version: int | None = None) -> AgendaItem:
    """The minutes of one case in BOB order, and whether it was discussed. Until the meeting is closed.
    With the item's ``version``: of two people saving the same minutes at once, one gets 409 — never a silent
    overwrite."""
    check_version(item, expected_version)
    _planned(meeting)
    item.beeldvorming = _text(beeldvorming, "beeldvorming")
    item.oordeelsvorming = _text(oordeelsvorming, "oordeelsvorming")
    item.besluitvorming = _text(besluitvorming, "besluitvorming")
    item.discussed = bool(discussed)
    flush_versioned(item)
    record("agenda_item.minutes", object_type="agenda_item", object_id=item.id, case_id=item.case_id,
           details={"meeting_id": meeting.id})
    return item


def add_decision(user: User, meeting: Meeting, item: AgendaItem, case: Case, *, text: str,
                 as_action: bool = False, owner_organisation_id: int | None = None,
                 due_on: date | None = None) -> Decision:
    """A besluit about the case; as an action it goes into the case's plan van aanpak (owner organisation =
    a participating organisation, with a due date) through :func:`casus.plans.services.add_action`."""
    from casus.plans.services import add_action

    _planned(meeting)
    text = _text(text, "text")
    if not text:
        raise ServiceError("Schrijf het besluit.", field="text")
    action_id = None
    if as_action:
        if owner_organisation_id is None:
            raise ServiceError("Kies de organisatie die de actie uitvoert.", field="owner_organisation_id")
        action_id = add_action(user, case, description=text, owner_organisation_id=owner_organisation_id,
                               due_on=due_on).id
    decision = Decision(agenda_item_id=item.id, text=text, action_id=action_id, created_by_id=user.id)
    db.session.add(decision)
    db.session.flush()
    add_timeline(case, "meeting.decision",
                 f"Besluit in {type_label(meeting.type).lower()} van {local_date(meeting.starts_at):%d-%m-%Y}: "
                 f"{text[:300]}", actor=user)
    record("decision.added", object_type="decision", object_id=decision.id, case_id=case.id,
           details={"meeting_id": meeting.id, "action_id": action_id})
    return decision


def record_attendance(user: User, meeting: Meeting, rows: dict[int, tuple[bool, str | None]], *,
                      expected_version: int | None = None) -> None:
    """Who was there, per invited organisation: ``{organisation_id: (present, names)}``. Attendance belongs to
    the meeting: it carries and bumps the meeting's ``version`` (updated first, so of two people saving at once
    the second waits for the first and then finds the version moved on: 409)."""
    check_version(meeting, expected_version)
    if meeting.status == MeetingStatus.GEANNULEERD:
        raise ServiceError("Dit overleg is geannuleerd.", status=409)
    invited = set(invited_ids(meeting))
    if not set(rows) <= invited:
        raise ServiceError("Aanwezigheid leggen we alleen vast voor uitgenodigde organisaties.")
    meeting.updated_at = utcnow()
    flush_versioned(meeting)
    existing = {a.organisation_id: a for a in db.session.execute(
        sa.select(Attendance).where(Attendance.meeting_id == meeting.id)).scalars()}
    for org_id, (present, names) in rows.items():
        names = (names or "").strip()[:500] or None
        row = existing.get(org_id)
        if row is None:
            db.session.add(Attendance(meeting_id=meeting.id, organisation_id=org_id, present=bool(present),
                                      attendees=names))
        else:
            row.present, row.attendees = bool(present), names
    db.session.flush()
    record("meeting.attendance", object_type="meeting", object_id=meeting.id)


def close_meeting(user: User, meeting: Meeting, *, expected_version: int | None) -> list[Case]:
    """"Overleg afsluiten": the meeting is held. Every discussed case gets ``plan_discussed_on`` (when not set),
    its next review date from the cadence (nazorg: the next check-in) and a line on its timeline."""
    check_version(meeting, expected_version)
    _planned(meeting)
    held_on = local_date(meeting.starts_at)
    if held_on > today():
        raise ServiceError("U sluit een overleg af op of na de dag waarop het is gehouden.", status=409)
    meeting.status = MeetingStatus.GEHOUDEN
    flush_versioned(meeting)
    cases = list(db.session.execute(
        sa.select(Case).join(AgendaItem, AgendaItem.case_id == Case.id)
        .where(AgendaItem.meeting_id == meeting.id, AgendaItem.discussed.is_(True))
        .order_by(AgendaItem.position)).unique().scalars())
    rules = cadences()
    label = type_label(meeting.type)
    phrase = label if label.isupper() or label.startswith("RIEC") else label[:1].lower() + label[1:]
    for case in cases:
        if case.plan_discussed_on is None:
            case.plan_discussed_on = held_on
        if case.phase in (CasePhase.AANPAK_PLAN, CasePhase.AANPAK_UITVOERING):
            case.next_review_on = rules.next_review(held_on)
        elif case.phase == CasePhase.NAZORG and case.nazorg_started_on:
            coming = [d for d in rules.nazorg_checkins(case.nazorg_started_on) if d > held_on]
            case.next_review_on = coming[0] if coming else None
        add_timeline(case, "meeting.discussed", f"Besproken in {phrase} {held_on:%d-%m-%Y}", actor=user)
        record("case.meeting_discussed", object_type="case", object_id=case.id, case_id=case.id,
               details={"meeting_id": meeting.id})
    db.session.flush()
    record("meeting.closed", object_type="meeting", object_id=meeting.id, details={"discussed": len(cases)})
    return cases


# --- the daily job: review-due cases onto the next fitting meeting ---------------------------------------------

def schedule_review_due_cases(app: Flask, now: datetime) -> int:
    """Put every case in aanpak.* or nazorg whose review is due within 7 days on its team's next planned
    casusoverleg (a jeugd case on the next Zorg- en Veiligheidstafel Jeugd when the team has such a series),
    unless it already is on a coming planned meeting. Purpose: ``nieuw`` in aanpak.plan, ``evalueren`` in
    nazorg, else ``bespreken``. A meeting takes at most ``MAX_AUTO_AGENDA`` items, most overdue review first: a
    backlog never buries one casusoverleg; the rest wait for a later run (and show as overdue meanwhile).

    Set-based: one query finds every case with its target meeting, one reads the agendas' last positions,
    one bulk insert writes the items — the same few statements for 1 or 10,000 cases. Idempotent: a rerun
    finds the cases on their coming agendas and writes nothing. Generates the coming weeks of every series
    first, so that there is a meeting to put them on.
    """
    extend_series(now)
    horizon = local_date(now) + timedelta(days=REVIEW_WINDOW_DAYS)
    zvt_series = sa.exists().where(MeetingSeries.team_id == Case.team_id, MeetingSeries.active.is_(True),
                                   MeetingSeries.type == MeetingType.ZVT_JEUGD)
    wanted_type = sa.case((sa.and_(Category.code == "jeugd", zvt_series), sa.literal(MeetingType.ZVT_JEUGD.value)),
                          else_=sa.literal(MeetingType.CASUSOVERLEG.value))
    target = (sa.select(Meeting.id).where(Meeting.team_id == Case.team_id, Meeting.type == wanted_type,
                                          Meeting.status == MeetingStatus.GEPLAND, Meeting.starts_at > now)
              .order_by(Meeting.starts_at, Meeting.id).limit(1).correlate(Case, Category).scalar_subquery())
    coming = aliased(Meeting)
    on_coming_agenda = sa.exists().where(
        AgendaItem.case_id == Case.id, coming.id == AgendaItem.meeting_id,
        coming.status == MeetingStatus.GEPLAND, coming.starts_at > now)
    purpose = sa.case((Case.phase == CasePhase.NAZORG, sa.literal(AgendaPurpose.EVALUEREN.value)),
                      (Case.phase == CasePhase.AANPAK_PLAN, sa.literal(AgendaPurpose.NIEUW.value)),
                      else_=sa.literal(AgendaPurpose.BESPREKEN.value))
    picked = (sa.select(Case.id.label("case_id"), target.label("meeting_id"), purpose.label("purpose"),
                        Case.next_review_on.label("review_on"))
              .select_from(Case).join(Category, Category.id == Case.category_id)
              .where(Case.phase.in_(REVIEWED_PHASES), Case.next_review_on.is_not(None),
                     Case.next_review_on <= horizon, ~on_coming_agenda)
              .subquery())
    rows = list(db.session.execute(
        sa.select(picked.c.case_id, picked.c.meeting_id, picked.c.purpose)
        .where(picked.c.meeting_id.is_not(None))
        .order_by(picked.c.meeting_id, picked.c.review_on, picked.c.case_id)))
    if not rows:
        return 0
    meeting_ids = sorted({row.meeting_id for row in rows})
    # The agendas' row locks, in id order (no deadlock with anyone taking one at a time), then what is on them
    # now: a case added by hand meanwhile is skipped, and positions continue after everything committed.
    db.session.execute(sa.select(Meeting.id).where(Meeting.id.in_(meeting_ids)).order_by(Meeting.id)
                       .with_for_update())
    present = {(meeting_id, case_id) for meeting_id, case_id in db.session.execute(
        sa.select(AgendaItem.meeting_id, AgendaItem.case_id).where(AgendaItem.meeting_id.in_(meeting_ids)))}
    rows = [row for row in rows if (row.meeting_id, row.case_id) not in present]
    agendas = db.session.execute(
        sa.select(AgendaItem.meeting_id, sa.func.max(AgendaItem.position), sa.func.count())
        .where(AgendaItem.meeting_id.in_(meeting_ids)).group_by(AgendaItem.meeting_id)).all()
    last = {meeting_id: position for meeting_id, position, _count in agendas}
    room = {meeting_id: MAX_AUTO_AGENDA - count for meeting_id, _position, count in agendas}
    created_at = utcnow()
    values = []
    for row in rows:
        if room.setdefault(row.meeting_id, MAX_AUTO_AGENDA) <= 0:
            continue  # full: the case waits for a later run
        room[row.meeting_id] -= 1
        last[row.meeting_id] = (last.get(row.meeting_id) or 0) + 1
        values.append({"meeting_id": row.meeting_id, "case_id": row.case_id, "purpose": AgendaPurpose(row.purpose),
                       "position": last[row.meeting_id], "added_automatically": True, "discussed": False,
                       "created_at": created_at})
    if not values:
        return 0
    db.session.execute(sa.insert(AgendaItem), values)
    record("agenda.auto_scheduled", object_type="meeting", details={"items": len(values),
                                                                    "meetings": meeting_ids[:50]})
    return len(values)


def participants_by_case(case_ids: Iterable[int]) -> dict[int, list[Organisation]]:
    """Active participating organisations per case, in one query (owners for decision actions)."""
    ids = sorted(set(case_ids))
    found: dict[int, list[Organisation]] = {case_id: [] for case_id in ids}
    if not ids:
        return found
    for participation in db.session.execute(
            sa.select(Participation).where(Participation.case_id.in_(ids), Participation.left_on.is_(None))
            .order_by(Participation.id)).scalars():
        found[participation.case_id].append(participation.organisation)
    return found


# --- reading ---------------------------------------------------------------------------------------------------

def list_meetings(scope, *, past: bool = False, after: str | None = None, limit: int = 25,
                  now: datetime | None = None, team_id: int | None = None):
    """A keyset page of the meetings in ``scope`` (``policy.meeting_scope(user)``): coming ones soonest first,
    or (``past``) ended ones latest first. Never OFFSET."""
    from casus.cases.services import decode_cursor, keyset_page

    now = now or utcnow()
    query = sa.select(Meeting).where(scope, Meeting.ends_at <= now if past else Meeting.ends_at > now)
    if team_id is not None:
        query = query.where(Meeting.team_id == team_id)
    return keyset_page(query, key=Meeting.starts_at, id_col=Meeting.id, descending=past,
                       after=decode_cursor(after, datetime.fromisoformat), before=None, limit=limit,
                       value_of=lambda meeting: meeting.starts_at, dump=lambda value: value.isoformat())
