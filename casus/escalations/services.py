"""Climbing and descending the escalation ladder (docs/DESIGN.md §3.2): opschalen, the decision, afschalen.

A step up (``escalate``) records why, who decides at the new level, the decision deadline (10 werkdagen by
default) and when to review de-escalation; the decision is recorded on that step when it comes
(``record_decision``); a step down (``deescalate``) records the decision taken and closes the step up it
undoes. The case's level is ``Case.escalation_level``, moved by the ``ESCALATION`` workflow machine, so a
change of level bumps the case's ``version`` (optimistic locking, stale → 409).

The workflow guards judge the step (role, level, reason, decision owner, dates not in the past, decision):
a refusal changes nothing, is recorded in the transition log (``machine="escalation"``) and the audit log,
and raises ``TransitionRefused`` listing every failing guard. What the guards do not judge — lengths, a
date implausibly far ahead, a closed case — is refused here with a ``ServiceError``. Services flush and
audit; the request commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from casus import policy
from casus.audit.services import record
from casus.cases.models import Case
from casus.cases.services import actor_for, log_transition, record_refusal
from casus.clock import cadences, local_zone, today
from casus.database import utcnow
from casus.escalations.models import Escalation, EscalationDirection
from casus.extensions import db
from casus.notifications.services import NewNotification, case_link, notify_many
from casus.pagination import KeysetPage, decode_cursor, keyset_page
from casus.services import MAX_TEXT, ServiceError
from casus.timeline.services import add_timeline
from casus.users.models import Role, User, UserRole
from casus.versioning import check_version, flush_versioned
from workflow import ESCALATION, Context, EscalationFacts, EscalationLevel, TransitionRecord, TransitionRefused

MAX_OWNER = 200
# A deadline or review date further ahead than this is almost certainly a typo (2062 for 2026).
MAX_AHEAD = timedelta(days=2 * 366)
QUEUE_LIMIT = 100
ESCALATIONS_TAB = "/escalaties"


# --- reading ---------------------------------------------------------------------------------------------

def default_decision_deadline(day: date | None = None) -> date:
    """The decision deadline a step up gets by default: ``escalation_decision_working_days`` werkdagen
    (10; Dutch public holidays skipped) after ``day`` (today)."""
    return cadences().escalation_decision_due(day or today())


# Only names are shown: the users' role rows (a selectin load) are not needed.
WITH_PEOPLE = (joinedload(Escalation.created_by).lazyload(User.role_rows),
               joinedload(Escalation.decided_by).lazyload(User.role_rows))


def with_people(query: sa.Select) -> sa.Select:
    return query.options(*WITH_PEOPLE)


def history(case: Case) -> list[Escalation]:
    """Every step of the case's ladder, newest first, with who took and who decided it (one query)."""
    return list(db.session.execute(with_people(
        sa.select(Escalation).where(Escalation.case_id == case.id)
        .order_by(Escalation.created_at.desc(), Escalation.id.desc()))).unique().scalars())


def is_current(step: Escalation, case: Case) -> bool:
    """The open step up that brought the case to the level it is on now."""
    return step.is_open and step.to_level == case.escalation_level


def current_step(case: Case, steps: list[Escalation] | None = None) -> Escalation | None:
    """The open step up at the case's current level, or None on operationeel (from ``steps`` if given)."""
    if case.escalation_level == EscalationLevel.OPERATIONEEL:
        return None
    if steps is not None:
        return next((step for step in steps if is_current(step, case)), None)
    return db.session.execute(
        sa.select(Escalation).where(
            Escalation.case_id == case.id, Escalation.direction == EscalationDirection.OPSCHALEN,
            Escalation.resolved_at.is_(None), Escalation.to_level == case.escalation_level)
        .order_by(Escalation.created_at.desc(), Escalation.id.desc()).limit(1)).scalars().first()


def _is_current() -> sa.ColumnElement[bool]:
    """SQL twin of :func:`is_current`; needs ``cases`` in the FROM clause."""
    return sa.and_(Escalation.direction == EscalationDirection.OPSCHALEN, Escalation.resolved_at.is_(None),
                   Escalation.to_level == Case.escalation_level)


