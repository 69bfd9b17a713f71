"""What happens at a meeting: the minutes per case (in BOB order), decisions (optionally an action in the plan
van aanpak), attendance, and closing the held meeting (discussed cases get their next review date).

A service module like :mod:`casus.meetings.services` (the meetings' services are split by topic: this module,
``series``, ``agenda`` and ``services`` for single meetings and the checks they share): it is among the only
code that changes meeting data; it validates, flushes and audits, and the request commits once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa

from casus import clock
from casus.audit.services import record
from casus.cases.models import Case, Participation
from casus.clock import cadences, today
from casus.database import utcnow
from casus.extensions import db
from casus.meetings.models import AgendaItem, Attendance, Decision, Meeting, MeetingStatus
from casus.meetings.services import decision_prefix, discussed_line, invited_ids, local_date, require_planned
from casus.organisations.models import Organisation
from casus.plans.services import add_action
from casus.services import MAX_TEXT, ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import User
from casus.versioning import check_version, flush_versioned
from workflow import CasePhase


def _text(value: str | None, field: str) -> str | None:
    value = (value or "").strip() or None
    if value and len(value) > MAX_TEXT:
        raise ServiceError("Hoogstens %(max)s tekens.", field=field, max=MAX_TEXT)
    return value


def require_started(meeting: Meeting) -> None:
    """Minutes, attendance and decisions record what happened: not before the meeting has begun (409)."""
    if clock.now() < meeting.starts_at:
        start = meeting.starts_at.astimezone(clock.local_zone())
        raise ServiceError("Notulen kunnen pas vanaf het begin van het overleg worden vastgelegd (%(start)s).",
                           status=409, start=f"{start:%d-%m-%Y %H:%M}")


def has_started(meeting: Meeting) -> bool:
    return clock.now() >= meeting.starts_at


def save_minutes(user: User, meeting: Meeting, item: AgendaItem, *, beeldvorming: str | None,
                 oordeelsvorming: str | None, besluitvorming: str | None, discussed: bool,
                 expected_version: int | None = None) -> AgendaItem:
    """The minutes of one case in BOB order, and whether it was discussed. Until the meeting is closed.
    With the item's ``version``: of two people saving the same minutes at once, one gets 409 — never a silent
    overwrite."""
    check_version(item, expected_version)
    require_planned(meeting)
    require_started(meeting)
    item.beeldvorming = _text(beeldvorming, "beeldvorming")
    item.oordeelsvorming = _text(oordeelsvorming, "oordeelsvorming")
    item.besluitvorming = _text(besluitvorming, "besluitvorming")
    item.discussed = bool(discussed)
    flush_versioned(item)
    record("agenda_item.minutes", object_type="agenda_item", object_id=item.id, case_id=item.case_id,
           details={"meeting_id": meeting.id}, user=user)
    return item


def add_decision(user: User, meeting: Meeting, item: AgendaItem, case: Case, *, text: str,
                 as_action: bool = False, owner_organisation_id: int | None = None,
                 due_on: date | None = None) -> Decision:
    """A besluit about the case; as an action it goes into the case's plan van aanpak (owner organisation =
    a participating organisation, with a due date) through :func:`casus.plans.services.add_action`."""
    require_planned(meeting)
    require_started(meeting)
    text = _text(text, "text")
    if not text:
        raise ServiceError("Schrijf het besluit.", field="text")
    action_id = None
    if as_action:
        if owner_organisation_id is None:
            raise ServiceError("Kies de organisatie die de actie uitvoert.", field="owner_organisation_id")
        action_id = add_action(user, case, description=text, owner_organisation_id=owner_organisation_id,
                               due_on=due_on).id
    decision = Decision(agenda_item_id=item.id, text=text, action_id=action_id, created_by_id=user.id)
    db.session.add(decision)
    db.session.flush()
    add_timeline(case, "meeting.decision", f"{decision_prefix(meeting)}{text[:300]}", actor=user, meeting=meeting)
    record("decision.added", object_type="decision", object_id=decision.id, case_id=case.id,
           details={"meeting_id": meeting.id, "action_id": action_id}, user=user)
    return decision


def record_attendance(user: User, meeting: Meeting, rows: dict[int, tuple[bool, str | None]], *,
                      expected_version: int | None = None) -> None:
    """Who was there, per invited organisation: ``{organisation_id: (present, names)}``. Attendance belongs to
    the meeting: it carries and bumps the meeting's ``version`` (updated first, so of two people saving at once
    the second waits for the first and then finds the version moved on: 409)."""
    check_version(meeting, expected_version)
    if meeting.status == MeetingStatus.GEANNULEERD:
        raise ServiceError("Dit overleg is geannuleerd.", status=409)
    require_started(meeting)
    invited = set(invited_ids(meeting))
    if not set(rows) <= invited:
        raise ServiceError("Aanwezigheid leggen we alleen vast voor uitgenodigde organisaties.")
    meeting.updated_at = utcnow()
    flush_versioned(meeting)
    existing = {a.organisation_id: a for a in db.session.execute(
        sa.select(Attendance).where(Attendance.meeting_id == meeting.id)).scalars()}
    for org_id, (present, names) in rows.items():
        names = (names or "").strip()[:500] or None
        row = existing.get(org_id)
        if row is None:
            db.session.add(Attendance(meeting_id=meeting.id, organisation_id=org_id, present=bool(present),
                                      attendees=names))
        else:
            row.present, row.attendees = bool(present), names
    db.session.flush()
    record("meeting.attendance", object_type="meeting", object_id=meeting.id, user=user)


def close_meeting(user: User, meeting: Meeting, *, expected_version: int | None) -> list[Case]:
    """"Overleg afsluiten": the meeting is held. Every discussed case gets ``plan_discussed_on`` (when not set),
    its next review date from the cadence (nazorg: the next check-in) and a line on its timeline."""
    check_version(meeting, expected_version)
    require_planned(meeting)
    held_on = local_date(meeting.starts_at)
    if held_on > today():
        raise ServiceError("U sluit een overleg af op of na de dag waarop het is gehouden.", status=409)
    meeting.status = MeetingStatus.GEHOUDEN
    flush_versioned(meeting)
    cases = list(db.session.execute(
        sa.select(Case).join(AgendaItem, AgendaItem.case_id == Case.id)
        .where(AgendaItem.meeting_id == meeting.id, AgendaItem.discussed.is_(True))
        .order_by(AgendaItem.position)).unique().scalars())
    rules = cadences()
    for case in cases:
        if case.plan_discussed_on is None:
            case.plan_discussed_on = held_on
        if case.phase in (CasePhase.AANPAK_PLAN, CasePhase.AANPAK_UITVOERING):
            case.next_review_on = rules.next_review(held_on)
        elif case.phase == CasePhase.NAZORG and case.nazorg_started_on:
            coming = [d for d in rules.nazorg_checkins(case.nazorg_started_on) if d > held_on]
            case.next_review_on = coming[0] if coming else None
        add_timeline(case, "meeting.discussed", discussed_line(meeting), actor=user, meeting=meeting)
        record("case.meeting_discussed", object_type="case", object_id=case.id, case_id=case.id,
               details={"meeting_id": meeting.id}, user=user)
    db.session.flush()
    record("meeting.closed", object_type="meeting", object_id=meeting.id, details={"discussed": len(cases)}, user=user)
    return cases


def participants_by_case(case_ids: Iterable[int]) -> dict[int, list[Organisation]]:
    """Active participating organisations per case, in one query (owners for decision actions)."""
    ids = sorted(set(case_ids))
    found: dict[int, list[Organisation]] = {case_id: [] for case_id in ids}
    if not ids:
        return found
    for participation in db.session.execute(
            sa.select(Participation).where(Participation.case_id.in_(ids), Participation.left_on.is_(None))
            .order_by(Participation.id)).scalars():
        found[participation.case_id].append(participation.organisation)
    return found
