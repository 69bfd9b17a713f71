"""Nazorg in Chromium: the procesregisseur records a check-in with a signal of relapse on the Nazorg tab and takes
the relapse step it offers; on the plan page a goal is settled. Every page is checked with axe."""

from datetime import timedelta

import sqlalchemy as sa

from browser_support import create_live_user, log_in, wait_for_axe


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.plans.models import Goal
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    regisseur = create_live_user(db, "procesregisseur", name="Rosa Regisseur")
    politie = Organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE, convenant_partner=True)
    db.session.add(politie)
    db.session.flush()
    case = Case(reference="2026-00051", title="Overlast Molenweg", category=categories["woonoverlast"],
                team=regisseur.team, gemeente=regisseur.team.gemeente, phase="nazorg",
                aanbrenger_organisation_id=politie.id, procesregisseur_id=regisseur.id, signal_count=1,
                nazorg_started_on=today() - timedelta(days=95), evaluation="Rust teruggekeerd")
    db.session.add(case)
    db.session.flush()
    db.session.add(Participation(case_id=case.id, organisation_id=politie.id, role=ParticipationRole.AANBRENGER,
                                 legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.add(Goal(case_id=case.id, description="De overlast stopt", created_by_id=regisseur.id))
    db.session.commit()
    return regisseur, case.id


def test_a_check_in_with_a_relapse_signal_offers_the_relapse_step(page, live_db):
    from casus.cases.models import Case
    from casus.clock import today
    from casus.nazorg.models import NazorgCheckin

    regisseur, case_id = prepare(live_db)
    log_in(page, regisseur)
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    page.get_by_role("link", name="Nazorg", exact=True).click()
    wait_for_axe(page)
    main = page.inner_text("main")
    assert "na 3 maanden" in main and "na 6 maanden" in main
    live_db.session.rollback()
    three = live_db.session.execute(sa.select(NazorgCheckin.id).where(
        NazorgCheckin.case_id == case_id, NazorgCheckin.months == 3)).scalar_one()
    live_db.session.rollback()  # end the read transaction before the server writes again

    form = page.locator(f"form[action$='/nazorg/{three}']")
    form.locator(f"#nazorg-{three}-done_on").fill(today().strftime("%d-%m-%Y"))
    form.locator(f"#nazorg-{three}-contact_made").select_option("ja")
    form.locator(f"#nazorg-{three}-outcome").fill("Buren melden weer geluidsoverlast in de nacht.")
    form.locator(f"#nazorg-{three}-relapse_signal").check()
    form.get_by_role("button", name="Nazorgcontact vastleggen").click()
    wait_for_axe(page)
    main = page.inner_text("main")
    assert "Het nazorgcontact is vastgelegd." in main and "Signaal van terugval" in main
    assert page.input_value("#terugval-reden") == "Signaal van terugval bij het nazorgcontact na 3 maanden."

    page.get_by_role("button", name="Terugval: terug naar de uitvoering", exact=True).click()
    wait_for_axe(page)
    assert "De casus is nu in fase: Aanpak: uitvoering" in page.inner_text("main")
    live_db.session.expire_all()
    assert live_db.session.get(Case, case_id).phase == "aanpak.uitvoering"
    live_db.session.rollback()

    page.get_by_role("link", name="Plan van aanpak", exact=True).click()
    wait_for_axe(page)
    page.get_by_text("Status van dit doel wijzigen").click()
    page.locator("select[id$='-status']").first.select_option("behaald")
    page.locator("input[id$='-status_on']").first.fill(today().strftime("%d-%m-%Y"))
    page.get_by_role("button", name="Status opslaan", exact=True).click()
    wait_for_axe(page)
    assert "De status van het doel is gewijzigd." in page.inner_text("main")
    page.get_by_role("link", name="Overzicht", exact=True).click()
    wait_for_axe(page)
    assert "Doelen van het plan van aanpak" in page.inner_text("main")
