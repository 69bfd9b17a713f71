"""Writing audit events. Called by services in the same transaction as the change they describe.

A request that is refused after it recorded events — the database refuses a value, a concurrent change wins — is
rolled back, events included; :func:`rollback_keeping_audit` is the one place that writes them again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from casus import tracing
from casus.audit.activities import activity_for
from casus.audit.models import AuditEvent, AuditShownCase, Outcome
from casus.database import begin_writing, deferred_request, utcnow
from casus.edge import printable
from casus.extensions import db

log = logging.getLogger(__name__)
_RECORDED = "casus_audit_recorded"  # g: the events this request recorded since its transaction began
_SHOWN = "shown_case_ids"  # an event's InstanceState.info: the cases its page view showed (record_shown)
_PURPOSE = "casus.audit_purpose"  # request.environ: the purpose the user stated for it (casus.audit.purpose)
_AT_COMMIT = "casus_audit_at_commit"  # g: events of a SQLite page view, written by its commit (_write_at_commit)


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    case_id: int | None = None,
    outcome: Outcome = Outcome.SUCCESS,
    purpose: str | None = None,
    details: dict | None = None,
    user=None,
    activity: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction; it commits or rolls back with the change.

    ``user`` is the actor. A service that is handed the acting user passes it on, so the event names who the
    service acted for even when someone else is logged in (a job run inside a request, a test), and events
    before login (a failed attempt against a known account) name the account. Without ``user`` the logged-in
    user of the request is the actor; outside a request (a scheduled job, the command line) there is none.

    The event carries its registered processing activity and legal basis — ``activity`` (a register id) if the
    service names one, else derived from the endpoint or the action (:mod:`casus.audit.activities`) — and the
    trace id (:mod:`casus.tracing`). Without ``purpose``, the purpose the user stated for this request
    (:func:`bind_purpose`) is the event's.
    """
    actor = user if user is not None else _current_actor()
    registered = activity_for(action, endpoint=request.endpoint if has_request_context() else None,
                              explicit=activity)
    event = AuditEvent(
        user_id=getattr(actor, "id", None),
        organisation_id=getattr(actor, "organisation_id", None),
        roles=" ".join(sorted(actor.roles)) if actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        case_id=case_id,
        outcome=outcome,
        purpose=purpose if purpose is not None else stated_purpose(),
        details=details,
        activity=registered.id if registered else None,
        legal_basis=registered.legal_basis if registered else None,
        trace_id=tracing.current_trace_id(),
    )
    if has_request_context():
        event.ip = request.remote_addr
        event.request_id = g.get("request_id")
        g.setdefault(_RECORDED, []).append(event)
    if _written_at_commit():
        event.occurred_at = utcnow()  # when it was seen, not when the commit wrote it
        g.setdefault(_AT_COMMIT, []).append(event)
    else:
        db.session.add(event)
    return event


# --- SQLite page views: the events go in at the commit, with the write lock taken just for them -----------------
# Flushed at once, a page view's event would take SQLite's single write lock at the view's first query after it
# and hold it through the rest of the reads and the rendering, so page views of two workers ran one after the other
# (and a view that read first lost the race for the lock to any commit since: a rerun, casus.database). Instead its
# events wait in the request until its commit, which ends the read-only transaction, takes the lock (BEGIN
# IMMEDIATE), inserts them all and commits: the lock is held for the INSERTs and the COMMIT only. Still one commit
# before the response: if it fails, the request fails (security._commit_request), and no page is shown.

def _written_at_commit() -> bool:
    """A page view on SQLite, its session on the engine (not inside an outer transaction)."""
    if not has_request_context() or not deferred_request():
        return False
    bind = db.session.get_bind()
    return isinstance(bind, sa.Engine) and bind.dialect.name == "sqlite"


@sa.event.listens_for(Session, "before_commit", insert=True)  # before the inline chain links them
def _write_at_commit(session: Session) -> None:
    """Write the request's waiting events (and the cases they showed) in the transaction that is committing: in a
    new one holding the write lock if the request only read, else in the request's own."""
    if not has_request_context() or session.in_nested_transaction() or not g.get(_AT_COMMIT):
        return
    events = g.pop(_AT_COMMIT)
    if not (session.new or session.dirty or session.deleted):  # anything else pending may depend on the reads
        begin_writing(session)
    session.add_all(events)
    session.flush()
    shown = [{"event_id": event.id, "case_id": case_id}
             for event in events for case_id in sa.inspect(event).info.get(_SHOWN, ())]
    if shown:
        session.execute(sa.insert(AuditShownCase).values(shown))


def bind_purpose(purpose: str) -> None:
    """The purpose the user stated before seeing data no routine activity covers: every event this request
    records carries it (unless the event names its own). Bound to the request, never to a later one."""
    request.environ[_PURPOSE] = purpose


