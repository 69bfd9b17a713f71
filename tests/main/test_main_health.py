def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_healthz_answers_503_without_details_when_the_database_is_down(app_config):
    from dataclasses import replace

    from casus import create_app

    down = create_app(replace(app_config, database_url="postgresql+psycopg://casus@127.0.0.1:1/none"))
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "unavailable"


def test_pages_and_api_answer_503_when_the_database_is_down(app_config):
    from dataclasses import replace

    from casus import create_app

    down = create_app(replace(app_config, database_url="postgresql+psycopg://casus@127.0.0.1:1/none"))
    client = down.test_client()
    client.get("/inloggen")
    with client.session_transaction() as session:
        session["sid"] = "a-session-token"  # looking it up needs the database
    page = client.get("/")
    assert page.status_code == 503
    assert "tijdelijk niet beschikbaar" in page.get_data(as_text=True)
    api = client.get("/api/v1/me", headers={"Authorization": "Bearer casus_abc_def"})
    assert api.status_code == 503
    assert api.mimetype == "application/problem+json"


def test_language_switch_remembers_english(client, auth):
    token = auth.csrf("/inloggen")
    response = client.post("/taal", data={"locale": "en", "next": "/inloggen", "csrf_token": token})
    assert response.headers["Location"] == "/inloggen"
    page = client.get("/inloggen").get_data(as_text=True)
    assert 'lang="en"' in page


def test_dates_are_shown_dutch_style_in_amsterdam_time():
    from datetime import UTC, date, datetime

    from casus.i18n import format_date_nl, format_datetime_nl

    assert format_date_nl(date(2026, 11, 21)) == "21-11-2026"
    # 23:30 UTC on 21 November is already 22 November in Amsterdam (UTC+1 in winter).
    assert format_date_nl(datetime(2026, 11, 21, 23, 30, tzinfo=UTC)) == "22-11-2026"
    assert format_datetime_nl(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == "01-07-2026 12:00"
