"""A case with its manager, a partner of the case and an outsider, for the leefgebieden tests."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.fixture
def assessed(db, make_organisation, make_team, make_user, make_case):
    import pyotp

    from casus.clock import now
    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(name="ZVH Leefgebieden", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh)
    politie = make_organisation(name="Politie Leefgebieden", kind=OrganisationKind.POLITIE)
    buiten = make_organisation(name="Buiten Leefgebieden")
    regisseur = make_user("procesregisseur", organisation=zvh, team=team, totp_secret=pyotp.random_base32())
    case = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering", procesregisseur=regisseur,
                     created_at=now() - timedelta(days=60))
    return {
        "case": case, "team": team, "regisseur": regisseur,
        "partner": make_user("partner", organisation=politie, totp_secret=pyotp.random_base32()),
        "outsider": make_user("partner", organisation=buiten, totp_secret=pyotp.random_base32()),
    }


@pytest.fixture
def sneaks_in(db):
    """``sneaks_in(table, row_id)``: just before the next flush that writes, another writer's change of that row
    commits (its version goes up) — the race that passes the version compare and loses at the UPDATE."""
    from sqlalchemy import event

    from casus.extensions import db as database

    armed = {}

    def before_flush(session, _context, _instances):
        if armed and session.dirty:
            table, row_id = armed.pop("table"), armed.pop("id")
            session.execute(table.update().where(table.c.id == row_id).values(version=table.c.version + 1))

    session_class = type(database.session())
    event.listen(session_class, "before_flush", before_flush)
    yield lambda table, row_id: armed.update(table=table, id=row_id)
    event.remove(session_class, "before_flush", before_flush)
