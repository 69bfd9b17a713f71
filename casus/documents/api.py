"""Documents over the API: the documents of a case, signal, agenda item or RIEC voordracht
(``/{parent}/{id}/documents``: list, and upload as ``multipart/form-data``), one document (``/documents/{id}``:
metadata and versions, change, delete), a new version (``/documents/{id}/versions``) and the bytes
(``/documents/{id}/content``, ``/documents/{id}/versions/{number}/content``).

Need-to-know through :mod:`casus.policy`: a document of a parent the caller may not see, or restricted to other
organisations, is absent (404, audited). Changes carry the document's ``version`` (409 with ``currentVersion`` when
stale). A refused upload answers by its reason (docs/API.md, "Documents"): 413 too large, 415 a type not allowed by
its content, 400 naming ``file`` for a virus or an empty file (a business rule: Casus does not use 422), 503 with
``Retry-After`` when the scanner or the storage is down — audited as denied.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.http import HTTP_STATUS_CODES, parse_etags

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.responses import CASE_CONFLICT
from casus.api.schemas import ProblemSchema
from casus.audit.services import rollback_keeping_audit
from casus.documents import files, queries, services
from casus.documents.models import Document, DocumentAudience, DocumentVersion
from casus.documents.parents import ParentKind, get_parent
from casus.documents.schemas import (
    DocumentDetailSchema,
    DocumentIfMatchSchema,
    DocumentSchema,
    DocumentUpdateSchema,
    DocumentUploadSchema,
    DocumentVersionQuerySchema,
    DocumentVersionUploadSchema,
    IfNoneMatchSchema,
)
from casus.edge import takes_uploads
from casus.errors import problem
from casus.extensions import db
from casus.security import acting_user
from casus.users.models import User

blp = ApiBlueprint("documents_api", __name__, description="Documents in the case file: on a case, a signal, an "
                                                          "agenda item or a RIEC voordracht; versions and content")

RETRY_AFTER_SECONDS = 60
# A refused upload's status by its reason (casus.documents.files.UploadRefused); "empty" and "virus" stay a 400
# naming `file`, as any refused field.
REFUSED_STATUS = {"too_large": 413, "type": 415, "scanner_unavailable": 503, "storage_unavailable": 503,
                  "not_configured": 503}
ETAG_VERSION = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')

NOT_FOUND = {"schema": ProblemSchema, "description": "No such document or parent, or the caller may not know "
                                                     "about it (a hidden parent, or restricted to other "
                                                     "organisations)"}
FORBIDDEN = {"schema": ProblemSchema, "description": "The caller sees it but may not do this (only the "
                                                     "uploading organisation and the case's team change a "
                                                     "document and read its earlier versions)"}
CONFLICT = {**CASE_CONFLICT, "description": "The `version` is stale (`currentVersion` says the stored one), or "
                                            "the case is closed (its documents are read-only until it is "
                                            "reopened); nothing was changed"}
UPLOAD_REFUSALS = (
    (409, "The case is closed: its documents are read-only until it is reopened; nothing was stored"),
    (413, "The file is larger than `CASUS_DOCUMENT_MAX_BYTES`"),
    (415, "The file's content is no PDF, image, office document or plain text (whatever its name), or the body "
          "is not multipart/form-data"),
    (503, "The virus scanner or the document storage is unavailable (`Retry-After`); nothing was stored — a "
          "file is never kept unscanned"),
)
CORRUPT = {"schema": ProblemSchema, "description": "The stored file is damaged or missing: refused, audited, the "
                                                   "privacy officers alerted"}
CONTENT_RESPONSE = {
    "description": "The file's bytes, with the content type detected at upload; `Content-Disposition: attachment` "
                   "with the file name (RFC 6266 `filename*`), `ETag` the quoted SHA-256, `Cache-Control: private, "
                   "no-store`. The SHA-256 was verified before the first byte was sent.",
    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    "headers": {
        "ETag": {"description": "The quoted SHA-256 of the content.", "schema": {"type": "string"}},
        "Content-Disposition": {"description": "`attachment`, with the file name.", "schema": {"type": "string"}},
    },
}
NOT_MODIFIED = {"description": "`If-None-Match` named this content's `ETag`: the caller's copy is current."}


@dataclass
class DocumentView:
    """A document as the caller may see it: its current version and the versions they may read."""

    document: Document
    current: DocumentVersion
    versions: list[DocumentVersion] = field(default_factory=list)

    def __getattr__(self, name):
        return getattr(self.document, name)


def _loaded(where) -> list[Document]:
    """Documents with what the API shows of them, in a fixed number of statements."""
    query = (sa.select(Document).where(where)
             .options(joinedload(Document.uploaded_by), joinedload(Document.organisation),
                      selectinload(Document.audience),
                      selectinload(Document.versions).joinedload(DocumentVersion.uploaded_by),
                      selectinload(Document.versions).joinedload(DocumentVersion.organisation))
             .execution_options(populate_existing=True))
    return list(db.session.execute(query).unique().scalars())


def _view(user: User, document: Document, *, history: bool) -> DocumentView:
    current = next(version for version in document.versions if version.number == document.current_number)
    shown = list(document.versions) if history and policy.sees_old_versions(user, document) else [current]
    return DocumentView(document, current, shown)


def _detail(user: User, document_id: int) -> DocumentView:
    db.session.flush()
    return _view(user, _loaded(Document.id == document_id)[0], history=True)


def _refused(error: files.UploadRefused):
    """A refused upload by its reason; its audit event (denied, with the reason) is kept."""
    status = REFUSED_STATUS.get(error.reason)
    if status is None:
        raise error  # an empty file or a virus: a 400 naming `file`, like any refused field
    rollback_keeping_audit(status)
    response = problem(status, HTTP_STATUS_CODES[status], error.message)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _upload_refusals(func):
    for status, description in reversed(UPLOAD_REFUSALS):
        func = blp.alt_response(status, schema=ProblemSchema, description=description)(func)
    return func


# --- the documents of a parent -------------------------------------------------------------------------

PARENTS = (
    ("/cases/<int:id>/documents", ParentKind.CASE, "CaseDocuments", "the case"),
    ("/signals/<int:id>/documents", ParentKind.SIGNAL, "SignalDocuments", "the signal"),
    ("/agenda-items/<int:id>/documents", ParentKind.AGENDA_ITEM, "AgendaItemDocuments", "the agenda item"),
    ("/riec-referrals/<int:id>/documents", ParentKind.VOORDRACHT, "RiecReferralDocuments", "the RIEC voordracht"),
)


def _parent_documents(path: str, kind: ParentKind, name: str, what: str) -> None:
    def get(self, id):
        user = acting_user()
        ids = [document.id for document in queries.documents_of(user, get_parent(user, kind, id))]
        by_id = {document.id: document for document in _loaded(Document.id.in_(ids))}
        return [_view(user, by_id[document_id], history=False) for document_id in ids]

    def post(self, data, id):
        user = acting_user()
        parent = get_parent(user, kind, id)
        upload = data["file"]
        try:
            document = services.upload_document(
                user, parent, title=data["title"], document_type=data["document_type"],
                document_date=data["document_date"], visibility=data["visibility"],
                audience_ids=data.get("audience_ids", []), legal_basis=data["legal_basis"],
                filename=upload.filename or "", data=upload.read())
        except files.UploadRefused as error:
            return _refused(error)
        return _detail(user, document.id), 201, {"Location": url_for("documents_api.DocumentItem", id=document.id)}

    get.__doc__ = (f"The documents of {what}.\n\nThose the caller may see, newest document date first, each with "
                   "its current version (a case's list holds those of its agenda items and voordrachten too). Not "
                   f"paginated: a parent holds tens of documents. 404 when the caller may not see {what}.")
    post.__doc__ = (f"Upload a document to {what}.\n\n`multipart/form-data`: the file and its metadata. "
                    "Who may: for a case its team and the organisations taking part; for a signal its team and, "
                    "until the team handled it, its reporter; for an agenda item the meeting's team and invited "
                    "organisations taking part in the case; for a voordracht the team while it is a concept "
                    "(403 otherwise). The type is detected from the content; the file is scanned for viruses "
                    "before it is stored, encrypted. Answers the document with `Location`; audited as "
                    "`document.upload` (a refusal as denied, with the reason).")
    get = blp.response(200, DocumentSchema(many=True))(blp.alt_response(404, **NOT_FOUND)(get))
    post = blp.arguments(DocumentUploadSchema, location="multipart")(
        blp.response(201, DocumentDetailSchema, headers={"Location": {
            "description": "The new document's URL.", "schema": {"type": "string"}}})(
            blp.alt_response(403, **FORBIDDEN)(blp.alt_response(404, **NOT_FOUND)(_upload_refusals(post)))))
    blp.route(path, endpoint=name)(takes_uploads(type(name, (MethodView,), {"get": get, "post": post})))


for _path, _kind, _name, _what in PARENTS:
    _parent_documents(_path, _kind, _name, _what)


# --- one document --------------------------------------------------------------------------------------

def _version_of(query: dict, headers: dict) -> int:
    if query.get("version") is not None:
        return query["version"]
    match = ETAG_VERSION.match(headers.get("if_match") or "")
    if match is None:
        abort(400, errors={"query": {"version": [
            'Send the document\'s version as If-Match: "<version>" or as ?version=<version>.']}})
    return int(match.group(1))


def _audience_ids(document: Document) -> list[int]:
    return list(db.session.execute(sa.select(DocumentAudience.organisation_id)
                                   .where(DocumentAudience.document_id == document.id)).scalars())


@blp.route("/documents/<int:id>")
class DocumentItem(MethodView):
    @blp.response(200, DocumentDetailSchema)
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """One document.

        Its metadata and the versions the caller may see; audited as `document.view`."""
        user = acting_user()
        return _detail(user, policy.get_document(user, id).id)

    @blp.arguments(DocumentUpdateSchema)
    @blp.response(200, DocumentDetailSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def patch(self, data, id):
        """Change a document's metadata.

        The fields given replace the stored ones, `audienceOrganisationIds` as a whole; `version` is required.
        The uploading organisation and the case's team only; audited as `document.update`."""
        user = acting_user()
        document = policy.get_document(user, id, action="document.update")
        stored = {"title": document.title, "document_type": document.document_type,
                  "document_date": document.document_date, "visibility": document.visibility,
                  "audience_ids": _audience_ids(document), "legal_basis": document.legal_basis}
        version = data.pop("version")
        services.update_document(user, document, expected_version=version, **{**stored, **data})
        return _detail(user, document.id)

    @blp.arguments(DocumentVersionQuerySchema, location="query")
    @blp.arguments(DocumentIfMatchSchema, location="headers")
    @blp.response(204)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CONFLICT)
    def delete(self, query, headers, id):
        """Delete a document.

        The document and all its versions. The document's `version` goes in `If-Match: "<version>"` or
        `?version=`. The uploading organisation and the case's team only; audited as `document.delete`."""
        user = acting_user()
        document = policy.get_document(user, id, action="document.delete")
        services.delete_document(user, document, expected_version=_version_of(query, headers))
        return None


