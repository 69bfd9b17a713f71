"""Data-subject requests as the API shows them: camelCase keys, Dutch domain values."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, StrictBoolean, UTCDateTime
from casus.services import MAX_TEXT
from casus.subject_requests.models import (
    IdentityCheck,
    RequestKind,
    RequestOutcome,
    RequestStatus,
    WithholdingGround,
)


class PersonSchema(Schema):
    """The person as the requester identified themselves."""

    bsn = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    dateOfBirth = fields.Date(attribute="date_of_birth", allow_none=True)
    postcode = fields.String(allow_none=True)
    huisnummer = fields.Integer(allow_none=True)
    toevoeging = fields.String(allow_none=True)


class SubjectRequestSchema(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"example": "AVG-2026-0001"})
    kind = fields.String(validate=validate.OneOf(RequestKind.values()))
    status = fields.String(validate=validate.OneOf(RequestStatus.values()))
    person = fields.Function(lambda subject_request: PersonSchema().dump(subject_request),
                             metadata={"type": "object"})
    identityCheck = fields.String(attribute="identity_check", validate=validate.OneOf(IdentityCheck.values()))
    identityNote = fields.String(attribute="identity_note", allow_none=True)
    description = fields.String(allow_none=True)
    receivedOn = fields.Date(attribute="received_on")
    deadlineOn = fields.Date(attribute="deadline_on", metadata={"description": "One month after receipt."})
    extendedDeadlineOn = fields.Date(attribute="extended_deadline_on", allow_none=True)
    dueOn = fields.Date(attribute="due_on", metadata={"description": "The deadline in force."})
    extensionReason = fields.String(attribute="extension_reason", allow_none=True)
    extensionLetterOn = fields.Date(attribute="extension_letter_on", allow_none=True)
    outcome = fields.String(allow_none=True, validate=validate.OneOf(RequestOutcome.values()))
    outcomeNote = fields.String(attribute="outcome_note", allow_none=True)
    completedOn = fields.Date(attribute="completed_on", allow_none=True)
    registeredAt = UTCDateTime(attribute="registered_at")
    packageProducedAt = UTCDateTime(attribute="package_produced_at", allow_none=True)
    matchedSubjectIds = fields.Method("matched_ids", metadata={"type": "array", "items": {"type": "integer"}})
    version = fields.Integer(metadata={"description": "Send it back with a change."})

    def matched_ids(self, subject_request) -> list[int]:
        return [match.subject_id for match in subject_request.matches if match.subject_id is not None]


class SubjectRequestListSchema(Schema):
    items = fields.List(fields.Nested(SubjectRequestSchema))


class SubjectRequestListArgsSchema(InputSchema):
    status = fields.String(load_default="open", validate=validate.OneOf(("open", "all")))


class RegistrationInputSchema(InputSchema):
    kind = fields.String(required=True, validate=validate.OneOf(RequestKind.values()))
    bsn = fields.String(load_default=None, validate=validate.Length(max=11))
    name = fields.String(load_default=None, validate=validate.Length(max=200))
    dateOfBirth = fields.Date(attribute="date_of_birth", data_key="dateOfBirth", load_default=None)
    postcode = fields.String(load_default=None, validate=validate.Length(max=7))
    huisnummer = fields.Integer(load_default=None, validate=validate.Range(min=1, max=99999))
    toevoeging = fields.String(load_default=None, validate=validate.Length(max=6))
    identityCheck = fields.String(attribute="identity_check", data_key="identityCheck", required=True,
                                  validate=validate.OneOf(IdentityCheck.values()))
    identityNote = fields.String(attribute="identity_note", data_key="identityNote", load_default=None,
                                 validate=validate.Length(max=MAX_TEXT))
    receivedOn = fields.Date(attribute="received_on", data_key="receivedOn", required=True)
    description = fields.String(load_default=None, validate=validate.Length(max=MAX_TEXT))


def _version() -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The request's `version` as last read; a stale one answers 409."})


class ExtensionInputSchema(InputSchema):
    months = fields.Integer(required=True, validate=validate.OneOf((1, 2)))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    letterOn = fields.Date(attribute="letter_on", data_key="letterOn", required=True)
    version = _version()


class CompletionInputSchema(InputSchema):
    outcome = fields.String(required=True, validate=validate.OneOf(RequestOutcome.values()))
    note = fields.String(load_default=None, validate=validate.Length(max=MAX_TEXT))
    version = _version()


class MatchInputSchema(InputSchema):
    subjectId = fields.Integer(attribute="subject_id", data_key="subjectId", required=True,
                               validate=validate.Range(min=1))


class ItemDecisionInputSchema(InputSchema):
    withheld = StrictBoolean(required=True)
    ground = fields.String(load_default=None, validate=validate.OneOf(WithholdingGround.values()))
    groundNote = fields.String(attribute="ground_note", data_key="groundNote", load_default=None,
                               validate=validate.Length(max=MAX_TEXT))


class ItemDecisionSchema(Schema):
    itemKey = fields.String(attribute="item_key")
    kind = fields.String(attribute="item_kind")
    withheld = StrictBoolean()
    ground = fields.String(allow_none=True)
    groundNote = fields.String(attribute="ground_note", allow_none=True)


class PackageArgsSchema(InputSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "pdf")))


class AppearanceSchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    team = fields.String()


class CandidateSchema(Schema):
    """A subject that matches the request's identification, and where it appears (no case content)."""

    subjectId = fields.Function(lambda candidate: candidate.subject.id, metadata={"type": "integer"})
    kind = fields.Function(lambda candidate: getattr(candidate.subject.kind, "value", candidate.subject.kind),
                           metadata={"type": "string"})
    name = fields.Function(lambda candidate: candidate.subject.name, metadata={"type": "string", "nullable": True})
    dateOfBirth = fields.Function(lambda candidate: candidate.subject.date_of_birth,
                                  metadata={"type": "string", "format": "date", "nullable": True})
    bsn = fields.Function(lambda candidate: candidate.subject.bsn, metadata={"type": "string", "nullable": True})
    matchedOn = fields.List(fields.String(), attribute="matched_on", metadata={
        "description": "`bsn`, `name` (with date of birth) and/or `address`."})
    cases = fields.List(fields.Nested(AppearanceSchema))
    signals = fields.List(fields.Nested(AppearanceSchema))
    confirmed = StrictBoolean()


class CandidateListSchema(Schema):
    items = fields.List(fields.Nested(CandidateSchema))


class PackageSchema(Schema):
    """The machine-readable inzage package (``inzage.as_json``): passed through as built."""

    class Meta:
        unknown = "include"

    request = fields.Dict(metadata={"description": "`reference`, `kind`, `receivedOn`."})
    producedAt = fields.String()
    items = fields.List(fields.Dict(), metadata={
        "description": "Each item: `itemKey`, `kind` (`subject`, `relation`, `case`, `note`, `action`, "
                       "`assessment`, `checkin`, `minutes`, `document`, `signal`, `access`), `withheld`; a released "
                       "item its `title` and content fields (a `document`: `case` or `signal`, `documentTitle`, "
                       "`documentType`, `date`, `organisation`, `filename`, `versions`, `sha256`), a withheld one "
                       "only its `ground`."})
