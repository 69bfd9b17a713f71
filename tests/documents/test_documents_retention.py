"""Documents in the data lifecycle: destroying a case or a signal removes its documents, their versions and audience
and the stored files nothing else uses (after the commit); the verklaring counts them; a legal hold still stops it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from document_world import doc_storage, docs_world, unique_pdf, upload  # noqa: F401  (fixtures)

from casus.documents import services
from casus.documents.files import backend, store_upload
from casus.documents.models import Document, DocumentAudience, DocumentVersion, StoredFile
from casus.documents.parents import Parent, ParentKind
from casus.retention.destruction import destroy_case, destroy_signal
from casus.retention.models import LegalHold
from casus.services import ServiceError


def case_parent(case) -> Parent:
    return Parent(kind=ParentKind.CASE, object=case, case_id=case.id, signal_id=None)


def count(db, model, *where) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()


def test_destroying_a_case_removes_its_documents_and_their_files_after_the_commit(db, docs_world, make_case):  # noqa: F811
    w = docs_world
    parent = case_parent(w["case"])
    named = upload(w["regisseur"], parent, visibility="genoemde_organisaties", audience_ids=[w["ggz"].id])
    first = db.session.execute(sa.select(DocumentVersion.sha256).where(
        DocumentVersion.document_id == named.id)).scalar_one()
    services.add_version(w["regisseur"], named, filename="tweede.pdf", data=unique_pdf(),
                         expected_version=named.version)
    shared = unique_pdf()  # the same file in another case's document: its stored object must stay
    upload(w["regisseur"], parent, data=shared)
    other = make_case(team=w["team"], partners=[w["zvh"]], procesregisseur=w["regisseur"], phase="aanpak.uitvoering")
    kept = upload(w["regisseur"], case_parent(other), data=shared)
    db.session.commit()
    hashes = set(db.session.execute(sa.select(DocumentVersion.sha256).join(Document).where(
        Document.case_id == w["case"].id)).scalars())
    shared_hash = store_upload(shared, "x.pdf").sha256
    assert first in hashes and shared_hash in hashes and len(hashes) == 3

    counts = destroy_case(w["case"])

    assert counts["documents"] == 2
    assert count(db, Document, Document.case_id == w["case"].id) == 0
    assert count(db, DocumentAudience, DocumentAudience.document_id == named.id) == 0
    assert count(db, DocumentVersion, DocumentVersion.document_id == named.id) == 0
    assert count(db, StoredFile, StoredFile.sha256.in_(hashes - {shared_hash})) == 0
    storage = backend().storage
    assert all(storage.exists(sha256) for sha256 in hashes), "nothing leaves the storage before the commit"
    db.session.commit()
    assert [sha256 for sha256 in hashes if storage.exists(sha256)] == [shared_hash]
    assert db.session.get(Document, kept.id) is not None


def test_a_rolled_back_destruction_keeps_every_file(db, docs_world):  # noqa: F811
    w = docs_world
    document = upload(w["regisseur"], case_parent(w["case"]))
    db.session.commit()
    sha256 = db.session.execute(sa.select(DocumentVersion.sha256).where(
        DocumentVersion.document_id == document.id)).scalar_one()

    destroy_case(w["case"])
    db.session.rollback()
    db.session.commit()

    assert backend().storage.exists(sha256)
    assert count(db, StoredFile, StoredFile.sha256 == sha256) == 1


def test_destroying_a_lone_signal_removes_its_documents_and_counts_them(db, docs_world):  # noqa: F811
    from casus.signals.models import Signal, SignalStatus

    w = docs_world
    signal = Signal(reference="S-2026-990001", category_id=w["case"].category_id, description="Melding",
                    team_id=w["team"].id, reporting_organisation_id=w["politie"].id, reported_by_id=w["agent"].id,
                    status=SignalStatus.AFGESLOTEN)
    db.session.add(signal)
    db.session.flush()
    stored = store_upload(unique_pdf(), "melding.pdf")
    document = Document(signal_id=signal.id, title="Melding politie", document_type="rapportage",
                        document_date=w["case"].created_at.date(), visibility="alle_deelnemers",
                        legal_basis="convenant", uploaded_by_id=w["agent"].id, organisation_id=w["politie"].id)
    db.session.add(document)
    db.session.flush()
    db.session.add(DocumentVersion(document_id=document.id, number=1, sha256=stored.sha256, filename="melding.pdf",
                                   content_type=stored.content_type, size=stored.size, uploaded_by_id=w["agent"].id,
                                   organisation_id=w["politie"].id))
    db.session.commit()

    counts = destroy_signal(signal)
    db.session.commit()

    assert counts == {"subjects": 0, "documents": 1}
    assert count(db, Document, Document.signal_id == signal.id) == 0
    assert not backend().storage.exists(stored.sha256)


def test_a_legal_hold_keeps_the_documents(db, docs_world):  # noqa: F811
    w = docs_world
    document = upload(w["regisseur"], case_parent(w["case"]))
    db.session.add(LegalHold(case_id=w["case"].id, reason="Lopende procedure", placed_by_id=w["regisseur"].id))
    db.session.flush()

    with pytest.raises(ServiceError):
        destroy_case(w["case"])

    assert db.session.get(Document, document.id) is not None


def test_the_verklaring_labels_the_documents_count(app):
    from casus.retention.declaration_documents import count_label
    from casus.retention.destruction import CASE_COUNT_KINDS, SIGNAL_COUNT_KINDS

    assert "documents" in CASE_COUNT_KINDS and "documents" in SIGNAL_COUNT_KINDS
    with app.test_request_context():
        assert count_label("documents") == "Documenten met hun versies"
