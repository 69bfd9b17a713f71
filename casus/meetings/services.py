"""Meetings: single meetings (plan, move, cancel), the checks every meeting and series shares, and the list.

The meetings' services are split by topic, and each of these modules is a service module — together the only
code that changes meeting data, with the rules of every ``services.py``:

* :mod:`casus.meetings.services` (this module): single meetings, the shared checks, the list of meetings;
* :mod:`casus.meetings.series`: meeting series and the meetings they generate (holidays skipped);
* :mod:`casus.meetings.agenda`: filling and ordering agendas, by hand and by the daily job;
* :mod:`casus.meetings.minutes`: minutes, decisions, attendance and closing a held meeting.

They import downward only: ``series``, ``agenda`` and ``minutes`` use this module, never the other way round.

Times: a series' start time is local (Europe/Amsterdam); meetings store ``starts_at``/``ends_at`` in UTC,
computed per date, so 09:30 stays 09:30 on either side of a daylight-saving change. A meeting's
``ical_uid`` never changes; ``ical_sequence`` rises with every change sent to the attendees
(:func:`casus.meetings.calendar.notify_attendees`).

Need-to-know lives in :mod:`casus.policy` (``meeting_scope``, ``agenda_item_scope``); views load meetings and
items through it and only the team's procesregisseurs and supervisors (``policy.manages_team``) call the
changing services. Services flush and audit; the request (or the scheduler job) commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

import sqlalchemy as sa

from casus import policy
from casus.audit.services import record
from casus.clock import local_zone, today
from casus.database import utcnow
from casus.extensions import db
from casus.labels import enum_label
from casus.meetings import calendar
from casus.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingInvitation,
    MeetingStatus,
    MeetingType,
)
from casus.notifications import kinds
from casus.notifications.models import Notification
from casus.organisations.models import Organisation
from casus.pagination import decode_cursor, keyset_page
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from casus.users.models import User, UserRole
from casus.versioning import check_version, flush_versioned

MIN_DURATION, MAX_DURATION = 15, 600


def type_label(value, locale: str = "nl") -> str:
    """The meeting type's label: Dutch unless asked otherwise (timeline texts are Dutch)."""
    return enum_label(MeetingType, value, locale)


