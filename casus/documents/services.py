"""Documents in the case file: upload, new version, edit, delete and download — the only code that changes them.

Every change and every download is audited (object_type "document"); a refused upload is audited as
``document.upload`` denied with the reason, never the file's name. Storage, type detection, the virus scan and
encryption are :mod:`casus.documents.files`; need-to-know is :mod:`casus.policy.documents`. A tijdlijn line names
the document's type only, never its title, and carries ``document_id`` so the policy hides it with the document.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from casus import policy
from casus.audit.models import Outcome
from casus.audit.services import record
from casus.cases.models import Case, Participation
from casus.documents import files
from casus.documents.models import (
    Document,
    DocumentAudience,
    DocumentType,
    DocumentVersion,
    DocumentVisibility,
    SharingBasis,
)
from casus.documents.parents import Parent, ParentKind
from casus.extensions import db
from casus.labels import N_, enum_label
from casus.notifications import kinds
from casus.notifications.audit_checks import privacy_officers
from casus.notifications.services import NewNotification, notify_many
from casus.organisations.models import Organisation, Team
from casus.services import ServiceError
from casus.signals.models import Signal
from casus.subject_requests.restriction import is_restricted, processing_restricted
from casus.timeline.models import TimelineEvent
from casus.timeline.services import add_timeline
from casus.users.models import User
from casus.versioning import StaleVersion, check_version, flush_versioned
from workflow import CasePhase

MAX_TITLE = 200  # the column's length
MAX_FILENAME = 255
# Extensions a detected type may keep as the uploader named it (else the canonical one is put on the name).
SAME_TYPE = {"jpg": {"jpg", "jpeg"}, "tif": {"tif", "tiff"}, "tiff": {"tif", "tiff"}, "txt": {"txt", "text"}}


class DocumentCorrupt(ServiceError):
    """A stored file that is missing, cannot be decrypted or no longer matches its SHA-256: the download is refused
    (audited, the privacy officers notified). The notification must survive the refusal: answer it without rolling
    the request back (its status is 409, below the one commit's rollback)."""

    def __init__(self) -> None:
        super().__init__(N_("Dit bestand is beschadigd of ontbreekt en wordt daarom niet gedownload. De "
                         "privacyfunctionaris is gewaarschuwd."), status=409)


# --- who may be named, and the checks of the fields --------------------------------------------------------------

def audience_choices(parent: Parent) -> list[Organisation]:
    """The organisations a document on ``parent`` may name: those taking part in the case and the team's own, or for
    a signal its reporter and its team's organisation."""
    if parent.case_id is not None:
        team_org = sa.select(Team.organisation_id).join(Case, Case.team_id == Team.id).where(Case.id == parent.case_id)
        taking_part = sa.select(Participation.organisation_id).where(Participation.case_id == parent.case_id,
                                                                    Participation.left_on.is_(None))
        ids = sa.union(team_org, taking_part)
    else:
        signal = parent.object
        ids = sa.union(sa.select(Team.organisation_id).where(Team.id == signal.team_id),
                       sa.select(Signal.reporting_organisation_id).where(Signal.id == signal.id))
    query = sa.select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
    return list(db.session.execute(query).scalars())


def _title(title: str | None) -> str:
    title = (title or "").strip()
    if not title:
        raise ServiceError("Geef het document een titel.", field="title")
    if len(title) > MAX_TITLE:
        raise ServiceError("Een titel is hoogstens %(max)s tekens.", field="title", max=MAX_TITLE)
    return title


def _enum(enum, value):
    """The member, or None for a value the enum does not know."""
    try:
        return enum(value)
    except ValueError:
        return None


def _fields(parent: Parent, user: User, *, title, document_type, document_date, visibility, audience_ids,
            legal_basis) -> dict:
    """Every field checked; the audience of "genoemde organisaties" with the uploader's own organisation added."""
    values = {"title": _title(title), "document_type": _enum(DocumentType, document_type),
              "visibility": _enum(DocumentVisibility, visibility), "legal_basis": _enum(SharingBasis, legal_basis)}
    if values["document_type"] is None:
        raise ServiceError("Kies het soort document.", field="document_type")
    if values["visibility"] is None:
        raise ServiceError("Kies voor wie het document zichtbaar is.", field="visibility")
    if values["legal_basis"] is None:
        raise ServiceError("Kies de grondslag waarop u het document deelt.", field="legal_basis")
    if not isinstance(document_date, date):
        raise ServiceError("Vul de datum van het document in (dd-mm-jjjj).", field="document_date")
    values["document_date"] = document_date
    audience = {int(org_id) for org_id in audience_ids or ()}
    if values["visibility"] == DocumentVisibility.NAMED:
        allowed = {organisation.id for organisation in audience_choices(parent)}
        if not audience or not audience <= allowed:
            raise ServiceError("Kies een of meer organisaties die aan de casus deelnemen.", field="audience_ids")
        audience.add(user.organisation_id)
    else:
        audience = set()
    values["audience"] = sorted(audience)
    return values


def safe_filename(filename: str | None, extension: str) -> str:
    """The uploader's file name without any path, control characters or quotes, ending in an extension that fits
    the detected type (a PDF named "scan.exe" is stored as "scan.exe.pdf")."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r'[\x00-\x1f\x7f"<>|:*?]', "", name).strip(" .") or "document"
    suffix = name.rpartition(".")[2].lower() if "." in name else ""
    if suffix not in SAME_TYPE.get(extension, {extension}):
        name = f"{name}.{extension}"
    if len(name) > MAX_FILENAME:
        name = f"{name[:MAX_FILENAME - len(extension) - 1]}.{extension}"
    return name


def in_closed_case(case_id: int | None) -> bool:
    """Whether the documents hang on a closed case: its file is then read-only until the case is reopened."""
    if case_id is None:
        return False
    phase = db.session.execute(sa.select(Case.phase).where(Case.id == case_id)).scalar_one_or_none()
    return phase == CasePhase.AFGESLOTEN


def _case_of(parent_case_id: int | None, user: User, action: str, object_id: int | None = None) -> None:
    """A closed case, and a case under a beperking, take no new or changed documents (checked before the file is
    scanned and stored; the flush guard would refuse a restricted case too, but only afterwards)."""
    if in_closed_case(parent_case_id):
        record(action, object_type="document", object_id=object_id, case_id=parent_case_id, outcome=Outcome.DENIED,
               details={"reason": "case_closed"}, user=user)
        raise ServiceError("Deze casus is afgesloten: documenten toevoegen of wijzigen kan pas weer als de casus "
                           "is heropend.", status=409)
    if parent_case_id is not None and not policy.changes_restricted_cases(user) and is_restricted(parent_case_id):
        raise processing_restricted()


def _store(user: User, *, filename: str, data: bytes, object_id: int | None, case_id: int | None,
           action: str) -> files.StoredUpload:
    """Scan, check and store the file; a refusal audited (the reason, never the name) and passed on."""
    try:
        return files.store_upload(data, filename)
    except files.UploadRefused as error:
        record(action, object_type="document", object_id=object_id, case_id=case_id, outcome=Outcome.DENIED,
               details={"reason": error.reason, **({"signature": error.signature} if error.signature else {})},
               user=user)
        raise


def _version(document: Document, stored: files.StoredUpload, number: int, user: User, filename: str):
    return DocumentVersion(document_id=document.id, number=number, sha256=stored.sha256,
                           filename=safe_filename(filename, stored.extension), content_type=stored.content_type,
                           size=stored.size, uploaded_by_id=user.id, organisation_id=user.organisation_id,
                           scan_result=stored.scan_result)


def _timeline(document: Document, kind: str, summary: str, user: User) -> None:
    if document.case_id is None:
        return  # a signal has no tijdlijn
    event = add_timeline(_Row(document.case_id), kind, summary, actor=user)
    event.document_id = document.id


@dataclass(frozen=True)
class _Row:
    id: int


def _type_label(document: Document) -> str:
    return enum_label(DocumentType, document.document_type, locale="nl")


# --- changes -----------------------------------------------------------------------------------------------------

def upload_document(user: User, parent: Parent, *, title: str, document_type: DocumentType, document_date: date,
                    visibility: DocumentVisibility, audience_ids: Sequence[int], legal_basis: SharingBasis,
                    filename: str, data: bytes) -> Document:
    """A new document on ``parent`` (seen by ``user`` already) with its first version."""
    if not policy.uploads_to(user, parent):
        record("document.upload", object_type="document", case_id=parent.case_id, outcome=Outcome.DENIED,
               details={"reason": "not_allowed"}, user=user)
        raise ServiceError("U kunt hier geen documenten toevoegen.", status=403)
    _case_of(parent.case_id, user, "document.upload")
    values = _fields(parent, user, title=title, document_type=document_type, document_date=document_date,
                     visibility=visibility, audience_ids=audience_ids, legal_basis=legal_basis)
    stored = _store(user, filename=filename, data=data, object_id=None, case_id=parent.case_id,
                    action="document.upload")
    audience = values.pop("audience")
    document = Document(**parent.columns(), **values, uploaded_by_id=user.id, organisation_id=user.organisation_id,
                        current_number=1)
    document.audience = [DocumentAudience(organisation_id=org_id) for org_id in audience]
    db.session.add(document)
    db.session.flush()
    db.session.add(_version(document, stored, 1, user, filename))
    db.session.flush()
    _timeline(document, "document.added", f"Document toegevoegd ({_type_label(document)})", user)
    record("document.upload", object_type="document", object_id=document.id, case_id=document.case_id, user=user,
           details={"parent": str(parent.kind), "version": 1, "sha256": stored.sha256, "size": stored.size,
                    "content_type": stored.content_type})
    return document


def _require_change(user: User, document: Document, action: str) -> None:
    if not policy.changes_document(user, document):
        record(action, object_type="document", object_id=document.id, case_id=document.case_id,
               outcome=Outcome.DENIED, user=user)
        raise ServiceError("Alleen de organisatie die het document toevoegde of het team van de casus kan dit "
                      "document wijzigen.", status=403)


def add_version(user: User, document: Document, *, filename: str, data: bytes,
                expected_version: int) -> DocumentVersion:
    """A new upload replaces the current version; the earlier ones stay (for the team and the uploader)."""
    _require_change(user, document, "document.version")
    check_version(document, expected_version)
    _case_of(document.case_id, user, "document.version", document.id)
    stored = _store(user, filename=filename, data=data, object_id=document.id, case_id=document.case_id,
                    action="document.version")
    number = document.current_number + 1
    version = _version(document, stored, number, user, filename)
    db.session.add(version)
    document.current_number = number
    flush_versioned(document)
    _timeline(document, "document.version", f"Nieuwe versie van document ({_type_label(document)})", user)
    record("document.version", object_type="document", object_id=document.id, case_id=document.case_id, user=user,
           details={"version": number, "sha256": stored.sha256, "size": stored.size,
                    "content_type": stored.content_type})
    return version


def parent_for_choices(document: Document) -> Parent:
    """The parent of a document already read through the policy (for its audience choices)."""
    if document.signal_id is not None:
        signal = db.session.get(Signal, document.signal_id)
        return Parent(ParentKind.SIGNAL, signal, None, signal.id)
    return Parent(ParentKind.CASE, _Row(document.case_id), document.case_id, None)


def update_document(user: User, document: Document, *, title, document_type, document_date, visibility,
                    audience_ids, legal_basis, expected_version: int) -> Document:
    """Title, type, date, visibility (and audience) and legal basis."""
    _require_change(user, document, "document.update")
    check_version(document, expected_version)
    _case_of(document.case_id, user, "document.update", document.id)
    values = _fields(parent_for_choices(document), user, title=title, document_type=document_type,
                     document_date=document_date, visibility=visibility, audience_ids=audience_ids,
                     legal_basis=legal_basis)
    audience = values.pop("audience")
    for name, value in values.items():
        setattr(document, name, value)
    db.session.execute(sa.delete(DocumentAudience).where(DocumentAudience.document_id == document.id))
    db.session.add_all(DocumentAudience(document_id=document.id, organisation_id=org_id) for org_id in audience)
    db.session.expire(document, ["audience"])
    flush_versioned(document)
    _timeline(document, "document.updated", f"Document gewijzigd ({_type_label(document)})", user)
    record("document.update", object_type="document", object_id=document.id, case_id=document.case_id, user=user,
           details={"visibility": str(document.visibility)})
    return document


def delete_document(user: User, document: Document, *, expected_version: int | None = None) -> None:
    """Delete the document and its versions (their tijdlijn lines go with it); stored files no other version uses
    are removed once the request commits."""
    _require_change(user, document, "document.delete")
    check_version(document, expected_version)
    _case_of(document.case_id, user, "document.delete", document.id)
    sha256s = set(db.session.execute(
        sa.select(DocumentVersion.sha256).where(DocumentVersion.document_id == document.id)).scalars())
    document_id, case_id, everyone = document.id, document.case_id, document.visibility == DocumentVisibility.ALL
    label = _type_label(document)
    # Statements, not ORM cascades (the collections never load lazily); the version in the WHERE keeps the lock.
    db.session.flush()
    deleted = db.session.execute(sa.delete(Document).where(Document.id == document_id,
                                                           Document.version == document.version))
    if deleted.rowcount != 1:
        raise StaleVersion(None)
    db.session.execute(sa.delete(DocumentVersion).where(DocumentVersion.document_id == document_id))
    db.session.execute(sa.delete(DocumentAudience).where(DocumentAudience.document_id == document_id))
    db.session.execute(sa.delete(TimelineEvent).where(TimelineEvent.document_id == document_id))
    db.session.expunge(document)
    files.forget_unreferenced(sha256s)
    if everyone and case_id is not None:  # a restricted document's removal would betray that it existed
        add_timeline(_Row(case_id), "document.deleted", f"Document verwijderd ({label})", actor=user)
    record("document.delete", object_type="document", object_id=document_id, case_id=case_id, user=user)


# --- reading -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    sha256: str
    size: int
    data: bytes
    number: int


def version_of(document: Document, number: int) -> DocumentVersion | None:
    return db.session.execute(sa.select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.number == number)).scalar_one_or_none()


def versions_of(document: Document) -> list[DocumentVersion]:
    """Every version, newest first, with who uploaded it (for those who see old versions)."""
    query = (sa.select(DocumentVersion).where(DocumentVersion.document_id == document.id)
             .options(sa.orm.joinedload(DocumentVersion.uploaded_by), sa.orm.joinedload(DocumentVersion.organisation))
             .order_by(DocumentVersion.number.desc()))
    return list(db.session.execute(query).scalars())


def open_for_download(user: User, document: Document, *, number: int | None = None) -> Download:
    """The bytes of the current version (or of version ``number``, for those who see old versions), verified
    against their SHA-256. Audited; a corrupt file is refused, audited and reported to the privacy officers."""
    number = document.current_number if number is None else number
    if number != document.current_number and not policy.sees_old_versions(user, document):
        record("document.download", object_type="document", object_id=document.id, case_id=document.case_id,
               outcome=Outcome.DENIED, details={"version": number, "reason": "old_version"}, user=user)
        raise ServiceError("Eerdere versies van dit document zijn niet voor u zichtbaar.", status=403)
    version = version_of(document, number)
    if version is None:
        record("document.download", object_type="document", object_id=document.id, case_id=document.case_id,
               outcome=Outcome.DENIED, details={"version": number, "reason": "no_version"}, user=user)
        raise ServiceError("Deze versie van het document bestaat niet.", status=404)
    try:
        data = files.read_verified(version.sha256)
    except files.CorruptFile as error:
        record("document.download", object_type="document", object_id=document.id, case_id=document.case_id,
               outcome=Outcome.DENIED, details={"version": number, "reason": f"corrupt_{error.reason}"}, user=user)
        _alert_privacy_officers(document, version, error.reason)
        raise DocumentCorrupt() from error
    record("document.download", object_type="document", object_id=document.id, case_id=document.case_id, user=user,
           details={"version": number, "sha256": version.sha256})
    return Download(filename=version.filename, content_type=version.content_type, sha256=version.sha256,
                    size=version.size, data=data, number=number)


def _alert_privacy_officers(document: Document, version: DocumentVersion, reason: str) -> None:
    """One notification per privacy officer per damaged file (the key makes a second download no second alert)."""
    notify_many(NewNotification(user_id=officer.id, key=f"document-corrupt:{version.sha256}:user:{officer.id}",
                                kind=kinds.DOCUMENT_CORRUPT.name, link="/audit",
                                params={"number": document.id, "reason": reason}, locale=officer.locale)
                for officer in privacy_officers())
