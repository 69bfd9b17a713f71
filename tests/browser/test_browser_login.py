"""Logging in, switching language and reading the accessibility statement in a real Chromium."""

import sqlalchemy as sa

from browser_support import create_live_user, wait_for_axe


def test_login_page_and_failed_login_are_accessible(page, live_db):
    page.goto("/inloggen")
    wait_for_axe(page)
    page.fill("#email", "niemand@example.org")
    page.fill("#password", "niet-het-wachtwoord")
    page.click("button[type=submit] >> text=Inloggen")
    wait_for_axe(page)
    assert "Onbekende combinatie" in page.inner_text("main")


def test_partner_logs_in_sees_dashboard_and_logs_out(page, live_db):
    user = create_live_user(live_db, "partner", name="Mila Partner")
    page.goto("/")
    wait_for_axe(page)
    assert page.url.endswith("/inloggen?next=/")
    page.fill("#email", user.email)
    page.fill("#password", "correct-horse-battery-staple")
    page.click("button[type=submit] >> text=Inloggen")
    wait_for_axe(page)
    assert "Welkom, Mila Partner" in page.inner_text("h1")
    page.click("text=Uitloggen")
    wait_for_axe(page)
    assert "U bent uitgelogd." in page.inner_text("main")


def test_language_switch_to_english(page, live_db):
    page.goto("/inloggen")
    wait_for_axe(page)
    page.select_option("#locale", "en")
    page.click("text=Wissel taal")
    wait_for_axe(page)
    assert page.locator("html").get_attribute("lang") == "en"


def test_accessibility_statement(page, live_db):
    page.goto("/toegankelijkheid")
    wait_for_axe(page)
    assert "WCAG 2.1" in page.inner_text("main")


def test_skip_link_moves_focus_to_main(page, live_db):
    page.goto("/inloggen")
    wait_for_axe(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "casus-skip-link"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")


def test_supervisor_enrols_totp_in_the_browser(page, live_db):
    import pyotp

    from casus.users.models import User

    user = create_live_user(live_db, "supervisor", name="Sem Supervisor")
    page.goto("/inloggen")
    wait_for_axe(page)
    page.fill("#email", user.email)
    page.fill("#password", "correct-horse-battery-staple")
    page.click("button[type=submit] >> text=Inloggen")
    wait_for_axe(page)
    assert page.locator(".casus-qr svg").count() == 1
    secret = page.inner_text(".casus-secret")
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button[type=submit] >> text=Instellen")
    wait_for_axe(page)
    assert "Welkom, Sem Supervisor" in page.inner_text("h1")
    stored = live_db.session.execute(sa.select(User.totp_secret).where(User.id == user.id)).scalar_one()
    assert stored == secret
