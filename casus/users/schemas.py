"""The caller as the API shows it: camelCase keys, domain values (roles, organisation kinds) in Dutch."""

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, SortedStrings
from casus.i18n import LANGUAGES
from casus.organisations.models import OrganisationKind
from casus.users.models import Role

LOCALES = sorted(LANGUAGES)


class OrganisationRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(validate=validate.OneOf([kind.value for kind in OrganisationKind]))


class TeamRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    gemeente = fields.String()


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.Email()
    name = fields.String()
    organisation = fields.Nested(OrganisationRefSchema)
    team = fields.Nested(TeamRefSchema, allow_none=True)
    roles = SortedStrings(fields.String(validate=validate.OneOf([role.value for role in Role])))
    totpEnabled = fields.Boolean(attribute="totp_enabled")
    locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES), metadata={
        "description": "Preferred language of the web interface; null follows the default (nl)."})


class MeUpdateSchema(InputSchema):
    """``PATCH /me``: only the keys present change."""

    locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES), metadata={
        "description": "Preferred language of the web interface; null resets it to the default."})
