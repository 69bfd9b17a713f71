"""The number of SQL statements per page does not grow with the number of rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from signals_helpers import bearer


@pytest.fixture
def add_signals(db, region, make_user, make_subject, make_case):
    """``add_signals(n)``: n signals from the police to the region's team, each with a subject; every
    other one bundled into a case the police take part in (so the list shows case references too)."""
    from casus.database import utcnow
    from casus.signals.models import Signal, SignalSubject

    agent = make_user("partner", organisation=region.politie)
    counter = iter(range(1, 10_000))

    def add(n: int):
        for _ in range(n):
            number = next(counter)
            case = make_case(team=region.team, partners=[region.politie]) if number % 2 else None
            signal = Signal(reference=f"S-2026-{number:06d}", category=region.category, team=region.team,
                            description="Melding", reporting_organisation_id=region.politie.id,
                            reported_by_id=agent.id, received_at=utcnow() - timedelta(minutes=number),
                            case_id=getattr(case, "id", None), status="gebundeld" if case else "ontvangen")
            db.session.add(signal)
            db.session.flush()
            db.session.add(SignalSubject(signal_id=signal.id, subject_id=make_subject().id))
        db.session.flush()

    add.agent = agent
    return add


def _statements(count_queries, fetch) -> int:
    with count_queries() as counter:
        response = fetch()
    assert response.status_code == 200
    return counter.count


def test_signals_index_queries_do_not_grow(client, login_as, region, add_signals, count_queries):
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    add_signals(1)
    one = _statements(count_queries, lambda: client.get("/signalen"))
    add_signals(49)
    many = _statements(count_queries, lambda: client.get("/signalen"))
    page = client.get("/signalen").get_data(as_text=True)
    assert "S-2026-000025" in page and "S-2026-000026" not in page  # a full first page of 50
    assert many == one


def test_triage_queue_queries_do_not_grow(client, login_as, region, add_signals, make_case, count_queries):
    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    add_signals(2)  # the second is pending: a queue with a signal asks once for its duplicate groups
    make_case(team=region.team, phase="triage")
    one = _statements(count_queries, lambda: client.get("/triage"))
    add_signals(50)
    for _ in range(50):
        make_case(team=region.team, phase="signalering")
    many = _statements(count_queries, lambda: client.get("/triage"))
    assert many == one


def test_api_signal_list_queries_do_not_grow(client, region, add_signals, api_token, count_queries):
    add_signals(1)
    token = api_token(add_signals.agent)
    client.get("/api/v1/signals", headers=bearer(token))  # the first use of a token also records its use
    one = _statements(count_queries, lambda: client.get("/api/v1/signals?limit=50", headers=bearer(token)))
    add_signals(49)
    response = client.get("/api/v1/signals?limit=50", headers=bearer(token))
    assert len(response.get_json()["items"]) == 50
    many = _statements(count_queries, lambda: client.get("/api/v1/signals?limit=50", headers=bearer(token)))
    assert many == one


def test_signal_detail_queries_do_not_grow_with_subjects(client, db, login_as, region, add_signals, make_subject,
                                                         count_queries):
    from casus.signals.models import Signal, SignalSubject

    login_as("procesregisseur", organisation=region.zvh, team=region.team)
    add_signals(1)
    signal = db.session.query(Signal).one()
    one = _statements(count_queries, lambda: client.get(f"/signalen/{signal.id}"))
    for _ in range(50):
        db.session.add(SignalSubject(signal_id=signal.id, subject_id=make_subject().id))
    db.session.flush()
    many = _statements(count_queries, lambda: client.get(f"/signalen/{signal.id}"))
    assert many == one
