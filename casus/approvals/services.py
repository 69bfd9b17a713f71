"""Four-eyes approvals: request, decide, withdraw — and the queue that lists them.

The domain whose request it is carries out the decision: ``decide`` publishes ``ApprovalDecided`` and
``withdraw`` ``ApprovalWithdrawn`` (``approvals/events.py``; handlers registered at app start, see
``casus.events``) before the approval's own status changes, so a decision the domain refuses (a workflow
guard, say) leaves the request open and changes nothing else. A kind nobody handles can be requested and
decided; nothing else happens. The case's own requests (early closure, reopening) are in ``case_requests``.
Requests notify the team's other supervisors, decisions the requester; both are in the audit log, and —
except for RIEC voordrachten, which partners of the case must not learn about — on the case's tijdlijn.

The requester never decides: the service refuses it (403, audited), ``policy.decides_approval`` hides the
form, and the database refuses it too (CHECK ``four_eyes``), whatever roles the requester holds.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from casus import events, policy
from casus.approvals.events import ApprovalDecided, ApprovalWithdrawn
from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
from casus.audit.models import Outcome
from casus.audit.services import record
from casus.cases.models import Case
from casus.clock import days_since
from casus.database import utcnow
from casus.extensions import db
from casus.notifications.services import NewNotification, notify_many
from casus.pagination import KeysetPage, decode_cursor, keyset_page
from casus.retention.models import DestructionItemStatus, DestructionListItem
from casus.services import MAX_TEXT, ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import User, UserRole
from casus.versioning import check_version, flush_versioned

# A voordracht must stay hidden from the case's partners, and the tijdlijn is theirs to read too.
OFF_TIMELINE = frozenset({ApprovalKind.RIEC_VOORDRACHT})
APPROVALS_LINK = "/akkoorden/{id}"
# A request about no case (a destruction list) is told with texts that name the list, not a case.
CASELESS_KINDS = {"approval_decided": "destruction_list_decided"}


def open_approval(case: Case, kind: str, *, voordracht_id: int | None = None) -> Approval | None:
    """The pending request of ``kind`` on ``case`` (or on one voordracht), if any."""
    query = sa.select(Approval).where(Approval.case_id == case.id, Approval.kind == kind,
                                      Approval.status == ApprovalStatus.OPEN)
    if voordracht_id is not None:
        query = query.where(Approval.voordracht_id == voordracht_id)
    return db.session.execute(query).scalars().first()


def open_approvals_of(case: Case) -> list[Approval]:
    """Every pending request on ``case``, oldest first, with the requester loaded (the case overview)."""
    return list(db.session.execute(
        sa.select(Approval).where(Approval.case_id == case.id, Approval.status == ApprovalStatus.OPEN)
        .options(joinedload(Approval.requested_by)).order_by(Approval.requested_at, Approval.id)).scalars())


# --- requesting ----------------------------------------------------------------------------------------------

def request_approval(user: User, case: Case, kind: str, *, reason: str | None, details: dict | None = None,
                     voordracht_id: int | None = None) -> Approval:
    """Ask the team's supervisors to decide. One open request per case and kind (per voordracht).

    The caller checks that ``user`` may ask (``policy.requests_approval`` for the case's own requests);
    this validates, inserts, writes the tijdlijn and audit, and notifies every other supervisor of the team.
    """
    try:
        kind = ApprovalKind(kind)
    except ValueError as error:
        raise ServiceError("Kies een soort verzoek uit de lijst.", field="kind") from error
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Geef een reden voor het verzoek.", field="reason")
    if len(reason) > MAX_TEXT:
        raise ServiceError("Een reden is hoogstens %(max)s tekens.", field="reason", max=MAX_TEXT)
    if kind == ApprovalKind.RIEC_VOORDRACHT and voordracht_id is None:
        raise ServiceError("Een akkoord op een RIEC-voordracht noemt de voordracht.")
    if open_approval(case, kind, voordracht_id=voordracht_id) is not None:
        raise ServiceError("Er staat al een verzoek open; wacht op het besluit of trek het in.", status=409)
    approval = Approval(kind=kind, case_id=case.id, team_id=case.team_id, voordracht_id=voordracht_id,
                        requested_by_id=user.id, requested_at=utcnow(), reason=reason, details=details or {})
    _insert_open(approval)
    if kind not in OFF_TIMELINE:
        add_timeline(case, "approval.requested", f"{kind.label_nl}: akkoord gevraagd. Reden: {reason}", actor=user)
    record("approval.requested", object_type="approval", object_id=approval.id, case_id=case.id,
           details={"kind": str(kind)}, user=user)
    _notify_deciders(approval, case)
    return approval


def _insert_open(approval: Approval) -> None:
    """Store a new open request; one per case and kind (or per voordracht, per list) may be open — a concurrent
    request that won the partial unique index makes this one a 409, leaving the transaction usable."""
    try:
        with db.session.begin_nested():
            db.session.add(approval)
            db.session.flush()
    except IntegrityError as error:
        raise ServiceError("Er staat al een verzoek open; wacht op het besluit of trek het in.",
                           status=409) from error


def request_list_approval(user: User, *, team_id: int, destruction_list_id: int, reason: str,
                          details: dict | None = None) -> Approval:
    """Ask a second person to approve a destruction list: a request about no single case.

    The caller (``retention.lists.submit``) checks that ``user`` prepares lists and puts the list's reference in
    ``details`` (what notifications and the queue name). Deciders — the team's supervisors and the other privacy
    officers — are notified; one request per list may be open (a partial unique index)."""
    approval = Approval(kind=ApprovalKind.DESTRUCTION_LIST, case_id=None, team_id=team_id,
                        destruction_list_id=destruction_list_id, requested_by_id=user.id, requested_at=utcnow(),
                        reason=reason, details=details or {})
    _insert_open(approval)
    record("approval.requested", object_type="approval", object_id=approval.id,
           details={"kind": str(approval.kind), "destruction_list_id": destruction_list_id}, user=user)
    _notify_list_deciders(approval)
    return approval


# --- deciding --------------------------------------------------------------------------------------------------

def check_may_decide(user: User, approval: Approval) -> None:
    """Refuse (audited) anyone but a supervisor of the team who did not ask — first of all the requester,
    whatever roles they hold. Views and the API call this before anything else, so the refusal is a 403
    even for a request that has been decided since."""
    if approval.requested_by_id == user.id:
        _deny(user, approval, "four_eyes")
        raise ServiceError("U kunt niet beslissen over uw eigen verzoek: een andere supervisor moet dat doen.",
                           status=403)
    if approval.kind == ApprovalKind.RETENTION_EXTENSION:  # casus.retention.extension
        if not (policy.handles_privacy(user)
                or (policy.supervises(user) and policy.manages_team(user, approval.team_id))):
            _deny(user, approval, "not_a_decider_of_the_extension")
            raise ServiceError("Alleen een andere privacyfunctionaris of een supervisor van het team beslist over "
                               "deze verlenging.", status=403)
        return
    if approval.kind == ApprovalKind.DESTRUCTION_LIST:
        if not (policy.handles_privacy(user) or (policy.supervises(user) and user.team_id == approval.team_id)):
            _deny(user, approval, "not_a_decider_of_the_list")
            raise ServiceError("Alleen een andere privacyfunctionaris of een supervisor van het team beslist over "
                               "deze vernietigingslijst.", status=403)
        return
    if not (policy.supervises(user) and policy.manages_team(user, approval.team_id)):
        _deny(user, approval, "not_a_supervisor_of_the_team")
        raise ServiceError("Alleen een supervisor van het team beslist over dit verzoek.", status=403)


def decide(user: User, approval: Approval, *, approve: bool, motivation: str | None = None,
           expected_version: int | None = None) -> Approval:
    """Approve or reject. Never by the requester (also a CHECK constraint); rejection needs a motivation.

    The domain carries out the decision first (``ApprovalDecided``): if it refuses — a workflow guard such as
    ``within_retention`` raises ``TransitionRefused`` — the request stays open and nothing else changes.
    """
    check_may_decide(user, approval)
    if not approval.is_open:
        raise ServiceError("Over dit verzoek is al besloten.", status=409)
    check_version(approval, expected_version)
    motivation = (motivation or "").strip() or None
    if not approve and motivation is None:
        raise ServiceError("Geef een motivering bij een afwijzing.", field="motivation")
    if motivation is not None and len(motivation) > MAX_TEXT:
        raise ServiceError("Een motivering is hoogstens %(max)s tekens.", field="motivation", max=MAX_TEXT)
    events.publish(ApprovalDecided(user, approval, approve, motivation))  # may raise: the request stays open
    approval.status = ApprovalStatus.GOEDGEKEURD if approve else ApprovalStatus.AFGEWEZEN
    approval.decided_by_id = user.id
    approval.decided_at = utcnow()
    approval.motivation = motivation
    flush_versioned(approval)  # the version check: of two deciders on one version, the second gets 409
    _record_decision(user, approval)
    return approval


def _deny(user: User, approval: Approval, why: str) -> None:
    record("approval.decided", object_type="approval", object_id=approval.id, case_id=approval.case_id,
           outcome=Outcome.DENIED, details={"reason": why, "kind": str(approval.kind)}, user=user)


# --- withdrawing -----------------------------------------------------------------------------------------------

def withdraw(user: User, approval: Approval, *, expected_version: int | None = None) -> Approval:
    """The requester takes a pending request back; nothing else changes (a voordracht returns to concept)."""
    if approval.requested_by_id != user.id:
        record("approval.withdrawn", object_type="approval", object_id=approval.id, case_id=approval.case_id,
               outcome=Outcome.DENIED, details={"kind": str(approval.kind)}, user=user)
        raise ServiceError("Alleen de aanvrager kan dit verzoek intrekken.", status=403)
    if not approval.is_open:
        raise ServiceError("Over dit verzoek is al besloten.", status=409)
    check_version(approval, expected_version)
    events.publish(ApprovalWithdrawn(user, approval))
    approval.status = ApprovalStatus.INGETROKKEN
    approval.decided_at = utcnow()
    flush_versioned(approval)
    if approval.kind not in OFF_TIMELINE and approval.case_id is not None:
        add_timeline(case_of(approval), "approval.withdrawn", f"{approval.kind.label_nl}: verzoek ingetrokken.",
                     actor=user)
    record("approval.withdrawn", object_type="approval", object_id=approval.id, case_id=approval.case_id,
           details={"kind": str(approval.kind)}, user=user)
    return approval


# --- reading: the queue -------------------------------------------------------------------------------------------

QUEUE_STATUSES = {"open": (ApprovalStatus.OPEN,),
                  "decided": (ApprovalStatus.GOEDGEKEURD, ApprovalStatus.AFGEWEZEN, ApprovalStatus.INGETROKKEN)}


def visible_approvals(user: User, *, status: str | None = None, kind: str | None = None,
                      case_id: int | None = None) -> sa.Select:
    """The approvals ``user`` may see (policy scope first), narrowed by the filters; what lists show is loaded."""
    query = (sa.select(Approval).where(policy.approval_scope(user))
             .options(joinedload(Approval.requested_by), joinedload(Approval.decided_by),
                      joinedload(Approval.case)))
    if status in QUEUE_STATUSES:
        query = query.where(Approval.status.in_(QUEUE_STATUSES[status]))
    if kind:
        query = query.where(Approval.kind == kind)
    if case_id is not None:
        query = query.where(Approval.case_id == case_id)
    return query


def list_approvals(user: User, *, status: str | None = "open", kind: str | None = None,
                   case_id: int | None = None, after: str | None = None, limit: int = 25) -> KeysetPage:
    """A page of approvals: open ones oldest first (the queue), decided ones most recently decided first,
    everything together newest request first. Keyset-paginated; never OFFSET, never COUNT(*)."""
    query = visible_approvals(user, status=status, kind=kind, case_id=case_id)
    if status == "decided":
        key, descending, value_of = Approval.decided_at, True, (lambda a: a.decided_at)
    else:
        key, descending, value_of = Approval.requested_at, status != "open", (lambda a: a.requested_at)
    return keyset_page(query, key=key, id_col=Approval.id, descending=descending,
                       after=decode_cursor(after, datetime.fromisoformat), before=None, limit=limit,
                       value_of=value_of, dump=lambda value: value.isoformat())


def age_in_days(approval: Approval, today: date | None = None) -> int:
    """Calendar days since the request, counted in local dates (asked yesterday evening: 1 day)."""
    return days_since(approval.requested_at, today)


# --- notifications and history ---------------------------------------------------------------------------------

def case_of(approval: Approval) -> Case | None:
    """The case the approval is about; None for a destruction list's, which names its list instead."""
    return db.session.get(Case, approval.case_id) if approval.case_id is not None else None


def destruction_items_of(approval: Approval) -> list[DestructionListItem]:
    """What a destruction list's approval is about: its items still proposed (references, categories, dates — no
    case content), so the second person sees what they approve; nothing for any other kind."""
    if approval.destruction_list_id is None:
        return []
    return list(db.session.execute(
        sa.select(DestructionListItem).where(DestructionListItem.destruction_list_id == approval.destruction_list_id,
                                             DestructionListItem.status == DestructionItemStatus.VOORGESTELD)
        .order_by(DestructionListItem.id)).scalars())


def reference_of(approval: Approval, case: Case | None) -> str:
    """What notifications and pages name: the case's reference, or the destruction list's (kept in details)."""
    return case.reference if case is not None else (approval.details or {}).get("reference", "")


def _record_decision(user: User, approval: Approval) -> None:
    case = case_of(approval)
    approved = approval.status == ApprovalStatus.GOEDGEKEURD
    if approval.kind not in OFF_TIMELINE and case is not None:
        # Both people of the four-eyes decision: who asked, and who decided (the line's actor).
        requester = db.session.get(User, approval.requested_by_id)
        asked = f"aangevraagd door {requester.name}, " if requester is not None else ""
        verdict = (f"{asked}goedgekeurd door {user.name}" if approved
                   else f"{asked}afgewezen door {user.name}. Motivering: {approval.motivation}")
        add_timeline(case, "approval.decided", f"{approval.kind.label_nl}: {verdict}", actor=user)
    record("approval.decided", object_type="approval", object_id=approval.id, case_id=approval.case_id,
           details={"kind": str(approval.kind), "status": str(approval.status)}, user=user)
    notify_requester(approval, case, "approval_decided")


def notify_requester(approval: Approval, case: Case | None, kind: str) -> None:
    requester = db.session.get(User, approval.requested_by_id)
    if requester is None or not requester.active:
        return
    if case is None:  # a destruction list: its own texts, naming the list
        kind = CASELESS_KINDS.get(kind, kind)
    notify_many([NewNotification(
        user_id=requester.id, key=f"approval:{approval.id}:{kind.removeprefix('approval_')}", kind=kind,
        link=APPROVALS_LINK.format(id=approval.id), case_id=approval.case_id, locale=requester.locale,
        params={"reference": reference_of(approval, case), **_labels(approval.kind),
                "verdict": approval.status.label_nl})])


def decider_role(kind: ApprovalKind, team_id) -> sa.ColumnElement[bool]:
    """For a query over ``User`` joined to ``UserRole``: a role that decides a request of ``kind`` for the team
    ``team_id`` (a value or a column) — the SQL twin of ``policy.decides_approval``'s roles."""
    supervisor = sa.and_(UserRole.role == "supervisor", User.team_id == team_id)
    return sa.or_(supervisor, UserRole.role == "privacy") if kind in policy.PRIVACY_DECIDES else supervisor


def _deciders(approval: Approval) -> list:
    """(id, locale) of every active user who may decide ``approval``, except its requester."""
    return db.session.execute(
        sa.select(User.id, User.locale).join(UserRole, UserRole.user_id == User.id)
        .where(decider_role(approval.kind, approval.team_id), User.active.is_(True),
               User.id != approval.requested_by_id).distinct()).all()


def _notify_deciders(approval: Approval, case: Case) -> None:
    """Every active supervisor of the team except the requester — and for a retention extension, which another
    privacy officer may decide too, every other privacy officer."""
    notify_many(NewNotification(
        user_id=row.id, key=f"approval:{approval.id}:requested:{row.id}", kind="approval_requested",
        link=APPROVALS_LINK.format(id=approval.id), case_id=case.id, locale=row.locale,
        params={"reference": case.reference, **_labels(approval.kind)}) for row in _deciders(approval))


def _notify_list_deciders(approval: Approval) -> None:
    """A destruction list: the team's active supervisors and every active privacy officer, except the preparer."""
    notify_many(NewNotification(
        user_id=row.id, key=f"approval:{approval.id}:requested:{row.id}", kind="destruction_list_submitted",
        link=APPROVALS_LINK.format(id=approval.id), locale=row.locale,
        params={"reference": reference_of(approval, None)}) for row in _deciders(approval))


def _labels(kind: ApprovalKind) -> dict:
    # Notification texts are rendered later, in the reader's language: keep the label's Dutch source text.
    return {"what": kind.label_nl}
