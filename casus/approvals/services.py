"""Four-eyes approvals: request, decide, withdraw.

Each kind names the function that carries out the decision (``ON_DECISION``, ``"module:function"`` taking
``(approver, approval, approved)``); it runs before the approval's own status changes, so a decision the
domain refuses (a workflow guard, say) leaves the request open and changes nothing else. Requests notify the
team's other supervisors, decisions the requester; both are on the case's tijdlijn and in the audit log.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from casus import policy
from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
from casus.audit.models import Outcome
from casus.audit.services import record
from casus.cases.models import Case
from casus.cases.services import add_timeline, check_version
from casus.database import utcnow
from casus.extensions import db
from casus.notifications.services import NewNotification, notify_many
from casus.services import ServiceError
from casus.users.models import User, UserRole

# Filled in as the domains land; a kind without an entry can be requested and decided, nothing else happens.
ON_DECISION: dict[str, str] = {
    ApprovalKind.CLOSE_EARLY: "casus.cases.services:decide_early_closure",
    ApprovalKind.REOPEN: "casus.cases.services:decide_reopening",
    ApprovalKind.RIEC_VOORDRACHT: "casus.voordrachten.services:decide_voordracht",
}
# What a withdrawal undoes in the domain, ``(user, approval)``; e.g. the voordracht goes back to concept.
ON_WITHDRAWAL: dict[str, str] = {
    ApprovalKind.RIEC_VOORDRACHT: "casus.voordrachten.services:withdraw_voordracht",
}
APPROVALS_LINK = "/akkoorden/{id}"


def _resolve(table: dict[str, str], kind: str) -> Callable | None:
    target = table.get(kind)
    if target is None:
        return None
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name, None)


def open_approval(case: Case, kind: str, *, voordracht_id: int | None = None) -> Approval | None:
    """The pending request of ``kind`` on ``case`` (or on one voordracht), if any."""
    query = sa.select(Approval).where(Approval.case_id == case.id, Approval.kind == kind,
                                      Approval.status == ApprovalStatus.OPEN)
    if voordracht_id is not None:
        query = query.where(Approval.voordracht_id == voordracht_id)
    return db.session.execute(query).scalars().first()


def request_approval(user: User, case: Case, kind: str, *, reason: str | None, details: dict | None = None,
                     voordracht_id: int | None = None) -> Approval:
    """Ask the team's supervisors to decide. One open request per case and kind (per voordracht)."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Geef een reden voor het verzoek.", field="reason")
    if open_approval(case, kind, voordracht_id=voordracht_id) is not None:
        raise ServiceError("Er staat al een verzoek open; wacht op het besluit of trek het in.", status=409)
    approval = Approval(kind=ApprovalKind(kind), case_id=case.id, team_id=case.team_id, voordracht_id=voordracht_id,
                        requested_by_id=user.id, requested_at=utcnow(), reason=reason, details=details or {})
    try:
        with db.session.begin_nested():
            db.session.add(approval)
            db.session.flush()
    except IntegrityError as error:  # a concurrent request won the unique index
        raise ServiceError("Er staat al een verzoek open; wacht op het besluit of trek het in.",
                           status=409) from error
    label = ApprovalKind(kind).label_nl
    add_timeline(case, "approval.requested", f"{label}: akkoord gevraagd. Reden: {reason}", actor=user)
    record("approval.requested", object_type="approval", object_id=approval.id, case_id=case.id,
           details={"kind": str(kind)})
    _notify_deciders(approval, case)
    return approval


