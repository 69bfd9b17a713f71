"""The marker test: destroyed cases leave no trace in a full dump of the database, and the cases beside them are
untouched.

Cases, signals and subjects are seeded with a unique marker in every text field (names, BSN, date of birth,
notes, plan, minutes and decisions, escalations, voordracht, signal descriptions and dismissal reasons, the
tijdlijn, notifications, rectificatie history …), some are destroyed in a committed transaction as a destruction
list would, and then the whole database is dumped: ``sqlite3 <file> .dump`` — and the raw database file read
byte by byte after a WAL checkpoint, which only ``PRAGMA secure_delete`` keeps clean — or ``pg_dump`` as the
owner after the VACUUM the destruction runs. No marker of a destroyed record may appear; every marker of the
others must.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from destruction_support import seed_case, seed_signal, seed_world

from casus.cases.categories import ensure_standard_categories
from casus.cases.models import CaseSubject
from casus.extensions import db
from casus.retention.declarations import record_declaration
from casus.retention.destruction import destroy_cases, destroy_signal
from casus.retention.models import DeclarationKind

from support import OWNER_DATABASE_URL, TEST_DATABASE_URL, create_tables, database_url_for, owner_url

SCHEMA = "destruction_dump"


@pytest.fixture(scope="module")
def dump_app(tmp_path_factory):
    """An application on a database of its own: the test commits, and dumps everything there is."""
    from casus import create_app, testing_config

    url = database_url_for(SCHEMA, tmp_path_factory)
    app = create_app(testing_config(database_url=url, migration_database_url=owner_url(url),
                                    instance_path=str(tmp_path_factory.mktemp("dump-instance"))))
    create_tables(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if TEST_DATABASE_URL:
        engine = sa.create_engine(OWNER_DATABASE_URL)
        with engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
        engine.dispose()


def _seed_and_destroy(app) -> tuple[list[str], list[str], str]:
    """Seed doomed and control records, destroy the doomed ones as a list would; the markers of each and the
    verklaring's reference."""
    with app.app_context():
        world = seed_world(ensure_standard_categories()["woonoverlast"])
        doomed = [seed_case(world, f"dood{number}") for number in range(3)]
        controls = [seed_case(world, f"leef{number}") for number in range(2)]
        # A subject of a destroyed case that a control case shares stays, with its markers.
        shared = db.session.execute(sa.select(CaseSubject.subject_id).where(
            CaseSubject.case_id == controls[0][0].id)).scalars().first()
        db.session.add(CaseSubject(case_id=doomed[0][0].id, subject_id=shared))
        doomed_signal = seed_signal(world, "doodmelding")
        control_signal = seed_signal(world, "leefmelding")
        db.session.commit()

        references = {case.id: case.reference for case, _ in doomed}
        signal_reference = doomed_signal.reference
        counts = destroy_cases(list(references), user=world.user)
        signal_counts = destroy_signal(doomed_signal, user=world.user)
        entries = [{"kind": "case", "reference": references[case_id], "category": "woonoverlast",
                    "closed_on": "2020-01-15", "destroyed_on": "2026-03-31", "counts": counts[case_id]}
                   for case_id in references]
        entries.append({"kind": "signal", "reference": signal_reference,
                        "category": "woonoverlast", "closed_on": "2020-02-01", "destroyed_on": "2026-03-31",
                        "counts": signal_counts})
        declaration = record_declaration(kind=DeclarationKind.LIST, entries=entries, prepared_by=world.user,
                                         approved_by=world.user, team_id=world.team.id,
                                         destruction_list_id=world.destruction_list.id)
        db.session.commit()  # PostgreSQL: the VACUUM runs now
        reference = declaration.reference
        doomed_markers = [marker for _, markers in doomed for marker in markers]
        doomed_markers += world.markers.pop(doomed_signal.reference)
        control_markers = [marker for _, markers in controls for marker in markers]
        control_markers += world.markers.pop(control_signal.reference)
        db.session.remove()
        db.engine.dispose()
    return doomed_markers, control_markers, reference


def _sqlite_dump(app) -> tuple[str, bytes]:
    """``sqlite3 .dump`` of the file, and its raw bytes after the WAL has been checkpointed into it."""
    path = Path(sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    sqlite3 = shutil.which("sqlite3")
    if sqlite3 is None:
        pytest.skip("the sqlite3 command-line tool is not installed")
    subprocess.run([sqlite3, str(path), "PRAGMA wal_checkpoint(TRUNCATE);"], check=True, capture_output=True)
    dump = subprocess.run([sqlite3, str(path), ".dump"], check=True, capture_output=True, text=True).stdout
    raw = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        raw += wal.read_bytes()
    return dump, raw


def _pg_dump(app) -> str:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    url = sa.engine.make_url(OWNER_DATABASE_URL).set(drivername="postgresql")
    completed = subprocess.run([pg_dump, "--no-owner", url.render_as_string(hide_password=False)],
                               check=True, capture_output=True, text=True)
    return completed.stdout


def _vacuumed_tables() -> set[str]:
    """The tables of the test's schema that VACUUM has run on (the statistics may lag a moment behind)."""
    engine = sa.create_engine(OWNER_DATABASE_URL, poolclass=sa.pool.NullPool)
    try:
        for _attempt in range(50):
            with engine.connect() as connection:
                tables = set(connection.execute(sa.text(
                    "SELECT relname FROM pg_stat_user_tables WHERE schemaname = :schema AND last_vacuum IS NOT NULL"),
                    {"schema": SCHEMA}).scalars())
            if "cases" in tables:
                return tables
            time.sleep(0.1)
        return tables
    finally:
        engine.dispose()


def test_a_full_dump_holds_no_trace_of_destroyed_cases_and_all_of_the_others(dump_app):
    doomed, controls, reference = _seed_and_destroy(dump_app)
    assert len(doomed) > 80 and len(controls) > 50

    if TEST_DATABASE_URL:
        assert _vacuumed_tables() >= {"cases", "notes", "subjects", "signals", "agenda_items", "riec_voordrachten"}
        dump = _pg_dump(dump_app).lower()
        raw = b""
    else:
        dump, raw = _sqlite_dump(dump_app)
        dump = dump.lower()

    assert reference.lower() in dump  # the verklaring stays
    assert [marker for marker in doomed if marker in dump] == []
    assert [marker for marker in controls if marker not in dump] == []
    if raw:  # secure_delete: not even the freed space of the file holds a destroyed record
        raw = raw.lower()
        assert [marker for marker in doomed if marker.encode() in raw] == []
        assert [marker for marker in controls if marker.encode() not in raw] == []


def test_every_sqlite_connection_overwrites_what_it_deletes(dump_app):
    with dump_app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("a SQLite setting")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_the_raw_file_check_would_see_rows_deleted_without_secure_delete(tmp_path):
    """The check above is not vacuous: with secure_delete off, a deleted row stays readable in the file."""
    import sqlite3

    path = tmp_path / "plain.db"
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA secure_delete=OFF")
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    connection.executemany("INSERT INTO notes (text) VALUES (?)", [("zqonveiligweg",), ("zqonveiligblijf",)])
    connection.commit()
    connection.execute("DELETE FROM notes WHERE text = 'zqonveiligweg'")
    connection.commit()
    connection.close()

    assert b"zqonveiligweg" in path.read_bytes()
