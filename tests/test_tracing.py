"""W3C trace context: a valid traceparent is followed, anything else starts a new trace (never an error); the
response echoes the trace with this service's span, and the trace id reaches the audit events and the log line."""

from __future__ import annotations

import json
import logging
import re

import pytest
import sqlalchemy as sa

from casus.tracing import parse

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT = "00f067aa0ba902b7"
VALID = f"00-{TRACE}-{PARENT}-01"
TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@pytest.mark.parametrize("header", [VALID, f"00-{TRACE}-{PARENT}-00", f" {VALID} "])
def test_a_valid_version_00_header_is_accepted(header):
    assert parse(header) == (TRACE, header.strip()[-2:])


@pytest.mark.parametrize("header", [
    None, "", "garbage",
    f"01-{TRACE}-{PARENT}-01",  # another version
    f"ff-{TRACE}-{PARENT}-01",
    f"00-{'0' * 32}-{PARENT}-01",  # all-zero trace id
    f"00-{TRACE}-{'0' * 16}-01",  # all-zero parent
    f"00-{TRACE.upper()}-{PARENT}-01",  # upper case
    f"00-{TRACE[:-1]}-{PARENT}-01",  # too short
    f"00-{TRACE}0-{PARENT}-01",  # too long
    f"00-{TRACE}-{PARENT}-01-extra",  # version 00 has nothing after the flags
    f"00-{TRACE}-{PARENT}-1",
    f"00_{TRACE}_{PARENT}_01",
    "00-" + "g" * 32 + f"-{PARENT}-01",
])
def test_anything_else_is_ignored(header):
    assert parse(header) is None


def _traceparent(response) -> tuple[str, str, str]:
    match = TRACEPARENT.match(response.headers.get("traceparent", ""))
    assert match, response.headers.get("traceparent")
    return match[1], match[2], match[3]


def test_the_response_continues_the_callers_trace_with_its_own_span(client):
    response = client.get("/healthz", headers={"traceparent": VALID})
    trace_id, span_id, flags = _traceparent(response)
    assert (trace_id, flags) == (TRACE, "01")
    assert span_id != PARENT


@pytest.mark.parametrize("header", ["", "00-zz-00-01", f"00-{'0' * 32}-{PARENT}-01", "x" * 5000,
                                    f"00-{TRACE}-{PARENT}-01\u00e9"])
def test_an_invalid_header_starts_a_new_trace_and_never_fails(client, header):
    response = client.get("/healthz", headers={"traceparent": header})
    assert response.status_code == 200
    trace_id, _span, flags = _traceparent(response)
    assert trace_id not in (TRACE, "0" * 32) and flags == "01"


def test_each_request_without_a_header_gets_its_own_trace(client):
    first, second = (_traceparent(client.get("/healthz"))[0] for _ in range(2))
    assert first != second


def test_errors_and_refusals_carry_the_trace_too(client):
    assert _traceparent(client.get("/bestaat-niet", headers={"traceparent": VALID}))[0] == TRACE
    assert _traceparent(client.get("/api/v1/cases", headers={"traceparent": VALID}))[0] == TRACE  # 401
    assert _traceparent(client.get("/casussen", headers={"traceparent": VALID}))[0] == TRACE  # to the login


def test_audit_events_of_the_request_store_its_trace_id(client, db, login_as):
    from casus.audit.models import AuditEvent

    login_as("privacy")
    response = client.get("/audit", headers={"traceparent": VALID})
    assert response.status_code == 200
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "audit.view")).scalar_one()
    assert event.trace_id == TRACE
    other = client.get("/audit")
    fresh = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "audit.view")
                               .order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
    assert fresh.trace_id == _traceparent(other)[0] != TRACE


def test_the_request_log_line_has_the_trace_id_next_to_the_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="casus.request"):
        client.get("/healthz", headers={"traceparent": VALID, "X-Request-ID": "trace-test-0001"})
    (line,) = [record for record in caplog.records if record.name == "casus.request"]
    assert (line.request_id, line.trace_id) == ("trace-test-0001", TRACE)


def test_through_gunicorn_the_trace_is_followed_and_logged_as_json(tmp_path):
    import httpx

    from processes import fresh_database, gunicorn, production_env

    with fresh_database(tmp_path) as url:
        env = production_env(url, CASUS_LOG_FORMAT="json")
        with gunicorn(env, tmp_path) as base:
            response = httpx.get(base + "/healthz", headers={"traceparent": VALID}, timeout=30)
            refused = httpx.get(base + "/healthz", headers={"traceparent": "00-nonsense"}, timeout=30)
    assert response.status_code == 200 and _traceparent(response)[0] == TRACE
    assert refused.status_code == 200 and _traceparent(refused)[0] != TRACE
    log = "\n".join(path.read_text() for path in tmp_path.glob("gunicorn-*.log"))
    lines = [json.loads(text) for text in log.splitlines() if text.startswith("{") and '"casus.request"' in text]
    assert any(line.get("trace_id") == TRACE and line.get("route") == "/healthz" for line in lines), log[-2000:]
