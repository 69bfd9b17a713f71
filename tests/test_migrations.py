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

    # Migrations change the schema: its owner runs them (docs/OPERATIONS.md, "Database roles").
    url = database_url_for("casus_migrations", tmp_path_factory, as_owner=True)
    return create_app(replace(app_config, database_url=url))


def _schema_diff(app):
    from casus.extensions import db
    from casus.search.schema import is_index_object

    with app.app_context(), db.engine.connect() as connection:
        # The search index is made by DDL, not declared: tests/test_search_index.py compares it on its own.
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_name": lambda name, _type, _parents: not is_index_object(name)})
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


def test_pending_early_closures_are_carried_over_as_approvals(migration_app):
    """20261122_0b6afa4dc61b: the three request columns on cases become an open close_early approval."""
    from flask_migrate import upgrade

    from casus.extensions import db

    with migration_app.app_context():
        upgrade(revision="81339ef7d023")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO organisations (name, kind, convenant_partner, active, created_at, updated_at) "
                "VALUES ('ZVH', 'zvh', true, true, '2026-11-01 10:00:00', '2026-11-01 10:00:00')"))
            conn.execute(sa.text(
                "INSERT INTO teams (organisation_id, name, gemeente, active, created_at, updated_at) "
                "SELECT id, 'Team', 'Voorbeeldstad', true, '2026-11-01 10:00:00', '2026-11-01 10:00:00' "
                "FROM organisations"))
            conn.execute(sa.text(
                "INSERT INTO users (email, name, organisation_id, team_id, password_hash, password_changed_at, "
                "failed_login_count, active, locale, created_at, updated_at) SELECT 'r@example.org', 'R', "
                "organisation_id, id, 'x', '2026-11-01 10:00:00', 0, true, 'nl', '2026-11-01 10:00:00', "
                "'2026-11-01 10:00:00' FROM teams"))
            conn.execute(sa.text(
                "INSERT INTO cases (reference, title, category_id, team_id, gemeente, phase, escalation_level, "
                "risk_level, aanbrenger_organisation_id, legal_basis, inclusion_criteria, phase_changed_at, "
                "signal_count, version, created_at, updated_at, close_requested_by_id, close_request_reason, "
                "close_request_result) SELECT '2026-00001', 'Casus', c.id, t.id, 'Voorbeeldstad', "
                "'aanpak.uitvoering', 'operationeel', 'midden', t.organisation_id, 'convenant', '[]', "
                "'2026-11-01 10:00:00', 1, 1, '2026-11-01 10:00:00', '2026-11-01 10:00:00', u.id, "
                "'Verhuisd naar elders', 'verhuisd' FROM categories c, teams t, users u "
                "WHERE c.id = (SELECT min(id) FROM categories)"))  # the migrations seed the categories
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT a.kind, a.status, a.reason, a.details, a.requested_by_id = u.id AS by_requester, "
                "a.team_id = t.id AS of_team FROM approvals a, users u, teams t")).all()
    assert len(rows) == 1
    kind, status, reason, details, by_requester, of_team = rows[0]
    assert (kind, status, reason, bool(by_requester), bool(of_team)) == (
        "close_early", "open", "Verhuisd naar elders", True, True)
    assert (details if isinstance(details, dict) else __import__("json").loads(details)) == {"result": "verhuisd"}


