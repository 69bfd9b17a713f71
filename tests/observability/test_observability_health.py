"""/healthz is liveness (the database), /readyz readiness (the database and, when configured, Redis): 200 or 503,
never a detail, no login needed."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from casus.auth.throttling import LoginThrottle

CLOSED_REDIS = "redis://127.0.0.1:1/0"
REAL_REDIS = os.environ.get("CASUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_readyz_is_200_with_the_database_and_no_redis_configured(client):
    response = client.get("/readyz")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "ok")
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_without_details_when_redis_is_down(app, client, monkeypatch):
    monkeypatch.setitem(app.extensions, "casus_throttle", LoginThrottle(5, CLOSED_REDIS))
    response = client.get("/readyz")
    assert (response.status_code, response.get_data(as_text=True)) == (503, "unavailable")
    assert "redis" not in response.get_data(as_text=True).lower()
    # Liveness is about this process and its database: Redis being down is no reason to restart it.
    assert client.get("/healthz").status_code == 200


def test_readyz_is_200_with_a_real_redis(app, client, monkeypatch):
    import redis

    try:
        redis.Redis.from_url(REAL_REDIS, socket_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"no Redis reachable at {REAL_REDIS}")
    monkeypatch.setitem(app.extensions, "casus_throttle", LoginThrottle(5, REAL_REDIS))
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_when_the_database_is_down(app_config):
    from casus import create_app

    down = create_app(replace(app_config, database_url="postgresql+psycopg://casus@127.0.0.1:1/none",
                              redis_url=CLOSED_REDIS))
    response = down.test_client().get("/readyz")
    assert (response.status_code, response.get_data(as_text=True)) == (503, "unavailable")


def test_an_app_built_with_a_redis_url_checks_that_redis(app_config):
    from casus import create_app

    app = create_app(replace(app_config, redis_url=CLOSED_REDIS))
    assert app.extensions["casus_throttle"].ready() is False
