"""Login throttling shared across workers through Redis (two app instances stand in for two workers)."""

import os
import uuid

import pytest

from casus.auth.throttling import LoginThrottle

REDIS_URL = os.environ.get("CASUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


def test_failures_counted_by_one_worker_block_another(redis_url):
    worker_a = LoginThrottle(limit=5, redis_url=redis_url)
    worker_b = LoginThrottle(limit=5, redis_url=redis_url)
    email, ip = f"{uuid.uuid4().hex}@example.org", f"10.9.{uuid.uuid4().int % 250}.1"
    for _ in range(3):
        worker_a.failed(email, ip)
    for _ in range(2):
        worker_b.failed(email, ip)
    assert worker_a.blocked(email, "10.0.0.1")
    assert worker_b.blocked(email, "10.0.0.1")
    worker_a.succeeded(email)
    assert not worker_b.blocked(email, "10.0.0.1")
    assert worker_b.blocked("other@example.org", ip)  # the IP stays blocked


def test_redis_keys_hold_no_email_address(redis_url):
    import redis

    throttle = LoginThrottle(limit=5, redis_url=redis_url)
    email = f"{uuid.uuid4().hex}@example.org"
    throttle.failed(email, "10.1.1.1")
    keys = [key.decode() for key in redis.Redis.from_url(redis_url).keys("casus:login-fail:*")]
    assert keys and not any(email in key for key in keys)


def test_memory_throttle_forgets_after_the_window(monkeypatch):
    import casus.auth.throttling as throttling

    clock = [1000.0]
    monkeypatch.setattr(throttling.time, "monotonic", lambda: clock[0])
    throttle = LoginThrottle(limit=2)
    throttle.failed("a@example.org", "1.1.1.1")
    throttle.failed("a@example.org", "1.1.1.1")
    assert throttle.blocked("a@example.org", "2.2.2.2")
    clock[0] += 61
    assert not throttle.blocked("a@example.org", "2.2.2.2")
