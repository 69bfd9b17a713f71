"""Error responses: Dutch HTML pages for people, RFC 9457 problem+json for the API, never a trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from casus.extensions import db
from casus.security import is_api_request

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


def handle_http_exception(error: HTTPException):
    if error.code and error.code >= 500:
        db.session.rollback()
    if is_api_request():
        extra = {}
        errors = getattr(error, "data", {}).get("errors") if hasattr(error, "data") else None
        if errors:
            extra["invalidParams"] = _invalid_params(errors)
        detail = getattr(error, "description", "") or error.name
        return problem(error.code or 500, error.name, detail, **extra)
    return _page(error.code or 500, getattr(error, "description", None))


def handle_csrf_error(error: CSRFError):
    if is_api_request():
        return problem(400, "Bad Request", "CSRF validation failed.")
    return _page(400, _("Het formulier was verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog eens."))


def handle_database_down(error: Exception):
    db.session.rollback()
    log.error("database unavailable: %s", type(error).__name__)
    return handle_http_exception(ServiceUnavailable("The database is not available."))


def handle_unexpected(error: Exception):
    db.session.rollback()
    # Only the exception type is logged with a trace of where, never request data (personal data).
    log.exception("unhandled %s", type(error).__name__)
    return handle_http_exception(InternalServerError("An unexpected error occurred."))


def _page(status: int, detail: str | None):
    title = str(_PAGE_TITLES.get(status, _PAGE_TITLES[500]))
    show_detail = detail if status in (400, 409, 413, 429) else None
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
                flat.append({"name": ".".join(p for p in path if p not in ("json", "query", "form")),
                             "reason": reason})
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, [*path, str(index)])
        else:
            flat.append({"name": ".".join(path), "reason": str(node)})

    walk(errors, [])
    return flat


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(DBAPIError, handle_database_down)
    app.register_error_handler(Exception, handle_unexpected)
