"""The case file as the API shows it: camelCase keys, Dutch domain values (phases, roles, results).

Input schemas reject unknown keys (400, every error listed); writes that change a case carry its
``version`` and answer 409 when it is stale.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, StrictBoolean, UTCDateTime
from casus.cases.models import Archiefnominatie, Archiefstatus, LegalBasis, NoteVisibility, RiskLevel
from casus.i18n import current_locale
from casus.services import MAX_TEXT
from casus.users.schemas import OrganisationRefSchema, TeamRefSchema
from workflow import CasePhase, ClosureResult, EscalationLevel, InclusionCriterion, ParticipationRole, TriageOutcome

SORTS = ("updatedAt", "reference", "nextReview")


def _one_of(values) -> validate.OneOf:
    return validate.OneOf([str(value) for value in values])


def _version(description: str = "The case's `version` as last read; a stale one answers 409.") -> fields.Integer:
    return fields.Integer(required=True, validate=validate.Range(min=1), metadata={"description": description})



# --- building blocks --------------------------------------------------------------------------------------

class UserSummarySchema(Schema):
    id = fields.Integer()
    name = fields.String()


class CaseCategorySchema(Schema):
    code = fields.String(metadata={"example": "woonoverlast"})
    label = fields.Method("label_of", metadata={"type": "string", "example": "Woonoverlast",
                                                "description": "In the caller's language."})

    def label_of(self, category) -> str:
        return category.label(current_locale())


class CursorPageLinksSchema(Schema):
    next = fields.String(allow_none=True, metadata={
        "description": "The URL of the next page, or null on the last page."})


class CursorPageSchema(Schema):
    """A page of a keyset-paginated list: subclasses declare ``items``."""

    next = fields.String(allow_none=True, metadata={
        "description": "The cursor of the next page (pass it as `cursor`), or null on the last page."})
    links = fields.Nested(CursorPageLinksSchema)


# --- the case list ----------------------------------------------------------------------------------------

class CaseListArgsSchema(InputSchema):
    """Query string of ``GET /cases``."""

    phase = fields.String(validate=_one_of(CasePhase))
    category = fields.String(validate=validate.Length(min=1, max=40), metadata={
        "description": "A category code, e.g. `woonoverlast`."})
    teamId = fields.Integer(attribute="team_id", validate=validate.Range(min=1))
    procesregisseurId = fields.Integer(attribute="procesregisseur_id", validate=validate.Range(min=1))
    escalationLevel = fields.String(attribute="escalation_level", validate=_one_of(EscalationLevel))
    overdue = StrictBoolean(metadata={
        "description": "`true`: only cases whose review date or triage deadline has passed."})
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "Search within the visible cases: a reference (`2026-00042`, or its start), a "
                       "betrokkene's name or a postcode. Audited with its terms."})
    sort = fields.String(load_default="-updatedAt", validate=validate.OneOf(
        [*SORTS, *(f"-{name}" for name in SORTS)]), metadata={
        "description": "`updatedAt`, `reference` or `nextReview`; a leading `-` sorts descending."})
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=200), metadata={
        "description": "The `next` value of the previous page (opaque)."})


class CaseSummarySchema(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"example": "2026-00042"})
    title = fields.String()
    category = fields.Nested(CaseCategorySchema)
    phase = fields.String(validate=_one_of(CasePhase), metadata={"example": "aanpak.uitvoering"})
    escalationLevel = fields.String(attribute="escalation_level", validate=_one_of(EscalationLevel))
    riskLevel = fields.String(attribute="risk_level", validate=_one_of(RiskLevel))
    gemeente = fields.String()
    teamId = fields.Integer(attribute="team_id")
    procesregisseur = fields.Nested(UserSummarySchema, allow_none=True)
    nextReviewOn = fields.Date(attribute="next_review_on", allow_none=True)
    updatedAt = UTCDateTime(attribute="updated_at")
    version = fields.Integer()


class CasePageSchema(CursorPageSchema):
    items = fields.List(fields.Nested(CaseSummarySchema))


# --- the case file ----------------------------------------------------------------------------------------

class ParticipantSummarySchema(Schema):
    id = fields.Integer()
    organisation = fields.Nested(OrganisationRefSchema)
    role = fields.String(validate=_one_of(ParticipationRole))
    legalBasis = fields.String(attribute="legal_basis", validate=_one_of(LegalBasis))


class CaseCountsSchema(Schema):
    participants = fields.Integer(metadata={"description": "Active participations."})
    subjects = fields.Integer()
    signals = fields.Integer()
    goals = fields.Integer()
    actions = fields.Integer()
    openActions = fields.Integer(attribute="open_actions", metadata={"description": "`open` or `in_uitvoering`."})
    notes = fields.Integer(metadata={"description": "Notes the caller may read."})


class AvailableTriggerSchema(Schema):
    trigger = fields.String(metadata={"example": "adopt_plan"})
    label = fields.String(metadata={"description": "In the caller's language."})
    toPhase = fields.String(attribute="to_state", validate=_one_of(CasePhase))
    allowed = StrictBoolean()
    blockedBy = fields.List(fields.String(), attribute="codes", metadata={
        "description": "The guard codes that block it for this caller now (empty when allowed).",
        "example": ["needs_plan_discussed"]})


class OpenApprovalSchema(Schema):
    """A pending four-eyes request on the case (the whole request: ``GET /approvals/{id}``)."""

    id = fields.Integer()
    kind = fields.String(metadata={"example": "close_early",
                                   "description": "`close_early`, `reopen`, `riec_voordracht` ..."})
    requestedBy = fields.Nested(UserSummarySchema, attribute="requested_by")
    requestedAt = UTCDateTime(attribute="requested_at")
    reason = fields.String()


class CaseSchema(CaseSummarySchema):
    """``GET /cases/{id}``: the overview of the case file."""

    team = fields.Nested(TeamRefSchema)
    aanbrenger = fields.Nested(OrganisationRefSchema, metadata={"description": "The referring organisation."})
    legalBasis = fields.String(attribute="legal_basis", validate=_one_of(LegalBasis))
    triageOutcome = fields.String(attribute="triage_outcome", allow_none=True, validate=_one_of(TriageOutcome))
    inclusionCriteria = fields.List(fields.String(validate=_one_of(InclusionCriterion)),
                                    attribute="inclusion_criteria")
    referralOrganisationId = fields.Integer(attribute="referral_organisation_id", allow_none=True)
    evaluation = fields.String(allow_none=True)
    planDiscussedOn = fields.Date(attribute="plan_discussed_on", allow_none=True)
    triageDueOn = fields.Date(attribute="triage_due_on", allow_none=True)
    nazorgStartedOn = fields.Date(attribute="nazorg_started_on", allow_none=True)
    closedOn = fields.Date(attribute="closed_on", allow_none=True)
    result = fields.String(allow_none=True, validate=_one_of(ClosureResult))
    archiefnominatie = fields.String(allow_none=True, validate=_one_of(Archiefnominatie), metadata={
        "description": "After the ZGW APIs: what happens at `archiefactiedatum` (`vernietigen`, `blijvend_bewaren`); "
                       "set at closure from the category's retention term, empty while the case runs."})
    archiefactiedatum = fields.Date(allow_none=True, metadata={
        "description": "The closing date plus the retention term: from then the case is on the monthly destruction "
                       "list (unless frozen). Empty while the case runs."})
    archiefstatus = fields.String(validate=_one_of(Archiefstatus), metadata={"description": "`nog_te_archiveren`."})
    openApprovals = fields.List(fields.Nested(OpenApprovalSchema), attribute="open_approvals", metadata={
        "description": "Pending four-eyes requests (early closure, reopening, RIEC voordracht); shown to the "
                       "team's procesregisseurs and supervisors only, empty for everyone else."})
    createdAt = UTCDateTime(attribute="created_at")
    phaseChangedAt = UTCDateTime(attribute="phase_changed_at")
    participants = fields.List(fields.Nested(ParticipantSummarySchema), metadata={
        "description": "Active participations."})
    counts = fields.Nested(CaseCountsSchema)
    availableTriggers = fields.List(fields.Nested(AvailableTriggerSchema), attribute="available_triggers", metadata={
        "description": "The workflow steps from the current phase, and whether the caller may take each now."})


class CaseUpdateSchema(InputSchema):
    """``PATCH /cases/{id}``: only the keys present change (managers only)."""

    version = _version()
    planDiscussedOn = fields.Date(attribute="plan_discussed_on", metadata={
        "description": "The casusoverleg that discussed the plan (during `aanpak.plan`); `adopt_plan` needs it."})
    evaluation = fields.String(validate=validate.Length(min=1, max=MAX_TEXT), metadata={
        "description": "The evaluation (during `aanpak.uitvoering` or `nazorg`); `step_down` needs it."})
    # Corrections of the case itself (casus.cases.editing): audited and on the timeline by field name.
    title = fields.String(validate=validate.Length(min=1, max=200))
    category = fields.String(validate=validate.Length(min=1, max=40), metadata={
        "description": "A category code, e.g. `jeugd`."})
    riskLevel = fields.String(attribute="risk_level", validate=_one_of(RiskLevel))
    gemeente = fields.String(validate=validate.Length(min=1, max=120))
    procesregisseurId = fields.Integer(attribute="procesregisseur_id", allow_none=True, validate=validate.Range(min=1),
                                       metadata={"description": "An active procesregisseur of the case's team; "
                                                                "`null` leaves the case without one."})


# --- transitions and triage -------------------------------------------------------------------------------

class TransitionInputSchema(InputSchema):
    trigger = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={
        "example": "start_triage", "description": "A trigger of the case workflow (see docs/WORKFLOW.md)."})
    reason = fields.String(validate=validate.Length(max=MAX_TEXT), load_default=None)
    result = fields.String(validate=_one_of(ClosureResult), load_default=None, metadata={
        "description": "The result, for `close`. (`close_early` and `reopen` are four-eyes: ask for them with "
                       "`POST /cases/{id}/approvals`; they are taken when a second supervisor approves.)"})
    override = StrictBoolean(load_default=False, metadata={
        "description": "`close` before the nazorg period is over (supervisors only)."})
    version = _version()


class TriageInputSchema(InputSchema):
    outcome = fields.String(required=True, validate=_one_of(TriageOutcome), metadata={
        "description": "`A` fires `accept`; `B`, `C` and `advies` fire `refer`; `geen_casus` fires `dismiss`."})
    criteria = fields.List(fields.String(validate=_one_of(InclusionCriterion)), load_default=list)
    reason = fields.String(validate=validate.Length(max=MAX_TEXT), load_default=None)
    referralOrganisationId = fields.Integer(attribute="referral_organisation_id", load_default=None,
                                            validate=validate.Range(min=1))
    version = _version()


class TransitionSchema(Schema):
    """A transition that happened, as recorded in the case's history."""

    trigger = fields.String()
    from_ = fields.String(attribute="from_state", data_key="from", validate=_one_of(CasePhase))
    to = fields.String(attribute="to_state", validate=_one_of(CasePhase))
    at = UTCDateTime()
    actor = fields.Nested(UserSummarySchema)
    reason = fields.String(allow_none=True)
    result = fields.String(allow_none=True, validate=_one_of(ClosureResult))
    override = StrictBoolean()
    caseVersion = fields.Integer(attribute="case_version", metadata={
        "description": "The case's new `version`, for the next write."})


