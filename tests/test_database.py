"""SQLite transactions: page views begin DEFERRED (readers in parallel), everything else IMMEDIATE, and a page
view that loses the race for the write lock is run once more with the lock taken at BEGIN."""

from __future__ import annotations

import secrets
import sqlite3

import pytest
import sqlalchemy as sa

from casus.database import SNAPSHOT_CONFLICT, WRITE_LOCK_AT_BEGIN, RetryStaleSnapshot


@pytest.fixture(scope="module")
def file_app(tmp_path_factory):
    """An app on its own SQLite file (the test database wraps everything in one outer transaction instead)."""
    from casus import create_app
    from casus.extensions import db

    path = tmp_path_factory.mktemp("sqlite") / "casus.db"
    app = create_app({"env": "production", "database_url": f"sqlite:///{path}",
                      "secret_key": secrets.token_urlsafe(40), "secure_cookies": False,
                      "instance_path": str(path.parent)})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield app, path


def _begins(app, method: str, environ: dict | None = None) -> list[str]:
    from casus.extensions import db

    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            seen.append(statement)

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", listen)
        try:
            with app.test_request_context("/", method=method, environ_base=environ or {}):
                db.session.execute(sa.text("SELECT 1"))
                db.session.rollback()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listen)
            db.engine.dispose()
    return seen


def test_page_views_begin_deferred_and_changes_immediate(file_app):
    app, _path = file_app
    assert _begins(app, "GET") == ["BEGIN"]
    assert _begins(app, "POST") == ["BEGIN IMMEDIATE"]
    assert _begins(app, "GET", {WRITE_LOCK_AT_BEGIN: True}) == ["BEGIN IMMEDIATE"]


def test_a_stale_read_snapshot_is_marked_for_a_retry(file_app):
    """A GET reads, another connection commits, the GET writes: SQLite refuses (SQLITE_BUSY_SNAPSHOT) and the
    request is marked, so RetryStaleSnapshot runs it again."""
    from flask import request

    from casus.extensions import db

    app, path = file_app
    with app.app_context():
        try:
            with app.test_request_context("/", method="GET"):
                db.session.execute(sa.text("SELECT count(*) FROM categories")).scalar_one()
                other = sqlite3.connect(path, isolation_level=None)
                other.execute("INSERT INTO categories (code, name, name_en, active) VALUES ('x', 'X', 'X', 1)")
                other.close()
                with pytest.raises(sa.exc.OperationalError):
                    db.session.execute(sa.text("INSERT INTO categories (code, name, name_en, active) "
                                               "VALUES ('y', 'Y', 'Y', 1)"))
                assert request.environ.get(SNAPSHOT_CONFLICT) is True
                db.session.rollback()
        finally:
            db.engine.dispose()


def test_the_middleware_runs_a_marked_page_view_again_with_the_lock_at_begin():
    calls: list[dict] = []

    def wsgi_app(environ, start_response):
        calls.append(dict(environ))
        if len(calls) == 1:
            environ[SNAPSHOT_CONFLICT] = True
            start_response("503 SERVICE UNAVAILABLE", [])
            return [b"first"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"second"]

    answered: list = []
    body = RetryStaleSnapshot(wsgi_app)({"REQUEST_METHOD": "GET"}, lambda status, headers, *_: answered.append(status))
    assert body == [b"second"] and answered == ["200 OK"]
    assert len(calls) == 2 and calls[1].get(WRITE_LOCK_AT_BEGIN) is True


def test_the_middleware_never_repeats_a_change_or_an_unmarked_page_view():
    for method in ("POST", "GET"):
        calls = []

        def wsgi_app(environ, start_response, calls=calls):
            calls.append(1)
            start_response("200 OK", [])
            return [b"once"]

        answered: list = []
        body = RetryStaleSnapshot(wsgi_app)({"REQUEST_METHOD": method},
                                            lambda status, *_, answered=answered: answered.append(status))
        assert body == [b"once"] and answered == ["200 OK"] and calls == [1]


def test_insert_new_skips_rows_whose_unique_columns_are_taken(db, make_user):
    from casus.database import insert_new
    from casus.notifications.models import Notification

    user = make_user()
    row = {"user_id": user.id, "kind": "triage_deadline", "title": "t", "params": {}, "link": "/",
           "email_attempts": 0}
    first = [{**row, "key": "een"}, {**row, "key": "twee"}]
    assert insert_new(db.session, Notification.__table__, first, unique=["key"]) == 2
    again = [{**row, "key": "twee"}, {**row, "key": "drie"}]
    assert insert_new(db.session, Notification.__table__, again, unique=["key"], batch=1) == 1
    keys = db.session.scalars(sa.select(Notification.key).order_by(Notification.key)).all()
    assert keys == ["drie", "een", "twee"]


def test_work_after_commit_or_rollback_waits_for_the_whole_transaction(db):
    from casus.database import after_commit, after_rollback

    committed, rolled_back = [], []
    session = db.session()

    def register(*items):
        after_commit(session, "test.commit", items, committed.extend)
        after_rollback(session, "test.rollback", items, rolled_back.extend)

    session.execute(sa.text("SELECT 1"))
    register("b", "a")
    with session.begin_nested():
        register("c")
    savepoint = session.begin_nested()
    savepoint.rollback()
    assert (committed, rolled_back) == ([], []), "a savepoint's end is not the transaction's"
    session.commit()
    assert (committed, rolled_back) == (["a", "b", "c"], [])
    session.execute(sa.text("SELECT 1"))
    register("d")
    session.rollback()
    assert (committed, rolled_back) == (["a", "b", "c"], ["d"])
