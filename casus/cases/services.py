"""Changing cases: creation, workflow transitions, participations, notes and the timeline.

Services validate, change objects, flush and audit; the request commits once. A workflow refusal is
recorded (TransitionLog, audit) even though the change itself is rolled back to its savepoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from casus import events
from casus.audit.models import Outcome
from casus.audit.services import record
from casus.cases.events import CaseTransitioned, ParticipationEnded, ParticipationStarted
from casus.cases.models import (
    Case,
    CaseSubject,
    Category,
    LegalBasis,
    Note,
    NoteAudience,
    NoteVisibility,
    Participation,
    RiskLevel,
    TransitionLog,
)
from casus.clock import cadences, today
from casus.database import utcnow
from casus.extensions import db
from casus.organisations.models import Organisation, Team
from casus.plans.models import Action, Goal
from casus.references import next_number
from casus.services import MAX_TEXT, ServiceError
from casus.subjects.models import Subject
from casus.timeline.services import add_timeline
from casus.users.models import User
from casus.versioning import check_version, flush_versioned
from workflow import (
    CASE,
    ActionFacts,
    Actor,
    CaseFacts,
    CasePhase,
    ClosureResult,
    Context,
    InclusionCriterion,
    ParticipationRole,
    TransitionRecord,
    TransitionRefused,
    TriageOutcome,
)
from workflow import Participation as ParticipationFacts

# --- creating a case --------------------------------------------------------------------------------------

def create_case(user: User, *, title: str, category: Category, team: Team, aanbrenger: Organisation,
                risk_level: str = RiskLevel.MIDDEN, subjects: Iterable[Subject] = (),
                procesregisseur: User | None = None, legal_basis: str = LegalBasis.CONVENANT,
                confidentiality_signed_on: date | None = None) -> Case:
    """Open a case in ``signalering``; the aanbrengende organisation becomes its first participant."""
    title = (title or "").strip()
    if not title:
        raise ServiceError("Geef de casus een korte titel.", field="title")
    if len(title) > 200:
        raise ServiceError("Een titel is hoogstens 200 tekens.", field="title")
    year = today().year
    case = Case(reference=f"{year}-{next_number('case', year):05d}", title=title, category=category, team=team,
                gemeente=team.gemeente, aanbrenger_organisation_id=aanbrenger.id, risk_level=RiskLevel(risk_level),
                procesregisseur_id=getattr(procesregisseur, "id", None), legal_basis=LegalBasis(legal_basis),
                triage_due_on=cadences().triage_due(today()))
    db.session.add(case)
    db.session.flush()
    for subject in subjects:
        link_subject(case, subject)
    _add_participation(case, aanbrenger, ParticipationRole.AANBRENGER, legal_basis, confidentiality_signed_on)
    add_timeline(case, "case.created", f"Casus {case.reference} geopend", actor=user)
    record("case.created", object_type="case", object_id=case.id, case_id=case.id, user=user)
    return case


def link_subject(case: Case, subject: Subject) -> None:
    exists = db.session.get(CaseSubject, (case.id, subject.id))
    if exists is None:
        db.session.add(CaseSubject(case_id=case.id, subject_id=subject.id))


# --- workflow ---------------------------------------------------------------------------------------------

def actor_for(user: User) -> Actor:
    return Actor(id=user.id, roles=frozenset(user.roles), organisation_id=user.organisation_id)


def participations_of(case: Case, active_only: bool = False) -> list[Participation]:
    query = sa.select(Participation).where(Participation.case_id == case.id).order_by(Participation.id)
    if active_only:
        query = query.where(Participation.left_on.is_(None))
    return list(db.session.execute(query).scalars())


def case_facts(case: Case, *, requester_id: int | None = None) -> CaseFacts:
    """The read-only view of the case that the workflow guards judge (three small queries).

    ``requester_id`` is who asked for the four-eyes decision being carried out (close_early, reopen): the
    approval that is being decided names them; without one those triggers answer ``needs_requester``.
    """
    participations = tuple(
        ParticipationFacts(organisation_id=p.organisation_id, role=p.role, has_legal_basis=p.has_legal_basis,
                           active=p.active)
        for p in participations_of(case))
    goal_count = db.session.execute(sa.select(sa.func.count(Goal.id)).where(Goal.case_id == case.id)).scalar_one()
    actions = tuple(
        ActionFacts(owner_organisation_id=a.owner_organisation_id, due_date=a.due_on, status=a.status)
        for a in db.session.execute(sa.select(Action).where(Action.case_id == case.id)).scalars())
    return CaseFacts(
        signal_count=case.signal_count, procesregisseur_id=case.procesregisseur_id, participations=participations,
        triage_outcome=case.triage_outcome, inclusion_criteria=frozenset(case.inclusion_criteria or ()),
        referral_organisation_id=case.referral_organisation_id, goal_count=goal_count, actions=actions,
        plan_discussed_in_meeting=case.plan_discussed_on is not None, evaluation=case.evaluation,
        nazorg_started_on=case.nazorg_started_on, result=case.result, requester_id=requester_id,
        closed_on=case.closed_on, retention_until=case.archiefactiedatum)


def context_for(user: User, *, reason: str | None = None, result: str | None = None,
                override: bool = False) -> Context:
    return Context(actor=actor_for(user), reason=(reason or "").strip() or None, result=result or None,
                   override=override, now=utcnow(), cadences=cadences())


def available_triggers(user: User, case: Case):
    """The triggers valid from the case's phase, each allowed or blocked with its reasons."""
    return CASE.available(case.phase, case_facts(case), context_for(user, reason="-", result="-"))


