"""Exactly one scheduler per deployment: a lock held for the scheduler process's lifetime.

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a dedicated connection in
  autocommit mode. It is released when the connection ends — also when the process dies — so a waiting
  scheduler takes over without anyone cleaning up.
* SQLite (one machine): ``fcntl.flock`` on ``instance/scheduler.lock``; the kernel releases it when the
  process dies.

A scheduler that does not get the lock says so (Dutch and English) and tries again every few seconds.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.pool import NullPool

log = logging.getLogger("casus.scheduler")

# "CASU" in ASCII; one lock per PostgreSQL database.
ADVISORY_LOCK_KEY = 0x43415355
WAITING_MESSAGE = ("Er draait al een scheduler; wachten op de lock … "
                   "(another scheduler is running; waiting for the lock …)")
LOCK_FILE = "scheduler.lock"


class SchedulerLock:
    description = "lock"

    def try_acquire(self) -> bool:
        raise NotImplementedError

    def still_held(self) -> bool:
        return True

    def release(self) -> None:
        raise NotImplementedError


class PostgresAdvisoryLock(SchedulerLock):
    def __init__(self, url: str, key: int = ADVISORY_LOCK_KEY) -> None:
        self.engine = sa.create_engine(url, poolclass=NullPool)
        self.key = key
        self.connection: sa.Connection | None = None
        self.description = f"PostgreSQL advisory lock {key}"

    def try_acquire(self) -> bool:
        if self.connection is None:
            self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = self.connection.execute(sa.select(sa.func.pg_try_advisory_lock(self.key))).scalar_one()
        return bool(got)

    def still_held(self) -> bool:
        """The lock lives as long as the connection: check that it still answers and still holds it."""
        if self.connection is None:
            return False
        try:
            held = self.connection.execute(sa.text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = :key"),
                {"key": self.key}).scalar_one()
        except sa.exc.DBAPIError:
            return False
        return held > 0

    def release(self) -> None:
        if self.connection is not None:
            with suppress(sa.exc.DBAPIError):
                self.connection.execute(sa.select(sa.func.pg_advisory_unlock(self.key)))
            self.connection.close()
            self.connection = None
        self.engine.dispose()


class FileLock(SchedulerLock):
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.handle = None
        self.description = f"lock file {self.path}"

    def try_acquire(self) -> bool:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 — held open for the process's lifetime
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.handle = handle
        return True

    def release(self) -> None:
        if self.handle is not None:
            import fcntl

            fcntl.flock(self.handle.fileno(), fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None


def lock_for(app: Flask) -> SchedulerLock:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if str(url).startswith("postgresql"):
        return PostgresAdvisoryLock(url)
    return FileLock(Path(app.instance_path) / LOCK_FILE)


def acquire(lock: SchedulerLock, *, retry_seconds: float = 10.0, say: Callable[[str], None] = print,
            stop: threading.Event | None = None) -> bool:
    """Take ``lock``, waiting (and saying so, once) while another scheduler holds it.

    Returns False only when ``stop`` is set while waiting.
    """
    stop = stop or threading.Event()
    waited = False
    while not stop.is_set():
        if lock.try_acquire():
            if waited:
                say("Lock verkregen; de scheduler start. (lock acquired; starting)")
            return True
        if not waited:
            say(WAITING_MESSAGE)
            waited = True
        log.debug("scheduler lock busy (%s); retrying in %ss", lock.description, retry_seconds)
        stop.wait(retry_seconds)
    return False
