"""Error responses: Dutch HTML pages for people, RFC 9457 problem+json for the API, never a trace."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES

from casus.auth.throttling import ThrottleUnavailable
from casus.edge import RefusedInput
from casus.extensions import db
from casus.security import is_api_request
from casus.services import ServiceError
from workflow import TransitionRefused

log = logging.getLogger(__name__)

# Titles per status, in the user's language (API problems are always English, as ADR asks).
_PAGE_TITLES = {
    400: _l("Het verzoek kon niet worden verwerkt"),
    401: _l("Inloggen vereist"),
    403: _l("Geen toegang"),
    404: _l("Pagina niet gevonden"),
    405: _l("Deze handeling is hier niet mogelijk"),
    409: _l("Conflict"),
    413: _l("Het verzoek is te groot"),
    414: _l("Het adres is te lang"),
    422: _l("Onjuiste invoer"),
    429: _l("Te veel verzoeken"),
    500: _l("Er ging iets mis"),
    503: _l("Casus is tijdelijk niet beschikbaar"),
}


def problem(status: int, title: str, detail: str, **extra):
    """An ``application/problem+json`` response as RFC 9457 and the Dutch API rules describe."""
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail, **extra}
    body.setdefault("instance", request.path)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def refused_problem(refused: TransitionRefused):
    """409 naming every failing guard. The refusal itself is recorded (TransitionLog, audit) and commits."""
    from casus.i18n import current_locale

    messages = refused.messages(current_locale())
    return problem(409, "Transition refused", " ".join(messages) or "The workflow refused this step.",
                   failedGuards=list(refused.codes), trigger=refused.trigger)


def handle_http_exception(error: HTTPException):
    if error.code and error.code >= 500:
        db.session.rollback()
    if is_api_request():
        return _api_problem(error)
    return _page(error.code or 500, getattr(error, "description", None))


def _api_problem(error: HTTPException):
    """``error`` as problem+json. Validation errors (webargs puts them in ``data["messages"]``,
    ``flask_smorest.abort(..., errors=...)`` in ``data["errors"]``) become ``invalidParams``."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    extra = {}
    errors = data.get("errors") or data.get("messages")
    if errors:
        extra["invalidParams"] = _invalid_params(errors)
    if data.get("message"):
        detail = str(data["message"])
    elif errors:
        detail = "The request contains invalid input; see invalidParams."
    else:
        detail = getattr(error, "description", "") or error.name
    response = problem(status, error.name, detail, **extra)
    # Headers the status calls for (Allow on 405, Retry-After on 429/503, ...), never a Content-Type.
    for name, value in [*error.get_headers(), *dict(data.get("headers") or {}).items()]:
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_service_error(error: ServiceError):
    """A refused change: problem+json for the API; in a page it means a view forgot to catch it."""
    if not is_api_request():
        return handle_unexpected(error)
    db.session.rollback()
    status = error.status if 400 <= error.status < 500 else 400
    extra = {}
    if error.field and status == 400:
        extra["invalidParams"] = [{"name": _camel(error.field), "reason": error.message}]
    if getattr(error, "current_version", None) is not None:  # a stale version: what is stored now
        extra["currentVersion"] = error.current_version
    return problem(status, HTTP_STATUS_CODES.get(status, "Bad Request"), error.message, **extra)


def handle_stale_data(error: StaleDataError):
    """Two writers raced on one versioned row and this one lost (optimistic locking): nothing was
    changed, the same answer as a stale ``version`` — 409, never a 500."""
    db.session.rollback()
    if is_api_request():
        return problem(409, "Conflict", "The resource was changed by someone else at the same time; "
                                        "fetch it again and retry. Nothing was changed.")
    return _page(409, _("Deze gegevens zijn intussen door iemand anders gewijzigd. Laad de pagina opnieuw."))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def handle_csrf_error(error: CSRFError):
    if is_api_request():
        return problem(400, "Bad Request", "CSRF validation failed.")
    return _page(400, _("Het formulier was verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog eens."))


