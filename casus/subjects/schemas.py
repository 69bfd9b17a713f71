"""A betrokkene as the API writes it, shared by every endpoint that takes one (a signal's subjects, a case's).

Subjects are checked with the web form's rules (``subjects.services.subject_errors``): every wrong field is named in
camelCase (``bsn``, ``dateOfBirth`` …) with the same Dutch message.
"""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from casus.api.schemas import InputSchema
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


class SubjectInputSchema(SubjectFieldsSchema):
    """A new betrokkene: its kind and the fields that kind has."""

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
