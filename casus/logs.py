"""Logs an operator can use and that hold no personal data.

* :func:`configure` (called by ``create_app``, so also for ``casus scheduler``) puts one handler on the root
  logger: one JSON object per line (``CASUS_LOG_FORMAT=json``, python-json-logger) or readable text with the
  same fields as ``key=value`` (``text``, the development default), at ``CASUS_LOG_LEVEL``.
* One line per request on the ``casus.request`` logger: request id, W3C trace id, method, the route *template*
  (``/casussen/<int:case_id>``, never the path — it can hold names — nor the query string), status, duration
  and the ids of the user and their organisation. Nothing of the body.
* Tracebacks quote exception messages, which can carry user input: the formatters replace them by the
  exception type unless ``CASUS_DEBUG_LOGS=true`` in development, and :class:`CasusFlask` logs an exception
  Flask could not hand to an error handler by its type and request id instead of "Exception on <path>".
* Loggers that would write raw paths or SQL parameters are kept quiet: werkzeug's development-server request
  lines (the path with its query string; ours replaces them) and SQLAlchemy's statement log (unless
  ``CASUS_SQL_ECHO``, development only). Gunicorn's access log is off unless configured: keep it so
  (docs/OPERATIONS.md).
"""

from __future__ import annotations

import logging
import sys
import time

from flask import Flask, g, request
from flask_login import user_loaded_from_request
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

__all__ = ["CasusFlask", "configure", "init_app", "request_log"]

request_log = logging.getLogger("casus.request")

# The attributes every LogRecord has; anything else on a record came in through ``extra=``.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
_OURS = "_casus_handler"
UNMATCHED = "<unmatched>"  # the route of a request no rule matched (a 404): never the path itself
# Loggers whose INFO lines carry what must not be logged: raw paths with query strings, SQL with parameters.
# (and noise: alembic's plugin set-up at every start, APScheduler's line per job run).
QUIET = {"werkzeug": logging.WARNING, "apscheduler.executors": logging.WARNING,
         "alembic.runtime.plugins": logging.WARNING}


def _without_traceback(record: logging.LogRecord) -> logging.LogRecord:
    """A copy of ``record`` whose exception is reduced to its type name (``exc_type``); no stack either."""
    if not (record.exc_info or record.exc_text or record.stack_info):
        return record
    copy = logging.makeLogRecord(dict(record.__dict__))
    if record.exc_info and record.exc_info[0] is not None:
        copy.exc_type = record.exc_info[0].__name__
    copy.exc_info = copy.exc_text = copy.stack_info = None
    return copy


def extras(record: logging.LogRecord) -> dict[str, object]:
    """The fields a call added with ``extra=`` (in the order given)."""
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD and not key.startswith("_")}


class JsonFormatter(_JsonFormatter):
    """``{"time": ..., "level": "INFO", "logger": "casus.request", "message": "request", "route": ...}``."""

    def __init__(self, *, tracebacks: bool = False) -> None:
        super().__init__("%(levelname)s %(name)s %(message)s", timestamp="time",
                         rename_fields={"levelname": "level", "name": "logger"}, json_ensure_ascii=False)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record if self.tracebacks else _without_traceback(record))


class TextFormatter(logging.Formatter):
    """``2026-11-21 10:00:00,123 INFO casus.request: request method=GET route=/ status=200 ...``."""

    def __init__(self, *, tracebacks: bool = False) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        record = record if self.tracebacks else _without_traceback(record)
        fields = extras(record)
        if fields:
            line = " ".join([record.getMessage(), *(f"{key}={value}" for key, value in fields.items())])
            record = logging.makeLogRecord({**record.__dict__, "msg": line, "args": None})
        return super().format(record)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (as :data:`logging.lastResort` does), so a service
    manager, a redirection or pytest's capture sees every line."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr


def configure(cfg) -> None:
    """Install Casus's handler on the root logger (replacing the one an earlier ``create_app`` installed)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _OURS, False):
            root.removeHandler(handler)
    handler = StderrHandler()
    setattr(handler, _OURS, True)
    formatter = JsonFormatter if cfg.log_format == "json" else TextFormatter
    handler.setFormatter(formatter(tracebacks=cfg.log_tracebacks))
    root.addHandler(handler)
    root.setLevel(cfg.log_level)
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)
    if not cfg.sql_echo:
        # SQLAlchemy logs statements (and their parameters) when its logger is enabled for INFO, echo or not.
        logging.getLogger("sqlalchemy").setLevel(logging.WARNING)


class CasusFlask(Flask):
    """Flask, except that an exception no error handler took (one raised while finishing a response, such as a
    failing commit) is logged by type and request id, not as "Exception on <path>" with its message."""

    def log_exception(self, exc_info) -> None:
        cfg = self.config.get("CASUS")
        exc_type = exc_info[0].__name__ if exc_info and exc_info[0] is not None else "-"
        request_id = g.get("request_id", "-")
        self.logger.error("unhandled %s in request %s", exc_type, request_id,
                          extra={"request_id": request_id, "exc_type": exc_type},
                          exc_info=exc_info if cfg is not None and cfg.log_tracebacks else None)


# --- the request line --------------------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    """Register the request line. Call before any other ``before_request``/``after_request`` registration: the
    clock must start before the login guard may answer, and the line is written after everything else
    (after_request functions run in reverse order), the commit included."""
    app.before_request(_start_clock)
    app.after_request(_log_request)


def _start_clock() -> None:
    from casus.security import assign_request_id

    g.request_started = time.perf_counter()
    g.pop("log_user", None)  # tests may run several requests in one app context
    assign_request_id()  # before any guard may answer, so that every response and request line carries it


@user_loaded_from_request.connect
def _remember_user(_app, user=None, **_extra) -> None:
    # The ids are read once, when flask-login loads the user: reading them later (after a commit or a rollback
    # expired the object) would cost a query, or fail when the database is what went wrong.
    if user is not None:
        g.log_user = (getattr(user, "id", None), getattr(user, "organisation_id", None))


def route_of() -> str:
    """The route template of the current request (``/api/v1/cases/<int:id>``), never its path."""
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED


def _log_request(response):
    started = g.get("request_started")
    duration = time.perf_counter() - started if started is not None else None
    user_id, organisation_id = g.get("log_user", (None, None))
    route = route_of()
    fields = {
        "request_id": g.get("request_id", "-"),
        "trace_id": g.get("trace_id", "-"),
        "method": request.method,
        "route": route,
        "status": response.status_code,
        "duration_ms": round(duration * 1000, 1) if duration is not None else None,
        "user_id": user_id,
        "organisation_id": organisation_id,
    }
    request_log.log(logging.WARNING if response.status_code >= 500 else logging.INFO, "request", extra=fields)
    from casus import metrics

    metrics.observe_request(request.method, route, response.status_code, duration)
    return response
