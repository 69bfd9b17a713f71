from marshmallow import Schema, fields


class OrganisationRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


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
    roles = fields.Method("sorted_roles")
    totpEnabled = fields.Boolean(attribute="totp_enabled")

    def sorted_roles(self, user) -> list[str]:
        return sorted(user.roles)
