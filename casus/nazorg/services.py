"""Nazorg check-ins: planned when a case enters nazorg, recorded by the case's team as what happened.

When a case steps down to nazorg (``CaseTransitioned`` to ``nazorg``) the check-ins of the cadence (3 and 6
months by default, ``clock.cadences().nazorg_checkins``) are planned as rows. Cases that were in nazorg before
those rows existed get theirs lazily, on the first read of the nazorg page or the API (:func:`checkins_of`); the
unique constraint (case, nazorg start, months) and ``ON CONFLICT DO NOTHING`` make both idempotent, also when two
readers come at once.

Recording a check-in (:func:`record_checkin`) stores the date, whether contact was made, the outcome and whether
there is a signal of relapse; it is versioned, audited and put on the tijdlijn without the outcome text (partners
read the tijdlijn; the outcome stays on the nazorg page). The check-in's reminders are marked read, and the daily
reminder job skips recorded check-ins (``notifications.jobs.nazorg_checkins``).
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from casus.audit.services import record
from casus.cases.events import CaseTransitioned
from casus.cases.models import Case
from casus.clock import cadences, today
from casus.database import insert_new, utcnow
from casus.events import Events
from casus.extensions import db
from casus.nazorg.models import NazorgCheckin
from casus.notifications.models import Notification
from casus.services import MAX_TEXT, ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import User
from casus.versioning import check_version, flush_versioned
from workflow import CasePhase

REMINDER_KIND = "nazorg_checkin"  # casus.notifications.kinds.NAZORG_CHECKIN


def register(events: Events) -> None:
    """At app start: a case that enters nazorg gets its planned check-ins."""
    events.subscribe(CaseTransitioned, _follow_case)


def _follow_case(event: CaseTransitioned) -> None:
    if str(event.outcome.to_state) == CasePhase.NAZORG:
        plan_checkins(event.case)


def _planned_rows(case: Case) -> list[dict]:
    started = case.nazorg_started_on
    rules = cadences()
    return [{"case_id": case.id, "nazorg_started_on": started, "months": months, "planned_on": day,
             "relapse_signal": False, "created_at": utcnow(), "version": 1}
            for months, day in zip(rules.nazorg_checkins_months, rules.nazorg_checkins(started), strict=True)]


def plan_checkins(case: Case) -> int:
    """Plan the check-ins of ``case``'s current nazorg period that do not exist yet; how many were new."""
    if case.phase != CasePhase.NAZORG or case.nazorg_started_on is None:
        return 0
    rows = _planned_rows(case)
    if not rows:
        return 0
    db.session.flush()
    return insert_new(db.session, NazorgCheckin.__table__, rows, unique=["case_id", "nazorg_started_on", "months"])


def _of_case(case: Case) -> sa.Select:
    return (sa.select(NazorgCheckin).where(NazorgCheckin.case_id == case.id)
            .order_by(NazorgCheckin.nazorg_started_on.desc(), NazorgCheckin.months, NazorgCheckin.id))


def checkins_of(case: Case) -> list[NazorgCheckin]:
    """Every check-in of ``case``, the current nazorg period first. A case in nazorg without its planned rows
    (in nazorg before check-ins were records) gets them now: one read, and one insert only when rows miss."""
    found = list(db.session.execute(_of_case(case)).scalars())
    if case.phase == CasePhase.NAZORG and case.nazorg_started_on is not None:
        have = {c.months for c in found if c.nazorg_started_on == case.nazorg_started_on}
        if not set(cadences().nazorg_checkins_months) <= have and plan_checkins(case):
            found = list(db.session.execute(_of_case(case)).scalars())
    return found


def current_period(case: Case, checkins: list[NazorgCheckin]) -> list[NazorgCheckin]:
    return [c for c in checkins if c.nazorg_started_on == case.nazorg_started_on]


def relapse_signalled(case: Case, checkins: list[NazorgCheckin]) -> bool:
    """A recorded check-in of the current nazorg period signals relapse: the page offers the relapse step."""
    return case.phase == CasePhase.NAZORG and any(
        c.relapse_signal and c.is_done for c in current_period(case, checkins))


def record_checkin(user: User, case: Case, checkin: NazorgCheckin, *, done_on: date | None,
                   contact_made: bool | None, outcome: str | None, relapse_signal: bool,
                   expected_version: int | None = None) -> NazorgCheckin:
    """Record (or correct) a check-in of the current nazorg period, with its ``version`` (stale: 409)."""
    check_version(checkin, expected_version)
    if checkin.case_id != case.id:
        raise ServiceError("Dit nazorgcontact hoort niet bij deze casus.", status=404)
    if case.phase != CasePhase.NAZORG or checkin.nazorg_started_on != case.nazorg_started_on:
        raise ServiceError("Een nazorgcontact legt u vast zolang de casus in deze nazorgperiode is.", status=409)
    if done_on is None:
        raise ServiceError("Vul de datum van het contact in.", field="done_on")
    if done_on > today():
        raise ServiceError("De datum van het contact ligt niet in de toekomst.", field="done_on")
    if done_on < checkin.nazorg_started_on:
        raise ServiceError("De datum van het contact ligt niet voor het begin van de nazorg (%(date)s).",
                           field="done_on", date=f"{checkin.nazorg_started_on:%d-%m-%Y}")
    if contact_made is None:
        raise ServiceError("Geef aan of er contact is geweest.", field="contact_made")
    outcome = (outcome or "").strip() or None
    if outcome and len(outcome) > MAX_TEXT:
        raise ServiceError("Hoogstens %(max)s tekens.", field="outcome", max=MAX_TEXT)
    first_time = not checkin.is_done
    checkin.done_on, checkin.contact_made, checkin.outcome = done_on, bool(contact_made), outcome
    checkin.relapse_signal = bool(relapse_signal)
    checkin.recorded_by_id, checkin.recorded_at = user.id, utcnow()
    flush_versioned(checkin)
    # The tijdlijn is read by every partner of the case: what happened, never the outcome text.
    period = f"{checkin.months} {'maand' if checkin.months == 1 else 'maanden'}"
    summary = (f"Nazorgcontact na {period} {'vastgelegd' if first_time else 'gecorrigeerd'}; "
               f"{'contact gelegd' if checkin.contact_made else 'geen contact'}")
    if checkin.relapse_signal:
        summary += "; signaal van terugval"
    add_timeline(case, "nazorg_checkin.recorded", summary, actor=user)
    record("nazorg_checkin.recorded", object_type="nazorg_checkin", object_id=checkin.id, case_id=case.id,
           details={"months": checkin.months, "contact_made": checkin.contact_made,
                    "relapse_signal": checkin.relapse_signal}, user=user)
    _close_reminders(checkin)
    return checkin


def reminder_key_prefix(checkin: NazorgCheckin) -> str:
    """The reminder job's key for this check-in, up to the recipient (notifications.jobs.nazorg_checkins)."""
    return f"nazorg-checkin:case:{checkin.case_id}:{checkin.nazorg_started_on.isoformat()}:{checkin.months}m:user:"


def _close_reminders(checkin: NazorgCheckin) -> None:
    """A recorded check-in's reminders are done with: marked read for everyone who got one, in one UPDATE."""
    prefix = reminder_key_prefix(checkin)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.case_id == checkin.case_id, Notification.kind == REMINDER_KIND,
               Notification.read_at.is_(None), Notification.key.startswith(prefix, autoescape=True))
        .values(read_at=utcnow()).execution_options(synchronize_session=False))
