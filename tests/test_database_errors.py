"""A database error answers what it means (casus.errors.classify_database_error): a value the database refuses is
400, a duplicate or a lost race 409, only an unavailable database 503 with Retry-After, anything else 500 — for
the API (problem+json) and for pages (Dutch). A refused request keeps the audit events it recorded. Both databases.
"""

from __future__ import annotations

import logging
from contextlib import suppress

import pytest
import sqlalchemy as sa

from support import TEST_DATABASE_URL


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    assert response.headers["API-Version"]
    return body


class Orig(Exception):
    """A driver exception as psycopg (``sqlstate``) or sqlite3 (``sqlite_errorname``) raises it."""

    def __init__(self, sqlstate=None, sqlite_errorname=None):
        super().__init__("driver message quoting secret-value")
        self.sqlstate, self.sqlite_errorname = sqlstate, sqlite_errorname


def _error(kind, sqlstate=None, sqlite_errorname=None, invalidated=False):
    return kind("SELECT secret", {"p": "secret-value"}, Orig(sqlstate, sqlite_errorname),
                connection_invalidated=invalidated)


@pytest.mark.parametrize("error, expected", [
    (_error(sa.exc.DataError, "22P05"), "invalid"),  # untranslatable character
    (_error(sa.exc.DataError, "22003"), "invalid"),  # numeric value out of range
    (_error(sa.exc.DataError, sqlite_errorname="SQLITE_TOOBIG"), "invalid"),
    (_error(sa.exc.IntegrityError, "23505"), "conflict"),
    (_error(sa.exc.IntegrityError, sqlite_errorname="SQLITE_CONSTRAINT_UNIQUE"), "conflict"),
    (_error(sa.exc.OperationalError, "40P01"), "conflict"),  # deadlock
    (_error(sa.exc.OperationalError, "40001"), "conflict"),  # serialization failure
    (_error(sa.exc.OperationalError, "08006"), "unavailable"),
    (_error(sa.exc.OperationalError, "57P01"), "unavailable"),  # admin shutdown
    (_error(sa.exc.OperationalError, "57014"), "unavailable"),  # statement timeout
    (_error(sa.exc.OperationalError, "53300"), "unavailable"),  # too many connections
    (_error(sa.exc.OperationalError, "55P03"), "unavailable"),  # lock timeout
    (_error(sa.exc.OperationalError), "unavailable"),  # could not connect: no code at all
    (_error(sa.exc.OperationalError, sqlite_errorname="SQLITE_BUSY"), "unavailable"),  # database is locked
    (_error(sa.exc.OperationalError, sqlite_errorname="SQLITE_BUSY_SNAPSHOT"), "unavailable"),
    (_error(sa.exc.OperationalError, sqlite_errorname="SQLITE_IOERR_READ"), "unavailable"),
    (_error(sa.exc.OperationalError, sqlite_errorname="SQLITE_ERROR"), "broken"),  # no such table
    (_error(sa.exc.OperationalError, "XX000"), "broken"),
    (_error(sa.exc.ProgrammingError, "42P01"), "broken"),  # undefined table
    (_error(sa.exc.InternalError, "XX000"), "broken"),
    (_error(sa.exc.InterfaceError), "unavailable"),
    (_error(sa.exc.DataError, "22P05", invalidated=True), "unavailable"),
])
def test_classification(error, expected):
    from casus.errors import classify_database_error

    assert classify_database_error(error) == expected


# --- the answers, through a throwaway app with test-only routes -------------------------------------------------

