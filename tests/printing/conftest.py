"""Fixtures of the printing tests: one team, three partner organisations, cases each takes part in, and a meeting
with all of them on the agenda."""

from __future__ import annotations

from types import SimpleNamespace

import pyotp
import pytest
from print_support import add_item, add_meeting

from casus.clock import today
from casus.organisations.models import OrganisationKind

from smtp_support import smtp_server  # noqa: F401 (the fixture, for the tests here that send e-mail)


@pytest.fixture
def world(app, db, make_organisation, make_team, make_user, make_case):
    """ZVH runs the team; the police take part in case A and C, GGZ in B and C, the housing corporation is
    invited but in none of them. The meeting a week ahead has A, B and C on its agenda."""
    zvh = make_organisation(name="Zorg- en Veiligheidshuis Voorbeeld", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, name="Team Overleg")
    politie = make_organisation(name="Politie Eenheid Voorbeeld", kind=OrganisationKind.POLITIE)
    ggz = make_organisation(name="GGZ Voorbeeld", kind=OrganisationKind.GGZ)
    corporatie = make_organisation(name="Woonstichting Voorbeeld", kind=OrganisationKind.WONINGCORPORATIE)

    def user(*roles, **fields):
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    regisseur = user("procesregisseur", organisation=zvh, team=team, name="Rosa Regisseur")
    case_a = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering", title="Overlast Kerkstraat",
                       procesregisseur=regisseur)
    case_b = make_case(team=team, partners=[ggz, zvh], phase="aanpak.uitvoering", title="Zorg Lindelaan",
                       procesregisseur=regisseur)
    case_c = make_case(team=team, partners=[ggz, politie, zvh], phase="aanpak.uitvoering", title="Samen Dorpsplein",
                       procesregisseur=regisseur)
    meeting = add_meeting(db, team, invited=[politie, ggz, corporatie], chair=regisseur)
    items = [add_item(db, meeting, case, position) for position, case in enumerate((case_a, case_b, case_c), 1)]
    return SimpleNamespace(
        zvh=zvh, team=team, politie=politie, ggz=ggz, corporatie=corporatie, regisseur=regisseur,
        agent=user("partner", organisation=politie, name="Aart Agent"),
        behandelaar=user("partner", organisation=ggz, name="Gerda GGZ"),
        woonconsulent=user("partner", organisation=corporatie, name="Wim Woon"),
        case_a=case_a, case_b=case_b, case_c=case_c, meeting=meeting, items=items,
        cases=(case_a, case_b, case_c), today=today())
