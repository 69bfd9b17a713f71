"""The inzage package of a data subject lists their relations (either side, the other subject by kind and name
only) and the nazorg check-ins of their cases, on the review page, in the JSON and in the PDF; withheld ones leave
the produced package as key, kind and ground."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from casus.clock import today
from casus.nazorg.models import NazorgCheckin
from casus.subject_requests import inzage, search
from casus.subjects.models import SubjectRelation


def pdf_text(package) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(inzage.as_pdf(package))).pages)


@pytest.fixture
def related(db, privacy_world, make_subject, register):
    """Jan is a parent's child (on the right side of the relation) and a household member (on the left); his
    closed case has a held and a planned check-in. Piet's own relation and the check-in of Piet's case are not
    Jan's."""
    w = privacy_world
    parent = make_subject(name="Kees de Vries", bsn="999888777", date_of_birth=date(1950, 3, 3))
    household = make_subject(kind="huishouden", name="Huishouden De Vries")
    partner = make_subject(name="Els Anders")
    relations = {
        "parent": SubjectRelation(subject_id=parent.id, related_subject_id=w["person"].id, kind="ouder_van"),
        "household": SubjectRelation(subject_id=w["person"].id, related_subject_id=household.id, kind="lid_van",
                                     start_on=date(2020, 1, 1), end_on=date(2024, 6, 30)),
        "theirs": SubjectRelation(subject_id=w["other"].id, related_subject_id=partner.id, kind="partner_van")}
    started = today() - timedelta(days=200)
    checkins = {
        "held": NazorgCheckin(case_id=w["cases"][1].id, nazorg_started_on=started, months=3,
                              planned_on=started + timedelta(days=91), done_on=started + timedelta(days=95),
                              contact_made=True, outcome="Jan heeft werk gevonden en woont zelfstandig",
                              relapse_signal=True, recorded_by_id=w["supervisor"].id),
        "planned": NazorgCheckin(case_id=w["cases"][1].id, nazorg_started_on=started, months=6,
                                 planned_on=started + timedelta(days=182)),
        "theirs": NazorgCheckin(case_id=w["unrelated"].id, nazorg_started_on=started, months=3,
                                planned_on=started + timedelta(days=91), done_on=started + timedelta(days=92),
                                contact_made=False, outcome="Piet niet bereikt")}
    db.session.add_all([*relations.values(), *checkins.values()])
    db.session.flush()
    subject_request = register()
    search.search(w["privacy"], subject_request)
    search.confirm(w["privacy"], subject_request, w["person"].id)
    return {"request": subject_request, "relations": relations, "checkins": checkins}


def test_the_package_lists_the_persons_relations_and_the_check_ins_of_their_cases(db, privacy_world, related):
    w, relations, checkins = privacy_world, related["relations"], related["checkins"]
    package = inzage.build(related["request"])
    keys = [item.key for item in package.sections["relation"]]
    assert keys == [f"relation:{relations['parent'].id}", f"relation:{relations['household'].id}"]
    parent = package.item(f"relation:{relations['parent'].id}")
    assert parent.kind == "relation" and parent.title == "Relatie: Kees de Vries ouder van Jan de Vries"
    assert parent.content["otherKind"] == "Persoon" and parent.content["otherName"] == "Kees de Vries"
    household = package.item(f"relation:{relations['household'].id}").content
    assert household == {"relation": "Jan de Vries lid van Huishouden De Vries", "relationKind": "lid van",
                         "otherKind": "Huishouden", "otherName": "Huishouden De Vries",
                         "startOn": "01-01-2020", "endOn": "30-06-2024"}
    assert [item.key for item in package.sections["checkin"]] == [f"checkin:{checkins['held'].id}",
                                                                 f"checkin:{checkins['planned'].id}"]
    held = package.item(f"checkin:{checkins['held'].id}")
    assert held.title == f"Nazorgcontact na 3 maanden, casus {w['cases'][1].reference}"
    assert held.content == {"case": w["cases"][1].reference, "plannedOn": checkins["held"].planned_on.strftime(
        "%d-%m-%Y"), "doneOn": checkins["held"].done_on.strftime("%d-%m-%Y"), "contactMade": True,
        "outcome": "Jan heeft werk gevonden en woont zelfstandig", "relapseSignal": True}
    planned = package.item(f"checkin:{checkins['planned'].id}").content
    assert planned["doneOn"] is None and planned["contactMade"] is None and planned["relapseSignal"] is None
    document = json.dumps(inzage.as_json(package), ensure_ascii=False)
    assert "Huishouden De Vries" in document and "Jan heeft werk gevonden" in document
    # Not Jan's: Piet's partner and the check-in of Piet's case; and nothing of the other subject but kind and name.
    assert "Els Anders" not in document and "Piet niet bereikt" not in document
    assert "999888777" not in document and "03-03-1950" not in document
    text = pdf_text(package)
    assert "Relaties" in text and "Kees de Vries ouder van Jan de Vries" in text
    assert "Nazorgcontacten" in text and "Jan heeft werk gevonden" in text and "Signaal van terugval" in text


