"""Beperking (AVG art. 18): a subject's restriction locks every case it is in against changes by anyone but the
privacy officer — through the pages and the API — shows a banner on the case file, and lifting it restores the
case work. Scheduler jobs keep running on a restricted case."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent, Outcome
from casus.cases.models import Case, Note
from casus.subject_requests.models import SubjectRestriction

from support import csrf_from, ok


@pytest.fixture
def world(app, db, make_organisation, make_team, make_user, make_case, make_subject):
    """A person in two cases of one team (one in aanpak, one new) beside a case without them, and a beperking
    request of theirs with the person confirmed."""
    import pyotp

    from casus.clock import today
    from casus.organisations.models import OrganisationKind
    from casus.subject_requests import search, services

    zvh = make_organisation(name="Zorg- en Veiligheidshuis", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh)
    politie = make_organisation(name="Politie", kind=OrganisationKind.POLITIE)

    def user(*roles, **fields):
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    w = {"zvh": zvh, "team": team, "politie": politie,
         "regisseur": user("procesregisseur", organisation=zvh, team=team),
         "supervisor": user("supervisor", organisation=zvh, team=team),
         "agent": user("partner", organisation=politie),
         "privacy": user("privacy", organisation=zvh),
         "person": make_subject(name="Bep Beperkt", bsn="111222333"),
         "other": make_subject(name="Otto Onbeperkt")}
    w["case"] = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering", procesregisseur=w["regisseur"],
                          subjects=[w["person"], w["other"]])
    w["new_case"] = make_case(team=team, partners=[politie, zvh], procesregisseur=w["regisseur"],
                              subjects=[w["person"]])
    w["free_case"] = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering",
                               procesregisseur=w["regisseur"], subjects=[w["other"]])
    w["request"] = services.register_request(
        w["privacy"], kind="beperking", person=services.Identification(bsn="111222333"), identity_check="id_bewijs",
        identity_note=None, received_on=today() - timedelta(days=2), description="Juistheid betwist")
    search.confirm(w["privacy"], w["request"], w["person"].id)
    db.session.flush()
    return w


def restrict(db, w):
    """The restriction, placed directly (the pages and the API place it in the tests that are about placing it)."""
    restriction = SubjectRestriction(subject_id=w["person"].id, request_id=w["request"].id,
                                     reason="Juistheid betwist", placed_by_id=w["privacy"].id)
    db.session.add(restriction)
    db.session.flush()
    return restriction


def notes_of(db, case):
    return db.session.scalars(sa.select(Note.text).where(Note.case_id == case.id)).all()


def refusals(db):
    return db.session.execute(sa.select(AuditEvent.case_id, AuditEvent.outcome, AuditEvent.details)
                              .where(AuditEvent.action == "case.change_restricted")).all()


def phase_of(db, case):
    db.session.expire_all()
    return str(db.session.get(Case, case.id).phase)


def test_the_privacy_officer_restricts_on_the_request_page_and_the_team_is_refused(client, db, world, login, auth):
    w = world
    login(w["privacy"])
    url = f"/verzoeken/{w['request'].id}"
    response = auth.post(f"{url}/beperking/{w['person'].id}", {f"beperking-{w['person'].id}-reason": "Betwist"},
                         form_url=url)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Verwerking beperkt sinds" in client.get(url).get_data(as_text=True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "subject.restricted"))
    assert event.purpose == w["request"].reference and "Bep" not in str(event.details)

    auth.logout()
    login(w["regisseur"])
    case_url = f"/casussen/{w['case'].id}"
    response = auth.post(f"{case_url}/notities", {"text": "Nieuwe notitie", "visibility": "alle_deelnemers"})
    assert response.status_code == 423
    assert "alleen de privacyfunctionaris" in response.get_data(as_text=True)
    assert notes_of(db, w["case"]) == []
    assert [(case_id, outcome) for case_id, outcome, _details in refusals(db)] == [(w["case"].id, Outcome.DENIED)]
    # the case without the person takes notes as ever
    auth.post(f"/casussen/{w['free_case'].id}/notities", {"text": "Gewoon", "visibility": "alle_deelnemers"})
    assert notes_of(db, w["free_case"]) == ["Gewoon"]


def test_a_transition_is_refused_on_the_page_and_in_the_api(client, db, world, login, auth, api):
    w = world
    for case in (w["case"], w["free_case"]):
        case.evaluation = "Doelen bereikt"  # what step_down asks for
    restrict(db, w)
    step = {"trigger": "step_down", "reason": "Doelen bereikt"}
    # the case without the person takes the same step
    ok(api(w["regisseur"], "POST", f"/cases/{w['free_case'].id}/transitions",
           json={**step, "version": w["free_case"].version}), 201)
    case = w["case"]
    login(w["regisseur"])
    page = client.get(f"/casussen/{case.id}")
    response = client.post(f"/casussen/{case.id}/overgang", data={
        "csrf_token": csrf_from(page), **step, "version": case.version}, follow_redirects=True)
    assert "alleen de privacyfunctionaris" in response.get_data(as_text=True)
    assert phase_of(db, case) == "aanpak.uitvoering"
    refused = api(w["regisseur"], "POST", f"/cases/{case.id}/transitions", json={**step, "version": case.version})
    assert refused.status_code == 423 and refused.mimetype == "application/problem+json"
    assert phase_of(db, case) == "aanpak.uitvoering"
    assert len(refusals(db)) == 2


def test_the_api_refuses_notes_while_restricted_and_allows_them_after_lifting(db, world, api):
    w = world
    path = f"/data-subject-requests/{w['request'].id}/restrictions"
    restriction = ok(api(w["privacy"], "POST", path, json={"subjectId": w["person"].id, "reason": "Betwist"}), 201)
    assert restriction["active"] is True and restriction["subjectId"] == w["person"].id
    assert api(w["privacy"], "POST", path, json={"subjectId": w["person"].id, "reason": "Nog eens"}).status_code == 409
    note = {"text": "Via de API", "visibility": "alle_deelnemers"}
    for someone in (w["regisseur"], w["supervisor"], w["agent"]):
        response = api(someone, "POST", f"/cases/{w['case'].id}/notes", json=note)
        assert response.status_code == 423 and response.mimetype == "application/problem+json"
    assert notes_of(db, w["case"]) == []
    assert api(w["regisseur"], "POST", f"/subject-restrictions/{restriction['id']}/lift").status_code == 404
    lifted = ok(api(w["privacy"], "POST", f"/subject-restrictions/{restriction['id']}/lift"))
    assert lifted["active"] is False
    ok(api(w["regisseur"], "POST", f"/cases/{w['case'].id}/notes", json=note), 201)
    assert notes_of(db, w["case"]) == ["Via de API"]


def test_the_banner_shows_on_every_tab_until_the_restriction_is_lifted(client, db, world, login, auth):
    w = world
    restriction = restrict(db, w)
    login(w["agent"])
    for tab in ("", "/betrokkenen", "/partners", "/plan", "/notities", "/tijdlijn", "/escalaties", "/overleggen"):
        body = client.get(f"/casussen/{w['case'].id}{tab}").get_data(as_text=True)
        assert "Verwerking beperkt" in body, tab
    assert "Verwerking beperkt" not in client.get(f"/casussen/{w['free_case'].id}").get_data(as_text=True)
    auth.logout()
    login(w["regisseur"])  # reading a restricted case changes nothing, so every tab opens for its team
    case_id = w["case"].id
    for url in [f"/casussen/{case_id}{tab}" for tab in ("", "/betrokkenen", "/partners", "/plan", "/notities",
                                                         "/tijdlijn", "/escalaties", "/overleggen")] + [
            f"/voordrachten/casus/{case_id}"]:
        response = client.get(url)
        assert response.status_code == 200 and "Verwerking beperkt" in response.get_data(as_text=True), url
    auth.logout()
    login(w["privacy"])
    url = f"/verzoeken/{w['request'].id}"
    response = auth.post(f"{url}/beperkingen/{restriction.id}/opheffen", {}, form_url=url)
    assert response.status_code == 302
    auth.logout()
    login(w["regisseur"])
    assert "Verwerking beperkt" not in client.get(f"/casussen/{w['case'].id}").get_data(as_text=True)
    auth.post(f"/casussen/{w['case'].id}/notities", {"text": "Weer mogelijk", "visibility": "alle_deelnemers"})
    assert notes_of(db, w["case"]) == ["Weer mogelijk"]


def test_the_privacy_officer_may_still_change_a_restricted_case(app, db, world):
    from flask import g

    from casus.cases import services as cases

    w = world
    restrict(db, w)
    db.session.commit()  # the fixtures' rows outlive the refused request's rollback (a savepoint of the test's)
    with app.test_request_context():
        g._login_user = w["regisseur"]
        with pytest.raises(Exception, match="privacyfunctionaris"):
            cases.add_note(w["regisseur"], w["case"], text="Door het team", visibility="alle_deelnemers")
    with app.test_request_context():
        g._login_user = w["privacy"]
        cases.add_note(w["privacy"], w["case"], text="Door de privacyfunctionaris", visibility="alle_deelnemers")
    assert notes_of(db, w["case"]) == ["Door de privacyfunctionaris"]


def test_linking_a_restricted_subject_to_another_case_is_refused(app, db, world, make_case):
    from flask import g

    from casus.cases import services as cases

    w = world
    restrict(db, w)
    other = make_case(team=w["team"], partners=[w["zvh"]], procesregisseur=w["regisseur"])
    db.session.commit()  # the fixtures' rows outlive the refused request's rollback (a savepoint of the test's)
    with app.test_request_context():
        g._login_user = w["regisseur"]
        with pytest.raises(Exception, match="privacyfunctionaris"):
            cases.link_subject(other, w["person"])
            db.session.flush()


def test_scheduler_jobs_keep_running_on_a_restricted_case(app, db, world):
    """Jobs have no request user: the guard leaves them alone (their sweeps are the organisation's bookkeeping)."""
    from datetime import datetime

    from casus.clock import today
    from casus.notifications import jobs

    w = world
    restrict(db, w)
    w["case"].next_review_on = today()
    db.session.add(Note(case_id=w["case"].id, author_id=w["regisseur"].id, organisation_id=w["zvh"].id,
                        visibility="alle_deelnemers", text="Door een taak"))
    db.session.flush()  # outside any request: allowed
    assert jobs.review_due(app, datetime.now().astimezone()) >= 1  # it changes nothing of the case; it must not fail
    assert notes_of(db, w["case"]) == ["Door een taak"]


def test_a_flush_without_case_work_costs_no_query(app, db, world, count_queries):
    from flask import g

    from casus.users.models import User

    w = world
    restrict(db, w)
    with app.test_request_context():
        g._login_user = w["regisseur"]
        user = db.session.get(User, w["agent"].id)
        user.locale = "en"
        with count_queries() as counter:
            db.session.flush()
        assert counter.count == 1  # the UPDATE of the user alone
        db.session.add(Note(case_id=w["free_case"].id, author_id=w["regisseur"].id, organisation_id=w["zvh"].id,
                            visibility="alle_deelnemers", text="Gewoon"))
        with count_queries() as counter:
            db.session.flush()
        assert counter.count == 2  # the guard's one question, then the INSERT


ROWS_THROUGH_A_PARENT = ("progress", "decision", "note_audience", "voordracht_subject", "goal")


@pytest.mark.parametrize("kind", ROWS_THROUGH_A_PARENT)
def test_rows_reached_through_their_parent_are_guarded_too(app, db, world, make_subject, kind):
    """A progress entry (through its action), a decision (its agenda item), a note's audience (its note) and a
    voordracht's subject (its voordracht) belong to a case as much as a goal does."""
    from datetime import date

    from flask import g
    from meetings.meeting_factories import add_item, add_meeting

    from casus.cases.models import NoteAudience
    from casus.meetings.models import Decision
    from casus.plans.models import Action, Goal, ProgressEntry
    from casus.services import ServiceError
    from casus.voordrachten.models import Voordracht, VoordrachtSubject

    w = world
    meeting = add_meeting(db, w["team"], invited=[w["politie"]], chair=w["regisseur"])
    parents = {}
    for name in ("case", "free_case"):
        case = w[name]
        action = Action(case_id=case.id, description="Huisbezoek", owner_organisation_id=w["zvh"].id,
                        due_on=date(2027, 1, 1))
        note = Note(case_id=case.id, author_id=w["regisseur"].id, organisation_id=w["zvh"].id,
                    visibility="genoemde_organisaties", text="Alleen politie")
        voordracht = Voordracht(case_id=case.id, state="concept", addressee_organisation_id=w["politie"].id,
                                summary="Voordracht", indicators=["drugs"], legal_basis="riec_convenant",
                                urgency="regulier", created_by_id=w["regisseur"].id)
        db.session.add_all([action, note, voordracht])
        db.session.flush()
        parents[name] = {"action": action, "note": note, "voordracht": voordracht,
                         "item": add_item(db, meeting, case), "case": case}
    restrict(db, w)
    db.session.commit()  # the fixtures' rows outlive the refused request's rollback (a savepoint of the test's)
    extra = make_subject(name="Nog iemand")
    db.session.commit()

    def row(parent):
        return {
            "progress": lambda: ProgressEntry(action_id=parent["action"].id, author_id=w["regisseur"].id,
                                              organisation_id=w["zvh"].id, text="Gedaan"),
            "decision": lambda: Decision(agenda_item_id=parent["item"].id, text="Besloten",
                                         created_by_id=w["regisseur"].id),
            "note_audience": lambda: NoteAudience(note_id=parent["note"].id, organisation_id=w["politie"].id),
            "voordracht_subject": lambda: VoordrachtSubject(voordracht_id=parent["voordracht"].id,
                                                            subject_id=extra.id),
            "goal": lambda: Goal(case_id=parent["case"].id, description="Doel", created_by_id=w["regisseur"].id),
        }[kind]()

    with app.test_request_context():
        g._login_user = w["regisseur"]
        db.session.add(row(parents["case"]))
        with pytest.raises(ServiceError) as refused:
            db.session.flush()
        assert refused.value.status == 423
    with app.test_request_context():
        g._login_user = w["regisseur"]
        db.session.add(row(parents["free_case"]))
        db.session.flush()


def test_retention_stays_possible_on_a_restricted_case(app, db, world):
    """Storage is what a restriction still allows: the archive fields and a request to keep the case longer."""
    from datetime import date

    from flask import g

    from casus.approvals.models import Approval
    from casus.services import ServiceError

    w = world
    restrict(db, w)
    db.session.commit()  # the fixtures' rows outlive the refused request's rollback (a savepoint of the test's)
    case_id = w["case"].id
    with app.test_request_context():
        g._login_user = w["supervisor"]
        case = db.session.get(Case, case_id)
        case.archiefactiedatum = date(2033, 1, 1)
        db.session.add(Approval(kind="retention_extension", case_id=case_id, team_id=w["team"].id,
                                requested_by_id=w["supervisor"].id, reason="Rechtszaak loopt",
                                details={"until": "2035-01-01"}))
        db.session.flush()
        case.risk_level = "hoog"
        with pytest.raises(ServiceError) as refused:
            db.session.flush()
        assert refused.value.status == 423


def test_a_four_eyes_decision_on_a_restricted_case_is_refused_and_stays_open(app, db, world, make_user, api):
    from casus.approvals.case_requests import request_early_closure
    from casus.approvals.models import Approval

    w = world
    with app.test_request_context():
        approval = request_early_closure(w["regisseur"], w["case"], reason="Verhuisd", result="verhuisd")
    db.session.flush()
    restrict(db, w)
    response = api(w["supervisor"], "POST", f"/approvals/{approval.id}/decision",
                   json={"decision": "approve", "motivation": None, "version": approval.version})
    assert response.status_code == 423, response.get_data(as_text=True)
    db.session.expire_all()
    assert str(db.session.get(Approval, approval.id).status) == "open"
    assert phase_of(db, w["case"]) == "aanpak.uitvoering"


def test_a_change_first_flushed_by_the_request_commit_is_refused_with_423_not_500(app, db, world):
    """A view that leaves its change to the commit's own flush gets the same answer as one that flushed: 423."""
    from flask import Response
    from flask_login import login_user

    from casus import security

    restrict(db, world)
    with app.test_request_context("/casussen", method="POST"):
        login_user(world["regisseur"])
        db.session.add(Note(case_id=world["case"].id, author_id=world["regisseur"].id,
                            organisation_id=world["zvh"].id, visibility="alle_deelnemers", text="Pas bij commit"))
        response = security._commit_request(Response("ok"))
    assert response.status_code == 423
    assert "Pas bij commit" not in notes_of(db, world["case"])
