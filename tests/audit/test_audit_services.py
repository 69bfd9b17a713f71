"""Who an audit event names: the actor a service is handed, else the logged-in user, else nobody."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_login import login_user


def _events(db, action: str):
    from casus.audit.models import AuditEvent

    return list(db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).scalars())


def test_a_passed_user_is_the_actor_even_while_someone_else_is_logged_in(app, db, make_user):
    from casus.audit.services import record

    logged_in, actor = make_user("beheerder"), make_user("supervisor")
    with app.test_request_context():
        login_user(logged_in)
        record("test.explicit", user=actor)
        record("test.implicit")
    (explicit,), (implicit,) = _events(db, "test.explicit"), _events(db, "test.implicit")
    assert (explicit.user_id, explicit.organisation_id, explicit.roles) == (
        actor.id, actor.organisation_id, "supervisor")
    assert implicit.user_id == logged_in.id


def test_outside_a_request_an_event_without_a_user_names_nobody(app, db, make_user):
    from casus.audit.services import record

    user = make_user("partner")
    record("test.job")
    record("test.job_for_user", user=user)
    (job,), (for_user,) = _events(db, "test.job"), _events(db, "test.job_for_user")
    assert (job.user_id, job.organisation_id, job.roles) == (None, None, "")
    assert for_user.user_id == user.id


def _add_goal(user, case):
    from casus.plans.services import add_goal

    add_goal(user, case, description="Woonsituatie stabiel")
    return "goal.added"


def _add_note(user, case):
    from casus.cases.services import add_note

    add_note(user, case, text="Gesprek gevoerd", visibility="alle_deelnemers")
    return "note.added"


def _read_case(user, case):
    from casus.policy import get_case

    get_case(user, case.id)
    return "case.view"


@pytest.mark.parametrize("call", [_add_goal, _add_note, _read_case], ids=lambda call: call.__name__.lstrip("_"))
def test_a_service_audits_the_user_it_acts_for_not_the_logged_in_one(app, db, make_user, make_team, make_case,
                                                                      call):
    team = make_team()
    case = make_case(team=team, phase="aanpak.plan")
    regisseur = make_user("procesregisseur", team=team, organisation=team.organisation)
    someone_else = make_user("beheerder")
    with app.test_request_context():
        login_user(someone_else)
        action = call(regisseur, case)
    assert [event.user_id for event in _events(db, action)] == [regisseur.id]
