"""The notification jobs: who hears about what, once, and only about cases they may see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

# Monday 23 November 2026, 07:00 in Amsterdam.
MONDAY = (2026, 11, 23)


def _action(db, case, *, owner_organisation, owner_user=None, due_on=date(2026, 11, 1), status="open",
            last_activity_at=None):
    from casus.database import utcnow
    from casus.plans.models import Action

    action = Action(case_id=case.id, description="Huisbezoek afleggen", owner_organisation_id=owner_organisation.id,
                    owner_user_id=getattr(owner_user, "id", None), due_on=due_on, status=status,
                    last_activity_at=last_activity_at or utcnow())
    db.session.add(action)
    db.session.flush()
    return action


# --- review due, and the "procesregisseur, else supervisors" rule -------------------------------------------

def test_review_due_notifies_the_procesregisseur_once(app, db, managed_case, notifications_of, local_moment):
    from casus.notifications import jobs

    now = local_moment(*MONDAY)
    case, regisseur, _team = managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 20))
    managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 30))  # not yet
    managed_case(phase="afgesloten", next_review_on=date(2026, 11, 1))  # closed: never

    assert jobs.review_due(app, now) == 1
    assert jobs.review_due(app, now) == 0
    assert jobs.review_due(app, now + timedelta(days=1)) == 0  # the key is the review date, not the run date
    [notification] = notifications_of()
    assert notification.user_id == regisseur.id
    assert notification.key == f"review-due:case:{case.id}:2026-11-20:user:{regisseur.id}"
    assert notification.kind == "review_due"
    assert notification.link == f"/casussen/{case.id}"
    assert notification.case_id == case.id
    assert notification.title == f"Herbeoordeling nodig: casus {case.reference}"
    assert notification.next_attempt_at == now and notification.email_sent_at is None


def test_a_new_review_date_is_a_new_reminder(app, db, managed_case, notifications_of, local_moment):
    from casus.notifications import jobs

    case, _regisseur, _team = managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 20))
    assert jobs.review_due(app, local_moment(*MONDAY)) == 1
    case.next_review_on = date(2026, 12, 18)
    db.session.flush()
    assert jobs.review_due(app, local_moment(2026, 12, 18)) == 1
    assert len(notifications_of()) == 2


def test_without_a_procesregisseur_the_team_supervisors_hear_it(app, db, make_case, make_team, make_user,
                                                                notifications_of, local_moment):
    from casus.notifications import jobs

    team, other_team = make_team(), make_team()
    supervisors = [make_user("supervisor", team=team, organisation=team.organisation) for _ in range(2)]
    make_user("supervisor", team=other_team, organisation=other_team.organisation)
    make_user("supervisor", team=team, organisation=team.organisation, active=False)
    make_user("partner", organisation=team.organisation)
    make_case(team=team, phase="aanpak.plan", next_review_on=date(2026, 11, 2))

    assert jobs.review_due(app, local_moment(*MONDAY)) == 2
    assert sorted(n.user_id for n in notifications_of()) == sorted(s.id for s in supervisors)


def test_an_inactive_procesregisseur_is_replaced_by_the_supervisors(app, db, managed_case, make_user,
                                                                    notifications_of, local_moment):
    from casus.notifications import jobs

    _case, regisseur, team = managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 2))
    supervisor = make_user("supervisor", team=team, organisation=team.organisation)
    regisseur.active = False
    db.session.flush()
    jobs.review_due(app, local_moment(*MONDAY))
    assert [n.user_id for n in notifications_of()] == [supervisor.id]


def test_a_procesregisseur_who_left_the_team_is_not_told(app, db, managed_case, make_user, make_team,
                                                         notifications_of, local_moment):
    from casus.notifications import jobs

    _case, regisseur, team = managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 2))
    supervisor = make_user("supervisor", team=team, organisation=team.organisation)
    regisseur.team = make_team()  # moved on: may no longer see the case
    db.session.flush()
    jobs.review_due(app, local_moment(*MONDAY))
    assert [n.user_id for n in notifications_of()] == [supervisor.id]


def test_titles_follow_the_recipients_language(app, db, managed_case, notifications_of, local_moment):
    from casus.notifications import jobs

    case, _regisseur, _team = managed_case(phase="aanpak.uitvoering", next_review_on=date(2026, 11, 2),
                                          regisseur_fields={"locale": "en"})
    jobs.review_due(app, local_moment(*MONDAY))
    assert notifications_of()[0].title == f"Review due: case {case.reference}"


# --- triage deadlines ------------------------------------------------------------------------------------

def test_triage_deadline_within_one_working_day_or_past(app, db, managed_case, notifications_of, local_moment):
    from casus.notifications import jobs

    friday = local_moment(2026, 11, 20)
    due_monday, _r1, _t1 = managed_case(phase="triage", triage_due_on=date(2026, 11, 23))
    overdue, _r2, _t2 = managed_case(phase="signalering", triage_due_on=date(2026, 11, 10))
    managed_case(phase="triage", triage_due_on=date(2026, 11, 24))  # two working days away
    managed_case(phase="aanpak.plan", triage_due_on=date(2026, 11, 10))  # triage done

    assert jobs.triage_deadlines(app, friday) == 2
    assert {n.case_id for n in notifications_of()} == {due_monday.id, overdue.id}
    assert jobs.triage_deadlines(app, friday) == 0
    assert jobs.triage_deadlines(app, local_moment(2026, 11, 23)) == 1  # the 24th is now one working day away
    assert notifications_of()[-1].params == {"reference": notifications_of()[-1].params["reference"],
                                             "date": "2026-11-24"}


@pytest.mark.parametrize("day", [(2026, 11, 21), (2026, 11, 22), (2026, 12, 25)])
def test_no_triage_warnings_on_weekends_and_holidays(app, db, managed_case, local_moment, day):
    from casus.notifications import jobs

    managed_case(phase="triage", triage_due_on=date(2026, 11, 1))
    assert jobs.triage_deadlines(app, local_moment(*day)) == 0


# --- overdue actions: one digest per recipient per working day --------------------------------------------

def test_overdue_actions_go_to_the_owner_as_one_daily_digest(app, db, managed_case, make_user, make_organisation,
                                                             notifications_of, local_moment):
    from casus.notifications import jobs

    police = make_organisation(name="Politie Midden")
    agent = make_user("partner", organisation=police)
    case, _regisseur, _team = managed_case(phase="aanpak.uitvoering", partners=[make_organisation(), police])
    other, _r, _t = managed_case(phase="aanpak.uitvoering", partners=[make_organisation(), police])
    for target in (case, case, other):
        _action(db, target, owner_organisation=police, owner_user=agent)
    _action(db, case, owner_organisation=police, owner_user=agent, due_on=date(2026, 12, 1))  # not yet due
    _action(db, case, owner_organisation=police, owner_user=agent, status="gereed")

    assert jobs.overdue_actions(app, local_moment(*MONDAY)) == 1
    [digest] = notifications_of()
    assert digest.user_id == agent.id
    assert digest.key == f"actions-overdue:2026-11-23:user:{agent.id}"
    assert digest.params["count"] == 3
    assert digest.params["references"] == sorted([case.reference, other.reference])
    assert digest.link == "/"  # several cases: the dashboard lists them
    assert jobs.overdue_actions(app, local_moment(*MONDAY, hour=9)) == 0  # same day: nothing new
    assert jobs.overdue_actions(app, local_moment(2026, 11, 24)) == 1  # next working day: a new reminder


@pytest.mark.parametrize("day", [(2026, 11, 28), (2026, 11, 29), (2026, 12, 25), (2027, 4, 27)])
def test_no_overdue_reminders_on_weekends_and_dutch_holidays(app, db, managed_case, local_moment, day):
    from casus.notifications import jobs

    case, regisseur, team = managed_case(phase="aanpak.uitvoering")
    _action(db, case, owner_organisation=team.organisation, owner_user=regisseur)
    assert jobs.overdue_actions(app, local_moment(*day)) == 0


def test_overdue_without_owner_user_goes_to_the_organisations_contact(app, db, managed_case, make_user,
                                                                      make_organisation, notifications_of,
                                                                      local_moment):
    from casus.cases.models import Participation
    from casus.notifications import jobs

    housing = make_organisation(name="Woonstichting")
    contact = make_user("partner", organisation=housing)
    make_user("partner", organisation=housing)  # a colleague: not the contact
    case, _regisseur, _team = managed_case(phase="aanpak.uitvoering", partners=[team_org := make_organisation(),
                                                                              housing])
    participation = db.session.query(Participation).filter_by(case_id=case.id, organisation_id=housing.id).one()
    participation.contact_user_id = contact.id
    _action(db, case, owner_organisation=housing)
    jobs.overdue_actions(app, local_moment(*MONDAY))
    [digest] = notifications_of()
    assert digest.user_id == contact.id
    assert digest.link == f"/casussen/{case.id}" and digest.case_id == case.id
    assert team_org  # the aanbrenger


def test_overdue_falls_back_to_the_procesregisseur(app, db, managed_case, make_organisation, notifications_of,
                                                   local_moment):
    from casus.notifications import jobs

    housing = make_organisation(name="Woonstichting Noord")
    case, regisseur, _team = managed_case(phase="aanpak.uitvoering", partners=[make_organisation(), housing])
    _action(db, case, owner_organisation=housing)
    jobs.overdue_actions(app, local_moment(*MONDAY))
    assert [n.user_id for n in notifications_of()] == [regisseur.id]


def test_an_owner_whose_organisation_left_the_case_is_not_told(app, db, managed_case, make_user, make_organisation,
                                                               notifications_of, local_moment):
    from casus.cases.models import Participation
    from casus.notifications import jobs

    housing = make_organisation(name="Woonstichting Zuid")
    owner = make_user("partner", organisation=housing)
    case, regisseur, _team = managed_case(phase="aanpak.uitvoering", partners=[make_organisation(), housing])
    _action(db, case, owner_organisation=housing, owner_user=owner)
    participation = db.session.query(Participation).filter_by(case_id=case.id, organisation_id=housing.id).one()
    participation.left_on = date(2026, 11, 1)
    db.session.flush()
    jobs.overdue_actions(app, local_moment(*MONDAY))
    assert [n.user_id for n in notifications_of()] == [regisseur.id]


# --- stale actions --------------------------------------------------------------------------------------

def test_stale_actions_reach_the_procesregisseur_once_per_stale_spell(app, db, managed_case, notifications_of,
                                                                       local_moment):
    from casus.notifications import jobs

    now = local_moment(*MONDAY)
    case, regisseur, team = managed_case(phase="aanpak.uitvoering")
    stale = _action(db, case, owner_organisation=team.organisation, due_on=date(2027, 1, 1),
                    last_activity_at=local_moment(2026, 11, 9, 16))  # 14 local days ago
    fresh = _action(db, case, owner_organisation=team.organisation, due_on=date(2027, 1, 1),
                    last_activity_at=local_moment(2026, 11, 10, 9))  # 13 days: fresh

    assert jobs.stale_actions(app, now) == 1
    assert jobs.stale_actions(app, now + timedelta(hours=6)) == 0
    [notification] = notifications_of()
    assert notification.user_id == regisseur.id
    assert notification.params == {"reference": case.reference, "date": "2026-11-09"}
    assert notification.title == f"Actie zonder voortgang: casus {case.reference}"

    fresh.status = "gereed"
    stale.last_activity_at = local_moment(2026, 11, 24, 10)  # progress, then silence again
    db.session.flush()
    assert jobs.stale_actions(app, local_moment(2026, 12, 7)) == 0
    assert jobs.stale_actions(app, local_moment(2026, 12, 8)) == 1


# --- nazorg check-ins -----------------------------------------------------------------------------------

def test_nazorg_checkins_at_three_and_six_months(app, db, managed_case, notifications_of, local_moment):
    from casus.notifications import jobs

    three, _r1, _t1 = managed_case(phase="nazorg", nazorg_started_on=date(2026, 8, 23))
    six, _r2, _t2 = managed_case(phase="nazorg", nazorg_started_on=date(2026, 5, 1))
    managed_case(phase="nazorg", nazorg_started_on=date(2026, 8, 24))  # three months tomorrow

    assert jobs.nazorg_checkins(app, local_moment(*MONDAY)) == 2
    assert jobs.nazorg_checkins(app, local_moment(*MONDAY)) == 0
    by_case = {n.case_id: n for n in notifications_of()}
    assert by_case[three.id].params["months"] == 3 and by_case[three.id].params["date"] == "2026-11-23"
    assert by_case[six.id].params["months"] == 6  # the overdue 3-month check-in is not sent as well


def test_latest_start_for_clamps_like_add_months():
    from casus.notifications.jobs import latest_start_for
    from workflow.cadences import add_months

    assert latest_start_for(date(2027, 2, 28), 6) == date(2026, 8, 31)
    assert latest_start_for(date(2026, 11, 23), 3) == date(2026, 8, 23)
    for offset in range(0, 400, 7):
        today = date(2026, 1, 1) + timedelta(days=offset)
        start = latest_start_for(today, 6)
        assert add_months(start, 6) <= today < add_months(start + timedelta(days=1), 6)


# --- need-to-know and scale -----------------------------------------------------------------------------

def test_sees_case_agrees_with_case_scope(app, db, make_case, make_user, make_team, make_organisation):
    import sqlalchemy as sa

    from casus import policy
    from casus.cases.models import Case, Participation
    from casus.users.models import User

    team, other_team = make_team(), make_team()
    partner_org, outsider_org = make_organisation(), make_organisation()
    cases = [make_case(team=team, partners=[team.organisation, partner_org]),
             make_case(team=other_team, partners=[other_team.organisation]),
             make_case(team=team, partners=[team.organisation])]
    left = make_case(team=other_team, partners=[other_team.organisation, partner_org])
    db.session.query(Participation).filter_by(case_id=left.id, organisation_id=partner_org.id).update(
        {"left_on": date(2026, 1, 1)})
    cases.append(left)
    users = [make_user("procesregisseur", team=team), make_user("supervisor", team=other_team),
             make_user("partner", organisation=partner_org), make_user("riec", organisation=outsider_org),
             make_user("beheerder", organisation=team.organisation), make_user("privacy"),
             make_user("partner", "procesregisseur", team=other_team, organisation=partner_org)]
    ids = [c.id for c in cases]
    for user in users:
        expected = set(db.session.execute(sa.select(Case.id).where(policy.case_scope(user), Case.id.in_(ids)))
                       .scalars())
        actual = set(db.session.execute(sa.select(Case.id).join(User, User.id == user.id)
                                        .where(policy.sees_case(User, Case), Case.id.in_(ids))).scalars())
        assert actual == expected, user.roles


@pytest.mark.parametrize("job_name", ["triage_deadlines", "review_due", "overdue_actions", "stale_actions",
                                      "nazorg_checkins"])
def test_jobs_use_the_same_number_of_queries_for_one_or_many_cases(app, db, managed_case, count_queries,
                                                                   local_moment, job_name):
    from casus.notifications import jobs

    def populate(count):
        for _ in range(count):
            case, regisseur, team = managed_case(
                phase="nazorg" if job_name == "nazorg_checkins" else
                "triage" if job_name == "triage_deadlines" else "aanpak.uitvoering",
                triage_due_on=date(2026, 11, 20), next_review_on=date(2026, 11, 20),
                nazorg_started_on=date(2026, 8, 1) if job_name == "nazorg_checkins" else None)
            _action(db, case, owner_organisation=team.organisation, owner_user=regisseur,
                    last_activity_at=local_moment(2026, 10, 1))
        db.session.flush()

    job = getattr(jobs, job_name)
    populate(1)
    with count_queries() as few:
        created_few = job(app, local_moment(*MONDAY))
    populate(25)
    with count_queries() as many:
        created_many = job(app, local_moment(*MONDAY, hour=8))
    assert created_few == 1 and created_many == 25
    assert many.count == few.count
