"""The search index (casus.search): the migration builds what create_all builds, the index follows every write to
subjects and case titles, PostgreSQL's planner uses the trigram index, and ``casus search rebuild`` repairs it."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from processes import assert_ok, casus_env, fresh_database, production_env, run_casus


def _structures(connection) -> dict[str, str]:
    """The search structures in ``connection``'s schema, by name, with their definitions (schema names left out)."""
    if connection.dialect.name == "postgresql":
        rows = connection.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND (indexname LIKE 'ix\\_%\\_search\\_trgm' OR indexname LIKE 'ix\\_%\\_prefix')")).all()
        schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
        return {name: definition.replace(f"{schema}.", "") for name, definition in rows}
    rows = connection.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE name LIKE '%\\_search%' ESCAPE '\\' "
                                      "AND sql IS NOT NULL")).all()
    return {name: " ".join(sql.split()) for name, sql in rows}


def test_the_migration_builds_the_same_search_structures_as_create_all(app, app_config, tmp_path_factory):
    from dataclasses import replace

    from flask_migrate import upgrade

    from casus import create_app
    from casus.extensions import db

    from support import database_url_for

    with app.app_context(), db.engine.connect() as connection:
        created = _structures(connection)
        dialect = connection.dialect.name
    migrated_app = create_app(replace(app_config, database_url=database_url_for(
        "casus_search_migrated", tmp_path_factory, as_owner=True)))
    with migrated_app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            migrated = _structures(connection)
    postgresql = {"ix_subjects_search_trgm", "ix_cases_search_trgm", "ix_cases_reference_prefix"}
    expected = postgresql if dialect == "postgresql" else {
        f"{table}_search{suffix}" for table in ("subjects", "cases") for suffix in ("", "_ai", "_ad", "_au")}
    assert expected <= set(created)  # (on SQLite with FTS5's own shadow tables)
    assert migrated == created


def _fts_ids(table: str, term: str) -> set[int]:
    from casus.extensions import db

    return set(db.session.execute(sa.text(f"SELECT rowid FROM {table}_search WHERE {table}_search MATCH :q"),
                                  {"q": f'"{term}"*'}).scalars())


def _assert_in_step(table: str) -> None:
    """On SQLite the FTS index holds exactly the table's keys (FTS5's integrity check against its content)."""
    from casus.extensions import db

    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text(f"INSERT INTO {table}_search({table}_search, rank) VALUES ('integrity-check', 1)"))


def test_the_index_follows_subjects_created_corrected_and_erased(db, make_subject, make_case):
    from casus.cases.models import Case
    from casus.cases.queries import search_condition
    from casus.retention.destruction import erase_subject
    from casus.subjects.validation import normalise_name

    def found(term):
        return set(db.session.scalars(sa.select(Case.id).where(search_condition(term))))

    person = make_subject(name="Jan de Vriës")
    case = make_case(subjects=[person])
    assert person.search_key == "jan de vries"
    assert found("vries") == {case.id}
    _assert_in_step("subjects")
    person.name = "Jan Bakker"  # a correction, as the services make it
    person.name_key = normalise_name(person.name)
    db.session.flush()
    assert person.search_key == "jan bakker"
    assert found("vries") == set() and found("bakker") == {case.id}
    _assert_in_step("subjects")
    if db.engine.dialect.name == "sqlite":
        assert _fts_ids("subjects", "bakker") == {person.id}
    subject_id = person.id
    erase_subject(person)
    db.session.flush()
    assert found("bakker") == set()
    _assert_in_step("subjects")
    if db.engine.dialect.name == "sqlite":
        assert subject_id not in _fts_ids("subjects", "bakker")


def test_the_index_follows_a_case_title_edit(db, make_case, make_user):
    from casus.cases.editing import edit_case
    from casus.cases.models import Case
    from casus.cases.queries import search_condition

    regisseur = make_user("procesregisseur")
    case = make_case(team=regisseur.team, procesregisseur=regisseur, phase="aanpak.uitvoering",
                     title="Overlast Dorpsstraat")

    def found(term):
        return set(db.session.scalars(sa.select(Case.id).where(search_condition(term))))

    assert found("dorpsstraat") == {case.id}
    edit_case(regisseur, case, {"title": "Zorgen om gezin Müller"})
    assert case.search_key == "zorgen om gezin muller"
    assert found("dorpsstraat") == set() and found("muller") == found("Müller") == {case.id}
    _assert_in_step("cases")


def _plan(db, query) -> str:
    compiled = query.compile(dialect=db.engine.dialect)
    return "\n".join(row[0] for row in db.session.connection().exec_driver_sql(f"EXPLAIN {compiled.string}",
                                                                              compiled.params))


