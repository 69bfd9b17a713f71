"""The navigation shown per role, and a guard against open redirects."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# (endpoint, label, roles that see it; empty = every logged-in user)
NAV_ITEMS = (
    ("main.index", _l("Dashboard"), ()),
    ("signals.new", _l("Signaal melden"), ("partner", "procesregisseur", "supervisor")),
    ("signals.index", _l("Signalen"), ("partner", "procesregisseur", "supervisor", "riec")),
    ("signals.triage_queue", _l("Triage"), ("procesregisseur", "supervisor")),
    ("cases.index", _l("Casussen"), ("partner", "procesregisseur", "supervisor", "riec")),
    ("meetings.index", _l("Overleggen"), ("procesregisseur", "supervisor", "partner", "riec")),
    ("approvals.index", _l("Akkoorden"), ("procesregisseur", "supervisor")),
    ("escalations.index", _l("Escalaties"), ("procesregisseur", "supervisor")),
    ("voordrachten.index", _l("RIEC-voordrachten"), ("procesregisseur", "supervisor", "riec")),
    ("reports.index", _l("Rapportages"), ("supervisor",)),
    ("audit.index", _l("Auditlog"), ("privacy",)),
    ("organisations.index", _l("Organisaties"), ("beheerder",)),
    ("organisations.teams", _l("Teams"), ("beheerder",)),
    ("users.index", _l("Gebruikers"), ("beheerder",)),
    ("organisations.categories", _l("Categorieën"), ("beheerder",)),
)


def nav_for_user() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    known = current_app.view_functions
    return [(endpoint, str(label)) for endpoint, label, roles in NAV_ITEMS
            if endpoint in known and (not roles or current_user.has_role(*roles))]


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login or a language switch."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def init_app(app: Flask) -> None:
    app.jinja_env.globals["nav_for_user"] = nav_for_user
