"""W3C Trace Context: one trace id follows a request across systems (Logboek Dataverwerkingen).

A request's ``traceparent`` header (``00-<trace id: 32 hex>-<parent span: 16 hex>-<flags: 2 hex>``) is accepted
when it is valid for version 00 — lower-case hex, neither id all zeros, nothing after the flags; anything else is
ignored (never an error) and a new trace begins. Casus is one span of the trace, with a span id of its own: the
response carries ``traceparent`` with the trace id and that span id, every audit event of the request stores the
trace id, and so does the request's log line (``casus.logs``), next to the request id.

Outside a request (a scheduled job, a command) the application context is the unit: its events share one new
trace id.
"""

from __future__ import annotations

import re
import secrets

from flask import g, has_request_context, request

__all__ = ["HEADER", "assign", "current_trace_id", "parse", "response_header"]

HEADER = "traceparent"
_VERSION_00 = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_ENVIRON = "casus.trace"  # (trace id, span id, flags): a request rerun (database.RetryStaleSnapshot) keeps them
_G_KEY = "trace_id"
SAMPLED = "01"


def parse(header: str | None) -> tuple[str, str] | None:
    """``(trace id, flags)`` of a valid version-00 ``traceparent``, else None."""
    match = _VERSION_00.match((header or "").strip())
    if not match or set(match[1]) == {"0"} or set(match[2]) == {"0"}:
        return None
    return match[1], match[3]


def _new_trace_id() -> str:
    return secrets.token_hex(16)


def assign() -> None:
    """Once per request, before anything may answer: the trace id (the caller's if valid) and this span's id."""
    known = request.environ.get(_ENVIRON)
    if known is None:
        incoming = parse(request.headers.get(HEADER))
        trace_id, flags = incoming if incoming else (_new_trace_id(), SAMPLED)
        known = request.environ[_ENVIRON] = (trace_id, secrets.token_hex(8), flags)
    g.trace_id = known[0]


def current_trace_id() -> str:
    """The trace id of this request, or of this application context outside one (made on first use)."""
    trace_id = g.get(_G_KEY)
    if trace_id is None:
        if has_request_context() and _ENVIRON in request.environ:
            trace_id = request.environ[_ENVIRON][0]
        else:
            trace_id = _new_trace_id()
        setattr(g, _G_KEY, trace_id)
    return trace_id


def response_header() -> str | None:
    """``traceparent`` for the response: the trace id and this service's span id; None before :func:`assign`."""
    known = request.environ.get(_ENVIRON)
    if known is None:
        return None
    trace_id, span_id, flags = known
    return f"00-{trace_id}-{span_id}-{flags}"
