"""The escalations tab, its three forms, the case overview's summary and the team's queue."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from casus.cases.models import Case, TransitionLog
from casus.clock import today
from casus.escalations import services
from casus.escalations.models import Escalation

from support import csrf_from, shown_case_ids


def _tab(case):
    return f"/casussen/{case.id}/escalaties"


def _level(db, case):
    return db.session.execute(sa.select(Case.escalation_level, Case.version).where(Case.id == case.id)).one()


def _post(client, url, page_url, data):
    return client.post(url, data={"csrf_token": csrf_from(client.get(page_url)), **data})


def _escalate_form(case, **overrides):
    data = {"version": str(case.version), "reason": "Corporatie en GGZ komen er samen niet uit",
            "decision_owner": "Ketenmanagers corporatie en GGZ",
            "decision_deadline": (today() + timedelta(days=14)).strftime("%d-%m-%Y"),
            "review_on": (today() + timedelta(days=42)).strftime("%d-%m-%Y")}
    data.update(overrides)
    return data


def test_a_manager_sees_the_level_the_empty_history_and_the_prefilled_form(client, db, ladder, login):
    case = ladder["case"]
    login(ladder["regisseur"])
    response = client.get(_tab(case))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Operationeel (casusoverleg)" in html and "Deze casus is nog niet opgeschaald." in html
    assert 'aria-current="page"' in html and ">Escalaties</a>" in html
    assert 'id="opschalen-reason"' in html and 'id="opschalen-decision_owner"' in html
    deadline = services.default_decision_deadline().strftime("%d-%m-%Y")
    deadline_input = re.search(r'<input[^>]*id="opschalen-decision_deadline"[^>]*>', html).group(0)
    assert f'value="{deadline}"' in deadline_input
    assert "Opschalen naar Tactisch (ketenmanagers)" in html
    assert 'id="afschalen-decision"' not in html and 'id="besluit-decision"' not in html


def test_opschalen_decision_and_afschalen_through_the_forms(client, db, ladder, login):
    case = ladder["case"]
    login(ladder["supervisor"])
    response = _post(client, f"{_tab(case)}/opschalen", _tab(case), _escalate_form(case))
    assert response.status_code == 302 and response.headers["Location"].endswith(_tab(case))
    level, version = _level(db, case)
    assert level == "tactisch"
    page = client.get(_tab(case)).get_data(as_text=True)
    assert "De casus is opgeschaald naar Tactisch (ketenmanagers)." in page
    assert "Ketenmanagers corporatie en GGZ" in page and "Corporatie en GGZ komen er samen niet uit" in page
    assert 'id="besluit-decision"' in page and 'id="afschalen-decision"' in page
    assert "Opschalen naar Bestuurlijk (burgemeester, driehoek)" in page
    step = db.session.execute(sa.select(Escalation).where(Escalation.case_id == case.id)).scalar_one()

    response = _post(client, f"{_tab(case)}/{step.id}/besluit", _tab(case),
                     {"decision": "Extra inzet wijkagent en GGZ-team", "version": str(step.version)})
    assert response.status_code == 302
    page = client.get(_tab(case)).get_data(as_text=True)
    assert "Het besluit is vastgelegd." in page and "Extra inzet wijkagent en GGZ-team" in page
    assert 'id="besluit-decision"' not in page
    assert "Sander Supervisor" in page

    response = _post(client, f"{_tab(case)}/afschalen", _tab(case),
                     {"version": str(version), "decision": "Inzet werkt; terug naar het casusoverleg"})
    assert response.status_code == 302
    assert _level(db, case)[0] == "operationeel"
    page = client.get(_tab(case)).get_data(as_text=True)
    assert "De casus is afgeschaald naar Operationeel (casusoverleg)." in page
    assert "Inzet werkt; terug naar het casusoverleg" in page and "Afgeschaald" in page
    # The ladder has its own filter on the tijdlijn.
    timeline = client.get(f"/casussen/{case.id}/tijdlijn", query_string={"group": "escalaties"}).get_data(as_text=True)
    assert "Extra inzet wijkagent en GGZ-team" in timeline and "Inzet werkt" in timeline
    other = client.get(f"/casussen/{case.id}/tijdlijn", query_string={"group": "notities"}).get_data(as_text=True)
    assert "Extra inzet wijkagent en GGZ-team" not in other


def test_refused_step_shows_every_message_next_to_its_field_and_is_logged(client, db, ladder, login):
    case = ladder["case"]
    login(ladder["regisseur"])
    yesterday = (today() - timedelta(days=1)).strftime("%d-%m-%Y")
    response = _post(client, f"{_tab(case)}/opschalen", _tab(case), _escalate_form(
        case, reason="", decision_owner="", decision_deadline=yesterday, review_on=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dit kon niet. Er is niets gewijzigd." in html
    for field, message in (("reason", "Geef een reden op."),
                           ("decision_owner", "Leg vast wie op het nieuwe niveau beslist."),
                           ("decision_deadline", "Geef een beslistermijn op die niet in het verleden ligt."),
                           ("review_on", "Geef een datum op om afschalen te heroverwegen, niet in het verleden.")):
        assert f'id="opschalen-{field}-error"' in html
        assert message in html
    assert _level(db, case)[0] == "operationeel"
    log = db.session.execute(sa.select(TransitionLog).where(TransitionLog.case_id == case.id)).scalar_one()
    assert log.machine == "escalation" and not log.allowed
    assert log.failure_codes == "needs_reason needs_decision_owner needs_decision_deadline needs_review_date"


def test_a_date_that_does_not_parse_is_a_form_error_and_not_an_attempt(client, db, ladder, login):
    case = ladder["case"]
    login(ladder["regisseur"])
    response = _post(client, f"{_tab(case)}/opschalen", _tab(case), _escalate_form(case, review_on="31-02-2026"))
    assert response.status_code == 200
    assert "Vul een datum in als dd-mm-jjjj" in response.get_data(as_text=True)
    assert _level(db, case)[0] == "operationeel"
    assert db.session.execute(sa.select(sa.func.count(TransitionLog.id))).scalar_one() == 0


def test_a_stale_form_changes_nothing_and_says_so(client, db, ladder, login):
    case = ladder["case"]
    login(ladder["regisseur"])
    stale = _escalate_form(case)
    case.title = "Gewijzigd door een ander"
    db.session.flush()  # bumps the version
    response = _post(client, f"{_tab(case)}/opschalen", _tab(case), stale)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Iemand anders heeft dit intussen gewijzigd" in page
    assert stale["reason"] in page  # the user's input is kept, with the version stored now in the form
    assert f'name="version" value="{case.version}"' in page
    assert _level(db, case)[0] == "operationeel"
    del stale["version"]
    response = _post(client, f"{_tab(case)}/opschalen", _tab(case), stale)
    assert response.status_code == 400 and "mist de versie" in response.get_data(as_text=True)
    assert _level(db, case)[0] == "operationeel"


def test_bestuurlijk_offers_no_step_up_and_the_overview_shows_the_open_step(client, db, ladder, login, put_step):
    case = ladder["case"]
    put_step(case, ladder["regisseur"])
    put_step(case, ladder["regisseur"], to="bestuurlijk", decision_owner="Burgemeester",
             decision_deadline=today() - timedelta(days=1))
    login(ladder["supervisor"])
    page = client.get(_tab(case)).get_data(as_text=True)
    assert "De casus staat op het hoogste niveau; verder opschalen kan niet." in page
    assert 'id="opschalen-reason"' not in page and "Afschalen naar Tactisch (ketenmanagers)" in page
    overview = client.get(f"/casussen/{case.id}").get_data(as_text=True)
    assert "Burgemeester" in overview and "besluit over de termijn" in overview
    assert f'href="/casussen/{case.id}/escalaties"' in overview


def test_the_overview_of_a_case_that_was_never_escalated(client, db, ladder, login):
    login(ladder["regisseur"])
    overview = client.get(f"/casussen/{ladder['case'].id}").get_data(as_text=True)
    assert "De casus is niet opgeschaald" in overview


def test_recording_a_decision_twice_is_refused(client, db, ladder, login, put_step):
    case = ladder["case"]
    step = put_step(case, ladder["regisseur"])
    login(ladder["supervisor"])
    page_url = _tab(case)
    token = csrf_from(client.get(page_url))
    assert client.post(f"{page_url}/{step.id}/besluit", data={"csrf_token": token, "decision": "Zonder versie"}
                       ).status_code == 400
    assert client.post(f"{page_url}/{step.id}/besluit", data={
        "csrf_token": token, "decision": "Eerste", "version": "1"}).status_code == 302
    response = client.post(f"{page_url}/{step.id}/besluit", data={
        "csrf_token": token, "decision": "Tweede", "version": "2"})
    assert response.status_code == 302
    assert "al vastgelegd" in client.get(page_url).get_data(as_text=True)
    stale = client.post(f"{page_url}/{step.id}/besluit",
                        data={"csrf_token": token, "decision": "Derde", "version": "1"})
    assert stale.status_code == 409 and "Iemand anders heeft dit intussen gewijzigd" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Escalation, step.id).decision == "Eerste"


# --- the queue -----------------------------------------------------------------------------------------------

def test_the_queue_shows_the_teams_escalations_overdue_first(client, db, ladder, login, put_step, make_case,
                                                             make_team, make_user):
    team, regisseur = ladder["team"], ladder["regisseur"]
    calm = make_case(team=team, title="Rustige casus")
    late = make_case(team=team, title="Late casus")
    review = make_case(team=team, title="Heroverweging casus")
    make_case(team=team, title="Niet opgeschaald")
    put_step(calm, regisseur, decision_deadline=today() + timedelta(days=3))
    put_step(late, regisseur, decision_deadline=today() - timedelta(days=2))
    put_step(review, regisseur, review_on=today())
    decided = put_step(make_case(team=team, title="Besloten casus"), regisseur,
                       decision_deadline=today() - timedelta(days=5), decision="Besloten",
                       decided_at=calm.created_at)
    make_case(team=team, title="Zonder stap", escalation_level="bestuurlijk")  # e.g. imported on that level
    elsewhere = make_case(team=make_team(), title="Casus elders")
    put_step(elsewhere, make_user("procesregisseur", team=elsewhere.team))
    login(ladder["supervisor"])

    response = client.get("/escalaties")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "5 casussen opgeschaald" in html and "1 besluit over de termijn" in html
    assert "1 heroverweging bereikt" in html
    order = [html.index(title) for title in ("Late casus", "Heroverweging casus", "Besloten casus", "Rustige casus",
                                             "Zonder stap")]
    assert order == sorted(order)
    assert "Geen open escalatiestap vastgelegd" in html
    assert "Casus elders" not in html and "Niet opgeschaald" not in html
    assert f'href="/casussen/{late.id}/escalaties"' in html
    assert decided.decision == "Besloten" and "besluit vastgelegd" in html
    shown = shown_case_ids(db, "escalation.queue.view")  # what the supervisor saw is audited (docs/DESIGN.md §6)
    assert {late.id, review.id, calm.id, decided.case_id} <= shown and elsewhere.id not in shown


def test_the_queue_is_empty_for_a_calm_team(client, db, ladder, login):
    login(ladder["regisseur"])
    html = client.get("/escalaties").get_data(as_text=True)
    assert "Er zijn geen opgeschaalde casussen in het team." in html


def test_tab_and_queue_cost_the_same_queries_for_one_or_many_steps(client, db, ladder, login, put_step, make_case,
                                                                   count_queries):
    team, regisseur, supervisor = ladder["team"], ladder["regisseur"], ladder["supervisor"]
    small = ladder["case"]
    put_step(small, regisseur)
    big = make_case(team=team, title="Veel stappen")
    for number in range(8):
        up = put_step(big, regisseur if number % 2 else supervisor, reason=f"Stap {number}")
        up.decision, up.decided_by_id, up.decided_at = "Besloten", supervisor.id, up.created_at
        up.resolved_at = up.created_at
        db.session.add(Escalation(case_id=big.id, direction="afschalen", from_level="tactisch",
                                  to_level="operationeel", decision="Terug", decided_at=up.created_at,
                                  decided_by_id=regisseur.id, created_by_id=regisseur.id))
        big.escalation_level = "operationeel"
    put_step(big, regisseur)
    for number in range(12):
        put_step(make_case(team=team, title=f"Extra {number}"), regisseur)
    db.session.flush()
    login(supervisor)

    counts = []
    for case in (small, big):
        client.get(_tab(case))
        with count_queries() as counter:
            assert client.get(_tab(case)).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts

    queue_counts = []
    for extra in (False, True):
        if extra:
            for number in range(5):
                put_step(make_case(team=team, title=f"Nog {number}"), supervisor)
            db.session.flush()
        with count_queries() as counter:
            assert client.get("/escalaties").status_code == 200
        queue_counts.append(counter.count)
    assert queue_counts[0] == queue_counts[1], queue_counts


# --- the dashboard ---------------------------------------------------------------------------------------------

def test_the_dashboard_shows_the_teams_escalations_at_a_glance(client, db, ladder, login, put_step, make_case,
                                                               count_queries):
    team, regisseur = ladder["team"], ladder["regisseur"]
    late = make_case(team=team, title="Late casus")
    put_step(late, regisseur, decision_deadline=today() - timedelta(days=1), decision_owner="Burgemeester")
    login(ladder["supervisor"])
    client.get("/")
    with count_queries() as counter:
        html = client.get("/").get_data(as_text=True)
    one = counter.count
    assert 'id="escalations-heading"' in html and "Burgemeester" in html
    assert "1 besluit over de termijn" in html and f'href="/casussen/{late.id}/escalaties"' in html
    for number in range(12):
        put_step(make_case(team=team, title=f"Extra {number}"), regisseur)
    db.session.flush()
    with count_queries() as counter:
        html = client.get("/").get_data(as_text=True)
    assert counter.count == one
    assert 'escalations-heading">Escalaties <span class="utrecht-badge-counter">13</span>' in html
    table = html[html.index('id="escalations-table-caption"'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr") == 11  # the header and the first ten
    first_row = re.search(r'href="/casussen/(\d+)/escalaties"', table).group(1)
    assert first_row == str(late.id)  # the overdue decision first


def test_partners_have_no_escalations_block(client, db, ladder, login, put_step):
    put_step(ladder["case"], ladder["regisseur"])
    login(ladder["agent"])
    assert 'id="escalations-heading"' not in client.get("/").get_data(as_text=True)
