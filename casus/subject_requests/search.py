"""The search for the requesting person across ALL cases and signals, whatever team — inside a registered, open
request only, and never with terms typed at the moment: the request's own identification is the query.

This is a deliberate exception to need-to-know: ``policy.case_scope`` gives the privacy officer no case at all,
and the AVG (art. 15–21) obliges the joint controllers to find everything they hold about the person. So the
queries below read subjects, cases and signals without a scope, and nothing else does; every run is audited
(``subject_request.searched``) with the request's reference as its purpose, and what it shows is the subjects'
identifying data and where they appear (case reference and team, signal reference) — never case content. Only
the privacy officer reaches it (``services.get_request`` answers 404 to anyone else).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from casus.audit.services import keyed_bsn_hash, record
from casus.cases.models import Case, CaseSubject
from casus.extensions import db
from casus.organisations.models import Team
from casus.services import ServiceError
from casus.signals.models import Signal, SignalSubject
from casus.subject_requests import services
from casus.subject_requests.models import SubjectRequest, SubjectRequestMatch
from casus.subjects.models import Subject
from casus.subjects.validation import normalise_name
from casus.users.models import User


@dataclass(frozen=True)
class Appearance:
    id: int
    reference: str
    team: str


@dataclass
class Candidate:
    """A subject that matches the request's identification, where it appears, and whether it is confirmed."""

    subject: Subject
    matched_on: list[str]
    cases: list[Appearance] = field(default_factory=list)
    signals: list[Appearance] = field(default_factory=list)
    confirmed: bool = False


def _criteria(subject_request: SubjectRequest) -> dict[str, sa.ColumnElement[bool]]:
    """One condition per way the requester identified themselves."""
    criteria = {}
    if subject_request.bsn:
        criteria["bsn"] = Subject.bsn == subject_request.bsn
    if subject_request.name and subject_request.date_of_birth:
        criteria["name"] = sa.and_(Subject.name_key == normalise_name(subject_request.name),
                                   Subject.date_of_birth == subject_request.date_of_birth)
    if subject_request.postcode and subject_request.huisnummer:
        criteria["address"] = sa.and_(
            Subject.postcode == subject_request.postcode, Subject.huisnummer == subject_request.huisnummer,
            Subject.toevoeging.is_(None) if subject_request.toevoeging is None
            else Subject.toevoeging == subject_request.toevoeging)
    return criteria


def _matched_on(subject: Subject, subject_request: SubjectRequest) -> list[str]:
    matched = []
    if subject_request.bsn and subject.bsn == subject_request.bsn:
        matched.append("bsn")
    if subject_request.name and subject.name_key == normalise_name(subject_request.name) \
            and subject.date_of_birth == subject_request.date_of_birth:
        matched.append("name")
    if subject_request.postcode and subject.postcode == subject_request.postcode \
            and subject.huisnummer == subject_request.huisnummer:
        matched.append("address")
    return matched


def find_candidates(subject_request: SubjectRequest) -> list[Candidate]:
    """The subjects matching the request, each with its cases and signals: three queries, outside every scope
    (see the module docstring), plus the confirmed ones that no longer match (a rectified name)."""
    criteria = _criteria(subject_request)
    confirmed = set(db.session.scalars(sa.select(SubjectRequestMatch.subject_id).where(
        SubjectRequestMatch.request_id == subject_request.id, SubjectRequestMatch.subject_id.is_not(None))))
    condition = sa.or_(*criteria.values(), Subject.id.in_(confirmed)) if criteria else Subject.id.in_(confirmed)
    subjects = list(db.session.scalars(sa.select(Subject).where(condition).order_by(Subject.id)))
    candidates = {subject.id: Candidate(subject, _matched_on(subject, subject_request),
                                        confirmed=subject.id in confirmed) for subject in subjects}
    for subject_id, case_id, reference, team in db.session.execute(
            sa.select(CaseSubject.subject_id, Case.id, Case.reference, Team.name)
            .join(Case, Case.id == CaseSubject.case_id).join(Team, Team.id == Case.team_id)
            .where(CaseSubject.subject_id.in_(candidates)).order_by(Case.reference)):
        candidates[subject_id].cases.append(Appearance(case_id, reference, team))
    for subject_id, signal_id, reference, team in db.session.execute(
            sa.select(SignalSubject.subject_id, Signal.id, Signal.reference, Team.name)
            .join(Signal, Signal.id == SignalSubject.signal_id).join(Team, Team.id == Signal.team_id)
            .where(SignalSubject.subject_id.in_(candidates)).order_by(Signal.reference)):
        candidates[subject_id].signals.append(Appearance(signal_id, reference, team))
    return list(candidates.values())


def search(user: User, subject_request: SubjectRequest) -> list[Candidate]:
    """Run the search of an open request (the first run puts it in handling); audited without the search terms:
    a BSN only as its keyed hash, which the person's audit trail finds again."""
    services.require_privacy(user)
    services.require_open(subject_request)
    candidates = find_candidates(subject_request)
    services.start_handling(subject_request)
    details: dict = {"criteria": sorted(_criteria(subject_request)),
                     "subject_ids": [candidate.subject.id for candidate in candidates],
                     "case_ids": sorted({case.id for candidate in candidates for case in candidate.cases}),
                     "signal_ids": sorted({signal.id for candidate in candidates for signal in candidate.signals})}
    if subject_request.bsn:
        details["q"] = keyed_bsn_hash(subject_request.bsn)
    record("subject_request.searched", object_type="subject_request", object_id=subject_request.id, user=user,
           purpose=subject_request.reference, details=details)
    return candidates


def confirm(user: User, subject_request: SubjectRequest, subject_id: int) -> SubjectRequestMatch:
    """Confirm a candidate of the request's search as the person (a subject the search does not find is refused)."""
    services.require_privacy(user)
    services.require_open(subject_request)
    if subject_id not in {candidate.subject.id for candidate in find_candidates(subject_request)}:
        raise ServiceError("Deze betrokkene is geen resultaat van de zoekopdracht van dit verzoek.",
                           field="subject_id", status=404)
    match = db.session.scalar(sa.select(SubjectRequestMatch).where(
        SubjectRequestMatch.request_id == subject_request.id, SubjectRequestMatch.subject_id == subject_id))
    if match is None:
        match = SubjectRequestMatch(request_id=subject_request.id, subject_id=subject_id, confirmed_by_id=user.id)
        db.session.add(match)
        db.session.flush()
        record("subject_request.match_confirmed", object_type="subject_request", object_id=subject_request.id,
               user=user, purpose=subject_request.reference, details={"subject_id": subject_id})
    return match


def unconfirm(user: User, subject_request: SubjectRequest, subject_id: int) -> None:
    """Take a confirmed subject off the request (its package items then go with it)."""
    services.require_privacy(user)
    services.require_open(subject_request)
    deleted = db.session.execute(sa.delete(SubjectRequestMatch).where(
        SubjectRequestMatch.request_id == subject_request.id, SubjectRequestMatch.subject_id == subject_id))
    if deleted.rowcount:
        record("subject_request.match_removed", object_type="subject_request", object_id=subject_request.id,
               user=user, purpose=subject_request.reference, details={"subject_id": subject_id})


def cases_by_subject(subject_ids: list[int]) -> dict[int, list[int]]:
    """The case ids of each subject (for the package): outside every scope, as the search."""
    found: dict[int, list[int]] = defaultdict(list)
    for subject_id, case_id in db.session.execute(sa.select(CaseSubject.subject_id, CaseSubject.case_id)
                                                  .where(CaseSubject.subject_id.in_(subject_ids))):
        found[subject_id].append(case_id)
    return found
