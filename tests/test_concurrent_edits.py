"""No lost edits: two saves of one object with the same version at the same moment — exactly one wins, the other
gets 409 and nothing of it is stored. And the agenda races: one case added ten times at once lands once, eight
cases added at once get eight places.

As in tests/cases/test_cases_concurrency.py every request runs in its own thread with its own app context,
session and connection, against committed data in a database of its own (a schema on PostgreSQL, a file on
SQLite): the ``db`` fixture's rolled-back transaction cannot be shared between connections. A barrier releases
the writers together. On PostgreSQL they really run at once: the loser finds the version moved on when it
compares (``StaleVersion``), or its versioned UPDATE matches no row (``StaleDataError``) — 409 either way, with
the version stored now (``currentVersion``). SQLite serialises writers (``BEGIN IMMEDIATE``), so there the second
always compares against the first's commit; the outcome must be the same.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import replace
from datetime import time, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from support import DEFAULT_PASSWORD, Auth, app_with_own_database, csrf_from, empty_tables, run_threads

ROUNDS = 2
WHO = ("regisseur", "supervisor")


@pytest.fixture(scope="module")
def race_app(app_config, tmp_path_factory):
    # No second factor for these users: the web races log in through the password form only.
    config = replace(app_config, totp_required_roles=frozenset())
    with app_with_own_database(config, tmp_path_factory, "casus_edit_race") as app:
        yield app


@pytest.fixture
def world(race_app):
    """A team (procesregisseur and two supervisors, each with a token and a password), partner organisations and
    a RIEC, committed; every table emptied afterwards."""
    from casus.auth.passwords import hash_password
    from casus.auth.tokens import create_token
    from casus.cases.categories import ensure_standard_categories
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.users.models import Role, User, UserRole

    with race_app.test_request_context():
        categories = ensure_standard_categories()
        orgs = {name: Organisation(name=f"{name.title()} Race", kind=kind, convenant_partner=True) for name, kind in (
            ("zvh", OrganisationKind.ZVH), ("politie", OrganisationKind.POLITIE),
            ("corporatie", OrganisationKind.WONINGCORPORATIE), ("ggz", OrganisationKind.GGZ),
            ("riec", OrganisationKind.RIEC))}
        team = Team(name="Team Race", gemeente="Racestad", organisation=orgs["zvh"])
        password = hash_password(DEFAULT_PASSWORD)
        users = {}
        for name, role in (("regisseur", "procesregisseur"), ("supervisor", "supervisor"),
                           ("supervisor2", "supervisor")):
            user = User(email=f"{name}@race.example.org", name=name.title(), organisation=orgs["zvh"], team=team,
                        password_hash=password)
            user.role_rows = [UserRole(role=Role(role))]
            users[name] = user
        db.session.add_all([*orgs.values(), team, *users.values()])
        db.session.flush()
        data = {"tokens": {name: create_token(user, days=1)[1] for name, user in users.items()},
                "users": {name: (user.id, user.email) for name, user in users.items()},
                "orgs": {name: org.id for name, org in orgs.items()}, "team": team.id,
                "category": categories["woonoverlast"].id}
        db.session.commit()
    yield data
    empty_tables(race_app)


# --- committed objects to race on -------------------------------------------------------------------------------

def _commit(app, build):
    """``build(db)``'s objects, committed and detached with their columns loaded (read them after the context)."""
    from casus.extensions import db

    with app.test_request_context():
        result = build(db)
        db.session.commit()
        for obj in result if isinstance(result, tuple | list) else [result]:
            for one in obj if isinstance(obj, list) else [obj]:
                db.session.refresh(one)
                db.session.expunge(one)
        return result


def _case(db, data, *, phase="aanpak.uitvoering", partners=("politie", "corporatie", "ggz")):
    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from workflow import ParticipationRole

    number = db.session.execute(sa.select(sa.func.count(Case.id))).scalar_one() + 1
    case = Case(reference=f"2026-7{number:04d}", title=f"Racecasus {number}", category_id=data["category"],
                team_id=data["team"], gemeente="Racestad", aanbrenger_organisation_id=data["orgs"][partners[0]],
                procesregisseur_id=data["users"]["regisseur"][0], signal_count=1, phase=phase)
    db.session.add(case)
    db.session.flush()
    for index, name in enumerate(partners):
        db.session.add(Participation(
            case_id=case.id, organisation_id=data["orgs"][name], legal_basis=LegalBasis.CONVENANT, joined_on=today(),
            role=ParticipationRole.AANBRENGER if index == 0 else ParticipationRole.DEELNEMER))
    db.session.flush()
    return case


