"""``casus audit verify`` against a hostile database administrator: each kind of tampering, done as the owner of
the tables beside the application (on PostgreSQL past the append-only triggers), is named with its position and
event id; an untouched log passes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from casus.audit.chain import chain_all, chain_pending
from casus.audit.models import AuditEvent, AuditVerification
from casus.audit.seals import SEAL_FILE, seal_chain
from casus.audit.verify import Finding, FindingKind, run_verification, verify_chain

from support import ADMIN_DATABASE_URL, owner_connection


@pytest.fixture
def verify(chain_app, chain_db):
    def run(config=None):
        report = verify_chain(chain_db.session, config or chain_app.config["CASUS"])
        chain_db.session.rollback()  # verify only reads; SQLite's transactions here hold the write lock
        return report
    return run


@pytest.fixture
def sealed(chain_app, chain_db, write_events):
    """Five events, chained and sealed, then two more, chained after the seal: the event ids."""
    ids = write_events(5)
    seal_chain(chain_app, chain_db.session)
    ids += write_events(2)
    chain_all(chain_db.session)
    chain_db.session.remove()  # tampering happens beside the app; verify reads afresh
    return ids


def postgres(app) -> bool:
    return app.config["CASUS"].database_url.startswith("postgresql")


def forge_event(app, occurred_at: datetime, **values) -> int:
    with owner_connection(app) as connection:
        result = connection.execute(sa.insert(AuditEvent.__table__).values(
            occurred_at=occurred_at, action="case.view", roles="", outcome="success", **values))
        return result.inserted_primary_key[0]


def test_an_untouched_log_passes_and_the_result_is_stored(chain_app, chain_db, sealed):
    report, row = run_verification(chain_app, chain_db.session, started_by="test")
    chain_db.session.commit()
    assert report.ok, report.listed
    assert report.chain_length == 7 and report.seals == 1
    stored = chain_db.session.get(AuditVerification, row.id)
    assert (stored.ok, stored.chain_length, stored.started_by, stored.findings) == (True, 7, "test", [])


def test_a_modified_event_is_named(tamper, chain_app, sealed, verify):
    tamper(f"UPDATE audit_events SET action = 'case.search' WHERE id = {sealed[2]}",
           bypass=("audit_events",))
    report = verify()
    assert report.listed == [Finding(FindingKind.MODIFIED, position=3, event_id=sealed[2])]


def test_a_deleted_event_is_named(tamper, chain_app, sealed, verify):
    tamper(f"DELETE FROM audit_events WHERE id = {sealed[6]}", bypass=("audit_events",))
    assert verify().listed == [Finding(FindingKind.DELETED, position=7, event_id=sealed[6])]


def test_an_edit_with_the_trigger_disabled_is_named(chain_app, sealed, verify):
    if not postgres(chain_app):
        pytest.skip("PostgreSQL: the append-only trigger")
    with owner_connection(chain_app) as connection:
        connection.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        connection.exec_driver_sql(f"UPDATE audit_events SET ip = '10.9.9.9' WHERE id = {sealed[0]}")
        connection.exec_driver_sql(f"DELETE FROM audit_events WHERE id = {sealed[1]}")
        connection.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    assert verify().listed == [Finding(FindingKind.MODIFIED, position=1, event_id=sealed[0]),
                               Finding(FindingKind.DELETED, position=2, event_id=sealed[1])]


def test_an_edit_as_a_replica_past_the_triggers_is_named(chain_app, sealed, verify):
    # session_replication_role = replica skips every trigger; only a superuser may set it (in .ci/run the admin,
    # neither the owner nor the application's runtime role).
    if not postgres(chain_app):
        pytest.skip("PostgreSQL: session_replication_role")
    url = sa.engine.make_url(chain_app.config["CASUS"].database_url)
    admin = sa.engine.make_url(ADMIN_DATABASE_URL)
    engine = sa.create_engine(url.set(username=admin.username, password=admin.password), poolclass=sa.pool.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        connection.exec_driver_sql(f"UPDATE audit_events SET purpose = 'anders' WHERE id = {sealed[3]}")
    engine.dispose()
    assert verify().listed == [Finding(FindingKind.MODIFIED, position=4, event_id=sealed[3])]


def test_a_forged_backdated_insert_after_a_seal_is_named_once_chained(chain_app, chain_db, sealed, verify):
    forged = forge_event(chain_app, datetime.now(UTC) - timedelta(days=30), user_id=None)
    assert chain_all(chain_db.session) == 1, "the minute job links it: a new id"
    (finding,) = verify().listed
    assert (finding.kind, finding.position, finding.event_id) == (FindingKind.BACKDATED, 8, forged)


def test_a_forged_insert_the_chainer_never_looks_at_is_named_as_never_chained(chain_app, chain_db, sealed, verify):
    # An id between chained ones and a time beyond the look-back: the minute job passes it by.
    later = forge_event(chain_app, datetime.now(UTC), id=sealed[-1] + 10)
    assert chain_all(chain_db.session) == 1
    forged = forge_event(chain_app, datetime.now(UTC) - timedelta(days=30), id=sealed[-1] + 5)
    assert chain_all(chain_db.session) == 0
    assert verify().listed == [Finding(FindingKind.NEVER_CHAINED, event_id=forged)]
    assert later


def test_an_insert_dated_shortly_before_the_last_seal_is_named(chain_app, chain_db, write_events, verify):
    write_events(2)
    seal_chain(chain_app, chain_db.session)
    forged = forge_event(chain_app, datetime.now(UTC) - timedelta(minutes=20))  # more than the in-flight grace
    chain_all(chain_db.session)
    assert verify().listed[0].event_id == forged
    assert [finding.kind for finding in verify().listed] == [FindingKind.BACKDATED]


def test_an_event_chained_long_after_its_time_is_named(chain_app, chain_db, write_events, verify):
    write_events(2)
    seal_chain(chain_app, chain_db.session, now=datetime.now(UTC) - timedelta(days=3))
    forged = forge_event(chain_app, datetime.now(UTC) - timedelta(days=2))  # after that seal, so not back-dated
    chain_all(chain_db.session)
    assert verify().listed == [Finding(FindingKind.CHAINED_LATE, position=3, event_id=forged)]


def test_truncating_the_log_after_the_last_seal_is_named(tamper, chain_app, sealed, verify):
    if postgres(chain_app):
        tamper("TRUNCATE audit_events, audit_chain")  # TRUNCATE fires no row trigger
    else:
        tamper("DELETE FROM audit_events", "DELETE FROM audit_chain")
    report = verify()
    assert [(finding.kind, finding.position) for finding in report.listed] == [(FindingKind.TRUNCATED, 5)]
    assert report.chain_length == 0


def test_truncating_the_events_alone_names_every_deleted_event(tamper, chain_app, sealed, verify):
    tamper("TRUNCATE audit_events" if postgres(chain_app) else "DELETE FROM audit_events")
    report = verify()
    assert [(finding.kind, finding.position, finding.event_id) for finding in report.listed] == [
        (FindingKind.DELETED, position, event_id) for position, event_id in enumerate(sealed, start=1)]


def test_links_rewritten_after_a_seal_are_named_by_the_seal(tamper, chain_app, chain_db, sealed, verify):
    # A careful forger changes an event and recomputes every link from there on: each link checks out, but the
    # sealed head no longer does.
    tamper(f"UPDATE audit_events SET action = 'case.search' WHERE id = {sealed[1]}",
           "DELETE FROM audit_chain WHERE position >= 2", bypass=("audit_events", "audit_chain"))
    chain_pending(chain_db.session, limit=None, ids=sealed[1:])
    chain_db.session.commit()
    chain_db.session.remove()
    report = verify()
    assert [(finding.kind, finding.position) for finding in report.listed] == [(FindingKind.REWRITTEN, 5)]


def test_a_seal_changed_in_the_database_differs_from_the_file(tamper, chain_app, chain_db, sealed, verify):
    tamper("UPDATE audit_seals SET head_position = 7", bypass=("audit_seals",))
    kinds = [finding.kind for finding in verify().listed]
    assert kinds == [FindingKind.SEAL_NOT_IN_FILE, FindingKind.SEAL_NOT_IN_DATABASE]


def test_a_seal_changed_in_the_file_fails_its_signature(chain_app, sealed, seal_dir, verify):
    path = seal_dir / SEAL_FILE
    line = json.loads(path.read_text())
    path.write_text(json.dumps({**line, "head_position": 7, "event_count": 7}) + "\n")
    kinds = {finding.kind for finding in verify().listed}
    assert FindingKind.SEAL_SIGNATURE in kinds and FindingKind.SEAL_NOT_IN_DATABASE in kinds


def test_a_lost_seal_file_and_lost_database_seals_are_named(tamper, chain_app, sealed, seal_dir, verify):
    tamper("TRUNCATE audit_seals" if postgres(chain_app) else "DELETE FROM audit_seals")
    assert [finding.kind for finding in verify().listed] == [FindingKind.SEAL_NOT_IN_DATABASE]
    (seal_dir / SEAL_FILE).write_text("not a seal\n")
    assert [finding.kind for finding in verify().listed] == [FindingKind.SEAL_FILE_UNREADABLE]


def test_seals_signed_with_a_key_not_configured_are_named(chain_app, sealed, verify):
    from dataclasses import replace

    other = replace(chain_app.config["CASUS"], audit_seal_key="another-key-" + "x" * 32)
    assert [finding.kind for finding in verify(other).listed] == [FindingKind.SEAL_KEY_UNKNOWN]


def test_the_database_seals_count_when_there_is_no_seal_file(tamper, chain_app, sealed, verify):
    from dataclasses import replace

    without_file = replace(chain_app.config["CASUS"], audit_seal_dir="")
    assert verify(without_file).ok
    tamper("UPDATE audit_seals SET head_hash = 'f'", bypass=("audit_seals",))
    assert [finding.kind for finding in verify(without_file).listed] == [FindingKind.SEAL_SIGNATURE,
                                                                        FindingKind.REWRITTEN]


def test_findings_past_the_listed_number_are_counted(tamper, chain_app, chain_db, write_events, verify, monkeypatch):
    from casus.audit import verify as verification

    monkeypatch.setattr(verification, "MAX_LISTED", 2)
    ids = write_events(5)
    chain_all(chain_db.session)
    tamper("DELETE FROM audit_events", bypass=("audit_events",))
    report = verify()
    assert report.counts == {FindingKind.DELETED: 5}
    assert report.stored_findings() == [{"kind": "deleted", "position": 1, "event_id": ids[0]},
                                        {"kind": "deleted", "position": 2, "event_id": ids[1]},
                                        {"kind": "deleted", "more": 3}]

