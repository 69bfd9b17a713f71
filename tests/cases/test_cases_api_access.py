"""Need-to-know, query counts and keyset pagination of the case API."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case, make_subject):
    """One team's case with the police and a corporation; a GGZ partner that takes no part in it."""
    from casus.cases.models import Note, NoteVisibility, Participation
    from casus.clock import today
    from casus.plans.models import Action, Goal
    from casus.timeline.services import add_timeline

    team = make_team()
    regisseur = make_user("procesregisseur", organisation=team.organisation, team=team)
    politie, corporatie, ggz = (make_organisation(name=name) for name in ("Politie", "Corporatie", "GGZ"))
    subject = make_subject("persoon", name="Karel Geheim")
    case = make_case(team=team, partners=[politie, corporatie], phase="aanpak.uitvoering", procesregisseur=regisseur,
                     subjects=[subject, make_subject("adres", postcode="9999ZZ", huisnummer=1)])
    goal = Goal(case_id=case.id, description="Doel", created_by_id=regisseur.id)
    db.session.add(goal)
    db.session.flush()
    action = Action(case_id=case.id, goal_id=goal.id, description="Actie", owner_organisation_id=corporatie.id,
                    due_on=today() + timedelta(days=7))
    note = Note(case_id=case.id, author_id=regisseur.id, organisation_id=team.organisation_id,
                visibility=NoteVisibility.ALL, text="Notitie")
    db.session.add_all([action, note])
    db.session.flush()
    add_timeline(case, "note.added", "Notitie", actor=regisseur, note=note)
    db.session.flush()
    participation = db.session.execute(sa.select(Participation.id).where(Participation.case_id == case.id)
                                       .order_by(Participation.id.desc())).scalars().first()
    return {"team": team, "regisseur": regisseur, "case": case, "action": action, "goal": goal,
            "participation": participation, "agent": make_user("partner", organisation=politie),
            "woon": make_user("partner", organisation=corporatie),
            "buitenstaander": make_user("partner", organisation=ggz), "ggz": ggz, "politie": politie,
            "corporatie": corporatie, "beheerder": make_user("beheerder", organisation=ggz)}


def case_endpoints(w):
    c, a, p = w["case"].id, w["action"].id, w["participation"]
    v = w["case"].version
    return [
        ("GET", f"/cases/{c}", None),
        ("PATCH", f"/cases/{c}", {"evaluation": "x", "version": v}),
        ("POST", f"/cases/{c}/transitions", {"trigger": "step_down", "reason": "x", "version": v}),
        ("POST", f"/cases/{c}/triage", {"outcome": "A", "version": v}),
        ("GET", f"/cases/{c}/participants", None),
        ("POST", f"/cases/{c}/participants", {"organisationId": w["ggz"].id, "role": "deelnemer",
                                              "legalBasis": "convenant", "version": v}),
        ("DELETE", f"/participants/{p}?version={v}", None),
        ("GET", f"/cases/{c}/notes", None),
        ("POST", f"/cases/{c}/notes", {"text": "x", "visibility": "alle_deelnemers"}),
        ("GET", f"/cases/{c}/timeline", None),
        ("GET", f"/cases/{c}/goals", None),
        ("POST", f"/cases/{c}/goals", {"description": "x"}),
        ("GET", f"/cases/{c}/actions", None),
        ("POST", f"/cases/{c}/actions", {"description": "x", "ownerOrganisationId": w["ggz"].id,
                                         "dueOn": "2099-01-01"}),
        ("GET", f"/actions/{a}", None),
        ("PATCH", f"/actions/{a}", {"status": "gereed", "version": 1}),
        ("GET", f"/actions/{a}/progress", None),
        ("POST", f"/actions/{a}/progress", {"text": "x", "version": 1}),
    ]


@pytest.mark.parametrize("who", ["buitenstaander", "beheerder"])
def test_a_non_participating_organisation_gets_404_everywhere(api, db, world, who):
    from casus.audit.models import AuditEvent, Outcome

    user = world[who]
    for method, path, body in case_endpoints(world):
        response = api(user, method, path, json=body)
        assert response.status_code == 404, (method, path, response.get_data(as_text=True))
        text = response.get_data(as_text=True)
        assert "Karel" not in text and world["case"].reference not in text
    denied = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.user_id == user.id, AuditEvent.outcome == Outcome.DENIED)).scalar_one()
    assert denied == len(case_endpoints(world))


