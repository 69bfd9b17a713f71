"""The scheduler itself: persisted jobs, catching up a missed run exactly once, job wrapper, locks."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _daily_at(moment: datetime) -> dict:
    local = moment.astimezone(AMSTERDAM)
    return {"hour": local.hour, "minute": local.minute, "second": local.second}


def _wait_for(condition, timeout: float = 6.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_web_apps_never_start_a_scheduler(app):
    from casus.scheduling import runner

    assert runner._runtime == {}
    assert not any(thread.name.startswith("APScheduler") for thread in threading.enumerate())


def test_the_job_defaults_and_time_zone(sched_app):
    from casus.scheduling.runner import build_scheduler

    scheduler = build_scheduler(sched_app)
    assert str(scheduler.timezone) == "Europe/Amsterdam"
    assert scheduler._job_defaults == {"coalesce": True, "misfire_grace_time": 6 * 3600, "max_instances": 1}


def test_every_registered_job_resolves_and_is_a_cron_in_amsterdam():
    from casus.scheduling.jobs import JOBS

    assert len({spec.name for spec in JOBS}) == len(JOBS)
    for spec in JOBS:
        assert callable(spec.resolve())
        assert str(spec.trigger().timezone) == "Europe/Amsterdam"
        hours = str(spec.cron.get("hour", ""))
        assert not hours.startswith("2"), "02:00-03:00 is doubled or skipped on DST nights"


def test_stopping_across_a_due_time_sends_the_missed_reminder_once(sched_app, committed_review_case,
                                                                   count_notifications):
    from casus.scheduling.jobs import JobSpec
    from casus.scheduling.runner import build_scheduler, start_scheduler

    committed_review_case(datetime.now(AMSTERDAM).date())
    due = datetime.now(AMSTERDAM).replace(microsecond=0) + timedelta(seconds=2)
    spec = JobSpec("review_due", "casus.notifications.jobs:review_due", _daily_at(due))

    first = start_scheduler(build_scheduler(sched_app), sched_app, [spec])
    assert first.get_job("casus:review_due").next_run_time == due
    first.shutdown(wait=True)  # down before the due time ...
    time.sleep(max(0.0, (due - datetime.now(AMSTERDAM)).total_seconds()) + 0.8)
    assert count_notifications() == 0

    second = start_scheduler(build_scheduler(sched_app), sched_app, [spec])  # ... and up again after it
    try:
        assert _wait_for(lambda: count_notifications() == 1)
        assert second.get_job("casus:review_due").next_run_time > due + timedelta(hours=23)
    finally:
        second.shutdown(wait=True)

    third = start_scheduler(build_scheduler(sched_app), sched_app, [spec])  # a further restart: nothing new
    time.sleep(0.8)
    third.shutdown(wait=True)
    assert count_notifications() == 1


def test_start_keeps_unchanged_jobs_and_updates_the_rest(sched_app, sched_db):
    from casus.scheduling.jobs import JobSpec
    from casus.scheduling.runner import build_scheduler, start_scheduler

    keep = JobSpec("keep", "casus.notifications.jobs:review_due", {"hour": 7, "minute": 0})
    old = JobSpec("old", "casus.notifications.jobs:review_due", {"hour": 8, "minute": 0})
    scheduler = start_scheduler(build_scheduler(sched_app), sched_app, [keep, old])
    stored = scheduler.get_job("casus:keep").next_run_time
    scheduler.shutdown()

    moved = JobSpec("keep", "casus.notifications.jobs:review_due", {"hour": 9, "minute": 0})
    scheduler = start_scheduler(build_scheduler(sched_app), sched_app, [keep])
    try:
        assert scheduler.get_job("casus:keep").next_run_time == stored
        assert scheduler.get_job("casus:old") is None  # left the registry: removed from the store
    finally:
        scheduler.shutdown()
    scheduler = start_scheduler(build_scheduler(sched_app), sched_app, [moved])
    try:
        assert scheduler.get_job("casus:keep").next_run_time.astimezone(AMSTERDAM).hour == 9
    finally:
        scheduler.shutdown()


def _failing_job(app, now):
    from casus.extensions import db
    from casus.notifications.services import notify
    from casus.users.models import User

    notify(db.session.query(User).first(), key="never", kind="review_due", link="/", email=False)
    raise ValueError("personal data could be in here: Jan Jansen")


def test_a_failing_job_rolls_back_and_logs_only_the_type(sched_app, committed_review_case, count_notifications,
                                                         caplog):
    from casus.scheduling.jobs import JobSpec
    from casus.scheduling.runner import run_job

    committed_review_case(datetime.now(AMSTERDAM).date())
    assert run_job(sched_app, JobSpec("boom", "test_scheduling_runner:_failing_job")) is None
    assert count_notifications() == 0
    assert "job boom failed: ValueError" in caplog.text
    assert "Jansen" not in caplog.text


_flaky_calls: list[int] = []


def _flaky_job(app, now):
    """Fails like SQLite does when a concurrent write made the job's snapshot stale, then succeeds."""
    from sqlalchemy.exc import OperationalError

    from casus.notifications.jobs import review_due

    _flaky_calls.append(1)
    if len(_flaky_calls) == 1:
        raise OperationalError("INSERT ...", {}, Exception("database is locked"))
    return review_due(app, now)


