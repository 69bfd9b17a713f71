"""The daily verification of the audit chain, and the privacy officers' notification when it finds something.

A notifications job (``casus.scheduling.jobs``: ``audit_verify``) because it notifies: it calls down into the audit
log (:func:`casus.audit.verify.run_verification`, which stores the result) and records one notification per
active privacy officer, e-mailed by the mail job. The notification names the number of findings only; the
findings themselves (positions and event ids, no contents) are on the audit page.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Flask

from casus.audit.verify import run_verification
from casus.clock import local_zone
from casus.extensions import db
from casus.notifications import kinds
from casus.notifications.services import NewNotification, notify_many
from casus.users.models import Role, User, UserRole

AUDIT_LINK = "/audit"


def privacy_officers() -> list[User]:
    query = (sa.select(User).where(User.active.is_(True),
                                   sa.exists().where(UserRole.user_id == User.id, UserRole.role == Role.PRIVACY))
             .order_by(User.id))
    return list(db.session.execute(query).scalars())


def verify_audit_log(app: Flask, now: datetime) -> int:
    """Verify the chain; on any finding notify the privacy officers. Returns how many were notified."""
    report, verification = run_verification(app, db.session, started_by="scheduler")
    if report.ok:
        return 0
    params = {"count": sum(report.counts.values()), "date": now.astimezone(local_zone()).date().isoformat()}
    return notify_many(
        NewNotification(user_id=officer.id, key=f"audit-verification:{verification.id}:user:{officer.id}",
                        kind=kinds.AUDIT_VERIFICATION_FAILED.name, link=AUDIT_LINK, params=params,
                        locale=officer.locale)
        for officer in privacy_officers())
