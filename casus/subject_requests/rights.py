"""Rectificatie, beperking and wissing (AVG art. 16, 18 and 17): what the privacy officer does inside a registered
request with the subjects confirmed as the requesting person.

* Rectificatie corrects a confirmed subject's fields, validated as everywhere (``subjects.services.check``); each
  changed field keeps its old and new value in a ``SubjectCorrection``, which only the privacy officer reads (the
  request page). The affected cases get a timeline line without values, and their partners and procesregisseur a
  notification naming only the case reference.
* Beperking places a ``SubjectRestriction`` on a confirmed subject, and lifts it; while it is active every case of
  the subject refuses changes by anyone else (:mod:`casus.subject_requests.restriction`).
* Wissing is granted by one privacy officer and carried out when a second one confirms (the database refuses one
  person doing both): the confirmed subjects are erased everywhere, every case left without any subject is destroyed
  (``casus.retention.destruction``) and declared in a verklaring of kind ERASURE, prepared by the one who granted
  and approved by the one who confirmed. A case under legal hold refuses it.

Every step is audited with the request's reference as purpose, and never with a value of the subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import has_request_context

from casus.audit.services import bind_purpose, record
from casus.cases.models import Case, CaseSubject, Participation
from casus.clock import today
from casus.database import utcnow
from casus.extensions import db
from casus.notifications import kinds
from casus.notifications.services import NewNotification, case_link, notify_many
from casus.retention import declarations, destruction
from casus.retention.models import DeclarationKind, DestructionDeclaration, LegalHold
from casus.retention.queries import active_hold
from casus.services import MAX_TEXT, ServiceError
from casus.signals.models import Signal, SignalSubject
from casus.subject_requests import services
from casus.subject_requests.models import (
    RequestKind,
    RequestOutcome,
    SubjectCorrection,
    SubjectRequest,
    SubjectRequestMatch,
    SubjectRestriction,
)
from casus.subjects.models import Subject
from casus.subjects.services import SubjectInput, check
from casus.timeline.services import add_timeline
from casus.users.models import Role, User, UserRole
from casus.versioning import check_version, flush_versioned

ACTIVITY = "privacyverzoek"  # the register's activity for every step (casus.processing)
# The fields a rectificatie may correct, per kind of subject (the columns subjects.services.check fills).
CORRECTABLE = {
    "persoon": ("name", "date_of_birth", "bsn", "postcode", "huisnummer", "toevoeging"),
    "adres": ("postcode", "huisnummer", "toevoeging"),
    "bedrijf": ("name", "kvk_nummer", "postcode", "huisnummer", "toevoeging"),
}
# Which request kinds allow which step. A restriction may also cover the time a contested accuracy or an objection
# is looked into (AVG art. 18(1)(a) and (d)).
CORRECTS = (RequestKind.RECTIFICATIE,)
RESTRICTS = (RequestKind.BEPERKING, RequestKind.RECTIFICATIE, RequestKind.BEZWAAR)
ERASES = (RequestKind.WISSING,)

CORRECTED_LINE = "Gegevens van een betrokkene gecorrigeerd"
RESTRICTED_LINE = "Verwerking beperkt op verzoek van een betrokkene"
LIFTED_LINE = "Beperking van de verwerking opgeheven"
ERASED_LINE = "Een betrokkene is gewist op verzoek"


# --- shared checks --------------------------------------------------------------------------------------------------

def _require_step(user: User, subject_request: SubjectRequest, kinds_allowed: tuple[RequestKind, ...]) -> None:
    services.require_privacy(user)
    services.require_open(subject_request)
    if subject_request.kind not in kinds_allowed:
        raise ServiceError("Dit kan niet bij een verzoek van deze soort.", status=409)


def confirmed_subject(subject_request: SubjectRequest, subject_id: int) -> Subject:
    """A subject confirmed as the requesting person in this request; anything else is refused (404)."""
    subject = db.session.scalar(
        sa.select(Subject).join(SubjectRequestMatch, SubjectRequestMatch.subject_id == Subject.id)
        .where(SubjectRequestMatch.request_id == subject_request.id, Subject.id == subject_id))
    if subject is None:
        raise ServiceError("Deze betrokkene is in dit verzoek niet als de verzoeker bevestigd.", field="subject_id",
                           status=404)
    return subject


def _audit(user: User, action: str, subject_request: SubjectRequest, *, object_type: str = "subject_request",
           object_id: object = None, details: dict | None = None) -> None:
    record(action, object_type=object_type, object_id=subject_request.id if object_id is None else object_id,
           user=user, purpose=subject_request.reference, details=details, activity=ACTIVITY)


def cases_of(subject_ids: list[int]) -> list[Case]:
    """The cases these subjects are in, by reference."""
    if not subject_ids:
        return []
    return list(db.session.scalars(
        sa.select(Case).where(Case.id.in_(sa.select(CaseSubject.case_id).where(CaseSubject.subject_id.in_(
            subject_ids)))).order_by(Case.reference)))


# --- rectificatie ---------------------------------------------------------------------------------------------------

def _as_text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def correct_subject(user: User, subject_request: SubjectRequest, subject_id: int,
                    changes: dict[str, object]) -> list[SubjectCorrection]:
    """Correct ``subject_id``'s fields with ``changes`` (only the fields given; an empty value clears an optional
    one). Validated as a new subject would be; refused if nothing changes."""
    _require_step(user, subject_request, CORRECTS)
    subject = confirmed_subject(subject_request, subject_id)
    allowed = CORRECTABLE[str(subject.kind)]
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ServiceError("Dit gegeven kan bij deze betrokkene niet worden gecorrigeerd.", field=unknown[0])
    current = {column: getattr(subject, column) for column in allowed}
    wanted = {**current, **{key: (value if value not in ("",) else None) for key, value in changes.items()}}
    values, problems = check(SubjectInput(kind=str(subject.kind), **wanted), today())
    if problems:
        raise problems[0]
    corrected = {column: values.get(column) for column in allowed}
    changed = [column for column in allowed if corrected[column] != current[column]]
    if not changed:
        raise ServiceError("Er is niets gewijzigd: vul de juiste gegevens in.", field=allowed[0])
    corrections = [SubjectCorrection(subject_id=subject.id, request_id=subject_request.id, field=column,
                                     old_value=_as_text(current[column]), new_value=_as_text(corrected[column]),
                                     corrected_by_id=user.id) for column in changed]
    for column in changed:
        setattr(subject, column, corrected[column])
    subject.name_key = values.get("name_key") if subject.name else None
    db.session.add_all(corrections)
    services.start_handling(subject_request)
    db.session.flush()
    _audit(user, "subject.corrected", subject_request, object_type="subject", object_id=subject.id,
           details={"fields": changed, "request_id": subject_request.id})
    affected = cases_of([subject.id])
    for case in affected:
        add_timeline(case, "subject.corrected", CORRECTED_LINE, actor=user)
    _notify_corrected(affected, key=f"subject-corrected:{corrections[0].id}")
    return corrections


def _notify_corrected(cases: list[Case], *, key: str) -> int:
    """The partners of each case — the contact person of every active participation, else the organisation's partner
    users — and its procesregisseur: a notification with the case reference and link, nothing more."""
    if not cases:
        return 0
    ids = [case.id for case in cases]
    by_contact = (sa.select(Participation.case_id, User.id, User.locale).join(User, sa.or_(
        User.id == Participation.contact_user_id,
        sa.and_(Participation.contact_user_id.is_(None), User.organisation_id == Participation.organisation_id,
                sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.PARTNER))))
        .where(Participation.case_id.in_(ids), Participation.left_on.is_(None), User.active.is_(True)))
    regisseur = (sa.select(Case.id, User.id, User.locale).join(User, User.id == Case.procesregisseur_id)
                 .where(Case.id.in_(ids), User.active.is_(True)))
    references = {case.id: case.reference for case in cases}
    rows = db.session.execute(sa.union(by_contact, regisseur)).all()
    return notify_many(NewNotification(
        user_id=user_id, key=f"{key}:{case_id}:{user_id}", kind=kinds.SUBJECT_CORRECTED.name, link=case_link(case_id),
        params={"reference": references[case_id]}, case_id=case_id, locale=locale)
        for case_id, user_id, locale in rows)


def corrections_of(subject_request: SubjectRequest) -> list[SubjectCorrection]:
    """The rectificatie history with old and new values, for the privacy officer's request page only: the request's
    own corrections, and those the case work made (``request_id`` NULL: casus.cases.case_subjects) to the subjects
    confirmed in it."""
    confirmed = sa.select(SubjectRequestMatch.subject_id).where(SubjectRequestMatch.request_id == subject_request.id)
    return list(db.session.scalars(sa.select(SubjectCorrection).where(sa.or_(
        SubjectCorrection.request_id == subject_request.id,
        sa.and_(SubjectCorrection.request_id.is_(None), SubjectCorrection.subject_id.in_(confirmed))))
        .order_by(SubjectCorrection.corrected_at, SubjectCorrection.id)))


# --- beperking ------------------------------------------------------------------------------------------------------

def _reason(reason: str | None, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Vermeld de reden.", field=field)
    if len(reason) > MAX_TEXT:
        raise ServiceError("Hoogstens %(max)s tekens.", field=field, max=MAX_TEXT)
    return reason


def active_restriction(subject_id: int) -> SubjectRestriction | None:
    return db.session.scalar(sa.select(SubjectRestriction).where(
        SubjectRestriction.subject_id == subject_id, SubjectRestriction.lifted_at.is_(None)).limit(1))


def active_restrictions(subject_ids: list[int]) -> dict[int, SubjectRestriction]:
    """The active restriction of each of these subjects that has one (one query)."""
    if not subject_ids:
        return {}
    query = sa.select(SubjectRestriction).where(SubjectRestriction.subject_id.in_(subject_ids),
                                                SubjectRestriction.lifted_at.is_(None))
    return {restriction.subject_id: restriction for restriction in db.session.scalars(query)}


def place_restriction(user: User, subject_request: SubjectRequest, subject_id: int, *,
                      reason: str | None) -> SubjectRestriction:
    """Restrict the processing of a confirmed subject: its cases refuse changes by anyone but the privacy officer."""
    _require_step(user, subject_request, RESTRICTS)
    subject = confirmed_subject(subject_request, subject_id)
    reason = _reason(reason)
    if active_restriction(subject.id) is not None:
        raise ServiceError("De verwerking van deze betrokkene is al beperkt.", status=409)
    restriction = SubjectRestriction(subject_id=subject.id, request_id=subject_request.id, reason=reason,
                                     placed_by_id=user.id)
    db.session.add(restriction)
    services.start_handling(subject_request)
    db.session.flush()
    _audit(user, "subject.restricted", subject_request, object_type="subject_restriction", object_id=restriction.id,
           details={"subject_id": subject.id})
    for case in cases_of([subject.id]):
        add_timeline(case, "subject.restricted", RESTRICTED_LINE, actor=user)
    return restriction


def get_restriction(user: User, restriction_id: int, *, request_id: int | None = None) -> SubjectRestriction:
    """A restriction (placed in request ``request_id``, when given), for the privacy officer; else (or unknown) 404."""
    services.require_privacy(user)
    restriction = db.session.get(SubjectRestriction, restriction_id)
    if restriction is None or (request_id is not None and restriction.request_id != request_id):
        raise ServiceError("Deze beperking bestaat niet.", status=404)
    return restriction


def lift_restriction(user: User, restriction: SubjectRestriction) -> SubjectRestriction:
    """Lift a restriction: the subject's cases can be changed again."""
    services.require_privacy(user)
    if restriction.lifted_at is not None:
        raise ServiceError("Deze beperking is al opgeheven.", status=409)
    restriction.lifted_at = utcnow()
    restriction.lifted_by_id = user.id
    db.session.flush()
    subject_request = db.session.get(SubjectRequest, restriction.request_id) if restriction.request_id else None
    record("subject.restriction_lifted", object_type="subject_restriction", object_id=restriction.id, user=user,
           purpose=subject_request.reference if subject_request else None, activity=ACTIVITY,
           details={"subject_id": restriction.subject_id})
    for case in cases_of([restriction.subject_id]):
        add_timeline(case, "subject.restriction_lifted", LIFTED_LINE, actor=user)
    return restriction


