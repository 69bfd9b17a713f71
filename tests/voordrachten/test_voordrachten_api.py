"""``/api/v1/riec-referrals`` and ``/api/v1/cases/{id}/riec-referrals``: the whole flow, errors and query counts."""

from __future__ import annotations

import pytest

from support import ok


def assert_problem(response, status: int) -> dict:
    """A problem+json answer with ``status`` (tests/api's helper is not importable from here)."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json(force=True)


def body(world, **overrides) -> dict:
    values = {"summary": "Drugslab achter de bakkerij.", "subjectIds": [world["subjects"][0].id],
              "indicators": ["drugs", "vastgoed"], "legalBasis": "riec_convenant", "urgency": "spoed",
              "addresseeOrganisationId": world["riec"].id}
    return {**values, **overrides}


def test_the_whole_flow_over_the_api(app, api, world):
    case_id = world["case"].id
    created = ok(api(world["regisseur"], "POST", f"/cases/{case_id}/riec-referrals", json=body(world)), 201)
    assert created["state"] == "concept" and created["caseReference"] == world["case"].reference
    assert created["number"] == f"RV-{created['id']}" and created["approvalId"] is None
    assert [s["name"] for s in created["subjects"]] == ["Karel Geheim"]
    rid = created["id"]
    patched = ok(api(world["regisseur"], "PATCH", f"/riec-referrals/{rid}",
                     json={"version": created["version"], "urgency": "hoog"}))
    assert patched["urgency"] == "hoog" and patched["version"] > created["version"]
    submitted = ok(api(world["regisseur"], "POST", f"/riec-referrals/{rid}/transitions",
                       json={"trigger": "submit", "version": patched["version"]}))
    assert submitted["state"] == "ter_beoordeling" and submitted["approvalId"]
    # Approval is the approvals' business (another supervisor); here through its service.
    from casus.approvals import services as approvals
    from casus.approvals.models import Approval
    from casus.extensions import db

    with app.test_request_context():
        approvals.decide(world["supervisor"], db.session.get(Approval, submitted["approvalId"]), approve=True)
    db.session.flush()
    current = ok(api(world["regisseur"], "GET", f"/riec-referrals/{rid}"))
    assert current["state"] == "goedgekeurd"
    sent = ok(api(world["regisseur"], "POST", f"/riec-referrals/{rid}/transitions",
                  json={"trigger": "send_to_riec", "version": current["version"]}))
    assert sent["state"] == "ingediend" and sent["sentAt"].endswith("Z")
    refused = assert_problem(api(world["riec_user"], "POST", f"/riec-referrals/{rid}/transitions",
                                 json={"trigger": "accept", "version": sent["version"]}), 409)
    assert refused["failedGuards"] == ["needs_riec_reference"]
    accepted = ok(api(world["riec_user"], "POST", f"/riec-referrals/{rid}/transitions",
                      json={"trigger": "accept", "riecReference": "RIEC-MN-7", "version": sent["version"]}))
    assert accepted["state"] == "aangenomen" and accepted["riecReference"] == "RIEC-MN-7"
    assert "caseId" not in accepted and "caseReference" not in accepted  # the RIEC's own projection


def test_invalid_input_lists_every_problem(api, world):
    response = api(world["regisseur"], "POST", f"/cases/{world['case'].id}/riec-referrals",
                   json=body(world, indicators=["overig"], addresseeOrganisationId=world["politie"].id,
                             subjectIds=[999999]))
    problem = assert_problem(response, 400)
    assert {p["name"] for p in problem["invalidParams"]} == {"subjectIds", "indicatorOther",
                                                             "addresseeOrganisationId"}
    schema = assert_problem(api(world["regisseur"], "POST", f"/cases/{world['case'].id}/riec-referrals",
                                json={"summary": ""}), 400)
    assert {"summary", "subjectIds", "indicators", "legalBasis", "addresseeOrganisationId"} <= {
        p["name"] for p in schema["invalidParams"]}


def test_stale_versions_and_refused_steps_answer_409(api, world, make_voordracht):
    voordracht = make_voordracht("concept")
    stale = assert_problem(api(world["regisseur"], "PATCH", f"/riec-referrals/{voordracht.id}",
                               json={"version": voordracht.version + 5, "summary": "x"}), 409)
    assert "gewijzigd" in stale["detail"]
    refused = assert_problem(api(world["regisseur"], "POST", f"/riec-referrals/{voordracht.id}/transitions",
                                 json={"trigger": "send_to_riec", "version": voordracht.version}), 409)
    assert refused["failedGuards"] == ["not_allowed_from_state"]
    sent = make_voordracht("ingediend")
    assert_problem(api(world["regisseur"], "PATCH", f"/riec-referrals/{sent.id}",
                       json={"version": sent.version, "summary": "x"}), 409)


def test_approve_and_reject_are_not_triggers_here(api, world, make_voordracht):
    voordracht = make_voordracht("ter_beoordeling")
    problem = assert_problem(api(world["supervisor"], "POST", f"/riec-referrals/{voordracht.id}/transitions",
                                 json={"trigger": "approve", "version": voordracht.version}), 400)
    assert problem["invalidParams"][0]["name"] == "trigger"


@pytest.mark.parametrize("who, trigger", [("riec_user", "send_to_riec"), ("regisseur", "accept")])
def test_the_other_side_s_steps_answer_403(api, world, make_voordracht, who, trigger):
    voordracht = make_voordracht("ingediend")
    assert_problem(api(world[who], "POST", f"/riec-referrals/{voordracht.id}/transitions",
                       json={"trigger": trigger, "riecReference": "X", "version": voordracht.version}), 403)
    assert_problem(api(world["riec_user"], "PATCH", f"/riec-referrals/{voordracht.id}",
                       json={"version": voordracht.version, "summary": "x"}), 403)
    assert_problem(api(world["agent"], "POST", f"/cases/{world['case'].id}/riec-referrals", json=body(world)), 403)


def test_the_list_pages_with_a_cursor(api, world, make_voordracht):
    ids = [make_voordracht("concept").id for _ in range(5)]
    first = ok(api(world["regisseur"], "GET", "/riec-referrals?limit=3"))
    assert [item["id"] for item in first["items"]] == ids[::-1][:3] and first["next"]
    second = ok(api(world["regisseur"], "GET", f"/riec-referrals?limit=3&cursor={first['next']}"))
    assert [item["id"] for item in second["items"]] == ids[::-1][3:] and second["next"] is None
    assert_problem(api(world["regisseur"], "GET", "/riec-referrals?cursor=kapot"), 400)
    assert ok(api(world["regisseur"], "GET", "/riec-referrals?state=ingediend"))["items"] == []
    case_list = ok(api(world["regisseur"], "GET", f"/cases/{world['case'].id}/riec-referrals"))
    assert [item["id"] for item in case_list] == ids[::-1]


@pytest.mark.parametrize("who", ["regisseur", "riec_user"])
def test_list_and_detail_cost_the_same_for_1_and_12(api, world, make_voordracht, count_queries, who):
    first = make_voordracht("ingediend")
    paths = ["/riec-referrals", f"/riec-referrals/{first.id}"]
    if who == "regisseur":
        paths.append(f"/cases/{world['case'].id}/riec-referrals")
    ok(api(world[who], "GET", paths[0]))  # the token is made on first use

    def counts():
        result = []
        for path in paths:
            with count_queries() as counter:
                ok(api(world[who], "GET", path))
            result.append(counter.count)
        return result

    few = counts()
    for state in ("ingediend", "aangenomen", "teruggelegd") * 4:
        make_voordracht(state)
    assert counts() == few
