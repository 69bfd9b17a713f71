"""``/api/v1/cases/{id}/relations``: the relations of a case's betrokkenen — households and groups with their
members (``lid_van``), family, who lives where, who owns what.

Whoever may see the case reads them (audited: ``subject.relations_view``); the team's procesregisseurs and
supervisors add, end and remove them (403 for a partner of the case, 404 for anyone who cannot see it). Only a
relation between two subjects of the case is changed from it (404 for another id). Relations have no version:
they are added, ended or removed, never edited field by field.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask.views import MethodView

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.responses import CASE_FORBIDDEN, CASE_NOT_FOUND
from casus.api.schemas import ProblemSchema
from casus.cases import relation_services
from casus.cases.models import Case
from casus.cases.relation_schemas import RelationInputSchema, RelationSchema, RelationUpdateSchema
from casus.security import acting_user
from casus.subjects.models import SubjectRelation

blp = ApiBlueprint("case_relations_api", __name__, description="Relations between the betrokkenen of a case: "
                                                               "households and groups, family, addresses")

RELATION_NOT_FOUND = {"schema": ProblemSchema, "description": "No such case or relation between two of its "
                                                              "subjects, or the caller may not know about it"}
DUPLICATE = {"schema": ProblemSchema, "description": "This relation between these subjects is already recorded"}


def _view(relation: SubjectRelation, editable: bool) -> SimpleNamespace:
    fields = {name: getattr(relation, name) for name in (
        "id", "subject_id", "related_subject_id", "kind", "start_on", "end_on", "subject", "related_subject")}
    return SimpleNamespace(**fields, editable=editable)


def _managed(id: int, action: str) -> tuple:
    user = acting_user()
    case = policy.get_case(user, id)
    policy.require_manager_audited(user, case, action=action)
    return user, case


def _relation(case: Case, relation_id: int, action: str) -> SubjectRelation:
    relation = relation_services.relation_of(case, relation_id)
    if relation is None:
        policy.refuse(action, status=404, object_type="subject_relation", object_id=relation_id, case_id=case.id)
    return relation


@blp.route("/cases/<int:id>/relations")
class CaseRelations(MethodView):
    @blp.response(200, RelationSchema(many=True))
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, id):
        """Every relation from or to a subject of the case (ended ones too), with both subjects."""
        user = acting_user()
        found = relation_services.case_relations(user, policy.get_case(user, id))
        return [_view(relation, found.editable(relation)) for relation in found.relations]

    @blp.arguments(RelationInputSchema)
    @blp.response(201, RelationSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    @blp.alt_response(409, **DUPLICATE)
    def post(self, data, id):
        """Record "<subject> <kind> <related subject>" between two subjects of the case. A kind that does not fit
        the two subjects, or a subject outside the case, answers 400 naming the field. Managers only."""
        user, case = _managed(id, "subject.relation_added")
        relation = relation_services.add_case_relation(
            user, case, subject_id=data["subject_id"], related_subject_id=data["related_subject_id"],
            kind=data["kind"], start_on=data["start_on"], end_on=data["end_on"])
        return _view(relation_services.relation_of(case, relation.id), True)


@blp.route("/cases/<int:id>/relations/<int:relation>")
class CaseRelationItem(MethodView):
    @blp.arguments(RelationUpdateSchema)
    @blp.response(200, RelationSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **RELATION_NOT_FOUND)
    def patch(self, data, id, relation):
        """Set, correct or (with null) clear the day the relation ended; never before it began. Managers only."""
        user, case = _managed(id, "subject.relation_ended")
        found = _relation(case, relation, "subject.relation_ended")
        relation_services.end_case_relation(user, case, found, end_on=data["end_on"])
        return _view(found, True)

    @blp.response(204)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **RELATION_NOT_FOUND)
    def delete(self, id, relation):
        """Remove a relation recorded by mistake (one that ended is ended instead, and kept). Managers only."""
        user, case = _managed(id, "subject.relation_removed")
        relation_services.remove_case_relation(user, case, _relation(case, relation, "subject.relation_removed"))
        return None
