"""Partners told what concerns them: each kind reaches the right people — the contact person, else who of the
organisation may see the case; the action's owner; the signal's reporter — never the one who made the change,
never someone who may not see the case, and never with the case's title or a subject's name."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from uuid import uuid4

import pytest
import sqlalchemy as sa

SECRETS = ("Overlast Kerkstraat", "Jan Jansen", "123456782", "Geheim overleg")


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case, make_subject):
    """A team (ZVH) running a case in aanpak with the police; a housing corporation that is not (yet) in it."""
    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(name="Zorg- en Veiligheidshuis Voorbeeld", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh)
    politie = make_organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE)
    corporatie = make_organisation(name="Woonstichting Voorbeeld", kind=OrganisationKind.WONINGCORPORATIE)
    regisseur = make_user("procesregisseur", organisation=zvh, team=team)
    agent = make_user("partner", organisation=politie)
    wijkagent = make_user("partner", organisation=politie)
    woon = [make_user("partner", organisation=corporatie) for _ in range(2)]
    woon_beheerder = make_user("beheerder", organisation=corporatie)  # no role that sees cases
    woon_inactive = make_user("partner", organisation=corporatie, active=False)
    subject = make_subject(name="Jan Jansen", bsn="123456782")
    case = make_case(team=team, partners=[zvh, politie], phase="aanpak.uitvoering", title="Overlast Kerkstraat",
                     procesregisseur=regisseur, subjects=[subject])
    return SimpleNamespace(zvh=zvh, team=team, politie=politie, corporatie=corporatie, regisseur=regisseur,
                           agent=agent, wijkagent=wijkagent, woon=woon, woon_beheerder=woon_beheerder,
                           woon_inactive=woon_inactive, case=case)


def _of_kind(notifications_of, kind):
    return [item for item in notifications_of() if item.kind == kind]


def _assert_need_to_know(app, items, reference):
    """Title and params carry the reference and a date at most; the rendered texts none of the case's content."""
    from casus.notifications.kinds import render_intro

    assert items
    for item in items:
        assert reference in item.title
        assert set(item.params) <= {"reference", "date", "time", "assignee", "meeting_type"}
        for language in ("nl", "en"):
            text = item.title + render_intro(item.kind, item.params, language) + str(item.params)
            for secret in SECRETS:
                assert secret not in text


def _participation(db, case, organisation):
    from casus.cases.models import Participation

    return db.session.execute(sa.select(Participation).where(
        Participation.case_id == case.id, Participation.organisation_id == organisation.id)).scalar_one()


def test_an_invited_organisation_without_contact_hears_through_everyone_who_may_see_the_case(
        app, db, world, notifications_of):
    from casus.cases import services

    with app.test_request_context():
        services.invite_organisation(world.regisseur, world.case, organisation_id=world.corporatie.id,
                                     role="deelnemer", legal_basis="convenant")
    items = _of_kind(notifications_of, "participation_started")
    assert sorted(item.user_id for item in items) == sorted(user.id for user in world.woon)
    assert all(item.case_id == world.case.id and item.link == f"/casussen/{world.case.id}" for item in items)
    _assert_need_to_know(app, items, world.case.reference)


def test_an_invitation_goes_to_the_contact_person_only_and_never_twice(app, db, world, notifications_of):
    from casus.cases import services
    from casus.notifications import partners
    from casus.notifications.services import notify_many

    with app.test_request_context():
        participation = services.invite_organisation(
            world.regisseur, world.case, organisation_id=world.corporatie.id, role="deelnemer",
            legal_basis="convenant", contact_user_id=world.woon[1].id)
    [item] = _of_kind(notifications_of, "participation_started")
    assert item.user_id == world.woon[1].id
    # A retried request records under the same key: nothing new.
    from casus.cases.events import ParticipationStarted

    partners._participation_started(ParticipationStarted(world.regisseur, world.case, participation))
    assert len(_of_kind(notifications_of, "participation_started")) == 1
    assert notify_many([]) == 0


def test_the_actor_is_never_told_of_their_own_change(app, db, world, notifications_of):
    from casus.clock import today
    from casus.plans import services

    # The procesregisseur gives an action to their own organisation and to themselves.
    with app.test_request_context():
        services.add_action(world.regisseur, world.case, description="Huisbezoek", owner_organisation_id=world.zvh.id,
                            due_on=today() + timedelta(days=3), owner_user_id=world.regisseur.id)
    assert _of_kind(notifications_of, "action_assigned") == []


