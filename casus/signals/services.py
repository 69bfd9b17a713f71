"""Signal intake, bundling into cases, and the known-elsewhere hint.

A partner reports a signal about one or more betrokkenen. Each subject is matched against known
ones (same BSN; same name and date of birth; same address; same KvK). The procesregisseur of the
receiving team is offered the open cases those subjects appear in, to attach the signal to, or opens
a new case. A reporter whose subject is already in a case they may not see learns only that the
subject is known and whom to contact — never any content — and that hint is audited with the number of hidden
cases it matched. A user gets at most ``CASUS_KNOWN_ELSEWHERE_PER_DAY`` hints a day (Amsterdam time): past that
they are withheld (audited too), so the hint cannot be used to sweep the register; the signal is saved all
the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import current_app

from casus import events
from casus.audit.models import AuditEvent, Outcome
from casus.audit.services import record
from casus.cases.events import CaseTransitioned
from casus.cases.models import Case, CaseSubject, Category, LegalBasis, RiskLevel
from casus.cases.services import create_case, link_subject
from casus.clock import cadences, local_zone, today
from casus.events import Events
from casus.extensions import db
from casus.notifications import partners as notifications
from casus.organisations.models import Team
from casus.pagination import KeysetPage, decode_cursor, keyset_page
from casus.policy import case_scope, directs_cases, sees_triage_queue, signal_scope, triages_signals, visible_cases
from casus.references import next_number
from casus.services import MAX_TEXT, ServiceError
from casus.signals.events import SignalEnded
from casus.signals.models import Signal, SignalStatus, SignalSubject, Urgency
from casus.subjects.models import Subject
from casus.subjects.services import SubjectInput, find_or_create, validated
from casus.timeline.services import add_timeline
from casus.users.models import User
from workflow import CasePhase, ClosureResult, workdays

MAX_SUBJECTS = 20


@dataclass(frozen=True)
class KnownElsewhere:
    """What a reporter may learn about a subject in a case they cannot see: whom to contact."""

    subject_id: int
    contact_name: str
    contact_team: str


class KnownElsewhereHints(list):
    """The hints one report gives, and whether the reporter has reached today's limit (``limit_reached``):
    from then on every report says so, whether or not a subject is known elsewhere, so the message itself
    gives nothing away."""

    limit_reached: bool = False


KNOWN_ELSEWHERE = "subject.known_elsewhere"


class _HintAllowance:
    """How many known-elsewhere hints ``user`` may still get today (``CASUS_KNOWN_ELSEWHERE_PER_DAY``)."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.limit = current_app.config["CASUS"].known_elsewhere_per_day
        self.remaining: int | None = None

    def take(self) -> bool:
        """One hint, if today's limit allows it. The first call locks the user's row (PostgreSQL), so two reports
        of the same user at once count one after the other and cannot both take the last hint."""
        if self.remaining is None:
            db.session.execute(sa.select(User.id).where(User.id == self.user.id).with_for_update())
            self.remaining = max(0, self.limit - hints_given_today(self.user))
        if self.remaining == 0:
            return False
        self.remaining -= 1
        return True

    def reached(self) -> bool:
        if self.remaining is None:
            self.remaining = max(0, self.limit - hints_given_today(self.user))
        return self.remaining == 0


def hints_given_today(user: User) -> int:
    """The known-elsewhere hints ``user`` got since midnight in Amsterdam, counted from the audit trail."""
    midnight = datetime.combine(today(), datetime.min.time(), tzinfo=local_zone()).astimezone(UTC)
    return db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.user_id == user.id, AuditEvent.action == KNOWN_ELSEWHERE,
        AuditEvent.occurred_at >= midnight)).scalar_one()


