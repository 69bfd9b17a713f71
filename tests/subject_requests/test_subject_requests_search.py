"""The search for the person inside a request (across teams, audited with the request as purpose), confirming
matches, and the inzage package: its contents, withholding, JSON and PDF without the withheld content."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.audit.services import keyed_bsn_hash, record
from casus.cases.models import Note
from casus.services import ServiceError
from casus.subject_requests import inzage, search
from casus.subject_requests.models import RequestStatus, SubjectRequestItem


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_search_finds_the_person_in_every_team_and_is_audited_without_the_terms(db, privacy_world, register):
    w = privacy_world
    subject_request = register(bsn="111222333")
    candidates = search.search(w["privacy"], subject_request)
    assert [candidate.subject.id for candidate in candidates] == [w["person"].id]
    found = candidates[0]
    assert {case.reference for case in found.cases} == {case.reference for case in w["cases"]}
    assert {case.team for case in found.cases} == {"Team Noord", "Team Zuid"}
    assert [signal.reference for signal in found.signals] == [w["signal"].reference]
    assert subject_request.status == RequestStatus.IN_BEHANDELING
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "subject_request.searched")).one()
    assert event.purpose == subject_request.reference and event.activity == "privacyverzoek"
    assert "111222333" not in json.dumps(event.details) and event.details["q"] == keyed_bsn_hash("111222333")
    assert w["unrelated"].id not in event.details["case_ids"]


def test_name_and_birth_date_find_the_person_too(db, privacy_world, register):
    w = privacy_world
    subject_request = register(name="JAN de  vries", date_of_birth=w["person"].date_of_birth)
    assert [candidate.subject.id for candidate in search.search(w["privacy"], subject_request)] == [w["person"].id]


def test_only_the_privacy_officer_searches_and_only_inside_an_open_request(db, privacy_world, register):
    w = privacy_world
    subject_request = register()
    with pytest.raises(ServiceError):
        search.search(w["supervisor"], subject_request)
    from casus.subject_requests import services

    services.complete(w["privacy"], subject_request, outcome="afgewezen", note=None, expected_version=1)
    with pytest.raises(ServiceError):
        search.search(w["privacy"], subject_request)


def test_only_a_candidate_can_be_confirmed(db, privacy_world, register):
    w = privacy_world
    subject_request = register()
    with pytest.raises(ServiceError):
        search.confirm(w["privacy"], subject_request, w["other"].id)
    search.confirm(w["privacy"], subject_request, w["person"].id)
    search.confirm(w["privacy"], subject_request, w["person"].id)  # twice is once
    assert [subject.id for subject in inzage.services.matched_subjects(subject_request)] == [w["person"].id]
    search.unconfirm(w["privacy"], subject_request, w["person"].id)
    assert inzage.services.matched_subjects(subject_request) == []
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.purpose == subject_request.reference))
    assert {"subject_request.match_confirmed", "subject_request.match_removed"} <= set(actions)


@pytest.fixture
def confirmed(db, privacy_world, register):
    w = privacy_world
    db.session.add(Note(case_id=w["cases"][2].id, author_id=w["supervisor"].id, organisation_id=w["zvh"].id,
                        visibility="alle_deelnemers", text="Geheime notitie over de buurman"))
    db.session.add(Note(case_id=w["cases"][0].id, author_id=w["supervisor"].id, organisation_id=w["zvh"].id,
                        visibility="alle_deelnemers", text="Gesprek met Jan gevoerd"))
    db.session.add(Note(case_id=w["unrelated"].id, author_id=w["supervisor"].id, organisation_id=w["zvh"].id,
                        visibility="alle_deelnemers", text="Niet over Jan"))
    record("case.view", object_type="case", object_id=w["cases"][0].id, case_id=w["cases"][0].id,
           user=w["supervisor"])
    db.session.flush()
    subject_request = register()
    search.search(w["privacy"], subject_request)
    search.confirm(w["privacy"], subject_request, w["person"].id)
    return subject_request


def test_the_package_holds_subject_cases_notes_signals_and_the_access_log(db, privacy_world, confirmed):
    w = privacy_world
    package = inzage.build(confirmed)
    keys = {item.key for item in package.items}
    assert f"subject:{w['person'].id}" in keys
    assert {f"case:{case.id}" for case in w["cases"]} <= keys and f"case:{w['unrelated'].id}" not in keys
    assert f"signal:{w['signal'].id}" in keys and f"access:case:{w['cases'][0].id}" in keys
    texts = json.dumps(inzage.as_json(package), ensure_ascii=False)
    assert "Gesprek met Jan gevoerd" in texts and "Niet over Jan" not in texts and "111222333" in texts
    case_item = package.item(f"case:{w['cases'][0].id}")
    assert {row["organisation"] for row in case_item.content["participations"]} == {"Politie Inzage",
                                                                                  "Zorg- en Veiligheidshuis Inzage"}
    access = package.item(f"access:case:{w['cases'][0].id}").content["events"]
    assert access[0]["role"] == "supervisor" and "employee" not in access[0]
    assert w["supervisor"].name not in texts


def test_a_withheld_item_keeps_its_ground_and_loses_its_content(db, privacy_world, confirmed):
    from pypdf import PdfReader

    w = privacy_world
    secret = db.session.scalar(sa.select(Note).where(Note.text == "Geheime notitie over de buurman"))
    inzage.review(w["privacy"], confirmed, f"note:{secret.id}", withheld=True, ground="rechten_anderen", note=None)
    decision = db.session.scalars(sa.select(SubjectRequestItem)).one()
    assert decision.item_kind == "note" and decision.ground.value == "rechten_anderen"
    package = inzage.produce(w["privacy"], confirmed, format="json")
    document = inzage.as_json(package)
    assert {"itemKey": f"note:{secret.id}", "kind": "note", "withheld": True, "ground": "rechten_anderen"} \
        in document["items"]
    assert "buurman" not in json.dumps(document)
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(inzage.as_pdf(package))).pages)
    assert "buurman" not in pdf and "Gesprek met Jan gevoerd" in pdf and "Rechten en vrijheden van anderen" in pdf
    assert confirmed.package_produced_at is not None
    with pytest.raises(ServiceError):
        inzage.review(w["privacy"], confirmed, "note:999999", withheld=True, ground="avg_23", note=None)
    with pytest.raises(ServiceError):
        inzage.review(w["privacy"], confirmed, f"note:{secret.id}", withheld=True, ground=None, note=None)


def test_the_whole_walk_through_the_pages(client, db, privacy_world, confirmed, auth, login):
    w = privacy_world
    login(w["privacy"])
    url = f"/verzoeken/{confirmed.id}"
    found = auth.post(f"{url}/zoeken", {}, form_url=url)
    assert found.status_code == 200 and w["cases"][2].reference in text(found) and "Team Zuid" in text(found)
    page = text(client.get(url))
    assert "Inzagepakket" in page and "Pakket downloaden als PDF" in page
    secret = db.session.scalar(sa.select(Note).where(Note.text == "Geheime notitie over de buurman"))
    response = auth.post(f"{url}/beoordelen", {"item_key": f"note:{secret.id}", "withheld": "1",
                                               "ground": "avg_23"}, form_url=url)
    assert response.status_code == 302
    downloaded = client.get(f"{url}/pakket.json")
    assert downloaded.status_code == 200 and "buurman" not in text(downloaded) and "avg_23" in text(downloaded)
    assert client.get(f"{url}/pakket.pdf").data.startswith(b"%PDF")


def test_the_access_log_names_employees_only_when_configured(app, db, privacy_world, confirmed, monkeypatch):
    from dataclasses import replace

    w = privacy_world
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], inzage_employee_names=True))
    access = inzage.build(confirmed).item(f"access:case:{w['cases'][0].id}").content["events"]
    assert access[0]["employee"] == w["supervisor"].name
