"""Stored files, against both backends: a local directory and a real S3-compatible server (moto in server mode).

The same tests run on each: round trip, one object per content, a corrupted or missing object detected on read,
unreferenced files deleted only after the commit.
"""

from __future__ import annotations

import hashlib
import stat
import uuid
from dataclasses import replace

import pytest
import sqlalchemy as sa

from document_samples import docx_bytes, elf_bytes, image_bytes, pdf_bytes
from s3_support import s3_endpoint  # noqa: F401 - a fixture


@pytest.fixture
def configure(app, db, monkeypatch):
    """Give the app other document settings for one test; the storage backend is rebuilt from them."""
    from casus.documents.files import EXTENSION

    def apply(**settings):
        monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], **settings))
        monkeypatch.delitem(app.extensions, EXTENSION, raising=False)

    return apply


@pytest.fixture(params=["local", "s3"])
def backend(request, configure, tmp_path):
    """The documents' storage backend of this test, configured as an operator would (the S3 one in a bucket
    of its own, so that every test starts empty)."""
    from casus.documents.files import backend

    if request.param == "local":
        configure(storage_backend="local", storage_dir=str(tmp_path / "documents"))
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        bucket = f"casus-{uuid.uuid4().hex[:20]}"
        endpoint.client().create_bucket(Bucket=bucket,
                                        CreateBucketConfiguration={"LocationConstraint": endpoint.region})
        configure(**replace(endpoint, bucket=bucket).settings())
    return backend().storage


def stored_rows(db):
    from casus.documents.models import StoredFile

    return db.session.scalars(sa.select(StoredFile).order_by(StoredFile.sha256)).all()


def test_the_backend_puts_gets_lists_and_deletes_objects_by_sha256(backend):
    from casus.documents.storage import ObjectMissing

    name = hashlib.sha256(b"een").hexdigest()
    assert not backend.exists(name)
    backend.put(name, b"ciphertext 1")
    backend.put(name, b"ciphertext 2")  # a rewrite (key rotation) replaces it
    assert backend.exists(name)
    assert backend.get(name) == b"ciphertext 2"
    assert list(backend.names()) == [name]
    backend.delete(name)
    backend.delete(name)  # deleting what is gone is fine
    with pytest.raises(ObjectMissing):
        backend.get(name)


@pytest.mark.parametrize("name", ["../../etc/passwd", "A" * 64, "abc", ""])
def test_an_object_is_only_ever_named_by_a_hex_sha256(backend, name):
    with pytest.raises(ValueError):
        backend.put(name, b"x")