# --- participants -----------------------------------------------------------------------------------------

class ParticipantSchema(ParticipantSummarySchema):
    confidentialitySignedOn = fields.Date(attribute="confidentiality_signed_on", allow_none=True)
    hasLegalBasis = StrictBoolean(attribute="has_legal_basis")
    joinedOn = fields.Date(attribute="joined_on")
    leftOn = fields.Date(attribute="left_on", allow_none=True)
    active = StrictBoolean()
    contactUser = fields.Nested(UserSummarySchema, attribute="contact_user", allow_none=True)
    version = fields.Integer(metadata={
        "description": "The participation's own version (it rises when the participation ends). Participants "
                       "are part of the case: inviting and ending carry the case's `version`."})


class ParticipantInputSchema(InputSchema):
    organisationId = fields.Integer(required=True, attribute="organisation_id", validate=validate.Range(min=1))
    role = fields.String(required=True, validate=_one_of(ParticipationRole))
    legalBasis = fields.String(required=True, attribute="legal_basis", validate=_one_of(LegalBasis))
    confidentialitySignedOn = fields.Date(attribute="signed_on", load_default=None, metadata={
        "description": "Required with `legalBasis` `geheimhoudingsverklaring`."})
    contactUserId = fields.Integer(attribute="contact_user_id", load_default=None, validate=validate.Range(min=1))
    version = _version()