def _meeting(db, data, *, days=7):
    from uuid import uuid4

    from casus.clock import today
    from casus.meetings.models import Meeting, MeetingInvitation
    from casus.meetings.services import local_start

    starts = local_start(today() + timedelta(days=days), time(9, 30))
    meeting = Meeting(team_id=data["team"], type="casusoverleg", title="Casusoverleg Race", starts_at=starts,
                      ends_at=starts + timedelta(hours=2), location="Stadhuis", status="gepland",
                      ical_uid=f"meeting-{uuid4()}@casus", chair_id=data["users"]["regisseur"][0])
    db.session.add(meeting)
    db.session.flush()
    for name in ("politie", "corporatie"):
        db.session.add(MeetingInvitation(meeting_id=meeting.id, organisation_id=data["orgs"][name]))
    db.session.flush()
    return meeting


def _item(db, meeting, case, position=1):
    from casus.meetings.models import AgendaItem

    item = AgendaItem(meeting_id=meeting.id, case_id=case.id, purpose="bespreken", position=position)
    db.session.add(item)
    db.session.flush()
    return item


# --- racing -----------------------------------------------------------------------------------------------------

def _race(app, calls) -> list:
    """Run ``calls`` (each a function of a fresh test client, answering a response) at the same moment; the
    responses in the order of ``calls``. ``calls`` may also be (prepare, call): ``prepare(client)`` runs before the
    barrier (logging in, say) and its result goes to ``call(client, prepared)``."""
    barrier = threading.Barrier(len(calls))

    def run(call) -> object:
        client = app.test_client()
        client.environ_base["wsgi.url_scheme"] = "https"
        client.environ_base["HTTP_REFERER"] = "https://localhost/"
        prepared = None
        if isinstance(call, tuple):
            prepare, call = call
            prepared = prepare(client)
        barrier.wait(timeout=30)
        return call(client, prepared)

    return run_threads([functools.partial(run, call) for call in calls], barrier=barrier)


def _api(data, who: str, method: str, path: str, body=None):
    def call(client, _prepared):
        return client.open(f"/api/v1{path}", method=method, json=body,
                           headers={"Authorization": f"Bearer {data['tokens'][who]}"})
    return call


def _one_wins(responses, winning_status: int, *, current_version: int | None = None) -> int:
    """Exactly one answer is ``winning_status``, the other a 409 problem (with ``currentVersion`` when given);
    the index of the winner."""
    statuses = [response.status_code for response in responses]
    assert sorted(statuses) == sorted([winning_status, 409]), [r.get_data(as_text=True) for r in responses]
    loser = responses[statuses.index(409)]
    if loser.mimetype == "application/problem+json" and current_version is not None:
        assert loser.get_json()["currentVersion"] == current_version, loser.get_json()
    return statuses.index(winning_status)


def _get(app, model, object_id):
    from casus.extensions import db

    with app.app_context():
        obj = db.session.get(model, object_id)
        db.session.expunge(obj)
        return obj


def _refused_events(app, user_id: int, case_id: int) -> list[str]:
    from casus.audit.models import AuditEvent
    from casus.extensions import db

    with app.app_context():
        events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.user_id == user_id,
                                                                AuditEvent.case_id == case_id)).scalars()
        return [event.action for event in events if (event.details or {}).get("refused_with") == 409]


# --- every editable object: two saves with one version, one wins ------------------------------------------------

def test_case(race_app, world):
    from casus.cases.models import Case

    for _round in range(ROUNDS):
        case = _commit(race_app, lambda db: _case(db, world))
        responses = _race(race_app, [_api(world, who, "PATCH", f"/cases/{case.id}",
                                          {"evaluation": f"Evaluatie van {who}", "version": case.version})
                                     for who in WHO])
        winner = _one_wins(responses, 200, current_version=case.version + 1)
        stored = _get(race_app, Case, case.id)
        assert (stored.evaluation, stored.version) == (f"Evaluatie van {WHO[winner]}", case.version + 1)
        # The loser's attempt stays audited (its read of the case), marked as refused with 409.
        assert _refused_events(race_app, world["users"][WHO[1 - winner]][0], case.id)


