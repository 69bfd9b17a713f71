"""The seed gives nazorg cases their check-ins (due ones mostly recorded, one with a signal of relapse) and settles
most goals of cases that stepped down; the demo region runs one monthly meeting series."""

from __future__ import annotations

import sqlalchemy as sa


def test_seeded_nazorg_cases_have_their_check_ins_and_goals_are_settled(app, db):
    from casus.cases.models import Case
    from casus.clock import cadences, today
    from casus.nazorg.models import NazorgCheckin
    from casus.plans.models import Goal, GoalStatus
    from casus_seed.seed import seed

    with app.test_request_context():
        seed(80, 11)
    nazorg = db.session.execute(sa.select(Case.id, Case.nazorg_started_on).where(Case.phase == "nazorg")).all()
    assert nazorg, "no nazorg case seeded"
    checkins = db.session.execute(sa.select(NazorgCheckin)).scalars().all()
    by_case = {}
    for checkin in checkins:
        by_case.setdefault(checkin.case_id, []).append(checkin)
    for case_id, started in nazorg:
        rows = sorted(by_case[case_id], key=lambda c: c.months)
        assert [(c.months, c.planned_on) for c in rows] == list(zip(
            cadences().nazorg_checkins_months, cadences().nazorg_checkins(started), strict=True))
        for checkin in rows:
            if checkin.done_on is not None:
                assert started <= checkin.done_on <= today() and checkin.contact_made is not None
                assert checkin.planned_on <= today() and checkin.version == 2
    assert any(c.relapse_signal and c.done_on for c in checkins)
    statuses = db.session.execute(sa.select(Goal.status, Goal.status_on)).all()
    assert any(status != GoalStatus.OPEN for status, _day in statuses)
    assert all((status == GoalStatus.OPEN) == (day is None) for status, day in statuses)


def test_the_demo_region_plans_one_monthly_series():
    from casus.meetings.models import Recurrence
    from casus_seed.meetings import REGION_MEETING_SERIES

    monthly = [plan for plan in REGION_MEETING_SERIES if plan.recurrence == Recurrence.MAANDELIJKS.value]
    assert len(monthly) == 1 and monthly[0].week_of_month == 2
