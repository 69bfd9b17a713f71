"""The audit page shows the privacy officer the last verification of the chain and the last seal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from casus.audit.models import AuditSeal, AuditVerification


@pytest.fixture
def privacy(login_as):
    return login_as("privacy")


def page(client) -> str:
    response = client.get("/audit")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_before_any_check_the_page_says_so(client, privacy):
    html = page(client)
    assert "Keten en zegels" in html and "nog niet gecontroleerd" in html and "nog geen zegel" in html


def test_the_last_verification_with_its_findings_and_the_last_seal(client, db, privacy):
    db.session.add_all([
        AuditVerification(started_at=datetime(2026, 12, 5, 3, tzinfo=UTC), ok=True, chain_length=10),
        AuditVerification(started_at=datetime(2026, 12, 6, 3, tzinfo=UTC), ok=False, chain_length=12,
                          findings=[{"kind": "modified", "position": 3, "event_id": 41},
                                    {"kind": "deleted", "position": 4, "event_id": 42},
                                    {"kind": "deleted", "more": 7}]),
        AuditSeal(sealed_at=datetime(2026, 12, 6, 0, 30, tzinfo=UTC), head_position=11, head_hash="a" * 64,
                  event_count=11, key_id="hmac-0123456789abcdef", signature="s", destinations="database,file"),
    ])
    db.session.flush()
    html = page(client)
    assert "keten van 12 schakels" in html and "bevindingen" in html
    assert "gebeurtenis gewijzigd (of de schakel ervoor herschreven), positie 3, gebeurtenis 41" in html
    assert "en nog 7 van deze soort: gebeurtenis verwijderd" in html
    assert "positie 11, sleutel hmac-0123456789abcdef, bewaard in: database, file" in html


def test_a_clean_verification_shows_no_findings(client, db, privacy):
    db.session.add(AuditVerification(started_at=datetime(2026, 12, 6, 3, tzinfo=UTC), ok=True, chain_length=5,
                                     findings=[]))
    db.session.flush()
    html = page(client)
    assert "in orde" in html and "keten van 5 schakels" in html and 'id="audit-findings"' not in html
