"""Pages of the voordrachten domain (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("voordrachten", __name__, url_prefix="/voordrachten")
