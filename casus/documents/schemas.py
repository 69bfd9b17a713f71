"""Documents as the API shows and takes them (camelCase; types, visibility and legal basis as their Dutch values).

An upload is ``multipart/form-data``: the file in ``file`` and the metadata as form fields, typed as their fields
say (``casus.api.blueprint.StrictParser``'s ``multipart`` location); ``audienceOrganisationIds`` is repeated once
per organisation. Metadata changes are JSON and carry the document's ``version``.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from casus.api.schemas import InputSchema, UTCDateTime
from casus.cases.schemas import UserSummarySchema
from casus.documents.models import DocumentType, DocumentVisibility, SharingBasis
from casus.users.schemas import OrganisationRefSchema

MAX_TITLE = 200  # Document.title
MAX_AUDIENCE = 50


def _one_of(enum) -> validate.OneOf:
    return validate.OneOf([member.value for member in enum])


class UploadField(fields.Field):
    """The file part of a multipart body: a non-empty upload, documented as binary."""

    def __init__(self, **kwargs) -> None:
        metadata = {"type": "string", "format": "binary", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError("Send the file as a part of a multipart/form-data body.")
        return value


# --- what the API shows ---------------------------------------------------------------------------------

class DocumentVersionSchema(Schema):
    number = fields.Integer(metadata={"description": "1 for the first upload, one up for every new version."})
    filename = fields.String(metadata={"description": "As the uploader named the file."})
    contentType = fields.String(attribute="content_type", metadata={
        "description": "As detected from the content, never as the client claimed.", "example": "application/pdf"})
    size = fields.Integer(metadata={"description": "In bytes."})
    sha256 = fields.String(metadata={"description": "The SHA-256 of the content (hex); the download's `ETag`.",
                                     "example": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"})
    uploadedBy = fields.Nested(UserSummarySchema, attribute="uploaded_by")
    organisation = fields.Nested(OrganisationRefSchema, metadata={"description": "The uploader's organisation."})
    uploadedAt = UTCDateTime(attribute="uploaded_at")
    scanResult = fields.String(attribute="scan_result", allow_none=True, metadata={
        "description": "What the virus scanner said, or null when no scanner is configured.",
        "example": "ClamAV 1.0.9: OK"})


class DocumentSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    documentType = fields.String(attribute="document_type", validate=_one_of(DocumentType))
    documentDate = fields.Date(attribute="document_date")
    visibility = fields.String(validate=_one_of(DocumentVisibility), metadata={
        "description": "As notes: `alle_deelnemers` (everyone who sees what it hangs on), `eigen_organisatie` "
                       "(the uploader's organisation), `genoemde_organisaties` (those in "
                       "`audienceOrganisationIds`, and the uploader's)."})
    audienceOrganisationIds = fields.Method("audience_of", metadata={
        "type": "array", "items": {"type": "integer"},
        "description": "For `genoemde_organisaties`: the organisations that may see the document."})
    legalBasis = fields.String(attribute="legal_basis", validate=_one_of(SharingBasis), metadata={
        "description": "The ground on which the uploading organisation shares the document."})
    caseId = fields.Integer(attribute="case_id", allow_none=True)
    signalId = fields.Integer(attribute="signal_id", allow_none=True)
    agendaItemId = fields.Integer(attribute="agenda_item_id", allow_none=True)
    voordrachtId = fields.Integer(attribute="voordracht_id", allow_none=True, metadata={
        "description": "The RIEC voordracht (`/riec-referrals/{id}`) it hangs on, if any."})
    uploadedBy = fields.Nested(UserSummarySchema, attribute="uploaded_by")
    organisation = fields.Nested(OrganisationRefSchema, metadata={"description": "The uploader's organisation."})
    createdAt = UTCDateTime(attribute="created_at")
    updatedAt = UTCDateTime(attribute="updated_at")
    current = fields.Nested(DocumentVersionSchema, metadata={
        "description": "The current (newest) version; `GET /documents/{id}/content` downloads it."})
    version = fields.Integer(metadata={
        "description": "The document's `version`, for `PATCH`, `DELETE` and a new version (not a file version)."})

    def audience_of(self, document) -> list[int]:
        return sorted(member.organisation_id for member in document.audience)


class DocumentDetailSchema(DocumentSchema):
    versions = fields.List(fields.Nested(DocumentVersionSchema), metadata={
        "description": "Oldest first. Earlier versions only for the case's team and the uploader's organisation; "
                       "everyone else sees the current one alone."})


# --- what the API takes ---------------------------------------------------------------------------------

def _audience():
    return fields.List(fields.Integer(validate=validate.Range(min=1)), attribute="audience_ids",
                       validate=validate.Length(max=MAX_AUDIENCE), metadata={
                           "description": "For `genoemde_organisaties`: organisations that take part (in a "
                                          "multipart body: the field once per organisation)."})


class DocumentUploadSchema(InputSchema):
    """``multipart/form-data``: the file and its metadata."""

    file = UploadField(required=True, metadata={
        "description": "The file: a PDF, an image, an office document or plain text, by its content (whatever "
                       "its name or the part's content type). At most `CASUS_DOCUMENT_MAX_BYTES`."})
    title = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TITLE))
    documentType = fields.String(required=True, attribute="document_type", validate=_one_of(DocumentType))
    documentDate = fields.Date(required=True, attribute="document_date", metadata={
        "description": "The date the document bears."})
    visibility = fields.String(required=True, validate=_one_of(DocumentVisibility))
    audienceOrganisationIds = _audience()
    legalBasis = fields.String(required=True, attribute="legal_basis", validate=_one_of(SharingBasis))


class DocumentVersionUploadSchema(InputSchema):
    """``multipart/form-data``: a new version's file and the document's ``version`` as last read."""

    file = UploadField(required=True, metadata={"description": "The new version's file (the same rules)."})
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The document's `version` as last read; a stale one answers 409."})


class DocumentUpdateSchema(InputSchema):
    """The fields given replace the stored ones; ``version`` is required."""

    title = fields.String(validate=validate.Length(min=1, max=MAX_TITLE))
    documentType = fields.String(attribute="document_type", validate=_one_of(DocumentType))
    documentDate = fields.Date(attribute="document_date")
    visibility = fields.String(validate=_one_of(DocumentVisibility))
    audienceOrganisationIds = _audience()
    legalBasis = fields.String(attribute="legal_basis", validate=_one_of(SharingBasis))
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The document's `version` as last read; a stale one answers 409."})


class DocumentVersionQuerySchema(InputSchema):
    version = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "The document's `version`; alternatively send it as `If-Match: \"<version>\"`."})


class DocumentIfMatchSchema(Schema):
    if_match = fields.String(data_key="If-Match", metadata={
        "description": "The document's `version` as an entity tag: `\"3\"`."})


class IfNoneMatchSchema(Schema):
    if_none_match = fields.String(data_key="If-None-Match", metadata={
        "description": "The `ETag` of a copy the caller holds (`\"<sha256>\"`): unchanged answers 304 without "
                       "a body."})
