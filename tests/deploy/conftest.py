"""Deployment tests: Casus run as in production — the ``casus`` script, gunicorn instances, nginx started from
``deploy/nginx/casus.conf``, PostgreSQL databases of their own and Redis — as real processes.

They need PostgreSQL (``CASUS_CI_PG_ADMIN_URL``, default ``postgresql://postgres@127.0.0.1:5432/postgres``)
whichever database the rest of the suite runs on, and skip, saying why, when it (or nginx, or Redis) is
missing. Every process is started in a process group of its own and killed at the end of the module;
every database is dropped.
"""

from __future__ import annotations

import secrets

import pytest

from deploy_support import PG_ADMIN_URL, Processes, database_url, hide_password


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """The admin URL of the PostgreSQL server, or a skip saying it is unreachable."""
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except Exception as error:  # any failure to connect means: no PostgreSQL here
        pytest.skip(f"PostgreSQL at {hide_password(PG_ADMIN_URL)} is unreachable ({type(error).__name__}); "
                    f"set CASUS_CI_PG_ADMIN_URL")
    return PG_ADMIN_URL


@pytest.fixture(scope="module")
def new_database(pg_admin_url):
    """``new_database("casus_deploy")``: a new, empty PostgreSQL database; its SQLAlchemy URL. All are dropped
    after the module (``WITH (FORCE)``: whatever still holds a connection is cut off)."""
    import psycopg
    from psycopg import sql

    names: list[str] = []

    def create(prefix: str) -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        names.append(name)
        return database_url(pg_admin_url, name)

    yield create
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def processes(tmp_path_factory):
    started = Processes(tmp_path_factory.mktemp("process_logs"))
    yield started
    started.stop_all()