def test_the_review_page_lists_them_and_withheld_ones_leave_the_produced_package(
        client, db, privacy_world, related, auth, login):
    w, relations, checkins = privacy_world, related["relations"], related["checkins"]
    subject_request = related["request"]
    login(w["privacy"])
    url = f"/verzoeken/{subject_request.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Relatie: Kees de Vries ouder van Jan de Vries" in page and "Relaties" in page
    assert f"Nazorgcontact na 3 maanden, casus {w['cases'][1].reference}" in page and "Nazorgcontacten" in page
    assert f'value="relation:{relations["parent"].id}"' in page and f'value="checkin:{checkins["held"].id}"' in page
    for key in (f"relation:{relations['parent'].id}", f"checkin:{checkins['held'].id}"):
        response = auth.post(f"{url}/beoordelen", {"item_key": key, "withheld": "1", "ground": "rechten_anderen"},
                             form_url=url)
        assert response.status_code == 302
    downloaded = client.get(f"{url}/pakket.json")
    assert downloaded.status_code == 200
    document = downloaded.get_json()
    assert {"itemKey": f"relation:{relations['parent'].id}", "kind": "relation", "withheld": True,
            "ground": "rechten_anderen"} in document["items"]
    assert {"itemKey": f"checkin:{checkins['held'].id}", "kind": "checkin", "withheld": True,
            "ground": "rechten_anderen"} in document["items"]
    body = json.dumps(document, ensure_ascii=False)
    assert "Kees de Vries" not in body and "Jan heeft werk gevonden" not in body
    assert "Huishouden De Vries" in body  # the released relation stays
    pdf = client.get(f"{url}/pakket.pdf")
    assert pdf.status_code == 200
    text = "\n".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Kees de Vries" not in text and "Jan heeft werk gevonden" not in text
    assert "Huishouden De Vries" in text and "Achtergehouden onderdelen" in text
    assert f"relation:{relations['parent'].id}" in text and "Nazorgcontacten" in text  # the withheld list's kind


def test_more_relations_and_check_ins_cost_no_more_queries(db, privacy_world, related, make_subject,
                                                           count_queries):
    w = privacy_world

    def cost() -> tuple[int, int]:
        db.session.expire_all()
        with count_queries() as counter:
            package = inzage.build(related["request"])
        return counter.count, len(package.sections["relation"]) + len(package.sections["checkin"])

    cost()  # warm-up: the first build flushes the audit event the fixture's confirmation left pending
    before, listed = cost()
    assert listed == 4
    started = today() - timedelta(days=400)
    for number in range(5):
        child = make_subject(name=f"Kind {number} de Vries")
        db.session.add(SubjectRelation(subject_id=w["person"].id, related_subject_id=child.id, kind="ouder_van"))
        db.session.add(NazorgCheckin(case_id=w["cases"][number % 2].id, nazorg_started_on=started,
                                     months=number + 1, planned_on=started + timedelta(days=30 * (number + 1))))
    db.session.flush()
    assert cost() == (before, listed + 10)
