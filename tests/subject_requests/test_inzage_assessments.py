"""The inzage package of a data subject lists the leefgebieden assessments of their cases, scores included, and
none of cases they are not in."""

from __future__ import annotations

import json

from casus.assessments.models import Assessment, AssessmentScore
from casus.clock import today
from casus.subject_requests import inzage, search


def test_the_package_lists_the_assessments_of_the_persons_cases(db, privacy_world, register):
    w = privacy_world
    mine = Assessment(case_id=w["cases"][0].id, moment="triage", assessed_on=today(), participants="Jan en regisseur",
                      recorded_by_id=w["supervisor"].id, scores=[AssessmentScore(domain="financien", score=2),
                                                                 AssessmentScore(domain="huisvesting", score=4)])
    theirs = Assessment(case_id=w["unrelated"].id, moment="triage", assessed_on=today(),
                        recorded_by_id=w["supervisor"].id, scores=[AssessmentScore(domain="justitie", score=1)])
    db.session.add_all([mine, theirs])
    db.session.flush()
    subject_request = register()
    search.search(w["privacy"], subject_request)
    search.confirm(w["privacy"], subject_request, w["person"].id)
    package = inzage.build(subject_request)
    item = package.item(f"assessment:{mine.id}")
    assert package.item(f"assessment:{theirs.id}") is None
    assert item.kind == "assessment" and item.title.startswith("Leefgebieden triage")
    assert item.content["case"] == w["cases"][0].reference  # by reference, never by id
    assert item.content["scores"] == "Financiën 2, Huisvesting 4"
    assert "Jan en regisseur" in json.dumps(inzage.as_json(package), ensure_ascii=False)
    assert inzage.as_pdf(package).startswith(b"%PDF")
