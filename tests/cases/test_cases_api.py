"""The case file through the API: from first signal to closure, and bad input that changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from support import ok


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.fixture
def region(app, db, categories, make_organisation, make_team, make_user):
    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(name="Zorg- en Veiligheidshuis", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, gemeente="Voorbeeldstad")
    politie = make_organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE)
    corporatie = make_organisation(name="Woonstichting Voorbeeld", kind=OrganisationKind.WONINGCORPORATIE)
    elders = make_organisation(name="GGZ Elders", kind=OrganisationKind.GGZ)
    return {
        "category": categories["woonoverlast"], "team": team, "zvh": zvh,
        "politie": politie, "corporatie": corporatie, "elders": elders,
        "regisseur": make_user("procesregisseur", organisation=zvh, team=team, name="Paula Regisseur"),
        "supervisor": make_user("supervisor", organisation=zvh, team=team, name="Sander Supervisor"),
        "agent": make_user("partner", organisation=politie, name="Anna Agent"),
        "woon": make_user("partner", organisation=corporatie, name="Wim Woonconsulent"),
        "buitenstaander": make_user("partner", organisation=elders, name="Bea Buiten"),
    }


@pytest.fixture
def opened(app, db, region):
    """A signal from the police, opened as a case by the procesregisseur (through the services)."""
    from casus.signals import services as signals
    from casus.subjects.services import SubjectInput

    r = region
    with app.test_request_context():
        signal, _known = signals.report_signal(
            r["agent"], category_id=r["category"].id, team_id=r["team"].id, description="Geluidsoverlast en vervuiling",
            urgency="hoog", subjects=[SubjectInput(kind="persoon", name="Jan de Vries", bsn="111222333"),
                                      SubjectInput(kind="adres", postcode="1234 AB", huisnummer="12")])
        case = signals.open_case(r["regisseur"], signal, title="Overlast Dorpsstraat")
    db.session.flush()
    return case


def transition_log(db, case_id):
    from casus.cases.models import TransitionLog

    return [(row.trigger, row.allowed, row.failure_codes) for row in db.session.execute(
        sa.select(TransitionLog).where(TransitionLog.case_id == case_id).order_by(TransitionLog.id)).scalars()]


def test_signal_to_closure_through_the_api(api, db, region, opened):
    from casus.audit.models import AuditEvent
    from casus.clock import today

    r, case_id = region, opened.id
    regisseur = r["regisseur"]
    case = ok(api(regisseur, "GET", f"/cases/{case_id}"))
    assert case["phase"] == "signalering" and case["reference"] == opened.reference
    assert case["aanbrenger"]["name"] == "Politie Voorbeeld"
    assert [p["role"] for p in case["participants"]] == ["aanbrenger"]
    triggers = {t["trigger"]: t for t in case["availableTriggers"]}
    assert triggers["start_triage"]["allowed"] is True and triggers["start_triage"]["blockedBy"] == []

    # Partners: the housing corporation joins as casushouder.
    joined = ok(api(regisseur, "POST", f"/cases/{case_id}/participants", json={
        "organisationId": r["corporatie"].id, "role": "casushouder", "legalBasis": "convenant",
        "contactUserId": r["woon"].id, "version": case["version"]}), 201)
    assert joined["organisation"]["id"] == r["corporatie"].id and joined["contactUser"]["name"] == "Wim Woonconsulent"
    version = joined["caseVersion"]
    assert version > case["version"]
    assert len(ok(api(regisseur, "GET", f"/cases/{case_id}/participants"))) == 2

    # Triage: start_triage, then the triage outcome (A) fires accept.
    step = ok(api(regisseur, "POST", f"/cases/{case_id}/transitions", json={
        "trigger": "start_triage", "reason": "Nieuwe melding", "version": version}), 201)
    assert (step["from"], step["to"], step["trigger"]) == ("signalering", "triage", "start_triage")
    assert step["actor"] == {"id": regisseur.id, "name": "Paula Regisseur"} and step["at"].endswith("Z")
    refused = problem(api(regisseur, "POST", f"/cases/{case_id}/transitions", json={
        "trigger": "accept", "reason": "Complex", "version": step["caseVersion"]}), 409)
    assert "needs_outcome_a" in refused["failedGuards"]
    step = ok(api(regisseur, "POST", f"/cases/{case_id}/triage", json={
        "outcome": "A", "criteria": ["meerdere_leefgebieden", "meerdere_ketens"], "reason": "Complex",
        "version": step["caseVersion"]}), 201)
    assert (step["from"], step["to"], step["trigger"]) == ("triage", "aanpak.plan", "accept")

    # The plan: a goal and an action for the corporation.
    goal = ok(api(regisseur, "POST", f"/cases/{case_id}/goals", json={"description": "De overlast stopt"}), 201)
    due = (today() + timedelta(days=14)).isoformat()
    action = ok(api(regisseur, "POST", f"/cases/{case_id}/actions", json={
        "description": "Huisbezoek afleggen", "ownerOrganisationId": r["corporatie"].id,
        "ownerUserId": r["woon"].id, "dueOn": due, "goalId": goal["id"]}), 201)
    assert action["dueOn"] == due and action["status"] == "open" and action["ownerUser"]["id"] == r["woon"].id
    case = ok(api(regisseur, "GET", f"/cases/{case_id}"))
    assert {t["trigger"]: t["blockedBy"] for t in case["availableTriggers"]}["adopt_plan"] == ["needs_plan_discussed"]
    refused = problem(api(regisseur, "POST", f"/cases/{case_id}/transitions", json={
        "trigger": "adopt_plan", "reason": "Plan klaar", "version": case["version"]}), 409)
    assert refused["title"] == "Stap geweigerd" and refused["failedGuards"] == ["needs_plan_discussed"]
    case = ok(api(regisseur, "PATCH", f"/cases/{case_id}", json={
        "planDiscussedOn": today().isoformat(), "version": case["version"]}))
    assert case["planDiscussedOn"] == today().isoformat()
    step = ok(api(regisseur, "POST", f"/cases/{case_id}/transitions", json={
        "trigger": "adopt_plan", "reason": "Vastgesteld in het casusoverleg", "version": case["version"]}), 201)
    assert step["to"] == "aanpak.uitvoering"

    # Progress by the owning organisation; the police (a participant, not the owner) may not write it.
    problem(api(r["agent"], "POST", f"/actions/{action['id']}/progress", json={
        "text": "Ook langs geweest", "version": action["version"]}), 403)
    progress = ok(api(r["woon"], "POST", f"/actions/{action['id']}/progress", json={
        "text": "Huisbezoek afgelegd, afspraken gemaakt", "status": "gereed", "version": action["version"]}), 201)
    assert progress["status"] == "gereed" and progress["author"]["id"] == r["woon"].id
    assert ok(api(r["agent"], "GET", f"/actions/{action['id']}/progress"))[0]["text"].startswith("Huisbezoek")

    # Step down after the evaluation; close with the supervisor's override.
    case = ok(api(regisseur, "GET", f"/cases/{case_id}"))
    case = ok(api(regisseur, "PATCH", f"/cases/{case_id}", json={
        "evaluation": "De rust is teruggekeerd.", "version": case["version"]}))
    step = ok(api(regisseur, "POST", f"/cases/{case_id}/transitions", json={
        "trigger": "step_down", "reason": "Doelen bereikt", "version": case["version"]}), 201)
    assert step["to"] == "nazorg"
    refused = problem(api(regisseur, "POST", f"/cases/{case_id}/transitions", json={
        "trigger": "close", "reason": "Klaar", "result": "doel_bereikt", "version": step["caseVersion"]}), 409)
    assert "nazorg_period_over" in refused["failedGuards"]
    step = ok(api(r["supervisor"], "POST", f"/cases/{case_id}/transitions", json={
        "trigger": "close", "reason": "Afgerond", "result": "doel_bereikt", "override": True,
        "version": step["caseVersion"]}), 201)
    assert (step["to"], step["result"], step["override"]) == ("afgesloten", "doel_bereikt", True)

    case = ok(api(r["agent"], "GET", f"/cases/{case_id}"))
    assert case["phase"] == "afgesloten" and case["result"] == "doel_bereikt" and case["closedOn"]
    # the archive fields after the ZGW APIs: set at closure from the category's retention term
    assert case["archiefnominatie"] == "vernietigen" and case["archiefstatus"] == "nog_te_archiveren"
    assert case["archiefactiedatum"] > case["closedOn"]
    assert [(trigger, allowed) for trigger, allowed, _codes in transition_log(db, case_id)] == [
        ("start_triage", True), ("accept", False), ("accept", True),
        ("adopt_plan", False), ("adopt_plan", True), ("step_down", True), ("close", False), ("close", True)]
    kinds = [item["kind"] for item in ok(api(regisseur, "GET", f"/cases/{case_id}/timeline?limit=100"))["items"]]
    assert {"case.created", "participation.added", "case.transition", "goal.added", "action.added",
            "action.progress", "case.plan_discussed", "case.evaluation"} <= set(kinds)
    actions = {row.action for row in db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.case_id == case_id)).scalars()}
    assert {"case.view", "case.transition", "participation.added", "action.progress"} <= actions


def test_a_partner_sees_the_case_but_may_not_run_it(api, db, region, opened):
    from casus.audit.models import AuditEvent, Outcome

    case = ok(api(region["agent"], "GET", f"/cases/{opened.id}"))
    assert {t["trigger"]: t for t in case["availableTriggers"]}["start_triage"]["allowed"] is False
    before = transition_log(db, opened.id)
    problem(api(region["agent"], "POST", f"/cases/{opened.id}/transitions", json={
        "trigger": "start_triage", "reason": "x", "version": case["version"]}), 403)
    for path, body in ((f"/cases/{opened.id}/participants", {
            "organisationId": region["corporatie"].id, "role": "deelnemer", "legalBasis": "convenant",
            "version": case["version"]}),
            (f"/cases/{opened.id}/goals", {"description": "Doel"}),
            (f"/cases/{opened.id}/triage", {"outcome": "A", "version": case["version"]})):
        problem(api(region["agent"], "POST", path, json=body), 403)
    problem(api(region["agent"], "PATCH", f"/cases/{opened.id}", json={"evaluation": "x", "version": 1}), 403)
    assert transition_log(db, opened.id) == before
    denied = db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.case_id == opened.id, AuditEvent.outcome == Outcome.DENIED)).scalars().all()
    assert {event.action for event in denied} >= {"case.transition", "participation.add", "goal.add"}


def test_unknown_fields_answer_400_listing_them(api, db, region, opened):
    response = api(region["regisseur"], "POST", f"/cases/{opened.id}/transitions", json={
        "trigger": "start_triage", "reason": "x", "version": opened.version, "colour": "red", "priority": 1})
    body = problem(response, 400)
    assert {(p["name"], p["reason"]) for p in body["invalidParams"]} >= {
        ("colour", "Unknown field."), ("priority", "Unknown field.")}
    body = problem(api(region["regisseur"], "POST", f"/cases/{opened.id}/transitions", json={"reason": "x"}), 400)
    assert {p["name"] for p in body["invalidParams"]} == {"trigger", "version"}
    body = problem(api(region["regisseur"], "GET", "/cases?sort=colour&limit=500&mood=1"), 400)
    assert {p["name"] for p in body["invalidParams"]} == {"sort", "limit", "mood"}
    assert transition_log(db, opened.id) == []


def test_a_stale_version_answers_409_and_changes_nothing(api, db, region, opened):
    from casus.cases.models import Case

    stale = opened.version
    ok(api(region["regisseur"], "POST", f"/cases/{opened.id}/participants", json={
        "organisationId": region["corporatie"].id, "role": "deelnemer", "legalBasis": "convenant",
        "version": stale}), 201)
    body = problem(api(region["regisseur"], "POST", f"/cases/{opened.id}/transitions", json={
        "trigger": "start_triage", "reason": "x", "version": stale}), 409)
    assert body["title"] == "Conflict"
    body = problem(api(region["regisseur"], "POST", f"/cases/{opened.id}/triage", json={
        "outcome": "A", "criteria": ["meerdere_ketens"], "reason": "x", "version": stale}), 409)
    db.session.expire_all()
    case = db.session.get(Case, opened.id)
    assert case.phase == "signalering" and case.triage_outcome is None
    assert transition_log(db, opened.id) == []


def test_a_refused_trigger_answers_409_with_the_failing_guards_and_is_logged(api, db, region, opened):
    from casus.cases.models import Case

    version = opened.version
    body = problem(api(region["regisseur"], "POST", f"/cases/{opened.id}/transitions", json={
        "trigger": "accept", "reason": "", "version": version}), 409)
    assert body["title"] == "Stap geweigerd" and body["failedGuards"] == ["not_allowed_from_state"]
    assert body["detail"] == "Deze stap kan niet vanuit de huidige status."
    body = problem(api(region["regisseur"], "POST", f"/cases/{opened.id}/transitions", json={
        "trigger": "fly", "reason": "x", "version": version}), 409)
    assert body["failedGuards"] == ["invalid_trigger"]
    body = problem(api(region["regisseur"], "POST", f"/cases/{opened.id}/triage", json={
        "outcome": "A", "criteria": [], "reason": "x", "version": version}), 409)
    assert "needs_two_partners" in body["failedGuards"] and "needs_inclusion_criterion" in body["failedGuards"]
    db.session.expire_all()
    case = db.session.get(Case, opened.id)
    assert case.phase == "signalering" and case.version == version and case.triage_outcome is None
    log = transition_log(db, opened.id)
    assert [(trigger, allowed) for trigger, allowed, _codes in log] == [
        ("accept", False), ("fly", False), ("accept", False)]
    assert log[0][2] == "not_allowed_from_state"


def test_english_callers_get_english_guard_messages(api, db, region, opened):
    region["regisseur"].locale = "en"
    body = problem(api(region["regisseur"], "POST", f"/cases/{opened.id}/transitions", json={
        "trigger": "accept", "reason": "x", "version": opened.version}), 409)
    assert body["detail"] == "This step is not possible from the current state."


def test_participants_can_be_ended_with_if_match_or_version(api, db, region, opened):
    r = region
    joined = ok(api(r["regisseur"], "POST", f"/cases/{opened.id}/participants", json={
        "organisationId": r["elders"].id, "role": "deelnemer", "legalBasis": "geheimhoudingsverklaring",
        "confidentialitySignedOn": "2026-01-05", "version": opened.version}), 201)
    assert joined["legalBasis"] == "geheimhoudingsverklaring" and joined["confidentialitySignedOn"] == "2026-01-05"
    assert ok(api(r["buitenstaander"], "GET", f"/cases/{opened.id}"))["id"] == opened.id
    body = problem(api(r["regisseur"], "DELETE", f"/participants/{joined['id']}"), 400)
    assert body["invalidParams"][0]["name"] == "version"
    problem(api(r["regisseur"], "DELETE", f"/participants/{joined['id']}",
                headers={"If-Match": f'"{opened.version}"'}), 409)
    problem(api(r["agent"], "DELETE", f"/participants/{joined['id']}?version={joined['caseVersion']}"), 403)
    response = api(r["regisseur"], "DELETE", f"/participants/{joined['id']}",
                   headers={"If-Match": f'"{joined["caseVersion"]}"'})
    assert response.status_code == 204 and not response.data
    problem(api(r["buitenstaander"], "GET", f"/cases/{opened.id}"), 404)
    participants = ok(api(r["regisseur"], "GET", f"/cases/{opened.id}/participants"))
    assert [p["active"] for p in participants] == [True, False]
    case = ok(api(r["regisseur"], "GET", f"/cases/{opened.id}"))
    aanbrenger = participants[0]["id"]
    body = problem(api(r["regisseur"], "DELETE", f"/participants/{aanbrenger}?version={case['version']}"), 400)
    assert "aanbrengende organisatie" in body["detail"]


def test_refused_participant_input_names_the_field(api, db, region, opened):
    body = problem(api(region["regisseur"], "POST", f"/cases/{opened.id}/participants", json={
        "organisationId": region["elders"].id, "role": "deelnemer", "legalBasis": "geheimhoudingsverklaring",
        "version": opened.version}), 400)
    assert body["invalidParams"] == [{"name": "confidentialitySignedOn", "reason": body["detail"]}]


def test_notes_respect_their_visibility(api, db, region, opened):
    r = region
    version = opened.version
    ok(api(r["regisseur"], "POST", f"/cases/{opened.id}/participants", json={
        "organisationId": r["corporatie"].id, "role": "deelnemer", "legalBasis": "convenant", "version": version}), 201)
    everyone = ok(api(r["regisseur"], "POST", f"/cases/{opened.id}/notes", json={
        "text": "Voor iedereen", "visibility": "alle_deelnemers"}), 201)
    assert everyone["author"]["id"] == r["regisseur"].id and everyone["organisationIds"] == []
    own = ok(api(r["agent"], "POST", f"/cases/{opened.id}/notes", json={
        "text": "Alleen politie", "visibility": "eigen_organisatie"}), 201)
    named = ok(api(r["regisseur"], "POST", f"/cases/{opened.id}/notes", json={
        "text": "Regie en corporatie", "visibility": "genoemde_organisaties",
        "organisationIds": [r["corporatie"].id]}), 201)
    assert sorted(named["organisationIds"]) == sorted([r["corporatie"].id, r["zvh"].id])

    def texts(user):
        return [note["text"] for note in ok(api(user, "GET", f"/cases/{opened.id}/notes"))["items"]]

    assert texts(r["agent"]) == ["Alleen politie", "Voor iedereen"]
    assert texts(r["woon"]) == ["Regie en corporatie", "Voor iedereen"]
    assert texts(r["regisseur"]) == ["Regie en corporatie", "Voor iedereen"]
    timeline = ok(api(r["agent"], "GET", f"/cases/{opened.id}/timeline?kind=note"))["items"]
    assert [event["summary"] for event in timeline] == ["Alleen politie", "Voor iedereen"]
    assert own["id"] not in [n["id"] for n in ok(api(r["woon"], "GET", f"/cases/{opened.id}/notes"))["items"]]
    body = problem(api(r["agent"], "POST", f"/cases/{opened.id}/notes", json={
        "text": "x", "visibility": "genoemde_organisaties", "organisationIds": [r["elders"].id]}), 400)
    assert body["invalidParams"][0]["name"] == "organisationIds"


def test_huge_text_is_refused(api, db, region, opened):
    body = problem(api(region["regisseur"], "POST", f"/cases/{opened.id}/notes", json={
        "text": "x" * 20_001, "visibility": "alle_deelnemers"}), 400)
    assert body["invalidParams"][0]["name"] == "text"


def test_patch_refuses_a_plan_date_in_the_wrong_phase_or_the_future(api, db, region, opened):
    from casus.clock import today

    body = problem(api(region["regisseur"], "PATCH", f"/cases/{opened.id}", json={
        "planDiscussedOn": (today() + timedelta(days=1)).isoformat(), "version": opened.version}), 400)
    assert body["invalidParams"][0]["name"] == "planDiscussedOn"
    body = problem(api(region["regisseur"], "PATCH", f"/cases/{opened.id}", json={
        "planDiscussedOn": today().isoformat(), "version": opened.version}), 400)
    assert "plan van aanpak" in body["detail"]


def test_search_is_audited_with_names_and_a_bsn_hashed(api, db, region, opened):
    from casus.audit.models import AuditEvent

    body = ok(api(region["regisseur"], "GET", "/cases?q=vries"))
    assert [item["id"] for item in body["items"]] == [opened.id]
    assert ok(api(region["regisseur"], "GET", "/cases?q=1234ab"))["items"][0]["id"] == opened.id
    assert ok(api(region["regisseur"], "GET", f"/cases?q={opened.reference}"))["items"][0]["id"] == opened.id
    ok(api(region["regisseur"], "GET", "/cases?q=111222333"))
    events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "case.search")
                                .order_by(AuditEvent.id)).scalars().all()
    # A name or a postcode only as a keyed hash (the log outlives the case), a case reference in clear.
    assert [event.details["q"].startswith("hmac-sha256:") for event in events][:3] == [True, True, False]
    assert events[2].details["q"] == opened.reference
    assert "vries" not in str(events[0].details) and "1234" not in str(events[1].details)
    assert events[3].details["q"].startswith("hmac-sha256:") and "111222333" not in str(events[3].details)


def test_a_lost_optimistic_lock_answers_409_and_changes_nothing(api, db, region, opened, monkeypatch):
    """A concurrent writer got there first (the UPDATE matched no row): 409 like a stale version, not a 500."""
    from sqlalchemy.orm.exc import StaleDataError

    from casus.cases import services
    from casus.cases.models import Case

    def lose_the_race(user, case, *args, **kwargs):
        case.title = "Zou niet mogen blijven staan"
        raise StaleDataError("UPDATE statement on table 'cases' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(services, "transition", lose_the_race)
    body = problem(api(region["regisseur"], "POST", f"/cases/{opened.id}/transitions", json={
        "trigger": "start_triage", "reason": "x", "version": opened.version}), 409)
    assert "expected to update" not in body["detail"]
    db.session.expire_all()
    assert db.session.get(Case, opened.id).title == "Overlast Dorpsstraat"


def test_a_lost_optimistic_lock_in_a_page_is_a_dutch_409(app):
    from sqlalchemy.orm.exc import StaleDataError

    from casus.errors import handle_stale_data

    with app.test_request_context("/casussen/1"):
        body, status = handle_stale_data(StaleDataError("0 rows matched"))
    assert status == 409 and "door iemand anders gewijzigd" in body