def test_action(race_app, world):
    from casus.plans.models import Action

    def build(db):
        from casus.clock import today

        case = _case(db, world)
        action = Action(case_id=case.id, description="Huisbezoek", owner_organisation_id=world["orgs"]["politie"],
                        due_on=today() + timedelta(days=14))
        db.session.add(action)
        db.session.flush()
        return action

    statuses = {"regisseur": "in_uitvoering", "supervisor": "vervallen"}
    for _round in range(ROUNDS):
        action = _commit(race_app, build)
        responses = _race(race_app, [_api(world, who, "PATCH", f"/actions/{action.id}",
                                          {"status": statuses[who], "version": 1}) for who in WHO])
        winner = _one_wins(responses, 200, current_version=2)
        stored = _get(race_app, Action, action.id)
        assert (stored.status, stored.version) == (statuses[WHO[winner]], 2)


def test_participations(race_app, world):
    """Ending two participations of one case with the case's version: one ends, the other is refused."""
    from casus.cases.models import Case, Participation

    for _round in range(ROUNDS):
        case = _commit(race_app, lambda db: _case(db, world))
        with race_app.app_context():
            from casus.extensions import db

            ends = dict(db.session.execute(sa.select(Participation.organisation_id, Participation.id).where(
                Participation.case_id == case.id)).all())
        targets = [ends[world["orgs"]["corporatie"]], ends[world["orgs"]["ggz"]]]
        responses = _race(race_app, [_api(world, who, "DELETE", f"/participants/{target}?version={case.version}")
                                     for who, target in zip(WHO, targets, strict=True)])
        winner = _one_wins(responses, 204, current_version=case.version + 1)
        ended = [target for target in targets if _get(race_app, Participation, target).left_on is not None]
        assert ended == [targets[winner]]
        assert _get(race_app, Participation, targets[winner]).version == 2
        assert _get(race_app, Case, case.id).version == case.version + 1


def test_agenda_item_minutes(race_app, world):
    from casus.meetings.models import AgendaItem

    for _round in range(ROUNDS):
        # Minutes are recorded from the meeting's start: a meeting that began yesterday.
        item = _commit(race_app, lambda db: _item(db, _meeting(db, world, days=-1), _case(db, world)))
        responses = _race(race_app, [_api(world, who, "PATCH", f"/agenda-items/{item.id}",
                                          {"beeldvorming": f"Beeld van {who}", "discussed": True, "version": 1})
                                     for who in WHO])
        winner = _one_wins(responses, 200, current_version=2)
        stored = _get(race_app, AgendaItem, item.id)
        assert (stored.beeldvorming, stored.version) == (f"Beeld van {WHO[winner]}", 2)


def test_agenda_item_removal_against_minutes(race_app, world):
    """Taking an item off the agenda while its minutes are saved: never both, never minutes lost unseen."""
    from casus.meetings.models import AgendaItem

    for _round in range(ROUNDS):
        item = _commit(race_app, lambda db: _item(db, _meeting(db, world), _case(db, world)))
        responses = _race(race_app, [
            _api(world, "regisseur", "PATCH", f"/agenda-items/{item.id}", {"beeldvorming": "Net", "version": 1}),
            _api(world, "supervisor", "DELETE", f"/agenda-items/{item.id}?version=1")])
        statuses = [response.status_code for response in responses]
        with race_app.app_context():
            from casus.extensions import db

            stored = db.session.get(AgendaItem, item.id)
            if statuses == [200, 409]:
                assert stored is not None and stored.beeldvorming == "Net"
            else:  # the removal won; the minutes found the item gone or moved on
                assert statuses[1] == 204 and statuses[0] in (404, 409) and stored is None


def test_meeting(race_app, world):
    from casus.meetings.models import Meeting

    for _round in range(ROUNDS):
        meeting = _commit(race_app, lambda db: _meeting(db, world))
        moves = {who: (meeting.starts_at + timedelta(days=offset)).isoformat() for who, offset in zip(WHO, (1, 2),
                                                                                                       strict=True)}
        responses = _race(race_app, [_api(world, who, "PATCH", f"/meetings/{meeting.id}",
                                          {"startsAt": moves[who], "version": meeting.version}) for who in WHO])
        winner = _one_wins(responses, 200, current_version=meeting.version + 1)
        stored = _get(race_app, Meeting, meeting.id)
        assert stored.starts_at.isoformat() == moves[WHO[winner]] and stored.version == meeting.version + 1
        assert stored.ical_sequence == 1  # one change went out, not two


