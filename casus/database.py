"""Declarative base, constraint naming convention and per-dialect connection settings."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

# Named constraints make Alembic migrations deterministic and let SQLite batch mode find them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database.

    SQLite has no time zone type; storing naive UTC and re-attaching UTC on the way out keeps
    comparisons correct on both SQLite and PostgreSQL.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use casus.database.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record):
    """WAL, a busy timeout, foreign keys and secure delete for SQLite; take over transaction control.

    pysqlite's own BEGIN handling breaks SAVEPOINTs; emitting BEGIN ourselves (see
    ``_begin_sqlite``) is the documented SQLAlchemy remedy.
    """
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are overwritten with zeros, not left in free pages: a destroyed case must not linger in the
    # file (casus.retention.destruction). Some builds have it on by default; none may have it off here.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


# --- SQLite transactions: readers in parallel, a writer at a time ---------------------------------------------
# In WAL mode readers never wait, but a transaction that read first and writes later cannot become the writer
# once another connection has committed since its first read (SQLITE_BUSY_SNAPSHOT, at once, whatever the busy
# timeout). So writes take the lock at BEGIN (IMMEDIATE, waiting up to busy_timeout). Page views (GET/HEAD)
# begin DEFERRED: most only read, and two workers can then work at the same time instead of one after the other
# (+25-60 % throughput on SQLite in the benchmark). A GET that also writes (the session touch, a view that
# changes something; its audit events no longer, see ``begin_writing``) and loses that race is run once more by
# ``RetryStaleSnapshot`` with the lock taken at BEGIN; nothing of the failed attempt was committed, so the retry
# is invisible.
WRITE_LOCK_AT_BEGIN = "casus.sqlite_write_lock_at_begin"  # WSGI environ keys
SNAPSHOT_CONFLICT = "casus.sqlite_snapshot_conflict"
READ_METHODS = ("GET", "HEAD")


def deferred_request() -> bool:
    """A page view whose SQLite transaction begins DEFERRED (GET/HEAD, not rerun with the lock at BEGIN)."""
    from flask import has_request_context, request

    return (has_request_context() and request.method in READ_METHODS
            and not request.environ.get(WRITE_LOCK_AT_BEGIN))


# A page view's audit events wait for its commit (casus.audit.services) and its transaction has then only read:
# ``begin_writing`` ends the read and takes the write lock just for the INSERTs and the COMMIT, so page views
# hold the lock for about a millisecond instead of from their first write to the end of rendering, and never lose
# the race above. The connection notes whether its transaction has read only so far.
READ_ONLY_SO_FAR = "casus.sqlite_read_only_so_far"  # Connection.info


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn):
    """DEFERRED for page views, IMMEDIATE for everything else (see above)."""
    if conn.dialect.name == "sqlite":
        deferred = deferred_request()
        conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")
        conn.info[READ_ONLY_SO_FAR] = deferred


@event.listens_for(Engine, "before_cursor_execute")
def _note_sqlite_write(conn, _cursor, statement, *_args) -> None:
    """Anything but a SELECT may write (or take the lock): the transaction is no longer read-only."""
    if conn.info.get(READ_ONLY_SO_FAR) and statement.lstrip()[:6].upper() != "SELECT":
        conn.info[READ_ONLY_SO_FAR] = False


def begin_writing(session: Session) -> bool:
    """End the session's SQLite transaction if it has only read, and begin a new one holding the write lock
    (IMMEDIATE, waiting up to busy_timeout); whether it did. Nothing read is lost (nothing was written), and the
    new transaction sees everything committed since. Only for writes that do not depend on what was read — the
    audit events of the reads — and only with nothing else pending in the session; the caller checks that.
    Anywhere else (PostgreSQL, a transaction that wrote or took the lock at BEGIN, a session inside an outer
    transaction) it does nothing: the writes then go into the transaction as it is."""
    bind = session.get_bind()
    if not isinstance(bind, sa.Engine) or bind.dialect.name != "sqlite":
        return False
    connection = session.connection()
    if not connection.info.get(READ_ONLY_SO_FAR):
        return False
    connection.exec_driver_sql("COMMIT")
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    connection.info[READ_ONLY_SO_FAR] = False
    return True


@event.listens_for(Engine, "handle_error")
def _note_snapshot_conflict(context) -> None:
    """Mark the request for a retry when its deferred SQLite transaction could not take the write lock."""
    if context.engine is None or context.engine.dialect.name != "sqlite" or not deferred_request():
        return
    if str(getattr(context.original_exception, "sqlite_errorname", "")).startswith("SQLITE_BUSY"):
        from flask import request

        request.environ[SNAPSHOT_CONFLICT] = True


class RetryStaleSnapshot:
    """WSGI middleware (SQLite only): a GET/HEAD whose deferred transaction lost the race for the write lock is
    answered by a second run that takes the lock at BEGIN. Its first response is dropped unsent."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in READ_METHODS:
            return self.wsgi_app(environ, start_response)
        started: list = []

        def hold(status, headers, exc_info=None):
            started[:] = [status, headers, exc_info]
            return lambda _data: None  # Flask never uses write()

        body = self.wsgi_app(environ, hold)
        if not environ.pop(SNAPSHOT_CONFLICT, False):
            start_response(*started)
            return body
        if hasattr(body, "close"):
            body.close()
        environ[WRITE_LOCK_AT_BEGIN] = True
        return self.wsgi_app(environ, start_response)