@pytest.mark.postgres_only
def test_postgresql_finds_names_and_titles_through_the_trigram_index(db):
    """The word-prefix condition is one the GIN index serves, for names and titles. Asserted with sequential scans
    priced out (enable_seqscan off): whether the planner prefers the index depends on statistics, which the
    runtime role may not gather (ANALYZE needs the owner) and which rows inside the test's rolled-back
    transaction do not have; the planner's own choice on the seeded 100,000-case database is in
    docs/PERFORMANCE.md ("Search")."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigram index exists on PostgreSQL only")
    from casus.cases.models import Case
    from casus.search.conditions import word_prefix
    from casus.subjects.models import Subject

    db.session.execute(sa.text(
        "INSERT INTO subjects (kind, name, name_key, search_key, version, created_at, updated_at) "
        "SELECT 'persoon', 'Persoon ' || n, 'persoon ' || n, 'persoon ' || n || ' achternaam' || (n % 997), 1, "
        "now(), now() FROM generate_series(1, 2000) AS n"))
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    for term in ("vries", "de vr"):
        plan = _plan(db, sa.select(Subject.id).where(word_prefix("postgresql", Subject.__table__, Subject.search_key,
                                                                 term)))
        assert "Bitmap Index Scan on ix_subjects_search_trgm" in plan and "Seq Scan" not in plan, plan
    plan = _plan(db, sa.select(Case.id).where(word_prefix("postgresql", Case.__table__, Case.search_key, "overlast")))
    assert "ix_cases_search_trgm" in plan, plan


def test_casus_search_rebuild_refills_the_keys_and_the_index(tmp_path):
    """Through the installed script: rows written around the models (no key) and, on SQLite, a lost trigger (as
    a batch migration that copies the table leaves it) are repaired."""
    with fresh_database(tmp_path) as url:
        env = production_env(url)
        assert_ok(run_casus("db", "upgrade", env=env, cwd=tmp_path))
        engine = sa.create_engine(url)
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("DROP TRIGGER subjects_search_ai")
            connection.execute(sa.text(
                "INSERT INTO subjects (kind, name, name_key, version, created_at, updated_at) VALUES "
                "('persoon', 'Anna Vriës', 'anna vriës', 1, '2026-12-01 10:00:00', '2026-12-01 10:00:00')"))
        result = run_casus("search", "rebuild", env=env, cwd=tmp_path)
        output = assert_ok(result)
        assert re.search(r"subjects 1 sleutel", output), output
        assert "Zoekindex" in result.stderr  # the progress bar
        with engine.begin() as connection:
            assert connection.execute(sa.text("SELECT search_key FROM subjects")).scalar_one() == "anna vries"
            if connection.dialect.name == "sqlite":
                assert connection.execute(sa.text(
                    "SELECT count(*) FROM subjects_search WHERE subjects_search MATCH '\"vries\"*'")).scalar_one() == 1
                triggers = connection.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                                      "AND name LIKE 'subjects_search_%'")).scalars().all()
                assert sorted(triggers) == ["subjects_search_ad", "subjects_search_ai", "subjects_search_au"]
        engine.dispose()
        assert_ok(run_casus("search", "rebuild", env=env, cwd=tmp_path))  # idempotent


def test_search_rebuild_is_listed_without_configuration(tmp_path):
    assert "rebuild" in assert_ok(run_casus("search", "--help", env=casus_env(), cwd=tmp_path))


def test_a_reference_prefix_is_answered_from_an_index_on_both_databases(db, make_case):
    """"2026-6" finds the cases whose reference starts with it, through a b-tree: PostgreSQL's text_pattern_ops
    index (its unique index compares by collation and cannot serve LIKE), SQLite's unique index through GLOB
    (its LIKE ignores case and cannot use it). Sequential scans priced out on PostgreSQL, as above."""
    from casus.cases.models import Case
    from casus.search.conditions import prefix

    dialect = db.engine.dialect.name
    wanted = make_case()
    query = sa.select(Case.id).where(prefix(dialect, Case.reference, wanted.reference[:6]))
    assert wanted.id in set(db.session.scalars(query))
    assert not set(db.session.scalars(sa.select(Case.id).where(prefix(dialect, Case.reference, "1999-"))))
    if dialect == "postgresql":
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        assert "ix_cases_reference_prefix" in _plan(db, query)
    else:
        compiled = query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
        plan = " ".join(row[3] for row in db.session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled.string}"))
        assert "USING COVERING INDEX" in plan and "reference>" in plan, plan
