"""A case in nazorg with its team, a partner organisation taking part, and an outsider."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def nazorg_world(db, make_organisation, make_team, make_user, make_case):
    import pyotp

    from casus.clock import today

    team = make_team()
    politie = make_organisation(name="Politie")
    regisseur = make_user("procesregisseur", organisation=team.organisation, team=team,
                          totp_secret=pyotp.random_base32())
    case = make_case(team=team, partners=[team.organisation, politie], phase="nazorg", procesregisseur=regisseur,
                     nazorg_started_on=today() - timedelta(days=100))
    return {
        "team": team, "case": case, "regisseur": regisseur, "politie": politie,
        "partner": make_user("partner", organisation=politie, totp_secret=pyotp.random_base32()),
        "outsider": make_user("partner", totp_secret=pyotp.random_base32()),
    }
