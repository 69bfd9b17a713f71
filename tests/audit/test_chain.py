"""The hash chain: the canonical form, chaining in commit order, both modes."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from casus.audit.chain import (
    CANONICAL_FIELDS,
    GENESIS,
    LOOKBACK,
    canonical,
    chain_all,
    chain_pending,
    link_hash,
)
from casus.audit.models import AuditChainLink, AuditEvent, Outcome

EVENT = {"id": 42, "occurred_at": datetime(2026, 12, 6, 9, 30, 1, 5, tzinfo=UTC), "user_id": 7,
         "organisation_id": 3, "roles": "partner", "action": "case.view", "object_type": "case", "object_id": "12",
         "case_id": 12, "outcome": Outcome.SUCCESS, "ip": "10.0.0.1", "request_id": "r-1", "purpose": None,
         "activity": "casusregie", "legal_basis": "Wet", "trace_id": None, "details": {"z": 1, "a": ["é", None]}}


def links(session) -> list[AuditChainLink]:
    return list(session.execute(sa.select(AuditChainLink).order_by(AuditChainLink.position)).scalars())


def test_the_canonical_form_is_sorted_compact_json_with_ids_as_strings_and_utc_microseconds():
    assert canonical(EVENT) == (
        '{"action":"case.view","activity":"casusregie","case_id":"12","details":{"a":["é",null],"z":1},'
        '"id":"42","ip":"10.0.0.1","legal_basis":"Wet","object_id":"12","object_type":"case",'
        '"occurred_at":"2026-12-06T09:30:01.000005Z","organisation_id":"3","outcome":"success","purpose":null,'
        '"request_id":"r-1","roles":"partner","trace_id":null,"user_id":"7"}').encode()


def test_the_canonical_form_is_the_same_in_any_time_zone():
    amsterdam = EVENT["occurred_at"].astimezone(ZoneInfo("Europe/Amsterdam"))
    assert canonical({**EVENT, "occurred_at": amsterdam}) == canonical(EVENT)


def test_the_canonical_form_covers_every_column_of_the_audit_events():
    # A new column must be decided on: into a new version of the canonical form, or deliberately left out.
    assert set(CANONICAL_FIELDS) == {column.key for column in AuditEvent.__table__.columns}


def test_a_link_hashes_the_previous_hash_then_the_event():
    assert link_hash(GENESIS, EVENT) == hashlib.sha256(GENESIS.encode() + canonical(EVENT)).hexdigest()
    assert link_hash("1" * 64, EVENT) != link_hash(GENESIS, EVENT)


def test_any_changed_field_changes_the_hash():
    original = link_hash(GENESIS, EVENT)
    for name in CANONICAL_FIELDS:
        changed = {**EVENT, name: EVENT["occurred_at"] + timedelta(microseconds=1) if name == "occurred_at"
                   else {"z": 2} if name == "details" else "other"}
        assert link_hash(GENESIS, changed) != original, name


def test_chaining_links_new_events_in_id_order_each_hash_on_the_one_before(chain_db, write_events):
    ids = write_events(4)
    assert chain_pending(chain_db.session) == 4
    chain_db.session.commit()
    chained = links(chain_db.session)
    assert [(link.position, link.event_id) for link in chained] == list(enumerate(ids, start=1))
    rows = chain_db.session.execute(sa.select(AuditEvent.__table__).order_by(AuditEvent.id)).mappings().all()
    previous = GENESIS
    for link, row in zip(chained, rows, strict=True):
        assert link.hash == link_hash(previous, row)
        previous = link.hash
    assert chain_pending(chain_db.session) == 0, "a second run links nothing twice"


def test_an_event_committed_after_a_higher_id_was_chained_gets_the_next_position(chain_db, write_events):
    first, second = write_events(2)
    chain_pending(chain_db.session, ids=[second])  # as if the lower id had not committed yet
    chain_pending(chain_db.session)
    chain_db.session.commit()
    assert [(link.position, link.event_id) for link in links(chain_db.session)] == [(1, second), (2, first)]


def test_the_minute_job_looks_back_for_late_commits_but_not_further(chain_db, write_events):
    first, between, last = write_events(3)
    chain_pending(chain_db.session, ids=[first, last])
    now = datetime.now(UTC)
    chain_pending(chain_db.session, now=now + LOOKBACK + timedelta(minutes=1))
    assert [link.event_id for link in links(chain_db.session)] == [first, last], "beyond the look-back: for verify"
    chain_pending(chain_db.session, now=now)
    assert [link.event_id for link in links(chain_db.session)] == [first, last, between]
    chain_db.session.rollback()


def test_chain_all_commits_batch_after_batch_until_nothing_is_left(chain_db, write_events):
    write_events(5)
    assert chain_all(chain_db.session, batch=2) == 5
    assert [link.position for link in links(chain_db.session)] == [1, 2, 3, 4, 5]
    assert chain_all(chain_db.session, batch=2) == 0


# --- inline mode ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def inline_app(chain_app):
    """A second app on the chain app's database, chaining inline."""
    from casus import create_app

    return create_app(replace(chain_app.config["CASUS"], audit_chain="inline"))


