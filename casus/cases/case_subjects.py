"""The betrokkenen of a case, changed in case work: add (matching known subjects), correct, unlink.

Services (validate, flush, audit; never commit). Whoever manages the case may; views and API ask first.

* Adding validates as a signal's subjects are validated (``subjects.services.check``) and matches a known subject the
  same way (``find_or_create``: same BSN, name and date of birth, address, KvK), so one person stays one subject.
* Correcting edits the shared ``Subject`` row, guarded by its ``version``. Each changed field keeps its old and new
  value in a ``SubjectCorrection`` (no request: ``request_id`` NULL), which only the privacy officer reads, as with a
  rectificatie; the audit event and the timeline name the fields, never a value. A BSN another subject has is
  refused: two rows would then claim one person.
* Unlinking removes the link, never the subject; a case keeps at least one subject (a case is about someone).

A subject under a beperking (AVG art. 18) keeps its cases read-only: linking and unlinking are refused in the flush
by ``subject_requests.restriction``; a correction changes no case row, so it asks the same question itself first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from casus import policy
from casus.audit.models import Outcome
from casus.audit.services import record, rollback_keeping_audit
from casus.cases.models import Case, CaseSubject
from casus.clock import today
from casus.database import utcnow
from casus.extensions import db
from casus.services import ServiceError
from casus.subject_requests.models import SubjectCorrection, SubjectRestriction
from casus.subjects.lookup import find_address
from casus.subjects.models import Subject, SubjectKind
from casus.subjects.services import SubjectInput, check, find_or_create
from casus.timeline.services import add_timeline
from casus.users.models import User
from casus.versioning import check_version, flush_versioned
from workflow import CasePhase

log = logging.getLogger(__name__)

LOCKED = 423
# (postcode, huisnummer, toevoeging) -> an object with ``straat`` and ``woonplaats``, or None when unknown.
AddressLookup = Callable[[str, int, str | None], Any]

ADDRESS = ("postcode", "huisnummer", "toevoeging", "straat", "woonplaats")
# What case work may correct, per kind (the columns subjects.services.check fills for that kind).
CORRECTABLE = {
    SubjectKind.PERSOON: ("name", "date_of_birth", "bsn", *ADDRESS),
    SubjectKind.ADRES: ADDRESS,
    SubjectKind.BEDRIJF: ("name", "kvk_nummer", *ADDRESS),
    SubjectKind.HUISHOUDEN: ("name",),
    SubjectKind.GROEP: ("name",),
}
# How the timeline names a corrected field (an address is one thing there, however many of its parts changed).
FIELD_NAMES = {"name": "naam", "date_of_birth": "geboortedatum", "bsn": "BSN", "kvk_nummer": "KvK-nummer",
               **dict.fromkeys(ADDRESS, "adres")}


def subjects_of(case: Case) -> list[Subject]:
    """The case's subjects in the order the Betrokkenen tab shows them (one query)."""
    return list(db.session.execute(
        sa.select(Subject).join(CaseSubject, CaseSubject.subject_id == Subject.id)
        .where(CaseSubject.case_id == case.id).order_by(Subject.kind, Subject.name_key, Subject.id)).scalars())


def linked_subject(case: Case, subject_id: int) -> Subject | None:
    """Subject ``subject_id`` if it is a subject of ``case``, else None."""
    return db.session.execute(
        sa.select(Subject).join(CaseSubject, CaseSubject.subject_id == Subject.id)
        .where(CaseSubject.case_id == case.id, Subject.id == subject_id)).scalar_one_or_none()


# --- adding -------------------------------------------------------------------------------------------------------

