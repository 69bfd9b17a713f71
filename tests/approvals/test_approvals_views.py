"""The approvals pages: the queue with its age and order, one request, deciding, withdrawing — and four eyes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.approvals import case_requests
from casus.approvals.models import Approval, ApprovalStatus
from casus.cases import services as cases
from casus.cases.models import TransitionLog
from casus.clock import local_zone, today

from support import shown_case_ids


def text(response) -> str:
    return response.get_data(as_text=True)


def _ask(world, case=None, who="regisseur", days_ago=0):
    """An early-closure request, asked ``days_ago`` days ago (backdated in SQL: the version stays 1)."""
    from casus.extensions import db

    approval = case_requests.request_early_closure(world[who], case or world["case"],
                                                   reason="Betrokkene verhuisd", result="verhuisd")
    if days_ago:
        db.session.execute(sa.update(Approval).where(Approval.id == approval.id).values(
            requested_at=cases.utcnow() - timedelta(days=days_ago)))
        db.session.refresh(approval)
    return approval


# --- the queue -------------------------------------------------------------------------------------------------

def test_the_queue_shows_open_requests_oldest_first_with_their_age(client, db, team_world, login, make_case):
    w = team_world
    young = _ask(w, days_ago=1)
    old = _ask(w, make_case(team=w["team"], phase="aanpak.plan", title="Oud verzoek"), who="dual", days_ago=3)
    elsewhere = make_case(team=w["other_team"], phase="aanpak.plan")
    foreign = case_requests.request_early_closure(w["elsewhere"], elsewhere, reason="Elders", result="verhuisd")
    db.session.flush()
    login(w["supervisor"])
    page = text(client.get("/akkoorden"))
    assert page.index(f"/akkoorden/{old.id}") < page.index(f"/akkoorden/{young.id}")
    assert "3 dagen" in page and "1 dag<" in page
    assert "Daan Dubbel" in page and "Rosa Regisseur" in page and "Betrokkene verhuisd" in page
    assert f'/casussen/{w["case"].id}"' in page and w["case"].reference in page
    assert f"/akkoorden/{foreign.id}" not in page and "Eva Elders" not in page
    assert shown_case_ids(db, "approval.list") == {young.case_id, old.case_id}  # what the supervisor saw, audited
    filtered = text(client.get("/akkoorden", query_string={"soort": "reopen"}))
    assert f"/akkoorden/{old.id}" not in filtered and "Er wachten geen verzoeken" in filtered


def test_the_decided_tab_shows_decision_approver_motivation_and_time(client, db, team_world, login):
    w = team_world
    from casus.approvals import services as approvals

    approval = _ask(w)
    approvals.decide(w["supervisor"], approval, approve=False, motivation="Eerst huisbezoek")
    login(w["regisseur"])
    assert f"/akkoorden/{approval.id}" not in text(client.get("/akkoorden"))
    page = text(client.get("/akkoorden", query_string={"tab": "afgehandeld"}))
    for expected in (f"/akkoorden/{approval.id}", "Afgewezen", "Sem Supervisor", "Eerst huisbezoek",
                     approval.decided_at.astimezone(local_zone()).strftime("%d-%m-%Y")):
        assert expected in page, expected


def test_partners_and_other_users_have_no_queue(client, team_world, login, make_user):
    login(team_world["partner"])
    assert client.get("/akkoorden").status_code == 403
    assert "/akkoorden" not in text(client.get("/"))


def test_the_queue_costs_the_same_queries_for_one_or_many_requests(client, db, team_world, login, make_case,
                                                                  count_queries):
    w = team_world
    _ask(w)
    login(w["supervisor"])
    client.get("/akkoorden")
    with count_queries() as one:
        assert client.get("/akkoorden").status_code == 200
    for index in range(12):
        _ask(w, make_case(team=w["team"], phase="aanpak.plan"), who=("regisseur", "dual")[index % 2])
    db.session.flush()
    with count_queries() as many:
        page = text(client.get("/akkoorden"))
    assert page.count('href="/akkoorden/') == 13
    assert many.count == one.count


# --- one request ------------------------------------------------------------------------------------------------

def test_a_supervisor_approves_on_the_request_page(client, db, team_world, auth, login):
    w = team_world
    approval = _ask(w)
    login(w["supervisor"])
    page = text(client.get(f"/akkoorden/{approval.id}"))
    assert "Goedkeuren" in page and "Afwijzen" in page and "Betrokkene verhuisd" in page and "Verhuisd" in page
    response = auth.post(f"/akkoorden/{approval.id}/besluit", {"decision": "approve", "version": approval.version},
                         form_url=f"/akkoorden/{approval.id}")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Het verzoek is goedgekeurd." in page and "Sem Supervisor" in page and "Goedkeuren" not in page
    db.session.refresh(w["case"])
    assert w["case"].phase == "afgesloten" and w["case"].result == "verhuisd"


def test_rejecting_without_a_motivation_shows_the_error_and_changes_nothing(client, db, team_world, auth, login):
    w = team_world
    approval = _ask(w)
    login(w["supervisor"])
    response = auth.post(f"/akkoorden/{approval.id}/besluit", {"decision": "reject", "version": approval.version},
                         form_url=f"/akkoorden/{approval.id}")
    assert response.status_code == 400
    assert "Geef een motivering bij een afwijzing." in text(response)
    db.session.refresh(approval)
    assert approval.is_open
    response = auth.post(f"/akkoorden/{approval.id}/besluit",
                         {"decision": "reject", "motivation": "Eerst huisbezoek", "version": approval.version},
                         form_url=f"/akkoorden/{approval.id}")
    assert response.status_code == 302
    db.session.refresh(approval)
    db.session.refresh(w["case"])
    assert approval.status == ApprovalStatus.AFGEWEZEN and w["case"].phase == "aanpak.uitvoering"


def test_a_requester_holding_both_roles_can_never_approve_through_the_ui(client, db, team_world, auth, login,
                                                                        denied_events):
    """Four eyes with both roles, through the UI: ask as procesregisseur, then try to approve as supervisor."""
    w = team_world
    login(w["dual"])
    response = auth.post(f"/casussen/{w['case'].id}/vroegtijdig-afsluiten",
                         {"reason": "Betrokkene verhuisd", "result": "verhuisd"}, form_url=f"/casussen/{w['case'].id}")
    assert response.status_code == 302
    approval = db.session.execute(sa.select(Approval)).scalar_one()
    page = text(client.get(f"/akkoorden/{approval.id}"))
    assert "U heeft dit verzoek zelf gedaan" in page and 'name="decision"' not in page
    assert "Verzoek intrekken" in page
    for decision in ("approve", "reject"):
        response = auth.post(f"/akkoorden/{approval.id}/besluit",
                             {"decision": decision, "motivation": "Zelf", "version": approval.version},
                             form_url=f"/akkoorden/{approval.id}")
        assert response.status_code == 403
    db.session.refresh(approval)
    db.session.refresh(w["case"])
    assert approval.is_open and approval.decided_by_id is None and approval.version == 1
    assert w["case"].phase == "aanpak.uitvoering"
    assert db.session.execute(sa.select(sa.func.count(TransitionLog.id))).scalar_one() == 0
    assert len(denied_events(w["dual"], "approval.decided")) == 2


@pytest.mark.parametrize("who", ["regisseur", "second"])
def test_who_sees_the_decision_form(client, team_world, login, who):
    w = team_world
    approval = _ask(w, who="dual")
    login(w[who])
    page = text(client.get(f"/akkoorden/{approval.id}"))
    assert ('name="decision"' in page) == (who == "second")
    assert "Verzoek intrekken" not in page


def test_a_procesregisseur_posting_a_decision_gets_403(client, db, team_world, auth, login, denied_events):
    w = team_world
    approval = _ask(w, who="dual")
    login(w["regisseur"])
    response = auth.post(f"/akkoorden/{approval.id}/besluit", {"decision": "approve", "version": 1},
                         form_url=f"/akkoorden/{approval.id}")
    assert response.status_code == 403 and denied_events(w["regisseur"], "approval.decided")
    db.session.refresh(approval)
    assert approval.is_open


def test_hidden_requests_answer_404_and_are_audited(client, db, team_world, auth, login, denied_events):
    w = team_world
    approval = _ask(w)
    for who in ("partner", "elsewhere"):
        login(w[who])
        assert client.get(f"/akkoorden/{approval.id}").status_code == 404
        response = auth.post(f"/akkoorden/{approval.id}/besluit", {"decision": "approve", "version": 1},
                             form_url="/account")
        assert response.status_code == 404
        assert denied_events(w[who], "approval.view") and denied_events(w[who], "approval.decide")
        auth.logout()
    assert client.get("/akkoorden/999999").status_code == 302  # logged out: to the login page


def test_the_requester_withdraws(client, db, team_world, auth, login):
    w = team_world
    approval = _ask(w)
    login(w["supervisor"])
    response = auth.post(f"/akkoorden/{approval.id}/intrekken", {"version": 1}, form_url=f"/akkoorden/{approval.id}")
    assert response.status_code == 403
    auth.logout()
    login(w["regisseur"])
    response = auth.post(f"/akkoorden/{approval.id}/intrekken", {"version": 1}, form_url=f"/akkoorden/{approval.id}")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Het verzoek is ingetrokken." in page and "Ingetrokken" in page
    db.session.refresh(approval)
    assert approval.status == ApprovalStatus.INGETROKKEN
    assert "Vroegtijdig afsluiten aanvragen" in text(client.get(f"/casussen/{w['case'].id}"))  # may ask again


def test_a_second_decision_on_the_same_version_is_refused(client, db, team_world, auth, login):
    w = team_world
    approval = _ask(w)
    login(w["supervisor"])
    token_page = f"/akkoorden/{approval.id}"
    first = auth.post(f"/akkoorden/{approval.id}/besluit", {"decision": "reject", "motivation": "Nee", "version": 1},
                      form_url=token_page)
    assert first.status_code == 302
    auth.logout()
    login(w["second"])
    second = auth.post(f"/akkoorden/{approval.id}/besluit", {"decision": "approve", "version": 1},
                       form_url=token_page)
    assert "Over dit verzoek is al besloten." in text(client.get(second.headers["Location"]))
    db.session.refresh(approval)
    db.session.refresh(w["case"])
    assert approval.status == ApprovalStatus.AFGEWEZEN and w["case"].phase == "aanpak.uitvoering"


# --- reopening from the case overview ------------------------------------------------------------------------

def test_reopen_end_to_end_through_the_pages(client, db, team_world, auth, login):
    w = team_world
    closed = w["closed"]
    login(w["regisseur"])
    overview = text(client.get(f"/casussen/{closed.id}"))
    assert "Heropenen aanvragen" in overview and "Heropenen (goedkeuren)" not in overview
    response = auth.post(f"/casussen/{closed.id}/heropenen", {"reason": ""}, form_url=f"/casussen/{closed.id}")
    assert response.status_code == 200 and "Reden om te heropenen" in text(response)
    response = auth.post(f"/casussen/{closed.id}/heropenen", {"reason": "Nieuwe meldingen"},
                         form_url=f"/casussen/{closed.id}")
    assert response.status_code == 302
    approval = db.session.execute(sa.select(Approval).where(Approval.kind == "reopen")).scalar_one()
    overview = text(client.get(f"/casussen/{closed.id}"))
    assert "Heropenen aanvragen" not in overview and f"/akkoorden/{approval.id}" in overview
    auth.logout()
    login(w["supervisor"])
    assert "Heropenen" in text(client.get("/akkoorden"))
    response = auth.post(f"/akkoorden/{approval.id}/besluit", {"decision": "approve", "version": 1},
                         form_url=f"/akkoorden/{approval.id}")
    assert response.status_code == 302
    db.session.refresh(closed)
    assert closed.phase == "triage"


def test_a_refused_reopening_shows_the_guard_message(client, db, team_world, auth, login):
    w = team_world
    approval = case_requests.request_reopening(w["regisseur"], w["closed"], reason="Nieuwe meldingen")
    w["closed"].closed_on = today() - timedelta(days=6 * 366)
    db.session.flush()
    login(w["supervisor"])
    response = auth.post(f"/akkoorden/{approval.id}/besluit", {"decision": "approve", "version": 1},
                         form_url=f"/akkoorden/{approval.id}")
    page = text(client.get(response.headers["Location"]))
    assert "De bewaartermijn is verstreken" in page and "Het verzoek staat nog open" in page
    db.session.refresh(approval)
    assert approval.is_open


def test_the_decision_partial_returns_to_the_page_that_included_it(client, db, team_world, auth, login):
    w = team_world
    approval = _ask(w)
    login(w["supervisor"])
    back = f"/casussen/{w['case'].id}"
    response = auth.post(f"/akkoorden/{approval.id}/besluit", {"decision": "reject", "version": 1, "next": back},
                         form_url=f"/akkoorden/{approval.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(back)
    assert "Geef een motivering bij een afwijzing." in text(client.get(back))
    response = auth.post(f"/akkoorden/{approval.id}/besluit",
                         {"decision": "approve", "version": 1, "next": "https://elders.example.org/"},
                         form_url=f"/akkoorden/{approval.id}")
    assert response.headers["Location"].endswith(f"/akkoorden/{approval.id}")  # no open redirect


def test_request_lines_on_the_timeline_are_for_the_team_only(client, db, team_world, auth, login):
    w = team_world
    _ask(w)
    login(w["regisseur"])
    assert "akkoord gevraagd" in text(client.get(f"/casussen/{w['case'].id}/tijdlijn"))
    auth.logout()
    login(w["partner"])
    page = text(client.get(f"/casussen/{w['case'].id}/tijdlijn"))
    assert "akkoord gevraagd" not in page and "Betrokkene verhuisd" not in page