class ParticipantCreatedSchema(ParticipantSchema):
    caseVersion = fields.Integer(attribute="case_version", metadata={
        "description": "The case's new `version`, for the next write."})


class SuggestedSignalSchema(Schema):
    id = fields.Integer()
    reference = fields.String(metadata={"example": "S-2026-000042"})


class ParticipantSuggestionSchema(Schema):
    """An organisation that reported a signal bundled into the case and takes no part in it now."""

    organisation = fields.Nested(OrganisationRefSchema)
    convenantPartner = StrictBoolean(attribute="organisation.convenant_partner", metadata={
        "description": "False: it can take part only as `deelnemer` on a signed geheimhoudingsverklaring."})
    signals = fields.List(fields.Nested(SuggestedSignalSchema), attribute="signal_items", metadata={
        "description": "The case's signals it reported, oldest first."})


class VersionQuerySchema(InputSchema):
    version = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "The case's `version`; alternatively send it as `If-Match: \"<version>\"`."})


class IfMatchSchema(Schema):
    if_match = fields.String(data_key="If-Match", metadata={
        "description": "The case's `version` as an entity tag: `\"7\"`."})


# --- notes and timeline -----------------------------------------------------------------------------------

class NoteSchema(Schema):
    id = fields.Integer()
    text = fields.String()
    visibility = fields.String(validate=_one_of(NoteVisibility))
    organisationIds = fields.Method("audience_of", metadata={
        "type": "array", "items": {"type": "integer"},
        "description": "For `genoemde_organisaties`: the organisations that may read the note."})
    author = fields.Nested(UserSummarySchema)
    organisation = fields.Nested(OrganisationRefSchema, metadata={"description": "The author's organisation."})
    createdAt = UTCDateTime(attribute="created_at")

    def audience_of(self, note) -> list[int]:
        return [member.organisation_id for member in note.audience]


