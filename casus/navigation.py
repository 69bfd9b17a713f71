"""The navigation: each menu item asks a :mod:`casus.policy` predicate, the same one its page's own guard asks,
so a role rule lives only in the policy. And a guard against open redirects."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from casus import policy
from casus.users.models import User


def everyone(user: User) -> bool:
    """Every logged-in user has a dashboard."""
    return True


# (endpoint, label, who sees it)
NAV_ITEMS: tuple[tuple[str, object, Callable[[User], bool]], ...] = (
    ("main.index", _l("Dashboard"), everyone),
    ("signals.new", _l("Signaal melden"), policy.reports_signals),
    ("signals.index", _l("Signalen"), policy.can_see_cases),
    ("signals.triage_queue", _l("Triage"), policy.sees_triage_queue),
    ("cases.index", _l("Casussen"), policy.can_see_cases),
    ("meetings.index", _l("Overleggen"), policy.can_see_cases),
    ("approvals.index", _l("Akkoorden"), policy.sees_approval_queue),
    ("escalations.index", _l("Escalaties"), policy.sees_escalation_queue),
    ("voordrachten.index", _l("RIEC-voordrachten"), policy.sees_voordrachten),
    ("reports.index", _l("Rapportages"), policy.reads_reports),
    ("subject_requests.index", _l("Verzoeken betrokkenen"), policy.handles_privacy),
    ("retention.terms_index", _l("Bewaartermijnen"), policy.handles_privacy),
    ("destruction_lists.index", _l("Vernietigingslijsten"), policy.handles_privacy),
    ("declarations.index", _l("Verklaringen van vernietiging"), policy.handles_privacy),
    ("audit.index", _l("Auditlog"), policy.reads_audit_log),
    ("organisations.index", _l("Organisaties"), policy.administers),
    ("organisations.teams", _l("Teams"), policy.administers),
    ("users.index", _l("Gebruikers"), policy.administers),
    ("organisations.categories", _l("Categorieën"), policy.administers),
)


def menu_for(user: User) -> list[tuple[str, str]]:
    """(endpoint, label) of every menu item ``user`` may open."""
    return [(endpoint, str(label)) for endpoint, label, shown_to in NAV_ITEMS if shown_to(user)]


def nav_for_user() -> list[tuple[str, str]]:
    return menu_for(current_user) if current_user.is_authenticated else []


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
    # Templates that show or hide something by role ask the same predicates: {% if policy.administers(current_user) %}
    app.jinja_env.globals["policy"] = policy
