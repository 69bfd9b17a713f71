"""Changing RIEC voordrachten (docs/DESIGN.md §3.3): four-eyes review, sending to the RIEC and its answer.

The voordrachten's services are split by topic: :mod:`casus.voordrachten.drafting` draws the concept up and
changes it (the case's procesregisseurs and supervisors, from the case's own subjects); this module runs the
VOORDRACHT workflow, notifies and reads. Both are service modules: the only code that changes voordrachten.
``submit`` asks the team's other supervisors for an
``approvals.Approval`` of kind ``riec_voordracht``; their decision comes back through
:func:`decide_voordracht` (approve or reject) and a withdrawn request through :func:`withdraw_voordracht`,
handlers of the approvals' events that ``create_app`` subscribes (:func:`register`, see ``casus.events``).
An approved voordracht is sent to the RIEC it is addressed to, whose riec users accept it (with the RIEC's
own casus reference) or return it with advice.

Every step fires the ``workflow.VOORDRACHT`` machine inside a SAVEPOINT (a refusal changes nothing) and is
recorded in ``transition_log`` (machine ``voordracht``), on the case's tijdlijn — the RIEC's steps too: the
tijdlijn is the team's — and in the audit log. Services flush, never commit.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from casus import policy
from casus.approvals.events import ApprovalDecided, ApprovalWithdrawn
from casus.approvals.models import Approval, ApprovalKind
from casus.approvals.services import open_approval, request_approval
from casus.approvals.services import withdraw as withdraw_approval
from casus.audit.models import Outcome
from casus.audit.services import record
from casus.cases.models import Case, CaseSubject
from casus.cases.services import actor_for, log_transition, record_refusal
from casus.clock import cadences
from casus.database import utcnow
from casus.events import Events
from casus.extensions import db
from casus.labels import N_
from casus.notifications.services import NewNotification, notify_many
from casus.organisations.models import Organisation, OrganisationKind
from casus.services import ServiceError
from casus.subjects.models import Subject
from casus.timeline.services import add_timeline
from casus.users.models import User, UserRole
from casus.versioning import check_version
from casus.voordrachten.models import Urgency, Voordracht, VoordrachtSubject
from workflow import (
    VOORDRACHT,
    Context,
    TransitionRecord,
    TransitionRefused,
    VoordrachtFacts,
    VoordrachtState,
)

MAX_REFERENCE = 60
MAX_ADVICE = 20_000
VOORDRACHT_LINK = "/voordrachten/{id}"
# What a voordracht is called outside the team: its own number, never the case reference.
NUMBER_FORMAT = "RV-{id}"
# Triggers the API and the pages fire directly; approve/reject come through the approvals (four-eyes).
TEAM_TRIGGERS = frozenset({"submit", "revise", "send_to_riec"})
RIEC_TRIGGERS = frozenset({"accept", "return_with_advice"})


def number_of(voordracht: Voordracht) -> str:
    return NUMBER_FORMAT.format(id=voordracht.id)


class DecisionRefused(ServiceError):
    """The workflow refused an approval's decision (raised to the approvals module, which knows no workflow)."""

    def __init__(self, refused: TransitionRefused) -> None:
        super().__init__(N_("Deze beslissing is nu niet mogelijk; er is niets gewijzigd."), status=409)
        self.codes = refused.codes


# --- reading ----------------------------------------------------------------------------------------------

def case_of(voordracht: Voordracht) -> Case:
    return db.session.get(Case, voordracht.case_id)


def case_subjects(case: Case) -> list[Subject]:
    """The subjects linked to the case: the only ones a voordracht may share."""
    return list(db.session.execute(
        sa.select(Subject).join(CaseSubject, CaseSubject.subject_id == Subject.id)
        .where(CaseSubject.case_id == case.id).order_by(Subject.kind, Subject.name_key, Subject.id)).scalars())


def shared_subjects(voordracht: Voordracht) -> list[Subject]:
    return list(db.session.execute(
        sa.select(Subject).join(VoordrachtSubject, VoordrachtSubject.subject_id == Subject.id)
        .where(VoordrachtSubject.voordracht_id == voordracht.id).order_by(Subject.id)).scalars())