def test_escalation_decision(race_app, world):
    from casus.escalations.models import Escalation

    def build(db):
        from casus.clock import today

        case = _case(db, world)
        case.escalation_level = "tactisch"
        step = Escalation(case_id=case.id, direction="opschalen", from_level="operationeel", to_level="tactisch",
                          reason="Komen er niet uit", decision_owner="Ketenmanagers",
                          decision_deadline=today() + timedelta(days=10), review_on=today() + timedelta(days=40),
                          created_by_id=world["users"]["regisseur"][0])
        db.session.add(step)
        db.session.flush()
        return step

    for _round in range(ROUNDS):
        step = _commit(race_app, build)
        responses = _race(race_app, [_api(world, who, "POST", f"/escalations/{step.id}/decision",
                                          {"decision": f"Besluit van {who}", "version": 1}) for who in WHO])
        winner = _one_wins(responses, 201, current_version=2)
        stored = _get(race_app, Escalation, step.id)
        assert (stored.decision, stored.version) == (f"Besluit van {WHO[winner]}", 2)


def test_voordracht(race_app, world):
    from casus.voordrachten.models import Voordracht

    def build(db):
        from casus.cases.models import CaseSubject
        from casus.subjects.models import Subject
        from casus.voordrachten.models import VoordrachtSubject

        case = _case(db, world)
        subject = Subject(kind="persoon", name="Piet Race", name_key="piet race")
        db.session.add(subject)
        db.session.flush()
        db.session.add(CaseSubject(case_id=case.id, subject_id=subject.id))
        voordracht = Voordracht(case_id=case.id, state="concept", addressee_organisation_id=world["orgs"]["riec"],
                                summary="Eerste opzet", indicators=["drugs"], legal_basis="riec_convenant",
                                urgency="regulier", created_by_id=world["users"]["regisseur"][0])
        db.session.add(voordracht)
        db.session.flush()
        db.session.add(VoordrachtSubject(voordracht_id=voordracht.id, subject_id=subject.id))
        db.session.flush()
        return voordracht

    for _round in range(ROUNDS):
        voordracht = _commit(race_app, build)
        responses = _race(race_app, [_api(world, who, "PATCH", f"/riec-referrals/{voordracht.id}",
                                          {"summary": f"Samenvatting van {who}", "version": voordracht.version})
                                     for who in WHO])
        winner = _one_wins(responses, 200, current_version=voordracht.version + 1)
        stored = _get(race_app, Voordracht, voordracht.id)
        assert (stored.summary, stored.version) == (f"Samenvatting van {WHO[winner]}", voordracht.version + 1)


def test_approval(race_app, world):
    """Two supervisors decide one request (tests/approvals/test_approvals_concurrency.py does more rounds)."""
    from casus.approvals.models import Approval

    def build(db):
        from casus.approvals.case_requests import request_early_closure
        from casus.users.models import User

        case = _case(db, world)
        return request_early_closure(db.session.get(User, world["users"]["regisseur"][0]), case,
                                     reason="Verhuisd", result="verhuisd")

    approval = _commit(race_app, build)
    responses = _race(race_app, [
        _api(world, "supervisor", "POST", f"/approvals/{approval.id}/decision", {"decision": "approve", "version": 1}),
        _api(world, "supervisor2", "POST", f"/approvals/{approval.id}/decision",
             {"decision": "reject", "motivation": "Nog niet", "version": 1})])
    winner = _one_wins(responses, 200)
    stored = _get(race_app, Approval, approval.id)
    assert stored.status == ("goedgekeurd", "afgewezen")[winner] and stored.version == 2


# --- the web forms: the same, through the pages ------------------------------------------------------------------

def _login(data, who: str, page: str):
    """Before the barrier: log in through the password form, and read the CSRF token from ``page``."""
    def prepare(client):
        auth = Auth(client)
        response = auth.login(SimpleNamespace(email=data["users"][who][1]))
        assert response.status_code == 302, response.get_data(as_text=True)
        return csrf_from(client.get(page))
    return prepare


def _form(data, who: str, page: str, url: str, fields: dict):
    return (_login(data, who, page), lambda client, token: client.post(url, data={"csrf_token": token, **fields}))


