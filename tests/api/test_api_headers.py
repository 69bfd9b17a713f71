"""Every API response carries API-Version and the security headers, and never sets a cookie."""

from __future__ import annotations

import pytest
from api_helpers import assert_api_headers, bearer


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [
    ("get", "/api/v1/me", {}, 200),
    ("patch", "/api/v1/me", {"json": {"locale": "en"}}, 200),
    ("patch", "/api/v1/me", {"json": {"locale": "xx"}}, 400),
    ("get", "/api/v1/openapi.json", {}, 200),
    ("head", "/api/v1/me", {}, 200),
    ("options", "/api/v1/me", {}, 200),
    ("get", "/api/v1/unknown", {}, 404),
    ("put", "/api/v1/me", {"json": {}}, 405),
])
def test_every_response_carries_version_and_security_headers(client, make_token, method, path, kwargs, status):
    response = getattr(client, method)(path, headers=bearer(make_token()), **kwargs)
    assert response.status_code == status
    assert_api_headers(response)


def test_api_version_header_equals_info_version(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.headers["API-Version"] == response.get_json()["info"]["version"] == app.config["API_VERSION"]


def test_errors_without_a_token_carry_the_headers_too(client):
    assert_api_headers(client.get("/api/v1/me"))
    assert_api_headers(client.patch("/api/v1/me", json={"locale": "en"}))


def test_cors_is_open_for_the_openapi_document_only(client, make_token):
    assert client.get("/api/v1/openapi.json").headers["Access-Control-Allow-Origin"] == "*"
    for response in (client.get("/api/v1/me", headers=bearer(make_token())), client.get("/api/v1/me"),
                     client.get("/api/v1/unknown")):
        assert "Access-Control-Allow-Origin" not in response.headers


def test_a_logged_in_browser_calling_the_api_gets_no_cookie(client, auth, make_user, make_token):
    user = make_user()
    assert auth.login(user).status_code == 302
    for response in (client.get("/api/v1/me"), client.get("/api/v1/me", headers=bearer(make_token(user))),
                     client.get("/api/v1/openapi.json")):
        assert_api_headers(response)
        assert "Cookie" not in response.headers.get("Vary", "")


def test_hsts_is_sent_over_tls(client):
    assert "max-age=" in client.get("/api/v1/openapi.json").headers["Strict-Transport-Security"]