def riec_organisations() -> list[Organisation]:
    """The possible addressees: active organisations of kind riec."""
    return list(db.session.execute(
        sa.select(Organisation).where(Organisation.kind == OrganisationKind.RIEC, Organisation.active.is_(True))
        .order_by(Organisation.name)).scalars())


def latest_approval(voordracht: Voordracht) -> Approval | None:
    """The most recent four-eyes request about this voordracht (open or decided), if any."""
    return db.session.execute(
        sa.select(Approval).where(Approval.voordracht_id == voordracht.id)
        .order_by(Approval.requested_at.desc(), Approval.id.desc()).limit(1)).scalars().first()


def voordrachten_of_case(user: User, case: Case) -> list[Voordracht]:
    return list(db.session.execute(
        sa.select(Voordracht).where(Voordracht.case_id == case.id, policy.voordracht_scope(user))
        .order_by(Voordracht.id.desc())).scalars())


# --- the workflow -----------------------------------------------------------------------------------------

def facts_for(voordracht: Voordracht, *, requester_id: int | None = None,
              riec_reference: str | None = None) -> VoordrachtFacts:
    subject_count = db.session.execute(sa.select(sa.func.count()).select_from(VoordrachtSubject).where(
        VoordrachtSubject.voordracht_id == voordracht.id)).scalar_one()
    return VoordrachtFacts(requester_id=requester_id, summary=voordracht.summary, subject_count=subject_count,
                           legal_basis=voordracht.legal_basis, riec_reference=riec_reference,
                           addressee_organisation_id=voordracht.addressee_organisation_id)


def _fire(user: User, voordracht: Voordracht, trigger: str, *, motivation: str | None = None,
          requester_id: int | None = None, riec_reference: str | None = None,
          effects: Callable[[Context], None] | None = None) -> TransitionRecord:
    """Fire ``trigger`` in a SAVEPOINT with its side effects; record it, allowed or refused."""
    case = case_of(voordracht)
    ctx = Context(actor=actor_for(user), reason=motivation, motivation=motivation, now=utcnow(),
                  cadences=cadences())
    facts = facts_for(voordracht, requester_id=requester_id, riec_reference=riec_reference)
    try:
        with db.session.begin_nested():
            outcome = VOORDRACHT.fire(voordracht, trigger, facts, ctx, attr="state")
            if effects is not None:
                effects(ctx)
            db.session.flush()
    except TransitionRefused as refused:
        record_refusal(case, refused, action="voordracht.transition", object_type="voordracht",
                       object_id=voordracht.id)
        raise
    _record_transition(user, case, voordracht, outcome)
    return outcome


def _record_transition(user: User, case: Case, voordracht: Voordracht, outcome: TransitionRecord) -> None:
    log_transition(case, outcome, allowed=True)
    summary = (f"RIEC-voordracht {number_of(voordracht)}: {VOORDRACHT.state_label(outcome.from_state)} → "
               f"{VOORDRACHT.state_label(outcome.to_state)}" + (f". {outcome.reason}" if outcome.reason else ""))
    add_timeline(case, "voordracht.transition", summary, actor=user)
    record("voordracht.transition", object_type="voordracht", object_id=voordracht.id, case_id=case.id,
           details={"trigger": outcome.trigger, "from": str(outcome.from_state), "to": str(outcome.to_state)},
           user=user)


def submit(user: User, voordracht: Voordracht, *, expected_version: int | None = None) -> TransitionRecord:
    """concept → ter_beoordeling, and ask the team's other supervisors for their four-eyes decision."""
    check_version(voordracht, expected_version)
    case = case_of(voordracht)

    def effects(ctx: Context) -> None:
        voordracht.submitted_at = ctx.now
        request_approval(user, case, ApprovalKind.RIEC_VOORDRACHT, voordracht_id=voordracht.id,
                         reason=f"RIEC-voordracht {number_of(voordracht)} aan {voordracht.addressee.name}, urgentie: "
                                f"{Urgency(voordracht.urgency).label_nl.lower()}")

    return _fire(user, voordracht, "submit", effects=effects)


def register(events: Events) -> None:
    """At app start (``casus.events``): the decision on a voordracht's approval, or its withdrawal, moves it."""
    events.subscribe(ApprovalDecided, _on_decided)
    events.subscribe(ApprovalWithdrawn, _on_withdrawn)


