"""Building and running the scheduler: ``casus scheduler`` and the one ``casus demo`` starts beside the server.

* APScheduler 3 with a persistent ``SQLAlchemyJobStore`` in the application database (table
  ``apscheduler_jobs``), the configured time zone (Europe/Amsterdam by default), job defaults ``coalesce=True``,
  ``misfire_grace_time`` 6 hours and ``max_instances=1``: after downtime a missed run happens once, at
  start, if it is less than 6 hours late; later than that it waits for its next regular time.
* Only a process holding the scheduler lock (:mod:`casus.scheduling.locks`) starts a scheduler;
  ``create_app`` never does, so web workers never run jobs.
* Every job runs through :func:`run_job`: in an app context, one commit at the end, a rollback on
  failure, and a structured log line (``job``, ``outcome``, ``result``, ``duration_ms``; on failure only the
  exception type — messages can carry personal data) plus the job metrics of :mod:`casus.metrics`.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import UTC, datetime

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext

from casus import metrics
from casus.clock import local_zone
from casus.scheduling.jobs import JobSpec, registry
from casus.scheduling.locks import SchedulerLock, acquire, lock_for
from casus.scheduling.models import JOB_TABLE

log = logging.getLogger("casus.scheduler")

JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 6 * 3600, "max_instances": 1}
JOB_ID_PREFIX = "casus:"
WATCH_SECONDS = 30.0

# The app and registry of the scheduler running in this process: persisted jobs refer to :func:`execute`
# by name, and an app cannot be pickled into the job store.
_runtime: dict[str, object] = {}


def run_job(app: Flask, spec: JobSpec, now: datetime | None = None, *, attempts: int = 3) -> object | None:
    """Run one job in an app context and commit once; roll back and log (type only) on failure.

    A transient database error (``OperationalError``: SQLite's "database is locked" when the job's read
    snapshot went stale under a concurrent write, a dropped PostgreSQL connection) is retried: jobs are
    idempotent, so running one again is always safe.
    """
    from sqlalchemy.exc import OperationalError

    from casus.extensions import db

    now = now or datetime.now(UTC)
    started = time.monotonic()
    for attempt in range(1, attempts + 1):
        with app.app_context():
            try:
                result = spec.resolve()(app, now)
                db.session.commit()
            except OperationalError as error:
                db.session.rollback()
                if attempt < attempts:
                    log.warning("job %s: %s, trying again", spec.name, type(error).__name__,
                                extra={"job": spec.name, "attempt": attempt, "exc_type": type(error).__name__})
                    time.sleep(0.5 * attempt)
                    continue
                _failed(spec.name, error, started)
                return None
            except Exception as error:  # a failing job must never take the scheduler down
                db.session.rollback()
                _failed(spec.name, error, started)
                return None
            finally:
                db.session.remove()
        break
    seconds = time.monotonic() - started
    metrics.job_finished(spec.name, seconds, ok=True, finished_at=time.time())
    # Quiet when there was nothing to do: the e-mail job runs every minute.
    counts = _counts(result)
    log.log(logging.INFO if result else logging.DEBUG, "job %s done in %.2fs: %s", spec.name, seconds, counts,
            extra={"job": spec.name, "outcome": "success", "result": counts, "duration_ms": round(seconds * 1000, 1)})
    return result


def _failed(name: str, error: Exception, started: float) -> None:
    seconds = time.monotonic() - started
    metrics.job_finished(name, seconds, ok=False, finished_at=time.time())
    log.error("job %s failed: %s", name, type(error).__name__,
              extra={"job": name, "outcome": "failure", "exc_type": type(error).__name__,
                     "duration_ms": round(seconds * 1000, 1)})


def _counts(result: object) -> object:
    """A job's result as a log field: jobs return counts (an int, or a small report of ints); nothing else."""
    if result is None or isinstance(result, bool | int | float):
        return result
    if is_dataclass(result) and not isinstance(result, type):
        return {key: value for key, value in asdict(result).items() if isinstance(value, int | float)}
    return type(result).__name__


def execute(name: str) -> None:
    """The callable every persisted job points at; looks the job up in this process's registry."""
    app, jobs = _runtime.get("app"), _runtime.get("jobs") or {}
    spec = jobs.get(name) if app is not None else None
    if spec is None:
        log.warning("job %s is not in this scheduler's registry; skipped", name)
        return
    run_job(app, spec)


