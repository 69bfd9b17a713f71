"""The reporters of a case's bundled signals are offered as participants first, with a one-click "Uitnodigen";
the invite form's contact select lists only the chosen organisation's active users."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa


@pytest.fixture
def world(app, db, categories, make_organisation, make_team, make_user, make_case):
    """A case in signalering with three signals bundled: two from the police (the aanbrenger), one from the
    housing corporation and one from a GGZ organisation without a convenant; each organisation has users."""
    from casus.database import utcnow
    from casus.organisations.models import OrganisationKind
    from casus.signals.models import Signal

    zvh = make_organisation(name="Zorg- en Veiligheidshuis", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, name="Team Centrum")
    politie = make_organisation(name="Politie Eenheid", kind=OrganisationKind.POLITIE)
    corporatie = make_organisation(name="Woonstichting", kind=OrganisationKind.WONINGCORPORATIE)
    ggz = make_organisation(name="GGZ Zonder Convenant", kind=OrganisationKind.GGZ, convenant_partner=False)
    other = make_organisation(name="Andere Organisatie")
    regisseur = make_user("procesregisseur", organisation=zvh, team=team, name="Rosa Regisseur",
                          totp_secret=pyotp.random_base32())
    people = {org.name: [make_user("partner", organisation=org, name=f"{first} {org.name}") for first in
                         ("Anna", "Bram")] for org in (politie, corporatie, ggz, other)}
    make_user("partner", organisation=corporatie, name="Inactief Woonstichting", active=False)
    case = make_case(team=team, partners=[politie], phase="signalering", procesregisseur=regisseur)
    signals = []
    for number, organisation in enumerate((politie, corporatie, politie, ggz), start=1):
        signal = Signal(reference=f"S-2026-{number:06d}", category=categories["woonoverlast"], team=team,
                        description="Zorgen", reporting_organisation_id=organisation.id,
                        reported_by_id=people[organisation.name][0].id, case_id=case.id, status="in_triage",
                        received_at=utcnow() - timedelta(days=10 - number))
        db.session.add(signal)
        signals.append(signal)
    db.session.flush()
    return {"zvh": zvh, "team": team, "politie": politie, "corporatie": corporatie, "ggz": ggz, "other": other,
            "regisseur": regisseur, "people": people, "case": case, "signals": signals}


def _select(page: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)[0]


def test_reporters_that_do_not_take_part_are_suggested_first(app, world):
    from casus.cases.suggestions import suggested_participants

    with app.test_request_context():
        suggestions = suggested_participants(world["case"])
    assert [(s.organisation.name, s.signal_references) for s in suggestions] == [
        ("GGZ Zonder Convenant", ["S-2026-000004"]), ("Woonstichting", ["S-2026-000002"])]


def test_the_partners_page_offers_them_with_a_one_click_invite(client, auth, world):
    case = world["case"]
    auth.login_with_totp(world["regisseur"])
    page = client.get(f"/casussen/{case.id}/partners").get_data(as_text=True)
    assert "Voorgestelde partners" in page
    suggested = page.split('id="voorgestelde-partners"', 1)[1].split('id="uitnodigen"', 1)[0]
    assert "Woonstichting" in suggested and "S-2026-000002" in suggested and "Politie Eenheid" not in suggested
    assert f'/casussen/{case.id}/partners?organisatie={world["corporatie"].id}#uitnodigen' in suggested
    # The organisation select offers the reporters first, in a group of their own.
    organisations = _select(page, "organisation_id")
    assert organisations.index("Meldden signalen in deze casus") < organisations.index("Woonstichting") \
        < organisations.index("Andere organisaties") < organisations.index("Andere Organisatie")


def test_uitnodigen_preselects_the_organisation_and_the_basis_the_form_requires(client, auth, world):
    case = world["case"]
    auth.login_with_totp(world["regisseur"])
    page = client.get(f"/casussen/{case.id}/partners?organisatie={world['corporatie'].id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{world["corporatie"].id}">Woonstichting', _select(
        page, "organisation_id"))
    assert '<option selected value="convenant">' in _select(page, "legal_basis")
    assert '<option selected value="deelnemer">' in _select(page, "role")
    page = client.get(f"/casussen/{case.id}/partners?organisatie={world['ggz'].id}").get_data(as_text=True)
    assert '<option selected value="geheimhoudingsverklaring">' in _select(page, "legal_basis")
    # An organisation that takes part already, or nonsense, preselects nothing.
    for value in (world["politie"].id, "x", 999999):
        page = client.get(f"/casussen/{case.id}/partners?organisatie={value}").get_data(as_text=True)
        assert '<option selected value="">Kies een organisatie' in _select(page, "organisation_id")


def test_the_contact_select_for_organisation_x_offers_no_user_of_organisation_y(client, auth, world):
    case, people = world["case"], world["people"]
    auth.login_with_totp(world["regisseur"])
    page = client.get(f"/casussen/{case.id}/partners?organisatie={world['corporatie'].id}").get_data(as_text=True)
    contacts = _select(page, "contact_user_id")
    assert all(user.name in contacts for user in people["Woonstichting"])
    for name in ("Politie Eenheid", "GGZ Zonder Convenant", "Andere Organisatie"):
        assert not any(user.name in contacts for user in people[name])
    assert "Inactief Woonstichting" not in contacts


def test_without_a_choice_the_contacts_are_grouped_and_marked_for_the_script(client, auth, world):
    case, people = world["case"], world["people"]
    auth.login_with_totp(world["regisseur"])
    page = client.get(f"/casussen/{case.id}/partners").get_data(as_text=True)
    contacts = _select(page, "contact_user_id")
    assert '<optgroup label="Woonstichting">' in contacts
    anna = people["Woonstichting"][0]
    assert re.search(rf'<option data-organisation="{world["corporatie"].id}" value="{anna.id}">', contacts)
    assert 'src="/static/js/invite-contacts.js"' in page


def test_a_contact_of_another_organisation_is_refused_and_the_form_lists_the_right_ones(client, auth, db, world):
    from casus.cases.models import Participation

    case, people = world["case"], world["people"]
    auth.login_with_totp(world["regisseur"])
    url = f"/casussen/{case.id}/partners"
    response = auth.post(url, {"organisation_id": str(world["corporatie"].id), "role": "deelnemer",
                               "legal_basis": "convenant", "version": str(case.version),
                               "contact_user_id": str(people["GGZ Zonder Convenant"][0].id)})
    page = response.get_data(as_text=True)
    assert "De contactpersoon moet een actieve medewerker van die organisatie zijn." in page
    contacts = _select(page, "contact_user_id")
    assert people["Woonstichting"][1].name in contacts and people["GGZ Zonder Convenant"][0].name not in contacts
    assert db.session.execute(sa.select(sa.func.count()).select_from(Participation)).scalar_one() == 1


def test_once_invited_a_reporter_is_no_longer_suggested(client, auth, world):
    case, people = world["case"], world["people"]
    auth.login_with_totp(world["regisseur"])
    url = f"/casussen/{case.id}/partners"
    response = auth.post(url, {"organisation_id": str(world["corporatie"].id), "role": "deelnemer",
                               "legal_basis": "convenant", "version": str(case.version),
                               "contact_user_id": str(people["Woonstichting"][1].id)})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    suggested = page.split('id="voorgestelde-partners"', 1)[1].split('id="uitnodigen"', 1)[0]
    assert "Woonstichting" not in suggested and "GGZ Zonder Convenant" in suggested


def test_partners_of_the_case_see_no_suggestions(client, auth, db, world, make_user):
    from casus.cases.models import Participation
    from casus.clock import today

    db.session.add(Participation(case_id=world["case"].id, organisation_id=world["other"].id, role="deelnemer",
                                 legal_basis="convenant", joined_on=today()))
    db.session.flush()
    partner = make_user("partner", organisation=world["other"], totp_secret=pyotp.random_base32())
    auth.login_with_totp(partner)
    page = client.get(f"/casussen/{world['case'].id}/partners").get_data(as_text=True)
    assert "Voorgestelde partners" not in page and "S-2026-000002" not in page


def test_the_partners_page_costs_the_same_queries_with_more_signals_and_contacts(client, auth, db, world,
                                                                                  make_organisation, make_user,
                                                                                  count_queries, categories):
    from casus.signals.models import Signal

    auth.login_with_totp(world["regisseur"])
    url = f"/casussen/{world['case'].id}/partners"

    def statements() -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    before = statements()
    for number in range(5, 15):
        organisation = make_organisation(name=f"Melder {number}")
        reporter = make_user("partner", organisation=organisation)
        make_user("partner", organisation=organisation)
        db.session.add(Signal(reference=f"S-2026-{number:06d}", category=categories["woonoverlast"],
                              team=world["team"], description="Zorgen", reporting_organisation_id=organisation.id,
                              reported_by_id=reporter.id, case_id=world["case"].id, status="in_triage"))
    db.session.commit()
    assert statements() == before


# --- the API ---------------------------------------------------------------------------------------------------

def test_the_api_lists_the_suggestions(api, world):
    response = api(world["regisseur"], "GET", f"/cases/{world['case'].id}/participant-suggestions")
    assert response.status_code == 200
    assert response.get_json() == [
        {"organisation": {"id": world["ggz"].id, "name": "GGZ Zonder Convenant", "kind": "ggz"},
         "convenantPartner": False, "signals": [{"id": world["signals"][3].id, "reference": "S-2026-000004"}]},
        {"organisation": {"id": world["corporatie"].id, "name": "Woonstichting", "kind": "woningcorporatie"},
         "convenantPartner": True, "signals": [{"id": world["signals"][1].id, "reference": "S-2026-000002"}]}]


def test_the_api_refuses_partners_and_hides_other_teams_cases(api, db, world, make_team, make_user):
    from casus.cases.models import Participation
    from casus.clock import today

    db.session.add(Participation(case_id=world["case"].id, organisation_id=world["other"].id, role="deelnemer",
                                 legal_basis="convenant", joined_on=today()))
    partner = make_user("partner", organisation=world["other"])
    stranger = make_user("procesregisseur", organisation=world["zvh"],
                         team=make_team(organisation=world["zvh"], name="Team Noord"))
    url = f"/cases/{world['case'].id}/participant-suggestions"
    assert api(partner, "GET", url).status_code == 403
    assert api(stranger, "GET", url).status_code == 404