def _on_decided(event: ApprovalDecided) -> None:
    if event.approval.kind == ApprovalKind.RIEC_VOORDRACHT:
        decide_voordracht(event.approver, event.approval, event.approved, event.motivation)


def _on_withdrawn(event: ApprovalWithdrawn) -> None:
    if event.approval.kind == ApprovalKind.RIEC_VOORDRACHT:
        withdraw_voordracht(event.user, event.approval)


def decide_voordracht(approver: User, approval: Approval, approved: bool, motivation: str | None = None) -> None:
    """A decided voordracht approval: approve (→ goedgekeurd) or reject (→ afgewezen, with the motivation).

    Four eyes: the workflow refuses the requester; whoever drew the voordracht up may not decide either.
    """
    voordracht = db.session.get(Voordracht, approval.voordracht_id)
    if voordracht is None:
        raise ServiceError("Deze voordracht bestaat niet meer.", status=409)
    if approver.id == voordracht.created_by_id:
        record("voordracht.transition", object_type="voordracht", object_id=voordracht.id,
               case_id=voordracht.case_id, outcome=Outcome.DENIED, details={"reason": "four_eyes"}, user=approver)
        raise ServiceError("U heeft deze voordracht zelf opgesteld: een andere supervisor beslist erover.", status=403)
    motivation = (motivation or "").strip() or None

    def effects(_ctx: Context) -> None:
        if not approved:
            voordracht.rejection_motivation = motivation

    try:
        _fire(approver, voordracht, "approve" if approved else "reject", motivation=motivation,
              requester_id=approval.requested_by_id, effects=effects)
    except TransitionRefused as refused:
        raise DecisionRefused(refused) from refused


def withdraw_voordracht(user: User, approval: Approval) -> None:
    """A withdrawn approval request: the voordracht goes back to concept.

    The workflow table has no trigger for this (withdrawing is the approval's step, not the voordracht's), so
    the state is set here and recorded like a transition (trigger ``withdraw``).
    """
    voordracht = db.session.get(Voordracht, approval.voordracht_id)
    if voordracht is None or voordracht.state != VoordrachtState.TER_BEOORDELING:
        return
    outcome = TransitionRecord(machine=VOORDRACHT.name, trigger="withdraw", from_state=str(voordracht.state),
                               to_state=VoordrachtState.CONCEPT.value, actor_id=user.id, reason=None, at=utcnow())
    voordracht.state = VoordrachtState.CONCEPT
    voordracht.submitted_at = None
    db.session.flush()
    _record_transition(user, case_of(voordracht), voordracht, outcome)


def withdraw(user: User, voordracht: Voordracht, *, expected_version: int | None = None) -> None:
    """Take a voordracht under review back to concept by withdrawing its open approval request."""
    check_version(voordracht, expected_version)
    approval = open_approval(case_of(voordracht), ApprovalKind.RIEC_VOORDRACHT, voordracht_id=voordracht.id)
    if approval is None:
        raise ServiceError("Er staat geen verzoek om akkoord open voor deze voordracht.", status=409)
    withdraw_approval(user, approval)


def revise(user: User, voordracht: Voordracht, *, expected_version: int | None = None) -> TransitionRecord:
    """afgewezen → concept, to rework it (the rejection's motivation stays readable)."""
    check_version(voordracht, expected_version)

    def effects(_ctx: Context) -> None:
        voordracht.submitted_at = None

    return _fire(user, voordracht, "revise", effects=effects)


def send_to_riec(user: User, voordracht: Voordracht, *, expected_version: int | None = None) -> TransitionRecord:
    """goedgekeurd → ingediend; the addressee's riec users are told (a number, never case data)."""
    check_version(voordracht, expected_version)
    if not voordracht.addressee.active:
        raise ServiceError("Het RIEC waaraan de voordracht is gericht is niet meer actief.", status=409)

    def effects(ctx: Context) -> None:
        voordracht.sent_at = ctx.now

    outcome = _fire(user, voordracht, "send_to_riec", effects=effects)
    _notify_riec(voordracht)
    return outcome


