"""What the meeting pages show: the meeting page (agenda, verslag, besluiten, aanwezigheid) with the forms of
whoever manages the meeting, the move page, the series form page, and the choice lists of the planning forms.

Reads only. The views in :mod:`casus.meetings.views` check access, parse input, call a service and answer
with one of these pages — also after a refused or stale save, when the page shows the user's input next to
what is stored now. What a viewer sees comes from :mod:`casus.policy` (``agenda_item_scope``), who may
change the meeting from ``policy.manages_team``.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from casus import policy
from casus.audit.services import record_shown
from casus.cases.forms import unique_ids
from casus.clock import local_zone
from casus.database import utcnow
from casus.extensions import db
from casus.i18n import current_locale
from casus.meetings.agenda import agenda_of
from casus.meetings.forms import AgendaAddForm, AttendanceForm, DecisionForm, MinutesForm, MoveForm, VersionForm
from casus.meetings.minutes import has_started, participants_by_case
from casus.meetings.models import Attendance, Decision, Meeting, MeetingInvitation, MeetingSeries, MeetingStatus
from casus.meetings.series import series_invited_ids
from casus.organisations.models import Organisation
from casus.plans.models import Action
from casus.security import acting_user
from casus.users.models import User, UserRole


def chairs(team_id: int) -> list[User]:
    """Who may chair the team's meetings: its active procesregisseurs and supervisors, by name."""
    return list(db.session.execute(
        sa.select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.team_id == team_id, User.active.is_(True),
               UserRole.role.in_(policy.TEAM_ROLES))
        .order_by(User.name)).unique().scalars())


def active_organisations() -> list[Organisation]:
    """The organisations a meeting or series may invite."""
    return list(db.session.execute(sa.select(Organisation).where(Organisation.active.is_(True))
                                   .order_by(Organisation.name)).scalars())


def render_detail(meeting: Meeting, *, add_form=None, item_forms=None, attendance_form=None, status=200,
                  conflict: str | None = None):
    """The meeting page. ``conflict`` (``punt-<id>`` or ``aanwezigheid``): that form was stale; the page shows
    what is stored now next to the user's input (the form)."""
    user = acting_user()
    manages = policy.manages_team(user, meeting.team_id)
    items = agenda_of(meeting, policy.agenda_item_scope(user))
    record_shown("meeting.agenda.view", (item.case_id for item in items), object_type="meeting",
                 object_id=meeting.id, user=user)
    decisions: dict[int, list] = defaultdict(list)
    if items:
        # The owner's eager load must be an outer join too: its default inner join would drop every decision
        # without an action.
        for decision, action in db.session.execute(
                sa.select(Decision, Action).outerjoin(Action, Action.id == Decision.action_id)
                .options(joinedload(Action.owner_organisation, innerjoin=False))
                .where(Decision.agenda_item_id.in_([item.id for item in items]))
                .order_by(Decision.created_at, Decision.id)).unique().all():
            decisions[decision.agenda_item_id].append((decision, action))
    invited = list(db.session.execute(
        sa.select(Organisation).join(MeetingInvitation, MeetingInvitation.organisation_id == Organisation.id)
        .where(MeetingInvitation.meeting_id == meeting.id).order_by(Organisation.name)).scalars())
    attendance = {row.organisation_id: row for row in db.session.execute(
        sa.select(Attendance).where(Attendance.meeting_id == meeting.id)).scalars()}
    chair = (db.session.execute(sa.select(User.name).where(User.id == meeting.chair_id)).scalar_one_or_none()
             if meeting.chair_id else None)
    planned = meeting.status == MeetingStatus.GEPLAND
    # Minutes, decisions and attendance record what happened: their forms appear once the meeting has begun.
    recording = manages and planned and has_started(meeting)
    forms = dict(item_forms or {})
    if recording:
        participants = participants_by_case(item.case_id for item in items)
        for item in items:
            minutes_form, decision_form = forms.get(item.id, (None, None))
            if minutes_form is None:
                minutes_form = MinutesForm(formdata=None, obj=item)
            if decision_form is None:
                decision_form = DecisionForm(formdata=None)
            decision_form.fill(participants.get(item.case_id, []))
            unique_ids(minutes_form, f"verslag-{item.id}")
            unique_ids(decision_form, f"besluit-{item.id}")
            forms[item.id] = (minutes_form, decision_form)
    if manages and planned:
        if add_form is None:
            add_form = AgendaAddForm(formdata=None)
        add_form.fill(current_locale())
    if recording:
        if attendance_form is None:
            attendance_form = AttendanceForm(formdata=None, rows=[
                {"organisation_id": org.id, "present": getattr(attendance.get(org.id), "present", False),
                 "names": getattr(attendance.get(org.id), "attendees", None) or ""} for org in invited])
        for row, org in zip(attendance_form.rows, invited, strict=False):
            row.present.label.text = _("%(name)s aanwezig", name=org.name)
            row.names.label.text = _("Namen (%(name)s)", name=org.name)
    return render_template(
        "meetings/detail.html", meeting=meeting, items=items, decisions=decisions, invited=invited,
        attendance=attendance, chair=chair, manages=manages, planned=planned, item_forms=forms,
        add_form=add_form if manages and planned else None,
        attendance_form=attendance_form if recording else None, not_started=manages and planned and not recording,
        invited_names={org.id: org.name for org in invited}, conflict=conflict), status


def move_form(meeting: Meeting) -> MoveForm:
    """The move form filled with the meeting as stored."""
    local = meeting.starts_at.astimezone(local_zone())
    return MoveForm(formdata=None, obj=meeting, day=local.date(), start_time=local.time(), version=meeting.version,
                    duration_minutes=int((meeting.ends_at - meeting.starts_at).total_seconds() // 60))


def render_move(meeting: Meeting, form: MoveForm, *, status: int = 200, conflict: bool = False):
    """The move page, with the cancel button (its form carries the meeting's version)."""
    return render_template("meetings/move.html", meeting=meeting, form=form, conflict=conflict,
                           cancel_form=VersionForm(formdata=None, version=meeting.version)), status


def render_series_form(form, series: MeetingSeries | None, *, status: int = 200, conflict: bool = False):
    """The series form page: a series' next meetings beside the form, and after a stale save (``conflict``)
    the organisations invited as stored now."""
    upcoming = []
    if series is not None:
        upcoming = list(db.session.execute(sa.select(Meeting).where(
            Meeting.series_id == series.id, Meeting.ends_at > utcnow())
            .order_by(Meeting.starts_at).limit(10)).scalars())
    stored_invited = []
    if conflict:
        stored_invited = list(db.session.execute(sa.select(Organisation.name).where(
            Organisation.id.in_(series_invited_ids(series))).order_by(Organisation.name)).scalars())
    return render_template("meetings/series_form.html", form=form, series=series, upcoming=upcoming,
                           conflict=conflict, stored_invited=stored_invited), status
