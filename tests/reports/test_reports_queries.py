"""The reports' queries (casus.reports.queries) count with the threshold, language and "today" they are given,
not with the app's configuration: the services pass those in (tests/reports/test_reports_services.py holds
the figures of every report)."""

from __future__ import annotations

from datetime import date

from casus.reports.figures import ReportFilters
from casus.reports.queries import REPORTS, run_reports

PERIOD = ReportFilters(date(2025, 1, 1), date(2025, 6, 30))


def test_every_report_in_its_order_with_the_threshold_and_language_given(app, stand):
    with app.test_request_context():
        reports = run_reports(stand["supervisor"], PERIOD, None, threshold=1, locale="en", today=date(2025, 6, 30))
        strict = run_reports(stand["supervisor"], PERIOD, ["fasen"], threshold=5, locale="nl", today=date(2025, 6, 30))
    assert [report.name for report in reports] == list(REPORTS)
    assert [cell.display for row in reports[0].rows for cell in row.cells] == ["4", "2", "0", "4", "1", "3"]
    assert [cell.display for row in strict[0].rows for cell in row.cells] == ["<5", "<5", "0", "<5", "<5", "<5"]
    assert reports[list(REPORTS).index("instroom")].rows[0].label == "January 2025"
