"""Rules that hold for every endpoint: login required, CSRF, no change on GET, headers, cookies."""

import re

import pytest

from casus.security import PUBLIC_ENDPOINTS

DUMMY_ARGS = {"int": "1", "string": "x", "default": "x", "path": "x"}


def _url_for_rule(rule) -> str:
    def replace(match):
        converter, arguments = match.group(1) or "default", match.group(2)
        if converter == "any":  # <any(csv, xlsx):fmt>: the first choice
            return arguments.split(",")[0].strip()
        return DUMMY_ARGS.get(converter, "1")

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>", replace, rule.rule)


def _web_rules(app):
    return [rule for rule in app.url_map.iter_rules() if not rule.rule.startswith("/api/")]


def test_every_page_but_the_allowlist_requires_login(app, client):
    checked = 0
    for rule in _web_rules(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(_url_for_rule(rule), method=method)
            if method == "GET":
                assert response.status_code == 302, rule.rule
                assert "/inloggen" in response.headers["Location"], rule.rule
            else:
                # POSTs are stopped by the CSRF check or the login guard, never executed.
                assert response.status_code in (302, 400), (rule.rule, method)
            checked += 1
    assert checked >= 10


def test_the_public_allowlist_is_short_and_explicit():
    assert {"static", "main.healthz", "auth.login", "main.accessibility"} <= PUBLIC_ENDPOINTS
    # main.readyz answers "ok" or "unavailable"; metrics.metrics guards itself (networks or a token, else 404);
    # auth.sso_start and auth.sso_callback are single sign-on's two steps (404 unless it is configured).
    assert len(PUBLIC_ENDPOINTS) <= 12


def test_every_state_changing_form_needs_a_csrf_token(app, client, auth, make_user):
    auth.login(make_user("beheerder"))
    posts = [rule for rule in _web_rules(app) if "POST" in rule.methods]
    assert posts
    for rule in posts:
        response = client.post(_url_for_rule(rule), data={})
        assert response.status_code == 400, rule.rule
        assert "formulier was verlopen" in response.get_data(as_text=True)


def test_logout_is_not_possible_with_get(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/uitloggen").status_code == 405
    assert client.get("/").status_code == 200


def test_session_cookie_flags_over_tls(client):
    response = client.get("/inloggen")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-casus_session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie


def test_development_over_plain_http_drops_the_host_prefix(tmp_path):
    from casus import create_app
    from casus.config import Config

    config = Config.from_env({}, env="development", instance_path=str(tmp_path),
                             database_url=f"sqlite:///{tmp_path}/dev.db")
    app = create_app(config)
    assert app.config["SESSION_COOKIE_NAME"] == "casus_session"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_security_headers_on_pages(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_script_in_pages(client, auth, make_user):
    auth.login(make_user("beheerder"))
    for url in ("/inloggen", "/", "/account", "/toegankelijkheid"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and " on" + "click=" not in page, url


def test_proxy_fix_trusts_forwarded_proto_only_when_configured(app_config):
    from dataclasses import replace

    from casus import create_app

    behind_proxy = create_app(replace(app_config, proxy_fix_hops=1))
    plain_http = {"base_url": "http://localhost", "headers": {"X-Forwarded-Proto": "https"}}
    response = behind_proxy.test_client().get("/healthz", **plain_http)
    assert "Strict-Transport-Security" in response.headers
    direct = create_app(app_config).test_client().get("/healthz", **plain_http)
    assert "Strict-Transport-Security" not in direct.headers


def test_oversized_request_answers_413(client):
    response = client.post("/inloggen", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_unknown_page_is_a_plain_404_page(client, auth, make_user):
    auth.login(make_user())
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_unexpected_error_shows_no_trace(app_config, tmp_path):
    from dataclasses import replace

    from casus import create_app

    app = create_app(replace(app_config, database_url=f"sqlite:///{tmp_path}/boom.db"))

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    from casus.security import PUBLIC_ENDPOINTS as public

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("casus.security.PUBLIC_ENDPOINTS", public | {"boom"})
        response = app.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    assert "Er ging iets mis" in body
