"""Stored files of documents: what the document services call to keep and read bytes (docs/OPERATIONS.md,
"Documents").

``store_upload`` checks an upload (size, type by content, virus scan), encrypts it and stores it once per
SHA-256; ``read_verified`` reads it back, decrypts it and proves its SHA-256, or raises CorruptFile. Neither
audits: the document services do. The backend and the key ring are built per app on first use, so a malformed
``CASUS_STORAGE_KEYS`` fails with a ConfigError naming the key (casus.documents.crypto) the first time documents
are used — the app itself starts without them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from casus.database import after_commit, after_rollback
from casus.documents import crypto
from casus.documents.content_types import detect
from casus.documents.models import DocumentVersion, StoredFile
from casus.documents.scanning import ClamdClient, ScannerUnavailable
from casus.documents.storage import ObjectMissing, Storage, StorageUnavailable, storage_for
from casus.extensions import db
from casus.labels import N_
from casus.services import ServiceError

log = logging.getLogger(__name__)
EXTENSION = "casus_documents"


@dataclass(frozen=True)
class StoredUpload:
    sha256: str            # hex SHA-256 of the plain content
    size: int
    content_type: str      # detected from the content, e.g. "application/pdf"
    extension: str         # canonical extension for that type, e.g. "pdf"
    scan_result: str | None  # e.g. "ClamAV 1.0.9: OK"; None when no scanner is configured


class UploadRefused(ServiceError):
    """An upload not stored, with a Dutch message for the user (field "file") and a ``reason`` for the audit
    event: empty, too_large, type, virus (``signature`` names it), scanner_unavailable, storage_unavailable,
    not_configured. One subclass per reason, so that each message is a literal the extractor sees."""

    reason = ""
    signature: str | None = None


class NotConfigured(UploadRefused):
    reason = "not_configured"

    def __init__(self) -> None:
        super().__init__(N_("Documenten uploaden is niet ingesteld: er is geen sleutel voor versleuteling "
                         "geconfigureerd. Neem contact op met de beheerder."), field="file")


class EmptyUpload(UploadRefused):
    reason = "empty"

    def __init__(self) -> None:
        super().__init__(N_("Het bestand is leeg."), field="file")


class TooLarge(UploadRefused):
    reason = "too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(N_("Het bestand is te groot: hoogstens %(max)s MB."), field="file",
                         max=f"{limit / 1024 / 1024:.2f}".rstrip("0").rstrip(".").replace(".", ","))


class TypeRefused(UploadRefused):
    reason = "type"

    def __init__(self) -> None:
        super().__init__(N_("Dit soort bestand is niet toegestaan. Toegestaan zijn PDF, afbeeldingen, "
                         "kantoordocumenten en platte tekst."), field="file")


class VirusFound(UploadRefused):
    reason = "virus"

    def __init__(self, signature: str | None) -> None:
        super().__init__(N_("Het bestand bevat een virus of ander schadelijk materiaal en is geweigerd."), field="file")
        self.signature = signature


class ScannerDown(UploadRefused):
    reason = "scanner_unavailable"

    def __init__(self) -> None:
        super().__init__(N_("De virusscanner is nu niet bereikbaar, dus het bestand is niet opgeslagen. Probeer het "
                         "later opnieuw."), field="file")


class StorageDown(UploadRefused):
    reason = "storage_unavailable"

    def __init__(self) -> None:
        super().__init__(N_("De documentopslag is nu niet bereikbaar, dus het bestand is niet opgeslagen. Probeer "
                         "het later opnieuw."), field="file")


class CorruptFile(Exception):
    """The stored object is missing, does not decrypt, or its content does not have its SHA-256."""

    def __init__(self, sha256: str, reason: str) -> None:
        super().__init__(f"stored file {sha256} is corrupt ({reason})")
        self.sha256 = sha256
        self.reason = reason  # "missing" | "decrypt" | "checksum"


class DocumentStorageUnavailable(ServiceError):
    """The storage backend did not answer while reading: try again later (not a corrupt file)."""

    def __init__(self) -> None:
        super().__init__(N_("De documentopslag is nu niet bereikbaar. Probeer het later opnieuw."), status=503)


@dataclass
class _Backend:
    ring: crypto.KeyRing | None
    storage: Storage


def _config():
    return current_app.config["CASUS"]


def backend() -> _Backend:
    """This app's key ring and storage, built once (a malformed key raises ConfigError)."""
    built = current_app.extensions.get(EXTENSION)
    if built is None:
        config = _config()
        built = _Backend(crypto.key_ring_for(config.storage_keys, config.env), storage_for(config))
        current_app.extensions[EXTENSION] = built
    return built


def documents_enabled() -> bool:
    """Documents can be stored: a key is configured (or the development key, in development and testing)."""
    return backend().ring is not None


