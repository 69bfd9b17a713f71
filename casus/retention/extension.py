"""Extending one closed case's retention, four eyes: asked by a privacy officer or the case's procesregisseur or
supervisor, decided by a supervisor of the team or another privacy officer (``policy.decides_approval``), never
the one who asked. Approved, the case's archiefactiedatum becomes the date asked for; a later change of its
category's term never brings it forward (``terms.recompute``).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casus import policy
from casus.approvals.events import ApprovalDecided
from casus.approvals.models import Approval, ApprovalKind
from casus.approvals.services import request_approval
from casus.audit.services import record
from casus.cases.models import Case, CasePhase
from casus.edge import date_in_window
from casus.events import Events
from casus.extensions import db
from casus.services import ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import User


def register(events: Events) -> None:
    events.subscribe(ApprovalDecided, carry_out)


def asks_extension(user: User, case: Case) -> bool:
    """A privacy officer, or the case's own team (its procesregisseurs and supervisors)."""
    return policy.handles_privacy(user) or policy.manages(user, case)


def request_extension(user: User, case: Case, *, until: date | None, reason: str | None) -> Approval:
    """Ask a second person to keep a closed case until ``until``, later than its archiefactiedatum now."""
    if not asks_extension(user, case):
        raise ServiceError("Alleen de privacyfunctionaris of het team van de casus vraagt een verlenging aan.",
                           status=403)
    if case.phase != CasePhase.AFGESLOTEN or case.archiefactiedatum is None:
        raise ServiceError("Alleen de bewaartermijn van een afgesloten casus kan worden verlengd.", status=409)
    if until is None or not date_in_window(until):
        raise ServiceError("Vul de datum in tot wanneer de casus bewaard blijft.", field="until")
    if until <= case.archiefactiedatum:
        raise ServiceError("Kies een datum na de huidige archiefactiedatum.", field="until")
    return request_approval(user, case, ApprovalKind.RETENTION_EXTENSION, reason=reason,
                            details={"until": until.isoformat()})


def carry_out(event: ApprovalDecided) -> None:
    """Approved: the case is kept until the date asked for (the decision itself is audited by approvals)."""
    approval = event.approval
    if approval.kind != ApprovalKind.RETENTION_EXTENSION or not event.approved:
        return
    case = db.session.execute(sa.select(Case).where(Case.id == approval.case_id)).unique().scalar_one()
    if case.phase != CasePhase.AFGESLOTEN:  # reopened meanwhile: there is no term to extend (the request stays open)
        raise ServiceError("Alleen de bewaartermijn van een afgesloten casus kan worden verlengd.", status=409)
    until = date.fromisoformat(approval.details["until"])
    before = case.archiefactiedatum
    case.archiefactiedatum = until
    db.session.flush()
    add_timeline(case, "retention_extension.granted", f"Bewaartermijn verlengd tot {until:%d-%m-%Y}.",
                 actor=event.approver)
    record("retention_extension.granted", object_type="case", object_id=case.id, case_id=case.id,
           user=event.approver,
           details={"approval_id": approval.id, "before": before.isoformat() if before else None,
                    "until": until.isoformat()})


def requests_of(case: Case) -> list[Approval]:
    """The case's extension requests, the newest first, with who asked and who decided."""
    return list(db.session.execute(
        sa.select(Approval).where(Approval.case_id == case.id, Approval.kind == ApprovalKind.RETENTION_EXTENSION)
        .options(joinedload(Approval.requested_by), joinedload(Approval.decided_by))
        .order_by(Approval.requested_at.desc(), Approval.id.desc())).scalars())


def until_of(approval: Approval) -> date | None:
    """The date a retention extension asks to keep the case until."""
    until = (approval.details or {}).get("until")
    return date.fromisoformat(until) if until else None
