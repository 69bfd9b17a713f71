"""Where the API lives: ``/api/v1``, and the rule that tells an API request from a page request.

Pages and the API answer differently (a Dutch page or problem+json, a session or a bearer token), and the
decision is taken in several places — ``errors``, ``security``, and ``casus.api`` itself before routing. It lives
here, below all of them, so each imports it downward.
"""

from __future__ import annotations

from flask import request

API_PREFIX = "/api/v1"


def is_api_path(path: str) -> bool:
    return path == API_PREFIX or path.startswith("/api/")


def is_api_request() -> bool:
    """The current request is for the API."""
    return is_api_path(request.path)
