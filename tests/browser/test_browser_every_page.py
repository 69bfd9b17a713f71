"""axe on every page: each role of a demo-like world (the demo's users, a few dozen synthetic cases, the running
meeting series) crawls breadth-first from its dashboard over same-origin links — each kind of page once, files,
the API and logging out skipped, only GET — and no page may answer 5xx, show an accessibility violation or a
drop-down without its arrow.
Pages added later are crawled as soon as a link leads to them."""

from __future__ import annotations

import json
import time

from demo_world import CRAWL_ROLES, Crawl, next_link, seed_world

from browser_support import AXE_RUNNER, AxeReports, log_in, wait_for_axe

MAX_PAGES = 30  # per role: each kind of page once, the first thirty kinds breadth-first
LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter((a) => !a.hasAttribute('download')).map((a) => a.getAttribute('href'))"""


# A drop-down draws its arrow as a background image (the theme's chevron): one without it looks like a text field.
SELECTS_WITHOUT_ARROW = """() => Array.from(document.querySelectorAll('select:not([multiple]):not([size])'))
  .filter((select) => getComputedStyle(select).backgroundImage === 'none').map((select) => select.id || select.name)"""


def crawl_as(chromium, live_server, user) -> tuple[list[str], list[str], list[str]]:
    """(pages visited, 5xx answers, axe violations) of one user's crawl, in a browser context of its own."""
    context = chromium.new_context(base_url=live_server, locale="nl-NL")
    reports = AxeReports()
    context.expose_binding("casusReportAxe",
                           lambda _source, path, data: reports.pages.append((path, json.loads(data))))
    context.add_init_script(AXE_RUNNER)
    page = context.new_page()
    page.set_default_timeout(30_000)
    visited, errors = [], []
    try:
        log_in(page, user, user.totp_secret)
        crawl = Crawl(max_pages=MAX_PAGES, per_shape=1)
        for path in crawl:
            response = page.goto(path)
            if response is None or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            visited.append(path)
            if response.status >= 500:
                errors.append(f"{path}: {response.status}")
                continue
            wait_for_axe(page)
            bare = page.evaluate(SELECTS_WITHOUT_ARROW)
            if bare:
                errors.append(f"{path}: selects without their arrow: {bare}")
            for href in page.evaluate(LINKS):
                crawl.add(next_link(live_server, path, href))
    finally:
        context.close()
    return visited, errors, reports.violations()


def test_every_page_each_role_reaches_answers_and_passes_axe(chromium, live_server, live_db):
    users = seed_world(live_db)
    problems, timings = [], {}
    for role in CRAWL_ROLES:
        started = time.monotonic()
        visited, errors, violations = crawl_as(chromium, live_server, users[role])
        timings[role] = (len(visited), round(time.monotonic() - started, 1))
        assert len(visited) >= 5, (role, visited)
        problems += [f"{role} {line}" for line in errors + violations]
    assert not problems, "\n".join(problems) + f"\n(pages and seconds per role: {timings})"