def test_new_organisation_kinds_are_allowed_after_the_upgrade_and_mapped_back_on_downgrade(migration_app):
    """20261205_ca3467ca7862: the organisation kind CHECK takes cjg, jongerenwerk and onderwijs."""
    from flask_migrate import downgrade, upgrade

    from casus.extensions import db

    insert = ("INSERT INTO organisations (name, kind, convenant_partner, active, created_at, updated_at) "
              "VALUES (:name, :kind, true, true, '2026-12-01 10:00:00', '2026-12-01 10:00:00')")
    with migration_app.app_context():
        upgrade(revision="1b5c670bf08d")
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text(insert), {"name": "Scholengroep", "kind": "onderwijs"})
        upgrade()
        with db.engine.begin() as conn:
            for name, kind in (("CJG Voorbeeldstad", "cjg"), ("Jongerenwerk Voorbeeldstad", "jongerenwerk"),
                               ("Scholengroep", "onderwijs"), ("Gemeente", "gemeente")):
                conn.execute(sa.text(insert), {"name": name, "kind": kind})
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text(insert), {"name": "Onbekend", "kind": "kermis"})
        downgrade(revision="1b5c670bf08d")
        with db.engine.connect() as conn:
            kinds = dict(conn.execute(sa.text("SELECT name, kind FROM organisations")).all())
        assert kinds == {"CJG Voorbeeldstad": "wijkteam", "Jongerenwerk Voorbeeldstad": "overig",
                         "Scholengroep": "overig", "Gemeente": "gemeente"}
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text(insert), {"name": "Scholengroep 2", "kind": "onderwijs"})
        upgrade()
    assert _schema_diff(migration_app) == []


def test_agenda_positions_become_unique_and_objects_get_versions(migration_app):
    """20261205_27471c979ffd: an agenda whose items shared a position (concurrent additions before the lock) is
    renumbered in the order it showed; then (meeting, position) is unique and the edited objects carry a version."""
    from flask_migrate import downgrade, upgrade

    from casus.extensions import db

    now = "'2026-12-01 10:00:00'"
    with migration_app.app_context():
        upgrade(revision="ca3467ca7862")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                f"INSERT INTO organisations (name, kind, convenant_partner, active, created_at, updated_at) "
                f"VALUES ('ZVH', 'zvh', true, true, {now}, {now})"))
            conn.execute(sa.text(
                f"INSERT INTO teams (organisation_id, name, gemeente, active, created_at, updated_at) "
                f"SELECT id, 'Team', 'Voorbeeldstad', true, {now}, {now} FROM organisations"))
            for number in range(1, 5):
                conn.execute(sa.text(
                    f"INSERT INTO cases (reference, title, category_id, team_id, gemeente, phase, escalation_level, "
                    f"risk_level, aanbrenger_organisation_id, legal_basis, inclusion_criteria, phase_changed_at, "
                    f"signal_count, version, created_at, updated_at) SELECT '2026-0000{number}', 'Casus', c.id, "
                    f"t.id, 'Voorbeeldstad', 'aanpak.uitvoering', 'operationeel', 'midden', t.organisation_id, "
                    f"'convenant', '[]', {now}, 1, 1, {now}, {now} FROM categories c, teams t "
                    f"WHERE c.id = (SELECT min(id) FROM categories)"))
            for uid in ("a", "b"):
                conn.execute(sa.text(
                    f"INSERT INTO meetings (team_id, type, title, starts_at, ends_at, status, ical_uid, ical_sequence, "
                    f"version, created_at, updated_at) SELECT id, 'casusoverleg', 'Overleg', {now}, {now}, 'gepland', "
                    f"'meeting-{uid}@casus', 0, 1, {now}, {now} FROM teams"))
            meetings = conn.execute(sa.text("SELECT id FROM meetings ORDER BY ical_uid")).scalars().all()
            cases = conn.execute(sa.text("SELECT id FROM cases ORDER BY reference")).scalars().all()
            for meeting, case, position in ((meetings[0], cases[0], 2), (meetings[0], cases[1], 1),
                                            (meetings[0], cases[2], 1), (meetings[0], cases[3], 3),
                                            (meetings[1], cases[0], 5)):
                conn.execute(sa.text(
                    f"INSERT INTO agenda_items (meeting_id, case_id, position, purpose, added_automatically, "
                    f"discussed, created_at) VALUES ({meeting}, {case}, {position}, 'bespreken', false, false, "
                    f"{now})"))
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT meeting_id, case_id, position, version FROM agenda_items ORDER BY meeting_id, position")).all()
        # Meeting a showed cases 2 and 3 (both at position 1, by id), case 1 (2), case 4 (3): now 1..4 in that order.
        assert [tuple(row) for row in rows] == [
            (meetings[0], cases[1], 1, 1), (meetings[0], cases[2], 2, 1), (meetings[0], cases[0], 3, 1),
            (meetings[0], cases[3], 4, 1), (meetings[1], cases[0], 5, 1)]  # meeting b had no duplicate: untouched
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text(f"UPDATE agenda_items SET position = 1 WHERE meeting_id = {meetings[0]} "
                                 f"AND case_id = {cases[3]}"))
        downgrade(revision="ca3467ca7862")
        upgrade()
    assert _schema_diff(migration_app) == []


