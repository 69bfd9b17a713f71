"""SQLite page views: the audit event is written by the view's commit, with the write lock taken just for it, so
other connections can write while the view reads and renders; if that write fails, the page is not shown."""

from __future__ import annotations

import secrets
import sqlite3

import pytest
import sqlalchemy as sa
from flask import Flask

from casus import security
from casus.database import SNAPSHOT_CONFLICT


@pytest.fixture(scope="module")
def file_app(tmp_path_factory):
    """An app on its own SQLite file (the test database wraps everything in one outer transaction instead), with a
    page view that audits a read, then reads once more while another connection writes."""
    from casus import create_app
    from casus.audit.services import record, record_shown
    from casus.extensions import db

    path = tmp_path_factory.mktemp("sqlite") / "casus.db"
    app = create_app({"env": "production", "database_url": f"sqlite:///{path}",
                      "secret_key": secrets.token_urlsafe(40), "secure_cookies": False,
                      "instance_path": str(path.parent)})

    @app.get("/_probe")
    def probe():
        record("case.view", object_type="case", object_id=1)
        db.session.execute(sa.text("SELECT count(*) FROM categories")).scalar_one()  # autoflush point
        app.config["PROBE_WHILE_READING"]()
        db.session.execute(sa.text("SELECT count(*) FROM categories")).scalar_one()
        return "gelezen"

    @app.get("/_probe_list")
    def probe_list():
        record_shown("case.list", [3, 1, 2])
        record("case.view", object_type="case", object_id=3)
        db.session.execute(sa.text("SELECT count(*) FROM categories")).scalar_one()
        return "lijst"

    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield app, path


@pytest.fixture
def probe_client(file_app, monkeypatch):
    app, path = file_app
    monkeypatch.setattr(security, "PUBLIC_ENDPOINTS", security.PUBLIC_ENDPOINTS | {"probe", "probe_list"})
    yield app.test_client(), app, path
    app.config.pop("PROBE_WHILE_READING", None)


def _statements(app: Flask) -> tuple[list[str], callable]:
    from casus.extensions import db

    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()[:3]))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listen)
    return seen, lambda: sa.event.remove(engine, "before_cursor_execute", listen)


def _events(path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM audit_events WHERE action = 'case.view'").fetchone()[0]


def _write_elsewhere(path) -> None:
    other = sqlite3.connect(path, isolation_level=None, timeout=0)  # no waiting: a held lock fails at once
    try:
        other.execute("INSERT INTO categories (code, name, name_en, active) "
                      f"VALUES ('{secrets.token_hex(4)}', 'X', 'X', 1)")
    finally:
        other.close()


def test_another_connection_writes_while_a_page_view_reads_and_the_event_is_committed_with_it(probe_client):
    """Before: the event was flushed at the view's next query, taking the write lock until the end of the request
    (the other connection got 'database is locked'), and the other commit then made the view's own write fail
    (SQLITE_BUSY_SNAPSHOT, a rerun)."""
    client, app, path = probe_client
    app.config["PROBE_WHILE_READING"] = lambda: _write_elsewhere(path)
    before = _events(path)
    seen, stop = _statements(app)
    try:
        response = client.get("/_probe")
    finally:
        stop()
    assert response.status_code == 200 and response.text == "gelezen"
    assert _events(path) == before + 1
    assert SNAPSHOT_CONFLICT not in response.request.environ
    # The lock is taken only after every read: the read-only transaction ends, BEGIN IMMEDIATE, the INSERT, COMMIT.
    assert seen[0] == "BEGIN"
    writing = seen.index("BEGIN IMMEDIATE")
    assert seen[writing - 1] == "COMMIT" and seen[writing + 1].startswith("INSERT INTO audit_events")
    assert all(statement.startswith("SELECT") for statement in seen[1:writing - 1])


def test_the_page_is_not_shown_when_its_audit_event_cannot_be_written(probe_client):
    client, app, path = probe_client
    holder = sqlite3.connect(path, isolation_level=None)

    def lock_and_shorten_the_wait():
        from casus.extensions import db

        db.session.connection().connection.dbapi_connection.execute("PRAGMA busy_timeout=50")
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock until the request is over

    app.config["PROBE_WHILE_READING"] = lock_and_shorten_the_wait
    before = _events(path)
    try:
        response = client.get("/_probe")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        from casus.extensions import db

        with app.app_context():
            db.engine.dispose()  # the shortened busy timeout goes with the connection
    assert response.status_code >= 500 and "gelezen" not in response.text
    assert _events(path) == before


def test_a_page_view_that_wrote_keeps_its_event_in_its_own_transaction(probe_client):
    """The lock is only taken anew for a transaction that read only: one that wrote already holds it."""
    from casus.extensions import db

    client, app, path = probe_client

    def write_in_the_view():
        db.session.execute(sa.text("INSERT INTO categories (code, name, name_en, active) "
                                   f"VALUES ('{secrets.token_hex(4)}', 'Y', 'Y', 1)"))

    app.config["PROBE_WHILE_READING"] = write_in_the_view
    before = _events(path)
    seen, stop = _statements(app)
    try:
        response = client.get("/_probe")
    finally:
        stop()
    assert response.status_code == 200 and _events(path) == before + 1
    assert "BEGIN IMMEDIATE" not in seen and seen.count("COMMIT") == 0  # one transaction, committed by the driver


def test_all_events_of_a_page_view_and_the_cases_shown_go_in_together_and_inline_chaining_links_them(probe_client):
    from casus.audit import chain

    client, app, path = probe_client
    app.extensions[chain.EXTENSION] = "inline"
    seen, stop = _statements(app)
    try:
        response = client.get("/_probe_list")
    finally:
        stop()
        app.extensions[chain.EXTENSION] = "scheduled"
    assert response.status_code == 200
    with sqlite3.connect(path) as connection:
        listed = connection.execute("SELECT id FROM audit_events WHERE action = 'case.list' "
                                    "ORDER BY id DESC LIMIT 1").fetchone()[0]
        shown = connection.execute("SELECT case_id FROM audit_shown_cases WHERE event_id = ? ORDER BY rowid",
                                   (listed,)).fetchall()
        linked = connection.execute(
            "SELECT count(*), count(audit_chain.event_id) FROM audit_events LEFT JOIN audit_chain "
            "ON audit_chain.event_id = audit_events.id WHERE request_id = ?",
            (response.headers["X-Request-ID"],)).fetchone()
    assert [case_id for (case_id,) in shown] == [3, 1, 2]
    assert linked == (2, 2)  # inline: both events linked in the same commit
    writing = seen.index("BEGIN IMMEDIATE")
    assert all(statement.startswith(("SELECT", "BEGIN", "COMMIT")) for statement in seen[:writing])
    inserts = [statement for statement in seen[writing:] if statement.startswith("INSERT")]
    assert inserts[:2] == ["INSERT INTO audit_events"] * 2  # the events, the cases shown, then the chain's links
    assert [statement for statement in inserts if "audit_shown_cases" in statement] == [
        "INSERT INTO audit_shown_cases"]
