"""What the meeting pages show (casus.meetings.pages): the chairs to pick from and the move form as stored.
The pages themselves are tested through their views (test_meetings_views.py)."""

from datetime import date, time

from meeting_factories import add_meeting, local

from casus.meetings.pages import active_organisations, chairs, move_form


def test_chairs_are_the_teams_active_procesregisseurs_and_supervisors_by_name(db, make_user, make_team,
                                                                              make_organisation):
    team = make_team()
    organisation = team.organisation
    supervisor = make_user("supervisor", organisation=organisation, team=team, name="Anna Supervisor")
    regisseur = make_user("procesregisseur", organisation=organisation, team=team, name="Bram Regisseur")
    make_user("procesregisseur", organisation=organisation, team=team, name="Carla Vertrokken", active=False)
    make_user("partner", organisation=organisation, team=team, name="Dirk Partner")
    make_user("procesregisseur", organisation=organisation, team=make_team(), name="Eva Ander Team")
    assert chairs(team.id) == [supervisor, regisseur]


def test_only_active_organisations_can_be_invited(db, make_organisation):
    active = make_organisation(name="Politie Eenheid Voorbeeld")
    closed = make_organisation(name="Opgeheven Stichting", active=False)
    offered = active_organisations()
    assert active in offered and closed not in offered


def test_the_move_form_shows_the_stored_meeting_in_local_time(app, db, make_team):
    # 09:30 in Amsterdam on a summer day is 07:30 UTC: the form shows the local date and time, never UTC.
    meeting = add_meeting(db, make_team(), starts_at=local(date(2027, 7, 1), 9, 30), minutes=90)
    with app.test_request_context():
        form = move_form(meeting)
    assert (form.day.data, form.start_time.data, form.duration_minutes.data) == (date(2027, 7, 1), time(9, 30), 90)
    assert form.version.data == meeting.version
