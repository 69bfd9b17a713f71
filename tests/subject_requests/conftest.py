"""Fixtures of the data-subject request tests: a privacy officer, two teams, and one person present in three
cases of the two teams and in a signal, beside someone else."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def privacy_world(db, make_organisation, make_team, make_user, make_case, make_subject):
    import pyotp

    from casus.organisations.models import OrganisationKind
    from casus.signals.models import Signal, SignalSubject

    zvh = make_organisation(name="Zorg- en Veiligheidshuis Inzage", kind=OrganisationKind.ZVH)
    politie = make_organisation(name="Politie Inzage", kind=OrganisationKind.POLITIE)
    north, south = make_team(organisation=zvh, name="Team Noord"), make_team(organisation=zvh, name="Team Zuid")

    def user(*roles, **fields):
        fields.setdefault("organisation", zvh)
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    person = make_subject(name="Jan de Vries", bsn="111222333", date_of_birth=date(1980, 5, 17),
                          postcode="1234AB", huisnummer=5)
    other = make_subject(name="Piet Anders", date_of_birth=date(1975, 1, 2))
    cases = [make_case(team=north, partners=[politie, zvh], subjects=[person], phase="aanpak.uitvoering"),
             make_case(team=north, partners=[zvh], subjects=[person, other], phase="afgesloten"),
             make_case(team=south, partners=[politie], subjects=[person], phase="signalering")]
    unrelated = make_case(team=south, partners=[politie], subjects=[other])
    reporter = user("partner", organisation=politie)
    signal = Signal(reference="S-2026-000901", category_id=cases[0].category_id, description="Melding over Jan",
                    team_id=north.id, reporting_organisation_id=politie.id, reported_by_id=reporter.id)
    db.session.add(signal)
    db.session.flush()
    db.session.add(SignalSubject(signal_id=signal.id, subject_id=person.id))
    db.session.flush()
    return {"zvh": zvh, "politie": politie, "north": north, "south": south, "person": person, "other": other,
            "cases": cases, "unrelated": unrelated, "signal": signal,
            "privacy": user("privacy", name="Paula Privacy"), "second_privacy": user("privacy"),
            "supervisor": user("supervisor", team=north), "partner": reporter,
            "beheerder": user("beheerder")}


@pytest.fixture
def register(privacy_world):
    """``register(kind="inzage", bsn=...)``: a request registered by the privacy officer through the service."""
    from casus.clock import today
    from casus.subject_requests import services

    def make(kind="inzage", received_on=None, identity_check="id_bewijs", **person):
        if not person:
            person = {"bsn": "111222333"}
        return services.register_request(
            privacy_world["privacy"], kind=kind, person=services.Identification(**person),
            identity_check=identity_check, identity_note=None, received_on=received_on or today(),
            description="Wil weten wat er over hem is vastgelegd")

    return make