def test_minutes_form(race_app, world):
    from casus.meetings.models import AgendaItem

    # Yesterday's meeting, still open: minutes are recorded only from a meeting's start.
    item = _commit(race_app, lambda db: _item(db, _meeting(db, world, days=-1), _case(db, world)))
    page = f"/overleggen/{item.meeting_id}"
    responses = _race(race_app, [_form(world, who, page, f"{page}/agenda/{item.id}/verslag", {
        "version": "1", "beeldvorming": f"Beeld van {who}", "oordeelsvorming": "", "besluitvorming": ""})
        for who in WHO])
    winner = _one_wins(responses, 302)
    loser = responses[1 - winner].get_data(as_text=True)
    assert "Iemand anders heeft dit intussen gewijzigd" in loser
    assert f"Beeld van {WHO[winner]}" in loser and f"Beeld van {WHO[1 - winner]}" in loser  # stored, and the input
    stored = _get(race_app, AgendaItem, item.id)
    assert (stored.beeldvorming, stored.version) == (f"Beeld van {WHO[winner]}", 2)


def test_attendance_form(race_app, world):
    from casus.meetings.models import Attendance, Meeting

    meeting = _commit(race_app, lambda db: _meeting(db, world, days=-1))  # attendance from the start only
    page = f"/overleggen/{meeting.id}"
    names = {"regisseur": "A. Regisseur", "supervisor": "B. Supervisor"}
    responses = _race(race_app, [_form(world, who, page, f"{page}/aanwezigheid", {
        "version": str(meeting.version), "rows-0-organisation_id": str(world["orgs"]["politie"]),
        "rows-0-present": "y", "rows-0-names": names[who]}) for who in WHO])
    winner = _one_wins(responses, 302)
    with race_app.app_context():
        from casus.extensions import db

        rows = db.session.execute(sa.select(Attendance.attendees).where(Attendance.meeting_id == meeting.id)).all()
        assert [row.attendees for row in rows] == [names[WHO[winner]]]
        assert db.session.get(Meeting, meeting.id).version == meeting.version + 1


def test_series_form(race_app, world):
    from casus.meetings.models import MeetingSeries

    def build(db):
        from casus.clock import today
        from casus.meetings.models import MeetingSeriesInvitation

        series = MeetingSeries(team_id=world["team"], type="casusoverleg", title="Reeks Race", weekday=1,
                               interval_weeks=2, start_time=time(9, 30), duration_minutes=120,
                               first_date=today() + timedelta(days=30), location="Stadhuis",
                               chair_id=world["users"]["regisseur"][0])
        db.session.add(series)
        db.session.flush()
        db.session.add(MeetingSeriesInvitation(series_id=series.id, organisation_id=world["orgs"]["politie"]))
        db.session.flush()
        return series

    series = _commit(race_app, build)
    page = f"/overleggen/reeksen/{series.id}"
    fields = {"version": "1", "type": "casusoverleg", "weekday": "1", "interval_weeks": "2", "start_time": "09:30",
              "duration_minutes": "120", "first_date": series.first_date.isoformat(), "last_date": "",
              "skip_holidays": "y", "location": "Stadhuis", "online_url": "",
              "chair_id": str(world["users"]["regisseur"][0]), "organisation_ids": [str(world["orgs"]["politie"])],
              "active": "y"}
    responses = _race(race_app, [_form(world, who, page, page, {**fields, "title": f"Reeks van {who}"})
                                 for who in WHO])
    winner = _one_wins(responses, 302)
    loser = responses[1 - winner].get_data(as_text=True)
    assert "Nu opgeslagen" in loser and f"Reeks van {WHO[winner]}" in loser and f"Reeks van {WHO[1 - winner]}" in loser
    stored = _get(race_app, MeetingSeries, series.id)
    assert (stored.title, stored.version) == (f"Reeks van {WHO[winner]}", 2)


# --- the agenda ---------------------------------------------------------------------------------------------------

