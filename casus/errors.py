"""Error responses: Dutch HTML pages for people, RFC 9457 problem+json for the API, never a trace."""

from __future__ import annotations

import logging
from contextlib import suppress

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES

from casus.api_paths import is_api_request
from casus.audit.services import rollback_keeping_audit
from casus.auth.throttling import ThrottleUnavailable
from casus.database import SNAPSHOT_CONFLICT
from casus.edge import INT32_MAX, RefusedInput, load_json
from casus.extensions import db, login_manager
from casus.services import ServiceError
from workflow import TransitionRefused

log = logging.getLogger(__name__)
LOCKED = 423  # a case under a beperking refuses changes (casus.subject_requests.restriction)

# Page titles per status, in the user's language (an API problem's title: problem_title).
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
    423: _l("Verwerking beperkt"),
    429: _l("Te veel verzoeken"),
    500: _l("Er ging iets mis"),
    503: _l("Casus is tijdelijk niet beschikbaar"),
}


# Problem titles in Dutch and English, by the English phrase the handlers pass (the HTTP status phrase, or
# "Transition refused"): the title is in the request's language like the rest of the answer, for every status.
REFUSED_TITLE = "Transition refused"
_PROBLEM_TITLES_NL = {
    "Bad Request": "Ongeldig verzoek",
    "Unauthorized": "Niet aangemeld",
    "Forbidden": "Geen toegang",
    "Not Found": "Niet gevonden",
    "Method Not Allowed": "Methode niet toegestaan",
    "Not Acceptable": "Antwoordformaat niet beschikbaar",
    "Conflict": "Conflict",
    "Gone": "Verdwenen",
    "Precondition Failed": "Voorwaarde niet vervuld",
    "Request Entity Too Large": "Verzoek te groot",
    "Request URI Too Large": "Adres te lang",
    "Unsupported Media Type": "Inhoudstype niet ondersteund",
    "Unprocessable Entity": "Onverwerkbare invoer",
    "Locked": "Verwerking beperkt",
    "Precondition Required": "Voorwaarde vereist",
    "Too Many Requests": "Te veel verzoeken",
    "Internal Server Error": "Interne fout",
    "Service Unavailable": "Tijdelijk niet beschikbaar",
    REFUSED_TITLE: "Stap geweigerd",
}


def problem_locale() -> str:
    """The language of an API answer: the request's Accept-Language when it names one Casus speaks, else the
    user's language (casus.i18n), Dutch by default."""
    if request.accept_languages:
        best = request.accept_languages.best_match(["nl", "en"])
        if best:
            return best
    # Only a user already loaded for this request counts: a problem must never cost a token lookup (hostile input
    # is refused before any query).
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False) and user.locale in ("nl", "en"):
        return user.locale
    try:
        return current_app.config["CASUS"].default_locale
    except (RuntimeError, KeyError):  # no app context or configuration (an error before set-up)
        return "nl"


def problem_title(title: str) -> str:
    """``title`` (the English phrase) in the request's language."""
    if problem_locale() == "en":
        return title
    return _PROBLEM_TITLES_NL.get(title, title)


def problem(status: int, title: str, detail: str, **extra):
    """An ``application/problem+json`` response as RFC 9457 and the Dutch API rules describe; ``title`` is the
    English phrase, answered in the request's language."""
    body = {"type": "about:blank", "status": status, "title": problem_title(title), "detail": detail, **extra}
    body.setdefault("instance", request.path)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def refused_problem(refused: TransitionRefused):
    """409 naming every failing guard. The refusal itself is recorded (TransitionLog, audit) and commits."""
    messages = refused.messages(problem_locale())
    return problem(409, REFUSED_TITLE, " ".join(messages) or "The workflow refused this step.",
                   failedGuards=list(refused.codes), trigger=refused.trigger)


def handle_http_exception(error: HTTPException):
    if error.code and error.code >= 500:
        rollback_keeping_audit(error.code)
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
    """A refused change: problem+json for the API. In a page it means a view forgot to catch it — except a locked
    case (423, a beperking: casus.subject_requests.restriction), refused in the flush of any change, which a page
    shows as such."""
    if not is_api_request():
        if error.status == LOCKED:
            rollback_keeping_audit(LOCKED)
            return _page(LOCKED, error.message)
        return handle_unexpected(error)
    status = error.status if 400 <= error.status < 500 else 400
    rollback_keeping_audit(status)
    extra = {}
    if error.field and status == 400:
        extra["invalidParams"] = [{"name": api_param_name(error.field), "reason": error.message}]
    if getattr(error, "current_version", None) is not None:  # a stale version: what is stored now
        extra["currentVersion"] = error.current_version
    return problem(status, HTTP_STATUS_CODES.get(status, "Bad Request"), error.message, **extra)


