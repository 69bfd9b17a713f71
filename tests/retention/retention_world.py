"""The world the retention-term, archive, legal-hold and extension tests share: one team with a procesregisseur and
two supervisors, a supervisor of another team, two privacy officers, a partner taking part in the cases, a running
case and a closed one."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def ret_world(db, categories, make_organisation, make_team, make_user, make_case):
    import pyotp

    from casus.clock import today
    from casus.organisations.models import OrganisationKind
    from casus.retention import archive

    zvh = make_organisation(name="Zorg- en Veiligheidshuis Bewaren", kind=OrganisationKind.ZVH)
    team, other_team = make_team(organisation=zvh, name="Team Bewaren"), make_team(organisation=zvh, name="Team Ander")
    politie = make_organisation(name="Politie Bewaren", kind=OrganisationKind.POLITIE)

    def user(*roles, **fields):
        fields.setdefault("organisation", zvh)
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    w = {
        "team": team, "other_team": other_team, "zvh": zvh, "politie": politie,
        "regisseur": user("procesregisseur", team=team, name="Rosa Regisseur"),
        "supervisor": user("supervisor", team=team, name="Sem Supervisor"),
        "second": user("supervisor", team=team, name="Sara Tweede"),
        "elsewhere": user("supervisor", team=other_team, name="Eva Elders"),
        "privacy": user("privacy", name="Pim Privacy"),
        "privacy2": user("privacy", name="Petra Privacy"),
        "partner": user("partner", organisation=politie, name="Anton Agent"),
    }
    partners = [politie, zvh]
    w["case"] = make_case(team=team, partners=partners, phase="aanpak.uitvoering", procesregisseur=w["regisseur"])
    w["closed"] = make_case(team=team, partners=partners, phase="afgesloten", procesregisseur=w["regisseur"],
                            closed_on=today() - timedelta(days=30))
    archive.set_archive_fields(w["closed"])
    db.session.flush()
    return w
