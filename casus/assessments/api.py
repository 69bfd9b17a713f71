"""Leefgebieden over the API: ``/cases/{id}/assessments``, ``/cases/{id}/assessments/{assessment}`` and
``/assessment-domains``.

Everyone who may see the case reads its assessments (404 for anyone else, audited); the case's managers record
and correct them (403 for a partner of the case, audited). A correction carries the version it read (409 with
``currentVersion`` when stale).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.responses import CASE_CONFLICT, CASE_FORBIDDEN, CASE_NOT_FOUND
from casus.assessments import domains, queries, services
from casus.assessments.models import Assessment, AssessmentMoment
from casus.assessments.schemas import (
    AssessmentInputSchema,
    AssessmentSchema,
    AssessmentUpdateSchema,
    DomainListSchema,
)
from casus.extensions import db
from casus.i18n import current_locale
from casus.labels import translate
from casus.security import acting_user

blp = ApiBlueprint("assessments_api", __name__, description="Leefgebieden: ZRM-style scores per domain at triage, "
                                                            "evaluations and closure")

ASSESSMENT_NOT_FOUND = {**CASE_NOT_FOUND,
                        "description": "No such case or assessment, or the caller may not know about the case"}


def _reloaded(assessment: Assessment) -> Assessment:
    """The assessment with its scores and recorder loaded, its version as flushed."""
    db.session.flush()
    return db.session.execute(
        sa.select(Assessment).where(Assessment.id == assessment.id)
        .options(sa.orm.selectinload(Assessment.scores), sa.orm.joinedload(Assessment.recorded_by))
        .execution_options(populate_existing=True)).unique().scalar_one()


@blp.route("/cases/<int:id>/assessments")
class CaseAssessments(MethodView):
    @blp.response(200, AssessmentSchema(many=True))
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, id):
        """The case's assessments, oldest first (by date)."""
        return queries.assessments_of(policy.get_case(acting_user(), id, action="assessment.view"))

    @blp.arguments(AssessmentInputSchema)
    @blp.response(201, AssessmentSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def post(self, data, id):
        """Record an assessment (triage, evaluatie or afsluiting). Managers of the case only."""
        user = acting_user()
        case = policy.get_case(user, id, action="assessment.view")
        policy.require_manager_audited(user, case, action="assessment.recorded")
        return _reloaded(services.record_assessment(user, case, **data))


@blp.route("/cases/<int:id>/assessments/<int:assessment>")
class CaseAssessment(MethodView):
    @blp.response(200, AssessmentSchema)
    @blp.alt_response(404, **ASSESSMENT_NOT_FOUND)
    def get(self, id, assessment):
        """One assessment of the case."""
        user = acting_user()
        case = policy.get_case(user, id, action="assessment.view")
        return queries.assessment_of(case, assessment, action="assessment.view", user=user)

    @blp.arguments(AssessmentUpdateSchema)
    @blp.response(200, AssessmentSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **ASSESSMENT_NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def patch(self, data, id, assessment):
        """Correct an assessment (with its `version`): the fields given replace the stored ones, `scores` as a
        whole. Managers of the case only."""
        user = acting_user()
        case = policy.get_case(user, id, action="assessment.view")
        policy.require_manager_audited(user, case, action="assessment.corrected")
        found = queries.assessment_of(case, assessment, action="assessment.corrected", user=user)
        stored = {"moment": str(found.moment), "assessed_on": found.assessed_on, "participants": found.participants,
                  "note": found.note, "scores": queries.scores_by_domain(found)}
        version = data.pop("version")
        services.correct_assessment(user, case, found, expected_version=version, **{**stored, **data})
        return _reloaded(found)


@blp.route("/assessment-domains")
class AssessmentDomains(MethodView):
    @blp.response(200, DomainListSchema)
    def get(self):
        """The leefgebieden an assessment scores (codes and labels, as configured), the 1–5 scale and the
        moments."""
        locale = current_locale()
        return {
            "domains": [{"code": domain.code, "label": domain.label(locale), "label_nl": domain.label("nl"),
                         "label_en": domain.label("en")} for domain in domains.current()],
            "scale": [{"score": score, "label": translate(domains.SCALE_LABELS[score], locale)}
                      for score in domains.SCALE],
            "moments": [moment.value for moment in AssessmentMoment],
        }
