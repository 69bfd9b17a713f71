"""The notification jobs: plain functions ``job(app, now) -> int`` (the number of new notifications).

Each is set-based — one query picks every recipient for every case at once, with the need-to-know rule
from :func:`casus.policy.sees_case` and a ``NOT EXISTS`` on the notification key, so that a rerun reads
nothing and writes nothing — followed by one bulk insert that skips existing keys. They flush only; the
scheduler's wrapper (:func:`casus.scheduling.runner.run_job`) runs them in an app context and commits once.

Keys use the case's own dates and the *local* date in Europe/Amsterdam, never a UTC date or a time, so a
night with a daylight-saving change, a rerun or a catch-up after downtime maps onto the same key.

Recipients:
* triage deadline, review due, stale action, nazorg check-in: the case's procesregisseur, else (none
  assigned, inactive, or no longer allowed to see the case) the supervisors of the case's team;
* overdue actions: the owning user, else the contact person of the owning organisation's casusdeelname,
  else the procesregisseur — one digest per recipient per working day;
* four-eyes requests (approvals) notify when asked and decided, and remind daily when they wait long:
  :mod:`casus.approvals.services` and :mod:`casus.approvals.jobs`;
* meeting reminders: the meeting's attendees (:func:`casus.meetings.calendar.attendees`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from casus import policy
from casus.cases.models import Case, Participation
from casus.clock import cadences, local_zone
from casus.nazorg.models import NazorgCheckin
from casus.notifications import kinds
from casus.notifications.models import Notification
from casus.notifications.services import NewNotification, case_link, notify_many, send_pending_emails
from casus.plans.models import Action
from casus.users.models import Role, User, UserRole
from workflow import ActionStatus, CasePhase
from workflow.cadences import add_months
from workflow.workdays import add_working_days, is_working_day

__all__ = ["meeting_reminders", "nazorg_checkins", "overdue_actions", "review_due", "send_emails",
           "stale_actions", "triage_deadlines"]

OPEN_ACTION = (ActionStatus.OPEN, ActionStatus.IN_UITVOERING)
AANPAK = (CasePhase.AANPAK_PLAN, CasePhase.AANPAK_UITVOERING)
MAX_REFERENCES = 10


def local_today(now: datetime) -> date:
    return now.astimezone(local_zone()).date()


# --- keys, built in SQL so that the NOT EXISTS prefilter and the stored key are one and the same ---------------

class iso_date(FunctionElement):
    """A date as ``YYYY-MM-DD`` text on every database (PostgreSQL's cast would follow DateStyle)."""

    type = sa.String()
    name = "iso_date"
    inherit_cache = True


@compiles(iso_date)
def _iso_date_default(element, compiler, **kw):
    return compiler.process(sa.cast(next(iter(element.clauses)), sa.String(10)), **kw)


@compiles(iso_date, "postgresql")
def _iso_date_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(next(iter(element.clauses)), **kw)}, 'YYYY-MM-DD')"


def sql_key(*parts: str | ColumnElement) -> ColumnElement[str]:
    """``'review-due:case:' || CAST(cases.id AS VARCHAR) || ...``: strings are literal, dates ISO, the rest cast."""
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(sa.literal(part, sa.String))
        elif isinstance(part.type, sa.Date):
            pieces.append(iso_date(part))
        else:
            pieces.append(sa.cast(part, sa.String))
    expression = pieces[0]
    for piece in pieces[1:]:
        expression = expression.concat(piece)
    return expression


def _new(key: ColumnElement[str]) -> ColumnElement[bool]:
    return ~sa.exists().where(Notification.key == key)


def _holds(user, role: Role) -> ColumnElement[bool]:
    return sa.exists().where(UserRole.user_id == user.id, UserRole.role == role)


def _may_notify(user, case=Case) -> ColumnElement[bool]:
    return sa.and_(user.active.is_(True), policy.sees_case(user, case))


def _managers(base: sa.Select, key: Callable[[type[User]], ColumnElement[str]]) -> list:
    """``base``'s rows plus ``key``, ``user_id``, ``locale``: to the procesregisseur, else the team's supervisors.

    ``base`` selects from ``cases`` (possibly joined); two index-friendly branches in one UNION ALL.
    """
    regisseur = aliased(User)
    has_regisseur = sa.exists().where(regisseur.id == Case.procesregisseur_id, _may_notify(regisseur))

    def branch(on: ColumnElement[bool], *where: ColumnElement[bool]) -> sa.Select:
        return (base.add_columns(key(User).label("key"), User.id.label("user_id"), User.locale.label("locale"))
                .join(User, on).where(_may_notify(User), _new(key(User)), *where))

    query = sa.union_all(
        branch(User.id == Case.procesregisseur_id),
        branch(sa.and_(User.team_id == Case.team_id, _holds(User, Role.SUPERVISOR)), ~has_regisseur),
    )
    return list(_session().execute(query))


def _session():
    from casus.extensions import db

    return db.session


