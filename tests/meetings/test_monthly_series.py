"""Monthly meeting series: the week_of_month-th weekday of every month (1..4, or the last), Dutch public
holidays skipped as the weekly rule skips them; chosen and checked on the series form."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa
from meeting_factories import AMSTERDAM, NotifyRecorder, build_world

from casus.clock import today
from casus.meetings.models import Meeting, MeetingSeries, Recurrence
from casus.meetings.series import SeriesInput, generate_meetings, nth_weekday, occurrences, save_series
from casus.services import ServiceError

TUESDAY, THURSDAY = 1, 3


def monthly(week_of_month, weekday, first_date, **fields):
    values = {"weekday": weekday, "interval_weeks": 1, "recurrence": Recurrence.MAANDELIJKS,
              "week_of_month": week_of_month, "first_date": first_date, "last_date": None, "skip_holidays": True}
    values.update(fields)
    return MeetingSeries(**values)


def test_second_tuesday_of_every_month_for_a_year():
    series = monthly(2, TUESDAY, date(2027, 1, 1))
    assert occurrences(series, date(2027, 1, 1), date(2027, 12, 31)) == [
        date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13), date(2027, 5, 11),
        date(2027, 6, 8), date(2027, 7, 13), date(2027, 8, 10), date(2027, 9, 14), date(2027, 10, 12),
        date(2027, 11, 9), date(2027, 12, 14)]


def test_a_holiday_month_is_skipped_not_moved():
    # The fourth Tuesday of April 2027 is Koningsdag: that month has no meeting.
    fourth = occurrences(monthly(4, TUESDAY, date(2027, 3, 1)), date(2027, 3, 1), date(2027, 5, 31))
    assert fourth == [date(2027, 3, 23), date(2027, 5, 25)]
    kept = occurrences(monthly(4, TUESDAY, date(2027, 3, 1), skip_holidays=False), date(2027, 3, 1),
                       date(2027, 5, 31))
    assert date(2027, 4, 27) in kept


def test_last_thursday_of_the_month_skips_koningsdag_and_hemelvaart():
    days = occurrences(monthly(-1, THURSDAY, date(2028, 1, 1)), date(2028, 1, 1), date(2028, 12, 31))
    assert date(2028, 4, 27) not in days and date(2028, 5, 25) not in days  # Koningsdag, Hemelvaartsdag
    assert days == [date(2028, 1, 27), date(2028, 2, 24), date(2028, 3, 30), date(2028, 6, 29), date(2028, 7, 27),
                    date(2028, 8, 31), date(2028, 9, 28), date(2028, 10, 26), date(2028, 11, 30), date(2028, 12, 28)]
    assert nth_weekday(2026, 12, THURSDAY, -1) == date(2026, 12, 31)


def test_the_rule_starts_at_the_first_date_and_ends_at_the_last():
    series = monthly(2, TUESDAY, date(2027, 1, 13), last_date=date(2027, 4, 12))
    assert occurrences(series, date(2026, 1, 1), date(2028, 1, 1)) == [date(2027, 2, 9), date(2027, 3, 9)]


@pytest.fixture
def notified(monkeypatch):
    recorder = NotifyRecorder()
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", recorder)
    return recorder


def _input(regisseur, organisation, **changes):
    values = dict(type="casusoverleg", title="Zorg- en Veiligheidstafel", weekday=TUESDAY, interval_weeks=0,  # noqa: C408
                  start_time=time(9, 30), duration_minutes=120, first_date=today(), last_date=None,
                  skip_holidays=True, location="Stadhuis", online_url=None, chair_id=None,
                  organisation_ids=(organisation.id,), recurrence="maandelijks", week_of_month=2)
    values.update(changes)
    return SeriesInput(**values)


def test_a_monthly_series_is_saved_and_generates_its_meetings(db, make_organisation, make_team, make_user,
                                                              notified):
    team = make_team()
    regisseur = make_user("procesregisseur", organisation=team.organisation, team=team)
    partner = make_organisation()
    with pytest.raises(ServiceError) as refused:
        save_series(regisseur, None, _input(regisseur, partner, week_of_month=None))
    assert refused.value.field == "week_of_month"
    with pytest.raises(ServiceError) as refused:
        save_series(regisseur, None, _input(regisseur, partner, week_of_month=5))
    assert refused.value.field == "week_of_month"
    with pytest.raises(ServiceError) as refused:
        save_series(regisseur, None, _input(regisseur, partner, recurrence="jaarlijks"))
    assert refused.value.field == "recurrence"
    series = save_series(regisseur, None, _input(regisseur, partner))
    assert series.recurrence == Recurrence.MAANDELIJKS and series.week_of_month == 2
    meetings = list(db.session.execute(sa.select(Meeting).where(Meeting.series_id == series.id)).scalars())
    assert meetings and all(m.series_date == nth_weekday(m.series_date.year, m.series_date.month, TUESDAY, 2)
                            for m in meetings)
    assert {m.starts_at.astimezone(AMSTERDAM).time() for m in meetings} == {time(9, 30)}
    later = generate_meetings(series, date(2030, 1, 1), since=date(2029, 1, 1), now=datetime(2029, 1, 1, tzinfo=UTC))
    assert len(later) == 12


def test_the_series_form_offers_monthly_and_requires_the_week(client, auth, db, make_organisation, make_team,
                                                              make_user, make_case, login_as, notified):
    world = build_world(db, make_organisation, make_team, make_user, make_case, login_as=login_as)
    page = client.get("/overleggen/reeksen/nieuw").get_data(as_text=True)
    assert "Maandelijks op de …e weekdag" in page and "Welke weekdag van de maand" in page
    data = {"type": "casusoverleg", "title": "ZVT maandelijks", "weekday": "1", "recurrence": "maandelijks",
            "interval_weeks": "", "week_of_month": "", "start_time": "09:30", "duration_minutes": "120",
            "first_date": today().isoformat(), "last_date": "", "skip_holidays": "y", "location": "Stadhuis",
            "online_url": "", "chair_id": str(world.regisseur.id), "organisation_ids": [str(world.politie.id)],
            "active": "y"}
    missing = auth.post("/overleggen/reeksen/nieuw", data=data)
    assert missing.status_code == 400
    assert "Kies de hoeveelste weekdag van de maand." in missing.get_data(as_text=True)
    saved = auth.post("/overleggen/reeksen/nieuw", data={**data, "week_of_month": "-1"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    series = db.session.execute(sa.select(MeetingSeries).where(MeetingSeries.title == "ZVT maandelijks")).scalar_one()
    assert (series.recurrence, series.week_of_month) == (Recurrence.MAANDELIJKS, -1)
    assert "elke maand op de laatste dinsdag" in client.get("/overleggen/reeksen").get_data(as_text=True)
    weekly = auth.post("/overleggen/reeksen/nieuw", data={**data, "recurrence": "wekelijks", "title": "Wekelijks"})
    assert weekly.status_code == 400 and "Elke hoeveel weken" in weekly.get_data(as_text=True)
