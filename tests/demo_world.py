"""A demo-like world for the page crawls (tests/web/test_unique_ids.py, tests/browser/test_browser_every_page.py):
the demo's organisations and one user per role, a few dozen synthetic cases and the running meeting series
(casus_seed, Faker nl_NL), every demo user given the test password and a TOTP secret. Also the one rule for which
links a crawl follows."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

CRAWL_ROLES = ("procesregisseur", "partner", "supervisor", "privacy", "beheerder")
# Files, the API, the metrics and logging out are no pages to check (and logging out ends the crawl).
SKIPPED_SUFFIXES = (".ics", ".csv", ".pdf", ".xlsx", ".json", ".svg")
SKIPPED_PREFIXES = ("/api/", "/static/", "/uitloggen", "/metrics", "/healthz", "/readyz")
SKIPPED_PARTS = ("/download", "/export")


def seed_world(db, cases: int = 30) -> dict[str, object]:
    """Seed and commit the world; returns the first demo user of each role in CRAWL_ROLES."""
    import pyotp

    from casus.auth.passwords import hash_password
    from casus_seed.demo import seed_demo, seed_demo_cases

    from support import DEFAULT_PASSWORD

    users = seed_demo()
    seed_demo_cases(users, cases=cases)
    password_hash = hash_password(DEFAULT_PASSWORD)
    by_role = {}
    for user in users:
        user.password_hash = password_hash
        user.totp_secret = pyotp.random_base32()
        for role in CRAWL_ROLES:
            if user.has_role(role):
                by_role.setdefault(role, user)
    db.session.commit()
    return by_role


def next_link(base_url: str, page_path: str, href: str) -> str | None:
    """The same-origin path (with its query) a link leads to, or None when a crawl should not follow it."""
    origin = urlsplit(base_url)
    target = urlsplit(urljoin(base_url.rstrip("/") + page_path, href))
    if (target.scheme, target.netloc) != (origin.scheme, origin.netloc):
        return None
    path = target.path
    if path.startswith(SKIPPED_PREFIXES) or path.endswith(SKIPPED_SUFFIXES) or any(p in path for p in SKIPPED_PARTS):
        return None
    return path + (f"?{target.query}" if target.query else "")


def shape(path: str) -> str:
    """A page's kind: its path with the numbers taken out and its query's names (not values), so that a crawl
    sees each kind of page a few times instead of every case, signal and audit page of one kind."""
    import re

    base, _, query = path.partition("?")
    names = sorted({part.split("=")[0] for part in query.split("&") if part})
    return re.sub(r"/\d+", "/<n>", base) + ("?" + "&".join(names) if names else "")


class Crawl:
    """Breadth-first order of the pages to visit: each kind of page at most ``per_shape`` times, ``max_pages`` in
    all."""

    def __init__(self, start: str = "/", max_pages: int = 80, per_shape: int = 2) -> None:
        self.per_shape = per_shape
        self.queue = [start]
        self.seen = {start}
        self.shapes: dict[str, int] = {shape(start): 1}
        self.max_pages = max_pages
        self.visited = 0

    def __iter__(self):
        while self.queue and self.visited < self.max_pages:
            self.visited += 1
            yield self.queue.pop(0)

    def add(self, path: str | None) -> None:
        if path is None or path in self.seen:
            return
        kind = shape(path)
        if self.shapes.get(kind, 0) >= self.per_shape:
            return
        self.seen.add(path)
        self.shapes[kind] = self.shapes.get(kind, 0) + 1
        self.queue.append(path)
