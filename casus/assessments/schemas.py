"""Leefgebieden assessments as the API shows and takes them (camelCase); scores as ``{domainCode: 1..5}``."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, UTCDateTime
from casus.assessments.domains import CODE, MAX_LABEL, SCALE
from casus.assessments.models import AssessmentMoment
from casus.assessments.services import MAX_PARTICIPANTS
from casus.cases.schemas import UserSummarySchema
from casus.services import MAX_TEXT

MOMENTS = [moment.value for moment in AssessmentMoment]
SCORES_DESCRIPTION = ("Score per domain code (`GET /assessment-domains`), 1 (acute problematiek) to 5 (volledig "
                      "zelfredzaam). A domain that does not apply is left out; at least one is required.")


def _scores(*, required: bool = False):
    return fields.Dict(required=required, keys=fields.String(validate=validate.Regexp(CODE)),
                       values=fields.Integer(strict=True, validate=validate.Range(min=SCALE[0], max=SCALE[-1])),
                       metadata={"description": SCORES_DESCRIPTION, "example": {"financien": 2, "huisvesting": 4}})


class AssessmentSchema(Schema):
    id = fields.Integer()
    caseId = fields.Integer(attribute="case_id")
    moment = fields.String(validate=validate.OneOf(MOMENTS))
    assessedOn = fields.Date(attribute="assessed_on")
    participants = fields.String(allow_none=True, metadata={"description": "Who took part (free text)."})
    note = fields.String(allow_none=True)
    scores = fields.Method("scores_of", metadata={
        "type": "object", "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 5},
        "description": "Score per domain code; a domain left unscored is absent."})
    recordedBy = fields.Nested(UserSummarySchema, attribute="recorded_by")
    createdAt = UTCDateTime(attribute="created_at")
    version = fields.Integer(metadata={"description": "The assessment's version, for `PATCH`."})

    def scores_of(self, assessment) -> dict[str, int]:
        return {score.domain: score.score for score in assessment.scores}


class AssessmentInputSchema(InputSchema):
    moment = fields.String(required=True, validate=validate.OneOf(MOMENTS))
    assessedOn = fields.Date(required=True, attribute="assessed_on", metadata={
        "description": "Not in the future and not before the case was opened."})
    participants = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=MAX_PARTICIPANTS))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_TEXT))
    scores = _scores(required=True)


class AssessmentUpdateSchema(InputSchema):
    """A correction: the fields given replace the stored ones (``scores`` as a whole); ``version`` is required."""

    moment = fields.String(validate=validate.OneOf(MOMENTS))
    assessedOn = fields.Date(attribute="assessed_on")
    participants = fields.String(allow_none=True, validate=validate.Length(max=MAX_PARTICIPANTS))
    note = fields.String(allow_none=True, validate=validate.Length(max=MAX_TEXT))
    scores = _scores()
    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The assessment's `version` as last read; a stale one answers 409."})


class DomainSchema(Schema):
    code = fields.String(metadata={"example": "financien"})
    label = fields.String(metadata={"description": "In the caller's language.", "example": "Financiën"})
    labelNl = fields.String(attribute="label_nl", validate=validate.Length(max=MAX_LABEL))
    labelEn = fields.String(attribute="label_en", validate=validate.Length(max=MAX_LABEL))


class ScaleStepSchema(Schema):
    score = fields.Integer(metadata={"example": 3})
    label = fields.String(metadata={"example": "Beperkt zelfredzaam"})


class DomainListSchema(Schema):
    domains = fields.List(fields.Nested(DomainSchema), metadata={"description": "In the order the forms show them."})
    scale = fields.List(fields.Nested(ScaleStepSchema))
    moments = fields.List(fields.String(validate=validate.OneOf(MOMENTS)))
