"""Gunicorn settings Casus relies on: ``gunicorn -c python:casus.gunicorn_conf wsgi:app`` (flags on the command line
still win; see docs/OPERATIONS.md, "Logs" and "Metrics and health").

* ``accesslog = None``: gunicorn's access log writes the request line *with its query string* (search terms are
  names) and the referrer; Casus writes its own line per request, with the route template instead of the path.
* ``limit_request_line = 8190`` (gunicorn's maximum; its default is 4094): a request line with a query string of up
  to 4096 bytes reaches Casus, which answers a longer one itself with ``414`` problem+json or a Dutch page
  (casus.edge), not with gunicorn's plain HTML.
* ``PROMETHEUS_MULTIPROC_DIR`` (several workers): the directory is emptied when gunicorn starts — values of an
  earlier run must not be added to this one's — and a worker that exits is marked dead.
"""

from __future__ import annotations

import os
from pathlib import Path

accesslog = None
limit_request_line = 8190


def on_starting(server) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
