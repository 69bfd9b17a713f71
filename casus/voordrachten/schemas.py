"""RIEC voordrachten over the API (resource name ``riec-referrals``): two projections of one resource.

The case's team gets ``RiecReferral`` (everything, with the case it belongs to); a riec user of the addressee
gets ``SharedRiecReferral``: only what the voordracht shares — its number, summary, indicators, legal basis,
urgency and the shared subjects without BSN — and nothing of the case (no case id, reference or title).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, OneOfNested, UTCDateTime
from casus.cases.schemas import CursorPageSchema, UserSummarySchema
from casus.subjects.models import SubjectKind
from casus.users.schemas import OrganisationRefSchema
from casus.voordrachten.drafting import MAX_INDICATOR_OTHER, MAX_SUMMARY
from casus.voordrachten.models import RiecIndicator, RiecLegalBasis, Urgency
from casus.voordrachten.services import MAX_ADVICE, MAX_REFERENCE, RIEC_TRIGGERS, TEAM_TRIGGERS, number_of
from workflow import VoordrachtState

STATES = [state.value for state in VoordrachtState]
RIEC_STATES = ["ingediend", "aangenomen", "teruggelegd"]


def _one_of(enum_cls) -> validate.OneOf:
    return validate.OneOf(enum_cls.values())


def _version(what: str = "The referral's `version` as last read; a stale one answers 409.") -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": what})


# --- subjects -------------------------------------------------------------------------------------------------

class SharedSubjectSchema(Schema):
    """A betrokkene as the RIEC receives it: no BSN, no link to anything else."""

    kind = fields.String(validate=validate.OneOf([kind.value for kind in SubjectKind]))
    name = fields.String(allow_none=True, metadata={"description": "A person's or a business's name."})
    dateOfBirth = fields.Date(attribute="date_of_birth", allow_none=True)
    postcode = fields.String(allow_none=True)
    huisnummer = fields.Integer(allow_none=True)
    toevoeging = fields.String(allow_none=True)
    kvkNummer = fields.String(attribute="kvk_nummer", allow_none=True)


class ReferralSubjectSchema(SharedSubjectSchema):
    """A shared betrokkene as the team sees it: with its id and the last three digits of a BSN."""

    id = fields.Integer()
    bsnMasked = fields.Function(lambda subject: f"******{subject.bsn[-3:]}" if subject.bsn else None,
                                metadata={"type": "string", "nullable": True, "example": "******123"})


# --- the team's projection ---------------------------------------------------------------------------------------

class RiecReferralSummarySchema(Schema):
    id = fields.Integer()
    number = fields.Function(number_of, metadata={"type": "string", "example": "RV-12"})
    caseId = fields.Integer(attribute="case_id", required=True, metadata={
        "description": "Always present in the team's projection, never in `SharedRiecReferral`."})
    caseReference = fields.String(attribute="case_reference", metadata={"example": "2026-00042"})
    state = fields.String(validate=validate.OneOf(STATES))
    urgency = fields.String(validate=_one_of(Urgency))
    indicators = fields.List(fields.String(validate=_one_of(RiecIndicator)))
    addressee = fields.Nested(OrganisationRefSchema, metadata={"description": "The RIEC it is addressed to."})
    createdAt = UTCDateTime(attribute="created_at")
    submittedAt = UTCDateTime(attribute="submitted_at", allow_none=True)
    sentAt = UTCDateTime(attribute="sent_at", allow_none=True)
    answeredAt = UTCDateTime(attribute="answered_at", allow_none=True)
    updatedAt = UTCDateTime(attribute="updated_at")
    version = fields.Integer()


class RiecReferralSchema(RiecReferralSummarySchema):
    """One voordracht as its case's team sees it."""

    summary = fields.String()
    indicatorOther = fields.String(attribute="indicator_other", allow_none=True)
    legalBasis = fields.String(attribute="legal_basis", validate=_one_of(RiecLegalBasis))
    subjects = fields.List(fields.Nested(ReferralSubjectSchema))
    createdBy = fields.Nested(UserSummarySchema, attribute="created_by")
    rejectionMotivation = fields.String(attribute="rejection_motivation", allow_none=True)
    riecReference = fields.String(attribute="riec_reference", allow_none=True)
    riecAdvice = fields.String(attribute="riec_advice", allow_none=True)
    approvalId = fields.Integer(attribute="approval_id", allow_none=True, metadata={
        "description": "The latest four-eyes request (`/approvals/{id}`); approve or reject it there."})




# --- the RIEC's projection ---------------------------------------------------------------------------------------

class ReferralSenderSchema(Schema):
    name = fields.String(metadata={"description": "The team that sent it."})
    gemeente = fields.String()


