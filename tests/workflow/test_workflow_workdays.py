"""Working days with Dutch public holidays, and the docs/DESIGN.md §3.4 cadences built on them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflow import Cadences, add_months, add_years, workdays

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 1, 1), "Nieuwjaarsdag"),
        (date(2026, 4, 6), "Tweede paasdag"),
        (date(2026, 4, 27), "Koningsdag (27 April, a Monday)"),
        (date(2025, 4, 26), "Koningsdag"),
        (date(2025, 5, 5), "Bevrijdingsdag in a lustrum year"),
        (date(2026, 5, 14), "Hemelvaartsdag"),
        (date(2026, 5, 25), "Tweede pinksterdag"),
        (date(2026, 12, 25), "Eerste kerstdag"),
        (date(2026, 12, 26), "Tweede kerstdag (a Saturday anyway)"),
    ],
)
def test_dutch_public_holidays_are_not_working_days(day, name):
    assert not workdays.is_working_day(day), name
    assert workdays.holiday_name(day)


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (date(2026, 5, 5), "5 mei counts every year under the Atw, not only in lustrum years"),
        (date(2027, 5, 5), "5 mei, a Wednesday"),
        (date(2026, 4, 3), "Goede Vrijdag, equated by Atw art. 3 lid 2"),
        (date(2026, 1, 2), "Friday after Nieuwjaarsdag, Besluit gelijkstelling 2026-2028"),
        (date(2026, 5, 15), "Friday after Hemelvaartsdag 2026"),
        (date(2027, 5, 7), "Friday after Hemelvaartsdag 2027"),
        (date(2025, 5, 30), "Friday after Hemelvaartsdag 2025, the earlier besluit"),
    ],
)
def test_the_algemene_termijnenwet_decides_what_a_working_day_is(day, why):
    assert not workdays.is_working_day(day), why


def test_equated_days_are_working_days_for_meetings_but_not_for_deadlines():
    """A bridge day is no public holiday (meeting series still meet), but deadlines skip it."""
    assert workdays.holiday_name(date(2026, 5, 15)) is None
    # Triage due 5 werkdagen after Tuesday 12 May 2026: Hemelvaart 14 and the bridge day 15 are skipped.
    assert workdays.add_working_days(date(2026, 5, 12), 5) == date(2026, 5, 21)


def test_weekends_are_not_working_days_and_ordinary_weekdays_are():
    assert [workdays.is_working_day(date(2026, 3, d)) for d in range(9, 16)] == [True] * 5 + [False] * 2
    assert workdays.holiday_name(date(2026, 3, 11)) is None


def test_triage_deadline_skips_easter_and_kings_day():
    # Signal on Thursday 2 April 2026: Good Friday 3, Easter Monday 6 April are holidays in the package.
    assert workdays.add_working_days(date(2026, 4, 2), 5) == date(2026, 4, 13)
    # Signal on Friday 24 April 2026: Koningsdag Monday 27 April is skipped.
    assert workdays.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)
    assert Cadences().triage_due(date(2026, 4, 24)) == date(2026, 5, 4)


def test_counting_backwards_and_zero():
    assert workdays.add_working_days(date(2026, 3, 16), -1) == date(2026, 3, 13)  # Monday -> Friday
    assert workdays.add_working_days(date(2026, 3, 14), 0) == date(2026, 3, 14)
    assert workdays.working_days_between(date(2026, 3, 16), date(2026, 3, 9)) == -5


def test_datetimes_count_by_their_date():
    assert workdays.add_working_days(datetime(2026, 3, 13, 23, 59), 1) == date(2026, 3, 16)
    assert workdays.working_days_between(datetime(2026, 3, 13, 8), date(2026, 3, 16)) == 1


@given(start=days, count=st.integers(min_value=-60, max_value=60))
def test_adding_and_counting_working_days_agree(start, count):
    end = workdays.add_working_days(start, count)
    assert workdays.working_days_between(start, end) == count
    if count:
        assert workdays.is_working_day(end)
        assert (end > start) == (count > 0)


def test_cadence_defaults_are_design_3_4():
    cadences = Cadences()
    assert (cadences.triage_working_days, cadences.review_interval_days) == (5, 28)
    assert (cadences.nazorg_checkins_months, cadences.nazorg_period_months) == ((3, 6), 6)
    assert (cadences.action_due_soon_days, cadences.stale_after_days) == (7, 14)
    assert cadences.escalation_decision_working_days == 10
    assert cadences.retention_years == 5


def test_cadence_dates():
    cadences = Cadences()
    started = date(2025, 8, 31)
    assert cadences.nazorg_checkins(started) == (date(2025, 11, 30), date(2026, 2, 28))
    assert cadences.nazorg_ends(started) == date(2026, 2, 28)
    assert cadences.next_review(date(2026, 3, 11)) == date(2026, 4, 8)
    assert cadences.escalation_decision_due(date(2026, 4, 23)) == date(2026, 5, 11)  # Koningsdag, 5 mei (Atw)
    assert cadences.retention_ends(date(2024, 2, 29)) == date(2029, 2, 28)
    today = date(2026, 3, 11)
    assert cadences.is_action_due_soon(today + timedelta(days=7), today)
    assert not cadences.is_action_due_soon(today + timedelta(days=8), today)
    assert not cadences.is_action_due_soon(today - timedelta(days=1), today)
    assert cadences.is_stale(today - timedelta(days=14), today)
    assert not cadences.is_stale(today - timedelta(days=13), today)


def test_month_arithmetic_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)


def test_cadences_from_configuration():
    assert Cadences.from_mapping({"nazorg_period_months": 12}).nazorg_period_months == 12
    assert Cadences(nazorg_checkins_months=[1, 2]).nazorg_checkins_months == (1, 2)
    with pytest.raises(ValueError, match="unknown cadence setting"):
        Cadences.from_mapping({"nazorg_periode": 12})
    with pytest.raises(ValueError, match="non-negative integer"):
        Cadences(stale_after_days=-1)
    with pytest.raises(ValueError, match="non-negative integer"):
        Cadences(review_interval_days="28")
