"""The betrokkenen of a case as the API reads and writes them (``subject_api``): camelCase keys, Dutch kinds.

New subjects are checked with the web form's rules (``subjects.services.subject_errors``): every wrong field is named
(``bsn``, ``postcode`` …) with the same Dutch message. A correction is checked by the service against the stored
subject, so its problems come back the same way. A BSN is never shown whole: only its last three digits.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from casus.api.schemas import InputSchema, StrictBoolean
from casus.clock import today
from casus.subjects.models import SubjectKind
from casus.subjects.services import SubjectInput, subject_errors

KINDS = [kind.value for kind in SubjectKind]
# subject_errors names fields as the models do; the API uses camelCase.
API_FIELD = {"kind": "kind", "name": "name", "date_of_birth": "dateOfBirth", "bsn": "bsn", "postcode": "postcode",
             "huisnummer": "huisnummer", "toevoeging": "toevoeging", "kvk_nummer": "kvkNummer", "straat": "straat",
             "woonplaats": "woonplaats"}
# The API's names for the columns, the other way round (what a correction sends to the service).
COLUMNS = {"name": "name", "dateOfBirth": "date_of_birth", "bsn": "bsn", "postcode": "postcode",
           "huisnummer": "huisnummer", "toevoeging": "toevoeging", "kvkNummer": "kvk_nummer", "straat": "straat",
           "woonplaats": "woonplaats"}


class SubjectFieldsSchema(InputSchema):
    """The fields of a betrokkene; which apply depends on its kind."""

    name = fields.String(allow_none=True, validate=validate.Length(max=200), metadata={
        "description": "Required for a person, business, household (`huishouden`) or group (`groep`)."})
    dateOfBirth = fields.Date(allow_none=True, metadata={"description": "A person's date of birth (ISO 8601)."})
    bsn = fields.String(allow_none=True, validate=validate.Length(max=20), metadata={
        "description": "Optional, for a person: nine digits that pass the 11-proef. Never sent in a URL."})
    postcode = fields.String(allow_none=True, validate=validate.Length(max=10),
                             metadata={"description": "`1234 AB`; required for an address.", "example": "1234 AB"})
    huisnummer = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=99999),
                                metadata={"description": "Required with a postcode."})
    toevoeging = fields.String(allow_none=True, validate=validate.Length(max=10))
    straat = fields.String(allow_none=True, validate=validate.Length(max=120), metadata={
        "description": "With a postcode; looked up from postcode and huisnummer when left out and a lookup is "
                       "configured."})
    woonplaats = fields.String(allow_none=True, validate=validate.Length(max=80))
    kvkNummer = fields.String(allow_none=True, validate=validate.Length(max=12),
                              metadata={"description": "Required for a business: eight digits."})


class SubjectCreateSchema(SubjectFieldsSchema):
    """``POST /cases/{id}/subjects``: a known subject that matches (BSN, name and date of birth, address, KvK) is
    linked instead of a new one made."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={
        "description": "`persoon`, `adres`, `bedrijf`, `huishouden` or `groep`."})

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
                        toevoeging=data.get("toevoeging") or None, kvk_nummer=data.get("kvkNummer") or None,
                        straat=data.get("straat") or None, woonplaats=data.get("woonplaats") or None)


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
