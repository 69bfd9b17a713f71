"""Three scheduler processes against one PostgreSQL database: one holds the advisory lock, the others wait,
and the job due meanwhile runs once."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from support import TEST_DATABASE_URL

pytestmark = [pytest.mark.postgres_only,
              pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs CASUS_TEST_DATABASE_URL (PostgreSQL)")]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging, sys, threading, time
from datetime import datetime
from zoneinfo import ZoneInfo
from casus import create_app, testing_config
from casus.scheduling.jobs import JobSpec
from casus.scheduling.runner import run_scheduler

logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s: %(message)s")
app = create_app(testing_config(database_url=sys.argv[1]))
print("ready", flush=True)
due_epoch, stop_epoch = map(float, sys.stdin.readline().split())
due = datetime.fromtimestamp(due_epoch, ZoneInfo("Europe/Amsterdam"))
stop = threading.Event()
threading.Timer(max(0.0, stop_epoch - time.time()), stop.set).start()
spec = JobSpec("review_due", "casus.notifications.jobs:review_due",
               {"hour": due.hour, "minute": due.minute, "second": due.second})
sys.exit(run_scheduler(app, jobs=[spec], retry_seconds=0.2, stop=stop, watch_seconds=0.2,
                       say=lambda message: print(message, flush=True)))
"""


def test_three_schedulers_one_lock_one_run(sched_app, committed_review_case, count_notifications):
    from casus.scheduling.locks import WAITING_MESSAGE

    committed_review_case(datetime.now(AMSTERDAM).date())
    committed_review_case(datetime.now(AMSTERDAM).date())
    url = sched_app.config["SQLALCHEMY_DATABASE_URI"]
    processes = [subprocess.Popen([sys.executable, "-c", SCRIPT, url], cwd=ROOT, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for _ in range(3)]
    try:
        for process in processes:  # all three are up before the clock starts
            assert process.stdout.readline().strip() == "ready"
        due = int(time.time()) + 3  # a whole second: cron triggers fire on whole seconds
        for index, process in enumerate(processes):
            # Each stops a second after the previous one, so the lock passes on after the job ran.
            process.stdin.write(f"{due} {due + 2 + index}\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=60)[0] for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    waited = [out for out in outputs if WAITING_MESSAGE in out]
    ran = [out for out in outputs if "job review_due done" in out]
    assert len(waited) == 2, outputs
    assert len(ran) == 1, outputs
    assert count_notifications() == 2  # one per case, each to its own procesregisseur
