"""One case's or one subject's trail through the audit log, for the privacy officer: who viewed (a list that showed
it included), searched, exported or changed it; a page, keyset-paged, and a CSV export; purpose first; audited."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent, AuditShownCase
from casus.audit.views import PAGE_SIZE

PURPOSE = {"doel": "Inzageverzoek kenmerk AVG-2026-17"}
BSN = "111222333"


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case, make_subject):
    """Piet (BSN) in case A, another subject in case B; events on A, on B, a list that showed A, a list that showed
    only B, an event about Piet himself and searches for Piet's BSN and for another."""
    from casus.audit.services import keyed_bsn_hash

    politie = make_organisation(name="Politie Eenheid Voorbeeld")
    corporatie = make_organisation(name="Woonstichting Voorbeeld")
    agent = make_user("partner", organisation=politie, name="Agent Ahmed")
    medewerker = make_user("partner", organisation=corporatie, name="Medewerker Mia")
    team = make_team()
    piet = make_subject(name="Piet Jansen", bsn=BSN)
    case_a = make_case(team=team, partners=[politie], subjects=[piet])
    case_b = make_case(team=team, partners=[corporatie], subjects=[make_subject(name="Klaas Vaak")])
    start = datetime.now(UTC) - timedelta(hours=1)

    def event(user, action, minutes, *, shown=(), **fields):
        row = AuditEvent(occurred_at=start + timedelta(minutes=minutes), user_id=user.id,
                         organisation_id=user.organisation_id, roles="partner", action=action,
                         activity="casusregie", legal_basis="art. 6 lid 1 sub e AVG", **fields)
        db.session.add(row)
        db.session.flush()
        db.session.add_all(AuditShownCase(event_id=row.id, case_id=case.id) for case in shown)
        db.session.flush()
        return row

    events = {
        "viewed_a": event(agent, "case.view", 1, object_type="case", object_id=str(case_a.id), case_id=case_a.id),
        "viewed_b": event(medewerker, "case.view", 2, object_type="case", object_id=str(case_b.id),
                          case_id=case_b.id),
        "list_a": event(medewerker, "case.list.view", 3, object_type="case", details={"shown": 2},
                        shown=(case_a, case_b)),
        "list_b": event(agent, "case.list.view", 4, object_type="case", details={"shown": 1}, shown=(case_b,)),
        "about_piet": event(agent, "subject.known_elsewhere", 5, object_type="subject", object_id=str(piet.id)),
        "searched_piet": event(medewerker, "case.search", 6, object_type="case",
                               details={"q": keyed_bsn_hash(BSN), "results": 0}),
        "searched_other": event(agent, "case.search", 7, object_type="case",
                                details={"q": keyed_bsn_hash("123456782"), "results": 0}),
    }
    return {"piet": piet, "case_a": case_a, "case_b": case_b, "agent": agent, "medewerker": medewerker, **events}


@pytest.fixture
def privacy(login_as):
    return login_as("privacy")


def rows_of(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    return [row for row in re.findall(r'<tr class="utrecht-table__row">(.*?)</tr>', html, re.S) if "<time" in row]


def trail_ids(db, response) -> list[int]:
    """The events a trail page listed, by the times shown (each event of the world has its own minute)."""
    times = re.findall(r'<time datetime="([^"]+)"', response.get_data(as_text=True))
    return [db.session.execute(sa.select(AuditEvent.id).where(
        AuditEvent.occurred_at == datetime.fromisoformat(moment))).scalar_one() for moment in times]


@pytest.mark.parametrize("role", ["partner", "procesregisseur", "supervisor", "beheerder"])
def test_only_the_privacy_officer_may_read_a_trail(client, login_as, role):
    login_as(role)
    assert client.get("/audit/inzage", query_string={**PURPOSE, "bsn": BSN}).status_code == 403
    assert client.get("/audit/inzage/export", query_string={**PURPOSE, "bsn": BSN}).status_code == 403


def test_the_purpose_is_asked_first_and_nothing_is_shown_or_read_without_it(client, db, privacy, world):
    response = client.get("/audit/inzage", query_string={"bsn": BSN})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Doel van de raadpleging" in html and "Agent Ahmed" not in html
    assert db.session.execute(sa.select(AuditEvent).where(AuditEvent.action.startswith("audit.trail"))).first() \
        is None


def test_a_cases_trail_has_its_events_and_the_lists_that_showed_it(client, db, privacy, world):
    response = client.get("/audit/inzage", query_string={**PURPOSE, "casus": world["case_a"].reference})
    assert trail_ids(db, response) == [world["list_a"].id, world["viewed_a"].id]
    rows = rows_of(response)
    assert "Woonstichting Voorbeeld" in rows[0] and "getoond in een lijst" in rows[0]
    assert world["case_a"].reference in rows[0]  # which of the trail's cases the list showed
    assert "Politie Eenheid Voorbeeld" in rows[1] and "rechtstreeks" in rows[1] and "casusregie" in rows[1]
    [read] = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "audit.trail.view")).scalars()
    assert (read.user_id, read.case_id, read.object_type) == (privacy.id, world["case_a"].id, "case")
    assert read.purpose == PURPOSE["doel"] and read.activity == "privacyverzoek"