def test_hidden_cases_are_absent_from_the_list_and_its_search(api, world):
    for who, expected in (("buitenstaander", []), ("beheerder", []), ("agent", [world["case"].id]),
                          ("regisseur", [world["case"].id])):
        for query in ("", "?q=karel", "?q=9999ZZ", f"?q={world['case'].reference}", "?phase=aanpak.uitvoering"):
            body = api(world[who], "GET", f"/cases{query}").get_json()
            assert [item["id"] for item in body["items"]] == expected, (who, query)
            assert body["next"] is None


def test_an_unknown_id_and_a_hidden_id_look_the_same(api, world):
    hidden = api(world["buitenstaander"], "GET", f"/cases/{world['case'].id}")
    missing = api(world["buitenstaander"], "GET", "/cases/999999")
    assert hidden.status_code == missing.status_code == 404
    strip = ("instance",)
    assert {k: v for k, v in hidden.get_json().items() if k not in strip} == \
        {k: v for k, v in missing.get_json().items() if k not in strip}


def test_another_organisations_action_id_is_404(api, db, world, make_case, make_organisation):
    """An action of a case the caller cannot see is 404, even if the caller owns actions elsewhere."""
    from casus.clock import today
    from casus.plans.models import Action

    other = make_case(partners=[world["ggz"], make_organisation()], phase="aanpak.uitvoering")
    foreign = Action(case_id=other.id, description="Elders", owner_organisation_id=world["ggz"].id,
                     due_on=today() + timedelta(days=3))
    db.session.add(foreign)
    db.session.flush()
    for method, path, body in (("GET", f"/actions/{foreign.id}", None),
                               ("GET", f"/actions/{foreign.id}/progress", None),
                               ("POST", f"/actions/{foreign.id}/progress", {"text": "x", "version": 1}),
                               ("PATCH", f"/actions/{foreign.id}", {"status": "gereed", "version": 1})):
        assert api(world["woon"], method, path, json=body).status_code == 404, (method, path)
        assert api(world["regisseur"], method, path, json=body).status_code == 404, (method, path)
    db.session.refresh(foreign)
    assert foreign.status == "open"


def test_a_restricted_note_is_absent_for_the_others(api, db, world):
    from casus.cases.models import Note, NoteVisibility

    secret = Note(case_id=world["case"].id, author_id=world["regisseur"].id,
                  organisation_id=world["team"].organisation_id, visibility=NoteVisibility.OWN, text="Intern")
    db.session.add(secret)
    db.session.flush()
    notes = api(world["agent"], "GET", f"/cases/{world['case'].id}/notes").get_json()["items"]
    assert "Intern" not in [note["text"] for note in notes]
    counts = api(world["agent"], "GET", f"/cases/{world['case'].id}").get_json()["counts"]
    assert counts["notes"] == 1
    assert api(world["regisseur"], "GET", f"/cases/{world['case'].id}").get_json()["counts"]["notes"] == 2


# --- query counts -----------------------------------------------------------------------------------------

