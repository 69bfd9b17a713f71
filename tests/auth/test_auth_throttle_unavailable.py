"""Login throttling fails closed: with Redis down nobody logs in (a Dutch 503 page, problem+json in the API) —
never a 500, never a login that was not throttled. Against a real Redis the login works as before."""

from __future__ import annotations

import os

import pyotp
import pytest
import sqlalchemy as sa

from casus.auth.throttling import LoginThrottle, ThrottleUnavailable

from support import DEFAULT_PASSWORD, csrf_from

CLOSED_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connecting is refused at once
REAL_REDIS = os.environ.get("CASUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_down(app, monkeypatch):
    monkeypatch.setitem(app.extensions, "casus_throttle", LoginThrottle(5, CLOSED_REDIS))


@pytest.fixture
def real_redis(app, monkeypatch):
    import redis

    try:
        redis.Redis.from_url(REAL_REDIS, socket_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"no Redis reachable at {REAL_REDIS}")
    monkeypatch.setitem(app.extensions, "casus_throttle", LoginThrottle(5, REAL_REDIS))


def _sessions(db, user) -> int:
    from casus.users.models import UserSession

    return db.session.execute(sa.select(sa.func.count()).select_from(UserSession)
                              .where(UserSession.user_id == user.id)).scalar_one()


def _login(client, email, password):
    token = csrf_from(client.get("/inloggen"))
    return client.post("/inloggen", data={"email": email, "password": password, "csrf_token": token})


@pytest.mark.parametrize("password", [DEFAULT_PASSWORD, "wrong-password"])
def test_login_with_redis_down_is_a_dutch_503_and_nobody_is_logged_in(client, db, make_user, redis_down, password,
                                                                      caplog):
    user = make_user("partner")
    response = _login(client, user.email, password)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Inloggen is tijdelijk niet mogelijk" in page and "Probeer het over enkele minuten opnieuw." in page
    assert response.headers["Retry-After"] == "60"
    assert _sessions(db, user) == 0
    assert client.get("/").status_code == 302  # still anonymous: the dashboard sends us to /inloggen
    assert [record.getMessage() for record in caplog.records if record.name == "casus.errors"] == [
        "login throttling unavailable: ConnectionError"]
    assert user.email not in caplog.text


def test_second_factor_with_redis_down_is_a_503_too(app, client, db, make_user, monkeypatch):
    user = make_user("supervisor", totp_secret=pyotp.random_base32())
    assert _login(client, user.email, DEFAULT_PASSWORD).headers["Location"].endswith("/inloggen/code")
    monkeypatch.setitem(app.extensions, "casus_throttle", LoginThrottle(5, CLOSED_REDIS))
    token = csrf_from(client.get("/inloggen/code"))
    response = client.post("/inloggen/code", data={"code": pyotp.TOTP(user.totp_secret).now(), "csrf_token": token})
    assert response.status_code == 503
    assert "Inloggen is tijdelijk niet mogelijk" in response.get_data(as_text=True)
    assert _sessions(db, user) == 0


def test_the_api_gets_problem_json_503(app):
    from casus.errors import handle_throttle_unavailable

    with app.test_request_context("/api/v1/me"):
        response = handle_throttle_unavailable(ThrottleUnavailable("ConnectionError"))
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"].startswith("Logging in is temporarily not possible")
    assert response.headers["Retry-After"] == "60"


def test_every_throttle_method_fails_closed():
    throttle = LoginThrottle(5, CLOSED_REDIS)
    for call in (lambda: throttle.blocked("a@example.org", "10.0.0.1"), lambda: throttle.failed("a@example.org", "x"),
                 lambda: throttle.succeeded("a@example.org")):
        with pytest.raises(ThrottleUnavailable) as raised:
            call()
        assert raised.value.cause == "ConnectionError" and raised.value.__cause__ is None
    assert throttle.ready() is False
    assert LoginThrottle(5).ready() is True  # in memory: always


def test_login_works_and_is_throttled_with_a_real_redis(client, db, make_user, real_redis, app):
    user = make_user("partner")
    assert app.extensions["casus_throttle"].ready() is True
    app.extensions["casus_throttle"].succeeded(user.email)  # a clean account counter
    response = _login(client, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 302 and _sessions(db, user) == 1
