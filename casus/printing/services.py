"""The printable packs: what each one shows, gathered through the same policy scopes and query functions as the
pages that show it, rendered to PDF (casus.printing.rendering) and audited — who printed what, for whom.

* the case summary — overview, subjects, participants, the plan (goals, actions, status) and the latest timeline
  lines — as the reader sees the case file (``case_scope``, ``timeline_scope``);
* a meeting's agenda and minutes for one invited organisation: only the items of cases that organisation takes
  part in (``organisation_agenda_scope`` on top of the printer's own ``agenda_item_scope``). The meeting's team and
  chair print for any invited organisation, anyone else only for their own (another: 404, as if absent);
* a voordracht as the RIEC receives it: the fields it shares and the subjects chosen for it, never the case.

Reads only, plus the audit events (``print.*``). Never commits.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from casus import policy
from casus.audit.services import record, record_shown
from casus.cases import case_subjects
from casus.cases.models import Case
from casus.cases.services import participations_of
from casus.clock import local_zone
from casus.extensions import db
from casus.labels import N_, Labels
from casus.meetings.agenda import agenda_of
from casus.meetings.minutes import has_started
from casus.meetings.models import (
    AgendaPurpose,
    Attendance,
    Decision,
    Meeting,
    MeetingInvitation,
    MeetingStatus,
    MeetingType,
)
from casus.organisations.models import Organisation, Team
from casus.plans.models import Action
from casus.plans.services import actions_of, goals_of
from casus.printing.rendering import header, render_pdf
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from casus.users.models import User
from casus.voordrachten import services as voordrachten
from casus.voordrachten.models import RiecIndicator, RiecLegalBasis, Urgency, Voordracht
from casus.web.helpers import template_helpers
from workflow import VoordrachtState

RECENT_TIMELINE_LINES = 20


def _labels() -> dict:
    """The label helpers the print templates share with the pages they print (the case file's and the meeting
    and voordracht pages' own), so that a pack words everything as the page does."""
    return {
        **template_helpers(),
        "meeting_type_label": Labels(MeetingType),
        "purpose_label": Labels(AgendaPurpose),
        "state_label": Labels(VoordrachtState),
        "urgency_label": Labels(Urgency),
        "indicator_label": Labels(RiecIndicator),
        "legal_basis_label_riec": Labels(RiecLegalBasis),
    }


def _render(template: str, print_header, **context) -> bytes:
    return render_pdf(template, print_header, **_labels(), **context)


@dataclass(frozen=True)
class PrintedPack:
    """A rendered pack: the PDF and the name to offer it under."""

    filename: str
    data: bytes


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "casus"


# --- the case summary ------------------------------------------------------------------------------------------

def case_summary(user: User, case_id: int) -> PrintedPack:
    """The case summary as ``user`` may see the case file (404 for a case outside their scope)."""
    case = policy.get_case(user, case_id)
    subjects = case_subjects.subjects_of(case)
    timeline = list(db.session.execute(
        sa.select(TimelineEvent).where(TimelineEvent.case_id == case.id, policy.timeline_scope(user))
        .options(joinedload(TimelineEvent.actor))
        .order_by(TimelineEvent.occurred_at.desc(), TimelineEvent.id.desc())
        .limit(RECENT_TIMELINE_LINES)).scalars())
    goals = goals_of(case)
    context = {
        "case": case,
        "procesregisseur": db.session.get(User, case.procesregisseur_id) if case.procesregisseur_id else None,
        "aanbrenger": db.session.get(Organisation, case.aanbrenger_organisation_id),
        "subjects": subjects,
        "participations": participations_of(case, active_only=True),
        "goals": goals,
        "goal_names": {goal.id: goal.description for goal in goals},
        "actions": actions_of(case),
        "timeline": timeline,
    }
    organisation = user.organisation
    record("print.case_summary", object_type="case", object_id=case.id, case_id=case.id, user=user,
           details={"organisation_id": organisation.id, "subject_ids": [subject.id for subject in subjects],
                    "timeline_lines": len(timeline)})
    print_header = header(_("Casussamenvatting %(reference)s", reference=case.reference), organisation.name)
    return PrintedPack(f"samenvatting-{case.reference}.pdf",
                       _render("printing/case_summary.html", print_header, **context))


# --- a meeting's agenda and minutes per organisation ----------------------------------------------------------

def invited_organisations(meeting: Meeting) -> list[Organisation]:
    return list(db.session.execute(
        sa.select(Organisation).join(MeetingInvitation, MeetingInvitation.organisation_id == Organisation.id)
        .where(MeetingInvitation.meeting_id == meeting.id).order_by(Organisation.name)).scalars())


def prints_for_any_organisation(user: User, meeting: Meeting) -> bool:
    """The meeting's team and its chair print the agenda of every invited organisation; others their own."""
    return policy.manages_team(user, meeting.team_id) or meeting.chair_id == user.id


def organisations_to_print_for(user: User, meeting: Meeting,
                               invited: list[Organisation] | None = None) -> list[Organisation]:
    """The invited organisations ``user`` may print the agenda and minutes for (the meeting page's choice;
    ``invited``: the meeting's invited organisations when the caller has them already)."""
    invited = invited_organisations(meeting) if invited is None else invited
    if prints_for_any_organisation(user, meeting):
        return invited
    return [organisation for organisation in invited if organisation.id == user.organisation_id]


def has_minutes(meeting: Meeting) -> bool:
    """Minutes exist once the meeting has begun (their forms appear then) and until it is cancelled."""
    return meeting.status == MeetingStatus.GEHOUDEN or (
        meeting.status == MeetingStatus.GEPLAND and has_started(meeting))


class NoMinutesYet(ServiceError):
    """The meeting has no minutes (yet): it has not begun, or it was cancelled."""

    def __init__(self, meeting: Meeting) -> None:
        super().__init__(N_("Dit overleg heeft (nog) geen verslag om af te drukken."), status=409)
        self.meeting = meeting


def _printed_for(user: User, meeting: Meeting, organisation_id: int | None, action: str) -> Organisation:
    """The invited organisation to print for: the one asked for, else the reader's own, else (for the team and
    the chair) the first invited one. An organisation they may not print for is absent (404, audited)."""
    allowed = organisations_to_print_for(user, meeting)
    if organisation_id is None:
        own = [organisation for organisation in allowed if organisation.id == user.organisation_id]
        default = (own or allowed)[:1]
        organisation_id = default[0].id if default else None
    for organisation in allowed:
        if organisation.id == organisation_id:
            return organisation
    policy.refuse(action, status=404, object_type="meeting", object_id=meeting.id, user=user)


def _agenda_for(user: User, meeting: Meeting, organisation: Organisation) -> list:
    scope = sa.and_(policy.agenda_item_scope(user), policy.organisation_agenda_scope(organisation.id))
    return agenda_of(meeting, scope)


def _meeting_context(meeting: Meeting) -> dict:
    chair = (db.session.execute(sa.select(User.name).where(User.id == meeting.chair_id)).scalar_one_or_none()
             if meeting.chair_id else None)
    return {"meeting": meeting, "chair": chair, "invited": invited_organisations(meeting)}


def render_agenda(user: User, meeting: Meeting, organisation: Organisation, *, emailed: bool = False) -> PrintedPack:
    """The agenda PDF for ``organisation`` (already checked as one ``user`` may print for), audited — ``emailed``:
    built for ``user``'s invitation e-mail (casus.printing.mail) rather than printed by them."""
    items = _agenda_for(user, meeting, organisation)
    details = {"organisation_id": organisation.id, **({"emailed_to": user.id} if emailed else {})}
    record_shown("print.meeting_agenda", (item.case_id for item in items), object_type="meeting",
                 object_id=meeting.id, user=None if emailed else user, details=details)
    print_header = header(_("Agenda %(meeting)s %(date)s", meeting=meeting.title,
                            date=_local_date(meeting)), organisation.name)
    return PrintedPack(f"agenda-{_local_date(meeting)}-{_slug(organisation.name)}.pdf",
                       _render("printing/meeting_agenda.html", print_header, items=items,
                                  organisation=organisation, **_meeting_context(meeting)))


def meeting_agenda(user: User, meeting_id: int, organisation_id: int | None) -> PrintedPack:
    meeting = policy.get_meeting(user, meeting_id)
    organisation = _printed_for(user, meeting, organisation_id, "print.meeting_agenda")
    return render_agenda(user, meeting, organisation)


def meeting_minutes(user: User, meeting_id: int, organisation_id: int | None) -> PrintedPack:
    """The minutes for one organisation: per item the BOB text, whether it was discussed and its decisions;
    the attendance of the invited organisations. Only once the meeting has minutes (else 404)."""
    meeting = policy.get_meeting(user, meeting_id)
    if not has_minutes(meeting):
        raise NoMinutesYet(meeting)
    organisation = _printed_for(user, meeting, organisation_id, "print.meeting_minutes")
    items = _agenda_for(user, meeting, organisation)
    decisions: dict[int, list] = defaultdict(list)
    if items:
        for decision, action in db.session.execute(
                sa.select(Decision, Action).outerjoin(Action, Action.id == Decision.action_id)
                .options(joinedload(Action.owner_organisation, innerjoin=False))
                .where(Decision.agenda_item_id.in_([item.id for item in items]))
                .order_by(Decision.created_at, Decision.id)).unique().all():
            decisions[decision.agenda_item_id].append((decision, action))
    attendance = {row.organisation_id: row for row in db.session.execute(
        sa.select(Attendance).where(Attendance.meeting_id == meeting.id)).scalars()}
    record_shown("print.meeting_minutes", (item.case_id for item in items), object_type="meeting",
                 object_id=meeting.id, user=user, details={"organisation_id": organisation.id})
    print_header = header(_("Verslag %(meeting)s %(date)s", meeting=meeting.title, date=_local_date(meeting)),
                          organisation.name)
    return PrintedPack(f"verslag-{_local_date(meeting)}-{_slug(organisation.name)}.pdf",
                       _render("printing/meeting_minutes.html", print_header, items=items, decisions=decisions,
                                  attendance=attendance, organisation=organisation, **_meeting_context(meeting)))


def _local_date(meeting: Meeting) -> str:
    return meeting.starts_at.astimezone(local_zone()).strftime("%d-%m-%Y")


# --- the voordracht ---------------------------------------------------------------------------------------------

def voordracht(user: User, voordracht_id: int) -> PrintedPack:
    """The voordracht as its RIEC receives it, for the case's team and the addressed RIEC (404 for anyone else):
    the shared fields and subjects (no BSN: the RIEC gets none), never the case behind it."""
    found: Voordracht = policy.get_voordracht(user, voordracht_id)
    subjects = voordrachten.shared_subjects(found)
    sender = db.session.execute(sa.select(Team).join(Case, Case.team_id == Team.id)
                                .where(Case.id == found.case_id)).scalar_one()
    number = voordrachten.number_of(found)
    record("print.voordracht", object_type="voordracht", object_id=found.id, case_id=found.case_id, user=user,
           details={"organisation_id": user.organisation_id, "subject_ids": [subject.id for subject in subjects]})
    print_header = header(_("RIEC-voordracht %(number)s", number=number), user.organisation.name)
    return PrintedPack(f"voordracht-{number}.pdf",
                       _render("printing/voordracht.html", print_header, voordracht=found, subjects=subjects,
                                  sender=sender, number=number))
