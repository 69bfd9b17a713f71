"""Relations between a case's betrokkenen as the API shows and takes them (``/cases/{id}/relations``): camelCase
keys, the kinds as stored (``ouder_van``), dates as ISO dates. Input schemas reject unknown keys."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casus.api.schemas import InputSchema
from casus.i18n import current_locale
from casus.labels import enum_label
from casus.subjects.models import RelationKind, SubjectKind

KINDS = [str(kind) for kind in RelationKind]
KIND_DESCRIPTION = ("Read as \"<subject> <kind> <related subject>\": `ouder_van`, `kind_van`, `partner_van` between "
                    "persons; `lid_van` from a person to a `huishouden` or `groep`; `woont_op` and `bewoner_van` "
                    "towards an `adres` or `huishouden`; `eigenaar_van` from a person or business towards an `adres` "
                    "or `bedrijf`.")


class RelatedSubjectSchema(Schema):
    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf([str(kind) for kind in SubjectKind]))
    name = fields.String(attribute="display_name", metadata={
        "description": "A person's, business's, household's or group's name; an address written out."})


class RelationSchema(Schema):
    id = fields.Integer()
    subjectId = fields.Integer(attribute="subject_id")
    relatedSubjectId = fields.Integer(attribute="related_subject_id")
    kind = fields.String(validate=validate.OneOf(KINDS), metadata={"description": KIND_DESCRIPTION})
    kindLabel = fields.Method("label_of", metadata={"type": "string", "example": "ouder van",
                                                    "description": "The kind in the caller's language."})
    startOn = fields.Date(attribute="start_on", allow_none=True)
    endOn = fields.Date(attribute="end_on", allow_none=True, metadata={"description": "Null while it lasts."})
    subject = fields.Nested(RelatedSubjectSchema)
    relatedSubject = fields.Nested(RelatedSubjectSchema, attribute="related_subject")
    editable = fields.Boolean(metadata={
        "description": "Both subjects belong to this case, so a manager of the case may end or remove it here."})

    def label_of(self, relation) -> str:
        return enum_label(RelationKind, relation.kind, current_locale())


class RelationInputSchema(InputSchema):
    subjectId = fields.Integer(required=True, attribute="subject_id", validate=validate.Range(min=1), metadata={
        "description": "A subject of this case."})
    relatedSubjectId = fields.Integer(required=True, attribute="related_subject_id", validate=validate.Range(min=1),
                                      metadata={"description": "Another subject of this case."})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={"description": KIND_DESCRIPTION})
    startOn = fields.Date(attribute="start_on", load_default=None, allow_none=True)
    endOn = fields.Date(attribute="end_on", load_default=None, allow_none=True)

    @validates_schema
    def _ends_after_start(self, data, **_kwargs) -> None:
        if data.get("start_on") and data.get("end_on") and data["end_on"] < data["start_on"]:
            raise ValidationError("Must not lie before startOn.", field_name="endOn")


class RelationUpdateSchema(InputSchema):
    endOn = fields.Date(attribute="end_on", required=True, allow_none=True, metadata={
        "description": "The day the relation ended; null: it has not ended after all."})