def transition(user: User, case: Case, trigger: str, *, reason: str | None = None, result: str | None = None,
               override: bool = False, expected_version: int | None = None,
               requester_id: int | None = None) -> TransitionRecord:
    """Fire ``trigger`` on ``case``. Refusals change nothing, are recorded, and raise ``TransitionRefused``.

    ``requester_id``: for the four-eyes triggers, who asked (the approvals service passes it on).
    """
    check_version(case, expected_version)
    ctx = context_for(user, reason=reason, result=result, override=override)
    try:
        with db.session.begin_nested():
            outcome = _fire(case, trigger, ctx, requester_id=requester_id)
    except TransitionRefused as refused:
        record_refusal(case, refused)
        raise
    _record_transition(user, case, outcome)
    return outcome


def _fire(case: Case, trigger: str, ctx: Context, *, requester_id: int | None = None) -> TransitionRecord:
    outcome = CASE.fire(case, trigger, case_facts(case, requester_id=requester_id), ctx, attr="phase")
    _apply_effects(case, trigger, outcome, ctx)
    db.session.flush()
    return outcome


def _record_transition(user: User, case: Case, outcome: TransitionRecord) -> None:
    log_transition(case, outcome, allowed=True)
    add_timeline(case, "case.transition", _transition_summary(outcome), actor=user)
    record("case.transition", object_type="case", object_id=case.id, case_id=case.id,
           details={"trigger": outcome.trigger, "from": str(outcome.from_state), "to": str(outcome.to_state)},
           user=user)
    # The domains above react (casus.events): the signals' status follows the case, and a pending request the
    # new phase makes pointless is withdrawn (a close_early request once the case steps down, say).
    events.publish(CaseTransitioned(user, case, outcome))


def record_refusal(case: Case, refused: TransitionRefused, *, action: str = "case.transition",
                   object_type: str = "case", object_id: int | None = None) -> None:
    """A refused trigger of any machine on ``case``: in the transition log and, denied, in the audit log (the
    step itself was rolled back to its savepoint). The audited object defaults to the case."""
    log_transition(case, refused.record, allowed=False, codes=refused.codes)
    record(action, object_type=object_type, object_id=case.id if object_id is None else object_id, case_id=case.id,
           outcome=Outcome.DENIED, details={"trigger": refused.trigger, "codes": list(refused.codes)})


def _transition_summary(outcome: TransitionRecord) -> str:
    return (f"{CASE.state_label(outcome.from_state)} → {CASE.state_label(outcome.to_state)}"
            + (f": {outcome.reason}" if outcome.reason else ""))