class SharedRiecReferralSummarySchema(Schema):
    id = fields.Integer()
    number = fields.Function(number_of, metadata={"type": "string", "example": "RV-12"})
    state = fields.String(validate=validate.OneOf(RIEC_STATES))
    urgency = fields.String(validate=_one_of(Urgency))
    indicators = fields.List(fields.String(validate=_one_of(RiecIndicator)))
    indicatorOther = fields.String(attribute="indicator_other", allow_none=True)
    summary = fields.String(required=True, metadata={
        "description": "Always present in the RIEC's projection, never in `RiecReferralSummary`."})
    sentAt = UTCDateTime(attribute="sent_at")
    answeredAt = UTCDateTime(attribute="answered_at", allow_none=True)
    version = fields.Integer()


class SharedRiecReferralSchema(SharedRiecReferralSummarySchema):
    """One voordracht as the RIEC it is addressed to sees it: what it shares, nothing of the case."""

    legalBasis = fields.String(attribute="legal_basis", validate=_one_of(RiecLegalBasis))
    sender = fields.Nested(ReferralSenderSchema)
    subjects = fields.List(fields.Nested(SharedSubjectSchema))
    riecReference = fields.String(attribute="riec_reference", allow_none=True)
    riecAdvice = fields.String(attribute="riec_advice", allow_none=True)


class RiecReferralPageSchema(CursorPageSchema):
    """A page of voordrachten, each in the caller's projection: the case's team gets `RiecReferralSummary`, a
    riec user of the addressee `SharedRiecReferralSummary` (the required `caseId` and `summary` tell them apart)."""

    items = fields.List(OneOfNested(RiecReferralSummarySchema, SharedRiecReferralSummarySchema))


# --- input -----------------------------------------------------------------------------------------------------

class RiecReferralListArgsSchema(InputSchema):
    state = fields.String(validate=validate.OneOf(STATES))
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=200), metadata={
        "description": "The `next` value of the previous page (opaque)."})


class RiecReferralInputSchema(InputSchema):
    """A new concept. Every field is checked, and every problem reported at once."""

    summary = fields.String(required=True, validate=validate.Length(min=1, max=MAX_SUMMARY), metadata={
        "description": "Written for the RIEC: only what it needs."})
    subjectIds = fields.List(fields.Integer(validate=validate.Range(min=1)), attribute="subject_ids", required=True,
                             validate=validate.Length(min=1, max=100), metadata={
                                 "description": "Subjects of the case to share, chosen explicitly."})
    indicators = fields.List(fields.String(validate=_one_of(RiecIndicator)), required=True,
                             validate=validate.Length(min=1))
    indicatorOther = fields.String(attribute="indicator_other", load_default=None, allow_none=True,
                                   validate=validate.Length(max=MAX_INDICATOR_OTHER), metadata={
                                       "description": "Required with the indicator `overig`."})
    legalBasis = fields.String(attribute="legal_basis", required=True, validate=_one_of(RiecLegalBasis))
    urgency = fields.String(load_default=Urgency.REGULIER.value, validate=_one_of(Urgency))
    addresseeOrganisationId = fields.Integer(attribute="addressee_organisation_id", required=True,
                                             validate=validate.Range(min=1), metadata={
                                                 "description": "An active organisation of kind `riec`."})


class RiecReferralUpdateSchema(InputSchema):
    """``PATCH``: only the keys present change (concepts only)."""

    version = _version()
    summary = fields.String(validate=validate.Length(min=1, max=MAX_SUMMARY))
    subjectIds = fields.List(fields.Integer(validate=validate.Range(min=1)), attribute="subject_ids",
                             validate=validate.Length(min=1, max=100))
    indicators = fields.List(fields.String(validate=_one_of(RiecIndicator)), validate=validate.Length(min=1))
    indicatorOther = fields.String(attribute="indicator_other", allow_none=True,
                                   validate=validate.Length(max=MAX_INDICATOR_OTHER))
    legalBasis = fields.String(attribute="legal_basis", validate=_one_of(RiecLegalBasis))
    urgency = fields.String(validate=_one_of(Urgency))
    addresseeOrganisationId = fields.Integer(attribute="addressee_organisation_id", validate=validate.Range(min=1))


class RiecReferralTransitionInputSchema(InputSchema):
    trigger = fields.String(required=True, validate=validate.OneOf(sorted(TEAM_TRIGGERS | RIEC_TRIGGERS)), metadata={
        "description": "`submit`, `revise` and `send_to_riec` (the case's team); `accept` and `return_with_advice` "
                       "(the RIEC it is addressed to). Approving and rejecting is a four-eyes decision: "
                       "`POST /approvals/{id}/decision`."})
    riecReference = fields.String(attribute="riec_reference", load_default=None,
                                  validate=validate.Length(max=MAX_REFERENCE), metadata={
                                      "description": "The RIEC's own casus reference; required to `accept`."})
    advice = fields.String(load_default=None, validate=validate.Length(max=MAX_ADVICE), metadata={
        "description": "The RIEC's advice and motivation; required to `return_with_advice`."})
    version = _version()
