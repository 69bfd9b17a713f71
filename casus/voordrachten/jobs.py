"""The stale-voordracht sweep (docs/DESIGN.md §3.4, §5): a voordracht waiting on someone for 14 days is chased.

Who is waited on, per state:
* ``ter_beoordeling``: the team's active supervisors, except whoever drew it up or asked for the approval
  (four eyes: they cannot decide it anyway);
* ``goedgekeurd``: whoever drew it up (to send it to the RIEC), while they still run the case's team;
* ``ingediend``: the active riec users of the addressee — without the case (they may not see it): the
  notification names only the voordracht's number.

Set-based like :mod:`casus.notifications.jobs` (whose key helpers it reuses): one query per state picks every
recipient for every stale voordracht, skipping keys already recorded; one bulk insert. The key holds the
voordracht's ``version``, which every change bumps: once per voordracht and stale spell, never twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import aliased

from casus.approvals.models import Approval, ApprovalStatus
from casus.cases.models import Case
from casus.clock import cadences, local_zone
from casus.notifications import kinds
from casus.notifications.jobs import _holds, _new, local_today, sql_key
from casus.notifications.services import NewNotification, notify_many
from casus.users.models import Role, User
from casus.voordrachten.models import Voordracht
from casus.voordrachten.services import NUMBER_FORMAT, VOORDRACHT_LINK
from workflow import VoordrachtState

__all__ = ["stale_voordrachten"]


def _key(user) -> sa.ColumnElement[str]:
    return sql_key("voordracht-stale:", Voordracht.id, ":v", Voordracht.version, ":user:", user.id)


def _base(state: VoordrachtState, boundary: datetime) -> sa.Select:
    return (sa.select(Voordracht.id.label("voordracht_id"), Voordracht.case_id.label("case_id"),
                      Voordracht.state.label("state"), Voordracht.updated_at.label("touched"),
                      _key(User).label("key"), User.id.label("user_id"), User.locale.label("locale"))
            .select_from(Voordracht).join(Case, Case.id == Voordracht.case_id)
            .where(Voordracht.state == state, Voordracht.updated_at < boundary, User.active.is_(True),
                   _new(_key(User))))


def _awaiting_review(boundary: datetime) -> sa.Select:
    asked = aliased(Approval)
    asked_for_it = sa.exists().where(asked.voordracht_id == Voordracht.id, asked.status == ApprovalStatus.OPEN,
                                     asked.requested_by_id == User.id)
    return (_base(VoordrachtState.TER_BEOORDELING, boundary)
            .join(User, sa.and_(User.team_id == Case.team_id, _holds(User, Role.SUPERVISOR)))
            .where(User.id != Voordracht.created_by_id, ~asked_for_it))


def _awaiting_sending(boundary: datetime) -> sa.Select:
    runs_team = sa.or_(_holds(User, Role.PROCESREGISSEUR), _holds(User, Role.SUPERVISOR))
    return (_base(VoordrachtState.GOEDGEKEURD, boundary)
            .join(User, User.id == Voordracht.created_by_id)
            .where(User.team_id == Case.team_id, runs_team))


def _awaiting_riec(boundary: datetime) -> sa.Select:
    return (_base(VoordrachtState.INGEDIEND, boundary)
            .join(User, sa.and_(User.organisation_id == Voordracht.addressee_organisation_id,
                                _holds(User, Role.RIEC))))


def stale_voordrachten(app: Flask, now: datetime) -> int:
    """Voordrachten untouched for ``stale_after_days`` (14) local days while waiting: once per stale spell."""
    first_fresh_day = local_today(now) - timedelta(days=cadences().stale_after_days - 1)
    boundary = datetime.combine(first_fresh_day, time.min, tzinfo=local_zone()).astimezone(UTC)
    from casus.extensions import db

    items = []
    for query, team_side in ((_awaiting_review(boundary), True), (_awaiting_sending(boundary), True),
                             (_awaiting_riec(boundary), False)):
        for row in db.session.execute(query):
            state = VoordrachtState(row.state)
            touched = row.touched if row.touched.tzinfo else row.touched.replace(tzinfo=UTC)
            items.append(NewNotification(
                user_id=row.user_id, key=row.key, kind=kinds.VOORDRACHT_STALE.name,
                link=VOORDRACHT_LINK.format(id=row.voordracht_id), locale=row.locale,
                # The RIEC may not see the case: a notification with a case id would be hidden from it.
                case_id=row.case_id if team_side else None,
                params={"number": NUMBER_FORMAT.format(id=row.voordracht_id), "state": state.label_nl,
                        "date": local_today(touched).isoformat()}))
    return notify_many(items, now=now)
