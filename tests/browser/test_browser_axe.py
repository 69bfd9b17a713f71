"""The accessibility check itself: it must notice a violation, or a green run means nothing."""

import json

from browser_support import AXE_RUNNER, AxeReports


def test_axe_reports_a_real_violation(chromium, live_server):
    context = chromium.new_context(base_url=live_server)
    reports = AxeReports()
    context.expose_binding("casusReportAxe",
                           lambda _source, path, data: reports.pages.append((path, json.loads(data))))
    context.add_init_script(AXE_RUNNER)
    page = context.new_page()
    page.route("**/broken", lambda route: route.fulfill(
        content_type="text/html",
        body="<!doctype html><html><head><title>x</title></head><body><input type=text></body></html>"))
    page.goto(f"{live_server}/broken")
    page.wait_for_function("() => window.__axeDone === true")
    context.close()
    assert any("label" in line for line in reports.violations()), reports.violations()
