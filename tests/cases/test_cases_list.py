"""The case list: need-to-know scope, filters, search (audited, BSN hashed), sorting and keyset pagination."""

import re
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.clock import today
from casus.organisations.models import OrganisationKind

LINK = re.compile(r'href="/casussen/(\d+)"')


@pytest.fixture
def region(db, make_organisation, make_team, make_user):
    import pyotp

    zvh = make_organisation(name="ZVH Regio", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, gemeente="Voorbeeldstad")
    other_team = make_team(organisation=zvh, name="Team Noord", gemeente="Noorddorp")
    politie = make_organisation(name="Politie", kind=OrganisationKind.POLITIE)
    corporatie = make_organisation(name="Corporatie", kind=OrganisationKind.WONINGCORPORATIE)
    secret = pyotp.random_base32
    return {
        "zvh": zvh, "team": team, "other_team": other_team, "politie": politie, "corporatie": corporatie,
        "regisseur": make_user("procesregisseur", organisation=zvh, team=team, totp_secret=secret()),
        "collega": make_user("procesregisseur", organisation=zvh, team=team, name="Collega Regisseur",
                             totp_secret=secret()),
        "agent": make_user("partner", organisation=politie, totp_secret=secret()),
    }


def ids_on(response) -> list[int]:
    return [int(match) for match in LINK.findall(response.get_data(as_text=True))]


def test_list_shows_only_visible_cases(client, auth, region, make_case):
    mine = make_case(team=region["team"], partners=[region["politie"]])
    foreign = make_case(team=region["team"], partners=[region["corporatie"]])
    other_team = make_case(team=region["other_team"], partners=[region["politie"]])
    auth.login_with_totp(region["agent"])
    shown = ids_on(client.get("/casussen"))
    assert mine.id in shown and other_team.id in shown and foreign.id not in shown
    auth.logout()
    auth.login_with_totp(region["regisseur"])
    shown = ids_on(client.get("/casussen"))
    assert mine.id in shown and foreign.id in shown and other_team.id not in shown


def test_beheerder_has_no_case_list(client, login_as):
    login_as("beheerder")
    assert client.get("/casussen").status_code == 403


def test_filters(client, auth, region, make_case, categories):
    team, politie = region["team"], region["politie"]
    plain = make_case(team=team, partners=[politie], phase="triage", procesregisseur=region["regisseur"])
    jeugd = make_case(team=team, partners=[politie], category=categories["jeugd"], phase="aanpak.uitvoering",
                      procesregisseur=region["collega"], escalation_level="tactisch",
                      next_review_on=today() - timedelta(days=1))
    late_triage = make_case(team=team, partners=[politie], phase="triage", triage_due_on=today() - timedelta(days=2))
    auth.login_with_totp(region["regisseur"])

    def shown(**params):
        return set(ids_on(client.get("/casussen", query_string=params)))

    assert shown(phase="triage") == {plain.id, late_triage.id}
    assert shown(category=categories["jeugd"].id) == {jeugd.id}
    assert shown(procesregisseur=region["collega"].id) == {jeugd.id}
    assert shown(escalation="tactisch") == {jeugd.id}
    assert shown(overdue="y") == {jeugd.id, late_triage.id}
    assert shown(team=region["other_team"].id) == set()
    assert shown(phase="onzin", category="abc") == {plain.id, jeugd.id, late_triage.id}


def test_search_on_reference_name_and_postcode(client, auth, region, make_case, make_subject):
    person = make_subject(name="Marieke van den Berg")
    address = make_subject(kind="adres", postcode="1234AB", huisnummer=7)
    by_name = make_case(team=region["team"], partners=[region["politie"]], subjects=[person])
    by_address = make_case(team=region["team"], partners=[region["politie"]], subjects=[address])
    auth.login_with_totp(region["agent"])

    def found(q):
        return set(ids_on(client.get("/casussen", query_string={"q": q})))

    assert found(by_name.reference) == {by_name.id}
    assert by_name.id in found(by_name.reference[:7])
    assert found("marieke") == {by_name.id}
    assert found("Van Den Berg") == {by_name.id}
    assert found("1234 ab") == {by_address.id}
    assert found("1234") >= {by_address.id}
    assert found("niemand") == set()
    assert found("100%") == set()


