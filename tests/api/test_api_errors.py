"""Every API error is application/problem+json with status, title and detail, and never a stack trace."""

from __future__ import annotations

import logging

import pytest
from api_helpers import assert_problem, bearer


def test_missing_token_is_401_problem_with_bearer_challenge(client):
    response = client.get("/api/v1/me")
    body = assert_problem(response, 401)
    assert body["title"] == "Niet aangemeld"  # Dutch unless the request asks otherwise
    assert body["instance"] == "/api/v1/me"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="casus"'


def test_malformed_json_is_400_listing_the_body(client, make_token):
    response = client.patch("/api/v1/me", headers=bearer(make_token()), data='{"locale": "nl",',
                            content_type="application/json")
    body = assert_problem(response, 400)
    assert body["invalidParams"] == [{"name": "body", "reason": "Invalid JSON body."}]


def test_a_json_body_that_is_not_an_object_is_400(client, make_token):
    response = client.patch("/api/v1/me", headers=bearer(make_token()), json=["nl"])
    body = assert_problem(response, 400)
    assert [param["name"] for param in body["invalidParams"]] == ["body"]


def test_every_validation_error_is_listed_unknown_fields_included(client, make_token):
    response = client.patch("/api/v1/me", headers=bearer(make_token()),
                            json={"locale": "de", "colour": "red", "theme": "dark"})
    body = assert_problem(response, 400)
    assert body["detail"] == "The request contains invalid input; see invalidParams."
    params = {param["name"]: param["reason"] for param in body["invalidParams"]}
    assert set(params) == {"locale", "colour", "theme"}
    assert params["colour"] == params["theme"] == "Unknown field."
    assert "en" in params["locale"] and "nl" in params["locale"]


def test_a_value_of_the_wrong_type_is_400(client, make_token):
    response = client.patch("/api/v1/me", headers=bearer(make_token()), json={"locale": 31})
    body = assert_problem(response, 400)
    assert body["invalidParams"] == [{"name": "locale", "reason": "Not a valid string."}]


def test_a_refused_write_changes_nothing(client, make_user, make_token, db):
    user = make_user(locale="nl")
    client.patch("/api/v1/me", headers=bearer(make_token(user)), json={"locale": "fr", "x": 1})
    db.session.refresh(user)
    assert user.locale == "nl"


def test_read_only_token_writing_is_403(client, make_user, make_token, db):
    user = make_user(locale="nl")
    response = client.patch("/api/v1/me", headers=bearer(make_token(user, scopes="read")), json={"locale": "en"})
    body = assert_problem(response, 403)
    assert "write" in body["detail"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="casus", error="insufficient_scope"'
    db.session.refresh(user)
    assert user.locale == "nl"


def test_write_only_token_reading_is_403(client, make_token):
    assert_problem(client.get("/api/v1/me", headers=bearer(make_token(scopes="write"))), 403)


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/me/", "/api/v1/", "/api/v1", "/api/v2/me",
                                  "/api/v1/openapi.json/"])
def test_unknown_paths_and_trailing_slashes_are_404_not_redirects(client, make_token, path):
    response = client.get(path, headers=bearer(make_token()))
    assert_problem(response, 404)
    assert "Location" not in response.headers


def test_unknown_path_is_404_without_a_token_too(client):
    assert_problem(client.get("/api/v1/cases/1/secret"), 404)