def test_the_end_of_a_participation_reaches_who_lost_the_case_without_a_link_to_it(
        app, db, world, notifications_of):
    from casus.cases import services

    with app.test_request_context():
        participation = services.invite_organisation(world.regisseur, world.case,
                                                     organisation_id=world.corporatie.id, role="deelnemer",
                                                     legal_basis="convenant")
        services.end_participation(world.regisseur, world.case, participation)
    items = _of_kind(notifications_of, "participation_ended")
    assert sorted(item.user_id for item in items) == sorted(user.id for user in world.woon)
    assert all(item.case_id is None and item.link == "/meldingen" for item in items)
    _assert_need_to_know(app, items, world.case.reference)


def test_an_action_goes_to_its_owner_user_else_to_the_organisation(app, db, world, notifications_of):
    from casus.clock import today
    from casus.plans import services

    due = today() + timedelta(days=10)
    with app.test_request_context():
        services.add_action(world.regisseur, world.case, description="Huisbezoek bij Jan Jansen",
                            owner_organisation_id=world.politie.id, due_on=due, owner_user_id=world.agent.id)
        services.add_action(world.regisseur, world.case, description="Overlast Kerkstraat bespreken",
                            owner_organisation_id=world.politie.id, due_on=due)
    items = _of_kind(notifications_of, "action_assigned")
    to_owner, *to_organisation = items
    assert to_owner.user_id == world.agent.id and to_owner.params["assignee"] == "u"
    assert sorted(item.user_id for item in to_organisation) == sorted([world.agent.id, world.wijkagent.id])
    assert {item.params["assignee"] for item in to_organisation} == {"uw organisatie"}
    assert to_owner.title == f"Nieuwe actie voor u: casus {world.case.reference}"
    _assert_need_to_know(app, items, world.case.reference)


def test_an_action_for_an_organisation_with_a_contact_person_goes_to_the_contact(app, db, world, notifications_of):
    from casus.clock import today
    from casus.plans import services

    _participation(db, world.case, world.politie).contact_user_id = world.wijkagent.id
    db.session.flush()
    with app.test_request_context():
        services.add_action(world.regisseur, world.case, description="Huisbezoek",
                            owner_organisation_id=world.politie.id, due_on=today() + timedelta(days=3))
    assert [item.user_id for item in _of_kind(notifications_of, "action_assigned")] == [world.wijkagent.id]


def test_a_due_date_change_is_for_the_daily_digest_by_default(app, db, world, notifications_of):
    from casus import events
    from casus.clock import local_zone, today
    from casus.plans import services
    from casus.plans.events import ActionDueChanged

    with app.test_request_context():
        action = services.add_action(world.regisseur, world.case, description="Huisbezoek",
                                     owner_organisation_id=world.politie.id, due_on=today() + timedelta(days=3),
                                     owner_user_id=world.agent.id)
        action.due_on = today() + timedelta(days=20)
        db.session.flush()
        events.publish(ActionDueChanged(world.regisseur, world.case, action))
    [item] = _of_kind(notifications_of, "action_due_changed")
    assert item.user_id == world.agent.id
    assert item.params["date"] == action.due_on.isoformat()
    local = item.next_attempt_at.astimezone(local_zone())
    assert local.time() == time(7, 0) and item.next_attempt_at > item.created_at


def test_a_relapse_reaches_the_partners_but_not_the_team_member_who_took_the_step(
        app, db, world, notifications_of):
    from casus.cases import services

    world.case.phase = "nazorg"
    world.case.nazorg_started_on = world.case.nazorg_started_on or datetime.now(UTC).date()
    db.session.flush()
    with app.test_request_context():
        services.transition(world.regisseur, world.case, "relapse", reason="Opnieuw overlast")
    items = _of_kind(notifications_of, "case_relapse")
    assert sorted(item.user_id for item in items) == sorted([world.agent.id, world.wijkagent.id])
    _assert_need_to_know(app, items, world.case.reference)