def restrictions_of(subject_request: SubjectRequest) -> list[SubjectRestriction]:
    """The restrictions placed in this request, active and lifted."""
    return list(db.session.scalars(sa.select(SubjectRestriction).where(
        SubjectRestriction.request_id == subject_request.id).order_by(SubjectRestriction.placed_at,
                                                                       SubjectRestriction.id)))


# --- wissing --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ErasureOutcome:
    erased_subjects: int
    destroyed_cases: list[str]  # references
    kept_cases: list[str]
    declarations: list[str]  # references of the verklaringen, one per team whose cases were destroyed


def erasure_granted_by(subject_request: SubjectRequest) -> User | None:
    """The privacy officer who granted the wissing, if anyone did yet."""
    granted_by = subject_request.erasure_granted_by_id
    return db.session.get(User, granted_by) if granted_by is not None else None


def _matched_ids(subject_request: SubjectRequest) -> list[int]:
    return list(db.session.scalars(sa.select(SubjectRequestMatch.subject_id).where(
        SubjectRequestMatch.request_id == subject_request.id, SubjectRequestMatch.subject_id.is_not(None))
        .order_by(SubjectRequestMatch.id)))


def _refuse_held(subject_ids: list[int]) -> None:
    """A case under legal hold keeps its subjects: name the held cases, so the privacy officer knows which."""
    held = list(db.session.scalars(
        sa.select(Case.reference).join(LegalHold, LegalHold.case_id == Case.id)
        .where(active_hold(today()), Case.id.in_(sa.select(CaseSubject.case_id).where(
            CaseSubject.subject_id.in_(subject_ids)))).distinct().order_by(Case.reference)))
    if held:
        raise ServiceError("Wissing is niet mogelijk: casus %(references)s is bevroren (bevriezing). Hef de "
                           "bevriezing eerst op of wijs het verzoek (deels) af.", status=409,
                           references=", ".join(held))


