"""``/api/v1/cases/{id}/subjects``: the betrokkenen of a case — list, add (matching known subjects), correct, unlink.

The case is read through ``policy.get_case`` (audited; 404 when hidden); only its managers change it (403, audited,
for a partner who sees it). A correction carries the subject's ``version`` (stale: 409 with ``currentVersion``); a
case under a beperking answers 423. The services are ``casus.cases.case_subjects``.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask.views import MethodView

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.responses import CASE_FORBIDDEN, CASE_NOT_FOUND
from casus.api.schemas import ProblemSchema
from casus.audit.services import record
from casus.cases import case_subjects
from casus.cases.models import Case
from casus.cases.subject_schemas import (
    CaseSubjectAddedSchema,
    CaseSubjectCorrectedSchema,
    CaseSubjectSchema,
    DeleteArgsSchema,
    SubjectCorrectionSchema,
    SubjectCreateSchema,
)
from casus.extensions import db
from casus.security import acting_user
from casus.subjects.models import Subject
from casus.subjects.schemas import API_FIELD, to_subject_input

blp = ApiBlueprint("case_subjects_api", __name__, description="The betrokkenen of a case: list, add, correct, unlink")

SUBJECT_NOT_FOUND = {"schema": ProblemSchema, "description": "No such case or no such subject of it, or the caller "
                                                             "may not know about it"}
SUBJECT_CONFLICT = {"schema": ProblemSchema, "description": "The `version` is stale (`currentVersion` says the stored "
                                                            "one), or the subject is the case's last; nothing changed"}
ADD_CONFLICT = {"schema": ProblemSchema, "description": "The case's `version` is stale (`currentVersion` says the "
                                                        "stored one); nothing changed"}


def _managed_case(case_id: int, action: str) -> Case:
    user = acting_user()
    case = policy.get_case(user, case_id)
    policy.require_manager_audited(user, case, action=action)
    return case


def _subject_of(case: Case, subject_id: int, action: str) -> Subject:
    subject = case_subjects.linked_subject(case, subject_id)
    if subject is None:
        policy.refuse(action, status=404, object_type="subject", object_id=subject_id, case_id=case.id)
    return subject


def _view(subject: Subject, **extra) -> SimpleNamespace:
    names = ("id", "kind", "name", "display_name", "date_of_birth", "bsn", "postcode", "huisnummer", "toevoeging",
             "straat", "woonplaats", "kvk_nummer", "version")
    return SimpleNamespace(**{name: getattr(subject, name) for name in names}, **extra)


@blp.route("/cases/<int:id>/subjects")
class CaseSubjects(MethodView):
    @blp.response(200, CaseSubjectSchema(many=True))
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, id):
        """The case's betrokkenen (audited: `subject.view` with the ids shown)."""
        case = policy.get_case(acting_user(), id)
        rows = case_subjects.subjects_of(case)
        record("subject.view", object_type="case", object_id=case.id, case_id=case.id,
               details={"subject_ids": [subject.id for subject in rows]})
        return rows

    @blp.arguments(SubjectCreateSchema)
    @blp.response(201, CaseSubjectAddedSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    @blp.alt_response(409, **ADD_CONFLICT)
    def post(self, data, id):
        """Add a betrokkene: a known one that matches (same BSN; name and date of birth; address; KvK) is linked
        (`matched`: true), else a new one is made. Refused (400) for a closed case or a subject already linked.
        Managers only."""
        user = acting_user()
        case = _managed_case(id, "case.subject_added")
        subject, matched = case_subjects.add_subject(user, case, to_subject_input(data))
        db.session.flush()
        return _view(subject, matched=matched, case_version=case.version)


@blp.route("/cases/<int:id>/subjects/<int:subject>")
class CaseSubjectItem(MethodView):
    @blp.arguments(SubjectCorrectionSchema)
    @blp.response(200, CaseSubjectCorrectedSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **SUBJECT_NOT_FOUND)
    @blp.alt_response(409, **SUBJECT_CONFLICT)
    def patch(self, data, id, subject):
        """Correct a betrokkene (the subject is shared: the correction shows in its other cases too). The old values
        are kept for the privacy officer only; the audit event and the timeline name the fields. A BSN another
        subject has is refused (400). Managers only."""
        user = acting_user()
        case = _managed_case(id, "subject.corrected")
        subject = _subject_of(case, subject, "subject.corrected")
        changes = SubjectCorrectionSchema().changes(data)
        changed = case_subjects.correct_subject(user, case, subject, changes, expected_version=data["version"])
        db.session.flush()
        return _view(subject, corrected_fields=[API_FIELD[column] for column in changed])

    @blp.arguments(DeleteArgsSchema, location="query")
    @blp.response(204)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **SUBJECT_NOT_FOUND)
    @blp.alt_response(409, **SUBJECT_CONFLICT)
    def delete(self, args, id, subject):
        """Unlink a betrokkene from the case (the subject itself stays). The last one stays: 409. Managers only."""
        user = acting_user()
        case = _managed_case(id, "case.subject_unlinked")
        subject = _subject_of(case, subject, "case.subject_unlinked")
        case_subjects.unlink_subject(user, case, subject, expected_version=args.get("version"))
        return None

