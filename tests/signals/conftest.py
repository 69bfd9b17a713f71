"""Fixtures for the signal and triage tests: a small region with a ZVH team and two partners."""

from __future__ import annotations

import pytest


@pytest.fixture
def region(categories, make_organisation, make_team, make_user):
    from signals_helpers import Region

    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(name="Zorg- en Veiligheidshuis Voorbeeld", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, name="Team Centrum", gemeente="Voorbeeldstad")
    politie = make_organisation(name="Politie Eenheid Voorbeeld", kind=OrganisationKind.POLITIE)
    corporatie = make_organisation(name="Woonstichting Voorbeeld", kind=OrganisationKind.WONINGCORPORATIE)
    regisseur = make_user("procesregisseur", organisation=zvh, team=team, name="Ria Regisseur")
    return Region(category=categories["woonoverlast"], team=team, zvh=zvh, politie=politie,
                  corporatie=corporatie, regisseur=regisseur)


@pytest.fixture
def api_token(db):
    """``api_token(user)`` -> a plain read+write bearer token for ``user``."""
    from casus.auth.tokens import create_token

    def make(user, scopes: str = "read write") -> str:
        _row, plain = create_token(user, days=30, scopes=scopes)
        db.session.flush()
        return plain

    return make