def grant_erasure(user: User, subject_request: SubjectRequest, *, expected_version: int | None) -> SubjectRequest:
    """Step one: grant the wissing of the confirmed subjects. A second privacy officer carries it out."""
    _require_step(user, subject_request, ERASES)
    check_version(subject_request, expected_version)
    if subject_request.erasure_granted_by_id is not None:
        raise ServiceError("De wissing is al toegekend; een tweede privacyfunctionaris bevestigt haar.", status=409)
    subject_ids = _matched_ids(subject_request)
    if not subject_ids:
        raise ServiceError("Bevestig eerst welke betrokkenen de verzoeker is.", status=409)
    _refuse_held(subject_ids)
    subject_request.erasure_granted_by_id = user.id
    subject_request.erasure_granted_at = utcnow()
    services.start_handling(subject_request)
    flush_versioned(subject_request)
    _audit(user, "subject_request.erasure_granted", subject_request, details={"subjects": len(subject_ids)})
    return subject_request


def _standalone_signals(subject_ids: list[int]) -> list[Signal]:
    """The person's signals that never became part of a case (a bundled one goes, or stays, with its case)."""
    return list(db.session.scalars(
        sa.select(Signal).join(SignalSubject, SignalSubject.signal_id == Signal.id)
        .where(SignalSubject.subject_id.in_(subject_ids), Signal.case_id.is_(None)).distinct()))


