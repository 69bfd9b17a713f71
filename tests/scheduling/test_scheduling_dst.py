"""Nights with a daylight-saving change (2026-10-25, 2027-03-28) neither skip nor repeat a reminder.

The fire times come from the registered APScheduler CronTriggers in Europe/Amsterdam; the job functions
run with exactly those ``now``s (each twice, as after a restart) — no clock is frozen.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DST_WEEKS = {  # (first day, last day, the Sunday of the change, UTC offset before and after in hours)
    "autumn": (date(2026, 10, 22), date(2026, 10, 28), date(2026, 10, 25), 2, 1),
    "spring": (date(2027, 3, 25), date(2027, 3, 31), date(2027, 3, 28), 1, 2),
}


def fire_times(trigger, first: date, last: date) -> list[datetime]:
    start = datetime.combine(first, datetime.min.time(), AMSTERDAM)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), AMSTERDAM)
    times, previous, now = [], None, start
    while True:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None or fire >= end:
            return times
        times.append(fire)
        previous = now = fire


@pytest.mark.parametrize("season", DST_WEEKS)
def test_working_day_jobs_fire_once_per_working_day_at_seven_local(season):
    from casus.scheduling.jobs import registry

    first, last, sunday, before, after = DST_WEEKS[season]
    trigger = registry()["overdue_actions"].trigger()
    times = fire_times(trigger, first, last)
    local = [t.astimezone(AMSTERDAM) for t in times]
    assert [t.date() for t in local] == [d for d in (first + timedelta(days=n) for n in range(7)) if d.weekday() < 5]
    assert all((t.hour, t.minute) == (7, 0) for t in local)
    offsets = {t.date(): t.utcoffset() for t in local}
    assert offsets[sunday - timedelta(days=2)] == timedelta(hours=before)
    assert offsets[sunday + timedelta(days=1)] == timedelta(hours=after)


@pytest.mark.parametrize("season", DST_WEEKS)
def test_overdue_reminders_around_the_change_are_sent_once_per_working_day(app, db, make_case, make_team,
                                                                          make_user, season):
    import sqlalchemy as sa

    from casus.notifications import jobs
    from casus.notifications.models import Notification
    from casus.plans.models import Action
    from casus.scheduling.jobs import registry
    from workflow.workdays import is_working_day

    first, last, _sunday, _before, _after = DST_WEEKS[season]
    team = make_team()
    regisseur = make_user("procesregisseur", team=team, organisation=team.organisation)
    case = make_case(team=team, partners=[team.organisation], procesregisseur=regisseur, phase="aanpak.uitvoering")
    db.session.add(Action(case_id=case.id, description="Afspraak", owner_organisation_id=team.organisation.id,
                          owner_user_id=regisseur.id, due_on=first - timedelta(days=30)))
    db.session.flush()

    times = fire_times(registry()["overdue_actions"].trigger(), first, last)
    # Easter 2027 falls on the spring DST Sunday: Goede Vrijdag and Tweede Paasdag are no working days.
    working = [t for t in times if is_working_day(t.astimezone(AMSTERDAM).date())]
    assert len(working) == (5 if season == "autumn" else 3)
    for now in times:
        assert jobs.overdue_actions(app, now) == (1 if now in working else 0)
        assert jobs.overdue_actions(app, now + timedelta(minutes=90)) == 0  # a restart or catch-up: nothing
    keys = db.session.execute(sa.select(Notification.key).where(Notification.user_id == regisseur.id)
                              .order_by(Notification.id)).scalars().all()
    assert keys == [f"actions-overdue:{t.astimezone(AMSTERDAM).date().isoformat()}:user:{regisseur.id}"
                    for t in working]


def _nightly_reminder(app, now):
    """A reminder keyed by the local date, the rule every date-based job follows."""
    from casus.extensions import db
    from casus.notifications.jobs import local_today
    from casus.notifications.services import notify
    from casus.users.models import User

    user = db.session.execute(db.select(User).order_by(User.id.desc())).scalars().first()
    return notify(user, key=f"nightly:{local_today(now).isoformat()}:user:{user.id}", kind="review_due",
                  link="/", params={"reference": "-"}, email=False, now=now)


@pytest.mark.parametrize("season", DST_WEEKS)
def test_a_time_inside_the_changing_hour_is_neither_skipped_nor_repeated(app, db, make_user, season):
    """02:30 happens twice in autumn and not at all in spring: APScheduler fires twice, resp. once at 03:30."""
    from apscheduler.triggers.cron import CronTrigger

    first, last, sunday, _before, _after = DST_WEEKS[season]
    make_user("procesregisseur")
    times = fire_times(CronTrigger(hour=2, minute=30, timezone=AMSTERDAM), first, last)
    on_sunday = [t for t in times if t.astimezone(AMSTERDAM).date() == sunday]
    assert len(on_sunday) == (2 if season == "autumn" else 1)
    sent = {}
    for now in times:
        day = now.astimezone(AMSTERDAM).date()
        sent[day] = sent.get(day, 0) + int(_nightly_reminder(app, now))
    assert sent == {first + timedelta(days=n): 1 for n in range(7)}
