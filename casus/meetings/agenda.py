"""Agendas: which cases a meeting discusses, in which order and why — filled by hand and by the daily job.

A service module like :mod:`casus.meetings.services` (the meetings' services are split by topic: this module,
``series``, ``minutes`` and ``services`` for single meetings and the checks they share): it is among the only
code that changes meeting data; it validates, flushes and audits, and the request or the scheduler job commits
once. Every change of an agenda's items takes the meeting's row lock first (:func:`lock_agenda`). Which items a
viewer sees is :func:`casus.policy.agenda_item_scope`'s business; :func:`agenda_of` numbers what they see.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from casus.audit.services import record
from casus.cases.models import Case, Category
from casus.database import utcnow
from casus.extensions import db
from casus.meetings.models import (
    AgendaItem,
    AgendaPurpose,
    Decision,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MeetingType,
)
from casus.meetings.series import extend_series
from casus.meetings.services import local_date, require_planned
from casus.notifications import partners as notifications
from casus.services import ServiceError
from casus.users.models import User
from casus.versioning import check_version, flush_versioned
from workflow import CasePhase

REVIEW_WINDOW_DAYS = 7
REVIEWED_PHASES = (CasePhase.AANPAK_PLAN, CasePhase.AANPAK_UITVOERING, CasePhase.NAZORG)
# A casusoverleg discusses a few dozen cases at most: the automatic fill stops there (manual additions do not).
MAX_AUTO_AGENDA = 30


def _purpose(value) -> AgendaPurpose:
    try:
        return AgendaPurpose(value)
    except ValueError as error:
        raise ServiceError("Kies het doel van de bespreking.", field="purpose") from error


def agenda_of(meeting: Meeting, scope) -> list[AgendaItem]:
    """The items of ``meeting`` within ``scope`` (``policy.agenda_item_scope(user)``), with their cases.

    Each is numbered for this viewer (``item.number``: 1, 2, 3, …), as the page and the API show it: an item
    the viewer may not see leaves no gap that would betray it (``position`` itself counts every item).
    """
    rows = db.session.execute(
        sa.select(AgendaItem, Case).join(Case, Case.id == AgendaItem.case_id)
        .where(AgendaItem.meeting_id == meeting.id, scope)
        .order_by(AgendaItem.position, AgendaItem.id)).unique().all()
    items = []
    for number, (item, case) in enumerate(rows, start=1):
        item.case = case  # plain attributes: AgendaItem has no relationship to Case
        item.number = number
        items.append(item)
    return items


def agenda_number(meeting: Meeting, item: AgendaItem, scope) -> int:
    """``item``'s number on the agenda as a viewer with ``scope`` sees it (see :func:`agenda_of`)."""
    return next(other.number for other in agenda_of(meeting, scope) if other.id == item.id)


def lock_agenda(meeting: Meeting) -> MeetingStatus:
    """Take the meeting's row lock for a change of its agenda and answer its status as committed now.

    ``SELECT ... FOR UPDATE`` on PostgreSQL: whoever adds, removes or reorders items of this meeting waits for
    the one before to commit, then reads the agenda as that one left it (READ COMMITTED: every statement sees
    what is committed), so positions are handed out one at a time and a case is added once. SQLite serialises
    writers anyway (``BEGIN IMMEDIATE``) and renders no ``FOR UPDATE``. The unique constraints on
    (meeting, case) and (meeting, position) are the backstop."""
    status = db.session.execute(sa.select(Meeting.status).where(Meeting.id == meeting.id)
                                .with_for_update()).scalar_one()
    return MeetingStatus(status)


def _planned_and_locked(meeting: Meeting) -> None:
    require_planned(meeting)
    if lock_agenda(meeting) != MeetingStatus.GEPLAND:  # cancelled or closed meanwhile
        raise ServiceError("Dit overleg is geannuleerd of al gehouden.", status=409)