def _forget_user() -> None:
    """Render the error page as anonymous: loading the user may be exactly what failed."""
    from flask import g

    from casus.extensions import login_manager

    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()


def handle_database_down(error: Exception):
    from casus.database import SNAPSHOT_CONFLICT

    db.session.rollback()
    _forget_user()
    if request.environ.get(SNAPSHOT_CONFLICT):  # not down: RetryStaleSnapshot runs the page view again
        log.info("stale SQLite read snapshot: page view retried with the write lock at BEGIN")
    else:
        # The type only: a DBAPI error's message quotes the statement (and, were parameters not hidden, its values).
        log.error("database unavailable: %s", type(error).__name__,
                  extra={"request_id": g.get("request_id", "-"), "exc_type": type(error).__name__})
    return handle_http_exception(ServiceUnavailable("The database is not available."))


def handle_refused_input(error: RefusedInput):
    """Input refused at the edge (casus.edge): nothing of it reached a view or the database."""
    if is_api_request():
        extra = {"invalidParams": error.params} if error.params else {}
        return problem(error.code, HTTP_STATUS_CODES[error.code], error.description, **extra)
    return _page(error.code, str(error.page_detail))


def handle_throttle_unavailable(error: ThrottleUnavailable):
    """Redis (the shared login throttle) does not answer: nobody logs in unthrottled, so nobody logs in now."""
    db.session.rollback()
    log.error("login throttling unavailable: %s", error.cause,
              extra={"request_id": g.get("request_id", "-"), "exc_type": error.cause})
    if is_api_request():
        response = problem(503, "Service Unavailable",
                           "Logging in is temporarily not possible. Please try again in a few minutes.")
    else:
        title = _("Inloggen is tijdelijk niet mogelijk")
        detail = _("Inloggen is tijdelijk niet mogelijk. Probeer het over enkele minuten opnieuw.")
        response = current_app.make_response(
            (render_template("errors/error.html", status=503, title=title, detail=detail), 503))
    response.headers["Retry-After"] = "60"
    return response


def handle_unexpected(error: Exception):
    db.session.rollback()
    _forget_user()
    # The type and the request id only: the message (and so a traceback) can quote user input. A traceback only in
    # development with CASUS_DEBUG_LOGS=true.
    cfg = current_app.config["CASUS"]
    request_id = g.get("request_id", "-")
    log.error("unhandled %s in request %s", type(error).__name__, request_id,
              extra={"request_id": request_id, "exc_type": type(error).__name__},
              exc_info=error if cfg.log_tracebacks else None)
    return handle_http_exception(InternalServerError("An unexpected error occurred."))


def _page(status: int, detail: str | None):
    title = str(_PAGE_TITLES.get(status, _PAGE_TITLES[500]))
    show_detail = detail if status in (400, 409, 413, 414, 429) else None
    return render_template("errors/error.html", status=status, title=title, detail=show_detail), status


def _invalid_params(errors) -> list[dict[str, str]]:
    """Flatten webargs/marshmallow error dicts to the ADR's ``invalidParams`` list."""
    flat: list[dict[str, str]] = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, [*path, str(key)])
        elif isinstance(node, list) and node and all(isinstance(item, str) for item in node):
            for reason in node:
                flat.append({"name": _param_name(path), "reason": reason})
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, [*path, str(index)])
        else:
            flat.append({"name": _param_name(path), "reason": str(node)})

    walk(errors, [])
    return flat


def _param_name(path: list[str]) -> str:
    """``["json", "organisation", "id"]`` -> ``organisation.id``; the body as a whole is ``body``."""
    parts = path[1:] if path and path[0] in _LOCATIONS else path
    return ".".join(part for part in parts if part != "_schema") or "body"


_LOCATIONS = frozenset({"json", "query", "querystring", "form", "json_or_form", "headers", "files", "cookies"})


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(ThrottleUnavailable, handle_throttle_unavailable)
    app.register_error_handler(RefusedInput, handle_refused_input)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(DBAPIError, handle_database_down)
    app.register_error_handler(Exception, handle_unexpected)
