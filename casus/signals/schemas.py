"""Signals as the API reads and writes them: camelCase keys, Dutch domain values, ISO dates.

Betrokkenen are :class:`casus.subjects.schemas.SubjectInputSchema`, checked with the same rules as the web form, so
the API names every wrong field (``subjects.0.bsn``) with the same Dutch message.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, StrictBoolean, UTCDateTime
from casus.cases.models import LegalBasis, RiskLevel
from casus.services import MAX_TEXT
from casus.signals.models import SignalStatus, Urgency
from casus.signals.services import MAX_SUBJECTS
from casus.subjects.models import SubjectKind
from casus.subjects.schemas import SubjectInputSchema


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