def _record(rows: Iterable, kind: str, now: datetime, params: Callable[[object], dict]) -> int:
    return notify_many((NewNotification(user_id=row.user_id, key=row.key, kind=kind, link=case_link(row.case_id),
                                        params=params(row), case_id=row.case_id, locale=row.locale)
                        for row in rows), now=now)


# --- the jobs ---------------------------------------------------------------------------------------------------

def triage_deadlines(app: Flask, now: datetime) -> int:
    """Cases in signalering/triage whose triage is due within one working day, or overdue: once per due date."""
    today = local_today(now)
    if not is_working_day(today):
        return 0  # the working day before already warned for anything due on the next one
    base = (sa.select(Case.id.label("case_id"), Case.reference.label("reference"), Case.triage_due_on.label("day"))
            .where(Case.phase.in_((CasePhase.SIGNALERING, CasePhase.TRIAGE)),
                   Case.triage_due_on <= add_working_days(today, 1)))
    rows = _managers(base, lambda user: sql_key("triage-deadline:case:", Case.id, ":", Case.triage_due_on,
                                                ":user:", user.id))
    return _record(rows, kinds.TRIAGE_DEADLINE.name, now,
                   lambda row: {"reference": row.reference, "date": row.day.isoformat()})


def review_due(app: Flask, now: datetime) -> int:
    """Cases in aanpak whose review date has come: once per review date."""
    today = local_today(now)
    base = (sa.select(Case.id.label("case_id"), Case.reference.label("reference"), Case.next_review_on.label("day"))
            .where(Case.phase.in_(AANPAK), Case.next_review_on <= today))
    rows = _managers(base, lambda user: sql_key("review-due:case:", Case.id, ":", Case.next_review_on,
                                                ":user:", user.id))
    return _record(rows, kinds.REVIEW_DUE.name, now,
                   lambda row: {"reference": row.reference, "date": row.day.isoformat()})


def latest_start_for(today: date, months: int) -> date:
    """The latest nazorg start whose check-in after ``months`` falls on or before ``today``.

    ``add_months`` clamps to the month's end (31 Aug + 6 = 28 Feb), so this is found, not computed.
    """
    start = add_months(today, -months)
    while add_months(start + timedelta(days=1), months) <= today:
        start += timedelta(days=1)
    while add_months(start, months) > today:
        start -= timedelta(days=1)
    return start


def _checkin_done(months: int) -> ColumnElement[bool]:
    """The case's check-in after ``months`` of its current nazorg period is recorded (casus.nazorg)."""
    return sa.exists().where(NazorgCheckin.case_id == Case.id,
                             NazorgCheckin.nazorg_started_on == Case.nazorg_started_on,
                             NazorgCheckin.months == months, NazorgCheckin.done_on.is_not(None))


def nazorg_checkins(app: Flask, now: datetime) -> int:
    """Nazorg check-ins (3 and 6 months by default): the latest one due and not yet recorded, once per case and
    check-in."""
    today = local_today(now)
    schedule = sorted(cadences().nazorg_checkins_months)
    created = 0
    for index, months in enumerate(schedule):
        conditions = [Case.phase == CasePhase.NAZORG, Case.nazorg_started_on <= latest_start_for(today, months),
                      ~_checkin_done(months)]
        if index + 1 < len(schedule):  # a later check-in already due supersedes this one
            conditions.append(Case.nazorg_started_on > latest_start_for(today, schedule[index + 1]))
        base = (sa.select(Case.id.label("case_id"), Case.reference.label("reference"),
                          Case.nazorg_started_on.label("started")).where(*conditions))
        rows = _managers(base, lambda user, months=months: sql_key(
            "nazorg-checkin:case:", Case.id, ":", Case.nazorg_started_on, f":{months}m:user:", user.id))
        created += _record(rows, kinds.NAZORG_CHECKIN.name, now, lambda row, months=months: {
            "reference": row.reference, "months": months, "date": add_months(row.started, months).isoformat()})
    return created


def stale_actions(app: Flask, now: datetime) -> int:
    """Open actions untouched for ``stale_after_days`` (14) local days: once per action and change."""
    today = local_today(now)
    first_fresh_day = today - timedelta(days=cadences().stale_after_days - 1)
    boundary = datetime.combine(first_fresh_day, time.min, tzinfo=local_zone()).astimezone(UTC)
    base = (sa.select(Case.id.label("case_id"), Case.reference.label("reference"),
                      Action.last_activity_at.label("touched"))
            .select_from(Action).join(Case, Case.id == Action.case_id)
            .where(Action.status.in_(OPEN_ACTION), Case.phase != CasePhase.AFGESLOTEN,
                   Action.last_activity_at < boundary))
    # The action's version changes with every change, so a stale spell that ends and comes back is new.
    rows = _managers(base, lambda user: sql_key("action-stale:action:", Action.id, ":v", Action.version,
                                                ":user:", user.id))
    return _record(rows, kinds.ACTION_STALE.name, now, lambda row: {
        "reference": row.reference, "date": local_today(_aware(row.touched)).isoformat()})


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # a raw UNION column skips UTCDateTime on SQLite


