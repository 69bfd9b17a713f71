"""Need-to-know for voordrachten: the RIEC sees exactly the voordrachten addressed to it — only what they share —
and nothing else of the case; partners of the case see no voordracht at all."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent, Outcome

from support import ok

ALL_STATES = ("concept", "ter_beoordeling", "goedgekeurd", "afgewezen", "ingediend", "aangenomen", "teruggelegd")
RIEC_STATES = ("ingediend", "aangenomen", "teruggelegd")


@pytest.fixture
def spread(world, make_voordracht, make_case):
    """A voordracht in every state to RIEC Midden, one sent to RIEC Noord, and one from another team's case."""
    mine = {state: make_voordracht(state) for state in ALL_STATES}
    elsewhere = make_voordracht("ingediend", addressee=world["riec_noord"])
    other_case = make_case(phase="aanpak.uitvoering", subjects=[world["subjects"][0]])
    other_team = make_voordracht("ingediend", case=other_case)
    return {"mine": mine, "elsewhere": elsewhere, "other_team": other_team}


def numbers_on(page: str) -> set[str]:
    return set(re.findall(r"RV-\d+", page))


def test_the_riec_list_holds_exactly_the_sent_voordrachten_addressed_to_it(client, login_as, world, spread):
    login_as("riec", organisation=world["riec"])
    page = client.get("/voordrachten").get_data(as_text=True)
    expected = {f"RV-{spread['mine'][s].id}" for s in RIEC_STATES} | {f"RV-{spread['other_team'].id}"}
    assert numbers_on(page) == expected
    assert world["case"].reference not in page and "Drugslab Dorpsstraat" not in page


def test_the_riec_api_list_holds_exactly_the_same(api, world, spread):
    body = ok(api(world["riec_user"], "GET", "/riec-referrals"))
    expected = {spread["mine"][s].id for s in RIEC_STATES} | {spread["other_team"].id}
    assert {item["id"] for item in body["items"]} == expected
    for item in body["items"]:
        assert "caseId" not in item and "caseReference" not in item and "addressee" not in item
    other = ok(api(world["riec_noord_user"], "GET", "/riec-referrals"))
    assert [item["id"] for item in other["items"]] == [spread["elsewhere"].id]


def test_hidden_voordrachten_answer_404_and_the_attempt_is_audited(db, client, login_as, api, world, spread):
    riec_user = login_as("riec", organisation=world["riec"])
    for state in ALL_STATES:
        voordracht = spread["mine"][state]
        expected = 200 if state in RIEC_STATES else 404
        assert client.get(f"/voordrachten/{voordracht.id}").status_code == expected, state
        assert api(riec_user, "GET", f"/riec-referrals/{voordracht.id}").status_code == expected, state
    assert client.get(f"/voordrachten/{spread['elsewhere'].id}").status_code == 404
    denied = db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.action == "voordracht.view", AuditEvent.outcome == Outcome.DENIED,
        AuditEvent.object_id == str(spread["elsewhere"].id))).scalars().all()
    assert denied and denied[0].user_id == riec_user.id


def test_the_riec_sees_nothing_else_of_the_case(client, login_as, api, world, spread):
    riec_user = login_as("riec", organisation=world["riec"])
    case_id = world["case"].id
    for url in (f"/casussen/{case_id}", f"/casussen/{case_id}/betrokkenen", f"/casussen/{case_id}/partners",
                f"/casussen/{case_id}/notities", f"/casussen/{case_id}/tijdlijn", f"/casussen/{case_id}/plan",
                f"/casussen/{case_id}/escalaties", f"/voordrachten/casus/{case_id}",
                f"/voordrachten/casus/{case_id}/nieuw"):
        assert client.get(url).status_code == 404, url
    for path in (f"/cases/{case_id}", f"/cases/{case_id}/timeline", f"/cases/{case_id}/participants",
                 f"/cases/{case_id}/notes", f"/cases/{case_id}/actions", f"/cases/{case_id}/goals",
                 f"/cases/{case_id}/riec-referrals"):
        assert api(riec_user, "GET", path).status_code == 404, path
    listed = ok(api(riec_user, "GET", "/cases"))
    assert listed["items"] == []


def test_the_riec_page_shows_only_what_the_voordracht_shares(client, login_as, world, spread):
    login_as("riec", organisation=world["riec"])
    voordracht = spread["mine"]["ingediend"]
    page = client.get(f"/voordrachten/{voordracht.id}").get_data(as_text=True)
    assert "Samenvatting in status ingediend" in page
    assert "Karel Geheim" in page and "Bakkerij Dekmantel B.V." in page and "12345678" in page
    assert "Nina Nietgedeeld" not in page  # a subject of the case the voordracht does not share
    assert world["case"].reference not in page and "Drugslab Dorpsstraat" not in page
    assert "******333" not in page and "111222333" not in page and ">BSN<" not in page  # no BSN, not even masked
    assert f'href="/casussen/{world["case"].id}' not in page
    assert "Team Ondermijning" in page  # who sent it, to contact them
    assert 'name="riec_reference"' in page and 'name="advice"' in page


