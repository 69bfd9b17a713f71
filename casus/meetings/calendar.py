"""iCalendar (RFC 5545) for meetings: invitations, updates and cancellations, and personal feeds.

Invitations (RFC 5546 iTIP): :func:`notify_attendees` records one notification per attendee under a key
holding the meeting's ``ical_sequence``; the e-mail step (:func:`casus.notifications.services.send_pending_emails`)
mails it after the commit with an ``.ics`` that :func:`invitation_attachment` regenerates from the meeting at
send time — nothing but the meeting id, sequence and method is stored. An invitation whose meeting changed
again before it went out is not mailed: the newer one (higher SEQUENCE) replaces it.

What an invitation or a feed says: the meeting's title and type, time, place and online link, and a link into
Casus — never the agenda (which cases are discussed is need-to-know, per organisation). The feed adds the due
dates of the user's organisation's open actions, as all-day items naming only the case reference.

Who sees a meeting: :func:`casus.policy.meeting_scope`. Who is invited (:func:`attendees`): the active case
workers (procesregisseur, supervisor, partner, riec) of the invited organisations, and the chair.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText
from sqlalchemy.sql.elements import ColumnElement

from casus import policy
from casus.audit.models import Outcome
from casus.audit.services import record
from casus.cases.models import Case
from casus.clock import local_zone
from casus.database import utcnow
from casus.extensions import db
from casus.labels import enum_label
from casus.mail import mailer_for
from casus.meetings.models import (
    CalendarFeed,
    Meeting,
    MeetingInvitation,
    MeetingStatus,
    MeetingType,
)
from casus.notifications import kinds
from casus.notifications.services import (
    Attachment,
    AttachmentBuilder,
    NewNotification,
    Recipient,
    SkipEmail,
    case_link,
    notify_many,
)
from casus.plans.models import Action
from casus.users.models import User, UserRole
from workflow import ActionStatus

__all__ = [
    "attendees", "attending", "create_feed", "feed_ics", "feed_url", "invitation_attachment", "meeting_ics",
    "meeting_link", "notify_attendees", "revoke_feeds", "user_for_token",
]

PRODID = "-//Casus//Casusoverleg 1.0//NL"
MEETING_LINK = "/overleggen/{id}"
# Who attends: users who work on cases (policy.can_see_cases), picked set-based by their roles.
ATTENDING_ROLES = (*policy.TEAM_ROLES, *policy.PARTICIPANT_ROLES)
FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=180)
OPEN_ACTION = (ActionStatus.OPEN, ActionStatus.IN_UITVOERING)

# change -> (notification kind, iTIP method)
CHANGES = {
    "new": (kinds.MEETING_INVITATION.name, "REQUEST"),
    "moved": (kinds.MEETING_UPDATE.name, "REQUEST"),
    # The chair sends the settled agenda: the same meeting (a REQUEST with a higher SEQUENCE), each organisation's
    # agenda as a PDF beside it (attach_agenda).
    "agenda": (kinds.MEETING_AGENDA.name, "REQUEST"),
    "cancelled": (kinds.MEETING_CANCELLED.name, "CANCEL"),
    # To the users of an organisation taken off the invitation list: the meeting goes on without them.
    "uninvited": (kinds.MEETING_UNINVITED.name, "CANCEL"),
}


def meeting_link(meeting_id: int) -> str:
    """The path of a meeting page (relative to ``CASUS_BASE_URL``)."""
    return MEETING_LINK.format(id=meeting_id)


def _base_url() -> str:
    return current_app.config["CASUS"].base_url.rstrip("/")


def _english(language: str | None) -> bool:
    return str(language or "nl").lower().startswith("en")


# --- the VCALENDAR ----------------------------------------------------------------------------------------------

@cache
def _vtimezone_ical(tzid: str) -> bytes:
    """The local zone (``tzid``: the configured zone's IANA name, Europe/Amsterdam by default) with the EU rules
    of Central European Time (last Sunday of March 02:00 → 03:00, of October 03:00 → 02:00).

    Written as RRULEs, as Outlook and Google publish it, rather than icalendar's ``from_tzid`` (a list of
    every transition since 1970): short, and valid for any future year.
    """
    zone = Timezone()
    zone.add("tzid", tzid)
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("dtstart", datetime(1981, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("dtstart", datetime(1996, 10, 27, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone.to_ical()


def _calendar(method: str | None = None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", local_zone().key)
        # RFC 7986 and its older twin: how often a subscribed client should fetch the feed again.
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(Timezone.from_ical(_vtimezone_ical(local_zone().key)))
    return calendar


def meeting_summary(meeting: Meeting, language: str | None = "nl") -> str:
    """Title and type ("Casusoverleg Noord (Casusoverleg)"); no agenda, so no case is named."""
    label = enum_label(MeetingType, meeting.type, language or "nl")
    title = meeting.title.strip()
    summary = title if label.lower() in title.lower() else f"{title} ({label})"
    if meeting.status == MeetingStatus.GEANNULEERD:
        summary = f"{'Cancelled' if _english(language) else 'Geannuleerd'}: {summary}"
    return summary


def _meeting_event(meeting: Meeting, *, method: str | None = None, language: str | None, organizer: str, base_url: str,
                   now: datetime, attendee: str | None = None) -> Event:
    url = f"{base_url}{meeting_link(meeting.id)}"
    event = Event()
    event.add("uid", meeting.ical_uid)
    event.add("sequence", meeting.ical_sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(local_zone()))  # TZID= the zone's key
    event.add("dtend", meeting.ends_at.astimezone(local_zone()))
    event.add("summary", meeting_summary(meeting, language))
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    # A CANCEL also goes to someone taken off the list of a meeting that goes on: for them it is cancelled.
    cancelled = meeting.status == MeetingStatus.GEANNULEERD or method == "CANCEL"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("class", "PRIVATE")
    if _english(language):
        lines = [f"Agenda and documents in Casus: {url}"]
        if meeting.online_url:
            lines.append(f"Join online: {meeting.online_url}")
        lines.append("This invitation deliberately contains no agenda: log in to Casus to see it.")
    else:
        lines = [f"Agenda en stukken in Casus: {url}"]
        if meeting.online_url:
            lines.append(f"Online deelnemen: {meeting.online_url}")
        lines.append("Deze uitnodiging bevat bewust geen agenda: log in op Casus om die te zien.")
    event.add("description", "\n".join(lines))
    sender = vCalAddress(f"mailto:{organizer}")
    sender.params["cn"] = vText("Casus")
    event.add("organizer", sender)
    if attendee:
        # Only the recipient's own address: the invitation names no other attendee.
        guest = vCalAddress(f"mailto:{attendee}")
        guest.params.update({"cutype": vText("INDIVIDUAL"), "role": vText("REQ-PARTICIPANT"),
                             "partstat": vText("NEEDS-ACTION"), "rsvp": vText("FALSE")})
        event.add("attendee", guest)
    if meeting.updated_at:
        event.add("last-modified", meeting.updated_at.astimezone(UTC))
    return event


def meeting_ics(meeting: Meeting, method: str, *, language: str | None = "nl", attendee: str | None = None,
                now: datetime | None = None, base_url: str | None = None, organizer: str | None = None) -> bytes:
    """The invitation (``method`` ``"REQUEST"``) or cancellation (``"CANCEL"``) of ``meeting`` as .ics bytes.

    UID is the meeting's stable ``ical_uid`` and SEQUENCE its ``ical_sequence``, so a calendar replaces the
    earlier version; the times carry the local zone (``TZID=Europe/Amsterdam``) with its VTIMEZONE. ``attendee`` is the
    recipient's address (RFC 5546 wants it on a CANCEL; it names nobody else). ORGANIZER is the sender
    address (``CASUS_SMTP_SENDER``) unless ``organizer`` is given.
    """
    method = method.upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    calendar = _calendar(method)
    calendar.add_component(_meeting_event(
        meeting, method=method, language=language, organizer=organizer or mailer_for(current_app).sender,
        base_url=base_url or _base_url(),
        now=now or utcnow(), attendee=attendee))
    return calendar.to_ical()


# --- who sees a meeting, who is invited -------------------------------------------------------------------------

def attending(user=User, meeting=Meeting) -> ColumnElement[bool]:
    """Set-based: the ``user`` row is an attendee of the ``meeting`` row — active, working on cases, and the
    chair or of an invited organisation (so always someone :func:`casus.policy.meeting_scope` lets see it)."""
    invited = sa.exists().where(MeetingInvitation.meeting_id == meeting.id,
                                MeetingInvitation.organisation_id == user.organisation_id)
    works_cases = sa.exists().where(UserRole.user_id == user.id, UserRole.role.in_(ATTENDING_ROLES))
    return sa.and_(user.active.is_(True), works_cases, sa.or_(user.id == meeting.chair_id, invited))


def attendees(meeting: Meeting) -> list[tuple[int, str | None]]:
    """``(user_id, locale)`` of everyone invited to ``meeting``, in one query."""
    query = (sa.select(User.id, User.locale).select_from(Meeting).join(User, attending(User, Meeting))
             .where(Meeting.id == meeting.id).order_by(User.id))
    return [(row.id, row.locale) for row in db.session.execute(query)]


def meeting_params(meeting: Meeting) -> dict:
    """What a meeting notification may say: title, local date and time. Nothing about the agenda."""
    local = meeting.starts_at.astimezone(local_zone())
    return {"meeting_id": meeting.id, "meeting": meeting.title[:120], "date": local.date().isoformat(),
            "time": local.strftime("%H:%M")}


# --- invitations ------------------------------------------------------------------------------------------------

def notify_attendees(meeting: Meeting, change: str, *, recipients: list[tuple[int, str | None]] | None = None,
                     now: datetime | None = None, attach_agenda: bool = False) -> int:
    """Tell the attendees about a ``"new"``, ``"moved"`` or ``"cancelled"`` meeting: an in-app notification
    each and, after the commit, an e-mail with the .ics (METHOD:REQUEST, or CANCEL for a cancellation).

    ``recipients`` (``(user_id, locale)`` pairs) narrows it down: newly invited users get ``"new"`` alone, and
    users whose organisation was taken off the list get ``"uninvited"`` (a CANCEL for them only).
    The caller raises ``meeting.ical_sequence`` before notifying a change (``"moved"`` covers any change of
    time or place); the key ``meeting:{id}:seq:{n}:user:{uid}`` makes a repeated call for the same version a
    no-op. Flushes only. Returns the number of new notifications.

    ``attach_agenda``: the e-mail of a new or moved meeting also carries the agenda as each recipient's
    organisation receives it, as a PDF built at send time (``casus.printing.mail``).
    """
    if change not in CHANGES:
        raise ValueError(f"unknown meeting change {change!r}")
    if change != "new" and not meeting.ical_sequence:
        raise ValueError("raise meeting.ical_sequence before sending a change")
    if change == "cancelled" and meeting.status != MeetingStatus.GEANNULEERD:
        raise ValueError("a cancellation needs status geannuleerd")
    if change == "uninvited" and recipients is None:
        raise ValueError("say who is no longer invited")
    db.session.flush()
    kind, method = CHANGES[change]
    params = {**meeting_params(meeting), "sequence": meeting.ical_sequence, "method": method,
              **({"agenda_pdf": True} if attach_agenda else {})}
    link = meeting_link(meeting.id)
    return notify_many((NewNotification(user_id=user_id, key=f"meeting:{meeting.id}:seq:{meeting.ical_sequence}"
                                        f":user:{user_id}", kind=kind, link=link, params=params, locale=locale)
                        for user_id, locale in (attendees(meeting) if recipients is None else recipients)), now=now)


def _still_attends(meeting: Meeting, recipient: Recipient, cache: dict) -> bool:
    """Whether the recipient is (still) invited: one query per meeting and batch."""
    key = ("meeting-attendees", meeting.id)
    if key not in cache:
        cache[key] = {user_id for user_id, _locale in attendees(meeting)}
    return recipient.id in cache[key]


def attachment_builders() -> dict[str, AttachmentBuilder]:
    """For ``create_app`` (``notifications.services.init_attachments``): every invitation kind's e-mail carries
    the meeting's .ics."""
    return {kind: invitation_attachment for kind, _method in CHANGES.values()}


