"""Documents and the rights of the people in the cases: the inzage package lists the documents of the person's cases
and signals, withholdable like every item, and its PDF carries the current file of each document not withheld; a
beperking refuses document changes like any other."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa
from document_world import doc_storage, unique_pdf, upload  # noqa: F401  (fixtures)
from flask import g
from subject_requests.conftest import privacy_world, register  # noqa: F401  (fixtures)

from casus.documents import services
from casus.documents.models import Document, DocumentVersion
from casus.documents.parents import Parent, ParentKind
from casus.subject_requests import inzage, search


def case_parent(case) -> Parent:
    return Parent(kind=ParentKind.CASE, object=case, case_id=case.id, signal_id=None)


def signal_document(db, signal, user, title):
    from casus.documents.files import store_upload

    stored = store_upload(unique_pdf(), "melding.pdf")
    document = Document(signal_id=signal.id, title=title, document_type="correspondentie",
                        document_date=signal.received_at.date(), visibility="eigen_organisatie",
                        legal_basis="wettelijke_taak", uploaded_by_id=user.id, organisation_id=user.organisation_id)
    db.session.add(document)
    db.session.flush()
    db.session.add(DocumentVersion(document_id=document.id, number=1, sha256=stored.sha256, filename="melding.pdf",
                                   content_type=stored.content_type, size=stored.size, uploaded_by_id=user.id,
                                   organisation_id=user.organisation_id))
    db.session.flush()
    return document


@pytest.fixture
def package_world(db, doc_storage, privacy_world, register, make_user):  # noqa: F811
    w = privacy_world
    regisseur = make_user("procesregisseur", organisation=w["zvh"], team=w["north"])
    mine = upload(regisseur, case_parent(w["cases"][0]), title="Rapport Veilig Thuis", document_type="rapportage",
                  visibility="genoemde_organisaties", audience_ids=[w["politie"].id])
    services.add_version(regisseur, mine, filename="versie2.pdf", data=unique_pdf(), expected_version=mine.version)
    south = make_user("procesregisseur", organisation=w["zvh"], team=w["south"])
    theirs = upload(south, case_parent(w["unrelated"]), title="Over een ander")
    on_signal = signal_document(db, w["signal"], w["partner"], "Proces-verbaal melding")
    subject_request = register()
    search.search(w["privacy"], subject_request)
    search.confirm(w["privacy"], subject_request, w["person"].id)
    return {**w, "mine": mine, "theirs": theirs, "on_signal": on_signal, "request": subject_request}


def test_the_package_lists_the_documents_of_the_persons_cases_and_signals(db, package_world):
    w = package_world
    package = inzage.build(w["request"])

    item = package.item(f"document:{w['mine'].id}")
    assert package.item(f"document:{w['theirs'].id}") is None
    current = db.session.execute(sa.select(DocumentVersion.sha256).where(
        DocumentVersion.document_id == w["mine"].id, DocumentVersion.number == 2)).scalar_one()
    assert item.kind == "document"
    assert item.content == {"case": w["cases"][0].reference, "documentTitle": "Rapport Veilig Thuis",
                            "documentType": "Rapportage", "date": "21-11-2026", "organisation": w["zvh"].name,
                            "filename": "versie2.pdf", "versions": 2, "sha256": current}
    on_signal = package.item(f"document:{w['on_signal'].id}")
    assert on_signal.content["signal"] == w["signal"].reference
    assert on_signal.content["documentTitle"] == "Proces-verbaal melding"  # whatever its visibility
    text = json.dumps(inzage.as_json(package), ensure_ascii=False)
    assert "Rapport Veilig Thuis" in text and "Over een ander" not in text
    assert inzage.as_pdf(package).startswith(b"%PDF")


def attachments(pdf: bytes) -> dict[str, bytes]:
    from pypdf import PdfReader

    return {name: data for name, (data, *_more) in PdfReader(io.BytesIO(pdf)).attachments.items()}


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_package_carries_the_current_file_of_each_document_not_withheld(db, package_world):
    from casus.documents.files import read_verified

    w = package_world
    inzage.review(w["privacy"], w["request"], f"document:{w['on_signal'].id}", withheld=True,
                  ground="rechten_anderen", note=None)
    mine = inzage.build(w["request"]).item(f"document:{w['mine'].id}")

    pdf = inzage.as_pdf(inzage.build(w["request"]))

    assert attachments(pdf) == {f"{w['mine'].id}-versie2.pdf": read_verified(mine.content["sha256"])}
    assert "Bijgevoegde bestanden" in pdf_text(pdf)


def test_a_file_that_fails_its_checksum_is_named_not_attached(db, package_world):
    from casus.documents.files import backend

    w = package_world
    sha256 = inzage.build(w["request"]).item(f"document:{w['mine'].id}").content["sha256"]
    backend().storage.put(sha256, b"niet meer het bestand")

    pdf = inzage.as_pdf(inzage.build(w["request"]))

    assert f"{w['mine'].id}-versie2.pdf" not in attachments(pdf)
    assert "niet beschikbaar" in pdf_text(pdf)


def test_a_withheld_document_leaves_only_its_key_and_ground(db, package_world):
    w = package_world
    key = f"document:{w['mine'].id}"
    inzage.review(w["privacy"], w["request"], key, withheld=True, ground="rechten_anderen", note=None)

    items = inzage.as_json(inzage.build(w["request"]))["items"]

    assert [item for item in items if item["itemKey"] == key] == [
        {"itemKey": key, "kind": "document", "withheld": True, "ground": "rechten_anderen"}]
    assert "Rapport Veilig Thuis" not in json.dumps(items, ensure_ascii=False)


def restrict(db, w):
    from casus.subject_requests.models import SubjectRestriction

    db.session.add(SubjectRestriction(subject_id=w["person"].id, request_id=w["request"].id, reason="Betwist",
                                      placed_by_id=w["privacy"].id))
    db.session.flush()


@pytest.mark.parametrize("change", ["upload", "version", "update", "delete"])
def test_a_restricted_subjects_case_refuses_document_changes(app, db, package_world, change):
    from casus.services import ServiceError

    w = package_world
    document, case = w["mine"], w["cases"][0]
    restrict(db, w)
    db.session.commit()  # the fixtures' rows outlive the refused request's rollback (a savepoint of the test's)
    regisseur = db.session.get(type(w["privacy"]), document.uploaded_by_id)
    before = db.session.execute(sa.select(sa.func.count()).select_from(DocumentVersion)).scalar_one()
    with app.test_request_context():
        g._login_user = regisseur
        with pytest.raises(ServiceError) as refused:
            if change == "upload":
                upload(regisseur, case_parent(case), title="Nieuw")
            elif change == "version":
                services.add_version(regisseur, document, filename="v3.pdf", data=unique_pdf(),
                                     expected_version=document.version)
            elif change == "update":
                services.update_document(regisseur, document, title="Andere titel", document_type="besluit",
                                         document_date=document.document_date, visibility="alle_deelnemers",
                                         audience_ids=(), legal_basis="convenant",
                                         expected_version=document.version)
            else:
                services.delete_document(regisseur, document, expected_version=document.version)
            db.session.flush()
    assert refused.value.status == 423
    assert db.session.execute(sa.select(sa.func.count()).select_from(DocumentVersion)).scalar_one() == before
    assert db.session.execute(sa.select(Document.title).where(Document.id == document.id)).scalar_one() == \
        "Rapport Veilig Thuis"


def test_a_restricted_subjects_bundled_signal_refuses_a_document(app, db, package_world):
    from casus.services import ServiceError

    w = package_world
    w["signal"].case_id = w["cases"][0].id
    w["signal"].status = "gebundeld"
    db.session.flush()
    restrict(db, w)
    db.session.commit()
    with app.test_request_context():
        g._login_user = w["partner"]
        with pytest.raises(ServiceError) as refused:
            signal_document(db, w["signal"], w["partner"], "Na de beperking")
    assert refused.value.status == 423


def test_the_request_page_lists_the_document_and_its_pdf_carries_the_file(client, db, package_world, login):
    w = package_world
    login(w["privacy"])

    page = client.get(f"/verzoeken/{w['request'].id}").get_data(as_text=True)
    pdf = client.get(f"/verzoeken/{w['request'].id}/pakket.pdf")

    assert f"Document 21-11-2026, casus {w['cases'][0].reference}" in page
    assert "<td class=\"utrecht-table__cell\">Document</td>" in page  # its kind, named
    assert pdf.status_code == 200 and f"{w['mine'].id}-versie2.pdf" in attachments(pdf.data)