def decision_overdue(day: date | None = None) -> sa.ColumnElement[bool]:
    return sa.and_(Escalation.decision.is_(None), Escalation.decision_deadline < (day or today()))


def review_due(day: date | None = None) -> sa.ColumnElement[bool]:
    return Escalation.review_on <= (day or today())


def get_escalation(user: User, escalation_id: int, *, action: str = "escalation.view") -> Escalation:
    """A step of the ladder of a case ``user`` may see, else 404 (audited). A successful read is audited
    by the caller's read of the case (``policy.get_case``)."""
    return policy.get_visible(user, Escalation, escalation_id, action=action, options=WITH_PEOPLE)


@dataclass
class QueueRow:
    """A case above operationeel with its open step (None for a case put on a level without one, e.g. imported
    data), as the queue and the dashboard show it."""

    case: Case
    step: Escalation | None
    today: date

    @property
    def level(self) -> EscalationLevel:
        return EscalationLevel(str(self.case.escalation_level))

    @property
    def overdue(self) -> bool:
        return self.step is not None and self.step.decision is None and self.step.decision_deadline < self.today

    @property
    def review_due(self) -> bool:
        return self.step is not None and self.step.review_on <= self.today

    @property
    def age_days(self) -> int | None:
        if self.step is None:
            return None
        return (self.today - self.step.created_at.astimezone(local_zone()).date()).days


@dataclass
class Queue:
    rows: list[QueueRow]
    total: int
    overdue: int
    review_due: int

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)

    @property
    def count_label(self) -> str:  # as the dashboard's blocks show a count
        return str(self.total)


def _open_steps(user: User) -> sa.Select:
    """Open steps at their case's current level, of cases ``user`` may see."""
    return (sa.select(Escalation, Case).join(Case, Case.id == Escalation.case_id)
            .where(_is_current(), policy.case_scope(user)))


# The levels above operationeel, as IN rather than != so that ix_cases_team_escalation bounds the scan to the
# team's escalated cases (a few percent) instead of all of the team's cases.
ESCALATED = tuple(level for level in EscalationLevel if level != EscalationLevel.OPERATIONEEL)


def team_queue(user: User, *, limit: int = QUEUE_LIMIT) -> Queue:
    """The team's cases above operationeel with their open step: overdue decisions first, then review dates
    that have come, then by decision deadline. At most three queries whatever the number of rows."""
    day = today()
    overdue, due = decision_overdue(day), review_due(day)
    # Driven from the cases, so a case on a level without a recorded step still shows (and is not lost).
    base = (sa.select(Case, Escalation).outerjoin(Escalation, sa.and_(Escalation.case_id == Case.id, _is_current()))
            .where(policy.case_scope(user), Case.team_id == user.team_id, Case.escalation_level.in_(ESCALATED)))
    totals = db.session.execute(base.with_only_columns(
        sa.func.count(),
        sa.func.coalesce(sa.func.sum(sa.case((overdue, 1), else_=0)), 0),
        sa.func.coalesce(sa.func.sum(sa.case((due, 1), else_=0)), 0))).one()
    rows = []
    if totals[0]:
        urgency = sa.case((overdue, 0), (due, 1), else_=2)
        order = (urgency, Escalation.decision_deadline.is_(None), Escalation.decision_deadline, Case.id)
        # The page's case ids first (a narrow sort), then their rows: sorting every escalated case of the team
        # with its category, team and step joined cost 8-12 ms at 100,000 cases.
        page = base.with_only_columns(Case.id).order_by(*order).limit(limit)
        result = db.session.execute(base.where(Case.id.in_(page)).order_by(*order))
        rows = [QueueRow(case, step, day) for case, step in result.unique().all()]
    return Queue(rows=rows, total=totals[0], overdue=int(totals[1]), review_due=int(totals[2]))


def open_steps_page(user: User, *, overdue_only: bool = False, cursor: str | None = None,
                    limit: int = 25) -> tuple[KeysetPage, dict[int, Case]]:
    """The open steps of every case ``user`` may see, by decision deadline (keyset-paginated), and their
    cases by id. Two queries whatever the page size. A cursor that does not decode raises ``ValueError``."""
    after = None
    if cursor:
        after = decode_cursor(cursor, date.fromisoformat)
        if after is None:
            raise ValueError("cursor")
    query = with_people(_open_steps(user).with_only_columns(Escalation))
    if overdue_only:
        query = query.where(decision_overdue())
    page = keyset_page(query, key=Escalation.decision_deadline, id_col=Escalation.id, descending=False,
                       after=after, before=None, limit=limit, value_of=lambda step: step.decision_deadline,
                       dump=lambda value: value.isoformat())
    return page, cases_by_id({step.case_id for step in page.items})


