"""Correcting a case in Chromium: the procesregisseur corrects a name and adds a BSN on the Betrokkenen tab and sees
the line on the tijdlijn, adds a group (the form shows the group's fields only), and edits the case's risk level on
the Bewerken page. axe checks every page on the way (the tab, the correction page, the edit page)."""

from __future__ import annotations

from browser_support import create_live_user, log_in, press, wait_for_axe


def prepare(db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, CaseSubject, LegalBasis, Participation
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.subjects.models import Subject
    from workflow import ParticipationRole

    categories = ensure_standard_categories()
    regisseur = create_live_user(db, "procesregisseur", name="Rosa Regisseur")
    politie = Organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE, convenant_partner=True)
    db.session.add(politie)
    db.session.flush()
    case = Case(reference="2026-00088", title="Overlast Dorpsstraat", category=categories["woonoverlast"],
                team=regisseur.team, gemeente=regisseur.team.gemeente, phase="aanpak.uitvoering",
                aanbrenger_organisation_id=politie.id, procesregisseur_id=regisseur.id, signal_count=1)
    jan = Subject(kind="persoon", name="Jan de Vris", name_key="jan de vris")
    db.session.add_all([case, jan])
    db.session.flush()
    db.session.add(Participation(case_id=case.id, organisation_id=politie.id, role=ParticipationRole.AANBRENGER,
                                 legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.add(CaseSubject(case_id=case.id, subject_id=jan.id))
    db.session.commit()
    return regisseur, case.id, jan.id


def test_a_name_is_corrected_and_a_bsn_added_and_the_timeline_says_so(page, live_db):
    regisseur, case_id, _jan = prepare(live_db)
    log_in(page, regisseur)
    page.goto(f"/casussen/{case_id}/betrokkenen")
    wait_for_axe(page)
    page.get_by_role("link", name="Corrigeren").click()
    wait_for_axe(page)
    page.fill("#name", "Jan de Vries")
    page.fill("#bsn", "123456789")  # fails the 11-proef: the message stands next to the field
    press(page, "Correctie opslaan")
    assert "de elfproef faalt" in page.inner_text("#bsn-error")
    page.fill("#bsn", "123456782")
    press(page, "Correctie opslaan")
    assert "De gegevens van de betrokkene zijn gecorrigeerd." in page.inner_text("main")
    table = page.inner_text("#subjects-caption >> xpath=..")
    assert "Jan de Vries" in table and "******782" in table and "123456782" not in table

    page.get_by_role("link", name="Tijdlijn", exact=True).click()
    wait_for_axe(page)
    timeline = page.inner_text("main")
    assert "Naam en BSN van een betrokkene gecorrigeerd" in timeline
    assert "Vris" not in timeline and "123456782" not in timeline


def test_a_group_is_added_and_the_case_risk_edited(page, live_db):
    regisseur, case_id, _jan = prepare(live_db)
    log_in(page, regisseur)
    page.goto(f"/casussen/{case_id}/betrokkenen")
    wait_for_axe(page)
    page.select_option("#soort-betrokkene", "groep")
    assert page.locator("#bsn").is_hidden() and page.locator("#kvk_nummer").is_hidden()
    page.fill("#name", "Jongeren Stationsplein")
    press(page, "Betrokkene toevoegen")
    assert "De betrokkene is toegevoegd." in page.inner_text("main")
    assert "Jongeren Stationsplein" in page.inner_text("#subjects-caption >> xpath=..")

    page.get_by_role("link", name="Overzicht", exact=True).click()
    wait_for_axe(page)
    page.get_by_role("link", name="Bewerken", exact=False).click()
    wait_for_axe(page)
    page.select_option("#risk_level", "hoog")
    press(page, "Wijzigingen opslaan")
    assert "De gegevens van de casus zijn gewijzigd." in page.inner_text("main")
    assert "Risico: Hoog" in page.inner_text("main")
    page.get_by_role("link", name="Tijdlijn", exact=True).click()
    wait_for_axe(page)
    timeline = page.inner_text("main")
    assert "Risiconiveau gewijzigd (risiconiveau: Hoog)" in timeline and "Betrokkene toegevoegd (groep)" in timeline
