"""The approvals' scheduled job: a daily reminder of requests that wait too long for a decision.

The request itself already notified the team's supervisors once (``approval_requested``); a request still
open after ``REMIND_AFTER_WORKING_DAYS`` working days reminds them again on every working day, under a key
per approval, local date and recipient, so a rerun or a catch-up after downtime sends nothing twice.
Set-based like the other notification jobs: one query, one bulk insert; the scheduler commits.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import Flask

from casus import policy
from casus.approvals.models import Approval, ApprovalKind, ApprovalStatus
from casus.approvals.services import APPROVALS_LINK, decider_role
from casus.cases.models import Case
from casus.clock import local_zone
from casus.extensions import db
from casus.notifications import kinds
from casus.notifications.jobs import local_today, sql_key
from casus.notifications.models import Notification
from casus.notifications.services import NewNotification, notify_many
from casus.users.models import Role, User, UserRole
from workflow.workdays import add_working_days, is_working_day

__all__ = ["REMIND_AFTER_WORKING_DAYS", "approval_reminders"]

REMIND_AFTER_WORKING_DAYS = 3


def approval_reminders(app: Flask, now: datetime) -> int:
    """Open approvals asked ``REMIND_AFTER_WORKING_DAYS`` or more working days ago: each working day one
    reminder per approval to every active supervisor of the team who may see the case, except the requester —
    and for a destruction list (no case) to the team's supervisors and every privacy officer but the preparer."""
    today = local_today(now)
    if not is_working_day(today):
        return 0
    # Asked on or before this local date: at least the required number of working days ago.
    last_day = add_working_days(today, -REMIND_AFTER_WORKING_DAYS)
    boundary = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=local_zone()).astimezone(UTC)
    key = sql_key(f"approval-reminder:{today.isoformat()}:approval:", Approval.id, ":user:", User.id)
    return _case_reminders(now, boundary, key) + _list_reminders(now, boundary, key)


def _case_reminders(now: datetime, boundary: datetime, key) -> int:
    supervisor = sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.SUPERVISOR)
    query = (sa.select(Approval.id, Approval.kind, Approval.case_id, Approval.requested_at, Case.reference,
                       key.label("key"), User.id.label("user_id"), User.locale.label("locale"))
             .join(Case, Case.id == Approval.case_id)
             .join(User, sa.and_(User.team_id == Approval.team_id, User.id != Approval.requested_by_id))
             .where(Approval.status == ApprovalStatus.OPEN, Approval.requested_at < boundary,
                    User.active.is_(True), supervisor, policy.sees_case(User, Case),
                    ~sa.exists().where(Notification.key == key)))
    items = []
    for row in db.session.execute(query):
        kind = ApprovalKind(row.kind)
        asked_on = _aware(row.requested_at).astimezone(local_zone()).date()
        items.append(NewNotification(
            user_id=row.user_id, key=row.key, kind=kinds.APPROVAL_REMINDER.name,
            link=APPROVALS_LINK.format(id=row.id), case_id=row.case_id, locale=row.locale,
            params={"reference": row.reference, "what": kind.label_nl, "date": asked_on.isoformat()}))
    return notify_many(items, now=now)


def _list_reminders(now: datetime, boundary: datetime, key) -> int:
    """A destruction list waiting for its second person: whoever may decide it (``policy.decides_approval``)."""
    decider = sa.exists().where(UserRole.user_id == User.id,
                                decider_role(ApprovalKind.DESTRUCTION_LIST, Approval.team_id))
    query = (sa.select(Approval.id, Approval.details, key.label("key"), User.id.label("user_id"),
                       User.locale.label("locale"))
             .join(User, User.id != Approval.requested_by_id)
             .where(Approval.kind == ApprovalKind.DESTRUCTION_LIST, Approval.status == ApprovalStatus.OPEN,
                    Approval.requested_at < boundary, User.active.is_(True), decider,
                    ~sa.exists().where(Notification.key == key)))
    items = [NewNotification(user_id=row.user_id, key=row.key, kind=kinds.DESTRUCTION_LIST_REMINDER.name,
                             link=APPROVALS_LINK.format(id=row.id), locale=row.locale,
                             params={"reference": (row.details or {}).get("reference", "")})
             for row in db.session.execute(query)]
    return notify_many(items, now=now)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