def local_start(day: date, at: time) -> datetime:
    """``day`` at local time ``at`` in Amsterdam, as UTC (the offset of that very day)."""
    return datetime.combine(day, at, tzinfo=local_zone()).astimezone(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def new_uid() -> str:
    return f"meeting-{uuid4()}@casus"


# --- the texts that quote a meeting's date: written on the tijdlijn, rewritten when the meeting moves -------

def _day(meeting: Meeting) -> str:
    return f"{local_date(meeting.starts_at):%d-%m-%Y}"


def decision_prefix(meeting: Meeting) -> str:
    """``Besluit in casusoverleg van 12-01-2027: `` — a decision's tijdlijn line is this and the decision."""
    return f"Besluit in {type_label(meeting.type).lower()} van {_day(meeting)}: "


def discussed_line(meeting: Meeting) -> str:
    """``Besproken in casusoverleg 12-01-2027``: the tijdlijn line of a case discussed in the meeting."""
    label = type_label(meeting.type)
    phrase = label if label.isupper() or label.startswith("RIEC") else label[:1].lower() + label[1:]
    return f"Besproken in {phrase} {_day(meeting)}"


def rewrite_timeline(meeting: Meeting) -> int:
    """The tijdlijn lines of ``meeting`` (``TimelineEvent.meeting_id``) quote its date: after a move they say
    the new one, recomputed from the meeting — in one UPDATE, whatever the number of cases. A decision's line
    keeps its decision text: the prefix has a fixed length (the type does not move, dates are dd-mm-jjjj)."""
    prefix = decision_prefix(meeting)
    result = db.session.execute(
        sa.update(TimelineEvent)
        .where(TimelineEvent.meeting_id == meeting.id,
               TimelineEvent.kind.in_(("meeting.decision", "meeting.discussed")))
        .values(summary=sa.case(
            (TimelineEvent.kind == "meeting.discussed", discussed_line(meeting)),
            else_=sa.literal(prefix, sa.String) + sa.func.substr(TimelineEvent.summary, len(prefix) + 1)))
        .execution_options(synchronize_session=False))
    return result.rowcount


def rewrite_agenda_notices(meeting: Meeting) -> int:
    """The partners told that a case is on this meeting's agenda (``case_on_agenda``, one per item and user) were
    told its date and time in the notification's params, from which its title and e-mail are rendered: after a
    move they say the new ones. Read by the agenda's cases and the items' keys, changed in one executemany."""
    items = db.session.execute(sa.select(AgendaItem.id, AgendaItem.case_id)
                               .where(AgendaItem.meeting_id == meeting.id)).all()
    if not items:
        return 0
    notices = db.session.execute(sa.select(Notification.id, Notification.params).where(
        Notification.kind == kinds.CASE_ON_AGENDA.name,
        Notification.case_id.in_({case_id for _item, case_id in items}),
        sa.or_(*(Notification.key.startswith(f"case-on-agenda:item:{item_id}:user:") for item_id, _case in items))
    )).all()
    if not notices:
        return 0
    local = meeting.starts_at.astimezone(local_zone())
    moved = {"date": local.date().isoformat(), "time": local.strftime("%H:%M")}
    db.session.execute(sa.update(Notification), [{"id": notice_id, "params": {**(params or {}), **moved}}
                                                 for notice_id, params in notices])
    return len(notices)


# --- validation shared by series and single meetings ---------------------------------------------------------

def valid_title(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError("Geef het overleg een titel.", field="title")
    if len(value) > 200:
        raise ServiceError("Een titel is hoogstens 200 tekens.", field="title")
    return value


def valid_place(location: str | None, online_url: str | None) -> tuple[str | None, str | None]:
    location = (location or "").strip() or None
    online_url = (online_url or "").strip() or None
    if not location and not online_url:
        raise ServiceError("Vul een locatie of een link voor online deelname in.", field="location")
    if location and len(location) > 200:
        raise ServiceError("Een locatie is hoogstens 200 tekens.", field="location")
    if online_url and (not online_url.startswith("https://") or len(online_url) > 500 or " " in online_url):
        raise ServiceError("Een link voor online deelname begint met https://.", field="online_url")
    return location, online_url


def valid_duration(minutes: int | None) -> int:
    if minutes is None or not MIN_DURATION <= int(minutes) <= MAX_DURATION:
        raise ServiceError("Een overleg duurt %(min)s tot %(max)s minuten.", field="duration_minutes",
                           min=MIN_DURATION, max=MAX_DURATION)
    return int(minutes)


def valid_type(value) -> MeetingType:
    try:
        return MeetingType(value)
    except ValueError as error:
        raise ServiceError("Kies een soort overleg.", field="type") from error


def valid_chair(team_id: int, chair_id: int | None) -> int | None:
    """The chair is an active procesregisseur or supervisor of the team."""
    if chair_id is None:
        return None
    ok = db.session.execute(
        sa.select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(User.id == chair_id, User.team_id == team_id, User.active.is_(True),
               UserRole.role.in_(policy.TEAM_ROLES)).limit(1)).scalar_one_or_none()
    if ok is None:
        raise ServiceError("De voorzitter moet een procesregisseur of supervisor van het team zijn.", field="chair_id")
    return chair_id


def valid_organisations(ids: Iterable[int]) -> list[int]:
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        raise ServiceError("Nodig ten minste één organisatie uit.", field="organisation_ids")
    found = set(db.session.execute(sa.select(Organisation.id).where(
        Organisation.id.in_(wanted), Organisation.active.is_(True))).scalars())
    if found != set(wanted):
        raise ServiceError("Kies actieve organisaties uit de lijst.", field="organisation_ids")
    return wanted


def planning_team(user: User) -> int:
    """The team whose meetings ``user`` plans: only a procesregisseur or supervisor of a team plans any."""
    if not policy.manages_a_team(user):
        raise ServiceError("Alleen procesregisseurs en supervisors van een team plannen overleggen.", status=403)
    return user.team_id


def invited_ids(meeting: Meeting) -> list[int]:
    return list(db.session.execute(sa.select(MeetingInvitation.organisation_id)
                                   .where(MeetingInvitation.meeting_id == meeting.id)).scalars())


def set_invitations(meeting_id: int, organisation_ids: list[int]) -> None:
    db.session.execute(sa.delete(MeetingInvitation).where(MeetingInvitation.meeting_id == meeting_id))
    db.session.add_all(MeetingInvitation(meeting_id=meeting_id, organisation_id=org_id) for org_id in organisation_ids)


# --- single meetings -------------------------------------------------------------------------------------------

def create_meeting(user: User, *, type: str, title: str, day: date | None, start_time: time | None,
                   duration_minutes: int | None, location: str | None, online_url: str | None,
                   chair_id: int | None, organisation_ids: Iterable[int]) -> Meeting:
    """A single meeting (not part of a series) of the user's team, announced to the attendees."""
    team_id = planning_team(user)
    if day is None or start_time is None:
        raise ServiceError("Vul de datum en de begintijd in.", field="day")
    starts = local_start(day, start_time.replace(second=0, microsecond=0))
    if local_date(starts) < today():
        raise ServiceError("Een nieuw overleg ligt niet in het verleden.", field="day")
    location, online_url = valid_place(location, online_url)
    meeting = Meeting(team_id=team_id, type=valid_type(type), title=valid_title(title), starts_at=starts,
                      ends_at=starts + timedelta(minutes=valid_duration(duration_minutes)), location=location,
                      online_url=online_url, chair_id=valid_chair(team_id, chair_id), status=MeetingStatus.GEPLAND,
                      ical_uid=new_uid(), ical_sequence=0)
    organisation_ids = valid_organisations(organisation_ids)
    db.session.add(meeting)
    db.session.flush()
    set_invitations(meeting.id, organisation_ids)
    db.session.flush()
    record("meeting.created", object_type="meeting", object_id=meeting.id, user=user)
    calendar.notify_attendees(meeting, "new")
    return meeting


def require_planned(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.GEPLAND:
        raise ServiceError("Dit overleg is geannuleerd of al gehouden.", status=409)


def move_meeting(user: User, meeting: Meeting, *, day: date | None, start_time: time | None,
                 duration_minutes: int | None, location: str | None, online_url: str | None,
                 expected_version: int | None) -> Meeting:
    """Move a planned meeting (date, time, duration, place); the attendees get an update."""
    check_version(meeting, expected_version)
    require_planned(meeting)
    if day is None or start_time is None:
        raise ServiceError("Vul de datum en de begintijd in.", field="day")
    starts = local_start(day, start_time.replace(second=0, microsecond=0))
    if local_date(starts) < today():
        raise ServiceError("Een overleg verplaatst u niet naar het verleden.", field="day")
    ends = starts + timedelta(minutes=valid_duration(duration_minutes))
    location, online_url = valid_place(location, online_url)
    if (starts, ends, location, online_url) == (meeting.starts_at, meeting.ends_at, meeting.location,
                                                 meeting.online_url):
        return meeting
    meeting.starts_at, meeting.ends_at = starts, ends
    meeting.location, meeting.online_url = location, online_url
    meeting.ical_sequence += 1
    flush_versioned(meeting)
    rewritten = rewrite_timeline(meeting)
    renotified = rewrite_agenda_notices(meeting)
    record("meeting.moved", object_type="meeting", object_id=meeting.id,
           details={"starts_at": starts.isoformat(), "timeline_rewritten": rewritten,
                    "agenda_notices_rewritten": renotified}, user=user)
    calendar.notify_attendees(meeting, "moved")
    return meeting


def send_agenda(user: User, meeting: Meeting, *, expected_version: int | None) -> int:
    """Send the invitation again with the agenda: each invited organisation's users get the .ics and a PDF of the
    agenda items of the cases their organisation takes part in (built at send time). Returns how many are told."""
    check_version(meeting, expected_version)
    require_planned(meeting)
    items = db.session.scalar(sa.select(sa.func.count()).select_from(AgendaItem)
                              .where(AgendaItem.meeting_id == meeting.id))
    if not items:
        raise ServiceError("De agenda is nog leeg: zet eerst casussen op de agenda.")
    meeting.ical_sequence += 1
    flush_versioned(meeting)
    told = calendar.notify_attendees(meeting, "agenda", attach_agenda=True)
    record("meeting.agenda_sent", object_type="meeting", object_id=meeting.id,
           details={"agenda_items": items, "recipients": told}, user=user)
    return told


def mark_cancelled(meeting: Meeting) -> None:
    meeting.status = MeetingStatus.GEANNULEERD
    meeting.ical_sequence += 1
    flush_versioned(meeting)
    record("meeting.cancelled", object_type="meeting", object_id=meeting.id)
    calendar.notify_attendees(meeting, "cancelled")


def cancel_meeting(user: User, meeting: Meeting, *, expected_version: int | None) -> Meeting:
    """Cancel a planned meeting; the attendees get a cancellation. Its agenda stays as it was."""
    check_version(meeting, expected_version)
    require_planned(meeting)
    mark_cancelled(meeting)
    return meeting


# --- reading ---------------------------------------------------------------------------------------------------

def list_meetings(scope, *, past: bool = False, after: str | None = None, limit: int = 25,
                  now: datetime | None = None, team_id: int | None = None):
    """A keyset page of the meetings in ``scope`` (``policy.meeting_scope(user)``): coming ones soonest first,
    or (``past``) ended ones latest first. Never OFFSET."""
    now = now or utcnow()
    query = sa.select(Meeting).where(scope, Meeting.ends_at <= now if past else Meeting.ends_at > now)
    if team_id is not None:
        query = query.where(Meeting.team_id == team_id)
    return keyset_page(query, key=Meeting.starts_at, id_col=Meeting.id, descending=past,
                       after=decode_cursor(after, datetime.fromisoformat), before=None, limit=limit,
                       value_of=lambda meeting: meeting.starts_at, dump=lambda value: value.isoformat())
