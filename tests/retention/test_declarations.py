"""The verklaring van vernietiging: recorded with references, categories, dates and counts only, never changed,
and shown to the privacy officer alone — as a page, CSV, PDF and through the API, every read audited."""

from __future__ import annotations

import csv
import io
from datetime import date

import pyotp
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from casus.audit.models import AuditEvent, Outcome
from casus.clock import today
from casus.retention.declarations import record_declaration
from casus.retention.models import DeclarationKind, DestructionDeclaration, DestructionList

from support import ok


def _entries(number: int = 2) -> list[dict]:
    entries = [{"kind": "case", "reference": f"2019-{index:05d}", "category": "woonoverlast",
                "closed_on": date(2019, 3, 1), "destroyed_on": date(2026, 3, 31),
                "counts": {"notes": 3 + index, "subjects": 2, "signals": 1}} for index in range(1, number)]
    entries.append({"kind": "signal", "reference": "S-2020-000012", "category": "jeugd", "closed_on": "2020-02-01",
                    "destroyed_on": "2026-03-31", "counts": {"subjects": 1}})
    return entries


@pytest.fixture
def people(make_user, make_team):
    team = make_team(name="Team Noord")
    return {"preparer": make_user("privacy", name="Pleun Voorbereider", totp_secret=pyotp.random_base32()),
            "approver": make_user("supervisor", name="Gijs Goedkeurder", team=team,
                                  totp_secret=pyotp.random_base32()),
            "team": team}


@pytest.fixture
def declared(db, people):
    destruction_list = DestructionList(reference="VL-2026-0007", team_id=people["team"].id, period="2026-03")
    db.session.add(destruction_list)
    db.session.flush()
    return record_declaration(kind=DeclarationKind.LIST, entries=_entries(), prepared_by=people["preparer"],
                              approved_by=people["approver"], team_id=people["team"].id,
                              destruction_list_id=destruction_list.id)


def _events(db, action: str) -> list[AuditEvent]:
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id)).scalars().all()


# --- recording -----------------------------------------------------------------------------------------------------

def test_a_declaration_is_numbered_and_keeps_only_references_categories_dates_and_counts(db, declared):
    assert declared.reference == f"VV-{today().year}-0001"
    assert declared.entries[0] == {"kind": "case", "reference": "2019-00001", "category": "woonoverlast",
                                   "closed_on": "2019-03-01", "destroyed_on": "2026-03-31",
                                   "counts": {"notes": 4, "subjects": 2, "signals": 1}}
    [event] = _events(db, "destruction_declaration.recorded")
    assert event.object_id == str(declared.id) and event.details["entries"] == 2


def test_the_next_declaration_gets_the_next_number(db, declared, people):
    second = record_declaration(kind=DeclarationKind.ERASURE, entries=_entries(1), prepared_by=people["preparer"],
                                approved_by=people["preparer"])
    assert second.reference == f"VV-{today().year}-0002"


@pytest.mark.parametrize("entry", [
    {**_entries(1)[0], "title": "Overlast bij familie Jansen"},  # anything beyond the fixed fields is refused
    {key: value for key, value in _entries(1)[0].items() if key != "counts"},
    {**_entries(1)[0], "kind": "subject"},
])
def test_an_entry_with_anything_else_is_refused(db, people, entry):
    with pytest.raises(ValueError):
        record_declaration(kind=DeclarationKind.LIST, entries=[entry], prepared_by=people["preparer"],
                           approved_by=people["approver"])


def test_the_database_refuses_to_change_or_delete_a_declaration(app, db, declared):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the insert-only trigger and grants are PostgreSQL's")
    for statement in (sa.update(DestructionDeclaration).values(entries=[]),
                      sa.delete(DestructionDeclaration)):
        with pytest.raises(sa.exc.DBAPIError, match=r"append-only|permission denied"), db.session.begin_nested():
            db.session.execute(statement, execution_options={"synchronize_session": False})
    assert db.session.get(DestructionDeclaration, declared.id).entries != []


# --- pages -------------------------------------------------------------------------------------------------------