def _without_subjects(signals: list[Signal]) -> list[Signal]:
    """Of ``signals``, those the erasure left about nobody: their description is about the erased person alone."""
    ids = [signal.id for signal in signals]
    still = set(db.session.scalars(sa.select(SignalSubject.signal_id).where(SignalSubject.signal_id.in_(ids))))
    return [signal for signal in signals if signal.id not in still]


def _entry(record_kind: str, row: Case | Signal, day: date) -> dict:
    return {"kind": record_kind, "reference": row.reference, "category": row.category.code,
            "closed_on": row.closed_on, "destroyed_on": day}


def _destroy_and_declare(user: User, subject_request: SubjectRequest, cases: list[Case],
                         signals: list[Signal]) -> list[DestructionDeclaration]:
    """Destroy ``cases`` and ``signals`` (left without any subject) and declare them: one verklaring of kind wissing
    per team, prepared by the privacy officer who granted the wissing and approved by the one who confirmed it."""
    day = today()
    entries = [(case.team_id, _entry("case", case, day)) for case in cases]
    entries += [(signal.team_id, _entry("signal", signal, day)) for signal in signals]  # read before the rows go
    counts = list(destruction.destroy_cases([case.id for case in cases], user=user).values()) if cases else []
    counts += [destruction.destroy_signal(signal, user=user) for signal in signals]
    preparer = db.session.get(User, subject_request.erasure_granted_by_id)
    declared = []
    for team_id in sorted({team for team, _entry_ in entries}):
        declared.append(declarations.record_declaration(
            kind=DeclarationKind.ERASURE, prepared_by=preparer, approved_by=user, team_id=team_id,
            subject_request_id=subject_request.id,
            entries=[{**entry, "counts": count} for (team, entry), count in zip(entries, counts, strict=True)
                     if team == team_id]))
    return declared


