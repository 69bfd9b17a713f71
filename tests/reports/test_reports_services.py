"""Report figures against the hand-built dataset (tests/reports/conftest.py), and the suppression rules."""

from __future__ import annotations

from datetime import date

import pytest

from casus.reports import services
from casus.reports.figures import ReportFilters
from casus.services import ServiceError

PERIOD = ReportFilters(date(2025, 1, 1), date(2025, 6, 30))


@pytest.fixture(autouse=True)
def request_context(app, db):
    """Labels are translated, which needs a request (Dutch by default)."""
    with app.test_request_context():
        yield


def table(report) -> dict[str, list[str]]:
    """``{row key: [display, ...]}``, the totals row under ``"totaal"``."""
    rows = {row.key: [cell.display for cell in row.cells] for row in report.rows}
    if report.total is not None:
        rows["totaal"] = [cell.display for cell in report.total.cells]
    return rows


def build(user, name, filters=PERIOD):
    return services.build_report(user, filters, name)


# --- exact figures (threshold 1: nothing withheld) -----------------------------------------------------------

def test_cases_by_phase_category_and_gemeente(stand, categories, threshold):
    threshold(1)
    user = stand["supervisor"]
    assert table(build(user, "fasen")) == {
        "signalering": ["4"], "triage": ["2"], "aanpak.plan": ["0"], "aanpak.uitvoering": ["4"], "nazorg": ["1"],
        "afgesloten": ["3"], "totaal": ["14"]}
    by_category = {row.label: row.cells[0].display for row in build(user, "categorieen").rows}
    assert by_category == {"Woonoverlast": "10", "Jeugd": "3", "Ondermijning": "1", "Huiselijk geweld": "0",
                           "Nazorg ex-gedetineerden": "0", "Onbegrepen of verward gedrag": "0", "Overig": "0",
                           "Radicalisering": "0"}
    assert list(by_category) == sorted(by_category)
    assert table(build(user, "gemeenten")) == {"Utrecht": ["9"], "Zeist": ["5"], "totaal": ["14"]}


def test_inflow_and_outflow_per_amsterdam_month(stand, threshold):
    threshold(1)
    report = build(stand["supervisor"], "instroom")
    assert [row.label for row in report.rows] == ["januari 2025", "februari 2025", "maart 2025", "april 2025",
                                                  "mei 2025", "juni 2025"]
    assert table(report) == {"2025-01": ["4", "0"], "2025-02": ["3", "0"], "2025-03": ["0", "2"],
                             "2025-04": ["0", "0"], "2025-05": ["0", "0"], "2025-06": ["0", "1"],
                             "totaal": ["7", "3"]}


def test_doorlooptijd_median_and_p90_of_completed_stays(durations, threshold):
    threshold(1)
    report = build(durations["supervisor"], "doorlooptijd")
    assert table(report) == {
        "signalering": ["5", "3,0", "7,6"],
        "triage": ["3", "4,0", "13,6"],
        "aanpak.plan": ["1", "10,0", "10,0"],
        "aanpak.uitvoering": ["1", "16,0", "16,0"],  # one case, two stays: 10 + 6
        "nazorg": ["1", "5,0", "5,0"],
    }
    assert report.rows[1].cells[2].value == pytest.approx(13.6)


def test_doorlooptijd_counts_cases_without_transitions_nowhere(stand, threshold):
    threshold(1)
    report = build(stand["supervisor"], "doorlooptijd")
    assert all(row.cells[0].display == "0" and row.cells[1].display == "–" for row in report.rows)


def test_partner_accountability_board(actions, threshold):
    threshold(1)
    report = build(actions["supervisor"], "partners")
    assert [row.label for row in report.rows] == ["GGZ Centrum", "Politie Voorbeeld", "Woningcorporatie Thuis"]
    assert [[cell.display for cell in row.cells] for row in report.rows] == [
        ["2", "0", "0%"], ["6", "2", "33%"], ["5", "5", "100%"]]
    assert table(report)["totaal"] == ["13", "7", "54%"]


def test_escalations_per_level(escalations, threshold):
    threshold(1)
    assert table(build(escalations["supervisor"], "escalaties")) == {
        "tactisch": ["3", "2", "2"], "bestuurlijk": ["1", "1", "0"], "totaal": ["4", "3", "2"]}


