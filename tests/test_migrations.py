"""Alembic migrations reach exactly the models' schema, and go down and up again (both databases)."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


@pytest.fixture
def migration_app(app_config, tmp_path_factory):
    from dataclasses import replace

    from casus import create_app

    from support import database_url_for

    url = database_url_for("casus_migrations", tmp_path_factory)
    return create_app(replace(app_config, database_url=url))


def _schema_diff(app):
    from casus.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def _tables(app):
    from casus.extensions import db

    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_head_gives_exactly_the_models_schema(migration_app):
    from flask_migrate import downgrade, upgrade

    with migration_app.app_context():
        upgrade()
    assert _schema_diff(migration_app) == []
    with migration_app.app_context():
        downgrade(revision="base")
    assert _tables(migration_app) <= {"alembic_version"}
    with migration_app.app_context():
        upgrade()
    assert _schema_diff(migration_app) == []


def test_revision_files_are_date_prefixed():
    from pathlib import Path

    versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
    files = [path.name for path in versions.glob("*.py")]
    assert files
    for name in files:
        assert name[:8].isdigit() and name[8] == "_", name


def test_audit_log_is_append_only_on_postgresql(migration_app):
    from flask_migrate import upgrade

    from casus.extensions import db

    with migration_app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the append-only trigger exists on PostgreSQL only")
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO audit_events (occurred_at, roles, action, outcome) "
                                 "VALUES (now(), '', 'test', 'success')"))
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(sa.text(statement))
