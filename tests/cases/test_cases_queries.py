"""What a person saw: every page of the case list (page and API) is one audit event with the cases it showed."""

from __future__ import annotations

import re
from dataclasses import replace

import pyotp
import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent, AuditShownCase
from casus.organisations.models import OrganisationKind

from support import ok

LINK = re.compile(r'href="/casussen/(\d+)"')
NEXT = re.compile(r'href="([^"]*na=[^"]+)"')


@pytest.fixture
def region(db, make_organisation, make_team, make_user):
    zvh = make_organisation(name="ZVH Regio", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, gemeente="Voorbeeldstad")
    politie = make_organisation(name="Politie", kind=OrganisationKind.POLITIE)
    return {"team": team, "politie": politie, "zvh": zvh,
            "agent": make_user("partner", organisation=politie, totp_secret=pyotp.random_base32())}


@pytest.fixture
def small_pages(app, monkeypatch):
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], cases_page_size=2))


def events(db, action: str) -> list[AuditEvent]:
    return list(db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).scalars())


def shown(db, event: AuditEvent) -> set[int]:
    return set(db.session.execute(sa.select(AuditShownCase.case_id)
                                  .where(AuditShownCase.event_id == event.id)).scalars())


def test_each_page_of_the_list_records_the_cases_it_showed(client, db, auth, region, make_case, small_pages):
    make_case(team=region["team"], partners=[region["zvh"]])  # the police take no part: never shown to them
    cases = {make_case(team=region["team"], partners=[region["politie"]]).id for _ in range(3)}
    auth.login_with_totp(region["agent"])
    first = client.get("/casussen")
    second = client.get(NEXT.search(first.get_data(as_text=True))[1].replace("&amp;", "&"))
    pages = [{int(found) for found in LINK.findall(response.get_data(as_text=True))} for response in (first, second)]
    recorded = events(db, "case.list.view")
    assert [shown(db, event) for event in recorded] == pages
    assert set().union(*pages) == cases and all(len(page) <= 2 for page in pages)
    assert {event.user_id for event in recorded} == {region["agent"].id}
    assert {event.organisation_id for event in recorded} == {region["politie"].id}
    assert [event.details["shown"] for event in recorded] == [len(page) for page in pages]


def test_a_search_is_one_event_with_its_terms_hashed_bsn_and_the_results(client, db, auth, region, make_case,
                                                                          make_subject):
    jansen = make_case(team=region["team"], partners=[region["politie"]],
                       subjects=[make_subject(name="Piet Jansen")])
    make_case(team=region["team"], partners=[region["politie"]])
    auth.login_with_totp(region["agent"])
    client.get("/casussen", query_string={"q": "Jansen"})
    client.get("/casussen", query_string={"q": "111222333"})
    by_name, by_bsn = events(db, "case.search")
    assert by_name.details["q"].startswith("hmac-sha256:") and "Jansen" not in str(by_name.details)
    assert by_name.details["results"] == 1
    assert shown(db, by_name) == {jansen.id}
    assert by_bsn.details["q"].startswith("hmac-sha256:") and "111222333" not in str(by_bsn.details)
    assert shown(db, by_bsn) == set() and by_bsn.details["shown"] == 0
    assert events(db, "case.list.view") == []  # one event per page view, not two


def test_recording_what_was_shown_costs_two_statements_per_page(client, db, auth, region, make_case,
                                                                count_queries):
    for _ in range(5):
        make_case(team=region["team"], partners=[region["politie"]])
    auth.login_with_totp(region["agent"])
    with count_queries() as counter:
        assert client.get("/casussen").status_code == 200
    audit = [statement for statement in counter.statements if "audit_" in statement.split("(")[0]]
    assert len(audit) == 2, audit
    assert sum("INSERT INTO audit_shown_cases" in statement for statement in audit) == 1
    assert len(shown(db, events(db, "case.list.view")[0])) == 5


def test_the_api_case_list_records_the_cases_of_each_page(db, api, region, make_case):
    cases = [make_case(team=region["team"], partners=[region["politie"]]) for _ in range(3)]
    body = ok(api(region["agent"], "GET", "/cases?limit=2"))
    ok(api(region["agent"], "GET", "/cases?q=zzzz"))
    [listed] = events(db, "case.list.view")
    assert shown(db, listed) == {item["id"] for item in body["items"]} and len(body["items"]) == 2
    assert shown(db, listed) < {case.id for case in cases}
    [searched] = events(db, "case.search")
    assert searched.details["q"].startswith("hmac-sha256:") and searched.details["shown"] == 0