def decide(user: User, approval: Approval, *, approve: bool, motivation: str | None = None,
           expected_version: int | None = None) -> Approval:
    """Approve or reject. Never by the requester (also a CHECK constraint); rejection needs a motivation."""
    check_version(approval, expected_version)
    if not approval.is_open:
        raise ServiceError("Over dit verzoek is al besloten.", status=409)
    if approval.requested_by_id == user.id:
        record("approval.decided", object_type="approval", object_id=approval.id, case_id=approval.case_id,
               outcome=Outcome.DENIED, details={"reason": "four_eyes"})
        raise ServiceError("U kunt niet beslissen over uw eigen verzoek: een andere supervisor moet dat doen.",
                           status=403)
    if not policy.decides_approval(user, approval):
        raise ServiceError("Alleen een supervisor van het team beslist over dit verzoek.", status=403)
    motivation = (motivation or "").strip() or None
    if not approve and motivation is None:
        raise ServiceError("Geef een motivering bij een afwijzing.", field="motivation")
    carry_out = _resolve(ON_DECISION, approval.kind)
    if carry_out is not None:
        carry_out(user, approval, approve)  # may raise: then the request stays open
    approval.status = ApprovalStatus.GOEDGEKEURD if approve else ApprovalStatus.AFGEWEZEN
    approval.decided_by_id = user.id
    approval.decided_at = utcnow()
    approval.motivation = motivation
    db.session.flush()
    _record_decision(user, approval)
    return approval


def withdraw(user: User, approval: Approval, *, expected_version: int | None = None) -> Approval:
    """The requester (or a manager of the case) takes a pending request back."""
    check_version(approval, expected_version)
    if not approval.is_open:
        raise ServiceError("Over dit verzoek is al besloten.", status=409)
    if approval.requested_by_id != user.id and not policy.manages_team(user, approval.team_id):
        raise ServiceError("Alleen de aanvrager of het team kan dit verzoek intrekken.", status=403)
    undo = _resolve(ON_WITHDRAWAL, approval.kind)
    if undo is not None:
        undo(user, approval)
    approval.status = ApprovalStatus.INGETROKKEN
    approval.decided_at = utcnow()
    db.session.flush()
    case = db.session.get(Case, approval.case_id)
    add_timeline(case, "approval.withdrawn", f"{approval.kind.label_nl}: verzoek ingetrokken.", actor=user)
    record("approval.withdrawn", object_type="approval", object_id=approval.id, case_id=approval.case_id,
           details={"kind": str(approval.kind)})
    return approval


def _record_decision(user: User, approval: Approval) -> None:
    case = db.session.get(Case, approval.case_id)
    approved = approval.status == ApprovalStatus.GOEDGEKEURD
    verdict = "goedgekeurd" if approved else f"afgewezen. Motivering: {approval.motivation}"
    add_timeline(case, "approval.decided", f"{approval.kind.label_nl}: {verdict}", actor=user)
    record("approval.decided", object_type="approval", object_id=approval.id, case_id=approval.case_id,
           details={"kind": str(approval.kind), "status": str(approval.status)})
    requester = db.session.get(User, approval.requested_by_id)
    if requester is not None and requester.active:
        notify_many([NewNotification(
            user_id=requester.id, key=f"approval:{approval.id}:decided", kind="approval_decided",
            link=APPROVALS_LINK.format(id=approval.id), case_id=approval.case_id, locale=requester.locale,
            params={"reference": case.reference, **_labels(approval.kind),
                    "verdict_nl": approval.status.label_nl.lower(), "verdict_en": approval.status.label_en.lower()})])


def _notify_deciders(approval: Approval, case: Case) -> None:
    """Every active supervisor of the team except the requester."""
    supervisors = db.session.execute(
        sa.select(User.id, User.locale).join(UserRole, UserRole.user_id == User.id)
        .where(User.team_id == approval.team_id, User.active.is_(True), UserRole.role == "supervisor",
               User.id != approval.requested_by_id)).all()
    notify_many(NewNotification(
        user_id=row.id, key=f"approval:{approval.id}:requested:{row.id}", kind="approval_requested",
        link=APPROVALS_LINK.format(id=approval.id), case_id=case.id, locale=row.locale,
        params={"reference": case.reference, **_labels(approval.kind)}) for row in supervisors)


def _labels(kind: ApprovalKind) -> dict:
    # Notification texts are rendered later, in the reader's language: keep both labels.
    return {"what_nl": kind.label_nl, "what_en": kind.label_en}