def test_a_categorys_retention_years_become_an_unconfirmed_retention_term_and_back(migration_app):
    """20261206_f48a8414678c: categories.retention_years moves to retention_terms (months, unconfirmed)."""
    from flask_migrate import downgrade, upgrade

    from casus.extensions import db

    with migration_app.app_context():
        upgrade(revision="5ea10c4a1714")
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE categories SET retention_years = 7 WHERE code = 'jeugd'"))
        upgrade()
        with db.engine.begin() as conn:
            terms = dict(conn.execute(sa.text(
                "SELECT c.code, t.months FROM retention_terms t JOIN categories c ON c.id = t.category_id")).all())
            assert conn.execute(sa.text("SELECT count(*) FROM retention_terms WHERE confirmed_at IS NOT NULL")
                                ).scalar_one() == 0
            conn.execute(sa.text("UPDATE retention_terms SET months = 30 WHERE category_id = "
                                 "(SELECT id FROM categories WHERE code = 'woonoverlast')"))
        assert terms["jeugd"] == 84 and terms["overig"] == 60
        downgrade(revision="5ea10c4a1714")
        with db.engine.connect() as conn:
            years = dict(conn.execute(sa.text("SELECT code, retention_years FROM categories")).all())
        assert (years["jeugd"], years["woonoverlast"], years["overig"]) == (7, 2, 5)
        upgrade()
    assert _schema_diff(migration_app) == []


def _check_constraints(app) -> dict[str, dict[str, str]]:
    from casus.extensions import db

    with app.app_context():
        inspector = sa.inspect(db.engine)
        return {table: {check["name"]: check["sqltext"] for check in inspector.get_check_constraints(table)}
                for table in inspector.get_table_names()}


def _expected_checks(table: sa.Table) -> dict[str, list[str]]:
    """The CHECK constraints the models declare on ``table``: name → the values an enum's CHECK must allow."""
    expected = {}
    for column in table.columns:
        if isinstance(column.type, sa.Enum) and column.type.create_constraint:
            expected[f"ck_{table.name}_{column.type.name}"] = list(column.type.enums)
    for constraint in table.constraints:
        if isinstance(constraint, sa.CheckConstraint) and constraint.name and not constraint.name.startswith("ck_"):
            expected.setdefault(f"ck_{table.name}_{constraint.name}", [])
    return expected


def test_the_migrated_schema_has_every_check_constraint_of_the_models_and_every_enum_value(migration_app):
    """Autogenerate compares neither CHECK constraints nor the values an enum's CHECK allows: a value added to an
    enum (a new approval kind, a new signal status) needs its migration to widen the CHECK, or the first row using
    it is refused in a migrated database while the tests' create_all schema accepts it."""
    from flask_migrate import upgrade

    from casus.extensions import db

    with migration_app.app_context():
        upgrade()
    migrated = _check_constraints(migration_app)
    problems = []
    for table in db.metadata.sorted_tables:
        for name, values in _expected_checks(table).items():
            text = migrated.get(table.name, {}).get(name)
            if text is None:
                problems.append(f"{name}: missing")
                continue
            problems += [f"{name}: does not allow {value!r}" for value in values if f"'{value}'" not in text]
    assert problems == []
