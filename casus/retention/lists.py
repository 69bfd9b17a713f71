"""Destruction lists (*vernietigingslijsten*): proposed monthly, reviewed by a privacy officer, approved by a second
person, and only then carried out (docs/PRIVACY.md, "Destruction lists").

* ``propose_lists``: per team one list per month of what is due — closed cases with archiefnominatie vernietigen
  whose archiefactiedatum has passed, not under legal hold, under a confirmed term and not on another open list;
  and the team's signals that never became a case, likewise. No empty lists; a rerun in the same month adds none.
* Review (``remove_item``, ``postpone_item``, ``restore_item``): the privacy officer takes items off with a
  reason, or postpones them to a later date (the record's archiefactiedatum moves with it, so a later list
  proposes it again). Every change checks the list's version and is audited.
* ``submit``: the preparer asks for the four-eyes approval (``approvals.services.request_list_approval``). A case
  placed under legal hold since the proposal drops off the list here, and again when the destruction runs.
* The decision (``register``: ``ApprovalDecided``) is carried out in the decider's request by
  ``retention.list_decisions``.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified

from casus import policy
from casus.approvals.services import request_list_approval
from casus.audit.services import record
from casus.cases.models import Archiefnominatie, Case
from casus.clock import today as local_today
from casus.database import utcnow
from casus.extensions import db
from casus.notifications.audit_checks import privacy_officers
from casus.notifications.services import NewNotification, notify_many
from casus.references import next_number
from casus.retention.models import (
    DestructionItemStatus,
    DestructionList,
    DestructionListItem,
    DestructionListStatus,
    RetentionTerm,
    SignalOutcome,
)
from casus.retention.queries import kept_from_destruction
from casus.services import MAX_TEXT, ServiceError
from casus.signals.models import Signal, SignalStatus
from casus.users.models import User
from casus.versioning import check_version, flush_versioned

LIST_LINK = "/vernietigingslijsten/{id}"
# A list is open until destroyed: what is on it is not proposed again.
OPEN_STATUSES = (DestructionListStatus.CONCEPT, DestructionListStatus.TER_GOEDKEURING,
                 DestructionListStatus.GOEDGEKEURD, DestructionListStatus.AFGEWEZEN)
# A rejected list goes back to review as it was.
REVIEWABLE = (DestructionListStatus.CONCEPT, DestructionListStatus.AFGEWEZEN)
# How a signal that never became a case ended, and so which retention term it falls under.
SIGNAL_OUTCOMES = {SignalStatus.AFGESLOTEN: SignalOutcome.DISMISSED, SignalStatus.DOORVERWEZEN: SignalOutcome.REFERRED,
                   SignalStatus.INGETROKKEN: SignalOutcome.WITHDRAWN}
# Why an item left the list without a reviewer's decision (stored on the item, as the reviewer's reasons are).
HELD_REASON = "Bevroren (legal hold) of verwerking beperkt: van de lijst gehaald."
NOT_DUE_REASON = "Niet meer aan de beurt: heropend, blijvend te bewaren of een latere archiefactiedatum."


def period_of(day: date) -> str:
    return f"{day:%Y-%m}"


# --- what is due ------------------------------------------------------------------------------------------------

def _confirmed_terms() -> tuple[set[int], set[SignalStatus]]:
    """Category ids and signal statuses whose term a privacy officer confirmed and which say vernietigen."""
    rows = db.session.execute(
        sa.select(RetentionTerm.category_id, RetentionTerm.signal_outcome)
        .where(RetentionTerm.confirmed_at.is_not(None),
               RetentionTerm.archiefnominatie == Archiefnominatie.VERNIETIGEN)).all()
    categories = {row.category_id for row in rows if row.category_id is not None}
    outcomes = {SignalOutcome(row.signal_outcome) for row in rows if row.signal_outcome is not None}
    return categories, {status for status, outcome in SIGNAL_OUTCOMES.items() if outcome in outcomes}


def _on_open_list(column) -> sa.ColumnElement[bool]:
    return sa.exists().where(column, DestructionListItem.status == DestructionItemStatus.VOORGESTELD,
                             DestructionList.id == DestructionListItem.destruction_list_id,
                             DestructionList.status.in_(OPEN_STATUSES))


def due_cases(day: date, categories: set[int]) -> sa.Select:
    """Closed cases to destroy whose date has passed on ``day``, kept by no hold or restriction and proposed on no
    open list."""
    return sa.select(Case).where(
        Case.phase == "afgesloten", Case.archiefnominatie == Archiefnominatie.VERNIETIGEN,
        Case.archiefactiedatum <= day, Case.category_id.in_(categories), ~kept_from_destruction(day),
        ~_on_open_list(DestructionListItem.case_id == Case.id))


def due_signals(day: date, statuses: set[SignalStatus]) -> sa.Select:
    """Signals that never became a case, whose date has passed on ``day``, proposed on no open list."""
    return sa.select(Signal).where(
        Signal.case_id.is_(None), Signal.status.in_(statuses), Signal.archiefactiedatum <= day,
        ~_on_open_list(DestructionListItem.signal_id == Signal.id))


# --- proposing --------------------------------------------------------------------------------------------------

def propose_lists(day: date) -> list[DestructionList]:
    """The monthly proposal: one list per team with something due and no list for this month yet."""
    categories, statuses = _confirmed_terms()
    period = period_of(day)
    has_list = sa.select(DestructionList.team_id).where(DestructionList.period == period)
    cases = db.session.execute(
        due_cases(day, categories).where(Case.team_id.not_in(has_list)).order_by(Case.team_id, Case.id)
    ).unique().scalars().all()
    signals = db.session.execute(
        due_signals(day, statuses).where(Signal.team_id.not_in(has_list)).order_by(Signal.team_id, Signal.id)
    ).unique().scalars().all()
    proposed = []
    for team_id in sorted({case.team_id for case in cases} | {signal.team_id for signal in signals}):
        destruction_list = _propose(team_id, period, day, [c for c in cases if c.team_id == team_id],
                                    [s for s in signals if s.team_id == team_id])
        if destruction_list is not None:
            proposed.append(destruction_list)
    return proposed


def _propose(team_id: int, period: str, day: date, cases: list[Case], signals: list[Signal]):
    destruction_list = DestructionList(team_id=team_id, period=period, proposed_at=utcnow(),
                                       reference=f"VL-{day.year}-{next_number('destruction_list', day.year):04d}")
    try:
        with db.session.begin_nested():
            db.session.add(destruction_list)
            db.session.flush()
    except IntegrityError:  # another run proposed this team's list for the month first
        return None
    db.session.add_all([_case_item(destruction_list, case) for case in cases]
                       + [_signal_item(destruction_list, signal) for signal in signals])
    db.session.flush()
    record("destruction_list.proposed", object_type="destruction_list", object_id=destruction_list.id,
           details={"team_id": team_id, "period": period, "cases": len(cases), "signals": len(signals)})
    _notify_privacy_officers(destruction_list)
    return destruction_list


def _case_item(destruction_list: DestructionList, case: Case) -> DestructionListItem:
    return DestructionListItem(destruction_list_id=destruction_list.id, case_id=case.id, record_kind="case",
                               reference=case.reference, category_code=case.category.code,
                               closed_on=case.closed_on, archiefactiedatum=case.archiefactiedatum)


def _signal_item(destruction_list: DestructionList, signal: Signal) -> DestructionListItem:
    closed_on = signal.closed_on or signal.received_at.date()
    return DestructionListItem(destruction_list_id=destruction_list.id, signal_id=signal.id, record_kind="signal",
                               reference=signal.reference, category_code=signal.category.code,
                               closed_on=closed_on, archiefactiedatum=signal.archiefactiedatum)


def _notify_privacy_officers(destruction_list: DestructionList) -> None:
    notify_many(NewNotification(
        user_id=officer.id, key=f"destruction-list:{destruction_list.id}:proposed:{officer.id}",
        kind="destruction_list_proposed", link=LIST_LINK.format(id=destruction_list.id), locale=officer.locale,
        params={"reference": destruction_list.reference}) for officer in privacy_officers())


# --- reading ----------------------------------------------------------------------------------------------------

def lists_query(status: str | None = None) -> sa.Select:
    """Every destruction list, newest first, with its team (the privacy officer's overview)."""
    query = sa.select(DestructionList).order_by(DestructionList.proposed_at.desc(), DestructionList.id.desc())
    if status in DestructionListStatus.values():
        query = query.where(DestructionList.status == status)
    return query


def item_counts(list_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per list: the number of items per status (one GROUP BY for the whole page)."""
    counts: dict[int, dict[str, int]] = {list_id: {} for list_id in list_ids}
    rows = db.session.execute(
        sa.select(DestructionListItem.destruction_list_id, DestructionListItem.status, sa.func.count())
        .where(DestructionListItem.destruction_list_id.in_(list_ids))
        .group_by(DestructionListItem.destruction_list_id, DestructionListItem.status))
    for list_id, status, count in rows:
        counts[list_id][str(status)] = count
    return counts


def get_list(list_id: int) -> DestructionList | None:
    return db.session.execute(
        sa.select(DestructionList).where(DestructionList.id == list_id)
        .options(selectinload(DestructionList.items))).unique().scalar_one_or_none()


def get_item(destruction_list: DestructionList, item_id: int) -> DestructionListItem:
    for item in destruction_list.items:
        if item.id == item_id:
            return item
    raise ServiceError("Dit item staat niet op deze lijst.", status=404)


def held_case_ids(destruction_list: DestructionList, day: date | None = None) -> set[int]:
    """The cases on the list a legal hold or a subject's restriction keeps on ``day``: they drop off when the list is
    submitted (and again when it is destroyed)."""
    case_ids = [item.case_id for item in destruction_list.items if item.case_id is not None]
    if not case_ids:
        return set()
    return set(db.session.execute(
        sa.select(Case.id).where(Case.id.in_(case_ids), kept_from_destruction(day or local_today()))).scalars())


def not_due(destruction_list: DestructionList, day: date | None = None) -> dict[int, str]:
    """Item id → why: the proposed items that may not be destroyed on ``day`` after all — the case is under legal
    hold, or was reopened, kept for good or given a later date since it was proposed (the signal likewise).
    Asked at submission and again at destruction, so nothing changed since the proposal is destroyed by it."""
    day = day or local_today()
    proposed = [item for item in destruction_list.items if item.status == DestructionItemStatus.VOORGESTELD]
    case_ids = [item.case_id for item in proposed if item.case_id is not None]
    signal_ids = [item.signal_id for item in proposed if item.signal_id is not None]
    held = held_case_ids(destruction_list, day)
    due_case_ids = set(db.session.execute(sa.select(Case.id).where(
        Case.id.in_(case_ids), Case.phase == "afgesloten", Case.archiefnominatie == Archiefnominatie.VERNIETIGEN,
        Case.archiefactiedatum <= day)).scalars()) if case_ids else set()
    due_signal_ids = set(db.session.execute(sa.select(Signal.id).where(
        Signal.id.in_(signal_ids), Signal.case_id.is_(None), Signal.archiefactiedatum <= day)).scalars()) \
        if signal_ids else set()
    reasons = {}
    for item in proposed:
        if item.case_id in held:
            reasons[item.id] = HELD_REASON
        elif (item.case_id not in due_case_ids) if item.case_id is not None else (item.signal_id not in due_signal_ids):
            reasons[item.id] = NOT_DUE_REASON
    return reasons


# --- reviewing --------------------------------------------------------------------------------------------------

def _check_reviewer(user: User, destruction_list: DestructionList, expected_version: int | None) -> None:
    if not policy.handles_privacy(user):
        raise ServiceError("Alleen de privacyfunctionaris beoordeelt een vernietigingslijst.", status=403)
    if destruction_list.status not in REVIEWABLE:
        raise ServiceError("Deze lijst is aangeboden of afgehandeld en kan niet meer worden gewijzigd.", status=409)
    check_version(destruction_list, expected_version)


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Geef een reden.", field="reason")
    if len(reason) > MAX_TEXT:
        raise ServiceError("Een reden is hoogstens %(max)s tekens.", field="reason", max=MAX_TEXT)
    return reason


def _touch(destruction_list: DestructionList) -> None:
    """An item changed: the list's version goes up too, so a reviewer working on an older page gets 409."""
    flag_modified(destruction_list, "status")
    flush_versioned(destruction_list)


def _audit_item(action: str, user: User, item: DestructionListItem, **details) -> None:
    record(action, object_type="destruction_list_item", object_id=item.id, case_id=item.case_id, user=user,
           details={"destruction_list_id": item.destruction_list_id, "record_kind": item.record_kind, **details})


def remove_item(user: User, destruction_list: DestructionList, item: DestructionListItem, *, reason: str | None,
                expected_version: int | None = None) -> DestructionListItem:
    """Take an item off the list with a reason: it is not destroyed with this list."""
    _check_reviewer(user, destruction_list, expected_version)
    _check_proposed(item)
    _decide_item(user, item, DestructionItemStatus.VERWIJDERD, _reason(reason))
    _touch(destruction_list)
    _audit_item("destruction_list.item_removed", user, item)
    return item


def postpone_item(user: User, destruction_list: DestructionList, item: DestructionListItem, *,
                  until: date | None, reason: str | None, expected_version: int | None = None) -> DestructionListItem:
    """Postpone an item to ``until``: the record's archiefactiedatum moves there, so a later list proposes it."""
    _check_reviewer(user, destruction_list, expected_version)
    _check_proposed(item)
    if until is None:
        raise ServiceError("Kies de nieuwe datum.", field="until")
    if until <= local_today():
        raise ServiceError("De nieuwe datum ligt na vandaag.", field="until")
    _decide_item(user, item, DestructionItemStatus.UITGESTELD, _reason(reason))
    item.postponed_until = until
    _set_record_date(item, until)
    _touch(destruction_list)
    _audit_item("destruction_list.item_postponed", user, item, until=until.isoformat())
    return item


def restore_item(user: User, destruction_list: DestructionList, item: DestructionListItem, *,
                 expected_version: int | None = None) -> DestructionListItem:
    """Put a removed or postponed item back on the list (a postponed record gets its own date back)."""
    _check_reviewer(user, destruction_list, expected_version)
    if item.status == DestructionItemStatus.VOORGESTELD:
        raise ServiceError("Dit item staat al op de lijst.", status=409)
    if item.case_id is not None and item.case_id in held_case_ids(destruction_list):
        raise ServiceError("Deze casus is bevroren en kan niet terug op de lijst.", status=409)
    if item.status == DestructionItemStatus.UITGESTELD:
        _set_record_date(item, item.archiefactiedatum)
    _decide_item(user, item, DestructionItemStatus.VOORGESTELD, None)
    item.postponed_until = None
    _touch(destruction_list)
    _audit_item("destruction_list.item_restored", user, item)
    return item


def _check_proposed(item: DestructionListItem) -> None:
    if item.status != DestructionItemStatus.VOORGESTELD:
        raise ServiceError("Zet het item eerst terug op de lijst.", status=409)


def _decide_item(user: User | None, item: DestructionListItem, status: DestructionItemStatus,
                 reason: str | None) -> None:
    if item.status == DestructionItemStatus.VERNIETIGD:
        raise ServiceError("Dit item is al vernietigd.", status=409)
    item.status = status
    item.reason = reason
    item.decided_by_id = user.id if user is not None else None
    item.decided_at = utcnow()


def _set_record_date(item: DestructionListItem, day: date) -> None:
    """The case's or signal's archiefactiedatum (the record itself, not only the list, knows the new date)."""
    model = Case if item.case_id is not None else Signal
    record_id = item.case_id if item.case_id is not None else item.signal_id
    found = db.session.get(model, record_id) if record_id is not None else None
    if found is None:
        raise ServiceError("Dit item is al vernietigd.", status=409)
    found.archiefactiedatum = day


# --- submitting -------------------------------------------------------------------------------------------------

def submit(user: User, destruction_list: DestructionList, *, expected_version: int | None = None) -> DestructionList:
    """The preparer offers the reviewed list for approval by a second person (four eyes).

    What may no longer be destroyed (a legal hold, a reopened case: ``not_due``) drops off first; a list with
    nothing left to destroy is refused."""
    _check_reviewer(user, destruction_list, expected_version)
    reasons = not_due(destruction_list)
    on_list = [item for item in destruction_list.items if item.status == DestructionItemStatus.VOORGESTELD]
    proposed = [item for item in on_list if item.id not in reasons]
    if not proposed:
        raise ServiceError("Er staat niets op de lijst om te vernietigen.", status=409)
    dropped = [item for item in on_list if item.id in reasons]
    for item in dropped:
        _decide_item(user, item, DestructionItemStatus.VERWIJDERD, reasons[item.id])
        _audit_item("destruction_list.item_removed", user, item, automatic=True)
    destruction_list.status = DestructionListStatus.TER_GOEDKEURING
    destruction_list.prepared_by_id = user.id
    destruction_list.prepared_at = utcnow()
    flush_versioned(destruction_list)
    cases = sum(1 for item in proposed if item.record_kind == "case")
    request_list_approval(
        user, team_id=destruction_list.team_id, destruction_list_id=destruction_list.id,
        reason=f"Vernietigingslijst {destruction_list.reference}: {cases} casus(sen) en {len(proposed) - cases} "
               f"signaal/signalen ter vernietiging.",
        details={"reference": destruction_list.reference})
    record("destruction_list.submitted", object_type="destruction_list", object_id=destruction_list.id, user=user,
           details={"items": len(proposed), "dropped": len(dropped)})
    return destruction_list

