"""The hash chain over the audit log: each event gets a place in one chain (``audit_chain``) and
``hash = SHA-256(previous hash ‖ canonical event)``, so that changing, removing or slipping in an event afterwards
shows when the chain is recomputed (``casus audit verify``, :mod:`casus.audit.verify`).

**Canonical serialisation** (version 1; docs/ARCHITECTURE.md, "The audit chain"). An event is serialised as one
JSON object holding exactly the fields of :data:`CANONICAL_FIELDS`, keys sorted (so the order is fixed, nested
``details`` keys included), no whitespace (separators ``,`` and ``:``), non-ASCII as UTF-8 (not ``\\u`` escapes),
encoded as UTF-8 bytes. Values: ``null`` for None; ids (``id``, ``user_id``, ``organisation_id``, ``case_id``) as
decimal strings; timestamps in UTC as ``2026-12-06T09:30:00.000000Z`` (always six digits of microseconds);
``outcome`` as its stored value (``success``); ``details`` as the JSON it is stored as; other strings as stored.
The previous hash enters as its 64 lower-case hex characters (ASCII); the first link's previous hash is 64 zeros.
Events are always serialised as read back from the database, never from objects in memory, so the hash describes
what is stored. A new column of ``audit_events`` needs a new version of this form (tests/audit/test_chain.py
fails until it is decided).

**Chaining** inserts ``audit_chain`` rows only (the runtime database role may INSERT and SELECT there, nothing
else) for events that have none yet, in id order among those visible now: position = last position + 1. An event
whose transaction commits after a higher id was chained simply gets a later position. One chainer at a time: a
transaction-scoped advisory lock on PostgreSQL; on SQLite the database's own write lock, which every writing
transaction holds from its first write (or from BEGIN IMMEDIATE outside page views) to its commit.

Two modes (``CASUS_AUDIT_CHAIN``): ``scheduled`` (default) chains new events every minute in the scheduler
(:func:`chain_all`, ``casus.audit.jobs``) and costs the write path nothing; ``inline`` chains a transaction's own
events in that transaction, just before it commits (a session event), holding the lock until the commit. The
minute job runs in both modes: it also chains what was written outside the ORM session (bulk inserts, SQL).
"""

from __future__ import annotations

import enum
import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from casus.audit.models import AuditChainLink, AuditEvent
from casus.database import utcnow

EVENTS = AuditEvent.__table__
LINKS = AuditChainLink.__table__
GENESIS = "0" * 64
CANONICAL_VERSION = 1
CANONICAL_FIELDS = ("id", "occurred_at", "user_id", "organisation_id", "roles", "action", "object_type",
                    "object_id", "case_id", "outcome", "ip", "request_id", "purpose", "activity", "legal_basis",
                    "trace_id", "details")
ID_FIELDS = frozenset({"id", "user_id", "organisation_id", "case_id"})
# pg_advisory_xact_lock key of the chain ("AUDT"); the scheduler's own lock is another key.
CHAIN_LOCK_KEY = 0x41554454
BATCH = 2000
# Which unchained events the minute job looks at (it never scans the whole log): ids above the newest chained one;
# ids just below the oldest chained one, highest first, so that the oldest chained id only ever steps down past
# what is linked (the log written before chaining began: an existing log, or one whose chaining began inline); and
# events of the last LOOKBACK in between, for a transaction that took its id before a later one and committed
# after that one was chained. Anything else without a link — an event slipped in with an old time and an id in
# between — is what verify names as never chained.
LOOKBACK = timedelta(hours=1)
MAX_SECONDS = 45.0  # per run of the every-minute job, so runs never pile up
EXTENSION = "casus_audit_chain"
_UNCHAINED = "casus_audit_unchained"  # session.info: ids of events this transaction flushed (inline mode)


def timestamp(value: datetime) -> str:
    """A timestamp as the canonical form writes it: UTC, microseconds, ``Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _encode(name: str, value: object) -> object:
    if value is None:
        return None
    if name in ID_FIELDS:
        return str(value)
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def canonical(event: Mapping[str, object]) -> bytes:
    """The canonical serialisation of an event (a row of ``audit_events`` as read from the database)."""
    values = {name: _encode(name, event[name]) for name in CANONICAL_FIELDS}
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def link_hash(previous: str, event: Mapping[str, object]) -> str:
    """``SHA-256(previous hash ‖ canonical event)`` as 64 hex characters."""
    return hashlib.sha256(previous.encode("ascii") + canonical(event)).hexdigest()


def event_columns() -> list[sa.Column]:
    return [EVENTS.c[name] for name in CANONICAL_FIELDS]


def head(session: Session) -> tuple[int, str]:
    """The last link's position and hash; ``(0, GENESIS)`` for an empty chain."""
    row = session.execute(sa.select(LINKS.c.position, LINKS.c.hash)
                          .order_by(LINKS.c.position.desc()).limit(1)).first()
    return (row.position, row.hash) if row else (0, GENESIS)