def overdue_actions(app: Flask, now: datetime) -> int:
    """Each working day: one digest per recipient of the open actions past their due date."""
    today = local_today(now)
    if not is_working_day(today):
        return 0
    prefix = f"actions-overdue:{today.isoformat()}:user:"
    owner, contact = aliased(User), aliased(User)
    owner_participation = aliased(Participation)
    owner_ok = sa.exists().where(owner.id == Action.owner_user_id, _may_notify(owner))
    contact_ok = sa.exists().where(
        owner_participation.case_id == Case.id, owner_participation.organisation_id == Action.owner_organisation_id,
        owner_participation.left_on.is_(None), contact.id == owner_participation.contact_user_id,
        _may_notify(contact))
    base = (sa.select(Action.id.label("action_id"), Case.id.label("case_id"), Case.reference.label("reference"),
                      User.id.label("user_id"), User.locale.label("locale"))
            .select_from(Action).join(Case, Case.id == Action.case_id)
            .where(Action.status.in_(OPEN_ACTION), Action.due_on < today, Case.phase != CasePhase.AFGESLOTEN))
    new_for_user = _new(sql_key(prefix, User.id))
    participation = aliased(Participation)
    query = sa.union_all(
        base.join(User, User.id == Action.owner_user_id).where(_may_notify(User), new_for_user),
        base.join(participation, sa.and_(participation.case_id == Case.id,
                                         participation.organisation_id == Action.owner_organisation_id,
                                         participation.left_on.is_(None)))
        .join(User, User.id == participation.contact_user_id).where(_may_notify(User), new_for_user, ~owner_ok),
        base.join(User, User.id == Case.procesregisseur_id)
        .where(_may_notify(User), new_for_user, ~owner_ok, ~contact_ok),
    )
    per_user: dict[int, dict] = defaultdict(lambda: {"actions": set(), "cases": {}, "locale": None})
    for row in _session().execute(query):
        entry = per_user[row.user_id]
        entry["actions"].add(row.action_id)
        entry["cases"][row.case_id] = row.reference
        entry["locale"] = row.locale
    items = []
    for user_id, entry in per_user.items():
        cases = entry["cases"]
        references = sorted(cases.values())
        only_case = next(iter(cases)) if len(cases) == 1 else None
        items.append(NewNotification(
            user_id=user_id, key=f"{prefix}{user_id}", kind=kinds.ACTIONS_OVERDUE.name,
            link=case_link(only_case) if only_case else "/", case_id=only_case, locale=entry["locale"],
            params={"count": len(entry["actions"]), "references": references[:MAX_REFERENCES]
                    + (["…"] if len(references) > MAX_REFERENCES else [])}))
    return notify_many(items, now=now)


# How long after its due moment a missed meeting reminder is still sent: the scheduler's misfire grace time.
REMINDER_CATCH_UP = timedelta(hours=6)


def reminder_due(starts_at: datetime) -> datetime:
    """When to remind of a meeting: the same local clock time the day before (09:30 for a 09:30 meeting),
    which is 23 or 25 real hours ahead across a daylight-saving change. In UTC."""
    local = starts_at.astimezone(local_zone())
    return (local - timedelta(days=1)).astimezone(UTC)  # zoneinfo arithmetic is wall-clock arithmetic


def meeting_reminders(app: Flask, now: datetime) -> int:
    """Planned meetings whose reminder moment has come (:func:`reminder_due`, up to ``REMINDER_CATCH_UP`` late,
    so a catch-up after downtime still reminds): one reminder per attendee and start time — a moved meeting
    reminds again, a cancelled one never. Not for meetings created after that moment: their invitation is
    the reminder. Runs every 15 minutes."""
    from casus.meetings import calendar
    from casus.meetings.models import Meeting, MeetingStatus

    earliest = now - REMINDER_CATCH_UP
    rows = _session().execute(
        sa.select(Meeting, User.id.label("user_id"), User.locale.label("locale"))
        .join(User, calendar.attending(User, Meeting))
        .where(Meeting.status == MeetingStatus.GEPLAND,
               Meeting.starts_at > earliest + timedelta(hours=23), Meeting.starts_at <= now + timedelta(hours=25))
        .order_by(Meeting.starts_at, Meeting.id, User.id)).all()
    items = []
    for meeting, user_id, locale in rows:
        due = reminder_due(meeting.starts_at)
        if not earliest < due <= now or meeting.created_at > due:
            continue
        start = meeting.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
        items.append(NewNotification(
            user_id=user_id, key=f"meeting-reminder:meeting:{meeting.id}:{start}:user:{user_id}",
            kind=kinds.MEETING_REMINDER.name, link=calendar.meeting_link(meeting.id),
            params=calendar.meeting_params(meeting), locale=locale))
    return notify_many(items, now=now)


def send_emails(app: Flask, now: datetime) -> int:
    """Send the e-mails that are due (see :func:`casus.notifications.services.send_pending_emails`)."""
    return send_pending_emails(app, now).sent
