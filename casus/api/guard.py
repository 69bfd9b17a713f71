"""What every API request gets without asking: a bearer token with the scope the method needs (reads ``read``,
writes ``write``; the OpenAPI document is public), JSON bodies, no browser session read or written, and
``API-Version`` and ``WWW-Authenticate`` on the response."""

from __future__ import annotations

from flask import abort, current_app, g, request
from flask.sessions import SecureCookieSession, SessionInterface
from flask_login import current_user

from casus.api.blueprint import MULTIPART, has_body, takes_multipart
from casus.api_paths import is_api_path

PUBLIC_API_ENDPOINTS = frozenset({"api_docs.openapi_json"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class ApiSessionInterface(SessionInterface):
    """Keeps the browser session out of the API: a session cookie never authenticates an API call,
    and an API response never sets one. Other paths use the wrapped interface unchanged."""

    def __init__(self, inner: SessionInterface) -> None:
        self.inner = inner

    def open_session(self, app, request):
        if is_api_path(request.path):
            return SecureCookieSession()  # empty, and discarded at the end of the request
        return self.inner.open_session(app, request)

    def save_session(self, app, session, response):
        if is_api_path(request.path):
            return None
        return self.inner.save_session(app, session, response)


def guard_api_request():
    if not is_api_path(request.path) or request.endpoint in PUBLIC_API_ENDPOINTS or request.endpoint is None:
        return  # not the API, public, or answered by the 404/405 handlers
    if not current_user.is_authenticated:
        abort(401, description="A valid bearer token is required.")
    needed = "read" if request.method in READ_METHODS else "write"
    token = g.get("api_token")
    if token is None or needed not in token.scope_set:
        g.insufficient_scope = True
        abort(403, description=f"This token lacks the '{needed}' scope.")
    if request.method in BODY_METHODS and has_body() and not request.is_json:
        if not takes_multipart():
            abort(415, description="Send the request body as application/json.")
        if request.mimetype != MULTIPART:  # an upload: the file and its fields
            abort(415, description="Send the request body as multipart/form-data.")


def api_headers(response):
    if not is_api_path(request.path):
        return response
    response.headers["API-Version"] = current_app.config["API_VERSION"]
    if response.status_code == 401:
        # RFC 6750 §3: say why a presented token was refused.
        error = ', error="invalid_token"' if request.headers.get("Authorization") else ""
        response.headers["WWW-Authenticate"] = f'Bearer realm="casus"{error}'
    elif response.status_code == 403 and g.get("insufficient_scope"):
        response.headers["WWW-Authenticate"] = 'Bearer realm="casus", error="insufficient_scope"'
    return response
