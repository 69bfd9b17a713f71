"""The audit chain's tests need real commits (tampering happens beside the app, as the owner of the tables): an app
on a database of its own, with a seal key and a seal directory, emptied after every test."""

from __future__ import annotations

from dataclasses import replace

import pytest

SEAL_KEY = "test-seal-key-" + "k" * 32


@pytest.fixture(scope="session")
def seal_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("seals")


@pytest.fixture(scope="session")
def chain_app(app_config, tmp_path_factory, seal_dir):
    from casus import create_app

    from support import create_tables, database_url_for

    url = database_url_for("casus_chain", tmp_path_factory)
    app = create_app(replace(app_config, database_url=url, audit_seal_key=SEAL_KEY, audit_seal_dir=str(seal_dir),
                             instance_path=str(tmp_path_factory.mktemp("chain_instance"))))
    create_tables(app)
    return app


@pytest.fixture
def chain_db(chain_app, seal_dir):
    """Committed data in the chain app's database; every table and the seal file are emptied after the test."""
    from casus.extensions import db

    from support import empty_tables

    with chain_app.app_context():
        yield db
        db.session.remove()  # scoped to this app context: empty_tables opens another
        empty_tables(chain_app)
    for path in seal_dir.iterdir():
        path.unlink()


@pytest.fixture
def write_events(chain_db):
    """``write_events(n)`` -> the ids of n committed audit events (recorded as a service records them)."""
    from casus.audit.services import record

    def write(count: int = 3, **fields) -> list[int]:
        events = [record("case.view", object_type="case", object_id=index, case_id=index,
                         details={"tab": "overzicht", "n": index}, **fields) for index in range(count)]
        chain_db.session.commit()
        return [event.id for event in events]

    return write


@pytest.fixture
def tamper(chain_app):
    """``tamper(*statements, bypass=(tables))``: SQL run as the owner of the tables, beside the application; on
    PostgreSQL with the append-only triggers of the ``bypass`` tables disabled meanwhile (ALTER TABLE … DISABLE
    TRIGGER, as an owner can), on SQLite as it is."""
    from support import owner_connection

    def run(*statements: str, bypass: tuple[str, ...] = ()) -> None:
        with owner_connection(chain_app) as connection:
            postgres = connection.dialect.name == "postgresql"
            for table in bypass if postgres else ():
                connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
            for statement in statements:
                connection.exec_driver_sql(statement)
            for table in bypass if postgres else ():
                connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")

    return run
