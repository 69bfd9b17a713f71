"""Cross-cutting request security: who the caller is, what every response carries, what is public.

Login is required everywhere except the short allowlist below; the API authenticates with its
own bearer tokens and never with the browser session, so it needs no CSRF token.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from functools import wraps

from flask import Flask, abort, g, make_response, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import DBAPIError

from casus.api.auth import user_from_bearer
from casus.api_paths import is_api_request
from casus.audit.services import rollback_keeping_audit
from casus.auth.sessions import load_session_user
from casus.errors import answer_failed_commit, handle_service_error
from casus.extensions import db, login_manager
from casus.services import ServiceError
from casus.tracing import assign as assign_trace
from casus.tracing import response_header as traceparent

# Endpoints anyone may reach. Everything else needs a logged-in user (or, for /api, a token).
PUBLIC_ENDPOINTS = frozenset({
    "static",
    "main.healthz",
    "main.readyz",
    "metrics.metrics",  # not public all the same: allowed networks or a bearer token, else 404 (casus.metrics)
    "main.accessibility",
    "main.set_language",
    "auth.login",
    "auth.totp",
    "auth.enrol",
    "auth.sso_start",
    "auth.sso_callback",
    "calendar.feed",  # authenticates by its own secret token, like the API
})

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def init_app(app: Flask) -> None:
    login_manager.session_protection = None  # sessions are bound server-side instead
    login_manager.login_view = "auth.login"
    login_manager.request_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_assign_request_id)
    app.before_request(_require_login)
    app.after_request(_commit_request)
    app.after_request(_security_headers)


def _load_user(req):
    if is_api_request():
        return user_from_bearer(req)
    return load_session_user()


def _unauthorized():
    if is_api_request():
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))


def _assign_request_id() -> None:
    """Once per request (casus.logs asks first, before the API guard may answer); the W3C trace id with it."""
    known = request.environ.get("casus.request_id")
    if known is None:
        incoming = request.headers.get("X-Request-ID", "")
        known = request.environ["casus.request_id"] = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_id = known
    assign_trace()


assign_request_id = _assign_request_id


def _require_login():
    endpoint = request.endpoint or ""
    if endpoint in PUBLIC_ENDPOINTS or is_api_request():
        return None
    if request.endpoint is None:
        return None  # 404/405 are answered by the error handlers, without revealing anything
    if not current_user.is_authenticated:
        return _unauthorized()
    return None


def _commit_request(response):
    """One commit per request: services only flush; failures roll everything back but the audit events, which
    are written in a transaction of their own (``rollback_keeping_audit``)."""
    if response.status_code >= 500:
        rollback_keeping_audit(response.status_code)
        return response
    try:
        # Flushed first, outside the commit: a flush listener that refuses the change (a beperking's 423) may then
        # roll the session back itself, which it cannot do from inside a commit.
        db.session.flush()
        db.session.commit()
    except DBAPIError as error:  # refused at the last moment (a duplicate key, a value): answered like in a view
        return _security_headers(answer_failed_commit(error))
    except ServiceError as error:  # refused in the commit's own flush (a beperking's 423): answered like in a view
        return _security_headers(make_response(handle_service_error(error)))
    except Exception:
        rollback_keeping_audit(500)  # before the error handlers: the rollback would make the request forget them
        raise
    return response


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    headers["X-Request-ID"] = g.get("request_id", "")
    trace = traceparent()
    if trace:
        headers["traceparent"] = trace
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if request.endpoint != "static":
        # Personal data must never linger in a shared or browser cache (a download's "private, no-store" stays).
        if "no-store" not in headers.get("Cache-Control", ""):
            headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def acting_user():
    """The logged-in user as the model object (services take it as an argument, not the proxy)."""
    return current_user._get_current_object()


def requires(allowed: Callable[..., bool]):
    """Allow the view only to users for whom ``allowed(user)`` holds — a :mod:`casus.policy` predicate, the same
    one the menu asks (so a role rule lives in the policy alone); others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _unauthorized()
            if not allowed(acting_user()):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