def log_transition(case: Case, outcome: TransitionRecord, *, allowed: bool, codes: Iterable[str] = ()) -> None:
    db.session.add(TransitionLog(
        case_id=case.id, machine=outcome.machine, trigger=outcome.trigger, from_state=str(outcome.from_state),
        to_state=str(outcome.to_state) if outcome.to_state else None, actor_id=outcome.actor_id,
        reason=outcome.reason, at=outcome.at, allowed=allowed, failure_codes=" ".join(codes) or None))


def _apply_effects(case: Case, trigger: str, outcome: TransitionRecord, ctx: Context) -> None:
    """What a transition changes on the case besides the phase: dates, result, review schedule."""
    day = ctx.today
    case.phase_changed_at = ctx.now
    if trigger in ("dismiss", "refer", "close", "close_early"):
        case.result = ClosureResult(outcome.result or ClosureResult.ZONDER_RESULTAAT)
        case.closed_on = day
        case.next_review_on = None
    elif trigger in ("accept", "adopt_plan", "relapse"):
        case.next_review_on = ctx.cadences.next_review(day)
    if trigger == "step_down":
        case.nazorg_started_on = day
        case.next_review_on = ctx.cadences.nazorg_checkins(day)[0]
    elif trigger == "relapse":
        case.nazorg_started_on = None
    elif trigger == "reopen":
        case.closed_on = case.result = None
        case.triage_due_on = ctx.cadences.triage_due(day)


def record_triage(user: User, case: Case, *, outcome: str, criteria: Iterable[str] = (),
                  referral_organisation_id: int | None = None) -> None:
    """Store the triage outcome and the inclusion criteria that apply (before firing accept/refer/dismiss)."""
    try:
        case.triage_outcome = TriageOutcome(outcome)
        case.inclusion_criteria = sorted({InclusionCriterion(c).value for c in criteria})
    except ValueError as error:
        raise ServiceError("Kies een uitkomst en criteria uit de lijst.", field="outcome") from error
    if referral_organisation_id is not None and db.session.get(Organisation, referral_organisation_id) is None:
        raise ServiceError("Kies een bestaande organisatie.", field="referral_organisation_id")
    case.referral_organisation_id = referral_organisation_id
    record("case.triage_recorded", object_type="case", object_id=case.id, case_id=case.id,
           details={"outcome": str(outcome)}, user=user)


TRIAGE_TRIGGERS = {
    TriageOutcome.A: "accept", TriageOutcome.B: "refer", TriageOutcome.C: "refer",
    TriageOutcome.ADVIES: "refer", TriageOutcome.GEEN_CASUS: "dismiss",
}


def triage(user: User, case: Case, *, outcome: str, criteria: Iterable[str] = (), reason: str | None = None,
           referral_organisation_id: int | None = None, expected_version: int | None = None) -> TransitionRecord:
    """Record the triage outcome and fire the trigger it implies, all or nothing."""
    check_version(case, expected_version)
    try:
        trigger = TRIAGE_TRIGGERS[TriageOutcome(outcome)]
    except (KeyError, ValueError) as error:
        raise ServiceError("Kies een uitkomst van de triage.", field="outcome") from error
    result = {"dismiss": ClosureResult.GEEN_CASUS, "refer": ClosureResult.DOORVERWEZEN}.get(trigger)
    ctx = context_for(user, reason=reason, result=result)
    fired: list[TransitionRecord] = []
    try:
        with db.session.begin_nested():
            record_triage(user, case, outcome=outcome, criteria=criteria,
                          referral_organisation_id=referral_organisation_id)
            if case.phase == CasePhase.SIGNALERING and trigger != "dismiss":
                fired.append(_fire(case, "start_triage", ctx))
            fired.append(_fire(case, trigger, ctx))
    except TransitionRefused as refused:
        record_refusal(case, refused)
        raise
    add_timeline(case, "case.triage", _triage_summary(case), actor=user)
    for outcome_record in fired:
        _record_transition(user, case, outcome_record)
    return fired[-1]