def test_search_is_audited_with_names_and_a_bsn_only_hashed(client, db, auth, region, make_case):
    make_case(team=region["team"], partners=[region["politie"]])
    auth.login_with_totp(region["agent"])
    client.get("/casussen", query_string={"q": "Jansen", "phase": "triage"})
    client.get("/casussen", query_string={"q": "111222333"})
    events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "case.search")
                                .order_by(AuditEvent.id)).scalars().all()
    assert events[0].details["q"].startswith("hmac-sha256:") and "Jansen" not in str(events[0].details)
    assert events[0].details["phase"] == "triage"
    assert events[1].details["q"].startswith("hmac-sha256:")
    assert "111222333" not in str(events[1].details)
    assert all(e.user_id == region["agent"].id for e in events)


@pytest.mark.parametrize("sort", ["gewijzigd", "referentie", "herbeoordeling"])
def test_keyset_pagination_gives_every_case_exactly_once(client, auth, region, make_case, count_queries, sort):
    made = {make_case(team=region["team"], partners=[region["politie"]],
                      next_review_on=today() + timedelta(days=i % 4) if i % 3 else None).id for i in range(30)}
    auth.login_with_totp(region["agent"])
    first = client.get("/casussen", query_string={"sort": sort})
    page_one = ids_on(first)
    assert len(page_one) == 25
    next_url = re.search(r'href="([^"]+)" rel|rel="next" href="([^"]+)"', first.get_data(as_text=True))
    next_url = (next_url.group(1) or next_url.group(2)).replace("&amp;", "&")
    with count_queries() as one:
        client.get("/casussen", query_string={"sort": sort})
    with count_queries() as two:
        second = client.get(next_url)
    page_two = ids_on(second)
    assert len(page_two) == 5
    assert set(page_one) | set(page_two) == made and not set(page_one) & set(page_two)
    assert one.count == two.count
    body = second.get_data(as_text=True)
    assert 'rel="next"' not in body
    prev_url = re.search(r'rel="prev" href="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert ids_on(client.get(prev_url)) == page_one


def test_page_size_is_configurable(app, monkeypatch, client, auth, region, make_case):
    for _ in range(5):
        make_case(team=region["team"], partners=[region["politie"]])
    auth.login_with_totp(region["agent"])
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], cases_page_size=2))
    assert len(ids_on(client.get("/casussen"))) == 2


def test_the_list_costs_the_same_queries_with_1_and_20_rows(client, auth, region, make_case, make_organisation,
                                                            make_team, make_user, count_queries, categories):
    auth.login_with_totp(region["agent"])
    make_case(team=region["team"], partners=[region["politie"]], procesregisseur=region["regisseur"])
    with count_queries() as one:
        assert len(ids_on(client.get("/casussen"))) == 1
    codes = list(categories)
    for i in range(19):
        team = make_team()
        regisseur = make_user("procesregisseur", team=team)
        make_case(team=team, partners=[region["politie"], make_organisation()], procesregisseur=regisseur,
                  category=categories[codes[i % len(codes)]])
    with count_queries() as twenty:
        assert len(ids_on(client.get("/casussen"))) == 20
    assert one.count == twenty.count


def test_large_result_counts_are_capped(client, auth, region, make_case, monkeypatch):
    from casus.cases import queries

    monkeypatch.setattr(queries, "LIST_COUNT_CAP", 3)
    for _ in range(5):
        make_case(team=region["team"], partners=[region["politie"]])
    auth.login_with_totp(region["agent"])
    body = client.get("/casussen").get_data(as_text=True)
    assert "Meer dan 3 casussen" in body
