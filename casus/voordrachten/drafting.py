"""Drawing up RIEC voordrachten (docs/DESIGN.md §3.3): the concept and its changes.

A service module beside :mod:`casus.voordrachten.services` (the voordrachten's services are split by topic:
this module drafts, ``services`` runs the VOORDRACHT workflow and reads): among the only code that changes
voordrachten, it validates, flushes and audits, and never commits. A voordracht is drawn up as a *concept* by
the case's procesregisseurs and supervisors, from the case's own subjects (chosen explicitly: only what the
RIEC needs). Every field is checked at once, so a form or an API body learns all that is wrong in one answer
(:class:`InvalidVoordracht`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from casus import policy
from casus.audit.services import record
from casus.cases.models import Case, CaseSubject
from casus.database import utcnow
from casus.extensions import db
from casus.organisations.models import Organisation, OrganisationKind
from casus.services import ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import User
from casus.versioning import check_version, flush_versioned
from casus.voordrachten.models import RiecIndicator, RiecLegalBasis, Urgency, Voordracht, VoordrachtSubject
from casus.voordrachten.services import case_of, number_of
from workflow import CasePhase, VoordrachtState

MAX_SUMMARY = 20_000


MAX_INDICATOR_OTHER = 200


EDITABLE_FIELDS = ("summary", "subject_ids", "indicators", "indicator_other", "legal_basis", "urgency",
                   "addressee_organisation_id")


class InvalidVoordracht(ServiceError):
    """Several fields refused at once; ``problems`` holds one ServiceError per field (message, field)."""

    def __init__(self, problems: list[ServiceError]) -> None:
        first = problems[0]
        Exception.__init__(self, first.message)
        self.message, self.field, self.status = first.message, first.field, 400
        self.problems = problems


# --- drafting ---------------------------------------------------------------------------------------------

@dataclass
class _Clean:
    summary: str
    subject_ids: list[int]
    indicators: list[str]
    indicator_other: str | None
    legal_basis: RiecLegalBasis
    urgency: Urgency
    addressee_organisation_id: int


def _clean(case: Case, values: Mapping[str, object]) -> _Clean:
    """Every field checked at once; raises InvalidVoordracht listing each refused field."""
    problems: list[ServiceError] = []
    summary = str(values.get("summary") or "").strip()
    if not summary:
        problems.append(ServiceError("Schrijf de samenvatting voor het RIEC.", field="summary"))
    elif len(summary) > MAX_SUMMARY:
        problems.append(ServiceError("De samenvatting is hoogstens 20.000 tekens.", field="summary"))
    subject_ids = _subject_ids(case, values.get("subject_ids"), problems)
    indicators = _indicators(values.get("indicators"), problems)
    other = str(values.get("indicator_other") or "").strip() or None
    if RiecIndicator.OVERIG not in indicators:
        other = None  # only 'overig' has a description; nothing else is kept
    elif other is None:
        problems.append(ServiceError("Beschrijf kort wat 'overig' inhoudt.", field="indicator_other"))
    elif len(other) > MAX_INDICATOR_OTHER:
        problems.append(ServiceError("Beschrijf 'overig' in hoogstens 200 tekens.", field="indicator_other"))
    legal_basis = _enum(RiecLegalBasis, values.get("legal_basis"))
    if legal_basis is None:
        problems.append(ServiceError("Kies de grondslag voor het delen met het RIEC.", field="legal_basis"))
    urgency = _enum(Urgency, values.get("urgency") or Urgency.REGULIER)
    if urgency is None:
        problems.append(ServiceError("Kies de urgentie uit de lijst.", field="urgency"))
    addressee_id = _addressee(values.get("addressee_organisation_id"), problems)
    if problems:
        raise InvalidVoordracht(problems)
    return _Clean(summary, subject_ids, indicators, other, legal_basis, urgency, addressee_id)


def _enum(enum_cls, value):
    try:
        return enum_cls(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


def _subject_ids(case: Case, raw, problems: list[ServiceError]) -> list[int]:
    try:
        chosen = sorted({int(value) for value in (raw or ())})
    except (TypeError, ValueError):
        chosen = None
    if not chosen:
        problems.append(ServiceError("Kies minstens één betrokkene om met het RIEC te delen.", field="subject_ids"))
        return []
    linked = set(db.session.execute(sa.select(CaseSubject.subject_id).where(
        CaseSubject.case_id == case.id, CaseSubject.subject_id.in_(chosen))).scalars())
    if linked != set(chosen):
        problems.append(ServiceError("Kies alleen betrokkenen van deze casus.", field="subject_ids"))
    return chosen


def _indicators(raw, problems: list[ServiceError]) -> list[str]:
    values = {str(value) for value in (raw or ())}
    if not values:
        problems.append(ServiceError("Kies minstens één indicator.", field="indicators"))
        return []
    if not values <= set(RiecIndicator.values()):
        problems.append(ServiceError("Kies indicatoren uit de lijst.", field="indicators"))
        return []
    return [member.value for member in RiecIndicator if member.value in values]  # in the list's own order


def _addressee(raw, problems: list[ServiceError]) -> int | None:
    try:
        organisation = db.session.get(Organisation, int(raw)) if raw not in (None, "") else None
    except (TypeError, ValueError):
        organisation = None
    if organisation is None or not organisation.active or organisation.kind != OrganisationKind.RIEC:
        problems.append(ServiceError("Kies een actief RIEC als geadresseerde.", field="addressee_organisation_id"))
        return None
    return organisation.id


def _set_subjects(voordracht: Voordracht, subject_ids: Iterable[int]) -> None:
    db.session.execute(sa.delete(VoordrachtSubject).where(VoordrachtSubject.voordracht_id == voordracht.id))
    db.session.add_all(VoordrachtSubject(voordracht_id=voordracht.id, subject_id=subject_id)
                       for subject_id in subject_ids)


def _current_values(voordracht: Voordracht) -> dict:
    subject_ids = db.session.execute(sa.select(VoordrachtSubject.subject_id).where(
        VoordrachtSubject.voordracht_id == voordracht.id)).scalars().all()
    return {"summary": voordracht.summary, "subject_ids": list(subject_ids), "indicators": list(voordracht.indicators),
            "indicator_other": voordracht.indicator_other, "legal_basis": voordracht.legal_basis,
            "urgency": voordracht.urgency, "addressee_organisation_id": voordracht.addressee_organisation_id}


def create_voordracht(user: User, case: Case, **values) -> Voordracht:
    """A new concept from ``case`` (managers of the case; not once it is closed). Fields: EDITABLE_FIELDS."""
    if not policy.manages(user, case):
        raise ServiceError("Alleen het team van de casus stelt een RIEC-voordracht op.", status=403)
    if case.phase == CasePhase.AFGESLOTEN:
        raise ServiceError("Bij een afgesloten casus stelt u geen RIEC-voordracht meer op.", status=409)
    clean = _clean(case, values)
    voordracht = Voordracht(
        case_id=case.id, state=VoordrachtState.CONCEPT, addressee_organisation_id=clean.addressee_organisation_id,
        summary=clean.summary, indicators=clean.indicators, indicator_other=clean.indicator_other,
        legal_basis=clean.legal_basis, urgency=clean.urgency, created_by_id=user.id)
    db.session.add(voordracht)
    db.session.flush()
    _set_subjects(voordracht, clean.subject_ids)
    db.session.flush()
    add_timeline(case, "voordracht.created", f"RIEC-voordracht {number_of(voordracht)} opgesteld (concept)",
                 actor=user)
    record("voordracht.created", object_type="voordracht", object_id=voordracht.id, case_id=case.id,
           details={"subject_ids": clean.subject_ids, "addressee_organisation_id": clean.addressee_organisation_id},
           user=user)
    return voordracht


def update_voordracht(user: User, voordracht: Voordracht, *, expected_version: int | None = None,
                      **changes) -> Voordracht:
    """Change a concept; only the keys given change (the whole result is validated again)."""
    check_version(voordracht, expected_version)
    case = case_of(voordracht)
    if not policy.manages(user, case):
        raise ServiceError("Alleen het team van de casus wijzigt een RIEC-voordracht.", status=403)
    if voordracht.state != VoordrachtState.CONCEPT:
        raise ServiceError("Alleen een concept kan worden gewijzigd; herzie een afgewezen voordracht eerst.",
                           status=409)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    current = _current_values(voordracht)
    clean = _clean(case, {**current, **changes})
    changed = sorted(name for name in EDITABLE_FIELDS
                     if _comparable(getattr(clean, name)) != _comparable(current[name]))
    if not changed:
        return voordracht
    voordracht.summary, voordracht.indicators = clean.summary, clean.indicators
    voordracht.indicator_other, voordracht.legal_basis = clean.indicator_other, clean.legal_basis
    voordracht.urgency, voordracht.addressee_organisation_id = clean.urgency, clean.addressee_organisation_id
    if "subject_ids" in changed:
        _set_subjects(voordracht, clean.subject_ids)
    voordracht.updated_at = utcnow()  # bumps the version, also when only the shared subjects changed
    flush_versioned(voordracht)  # a concurrent save that won: 409 with the version stored now
    add_timeline(case, "voordracht.updated", f"RIEC-voordracht {number_of(voordracht)} gewijzigd", actor=user)
    record("voordracht.updated", object_type="voordracht", object_id=voordracht.id, case_id=case.id,
           details={"fields": changed}, user=user)
    return voordracht


def _comparable(value):
    if isinstance(value, list | tuple | set):
        return sorted(str(item) for item in value)
    return None if value is None else str(value)
