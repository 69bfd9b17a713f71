"""Fixtures of the approvals tests: one team with a procesregisseur, two supervisors, a user who holds both
roles, partners, a case in each phase an approval is about, and a helper to log users in one after another."""

from __future__ import annotations

import pytest


@pytest.fixture
def team_world(db, make_organisation, make_team, make_user, make_case):
    import pyotp

    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(name="Zorg- en Veiligheidshuis Akkoord", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, name="Team Akkoord")
    other_team = make_team(organisation=zvh, name="Team Elders")
    politie = make_organisation(name="Politie Akkoord", kind=OrganisationKind.POLITIE)

    def user(*roles, **fields):
        fields.setdefault("organisation", zvh)
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    w = {
        "zvh": zvh, "team": team, "other_team": other_team, "politie": politie,
        "regisseur": user("procesregisseur", team=team, name="Rosa Regisseur"),
        "supervisor": user("supervisor", team=team, name="Sem Supervisor"),
        "second": user("supervisor", team=team, name="Sara Tweede"),
        # The four-eyes rule's hardest case: someone holding both roles may ask, and may never decide on their
        # own request.
        "dual": user("procesregisseur", "supervisor", team=team, name="Daan Dubbel"),
        "partner": user("partner", organisation=politie, name="Anton Agent"),
        "elsewhere": user("supervisor", team=other_team, name="Eva Elders"),
    }
    partners = [politie, zvh]
    w["case"] = make_case(team=team, partners=partners, phase="aanpak.uitvoering", procesregisseur=w["regisseur"],
                          title="Overlast Akkoordstraat")
    w["closed"] = make_case(team=team, partners=partners, phase="afgesloten", procesregisseur=w["regisseur"],
                            title="Afgesloten Akkoordplein")
    return w



@pytest.fixture
def denied_events(db):
    """``denied_events(user, action)``: the audit events refusing ``user`` that ``action``."""

    def read(user, action):
        import sqlalchemy as sa

        from casus.audit.models import AuditEvent

        return list(db.session.execute(sa.select(AuditEvent).where(
            AuditEvent.user_id == user.id, AuditEvent.action == action, AuditEvent.outcome == "denied")).scalars())

    return read
