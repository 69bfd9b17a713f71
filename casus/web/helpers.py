"""What the case pages' templates share, whichever domain's view renders them (the case file's tabs live in
cases, plans, escalations and voordrachten; meetings and approvals show cases too): labels, the tabs, the masked
BSN and today. Each of those blueprints registers :func:`template_helpers` as its context processor."""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l

from casus import policy
from casus.cases.models import Case, LegalBasis, NoteVisibility, RiskLevel
from casus.clock import today
from casus.documents.queries import count_of_case as document_count
from casus.labels import enum_label
from casus.plans.models import GoalStatus
from casus.security import acting_user
from casus.subject_requests.restriction import is_restricted
from workflow import ActionStatus, CasePhase, ClosureResult, EscalationLevel, ParticipationRole

TABS = (
    ("cases.detail", _l("Overzicht")),
    ("cases.subjects", _l("Betrokkenen")),
    ("cases.partners", _l("Partners")),
    ("plans.plan", _l("Plan van aanpak")),
    ("assessments.page", _l("Leefgebieden")),
    ("nazorg.checkins", _l("Nazorg")),
    ("cases.notes", _l("Notities")),
    ("documents.for_case", _l("Documenten")),
    ("cases.timeline", _l("Tijdlijn")),
    ("escalations.for_case", _l("Escalaties")),
    ("voordrachten.for_case", _l("RIEC")),
)
# Tabs only the case's own team sees: its partners must not even learn that a RIEC voordracht exists.
MANAGER_TABS = frozenset({"voordrachten.for_case"})


def mask_bsn(bsn: str | None) -> str:
    return f"******{bsn[-3:]}" if bsn else ""


def case_tabs_for(case: Case) -> list[tuple[str, str]]:
    """The case file's tabs for the current user: the team-only ones for the case's managers alone."""
    user = acting_user()
    manages = policy.manages(user, case)
    tabs = [(endpoint, label) for endpoint, label in TABS if manages or endpoint not in MANAGER_TABS]
    # The Documenten tab says how many the reader may see (one count query).
    return [(endpoint, f"{label} ({document_count(user, case)})" if endpoint == "documents.for_case" else label)
            for endpoint, label in tabs]


def case_restricted(case: Case) -> bool:
    """A subject of ``case`` is under a beperking (the case file's banner): asked once per page and case."""
    known = g.setdefault("casus_restricted_cases", {})
    if case.id not in known:
        known[case.id] = is_restricted(case.id)
    return known[case.id]


def template_helpers() -> dict:
    return {
        "phase_label": lambda value: enum_label(CasePhase, value),
        "escalation_label": lambda value: enum_label(EscalationLevel, value),
        "result_label": lambda value: enum_label(ClosureResult, value),
        "role_label": lambda value: enum_label(ParticipationRole, value),
        "action_status_label": lambda value: enum_label(ActionStatus, value),
        "goal_status_label": lambda value: enum_label(GoalStatus, value),
        "risk_label": lambda value: enum_label(RiskLevel, value),
        "legal_basis_label": lambda value: enum_label(LegalBasis, value),
        "visibility_label": lambda value: enum_label(NoteVisibility, value),
        "mask_bsn": mask_bsn,
        "case_tabs_for": case_tabs_for,
        "case_restricted": case_restricted,
        "today": today,
    }
