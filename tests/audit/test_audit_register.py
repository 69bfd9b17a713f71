"""The register of processing activities for the privacy officer: a page, CSV and JSON; only privacy reads it, and
reading or exporting it is audited."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from casus.processing import ACTIVITIES, REGISTER_VERSION


def _events(db, action):
    from casus.audit.models import AuditEvent

    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


@pytest.mark.parametrize("role", ["partner", "procesregisseur", "supervisor", "riec", "beheerder"])
def test_only_privacy_may_read_or_export_the_register(client, login_as, role):
    login_as(role)
    for path in ("/audit/verwerkingen", "/audit/verwerkingen/export.csv", "/audit/verwerkingen/export.json"):
        assert client.get(path).status_code == 403, path


def test_anonymous_is_sent_to_login(client):
    response = client.get("/audit/verwerkingen")
    assert response.status_code == 302 and response.headers["Location"].startswith("/inloggen")


def test_the_page_shows_every_activity_and_is_audited(client, db, login_as):
    privacy = login_as("privacy")
    response = client.get("/audit/verwerkingen")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for entry in ACTIVITIES:
        assert f'id="activiteit-{entry.id}"' in html and entry.legal_basis in html
    assert REGISTER_VERSION in html and "/audit/verwerkingen/export.csv" in html
    (event,) = _events(db, "audit.register.view")
    assert (event.user_id, event.object_id, event.activity) == (privacy.id, REGISTER_VERSION, "toezicht")


def test_the_audit_log_links_to_the_register(client, login_as):
    login_as("privacy")
    assert 'href="/audit/verwerkingen"' in client.get("/audit").get_data(as_text=True)


def test_csv_export_for_dutch_excel(client, db, login_as):
    login_as("privacy")
    response = client.get("/audit/verwerkingen/export.csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert f"verwerkingsregister-{REGISTER_VERSION}-" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["id", "naam", "naam (Engels)", "doel", "grondslag"]
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {entry.id for entry in ACTIVITIES}
    assert by_id["casusregie"][1:3] == ["Casusregie", "Case management"]
    assert all(row[-1] == REGISTER_VERSION for row in rows[1:])
    (event,) = _events(db, "audit.register.export")
    assert event.details == {"format": "csv"} and event.activity == "toezicht"


def test_json_export(client, db, login_as):
    login_as("privacy")
    response = client.get("/audit/verwerkingen/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    register = json.loads(response.get_data(as_text=True))
    assert register["version"] == REGISTER_VERSION
    assert [entry["id"] for entry in register["activities"]] == [entry.id for entry in ACTIVITIES]
    first = register["activities"][0]
    assert set(first) == {"id", "name", "purpose", "legalBasis", "legalSources", "dataSubjects", "dataCategories",
                          "recipients", "retention"}
    assert first["name"] == {"nl": "Signaal melden", "en": "Report a signal"}
    (event,) = _events(db, "audit.register.export")
    assert event.details == {"format": "json"}


def test_another_format_does_not_exist(client, login_as):
    login_as("privacy")
    assert client.get("/audit/verwerkingen/export.xlsx").status_code == 404


def test_csv_cells_never_start_a_formula():
    from casus.web.exports import csv_cell  # the register's cells go through the shared guard

    assert csv_cell("=SUM(A1)") == "'=SUM(A1)" and csv_cell("AVG") == "AVG"
