"""Input the database cannot hold is refused at the edge, before any query runs (docs/API.md, "Limits").

Without these checks a value the database refuses (a NUL character in a search term, an id beyond the
column's range) reached the database and came back as an error — once answered as "database not available".

* **ids in URLs**: the app's ``int`` converter (:class:`IdConverter`) stops at the range of an integer column
  (at most 2³¹−1); a larger id is not a route, so it answers 404 like any id that does not exist. Routes to a
  ``BIGINT`` table's rows say ``<bigint:id>`` (at most 2⁶³−1).
* **strings**: no NUL character (PostgreSQL text cannot hold it) and no lone surrogate (it has no UTF-8 form),
  in the query string, form fields, path segments and JSON bodies: ``400``.
* **JSON bodies** (:func:`load_json`, used by the API's parser): nested at most :data:`MAX_JSON_DEPTH` deep, no
  ``NaN``/``Infinity``, and the string rule above: ``400`` naming the offending input.
* **the query string**: at most :data:`MAX_QUERY_BYTES` bytes: ``414``.
* **dates**: :data:`DATE_MIN` … :data:`DATE_MAX` — see :class:`casus.web.fields.DutchDateField` and
  :class:`casus.api.schemas.InputSchema`, which apply :func:`date_in_window`.

Nothing here logs the refused input (or any of the request): a refusal is a 4xx like any other.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

INT32_MAX = 2**31 - 1  # INTEGER columns (every id but those of audit events, notifications and timeline lines)
BIGINT_MAX = 2**63 - 1
MAX_JSON_DEPTH = 32
MAX_QUERY_BYTES = 4096
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)

FORBIDDEN_CHARACTERS = re.compile("[\x00\ud800-\udfff]")  # NUL, and surrogates (only lone ones survive decoding)
_NO_NUL = "Must not contain a NUL character or an unpaired surrogate."


class IdConverter(IntegerConverter):
    """``<int:id>``: digits, at most :data:`INT32_MAX` unless the rule says ``max=``."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = INT32_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BigIdConverter(IdConverter):
    """``<bigint:id>``: the id of a ``BIGINT`` column (notifications), at most :data:`BIGINT_MAX`."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = BIGINT_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class RefusedInput(HTTPException):
    """A request refused at the edge: ``detail`` (English) for the API with ``params`` as ``invalidParams``,
    ``page_detail`` (Dutch, translated) for a page. Answered by :func:`casus.errors.handle_refused_input`."""

    code = 400

    def __init__(self, detail: str, page_detail, *, params: list[dict[str, str]] | None = None,
                 status: int = 400) -> None:
        super().__init__(description=detail)
        self.code = status
        self.page_detail = page_detail
        self.params = params or []


BAD_CHARACTERS = _l("Het verzoek bevat een teken dat niet is toegestaan (zoals een nul-teken). Er is niets "
                    "gewijzigd.")
TOO_LONG = _l("Het adres van deze pagina is te lang.")
TOO_DEEP = _l("Het verzoek is te diep genest.")


def has_forbidden_characters(text: str) -> bool:
    return FORBIDDEN_CHARACTERS.search(text) is not None


def printable(name: str) -> str:
    """``name`` (an input's name, echoed in ``invalidParams``) with the forbidden characters replaced."""
    return FORBIDDEN_CHARACTERS.sub("\ufffd", name)


def date_in_window(value: date | datetime) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return DATE_MIN <= day <= DATE_MAX


# Room for the form fields around an uploaded file (title, type, …) and the multipart framing.
UPLOAD_FORM_BYTES = 256 * 1024


# --- the request: query string, form fields, path segments ----------------------------------------------------

def takes_uploads(view):
    """Mark a view (function or MethodView class) that takes a document upload: its multipart body may be as large
    as ``CASUS_DOCUMENT_MAX_BYTES`` and the form around it, beyond ``CASUS_MAX_CONTENT_LENGTH``."""
    view.takes_uploads = True
    return view


def _allow_uploads() -> None:
    """Raise this request's body limit for a view that takes uploads, before anything reads the body."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "takes_uploads", False) or getattr(getattr(view, "view_class", None), "takes_uploads", False):
        limit = current_app.config["CASUS"].document_max_bytes + UPLOAD_FORM_BYTES
        request.max_content_length = max(limit, current_app.config.get("MAX_CONTENT_LENGTH") or 0)


def check_request() -> None:
    """before_request: the query string's length and the characters of every query, form and path value."""
    if request.mimetype == "multipart/form-data":
        _allow_uploads()
    if len(request.query_string) > MAX_QUERY_BYTES:
        raise RefusedInput(f"The query string is longer than {MAX_QUERY_BYTES} bytes.", TOO_LONG, status=414)
    params = [*_bad_values(request.args), *_bad_values(request.view_args or {})]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        params += _bad_values(request.form)
    if params:
        raise RefusedInput("The request contains a character that is not allowed; see invalidParams.",
                           BAD_CHARACTERS, params=params)


def _bad_values(values) -> list[dict[str, str]]:
    items = values.items(multi=True) if hasattr(values, "getlist") else values.items()
    return [{"name": printable(str(key)), "reason": _NO_NUL} for key, value in items
            if has_forbidden_characters(str(key)) or (isinstance(value, str) and has_forbidden_characters(value))]


# --- JSON bodies ---------------------------------------------------------------------------------------------------

def load_json(data: bytes | str):
    """Parse a JSON body strictly: malformed JSON raises ``json.JSONDecodeError`` (answered as such by the
    parser); a forbidden character, a constant such as ``NaN``, or nesting deeper than :data:`MAX_JSON_DEPTH`
    raises :class:`RefusedInput` naming where."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            # Not "" as the document: webargs takes an error in an empty document for "no body".
            raise json.JSONDecodeError(f"Not UTF-8: {error.reason}", "<bytes>", error.start) from None
    else:
        text = data
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise _refused_json([], f"Nested deeper than {MAX_JSON_DEPTH} levels.", TOO_DEEP) from None
    except ValueError as error:
        if isinstance(error, json.JSONDecodeError):
            raise
        raise _refused_json([], "Not a number JSON can carry here.", BAD_CHARACTERS) from None
    _check_json(value)
    return value


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("number out of range")
    return number


def _check_json(value) -> None:
    """Walk the parsed body without recursion: depth, and the characters of every key and string."""
    stack = [(value, [], 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict | list) and depth > MAX_JSON_DEPTH:
            raise _refused_json(path, f"Nested deeper than {MAX_JSON_DEPTH} levels.", TOO_DEEP)
        if isinstance(node, dict):
            for key, item in node.items():
                if has_forbidden_characters(key):
                    raise _refused_json([*path, key], _NO_NUL, BAD_CHARACTERS)
                stack.append((item, [*path, key], depth + 1))
        elif isinstance(node, list):
            stack.extend((item, [*path, str(index)], depth + 1) for index, item in enumerate(node))
        elif isinstance(node, str) and has_forbidden_characters(node):
            raise _refused_json(path, _NO_NUL, BAD_CHARACTERS)


def _refused_json(path: list[str], reason: str, page_detail) -> RefusedInput:
    name = printable(".".join(path)) or "body"
    return RefusedInput("The request contains invalid input; see invalidParams.", page_detail,
                        params=[{"name": name, "reason": reason}])


def init_app(app: Flask) -> None:
    """Before any blueprint: the converter is looked up when a rule is added."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["bigint"] = BigIdConverter
    app.before_request(check_request)
