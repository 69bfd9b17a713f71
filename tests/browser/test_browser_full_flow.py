"""One case from first signal to closure, entirely in Chromium, with axe on every page.

signal (partner) → open case and invite a partner → triage A → goal and action → plan discussed →
adopt → the owner reports the action done → evaluation → step down → close.
"""

from datetime import timedelta

import pyotp
import sqlalchemy as sa

from browser_support import create_live_user, log_in, log_out, press, wait_for_axe


def wait_for_next_totp_step(secret):
    import time

    totp = pyotp.TOTP(secret)
    first = totp.now()
    while totp.now() == first:
        time.sleep(0.5)



def test_a_case_from_signal_to_closure_in_the_browser(page, live_app, live_db):
    from casus.cases.categories import ensure_standard_categories
    from casus.cases.models import Case, TransitionLog
    from casus.clock import today
    from casus.organisations.models import Organisation, OrganisationKind

    ensure_standard_categories()
    live_db.session.commit()
    regisseur = create_live_user(live_db, "procesregisseur", name="Femke Flow")
    secret = pyotp.random_base32()
    regisseur.totp_secret = secret
    politie = Organisation(name="Politie Flowstad", kind=OrganisationKind.POLITIE, convenant_partner=True)
    corporatie = Organisation(name="Woonstichting Flow", kind=OrganisationKind.WONINGCORPORATIE,
                              convenant_partner=True)
    live_db.session.add_all([politie, corporatie])
    live_db.session.commit()
    agent = create_live_user(live_db, "partner", name="Agent Flow", organisation=politie)
    huurbeheer = create_live_user(live_db, "partner", name="Huurbeheer Flow", organisation=corporatie)
    team_label = f"{regisseur.team.gemeente} — {regisseur.team.name}"

    # 1. The police report a signal.
    log_in(page, agent)
    page.click("nav >> text=Signaal melden")
    wait_for_axe(page)
    page.select_option("#category_id", label="Woonoverlast")
    page.select_option("#team_id", label=team_label)
    page.fill("#description", "Aanhoudende overlast en dreiging naar buren.")
    page.fill("#subjects-0-name", "Kees Flowman")
    page.fill("#subjects-0-bsn", "111222333")
    press(page, "Signaal versturen")
    assert "Uw signaal is ontvangen" in page.inner_text("main")
    log_out(page)

    # 2. The procesregisseur opens a case, invites the corporation and weighs it: outcome A.
    log_in(page, regisseur, secret)
    page.click("nav >> text=Triage")
    wait_for_axe(page)
    page.click("text=S-")
    wait_for_axe(page)
    page.fill("#title", "Overlast Flowstraat")
    press(page, "Nieuwe casus openen")
    # The triage page of the new case: /triage/casussen/<id>. (No database access from the test thread
    # while the browser works: on SQLite every transaction takes the write lock.)
    case_id = int(page.url.rstrip("/").split("/")[-1])
    page.goto(f"/casussen/{case_id}/partners")
    wait_for_axe(page)
    page.select_option("#organisation_id", label="Woonstichting Flow")
    page.select_option("#role", "casushouder")
    page.select_option("#legal_basis", "convenant")
    press(page, "Uitnodigen")
    page.goto(f"/triage/casussen/{case_id}")
    wait_for_axe(page)
    page.get_by_label("Problemen op meer dan één leefgebied").check()
    page.get_by_label("A: casusoverleg").check()
    page.fill("#reason", "Meerdere leefgebieden, zorg en veiligheid")
    press(page, "Triage vastleggen")
    assert "Aanpak: plan" in page.inner_text("main")

    # 3. The plan: a goal, an action for the corporation, discussed in the casusoverleg, adopted.
    page.goto(f"/casussen/{case_id}/plan")
    wait_for_axe(page)
    page.fill("#doel-description", "De overlast stopt")
    press(page, "Doel toevoegen")
    page.fill("#actie-description", "Huisbezoek met waarschuwing")
    page.select_option("#actie-owner_organisation_id", label="Woonstichting Flow")
    page.fill("#actie-due_on", (today() + timedelta(days=14)).strftime("%d-%m-%Y"))
    press(page, "Actie toevoegen")
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    page.fill("#discussed_on", today().strftime("%d-%m-%Y"))
    press(page, "Bespreking vastleggen")
    page.fill("#overgang-adopt_plan-reason", "Vastgesteld")
    press(page, "Plan van aanpak vaststellen")
    assert "Aanpak: uitvoering" in page.inner_text("main")
    log_out(page)

    # 4. The corporation reports its action done.
    log_in(page, huurbeheer)
    page.goto(f"/casussen/{case_id}/plan")
    wait_for_axe(page)
    progress_text = page.locator("[id^=voortgang-][id$=-text]").first
    progress_text.fill("Huisbezoek afgelegd, waarschuwing gegeven")
    page.locator("select[id^=voortgang-][id$=-status]").first.select_option("gereed")
    press(page, "Voortgang vastleggen")
    log_out(page)

    # 5. Evaluation, step down, and (after the nazorg period) close.
    # The TOTP code used at the first login may still be current: wait for the next 30-second step.
    wait_for_next_totp_step(secret)
    log_in(page, regisseur, secret)
    page.goto(f"/casussen/{case_id}")
    wait_for_axe(page)
    page.fill("#evaluation", "De overlast is gestopt.")
    press(page, "Evaluatie opslaan")
    page.fill("#overgang-step_down-reason", "Alle acties gereed")
    press(page, "Afschalen naar nazorg")
    assert "Nazorg" in page.inner_text("main")
    live_db.session.execute(sa.update(Case).where(Case.id == case_id)
                            .values(nazorg_started_on=today() - timedelta(days=200)))
    live_db.session.commit()  # the nazorg period (six months) has passed
    page.reload()
    wait_for_axe(page)
    page.fill("#overgang-close-reason", "Nazorg afgerond")
    page.select_option("#overgang-close-result", "doel_bereikt")
    press(page, "Afsluiten")
    assert "Afgesloten" in page.inner_text("main")

    live_db.session.expire_all()
    triggers = live_db.session.execute(sa.select(TransitionLog.trigger).where(
        TransitionLog.case_id == case_id, TransitionLog.allowed.is_(True)).order_by(TransitionLog.id)).scalars().all()
    assert triggers == ["start_triage", "accept", "adopt_plan", "step_down", "close"]
