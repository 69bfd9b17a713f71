"""Signal intake, bundling into cases, and the known-elsewhere hint.

A partner reports a signal about one or more betrokkenen. Each subject is matched against known
ones (same BSN; same name and date of birth; same address; same KvK). The procesregisseur of the
receiving team is offered the open cases those subjects appear in, to attach the signal to, or opens
a new case. A reporter whose subject is already in a case they may not see learns only that the
subject is known and whom to contact — never any content — and that hint is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from casus.audit.services import record
from casus.cases.models import Case, CaseSubject, Category, LegalBasis
from casus.cases.services import MAX_TEXT, add_timeline, create_case, link_subject, next_number, today
from casus.extensions import db
from casus.organisations.models import Team
from casus.policy import case_scope, triages_signals
from casus.services import ServiceError
from casus.signals.models import Signal, SignalStatus, SignalSubject, Urgency
from casus.subjects.models import Subject
from casus.subjects.services import SubjectInput, find_or_create
from casus.users.models import User
from workflow import CasePhase, ClosureResult

MAX_SUBJECTS = 20


@dataclass(frozen=True)
class KnownElsewhere:
    """What a reporter may learn about a subject in a case they cannot see: whom to contact."""

    subject_id: int
    contact_name: str
    contact_team: str


def report_signal(user: User, *, category_id: int, team_id: int, description: str, urgency: str,
                  subjects: Sequence[SubjectInput]) -> tuple[Signal, list[KnownElsewhere]]:
    """Record a signal from ``user``'s organisation; returns it and the known-elsewhere hints."""
    category, team = _valid_category(category_id), _valid_team(team_id)
    description = (description or "").strip()
    if not description:
        raise ServiceError("Beschrijf wat er aan de hand is.", field="description")
    if len(description) > MAX_TEXT:
        raise ServiceError(f"Een beschrijving is hoogstens {MAX_TEXT} tekens.", field="description")
    try:
        urgency = Urgency(urgency)
    except ValueError as error:
        raise ServiceError("Kies een urgentie.", field="urgency") from error
    if not subjects:
        raise ServiceError("Voeg minstens één betrokkene toe.", field="subjects")
    if len(subjects) > MAX_SUBJECTS:
        raise ServiceError(f"Hoogstens {MAX_SUBJECTS} betrokkenen per signaal.", field="subjects")
    year = today().year
    signal = Signal(reference=f"S-{year}-{next_number('signal', year):06d}", category=category, team=team,
                    description=description, urgency=urgency, reporting_organisation_id=user.organisation_id,
                    reported_by_id=user.id)
    db.session.add(signal)
    db.session.flush()
    known = []
    for index, data in enumerate(subjects):
        subject, matched = find_or_create(data, today(), index)
        db.session.merge(SignalSubject(signal_id=signal.id, subject_id=subject.id))
        if matched:
            known.extend(_known_elsewhere(user, subject))
    record("signal.reported", object_type="signal", object_id=signal.id)
    return signal, known


def _valid_category(category_id: int) -> Category:
    category = db.session.get(Category, category_id) if category_id else None
    if category is None or not category.active:
        raise ServiceError("Kies een categorie.", field="category_id")
    return category


def _valid_team(team_id: int) -> Team:
    team = db.session.get(Team, team_id) if team_id else None
    if team is None or not team.active:
        raise ServiceError("Kies het team (de gemeente) dat het signaal ontvangt.", field="team_id")
    return team


def _known_elsewhere(user: User, subject: Subject) -> list[KnownElsewhere]:
    """Open cases with this subject that ``user`` cannot see: say whom to contact, and audit the hint."""
    hidden = db.session.execute(
        sa.select(Case).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(CaseSubject.subject_id == subject.id, Case.phase != CasePhase.AFGESLOTEN,
               sa.not_(case_scope(user)))
        .order_by(Case.id).limit(1)).unique().scalars().first()
    if hidden is None:
        return []
    contact = db.session.get(User, hidden.procesregisseur_id) if hidden.procesregisseur_id else None
    record("subject.known_elsewhere", object_type="subject", object_id=subject.id, case_id=hidden.id)
    return [KnownElsewhere(subject_id=subject.id, contact_name=contact.name if contact else hidden.team.name,
                           contact_team=hidden.team.name)]


