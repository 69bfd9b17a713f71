"""Helpers shared by the tests (imported as ``support``; ``tests/`` is on pytest's pythonpath)."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager

TEST_DATABASE_URL = os.environ.get("CASUS_TEST_DATABASE_URL")
# On PostgreSQL the application may run as a runtime role that owns nothing (.ci/run; docs/OPERATIONS.md,
# "Database roles"). Then CASUS_TEST_OWNER_DATABASE_URL names the owner — same database, another role — who
# creates the schemas and tables, grants the runtime role its rights and does what only an owner may (TRUNCATE,
# ALTER). Unset, the test URL's role does all of it (a superuser in the README's command).
OWNER_DATABASE_URL = os.environ.get("CASUS_TEST_OWNER_DATABASE_URL") or TEST_DATABASE_URL
# Creates databases and roles (processes.fresh_database, tests/test_database_roles.py): default the owner.
ADMIN_DATABASE_URL = os.environ.get("CASUS_TEST_ADMIN_DATABASE_URL") or OWNER_DATABASE_URL
DEFAULT_PASSWORD = "correct-horse-battery-staple"


def runtime_role() -> str | None:
    """The role the tests' applications connect as when it is not the owner, else None."""
    if not TEST_DATABASE_URL or OWNER_DATABASE_URL == TEST_DATABASE_URL:
        return None
    import sqlalchemy as sa

    runtime = sa.engine.make_url(TEST_DATABASE_URL).username
    return runtime if runtime != sa.engine.make_url(OWNER_DATABASE_URL).username else None


def database_url_for(schema: str, tmp_path_factory, *, as_owner: bool = False) -> str:
    """A database for one purpose: a file on SQLite, a separate schema on PostgreSQL (the owner's, reached as
    the runtime role unless ``as_owner``). Its tables come from :func:`create_tables`."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{tmp_path_factory.mktemp(schema) / 'casus.db'}"
    import sqlalchemy as sa

    engine = sa.create_engine(OWNER_DATABASE_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    url = OWNER_DATABASE_URL if as_owner else TEST_DATABASE_URL
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def owner_url(url: str) -> str:
    """``url`` — the same database and search_path — connecting as the owner of its tables."""
    if not runtime_role() or url.startswith("sqlite"):
        return url
    import sqlalchemy as sa

    owner = sa.engine.make_url(OWNER_DATABASE_URL)
    return sa.engine.make_url(url).set(username=owner.username, password=owner.password).render_as_string(
        hide_password=False)


@contextmanager
def owner_connection(app):
    """A connection, in a transaction that commits, to ``app``'s database as the owner of its tables: for what
    the runtime role may not do (TRUNCATE, ALTER TABLE, DISABLE TRIGGER). On SQLite the app's own engine."""
    import sqlalchemy as sa

    from casus.extensions import db

    with app.app_context():
        if not runtime_role() or db.engine.dialect.name != "postgresql":
            with db.engine.begin() as connection:
                yield connection
            return
        engine = sa.create_engine(owner_url(app.config["SQLALCHEMY_DATABASE_URI"]), poolclass=sa.pool.NullPool)
        with engine.begin() as connection:
            yield connection


def create_tables(app) -> None:
    """The models' tables, new, in ``app``'s database (drop_all + create_all). When the tests run as a runtime
    role, the owner creates them and grants the runtime role its rights (``casus db grant-runtime``)."""
    from casus.database_roles import grant_runtime
    from casus.extensions import db

    with app.app_context():
        if not runtime_role():
            db.drop_all()
            db.create_all()
            return
    with owner_connection(app) as connection:
        db.metadata.drop_all(connection)
        db.metadata.create_all(connection)
        grant_runtime(connection, runtime_role())