def _triage_summary(case: Case) -> str:
    """The tijdlijn's line for a triage: the outcome and the inclusion criteria that were found to apply, so the
    case file shows why the case was taken on (or not), not only the phase it moved to."""
    summary = f"Triage afgerond met uitkomst {TriageOutcome(case.triage_outcome).label_nl}"
    if case.inclusion_criteria:
        applied = set(case.inclusion_criteria)  # in the criteria's own order, as the triage form lists them
        summary += ". Criteria: " + "; ".join(str(c.label_nl) for c in InclusionCriterion if c.value in applied)
    return summary


# --- participations ---------------------------------------------------------------------------------------

def _add_participation(case: Case, organisation: Organisation, role: str, legal_basis: str,
                       signed_on: date | None, contact: User | None = None) -> Participation:
    participation = Participation(case_id=case.id, organisation=organisation, role=ParticipationRole(role),
                                  legal_basis=LegalBasis(legal_basis), confidentiality_signed_on=signed_on,
                                  joined_on=today(), contact_user_id=getattr(contact, "id", None))
    db.session.add(participation)
    db.session.flush()
    return participation


def invite_organisation(user: User, case: Case, *, organisation_id: int, role: str, legal_basis: str,
                        signed_on: date | None = None, contact_user_id: int | None = None,
                        expected_version: int | None = None) -> Participation:
    """Give an organisation access to the case with a role and a legal basis for sharing."""
    check_version(case, expected_version)
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not organisation.active:
        raise ServiceError("Kies een actieve organisatie.", field="organisation_id")
    try:
        role, legal_basis = ParticipationRole(role), LegalBasis(legal_basis)
    except ValueError as error:
        raise ServiceError("Kies een rol en een grondslag uit de lijst.", field="role") from error
    if any(p.organisation_id == organisation.id for p in participations_of(case, active_only=True)):
        raise ServiceError("Deze organisatie neemt al deel aan de casus.", field="organisation_id")
    _check_legal_basis(organisation, role, legal_basis, signed_on)
    contact = _contact_in(organisation, contact_user_id)
    participation = _add_participation(case, organisation, role, legal_basis, signed_on, contact)
    case.updated_at = utcnow()  # bumps the version: participants changed
    flush_versioned(case)
    add_timeline(case, "participation.added", f"{organisation.name} neemt deel als {role.label_nl}", actor=user)
    record("participation.added", object_type="participation", object_id=participation.id, case_id=case.id, user=user)
    events.publish(ParticipationStarted(user, case, participation))  # notifications tell the organisation
    return participation


def _check_legal_basis(organisation: Organisation, role: str, legal_basis: str, signed_on: date | None) -> None:
    if legal_basis == LegalBasis.CONVENANT and not organisation.convenant_partner:
        raise ServiceError("Deze organisatie is geen convenantpartner; leg een geheimhoudingsverklaring vast.",
                           field="legal_basis")
    if legal_basis == LegalBasis.GEHEIMHOUDINGSVERKLARING:
        if role != ParticipationRole.DEELNEMER:
            raise ServiceError("Met een geheimhoudingsverklaring kan een organisatie alleen deelnemer zijn.",
                               field="role")
        if signed_on is None:
            raise ServiceError("Vul de datum van ondertekening van de geheimhoudingsverklaring in.",
                               field="signed_on")
        if signed_on > today():
            raise ServiceError("De ondertekening kan niet in de toekomst liggen.", field="signed_on")


def _contact_in(organisation: Organisation, contact_user_id: int | None) -> User | None:
    if contact_user_id is None:
        return None
    contact = db.session.get(User, contact_user_id)
    if contact is None or contact.organisation_id != organisation.id or not contact.active:
        raise ServiceError("De contactpersoon moet een actieve medewerker van die organisatie zijn.",
                           field="contact_user_id")
    return contact


