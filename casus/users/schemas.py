"""The caller as the API shows it: camelCase keys, domain values (roles, organisation kinds) in Dutch."""

from marshmallow import Schema, fields, validate

from casus.api.schemas import InputSchema, SortedStrings, StrictBoolean, UTCDateTime
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
    totpEnabled = StrictBoolean(attribute="totp_enabled")
    locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES), metadata={
        "description": "Preferred language of the web interface; null follows the default (nl)."})


class ApiTokenSchema(Schema):
    """One of the caller's API tokens: what identifies it, never the token itself or its hash."""

    id = fields.Integer()
    name = fields.String(metadata={"example": "BVH-koppeling"})
    prefix = fields.String(metadata={
        "description": "The token's public part: the token itself starts with `casus_<prefix>_`.",
        "example": "1a2b3c4d"})
    scopes = SortedStrings(fields.String(validate=validate.OneOf(["read", "write"])), attribute="scope_set")
    createdAt = UTCDateTime(attribute="created_at")
    lastUsedAt = UTCDateTime(attribute="last_used_at", allow_none=True, metadata={
        "description": "Recorded at most once a minute; null if never used."})
    expiresAt = UTCDateTime(attribute="expires_at")
    revokedAt = UTCDateTime(attribute="revoked_at", allow_none=True)
    state = fields.String(validate=validate.OneOf(["actief", "verlopen", "ingetrokken"]), metadata={
        "description": "`actief` (works), `verlopen` (expired) or `ingetrokken` (revoked: by the user, or with a "
                       "password change or reset, a second-factor reset or a deactivation)."})
    current = StrictBoolean(metadata={"description": "True for the token this request was made with."})


class MeUpdateSchema(InputSchema):
    """``PATCH /me``: only the keys present change."""

    locale = fields.String(allow_none=True, validate=validate.OneOf(LOCALES), metadata={
        "description": "Preferred language of the web interface; null resets it to the default."})
