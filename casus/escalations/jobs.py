"""The escalation sweeps (docs/DESIGN.md §3.2, §5): overdue decisions and review dates notify the team's supervisors.

Both look only at the *current* open step of a case — the step up that brought it to the level it is on
now (``escalations.services.is_current``); a lower step that was escalated past is not chased separately.
Set-based like :mod:`casus.notifications.jobs`, whose helpers they reuse: one query picks every
supervisor for every step at once (need-to-know through ``policy.sees_case``, a ``NOT EXISTS`` on the
notification key), then one bulk insert that skips existing keys. A rerun sends nothing twice.

Keys:
* ``escalation-overdue:escalation:<id>:user:<id>`` — once per step up: its deadline cannot change;
* ``escalation-review:escalation:<id>:<review date>:user:<id>`` — once per step and review date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.sql.elements import ColumnElement

from casus.cases.models import Case
from casus.escalations.models import Escalation
from casus.escalations.services import _is_current, decision_overdue, review_due
from casus.notifications import kinds
from casus.notifications.jobs import _holds, _may_notify, _new, _record, _session, local_today, sql_key
from casus.users.models import Role, User

__all__ = ["escalation_decisions_overdue", "escalation_reviews_due"]


def _supervisors(condition: ColumnElement[bool], key: Callable[[type[User]], ColumnElement[str]],
                 day: ColumnElement) -> list:
    """Current open steps matching ``condition``, one row per supervisor of the case's team not yet told."""
    query = (sa.select(Case.id.label("case_id"), Case.reference.label("reference"), day.label("day"),
                       key(User).label("key"), User.id.label("user_id"), User.locale.label("locale"))
             .select_from(Escalation).join(Case, Case.id == Escalation.case_id)
             .join(User, sa.and_(User.team_id == Case.team_id, _holds(User, Role.SUPERVISOR)))
             .where(_is_current(), condition, _may_notify(User), _new(key(User))))
    return list(_session().execute(query))


def escalation_decisions_overdue(app: Flask, now: datetime) -> int:
    """Open steps up without a recorded decision whose deadline has passed: once per step and supervisor."""
    rows = _supervisors(decision_overdue(local_today(now)),
                        lambda user: sql_key("escalation-overdue:escalation:", Escalation.id, ":user:", user.id),
                        Escalation.decision_deadline)
    return _record(rows, kinds.ESCALATION_DECISION_OVERDUE.name, now,
                   lambda row: {"reference": row.reference, "date": row.day.isoformat()})


def escalation_reviews_due(app: Flask, now: datetime) -> int:
    """Open steps up whose date to review de-escalation has come: once per step, review date and supervisor."""
    rows = _supervisors(review_due(local_today(now)),
                        lambda user: sql_key("escalation-review:escalation:", Escalation.id, ":", Escalation.review_on,
                                             ":user:", user.id),
                        Escalation.review_on)
    return _record(rows, kinds.ESCALATION_REVIEW_DUE.name, now,
                   lambda row: {"reference": row.reference, "date": row.day.isoformat()})
