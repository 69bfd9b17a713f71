"""The seed scores the leefgebieden of a share of the accepted cases: triage first, evaluations, and closure only
for closed cases, every score on the scale and every domain a configured one — so charts and the report have data."""

from __future__ import annotations

import sqlalchemy as sa


def test_seeded_assessments_follow_the_case(app, db):
    from casus.assessments.domains import codes
    from casus.assessments.models import Assessment, AssessmentScore
    from casus.cases.models import Case
    from casus_seed.seed import seed

    with app.test_request_context():
        seed(60, 11)
    rows = db.session.execute(sa.select(Assessment.case_id, Assessment.moment, Assessment.assessed_on, Case.phase,
                                        Case.closed_on, sa.func.date(Case.created_at))
                              .join(Case, Case.id == Assessment.case_id).order_by(Assessment.id)).all()
    assert rows, "no assessments seeded"
    moments = {str(row.moment) for row in rows}
    assert {"triage", "afsluiting"} <= moments
    for _case, moment, assessed_on, phase, closed_on, _created in rows:
        if str(moment) == "afsluiting":
            assert str(phase) == "afgesloten" and assessed_on == closed_on
    firsts = {}
    for case_id, moment, _day, *_ in sorted(rows, key=lambda row: (row[0], row[2], str(row[1]) != "triage")):
        firsts.setdefault(case_id, str(moment))
    assert set(firsts.values()) == {"triage"}
    scores = db.session.execute(sa.select(AssessmentScore.domain, AssessmentScore.score)).all()
    assert {domain for domain, _ in scores} <= set(codes()) and all(1 <= score <= 5 for _, score in scores)