def handle_stale_data(error: StaleDataError):
    """Two writers raced on one versioned row and this one lost (optimistic locking): nothing was
    changed, the same answer as a stale ``version`` — 409, never a 500."""
    rollback_keeping_audit(409)
    if is_api_request():
        return problem(409, "Conflict", "The resource was changed by someone else at the same time; "
                                        "fetch it again and retry. Nothing was changed.")
    return _page(409, _("Deze gegevens zijn intussen door iemand anders gewijzigd. Laad de pagina opnieuw."))


def api_param_name(field: str) -> str:
    """The API's name for the field a service refused: the request schema's field that loads into it (a service's
    ``signed_on`` is the participant invitation's ``confidentialitySignedOn``), else the field in camelCase."""
    for schema in _request_schemas():
        for name, schema_field in schema.fields.items():
            if (schema_field.attribute or name) == field:
                return schema_field.data_key or name
    return _camel(field)


def _request_schemas():
    """The marshmallow schemas the current endpoint reads its input with (flask-smorest's ``arguments``)."""
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, request.method.lower(), None) if view_class is not None else view
    for parameter in getattr(handler, "_apidoc", {}).get("arguments", {}).get("parameters", []):
        schema = parameter.get("schema") if isinstance(parameter, dict) else None
        if isinstance(schema, type):
            schema = schema()
        if schema is not None and hasattr(schema, "fields"):
            yield schema


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def handle_csrf_error(error: CSRFError):
    if is_api_request():
        return problem(400, "Bad Request", "CSRF validation failed.")
    return _page(400, _("Het formulier was verlopen of ongeldig. Laad de pagina opnieuw en probeer het nog eens."))


def _forget_user() -> None:
    """Render the error page as anonymous: loading the user may be exactly what failed."""
    if "_login_user" not in g:
        g._login_user = login_manager.anonymous_user()


# --- database errors: what they mean for the caller ---------------------------------------------------------------
# Only an error of the connection (or of the database as a whole) is "not available" (503, Retry-After); a value the
# database refuses is the request's fault (400), a constraint or a concurrent transaction that won is a conflict
# (409), anything else a bug (500). Never the message: it quotes the statement (and, unhidden, its values).
UNAVAILABLE, INVALID, CONFLICT, BROKEN = "unavailable", "invalid", "conflict", "broken"
RETRY_AFTER_SECONDS = 30
# PostgreSQL SQLSTATE classes: connection exception, insufficient resources, operator intervention (shutdown,
# statement timeout), system error; 55P03 a lock timeout. Class 40: a serialization failure or deadlock.
_PG_UNAVAILABLE = ("08", "53", "57", "58", "55P03")
_PG_CONFLICT = ("40",)
# SQLite result codes (sqlite3 errors' sqlite_errorname; extended codes start with these) meaning "not now".
_SQLITE_UNAVAILABLE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_FULL",
                       "SQLITE_NOMEM", "SQLITE_READONLY", "SQLITE_PROTOCOL", "SQLITE_CORRUPT", "SQLITE_NOTADB")


def classify_database_error(error: DBAPIError) -> str:
    """``unavailable`` (503), ``invalid`` (400), ``conflict`` (409) or ``broken`` (500)."""
    if error.connection_invalidated or isinstance(error, InterfaceError):
        return UNAVAILABLE
    if isinstance(error, IntegrityError):
        return CONFLICT
    if isinstance(error, DataError):  # PostgreSQL class 22: NUL, out of range, bad encoding, too long, ...
        return INVALID
    if isinstance(error, OperationalError):
        sqlstate = getattr(error.orig, "sqlstate", None)
        sqlite_name = getattr(error.orig, "sqlite_errorname", None)
        if sqlstate:
            return CONFLICT if sqlstate.startswith(_PG_CONFLICT) else (
                UNAVAILABLE if sqlstate.startswith(_PG_UNAVAILABLE) else BROKEN)
        if sqlite_name:
            return UNAVAILABLE if sqlite_name.startswith(_SQLITE_UNAVAILABLE) else BROKEN  # no such table: a bug
        return UNAVAILABLE  # no code at all: the connection never came about
    return BROKEN