def lock(session: Session) -> None:
    """Be the only chainer until this transaction ends (PostgreSQL; SQLite's write lock does it there)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(CHAIN_LOCK_KEY)))


def _unchained() -> sa.Select:
    return sa.select(*event_columns()).where(~sa.exists().where(LINKS.c.event_id == EVENTS.c.id))


def _pending(session: Session, now: datetime, limit: int | None, ids: Iterable[int] | None) -> list:
    """The events to link next, in the order they get their positions (see LOOKBACK)."""
    by_id = EVENTS.c.id

    def rows(query: sa.Select) -> list:
        return list(session.execute(query.limit(limit)).mappings())

    if ids is not None:
        return rows(_unchained().where(by_id.in_(list(ids))).order_by(by_id))
    oldest, newest = session.execute(sa.select(sa.func.min(LINKS.c.event_id), sa.func.max(LINKS.c.event_id))).one()
    if newest is None:  # an empty chain: the whole log, from its first event
        return rows(_unchained().order_by(by_id))
    late = rows(_unchained().where(by_id > oldest, by_id < newest, EVENTS.c.occurred_at >= now - LOOKBACK)
                .order_by(by_id))
    new = rows(_unchained().where(by_id > newest).order_by(by_id))
    backlog = rows(_unchained().where(by_id < oldest).order_by(by_id.desc()))
    return late + new + backlog[::-1]


def chain_pending(session: Session, *, now: datetime | None = None, limit: int | None = BATCH,
                  ids: Iterable[int] | None = None) -> int:
    """Link unchained events: only ``ids`` when given, else at most ``limit`` of each kind LOOKBACK describes. A
    service that inserts links only; never commits. Returns how many were linked.
    """
    now = now or utcnow()
    lock(session)
    position, previous = head(session)
    rows = []
    for event in _pending(session, now, limit, ids):
        position += 1
        previous = link_hash(previous, event)
        rows.append({"position": position, "event_id": event["id"], "hash": previous, "chained_at": now})
    if rows:
        session.execute(sa.insert(LINKS), rows)
    return len(rows)


def chain_all(session: Session, *, batch: int = BATCH, seconds: float = MAX_SECONDS) -> int:
    """Link every unchained event, one committed batch at a time (so a catch-up never holds SQLite's write lock
    for long), for at most ``seconds``; the next run goes on. Returns how many were linked."""
    total, started = 0, time.monotonic()
    while True:
        linked = chain_pending(session, limit=batch)
        session.commit()
        total += linked
        if linked < batch or time.monotonic() - started > seconds:
            return total


# --- inline mode ----------------------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Remember the app's chain mode and make sure the session events are listening (once per process)."""
    app.extensions[EXTENSION] = app.config["CASUS"].audit_chain
    for name, listener in (("after_flush", _note_flushed), ("before_commit", _chain_before_commit),
                           ("after_transaction_end", _forget_flushed)):
        if not sa.event.contains(Session, name, listener):
            sa.event.listen(Session, name, listener)


def _inline() -> bool:
    return has_app_context() and current_app.extensions.get(EXTENSION) == "inline"


def _note_flushed(session: Session, _flush_context) -> None:
    if not _inline():
        return
    flushed = [obj.id for obj in session.new if isinstance(obj, AuditEvent)]
    if flushed:
        session.info.setdefault(_UNCHAINED, set()).update(flushed)


def _chain_before_commit(session: Session) -> None:
    """Inline mode: link this transaction's events before it commits (a savepoint's release does nothing)."""
    if session.in_nested_transaction() or not _inline():
        return
    if session.info.get(_UNCHAINED) or any(isinstance(obj, AuditEvent) for obj in session.new):
        # The commit's own flush comes after this event. Flush now: the ids are needed, and no row lock may be
        # waited for while holding the chain's lock (another writer could hold that row and wait for the chain).
        session.flush()
    ids = session.info.pop(_UNCHAINED, None)
    if not ids:
        return
    chain_pending(session, limit=None, ids=sorted(ids))  # events rolled back to a savepoint are not found


def _forget_flushed(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_UNCHAINED, None)