@pytest.mark.parametrize("lookup", ["bsn", "betrokkene"])
def test_a_subjects_trail_has_its_cases_itself_and_the_searches_for_its_bsn(client, db, privacy, world, lookup):
    value = BSN if lookup == "bsn" else str(world["piet"].id)
    response = client.get("/audit/inzage", query_string={**PURPOSE, lookup: value})
    assert trail_ids(db, response) == [world[name].id for name in
                                       ("searched_piet", "about_piet", "list_a", "viewed_a")]
    assert "gezocht op het BSN" in rows_of(response)[0]
    [read] = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "audit.trail.view")).scalars()
    assert (read.object_type, read.object_id) == ("subject", str(world["piet"].id))
    assert read.details["zoek"] == lookup and read.details["casussen"] == 1
    logged = db.session.execute(sa.select(AuditEvent.details)).scalars().all()
    assert BSN not in str(logged)  # the BSN is never in the log in clear, not even the privacy officer's lookup


def test_an_unknown_case_or_subject_finds_nothing(client, db, privacy, world):
    for lookup in ({"casus": "2026-99999"}, {"betrokkene": "999999"}):
        html = client.get("/audit/inzage", query_string={**PURPOSE, **lookup}).get_data(as_text=True)
        assert "Geen casus of betrokkene gevonden." in html and "Agent Ahmed" not in html
    # A BSN of nobody in Casus still has a trail: the searches for it (none here).
    html = client.get("/audit/inzage", query_string={**PURPOSE, "bsn": "999999999"}).get_data(as_text=True)
    assert "Geen gebeurtenissen gevonden." in html and "Agent Ahmed" not in html


def test_the_lookup_asks_for_exactly_one_of_the_three(client, privacy, world):
    both = client.get("/audit/inzage", query_string={**PURPOSE, "bsn": BSN, "casus": world["case_a"].reference})
    assert "Vul precies één van de drie in" in both.get_data(as_text=True) and not rows_of(both)
    wrong = client.get("/audit/inzage", query_string={**PURPOSE, "bsn": "12ab"}).get_data(as_text=True)
    assert "Vul een BSN in van 8 of 9 cijfers." in wrong


def test_the_trail_is_keyset_paged(client, db, privacy, world):
    start = datetime.now(UTC) - timedelta(days=1)
    for minute in range(PAGE_SIZE + 5):
        db.session.add(AuditEvent(occurred_at=start + timedelta(minutes=minute), user_id=world["agent"].id,
                                  action="case.view", case_id=world["case_a"].id))
    db.session.flush()
    first = client.get("/audit/inzage", query_string={**PURPOSE, "casus": world["case_a"].reference})
    next_url = re.search(r'href="([^"]+)" rel="next"', first.get_data(as_text=True))[1].replace("&amp;", "&")
    assert "doel=" in next_url  # the stated purpose travels with the next page
    second = client.get(next_url)
    ids = trail_ids(db, first) + trail_ids(db, second)
    assert len(rows_of(first)) == PAGE_SIZE and len(ids) == len(set(ids)) == PAGE_SIZE + 5 + 2


def test_the_csv_export_has_the_trail_and_is_audited(client, db, privacy, world):
    response = client.get("/audit/inzage/export", query_string={**PURPOSE, "bsn": BSN})
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert header[:8] == ["tijdstip", "gebruiker", "e-mailadres", "organisatie", "rollen", "actie", "hoe",
                          "casusnummer"]
    # The export itself is part of the subject's trail (the privacy officer read it), newest first.
    assert [row[5] for row in rows] == ["audit.trail.export", "case.search", "subject.known_elsewhere",
                                        "case.list.view", "case.view"]
    assert rows[3][3] == "Woonstichting Voorbeeld" and rows[3][7] == world["case_a"].reference
    assert rows[4][9] == "casusregie" and rows[0][11] == PURPOSE["doel"]
    [exported] = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "audit.trail.export")).scalars()
    assert exported.user_id == privacy.id and exported.details["bsn"].startswith("hmac-sha256:")
