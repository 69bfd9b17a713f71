"""Every id on a page is unique, hidden inputs included: a label's for=, aria-describedby and the error summary's
links find the first element with an id, so a second one is unreachable (WCAG 4.1.1). Cheap and without a
browser: the login page, then the pages each role reaches by links from its dashboard in a demo-like world
(tests/browser/test_browser_every_page.py runs axe over the same world)."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

from demo_world import CRAWL_ROLES, Crawl, next_link, seed_world

MAX_PAGES = 80
BASE = "https://localhost"


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: Counter[str] = Counter()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids[attributes["id"]] += 1
        if tag == "a" and attributes.get("href") and "download" not in attributes:
            self.links.append(attributes["href"])


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def duplicates(page: Page) -> list[str]:
    return sorted(identifier for identifier, count in page.ids.items() if count > 1)


def crawl(client) -> dict[str, list[str]]:
    """Breadth-first over same-origin GET links from the dashboard: each page's duplicate ids; never a 5xx."""
    found: dict[str, list[str]] = {}
    pages = Crawl(max_pages=MAX_PAGES)
    for path in pages:
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = parse(response.get_data(as_text=True))
        found[path] = duplicates(page)
        for href in page.links:
            pages.add(next_link(BASE, path, href))
    return found


def test_the_login_page_has_unique_ids(client):
    page = parse(client.get("/inloggen").get_data(as_text=True))
    assert {"csrf_token", "next", "email", "password", "locale"} <= set(page.ids)
    assert duplicates(page) == []


def test_every_page_each_role_reaches_has_unique_ids(client, db, login, auth):
    users = seed_world(db)
    problems = {}
    for role in CRAWL_ROLES:
        login(users[role])
        pages = crawl(client)
        assert len(pages) > 3, (role, pages)
        problems.update({f"{role} {path}": ids for path, ids in pages.items() if ids})
        auth.logout()
    assert problems == {}