def add_subject(user: User, case: Case, data: SubjectInput, *, expected_version: int | None = None,
                lookup: AddressLookup | None = None) -> tuple[Subject, bool]:
    """Link the subject ``data`` describes to ``case``: a known one when it matches (second value True), else a new
    one. A missing straat and woonplaats are looked up from postcode and huisnummer (``lookup``: instead of the
    configured address lookup). ``expected_version``: the
    case's, as the writer last read it."""
    check_version(case, expected_version)
    _require_open(case)
    values, problems = check(data, today())
    if problems:
        raise problems[0]
    _fill_address(values, lookup)
    subject, matched = find_or_create(values)
    if db.session.get(CaseSubject, (case.id, subject.id)) is not None:
        raise ServiceError("Deze betrokkene hoort al bij de casus.", field="name")
    db.session.add(CaseSubject(case_id=case.id, subject_id=subject.id))
    case.updated_at = utcnow()  # the case changed: its version rises, as when a partner joins
    flush_versioned(case)
    add_timeline(case, "subject.added", f"Betrokkene toegevoegd ({_kind_name(subject)})", actor=user)
    record("case.subject_added", object_type="subject", object_id=subject.id, case_id=case.id,
           details={"kind": str(subject.kind), "matched": matched}, user=user)
    return subject, matched


# --- correcting ---------------------------------------------------------------------------------------------------

def correct_subject(user: User, case: Case, subject: Subject, changes: dict[str, object], *,
                    expected_version: int | None = None, lookup: AddressLookup | None = None) -> list[str]:
    """Correct the fields in ``changes`` of ``subject`` (a subject of ``case``); an empty value clears an optional
    field. Answers the fields that changed; refuses when none did."""
    _require_open(case)
    _refuse_if_restricted(user, case)
    check_version(subject, expected_version)
    kind = SubjectKind(subject.kind)
    allowed = CORRECTABLE[kind]
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ServiceError("Dit gegeven kan bij deze betrokkene niet worden gecorrigeerd.", field=unknown[0])
    current = {column: getattr(subject, column) for column in allowed}
    wanted = {**current, **{key: (None if value == "" else value) for key, value in changes.items()}}
    if any(changes.get(part) not in (None, "") for part in ("postcode", "huisnummer", "toevoeging")) \
            and "straat" not in changes and "woonplaats" not in changes:
        wanted.update(straat=None, woonplaats=None)  # a new address: the old street is not its street
    values, problems = check(SubjectInput(kind=kind.value, **wanted), today())
    if problems:
        raise problems[0]
    _fill_address(values, lookup)
    corrected = {column: values.get(column) for column in allowed}
    changed = [column for column in allowed if corrected[column] != current[column]]
    if not changed:
        raise ServiceError("Er is niets gewijzigd: vul de juiste gegevens in.", field=allowed[0])
    if "bsn" in changed and corrected["bsn"] and _bsn_taken(corrected["bsn"], subject.id):
        raise ServiceError("Dit BSN hoort al bij een andere betrokkene. Voeg die betrokkene toe aan de casus in "
                           "plaats van het BSN hier te wijzigen.", field="bsn")
    db.session.add_all(SubjectCorrection(subject_id=subject.id, field=column, old_value=_as_text(current[column]),
                                         new_value=_as_text(corrected[column]), corrected_by_id=user.id)
                       for column in changed)
    for column in changed:
        setattr(subject, column, corrected[column])
    subject.name_key = values.get("name_key") if subject.name else None
    flush_versioned(subject)
    summary = corrected_line(changed)
    add_timeline(case, "subject.corrected", summary, actor=user)
    # The subject's other cases show the same data now: their teams see that it changed, not by whom or where.
    for other_id in db.session.scalars(sa.select(CaseSubject.case_id).where(
            CaseSubject.subject_id == subject.id, CaseSubject.case_id != case.id)):
        add_timeline(SimpleNamespace(id=other_id), "subject.corrected", summary)
    record("subject.corrected", object_type="subject", object_id=subject.id, case_id=case.id,
           details={"fields": changed}, user=user)
    return changed


def corrected_line(changed: list[str]) -> str:
    """"Naam en BSN van een betrokkene gecorrigeerd": the fields by name, never a value."""
    names = list(dict.fromkeys(FIELD_NAMES[column] for column in changed))
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"
    return f"{listed[0].upper()}{listed[1:]} van een betrokkene gecorrigeerd"


def _bsn_taken(bsn: str, subject_id: int) -> bool:
    return db.session.execute(sa.select(Subject.id).where(Subject.bsn == bsn, Subject.id != subject_id)
                              .limit(1)).first() is not None