def test_the_riec_api_projection_holds_only_shared_fields(api, world, spread):
    voordracht = spread["mine"]["ingediend"]
    body = ok(api(world["riec_user"], "GET", f"/riec-referrals/{voordracht.id}"))
    assert set(body) == {"id", "number", "state", "urgency", "indicators", "indicatorOther", "summary", "sentAt",
                         "answeredAt", "version", "legalBasis", "sender", "subjects", "riecReference", "riecAdvice"}
    assert body["number"] == f"RV-{voordracht.id}" and body["sender"] == {"name": "Team Ondermijning",
                                                                          "gemeente": "Voorbeeldstad"}
    assert [s["name"] for s in body["subjects"]] == ["Karel Geheim", "Bakkerij Dekmantel B.V."]
    for subject in body["subjects"]:
        assert set(subject) == {"kind", "name", "dateOfBirth", "postcode", "huisnummer", "toevoeging", "kvkNummer"}
    team = ok(api(world["regisseur"], "GET", f"/riec-referrals/{voordracht.id}"))
    assert team["caseReference"] == world["case"].reference and team["subjects"][0]["bsnMasked"] == "******333"


def test_a_partner_of_the_case_sees_no_voordracht(db, client, login_as, api, world, spread):
    agent = login_as("partner", organisation=world["politie"])
    voordracht = spread["mine"]["ingediend"]
    assert client.get(f"/voordrachten/{voordracht.id}").status_code == 404
    assert api(agent, "GET", f"/riec-referrals/{voordracht.id}").status_code == 404
    assert ok(api(agent, "GET", "/riec-referrals"))["items"] == []
    # The case tab is the team's page: refused, without a word about what it would hold.
    tab = client.get(f"/voordrachten/casus/{world['case'].id}")
    assert tab.status_code == 403 and b"RV-" not in tab.data
    assert api(agent, "GET", f"/cases/{world['case'].id}/riec-referrals").status_code == 403
    overview = client.get(f"/casussen/{world['case'].id}").get_data(as_text=True)
    assert "/voordrachten/casus/" not in overview
    assert client.get("/voordrachten").status_code == 403


def test_voordracht_lines_of_the_timeline_are_the_team_s(db, app, client, login_as, api, world, draft_values):
    from casus.voordrachten import drafting, services

    with app.test_request_context():
        voordracht = drafting.create_voordracht(world["regisseur"], world["case"], **draft_values())
        services.submit(world["regisseur"], voordracht)
    db.session.flush()
    path = f"/cases/{world['case'].id}/timeline"
    team_kinds = {item["kind"] for item in ok(api(world["regisseur"], "GET", path))["items"]}
    assert {"voordracht.created", "voordracht.transition"} <= team_kinds
    partner_items = ok(api(world["agent"], "GET", path))["items"]
    assert not [item for item in partner_items if item["kind"].startswith(("voordracht", "approval"))]
    login_as("partner", organisation=world["politie"])
    page = client.get(f"/casussen/{world['case'].id}/tijdlijn").get_data(as_text=True)
    assert "RIEC" not in page and f"RV-{voordracht.id}" not in page


def test_team_steps_and_riec_answers_are_not_interchangeable(client, login_as, auth, world, spread):
    voordracht = spread["mine"]["ingediend"]
    login_as("riec", organisation=world["riec"])
    for url in (f"/voordrachten/{voordracht.id}/indienen", f"/voordrachten/{voordracht.id}/herzien",
                f"/voordrachten/{voordracht.id}/ter-beoordeling", f"/voordrachten/{voordracht.id}/wijzigen"):
        assert auth.post(url, {"version": voordracht.version}, form_url="/voordrachten").status_code == 403, url
    assert client.get(f"/voordrachten/{voordracht.id}/wijzigen").status_code == 403
    auth.logout()
    login_as("procesregisseur", organisation=world["zvh"], team=world["team"])
    response = auth.post(f"/voordrachten/{voordracht.id}/aannemen",
                         {"version": voordracht.version, "riec_reference": "X"}, form_url="/voordrachten")
    assert response.status_code == 403 and voordracht.state == "ingediend"


def test_another_team_sees_none_of_it(client, login_as, api, world, spread, make_team):
    other = login_as("procesregisseur", organisation=world["zvh"], team=make_team(organisation=world["zvh"]))
    assert client.get(f"/voordrachten/{spread['mine']['concept'].id}").status_code == 404
    assert ok(api(other, "GET", "/riec-referrals"))["items"] == []
    assert numbers_on(client.get("/voordrachten").get_data(as_text=True)) == set()
