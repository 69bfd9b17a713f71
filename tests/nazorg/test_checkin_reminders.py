"""The nazorg reminder job leaves recorded check-ins alone, and recording one marks its reminders read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from casus.nazorg import services
from casus.notifications import jobs
from casus.notifications.models import Notification


def at(year, month, day):
    return datetime(year, month, day, 7, 0, tzinfo=UTC)


def reminders(db, case):
    return list(db.session.execute(sa.select(Notification).where(Notification.case_id == case.id)
                                   .execution_options(populate_existing=True)).scalars())


def test_a_recorded_check_in_is_not_reminded_of(app, db, nazorg_world, make_case):
    w = nazorg_world
    started = date(2026, 8, 23)
    w["case"].nazorg_started_on = started
    other = make_case(team=w["team"], phase="nazorg", nazorg_started_on=started, procesregisseur=w["regisseur"])
    db.session.flush()
    three = services.checkins_of(w["case"])[0]
    services.record_checkin(w["regisseur"], w["case"], three, done_on=date(2026, 11, 20), contact_made=True,
                            outcome=None, relapse_signal=False)
    assert jobs.nazorg_checkins(app, at(2026, 11, 23)) == 1
    assert reminders(db, w["case"]) == [] and len(reminders(db, other)) == 1


def test_recording_a_check_in_marks_its_reminders_read(app, db, nazorg_world):
    w = nazorg_world
    w["case"].nazorg_started_on = date(2026, 8, 23)
    db.session.flush()
    assert jobs.nazorg_checkins(app, at(2026, 11, 23)) == 1
    (reminder,) = reminders(db, w["case"])
    assert reminder.read_at is None
    three = services.checkins_of(w["case"])[0]
    services.record_checkin(w["regisseur"], w["case"], three, done_on=date(2026, 11, 23), contact_made=False,
                            outcome=None, relapse_signal=False)
    (reminder,) = reminders(db, w["case"])
    assert reminder.read_at is not None
    assert jobs.nazorg_checkins(app, at(2026, 11, 24)) == 0