@pytest.fixture(scope="module")
def probe_app(app, app_config):
    """The test database (shared with the ``db`` fixture's transaction) behind an app with routes that fail."""
    from flask import Blueprint, g, request

    from casus import create_app
    from casus.audit.models import Outcome
    from casus.audit.services import record
    from casus.extensions import csrf, db
    from casus.notifications.models import Notification

    probe = create_app(app_config)

    def duplicate_notifications():
        for _ in range(2):
            db.session.add(Notification(user_id=g.probe_user_id, key="probe-key", kind="review_due", title="T",
                                        link="/"))

    def fail(kind: str):
        record("probe.attempt", object_type="probe", object_id=kind)
        record("probe.refused", object_type="probe", object_id=kind, outcome=Outcome.DENIED)
        if kind == "data":
            raise _error(sa.exc.DataError, "22021")
        if kind == "savepoint":  # an event rolled back on purpose stays discarded
            with suppress(LookupError), db.session.begin_nested():
                record("probe.discarded", object_type="probe", object_id=kind)
                raise LookupError
            raise _error(sa.exc.DataError, "22021")
        if kind == "nul-in-audit":  # the event itself is what PostgreSQL refuses
            record("probe.attempt", object_type="probe", object_id="nul\x00")
            db.session.flush()
        if kind == "nul":  # a real one: PostgreSQL text cannot hold NUL (SQLite can; see below)
            db.session.execute(sa.text("SELECT CAST(:value AS VARCHAR)"), {"value": "a\x00b"})
        if kind == "integrity":
            duplicate_notifications()
            db.session.flush()
        if kind == "integrity-at-commit":
            duplicate_notifications()
            return "looks fine until the commit"
        if kind == "deadlock":
            raise _error(sa.exc.OperationalError, "40P01")
        if kind == "down":
            raise _error(sa.exc.OperationalError, "08006")
        if kind == "locked":
            raise _error(sa.exc.OperationalError, sqlite_errorname="SQLITE_BUSY")
        if kind == "interface":
            raise _error(sa.exc.InterfaceError)
        if kind == "missing-table":
            db.session.execute(sa.text("SELECT * FROM no_such_table"))
        return "ok"

    def api_view(kind):
        from flask_login import current_user

        g.probe_user_id = current_user.id
        return {"result": fail(kind)}

    def page_view(kind):
        g.probe_user_id = int(request.args["user"])
        return fail(kind)

    pages = Blueprint("probe_pages", __name__)
    pages.add_url_rule("/probe/<kind>", "fail", page_view, methods=["GET", "POST"])
    probe.register_blueprint(pages)
    probe.add_url_rule("/api/v1/probe/<kind>", "probe_api", api_view, methods=["GET", "POST"])
    csrf.exempt(api_view)  # as the API's blueprints are
    return probe


@pytest.fixture
def probe(probe_app, db, make_user, monkeypatch):
    from casus.auth.tokens import create_token

    monkeypatch.setattr("casus.security.PUBLIC_ENDPOINTS",
                        __import__("casus.security", fromlist=["x"]).PUBLIC_ENDPOINTS | {"probe_pages.fail"})
    monkeypatch.setitem(probe_app.config, "PROPAGATE_EXCEPTIONS", False)
    user = make_user()
    _row, token = create_token(user, days=1)
    db.session.flush()
    client = probe_app.test_client()

    class Probe:
        def api(self, kind):
            return client.post(f"/api/v1/probe/{kind}", headers=bearer(token))

        def page(self, kind):
            return client.get(f"/probe/{kind}?user={user.id}")

    probe = Probe()
    probe.user = user
    return probe


def probe_events(db, kind: str) -> dict[str, object]:
    from casus.audit.models import AuditEvent

    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "probe",
                                                          AuditEvent.object_id == kind)).all()
    return {row.action: row for row in rows}


def assert_kept(db, kind: str, status: int, user) -> None:
    """Both events of the refused request were written: the attempt as failed, the denial as denied."""
    events = probe_events(db, kind)
    assert set(events) == {"probe.attempt", "probe.refused"}
    assert events["probe.attempt"].outcome == "failure" and events["probe.refused"].outcome == "denied"
    assert all(event.details == {"refused_with": status} and event.user_id == getattr(user, "id", None)
               and event.request_id for event in events.values())


def test_a_refused_value_is_400_and_keeps_the_audit_events(probe, db):
    body = assert_problem(probe.api("data"), 400)
    assert "cannot be stored" in body["detail"] and "secret" not in str(body)
    assert_kept(db, "data", 400, probe.user)


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="a NUL in text is a DataError on PostgreSQL only")
def test_a_real_nul_refused_by_postgresql_is_400(probe, db):
    assert_problem(probe.api("nul"), 400)
    assert_kept(db, "nul", 400, probe.user)


