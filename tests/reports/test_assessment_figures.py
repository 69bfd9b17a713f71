"""The change in leefgebieden scores between triage and closure per category: averages over closed cases with both
assessments, small groups suppressed as every other report figure is, shown on the page, in the API and downloads."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from casus.assessments.models import Assessment, AssessmentScore
from casus.reports.figures import Reason, ReportFilters
from casus.reports.queries import run_reports

PERIOD = {"van": "01-01-2025", "tot": "30-06-2025"}
API_PERIOD = "from=2025-01-01&to=2025-06-30"
FILTERS = ReportFilters(date(2025, 1, 1), date(2025, 6, 30))


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def assess(db, case, moment, day, recorder, **scores):
    db.session.add(Assessment(case_id=case.id, moment=moment, assessed_on=day, recorded_by_id=recorder.id,
                              scores=[AssessmentScore(domain=code, score=value) for code, value in scores.items()]))
    db.session.flush()


@pytest.fixture
def scored(db, world, add_case):
    """Woonoverlast: five closed cases, financien 2 → 4 in each (+2), huisvesting 1 → 2 in three of them (+1);
    one of them has an earlier and a later triage (the first counts) and two afsluitingen (the last counts).
    Jeugd: two closed cases (+1 financien): too few. Not counted: an open case, a case closed before the period,
    a case without an afsluiting, and team B's case."""
    recorder = world["supervisor"]
    a, b = world["team_a"], world["team_b"]
    for index in range(5):
        case = add_case(a, "afgesloten", utc(2024, 11, 1), closed_on=date(2025, 3, 1 + index), result="doel_bereikt")
        extra = {"huisvesting": 1} if index < 3 else {}
        assess(db, case, "triage", date(2024, 11, 2), recorder, financien=2, **extra)
        if index == 0:
            assess(db, case, "triage", date(2024, 12, 1), recorder, financien=5)  # a later triage: not the first
            assess(db, case, "afsluiting", date(2025, 2, 1), recorder, financien=1)  # an earlier closing: not last
        assess(db, case, "evaluatie", date(2025, 1, 2), recorder, financien=3)
        assess(db, case, "afsluiting", date(2025, 3, 1), recorder, financien=4, **({"huisvesting": 2} if extra else {}))
    for _ in range(2):
        case = add_case(a, "afgesloten", utc(2024, 11, 1), closed_on=date(2025, 4, 1), category="jeugd",
                        result="doel_bereikt")
        assess(db, case, "triage", date(2024, 11, 2), recorder, financien=3)
        assess(db, case, "afsluiting", date(2025, 4, 1), recorder, financien=4)
    open_case = add_case(a, "aanpak.uitvoering", utc(2024, 11, 1))
    early = add_case(a, "afgesloten", utc(2024, 6, 1), closed_on=date(2024, 12, 1), result="doel_bereikt")
    unclosed = add_case(a, "afgesloten", utc(2024, 11, 1), closed_on=date(2025, 3, 1), result="doel_bereikt")
    elsewhere = add_case(b, "afgesloten", utc(2024, 11, 1), closed_on=date(2025, 3, 1), result="doel_bereikt")
    for case in (open_case, early, unclosed, elsewhere):
        assess(db, case, "triage", date(2024, 11, 2), recorder, financien=1)
    for case in (open_case, early, elsewhere):
        assess(db, case, "afsluiting", date(2024, 12, 1), recorder, financien=5)
    return world


def report_of(user, *, threshold=5, locale="nl"):
    return run_reports(user, FILTERS, ["leefgebieden"], threshold=threshold, locale=locale, today=date(2025, 6, 30))[0]


def row(report, label):
    return next(r for r in report.rows if r.label == label)


def cells(report, r, *keys):
    index = {column.key: number for number, column in enumerate(report.columns)}
    return [r.cells[index[key]].display for key in keys]


def test_average_change_per_domain_and_overall_with_small_groups_suppressed(app, scored):
    with app.test_request_context():
        report = report_of(scored["supervisor"])
    woon = row(report, "Woonoverlast")
    # 5 × (+2) on financien and 3 × (+1) on huisvesting: (10 + 3) / 8 = 1.625 over all domains.
    assert cells(report, woon, "casussen", "alleLeefgebieden", "financien", "huisvesting", "justitie") == [
        "5", "+1,6", "+2,0", "–", "–"]
    huisvesting = woon.cells[[c.key for c in report.columns].index("huisvesting")]
    assert huisvesting.suppressed and huisvesting.reason == Reason.FEW_CASES  # three cases: fewer than five
    jeugd = row(report, "Jeugd")
    assert cells(report, jeugd, "casussen", "alleLeefgebieden", "financien") == ["<5", "–", "–"]
    assert jeugd.cells[0].reason == Reason.SMALL and jeugd.cells[1].reason == Reason.FEW_CASES
    # The totals would reveal the hidden category: hidden as well.
    assert [cell.display for cell in report.total.cells[:3]] == ["–", "–", "–"]
    assert report.total.cells[0].reason == Reason.DERIVABLE


def test_with_a_lower_threshold_every_figure_shows(app, scored):
    with app.test_request_context():
        report = report_of(scored["supervisor"], threshold=1, locale="en")
    assert cells(report, row(report, "Youth"), "casussen", "alleLeefgebieden", "financien") == ["2", "+1.0", "+1.0"]
    # All seven cases: (10 + 3 + 2) / 10 pairs = 1.5; financien (10 + 2) / 7.
    assert [cell.display for cell in report.total.cells[:3]] == ["7", "+1.5", "+1.7"]


def test_the_page_the_api_and_the_download_show_the_same_figures(client, api, auth, scored):
    auth.login_with_totp(scored["supervisor"])
    page = client.get("/rapportages", query_string=PERIOD).get_data(as_text=True)
    assert "Verandering in leefgebieden per categorie" in page and "+1,6" in page
    body = api(scored["supervisor"], "GET", f"/reports/leefgebieden?{API_PERIOD}").get_json()
    assert body["columns"][1] == {"key": "alleLeefgebieden", "label": "Alle leefgebieden", "kind": "change"}
    woon = next(r for r in body["rows"] if r["label"] == "Woonoverlast")
    assert woon["cells"][1] == {"value": 1.6, "display": "+1,6", "suppressed": False, "reason": None}
    csv = client.get("/rapportages/leefgebieden.csv", query_string=PERIOD).get_data().decode("utf-8-sig")
    assert "+1,6" in csv and "<5" in csv
    assert client.get("/rapportages/leefgebieden.xlsx", query_string=PERIOD).status_code == 200


def test_a_negative_change_draws_no_bar_and_does_not_set_the_scale(app):
    from casus.reports.figures import Cell, Column, Kind, Report, Row
    from casus.reports.views import PLOT_WIDTH, chart_of

    rows = tuple(Row(str(n), name, (Cell(value, str(value)),)) for n, (name, value) in enumerate(
        (("Beter", 2.0), ("Slechter", -1.0), ("Half", 1.0))))
    report = Report(name="leefgebieden", title="t", sheet="s", description="d", row_header="r",
                    columns=(Column("x", "x", Kind.CHANGE),), rows=rows, total=None, chart_columns=(0,),
                    filters=FILTERS, threshold=5)
    with app.test_request_context():
        widths = [row["bars"][0]["width"] for row in chart_of(report)["rows"]]
    assert widths == [PLOT_WIDTH, 0.0, PLOT_WIDTH / 2]
