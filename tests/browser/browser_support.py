"""Browser-test helpers: the axe runner injected into every page, and committed data for the live server."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from casus.auth.passwords import hash_password

CHROMIUM = "/usr/bin/chromium"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Best-practice rules run as well: two landmarks of one role need names that tell them apart, or a screen
# reader's landmark list shows the same entry twice.
AXE_EXTRA_RULES = {"landmark-unique": {"enabled": True}}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Runs in every document: when it has loaded, run axe and report the result to Python.
AXE_RUNNER = AXE_SOURCE + """
;window.addEventListener('load', () => {
  axe.run(document, {runOnly: {type: 'tag', values: AXE_TAGS}, rules: AXE_EXTRA_RULES}).then((results) => {
    // Duplicate ids break label/for and aria references (WCAG 4.1.1); axe no longer tags them.
    // Hidden inputs (CSRF tokens of several forms) are never labelled or referenced.
    const seen = {};
    document.querySelectorAll('[id]:not(input[type=hidden])').forEach((el) => {
      seen[el.id] = (seen[el.id] || 0) + 1;
    });
    const duplicates = Object.keys(seen).filter((id) => seen[id] > 1);
    if (duplicates.length) {
      results.violations.push({id: 'duplicate-id', impact: 'serious', help: 'Element ids must be unique',
                               nodes: duplicates.map((id) => ({target: ['#' + id]}))});
    }
    window.casusReportAxe(location.pathname, JSON.stringify(results.violations));
    window.__axeDone = true;
  });
});
""".replace("AXE_TAGS", json.dumps(AXE_TAGS)).replace("AXE_EXTRA_RULES", json.dumps(AXE_EXTRA_RULES))


class AxeReports:
    def __init__(self) -> None:
        self.loads = 0
        self.pages: list[tuple[str, list[dict]]] = []

    def violations(self) -> list[str]:
        found = []
        for path, violations in self.pages:
            for violation in violations:
                targets = [node["target"] for node in violation["nodes"]][:3]
                found.append(f"{path}: {violation['id']} ({violation['impact']}) {violation['help']} {targets}")
        return found


def wait_for_axe(browser_page) -> None:
    """Wait until axe has checked the current document (call after each navigation)."""
    browser_page.wait_for_function("() => window.__axeDone === true")


_numbers = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


def create_live_user(db, *roles: str, name: str = "Test Gebruiker", organisation=None):
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.users.models import Role, User, UserRole

    number = next(_numbers)
    organisation = organisation or Organisation(
        name=f"Browserorganisatie {number}", kind=OrganisationKind.ZVH, convenant_partner=True)
    team = None
    if {"procesregisseur", "supervisor"} & set(roles):
        team = Team(name=f"Team {number}", gemeente="Voorbeeldstad", organisation=organisation)
    user = User(email=f"browser{number}@example.org", name=name, organisation=organisation, team=team,
                password_hash=hash_password(PASSWORD))
    user.role_rows = [UserRole(role=Role(role)) for role in roles]
    db.session.add(user)
    db.session.commit()
    return user


def log_in(page, user, totp_secret: str | None = None) -> None:
    """Log in through the form (and the TOTP step when the user has a secret), checking each page with axe."""
    import pyotp

    page.goto("/inloggen")
    wait_for_axe(page)
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit] >> text=Inloggen")
    wait_for_axe(page)
    if totp_secret:
        page.fill("#code", pyotp.TOTP(totp_secret).now())
        page.click("button[type=submit] >> text=Bevestigen")
        wait_for_axe(page)


def log_out(page) -> None:
    page.click("text=Uitloggen")
    wait_for_axe(page)


def press(page, name: str) -> None:
    """Click the button with exactly this accessible name and wait for the next page's axe check."""
    page.get_by_role("button", name=name, exact=True).click()
    wait_for_axe(page)
