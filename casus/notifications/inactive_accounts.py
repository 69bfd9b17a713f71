"""The daily sweep of inactive accounts, and the beheerders' notification of what it deactivated.

A notifications job (``casus.scheduling.jobs``: ``inactive_accounts``) because it notifies: it calls down into the
users' service (:func:`casus.users.services.deactivate_inactive`, which ends their sessions, revokes their API
tokens and audits each one) and records one notification per active beheerder with the number deactivated.
``CASUS_INACTIVE_DAYS`` sets the period (default 90 days; 0 switches the sweep off).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Flask

from casus.clock import local_zone
from casus.extensions import db
from casus.notifications import kinds
from casus.notifications.services import NewNotification, notify_many
from casus.users.models import Role, User, UserRole
from casus.users.services import deactivate_inactive

USERS_LINK = "/beheer/gebruikers"


def beheerders() -> list[User]:
    query = (sa.select(User).where(User.active.is_(True),
                                   sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.BEHEERDER))
             .order_by(User.id))
    return list(db.session.execute(query).unique().scalars())


def deactivate_inactive_accounts(app: Flask, now: datetime) -> int:
    """Deactivate the accounts idle past the configured period; returns how many. A rerun finds none left."""
    days = app.config["CASUS"].inactive_days
    deactivated = deactivate_inactive(now, days)
    if deactivated:
        today = now.astimezone(local_zone()).date().isoformat()
        params = {"count": len(deactivated), "date": today, "days": days}
        notify_many(
            NewNotification(user_id=beheerder.id, key=f"accounts-deactivated:{today}:{deactivated[0].id}:"
                                                      f"user:{beheerder.id}",
                            kind=kinds.ACCOUNTS_DEACTIVATED.name, link=USERS_LINK, params=params,
                            locale=beheerder.locale)
            for beheerder in beheerders())
    return len(deactivated)