def _as_text(value: object) -> str | None:
    """A value as the correction history keeps it (the column holds text)."""
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# --- unlinking ----------------------------------------------------------------------------------------------------

def unlink_subject(user: User, case: Case, subject: Subject, *, expected_version: int | None = None) -> None:
    """Remove ``subject`` from ``case`` (the subject itself stays, with its other cases). The last one stays.
    ``expected_version``: the case's, as the writer last read it."""
    check_version(case, expected_version)
    _require_open(case)
    link = db.session.get(CaseSubject, (case.id, subject.id))
    if link is None:
        raise ServiceError("Deze betrokkene hoort niet bij de casus.", status=404)
    count = db.session.execute(sa.select(sa.func.count()).select_from(CaseSubject)
                               .where(CaseSubject.case_id == case.id)).scalar_one()
    if count <= 1:
        raise ServiceError("Een casus heeft minstens één betrokkene. Voeg eerst de juiste betrokkene toe en "
                           "ontkoppel deze daarna.", status=409)
    db.session.delete(link)
    # The version rises with the link: of two people unlinking the last two subjects at once, one gets a 409.
    case.updated_at = utcnow()
    flush_versioned(case)
    add_timeline(case, "subject.unlinked", f"Betrokkene ontkoppeld ({_kind_name(subject)})", actor=user)
    record("case.subject_unlinked", object_type="subject", object_id=subject.id, case_id=case.id,
           details={"kind": str(subject.kind)}, user=user)


# --- shared -------------------------------------------------------------------------------------------------------

def _kind_name(subject: Subject) -> str:
    """"persoon", "huishouden": the kind as the (Dutch) timeline names it."""
    return SubjectKind(subject.kind).label_nl.lower()


def _require_open(case: Case) -> None:
    if case.phase == CasePhase.AFGESLOTEN:
        raise ServiceError("Bij een afgesloten casus kunnen de betrokkenen niet meer worden gewijzigd.")


def _refuse_if_restricted(user: User, case: Case) -> None:
    """The beperking guard's answer for a change that touches no case row: 423, audited, everything rolled back."""
    if policy.changes_restricted_cases(user):
        return
    restricted = db.session.execute(
        sa.select(SubjectRestriction.id).join(CaseSubject, CaseSubject.subject_id == SubjectRestriction.subject_id)
        .where(CaseSubject.case_id == case.id, SubjectRestriction.lifted_at.is_(None)).limit(1)).first()
    if restricted is None:
        return
    record("case.change_restricted", object_type="case", object_id=case.id, case_id=case.id,
           outcome=Outcome.DENIED, details={"rows": ["subjects"]}, user=user)
    refusal = ServiceError("De verwerking van gegevens in deze casus is beperkt (AVG art. 18): alleen de "
                           "privacyfunctionaris kan er nu iets in wijzigen.", status=LOCKED)
    rollback_keeping_audit(LOCKED)
    raise refusal


def _fill_address(values: dict, lookup: AddressLookup | None) -> None:
    """Fill a missing straat or woonplaats from the address register (``lookup``, by default
    ``subjects.lookup.find_address``: CASUS_ADDRESS_LOOKUP decides whether it asks anyone). A lookup that fails
    changes nothing and stops nothing: the address is saved as entered (logged by type, never the address)."""
    if not values.get("postcode") or not values.get("huisnummer"):
        return
    if values.get("straat") and values.get("woonplaats"):
        return
    try:
        found = (lookup or find_address)(values["postcode"], values["huisnummer"], values.get("toevoeging"))
    except Exception as error:  # any failure of an outside service leaves the input as it is
        log.warning("address lookup failed: %s", type(error).__name__)
        return
    if found is None:
        return
    straat, woonplaats = (getattr(found, "straat", None) or "")[:120], (getattr(found, "woonplaats", None) or "")[:80]
    if not values.get("straat") and straat:
        values["straat"] = straat
    if not values.get("woonplaats") and woonplaats:
        values["woonplaats"] = woonplaats