def build_scheduler(app: Flask, *, max_workers: int = 2) -> BackgroundScheduler:
    """A configured, not yet started scheduler on the app's database."""
    with app.app_context():
        from casus.extensions import db

        engine, zone = db.engine, local_zone()
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers)},
        job_defaults=dict(JOB_DEFAULTS),
        timezone=zone,
    )


def start_scheduler(scheduler: BackgroundScheduler, app: Flask, jobs: list[JobSpec] | tuple[JobSpec, ...] | None = None
                    ) -> BackgroundScheduler:
    """Start ``scheduler`` with the registry's jobs, keeping the stored next run times of unchanged jobs.

    Starting paused and syncing before resuming matters: replacing a stored job would recompute its next
    run time and silently drop a run missed during downtime.
    """
    wanted = registry(jobs)
    _runtime.update(app=app, jobs=wanted)
    scheduler.start(paused=True)
    for job in scheduler.get_jobs():
        if job.id.startswith(JOB_ID_PREFIX) and job.id[len(JOB_ID_PREFIX):] not in wanted:
            job.remove()
    for name, spec in wanted.items():
        job_id, trigger = JOB_ID_PREFIX + name, spec.trigger(scheduler.timezone)
        existing = scheduler.get_job(job_id)
        if existing is None:
            scheduler.add_job(execute, trigger, args=[name], id=job_id, name=name, replace_existing=True)
        elif repr(existing.trigger) != repr(trigger):
            scheduler.reschedule_job(job_id, trigger=trigger)
    scheduler.resume()
    return scheduler


def run_scheduler(app: Flask, *, jobs: list[JobSpec] | tuple[JobSpec, ...] | None = None, retry_seconds: float = 10.0,
                  say: Callable[[str], None] | None = None, stop: threading.Event | None = None,
                  lock: SchedulerLock | None = None, watch_seconds: float = WATCH_SECONDS,
                  on_started: Callable[[BackgroundScheduler], None] | None = None) -> int:
    """Wait for the lock, run the scheduler until ``stop`` is set or the lock is lost. Returns an exit code."""
    say = say or _say
    stop = stop or threading.Event()
    lock = lock or lock_for(app)
    if not acquire(lock, retry_seconds=retry_seconds, say=say, stop=stop):
        lock.release()
        return 0
    scheduler = build_scheduler(app)
    code = 0
    try:
        start_scheduler(scheduler, app, jobs)
        say(f"Scheduler draait ({scheduler.timezone}). (scheduler running)")
        if on_started is not None:
            on_started(scheduler)
        while not stop.wait(watch_seconds):
            if not lock.still_held():
                say("De scheduler-lock is verloren; de scheduler stopt. (scheduler lock lost; stopping)")
                code = 1
                break
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        lock.release()
        _runtime.clear()
    return code


def _say(message: str) -> None:
    if logging.getLogger().handlers:
        log.info(message)
    else:
        click.echo(message, err=True)


@click.command("scheduler")
@click.option("--retry-seconds", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="How often to retry the lock while another scheduler holds it.")
@with_appcontext
def scheduler_command(retry_seconds):
    """Run the scheduler: reminders, notifications and e-mail. Run exactly one per deployment."""
    # Logging is configured by create_app (CASUS_LOG_FORMAT, CASUS_LOG_LEVEL), as for the web application.
    app = current_app._get_current_object()
    port = app.config["CASUS"].scheduler_metrics_port
    if port:
        metrics.serve_scheduler_metrics(port)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stop.set())
    sys.exit(run_scheduler(app, retry_seconds=retry_seconds, stop=stop))


class BackgroundSchedulerHandle:
    """The scheduler ``casus demo`` runs beside the development server, in a daemon thread."""

    def __init__(self, app: Flask, **options) -> None:
        self.stop_event = threading.Event()
        self.started = threading.Event()
        self.scheduler: BackgroundScheduler | None = None

        def on_started(scheduler: BackgroundScheduler) -> None:
            self.scheduler = scheduler
            self.started.set()

        self.thread = threading.Thread(
            target=run_scheduler, name="casus-scheduler", daemon=True,
            kwargs={"stop": self.stop_event, "on_started": on_started, **options, "app": app})

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)


def start_background_scheduler(app: Flask, **options) -> BackgroundSchedulerHandle:
    """Start a scheduler beside a development server, under the same lock rules as ``casus scheduler``.

    Returns at once; the scheduler starts when the lock is free (``handle.started`` is then set).
    Stop it with ``handle.stop()``.
    """
    handle = BackgroundSchedulerHandle(app, **options)
    handle.thread.start()
    return handle
