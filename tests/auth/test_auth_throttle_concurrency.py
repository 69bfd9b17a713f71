"""Login throttling holds under concurrency: sixteen wrong passwords for one account at the same moment get at
most the limit (5) of password checks between them — each attempt is counted, atomically, before its check.

Sixteen threads, each with its own client (own cookie and CSRF token) and connection, post the login form at
once against an app on a database of its own (committed data; the ``db`` fixture's rolled-back transaction
cannot be shared between threads). The argon2 check is wrapped to count its calls. Once with the in-memory
throttle, once with Redis (skipped, saying why, when no Redis answers)."""

from __future__ import annotations

import functools
import os
import threading
import uuid

import pytest

from support import DEFAULT_PASSWORD, app_with_own_database, csrf_from, run_threads

REDIS_URL = os.environ.get("CASUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ATTEMPTS = 16
LIMIT = 5


@pytest.fixture(scope="module")
def race_app(app_config, tmp_path_factory):
    with app_with_own_database(app_config, tmp_path_factory, "casus_throttle_race") as app:
        yield app


@pytest.fixture(params=["memory", "redis"])
def throttle(request, race_app, monkeypatch):
    from casus.auth.throttling import LoginThrottle

    if request.param == "redis":
        import redis

        try:
            redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
        except redis.RedisError:
            pytest.skip(f"no Redis reachable at {REDIS_URL}")
        throttle = LoginThrottle(LIMIT, REDIS_URL)
    else:
        throttle = LoginThrottle(LIMIT)
    monkeypatch.setitem(race_app.extensions, "casus_throttle", throttle)
    return throttle


@pytest.fixture
def account(race_app) -> str:
    """A committed partner account with a unique e-mail address (so Redis windows of earlier runs do not count)."""
    from casus.auth.passwords import hash_password
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.users.models import Role, User, UserRole

    email = f"race-{uuid.uuid4().hex[:12]}@example.org"
    with race_app.app_context():
        organisation = Organisation(name=f"Politie {email}", kind=OrganisationKind.POLITIE, convenant_partner=True)
        user = User(email=email, name="Rein Race", organisation=organisation, password_hash=hash_password(
            DEFAULT_PASSWORD))
        user.role_rows = [UserRole(role=Role.PARTNER)]
        db.session.add_all([organisation, user])
        db.session.commit()
    return email


@pytest.fixture
def checks(monkeypatch):
    """Counts the calls of the password check the login makes."""
    import casus.auth.services as services

    real = services.verify_password
    calls = []
    lock = threading.Lock()

    def counting(password_hash, password):
        with lock:
            calls.append(1)
        return real(password_hash, password)

    monkeypatch.setattr(services, "verify_password", counting)
    return calls


def _client(app, ip: str):
    client = app.test_client()
    client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/", "REMOTE_ADDR": ip})
    return client


def _all_at_once(app, logins: list[tuple[str, str, str]]) -> list[int]:
    """Post every (ip, email, password) login form at the same moment; their status codes."""
    clients = [(_client(app, ip), email, password) for ip, email, password in logins]
    tokens = [csrf_from(client.get("/inloggen")) for client, _email, _password in clients]
    start = threading.Barrier(len(clients))

    def post(client, email: str, password: str, token: str) -> int:
        start.wait(timeout=30)
        return client.post("/inloggen", data={"email": email, "password": password, "csrf_token": token}).status_code

    return run_threads([functools.partial(post, *clients[index], tokens[index]) for index in range(len(clients))],
                       barrier=start, timeout=120)


def test_simultaneous_wrong_passwords_for_one_account_get_at_most_the_limit_of_checks(race_app, throttle, account,
                                                                                       checks):
    # Each from its own address: only the account's window stands in the way.
    logins = [(f"10.77.{index}.{uuid.uuid4().int % 250 + 1}", account, "niet-het-wachtwoord")
              for index in range(ATTEMPTS)]
    statuses = _all_at_once(race_app, logins)
    assert len(checks) == LIMIT
    assert sorted(statuses) == [200] * LIMIT + [429] * (ATTEMPTS - LIMIT)
    assert throttle.blocked(account, "10.99.99.99")
    # The right password now is refused unchecked as well: the window is full.
    assert _all_at_once(race_app, [("10.99.99.99", account, DEFAULT_PASSWORD)]) == [429]
    assert len(checks) == LIMIT


def test_simultaneous_guesses_from_one_address_get_at_most_the_limit_of_checks(race_app, throttle, checks):
    ip = f"10.88.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
    logins = [(ip, f"niemand-{uuid.uuid4().hex[:8]}@example.org", "niet-het-wachtwoord") for _ in range(ATTEMPTS)]
    statuses = _all_at_once(race_app, logins)
    assert len(checks) == LIMIT
    assert sorted(statuses) == [200] * LIMIT + [429] * (ATTEMPTS - LIMIT)


def test_right_passwords_at_the_same_moment_all_log_in_and_leave_no_failures(race_app, throttle, account, checks):
    logins = [(f"10.66.{index}.1", account, DEFAULT_PASSWORD) for index in range(LIMIT + 3)]
    statuses = _all_at_once(race_app, logins)
    # More right passwords than the limit may wait their turn (429), but a right password never counts as a
    # failure: once they are done, the account's window is empty again.
    assert statuses.count(302) >= LIMIT and set(statuses) <= {302, 429}
    assert len(checks) == statuses.count(302)
    assert not throttle.blocked(account, "10.66.0.1")


def test_a_refused_attempt_is_not_counted_and_a_released_one_gives_its_place_back(throttle):
    email, ip = f"{uuid.uuid4().hex}@example.org", f"10.55.{uuid.uuid4().int % 250}.1"
    attempts = [throttle.attempt(email, ip) for _ in range(LIMIT)]
    assert all(attempts) and throttle.attempt(email, ip) is None
    throttle.release(email, ip, attempts[0])
    assert throttle.attempt(email, "10.55.255.1") is not None  # the freed place, taken at once
    assert throttle.attempt(email, "10.55.255.2") is None
    throttle.succeeded(email)  # clears the account's window, not the IP's (4 of 5 there)
    assert throttle.attempt(f"other-{email}", ip) is not None
    assert throttle.attempt(f"third-{email}", ip) is None
    assert throttle.attempt(email, "10.55.255.3") is not None


def test_attempt_and_release_fail_closed_without_redis():
    from casus.auth.throttling import LoginThrottle, ThrottleUnavailable

    throttle = LoginThrottle(LIMIT, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    for call in (lambda: throttle.attempt("a@example.org", "10.0.0.1"),
                 lambda: throttle.release("a@example.org", "10.0.0.1", "x")):
        with pytest.raises(ThrottleUnavailable):
            call()
