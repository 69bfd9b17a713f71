"""Relations between betrokkenen: who is whose parent or partner, who lives where, who belongs to a household or
group, who owns an address or business.

A relation reads "<subject> <kind> <related subject>" (``SubjectRelation``). It belongs to the subjects, not to a
case, so every case that holds both subjects shows it. These services validate and write (flush, never commit);
the case-level wrappers in ``casus.cases.relation_services`` check that the subjects belong to the case, audit and
write the tijdlijn.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casus.extensions import db
from casus.services import ServiceError
from casus.subjects.models import COLLECTIVE_KINDS, RelationKind, Subject, SubjectKind, SubjectRelation

PERSON = frozenset({SubjectKind.PERSOON})
# For each kind of relation: the kinds of subject it may start from, and the kinds it may point at. A household
# lives at an address as its members do; a business owns an address or another business.
ALLOWED: dict[RelationKind, tuple[frozenset[SubjectKind], frozenset[SubjectKind]]] = {
    RelationKind.OUDER_VAN: (PERSON, PERSON),
    RelationKind.KIND_VAN: (PERSON, PERSON),
    RelationKind.PARTNER_VAN: (PERSON, PERSON),
    RelationKind.LID_VAN: (PERSON, frozenset(COLLECTIVE_KINDS)),
    RelationKind.WOONT_OP: (frozenset({SubjectKind.PERSOON, SubjectKind.HUISHOUDEN}),
                            frozenset({SubjectKind.ADRES, SubjectKind.HUISHOUDEN})),
    RelationKind.BEWONER_VAN: (frozenset({SubjectKind.PERSOON, SubjectKind.HUISHOUDEN}),
                               frozenset({SubjectKind.ADRES, SubjectKind.HUISHOUDEN})),
    RelationKind.EIGENAAR_VAN: (frozenset({SubjectKind.PERSOON, SubjectKind.BEDRIJF}),
                                frozenset({SubjectKind.ADRES, SubjectKind.BEDRIJF})),
}
def relation_kind(value: str) -> RelationKind:
    try:
        return RelationKind(value)
    except ValueError as error:
        raise ServiceError("Kies een soort relatie uit de lijst.", field="kind") from error


def check_fit(subject: Subject, related: Subject, kind: RelationKind) -> None:
    """Refuse a relation whose kind makes no sense between these two subjects (or from a subject to itself)."""
    if subject.id == related.id:
        raise ServiceError("Een betrokkene kan geen relatie met zichzelf hebben.", field="related_subject_id")
    sources, targets = ALLOWED[kind]
    if subject.kind not in sources or related.kind not in targets:
        raise _misfit(kind)


def _misfit(kind: RelationKind) -> ServiceError:
    """Why a pair does not fit: the message says what the relation needs, in the user's words."""
    if kind == RelationKind.LID_VAN:
        return ServiceError("Alleen een persoon kan lid zijn, en alleen van een huishouden of groep.", field="kind")
    if kind in (RelationKind.WOONT_OP, RelationKind.BEWONER_VAN):
        return ServiceError("Een persoon of huishouden woont op een adres of in een huishouden.", field="kind")
    if kind == RelationKind.EIGENAAR_VAN:
        return ServiceError("Een persoon of bedrijf is eigenaar van een adres of bedrijf.", field="kind")
    return ServiceError("Ouder van, kind van en partner van zijn relaties tussen twee personen.", field="kind")


def check_dates(start_on: date | None, end_on: date | None) -> None:
    if start_on is not None and end_on is not None and end_on < start_on:
        raise ServiceError("De einddatum kan niet voor de begindatum liggen.", field="end_on")


def add_relation(subject: Subject, related: Subject, kind: str | RelationKind, *, start_on: date | None = None,
                 end_on: date | None = None, created_by_id: int | None = None) -> SubjectRelation:
    """Record "<subject> <kind> <related>", from ``start_on`` until ``end_on`` (both optional).

    Refused (``ServiceError`` naming the field): a kind that does not fit the two subjects, a relation to itself,
    an end before the start, and the same relation twice (an ended one too: end dates are corrected, not
    duplicated)."""
    kind = relation_kind(str(kind))
    check_fit(subject, related, kind)
    check_dates(start_on, end_on)
    duplicate = db.session.execute(sa.select(SubjectRelation.id).where(
        SubjectRelation.subject_id == subject.id, SubjectRelation.related_subject_id == related.id,
        SubjectRelation.kind == kind)).first()
    if duplicate is not None:
        raise ServiceError("Deze relatie is al vastgelegd.", field="related_subject_id", status=409)
    relation = SubjectRelation(subject_id=subject.id, related_subject_id=related.id, kind=kind, start_on=start_on,
                               end_on=end_on, created_by_id=created_by_id)
    db.session.add(relation)
    db.session.flush()
    return relation


def end_relation(relation: SubjectRelation, end_on: date | None) -> SubjectRelation:
    """Set (or correct, or with None clear) the day the relation ended; never before it began."""
    check_dates(relation.start_on, end_on)
    relation.end_on = end_on
    db.session.flush()
    return relation


def remove_relation(relation: SubjectRelation) -> None:
    """Delete a relation recorded by mistake (one that merely ended is ended, and kept)."""
    db.session.delete(relation)
    db.session.flush()


def relations_touching(subject_ids: Collection[int]) -> list[SubjectRelation]:
    """Every relation from or to one of ``subject_ids``, both subjects loaded, in one query: what a case's
    Betrokkenen tab shows (the case's subjects and whom they are related to)."""
    if not subject_ids:
        return []
    ids = sorted(set(subject_ids))
    return list(db.session.execute(
        sa.select(SubjectRelation)
        .where(sa.or_(SubjectRelation.subject_id.in_(ids), SubjectRelation.related_subject_id.in_(ids)))
        .options(joinedload(SubjectRelation.subject), joinedload(SubjectRelation.related_subject))
        .order_by(SubjectRelation.subject_id, SubjectRelation.kind, SubjectRelation.related_subject_id)).scalars())
