"""The seed gives some cases a few documents — generated PDFs and PNGs stored through the application's storage,
readable and verified — so the demo's Documenten tab has something to show; a few dozen at most."""

from __future__ import annotations

import sqlalchemy as sa


def test_seeded_documents_are_stored_verified_and_few(app, db):
    from casus.cases.models import Case, Participation
    from casus.documents.files import read_verified
    from casus.documents.models import Document, DocumentAudience, DocumentVersion, StoredFile
    from casus.timeline.models import TimelineEvent
    from casus_seed.documents import MAX_CASES
    from casus_seed.seed import seed

    with app.test_request_context():
        summary = seed(120, 5)
    documents = db.session.execute(sa.select(Document)).scalars().all()
    assert 1 <= len(documents) <= 3 * MAX_CASES and summary.counts["documents"] == len(documents)
    assert {str(document.document_type) for document in documents} - {"foto"}, "no paper documents"
    versions = db.session.execute(sa.select(DocumentVersion).order_by(DocumentVersion.id)).scalars().all()
    assert {version.content_type for version in versions} <= {"application/pdf", "image/png"}
    for version in versions:
        data = read_verified(version.sha256)  # stored encrypted, and its checksum holds
        assert len(data) == version.size
        assert data.startswith(b"%PDF" if version.content_type == "application/pdf" else b"\x89PNG")
    assert db.session.execute(sa.select(sa.func.count()).select_from(StoredFile)).scalar_one() == len(
        {version.sha256 for version in versions})
    for document in documents:
        numbers = [version.number for version in versions if version.document_id == document.id]
        assert numbers == list(range(1, document.current_number + 1))
        case = db.session.get(Case, document.case_id)
        assert case.created_at.date() <= document.document_date
    # Named organisations take part in the case; every document has its tijdlijn line.
    named = db.session.execute(sa.select(DocumentAudience.organisation_id, Document.case_id).join(Document)).all()
    for organisation_id, case_id in named:
        assert db.session.execute(sa.select(Participation.id).where(
            Participation.case_id == case_id, Participation.organisation_id == organisation_id)).first()
    lines = db.session.execute(sa.select(TimelineEvent.document_id).where(
        TimelineEvent.kind == "document.added")).scalars().all()
    assert sorted(lines) == sorted(document.id for document in documents)


def test_the_same_seed_gives_the_same_documents(app, db):
    from casus.documents.models import Document, DocumentVersion
    from casus_seed.seed import seed

    def rows(since: int):
        return db.session.execute(
            sa.select(Document.title, Document.document_type, Document.visibility, DocumentVersion.number,
                      DocumentVersion.filename, DocumentVersion.content_type)
            .join(DocumentVersion).where(Document.id > since).order_by(Document.id, DocumentVersion.number)).all()

    with app.test_request_context():
        seed(40, 9)
        first = rows(0)
        last = db.session.execute(sa.select(sa.func.max(Document.id))).scalar_one()
        seed(40, 9)
        second = rows(last)
    assert first and first == second  # (the files differ: each carries its case's reference)
