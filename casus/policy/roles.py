"""Who may do what, by role: the predicates every page guard, menu item, service and template asks.

Part of the policy (casus.policy re-exports every name here): roles alone, no query. What a user may *see* is
the scopes' business, in casus/policy/__init__.py.
"""

from __future__ import annotations

from casus.users.models import User

__all__ = [
    "PARTICIPANT_ROLES",
    "REPORTER_ROLES",
    "TEAM_ROLES",
    "administers",
    "changes_restricted_cases",
    "directs_cases",
    "handles_privacy",
    "manages_a_team",
    "manages_team",
    "places_legal_hold",
    "reads_audit_log",
    "reads_reports",
    "receives_voordrachten",
    "reports_signals",
    "sees_approval_queue",
    "sees_escalation_queue",
    "sees_triage_queue",
    "sees_voordrachten",
    "supervises",
    "takes_part_in_cases",
    "works_for_partner",
]

TEAM_ROLES = ("procesregisseur", "supervisor")
PARTICIPANT_ROLES = ("partner", "riec")
REPORTER_ROLES = ("partner", "procesregisseur", "supervisor")


def manages_a_team(user: User) -> bool:
    """A procesregisseur or supervisor of a team: runs that team's cases, queues, meetings and voordrachten."""
    return user.has_role(*TEAM_ROLES) and user.team_id is not None


def manages_team(user: User, team_id: int | None) -> bool:
    """``manages_a_team`` for this team: plans its meetings, keeps its agendas, works its queues."""
    return manages_a_team(user) and user.team_id == team_id


def directs_cases(user: User) -> bool:
    """A procesregisseur directs cases: one who opens a case from a signal becomes its procesregisseur."""
    return user.has_role("procesregisseur")


def supervises(user: User) -> bool:
    """A supervisor oversees the team's cases: decides four-eyes requests (``decides_approval``), reads reports."""
    return user.has_role("supervisor")


def takes_part_in_cases(user: User) -> bool:
    """Partner and riec users see the cases their organisation takes part in (a casusdeelname)."""
    return user.has_role(*PARTICIPANT_ROLES)


def works_for_partner(user: User) -> bool:
    """A partner's user reports signals for its organisation and carries out the actions it owns."""
    return user.has_role("partner")


def receives_voordrachten(user: User) -> bool:
    """riec users receive the voordrachten sent to their organisation."""
    return user.has_role("riec")


def reads_reports(user: User) -> bool:
    """Supervisors read the aggregate reports; their figures come from ``case_scope`` (their team's cases)."""
    return supervises(user) and user.team_id is not None


def reports_signals(user: User) -> bool:
    """Partners, procesregisseurs and supervisors report signals (a riec user receives voordrachten instead)."""
    return user.has_role(*REPORTER_ROLES)


def sees_triage_queue(user: User) -> bool:
    """The signals and new cases waiting for the team to weigh them: its procesregisseurs and supervisors."""
    return manages_a_team(user)


def sees_approval_queue(user: User) -> bool:
    """The team's four-eyes requests (decided by its supervisors, ``decides_approval``); for the privacy officer
    the destruction lists waiting for a second person."""
    return manages_a_team(user) or handles_privacy(user)


def sees_escalation_queue(user: User) -> bool:
    """The team's cases above operationeel, with their open decisions and review dates."""
    return manages_a_team(user)


def sees_voordrachten(user: User) -> bool:
    """The team's own voordrachten, or — for a riec user — those sent to its organisation."""
    return manages_a_team(user) or receives_voordrachten(user)


def reads_audit_log(user: User) -> bool:
    """The privacy officer reads the audit log; nobody else does."""
    return user.has_role("privacy")


def administers(user: User) -> bool:
    """Beheerders keep organisations, teams, users and categories; they see no case content."""
    return user.has_role("beheerder")


# --- the privacyfunctionaris (docs/PRIVACY.md) ----------------------------------------------------------------

def handles_privacy(user: User) -> bool:
    """The privacyfunctionaris: retention terms, destruction lists, verklaringen and data-subject requests."""
    return user.has_role("privacy")


def places_legal_hold(user: User, team_id: int | None) -> bool:
    """A legal hold (bevriezing) is placed or lifted by the privacy officer or a supervisor of the case's team."""
    return handles_privacy(user) or (supervises(user) and team_id is not None and user.team_id == team_id)


def changes_restricted_cases(user: User) -> bool:
    """While a subject's processing is restricted (AVG art. 18), only the privacy officer changes its cases."""
    return handles_privacy(user)
