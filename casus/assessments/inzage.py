"""What a data-subject's inzage package (casus.subject_requests.inzage) lists of the leefgebieden: every assessment
of the person's cases, in Dutch (the package's language), with the scores per domain."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casus.assessments import domains
from casus.assessments.models import Assessment
from casus.extensions import db

NL = "nl"


def assessment_items(case_ids: list[int]) -> list[tuple[str, str, dict]]:
    """(key, title, content) per assessment of ``case_ids``, oldest first: two queries whatever their number."""
    if not case_ids:
        return []
    found = db.session.scalars(sa.select(Assessment).where(Assessment.case_id.in_(case_ids))
                               .options(selectinload(Assessment.scores))
                               .order_by(Assessment.case_id, Assessment.assessed_on, Assessment.id))
    items = []
    for assessment in found:
        day = assessment.assessed_on.strftime("%d-%m-%Y")
        moment = getattr(assessment.moment, "label_nl", None) or str(assessment.moment)
        scores = {score.domain: score.score for score in assessment.scores}
        listed = ", ".join(f"{domain.nl} {scores.pop(domain.code)}"
                           for domain in domains.current() if domain.code in scores)
        listed = ", ".join(filter(None, [listed, *(f"{code} {value}" for code, value in sorted(scores.items()))]))
        items.append((f"assessment:{assessment.id}", f"Leefgebieden {moment.lower()} {day}",
                       {"case": assessment.case_id, "date": day, "moment": moment,
                        "participants": assessment.participants, "note": assessment.note, "scores": listed}))
    return items
