"""What a data-subject's inzage package (casus.subject_requests.inzage) lists of the relations: every relation the
person is on either side of, in Dutch (the package's language), with the other subject by kind and name only."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casus.extensions import db
from casus.labels import enum_label
from casus.subjects.models import RelationKind, SubjectKind, SubjectRelation

NL = "nl"


def _day(value: date | None) -> str | None:
    return value.strftime("%d-%m-%Y") if value is not None else None


def relation_items(subject_ids: list[int]) -> list[tuple[str, str, dict]]:
    """(key, title, content) per relation of ``subject_ids`` (either side), oldest first: one query whatever their
    number. The other subject is named by kind and display name only: its BSN, date of birth and further data
    are not the requester's."""
    if not subject_ids:
        return []
    found = db.session.scalars(
        sa.select(SubjectRelation)
        .where(sa.or_(SubjectRelation.subject_id.in_(subject_ids), SubjectRelation.related_subject_id.in_(subject_ids)))
        .options(joinedload(SubjectRelation.subject), joinedload(SubjectRelation.related_subject))
        .order_by(SubjectRelation.id))
    matched = set(subject_ids)
    items = []
    for relation in found:
        kind = enum_label(RelationKind, relation.kind, NL)
        # The relation reads "<subject> <kind> <related subject>"; the other one is whichever side is not theirs.
        other = relation.related_subject if relation.subject_id in matched else relation.subject
        reads = f"{relation.subject.display_name} {kind} {relation.related_subject.display_name}"
        items.append((f"relation:{relation.id}", f"Relatie: {reads}", {
            "relation": reads, "relationKind": kind, "otherKind": enum_label(SubjectKind, other.kind, NL),
            "otherName": other.display_name, "startOn": _day(relation.start_on), "endOn": _day(relation.end_on)}))
    return items