def report_signal(user: User, *, category_id: int, team_id: int, description: str, urgency: str,
                  subjects: Sequence[SubjectInput]) -> tuple[Signal, list[KnownElsewhere]]:
    """Record a signal from ``user``'s organisation; returns it and the known-elsewhere hints.

    Past the reporter's daily limit the hints are withheld (``hints.limit_reached``); the signal is saved."""
    category, team = _valid_category(category_id), _valid_team(team_id)
    description = (description or "").strip()
    if not description:
        raise ServiceError("Beschrijf wat er aan de hand is.", field="description")
    if len(description) > MAX_TEXT:
        raise ServiceError("Een beschrijving is hoogstens %(max)s tekens.", field="description", max=MAX_TEXT)
    try:
        urgency = Urgency(urgency)
    except ValueError as error:
        raise ServiceError("Kies een urgentie.", field="urgency") from error
    if not subjects:
        raise ServiceError("Voeg minstens één betrokkene toe.", field="subjects")
    if len(subjects) > MAX_SUBJECTS:
        raise ServiceError("Hoogstens %(max)s betrokkenen per signaal.", field="subjects", max=MAX_SUBJECTS)
    # All of them, each once, before anything is stored: a refusal changes nothing.
    checked = [validated(data, today(), index) for index, data in enumerate(subjects)]
    as_typed = [Subject(**values).display_name for values in checked]
    year = today().year
    signal = Signal(reference=f"S-{year}-{next_number('signal', year):06d}", category=category, team=team,
                    description=description, urgency=urgency, reporting_organisation_id=user.organisation_id,
                    reported_by_id=user.id)
    db.session.add(signal)
    db.session.flush()
    known = []
    allowance = _HintAllowance(user)
    for index, values in enumerate(checked):
        subject, matched = find_or_create(values)
        db.session.merge(SignalSubject(signal_id=signal.id, subject_id=subject.id, reported_as=as_typed[index]))
        if matched:
            known.extend(_known_elsewhere(user, subject, allowance))
    record("signal.reported", object_type="signal", object_id=signal.id, user=user)
    hints = KnownElsewhereHints(_distinct(known))
    hints.limit_reached = allowance.reached()
    return signal, hints


def _distinct(known: list[KnownElsewhere]) -> list[KnownElsewhere]:
    """One hint per contact: two subjects in the same hidden case need not say it twice."""
    seen: set[tuple[str, str]] = set()
    hints = []
    for hint in known:
        if (hint.contact_name, hint.contact_team) not in seen:
            seen.add((hint.contact_name, hint.contact_team))
            hints.append(hint)
    return hints


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


def _known_elsewhere(user: User, subject: Subject, allowance: _HintAllowance) -> list[KnownElsewhere]:
    """Open cases with this subject that ``user`` cannot see: say whom to contact (for the first of them), and
    audit the hint with the number of such cases — or, past today's limit, audit that it was withheld."""
    hidden_ids = list(db.session.execute(
        sa.select(Case.id).join(CaseSubject, CaseSubject.case_id == Case.id)
        .where(CaseSubject.subject_id == subject.id, Case.phase != CasePhase.AFGESLOTEN,
               sa.not_(case_scope(user)))
        .order_by(Case.id)).scalars().unique())
    if not hidden_ids:
        return []
    if not allowance.take():
        record(f"{KNOWN_ELSEWHERE}_withheld", object_type="subject", object_id=subject.id, outcome=Outcome.DENIED,
               details={"matches": len(hidden_ids), "limit": allowance.limit}, user=user)
        return []
    hidden = db.session.get(Case, hidden_ids[0])
    contact = db.session.get(User, hidden.procesregisseur_id) if hidden.procesregisseur_id else None
    record(KNOWN_ELSEWHERE, object_type="subject", object_id=subject.id, case_id=hidden.id,
           details={"matches": len(hidden_ids)}, user=user)
    return [KnownElsewhere(subject_id=subject.id, contact_name=contact.name if contact else hidden.team.name,
                           contact_team=hidden.team.name)]


def signal_subjects(signal: Signal) -> list[Subject]:
    return list(db.session.execute(
        sa.select(Subject).join(SignalSubject, SignalSubject.subject_id == Subject.id)
        .where(SignalSubject.signal_id == signal.id).order_by(Subject.id)).scalars())


@dataclass(frozen=True)
class ReportedSubject:
    """A betrokkene as the reporter gave it: the kind and their own words (None for older signals)."""

    kind: str
    reported_as: str | None


def reported_subjects(signal: Signal) -> list[ReportedSubject]:
    """What the reporting organisation may see of a signal's betrokkenen: what it typed, nothing added since."""
    rows = db.session.execute(
        sa.select(Subject.kind, SignalSubject.reported_as).join(SignalSubject, SignalSubject.subject_id == Subject.id)
        .where(SignalSubject.signal_id == signal.id).order_by(Subject.id)).all()
    return [ReportedSubject(kind=row.kind, reported_as=row.reported_as) for row in rows]


