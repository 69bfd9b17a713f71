"""The known-elsewhere hint is rate-limited per user per day (CASUS_KNOWN_ELSEWHERE_PER_DAY) and audited with the
number of hidden cases it matched, never with who or what matched. Past the limit the hint is withheld — the
signal is saved all the same — and the reporter is told so in Dutch, on every report that day, so the message
does not itself betray a match."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from signals_helpers import audit_actions, bearer, count, signal_form

LIMIT = 2


@pytest.fixture
def limited(app, monkeypatch):
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], known_elsewhere_per_day=LIMIT))


@pytest.fixture
def agent(make_user, region):
    return make_user("partner", organisation=region.politie)


@pytest.fixture
def hidden_addresses(region, make_case, make_subject):
    """Addresses 1..4 in Verborgenstraat, each in an open case of the team that the police cannot see."""
    addresses = []
    for number in range(1, 5):
        address = make_subject("adres", postcode="9999ZZ", huisnummer=number)
        make_case(team=region.team, partners=[region.corporatie], subjects=[address], procesregisseur=region.regisseur,
                  phase="aanpak.uitvoering", title=f"Geheime casus {number}")
        addresses.append(address)
    return addresses


def _report(client, region, token, huisnummer: int):
    response = client.post("/api/v1/signals", headers=bearer(token), json={
        "categoryId": region.category.id, "teamId": region.team.id, "description": "Overlast in de straat",
        "urgency": "normaal", "subjects": [{"kind": "adres", "postcode": "9999 ZZ", "huisnummer": huisnummer}]})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_past_the_daily_limit_the_hint_is_withheld_but_the_signal_saved(client, db, region, agent, api_token,
                                                                        hidden_addresses, limited):
    from casus.audit.models import Outcome
    from casus.signals.models import Signal

    token = api_token(agent)
    first, second = _report(client, region, token, 1), _report(client, region, token, 2)
    assert [len(first["knownElsewhere"]), len(second["knownElsewhere"])] == [1, 1]
    assert first["knownElsewhereLimitReached"] is False and second["knownElsewhereLimitReached"] is True
    third = _report(client, region, token, 3)
    assert third["knownElsewhere"] == [] and third["knownElsewhereLimitReached"] is True
    assert count(db, Signal) == 3
    assert [e.details for e in audit_actions(db, "subject.known_elsewhere")] == [{"matches": 1}] * 2
    withheld = audit_actions(db, "subject.known_elsewhere_withheld")
    assert [(e.object_id, e.outcome, e.case_id, e.details) for e in withheld] == [
        (str(hidden_addresses[2].id), Outcome.DENIED, None, {"matches": 1, "limit": LIMIT})]
    # Past the limit, a report about nobody known says the same: the message gives nothing away.
    unknown = _report(client, region, token, 40)
    assert unknown["knownElsewhere"] == [] and unknown["knownElsewhereLimitReached"] is True


def test_the_limit_is_per_user_and_per_day(client, db, region, agent, api_token, make_user, hidden_addresses,
                                           limited):
    from casus.audit.models import AuditEvent

    # Two hints yesterday (Amsterdam time) do not count today.
    yesterday = datetime.now(UTC) - timedelta(days=1, hours=1)
    db.session.add_all(AuditEvent(user_id=agent.id, organisation_id=agent.organisation_id, roles="partner",
                                  action="subject.known_elsewhere", occurred_at=yesterday) for _ in range(LIMIT))
    db.session.flush()
    token = api_token(agent)
    assert len(_report(client, region, token, 1)["knownElsewhere"]) == 1
    assert len(_report(client, region, token, 2)["knownElsewhere"]) == 1
    assert _report(client, region, token, 3)["knownElsewhere"] == []
    colleague = make_user("partner", organisation=region.politie)
    assert len(_report(client, region, api_token(colleague), 3)["knownElsewhere"]) == 1


def test_the_audit_counts_matches_and_names_no_one(client, db, region, agent, api_token, make_case, make_subject):
    address = make_subject("adres", postcode="9999ZZ", huisnummer=7)
    for title in ("Geheim A", "Geheim B", "Geheim C"):
        make_case(team=region.team, partners=[region.corporatie], subjects=[address], title=title,
                  procesregisseur=region.regisseur, phase="triage")
    body = _report(client, region, api_token(agent), 7)
    assert body["knownElsewhere"] == [{"contactName": "Ria Regisseur", "contactTeam": "Team Centrum"}]
    [event] = audit_actions(db, "subject.known_elsewhere")
    assert event.details == {"matches": 3}


def test_the_page_says_in_dutch_that_the_hint_is_withheld(client, auth, login_as, db, region, hidden_addresses,
                                                          limited):
    from casus.signals.models import Signal

    login_as("partner", organisation=region.politie)
    for number in (1, 2):
        page = auth.post("/signalen/nieuw", signal_form(region, [
            {"kind": "adres", "postcode": "9999 ZZ", "huisnummer": str(number)}]), follow_redirects=True)
        assert "Deze betrokkene is al bekend bij een lopende casus" in page.get_data(as_text=True)
    page = auth.post("/signalen/nieuw", signal_form(region, [
        {"kind": "adres", "postcode": "9999 ZZ", "huisnummer": "3"}]), follow_redirects=True)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Deze betrokkene is al bekend" not in text
    assert "U heeft vandaag het maximum van 2 meldingen" in text and "Uw signaal is wel opgeslagen" in text
    assert "Geheime casus" not in text
    assert count(db, Signal) == 3


def test_the_limit_comes_from_the_environment(tmp_path):
    from casus.config import Config, ConfigError

    base = {"CASUS_ENV": "development", "CASUS_INSTANCE_PATH": str(tmp_path)}
    assert Config.from_env(base).known_elsewhere_per_day == 20
    assert Config.from_env({**base, "CASUS_KNOWN_ELSEWHERE_PER_DAY": "5"}).known_elsewhere_per_day == 5
    with pytest.raises(ConfigError, match="CASUS_KNOWN_ELSEWHERE_PER_DAY"):
        Config.from_env({**base, "CASUS_KNOWN_ELSEWHERE_PER_DAY": "-1"})

