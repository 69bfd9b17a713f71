"""Recording and correcting leefgebieden assessments: the rules, the audit, the tijdlijn and optimistic locking."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.assessments import queries, services
from casus.assessments.models import Assessment, AssessmentScore
from casus.audit.models import AuditEvent
from casus.clock import today
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from casus.versioning import StaleVersion


def record(p, **fields):
    values = {"moment": "triage", "assessed_on": today() - timedelta(days=30), "participants": "Bewoner, regisseur",
              "note": "Eerste scoring", "scores": {"financien": 2, "huisvesting": 1, "justitie": None}}
    return services.record_assessment(p["regisseur"], p["case"], **{**values, **fields})


def test_recording_stores_the_scored_domains_audits_and_writes_the_timeline(app, db, assessed):
    assessment = record(assessed)
    stored = db.session.execute(sa.select(AssessmentScore).where(AssessmentScore.assessment_id == assessment.id)
                                .order_by(AssessmentScore.domain)).scalars().all()
    assert [(s.domain, s.score) for s in stored] == [("financien", 2), ("huisvesting", 1)]  # justitie unscored
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "assessment.recorded")).scalar_one()
    assert event.case_id == assessed["case"].id and event.details == {"moment": "triage", "domains": 2}
    line = db.session.execute(sa.select(TimelineEvent).where(TimelineEvent.kind == "assessment.recorded")).scalar_one()
    assert line.summary == "Leefgebieden gescoord (triage)"


@pytest.mark.parametrize(("fields", "field"), [
    ({"scores": {}}, "scores"),
    ({"scores": {"financien": None}}, "scores"),
    ({"scores": {"geen_domein": 3}}, "scores"),
    ({"scores": {"financien": 6}}, "scores.financien"),
    ({"scores": {"financien": 0}}, "scores.financien"),
    ({"moment": "tussendoor"}, "moment"),
    ({"assessed_on": None}, "assessed_on"),
    ({"assessed_on": today() + timedelta(days=1)}, "assessed_on"),
    ({"assessed_on": today() - timedelta(days=90)}, "assessed_on"),  # before the case was opened
    ({"participants": "x" * 501}, "participants"),
])
def test_a_refused_assessment_names_its_field_and_stores_nothing(app, db, assessed, fields, field):
    with pytest.raises(ServiceError) as refused:
        record(assessed, **fields)
    assert refused.value.field == field and refused.value.status == 400
    assert db.session.execute(sa.select(sa.func.count(Assessment.id))).scalar_one() == 0


def test_only_the_case_manager_records(app, db, assessed):
    with pytest.raises(ServiceError) as refused:
        services.record_assessment(assessed["partner"], assessed["case"], moment="triage", assessed_on=today(),
                                   scores={"financien": 3})
    assert refused.value.status == 403


def test_a_closed_case_is_only_scored_at_closure(app, db, assessed):
    case = assessed["case"]
    case.phase, case.closed_on, case.result = "afgesloten", today(), "doel_bereikt"
    db.session.flush()
    with pytest.raises(ServiceError) as refused:
        record(assessed, moment="evaluatie")
    assert refused.value.field == "moment"
    assert record(assessed, moment="afsluiting").moment == "afsluiting"


def test_a_correction_replaces_scores_moves_the_version_and_refuses_a_stale_one(app, db, assessed):
    assessment = record(assessed)
    version = assessment.version
    services.correct_assessment(assessed["regisseur"], assessed["case"], assessment, expected_version=version,
                                moment="triage", assessed_on=assessment.assessed_on, participants="Bewoner",
                                note=None, scores={"financien": 3, "justitie": 4})
    db.session.expire_all()
    again = queries.assessment_of(assessed["case"], assessment.id, action="assessment.view")
    assert queries.scores_by_domain(again) == {"financien": 3, "justitie": 4}
    assert again.version == version + 1 and again.participants == "Bewoner" and again.note is None
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "assessment.corrected")).scalar_one()
    assert set(event.details["changed"]) == {"participants", "note", "scores"}
    with pytest.raises(StaleVersion):
        services.correct_assessment(assessed["regisseur"], assessed["case"], again, expected_version=version,
                                    moment="triage", assessed_on=again.assessed_on, scores={"financien": 1})
    assert queries.scores_by_domain(again) == {"financien": 3, "justitie": 4}


def test_only_scores_changed_still_moves_the_version(app, db, assessed):
    assessment = record(assessed)
    version = assessment.version
    services.correct_assessment(assessed["regisseur"], assessed["case"], assessment, expected_version=version,
                                moment="triage", assessed_on=assessment.assessed_on,
                                participants=assessment.participants, note=assessment.note,
                                scores={"financien": 5, "huisvesting": 1})
    assert assessment.version == version + 1


def test_latest_and_all_assessments_of_a_case_in_date_order(app, db, assessed):
    first = record(assessed, assessed_on=today() - timedelta(days=20))
    second = record(assessed, moment="evaluatie", assessed_on=today() - timedelta(days=5))
    assert [a.id for a in queries.assessments_of(assessed["case"])] == [first.id, second.id]
    assert queries.latest_of(assessed["case"]).id == second.id
