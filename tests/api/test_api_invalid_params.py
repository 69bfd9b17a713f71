"""``invalidParams`` names what the client sent: a field a service refuses is named as the endpoint's request schema
names it (the service's ``signed_on`` is ``confidentialitySignedOn``), never by the service's own name."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest


@pytest.fixture
def invitation(db, make_case, make_organisation, make_user):
    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(kind=OrganisationKind.ZVH)
    regisseur = make_user("procesregisseur", organisation=zvh)
    case = make_case(team=regisseur.team, partners=[zvh], phase="aanpak.plan", procesregisseur=regisseur)
    outsider = make_organisation(name="Buurtbemiddeling", kind=OrganisationKind.OVERIG, convenant_partner=False)
    return regisseur, case, outsider


def test_every_refused_field_of_an_invitation_is_a_field_of_its_request_schema(api, invitation):
    from casus.cases.schemas import ParticipantInputSchema
    from casus.clock import today

    regisseur, case, outsider = invitation
    accepted = set(ParticipantInputSchema().fields)
    base = {"organisationId": outsider.id, "role": "deelnemer", "legalBasis": "geheimhoudingsverklaring",
            "version": case.version}
    attempts = [
        ({}, "confidentialitySignedOn"),  # a geheimhoudingsverklaring needs its date
        ({"confidentialitySignedOn": (today() + timedelta(days=1)).isoformat()}, "confidentialitySignedOn"),
        ({"legalBasis": "convenant"}, "legalBasis"),  # not a convenant partner
        ({"organisationId": 999_999}, "organisationId"),
    ]
    for change, expected in attempts:
        response = api(regisseur, "POST", f"/cases/{case.id}/participants", json={**base, **change})
        assert response.status_code == 400, response.get_data(as_text=True)
        names = [param["name"] for param in response.get_json()["invalidParams"]]
        assert names == [expected], (change, names)
        assert set(names) <= accepted


def concrete(rule) -> str:
    """The rule's path with a value for each variable (1 for numbers)."""
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>",
                  lambda match: "1" if match.group(1) in ("int", "version") else "x", rule.rule)


def test_every_endpoint_names_a_refused_field_as_its_request_schema_does(app):
    """For every API endpoint reading a body or query with a schema: a service field that a schema field loads
    into (``attribute``) is named by that schema field, so a refusal names what the client sent."""
    from casus.errors import _request_schemas, api_param_name

    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            with app.test_request_context(concrete(rule), method=method):
                for schema in _request_schemas():
                    for name, field in schema.fields.items():
                        if field.attribute and not field.dump_only:
                            assert api_param_name(field.attribute) == (field.data_key or name), (rule.rule, name)
                            checked += 1
    assert checked > 10