def cases_by_id(ids) -> dict[int, Case]:
    if not ids:
        return {}
    return {case.id: case for case in db.session.execute(sa.select(Case).where(Case.id.in_(sorted(ids)))).scalars()}


# --- changing ----------------------------------------------------------------------------------------------

def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _check_lengths(*, reason: str | None = None, decision_owner: str | None = None,
                   decision: str | None = None) -> None:
    if reason and len(reason) > MAX_TEXT:
        raise ServiceError("Een reden is hoogstens %(max)s tekens.", field="reason", max=MAX_TEXT)
    if decision_owner and len(decision_owner) > MAX_OWNER:
        raise ServiceError("Noem de beslisser in hoogstens %(max)s tekens.", field="decision_owner", max=MAX_OWNER)
    if decision and len(decision) > MAX_TEXT:
        raise ServiceError("Een besluit is hoogstens %(max)s tekens.", field="decision", max=MAX_TEXT)


def _check_horizon(decision_deadline: date | None, review_on: date | None) -> None:
    """Past dates are the guards' business (``needs_decision_deadline``, ``needs_review_date``)."""
    horizon = today() + MAX_AHEAD
    if decision_deadline is not None and decision_deadline > horizon:
        raise ServiceError("De beslistermijn ligt te ver in de toekomst (hoogstens twee jaar).",
                           field="decision_deadline")
    if review_on is not None and review_on > horizon:
        raise ServiceError("De datum om afschalen te heroverwegen ligt te ver in de toekomst (hoogstens twee jaar).",
                           field="review_on")


def _context(user: User, **values) -> Context:
    return Context(actor=actor_for(user), now=utcnow(), cadences=cadences(), **values)


def _fire(case: Case, trigger: str, ctx: Context, *, action: str) -> TransitionRecord:
    """Move the case along ``trigger``; a refusal changes nothing and is logged and audited, then raised."""
    try:
        with db.session.begin_nested():
            outcome = ESCALATION.fire(case, trigger, EscalationFacts(case_phase=case.phase), ctx,
                                      attr="escalation_level")
            db.session.flush()  # the level change bumps the case's version (or loses a race: 409)
    except TransitionRefused as refused:
        record_refusal(case, refused, action=action)
        raise
    log_transition(case, outcome, allowed=True)
    return outcome


def _level_nl(level: str) -> str:
    return EscalationLevel(level).label_nl


def escalate(user: User, case: Case, *, reason: str | None, decision_owner: str | None,
             decision_deadline: date | None, review_on: date | None,
             expected_version: int | None = None) -> Escalation:
    """Opschalen: one level up, with the reason, the decision owner, the decision deadline and the date to
    review de-escalation. Tells the team's other supervisors. Raises ``TransitionRefused`` when the ladder
    or the guards refuse (nothing changes), ``ServiceError`` for a stale version or implausible input."""
    check_version(case, expected_version)
    reason, decision_owner = _clean(reason), _clean(decision_owner)
    _check_lengths(reason=reason, decision_owner=decision_owner)
    _check_horizon(decision_deadline, review_on)
    if case.is_closed:
        raise ServiceError("Een afgesloten casus schaalt u niet meer op.")
    ctx = _context(user, reason=reason, decision_owner=decision_owner, decision_deadline=decision_deadline,
                   review_on=review_on)
    outcome = _fire(case, "escalate", ctx, action="escalation.escalate")
    step = Escalation(case_id=case.id, direction=EscalationDirection.OPSCHALEN, from_level=outcome.from_state,
                      to_level=outcome.to_state, reason=reason, decision_owner=decision_owner,
                      decision_deadline=decision_deadline, review_on=review_on, created_by_id=user.id,
                      created_at=outcome.at)
    db.session.add(step)
    db.session.flush()
    add_timeline(case, "escalation.escalated",
                 f"Opgeschaald van {_level_nl(outcome.from_state)} naar {_level_nl(outcome.to_state)}. "
                 f"Beslisser: {decision_owner}; beslistermijn {decision_deadline:%d-%m-%Y}; afschalen heroverwegen "
                 f"op {review_on:%d-%m-%Y}. Reden: {reason}", actor=user, at=outcome.at)
    record("escalation.escalate", object_type="escalation", object_id=step.id, case_id=case.id,
           details={"from": str(outcome.from_state), "to": str(outcome.to_state)}, user=user)
    _notify_supervisors(user, case, step)
    return step