def test_no_one_who_may_not_see_the_case_is_told(app, db, world, make_user, notifications_of):
    """A partner-role user of an organisation that does not take part hears nothing of a case on an agenda."""
    from casus.meetings.agenda import add_agenda_item
    from casus.meetings.models import Meeting

    starts = datetime.combine(datetime.now(UTC).date() + timedelta(days=8), time(8, 30), tzinfo=UTC)
    meeting = Meeting(team_id=world.team.id, type="zvt_jeugd", title="Geheim overleg", starts_at=starts,
                      ends_at=starts + timedelta(hours=2), status="gepland", ical_uid=f"meeting-{uuid4()}@casus")
    db.session.add(meeting)
    db.session.flush()
    with app.test_request_context():
        add_agenda_item(world.regisseur, meeting, world.case, purpose="bespreken")
    items = _of_kind(notifications_of, "case_on_agenda")
    assert sorted(item.user_id for item in items) == sorted([world.agent.id, world.wijkagent.id])
    outsiders = {user.id for user in (*world.woon, world.woon_beheerder, world.woon_inactive, world.regisseur)}
    assert not outsiders & {item.user_id for item in notifications_of()}
    _assert_need_to_know(app, items, world.case.reference)
    assert items[0].params["meeting_type"] == "Zorg- en Veiligheidstafel Jeugd"


# --- signals: the reporter, by the signal's own reference -----------------------------------------------------

@pytest.fixture
def reported(app, db, world, make_user, categories):
    """``reported()`` -> a signal reported by a police officer to the team, through the service."""
    from casus.signals import services
    from casus.subjects.services import SubjectInput

    reporter = make_user("partner", organisation=world.politie)

    def make():
        with app.test_request_context():
            signal, _known = services.report_signal(
                reporter, category_id=categories["woonoverlast"].id, team_id=world.team.id,
                description="Overlast Kerkstraat", urgency="normaal",
                subjects=[SubjectInput(kind="persoon", name="Jan Jansen", bsn="123456782")])
        return signal

    make.reporter = reporter
    return make


def _assert_signal_notice(app, item, signal):
    from casus.notifications.kinds import render_intro

    assert item.user_id == signal.reported_by_id and item.case_id is None
    assert item.params == {"reference": signal.reference} and item.link == f"/signalen/{signal.id}"
    text = item.title + render_intro(item.kind, item.params, "nl")
    assert signal.reference in text
    for secret in SECRETS:
        assert secret not in text


def test_a_reporter_hears_their_signal_was_bundled(app, db, world, reported, notifications_of):
    from casus.signals import services

    signal = reported()
    with app.test_request_context():
        services.attach_to_case(world.regisseur, signal, world.case)
    [item] = _of_kind(notifications_of, "signal_bundled")
    _assert_signal_notice(app, item, signal)
    assert world.case.reference not in item.title


def test_a_reporter_hears_their_signal_was_dismissed(app, db, world, reported, notifications_of):
    from casus.signals import services

    signal = reported()
    with app.test_request_context():
        services.dismiss_signal(world.regisseur, signal, reason="Geen zorg- en veiligheidsvraagstuk")
    [item] = _of_kind(notifications_of, "signal_dismissed")
    _assert_signal_notice(app, item, signal)


def test_a_reporter_hears_the_case_was_closed_with_a_referral(app, db, world, reported, make_case,
                                                              notifications_of):
    from casus.cases import services as cases
    from casus.signals import services

    signal = reported()
    case = make_case(team=world.team, partners=[world.zvh], phase="triage", procesregisseur=world.regisseur,
                     title="Overlast Kerkstraat", triage_outcome="C", referral_organisation_id=world.corporatie.id)
    with app.test_request_context():
        services.attach_to_case(world.regisseur, signal, case)
        cases.transition(world.regisseur, case, "refer", reason="Past beter bij de corporatie")
    [item] = _of_kind(notifications_of, "signal_referred")
    _assert_signal_notice(app, item, signal)