def add_agenda_item(user: User, meeting: Meeting, case: Case, *, purpose: str) -> AgendaItem:
    """Put a case of the meeting's team on its agenda, last. Once: a case already on it answers 409, also when
    two people add it at the same moment (the meeting's lock orders them; see :func:`lock_agenda`)."""
    require_planned(meeting)
    purpose = _purpose(purpose)
    if case.team_id != meeting.team_id:
        raise ServiceError("Alleen casussen van het eigen team komen op de agenda.", field="reference")
    if case.phase == CasePhase.AFGESLOTEN:
        raise ServiceError("Een afgesloten casus komt niet op de agenda.", field="reference")
    _planned_and_locked(meeting)
    for attempt in range(3):
        exists = db.session.execute(sa.select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.case_id == case.id)).scalar_one_or_none()
        if exists is not None:
            raise ServiceError("Deze casus staat al op de agenda.", field="reference", status=409)
        last = db.session.execute(sa.select(sa.func.max(AgendaItem.position))
                                  .where(AgendaItem.meeting_id == meeting.id)).scalar_one()
        item = AgendaItem(meeting_id=meeting.id, case_id=case.id, purpose=purpose, position=(last or 0) + 1)
        try:
            with db.session.begin_nested():  # a unique constraint refusing the row leaves the request usable
                db.session.add(item)
                db.session.flush()
            break
        except IntegrityError:  # only next to a writer that bypassed the lock: look again (its row is committed)
            if attempt == 2:
                raise
    record("agenda_item.added", object_type="agenda_item", object_id=item.id, case_id=case.id,
           details={"meeting_id": meeting.id, "purpose": purpose.value}, user=user)
    notifications.case_on_agenda(user, case, item.id, starts_at=meeting.starts_at,  # the partners learn the date
                                 meeting_type=MeetingType(meeting.type).label_nl)
    return item


def remove_agenda_item(user: User, meeting: Meeting, item: AgendaItem, *, expected_version: int | None = None) -> None:
    """Take the item off the agenda, with its ``version`` (its minutes may have changed since it was read)."""
    check_version(item, expected_version)
    _planned_and_locked(meeting)
    has_decisions = db.session.execute(sa.select(Decision.id).where(Decision.agenda_item_id == item.id)
                                       .limit(1)).scalar_one_or_none()
    if has_decisions is not None:
        raise ServiceError("Over deze casus zijn al besluiten vastgelegd; hij blijft op de agenda.", status=409)
    record("agenda_item.removed", object_type="agenda_item", object_id=item.id, case_id=item.case_id,
           details={"meeting_id": meeting.id}, user=user)
    db.session.delete(item)
    flush_versioned(item)


def move_agenda_item(user: User, meeting: Meeting, item: AgendaItem, direction: str, *,
                     expected_version: int | None = None) -> None:
    """Swap the item with its neighbour above (``up``) or below (``down``); the whole agenda is renumbered 1..n.

    Relative to the agenda as it is when the meeting's lock is held, so two moves at once both count. Only
    ``position`` changes, written past the ORM: the items' versions guard their contents, and reordering must
    not make anyone's minutes form stale. Every position is first made negative, so the unique (meeting,
    position) never sees two items on one place mid-way (PostgreSQL checks it row by row)."""
    check_version(item, expected_version)
    _planned_and_locked(meeting)
    db.session.flush()
    table = AgendaItem.__table__
    ids = list(db.session.execute(sa.select(table.c.id).where(table.c.meeting_id == meeting.id)
                                  .order_by(table.c.position, table.c.id)).scalars())
    index = ids.index(item.id)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    db.session.execute(table.update().where(table.c.meeting_id == meeting.id).values(position=-table.c.position))
    db.session.execute(table.update().where(table.c.id.in_(ids)).values(
        position=sa.case({item_id: number for number, item_id in enumerate(ids, start=1)}, value=table.c.id)))
    for other in list(db.session.identity_map.values()):
        if isinstance(other, AgendaItem) and other.meeting_id == meeting.id:
            db.session.expire(other, ["position"])


def set_purpose(user: User, meeting: Meeting, item: AgendaItem, purpose: str, *,
                expected_version: int | None = None) -> None:
    check_version(item, expected_version)
    require_planned(meeting)
    item.purpose = _purpose(purpose)
    flush_versioned(item)


# --- the daily job: review-due cases onto the next fitting meeting ---------------------------------------------

