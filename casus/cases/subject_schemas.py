"""The betrokkenen of a case as the API reads and writes them (``subject_api``): camelCase keys, Dutch kinds.

New subjects are checked with the web form's rules (``subjects.services.subject_errors``): every wrong field is named
(``bsn``, ``postcode`` …) with the same Dutch message. A correction is checked by the service against the stored
subject, so its problems come back the same way. A BSN is never shown whole: only its last three digits.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, StrictBoolean
from casus.subjects.schemas import COLUMNS, KINDS, SubjectFieldsSchema, SubjectInputSchema


class SubjectCreateSchema(SubjectInputSchema):
    """``POST /cases/{id}/subjects``: a known subject that matches (BSN, name and date of birth, address, KvK) is
    linked instead of a new one made."""


class SubjectCorrectionSchema(SubjectFieldsSchema):
    """``PATCH /cases/{id}/subjects/{subjectId}``: only the keys present change; `null` or `""` clears an optional
    field. Which fields a kind has: see `POST`."""

    version = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "The subject's `version` as last read; a stale one answers 409."})

    def changes(self, data: dict) -> dict[str, object]:
        return {COLUMNS[key]: ("" if value is None else value) for key, value in data.items() if key in COLUMNS}


class DeleteArgsSchema(InputSchema):
    version = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "The case's `version`, when the caller wants the unlink checked against it (stale: 409)."})


class CaseSubjectSchema(Schema):
    """A betrokkene of the case."""

    id = fields.Integer()
    kind = fields.String(validate=validate.OneOf(KINDS))
    name = fields.String(allow_none=True)
    displayName = fields.String(attribute="display_name", metadata={"description": "Name, or for an address the "
                                                                                   "address."})
    dateOfBirth = fields.Date(attribute="date_of_birth", allow_none=True)
    bsnEnding = fields.Function(lambda subject: subject.bsn[-3:] if subject.bsn else None, allow_none=True,
                                metadata={"type": "string", "nullable": True, "example": "333",
                                          "description": "The last three digits of the BSN, if one is known."})
    postcode = fields.String(allow_none=True)
    huisnummer = fields.Integer(allow_none=True)
    toevoeging = fields.String(allow_none=True)
    straat = fields.String(allow_none=True)
    woonplaats = fields.String(allow_none=True)
    kvkNummer = fields.String(attribute="kvk_nummer", allow_none=True)
    version = fields.Integer(metadata={"description": "The subject's own version, for a correction."})


class CaseSubjectAddedSchema(CaseSubjectSchema):
    matched = StrictBoolean(metadata={"description": "`true`: a known subject was linked, not a new one made."})
    caseVersion = fields.Integer(attribute="case_version", metadata={"description": "The case's new `version`."})


class CaseSubjectCorrectedSchema(CaseSubjectSchema):
    correctedFields = fields.List(fields.String(), attribute="corrected_fields", metadata={
        "description": "The fields that changed (API names); their old values are kept for the privacy officer."})