def signal_subjects(signal: Signal) -> list[Subject]:
    return list(db.session.execute(
        sa.select(Subject).join(SignalSubject, SignalSubject.subject_id == Subject.id)
        .where(SignalSubject.signal_id == signal.id).order_by(Subject.id)).scalars())


def candidate_cases(user: User, signal: Signal) -> list[Case]:
    """Open cases of the user's team that share a subject with the signal: where it could be bundled."""
    subject_ids = sa.select(SignalSubject.subject_id).where(SignalSubject.signal_id == signal.id)
    return list(db.session.execute(
        sa.select(Case).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(CaseSubject.subject_id.in_(subject_ids), Case.phase != CasePhase.AFGESLOTEN, case_scope(user))
        .distinct().order_by(Case.id)).unique().scalars())


def _require_triage_rights(user: User, signal: Signal) -> None:
    if not triages_signals(user, signal):
        raise ServiceError("Alleen het ontvangende team kan dit signaal wegen.", status=403)
    if signal.case_id is not None:
        raise ServiceError("Dit signaal is al gebundeld in een casus.")


def attach_to_case(user: User, signal: Signal, case: Case) -> None:
    """Bundle the signal into an existing open case of the team."""
    _require_triage_rights(user, signal)
    if case.team_id != signal.team_id or case.phase == CasePhase.AFGESLOTEN:
        raise ServiceError("Kies een lopende casus van uw team.", field="case_id")
    _bundle(user, signal, case)


def open_case(user: User, signal: Signal, *, title: str, risk_level: str = "midden",
              legal_basis: str = LegalBasis.CONVENANT, confidentiality_signed_on=None) -> Case:
    """Open a new case in signalering from this signal; its reporter becomes the aanbrenger."""
    _require_triage_rights(user, signal)
    procesregisseur = user if user.has_role("procesregisseur") else None
    case = create_case(user, title=title, category=signal.category, team=signal.team,
                       aanbrenger=signal.reporting_organisation, risk_level=risk_level,
                       subjects=signal_subjects(signal), procesregisseur=procesregisseur,
                       legal_basis=legal_basis, confidentiality_signed_on=confidentiality_signed_on)
    _bundle(user, signal, case)
    return case


def _bundle(user: User, signal: Signal, case: Case) -> None:
    signal.case_id = case.id
    signal.status = SignalStatus.GEBUNDELD
    case.signal_count += 1
    for subject in signal_subjects(signal):
        link_subject(case, subject)
    add_timeline(case, "signal.bundled", f"Signaal {signal.reference} ({signal.category.name}) toegevoegd",
                 actor=user, at=None)
    sync_signal_status(case)
    record("signal.bundled", object_type="signal", object_id=signal.id, case_id=case.id)


def dismiss_signal(user: User, signal: Signal, *, reason: str) -> None:
    """Close a signal that needs no case (geen casus), without opening one."""
    _require_triage_rights(user, signal)
    if not (reason or "").strip():
        raise ServiceError("Geef een reden.", field="reason")
    signal.status = SignalStatus.AFGESLOTEN
    record("signal.dismissed", object_type="signal", object_id=signal.id, details={"reason_given": True})


def sync_signal_status(case: Case) -> None:
    """Keep the status a reporter sees in step with the case behind their signal."""
    if case.phase == CasePhase.AFGESLOTEN:
        status = SignalStatus.DOORVERWEZEN if case.result == ClosureResult.DOORVERWEZEN else SignalStatus.AFGESLOTEN
    elif case.phase in (CasePhase.SIGNALERING, CasePhase.TRIAGE):
        status = SignalStatus.IN_TRIAGE
    else:
        status = SignalStatus.GEBUNDELD
    db.session.execute(sa.update(Signal).where(Signal.case_id == case.id).values(status=status))


def signals_for(user: User, statuses: Iterable[str] | None = None) -> sa.Select:
    """Signals visible to ``user`` (their own organisation's, and their team's), newest first."""
    from casus.policy import signal_scope

    query = sa.select(Signal).where(signal_scope(user)).order_by(Signal.received_at.desc(), Signal.id.desc())
    if statuses:
        query = query.where(Signal.status.in_(list(statuses)))
    return query
