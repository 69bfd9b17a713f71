"""The privacy officer's audit log: only privacy may read it, filters work, reading is audited, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa


@pytest.fixture
def make_event(db):
    from casus.audit.models import AuditEvent

    def make(user=None, *, action="case.view", at=None, outcome="success", ip="10.0.0.1", case=None, **fields):
        event = AuditEvent(
            occurred_at=at or datetime.now(UTC), user_id=getattr(user, "id", None),
            organisation_id=getattr(user, "organisation_id", None),
            roles=" ".join(sorted(user.roles)) if user else "", action=action, object_type="case",
            object_id=str(getattr(case, "id", 1)), case_id=getattr(case, "id", None), outcome=outcome, ip=ip,
            request_id="req-12345678", **fields)
        db.session.add(event)
        db.session.flush()
        return event

    return make


@pytest.fixture
def privacy(login_as):
    return login_as("privacy")


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def audit_actions(db, action: str):
    from casus.audit.models import AuditEvent

    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


@pytest.mark.parametrize("role", ["partner", "procesregisseur", "supervisor", "riec", "beheerder"])
def test_only_privacy_may_read_or_export_the_audit_log(client, login_as, role):
    login_as(role)
    assert client.get("/audit").status_code == 403
    assert client.get("/audit/export").status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get("/audit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/inloggen")


def test_page_lists_events_with_all_columns_and_audits_the_view(client, db, privacy, make_user, make_event,
                                                                 make_case):
    partner = make_user("partner", name="Pieter Partner", email="pieter@politie.example.org")
    case = make_case(partners=[partner.organisation])
    make_event(partner, case=case, purpose="Voorbereiding casusoverleg")
    html = text(client.get("/audit"))
    for expected in ("Pieter Partner", "pieter@politie.example.org", partner.organisation.name, "partner",
                     "case.view", case.reference, "gelukt", "10.0.0.1", "req-12345678", "Voorbereiding casusoverleg"):
        assert expected in html, expected
    views = audit_actions(db, "audit.view")
    assert len(views) == 1 and views[0].user_id == privacy.id
    assert views[0].details == {"filters": {}, "page": "first"}


def test_filters_narrow_the_list_and_are_recorded(client, db, privacy, make_user, make_event, make_case,
                                                  make_organisation):
    politie = make_organisation(name="Politie Filter")
    alice = make_user("partner", email="alice@politie.example.org", name="Alice", organisation=politie)
    bob = make_user("partner", email="bob@corporatie.example.org", name="Bob")
    case = make_case(partners=[politie])
    old = datetime(2026, 1, 10, 12, tzinfo=UTC)
    make_event(alice, action="case.view", case=case, at=old, ip="10.1.1.1")
    make_event(alice, action="signal.reported", at=old + timedelta(days=5), ip="10.1.1.2")
    make_event(bob, action="case.transition", outcome="denied", at=old + timedelta(days=10), ip="10.2.2.2")

    def listed(**params) -> set[str]:
        html = text(client.get("/audit", query_string=params))
        return {ip for ip in ("10.1.1.1", "10.1.1.2", "10.2.2.2") if ip in html}

    assert listed() == {"10.1.1.1", "10.1.1.2", "10.2.2.2"}
    assert listed(gebruiker="alice@politie") == {"10.1.1.1", "10.1.1.2"}
    assert listed(organisatie=str(politie.id)) == {"10.1.1.1", "10.1.1.2"}
    assert listed(actie="case.") == {"10.1.1.1", "10.2.2.2"}
    assert listed(casus=case.reference) == {"10.1.1.1"}
    assert listed(uitkomst="denied") == {"10.2.2.2"}
    assert listed(van="14-01-2026", tot="15-01-2026") == {"10.1.1.2"}
    assert listed(tot="10-01-2026") == {"10.1.1.1"}
    assert listed(ip="10.2.2.2") == {"10.2.2.2"}
    assert listed(casus="2026-99999") == set()
    last = audit_actions(db, "audit.view")[-1]
    assert last.details["filters"] == {"casus": "2026-99999"}


def test_invalid_filters_give_dutch_errors_and_no_rows(client, privacy, make_user, make_event):
    make_event(make_user(), ip="10.9.9.9")
    html = text(client.get("/audit", query_string={"van": "31-02-2026", "ip": "geen-ip", "uitkomst": "x",
                                                   "casus": "42"}))
    assert "Vul een datum in als dd-mm-jjjj, bijvoorbeeld 21-11-2026." in html
    assert "Vul een geldig IP-adres in" in html
    assert "Kies een waarde uit de lijst." in html
    assert "Vul een casusnummer in als 2026-00042." in html
    assert "10.9.9.9" not in html
    html = text(client.get("/audit", query_string={"van": "10-02-2026", "tot": "01-02-2026"}))
    assert "De einddatum ligt vóór de begindatum." in html


def test_keyset_pagination_walks_all_events_once(client, db, privacy, make_user, make_event):
    user = make_user()
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for index in range(120):
        # Pairs share a timestamp, so the id must break ties.
        make_event(user, action="case.view", at=start + timedelta(minutes=index // 2), ip=f"10.3.{index}.1")
    seen: list[str] = []
    url = "/audit?actie=case.view"
    pages = 0
    while url:
        html = text(client.get(url))
        pages += 1
        seen += [f"10.3.{i}.1" for i in range(120) if f">10.3.{i}.1<" in html]
        marker = 'rel="next"'
        url = None
        if marker in html:
            href = html[:html.index(marker)].rsplit('href="', 1)[1].split('"', 1)[0]
            url = href.replace("&amp;", "&")
    assert pages == 3
    assert sorted(seen) == sorted(f"10.3.{i}.1" for i in range(120))
    assert len(seen) == len(set(seen))
    views = audit_actions(db, "audit.view")
    assert [v.details["page"] for v in views] == ["first", "next", "next"]


def test_csv_export_matches_the_filters_and_is_audited(client, db, privacy, make_user, make_event):
    alice = make_user("partner", email="alice@example.org", name="Alice")
    make_event(alice, action="case.view", ip="10.4.0.1")
    make_event(alice, action="signal.reported", ip="10.4.0.2")
    make_event(alice, action="case.transition", ip="10.4.0.3", details={"trigger": "=cmd|' /C calc'!A0"})
    response = client.get("/audit/export", query_string={"actie": "case."})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset, not two
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    header, data = rows[0], rows[1:]
    assert header[0] == "tijdstip" and "casusnummer" in header
    ips = {row[header.index("ip-adres")] for row in data}
    assert ips == {"10.4.0.1", "10.4.0.3"}
    assert all(row[header.index("e-mailadres")] == "alice@example.org" for row in data)
    exports = audit_actions(db, "audit.export")
    assert len(exports) == 1 and exports[0].details["filters"] == {"actie": "case."}
    assert exports[0].user_id == privacy.id


def test_csv_cells_cannot_start_a_formula(client, privacy, make_user, make_event):
    make_event(make_user(name="=HYPERLINK(\"x\")"), action="case.view")
    body = client.get("/audit/export").get_data(as_text=True)
    assert "'=HYPERLINK" in body
    assert ";=HYPERLINK" not in body


def test_audit_page_costs_the_same_queries_for_1_and_50_events(client, privacy, make_user, make_event, make_case,
                                                               count_queries):
    def cost() -> int:
        with count_queries() as counter:
            assert client.get("/audit").status_code == 200
        return counter.count

    make_event(make_user(), case=make_case())
    one = cost()
    for _ in range(50):
        make_event(make_user(), case=make_case())
    assert cost() == one