def empty_tables(app) -> None:
    """Every table emptied, after a test that committed. On PostgreSQL one TRUNCATE as the owner: the audit
    tables refuse DELETE, and the runtime role may not TRUNCATE."""
    from flask import current_app, has_app_context

    from casus.extensions import db

    if has_app_context() and current_app._get_current_object() is app:
        # The caller's session (scoped to its app context) ends first: an open transaction would hold locks.
        db.session.rollback()
    tables = list(reversed(db.metadata.sorted_tables))
    with owner_connection(app) as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("TRUNCATE " + ", ".join(f'"{table.name}"' for table in tables))
        else:
            for table in tables:
                connection.execute(table.delete())


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(response) -> str:
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


class Auth:
    """Logs users in through the real login form (password and, where enabled, TOTP)."""

    def __init__(self, client):
        self.client = client

    def csrf(self, url: str = "/inloggen") -> str:
        return csrf_from(self.client.get(url))

    def login(self, user, password: str = DEFAULT_PASSWORD, totp_code: str | None = None):
        response = self.client.post("/inloggen", data={
            "email": user.email, "password": password, "csrf_token": self.csrf()})
        if totp_code is not None:
            token = csrf_from(self.client.get("/inloggen/code"))
            response = self.client.post("/inloggen/code", data={"code": totp_code, "csrf_token": token})
        return response

    def login_with_totp(self, user) -> None:
        """Log in a user created with ``totp_secret`` (needed for roles that require a second factor)."""
        import pyotp

        response = self.login(user, totp_code=pyotp.TOTP(user.totp_secret).now())
        assert response.status_code == 302, "login failed"

    def logout(self):
        token = self.csrf("/")
        return self.client.post("/uitloggen", data={"csrf_token": token})

    def post(self, url: str, data: dict | None = None, form_url: str | None = None, **kwargs):
        """POST a form with the CSRF token taken from ``form_url`` (default: the same URL)."""
        payload = {"csrf_token": self.csrf(form_url or url), **(data or {})}
        return self.client.post(url, data=payload, **kwargs)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


class ApiCaller:
    """Calls ``/api/v1`` as a user, with a bearer token made for them on first use (the ``api`` fixture)."""

    def __init__(self, client, db) -> None:
        self.client, self.db, self.tokens = client, db, {}

    def __call__(self, user, method: str, path: str, **kwargs):
        if user.id not in self.tokens:
            from casus.auth.tokens import create_token

            _row, self.tokens[user.id] = create_token(user, days=30)
            self.db.session.flush()
        headers = {"Authorization": f"Bearer {self.tokens[user.id]}", **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)


def ok(response, status: int = 200) -> dict:
    """The JSON body of ``response`` after checking its status (showing the body when it is wrong)."""
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json() if response.data else {}


@contextmanager
def app_with_own_database(app_config, tmp_path_factory, schema: str):
    """An app on a database (a schema on PostgreSQL) of its own, tables created, for tests whose threads each
    need their own connection to committed data — the ``db`` fixture's rolled-back transaction cannot be
    shared between connections."""
    from dataclasses import replace

    from casus import create_app
    from casus.extensions import db

    app = create_app(replace(app_config, database_url=database_url_for(schema, tmp_path_factory)))
    create_tables(app)
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def run_threads(functions: Sequence[Callable[[], object]], *, barrier: threading.Barrier | None = None,
                timeout: float = 60) -> list:
    """Run each function in a thread of its own and wait for all; their results, in order.

    An exception in a thread is raised here, in the test's thread (a failing thread would otherwise pass
    silently), and aborts ``barrier`` so the other threads stop waiting for the one that failed.
    """
    results: list = [None] * len(functions)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = functions[index]()
        except BaseException as error:
            errors.append(error)
            if barrier is not None:
                barrier.abort()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(functions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not errors, errors
    return results


def shown_case_ids(db, action: str) -> set[int]:
    """The cases the latest page view audited as ``action`` showed (audit_shown_cases)."""
    import sqlalchemy as sa

    from casus.audit.models import AuditEvent, AuditShownCase

    event_id = db.session.execute(sa.select(sa.func.max(AuditEvent.id)).where(AuditEvent.action == action)).scalar()
    assert event_id is not None, f"no {action} event"
    return set(db.session.execute(sa.select(AuditShownCase.case_id).where(AuditShownCase.event_id == event_id))
               .scalars())