def test_method_not_allowed_is_405_with_allow(client, make_token):
    response = client.delete("/api/v1/me", headers=bearer(make_token()))
    assert_problem(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PATCH"}


def test_a_body_that_is_not_json_is_415(client, make_token):
    response = client.patch("/api/v1/me", headers=bearer(make_token()), data={"locale": "en"})
    body = assert_problem(response, 415)
    assert "application/json" in body["detail"]


def test_body_larger_than_max_content_length_is_413(fresh_api):
    assert fresh_api.app.config["MAX_CONTENT_LENGTH"] == 1024
    response = fresh_api.patch("/api/v1/me", json={"locale": "nl", "padding": "x" * 2048})
    assert_problem(response, 413)


def test_unexpected_exception_is_500_without_trace_or_message(fresh_api, caplog):
    with caplog.at_level(logging.ERROR, logger="casus.errors"):
        response = fresh_api.get("/api/v1/test-boom")
    body = assert_problem(response, 500)
    assert body["title"] == "Interne fout"
    assert body["detail"] == "An unexpected error occurred."
    assert "secret-internal-detail" not in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)
    request_id = response.headers["X-Request-ID"]
    assert any(record.getMessage() == f"unhandled RuntimeError in request {request_id}" for record in caplog.records)


def test_conflict_is_409_with_its_message(fresh_api):
    body = assert_problem(fresh_api.get("/api/v1/test-conflict"), 409)
    assert body["detail"].startswith("The case was changed")


def test_unprocessable_is_422(fresh_api):
    assert_problem(fresh_api.get("/api/v1/test-unprocessable"), 422)


def test_too_many_requests_is_429_with_retry_after(fresh_api):
    response = fresh_api.get("/api/v1/test-throttled")
    assert_problem(response, 429)
    assert response.headers["Retry-After"] == "30"


def test_service_error_is_a_problem_naming_the_field_in_camel_case(fresh_api):
    body = assert_problem(fresh_api.get("/api/v1/test-refused"), 400)
    assert body["detail"] == "Kies een actieve organisatie."
    assert body["invalidParams"] == [{"name": "organisationId", "reason": "Kies een actieve organisatie."}]


def test_service_error_keeps_its_status(fresh_api):
    body = assert_problem(fresh_api.get("/api/v1/test-stale"), 409)
    assert "invalidParams" not in body


def test_test_only_routes_exist_only_on_the_fresh_app(client, make_token):
    assert_problem(client.get("/api/v1/test-boom", headers=bearer(make_token())), 404)


@pytest.mark.parametrize(("status", "path", "nl", "en"), [
    (401, "/api/v1/me", "Niet aangemeld", "Unauthorized"),
    (404, "/api/v1/nothing-here", "Niet gevonden", "Not Found"),
])
def test_a_problem_title_is_in_the_requests_language(client, status, path, nl, en):
    assert assert_problem(client.get(path), status)["title"] == nl
    english = client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert assert_problem(english, status)["title"] == en
    assert assert_problem(client.get(path, headers={"Accept-Language": "nl"}), status)["title"] == nl
    assert assert_problem(client.get(path, headers={"Accept-Language": "de"}), status)["title"] == nl


def test_titles_follow_the_users_language_and_accept_language_overrides_it(client, make_user, make_token):
    english_user = bearer(make_token(make_user(locale="en"), scopes="read"))
    response = client.patch("/api/v1/me", headers=english_user, json={"locale": "nl"})
    assert assert_problem(response, 403)["title"] == "Forbidden"
    response = client.patch("/api/v1/me", headers={**english_user, "Accept-Language": "nl"}, json={"locale": "nl"})
    assert assert_problem(response, 403)["title"] == "Geen toegang"


@pytest.mark.parametrize(("path", "status", "nl", "en"), [
    ("/api/v1/test-conflict", 409, "Conflict", "Conflict"),
    ("/api/v1/test-unprocessable", 422, "Onverwerkbare invoer", "Unprocessable Entity"),
    ("/api/v1/test-refused", 400, "Ongeldig verzoek", "Bad Request"),
])
def test_every_status_has_its_title_in_both_languages(fresh_api, path, status, nl, en):
    assert assert_problem(fresh_api.get(path), status)["title"] == nl
    english = fresh_api.client.get(path, headers={**bearer(fresh_api.token), "Accept-Language": "en"})
    assert assert_problem(english, status)["title"] == en