def confirm_erasure(user: User, subject_request: SubjectRequest, *, expected_version: int | None) -> ErasureOutcome:
    """Step two, by another privacy officer: erase the confirmed subjects, destroy the cases left without any subject
    with a verklaring (kind wissing), and complete the request as granted."""
    _require_step(user, subject_request, ERASES)
    check_version(subject_request, expected_version)
    if subject_request.erasure_granted_by_id is None:
        raise ServiceError("De wissing is nog niet toegekend.", status=409)
    if subject_request.erasure_granted_by_id == user.id:
        raise ServiceError("U heeft de wissing zelf toegekend: een andere privacyfunctionaris bevestigt haar.",
                           status=403)
    subject_ids = _matched_ids(subject_request)
    _refuse_held(subject_ids)
    if has_request_context():
        bind_purpose(subject_request.reference)  # the erasure's and destruction's own events carry it too
    subject_request.erasure_confirmed_by_id = user.id
    subject_request.erasure_confirmed_at = utcnow()
    flush_versioned(subject_request)
    affected, signals = cases_of(subject_ids), _standalone_signals(subject_ids)
    left: set[int] = set()
    for subject in db.session.scalars(sa.select(Subject).where(Subject.id.in_(subject_ids))).all():
        left.update(destruction.erase_subject(subject, user=user))
    destroyed = [case for case in affected if case.id in left]
    kept = [case for case in affected if case.id not in left]
    orphaned = _without_subjects(signals)
    # read before the rows go: the destroyed cases are known by their references only from here on
    destroyed_references, kept_references = [case.reference for case in destroyed], [case.reference for case in kept]
    declared = _destroy_and_declare(user, subject_request, destroyed, orphaned) if destroyed or orphaned else []
    for case in kept:
        add_timeline(case, "subject.erased", ERASED_LINE, actor=user)
    outcome = ErasureOutcome(len(subject_ids), destroyed_references, kept_references,
                             [declaration.reference for declaration in declared])
    _audit(user, "subject_request.erasure_confirmed", subject_request,
           details={"subjects": outcome.erased_subjects, "cases_destroyed": len(destroyed),
                    "signals_destroyed": len(orphaned),
                    "cases_kept": len(kept), "declarations": outcome.declarations})
    services.complete(user, subject_request, outcome=RequestOutcome.TOEGEWEZEN, note=None, expected_version=None)
    return outcome