def invitation_attachment(notification, *, recipient: Recipient, base_url: str, sender: str,
                          cache: dict) -> Attachment:
    """The .ics of an invitation notification, built from the meeting as it is now (the e-mail step's hook).

    Raises :class:`SkipEmail` when the meeting is gone, changed again since (a newer invitation with a
    higher SEQUENCE follows), or the recipient is no longer invited.
    """
    params = notification.params or {}
    meeting = db.session.get(Meeting, params.get("meeting_id"))
    if meeting is None:
        raise SkipEmail("gone")
    method = params.get("method", "REQUEST")
    if meeting.ical_sequence > int(params.get("sequence", 0)) or (
            method == "REQUEST" and meeting.status == MeetingStatus.GEANNULEERD):
        raise SkipEmail("superseded")
    if notification.kind == kinds.MEETING_UNINVITED.name:
        if _still_attends(meeting, recipient, cache):
            raise SkipEmail("invited_again")
    elif not _still_attends(meeting, recipient, cache):
        raise SkipEmail("not_visible")
    english = _english(recipient.language)
    filename = ("cancellation.ics" if english else "annulering.ics") if method == "CANCEL" else (
        "invitation.ics" if english else "uitnodiging.ics")
    content = meeting_ics(meeting, method, language=recipient.language, attendee=recipient.email,
                          base_url=base_url, organizer=sender)
    return Attachment(filename=filename, content=content, maintype="text", subtype="calendar",
                      params={"method": method, "charset": "utf-8"})