def test_voordrachten_per_state(voordrachten, threshold):
    threshold(1)
    assert table(build(voordrachten["supervisor"], "voordrachten")) == {
        "concept": ["1"], "ter_beoordeling": ["0"], "goedgekeurd": ["0"], "afgewezen": ["1"], "ingediend": ["2"],
        "aangenomen": ["5"], "teruggelegd": ["1"], "totaal": ["10"]}


def test_category_filter(stand, categories, threshold):
    threshold(1)
    filters = ReportFilters(date(2025, 1, 1), date(2025, 6, 30), category_id=categories["jeugd"].id)
    phases = table(build(stand["supervisor"], "fasen", filters))
    assert phases["triage"] == ["2"] and phases["nazorg"] == ["1"] and phases["totaal"] == ["3"]
    assert [row.label for row in build(stand["supervisor"], "categorieen", filters).rows] == ["Jeugd"]


def test_another_teams_supervisor_sees_only_their_own_cases(everything, threshold):
    threshold(1)
    other = everything["supervisor_b"]
    assert table(build(other, "fasen"))["totaal"] == ["2"]
    assert table(build(other, "gemeenten")) == {"Elders": ["2"], "totaal": ["2"]}
    assert table(build(other, "partners")) == {"organisatie-0": ["3", "3", "100%"], "totaal": ["3", "3", "100%"]}
    assert table(build(other, "escalaties"))["totaal"] == ["1", "0", "1"]
    assert table(build(other, "voordrachten"))["totaal"] == ["1"]


# --- suppression ---------------------------------------------------------------------------------------------

def test_small_counts_and_the_totals_that_would_reveal_them_are_withheld(everything):
    user = everything["supervisor"]
    assert table(build(user, "fasen")) == {
        "signalering": ["<5"], "triage": ["<5"], "aanpak.plan": ["0"], "aanpak.uitvoering": ["<5"],
        "nazorg": ["<5"], "afgesloten": ["<5"], "totaal": ["–"]}
    # Nothing small here, but the fasen table counts the same cases: its total would give the rest away.
    assert table(build(user, "gemeenten")) == {"Utrecht": ["9"], "Zeist": ["5"], "totaal": ["–"]}
    assert table(build(user, "instroom"))["totaal"] == ["–", "<5"]
    assert table(build(user, "partners")) == {
        "organisatie-0": ["<5", "0", "–"], "organisatie-1": ["6", "<5", "–"], "organisatie-2": ["5", "5", "100%"],
        "totaal": ["–", "–", "–"]}
    assert table(build(user, "voordrachten"))["aangenomen"] == ["5"]
    assert table(build(user, "voordrachten"))["totaal"] == ["–"]


def test_medians_over_too_few_cases_are_withheld(durations):
    rows = table(build(durations["supervisor"], "doorlooptijd"))
    assert rows["signalering"] == ["5", "3,0", "7,6"]
    assert rows["triage"] == ["<5", "–", "–"]


def test_the_threshold_is_configurable(stand, threshold):
    threshold(3)
    rows = table(build(stand["supervisor"], "fasen"))
    assert rows["triage"] == ["<3"] and rows["signalering"] == ["4"] and rows["totaal"] == ["–"]


# --- filters -------------------------------------------------------------------------------------------------

def test_default_period_is_the_last_twelve_months():
    assert services.default_period(date(2026, 11, 22)) == (date(2025, 12, 1), date(2026, 11, 22))
    assert services.default_period(date(2026, 1, 5)) == (date(2025, 2, 1), date(2026, 1, 5))


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"date_from": date(2025, 7, 1), "date_to": date(2025, 6, 30)}, "date_to"),
    ({"date_from": date(2010, 1, 1), "date_to": date(2025, 6, 30)}, "date_from"),
    ({"date_from": date(1999, 1, 1), "date_to": date(1999, 6, 30)}, "date_from"),
    ({"category_id": 999_999}, "category_id"),
])
def test_bad_filters_are_refused_with_the_field(world, kwargs, field):
    with pytest.raises(ServiceError) as refused:
        services.resolve_filters(world["supervisor"], **kwargs)
    assert refused.value.field == field


def test_only_the_own_team_can_be_chosen(world):
    user = world["supervisor"]
    assert services.resolve_filters(user, team_id=world["team_a"].id).team_id == world["team_a"].id
    with pytest.raises(ServiceError) as refused:
        services.resolve_filters(user, team_id=world["team_b"].id)
    assert refused.value.field == "team_id"