def test_a_transient_database_error_is_retried(sched_app, committed_review_case, count_notifications, caplog):
    from casus.scheduling.jobs import JobSpec
    from casus.scheduling.runner import run_job

    committed_review_case(datetime.now(AMSTERDAM).date())
    _flaky_calls.clear()
    assert run_job(sched_app, JobSpec("flaky", "test_scheduling_runner:_flaky_job")) == 1
    assert len(_flaky_calls) == 2 and count_notifications() == 1
    assert "job flaky: OperationalError, trying again" in caplog.text


def test_run_job_commits_once(sched_app, committed_review_case, count_notifications):
    from casus.scheduling.jobs import registry
    from casus.scheduling.runner import run_job

    committed_review_case(datetime.now(AMSTERDAM).date())
    assert run_job(sched_app, registry()["review_due"]) == 1
    assert run_job(sched_app, registry()["review_due"]) == 0
    assert count_notifications() == 1


# --- locks ------------------------------------------------------------------------------------------------

def test_file_lock_is_exclusive(tmp_path):
    from casus.scheduling.locks import FileLock

    first, second = FileLock(tmp_path / "scheduler.lock"), FileLock(tmp_path / "scheduler.lock")
    assert first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()


def test_a_second_scheduler_waits_and_says_so(tmp_path):
    from casus.scheduling.locks import WAITING_MESSAGE, FileLock, acquire

    holder = FileLock(tmp_path / "scheduler.lock")
    assert holder.try_acquire()
    messages: list[str] = []
    got = threading.Event()
    waiter = FileLock(tmp_path / "scheduler.lock")
    thread = threading.Thread(target=lambda: acquire(waiter, retry_seconds=0.1, say=messages.append) and got.set())
    thread.start()
    time.sleep(0.5)
    assert not got.is_set()
    assert messages == [WAITING_MESSAGE]
    assert "Er draait al een scheduler; wachten op de lock" in WAITING_MESSAGE
    assert "another scheduler is running" in WAITING_MESSAGE
    holder.release()
    thread.join(3)
    assert got.is_set()
    waiter.release()


def test_background_scheduler_for_demo_waits_for_the_lock(sched_app, sched_db, tmp_path):
    from casus.scheduling.jobs import JobSpec
    from casus.scheduling.locks import FileLock
    from casus.scheduling.runner import start_background_scheduler

    holder = FileLock(tmp_path / "scheduler.lock")
    assert holder.try_acquire()
    messages: list[str] = []
    spec = JobSpec("review_due", "casus.notifications.jobs:review_due", {"hour": 7, "minute": 0})
    handle = start_background_scheduler(sched_app, jobs=[spec], retry_seconds=0.1, say=messages.append,
                                        lock=FileLock(tmp_path / "scheduler.lock"), watch_seconds=0.1)
    try:
        assert not handle.started.wait(0.5)
        holder.release()
        assert handle.started.wait(5)
        assert handle.scheduler.running
        assert handle.scheduler.get_job("casus:review_due") is not None
        assert "wachten op de lock" in messages[0]
    finally:
        handle.stop()
    assert not handle.thread.is_alive()


def test_the_scheduler_command_runs_the_scheduler(sched_app, monkeypatch):
    from casus.scheduling import runner

    calls = []
    monkeypatch.setattr(runner, "run_scheduler", lambda app, **kwargs: calls.append((app, kwargs)) or 0)
    result = sched_app.test_cli_runner().invoke(runner.scheduler_command, ["--retry-seconds", "2"])
    assert result.exit_code == 0, result.output
    assert calls[0][0] is sched_app and calls[0][1]["retry_seconds"] == 2.0


@pytest.mark.skipif("sys.platform == 'win32'")
def test_sqlite_apps_lock_a_file_in_the_instance_folder(sched_app):
    from pathlib import Path

    from casus.scheduling.locks import FileLock, PostgresAdvisoryLock, lock_for

    lock = lock_for(sched_app)
    if sched_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        assert isinstance(lock, PostgresAdvisoryLock)
        lock.release()
    else:
        assert isinstance(lock, FileLock) and lock.path == Path(sched_app.instance_path) / "scheduler.lock"