class NoteInputSchema(InputSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=MAX_TEXT))
    visibility = fields.String(required=True, validate=_one_of(NoteVisibility))
    organisationIds = fields.List(fields.Integer(validate=validate.Range(min=1)), attribute="organisation_ids",
                                  load_default=list, validate=validate.Length(max=50))


class PageArgsSchema(InputSchema):
    limit = fields.Integer(load_default=25, validate=validate.Range(min=1, max=100))
    cursor = fields.String(validate=validate.Length(max=200))


class TimelineArgsSchema(PageArgsSchema):
    kind = fields.String(validate=validate.Regexp(r"^[a-z_]+(\.[a-z_]+)?$"), metadata={
        "description": "`note.added`, or a family such as `note` or `action`."})


class NotePageSchema(CursorPageSchema):
    items = fields.List(fields.Nested(NoteSchema))


class TimelineEventSchema(Schema):
    id = fields.Integer()
    occurredAt = UTCDateTime(attribute="occurred_at")
    kind = fields.String(metadata={"example": "case.transition"})
    summary = fields.String()
    actor = fields.Nested(UserSummarySchema, allow_none=True)
    organisationId = fields.Integer(attribute="organisation_id", allow_none=True)


class TimelinePageSchema(CursorPageSchema):
    items = fields.List(fields.Nested(TimelineEventSchema))
