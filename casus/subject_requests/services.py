"""Data-subject requests: registration, the deadline and its extension, completion. The privacy officer's only.

A request has a reference (``AVG-2026-0001``) and a deadline of one calendar month after it arrived (AVG art.
12(3)), extendable once or twice by at most two further months with a recorded reason and the date of the letter
that told the requester. Every change is audited with the request's reference as its purpose: the reference is why
the privacy officer processes the person's data at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casus import policy
from casus.audit.services import record
from casus.clock import today
from casus.extensions import db
from casus.references import next_number
from casus.services import MAX_TEXT, ServiceError
from casus.subject_requests.models import (
    IdentityCheck,
    RequestKind,
    RequestOutcome,
    RequestStatus,
    SubjectRequest,
    SubjectRequestMatch,
)
from casus.subjects import validation
from casus.subjects.models import Subject
from casus.users.models import User
from casus.versioning import check_version, flush_versioned
from workflow.cadences import add_months

REFERENCE_KIND = "AVG"
MAX_EXTENSION_MONTHS = 2  # AVG art. 12(3): "met twee maanden verlengd"


@dataclass(frozen=True)
class Identification:
    """The person as the requester identified themselves; at least one complete way."""

    bsn: str | None = None
    name: str | None = None
    date_of_birth: date | None = None
    postcode: str | None = None
    huisnummer: int | str | None = None
    toevoeging: str | None = None


def require_privacy(user: User) -> None:
    if not policy.handles_privacy(user):
        raise ServiceError("Alleen de privacyfunctionaris behandelt verzoeken van betrokkenen.", status=403)


def _text(value: str | None, field: str) -> str | None:
    value = (value or "").strip() or None
    if value is not None and len(value) > MAX_TEXT:
        raise ServiceError("Hoogstens %(max)s tekens.", field=field, max=MAX_TEXT)
    return value


def _identification(person: Identification, on: date) -> dict:
    """The validated identifying fields; refused unless BSN, name with date of birth, or an address is complete."""
    values: dict = {"bsn": None, "name": None, "date_of_birth": None, "postcode": None, "huisnummer": None,
                    "toevoeging": None}
    if (person.bsn or "").strip():
        values["bsn"] = validation.bsn(person.bsn)
    name = " ".join((person.name or "").split())
    if name or person.date_of_birth:
        if not name:
            raise ServiceError("Vul bij een geboortedatum ook de naam in.", field="name")
        if person.date_of_birth is None:
            raise ServiceError("Vul bij een naam ook de geboortedatum in.", field="date_of_birth")
        values["name"] = name[:200]
        values["date_of_birth"] = validation.date_of_birth(person.date_of_birth, on)
    if (person.postcode or "").strip() or str(person.huisnummer or "").strip():
        values["postcode"] = validation.postcode(person.postcode or "")
        values["huisnummer"] = validation.huisnummer(person.huisnummer or "")
        values["toevoeging"] = validation.toevoeging(person.toevoeging)
    if not (values["bsn"] or values["name"] or values["postcode"]):
        raise ServiceError("Identificeer de persoon met een BSN, met naam en geboortedatum, of met een adres.",
                           field="bsn")
    return values


def register_request(user: User, *, kind: RequestKind | str, person: Identification,
                     identity_check: IdentityCheck | str, identity_note: str | None, received_on: date,
                     description: str | None) -> SubjectRequest:
    """Register a request that arrived on ``received_on``; its deadline is one calendar month later."""
    require_privacy(user)
    if kind not in RequestKind.values():
        raise ServiceError("Kies het soort verzoek.", field="kind")
    if identity_check not in IdentityCheck.values():
        raise ServiceError("Kies hoe de identiteit is vastgesteld.", field="identity_check")
    if received_on is None:
        raise ServiceError("Vul de datum van ontvangst in.", field="received_on")
    if received_on > today():
        raise ServiceError("De datum van ontvangst kan niet in de toekomst liggen.", field="received_on")
    identified = _identification(person, today())
    number = next_number(REFERENCE_KIND, received_on.year)
    subject_request = SubjectRequest(
        reference=f"{REFERENCE_KIND}-{received_on.year}-{number:04d}", kind=RequestKind(kind),
        identity_check=IdentityCheck(identity_check), identity_note=_text(identity_note, "identity_note"),
        received_on=received_on, deadline_on=add_months(received_on, 1),
        description=_text(description, "description"), registered_by_id=user.id, **identified)
    db.session.add(subject_request)
    db.session.flush()
    _audit(user, "subject_request.registered", subject_request, {"kind": subject_request.kind.value})
    return subject_request


def get_request(user: User, request_id: int) -> SubjectRequest:
    """The request for the privacy officer; for anyone else (or an unknown id) a 404, audited."""
    subject_request = db.session.get(SubjectRequest, request_id) if policy.handles_privacy(user) else None
    if subject_request is None:
        policy.refuse("subject_request.view", status=404, object_type="subject_request", object_id=request_id)
    return subject_request


def extend(user: User, subject_request: SubjectRequest, *, months: int, reason: str | None, letter_on: date | None,
           expected_version: int | None) -> SubjectRequest:
    """Extend the deadline by ``months`` beyond the current one, at most two months past the original deadline."""
    require_privacy(user)
    require_open(subject_request)
    check_version(subject_request, expected_version)
    if months not in (1, 2):
        raise ServiceError("Verleng met een of twee maanden.", field="months")
    reason = _text(reason, "reason")
    if not reason:
        raise ServiceError("Vermeld waarom de termijn wordt verlengd.", field="reason")
    if letter_on is None:
        raise ServiceError("Vul de datum in waarop de verzoeker over de verlenging is bericht.", field="letter_on")
    new_due = add_months(subject_request.due_on, months)
    if new_due > add_months(subject_request.deadline_on, MAX_EXTENSION_MONTHS):
        raise ServiceError("De termijn kan met ten hoogste twee maanden worden verlengd.", field="months")
    subject_request.extended_deadline_on = new_due
    subject_request.extension_reason = reason
    subject_request.extension_letter_on = letter_on
    flush_versioned(subject_request)
    _audit(user, "subject_request.extended", subject_request, {"months": months, "due_on": new_due.isoformat()})
    return subject_request


def complete(user: User, subject_request: SubjectRequest, *, outcome: RequestOutcome | str, note: str | None,
             expected_version: int | None) -> SubjectRequest:
    """Close the request with its outcome, today."""
    require_privacy(user)
    require_open(subject_request)
    check_version(subject_request, expected_version)
    if outcome not in RequestOutcome.values():
        raise ServiceError("Kies de uitkomst van het verzoek.", field="outcome")
    subject_request.outcome = RequestOutcome(outcome)
    subject_request.outcome_note = _text(note, "note")
    subject_request.completed_on = today()
    subject_request.status = RequestStatus.AFGEROND
    flush_versioned(subject_request)
    on_time = subject_request.completed_on <= subject_request.due_on
    _audit(user, "subject_request.completed", subject_request,
           {"outcome": subject_request.outcome.value, "on_time": on_time})
    return subject_request


def start_handling(subject_request: SubjectRequest) -> None:
    """The first search puts a received request in handling (no version check: a side effect of the search)."""
    if subject_request.status == RequestStatus.ONTVANGEN:
        subject_request.status = RequestStatus.IN_BEHANDELING
        flush_versioned(subject_request)


def require_open(subject_request: SubjectRequest) -> None:
    if not subject_request.is_open:
        raise ServiceError("Dit verzoek is al afgerond.", status=409)


def _audit(user: User, action: str, subject_request: SubjectRequest, details: dict | None = None) -> None:
    record(action, object_type="subject_request", object_id=subject_request.id, user=user,
           purpose=subject_request.reference, details=details)


def list_requests(user: User, *, open_only: bool) -> list[SubjectRequest]:
    """The requests, the most urgent first; empty for anyone but the privacy officer."""
    if not policy.handles_privacy(user):
        return []
    due = sa.func.coalesce(SubjectRequest.extended_deadline_on, SubjectRequest.deadline_on)
    query = sa.select(SubjectRequest).options(selectinload(SubjectRequest.matches))
    if open_only:
        query = query.where(SubjectRequest.status != RequestStatus.AFGEROND)
    return list(db.session.scalars(query.order_by(due, SubjectRequest.id)))


def matched_subjects(subject_request: SubjectRequest) -> list[Subject]:
    """The subjects confirmed as the person, in the order they were confirmed."""
    return list(db.session.scalars(
        sa.select(Subject).join(SubjectRequestMatch, SubjectRequestMatch.subject_id == Subject.id)
        .where(SubjectRequestMatch.request_id == subject_request.id).order_by(SubjectRequestMatch.id)))


def audit_list(user: User, requests: list[SubjectRequest]) -> None:
    record("subject_request.list", object_type="subject_request", user=user,
           details={"request_ids": [subject_request.id for subject_request in requests]})


def audit_view(user: User, subject_request: SubjectRequest) -> None:
    _audit(user, "subject_request.view", subject_request)


def with_matches(subject_request: SubjectRequest) -> SubjectRequest:
    """The request with its matches loaded (for the API's ``matchedSubjectIds``)."""
    return db.session.execute(
        sa.select(SubjectRequest).where(SubjectRequest.id == subject_request.id)
        .options(selectinload(SubjectRequest.matches)).execution_options(populate_existing=True)).scalar_one()


def flush_unchecked(subject_request: SubjectRequest) -> None:
    """Save a side effect of reading (the package produced): no version check, the version still goes up."""
    flush_versioned(subject_request)


@dataclass(frozen=True)
class KindFigures:
    kind: RequestKind
    received: int
    completed: int
    on_time: int

    @property
    def on_time_share(self) -> int | None:
        """Percentage of the completed requests answered by their deadline; None when none were completed."""
        return round(100 * self.on_time / self.completed) if self.completed else None


@dataclass(frozen=True)
class Report:
    since: date
    open_requests: list[SubjectRequest]
    kinds: list[KindFigures]

    @property
    def total(self) -> KindFigures:
        return KindFigures(RequestKind.INZAGE, sum(k.received for k in self.kinds),
                           sum(k.completed for k in self.kinds), sum(k.on_time for k in self.kinds))

    @property
    def max_received(self) -> int:
        return max([figures.received for figures in self.kinds] + [1])


def report(user: User, on: date) -> Report:
    """The privacy officer's dashboard: the open requests by deadline, and per kind over the last twelve months
    how many came in, how many were completed and how many of those on time (completed on or before the due date).
    Two queries, whatever the number of requests."""
    require_privacy(user)
    since = add_months(on, -12)
    due = sa.func.coalesce(SubjectRequest.extended_deadline_on, SubjectRequest.deadline_on)
    done = SubjectRequest.status == RequestStatus.AFGEROND
    rows = db.session.execute(
        sa.select(SubjectRequest.kind, sa.func.count(),
                  sa.func.count().filter(done), sa.func.count().filter(done, SubjectRequest.completed_on <= due))
        .where(SubjectRequest.received_on >= since).group_by(SubjectRequest.kind)).all()
    counts = {str(getattr(kind, "value", kind)): (received, completed, on_time)
              for kind, received, completed, on_time in rows}
    kinds = [KindFigures(kind, *counts.get(kind.value, (0, 0, 0))) for kind in RequestKind]
    return Report(since, list_requests(user, open_only=True)[:10], kinds)
