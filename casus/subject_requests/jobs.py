"""The daily chase of data-subject request deadlines (AVG art. 12(3): one month, extendable by two).

Each active privacy officer is notified once when an open request is due within ``DUE_SOON_WORKING_DAYS``
working days, and once when it is overdue — per deadline: an extension sets a new date, which is chased again.
The keys carry request, deadline and recipient, so a rerun or a catch-up after downtime sends nothing twice. The
notification names the request's reference and links to it; never the person.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import Flask

from casus.extensions import db
from casus.notifications import kinds
from casus.notifications.audit_checks import privacy_officers
from casus.notifications.jobs import local_today
from casus.notifications.services import NewNotification, notify_many
from casus.subject_requests.models import RequestStatus, SubjectRequest
from workflow.workdays import add_working_days

__all__ = ["DUE_SOON_WORKING_DAYS", "REQUEST_LINK", "subject_request_deadlines"]

DUE_SOON_WORKING_DAYS = 5
REQUEST_LINK = "/verzoeken/{id}"


def subject_request_deadlines(app: Flask, now: datetime) -> int:
    """Notify the privacy officers of open requests due soon or overdue; returns how many notifications are new."""
    today = local_today(now)
    horizon = add_working_days(today, DUE_SOON_WORKING_DAYS)
    due = sa.func.coalesce(SubjectRequest.extended_deadline_on, SubjectRequest.deadline_on)
    requests = db.session.scalars(sa.select(SubjectRequest).where(
        SubjectRequest.status != RequestStatus.AFGEROND, due <= horizon).order_by(SubjectRequest.id)).all()
    officers = privacy_officers()
    items = []
    for subject_request in requests:
        overdue = subject_request.due_on < today
        kind = kinds.SUBJECT_REQUEST_OVERDUE if overdue else kinds.SUBJECT_REQUEST_DUE_SOON
        prefix = "overdue" if overdue else "due-soon"
        for officer in officers:
            items.append(NewNotification(
                user_id=officer.id, kind=kind.name, link=REQUEST_LINK.format(id=subject_request.id),
                key=f"subject-request-{prefix}:{subject_request.id}:{subject_request.due_on.isoformat()}"
                    f":user:{officer.id}",
                params={"reference": subject_request.reference, "date": subject_request.due_on.isoformat()},
                locale=officer.locale))
    return notify_many(items, now=now)
