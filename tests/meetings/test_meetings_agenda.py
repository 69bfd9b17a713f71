"""The agenda: the daily job puts review-due cases on the next fitting meeting (set-based, idempotent), and the
team adds, removes and orders items by hand."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from meeting_factories import NotifyRecorder, add_item, add_meeting, local

from casus.clock import today
from casus.meetings.agenda import add_agenda_item, move_agenda_item, remove_agenda_item, schedule_review_due_cases
from casus.meetings.models import AgendaItem, Meeting, MeetingSeries
from casus.services import ServiceError


@pytest.fixture(autouse=True)
def quiet_calendar(monkeypatch):
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", NotifyRecorder())


@pytest.fixture
def setup(db, make_organisation, make_team, make_user, make_case):
    team = make_team()
    partner = make_organisation()
    regisseur = make_user("procesregisseur", organisation=team.organisation, team=team)
    soon = add_meeting(db, team, starts_at=local(today() + timedelta(days=5)), invited=[partner])
    later = add_meeting(db, team, starts_at=local(today() + timedelta(days=19)), invited=[partner])

    def case(phase="aanpak.uitvoering", due_in=3, **fields):
        return make_case(team=team, partners=[partner, team.organisation], phase=phase,
                         next_review_on=today() + timedelta(days=due_in) if due_in is not None else None, **fields)

    return {"team": team, "partner": partner, "regisseur": regisseur, "soon": soon, "later": later, "case": case}


def _items(db, meeting=None):
    query = sa.select(AgendaItem).order_by(AgendaItem.position)
    if meeting is not None:
        query = query.where(AgendaItem.meeting_id == meeting.id)
    return list(db.session.execute(query.execution_options(populate_existing=True)).scalars())


def _now():
    return datetime.now(UTC)


def test_review_due_cases_go_on_the_next_meeting_once(app, db, setup):
    uitvoering = setup["case"]("aanpak.uitvoering", due_in=3)
    plan = setup["case"]("aanpak.plan", due_in=0)
    nazorg = setup["case"]("nazorg", due_in=7)
    overdue = setup["case"]("aanpak.uitvoering", due_in=-2)
    setup["case"]("aanpak.uitvoering", due_in=8)      # not yet due
    setup["case"]("triage", due_in=1)                 # not in aanpak or nazorg
    setup["case"]("afgesloten", due_in=None)
    assert schedule_review_due_cases(app, _now()) == 4
    assert schedule_review_due_cases(app, _now()) == 0
    items = _items(db, setup["soon"])
    assert {item.case_id: item.purpose for item in items} == {
        uitvoering.id: "bespreken", plan.id: "nieuw", nazorg.id: "evalueren", overdue.id: "bespreken"}
    assert [item.position for item in items] == [1, 2, 3, 4]
    assert all(item.added_automatically for item in items)
    assert _items(db, setup["later"]) == []


def test_cancelled_meetings_and_other_teams_are_passed_over(app, db, setup, make_team):
    setup["soon"].status = "geannuleerd"
    other_team = make_team()
    add_meeting(db, other_team, starts_at=local(today() + timedelta(days=1)))
    add_meeting(db, setup["team"], starts_at=local(today() + timedelta(days=2)), type="stuurgroep")
    case = setup["case"]()
    existing = add_item(db, setup["later"], setup["case"](due_in=30))
    assert schedule_review_due_cases(app, _now()) == 1
    items = _items(db, setup["later"])
    assert [(i.case_id, i.position) for i in items] == [(existing.case_id, 1), (case.id, 2)]


def test_a_case_already_on_a_coming_agenda_is_left_alone(app, db, setup):
    case = setup["case"]()
    add_item(db, setup["later"], case, purpose="evalueren")
    assert schedule_review_due_cases(app, _now()) == 0
    assert _items(db, setup["soon"]) == []


def test_jeugd_cases_go_to_the_zvt_jeugd_when_the_team_has_one(app, db, setup, categories):
    from datetime import time

    series = MeetingSeries(team_id=setup["team"].id, type="zvt_jeugd", title="ZVT Jeugd", weekday=3,
                           interval_weeks=4, start_time=time(13, 0), duration_minutes=120,
                           first_date=today() + timedelta(days=60), location="Jongerenloket")
    db.session.add(series)
    db.session.flush()
    zvt = add_meeting(db, setup["team"], starts_at=local(today() + timedelta(days=9)), type="zvt_jeugd",
                      series=series, series_date=today() + timedelta(days=9))
    jeugd = setup["case"](category=categories["jeugd"])
    adult = setup["case"]()
    assert schedule_review_due_cases(app, _now()) == 2
    assert [i.case_id for i in _items(db, zvt)] == [jeugd.id]
    assert [i.case_id for i in _items(db, setup["soon"])] == [adult.id]


def test_the_job_is_set_based(app, db, setup, count_queries):
    schedule_review_due_cases(app, _now())  # series generation and the like out of the way
    setup["case"]()
    with count_queries() as one:
        assert schedule_review_due_cases(app, _now()) == 1
    for _ in range(25):
        setup["case"]()
    with count_queries() as many:
        assert schedule_review_due_cases(app, _now()) == 25
    assert many.count == one.count, many.statements


def test_a_backlog_fills_a_meeting_up_to_the_cap_most_overdue_first(app, db, setup, monkeypatch):
    monkeypatch.setattr("casus.meetings.agenda.MAX_AUTO_AGENDA", 3)
    cases = {due: setup["case"](due_in=due) for due in (5, -10, 2, -3, 0)}
    assert schedule_review_due_cases(app, _now()) == 3
    assert [item.case_id for item in _items(db, setup["soon"])] == [cases[-10].id, cases[-3].id, cases[0].id]
    assert schedule_review_due_cases(app, _now()) == 0  # full: the rest wait
    add_agenda_item(setup["regisseur"], setup["soon"], cases[5], purpose="bespreken")  # by hand: allowed
    assert len(_items(db, setup["soon"])) == 4


def test_the_job_extends_active_series(app, db, setup):
    from datetime import time

    series = MeetingSeries(team_id=setup["team"].id, type="casusoverleg", title="Reeks", weekday=0,
                           interval_weeks=1, start_time=time(9, 0), duration_minutes=60,
                           first_date=today() - timedelta(days=30), location="Zaal", skip_holidays=False)
    db.session.add(series)
    db.session.flush()
    schedule_review_due_cases(app, _now())
    generated = db.session.execute(sa.select(sa.func.count(Meeting.id))
                                   .where(Meeting.series_id == series.id)).scalar_one()
    assert 8 <= generated <= 9


def test_manual_add_reorder_and_remove(db, setup):
    regisseur, meeting = setup["regisseur"], setup["soon"]
    first, second, third = (setup["case"](due_in=None) for _ in range(3))
    for case in (first, second, third):
        add_agenda_item(regisseur, meeting, case, purpose="bespreken")
    with pytest.raises(ServiceError):
        add_agenda_item(regisseur, meeting, first, purpose="bespreken")
    items = _items(db, meeting)
    move_agenda_item(regisseur, meeting, items[2], "up")
    assert [i.case_id for i in _items(db, meeting)] == [first.id, third.id, second.id]
    move_agenda_item(regisseur, meeting, _items(db, meeting)[0], "up")  # already first: no change
    assert [i.case_id for i in _items(db, meeting)] == [first.id, third.id, second.id]
    remove_agenda_item(regisseur, meeting, _items(db, meeting)[0])
    assert [i.case_id for i in _items(db, meeting)] == [third.id, second.id]


def test_only_the_teams_open_cases_go_on_the_agenda(db, setup, make_case, make_team):
    regisseur, meeting = setup["regisseur"], setup["soon"]
    with pytest.raises(ServiceError):
        add_agenda_item(regisseur, meeting, make_case(team=make_team()), purpose="nieuw")
    with pytest.raises(ServiceError):
        add_agenda_item(regisseur, meeting, setup["case"]("afgesloten", due_in=None), purpose="nieuw")
    with pytest.raises(ServiceError):
        add_agenda_item(regisseur, meeting, setup["case"](), purpose="onbekend")
