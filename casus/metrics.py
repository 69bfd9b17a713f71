"""Prometheus metrics: ``GET /metrics`` for the web application, an optional port for ``casus scheduler``.

What is measured (names as exposed; see docs/OPERATIONS.md):

* ``casus_http_request_duration_seconds{method,route,status}`` — a histogram per route *template*;
* ``casus_scheduler_job_runs_total{job}``, ``casus_scheduler_job_failures_total{job}``,
  ``casus_scheduler_job_last_success_timestamp_seconds{job}``, ``casus_scheduler_job_duration_seconds{job}`` —
  recorded by :func:`casus.scheduling.runner.run_job` in the process that runs the job (the scheduler);
* ``casus_email_sent_total``, ``casus_email_send_failures_total`` — recorded where e-mail is sent (the scheduler);
* at every scrape of ``/metrics``, from the database: ``casus_email_queue_length`` (e-mails not yet sent nor
  given up), ``casus_email_retrying`` (of those, the ones that failed at least once), ``casus_database_up``, and
  the SQLAlchemy pool of the answering process: ``casus_db_pool_size``, ``casus_db_pool_checked_out``.

``/metrics`` is not public: it answers callers from ``CASUS_METRICS_ALLOWED_NETWORKS`` (default loopback only) or
with ``Authorization: Bearer <CASUS_METRICS_TOKEN>`` (compared in constant time), and everyone else gets the same
404 as a page that does not exist. A request that carries ``X-Forwarded-For`` while Casus trusts no proxy
(``CASUS_PROXY_FIX_HOPS=0``) came through a proxy on this machine, so its address proves nothing: it needs the token.

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, before the workers start) and
every worker writes its values there; ``/metrics`` then adds up all workers (``MultiProcessCollector``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

log = logging.getLogger("casus.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_SECONDS = Histogram(
    "casus_http_request_duration_seconds", "Time to answer a request, per route template, method and status",
    ["method", "route", "status"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
JOB_RUNS = Counter("casus_scheduler_job_runs", "Scheduler job runs (successful or not)", ["job"])
JOB_FAILURES = Counter("casus_scheduler_job_failures", "Scheduler job runs that failed (rolled back)", ["job"])
JOB_LAST_SUCCESS = Gauge("casus_scheduler_job_last_success_timestamp_seconds",
                         "Unix time at which the job last finished successfully", ["job"], multiprocess_mode="max")
JOB_SECONDS = Histogram("casus_scheduler_job_duration_seconds", "Duration of a scheduler job run", ["job"],
                        buckets=(0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0))
EMAIL_SENT = Counter("casus_email_sent", "Notification e-mails sent (one per notification)")
EMAIL_FAILURES = Counter("casus_email_send_failures",
                         "Notification e-mails that failed to send (retried later or given up)")

bp = Blueprint("metrics", __name__)


# --- recording ---------------------------------------------------------------------------------------------------

def observe_request(method: str, route: str, status: int, seconds: float | None) -> None:
    if seconds is not None:
        REQUEST_SECONDS.labels(method if method in METHODS else "other", route, str(status)).observe(seconds)


def job_finished(name: str, seconds: float, *, ok: bool, finished_at: float) -> None:
    JOB_RUNS.labels(name).inc()
    JOB_SECONDS.labels(name).observe(seconds)
    if ok:
        JOB_LAST_SUCCESS.labels(name).set(finished_at)
    else:
        JOB_FAILURES.labels(name).inc()


def emails_sent(sent: int, failed: int) -> None:
    if sent:
        EMAIL_SENT.inc(sent)
    if failed:
        EMAIL_FAILURES.inc(failed)


# --- exposing ----------------------------------------------------------------------------------------------------

class _ProcessMetrics:
    """This process's own metrics (the default registry), or every worker's in multiprocess mode."""

    def collect(self):
        if os.environ.get(MULTIPROC_ENV):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return registry.collect()
        return REGISTRY.collect()


class _DatabaseMetrics:
    """Read at scrape time, inside the request: the e-mail queue and the connection pool."""

    def collect(self):
        from casus.extensions import db
        from casus.notifications.models import Notification

        up = GaugeMetricFamily("casus_database_up", "1 when the database answered this scrape, else 0")
        try:
            pending, retrying = db.session.execute(
                sa.select(sa.func.count(Notification.id),
                          sa.func.count(Notification.id).filter(Notification.email_attempts > 0))
                .where(Notification.next_attempt_at.is_not(None))).one()
        except Exception as error:  # the scrape still answers, saying the database did not
            db.session.rollback()
            log.warning("metrics: database unavailable: %s", type(error).__name__,
                        extra={"exc_type": type(error).__name__})
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            yield GaugeMetricFamily("casus_email_queue_length",
                                    "Notification e-mails waiting to be sent (not sent, not given up)", value=pending)
            yield GaugeMetricFamily("casus_email_retrying",
                                    "Waiting notification e-mails that failed at least once", value=retrying)
        yield up
        pool = db.engine.pool
        size, checked_out = getattr(pool, "size", None), getattr(pool, "checkedout", None)
        if callable(size) and callable(checked_out):  # QueuePool; NullPool and StaticPool have no such numbers
            yield GaugeMetricFamily("casus_db_pool_size", "Connections the pool keeps (this process)", value=size())
            yield GaugeMetricFamily("casus_db_pool_checked_out", "Pool connections in use (this process)",
                                    value=checked_out())


def exposition(*, database: bool = True) -> bytes:
    registry = CollectorRegistry()
    registry.register(_ProcessMetrics())
    if database:
        registry.register(_DatabaseMetrics())
    return generate_latest(registry)


def caller_allowed() -> bool:
    """A configured network or the bearer token; see the module docstring."""
    cfg = current_app.config["CASUS"]
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if cfg.metrics_token and scheme.lower() == "bearer" and token.strip():
        given = hashlib.sha256(token.strip().encode()).digest()
        if hmac.compare_digest(given, hashlib.sha256(cfg.metrics_token.encode()).digest()):
            return True
    if not cfg.proxy_fix_hops and request.headers.get("X-Forwarded-For"):
        return False
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(network) for network in cfg.metrics_allowed_networks)


@bp.get("/metrics")
def metrics():
    if not caller_allowed():
        abort(404)  # the same answer as for a page that does not exist
    return Response(exposition(), content_type=CONTENT_TYPE_LATEST)


def serve_scheduler_metrics(port: int):
    """``casus scheduler``'s own metrics on http://127.0.0.1:<port>/ (job runs, e-mail sent and failed), in a
    daemon thread. Loopback only: put a proxy with access control in front to scrape it from elsewhere.
    Returns the server (``shutdown()`` stops it)."""
    from prometheus_client import start_http_server

    registry = CollectorRegistry()
    registry.register(_ProcessMetrics())
    server, _thread = start_http_server(port, addr="127.0.0.1", registry=registry)
    log.info("scheduler metrics on 127.0.0.1:%d", port, extra={"port": port})
    return server