def test_events_rolled_back_to_a_savepoint_on_purpose_stay_discarded(probe, db):
    assert_problem(probe.api("savepoint"), 400)
    assert_kept(db, "savepoint", 400, probe.user)


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="a NUL in text is a DataError on PostgreSQL only")
def test_an_event_the_database_refused_is_written_made_safe(probe, db):
    assert_problem(probe.api("nul-in-audit"), 400)
    assert set(probe_events(db, "nul\ufffd")) == {"probe.attempt"}
    assert_kept(db, "nul-in-audit", 400, probe.user)


def test_a_duplicate_key_is_409_and_keeps_the_audit_events(probe, db):
    from casus.notifications.models import Notification

    body = assert_problem(probe.api("integrity"), 409)
    assert "Nothing was changed" in body["detail"]
    assert_kept(db, "integrity", 409, probe.user)
    assert not db.session.scalars(sa.select(Notification).where(Notification.key == "probe-key")).all()


def test_a_duplicate_found_only_by_the_commit_is_409_too(probe, db):
    response = probe.api("integrity-at-commit")
    assert_problem(response, 409)
    assert response.headers["Content-Security-Policy"] and response.headers["Cache-Control"] == "no-store"
    assert_kept(db, "integrity-at-commit", 409, probe.user)


def test_a_lost_deadlock_is_409(probe, db):
    assert_problem(probe.api("deadlock"), 409)
    assert_kept(db, "deadlock", 409, probe.user)


@pytest.mark.parametrize("kind", ["down", "locked", "interface"])
def test_only_an_unavailable_database_is_503_with_retry_after(probe, db, kind, caplog):
    caplog.set_level(logging.INFO)
    response = probe.api(kind)
    body = assert_problem(response, 503)
    assert body["detail"] == "The database is not available."
    assert response.headers["Retry-After"] == "30"
    assert f"database unavailable: {'InterfaceError' if kind == 'interface' else 'OperationalError'}" in caplog.text
    assert probe_events(db, kind) == {}  # nothing is written while the database is away


def test_a_missing_table_is_a_500_not_unavailable(probe, db, caplog):
    caplog.set_level(logging.INFO)
    assert_problem(probe.api("missing-table"), 500)
    assert "database unavailable" not in caplog.text
    assert "unhandled" in caplog.text


def test_refusals_are_logged_by_kind_and_type_without_the_message(probe, db, caplog):
    caplog.set_level(logging.DEBUG)
    probe.api("data")
    probe.api("integrity")
    messages = [record.getMessage() for record in caplog.records]
    assert "database refused the request (invalid): DataError" in messages
    assert "database refused the request (conflict): IntegrityError" in messages
    assert "database unavailable" not in caplog.text
    assert "secret" not in caplog.text and "probe-key" not in caplog.text


# --- pages: the same answers in Dutch ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind, status, text", [
    ("data", 400, "kan niet worden opgeslagen"),
    ("integrity", 409, "Er is niets gewijzigd"),
    ("integrity-at-commit", 409, "Er is niets gewijzigd"),
    ("down", 503, "Casus is tijdelijk niet beschikbaar"),
    ("locked", 503, "Casus is tijdelijk niet beschikbaar"),
    ("missing-table", 500, "Er ging iets mis"),
])
def test_pages_answer_in_dutch(probe, db, kind, status, text):
    response = probe.page(kind)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert text in page and "Traceback" not in page and "secret" not in page
    assert ("Retry-After" in response.headers) == (status == 503)
    if status in (400, 409):
        assert_kept(db, kind, status, None)  # an anonymous visitor (the probe page is public)


def test_the_sqlite_snapshot_retry_still_answers_the_retry_not_a_refusal(app_config):
    """A GET whose deferred SQLite transaction lost the race is run again (casus.database.RetryStaleSnapshot):
    the classification must not turn that SQLITE_BUSY_SNAPSHOT into anything else."""
    from casus import create_app
    from casus.database import SNAPSHOT_CONFLICT
    from casus.errors import handle_database_error

    probe = create_app(app_config)
    with probe.test_request_context("/casussen", environ_base={SNAPSHOT_CONFLICT: True}):
        response = handle_database_error(_error(sa.exc.OperationalError, sqlite_errorname="SQLITE_BUSY_SNAPSHOT"))
    assert response.status_code == 503  # dropped unsent by the middleware, which runs the view again

