"""The case's own four-eyes requests: early closure during the approach and reopening once closed.

Someone of the case's team asks (``request_early_closure``, ``request_reopening``); another supervisor decides
in ``services.decide``. Approved, the request's trigger fires on the case with its reason, result and
requester, so the workflow's ``four_eyes`` guard judges who asked; a refusal leaves the request open. A case
that leaves the phase a pending request is about some other way takes the request with it.

Approvals stand on cases, never the other way round (``casus.events``): this module calls down into
``cases.services`` and reacts to ``CaseTransitioned``; ``create_app`` subscribes its handlers (``register``).
"""

from __future__ import annotations

import sqlalchemy as sa

from casus import policy
from casus.approvals.events import ApprovalDecided
from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
from casus.approvals.services import notify_requester, request_approval
from casus.audit.services import record
from casus.cases.events import CaseTransitioned
from casus.cases.models import Case
from casus.cases.services import context_for, transition
from casus.database import utcnow
from casus.events import Events
from casus.extensions import db
from casus.services import ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import User
from workflow import CaseFacts, ClosureResult, TransitionRecord
from workflow.guards import within_retention

# The phases in which each request makes sense (the policy's, read from the workflow table), and the trigger that
# carries it out. A case that leaves those phases some other way takes the pending request with it (``ingetrokken``).
CASE_PHASES: dict[str, tuple[str, ...]] = policy.CASE_REQUEST_PHASES
CARRIED_OUT_BY: dict[str, str] = {ApprovalKind.CLOSE_EARLY: "close_early", ApprovalKind.REOPEN: "reopen"}
AUTO_WITHDRAWN = "Automatisch ingetrokken: de casus is niet meer in de fase waarvoor het verzoek gold."


def register(events: Events) -> None:
    """At app start: decided requests are carried out on the case; transitions withdraw outdated ones."""
    events.subscribe(ApprovalDecided, carry_out)
    events.subscribe(CaseTransitioned, _withdraw_outdated_after)


# --- asking ----------------------------------------------------------------------------------------------------

def request_early_closure(user: User, case: Case, *, reason: str | None, result: str | None) -> Approval:
    """The first half of the four-eyes ``close_early``: ask a supervisor (never oneself) to close the case
    during the approach, with a reason and a result. Answers the new ``Approval``."""
    _check_requester(user, case)
    if case.phase not in CASE_PHASES[ApprovalKind.CLOSE_EARLY]:
        raise ServiceError("Vroegtijdig afsluiten kan alleen tijdens de aanpak.", status=409)
    try:
        chosen = ClosureResult(result or "")
    except ValueError as error:
        raise ServiceError("Kies een resultaat.", field="result") from error
    return request_approval(user, case, ApprovalKind.CLOSE_EARLY, reason=reason, details={"result": str(chosen)})


def request_reopening(user: User, case: Case, *, reason: str | None) -> Approval:
    """Ask a supervisor (never oneself) to reopen a closed case within its retention period; it then goes
    back to triage. Answers the new ``Approval``."""
    _check_requester(user, case)
    if case.phase not in CASE_PHASES[ApprovalKind.REOPEN]:
        raise ServiceError("Alleen een afgesloten casus kan worden heropend.", status=409)
    # Reopening is possible until the archiefactiedatum (casus.retention), else the configured default.
    facts = CaseFacts(closed_on=case.closed_on, retention_until=case.archiefactiedatum)
    if not within_retention.passes(facts, context_for(user)):
        raise ServiceError("De bewaartermijn is verstreken; de casus kan niet meer worden heropend.", status=409)
    return request_approval(user, case, ApprovalKind.REOPEN, reason=reason)


def _check_requester(user: User, case: Case) -> None:
    if not policy.manages(user, case):
        raise ServiceError("Alleen de procesregisseurs en supervisors van het team doen dit verzoek.", status=403)


# --- carrying out ---------------------------------------------------------------------------------------------

def carry_out(event: ApprovalDecided) -> None:
    """Approved: fire the request's trigger (``close_early`` with its result, ``reopen``) with its reason and its
    requester, so the workflow's four-eyes guard judges who asked; a refusal raises ``TransitionRefused`` and the
    request stays open. Rejected, or not a request about the case's phase: nothing changes on the case."""
    approval = event.approval
    trigger = CARRIED_OUT_BY.get(approval.kind)
    if trigger is None or not event.approved:
        return
    transition(event.approver, _case_of(approval), trigger, reason=approval.reason,
               result=(approval.details or {}).get("result"), requester_id=approval.requested_by_id)


def _case_of(approval: Approval) -> Case:
    return db.session.execute(sa.select(Case).where(Case.id == approval.case_id)).unique().scalar_one()


# --- withdrawing what a transition made pointless ----------------------------------------------------------------

def _withdraw_outdated_after(event: CaseTransitioned) -> None:
    withdraw_outdated(event.user, event.case, event.outcome)


def withdraw_outdated(user: User, case: Case, outcome: TransitionRecord) -> list[Approval]:
    """After a transition: withdraw the pending requests that no longer fit the case's phase.

    A close_early request while the case steps down to nazorg, say. The trigger that carries a request out
    (close_early, reopen) leaves its own request alone: that one is being decided. No query unless the case
    left a phase some kind of request belongs to.
    """
    kinds = [kind for kind, phases in CASE_PHASES.items()
             if str(outcome.from_state) in phases and str(outcome.to_state) not in phases
             and CARRIED_OUT_BY[kind] != outcome.trigger]
    if not kinds:
        return []
    pending = list(db.session.execute(
        sa.select(Approval).where(Approval.case_id == case.id, Approval.kind.in_(kinds),
                                  Approval.status == ApprovalStatus.OPEN)).scalars())
    for approval in pending:
        approval.status = ApprovalStatus.INGETROKKEN
        approval.decided_at = utcnow()
        approval.motivation = AUTO_WITHDRAWN
        db.session.flush()
        add_timeline(case, "approval.withdrawn", f"{approval.kind.label_nl}: verzoek vervallen door {outcome.trigger}.",
                     actor=user)
        record("approval.withdrawn", object_type="approval", object_id=approval.id, case_id=case.id,
               details={"kind": str(approval.kind), "automatic": True, "trigger": outcome.trigger}, user=user)
        notify_requester(approval, case, "approval_withdrawn")
    return pending
