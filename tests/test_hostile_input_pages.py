"""Hostile input on the pages: a Dutch 400, 404 or 414 page, or the form again with a Dutch message — never a 500,
and never the "tijdelijk niet beschikbaar" page that said the database was down. On SQLite and on PostgreSQL.
(The API's answers: tests/api/test_api_hostile_input.py; database errors: tests/test_database_errors.py.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from support import csrf_from

INT32_MAX = 2**31 - 1


@pytest.fixture
def world(db, login_as, make_case, make_organisation, make_team):
    zvh = make_organisation(name="Zorg- en Veiligheidshuis")
    politie = make_organisation(name="Politie")
    team = make_team(organisation=zvh)
    regisseur = login_as("procesregisseur", organisation=zvh, team=team)
    case = make_case(team=team, partners=[zvh, politie], phase="aanpak.plan")
    return {"regisseur": regisseur, "case": case, "team": team, "politie": politie}


def page(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "Traceback" not in text and "tijdelijk niet beschikbaar" not in text
    return text


@pytest.mark.parametrize("case_id", [str(INT32_MAX + 1), str(2**63), "9" * 300])
def test_a_case_id_beyond_the_column_is_the_ordinary_404_page(client, world, case_id):
    for path in (f"/casussen/{case_id}", f"/casussen/{case_id}/tijdlijn", f"/casussen/{case_id}/notities"):
        assert "Pagina niet gevonden" in page(client.get(path), 404)


def test_the_largest_id_is_an_audited_refused_read(client, db, world):
    from casus.audit.models import AuditEvent

    page(client.get(f"/casussen/{INT32_MAX}"), 404)
    outcome = db.session.scalar(sa.select(AuditEvent.outcome).where(AuditEvent.action == "case.view",
                                                                   AuditEvent.object_id == str(INT32_MAX)))
    assert outcome == "denied"


@pytest.mark.parametrize("query", ["q=ab%00cd", "na=%00", "fase%00=x"])
def test_a_nul_in_the_query_string_is_a_dutch_400(client, world, query):
    assert "niet is toegestaan" in page(client.get(f"/casussen?{query}"), 400)


def test_a_nul_in_a_form_field_is_a_dutch_400_and_nothing_is_stored(client, db, world):
    from casus.cases.models import Note

    url = f"/casussen/{world['case'].id}/notities"
    token = csrf_from(client.get(url))
    response = client.post(url, data={"csrf_token": token, "text": "Hallo\x00wereld", "visibility": "alle_deelnemers"})
    assert "niet is toegestaan" in page(response, 400)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Note)) == 0


def test_a_nul_in_the_login_form_never_reaches_the_database(client, db, count_queries):
    token = csrf_from(client.get("/inloggen"))
    with count_queries() as counter:
        response = client.post("/inloggen", data={"csrf_token": token, "email": "a\x00@example.org", "password": "x"})
    page(response, 400)
    assert counter.count == 0


def test_a_nul_in_a_path_segment_is_400(client, db):
    """The calendar feed's token is a string in the path: it never reaches the token lookup."""
    page(client.get("/agenda/abc%00def.ics"), 400)


def test_a_query_string_over_4096_bytes_is_a_dutch_414(client, world):
    assert "Het adres is te lang" in page(client.get("/casussen?q=" + "a" * 4100), 414)


def test_a_notification_id_may_be_a_bigint(client, world):
    token = csrf_from(client.get("/meldingen"))
    assert client.post(f"/meldingen/{2**40}/gelezen", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/meldingen/{2**63}/gelezen", data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("cursor", ["W1siIiwgMV0sIDJd", "WyIyMDI2LTAxLTAxIiwgOTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ",
                                    "WyJcdTAwMDAiLCAxXQ", "W1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1td"])
def test_a_tampered_page_position_shows_the_first_page(client, world, cursor):
    assert world["case"].reference in page(client.get(f"/casussen?na={cursor}"), 200)


# --- dates: 01-01-1900 up to 31-12-2100 ----------------------------------------------------------------------------

@pytest.mark.parametrize("typed, accepted", [
    ("01-01-1900", True), ("31-12-2100", True), ("21-11-2026", True), ("2026-11-21", True),
    ("31-12-1899", False), ("01-01-2101", False), ("01-01-0001", False), ("31-12-9999", False),
    ("0001-01-01", False), ("9999-12-31", False),
])
def test_a_dutch_date_outside_the_window_is_refused_with_a_dutch_message(app, typed, accepted):
    from flask_wtf import FlaskForm

    from casus.web.fields import DutchDateField

    class Form(FlaskForm):
        class Meta:
            csrf = False

        day = DutchDateField("Datum")

    with app.test_request_context():
        form = Form(formdata=MultiDict({"day": typed}))
        assert form.validate() is accepted
        if not accepted:
            assert form.day.data is None
            assert [str(error) for error in form.day.errors] == ["Vul een datum in tussen 01-01-1900 en 31-12-2100."]


def test_a_signal_with_a_birth_date_in_year_one_shows_the_form_again(client, db, login_as, categories, make_team):
    from casus.signals.models import Signal

    team = make_team()
    login_as("partner")
    form = {"category_id": str(categories["woonoverlast"].id), "team_id": str(team.id), "description": "Overlast",
            "urgency": "normaal", "subjects-0-kind": "persoon", "subjects-0-name": "Jan Jansen",
            "subjects-0-date_of_birth": "01-01-0001"}
    response = client.post("/signalen/nieuw", data={"csrf_token": csrf_from(client.get("/signalen/nieuw")), **form})
    assert "Vul een datum in tussen 01-01-1900 en 31-12-2100." in page(response, 200)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Signal)) == 0


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_meeting_on_a_day_outside_the_window_shows_the_form_again(client, world, day, monkeypatch):
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", lambda *args, **kwargs: 0)
    token = csrf_from(client.get("/overleggen/nieuw"))
    response = client.post("/overleggen/nieuw", data={
        "csrf_token": token, "type": "casusoverleg", "title": "Ver weg", "day": day, "start_time": "23:30",
        "duration_minutes": "600", "location": "Stadhuis", "online_url": "", "chair_id": "",
        "organisation_ids": [str(world["politie"].id)]})
    assert "Vul een datum in tussen 01-01-1900 en 31-12-2100." in page(response, 200)
