"""The menu per role, and that it offers exactly the pages the role may open (both ask casus.policy)."""

from __future__ import annotations

import re

import pytest

from casus.navigation import NAV_ITEMS, menu_for

ROLES = ("procesregisseur", "supervisor", "partner", "riec", "privacy", "beheerder")
CASE_WORK = ["signals.index", "cases.index", "meetings.index"]
TEAM_WORK = ["signals.triage_queue", "approvals.index", "escalations.index", "voordrachten.index"]
MENUS = {
    "procesregisseur": ["main.index", "signals.new", *CASE_WORK, *TEAM_WORK],
    "supervisor": ["main.index", "signals.new", *CASE_WORK, *TEAM_WORK, "reports.index"],
    "partner": ["main.index", "signals.new", *CASE_WORK],
    "riec": ["main.index", *CASE_WORK, "voordrachten.index"],
    "privacy": ["main.index", "audit.index", "subject_requests.index", "retention.terms_index",
                "destruction_lists.index", "declarations.index", "approvals.index"],
    "beheerder": ["main.index", "organisations.index", "organisations.teams", "users.index",
                  "organisations.categories"],
}
# Pages every logged-in user may open, whatever the menu offers: the dashboard, and the signals list (each user
# sees the signals their own organisation reported; the menu offers it to those who work on cases).
OPEN_TO_ALL = {"main.index", "signals.index"}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_its_menu(app, db, make_user, role):
    with app.test_request_context():  # the labels are translated
        assert sorted(endpoint for endpoint, _label in menu_for(make_user(role))) == sorted(MENUS[role])


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_offers_exactly_the_pages_the_role_may_open(app, client, login_as, role):
    """Drift between the menu and a page's own guard fails here: shown means 200, not shown means 403."""
    user = login_as(role)
    with app.test_request_context():
        shown = {endpoint for endpoint, _label in menu_for(user)}
        urls = {endpoint: app.url_for(endpoint) for endpoint, _label, _shown_to in NAV_ITEMS}
    assert _menu_links(client.get("/").get_data(as_text=True)) == [urls[e] for e, _l, _s in NAV_ITEMS if e in shown]
    for endpoint, url in urls.items():
        if endpoint not in OPEN_TO_ALL:
            assert client.get(url).status_code == (200 if endpoint in shown else 403), endpoint


def _menu_links(page: str) -> list[str]:
    menu = page[page.index('aria-label="Hoofdmenu"'):]
    return re.findall(r'href="([^"]+)"', menu[:menu.index("</nav>")])