@takes_uploads
@blp.route("/documents/<int:id>/versions")
class DocumentVersions(MethodView):
    @blp.arguments(DocumentVersionUploadSchema, location="multipart")
    @blp.response(201, DocumentDetailSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @_upload_refusals
    @blp.alt_response(409, **CONFLICT)  # applied first, so it names both reasons for a 409 here
    def post(self, data, id):
        """Upload a new version.

        `multipart/form-data`: the file and the document's `version`. It becomes the current one; earlier
        versions stay for the case's team and the uploading organisation. The same checks as an upload; audited
        as `document.version`."""
        user = acting_user()
        document = policy.get_document(user, id, action="document.version")
        upload = data["file"]
        try:
            services.add_version(user, document, filename=upload.filename or "", data=upload.read(),
                                 expected_version=data["version"])
        except files.UploadRefused as error:
            return _refused(error)
        return _detail(user, document.id)


# --- content -------------------------------------------------------------------------------------------

def _disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback name and the exact name as RFC 6266 ``filename*``."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    fallback = re.sub(r'[^\x20-\x7e]|["\\]', "", fallback).strip() or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _content(id: int, headers: dict, number: int | None = None):
    user = acting_user()
    document = policy.get_document(user, id, action="document.download")
    try:
        download = services.open_for_download(user, document, number=number)
    except services.DocumentCorrupt as error:
        # Answered without rolling back: the audit event and the privacy officers' alert must stay.
        return problem(409, HTTP_STATUS_CODES[409], error.message)
    except files.DocumentStorageUnavailable as error:
        rollback_keeping_audit(503)
        response = problem(503, HTTP_STATUS_CODES[503], error.message)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if parse_etags(headers.get("if_none_match")).contains_weak(download.sha256):
        response = Response(status=304)
    else:
        response = Response(download.data, content_type=download.content_type)
        response.headers["Content-Disposition"] = _disposition(download.filename)
    response.set_etag(download.sha256)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/documents/<int:id>/content")