def test_inline_mode_links_a_transactions_events_before_it_commits(chain_db, inline_app):
    from casus.audit.services import record
    from casus.extensions import db

    with inline_app.app_context():
        kept = record("case.view", case_id=1)
        savepoint = db.session.begin_nested()
        record("case.view", case_id=2)
        db.session.flush()
        savepoint.rollback()
        later = record("case.view", case_id=3)
        db.session.commit()
        assert [(link.position, link.event_id) for link in links(db.session)] == [(1, kept.id), (2, later.id)]
        record("case.view", case_id=4)
        db.session.rollback()
        assert len(links(db.session)) == 2, "a rolled-back transaction leaves nothing to link"
        db.session.remove()


def test_a_log_written_before_chaining_began_inline_is_chained_by_the_minute_job(chain_app, chain_db, inline_app):
    from casus.audit.services import record
    from casus.audit.verify import verify_chain
    from casus.extensions import db

    month_ago = datetime.now(UTC) - timedelta(days=30)
    old = [chain_db.session.execute(sa.insert(AuditEvent.__table__).values(
        occurred_at=month_ago, action="case.view", roles="", outcome="success")).inserted_primary_key[0]
        for _ in range(5)]
    chain_db.session.commit()
    with inline_app.app_context():
        event = record("case.view")
        db.session.commit()
        new = event.id
        db.session.remove()
    # Below the oldest chained id: the log from before the chain, linked from the top down, a batch at a time.
    assert chain_all(chain_db.session, batch=2) == 5
    assert [link.event_id for link in links(chain_db.session)] == [new, old[3], old[4], old[1], old[2], old[0]]
    assert verify_chain(chain_db.session, chain_app.config["CASUS"]).ok


def test_inline_mode_costs_a_few_statements_per_commit_that_wrote_audit_events(chain_db, chain_app, inline_app):
    from casus.audit.services import record
    from casus.extensions import db

    def statements(app) -> list[str]:
        seen = []

        def note(_connection, _cursor, statement, *_args) -> None:
            seen.append(statement)

        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", note)
            try:
                record("case.view")
                record("case.search")
                db.session.commit()
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", note)
                db.session.remove()
        return [statement for statement in seen if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))]

    scheduled, inline = statements(chain_app), statements(inline_app)
    postgres = chain_app.config["CASUS"].database_url.startswith("postgresql")
    # The lock (PostgreSQL), the chain's head, the events as stored, one INSERT of their links.
    assert len(inline) - len(scheduled) == (4 if postgres else 3), inline


def test_scheduled_mode_leaves_the_write_path_alone(chain_db, write_events):
    write_events(2)
    assert links(chain_db.session) == []


def test_inline_writers_at_the_same_time_get_one_unbroken_chain(chain_app, chain_db, inline_app):
    from casus.audit.services import record
    from casus.audit.verify import verify_chain
    from casus.extensions import db

    from support import run_threads

    barrier = threading.Barrier(4)

    def writer(number: int):
        def write() -> None:
            with inline_app.app_context():
                barrier.wait()
                for round_ in range(5):
                    record("case.view", case_id=number * 100 + round_)
                    db.session.commit()
                db.session.remove()
        return write

    run_threads([writer(number) for number in range(4)], barrier=barrier)
    assert [link.position for link in links(chain_db.session)] == list(range(1, 21))
    assert verify_chain(chain_db.session, chain_app.config["CASUS"]).ok
