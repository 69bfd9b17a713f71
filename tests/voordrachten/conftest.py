"""Fixtures of the voordracht tests: one team's ondermijning case, two RIECs, and factories."""

from __future__ import annotations

import pytest

from casus.organisations.models import OrganisationKind


@pytest.fixture
def world(app, db, categories, make_organisation, make_team, make_user, make_case, make_subject):
    """A ZVH team (regisseur, two supervisors), the police in the case, RIEC Midden (addressed) and RIEC Noord.

    The case has three subjects; voordrachten share the first two ("Karel Geheim" and a business).
    """
    zvh = make_organisation(name="ZVH Voorbeeld", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, name="Team Ondermijning")
    politie = make_organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE)
    riec = make_organisation(name="RIEC Midden", kind=OrganisationKind.RIEC)
    riec_noord = make_organisation(name="RIEC Noord", kind=OrganisationKind.RIEC)
    regisseur = make_user("procesregisseur", organisation=zvh, team=team, name="Rosa Regisseur")
    karel = make_subject("persoon", name="Karel Geheim", bsn="111222333", postcode="1234AB", huisnummer=5)
    bedrijf = make_subject("bedrijf", name="Bakkerij Dekmantel B.V.", kvk_nummer="12345678")
    verborgen = make_subject("persoon", name="Nina Nietgedeeld")
    case = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering", procesregisseur=regisseur,
                     subjects=[karel, bedrijf, verborgen], title="Drugslab Dorpsstraat",
                     category=categories["ondermijning"])
    return {
        "zvh": zvh, "team": team, "politie": politie, "riec": riec, "riec_noord": riec_noord, "case": case,
        "regisseur": regisseur,
        "supervisor": make_user("supervisor", organisation=zvh, team=team, name="Sam Supervisor"),
        "supervisor2": make_user("supervisor", organisation=zvh, team=team, name="Tess Teamleider"),
        "agent": make_user("partner", organisation=politie, name="Aart Agent"),
        "riec_user": make_user("riec", organisation=riec, name="Rik Riec"),
        "riec_noord_user": make_user("riec", organisation=riec_noord, name="Noor Noord"),
        "subjects": [karel, bedrijf, verborgen],
    }


@pytest.fixture
def draft_values(world):
    """Valid input for a new voordracht, overridable per key."""

    def values(**overrides):
        base = {"summary": "Signalen van een drugslab achter de bakkerij; geldstromen via de zaak.",
                "subject_ids": [world["subjects"][0].id, world["subjects"][1].id],
                "indicators": ["drugs", "witwassen"], "indicator_other": None, "legal_basis": "riec_convenant",
                "urgency": "hoog", "addressee_organisation_id": world["riec"].id}
        return {**base, **overrides}

    return values


@pytest.fixture
def make_voordracht(db, world):
    """A voordracht row in any state, written directly (no workflow), sharing the first two subjects."""
    from casus.database import utcnow
    from casus.voordrachten.models import Voordracht, VoordrachtSubject

    def make(state="ingediend", *, case=None, addressee=None, **fields):
        case = case or world["case"]
        now = utcnow()
        extra = {"aangenomen": {"riec_reference": "RIEC-2026-001", "answered_at": now},
                 "teruggelegd": {"riec_advice": "Eerst bestuurlijk handhaven.", "answered_at": now},
                 "afgewezen": {"rejection_motivation": "Te weinig onderbouwd."}}.get(state, {})
        if state in ("ingediend", "aangenomen", "teruggelegd"):
            extra.setdefault("sent_at", now)
        voordracht = Voordracht(
            case_id=case.id, state=state, addressee_organisation_id=(addressee or world["riec"]).id,
            summary=fields.pop("summary", f"Samenvatting in status {state}"), indicators=["drugs"],
            legal_basis="riec_convenant", urgency="regulier", created_by_id=world["regisseur"].id,
            **{**extra, **fields})
        db.session.add(voordracht)
        db.session.flush()
        for subject in world["subjects"][:2]:
            db.session.add(VoordrachtSubject(voordracht_id=voordracht.id, subject_id=subject.id))
        db.session.flush()
        return voordracht

    return make