def statements(api, count_queries, user, path) -> int:
    api(user, "GET", "/me")  # the token is made and used once before counting
    with count_queries() as counter:
        response = api(user, "GET", path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return counter.count


def test_case_list_queries_do_not_grow_with_the_rows(api, count_queries, make_team, make_user, make_case):
    def scenario(cases: int) -> tuple[int, int]:
        team = make_team()
        regisseur = make_user("procesregisseur", organisation=team.organisation, team=team)
        for _ in range(cases):
            make_case(team=team, procesregisseur=make_user("procesregisseur", organisation=team.organisation,
                                                           team=team))
        return (statements(api, count_queries, regisseur, "/cases?limit=100"),
                statements(api, count_queries, regisseur, "/cases?q=2026&sort=nextReview"))

    few = scenario(1)
    assert few == scenario(20)


def test_case_file_queries_do_not_grow_with_participants_or_actions(api, db, count_queries, make_team, make_user,
                                                                    make_case, make_organisation):
    from casus.cases.models import Note, NoteVisibility
    from casus.clock import today
    from casus.plans.models import Action
    from casus.timeline.services import add_timeline

    def scenario(related: int) -> tuple[int, ...]:
        team = make_team()
        regisseur = make_user("procesregisseur", organisation=team.organisation, team=team)
        partners = [make_organisation() for _ in range(max(related, 2))]
        case = make_case(team=team, partners=partners, procesregisseur=regisseur, phase="aanpak.uitvoering")
        for index in range(related):
            author = make_user("partner", organisation=partners[index])
            note = Note(case_id=case.id, author_id=author.id, organisation_id=partners[index].id,
                        visibility=NoteVisibility.NAMED if index % 2 else NoteVisibility.ALL, text=f"Notitie {index}")
            db.session.add(note)
            db.session.add(Action(case_id=case.id, description=f"Actie {index}",
                                  owner_organisation_id=partners[index].id, owner_user_id=author.id,
                                  due_on=today() + timedelta(days=index)))
            db.session.flush()
            add_timeline(case, "note.added", note.text, actor=author, note=note)
        db.session.flush()
        return tuple(statements(api, count_queries, regisseur, f"/cases/{case.id}{part}")
                     for part in ("", "/participants", "/actions", "/goals", "/notes", "/timeline"))

    few = scenario(1)
    assert few == scenario(20)


def test_progress_queries_do_not_grow_with_the_entries(api, db, count_queries, world):
    from casus.plans.models import ProgressEntry

    def scenario(entries: int) -> int:
        for index in range(entries):
            db.session.add(ProgressEntry(action_id=world["action"].id, author_id=world["woon"].id,
                                         organisation_id=world["corporatie"].id, text=f"Stap {index}"))
        db.session.flush()
        return statements(api, count_queries, world["woon"], f"/actions/{world['action'].id}/progress")

    assert scenario(1) == scenario(20)


# --- keyset pagination ------------------------------------------------------------------------------------

@pytest.mark.parametrize("sort", ["-updatedAt", "updatedAt", "reference", "-reference", "nextReview", "-nextReview"])
def test_keyset_pages_give_every_case_exactly_once(api, db, make_team, make_user, make_case, sort):
    from casus.clock import today

    team = make_team()
    regisseur = make_user("procesregisseur", organisation=team.organisation, team=team)
    expected = set()
    for index in range(30):
        review = today() + timedelta(days=index % 4) if index % 3 else None  # ties and NULLs
        expected.add(make_case(team=team, next_review_on=review).id)
    seen, cursor, pages = [], None, 0
    while True:
        response = api(regisseur, "GET", f"/cases?limit=10&sort={sort}" + (f"&cursor={cursor}" if cursor else ""))
        body = response.get_json()
        assert response.status_code == 200, body
        seen += [item["id"] for item in body["items"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            assert body["links"]["next"] is None
            break
        assert body["links"]["next"].endswith(f"cursor={cursor}") and f"sort={sort}" in body["links"]["next"]
    assert len(seen) == len(set(seen)) == 30 and set(seen) == expected
    assert pages in (3, 4)


def test_a_tampered_cursor_is_400(api, world):
    for cursor in ("not-a-cursor", base64.urlsafe_b64encode(json.dumps(["x", "y"]).encode()).decode()):
        response = api(world["regisseur"], "GET", f"/cases?cursor={cursor}")
        assert response.status_code == 400
        assert response.get_json()["invalidParams"][0]["name"] == "cursor"


def test_list_items_have_the_documented_shape(api, world):
    item = api(world["agent"], "GET", "/cases").get_json()["items"][0]
    assert set(item) == {"id", "reference", "title", "category", "phase", "escalationLevel", "riskLevel", "gemeente",
                         "teamId", "procesregisseur", "nextReviewOn", "updatedAt", "version"}
    assert item["category"] == {"code": "woonoverlast", "label": "Woonoverlast"}
    assert item["procesregisseur"] == {"id": world["regisseur"].id, "name": world["regisseur"].name}
    assert item["updatedAt"].endswith("Z")


def test_filters(api, db, world, make_case, categories):
    from casus.clock import today

    team = world["team"]
    late = make_case(team=team, phase="aanpak.uitvoering", next_review_on=today() - timedelta(days=1),
                     category=categories["jeugd"], escalation_level="tactisch")
    regisseur = world["regisseur"]

    def ids(query):
        response = api(regisseur, "GET", f"/cases?{query}")
        assert response.status_code == 200, response.get_json()
        return [item["id"] for item in response.get_json()["items"]]

    assert ids("overdue=true") == [late.id]
    assert ids("category=jeugd") == [late.id]
    assert ids("escalationLevel=tactisch") == [late.id]
    assert set(ids(f"teamId={team.id}")) == {late.id, world["case"].id}
    assert ids(f"procesregisseurId={regisseur.id}") == [world["case"].id]
    assert ids("phase=nazorg") == []
    assert api(regisseur, "GET", "/cases?category=bestaat-niet").status_code == 400
