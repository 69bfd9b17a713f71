"""Reading a case's leefgebieden assessments: the case was read through ``policy.get_case`` already (scope and
audit), so these only select within that case. Scores and who recorded them come along in a fixed number of
queries whatever the number of assessments."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from casus import policy
from casus.assessments.models import Assessment
from casus.cases.models import Case
from casus.extensions import db
from casus.users.models import User


def _loaded():
    return (selectinload(Assessment.scores), joinedload(Assessment.recorded_by))


def assessments_of(case: Case) -> list[Assessment]:
    """Every assessment of ``case``, oldest first (by date, then as recorded)."""
    return list(db.session.execute(
        sa.select(Assessment).where(Assessment.case_id == case.id).options(*_loaded())
        .order_by(Assessment.assessed_on, Assessment.id)).unique().scalars())


def latest_of(case: Case) -> Assessment | None:
    """The most recent assessment of ``case`` (the overview shows it), or None."""
    return db.session.execute(
        sa.select(Assessment).where(Assessment.case_id == case.id).options(*_loaded())
        .order_by(Assessment.assessed_on.desc(), Assessment.id.desc()).limit(1)).unique().scalar_one_or_none()


def assessment_of(case: Case, assessment_id: int, *, action: str, user: User | None = None) -> Assessment:
    """One assessment of ``case`` with its scores, else 404 (audited with the case, like ``policy.get_of_case``)."""
    found = db.session.execute(
        sa.select(Assessment).where(Assessment.id == assessment_id, Assessment.case_id == case.id)
        .options(*_loaded())).unique().scalar_one_or_none()
    if found is None:
        policy.refuse(action, status=404, object_type="assessment", object_id=assessment_id, case_id=case.id,
                      user=user)
    return found


def scores_by_domain(assessment: Assessment) -> dict[str, int]:
    return {score.domain: score.score for score in assessment.scores}