def candidate_cases(user: User, signal: Signal) -> list[Case]:
    """Open cases of the user's team that share a subject with the signal: where it could be bundled."""
    subject_ids = sa.select(SignalSubject.subject_id).where(SignalSubject.signal_id == signal.id)
    # IN rather than JOIN + DISTINCT: PostgreSQL cannot DISTINCT over the JSON column of a case.
    case_ids = sa.select(CaseSubject.case_id).where(CaseSubject.subject_id.in_(subject_ids))
    return list(db.session.execute(
        sa.select(Case).where(Case.id.in_(case_ids), Case.phase != CasePhase.AFGESLOTEN, case_scope(user))
        .order_by(Case.id)).unique().scalars())


def _require_triage_rights(user: User, signal: Signal) -> None:
    """The team may weigh the signal, and it is still unweighed — read under the signal's row lock, so of two
    people weighing it at the same moment the second waits and then finds it weighed (409): a signal is never
    bundled into two cases, nor dismissed after it was bundled."""
    if not triages_signals(user, signal):
        raise ServiceError("Alleen het ontvangende team kan dit signaal wegen.", status=403)
    status, case_id = db.session.execute(sa.select(Signal.status, Signal.case_id).where(Signal.id == signal.id)
                                         .with_for_update()).one()
    if (status, case_id) != (signal.status, signal.case_id):
        db.session.refresh(signal)  # weighed meanwhile: the page shows it as it is now
    if case_id is not None:
        raise ServiceError("Dit signaal is al gebundeld in een casus.", status=409)
    if status in ENDED:
        raise ServiceError("Dit signaal is al afgehandeld.", status=409)


def attach_to_case(user: User, signal: Signal, case: Case) -> None:
    """Bundle the signal into an existing open case of the team."""
    _require_triage_rights(user, signal)
    if case.team_id != signal.team_id or case.phase == CasePhase.AFGESLOTEN:
        raise ServiceError("Kies een lopende casus van uw team.", field="case_id")
    _bundle(user, signal, case)


def open_case(user: User, signal: Signal, *, title: str, risk_level: str = "midden",
              legal_basis: str = LegalBasis.CONVENANT, confidentiality_signed_on=None,
              also: Sequence[Signal] = ()) -> Case:
    """Open a new case in signalering from this signal; its reporter becomes the aanbrenger.

    ``also``: more pending signals of the team (a duplicate group, casus.signals.duplicates) bundled into the
    same case in the same step, with all their subjects. Every signal is checked, under its row lock, before
    anything is written: one that is weighed already refuses the whole step and none is half-bundled."""
    others = [other for other in dict.fromkeys(also) if other.id != signal.id]
    for each in sorted((signal, *others), key=lambda each: each.id):  # row locks in one order: no deadlock
        if each is signal:
            _require_triage_rights(user, signal)
        else:
            _require_bundle_rights(user, signal, each)
    _check_aanbrenger_basis(signal, risk_level, legal_basis, confidentiality_signed_on)
    procesregisseur = user if directs_cases(user) else None
    subjects = {subject.id: subject for each in (signal, *others) for subject in signal_subjects(each)}
    case = create_case(user, title=title, category=signal.category, team=signal.team,
                       aanbrenger=signal.reporting_organisation, risk_level=risk_level,
                       subjects=subjects.values(), procesregisseur=procesregisseur,
                       legal_basis=legal_basis, confidentiality_signed_on=confidentiality_signed_on)
    for each in (signal, *others):
        _bundle(user, each, case)
    return case


def _require_bundle_rights(user: User, signal: Signal, other: Signal) -> None:
    """``other`` may join ``signal``'s new case: the same team weighs it and it is still unweighed. The refusal
    names the signal, since the form offers several."""
    if other.team_id != signal.team_id:
        raise ServiceError("Signaal %(reference)s is van een ander team.", status=403, reference=other.reference)
    try:
        _require_triage_rights(user, other)
    except ServiceError as error:
        if error.status != 409:
            raise
        raise ServiceError("Signaal %(reference)s is al gewogen of afgehandeld; er is niets gebundeld.",
                           status=409, reference=other.reference) from None


