"""``GET /api/v1/reports`` and ``GET /api/v1/reports/{name}``: the page's figures, suppressed alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent, Outcome
from casus.reports.queries import REPORTS

from support import ok

PERIOD = "from=2025-01-01&to=2025-06-30"


def assert_problem(response, status: int) -> dict:
    """An RFC 9457 problem with ``status`` (``tests/api/api_helpers`` is importable only from tests/api)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_the_list_of_reports(api, world):
    body = ok(api(world["supervisor"], "GET", "/reports"))
    assert [item["name"] for item in body["items"]] == list(REPORTS)
    assert body["items"][3] == {"name": "instroom", "title": "Instroom en uitstroom per maand",
                                "description": body["items"][3]["description"]}


def test_figures_with_withheld_cells(api, everything):
    body = ok(api(everything["supervisor"], "GET", f"/reports/fasen?{PERIOD}"))
    assert body["name"] == "fasen" and body["threshold"] == 5 and body["rowHeader"] == "Fase"
    assert body["filters"] == {"from": "2025-01-01", "to": "2025-06-30", "teamId": None, "categoryId": None}
    assert body["columns"] == [{"key": "casussen", "label": "Aantal casussen", "kind": "count"}]
    triage = body["rows"][1]
    assert triage["key"] == "triage" and triage["label"] == "Triage"
    assert triage["cells"] == [{"value": None, "display": "<5", "suppressed": True, "reason": "small"}]
    assert body["rows"][2]["cells"] == [{"value": 0, "display": "0", "suppressed": False, "reason": None}]
    assert body["total"]["cells"] == [{"value": None, "display": "–", "suppressed": True, "reason": "derivable"}]


def test_figures_as_numbers_when_nothing_is_withheld(api, durations, threshold):
    threshold(1)
    body = ok(api(durations["supervisor"], "GET", f"/reports/doorlooptijd?{PERIOD}"))
    signalering = body["rows"][0]["cells"]
    assert [cell["value"] for cell in signalering] == [5, 3.0, 7.6]
    assert isinstance(signalering[0]["value"], int)
    assert body["total"] is None


def test_another_teams_supervisor_sees_their_own_figures_only(api, everything, threshold):
    threshold(1)
    body = ok(api(everything["supervisor_b"], "GET", f"/reports/gemeenten?{PERIOD}"))
    assert [(row["label"], row["cells"][0]["value"]) for row in body["rows"]] == [("Elders", 2)]


@pytest.mark.parametrize("role", ["partner", "procesregisseur", "beheerder", "riec", "privacy"])
def test_only_supervisors_read_reports(api, db, make_user, role):
    user = make_user(role)
    assert_problem(api(user, "GET", "/reports"), 403)
    assert_problem(api(user, "GET", "/reports/fasen"), 403)
    outcomes = db.session.execute(sa.select(AuditEvent.outcome).where(AuditEvent.action == "report.view")).scalars()
    assert list(outcomes) == [Outcome.DENIED, Outcome.DENIED]


def test_unknown_report_is_404(api, world):
    assert_problem(api(world["supervisor"], "GET", "/reports/onbekend"), 404)


@pytest.mark.parametrize(("query", "parameter"), [
    ("from=gisteren", "from"),
    ("from=2025-07-01&to=2025-06-30", "to"),
    ("from=2001-01-01&to=2025-06-30", "from"),
    ("teamId=0", "teamId"),
    ("categoryId=999999", "categoryId"),
    ("kleur=rood", "kleur"),
])
def test_bad_filters_are_400_naming_the_parameter(api, world, query, parameter):
    body = assert_problem(api(world["supervisor"], "GET", f"/reports/fasen?{query}"), 400)
    assert parameter in [item["name"] for item in body["invalidParams"]]


def test_another_team_is_400(api, world):
    body = assert_problem(api(world["supervisor"], "GET", f"/reports/fasen?teamId={world['team_b'].id}"), 400)
    assert body["invalidParams"] == [{"name": "teamId", "reason": "Kies een team waarvan u de cijfers mag zien."}]


def test_a_read_is_audited(api, db, world):
    ok(api(world["supervisor"], "GET", f"/reports/instroom?{PERIOD}&teamId={world['team_a'].id}"))
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "report.view")).scalar_one()
    assert event.object_id == "instroom" and event.outcome == Outcome.SUCCESS
    assert event.details == {"report": "instroom", "format": "json", "filters": {
        "from": "2025-01-01", "to": "2025-06-30", "teamId": world["team_a"].id, "categoryId": None}}


def test_the_same_number_of_queries_for_one_case_or_many(api, world, add_case, actions, count_queries):
    counts = []
    for extra in (0, 10):
        for number in range(extra):
            add_case(world["team_a"], "triage", datetime(2025, 2, 3, 9, tzinfo=UTC), gemeente=f"Plaats {number}")
        for name in REPORTS:
            api(world["supervisor"], "GET", f"/reports/{name}?{PERIOD}")  # warm up (and the token)
        with count_queries() as counter:
            for name in REPORTS:
                ok(api(world["supervisor"], "GET", f"/reports/{name}?{PERIOD}"))
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