def end_participation(user: User, case: Case, participation: Participation, *,
                      expected_version: int | None = None) -> None:
    check_version(case, expected_version)
    if participation.case_id != case.id or not participation.active:
        raise ServiceError("Deze deelname is al beëindigd.")
    if participation.role == ParticipationRole.AANBRENGER and case.phase != CasePhase.AFGESLOTEN:
        raise ServiceError("De aanbrengende organisatie blijft deelnemen zolang de casus loopt.")
    open_actions = db.session.execute(sa.select(sa.func.count(Action.id)).where(
        Action.case_id == case.id, Action.owner_organisation_id == participation.organisation_id,
        Action.status.in_(("open", "in_uitvoering")))).scalar_one()
    if open_actions:
        raise ServiceError("Deze organisatie heeft nog openstaande acties; draag die eerst over of laat ze vervallen.")
    participation.left_on = today()
    case.updated_at = utcnow()
    flush_versioned(case)
    add_timeline(case, "participation.ended", f"{participation.organisation.name} neemt niet meer deel", actor=user)
    record("participation.ended", object_type="participation", object_id=participation.id, case_id=case.id, user=user)
    events.publish(ParticipationEnded(user, case, participation))  # notifications tell the organisation


# --- notes --------------------------------------------------------------------------------------------------

def add_note(user: User, case: Case, *, text: str, visibility: str,
             organisation_ids: Iterable[int] = ()) -> Note:
    text = (text or "").strip()
    if not text:
        raise ServiceError("Schrijf een notitie.", field="text")
    if len(text) > MAX_TEXT:
        raise ServiceError("Een notitie is hoogstens %(max)s tekens.", field="text", max=MAX_TEXT)
    try:
        visibility = NoteVisibility(visibility)
    except ValueError as error:
        raise ServiceError("Kies voor wie de notitie zichtbaar is.", field="visibility") from error
    audience = set(organisation_ids)
    if visibility == NoteVisibility.NAMED:
        participants = {p.organisation_id for p in participations_of(case, active_only=True)}
        if not audience or not audience <= participants:
            raise ServiceError("Kies een of meer deelnemende organisaties.", field="organisation_ids")
        audience.add(user.organisation_id)
    note = Note(case_id=case.id, author_id=user.id, organisation_id=user.organisation_id,
                visibility=visibility, text=text)
    note.audience = [NoteAudience(organisation_id=org_id) for org_id in sorted(audience)] \
        if visibility == NoteVisibility.NAMED else []
    db.session.add(note)
    db.session.flush()
    add_timeline(case, "note.added", text[:200], actor=user, note=note)
    record("note.added", object_type="note", object_id=note.id, case_id=case.id, user=user)
    return note


# --- evaluation and plan discussion (needed before step_down / adopt_plan) --------------------------------

def record_evaluation(user: User, case: Case, *, text: str, expected_version: int | None = None) -> None:
    """The procesregisseur's evaluation of the approach; ``step_down`` needs one."""
    check_version(case, expected_version)
    text = (text or "").strip()
    if not text:
        raise ServiceError("Schrijf de evaluatie.", field="evaluation")
    if len(text) > MAX_TEXT:
        raise ServiceError("Een evaluatie is hoogstens %(max)s tekens.", field="evaluation", max=MAX_TEXT)
    if case.phase not in (CasePhase.AANPAK_UITVOERING, CasePhase.NAZORG):
        raise ServiceError("Een evaluatie schrijft u tijdens de uitvoering of de nazorg.")
    case.evaluation = text
    flush_versioned(case)
    add_timeline(case, "case.evaluation", f"Evaluatie vastgelegd: {text[:180]}", actor=user)
    record("case.evaluation", object_type="case", object_id=case.id, case_id=case.id, user=user)


def record_plan_discussed(user: User, case: Case, *, on: date | None, expected_version: int | None = None) -> None:
    """Record the casusoverleg in which the plan was discussed; ``adopt_plan`` needs it."""
    check_version(case, expected_version)
    if on is None:
        raise ServiceError("Vul de datum van het casusoverleg in.", field="discussed_on")
    if on > today():
        raise ServiceError("Het overleg kan niet in de toekomst liggen.", field="discussed_on")
    if case.phase != CasePhase.AANPAK_PLAN:
        raise ServiceError("Dit legt u vast zolang het plan van aanpak nog niet is vastgesteld.")
    case.plan_discussed_on = on
    flush_versioned(case)
    add_timeline(case, "case.plan_discussed", f"Plan besproken in casusoverleg van {on:%d-%m-%Y}", actor=user)
    record("case.plan_discussed", object_type="case", object_id=case.id, case_id=case.id,
           details={"on": on.isoformat()}, user=user)
