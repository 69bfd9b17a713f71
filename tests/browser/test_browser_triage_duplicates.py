"""In Chromium: pending signals about the same BSN show as one group in the triage queue and are bundled into
one case in one step; the new case's partners page suggests the other reporting organisations, and the contact
select follows the chosen organisation (the script hides the others)."""

import pyotp
import sqlalchemy as sa

from browser_support import create_live_user, log_in, wait_for_axe


def test_a_duplicate_group_is_bundled_in_one_step_and_its_reporters_are_suggested(page, live_app, live_db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.signals import services
    from casus.signals.models import Signal
    from casus.subjects.services import SubjectInput

    with live_app.app_context():
        ensure_standard_categories()
        live_db.session.commit()
    regisseur = create_live_user(live_db, "procesregisseur", name="Ria Regisseur")
    secret = pyotp.random_base32()
    regisseur.totp_secret = secret
    live_db.session.commit()
    reporters = [Organisation(name=name, kind=kind, convenant_partner=True) for name, kind in (
        ("Politie Browserland", OrganisationKind.POLITIE), ("Woonstichting Browserland",
                                                           OrganisationKind.WONINGCORPORATIE),
        ("GGZ Browserland", OrganisationKind.GGZ))]
    partners = [create_live_user(live_db, "partner", name=f"Melder {organisation.name}", organisation=organisation)
                for organisation in reporters]
    colleague = create_live_user(live_db, "partner", name="Collega Woonstichting", organisation=reporters[1])
    category = live_db.session.execute(sa.text("select id from categories where code = 'woonoverlast'")).scalar_one()
    references = []
    for partner in partners:
        with live_app.test_request_context():
            signal, _hints = services.report_signal(
                partner, category_id=category, team_id=regisseur.team_id, description="Zorgen over de bewoner.",
                urgency="normaal", subjects=[SubjectInput(kind="persoon", name="Jan de Vries", bsn="111222333")])
            live_db.session.commit()
            references.append(signal.reference)

    log_in(page, regisseur, secret)
    page.click("nav >> text=Triage")
    wait_for_axe(page)
    group = page.locator("tbody.casus-duplicate-group")
    assert "Mogelijk dezelfde betrokkene (3 signalen)" in group.inner_text()
    assert "zelfde BSN" in group.inner_text()
    assert all(reference in group.inner_text() for reference in references)
    group.get_by_role("link", name="Bundel tot één casus").click()
    wait_for_axe(page)
    assert references[0] in page.inner_text("h1")
    boxes = page.locator("input[name=also]")
    assert boxes.count() == 2 and all(boxes.nth(index).is_checked() for index in range(2))
    page.fill("#title", "Overlast De Vries")
    page.click("button >> text=Nieuwe casus openen")
    wait_for_axe(page)
    assert "is geopend" in page.inner_text("main")
    with live_app.app_context():
        case = live_db.session.execute(sa.select(Case)).unique().scalar_one()
        bundled = live_db.session.execute(sa.select(Signal.case_id, Signal.status)).all()
        assert set(bundled) == {(case.id, "in_triage")} and len(bundled) == 3 and case.signal_count == 3

    page.goto(f"/casussen/{case.id}/partners")
    wait_for_axe(page)
    text = page.locator("table:has(#suggested-participants-caption)").inner_text()
    assert "Woonstichting Browserland" in text and "GGZ Browserland" in text and "Politie Browserland" not in text
    # Without a choice the script offers no contact; choosing an organisation shows only its people.
    contact = page.locator("#contact_user_id")
    assert contact.locator("option:not([hidden])").all_inner_texts() == ["Geen contactpersoon"]
    page.select_option("#organisation_id", label="GGZ Browserland")
    assert contact.locator("option:not([hidden])").all_inner_texts() == ["Geen contactpersoon",
                                                                          "Melder GGZ Browserland"]
    # The one-click invite of a suggestion preselects it; the page then lists only its contacts.
    page.locator("table:has(#suggested-participants-caption)").get_by_role(
        "link", name="Uitnodigen Woonstichting Browserland").click()
    wait_for_axe(page)
    assert page.locator("#organisation_id option:checked").inner_text() == "Woonstichting Browserland"
    assert sorted(contact.locator("option").all_inner_texts()) == [
        "Collega Woonstichting", "Geen contactpersoon", "Melder Woonstichting Browserland"]
    page.select_option("#contact_user_id", label=colleague.name)
    page.click("button >> text=Uitnodigen")
    wait_for_axe(page)
    assert "Woonstichting Browserland neemt nu deel aan de casus." in page.inner_text("main")
    text = page.locator("table:has(#suggested-participants-caption)").inner_text()
    assert "GGZ Browserland" in text and "Woonstichting Browserland" not in text