@pytest.mark.parametrize(("make", "content_type", "extension"), [
    (pdf_bytes, "application/pdf", "pdf"),
    (lambda: image_bytes("PNG"), "image/png", "png"),
    (lambda: image_bytes("JPEG"), "image/jpeg", "jpg"),
    (docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    (lambda: "Afspraken: één keer per week.\n".encode(), "text/plain", "txt"),
])
def test_an_upload_is_stored_encrypted_and_read_back_verified(backend, db, make, content_type, extension):
    from casus.documents.files import read_verified, store_upload

    data = make()
    upload = store_upload(data, "upload")
    assert (upload.sha256, upload.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert (upload.content_type, upload.extension, upload.scan_result) == (content_type, extension, None)
    assert data not in backend.get(upload.sha256), "stored encrypted"
    [row] = stored_rows(db)
    assert (row.sha256, row.size, row.content_type, row.key_id) == (upload.sha256, len(data), content_type,
                                                                    "development-unsafe")
    assert read_verified(upload.sha256) == data


def test_the_same_content_twice_is_stored_once(backend, db):
    from casus.documents.files import store_upload

    first = store_upload(pdf_bytes(), "a.pdf")
    again = store_upload(pdf_bytes(), "b.pdf")
    assert first.sha256 == again.sha256
    assert [row.sha256 for row in stored_rows(db)] == [first.sha256]
    assert list(backend.names()) == [first.sha256]


def test_a_stored_object_with_a_flipped_byte_is_detected_on_read(backend):
    from casus.documents.files import CorruptFile, read_verified, store_upload

    upload = store_upload(pdf_bytes(), "a.pdf")
    blob = bytearray(backend.get(upload.sha256))
    blob[len(blob) // 2] ^= 0x01
    backend.put(upload.sha256, bytes(blob))
    with pytest.raises(CorruptFile) as corrupt:
        read_verified(upload.sha256)
    assert (corrupt.value.sha256, corrupt.value.reason) == (upload.sha256, "decrypt")


def test_a_stored_object_replaced_by_another_file_is_detected_on_read(backend):
    from casus.documents.files import CorruptFile, read_verified, store_upload

    upload = store_upload(pdf_bytes(), "a.pdf")
    other = store_upload(image_bytes("PNG"), "b.png")
    backend.put(upload.sha256, backend.get(other.sha256))
    with pytest.raises(CorruptFile, match="decrypt"):
        read_verified(upload.sha256)


def test_a_missing_stored_object_is_detected_on_read(backend):
    from casus.documents.files import CorruptFile, read_verified, store_upload

    upload = store_upload(pdf_bytes(), "a.pdf")
    backend.delete(upload.sha256)
    with pytest.raises(CorruptFile) as corrupt:
        read_verified(upload.sha256)
    assert corrupt.value.reason == "missing"


def test_an_object_lost_from_the_backend_is_stored_again_by_the_next_upload(backend, db):
    from casus.documents.files import read_verified, store_upload

    upload = store_upload(pdf_bytes(), "a.pdf")
    backend.delete(upload.sha256)
    store_upload(pdf_bytes(), "a.pdf")
    assert read_verified(upload.sha256) == pdf_bytes()
    assert len(stored_rows(db)) == 1


def test_refused_uploads_store_nothing(backend, db, configure):
    from casus.documents.files import UploadRefused, store_upload

    configure(document_max_bytes=100_000)
    for data, reason in ((b"", "empty"), (pdf_bytes() + b"\n" * 100_000, "too_large"), (elf_bytes(), "type")):
        with pytest.raises(UploadRefused) as refused:
            store_upload(data, "rapport.pdf")
        assert (refused.value.reason, refused.value.field) == (reason, "file")
    assert stored_rows(db) == []
    assert list(backend.names()) == []


def test_too_large_names_the_limit(configure):
    from casus.documents.files import TooLarge, store_upload

    configure(document_max_bytes=2 * 1024 * 1024)
    with pytest.raises(TooLarge, match="hoogstens 2 MB"):
        store_upload(b"a" * (2 * 1024 * 1024 + 1), "groot.txt")


def test_unreferenced_files_are_deleted_after_the_commit_and_kept_on_rollback(backend, db):
    from casus.documents.files import forget_unreferenced, store_upload

    kept = store_upload(pdf_bytes("blijft"), "a.pdf").sha256
    dropped = store_upload(pdf_bytes("weg"), "b.pdf").sha256
    db.session.commit()
    assert forget_unreferenced([kept]) == 1
    with db.session.begin_nested():
        pass  # a savepoint released inside the transaction is not its commit
    assert backend.exists(kept)
    db.session.rollback()
    assert backend.exists(kept) and len(stored_rows(db)) == 2, "a rollback never loses a file"

    assert forget_unreferenced([dropped, kept]) == 2
    assert backend.exists(dropped), "not before the commit"
    db.session.commit()
    assert stored_rows(db) == []
    assert not backend.exists(dropped) and not backend.exists(kept)


def test_a_rolled_back_change_takes_the_files_it_stored_with_it(backend, db):
    from casus.documents.files import store_upload

    committed = store_upload(pdf_bytes("vastgelegd"), "a.pdf").sha256
    db.session.commit()
    new = store_upload(pdf_bytes("teruggedraaid"), "b.pdf").sha256
    again = store_upload(pdf_bytes("vastgelegd"), "a.pdf").sha256  # stored before: not put again
    with db.session.begin_nested():
        pass  # a savepoint ending inside the transaction discards nothing
    assert backend.exists(new) and again == committed
    db.session.rollback()
    assert not backend.exists(new), "no ciphertext of a document that never existed"
    assert backend.exists(committed) and [row.sha256 for row in stored_rows(db)] == [committed]


def test_a_committed_upload_keeps_its_file_and_a_repaired_one_survives_a_rollback(backend, db):
    from casus.documents.files import store_upload

    kept = store_upload(pdf_bytes("blijft staan"), "a.pdf").sha256
    db.session.commit()
    db.session.rollback()  # a later, empty rollback forgets nothing it should not
    assert backend.exists(kept)
    backend.delete(kept)  # lost from storage: a new upload of the same file puts it back
    store_upload(pdf_bytes("blijft staan"), "a.pdf")
    db.session.rollback()
    assert backend.exists(kept), "its row was committed before: the object it references stays"


def test_a_file_a_document_version_still_uses_is_not_forgotten(backend, db, make_user, make_case):
    from casus.clock import today
    from casus.documents.files import forget_unreferenced, store_upload
    from casus.documents.models import Document, DocumentType, DocumentVersion, DocumentVisibility, SharingBasis

    user = make_user("procesregisseur")
    case = make_case()
    upload = store_upload(pdf_bytes(), "a.pdf")
    document = Document(case_id=case.id, title="Rapportage", document_type=DocumentType.RAPPORTAGE,
                        document_date=today(), visibility=DocumentVisibility.ALL, legal_basis=SharingBasis.CONVENANT,
                        uploaded_by_id=user.id, organisation_id=user.organisation_id)
    db.session.add(document)
    db.session.flush()
    db.session.add(DocumentVersion(document_id=document.id, number=1, sha256=upload.sha256, filename="a.pdf",
                                   content_type=upload.content_type, size=upload.size, uploaded_by_id=user.id,
                                   organisation_id=user.organisation_id))
    assert forget_unreferenced([upload.sha256]) == 0
    db.session.commit()
    assert backend.exists(upload.sha256)


def test_local_files_are_readable_by_the_owner_only_and_leave_no_temporary_files(configure, tmp_path):
    from casus.documents.files import backend, store_upload

    root = tmp_path / "documents"
    configure(storage_backend="local", storage_dir=str(root))
    upload = store_upload(pdf_bytes(), "a.pdf")
    path = backend().storage.path(upload.sha256)
    assert path == root / upload.sha256[:2] / upload.sha256[2:4] / upload.sha256
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert [item.name for item in path.parent.iterdir()] == [upload.sha256]


def test_an_unreachable_backend_refuses_the_upload_and_the_read_with_a_clear_message(configure, s3_endpoint):  # noqa: F811
    from casus.documents.files import DocumentStorageUnavailable, UploadRefused, read_verified, store_upload

    from processes import free_port

    configure(**replace(s3_endpoint, url=f"http://127.0.0.1:{free_port()}").settings())
    with pytest.raises(UploadRefused) as refused:
        store_upload(pdf_bytes(), "a.pdf")
    assert refused.value.reason == "storage_unavailable"
    assert "niet bereikbaar" in refused.value.message
    with pytest.raises(DocumentStorageUnavailable) as unavailable:
        read_verified(hashlib.sha256(b"x").hexdigest())
    assert unavailable.value.status == 503


def test_production_without_keys_has_no_documents(configure):
    from casus.documents.files import NotConfigured, documents_enabled, store_upload

    configure(env="production", storage_keys={})
    assert documents_enabled() is False
    with pytest.raises(NotConfigured) as refused:
        store_upload(pdf_bytes(), "a.pdf")
    assert refused.value.reason == "not_configured"
    assert "niet ingesteld" in refused.value.message


def test_a_malformed_key_fails_clearly_when_documents_are_first_used(configure):
    from casus.config import ConfigError
    from casus.documents.files import documents_enabled

    configure(storage_keys={"k1": "dGVrb3J0"})
    with pytest.raises(ConfigError, match=r"k1.*32 bytes"):
        documents_enabled()
