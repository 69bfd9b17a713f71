"""Pages of the escalations domain (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("escalations", __name__, url_prefix="")