def schedule_review_due_cases(app: Flask, now: datetime) -> int:
    """Put every case in aanpak.* or nazorg whose review is due within 7 days on its team's next planned
    casusoverleg (a jeugd case on the next Zorg- en Veiligheidstafel Jeugd when the team has such a series),
    unless it already is on a coming planned meeting. Purpose: ``nieuw`` in aanpak.plan, ``evalueren`` in
    nazorg, else ``bespreken``. A meeting takes at most ``MAX_AUTO_AGENDA`` items, most overdue review first: a
    backlog never buries one casusoverleg; the rest wait for a later run (and show as overdue meanwhile).

    Set-based: one query finds every case with its target meeting, one reads the agendas' last positions,
    one bulk insert writes the items — the same few statements for 1 or 10,000 cases. Idempotent: a rerun
    finds the cases on their coming agendas and writes nothing. Generates the coming weeks of every series
    first, so that there is a meeting to put them on.
    """
    extend_series(now)
    horizon = local_date(now) + timedelta(days=REVIEW_WINDOW_DAYS)
    zvt_series = sa.exists().where(MeetingSeries.team_id == Case.team_id, MeetingSeries.active.is_(True),
                                   MeetingSeries.type == MeetingType.ZVT_JEUGD)
    wanted_type = sa.case((sa.and_(Category.code == "jeugd", zvt_series), sa.literal(MeetingType.ZVT_JEUGD.value)),
                          else_=sa.literal(MeetingType.CASUSOVERLEG.value))
    target = (sa.select(Meeting.id).where(Meeting.team_id == Case.team_id, Meeting.type == wanted_type,
                                          Meeting.status == MeetingStatus.GEPLAND, Meeting.starts_at > now)
              .order_by(Meeting.starts_at, Meeting.id).limit(1).correlate(Case, Category).scalar_subquery())
    coming = aliased(Meeting)
    on_coming_agenda = sa.exists().where(
        AgendaItem.case_id == Case.id, coming.id == AgendaItem.meeting_id,
        coming.status == MeetingStatus.GEPLAND, coming.starts_at > now)
    purpose = sa.case((Case.phase == CasePhase.NAZORG, sa.literal(AgendaPurpose.EVALUEREN.value)),
                      (Case.phase == CasePhase.AANPAK_PLAN, sa.literal(AgendaPurpose.NIEUW.value)),
                      else_=sa.literal(AgendaPurpose.BESPREKEN.value))
    picked = (sa.select(Case.id.label("case_id"), target.label("meeting_id"), purpose.label("purpose"),
                        Case.next_review_on.label("review_on"))
              .select_from(Case).join(Category, Category.id == Case.category_id)
              .where(Case.phase.in_(REVIEWED_PHASES), Case.next_review_on.is_not(None),
                     Case.next_review_on <= horizon, ~on_coming_agenda)
              .subquery())
    rows = list(db.session.execute(
        sa.select(picked.c.case_id, picked.c.meeting_id, picked.c.purpose)
        .where(picked.c.meeting_id.is_not(None))
        .order_by(picked.c.meeting_id, picked.c.review_on, picked.c.case_id)))
    if not rows:
        return 0
    meeting_ids = sorted({row.meeting_id for row in rows})
    # The agendas' row locks, in id order (no deadlock with anyone taking one at a time), then what is on them
    # now: a case added by hand meanwhile is skipped, and positions continue after everything committed.
    db.session.execute(sa.select(Meeting.id).where(Meeting.id.in_(meeting_ids)).order_by(Meeting.id)
                       .with_for_update())
    present = {(meeting_id, case_id) for meeting_id, case_id in db.session.execute(
        sa.select(AgendaItem.meeting_id, AgendaItem.case_id).where(AgendaItem.meeting_id.in_(meeting_ids)))}
    rows = [row for row in rows if (row.meeting_id, row.case_id) not in present]
    agendas = db.session.execute(
        sa.select(AgendaItem.meeting_id, sa.func.max(AgendaItem.position), sa.func.count())
        .where(AgendaItem.meeting_id.in_(meeting_ids)).group_by(AgendaItem.meeting_id)).all()
    last = {meeting_id: position for meeting_id, position, _count in agendas}
    room = {meeting_id: MAX_AUTO_AGENDA - count for meeting_id, _position, count in agendas}
    created_at = utcnow()
    values = []
    for row in rows:
        if room.setdefault(row.meeting_id, MAX_AUTO_AGENDA) <= 0:
            continue  # full: the case waits for a later run
        room[row.meeting_id] -= 1
        last[row.meeting_id] = (last.get(row.meeting_id) or 0) + 1
        values.append({"meeting_id": row.meeting_id, "case_id": row.case_id, "purpose": AgendaPurpose(row.purpose),
                       "position": last[row.meeting_id], "added_automatically": True, "discussed": False,
                       "created_at": created_at})
    if not values:
        return 0
    db.session.execute(sa.insert(AgendaItem), values)
    record("agenda.auto_scheduled", object_type="meeting", details={"items": len(values),
                                                                    "meetings": meeting_ids[:50]})
    notifications.cases_on_agenda(  # the partners of each case learn the meeting's date (the rows just written)
        (item, case, reference, starts_at, MeetingType(kind).label_nl) for item, case, reference, starts_at, kind
        in db.session.execute(sa.select(AgendaItem.id, Case.id, Case.reference, Meeting.starts_at, Meeting.type)
                              .join(Case, Case.id == AgendaItem.case_id)
                              .join(Meeting, Meeting.id == AgendaItem.meeting_id)
                              .where(AgendaItem.meeting_id.in_(meeting_ids), AgendaItem.created_at == created_at)))
    return len(values)
