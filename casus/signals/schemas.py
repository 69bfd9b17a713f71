"""Signals as the API reads and writes them: camelCase keys, Dutch domain values, ISO dates.

Betrokkenen are checked with the same rules as the web form (:func:`casus.subjects.services.subject_errors`),
so the API names every wrong field (``subjects.0.bsn``) with the same Dutch message.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casus.api.schemas import InputSchema, StrictBoolean, UTCDateTime
from casus.cases.models import LegalBasis, RiskLevel
from casus.clock import today
from casus.services import MAX_TEXT
from casus.signals.models import SignalStatus, Urgency
from casus.signals.services import MAX_SUBJECTS
from casus.subjects.models import SubjectKind
from casus.subjects.services import SubjectInput, subject_errors

# subject_errors names fields as the models do; the API uses camelCase.
API_FIELD = {"kind": "kind", "name": "name", "date_of_birth": "dateOfBirth", "bsn": "bsn", "postcode": "postcode",
             "huisnummer": "huisnummer", "toevoeging": "toevoeging", "kvk_nummer": "kvkNummer"}


class SubjectInputSchema(InputSchema):
    kind = fields.String(required=True, validate=validate.OneOf([kind.value for kind in SubjectKind]),
                         metadata={"description": "`persoon`, `adres`, `bedrijf`, `huishouden` or `groep` "
                                                 "(a household or group: a name; its members are related on the "
                                                 "case once it exists)."})
    name = fields.String(allow_none=True, validate=validate.Length(max=200),
                         metadata={"description": "Required for a person, business, household or group."})
    dateOfBirth = fields.Date(allow_none=True, metadata={"description": "A person's date of birth (ISO 8601)."})
    bsn = fields.String(allow_none=True, validate=validate.Length(max=20), metadata={
        "description": "Optional, for a person: nine digits that pass the 11-proef. Never sent in a URL."})
    postcode = fields.String(allow_none=True, validate=validate.Length(max=10),
                             metadata={"description": "`1234 AB`; required for an address.", "example": "1234 AB"})
    huisnummer = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=99999),
                                metadata={"description": "Required with a postcode."})
    toevoeging = fields.String(allow_none=True, validate=validate.Length(max=10))
    kvkNummer = fields.String(allow_none=True, validate=validate.Length(max=12),
                              metadata={"description": "Required for a business: eight digits."})

    @validates_schema(skip_on_field_errors=True)
    def _check_subject(self, data, **_kwargs):
        errors = subject_errors(to_subject_input(data), today())
        if errors:
            raise ValidationError({API_FIELD[name]: [message] for name, message in errors.items()})


def to_subject_input(data: dict) -> SubjectInput:
    huisnummer = data.get("huisnummer")
    return SubjectInput(kind=data["kind"], name=data.get("name"), date_of_birth=data.get("dateOfBirth"),
                        bsn=data.get("bsn") or None, postcode=data.get("postcode") or None,
                        huisnummer=str(huisnummer) if huisnummer is not None else None,
                        toevoeging=data.get("toevoeging") or None, kvk_nummer=data.get("kvkNummer") or None)


class SignalInputSchema(InputSchema):
    categoryId = fields.Integer(required=True)
    teamId = fields.Integer(required=True, metadata={"description": "The team (gemeente) that receives the signal."})
    description = fields.String(required=True, validate=validate.Length(
        min=1, max=MAX_TEXT, error="Een beschrijving is 1 tot {max} tekens."))
    urgency = fields.String(load_default=Urgency.NORMAAL.value,
                            validate=validate.OneOf([urgency.value for urgency in Urgency]))
    subjects = fields.List(fields.Nested(SubjectInputSchema), required=True, validate=validate.Length(
        min=1, max=MAX_SUBJECTS, error="Geef 1 tot {max} betrokkenen."))


class SignalListQuerySchema(InputSchema):
    cursor = fields.String(metadata={"description": "The `next` cursor of the previous page."})
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))


class SignalTeamSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    gemeente = fields.String()


class SignalOrganisationSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class SignalSubjectSchema(Schema):
    kind = fields.String(validate=validate.OneOf([kind.value for kind in SubjectKind]))
    displayName = fields.String(allow_none=True, metadata={
        "description": "Name or address. The team that weighs the signal sees the subject as it is now; the "
                       "reporter sees what it typed itself (null for signals from before version 1.1)."})


class SignalSchema(Schema):
    """A signal as every user who may see it sees it: content and status, never the case behind it
    unless the caller may see that case (``caseId`` is null otherwise)."""

    id = fields.Integer()
    reference = fields.String(metadata={"example": "S-2026-000042"})
    status = fields.String(validate=validate.OneOf([status.value for status in SignalStatus]))
    receivedAt = UTCDateTime(attribute="received_at")
    category = fields.Function(lambda signal: signal.category.code, metadata={"type": "string",
                                                                              "example": "woonoverlast"})
    urgency = fields.String(validate=validate.OneOf([urgency.value for urgency in Urgency]))
    team = fields.Nested(SignalTeamSchema)
    reportingOrganisation = fields.Nested(SignalOrganisationSchema, attribute="reporting_organisation")
    caseId = fields.Integer(allow_none=True, attribute="visible_case_id", metadata={
        "description": "The case this signal is bundled into, only when the caller may see that case."})


class SignalDetailSchema(SignalSchema):
    description = fields.String()
    subjects = fields.List(fields.Nested(SignalSubjectSchema), attribute="subject_list")


class KnownElsewhereSchema(Schema):
    contactName = fields.String(attribute="contact_name")
    contactTeam = fields.String(attribute="contact_team")


class ReportedSignalSchema(SignalDetailSchema):
    knownElsewhere = fields.List(fields.Nested(KnownElsewhereSchema), attribute="known_elsewhere", metadata={
        "description": "Subjects already known in a case the caller may not see: only whom to contact."})
    knownElsewhereLimitReached = StrictBoolean(attribute="known_elsewhere_limit_reached", metadata={
        "description": "The caller has had today's number of known-elsewhere hints (CASUS_KNOWN_ELSEWHERE_PER_DAY): "
                       "until tomorrow `knownElsewhere` stays empty, whether or not a subject is known. The "
                       "signal is saved all the same."})


class SignalPageSchema(Schema):
    items = fields.List(fields.Nested(SignalSchema))
    next = fields.String(allow_none=True, metadata={
        "description": "The URL of the next page, or null on the last page."})


MAX_BUNDLE = 100  # a duplicate group; the triage queue's page size


class SignalBundleInputSchema(InputSchema):
    signalIds = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)), required=True,
        validate=validate.Length(min=1, max=MAX_BUNDLE, error="Geef 1 tot {max} signalen."), metadata={
            "description": "Pending signals of the caller's team, bundled into one new case. The first one's "
                           "reporter becomes the aanbrenger and its category the case's; duplicates count once."})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200,
                                                                  error="Een titel is 1 tot {max} tekens."))
    riskLevel = fields.String(load_default=RiskLevel.MIDDEN.value,
                              validate=validate.OneOf([level.value for level in RiskLevel]))
    legalBasis = fields.String(load_default=LegalBasis.CONVENANT.value,
                               validate=validate.OneOf([basis.value for basis in LegalBasis]), metadata={
        "description": "On what the aanbrenger shares: `convenant` (a convenant partner) or "
                       "`geheimhoudingsverklaring` with `confidentialitySignedOn`."})
    confidentialitySignedOn = fields.Date(allow_none=True, load_default=None)


class SignalBundleSchema(Schema):
    caseId = fields.Integer(attribute="case_id")
    caseReference = fields.String(attribute="case_reference", metadata={"example": "2026-00042"})
    signals = fields.List(fields.Nested(SignalSchema), metadata={
        "description": "The bundled signals, each now `in_triage` with `caseId` set."})
