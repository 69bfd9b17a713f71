"""Fixtures for the escalation ladder: a running case in a team with its procesregisseur, two supervisors and
a participating partner; and a helper that puts a step on the ladder directly (no workflow)."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def ladder(db, make_organisation, make_team, make_user, make_case):
    """A case in aanpak.uitvoering: its team's procesregisseur and two supervisors, a police partner."""
    import pyotp

    from casus.organisations.models import OrganisationKind

    def user(*roles, **fields):
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    zvh = make_organisation(name="Zorg- en Veiligheidshuis", kind=OrganisationKind.ZVH)
    politie = make_organisation(name="Politie Eenheid", kind=OrganisationKind.POLITIE)
    team = make_team(organisation=zvh, name="Team Noord")
    regisseur = user("procesregisseur", organisation=zvh, team=team, name="Rosa Regisseur")
    supervisor = user("supervisor", organisation=zvh, team=team, name="Sander Supervisor")
    other_supervisor = user("supervisor", organisation=zvh, team=team, name="Tineke Teamleider")
    agent = user("partner", organisation=politie, name="Arjen Agent")
    case = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering", procesregisseur=regisseur)
    return {"team": team, "zvh": zvh, "politie": politie, "regisseur": regisseur, "supervisor": supervisor,
            "other_supervisor": other_supervisor, "agent": agent, "case": case}


@pytest.fixture
def put_step(db):
    """``put_step(case, user, to="tactisch", **fields)``: an open step up written directly, the case moved."""
    from casus.clock import today
    from casus.escalations.models import Escalation, EscalationDirection

    def put(case, user, *, to="tactisch", **fields):
        fields.setdefault("reason", "Partners komen er samen niet uit")
        fields.setdefault("decision_owner", "Ketenmanagers politie en gemeente")
        fields.setdefault("decision_deadline", today() + timedelta(days=14))
        fields.setdefault("review_on", today() + timedelta(days=42))
        step = Escalation(case_id=case.id, direction=EscalationDirection.OPSCHALEN,
                          from_level=fields.pop("from_level", case.escalation_level), to_level=to,
                          created_by_id=user.id, **fields)
        case.escalation_level = to
        db.session.add(step)
        db.session.flush()
        return step

    return put

