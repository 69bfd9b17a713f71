"""The daily chase of request deadlines: once when due within five working days, once when overdue."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from casus.notifications.models import Notification
from casus.scheduling.jobs import JOBS
from casus.subject_requests import services
from casus.subject_requests.jobs import subject_request_deadlines


def _at(day) -> datetime:
    return datetime.combine(day, time(9), tzinfo=UTC)


def _notifications(db, user):
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def test_the_deadline_is_chased_once_when_near_and_once_when_past(app, db, privacy_world, register):
    w = privacy_world
    subject_request = register()
    assert subject_request_deadlines(app, _at(subject_request.received_on)) == 0  # a month away
    near = _at(subject_request.deadline_on - timedelta(days=2))
    assert subject_request_deadlines(app, near) == 2  # both privacy officers
    assert subject_request_deadlines(app, near) == 0
    assert subject_request_deadlines(app, near + timedelta(days=1)) == 0
    [due_soon] = _notifications(db, w["privacy"])
    assert due_soon.kind == "subject_request_due_soon" and due_soon.link == f"/verzoeken/{subject_request.id}"
    assert subject_request.reference in due_soon.title and "Jan" not in due_soon.title
    late = _at(subject_request.deadline_on + timedelta(days=1))
    assert subject_request_deadlines(app, late) == 2
    assert subject_request_deadlines(app, late + timedelta(days=3)) == 0
    assert [n.kind for n in _notifications(db, w["privacy"])] == ["subject_request_due_soon", "subject_request_overdue"]
    assert _notifications(db, w["supervisor"]) == []


def test_a_completed_request_is_not_chased_and_the_job_is_scheduled(app, db, privacy_world, register):
    subject_request = register()
    services.complete(privacy_world["privacy"], subject_request, outcome="toegewezen", note=None, expected_version=1)
    assert subject_request_deadlines(app, _at(subject_request.deadline_on + timedelta(days=1))) == 0
    assert "subject_request_deadlines" in {job.name for job in JOBS}