def store_upload(data: bytes, filename: str) -> StoredUpload:
    """Check, scan, encrypt and store ``data`` once per SHA-256; add its StoredFile row when new (flushed).
    Raises UploadRefused. Does not audit."""
    stored = backend()
    if stored.ring is None:
        raise NotConfigured()
    if not data:
        raise EmptyUpload()
    limit = _config().document_max_bytes
    if len(data) > limit:
        raise TooLarge(limit)
    detected = detect(data, filename)
    if detected is None:
        raise TypeRefused()
    scan_result = _scan(data)
    sha256 = hashlib.sha256(data).hexdigest()
    _keep(stored, data, sha256, detected.content_type)
    return StoredUpload(sha256, len(data), detected.content_type, detected.extension, scan_result)


def _scan(data: bytes) -> str | None:
    config = _config()
    if not config.clamd_address:
        return None
    try:
        verdict = ClamdClient(config.clamd_address, config.clamd_timeout_seconds).scan(data)
    except ScannerUnavailable as exc:
        log.warning("virus scanner unavailable: %s", exc)
        raise ScannerDown() from exc
    if not verdict.clean:
        raise VirusFound(verdict.signature)
    return verdict.text


def _keep(stored: _Backend, data: bytes, sha256: str, content_type: str) -> None:
    """Put the encrypted object unless it is already there, and its row unless that exists."""
    row = db.session.get(StoredFile, sha256)
    try:
        if row is None or not stored.storage.exists(sha256):
            stored.storage.put(sha256, crypto.encrypt(data, sha256, stored.ring))
            after_rollback(db.session(), "casus.documents.discard_stored", [sha256], _discard_uncommitted)
            if row is not None:
                row.key_id = stored.ring.current_id
    except StorageUnavailable as exc:
        log.warning("document storage unavailable: %s", exc)
        raise StorageDown() from exc
    if row is None:
        try:
            with db.session.begin_nested():  # the same file uploaded at the same moment: one row suffices
                db.session.add(StoredFile(sha256=sha256, size=len(data), content_type=content_type,
                                          key_id=stored.ring.current_id))
        except IntegrityError:
            pass
    db.session.flush()


def read_verified(sha256: str) -> bytes:
    """The plain content of a stored file, proven by its SHA-256; CorruptFile when it is missing, altered or
    undecryptable; DocumentStorageUnavailable (a ServiceError, 503) when the backend does not answer."""
    stored = backend()
    if stored.ring is None:
        raise DocumentStorageUnavailable()
    try:
        blob = stored.storage.get(sha256)
    except ObjectMissing as exc:
        raise CorruptFile(sha256, "missing") from exc
    except StorageUnavailable as exc:
        log.warning("document storage unavailable: %s", exc)
        raise DocumentStorageUnavailable() from exc
    return verified_plain(blob, sha256, stored.ring)


def verified_plain(blob: bytes, sha256: str, ring: crypto.KeyRing) -> bytes:
    try:
        plain = crypto.decrypt(blob, sha256, ring)
    except crypto.DecryptionFailed as exc:
        raise CorruptFile(sha256, "decrypt") from exc
    if hashlib.sha256(plain).hexdigest() != sha256:
        raise CorruptFile(sha256, "checksum")
    return plain


def forget_unreferenced(sha256s: Iterable[str]) -> int:
    """Delete the StoredFile rows among ``sha256s`` that no DocumentVersion references; their objects are
    deleted once the transaction commits (a rollback never loses a file). Returns how many were forgotten."""
    wanted = set(sha256s)
    if not wanted:
        return 0
    db.session.flush()
    referenced = set(db.session.scalars(
        sa.select(DocumentVersion.sha256).where(DocumentVersion.sha256.in_(wanted)).distinct()))
    unreferenced = sorted(wanted - referenced)
    if not unreferenced:
        return 0
    forgotten = db.session.execute(sa.delete(StoredFile).where(StoredFile.sha256.in_(unreferenced))).rowcount
    after_commit(db.session(), "casus.documents.delete_stored", unreferenced, _delete_pending)
    return forgotten


def _delete_pending(pending: list[str]) -> None:
    """Delete the objects whose rows a committed transaction deleted. Never raises: the commit stands; an object
    left behind is only unreferenced ciphertext (``casus documents verify`` lists such leftovers).

    Known narrow race: the same content uploaded anew between this commit and the delete loses its object; the
    next download then reports it missing (CorruptFile) and a new upload of the file stores it again."""
    try:
        storage = backend().storage
        for sha256 in pending:
            storage.delete(sha256)
    except Exception as exc:  # the commit stands whatever happens here
        log.warning("could not delete unreferenced stored files: %s", type(exc).__name__)


def _discard_uncommitted(put: list[str]) -> None:
    """After a rolled-back change: delete the objects it stored that no committed row references, so no
    ciphertext of a document that never existed stays behind where retention cannot find it. Never raises (the
    rollback stands; ``casus documents verify`` lists a leftover)."""
    try:
        # The session begins a new transaction: a row committed meanwhile (the same file uploaded by someone
        # else) keeps the object.
        referenced = set(db.session.scalars(sa.select(StoredFile.sha256).where(StoredFile.sha256.in_(put))))
        storage = backend().storage
        for sha256 in put:
            if sha256 not in referenced:
                storage.delete(sha256)
    except Exception as exc:  # the rollback stands whatever happens here
        log.warning("could not discard stored files of a rolled-back change: %s", type(exc).__name__)