def record_decision(user: User, escalation: Escalation, *, decision: str | None,
                    expected_version: int | None = None) -> Escalation:
    """Record the decision taken on an open step up (once: a second decision answers 409). With the step's
    ``version``: of two people recording at once, the second finds it moved on (409, nothing changed)."""
    check_version(escalation, expected_version)
    decision = _clean(decision)
    if decision is None:
        raise ServiceError("Leg het genomen besluit vast.", field="decision")
    _check_lengths(decision=decision)
    if not escalation.is_open:
        raise ServiceError("Deze escalatie is al afgerond; een besluit legt u vast bij een open escalatie.",
                           status=409)
    if escalation.decision is not None:
        raise ServiceError("Het besluit over deze escalatie is al vastgelegd.", status=409)
    now = utcnow()
    escalation.decision, escalation.decided_at, escalation.decided_by_id = decision, now, user.id
    flush_versioned(escalation)  # UPDATE ... WHERE version = the one read: a concurrent recorder gets 409
    case = db.session.get(Case, escalation.case_id)
    add_timeline(case, "escalation.decided", f"Besluit ({_level_nl(escalation.to_level)}): {decision}",
                 actor=user, at=now)
    record("escalation.decision", object_type="escalation", object_id=escalation.id, case_id=case.id, user=user)
    return escalation


def deescalate(user: User, case: Case, *, decision: str | None, expected_version: int | None = None) -> Escalation:
    """Afschalen: one level down with the decision taken. Closes the open step up it undoes (recording
    the decision there too when none was recorded yet). Refusals as for :func:`escalate`."""
    check_version(case, expected_version)
    decision = _clean(decision)
    _check_lengths(decision=decision)
    step_up = current_step(case)
    ctx = _context(user, reason=decision, decision=decision)
    outcome = _fire(case, "deescalate", ctx, action="escalation.deescalate")
    if step_up is not None:
        step_up.resolved_at = outcome.at
        if step_up.decision is None:
            step_up.decision, step_up.decided_at, step_up.decided_by_id = decision, outcome.at, user.id
    step = Escalation(case_id=case.id, direction=EscalationDirection.AFSCHALEN, from_level=outcome.from_state,
                      to_level=outcome.to_state, decision=decision, decided_at=outcome.at, decided_by_id=user.id,
                      created_by_id=user.id, created_at=outcome.at)
    db.session.add(step)
    db.session.flush()
    add_timeline(case, "escalation.deescalated",
                 f"Afgeschaald van {_level_nl(outcome.from_state)} naar {_level_nl(outcome.to_state)}. "
                 f"Besluit: {decision}", actor=user, at=outcome.at)
    record("escalation.deescalate", object_type="escalation", object_id=step.id, case_id=case.id,
           details={"from": str(outcome.from_state), "to": str(outcome.to_state),
                    "resolved": getattr(step_up, "id", None)}, user=user)
    return step


def _notify_supervisors(user: User, case: Case, step: Escalation) -> None:
    """Every active supervisor of the case's team except the one who escalated (one query)."""
    supervisors = db.session.execute(
        sa.select(User.id, User.locale)
        .where(User.team_id == case.team_id, User.active.is_(True), User.id != user.id,
               sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.SUPERVISOR))).all()
    level = EscalationLevel(step.to_level)
    notify_many(NewNotification(
        user_id=user_id, key=f"escalation-raised:escalation:{step.id}:user:{user_id}", kind="escalation_raised",
        link=case_link(case.id) + ESCALATIONS_TAB, case_id=case.id, locale=locale,
        params={"reference": case.reference, "level": level.label_nl})
        for user_id, locale in supervisors)
