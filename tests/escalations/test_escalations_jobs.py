"""The escalation sweeps: overdue decisions and review dates reach the team's supervisors, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from casus.escalations import jobs
from casus.notifications.models import Notification

# Monday 23 November 2026, 07:20 in Amsterdam.
NOW = datetime(2026, 11, 23, 7, 20, tzinfo=ZoneInfo("Europe/Amsterdam")).astimezone(UTC)
TODAY = date(2026, 11, 23)


def _notifications(db):
    return db.session.execute(sa.select(Notification).order_by(Notification.user_id, Notification.id)
                              .execution_options(populate_existing=True)).scalars().all()


@pytest.fixture
def step(ladder, put_step):
    """``step(case=None, **fields)``: an open step up with dates relative to ``TODAY`` (nothing due)."""

    def make(case=None, **fields):
        fields.setdefault("decision_deadline", TODAY + timedelta(days=5))
        fields.setdefault("review_on", TODAY + timedelta(days=30))
        return put_step(case or ladder["case"], ladder["regisseur"], **fields)

    return make


def test_an_overdue_decision_tells_every_supervisor_of_the_team_once(app, db, ladder, step):
    overdue = step(decision_deadline=TODAY - timedelta(days=1))
    assert jobs.escalation_decisions_overdue(app, NOW) == 2
    assert jobs.escalation_decisions_overdue(app, NOW) == 0
    assert jobs.escalation_decisions_overdue(app, NOW + timedelta(days=3)) == 0  # once per step, not per day
    first, second = _notifications(db)
    assert {first.user_id, second.user_id} == {ladder["supervisor"].id, ladder["other_supervisor"].id}
    assert first.key == f"escalation-overdue:escalation:{overdue.id}:user:{first.user_id}"
    assert first.kind == "escalation_decision_overdue" and first.case_id == ladder["case"].id
    assert first.link == f"/casussen/{ladder['case'].id}"
    assert first.title == f"Escalatiebesluit over de termijn: casus {ladder['case'].reference}"
    assert first.params == {"reference": ladder["case"].reference, "date": "2026-11-22"}


def test_no_reminder_when_decided_not_yet_due_or_resolved(app, db, ladder, step, make_case):
    from casus.database import utcnow

    team = ladder["team"]
    step(decision_deadline=TODAY)  # due today: not overdue yet
    step(make_case(team=team), decision_deadline=TODAY - timedelta(days=3), decision="Besloten",
         decided_at=utcnow())
    step(make_case(team=team), decision_deadline=TODAY - timedelta(days=3), resolved_at=utcnow())
    stepped_down = make_case(team=team)
    step(stepped_down, decision_deadline=TODAY - timedelta(days=3))
    stepped_down.escalation_level = "operationeel"  # no longer at the level this step reached
    db.session.flush()
    assert jobs.escalation_decisions_overdue(app, NOW) == 0


def test_only_the_current_step_is_chased(app, db, ladder, step, make_case):
    case = make_case(team=ladder["team"])
    step(case, decision_deadline=TODAY - timedelta(days=9))  # escalated past: superseded
    current = step(case, to="bestuurlijk", decision_deadline=TODAY - timedelta(days=1))
    assert jobs.escalation_decisions_overdue(app, NOW) == 2
    assert {n.key.split(":")[2] for n in _notifications(db)} == {str(current.id)}


def test_only_active_supervisors_of_the_team_who_may_see_the_case(app, db, ladder, step, make_user, make_team):
    ladder["other_supervisor"].active = False
    make_user("supervisor", team=make_team())  # another team
    make_user("procesregisseur", team=ladder["team"], organisation=ladder["zvh"])
    db.session.flush()
    step(decision_deadline=TODAY - timedelta(days=1))
    assert jobs.escalation_decisions_overdue(app, NOW) == 1
    assert [n.user_id for n in _notifications(db)] == [ladder["supervisor"].id]


def test_a_review_date_that_has_come_is_announced_once_per_date(app, db, ladder, step):
    due = step(review_on=TODAY)
    ladder["supervisor"].locale = "en"
    db.session.flush()
    assert jobs.escalation_reviews_due(app, NOW) == 2
    assert jobs.escalation_reviews_due(app, NOW + timedelta(days=1)) == 0
    english = next(n for n in _notifications(db) if n.user_id == ladder["supervisor"].id)
    assert english.key == f"escalation-review:escalation:{due.id}:2026-11-23:user:{ladder['supervisor'].id}"
    assert english.title == f"Review de-escalation: case {ladder['case'].reference}"
    due.review_on = TODAY + timedelta(days=14)  # reviewed, a new date set
    db.session.flush()
    assert jobs.escalation_reviews_due(app, NOW + timedelta(days=14)) == 2
    assert len(_notifications(db)) == 4


def test_no_review_reminder_before_the_date_or_for_a_resolved_step(app, db, ladder, step, make_case):
    from casus.database import utcnow

    step(review_on=TODAY + timedelta(days=1))
    step(make_case(team=ladder["team"]), review_on=TODAY - timedelta(days=1), resolved_at=utcnow())
    assert jobs.escalation_reviews_due(app, NOW) == 0
    assert jobs.escalation_decisions_overdue(app, NOW) == 0


def test_the_jobs_are_registered_on_working_days():
    from casus.scheduling.jobs import registry

    for name in ("escalation_decisions_overdue", "escalation_reviews_due"):
        spec = registry()[name]
        assert spec.resolve() is getattr(jobs, name)
        assert spec.cron["day_of_week"] == "mon-fri"