def handle_database_error(error: DBAPIError):
    kind = classify_database_error(error)
    if kind == UNAVAILABLE or request.environ.get(SNAPSHOT_CONFLICT):
        return handle_database_down(error)
    if kind == BROKEN:
        return handle_unexpected(error)
    status = 409 if kind == CONFLICT else 400
    rollback_keeping_audit(status)
    _forget_user()
    log.warning("database refused the request (%s): %s", kind, type(error).__name__,
                extra={"request_id": g.get("request_id", "-"), "exc_type": type(error).__name__,
                       "sqlstate": getattr(error.orig, "sqlstate", None)})
    if kind == CONFLICT:
        if is_api_request():
            return problem(409, "Conflict", "The change conflicts with data stored meanwhile (a duplicate, or a "
                                            "concurrent change that won). Nothing was changed; fetch the resource "
                                            "again and retry.")
        return _page(409, _("Dit botst met gegevens die intussen zijn opgeslagen, bijvoorbeeld doordat iemand "
                            "anders tegelijk hetzelfde deed. Er is niets gewijzigd. Laad de pagina opnieuw."))
    if is_api_request():
        params = _suspect_params()
        return problem(400, "Bad Request", "A value in the request cannot be stored"
                       + ("; see invalidParams." if params else ". Nothing was changed."),
                       **({"invalidParams": params} if params else {}))
    return _page(400, _("Een van de ingevulde waarden kan niet worden opgeslagen. Er is niets gewijzigd; "
                        "controleer de invoer en probeer het opnieuw."))


def answer_failed_commit(error: DBAPIError):
    """The request's own commit failed (``security._commit_request``): the answer a view's failure gets. The audit
    events a refusal keeps are already written in a transaction of their own (``rollback_keeping_audit``); what the
    answer recorded after that commits here."""
    response = current_app.make_response(handle_database_error(error))
    if response.status_code < 500:
        try:
            db.session.commit()
        except DBAPIError as again:
            db.session.rollback()
            log.error("audit events of a refused request not written: %s", type(again).__name__,
                      extra={"request_id": g.get("request_id", "-"), "exc_type": type(again).__name__})
    return response


def _suspect_params() -> list[dict[str, str]]:
    """The inputs that plausibly made the database refuse a value: integers beyond an INTEGER column. By name only
    (what the caller sent), never by value."""
    found = {key for key, value in request.args.items(multi=True) if _beyond_integer_column(value)}
    if request.is_json:
        with suppress(ValueError, RefusedInput):
            stack = [(load_json(request.get_data(cache=True)), [])]
            while stack:
                node, path = stack.pop()
                if isinstance(node, dict | list):
                    items = node.items() if isinstance(node, dict) else enumerate(node)
                    stack.extend((value, [*path, str(key)]) for key, value in items)
                elif _beyond_integer_column(node):
                    found.add(".".join(path) or "body")
    return [{"name": name, "reason": "Out of range for this field."} for name in sorted(found)]


def _beyond_integer_column(value) -> bool:
    if isinstance(value, str):
        value = value.strip()
        if not value.lstrip("-").isdigit() or len(value) > 40:
            return False
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and not -INT32_MAX - 1 <= value <= INT32_MAX


def handle_database_down(error: Exception):
    db.session.rollback()
    _forget_user()
    if request.environ.get(SNAPSHOT_CONFLICT):  # not down: RetryStaleSnapshot runs the page view again
        log.info("stale SQLite read snapshot: page view retried with the write lock at BEGIN")
    else:
        # The type only: a DBAPI error's message quotes the statement (and, were parameters not hidden, its values).
        log.error("database unavailable: %s", type(error).__name__,
                  extra={"request_id": g.get("request_id", "-"), "exc_type": type(error).__name__})
    response = current_app.make_response(handle_http_exception(
        ServiceUnavailable("The database is not available.", retry_after=RETRY_AFTER_SECONDS)))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


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
    rollback_keeping_audit(500)  # the change is undone, the attempt stays audited
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
    show_detail = detail if status in (400, 409, 413, 414, LOCKED, 429) else None
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


_LOCATIONS = frozenset({"json", "query", "querystring", "form", "json_or_form", "headers", "files", "cookies",
                        "multipart"})


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(ThrottleUnavailable, handle_throttle_unavailable)
    app.register_error_handler(RefusedInput, handle_refused_input)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(Exception, handle_unexpected)
