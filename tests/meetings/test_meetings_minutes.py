"""Minutes in BOB order, decisions that become actions in the plan van aanpak, attendance, closing a meeting."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from meeting_factories import NotifyRecorder, add_item, add_meeting, build_world, local, started

from casus.cases.models import Case
from casus.clock import cadences, today
from casus.meetings.agenda import remove_agenda_item
from casus.meetings.minutes import add_decision, close_meeting, record_attendance, save_minutes
from casus.meetings.models import AgendaItem, Attendance, Decision
from casus.plans.models import Action
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent


@pytest.fixture(autouse=True)
def quiet_calendar(monkeypatch):
    monkeypatch.setattr("casus.meetings.calendar.notify_attendees", NotifyRecorder())


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case):
    world = build_world(db, make_organisation, make_team, make_user, make_case)
    started(db, world.meeting)
    return world


def _timeline(db, case):
    return db.session.execute(sa.select(TimelineEvent.kind, TimelineEvent.summary)
                              .where(TimelineEvent.case_id == case.id).order_by(TimelineEvent.id)).all()


def test_minutes_and_a_decision_that_becomes_an_action(db, world):
    regisseur, meeting, item, case = world.regisseur, world.meeting, world.politie_item, world.politie_case
    save_minutes(regisseur, meeting, item, beeldvorming="Buren melden nachtelijk lawaai.",
                 oordeelsvorming="Politie en gemeente zien escalatierisico.",
                 besluitvorming="Huisbezoek en gesprek met de verhuurder.", discussed=True)
    due = today() + timedelta(days=14)
    decision = add_decision(regisseur, meeting, item, case, text="Politie legt huisbezoek af",
                            as_action=True, owner_organisation_id=world.politie.id, due_on=due)
    action = db.session.get(Action, decision.action_id)
    assert action.case_id == case.id and action.owner_organisation_id == world.politie.id and action.due_on == due
    assert action.description == "Politie legt huisbezoek af"
    plain = add_decision(regisseur, meeting, item, case, text="Volgende keer evalueren")
    assert plain.action_id is None
    kinds = [kind for kind, _summary in _timeline(db, case)]
    assert kinds.count("meeting.decision") == 2 and "action.added" in kinds
    assert item.discussed and item.beeldvorming.startswith("Buren")


def test_an_action_needs_a_participating_owner_and_a_due_date(db, world):
    regisseur, meeting, item, case = world.regisseur, world.meeting, world.politie_item, world.politie_case
    with pytest.raises(ServiceError) as refused:
        add_decision(regisseur, meeting, item, case, text="Corporatie doet iets", as_action=True,
                     owner_organisation_id=world.corporatie.id, due_on=today() + timedelta(days=3))
    assert refused.value.field == "owner_organisation_id"
    with pytest.raises(ServiceError) as refused:
        add_decision(regisseur, meeting, item, case, text="Zonder datum", as_action=True,
                     owner_organisation_id=world.politie.id, due_on=None)
    assert refused.value.field == "due_on"
    with pytest.raises(ServiceError):
        add_decision(regisseur, meeting, item, case, text="  ")


def test_attendance_per_invited_organisation(db, world):
    record_attendance(world.regisseur, world.meeting, {
        world.politie.id: (True, "J. de Vries, wijkagent"), world.corporatie.id: (False, "")})
    record_attendance(world.regisseur, world.meeting, {world.corporatie.id: (True, "A. Bakker")})
    rows = {a.organisation_id: (a.present, a.attendees) for a in db.session.execute(sa.select(Attendance)).scalars()}
    assert rows == {world.politie.id: (True, "J. de Vries, wijkagent"), world.corporatie.id: (True, "A. Bakker")}
    with pytest.raises(ServiceError):
        record_attendance(world.regisseur, world.meeting, {world.outsider.id: (True, "")})


def test_closing_gives_discussed_cases_their_next_review(db, world, make_case):
    regisseur = world.regisseur
    held = add_meeting(db, world.team, starts_at=local(today() - timedelta(days=1)), invited=[world.politie])
    plan_case = make_case(team=world.team, partners=[world.politie, world.zvh], phase="aanpak.plan")
    nazorg_case = make_case(team=world.team, partners=[world.politie, world.zvh], phase="nazorg",
                            nazorg_started_on=today() - timedelta(days=30))
    skipped = make_case(team=world.team, partners=[world.politie, world.zvh], phase="aanpak.uitvoering",
                        next_review_on=today() + timedelta(days=2))
    for case in (plan_case, nazorg_case, world.politie_case):
        save_minutes(regisseur, held, add_item(db, held, case), beeldvorming="b", oordeelsvorming="o",
                     besluitvorming="b", discussed=True)
    add_item(db, held, skipped)
    discussed = close_meeting(regisseur, held, expected_version=held.version)
    assert {c.id for c in discussed} == {plan_case.id, nazorg_case.id, world.politie_case.id}
    held_on = today() - timedelta(days=1)
    db.session.expire_all()
    plan_case, nazorg_case, skipped = (db.session.get(Case, c.id) for c in (plan_case, nazorg_case, skipped))
    assert plan_case.plan_discussed_on == held_on
    assert plan_case.next_review_on == held_on + timedelta(days=28)
    assert nazorg_case.next_review_on == cadences().nazorg_checkins(nazorg_case.nazorg_started_on)[0]
    assert skipped.next_review_on == today() + timedelta(days=2) and skipped.plan_discussed_on is None
    assert ("meeting.discussed", f"Besproken in casusoverleg {held_on:%d-%m-%Y}") in _timeline(db, plan_case)
    assert held.status == "gehouden"
    held_item = db.session.execute(sa.select(AgendaItem).where(AgendaItem.meeting_id == held.id,
                                                               AgendaItem.case_id == skipped.id)).scalar_one()
    with pytest.raises(ServiceError):  # held: the minutes are final
        save_minutes(regisseur, held, held_item, beeldvorming="x", oordeelsvorming=None,
                     besluitvorming=None, discussed=True)
    with pytest.raises(ServiceError):
        close_meeting(regisseur, held, expected_version=held.version)


def test_plan_discussed_on_is_kept_when_already_set(db, world, make_case):
    earlier = today() - timedelta(days=40)
    case = make_case(team=world.team, partners=[world.politie, world.zvh], phase="aanpak.uitvoering",
                     plan_discussed_on=earlier)
    held = add_meeting(db, world.team, starts_at=local(today()), invited=[world.politie])
    save_minutes(world.regisseur, held, add_item(db, held, case), beeldvorming=None,
                 oordeelsvorming=None, besluitvorming=None, discussed=True)
    close_meeting(world.regisseur, held, expected_version=held.version)
    assert case.plan_discussed_on == earlier and case.next_review_on == today() + timedelta(days=28)


def test_a_meeting_is_closed_on_or_after_its_day(db, world):
    coming = add_meeting(db, world.team)  # a week ahead
    with pytest.raises(ServiceError) as refused:
        close_meeting(world.regisseur, coming, expected_version=coming.version)
    assert refused.value.status == 409


def test_decisions_are_kept_with_the_item(db, world):
    add_decision(world.regisseur, world.meeting, world.politie_item, world.politie_case, text="Besluit")
    with pytest.raises(ServiceError):
        remove_agenda_item(world.regisseur, world.meeting, world.politie_item)
    assert db.session.execute(sa.select(sa.func.count(Decision.id))).scalar_one() == 1