def accept(user: User, voordracht: Voordracht, *, riec_reference: str | None,
           expected_version: int | None = None) -> TransitionRecord:
    """ingediend → aangenomen, recording the RIEC's own casus reference (the RIEC's riec users)."""
    check_version(voordracht, expected_version)
    reference = (riec_reference or "").strip() or None
    if reference is not None and len(reference) > MAX_REFERENCE:
        raise ServiceError("Een RIEC-casusnummer is hoogstens 60 tekens.", field="riec_reference")

    def effects(ctx: Context) -> None:
        voordracht.riec_reference = reference
        voordracht.answered_at, voordracht.answered_by_id = ctx.now, user.id

    outcome = _fire(user, voordracht, "accept", riec_reference=reference, effects=effects)
    _notify_requesters(voordracht, accepted=True)
    return outcome


def return_with_advice(user: User, voordracht: Voordracht, *, advice: str | None,
                       expected_version: int | None = None) -> TransitionRecord:
    """ingediend → teruggelegd, with the RIEC's advice (its motivation) for the team."""
    check_version(voordracht, expected_version)
    advice = (advice or "").strip() or None
    if advice is not None and len(advice) > MAX_ADVICE:
        raise ServiceError("Een advies is hoogstens 20.000 tekens.", field="advice")

    def effects(ctx: Context) -> None:
        voordracht.riec_advice = advice
        voordracht.answered_at, voordracht.answered_by_id = ctx.now, user.id

    outcome = _fire(user, voordracht, "return_with_advice", motivation=advice, effects=effects)
    _notify_requesters(voordracht, accepted=False)
    return outcome


def transition(user: User, voordracht: Voordracht, trigger: str, *, riec_reference: str | None = None,
               advice: str | None = None, expected_version: int | None = None) -> TransitionRecord:
    """One entry point for the API: the triggers a page button or a RIEC answer fires."""
    if trigger == "submit":
        return submit(user, voordracht, expected_version=expected_version)
    if trigger == "revise":
        return revise(user, voordracht, expected_version=expected_version)
    if trigger == "send_to_riec":
        return send_to_riec(user, voordracht, expected_version=expected_version)
    if trigger == "accept":
        return accept(user, voordracht, riec_reference=riec_reference, expected_version=expected_version)
    if trigger == "return_with_advice":
        return return_with_advice(user, voordracht, advice=advice, expected_version=expected_version)
    raise ServiceError("Deze stap bestaat niet voor een RIEC-voordracht.", field="trigger")


# --- notifications ----------------------------------------------------------------------------------------

def _labels(voordracht: Voordracht) -> dict:
    urgency = Urgency(voordracht.urgency)
    return {"number": number_of(voordracht), "urgency": urgency.label_nl}


def _notify_riec(voordracht: Voordracht) -> None:
    """The addressee's active riec users. No case id: they cannot see the case, only the voordracht."""
    rows = db.session.execute(
        sa.select(User.id, User.locale).join(UserRole, UserRole.user_id == User.id)
        .where(User.organisation_id == voordracht.addressee_organisation_id, User.active.is_(True),
               UserRole.role == "riec")).all()
    notify_many(NewNotification(
        user_id=row.id, key=f"voordracht:{voordracht.id}:received:user:{row.id}", kind="voordracht_received",
        link=VOORDRACHT_LINK.format(id=voordracht.id), locale=row.locale, params=_labels(voordracht))
        for row in rows)


def requester_ids(voordracht: Voordracht) -> set[int]:
    """Who drew the voordracht up and who asked for its approval."""
    asked = db.session.execute(sa.select(Approval.requested_by_id).where(
        Approval.voordracht_id == voordracht.id)).scalars()
    return {voordracht.created_by_id, *asked}


def _notify_requesters(voordracht: Voordracht, *, accepted: bool) -> None:
    case = case_of(voordracht)
    users = db.session.execute(sa.select(User).where(User.id.in_(requester_ids(voordracht)),
                                                     User.active.is_(True))).scalars()
    verdict = {"verdict": N_("aangenomen") if accepted else N_("teruggelegd met advies")}
    notify_many(NewNotification(
        user_id=requester.id, key=f"voordracht:{voordracht.id}:answered:user:{requester.id}",
        kind="voordracht_answered", link=VOORDRACHT_LINK.format(id=voordracht.id), case_id=case.id,
        locale=requester.locale, params={"reference": case.reference, **_labels(voordracht), **verdict})
        for requester in users if policy.manages(requester, case))
