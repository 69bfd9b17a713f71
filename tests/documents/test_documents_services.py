"""Documents' services: upload, new version, edit, delete and the verified download — the rules, the audit (never
a file name), the tijdlijn (the type, never the title) and optimistic locking, against real local storage."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from document_world import close_case, unique_pdf, upload

from casus.audit.models import AuditEvent
from casus.documents import files, queries, services
from casus.documents.models import Document, DocumentVersion, StoredFile
from casus.documents.parents import ParentKind, get_parent
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from casus.versioning import StaleVersion

from document_samples import elf_bytes, image_bytes


def case_parent(w, user):
    return get_parent(user, ParentKind.CASE, w["case"].id)


def events(db, action):
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


def test_an_upload_stores_the_document_its_version_a_tijdlijn_line_and_an_audit_event(db, docs_world):
    w = docs_world
    data = unique_pdf()
    document = upload(w["regisseur"], case_parent(w, w["regisseur"]), data=data, filename="../../VT rapport.pdf")
    version = db.session.execute(sa.select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                                 ).scalar_one()
    assert (version.number, version.sha256, version.size) == (1, hashlib.sha256(data).hexdigest(), len(data))
    assert (version.content_type, version.filename) == ("application/pdf", "VT rapport.pdf")
    assert (document.case_id, document.organisation_id, document.current_number) == (w["case"].id, w["zvh"].id, 1)
    line = db.session.execute(sa.select(TimelineEvent).where(TimelineEvent.document_id == document.id)).scalar_one()
    assert line.summary == "Document toegevoegd (Rapportage)" and "Veilig Thuis" not in line.summary
    [event] = events(db, "document.upload")
    assert (event.object_type, event.object_id, event.case_id) == ("document", str(document.id), w["case"].id)
    assert "rapport" not in str(event.details).lower()


def test_named_organisations_see_the_document_and_its_tijdlijn_line_others_do_not(db, docs_world):
    from casus import policy

    w = docs_world
    document = upload(w["regisseur"], case_parent(w, w["regisseur"]), visibility="genoemde_organisaties",
                      audience_ids=[w["ggz"].id])
    for user, sees in ((w["regisseur"], True), (w["ggz_user"], True), (w["agent"], False)):
        listed = [d.id for d in queries.documents_of(user, case_parent(w, user))]
        assert listed == ([document.id] if sees else []), user.organisation_id
        lines = db.session.execute(sa.select(TimelineEvent.id).where(
            TimelineEvent.document_id == document.id, policy.timeline_scope(user))).all()
        assert len(lines) == (1 if sees else 0)
    assert queries.count_of_case(w["agent"], w["case"]) == 0 and queries.count_of_case(w["ggz_user"], w["case"]) == 1


def test_the_audience_must_take_part_in_the_case(db, docs_world):
    w = docs_world
    with pytest.raises(ServiceError) as refused:
        upload(w["regisseur"], case_parent(w, w["regisseur"]), visibility="genoemde_organisaties",
               audience_ids=[w["buiten"].id])
    assert refused.value.field == "audience_ids"


@pytest.mark.parametrize(("data", "reason"), [(elf_bytes(), "type"), (b"", "empty")])
def test_a_refused_file_is_audited_with_its_reason_and_nothing_is_stored(db, docs_world, data, reason):
    w = docs_world
    with pytest.raises(files.UploadRefused) as refused:
        upload(w["regisseur"], case_parent(w, w["regisseur"]), data=data, filename="geheim-plan.pdf")
    assert refused.value.field == "file" and refused.value.reason == reason
    [event] = events(db, "document.upload")
    assert event.outcome == "denied" and event.details == {"reason": reason}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_only_the_team_and_participants_upload_to_a_case(db, docs_world, make_user):
    from casus import policy

    w = docs_world
    parent = case_parent(w, w["regisseur"])
    assert policy.uploads_to(w["regisseur"], parent) and policy.uploads_to(w["agent"], parent)
    assert not policy.uploads_to(w["outsider"], parent)
    with pytest.raises(ServiceError) as refused:
        upload(w["outsider"], parent)
    assert refused.value.status == 403


def test_a_signal_takes_documents_from_its_reporter_while_it_is_open(db, docs_world):
    from casus import policy
    from casus.signals.models import Signal, SignalStatus

    w = docs_world
    signal = Signal(reference="S-2026-990001", category=w["case"].category, team=w["team"], description="Melding",
                    reporting_organisation_id=w["politie"].id, reported_by_id=w["agent"].id)
    db.session.add(signal)
    db.session.flush()
    parent = get_parent(w["agent"], ParentKind.SIGNAL, signal.id)
    document = upload(w["agent"], parent, title="Proces-verbaal", visibility="eigen_organisatie")
    assert (document.signal_id, document.case_id) == (signal.id, None)
    assert [d.id for d in queries.documents_of(w["agent"], parent)] == [document.id]
    assert queries.documents_of(w["regisseur"], get_parent(w["regisseur"], ParentKind.SIGNAL, signal.id)) == []
    signal.status = SignalStatus.GEBUNDELD
    assert not policy.uploads_to(w["agent"], parent)
    assert policy.uploads_to(w["regisseur"], parent)


def test_a_new_version_replaces_the_current_one_and_old_ones_stay_for_the_team(db, docs_world):
    w = docs_world
    document = upload(w["regisseur"], case_parent(w, w["regisseur"]))
    png = image_bytes("PNG", colour="blue")
    version = services.add_version(w["regisseur"], document, filename="foto", data=png, expected_version=1)
    assert (version.number, document.current_number, version.filename) == (2, 2, "foto.png")
    assert services.open_for_download(w["agent"], document).data == png
    assert services.open_for_download(w["regisseur"], document, number=1).number == 1
    with pytest.raises(ServiceError) as refused:
        services.open_for_download(w["agent"], document, number=1)
    assert refused.value.status == 403
    with pytest.raises(StaleVersion):
        services.add_version(w["regisseur"], document, filename="x.png", data=png, expected_version=1)
    with pytest.raises(ServiceError) as refused:  # politie neither uploaded it nor runs the case
        services.add_version(w["agent"], document, filename="x.png", data=png, expected_version=document.version)
    assert refused.value.status == 403
    assert [e.details["version"] for e in events(db, "document.version") if e.outcome == "success"] == [2]


def test_editing_changes_the_fields_and_is_checked_against_the_version(db, docs_world):
    w = docs_world
    document = upload(w["agent"], case_parent(w, w["agent"]))
    services.update_document(w["agent"], document, title="Andere titel", document_type="besluit",
                             document_date=document.document_date, visibility="eigen_organisatie", audience_ids=(),
                             legal_basis="wettelijke_taak", expected_version=1)
    assert (document.title, document.document_type, document.visibility) == ("Andere titel", "besluit",
                                                                            "eigen_organisatie")
    assert queries.documents_of(w["ggz_user"], case_parent(w, w["ggz_user"])) == []
    with pytest.raises(StaleVersion):
        services.update_document(w["agent"], document, title="Weer anders", document_type="besluit",
                                 document_date=document.document_date, visibility="alle_deelnemers",
                                 audience_ids=(), legal_basis="convenant", expected_version=1)
    assert len(events(db, "document.update")) == 1


def test_deleting_removes_the_versions_the_tijdlijn_lines_and_an_unused_file(db, docs_world):
    w = docs_world
    data = unique_pdf()
    document = upload(w["regisseur"], case_parent(w, w["regisseur"]), data=data, visibility="eigen_organisatie")
    sha256 = hashlib.sha256(data).hexdigest()
    document_id = document.id
    services.delete_document(w["regisseur"], document, expected_version=1)
    assert db.session.get(Document, document_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentVersion)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TimelineEvent)
                             .where(TimelineEvent.kind.startswith("document."))) == 0  # restricted: no trace
    assert db.session.get(StoredFile, sha256) is None
    assert events(db, "document.delete")[0].object_id == str(document_id)


def test_a_download_is_verified_and_a_corrupt_file_is_refused_audited_and_reported(db, docs_world, make_user):
    from casus.notifications.models import Notification

    w = docs_world
    officer = make_user("privacy", organisation=w["zvh"])
    data = unique_pdf()
    document = upload(w["regisseur"], case_parent(w, w["regisseur"]), data=data)
    found = services.open_for_download(w["ggz_user"], document)
    assert hashlib.sha256(found.data).hexdigest() == found.sha256 == hashlib.sha256(data).hexdigest()
    files.backend().storage.put(found.sha256, b"niet meer het bestand")
    with pytest.raises(services.DocumentCorrupt) as refused:
        services.open_for_download(w["ggz_user"], document)
    assert refused.value.status == 409
    denied = [e for e in events(db, "document.download") if e.outcome == "denied"]
    assert len(denied) == 1 and denied[0].details["reason"].startswith("corrupt_")
    notice = db.session.execute(sa.select(Notification).where(Notification.user_id == officer.id)).scalar_one()
    assert notice.kind == "document_corrupt"


def test_a_restricted_case_takes_no_documents(db, docs_world, make_subject):
    from casus.cases.models import CaseSubject
    from casus.subject_requests.models import SubjectRestriction

    w = docs_world
    subject = make_subject()
    db.session.add(CaseSubject(case_id=w["case"].id, subject_id=subject.id))
    db.session.flush()
    db.session.add(SubjectRestriction(subject_id=subject.id, reason="Bezwaar", placed_by_id=w["regisseur"].id))
    db.session.flush()
    with pytest.raises(ServiceError) as refused:
        upload(w["regisseur"], case_parent(w, w["regisseur"]))
    assert refused.value.status == 423



def test_a_closed_case_keeps_its_documents_readable_and_takes_no_changes(db, docs_world):
    w = docs_world
    document = upload(w["regisseur"], case_parent(w, w["regisseur"]))
    close_case(db, w["case"])
    png = image_bytes("PNG", colour="green")
    changes = {
        "document.upload": lambda: upload(w["agent"], case_parent(w, w["agent"]), data=png),
        "document.version": lambda: services.add_version(w["regisseur"], document, filename="x.png", data=png,
                                                         expected_version=document.version),
        "document.update": lambda: services.update_document(
            w["regisseur"], document, title="Anders", document_type="besluit", document_date=document.document_date,
            visibility="alle_deelnemers", audience_ids=(), legal_basis="convenant", expected_version=document.version),
        "document.delete": lambda: services.delete_document(w["regisseur"], document,
                                                            expected_version=document.version),
    }
    for action, change in changes.items():
        with pytest.raises(ServiceError) as refused:
            change()
        assert refused.value.status == 409 and "afgesloten" in refused.value.message
        assert [e.details for e in events(db, action) if e.outcome == "denied"] == [{"reason": "case_closed"}]
    assert db.session.get(StoredFile, hashlib.sha256(png).hexdigest()) is None  # refused before it was stored
    assert (document.current_number, document.title) == (1, "Rapportage Veilig Thuis")
    assert services.open_for_download(w["agent"], document).number == 1
