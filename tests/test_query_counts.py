"""The query-count guard of docs/DESIGN.md §8, in one place: as a *partner* user, every list and detail page
and API list the partner can reach costs the same number of SQL statements with 1 row as with 50 (cases,
subjects, notes, timeline lines, actions with progress, escalation steps, signals). Access checks run per
query, never per row."""

from __future__ import annotations

from datetime import timedelta

import pytest

GROWTH = 49  # 1 row, then 50

PAGES = ("/casussen", "/casussen/{case}", "/casussen/{case}/betrokkenen", "/casussen/{case}/partners",
         "/casussen/{case}/plan", "/casussen/{case}/notities", "/casussen/{case}/tijdlijn",
         "/casussen/{case}/escalaties", "/signalen", "/signalen/{signal}")
API = ("/cases?limit=50", "/cases/{case}", "/cases/{case}/notes", "/cases/{case}/timeline",
       "/cases/{case}/actions", "/cases/{case}/escalations", "/signals?limit=50", "/escalations")


@pytest.fixture
def partner_world(db, make_organisation, make_team, make_user, make_case, make_subject, login_as):
    from casus.organisations.models import OrganisationKind

    zvh = make_organisation(name="ZVH Telling", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, name="Team Telling")
    politie = make_organisation(name="Politie Telling", kind=OrganisationKind.POLITIE)
    regisseur = make_user("procesregisseur", organisation=zvh, team=team)
    agent = login_as("partner", organisation=politie)
    case = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering", procesregisseur=regisseur)
    world = {"team": team, "zvh": zvh, "politie": politie, "regisseur": regisseur, "agent": agent, "case": case}

    def grow(count: int) -> None:
        for _ in range(count):
            _one_of_everything(db, world, make_case, make_subject)

    grow(1)
    world["grow"] = grow
    return world


def _one_of_everything(db, world, make_case, make_subject):
    """One more row of every kind the partner sees: a case, and on the focus case a subject, a note, a timeline
    line, an action with progress, an escalation step; and a signal of the partner's organisation."""
    from casus.cases.models import CaseSubject, Note, NoteVisibility
    from casus.clock import today
    from casus.escalations.models import Escalation, EscalationDirection
    from casus.plans.models import Action, Goal, ProgressEntry
    from casus.signals.models import Signal
    from casus.timeline.models import TimelineEvent

    case, regisseur, agent, politie = world["case"], world["regisseur"], world["agent"], world["politie"]
    make_case(team=world["team"], partners=[politie, world["zvh"]], phase="aanpak.uitvoering",
              procesregisseur=regisseur)
    db.session.add(CaseSubject(case_id=case.id, subject_id=make_subject().id))
    db.session.add(Note(case_id=case.id, author_id=regisseur.id, organisation_id=world["zvh"].id,
                        visibility=NoteVisibility.ALL, text="Notitie"))
    db.session.add(TimelineEvent(case_id=case.id, kind="case.note", summary="Regel", actor_id=regisseur.id))
    goal = Goal(case_id=case.id, description="Doel", created_by_id=regisseur.id)
    db.session.add(goal)
    db.session.flush()
    action = Action(case_id=case.id, goal_id=goal.id, description="Actie", owner_organisation_id=politie.id,
                    owner_user_id=agent.id, due_on=today() + timedelta(days=7))
    db.session.add(action)
    db.session.flush()
    db.session.add(ProgressEntry(action_id=action.id, author_id=agent.id, organisation_id=politie.id, text="Bezig"))
    db.session.add(Escalation(case_id=case.id, direction=EscalationDirection.AFSCHALEN, from_level="tactisch",
                              to_level="operationeel", decision="Terug naar het casusoverleg",
                              decided_at=case.created_at, decided_by_id=regisseur.id, created_by_id=regisseur.id))
    number = db.session.query(Signal).count() + 1
    db.session.add(Signal(reference=f"S-2026-{800000 + number}", category=case.category, team=world["team"],
                          description="Melding", reporting_organisation_id=politie.id, reported_by_id=agent.id))
    db.session.flush()


def _cost(count_queries, fetch) -> int:
    fetch()  # warm-up: a session touch or a token's first use writes once, not per row
    with count_queries() as counter:
        response = fetch()
    assert response.status_code == 200, response.status_code
    return counter.count


def _urls(world, paths):
    from casus.extensions import db
    from casus.signals.models import Signal

    signal = db.session.query(Signal).order_by(Signal.id).first()
    return [path.format(case=world["case"].id, signal=signal.id) for path in paths]


def test_partner_pages_cost_the_same_with_1_and_50_rows(client, db, partner_world, count_queries):
    urls = _urls(partner_world, PAGES)
    one = {url: _cost(count_queries, lambda url=url: client.get(url)) for url in urls}
    partner_world["grow"](GROWTH)
    fifty = {url: _cost(count_queries, lambda url=url: client.get(url)) for url in urls}
    assert fifty == one
    # The rows are really there and shown (so the counts compare full pages with a near-empty one).
    case_id = partner_world["case"].id
    assert client.get(f"/casussen/{case_id}/notities").get_data(as_text=True).count("Notitie") >= 25
    assert client.get(f"/casussen/{case_id}/plan").get_data(as_text=True).count("Bezig") >= 25
    assert client.get(f"/casussen/{case_id}/escalaties").get_data(as_text=True).count("Terug naar het") >= 25


def test_partner_api_lists_cost_the_same_with_1_and_50_rows(db, api, partner_world, count_queries):
    agent = partner_world["agent"]
    urls = _urls(partner_world, API)
    one = {url: _cost(count_queries, lambda url=url: api(agent, "GET", url)) for url in urls}
    partner_world["grow"](GROWTH)
    fifty = {url: _cost(count_queries, lambda url=url: api(agent, "GET", url)) for url in urls}
    assert fifty == one
    assert len(api(agent, "GET", "/cases?limit=50").get_json()["items"]) == 50
    assert len(api(agent, "GET", f"/cases/{partner_world['case'].id}/actions").get_json()) >= 50