def test_only_the_privacy_officer_opens_the_declarations(client, auth, login, login_as, people, declared):
    for roles in (("supervisor",), ("procesregisseur",), ("beheerder",), ("partner",)):
        login_as(*roles)
        assert client.get("/verklaringen").status_code == 403
        assert client.get(f"/verklaringen/{declared.id}").status_code == 403
        assert client.get(f"/verklaringen/{declared.id}.pdf").status_code == 403
        auth.logout()
    login(people["preparer"])
    page = client.get("/verklaringen")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert declared.reference in text and "VL-2026-0007" in text and "Team Noord" in text


def test_the_detail_shows_the_proof_and_is_audited(client, db, login, people, declared, categories):
    login(people["preparer"])
    page = client.get(f"/verklaringen/{declared.id}")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert ">woonoverlast<" not in text  # the category's name, not the code the verklaring keeps
    for expected in ("VL-2026-0007", "2019-00001", "S-2020-000012", "Woonoverlast", "01-03-2019", "31-03-2026",
                     "Pleun Voorbereider", "Gijs Goedkeurder", "Notities: 4", "Betrokkenen"):
        assert expected in text
    assert client.get(f"/verklaringen/{declared.id + 1000}").status_code == 404
    [event] = _events(db, "destruction_declaration.view")
    assert event.object_id == str(declared.id) and event.activity == "bewaren_vernietigen"


def test_csv_export_one_line_per_destroyed_record(client, db, login, people, declared):
    login(people["preparer"])
    response = client.get(f"/verklaringen/{declared.id}.csv")

    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert declared.reference in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:7] == ["Verklaring", "Soort verklaring", "Vernietigingslijst", "Voorbereid door",
                           "Goedgekeurd door", "Soort", "Nummer"]
    assert [row[6] for row in rows[1:]] == ["2019-00001", "S-2020-000012"]
    notes = rows[0].index("Notities")
    assert rows[1][notes] == "4" and rows[2][notes] == "0"
    assert [event.details for event in _events(db, "destruction_declaration.export")] == [{"format": "csv"}]


def test_pdf_export_reads_back_with_the_proof(client, db, login, people, declared):
    login(people["preparer"])
    response = client.get(f"/verklaringen/{declared.id}.pdf")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (declared.reference, "VL-2026-0007", "2019-00001", "S-2020-000012", "Gijs Goedkeurder",
                     "Notities: 4", "Vernietigde gegevens per soort"):
        assert expected in text
    assert reader.metadata.title == f"Verklaring van vernietiging {declared.reference}"
    assert [event.details for event in _events(db, "destruction_declaration.export")] == [{"format": "pdf"}]


def test_the_list_page_costs_the_same_queries_for_one_declaration_or_many(client, db, login, people, declared,
                                                                          count_queries):
    login(people["preparer"])
    with count_queries() as one:
        assert client.get("/verklaringen").status_code == 200
    for _ in range(4):
        record_declaration(kind=DeclarationKind.ERASURE, entries=_entries(3), prepared_by=people["approver"],
                           approved_by=people["preparer"])
    with count_queries() as many:
        assert client.get("/verklaringen").status_code == 200
    assert many.count == one.count


# --- API ---------------------------------------------------------------------------------------------------------

def test_the_api_lists_and_shows_declarations_to_the_privacy_officer_only(db, api, people, declared, make_user):
    body = ok(api(people["preparer"], "GET", "/destruction-declarations"))
    assert [item["reference"] for item in body["items"]] == [declared.reference]
    assert body["items"][0]["destructionListReference"] == "VL-2026-0007"
    assert body["items"][0]["recordCount"] == 2 and body["items"][0]["kind"] == "vernietigingslijst"

    one = ok(api(people["preparer"], "GET", f"/destruction-declarations/{declared.id}"))
    assert one["approvedBy"] == "Gijs Goedkeurder" and one["totals"] == {"notes": 4, "subjects": 3, "signals": 1}
    assert one["entries"][1] == {"kind": "signal", "reference": "S-2020-000012", "category": "jeugd",
                                 "closedOn": "2020-02-01", "destroyedOn": "2026-03-31", "counts": {"subjects": 1}}

    assert api(people["preparer"], "GET", f"/destruction-declarations/{declared.id + 1000}").status_code == 404
    assert api(people["approver"], "GET", "/destruction-declarations").status_code == 403
    assert api(people["approver"], "GET", f"/destruction-declarations/{declared.id}").status_code == 403
    denied = _events(db, "destruction_declaration.list")
    assert [event.outcome for event in denied] == [Outcome.SUCCESS, Outcome.DENIED]
