"""Carrying out the decision on a destruction list (docs/PRIVACY.md, "Destruction lists").

The approvals domain publishes ``ApprovalDecided`` before the approval's own status changes; ``create_app``
subscribes ``register``'s handlers. Approved: every item still proposed is destroyed in the decider's own
request (``retention.destruction``) — what may no longer be destroyed (a hold, a reopened case) is skipped —, the
list becomes ``vernietigd`` and the verklaring van vernietiging is recorded (``retention.declarations``). A failure
rolls the whole request back: the approval stays open and nothing is destroyed. Rejected: the list goes back to review
(``afgewezen``) with the motivation on the approval. Withdrawn by the preparer: back to ``concept``.
"""

from __future__ import annotations

import sqlalchemy as sa

from casus.approvals.events import ApprovalDecided, ApprovalWithdrawn
from casus.approvals.models import Approval, ApprovalKind
from casus.audit.services import record
from casus.clock import today as local_today
from casus.database import utcnow
from casus.events import Events
from casus.extensions import db
from casus.retention import declarations, destruction
from casus.retention.lists import get_list, not_due
from casus.retention.models import (
    DeclarationKind,
    DestructionItemStatus,
    DestructionList,
    DestructionListItem,
    DestructionListStatus,
)
from casus.services import ServiceError
from casus.signals.models import Signal
from casus.users.models import User


def register(events: Events) -> None:
    """At app start: a decided destruction list is carried out; a withdrawn one returns to concept."""
    events.subscribe(ApprovalDecided, carry_out)
    events.subscribe(ApprovalWithdrawn, _back_to_concept)


def _list_of(approval: Approval) -> DestructionList | None:
    if approval.kind != ApprovalKind.DESTRUCTION_LIST or approval.destruction_list_id is None:
        return None
    return get_list(approval.destruction_list_id)


def carry_out(event: ApprovalDecided) -> None:
    destruction_list = _list_of(event.approval)
    if destruction_list is None:
        return
    if destruction_list.status != DestructionListStatus.TER_GOEDKEURING:
        raise ServiceError("Deze lijst wacht niet op goedkeuring.", status=409)
    if not event.approved:
        destruction_list.status = DestructionListStatus.AFGEWEZEN
        db.session.flush()
        record("destruction_list.rejected", object_type="destruction_list", object_id=destruction_list.id,
               user=event.approver, details={"approval_id": event.approval.id})
        return
    destroy_list(event.approver, destruction_list, event.approval)


def _back_to_concept(event: ApprovalWithdrawn) -> None:
    destruction_list = _list_of(event.approval)
    if destruction_list is not None and destruction_list.status == DestructionListStatus.TER_GOEDKEURING:
        destruction_list.status = DestructionListStatus.CONCEPT
        db.session.flush()
        record("destruction_list.withdrawn", object_type="destruction_list", object_id=destruction_list.id,
               user=event.user)


def destroy_list(approver: User, destruction_list: DestructionList, approval: Approval):
    """Destroy what the list still proposes, mark it destroyed and record the verklaring. Answers the verklaring."""
    reasons = not_due(destruction_list)  # a hold placed or a case reopened since submission: it wins
    destroyed_at = utcnow()
    proposed = [item for item in destruction_list.items if item.status == DestructionItemStatus.VOORGESTELD]
    for item in proposed:
        if item.id in reasons:
            _decide(item, approver, DestructionItemStatus.VERWIJDERD, reasons[item.id])
    # The ids before anything goes: the destruction unlinks the items from the rows it deletes.
    to_destroy = [(item, item.case_id, item.signal_id) for item in proposed
                  if item.status == DestructionItemStatus.VOORGESTELD]
    counts = destruction.destroy_cases([case_id for _item, case_id, _signal_id in to_destroy if case_id is not None],
                                       user=approver)
    entries = []
    for item, case_id, signal_id in to_destroy:
        if case_id is not None:
            destroyed = counts[case_id]
        else:
            destroyed = destruction.destroy_signal(_signal(signal_id), user=approver)
        entries.append({"kind": item.record_kind, "reference": item.reference, "category": item.category_code,
                        "closed_on": item.closed_on, "destroyed_on": local_today(), "counts": destroyed})
        item.case_id = item.signal_id = None  # the destruction unlinked the rows already; this session's copy too
        _decide(item, approver, DestructionItemStatus.VERNIETIGD, item.reason)
    destruction_list.status = DestructionListStatus.VERNIETIGD
    destruction_list.approved_by_id = approver.id
    destruction_list.destroyed_at = destroyed_at
    db.session.flush()
    declaration = declarations.record_declaration(
        kind=DeclarationKind.LIST, entries=entries, prepared_by=_user(approval.requested_by_id),
        approved_by=approver, team_id=destruction_list.team_id, destruction_list_id=destruction_list.id)
    record("destruction_list.destroyed", object_type="destruction_list", object_id=destruction_list.id,
           user=approver, details={"destroyed": len(entries), "skipped": len(proposed) - len(to_destroy),
                                   "declaration_id": declaration.id})
    return declaration


def _decide(item: DestructionListItem, approver: User, status: DestructionItemStatus, reason: str | None) -> None:
    item.status, item.reason = status, reason
    item.decided_by_id, item.decided_at = approver.id, utcnow()


def _signal(signal_id: int) -> Signal:
    return db.session.execute(sa.select(Signal).where(Signal.id == signal_id)).unique().scalar_one()


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)