def stated_purpose() -> str | None:
    """The purpose bound to the current request, if any."""
    return request.environ.get(_PURPOSE) if has_request_context() else None


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_recorded(session, transaction) -> None:
    """The request's transaction ended — a commit wrote its events, a deliberate rollback discarded them — or a
    savepoint did: events rolled back with it on purpose are no longer the request's."""
    if not has_request_context():
        return
    if transaction.parent is None:
        g.pop(_AT_COMMIT, None)  # a commit wrote them first; a rollback discards them like those in the session
        g.pop(_RECORDED, None)
    elif transaction.nested and _RECORDED in g:
        # Events waiting for the commit stay: they are the request's reads, and kept rather than lost.
        waiting = g.get(_AT_COMMIT, ())
        setattr(g, _RECORDED, [event for event in g.get(_RECORDED) if event in session or event in waiting])


def rollback_keeping_audit(status: int) -> None:
    """Roll the request back (it is refused with ``status``, or failed), except for its audit events: an attempt
    stays audited.

    The events it recorded — not those rolled back to a savepoint on purpose — are written again, with the cases
    they showed, in a transaction of their own that commits at once (:func:`_own_transaction`), so neither a failed
    request transaction nor a later failure of the request can take them down. They are marked as not carried
    out: ``failure`` (unless ``denied``) and ``refused_with`` in the details. Strings the database could not hold
    are made safe first; if the events cannot be written even so, the refusal stands and the loss is logged (by
    type).
    """
    pending = [(_values(event, status), sa.inspect(event).info.get(_SHOWN, ()))
               for event in g.get(_RECORDED, [])]
    db.session.rollback()
    g.pop(_RECORDED, None)
    g.pop(_AT_COMMIT, None)
    if not pending:
        return
    try:
        with _own_transaction() as connection:
            for values, shown in pending:
                event_id = connection.execute(
                    sa.insert(AuditEvent).values(**values).returning(AuditEvent.id)).scalar_one()
                if shown:
                    connection.execute(sa.insert(AuditShownCase).values(
                        [{"event_id": event_id, "case_id": case_id} for case_id in shown]))
    except sa.exc.SQLAlchemyError as error:
        log.error("audit events of a refused request not written: %s", type(error).__name__,
                  extra={"request_id": g.get("request_id", "-"), "exc_type": type(error).__name__})


@contextmanager
def _own_transaction() -> Iterator[sa.Connection]:
    """A transaction apart from the request's: a connection of its own from the engine, committed on leaving.

    A session bound to a connection rather than the engine (a caller that holds an outer transaction, as the test
    suite does) gets a savepoint on that connection instead: a connection of its own could not see the caller's
    uncommitted rows (the events' users), and the caller decides what becomes of its transaction."""
    bind = db.session.get_bind()
    if isinstance(bind, sa.Connection):
        with bind.begin_nested():
            yield bind
    else:
        with bind.begin() as connection:
            yield connection


def _values(event: AuditEvent, status: int) -> dict:
    """The event's column values as recorded (read without a query: the transaction may be failed), made safe."""
    loaded = sa.inspect(event).dict
    values = {column.key: _safe(loaded.get(column.key), column) for column in AuditEvent.__table__.columns
              if column.key != "id" and column.key in loaded}
    if values.get("outcome") != Outcome.DENIED:
        values["outcome"] = Outcome.FAILURE
    values["details"] = {**(values.get("details") or {}), "refused_with": status}
    return values


def _safe(value, column: sa.Column | None = None):
    if isinstance(value, str):
        value = printable(value)
        length = getattr(getattr(column, "type", None), "length", None)
        return value[:length] if length else value
    if isinstance(value, dict):
        return {_safe(str(key)): _safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_safe(item) for item in value]
    return value


def _current_actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def record_shown(action: str, case_ids: Iterable[int | None], *, object_type: str = "case",
                 object_id: object | None = None, details: dict | None = None, user=None) -> AuditEvent:
    """Audit a page view that showed cases (a list, the dashboard, search results, an agenda): one event, and one
    ``AuditShownCase`` row per case shown, so "who has seen this case" is an indexed lookup.

    Two statements whatever the number of cases: the event is flushed for its id, the rows go in one
    INSERT … VALUES. ``details`` gets the number shown; the ids themselves are in the rows, not the details."""
    ids = [case_id for case_id in dict.fromkeys(case_ids) if case_id is not None]  # once each, in the order shown
    event = record(action, object_type=object_type, object_id=object_id,
                   details={**(details or {}), "shown": len(ids)}, user=user)
    sa.inspect(event).info[_SHOWN] = ids  # kept with the event if the request is refused after all
    if ids and event in db.session:  # else written with the event at the commit (_write_at_commit)
        db.session.flush()
        db.session.execute(sa.insert(AuditShownCase).values(
            [{"event_id": event.id, "case_id": case_id} for case_id in ids]))
    return event


def keyed_bsn_hash(bsn: str) -> str:
    """A BSN as the audit log holds it (a search for it, the privacy officer's lookup of its person): keyed with the
    secret key, so the log never reveals it, yet a lookup of one person finds the searches for that BSN."""
    key = str(current_app.config.get("SECRET_KEY") or "").encode()
    return "hmac-sha256:" + hmac.new(key, bsn.encode(), hashlib.sha256).hexdigest()
