"""Least privilege in the database (casus.database_roles, ``casus db grant-runtime``; docs/OPERATIONS.md,
"Database roles").

On a fresh PostgreSQL database with an owner and a runtime role of its own — migrated by the owner through
``casus db upgrade`` (CASUS_MIGRATION_DATABASE_URL), granted through ``casus db grant-runtime``, both the
installed script — the runtime role writes the audit log but cannot rewrite it, uses the ordinary tables, and
serves a login under gunicorn. Creating roles needs a superuser: ``support.ADMIN_DATABASE_URL``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from casus.database_roles import INSERT_ONLY_TABLES, GrantRefused, grant_runtime

from processes import assert_ok, casus_env, gunicorn, log_in, production_env, run_casus
from support import ADMIN_DATABASE_URL, TEST_DATABASE_URL

postgresql = pytest.mark.skipif(not TEST_DATABASE_URL,
                                reason="database roles exist on PostgreSQL only (set CASUS_TEST_DATABASE_URL)")
PASSWORD = "een-lang-wachtwoord-voor-tests"
# A column of each insert-only table, to UPDATE.
AUDIT_COLUMNS = {"audit_events": "action", "audit_chain": "hash", "audit_seals": "key_id",
                 "audit_shown_cases": "case_id", "audit_verifications": "ok"}
ORDINARY_TABLE_PRIVILEGES = {"SELECT", "INSERT", "UPDATE", "DELETE"}


@dataclass(frozen=True)
class Roles:
    owner: str
    runtime: str
    owner_url: str
    runtime_url: str
    env: dict[str, str]  # what the application runs with: the runtime URL, the owner's for migrations


def _libpq(url: str) -> str:
    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _execute(url: str, statement: str) -> list:
    import psycopg

    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture(scope="module")
def admin_url() -> str:
    import psycopg

    if not TEST_DATABASE_URL:
        pytest.skip("database roles exist on PostgreSQL only (set CASUS_TEST_DATABASE_URL)")
    admin = _libpq(ADMIN_DATABASE_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        superuser = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]
    if not superuser:
        pytest.skip("creating roles needs a superuser: set CASUS_TEST_ADMIN_DATABASE_URL (.ci/run does)")
    return admin


@pytest.fixture(scope="module")
def roles(admin_url, tmp_path_factory):
    """A new database owned by a new owner role, migrated by that owner, and a new runtime role granted its
    rights — all through the installed script. Database and roles are dropped afterwards."""
    import psycopg

    suffix = secrets.token_hex(4)
    owner, runtime, name = f"casus_owner_{suffix}", f"casus_runtime_{suffix}", f"casus_roles_{suffix}"
    passwords = {owner: secrets.token_urlsafe(16), runtime: secrets.token_urlsafe(16)}
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for role, password in passwords.items():
            conn.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    server = sa.engine.make_url(admin_url).set(drivername="postgresql+psycopg", database=name)

    def url(role: str) -> str:
        return server.set(username=role, password=passwords[role]).render_as_string(hide_password=False)

    env = production_env(url(runtime), CASUS_MIGRATION_DATABASE_URL=url(owner))
    cwd = tmp_path_factory.mktemp("roles")
    try:
        assert_ok(run_casus("db", "upgrade", env=env, cwd=cwd))
        assert_ok(run_casus("db", "grant-runtime", "--role", runtime, env=env, cwd=cwd))
        yield Roles(owner, runtime, url(owner), url(runtime), env)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in passwords:
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def _refused(url: str, statement: str) -> str:
    """The SQLSTATE with which PostgreSQL refuses ``statement``."""
    import psycopg

    with pytest.raises(psycopg.Error) as refused:
        _execute(url, statement)
    return refused.value.sqlstate


# --- the runtime role ----------------------------------------------------------------------------------------------

@postgresql
def test_the_owner_migrated_and_owns_everything_and_the_runtime_role_nothing(roles):
    owners = {owner for (owner,) in _execute(roles.owner_url, "SELECT DISTINCT tableowner FROM pg_tables "
                                                                "WHERE schemaname = 'public'")}
    assert owners == {roles.owner}
    owned = _execute(roles.owner_url, f"SELECT count(*) FROM pg_class WHERE relowner = "
                                      f"(SELECT oid FROM pg_roles WHERE rolname = '{roles.runtime}')")
    assert owned == [(0,)]


@postgresql
def test_the_runtime_role_writes_and_reads_the_audit_log(roles):
    _execute(roles.runtime_url, "INSERT INTO audit_events (occurred_at, roles, action, outcome) "
                                "VALUES (now(), '', 'test.runtime', 'success')")
    assert _execute(roles.runtime_url, "SELECT count(*) FROM audit_events WHERE action = 'test.runtime'") == [(1,)]


REWRITES = [
    *(f"UPDATE {table} SET {column} = {column}" for table, column in AUDIT_COLUMNS.items()),
    *(f"DELETE FROM {table}" for table in AUDIT_COLUMNS),
    *(f"TRUNCATE {table}" for table in AUDIT_COLUMNS),
    "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
    "ALTER TABLE audit_events DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_events_append_only ON audit_events",
    "DROP TABLE audit_events",
    "SET session_replication_role = replica",
    "SELECT setval('audit_events_id_seq', 1)",
]


@postgresql
@pytest.mark.parametrize("statement", REWRITES)
def test_the_runtime_role_cannot_rewrite_the_audit_log(roles, statement):
    # 42501 insufficient_privilege: refused for want of a right, before any trigger is asked.
    assert _refused(roles.runtime_url, statement) == "42501"


@postgresql
def test_the_runtime_role_uses_the_ordinary_tables(roles):
    _execute(roles.runtime_url, "INSERT INTO organisations (name, kind, convenant_partner, active, created_at, "
                                "updated_at) VALUES ('Runtime', 'gemeente', true, true, now(), now())")
    _execute(roles.runtime_url, "UPDATE organisations SET name = 'Runtime 2' WHERE name = 'Runtime'")
    _execute(roles.runtime_url, "DELETE FROM organisations WHERE name = 'Runtime 2'")
    assert _refused(roles.runtime_url, "TRUNCATE organisations CASCADE") == "42501"
    assert _refused(roles.runtime_url, "ALTER TABLE organisations ADD COLUMN extra text") == "42501"


@postgresql
def test_a_table_the_owner_creates_later_is_usable_at_once(roles):
    _execute(roles.owner_url, "CREATE TABLE later_things (id serial PRIMARY KEY, name text)")
    try:
        _execute(roles.runtime_url, "INSERT INTO later_things (name) VALUES ('a')")
        _execute(roles.runtime_url, "UPDATE later_things SET name = 'b'")
        _execute(roles.runtime_url, "DELETE FROM later_things")
        assert _refused(roles.runtime_url, "TRUNCATE later_things") == "42501"
    finally:
        _execute(roles.owner_url, "DROP TABLE later_things")


def _privileges(roles: Roles) -> dict[str, set[str]]:
    rows = _execute(roles.owner_url, f"SELECT table_name, privilege_type FROM information_schema.role_table_grants "
                                     f"WHERE grantee = '{roles.runtime}' AND table_schema = 'public'")
    privileges: dict[str, set[str]] = {}
    for table, privilege in rows:
        privileges.setdefault(table, set()).add(privilege)
    return privileges


@postgresql
def test_grant_runtime_gives_exactly_the_runtime_rights_and_can_be_run_again(roles, tmp_path):
    before = _privileges(roles)
    tables = {table for (table,) in _execute(roles.owner_url, "SELECT tablename FROM pg_tables "
                                                              "WHERE schemaname = 'public'")}
    assert set(before) == tables
    assert {table for table, granted in before.items() if granted == {"SELECT", "INSERT"}} == INSERT_ONLY_TABLES
    assert all(granted == ORDINARY_TABLE_PRIVILEGES for table, granted in before.items()
               if table not in INSERT_ONLY_TABLES)
    output = assert_ok(run_casus("db", "grant-runtime", "--role", roles.runtime, env=roles.env, cwd=tmp_path))
    assert "audit_events" in output and roles.runtime in output
    assert _privileges(roles) == before


def _invoke_grant_runtime(role: str, **settings):
    """``casus db grant-runtime`` run in this process, on an app with ``settings``."""
    from casus import create_app, testing_config
    from casus.cli import grant_runtime_command

    app = create_app(testing_config(**settings))
    return app.test_cli_runner().invoke(grant_runtime_command, ["--role", role])


@postgresql
def test_the_command_connects_as_the_owner_named_for_migrations(roles):
    result = _invoke_grant_runtime(roles.runtime, database_url=roles.runtime_url,
                                   migration_database_url=roles.owner_url)
    assert result.exit_code == 0, result.output
    assert f"Rechten van rol {roles.runtime} gezet in schema public" in result.output
    result = _invoke_grant_runtime(roles.runtime, database_url=roles.runtime_url)
    assert result.exit_code == 1 and f"zijn van {roles.owner}" in result.output


@postgresql
def test_grant_runtime_refuses_to_run_as_another_role_than_the_owner(roles, tmp_path):
    env = {key: value for key, value in roles.env.items() if key != "CASUS_MIGRATION_DATABASE_URL"}
    result = run_casus("db", "grant-runtime", "--role", roles.runtime, env=env, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"zijn van {roles.owner}" in result.stderr and "CASUS_MIGRATION_DATABASE_URL" in result.stderr


@postgresql
@pytest.mark.parametrize(("role", "refusal"), [
    ("casus_no_such_role", "Onbekende rol"),
    ("owner", "de eigenaar zelf"),
    ("superuser", "superuser"),
])
def test_grant_runtime_refuses_a_role_that_would_not_be_least_privileged(roles, admin_url, role, refusal):
    role = {"owner": roles.owner, "superuser": sa.engine.make_url(admin_url).username}.get(role, role)
    engine = sa.create_engine(roles.owner_url, poolclass=sa.pool.NullPool)
    with pytest.raises(GrantRefused, match=refusal), engine.begin() as connection:
        grant_runtime(connection, role)


@postgresql
def test_grant_runtime_works_on_the_schema_the_search_path_names(roles):
    _execute(roles.owner_url, "CREATE SCHEMA side")
    try:
        _execute(roles.owner_url, "CREATE TABLE side.audit_events (id int); CREATE TABLE side.notes (id int)")
        side = f"{roles.owner_url}?options=-csearch_path%3Dside"
        engine = sa.create_engine(side, poolclass=sa.pool.NullPool)
        with engine.begin() as connection:
            granted = grant_runtime(connection, roles.runtime)
        assert (granted.schema, granted.tables, granted.insert_only) == ("side", 2, ("audit_events",))
        _execute(roles.runtime_url, "INSERT INTO side.notes VALUES (1); UPDATE side.notes SET id = 2")
        _execute(roles.runtime_url, "INSERT INTO side.audit_events VALUES (1)")
        assert _refused(roles.runtime_url, "UPDATE side.audit_events SET id = 2") == "42501"
        assert _refused(roles.runtime_url, "CREATE TABLE side.shadow (id int)") == "42501"
    finally:
        _execute(roles.owner_url, "DROP SCHEMA side CASCADE")


@postgresql
def test_the_append_only_triggers_guard_insert_only_tables(roles):
    guarded = {table for (table,) in _execute(roles.owner_url, (
        "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND t.tgname LIKE '%append_only'"))}
    assert "audit_events" in guarded and guarded <= INSERT_ONLY_TABLES


@postgresql
def test_the_application_serves_a_login_as_the_runtime_role(roles, tmp_path):
    env = {key: value for key, value in roles.env.items() if key != "CASUS_MIGRATION_DATABASE_URL"}
    assert_ok(run_casus("create-organisation", "--name", "Gemeente Rolstad", "--kind", "gemeente", env=env,
                        cwd=tmp_path))
    assert_ok(run_casus("create-user", "--email", "beheer@rolstad.example", "--name", "Beheer", "--organisation",
                        "Gemeente Rolstad", "--role", "beheerder", "--password-stdin", env=env, cwd=tmp_path,
                        stdin=PASSWORD + "\n"))
    with gunicorn(env, tmp_path) as base:
        client = log_in(base, "beheer@rolstad.example", PASSWORD)
        organisations = client.get("/beheer/organisaties")
    assert organisations.status_code == 200 and "Gemeente Rolstad" in organisations.text
    logins = _execute(roles.owner_url, "SELECT count(*) FROM audit_events WHERE action LIKE 'login%'")
    assert logins[0][0] >= 1


# --- both databases ------------------------------------------------------------------------------------------------

def test_every_audit_table_is_insert_only_for_the_runtime_role():
    import casus.models  # noqa: F401  (every model in the metadata)
    from casus.audit.models import APPEND_ONLY_TABLES
    from casus.extensions import db

    audit_tables = {name for name in db.metadata.tables if name.startswith("audit_")}
    # The verklaringen van vernietiging are evidence too: kept for good, never rewritten.
    assert audit_tables | {"destruction_declarations"} == INSERT_ONLY_TABLES
    assert {"audit_events", *APPEND_ONLY_TABLES} <= INSERT_ONLY_TABLES


def test_grant_runtime_is_not_applicable_on_sqlite(tmp_path):
    database = tmp_path / "casus.db"
    result = run_casus("db", "grant-runtime", "--role", "casus", env=production_env(f"sqlite:///{database}"),
                       cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Niet van toepassing op SQLite" in result.stderr
    assert not database.exists(), "a refusal must not create the database file"
    engine = sa.create_engine(f"sqlite:///{database}")
    with pytest.raises(GrantRefused, match="Niet van toepassing"), engine.begin() as connection:
        grant_runtime(connection, "casus")
    engine.dispose()


def test_the_command_refuses_sqlite_in_process(tmp_path):
    result = _invoke_grant_runtime("casus", database_url=f"sqlite:///{tmp_path / 'casus.db'}")
    assert result.exit_code == 1 and "Niet van toepassing op SQLite" in result.output
    assert not (tmp_path / "casus.db").exists()


def test_casus_db_help_lists_grant_runtime_without_configuration(tmp_path):
    listed = assert_ok(run_casus("db", "--help", env=casus_env(), cwd=tmp_path))
    assert "  grant-runtime " in listed
    assert not Path(tmp_path / "instance").exists()


def test_migrations_and_grants_connect_as_the_owner_when_one_is_configured():
    from casus.config import Config

    base = {"CASUS_ENV": "testing", "CASUS_DATABASE_URL": "postgresql+psycopg://runtime@db/casus"}
    assert Config.from_env(base).owner_database_url == "postgresql+psycopg://runtime@db/casus"
    owner = "postgresql+psycopg://owner@db/casus"
    config = Config.from_env({**base, "CASUS_MIGRATION_DATABASE_URL": owner})
    assert (config.owner_database_url, config.database_url) == (owner, "postgresql+psycopg://runtime@db/casus")
