"""Relations between the betrokkenen of one case, as the case file and its API change and read them.

The relation itself is the subjects' (``casus.subjects.relations``); here it is done for a case: both subjects
must be subjects of the case, every read and change is audited with the case's id, and a change gets a line on
the tijdlijn that names the kind of relation, never the people ("Relatie vastgelegd: ouder van"). Who may do it
is the policy's (``policy.manages``, checked by the views and the API). Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casus import policy
from casus.audit.services import record
from casus.cases.models import Case, CaseSubject
from casus.extensions import db
from casus.services import ServiceError
from casus.subject_requests.restriction import is_restricted, processing_restricted
from casus.subjects import relations
from casus.subjects.models import COLLECTIVE_KINDS, RelationKind, Subject, SubjectRelation
from casus.timeline.services import add_timeline
from casus.users.models import User


def subjects_of(case: Case) -> list[Subject]:
    """The case's subjects, by kind and name (as the Betrokkenen tab lists them)."""
    return list(db.session.execute(
        sa.select(Subject).join(CaseSubject, CaseSubject.subject_id == Subject.id)
        .where(CaseSubject.case_id == case.id).order_by(Subject.kind, Subject.name_key, Subject.id)).scalars())


@dataclass
class CaseRelations:
    """What the case file shows of the relations of a case's subjects."""

    subjects: list[Subject]
    relations: list[SubjectRelation]
    case_subject_ids: set[int] = field(default_factory=set)

    def editable(self, relation: SubjectRelation) -> bool:
        """Only relations between two subjects of this case are changed from it: one reaching a subject outside
        the case belongs to another case's work too."""
        return relation.subject_id in self.case_subject_ids and relation.related_subject_id in self.case_subject_ids

    def collectives(self) -> list[tuple[Subject, list[SubjectRelation]]]:
        """Each household or group of the case with its ``lid_van`` relations (members, ended ones too)."""
        members: dict[int, list[SubjectRelation]] = {}
        for relation in self.relations:
            if relation.kind == RelationKind.LID_VAN:
                members.setdefault(relation.related_subject_id, []).append(relation)
        return [(subject, members.get(subject.id, [])) for subject in self.subjects
                if subject.kind in COLLECTIVE_KINDS]

    def related_outside(self) -> list[Subject]:
        """Subjects the relations reach that are not subjects of the case (the diagram shows them too)."""
        seen: dict[int, Subject] = {}
        for relation in self.relations:
            for subject in (relation.subject, relation.related_subject):
                if subject.id not in self.case_subject_ids:
                    seen.setdefault(subject.id, subject)
        return list(seen.values())


def case_relations(user: User, case: Case, *, audit: bool = True) -> CaseRelations:
    """The case's subjects and every relation from or to one of them: two queries whatever their number.

    The read is audited once (``subject.relations_view``) with the relations and the subjects outside the case
    it showed; ``audit=False`` for a caller that audits the page itself."""
    subjects = subjects_of(case)
    ids = {subject.id for subject in subjects}
    touching = relations.relations_touching(ids)
    if not policy.manages(user, case):
        # Need-to-know: a partner sees what this case holds — relations between its own subjects — never the
        # people the case's subjects are related to elsewhere. The case's team sees those too, to add them.
        touching = [relation for relation in touching
                    if relation.subject_id in ids and relation.related_subject_id in ids]
    found = CaseRelations(subjects=subjects, relations=touching, case_subject_ids=ids)
    if audit:
        record("subject.relations_view", object_type="case", object_id=case.id, case_id=case.id, user=user,
               details={"relation_ids": [relation.id for relation in found.relations],
                        "outside_subject_ids": [subject.id for subject in found.related_outside()]})
    return found


def relation_of(case: Case, relation_id: int) -> SubjectRelation | None:
    """A relation between two subjects of ``case`` (the ones changed from it), else None."""
    in_case = sa.select(CaseSubject.subject_id).where(CaseSubject.case_id == case.id)
    return db.session.execute(
        sa.select(SubjectRelation).where(SubjectRelation.id == relation_id,
                                         SubjectRelation.subject_id.in_(in_case),
                                         SubjectRelation.related_subject_id.in_(in_case))
        .options(joinedload(SubjectRelation.subject), joinedload(SubjectRelation.related_subject))
    ).scalar_one_or_none()


def _subject_of(case: Case, subject_id: int | None, field_name: str) -> Subject:
    subject = None
    if subject_id is not None:
        subject = db.session.execute(
            sa.select(Subject).join(CaseSubject, CaseSubject.subject_id == Subject.id)
            .where(CaseSubject.case_id == case.id, Subject.id == subject_id)).scalar_one_or_none()
    if subject is None:
        raise ServiceError("Kies een betrokkene van deze casus.", field=field_name)
    return subject


def _unrestricted(user: User, case: Case) -> None:
    """A relation is not case work the beperking guard sees (it belongs to the subjects), so it is checked here:
    while a subject of the case is restricted, only the privacy officer changes what the case shows."""
    if not policy.changes_restricted_cases(user) and is_restricted(case.id):
        raise processing_restricted()


def _kind_nl(kind: RelationKind | str) -> str:
    return RelationKind(str(kind)).label_nl


def add_case_relation(user: User, case: Case, *, subject_id: int | None, related_subject_id: int | None,
                      kind: str, start_on: date | None = None, end_on: date | None = None) -> SubjectRelation:
    """Record a relation between two subjects of ``case``: audited, and on the tijdlijn by its kind only."""
    kind_value = relations.relation_kind(kind or "")
    subject = _subject_of(case, subject_id, "subject_id")
    related = _subject_of(case, related_subject_id, "related_subject_id")
    _unrestricted(user, case)
    relation = relations.add_relation(subject, related, kind_value, start_on=start_on, end_on=end_on,
                                      created_by_id=user.id)
    add_timeline(case, "relation.added", f"Relatie vastgelegd: {_kind_nl(kind_value)}", actor=user)
    record("subject.relation_added", object_type="subject_relation", object_id=relation.id, case_id=case.id,
           user=user, details=_details(relation))
    return relation


def end_case_relation(user: User, case: Case, relation: SubjectRelation, *, end_on: date | None) -> SubjectRelation:
    """Set or correct the day a relation of ``case``'s subjects ended (None: it has not ended after all)."""
    if end_on is None and relation.end_on is None:
        raise ServiceError("Vul de datum in waarop de relatie is beëindigd.", field="end_on")
    _unrestricted(user, case)
    relations.end_relation(relation, end_on)
    summary = "Relatie beëindigd" if end_on is not None else "Einddatum van relatie verwijderd"
    add_timeline(case, "relation.ended", f"{summary}: {_kind_nl(relation.kind)}", actor=user)
    record("subject.relation_ended", object_type="subject_relation", object_id=relation.id, case_id=case.id,
           user=user, details={**_details(relation), "end_on": end_on.isoformat() if end_on else None})
    return relation


def remove_case_relation(user: User, case: Case, relation: SubjectRelation) -> None:
    """Remove a relation recorded by mistake."""
    _unrestricted(user, case)
    details, relation_id, kind = _details(relation), relation.id, relation.kind
    relations.remove_relation(relation)
    add_timeline(case, "relation.removed", f"Relatie verwijderd: {_kind_nl(kind)}", actor=user)
    record("subject.relation_removed", object_type="subject_relation", object_id=relation_id, case_id=case.id,
           user=user, details=details)


def _details(relation: SubjectRelation) -> dict:
    """Ids and the kind: the audit log names no one."""
    return {"kind": str(relation.kind), "subject_id": relation.subject_id,
            "related_subject_id": relation.related_subject_id}