def test_one_case_added_ten_times_at_once_lands_once(race_app, world):
    from casus.meetings.models import AgendaItem

    meeting, case = _commit(race_app, lambda db: (_meeting(db, world), _case(db, world)))
    responses = _race(race_app, [_api(world, WHO[index % 2], "POST", f"/meetings/{meeting.id}/agenda",
                                      {"caseId": case.id}) for index in range(10)])
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 9, [r.get_data(as_text=True) for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert response.get_json()["detail"] == "Deze casus staat al op de agenda."
    with race_app.app_context():
        from casus.extensions import db

        rows = db.session.execute(sa.select(AgendaItem.case_id, AgendaItem.position)
                                  .where(AgendaItem.meeting_id == meeting.id)).all()
    assert [tuple(row) for row in rows] == [(case.id, 1)]


def test_eight_cases_added_at_once_get_eight_places(race_app, world):
    from casus.meetings.models import AgendaItem

    meeting, cases = _commit(race_app, lambda db: (_meeting(db, world), [_case(db, world) for _ in range(8)]))
    responses = _race(race_app, [_api(world, WHO[index % 2], "POST", f"/meetings/{meeting.id}/agenda",
                                      {"caseId": case.id}) for index, case in enumerate(cases)])
    assert [response.status_code for response in responses] == [201] * 8, [r.get_data(as_text=True)
                                                                           for r in responses]
    with race_app.app_context():
        from casus.extensions import db

        positions = db.session.execute(sa.select(AgendaItem.position).where(AgendaItem.meeting_id == meeting.id)
                                       .order_by(AgendaItem.position)).scalars().all()
    assert positions == list(range(1, 9))
    assert sorted(response.get_json()["position"] for response in responses) == list(range(1, 9))


def test_a_lost_race_at_the_update_keeps_the_audit_of_the_attempt(race_app, world):
    """Deterministically, without the test transaction: the row changes between the compare and the UPDATE (as
    when another writer commits just then). 409 with the version stored now; the attempt's audit event stays,
    once, marked as refused."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from casus.audit.models import AuditEvent
    from casus.meetings.models import AgendaItem

    item = _commit(race_app, lambda db: _item(db, _meeting(db, world, days=-1), _case(db, world)))
    armed = [True]

    def sneak_in(session, _context, _instances):
        if armed and any(isinstance(obj, AgendaItem) for obj in session.dirty):
            armed.clear()
            table = AgendaItem.__table__
            session.execute(table.update().where(table.c.id == item.id).values(version=table.c.version + 1))

    event.listen(Session, "before_flush", sneak_in)
    try:
        response = _race(race_app, [_api(world, "regisseur", "PATCH", f"/agenda-items/{item.id}",
                                         {"beeldvorming": "Verloren", "version": 1})])[0]
    finally:
        event.remove(Session, "before_flush", sneak_in)
    assert response.status_code == 409
    with race_app.app_context():
        from casus.extensions import db

        stored = db.session.get(AgendaItem, item.id)
        # Here the "other writer" ran inside the request's own transaction and went with its rollback; in a real
        # race (the tests above) the version stored now is the winner's.
        assert stored.beeldvorming is None and response.get_json()["currentVersion"] == stored.version
        events = db.session.execute(sa.select(AuditEvent).where(
            AuditEvent.user_id == world["users"]["regisseur"][0], AuditEvent.case_id == item.case_id)).scalars().all()
    assert [(e.action, e.outcome, (e.details or {}).get("refused_with")) for e in events] == [
        ("agenda_item.minutes", "failure", 409)]


def test_a_signal_is_bundled_into_one_case_only(race_app, world):
    """Two people weigh one signal at once, each bundling it into another case: it lands in one of them (the
    signal's row lock orders them; the second finds it bundled), never in both."""
    from casus.cases.models import Case
    from casus.signals.models import Signal

    def build(db):
        cases = [_case(db, world, phase="triage"), _case(db, world, phase="triage")]
        signal = Signal(reference="S-2026-000001", category_id=world["category"], description="Overlast",
                        team_id=world["team"], reporting_organisation_id=world["orgs"]["politie"],
                        reported_by_id=world["users"]["regisseur"][0])
        db.session.add(signal)
        db.session.flush()
        return signal, cases

    signal, cases = _commit(race_app, build)
    page = f"/signalen/{signal.id}"
    responses = _race(race_app, [_form(world, who, page, f"{page}/bundelen", {"case_id": str(case.id)})
                                 for who, case in zip(WHO, cases, strict=True)])
    assert [response.status_code for response in responses] == [302, 302]  # the refusal is a message on the page
    stored = _get(race_app, Signal, signal.id)
    assert stored.status == "in_triage" and stored.case_id in {case.id for case in cases}  # its case's phase
    counts = [_get(race_app, Case, case.id).signal_count for case in cases]
    assert sorted(counts) == [1, 2]  # one case got the signal, the other kept what it had
    assert _get(race_app, Case, stored.case_id).signal_count == 2
