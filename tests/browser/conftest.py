"""Browser tests: the app served on a free local port, driven through playwright in Debian's Chromium.

axe-core is injected into every document the browser loads and reports WCAG 2.1 A/AA violations
back to the test; any violation, on any page visited, fails the test.
"""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from browser_support import AXE_RUNNER, CHROMIUM, CHROMIUM_ARGS, AxeReports, wait_for_axe


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_app(app_config, tmp_path_factory):
    from dataclasses import replace

    from casus import create_app

    from support import create_tables, database_url_for

    url = database_url_for("casus_browser", tmp_path_factory)
    app = create_app(replace(app_config, database_url=url, secure_cookies=False))
    create_tables(app)
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def live_db(live_app):
    """Committed data for the live server; every table is emptied after the test."""
    from casus.extensions import db

    from support import empty_tables

    with live_app.app_context():
        yield db
        empty_tables(live_app)
        live_app.extensions["casus_throttle"].counter.__init__()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser context per test; fails the test on any axe violation on any page."""
    context = chromium.new_context(base_url=live_server, locale="nl-NL")
    reports = AxeReports()
    context.expose_binding("casusReportAxe",
                           lambda _source, path, data: reports.pages.append((path, json.loads(data))))
    context.add_init_script(AXE_RUNNER)
    browser_page = context.new_page()
    browser_page.on("load", lambda _page: setattr(reports, "loads", reports.loads + 1))
    browser_page.set_default_timeout(30_000)
    browser_page.axe = reports
    yield browser_page
    if reports.loads:
        wait_for_axe(browser_page)
    context.close()
    assert reports.pages, "axe did not run on any page"
    assert len(reports.pages) >= reports.loads, "a page was left before axe finished; call wait_for_axe"
    assert not reports.violations(), "accessibility violations:\n" + "\n".join(reports.violations())