def _check_aanbrenger_basis(signal: Signal, risk_level: str, legal_basis: str, signed_on: date | None) -> None:
    """The reporting organisation shares on the convenant, or on a signed geheimhoudingsverklaring."""
    try:
        RiskLevel(risk_level)
    except ValueError as error:
        raise ServiceError("Kies een risiconiveau.", field="risk_level") from error
    try:
        legal_basis = LegalBasis(legal_basis)
    except ValueError as error:
        raise ServiceError("Kies de grondslag waarop de aanbrenger deelneemt.", field="legal_basis") from error
    if legal_basis == LegalBasis.CONVENANT and not signal.reporting_organisation.convenant_partner:
        raise ServiceError("De aanbrengende organisatie is geen convenantpartner; leg een "
                           "geheimhoudingsverklaring vast.", field="legal_basis")
    if legal_basis == LegalBasis.GEHEIMHOUDINGSVERKLARING:
        if signed_on is None:
            raise ServiceError("Vul de datum van ondertekening van de geheimhoudingsverklaring in.",
                               field="confidentiality_signed_on")
        if signed_on > today():
            raise ServiceError("De ondertekening kan niet in de toekomst liggen.", field="confidentiality_signed_on")


def _bundle(user: User, signal: Signal, case: Case) -> None:
    signal.case_id = case.id
    signal.status = SignalStatus.GEBUNDELD
    case.signal_count += 1
    for subject in signal_subjects(signal):
        link_subject(case, subject)
    add_timeline(case, "signal.bundled", f"Signaal {signal.reference} ({signal.category.name}) toegevoegd",
                 actor=user, at=None)
    sync_signal_status(case)
    record("signal.bundled", object_type="signal", object_id=signal.id, case_id=case.id, user=user)
    notifications.signal_outcome(user, "bundled", [(signal.id, signal.reference, signal.reported_by_id)])


def dismiss_signal(user: User, signal: Signal, *, reason: str) -> None:
    """Close a signal that needs no case (geen casus), without opening one."""
    _require_triage_rights(user, signal)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Geef een reden.", field="reason")
    if len(reason) > MAX_TEXT:
        raise ServiceError("Een reden is hoogstens %(max)s tekens.", field="reason", max=MAX_TEXT)
    signal.status = SignalStatus.AFGESLOTEN
    signal.dismissal_reason = reason
    _end(user, signal)
    record("signal.dismissed", object_type="signal", object_id=signal.id, details={"reason_given": True}, user=user)
    notifications.signal_outcome(user, "dismissed", [(signal.id, signal.reference, signal.reported_by_id)])


# A signal in one of these states has ended without a case: nobody weighs or withdraws it any more.
ENDED = (SignalStatus.AFGESLOTEN, SignalStatus.INGETROKKEN)
WITHDRAWABLE = (SignalStatus.ONTVANGEN, SignalStatus.IN_TRIAGE)


def withdraws_signal(user: User, signal: Signal) -> bool:
    """Whoever reported a signal may take it back while nobody has weighed it: not yet bundled into a case."""
    return signal.reported_by_id == user.id and signal.case_id is None and signal.status in WITHDRAWABLE


def withdraw_signal(user: User, signal: Signal) -> None:
    """The reporter withdraws their own signal before it is weighed (status ``ingetrokken``). It is kept for its
    outcome's retention term like any signal that ends without a case. Read under the signal's row lock, so a
    signal being weighed at the same moment is either weighed or withdrawn, never both."""
    if signal.reported_by_id != user.id:
        record("signal.withdrawn", object_type="signal", object_id=signal.id, outcome=Outcome.DENIED, user=user)
        raise ServiceError("Alleen wie het signaal heeft gemeld, kan het intrekken.", status=403)
    status, case_id = db.session.execute(sa.select(Signal.status, Signal.case_id).where(Signal.id == signal.id)
                                         .with_for_update()).one()
    if (status, case_id) != (signal.status, signal.case_id):
        db.session.refresh(signal)
    if case_id is not None or status not in WITHDRAWABLE:
        raise ServiceError("Dit signaal is al gewogen of afgehandeld en kan niet meer worden ingetrokken.",
                           status=409)
    signal.status = SignalStatus.INGETROKKEN
    _end(user, signal)
    record("signal.withdrawn", object_type="signal", object_id=signal.id, user=user)


def _end(user: User, signal: Signal) -> None:
    """The signal ends without a case today; retention gives it its archiefactiedatum (``SignalEnded``)."""
    signal.closed_on = today()
    db.session.flush()
    events.publish(SignalEnded(user, signal))


def register(events: Events) -> None:
    """At app start (``casus.events``): a signal's status follows the case it is bundled into."""
    events.subscribe(CaseTransitioned, _follow_case)


