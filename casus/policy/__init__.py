"""Need-to-know (docs/DESIGN.md §4): the one module that decides what a user may see and do with case data.

Every query for cases and case-owned data — lists, the case file, search, export, API, timeline —
takes its WHERE clause from here. Hidden means absent: callers answer 404 for anything outside these
scopes, never a hint that it exists.

Rules:
* procesregisseur and supervisor: the cases of their own team;
* partner and riec: cases where their organisation has an active casusdeelname;
* beheerder and privacy: no case content;
* within a visible case, a note (and its timeline line) restricted to one or more organisations is
  shown only to those organisations;
* signals: everyone sees the signals their own organisation submitted (with status only); the team's
  procesregisseurs and supervisors see the signals sent to their team;
* progress on an action is written only by the organisation that owns it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from casus.approvals.models import Approval, ApprovalKind
from casus.audit.models import Outcome
from casus.audit.services import record
from casus.cases.models import Case, Note, NoteAudience, NoteVisibility, Participation
from casus.documents.models import Document
from casus.escalations.models import Escalation
from casus.extensions import db
from casus.meetings.models import AgendaItem, Meeting, MeetingInvitation, MeetingSeries, MeetingSeriesInvitation
from casus.plans.models import Action
from casus.policy import documents as _documents

# Every role predicate is policy's: callers ask policy.<predicate>, wherever it is written.
from casus.policy.roles import *  # noqa: F403
from casus.policy.roles import (
    PARTICIPANT_ROLES,
    TEAM_ROLES,
    handles_privacy,
    manages_a_team,
    manages_team,
    receives_voordrachten,
    supervises,
    takes_part_in_cases,
)
from casus.signals.models import Signal
from casus.timeline.models import TimelineEvent
from casus.users.models import User, UserRole
from casus.voordrachten.models import Voordracht
from workflow import CASE


def _participates(organisation_id: int) -> ColumnElement[bool]:
    return sa.exists().where(
        Participation.case_id == Case.id,
        Participation.organisation_id == organisation_id,
        Participation.left_on.is_(None),
    )


def case_scope(user: User) -> ColumnElement[bool]:
    """The WHERE clause for cases ``user`` may see."""
    conditions: list[ColumnElement[bool]] = []
    if manages_a_team(user):
        conditions.append(Case.team_id == user.team_id)
    if takes_part_in_cases(user):
        conditions.append(_participates(user.organisation_id))
    return sa.or_(*conditions) if conditions else sa.false()


def case_scope_teams(user: User) -> frozenset[int] | None:
    """The teams whose cases are exactly ``case_scope(user)``, for figures kept per team (the reports' rollup);
    None when the scope is not a set of whole teams (a partner or riec user sees the cases their organisation
    takes part in, across teams). Keep in step with :func:`case_scope`."""
    if takes_part_in_cases(user):
        return None
    if manages_a_team(user):
        return frozenset({user.team_id})
    return frozenset()


def visible_cases(user: User) -> sa.Select:
    return sa.select(Case).where(case_scope(user))


def can_see_cases(user: User) -> bool:
    return user.has_role(*TEAM_ROLES, *PARTICIPANT_ROLES)


def get_case(user: User, case_id: int, *, action: str = "case.view", purpose: str | None = None,
             for_update: bool = False) -> Case:
    """The case if ``user`` may see it, else 404. Either way the attempt is audited."""
    return get_visible(user, Case, case_id, action=action, purpose=purpose, for_update=for_update)


def manages(user: User, case: Case) -> bool:
    """Procesregisseurs and supervisors of the owning team run the case."""
    return manages_team(user, case.team_id)


def require_manager(user: User, case: Case) -> None:
    if not manages(user, case):
        abort(403)


def note_scope(user: User) -> ColumnElement[bool]:
    """Notes within a visible case that ``user``'s organisation may read."""
    named = sa.exists().where(NoteAudience.note_id == Note.id,
                              NoteAudience.organisation_id == user.organisation_id)
    return sa.or_(
        Note.visibility == NoteVisibility.ALL,
        Note.organisation_id == user.organisation_id,
        sa.and_(Note.visibility == NoteVisibility.NAMED, named),
    )


def timeline_scope(user: User) -> ColumnElement[bool]:
    """Timeline lines: everything except lines about notes the user may not read, and the team's own lines
    (``team_timeline_scope``) for anyone outside the case's team."""
    readable_note = sa.exists().where(Note.id == TimelineEvent.note_id, note_scope(user))
    # A line about a document goes with the document: hidden where the document is (casus.policy.documents).
    readable_document = sa.exists().where(Document.id == TimelineEvent.document_id, document_scope(user))
    return sa.and_(sa.or_(TimelineEvent.note_id.is_(None), readable_note),
                   sa.or_(TimelineEvent.document_id.is_(None), readable_document), team_timeline_scope(user))


def get_signal(user: User, signal_id: int, *, action: str = "signal.view") -> Signal:
    """A signal ``user`` may see, else 404 (audited). A successful read is audited by the page or the API."""
    return get_visible(user, Signal, signal_id, action=action)


def signal_scope(user: User) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [Signal.reporting_organisation_id == user.organisation_id]
    if manages_a_team(user):
        conditions.append(Signal.team_id == user.team_id)
    return sa.or_(*conditions)


def triages_signals(user: User, signal: Signal) -> bool:
    """Only the receiving team's procesregisseurs and supervisors weigh a signal."""
    return manages_team(user, signal.team_id)


def writes_progress(user: User, action: Action) -> bool:
    return action.owner_organisation_id == user.organisation_id


def action_scope(user: User) -> ColumnElement[bool]:
    """Actions of cases the user may see."""
    return sa.exists().where(Case.id == Action.case_id, case_scope(user))


# The four-eyes requests a case's own team asks for, each carried out by the workflow trigger of the same name;
# a request makes sense in the phases its trigger fires from (workflow.tables: the approach; closed).
CASE_REQUEST_PHASES: dict[str, tuple[str, ...]] = {kind: CASE.sources(kind) for kind in ("close_early", "reopen")}


def requests_approval(user: User, case: Case, kind: str) -> bool:
    """The team's procesregisseurs and supervisors ask for early closure during the approach and for
    reopening once closed. Whether one is already pending is the approvals service's business (409);
    a supervisor who asks never decides (``decides_approval``)."""
    phases = CASE_REQUEST_PHASES.get(str(kind))
    return phases is not None and manages(user, case) and str(case.phase) in phases


def get_of_case(case: Case, model: type, object_id: int, *, action: str, user: User | None = None) -> Any:
    """An action, participation or escalation step of ``case`` — read through ``get_case`` already, so no scope
    again — by its id, else 404 (audited, with the case)."""
    found = db.session.execute(
        sa.select(model).where(model.id == object_id, model.case_id == case.id)).unique().scalar_one_or_none()
    if found is None:
        refuse(action, status=404, object_type=VISIBLE[model].object_type, object_id=object_id, case_id=case.id,
               user=user)
    return found


def refuse(action: str, *, status: int, object_type: str, object_id: object, case_id: int | None = None,
           purpose: str | None = None, user: User | None = None) -> NoReturn:
    """Audit a refused access, then answer ``status``: 404 when the object is hidden, 403 when it is
    visible but the user may not do this. The denial commits with the (error) response."""
    record(action, object_type=object_type, object_id=object_id, case_id=case_id, outcome=Outcome.DENIED,
           purpose=purpose, user=user)
    abort(status)


def require_manager_audited(user: User, case: Case, *, action: str) -> None:
    """``require_manager``, with the refusal in the audit log (the API uses this for every case write)."""
    if not manages(user, case):
        refuse(action, status=403, object_type="case", object_id=case.id, case_id=case.id)


def require_privacy_audited(user: User, *, action: str, object_type: str, object_id: object = None) -> None:
    """The privacy officer's API (retention, destruction lists, verklaringen): anyone else 403, audited."""
    if not handles_privacy(user):
        refuse(action, status=403, object_type=object_type, object_id=object_id)


def get_action(user: User, action_id: int, *, audit_action: str = "action.view") -> Action:
    """An action of a case ``user`` may see, else 404 (audited). Success is audited by the caller's
    case read (``get_case``) or by the service that changes it."""
    return get_visible(user, Action, action_id, action=audit_action)


def get_participation(user: User, participation_id: int, *,
                      audit_action: str = "participation.view") -> Participation:
    """A participation in a case ``user`` may see, else 404 (audited)."""
    return get_visible(user, Participation, participation_id, action=audit_action)


def sees_case(user=User, case=Case) -> ColumnElement[bool]:
    """``case_scope`` for many users at once: true where the ``user`` row may see the ``case`` row.

    For scheduler jobs that pick recipients for thousands of cases in one query (pass aliases to
    compare other user or case columns). Must stay equivalent to :func:`case_scope`; a test checks it.
    """
    def holds(*roles: str) -> ColumnElement[bool]:
        return sa.exists().where(UserRole.user_id == user.id, UserRole.role.in_(roles))

    participates = sa.exists().where(Participation.case_id == case.id,
                                     Participation.organisation_id == user.organisation_id,
                                     Participation.left_on.is_(None))
    return sa.or_(sa.and_(holds(*TEAM_ROLES), user.team_id == case.team_id),
                  sa.and_(holds(*PARTICIPANT_ROLES), participates))


# --- meetings (casusoverleg) ---------------------------------------------------------------------------------
#
# A meeting is seen by the procesregisseurs and supervisors of its team, by its chair, and by the users of
# an invited organisation (with a role that works on cases). Within a meeting, an agenda item — the case,
# its minutes and decisions — is seen only by who may see that case (case_scope): the team sees every item,
# an attendee only the items of cases its organisation takes part in. Other items are absent, not hinted
# at (no placeholders, no counts). The same rule serves pages, API, e-mail and calendar feeds.

def meeting_scope(user: User) -> ColumnElement[bool]:
    """The WHERE clause for meetings ``user`` may see (date, place, invited organisations)."""
    conditions: list[ColumnElement[bool]] = []
    if manages_a_team(user):
        conditions.append(Meeting.team_id == user.team_id)
    if can_see_cases(user):
        conditions.append(Meeting.chair_id == user.id)
        conditions.append(sa.exists().where(MeetingInvitation.meeting_id == Meeting.id,
                                            MeetingInvitation.organisation_id == user.organisation_id))
    return sa.or_(*conditions) if conditions else sa.false()


def agenda_item_scope(user: User) -> ColumnElement[bool]:
    """The WHERE clause for agenda items (and so their minutes and decisions) ``user`` may see: items of a
    visible meeting about a visible case."""
    # correlate_except: the subqueries keep their own meetings/cases row even when the caller joins them.
    return sa.and_(
        sa.exists().where(Meeting.id == AgendaItem.meeting_id, meeting_scope(user)).correlate_except(Meeting),
        sa.exists().where(Case.id == AgendaItem.case_id, case_scope(user)).correlate_except(Case))


def organisation_agenda_scope(organisation_id: int) -> ColumnElement[bool]:
    """Agenda items of cases ``organisation_id`` takes part in (an active casusdeelname): what its attendees see
    of an agenda. The per-organisation agenda and minutes (casus.printing) add it to the printer's own scope."""
    return sa.exists().where(Participation.case_id == AgendaItem.case_id,
                             Participation.organisation_id == organisation_id,
                             Participation.left_on.is_(None))


def series_scope(user: User) -> ColumnElement[bool]:
    """Meeting series ``user`` may see: the team's, and those its organisation is invited to."""
    conditions: list[ColumnElement[bool]] = []
    if manages_a_team(user):
        conditions.append(MeetingSeries.team_id == user.team_id)
    if can_see_cases(user):
        conditions.append(MeetingSeries.chair_id == user.id)
        conditions.append(sa.exists().where(MeetingSeriesInvitation.series_id == MeetingSeries.id,
                                            MeetingSeriesInvitation.organisation_id == user.organisation_id))
    return sa.or_(*conditions) if conditions else sa.false()


def get_meeting(user: User, meeting_id: int, *, action: str = "meeting.view") -> Meeting:
    """The meeting if ``user`` may see it, else 404 (audited either way: its agenda names cases)."""
    return get_visible(user, Meeting, meeting_id, action=action)


def get_agenda_item(user: User, item_id: int, *, action: str = "agenda_item.view") -> AgendaItem:
    """An agenda item ``user`` may see (visible meeting, visible case), else 404 (audited)."""
    return get_visible(user, AgendaItem, item_id, action=action)


def get_series(user: User, series_id: int, *, action: str = "meeting_series.view") -> MeetingSeries:
    return get_visible(user, MeetingSeries, series_id, action=action)


# --- escalations, voordrachten, approvals (docs/DESIGN.md §3.2, §3.3, §4) ----------------------------------
#
# Escalation steps are part of the case file: whoever sees the case sees its ladder; only the team's
# procesregisseurs and supervisors climb it. A RIEC voordracht is seen by the team that runs the case and —
# once sent — by the riec users of the organisation it is addressed to, who see only what it shares (never
# the case behind it: case_scope gives them nothing unless their organisation takes part). Approvals are the
# team's: its procesregisseurs and supervisors see the queue; a supervisor other than the requester decides.

RIEC_VISIBLE_STATES = ("ingediend", "aangenomen", "teruggelegd")


def escalation_scope(user: User) -> ColumnElement[bool]:
    """Escalation steps of cases ``user`` may see."""
    return sa.exists().where(Case.id == Escalation.case_id, case_scope(user)).correlate_except(Case)


def voordracht_scope(user: User) -> ColumnElement[bool]:
    """Voordrachten ``user`` may see: the team's own, and — for riec users — those sent to their organisation."""
    conditions: list[ColumnElement[bool]] = []
    if manages_a_team(user):
        conditions.append(sa.exists().where(Case.id == Voordracht.case_id, Case.team_id == user.team_id)
                          .correlate_except(Case))
    if receives_voordrachten(user):
        conditions.append(sa.and_(Voordracht.addressee_organisation_id == user.organisation_id,
                                  Voordracht.state.in_(RIEC_VISIBLE_STATES)))
    return sa.or_(*conditions) if conditions else sa.false()


def get_voordracht(user: User, voordracht_id: int, *, action: str = "voordracht.view") -> Voordracht:
    """The voordracht if ``user`` may see it, else 404. Either way the attempt is audited."""
    return get_visible(user, Voordracht, voordracht_id, action=action)


def reads_as_riec(user: User, voordracht) -> bool:
    """True when ``user`` sees ``voordracht`` only as its addressee: the shared part, nothing of the case."""
    return (receives_voordrachten(user) and voordracht.addressee_organisation_id == user.organisation_id
            and not manages_team(user, _case_team(voordracht.case_id)))


def answers_voordracht(user: User, voordracht) -> bool:
    """The addressee's riec users accept a sent voordracht or return it with advice."""
    return (receives_voordrachten(user) and voordracht.addressee_organisation_id == user.organisation_id
            and str(voordracht.state) == "ingediend")


def _case_team(case_id: int) -> int | None:
    return db.session.execute(sa.select(Case.team_id).where(Case.id == case_id)).scalar_one_or_none()


# The kinds a privacy officer sees and decides, besides the team's supervisors (never the one who asked).
PRIVACY_DECIDES = (ApprovalKind.DESTRUCTION_LIST, ApprovalKind.RETENTION_EXTENSION)


def approval_scope(user: User) -> ColumnElement[bool]:
    """Approvals ``user`` may see: their team's (procesregisseur, supervisor), their own requests, and — for the
    privacy officer — every destruction list's and every retention extension's."""
    conditions: list[ColumnElement[bool]] = [Approval.requested_by_id == user.id]
    if manages_a_team(user):
        conditions.append(Approval.team_id == user.team_id)
    if handles_privacy(user):
        conditions.append(Approval.kind.in_(PRIVACY_DECIDES))
    return sa.or_(*conditions)


def get_approval(user: User, approval_id: int, *, action: str = "approval.view") -> Approval:
    """The approval if ``user`` may see it, else 404 (audited either way)."""
    return get_visible(user, Approval, approval_id, action=action)


def decides_approval(user: User, approval) -> bool:
    """Four-eyes: an open request, decided by a supervisor of the team who did not ask for it — or, for a
    destruction list or a retention extension, also by another privacy officer."""
    if not approval.is_open or approval.requested_by_id == user.id:
        return False
    team_supervisor = supervises(user) and user.team_id == approval.team_id
    if approval.kind in PRIVACY_DECIDES:
        return team_supervisor or handles_privacy(user)
    return team_supervisor


def withdraws_approval(user: User, approval) -> bool:
    """Only the requester takes a pending request back (a supervisor who disagrees rejects it, with a motivation)."""
    return approval.is_open and approval.requested_by_id == user.id


# --- the team's own lines on the tijdlijn (docs/DESIGN.md §3.3, §4) -------------------------------------------
#
# A RIEC voordracht is the team's business: partners of the case (and a RIEC taking part in it) must not learn
# from the tijdlijn that one exists. Its lines are kept for the procesregisseurs and supervisors of the team.
# So are the four-eyes requests (approval.*: who asked for what, why, and the motivation of the decision), and
# how long the case is kept: a legal hold (often about proceedings) and an extension of its retention.

TEAM_ONLY_TIMELINE_PREFIXES = ("voordracht.", "approval.", "legal_hold.", "retention_extension.")


def team_timeline_scope(user: User) -> ColumnElement[bool]:
    """Timeline lines of the team-only kinds are seen only by the case's team; every other line passes."""
    team_only = sa.or_(*(TimelineEvent.kind.startswith(prefix, autoescape=True)
                         for prefix in TEAM_ONLY_TIMELINE_PREFIXES))
    if manages_a_team(user):
        own_team = (sa.exists().where(Case.id == TimelineEvent.case_id, Case.team_id == user.team_id)
                    .correlate_except(Case))
        return sa.or_(~team_only, own_team)
    return ~team_only


# --- one audited getter for every kind of object (docs/DESIGN.md §4) ---------------------------------------------
#
# Fetch by id through the kind's scope, audit the attempt, answer 404 when it is outside: the same for pages, API
# and services. Kinds whose read is not audited here are audited by the caller (the case read that goes with an
# action or agenda item, the service that changes it).

@dataclass(frozen=True)
class Visible:
    """How one kind of object is fetched for a user who may see it."""

    object_type: str  # as the audit log names it
    select: Callable[[User, int], sa.Select]  # the object with this id, if the user may see it
    audits_read: bool = False  # a successful read is audited here too


def _by_id(model, scope: Callable[[User], ColumnElement[bool]]) -> Callable[[User, int], sa.Select]:
    return lambda user, object_id: sa.select(model).where(model.id == object_id, scope(user))


def _participation(user: User, participation_id: int) -> sa.Select:
    # Aliased: case_scope's own EXISTS over participations must not correlate to the row fetched here.
    target = aliased(Participation)
    return (sa.select(target).join(Case, Case.id == target.case_id)
            .where(target.id == participation_id, case_scope(user)))


VISIBLE: dict[type, Visible] = {
    Case: Visible("case", _by_id(Case, case_scope), audits_read=True),
    Action: Visible("action", _by_id(Action, action_scope)),
    Participation: Visible("participation", _participation),
    Signal: Visible("signal", _by_id(Signal, signal_scope)),
    Meeting: Visible("meeting", _by_id(Meeting, meeting_scope), audits_read=True),  # its agenda names cases
    AgendaItem: Visible("agenda_item", _by_id(AgendaItem, agenda_item_scope)),
    MeetingSeries: Visible("meeting_series", _by_id(MeetingSeries, series_scope)),
    Escalation: Visible("escalation", _by_id(Escalation, escalation_scope)),
    Voordracht: Visible("voordracht", _by_id(Voordracht, voordracht_scope), audits_read=True),
    Approval: Visible("approval", _by_id(Approval, approval_scope), audits_read=True),
}


def _case_id_of(found: Any) -> int | None:
    """The case an object belongs to, for the audit log (a meeting belongs to none)."""
    return found.id if isinstance(found, Case) else getattr(found, "case_id", None)


def get_visible(user: User, model: type, object_id: int, *, action: str, purpose: str | None = None,
                where: Sequence[ColumnElement[bool]] = (), options: Sequence = (), for_update: bool = False) -> Any:
    """The ``model`` object with ``object_id`` if ``user`` may see it (and it meets ``where``: an agenda item of
    this meeting, say), else 404 — never 403: hidden means absent.

    One query (``options``: what to load with it). The refusal is audited as ``action``, denied; so is a successful
    read of the kinds that audit it here, with the case it belongs to."""
    kind = VISIBLE[model]
    query = kind.select(user, object_id).where(*where).options(*options)
    if for_update:
        query = query.with_for_update()
    found = db.session.execute(query).unique().scalar_one_or_none()
    if found is None:
        refuse(action, status=404, object_type=kind.object_type, object_id=object_id, purpose=purpose, user=user)
    if kind.audits_read:
        record(action, object_type=kind.object_type, object_id=found.id, case_id=_case_id_of(found),
               purpose=purpose, user=user)
    return found


# --- documents (docs/DESIGN.md §4, "Documents"): the rules in casus.policy.documents, on the parents' scopes here ----
# A document read audited elsewhere: the download records itself, with the version it served.
SELF_AUDITED_DOCUMENT_READS = frozenset({"document.download"})
document_visibility_scope = _documents.document_visibility_scope
uploads_to = _documents.uploads_to
changes_document = _documents.changes_document
sees_old_versions = _documents.sees_old_versions


def document_scope(user: User) -> ColumnElement[bool]:
    """The WHERE clause for documents ``user`` may see: a visible parent, and a visibility that includes them."""
    parent = _documents.parent_visible(user, cases=case_scope, agenda_items=agenda_item_scope,
                                       voordrachten=voordracht_scope, signals=signal_scope)
    return sa.and_(parent, document_visibility_scope(user))


def get_document(user: User, document_id: int, *, action: str = "document.view") -> Any:
    """The document if ``user`` may see it, else 404 (audited either way; a download audits itself, with the
    version it served)."""
    document = get_visible(user, Document, document_id, action=action)
    if action not in SELF_AUDITED_DOCUMENT_READS:
        record(action, object_type="document", object_id=document.id, case_id=document.case_id, user=user)
    return document


VISIBLE[Document] = Visible("document", _by_id(Document, document_scope))  # a read is audited by get_document
