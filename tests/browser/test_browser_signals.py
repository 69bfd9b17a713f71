"""A partner reports a signal with two betrokkenen in Chromium; the procesregisseur opens a case from it."""

import pyotp
import sqlalchemy as sa

from browser_support import create_live_user, log_in, log_out, wait_for_axe


def test_partner_reports_a_signal_and_the_procesregisseur_opens_a_case(page, live_app, live_db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.signals.models import Signal

    with live_app.app_context():
        ensure_standard_categories()
        live_db.session.commit()
    regisseur = create_live_user(live_db, "procesregisseur", name="Ria Regisseur")
    secret = pyotp.random_base32()
    regisseur.totp_secret = secret
    live_db.session.commit()
    team_label = f"{regisseur.team.gemeente} — {regisseur.team.name}"
    politie = Organisation(name="Politie Browserland", kind=OrganisationKind.POLITIE, convenant_partner=True)
    partner = create_live_user(live_db, "partner", name="Pim Partner", organisation=politie)

    log_in(page, partner)
    page.click("nav >> text=Signaal melden")
    wait_for_axe(page)
    page.select_option("#category_id", label="Woonoverlast")
    page.select_option("#team_id", label=team_label)
    page.select_option("#urgency", label="Hoog")
    page.fill("#description", "Al weken geluidsoverlast en vervuiling in het portiek.")
    page.fill("#subjects-0-name", "Jan de Vries")
    page.fill("#subjects-0-date_of_birth", "21-11-1980")
    page.fill("#subjects-0-bsn", "12345678")  # wrong first: one digit short
    page.click("button >> text=Nog een betrokkene")
    wait_for_axe(page)
    assert page.input_value("#subjects-0-name") == "Jan de Vries"
    page.check("#subjects-1-kind-1")  # adres
    page.fill("#subjects-1-postcode", "1234 ab")
    page.fill("#subjects-1-huisnummer", "12")
    page.click("button >> text=Signaal versturen")
    wait_for_axe(page)
    assert "elfproef" in page.inner_text(".casus-error-summary")
    page.fill("#subjects-0-bsn", "111222333")
    page.click("button >> text=Signaal versturen")
    wait_for_axe(page)
    assert "Uw signaal is ontvangen onder kenmerk S-" in page.inner_text("main")
    assert "In triage" not in page.inner_text("main") and "Ontvangen" in page.inner_text("main")
    reference = page.inner_text("h1").removeprefix("Signaal ").strip()
    page.click("nav >> text=Signalen")
    wait_for_axe(page)
    assert reference in page.inner_text("main")
    log_out(page)

    log_in(page, regisseur, secret)
    page.click("nav >> text=Triage")
    wait_for_axe(page)
    assert "0 van 5 werkdagen" in page.inner_text("main")
    page.click(f"text={reference}")
    wait_for_axe(page)
    assert "111222333" in page.inner_text("main") and "1234 AB 12" in page.inner_text("main")
    page.fill("#title", "Overlast portiek De Vries")
    page.select_option("#risk_level", label="Hoog")
    page.click("button >> text=Nieuwe casus openen")
    wait_for_axe(page)
    assert "is geopend" in page.inner_text("main")
    assert "Triage van casus" in page.inner_text("h1")
    with live_app.app_context():
        case = live_db.session.execute(sa.select(Case)).unique().scalar_one()
        signal = live_db.session.execute(sa.select(Signal)).unique().scalar_one()
        assert (case.title, case.phase, signal.case_id, signal.status) == (
            "Overlast portiek De Vries", "signalering", case.id, "in_triage")