def _follow_case(event: CaseTransitioned) -> None:
    if signal_status_for(event.case.phase, event.case.result) == SignalStatus.DOORVERWEZEN:  # reporters are told
        notifications.signal_outcome(event.user, "referred", db.session.execute(sa.select(
            Signal.id, Signal.reference, Signal.reported_by_id).where(Signal.case_id == event.case.id)).all())
    sync_signal_status(event.case)


def sync_signal_status(case: Case) -> None:
    """Keep the status a reporter sees in step with the case behind their signal."""
    status = signal_status_for(case.phase, case.result)
    db.session.execute(sa.update(Signal).where(Signal.case_id == case.id).values(status=status))


def signal_status_for(phase: str, result: str | None) -> SignalStatus:
    """The status a reporter sees on a signal bundled into a case in ``phase`` (closed with ``result``)."""
    if phase == CasePhase.AFGESLOTEN:
        return SignalStatus.DOORVERWEZEN if result == ClosureResult.DOORVERWEZEN else SignalStatus.AFGESLOTEN
    if phase in (CasePhase.SIGNALERING, CasePhase.TRIAGE):
        return SignalStatus.IN_TRIAGE
    return SignalStatus.GEBUNDELD


def signals_for(user: User, statuses: Iterable[str] | None = None) -> sa.Select:
    """Signals visible to ``user`` (their own organisation's, and their team's), newest first."""
    query = sa.select(Signal).where(signal_scope(user)).order_by(Signal.received_at.desc(), Signal.id.desc())
    if statuses:
        query = query.where(Signal.status.in_(list(statuses)))
    return query


# --- lists: keyset pages and the triage queue -------------------------------------------------------------

def _from(after: str | None):
    """The position in the cursor ``after`` (signals by received_at, cases by created_at); a mangled one is None."""
    return decode_cursor(after, datetime.fromisoformat)


def visible_signals_page(user: User, *, after: str | None = None, limit: int = 25) -> KeysetPage:
    """One page of the signals ``user`` may see, newest first, after the cursor ``after``: rows of the signal and
    the case reference, the reference only where the user may see that case. One query."""
    case_reference = (sa.select(Case.reference).where(Case.id == Signal.case_id, case_scope(user))
                      .correlate(Signal).scalar_subquery())
    query = signals_for(user).add_columns(case_reference.label("case_reference"))
    return keyset_page(query, key=Signal.received_at, id_col=Signal.id, descending=True, after=_from(after),
                       before=None, limit=limit, whole_rows=True, value_of=lambda row: row.Signal.received_at,
                       id_of=lambda row: row.Signal.id, dump=datetime.isoformat)


TRIAGE_PHASES = (CasePhase.SIGNALERING, CasePhase.TRIAGE)


def triage_signals(user: User, *, after: str | None = None, limit: int = 100) -> KeysetPage:
    """Signals sent to ``user``'s team that nobody has weighed yet, oldest first."""
    if not sees_triage_queue(user):
        return KeysetPage([])
    query = sa.select(Signal).where(Signal.team_id == user.team_id, Signal.status == SignalStatus.ONTVANGEN)
    return keyset_page(query, key=Signal.received_at, id_col=Signal.id, descending=False, after=_from(after),
                       before=None, limit=limit, value_of=lambda signal: signal.received_at, dump=datetime.isoformat)


def triage_cases(user: User, *, after: str | None = None, limit: int = 100) -> KeysetPage:
    """Cases of ``user``'s team in signalering or triage, oldest first (through the need-to-know policy)."""
    if not sees_triage_queue(user):
        return KeysetPage([])
    query = visible_cases(user).where(Case.team_id == user.team_id, Case.phase.in_(TRIAGE_PHASES))
    return keyset_page(query, key=Case.created_at, id_col=Case.id, descending=False, after=_from(after),
                       before=None, limit=limit, value_of=lambda case: case.created_at, dump=datetime.isoformat)


@dataclass(frozen=True)
class TriageAge:
    """How long something has waited for triage, in werkdagen, against the deadline."""

    days: int
    deadline: int

    @property
    def left(self) -> int:
        return self.deadline - self.days

    @property
    def overdue(self) -> bool:
        return self.left < 0

    @property
    def due_soon(self) -> bool:
        return 0 <= self.left <= 1


def triage_age(since: datetime, on: date | None = None) -> TriageAge:
    """Werkdagen from ``since`` (a UTC moment, counted from its Amsterdam date) to ``on`` (today)."""
    start = since.astimezone(local_zone()).date()
    return TriageAge(days=max(0, workdays.working_days_between(start, on or today())),
                     deadline=cadences().triage_working_days)
