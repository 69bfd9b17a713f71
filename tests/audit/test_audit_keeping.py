"""No audit event lost with a refusal: every way a request's transaction rolls back keeps the events it recorded,
written in a transaction of their own (``casus.audit.services.rollback_keeping_audit``).

These requests run for real on an app whose session is bound to the engine, as in production (the ``db``
fixture's session is bound to one connection, which takes the savepoint path instead): a probe endpoint records
an event, changes data, and then fails in one of the ways a request can.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import abort, g, has_app_context
from sqlalchemy.orm import Session

from support import app_with_own_database, empty_tables

PROBES = {}


def probe(name: str):
    def register(view):
        PROBES[name] = view
        return view

    return register


def _record_and_change(name: str):
    from casus.audit.services import record
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind

    record("case.probe", object_type="case", object_id=7, details={"probe": name})
    db.session.add(Organisation(name=f"Gemaakt door {name}", kind=OrganisationKind.GEMEENTE))
    db.session.flush()


@probe("service_error")
def _service_error():
    from casus.services import ServiceError

    _record_and_change("service_error")
    raise ServiceError("Geweigerd.")


@probe("exception")
def _exception():
    _record_and_change("exception")
    raise RuntimeError("a bug")


@probe("answer_500")
def _answer_500():
    _record_and_change("answer_500")
    return {"detail": "failed"}, 500


@probe("failed_commit")
def _failed_commit():
    from casus.extensions import db
    from casus.organisations.models import Team

    _record_and_change("failed_commit")
    db.session.add(Team(name="Zonder organisatie", gemeente="Nergens", organisation_id=987_654))  # at commit: FK
    return {}


@probe("commit_raises")
def _commit_raises():
    _record_and_change("commit_raises")
    g.probe_fail_flush = True  # the commit's flush raises something that is no database error
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind

    db.session.add(Organisation(name="Pas bij de commit", kind=OrganisationKind.GEMEENTE))
    return {}


@probe("abort_403")
def _abort_403():
    from casus.audit.models import Outcome
    from casus.audit.services import record

    record("case.probe", object_type="case", object_id=7, outcome=Outcome.DENIED, details={"probe": "abort_403"})
    abort(403)


@probe("shown_then_exception")
def _shown_then_exception():
    from casus.audit.services import record_shown

    record_shown("case.list.view", [11, 12, 13])
    raise RuntimeError("a bug after the list was shown")


def _fail_flush(session, flush_context, instances):
    if has_app_context() and g.get("probe_fail_flush"):
        raise RuntimeError("refused at the commit's flush")


@pytest.fixture(scope="module")
def keeping_app(app_config, tmp_path_factory):

    with app_with_own_database(app_config, tmp_path_factory, "casus_keeping") as app:
        app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: an error in the commit answers 500
        for name, view in PROBES.items():
            app.add_url_rule(f"/api/v1/probe/{name}", f"probe_{name}", view)
        sa.event.listen(Session, "before_flush", _fail_flush)
        try:
            yield app
        finally:
            sa.event.remove(Session, "before_flush", _fail_flush)


@pytest.fixture
def call(keeping_app):
    """``call(probe)`` -> the response of that probe, called with a bearer token of a committed user."""
    from casus.auth.tokens import create_token
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.users.models import Role, User, UserRole

    with keeping_app.app_context():
        organisation = Organisation(name="Politie", kind=OrganisationKind.POLITIE)
        user = User(email="agent@example.org", name="Agent", password_hash="x", organisation=organisation)
        user.role_rows = [UserRole(role=Role.PARTNER)]
        db.session.add(user)
        db.session.flush()
        _row, token = create_token(user, days=1)
        db.session.commit()
        db.session.remove()
    client = keeping_app.test_client()

    def call_probe(name: str):
        with keeping_app.app_context():
            return client.get(f"/api/v1/probe/{name}", headers={"Authorization": f"Bearer {token}"})

    yield call_probe
    empty_tables(keeping_app)


def stored(app, statement) -> list:
    from casus.extensions import db

    with app.app_context():
        try:
            return list(db.session.execute(statement).all())
        finally:
            db.session.remove()


@pytest.mark.parametrize(("name", "status"), [
    ("service_error", 400),  # a refused change (ServiceError) in the API
    ("exception", 500),  # a bug: the error handler's rollback
    ("answer_500", 500),  # a view that answers 5xx itself: the request's commit rolls back
    ("failed_commit", 409),  # the request's own commit fails (a constraint): a failed transaction
    ("commit_raises", 500),  # the commit fails with something else
])
def test_a_failed_request_keeps_its_audit_event_and_nothing_else(keeping_app, call, name, status):
    from casus.audit.models import AuditEvent, Outcome
    from casus.organisations.models import Organisation, Team

    assert call(name).status_code == status
    [(event,)] = stored(keeping_app, sa.select(AuditEvent).where(AuditEvent.action == "case.probe"))
    assert event.details == {"probe": name, "refused_with": status}
    assert event.outcome == Outcome.FAILURE
    assert (event.object_type, event.object_id) == ("case", "7")
    assert event.user_id is not None
    assert stored(keeping_app, sa.select(Organisation.name).where(Organisation.name.startswith("Gemaakt"))) == []
    assert stored(keeping_app, sa.select(Organisation.name).where(Organisation.name == "Pas bij de commit")) == []
    assert stored(keeping_app, sa.select(Team.id)) == []


def test_a_refusal_by_abort_commits_its_denied_event(keeping_app, call):
    from casus.audit.models import AuditEvent, Outcome

    assert call("abort_403").status_code == 403
    [(event,)] = stored(keeping_app, sa.select(AuditEvent).where(AuditEvent.action == "case.probe"))
    assert event.outcome == Outcome.DENIED and event.details == {"probe": "abort_403"}


def test_the_cases_a_failed_page_showed_are_kept_with_its_event(keeping_app, call):
    from casus.audit.models import AuditEvent, AuditShownCase

    assert call("shown_then_exception").status_code == 500
    [(event,)] = stored(keeping_app, sa.select(AuditEvent).where(AuditEvent.action == "case.list.view"))
    assert event.details == {"shown": 3, "refused_with": 500}
    assert sorted(case_id for (case_id,) in stored(keeping_app, sa.select(AuditShownCase.case_id).where(
        AuditShownCase.event_id == event.id))) == [11, 12, 13]


def test_events_that_cannot_be_written_are_logged_and_the_refusal_stands(keeping_app, call, monkeypatch, caplog):
    from casus.audit import services

    def unavailable():
        raise sa.exc.OperationalError("INSERT", {}, Exception("down"))

    monkeypatch.setattr(services, "_own_transaction", unavailable)
    assert call("exception").status_code == 500
    assert "audit events of a refused request not written: OperationalError" in caplog.text
