"""The daily reminder of requests that wait too long: who, when, once per approval and day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from casus.approvals.jobs import approval_reminders
from casus.approvals.models import Approval
from casus.notifications.models import Notification
from casus.scheduling.jobs import registry

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(year, month, day, hour=7, minute=20) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM).astimezone(UTC)


def _asked(db, world, case, *, on: datetime, who="regisseur") -> Approval:
    approval = Approval(kind="close_early", case_id=case.id, team_id=case.team_id, requested_by_id=world[who].id,
                        requested_at=on, reason="Betrokkene verhuisd", details={"result": "verhuisd"})
    db.session.add(approval)
    db.session.flush()
    return approval


def _reminders(db):
    return list(db.session.execute(sa.select(Notification).where(Notification.kind == "approval_reminder")
                                   .order_by(Notification.id)).scalars())


def test_a_request_waiting_three_working_days_reminds_the_other_supervisors_daily(app, db, team_world):
    w = team_world
    # Asked on Wednesday 18 November 2026; the third working day after it is Monday the 23rd.
    approval = _asked(db, w, w["case"], on=at(2026, 11, 18, 16, 0), who="dual")
    assert approval_reminders(app, at(2026, 11, 20)) == 0  # Friday: two working days
    assert approval_reminders(app, at(2026, 11, 21)) == 0  # Saturday: never
    assert approval_reminders(app, at(2026, 11, 23)) == 2
    assert approval_reminders(app, at(2026, 11, 23, 12, 0)) == 0  # a rerun sends nothing twice
    reminders = _reminders(db)
    assert {n.user_id for n in reminders} == {w["supervisor"].id, w["second"].id}  # not the requester
    assert reminders[0].key == f"approval-reminder:2026-11-23:approval:{approval.id}:user:{reminders[0].user_id}"
    assert reminders[0].link == f"/akkoorden/{approval.id}" and reminders[0].case_id == w["case"].id
    assert "(vroegtijdig afsluiten)" in reminders[0].title and w["case"].reference in reminders[0].title
    assert approval_reminders(app, at(2026, 11, 24)) == 2  # the next working day: again


def test_decided_requests_and_other_teams_are_not_reminded(app, db, team_world, make_case):
    w = team_world
    decided = _asked(db, w, w["case"], on=at(2026, 11, 2))
    decided.status, decided.decided_by_id, decided.decided_at = "goedgekeurd", w["supervisor"].id, at(2026, 11, 3)
    elsewhere = make_case(team=w["other_team"], phase="aanpak.plan")
    _asked(db, w, elsewhere, on=at(2026, 11, 2), who="elsewhere")
    db.session.flush()
    assert approval_reminders(app, at(2026, 11, 23)) == 0


def test_the_reminder_job_is_registered_and_the_old_sweep_is_gone():
    jobs = registry()
    assert jobs["approval_reminders"].func == "casus.approvals.jobs:approval_reminders"
    assert "close_requests" not in jobs


def test_the_reminder_costs_the_same_queries_for_one_or_many(app, db, team_world, make_case, count_queries):
    w = team_world
    _asked(db, w, w["case"], on=at(2026, 11, 2))
    with count_queries() as one:
        assert approval_reminders(app, at(2026, 11, 23)) == 3  # supervisor, second, dual
    for _ in range(10):
        _asked(db, w, make_case(team=w["team"], phase="aanpak.plan"), on=at(2026, 11, 2))
    with count_queries() as many:
        assert approval_reminders(app, at(2026, 11, 24)) == 33
    assert many.count == one.count


def test_a_destruction_list_waiting_reminds_whoever_may_decide_it_but_the_preparer(app, db, team_world,
                                                                                     make_user):
    from casus.retention.models import DestructionList

    w = team_world
    preparer, other_officer = make_user("privacy"), make_user("privacy")
    destruction_list = DestructionList(reference="VL-2026-0007", team_id=w["case"].team_id, period="2026-11")
    db.session.add(destruction_list)
    db.session.flush()
    db.session.add(Approval(kind="destruction_list", destruction_list_id=destruction_list.id, case_id=None,
                            team_id=w["case"].team_id, requested_by_id=preparer.id,
                            requested_at=at(2026, 11, 18, 16, 0), reason="Vernietigingslijst VL-2026-0007",
                            details={"reference": "VL-2026-0007"}))
    db.session.flush()
    assert approval_reminders(app, at(2026, 11, 20)) == 0
    approval_reminders(app, at(2026, 11, 23))
    reminders = list(db.session.execute(sa.select(Notification).where(
        Notification.kind == "destruction_list_reminder")).scalars())
    assert {n.user_id for n in reminders} == {other_officer.id, w["supervisor"].id, w["second"].id, w["dual"].id}
    assert all("VL-2026-0007" in n.title and n.case_id is None for n in reminders)