def enum_column(enum_cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """A portable string enum with a CHECK constraint (no native PostgreSQL type to migrate)."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def insert_new(session: Session, table: sa.Table, rows: list[dict], *, unique: list[str], batch: int = 500) -> int:
    """INSERT ``rows`` into ``table`` in ``session``, skipping those whose ``unique`` columns are taken already (a
    retried job or request, or a concurrent one); how many were new. One ``ON CONFLICT DO NOTHING`` statement per
    ``batch`` rows on PostgreSQL and SQLite, a SAVEPOINT per row elsewhere. The caller flushes first."""
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        statement = insert(table).on_conflict_do_nothing(index_elements=unique).returning(table.c[unique[0]])
        return sum(len(session.execute(statement, rows[start:start + batch]).all())
                   for start in range(0, len(rows), batch))
    created = 0
    for row in rows:
        try:
            with session.begin_nested():
                session.execute(table.insert(), [row])
            created += 1
        except sa.exc.IntegrityError:
            pass
    return created


def after_commit(session: Session, key: str, items: Iterable, action: Callable[[list], None]) -> None:
    """Hand ``items`` (gathered under ``key`` over the transaction, sorted) to ``action`` once the session's whole
    transaction has committed; a rollback of the whole transaction forgets them and runs nothing. For work that
    must never run for a change that did not happen: deleting stored files, VACUUM after a destruction.
    ``action`` runs outside the transaction and must not raise."""
    _when_transaction_ends(session, key, items, action, run_on_commit=True)


def after_rollback(session: Session, key: str, items: Iterable, action: Callable[[list], None]) -> None:
    """The mirror of :func:`after_commit`: ``action`` gets ``items`` once the session's whole transaction has
    rolled back, and a commit forgets them. For undoing what a transaction did outside the database (a stored
    file its rows would have referenced). ``action`` may read through the session (a new transaction, as
    SQLAlchemy allows in ``after_soft_rollback``) and must not raise."""
    _when_transaction_ends(session, key, items, action, run_on_commit=False)


def _when_transaction_ends(session: Session, key: str, items: Iterable, action: Callable[[list], None], *,
                           run_on_commit: bool) -> None:
    pending_key = ("casus.transaction_end", key)
    session.info.setdefault(pending_key, set()).update(items)
    listening = session.info.setdefault("casus.transaction_end.listening", set())
    if key in listening:
        return
    listening.add(key)

    def committed(ended: Session) -> None:
        if ended.in_nested_transaction():
            return  # SQLAlchemy fires after_commit for a released savepoint too: the transaction goes on
        pending = sorted(ended.info.pop(pending_key, set()))
        if pending and run_on_commit:
            action(pending)

    def rolled_back(ended: Session, previous_transaction) -> None:
        if previous_transaction.parent is not None:
            return  # a savepoint inside the transaction: the transaction goes on
        if not run_on_commit and not ended.is_active:
            return  # a failed flush's own rollback: the explicit rollback that must follow runs the action
        pending = sorted(ended.info.pop(pending_key, set()))
        if pending and not run_on_commit:
            action(pending)

    event.listen(session, "after_commit", committed)
    event.listen(session, "after_soft_rollback", rolled_back)


# --- VACUUM (PostgreSQL) ---------------------------------------------------------------------------------------

# Of the given table names, those in the search path that the connected role owns (or inherits the owner of).
OWNED_TABLES = sa.text(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind = 'r' AND c.relname = ANY(:tables) AND n.nspname = ANY(current_schemas(false)) "
    "AND pg_has_role(c.relowner, 'USAGE')")


def vacuum(tables: Sequence[str], url: str, *, after: str, analyze: bool = False) -> None:
    """VACUUM (with ``analyze``: VACUUM (ANALYZE)) ``tables`` of this schema as whoever ``url`` connects as, after
    the work named by ``after`` has committed; never raises.

    PostgreSQL only lets a table's owner VACUUM it and merely warns otherwise, so the tables this role does not
    own are left out and counted in a warning: the operator's scheduled ``vacuumdb`` as the owner must then do
    it (docs/PRIVACY.md).
    """
    command = "VACUUM (ANALYZE)" if analyze else "VACUUM"
    engine = sa.create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            owned = set(connection.execute(OWNED_TABLES, {"tables": list(tables)}).scalars())
            for table in tables:
                if table in owned:
                    connection.exec_driver_sql(f'{command} "{table}"')
        if len(owned) < len(set(tables)):
            log.warning("VACUUM after %s skipped %d of %d tables: not their owner",
                        after, len(set(tables) - owned), len(set(tables)))
    except Exception as error:  # the work has committed; a missed VACUUM is autovacuum's to catch up
        log.warning("VACUUM after %s failed: %s", after, type(error).__name__)
    finally:
        engine.dispose()