def test_the_daily_agenda_job_tells_the_partners_of_every_case_it_schedules(app, db, world, make_case,
                                                                          notifications_of, count_queries):
    from casus.clock import today
    from casus.database import utcnow
    from casus.meetings.agenda import schedule_review_due_cases
    from casus.meetings.models import Meeting

    starts = datetime.combine(today() + timedelta(days=3), time(8, 30), tzinfo=UTC)
    db.session.add(Meeting(team_id=world.team.id, type="casusoverleg", title="Geheim overleg", starts_at=starts,
                           ends_at=starts + timedelta(hours=2), status="gepland", ical_uid=f"meeting-{uuid4()}@casus"))
    world.case.next_review_on = today() + timedelta(days=1)
    others = [make_case(team=world.team, partners=[world.zvh, world.corporatie], phase="aanpak.uitvoering",
                        next_review_on=today() + timedelta(days=2)) for _ in range(3)]
    db.session.flush()
    with count_queries() as counter:
        assert schedule_review_due_cases(app, utcnow()) == 4
    items = _of_kind(notifications_of, "case_on_agenda")
    told = {(item.case_id, item.user_id) for item in items}
    assert told == {(world.case.id, world.agent.id), (world.case.id, world.wijkagent.id)} | {
        (case.id, user.id) for case in others for user in world.woon}
    _assert_need_to_know(app, [item for item in items if item.case_id == world.case.id], world.case.reference)
    many = counter.count
    # Twice the cases, the same number of statements: the recipients are found set-based.
    more = [make_case(team=world.team, partners=[world.zvh, world.corporatie], phase="aanpak.uitvoering",
                      next_review_on=today() + timedelta(days=2)) for _ in range(8)]
    db.session.add(Meeting(team_id=world.team.id, type="casusoverleg", title="Tweede overleg", starts_at=starts,
                           ends_at=starts + timedelta(hours=2), status="gepland", ical_uid=f"meeting-{uuid4()}@casus"))
    db.session.flush()
    with count_queries() as counter:
        assert schedule_review_due_cases(app, utcnow()) == len(more)
    assert counter.count == many


def test_moving_a_due_date_through_the_api_tells_the_owner(app, db, api, world, notifications_of):
    from casus.clock import today
    from casus.plans import services

    with app.test_request_context():
        action = services.add_action(world.regisseur, world.case, description="Huisbezoek",
                                     owner_organisation_id=world.politie.id, due_on=today() + timedelta(days=3),
                                     owner_user_id=world.agent.id)
    db.session.flush()
    new_due = today() + timedelta(days=30)
    body = api(world.regisseur, "PATCH", f"/actions/{action.id}",
               json={"dueOn": new_due.isoformat(), "version": action.version}).get_json()
    assert body["dueOn"] == new_due.isoformat() and body["status"] == "open"
    [item] = _of_kind(notifications_of, "action_due_changed")
    assert item.user_id == world.agent.id and item.params["date"] == new_due.isoformat()
    assert item.title == f"Nieuwe uiterste datum voor een actie: casus {world.case.reference}"
    # In the past, or without anything to change: refused, nothing told.
    for refused in ({"dueOn": (today() - timedelta(days=1)).isoformat(), "version": body["version"]},
                    {"version": body["version"]}):
        response = api(world.regisseur, "PATCH", f"/actions/{action.id}", json=refused)
        assert response.status_code == 400 and response.content_type.startswith("application/problem+json")
    # The partner may not move it.
    assert api(world.agent, "PATCH", f"/actions/{action.id}",
               json={"dueOn": new_due.isoformat(), "version": body["version"]}).status_code == 403
    assert len(_of_kind(notifications_of, "action_due_changed")) == 1


def test_moving_a_due_date_on_the_plan_page_tells_the_owner(app, db, auth, login, world, notifications_of):
    import pyotp

    from casus.clock import today
    from casus.plans import services

    with app.test_request_context():
        action = services.add_action(world.regisseur, world.case, description="Huisbezoek",
                                     owner_organisation_id=world.politie.id, due_on=today() + timedelta(days=3))
    world.regisseur.totp_secret = pyotp.random_base32()
    db.session.flush()
    login(world.regisseur)
    plan = f"/casussen/{world.case.id}/plan"
    page = auth.client.get(plan).get_data(as_text=True)
    assert f'id="status-{action.id}-due_on"' in page
    new_due = today() + timedelta(days=21)
    response = auth.post(f"{plan}/acties/{action.id}/status", {
        "status": "open", "due_on": new_due.strftime("%d-%m-%Y"), "version": str(action.version)}, form_url=plan)
    assert response.status_code == 302
    assert "De uiterste datum van de actie is gewijzigd." in auth.client.get(plan).get_data(as_text=True)
    items = _of_kind(notifications_of, "action_due_changed")
    assert sorted(item.user_id for item in items) == sorted([world.agent.id, world.wijkagent.id])
    assert {item.params["date"] for item in items} == {new_due.isoformat()}