class DocumentContent(MethodView):
    @blp.arguments(IfNoneMatchSchema, location="headers")
    @blp.response(200, description=CONTENT_RESPONSE["description"])
    @blp.doc(responses={"200": CONTENT_RESPONSE, "304": NOT_MODIFIED})
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CORRUPT)
    @blp.alt_response(503, schema=ProblemSchema, description="The document storage is unavailable "
                                                             "(`Retry-After`)")
    def get(self, headers, id):
        """Download the current version.

        The bytes, checked against their SHA-256 before they are sent; audited as `document.download`."""
        return _content(id, headers)


@blp.route("/documents/<int:id>/versions/<int:number>/content")
class DocumentVersionContent(MethodView):
    @blp.arguments(IfNoneMatchSchema, location="headers")
    @blp.response(200, description=CONTENT_RESPONSE["description"])
    @blp.doc(responses={"200": CONTENT_RESPONSE, "304": NOT_MODIFIED})
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CORRUPT)
    @blp.alt_response(503, schema=ProblemSchema, description="The document storage is unavailable "
                                                             "(`Retry-After`)")
    def get(self, headers, id, number):
        """Download one version.

        Version `number` (1 is the first upload): earlier versions for the case's team and the uploading
        organisation only (403 for others who see the document). Audited as `document.download`."""
        return _content(id, headers, number)