# --- personal feeds ---------------------------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return f"{_base_url()}/agenda/{token}.ics"


def active_feed(user: User) -> CalendarFeed | None:
    return db.session.execute(
        sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .order_by(CalendarFeed.id.desc()).limit(1)).scalar_one_or_none()


def create_feed(user: User, *, now: datetime | None = None) -> str:
    """A new feed for ``user`` (any earlier one is revoked). Returns the secret token: it is shown once and
    only its SHA-256 is stored. Audited."""
    now = now or utcnow()
    revoke_feeds(user, now=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, token_hash=_token_hash(token), created_at=now)
    db.session.add(feed)
    db.session.flush()
    record("calendar.feed_created", object_type="calendar_feed", object_id=feed.id, user=user)
    return token


def revoke_feeds(user: User, *, now: datetime | None = None) -> int:
    """Revoke ``user``'s active feeds; their URLs answer 404 from now on. Audited per feed."""
    now = now or utcnow()
    feeds = list(db.session.execute(sa.select(CalendarFeed).where(
        CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))).scalars())
    for feed in feeds:
        feed.revoked_at = now
        record("calendar.feed_revoked", object_type="calendar_feed", object_id=feed.id, user=user)
    db.session.flush()
    return len(feeds)


def user_for_token(token: str) -> tuple[CalendarFeed, User] | None:
    """The active feed and its (active) owner for a token, else None. A revoked feed's read is audited as
    denied; an unknown token leaves no trace (there is nobody to attribute it to)."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(
        sa.select(CalendarFeed, User).join(User, User.id == CalendarFeed.user_id)
        .where(CalendarFeed.token_hash == _token_hash(token))).one_or_none()
    if row is None:
        return None
    feed, user = row
    if feed.revoked_at is not None or not user.active:
        record("calendar.feed", object_type="calendar_feed", object_id=feed.id, outcome=Outcome.DENIED, user=user)
        return None
    return feed, user


@dataclass
class Feed:
    body: bytes
    meetings: int
    actions: int


def _host() -> str:
    return urlsplit(_base_url()).hostname or "casus.local"


def feed_ics(user: User, *, now: datetime | None = None) -> Feed:
    """The user's personal calendar: the meetings they may see (30 days back, 180 ahead, in any status) and
    the due dates of their organisation's open actions in cases they may see. Two queries."""
    now = now or utcnow()
    language = user.locale
    english = _english(language)
    base_url = _base_url()
    organizer = mailer_for(current_app).sender
    meetings = list(db.session.execute(
        sa.select(Meeting).where(policy.meeting_scope(user), Meeting.starts_at >= now - FEED_PAST,
                                 Meeting.starts_at <= now + FEED_FUTURE)
        .order_by(Meeting.starts_at, Meeting.id)).scalars())
    today = now.astimezone(local_zone()).date()
    actions = db.session.execute(
        sa.select(Action.id, Action.due_on, Case.id.label("case_id"), Case.reference)
        .join(Case, Case.id == Action.case_id)
        .where(Action.owner_organisation_id == user.organisation_id, Action.status.in_(OPEN_ACTION),
               Action.due_on >= today - FEED_PAST, Action.due_on <= today + FEED_FUTURE,
               policy.case_scope(user))
        .order_by(Action.due_on, Action.id)).all()
    calendar = _calendar(name="Casus")
    for meeting in meetings:
        calendar.add_component(_meeting_event(meeting, language=language, organizer=organizer, base_url=base_url,
                                              now=now))
    host = _host()
    for action in actions:
        calendar.add_component(_action_event(action, english=english, base_url=base_url, host=host, now=now))
    return Feed(calendar.to_ical(), len(meetings), len(actions))


def _action_event(action, *, english: bool, base_url: str, host: str, now: datetime) -> Event:
    """An all-day item on the due date, naming only the case reference (no description, no owner)."""
    event = Event()
    event.add("uid", f"action-{action.id}@{host}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", action.due_on)
    event.add("dtend", action.due_on + timedelta(days=1))
    if english:
        event.add("summary", f"Action case {action.reference} due today")
    else:
        event.add("summary", f"Actie casus {action.reference} uiterlijk vandaag")
    url = f"{base_url}{case_link(action.case_id)}"
    event.add("description", f"{'Open in Casus' if english else 'Bekijk in Casus'}: {url}")
    event.add("transp", "TRANSPARENT")
    event.add("class", "PRIVATE")
    return event

