"""The case file in the browser-less client: every tab, need-to-know, notes, partners and transitions."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.cases import services as cases
from casus.cases.models import Note, Participation, TransitionLog
from casus.clock import today
from casus.organisations.models import OrganisationKind
from casus.plans import services as plans
from casus.plans.models import Action

from support import csrf_from


@pytest.fixture
def world(app, db, make_organisation, make_team, make_user, make_case, make_subject):
    import pyotp

    zvh = make_organisation(name="Zorg- en Veiligheidshuis", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, gemeente="Voorbeeldstad")
    politie = make_organisation(name="Politie Eenheid", kind=OrganisationKind.POLITIE)
    corporatie = make_organisation(name="Woonstichting", kind=OrganisationKind.WONINGCORPORATIE)
    buiten = make_organisation(name="Buitenstaander", kind=OrganisationKind.GGZ)

    def user(*roles, **fields):
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    w = {
        "zvh": zvh, "team": team, "politie": politie, "corporatie": corporatie, "buiten": buiten,
        "regisseur": user("procesregisseur", organisation=zvh, team=team, name="Rosa Regisseur"),
        "supervisor": user("supervisor", organisation=zvh, team=team, name="Sem Supervisor"),
        "agent": user("partner", organisation=politie, name="Anton Agent"),
        "huurbeheer": user("partner", organisation=corporatie, name="Hanna Huurbeheer"),
        "outsider": user("partner", organisation=buiten, name="Otto Buiten"),
    }
    person = make_subject(name="Jan de Vries", bsn="111222333")
    w["case"] = make_case(team=team, partners=[politie, corporatie, zvh], phase="aanpak.uitvoering",
                          procesregisseur=w["regisseur"], subjects=[person], title="Overlast Dorpsstraat")
    w["case_subject"] = person
    secret = make_subject(name="Geheime Gerrit")
    w["hidden"] = make_case(team=team, partners=[zvh], phase="triage", procesregisseur=w["regisseur"],
                            subjects=[secret], title="Verborgen casus")
    return w



def case_urls(case_id):
    return [f"/casussen/{case_id}", f"/casussen/{case_id}/betrokkenen", f"/casussen/{case_id}/partners",
            f"/casussen/{case_id}/plan", f"/casussen/{case_id}/notities", f"/casussen/{case_id}/tijdlijn"]


def post_urls(case_id):
    return [f"/casussen/{case_id}/overgang", f"/casussen/{case_id}/vroegtijdig-afsluiten",
            f"/casussen/{case_id}/evaluatie", f"/casussen/{case_id}/plan-besproken", f"/casussen/{case_id}/partners",
            f"/casussen/{case_id}/partners/1/beeindigen", f"/casussen/{case_id}/notities",
            f"/casussen/{case_id}/plan/doelen", f"/casussen/{case_id}/plan/acties",
            f"/casussen/{case_id}/plan/acties/1/status", f"/casussen/{case_id}/plan/acties/1/voortgang"]


def text(response):
    return response.get_data(as_text=True)


def test_every_page_renders_for_a_participating_partner(client, world, login):
    login(world["agent"])
    for url in case_urls(world["case"].id):
        response = client.get(url)
        assert response.status_code == 200, url
        body = text(response)
        assert world["case"].reference in body
        assert 'aria-current="page"' in body
    assert "Volgende stap" not in text(client.get(f"/casussen/{world['case'].id}"))
    assert "Deelname beëindigen" not in text(client.get(f"/casussen/{world['case'].id}/partners"))


def test_every_page_renders_for_the_procesregisseur(client, world, login):
    login(world["regisseur"])
    for url in case_urls(world["case"].id) + case_urls(world["hidden"].id) + ["/casussen"]:
        assert client.get(url).status_code == 200, url
    overview = text(client.get(f"/casussen/{world['case'].id}"))
    assert "Volgende stap" in overview and "Afschalen naar nazorg" in overview
    assert "Alle acties moeten gereed of vervallen zijn." in overview or "Schrijf eerst de evaluatie." in overview
    assert "Organisatie uitnodigen" in text(client.get(f"/casussen/{world['case'].id}/partners"))
    assert f"/triage/casussen/{world['hidden'].id}" in text(client.get(f"/casussen/{world['hidden'].id}"))
    assert "Actie toevoegen" in text(client.get(f"/casussen/{world['case'].id}/plan"))


def test_a_partner_of_another_organisation_gets_404_everywhere(client, db, world, login):
    login(world["outsider"])
    token = csrf_from(client.get("/"))
    for url in case_urls(world["case"].id):
        assert client.get(url).status_code == 404, url
    for url in post_urls(world["case"].id):
        response = client.post(url, data={"csrf_token": token, "trigger": "step_down", "reason": "x", "text": "x"})
        assert response.status_code == 404, url
    assert client.get("/casussen/999999").status_code == 404
    listing = text(client.get("/casussen"))
    assert world["case"].reference not in listing and world["hidden"].reference not in listing
    for term in ("Jan de Vries", world["case"].reference, "Geheime"):
        body = text(client.get("/casussen", query_string={"q": term}))
        assert f'/casussen/{world["case"].id}"' not in body and "Geen casussen gevonden" in body
    denied = db.session.execute(sa.select(AuditEvent).where(
        AuditEvent.user_id == world["outsider"].id, AuditEvent.outcome == "denied")).scalars().all()
    assert len(denied) >= len(case_urls(1))
    assert db.session.execute(sa.select(sa.func.count(Note.id))).scalar_one() == 0


def test_a_participant_never_finds_a_case_it_does_not_take_part_in(client, world, login):
    login(world["agent"])
    body = text(client.get("/casussen", query_string={"q": "Geheime Gerrit"}))
    assert f'/casussen/{world["hidden"].id}"' not in body and "Geen casussen gevonden" in body
    body = text(client.get("/casussen", query_string={"q": world["hidden"].reference}))
    assert f'/casussen/{world["hidden"].id}"' not in body
    assert client.get(f"/casussen/{world['hidden'].id}").status_code == 404
    assert world["case"].reference in text(client.get("/casussen", query_string={"q": "jan"}))


def test_a_partner_cannot_fire_a_transition(client, db, world, login):
    login(world["agent"])
    response = client.post(f"/casussen/{world['case'].id}/overgang",
                           data={"csrf_token": csrf_from(client.get("/")), "trigger": "step_down", "reason": "x"})
    assert response.status_code == 403
    db.session.refresh(world["case"])
    assert world["case"].phase == "aanpak.uitvoering"


def test_subjects_are_shown_with_a_masked_bsn_and_the_view_is_audited(client, db, world, login):
    login(world["agent"])
    body = text(client.get(f"/casussen/{world['case'].id}/betrokkenen"))
    assert "Jan de Vries" in body and "******333" in body and "111222333" not in body
    assert "Geheime Gerrit" not in body
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "subject.view")).scalar_one()
    assert event.case_id == world["case"].id and event.user_id == world["agent"].id
    assert event.details["subject_ids"] == [world["case_subject"].id]


def test_restricted_notes_and_their_timeline_lines_are_hidden_from_other_participants(app, client, db, world, auth,
                                                                                       login):
    login(world["agent"])
    case_id = world["case"].id
    auth.post(f"/casussen/{case_id}/notities", {"text": "Voor iedereen", "visibility": "alle_deelnemers"})
    auth.post(f"/casussen/{case_id}/notities", {"text": "Alleen politie", "visibility": "eigen_organisatie"})
    response = auth.post(f"/casussen/{case_id}/notities", {
        "text": "Politie en ZVH", "visibility": "genoemde_organisaties", "organisation_ids": [world["zvh"].id]},
        form_url=f"/casussen/{case_id}/notities")
    assert response.status_code == 302
    assert db.session.execute(sa.select(sa.func.count(Note.id))).scalar_one() == 3
    auth.logout()

    login(world["huurbeheer"])
    notes = text(client.get(f"/casussen/{case_id}/notities"))
    assert "Voor iedereen" in notes and "Alleen politie" not in notes and "Politie en ZVH" not in notes
    timeline = text(client.get(f"/casussen/{case_id}/tijdlijn"))
    assert "Voor iedereen" in timeline and "Alleen politie" not in timeline and "Politie en ZVH" not in timeline
    auth.logout()

    login(world["regisseur"])
    notes = text(client.get(f"/casussen/{case_id}/notities"))
    assert "Politie en ZVH" in notes and "Alleen politie" not in notes
    filtered = text(client.get(f"/casussen/{case_id}/tijdlijn", query_string={"group": "notities"}))
    assert "Politie en ZVH" in filtered


def test_named_note_needs_a_participating_organisation(client, db, world, auth, login):
    login(world["agent"])
    response = auth.post(f"/casussen/{world['case'].id}/notities",
                         {"text": "Geheim", "visibility": "genoemde_organisaties"})
    assert response.status_code == 200
    assert "Kies een of meer deelnemende organisaties." in text(response)
    assert db.session.execute(sa.select(sa.func.count(Note.id))).scalar_one() == 0


def test_inviting_a_non_convenant_organisation_needs_a_signed_nda_and_the_deelnemer_role(
        client, db, world, auth, login, make_organisation):
    adhoc = make_organisation(name="Ad-hoc Stichting", convenant_partner=False)
    login(world["regisseur"])
    url = f"/casussen/{world['case'].id}/partners"

    def invite(**data):
        db.session.refresh(world["case"])
        return auth.post(url, {"organisation_id": adhoc.id, "version": world["case"].version, **data})

    response = invite(role="deelnemer", legal_basis="convenant")
    assert "geen convenantpartner" in text(response)
    response = invite(role="deelnemer", legal_basis="geheimhoudingsverklaring")
    assert "Vul de datum van ondertekening" in text(response)
    signed = (today() - timedelta(days=3)).isoformat()
    response = invite(role="casushouder", legal_basis="geheimhoudingsverklaring", signed_on=signed)
    assert "alleen deelnemer zijn" in text(response)
    assert not db.session.execute(sa.select(Participation).where(
        Participation.organisation_id == adhoc.id)).scalars().all()
    response = invite(role="deelnemer", legal_basis="geheimhoudingsverklaring", signed_on=signed)
    assert response.status_code == 302
    participation = db.session.execute(sa.select(Participation).where(
        Participation.organisation_id == adhoc.id)).scalar_one()
    assert participation.confidentiality_signed_on.isoformat() == signed
    page = text(client.get(url))
    assert "Ad-hoc Stichting" in page and "Ondertekende geheimhoudingsverklaring" in page


def test_ending_a_participation_removes_access(client, db, world, auth, login):
    login(world["regisseur"])
    corporatie = db.session.execute(sa.select(Participation).where(
        Participation.case_id == world["case"].id,
        Participation.organisation_id == world["corporatie"].id)).scalar_one()
    response = auth.post(f"/casussen/{world['case'].id}/partners/{corporatie.id}/beeindigen",
                         {"version": world["case"].version}, form_url=f"/casussen/{world['case'].id}/partners")
    assert response.status_code == 302
    db.session.refresh(corporatie)
    assert corporatie.left_on == today()
    auth.logout()
    login(world["huurbeheer"])
    assert client.get(f"/casussen/{world['case'].id}").status_code == 404


def _transition(auth, case, trigger, **data):
    return auth.post(f"/casussen/{case.id}/overgang", {"trigger": trigger, "version": case.version, **data},
                     form_url=f"/casussen/{case.id}")


def test_full_flow_from_plan_to_closure_through_the_ui(app, client, db, world, auth, login, make_case):
    from casus.references import ReferenceCounter

    w = world
    db.session.add(ReferenceCounter(kind="case", year=today().year, last=500))
    with app.test_request_context():
        case = cases.create_case(w["regisseur"], title="Overlast Kerkstraat", category=w["case"].category,
                                 team=w["team"], aanbrenger=w["politie"], procesregisseur=w["regisseur"])
        case.signal_count = 1
        cases.invite_organisation(w["regisseur"], case, organisation_id=w["corporatie"].id, role="casushouder",
                                  legal_basis="convenant")
        cases.triage(w["regisseur"], case, outcome="A", criteria=["meerdere_leefgebieden"], reason="Complex")
    assert case.phase == "aanpak.plan"
    login(w["regisseur"])
    plan_url = f"/casussen/{case.id}/plan"
    assert auth.post(f"{plan_url}/doelen", {"doel-description": "De overlast stopt"}).status_code == 302
    due = (today() + timedelta(days=14)).isoformat()
    response = auth.post(f"{plan_url}/acties", {"actie-description": "Huisbezoek afleggen", "actie-due_on": due,
                                                "actie-owner_organisation_id": w["corporatie"].id}, form_url=plan_url)
    assert response.status_code == 302
    overview = text(client.get(f"/casussen/{case.id}"))
    assert "Het plan moet eerst in een casusoverleg besproken zijn." in overview
    db.session.refresh(case)
    assert auth.post(f"/casussen/{case.id}/plan-besproken", {"discussed_on": today().isoformat(),
                                                              "version": case.version},
                     form_url=f"/casussen/{case.id}").status_code == 302
    db.session.refresh(case)
    response = _transition(auth, case, "adopt_plan", reason="Vastgesteld in het casusoverleg")
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.phase == "aanpak.uitvoering"
    auth.logout()

    login(w["huurbeheer"])
    action = db.session.execute(sa.select(Action).where(Action.case_id == case.id)).scalar_one()
    response = auth.post(f"{plan_url}/acties/{action.id}/voortgang",
                         {"text": "Bezoek afgelegd, afspraken gemaakt", "status": "gereed", "version": action.version},
                         form_url=plan_url)
    assert response.status_code == 302
    auth.logout()

    login(w["regisseur"])
    db.session.refresh(case)
    assert auth.post(f"/casussen/{case.id}/evaluatie", {"evaluation": "Rust is teruggekeerd",
                                                        "version": case.version},
                     form_url=f"/casussen/{case.id}").status_code == 302
    db.session.refresh(case)
    assert _transition(auth, case, "step_down", reason="Doelen bereikt").status_code == 302
    db.session.refresh(case)
    assert case.phase == "nazorg"
    overview = text(client.get(f"/casussen/{case.id}"))
    assert "De nazorgperiode loopt nog" in overview  # close is blocked for the procesregisseur for now
    case.nazorg_started_on = today() - timedelta(days=400)
    db.session.flush()
    db.session.refresh(case)
    response = _transition(auth, case, "close", reason="Nazorg afgerond", result="doel_bereikt")
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.phase == "afgesloten" and case.result == "doel_bereikt"
    logs = db.session.execute(sa.select(TransitionLog).where(TransitionLog.case_id == case.id)
                              .order_by(TransitionLog.id)).scalars().all()
    assert [(log.trigger, log.allowed, log.reason) for log in logs][-3:] == [
        ("adopt_plan", True, "Vastgesteld in het casusoverleg"), ("step_down", True, "Doelen bereikt"),
        ("close", True, "Nazorg afgerond")]
    assert "Nazorg afgerond" in text(client.get(f"/casussen/{case.id}/tijdlijn"))


def test_a_refused_transition_shows_the_guard_messages_and_changes_nothing(client, db, world, auth, login):
    login(world["regisseur"])
    case = world["case"]
    version = case.version
    response = _transition(auth, case, "step_down", reason="Klaar")
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Schrijf eerst de evaluatie." in page
    db.session.refresh(case)
    assert case.phase == "aanpak.uitvoering" and case.version == version
    log = db.session.execute(sa.select(TransitionLog).where(TransitionLog.case_id == case.id)).scalar_one()
    assert not log.allowed and "needs_evaluation" in log.failure_codes


def test_a_stale_version_changes_nothing(client, db, world, auth, login):
    login(world["regisseur"])
    case = world["case"]
    case.evaluation = "Geëvalueerd"
    db.session.flush()
    db.session.refresh(case)
    response = auth.post(f"/casussen/{case.id}/overgang",
                         {"trigger": "step_down", "reason": "Klaar voor nazorg", "version": case.version - 1},
                         form_url=f"/casussen/{case.id}")
    assert response.status_code == 409
    page = text(response)
    assert "Iemand anders heeft dit intussen gewijzigd" in page and "Geëvalueerd" in page
    assert "Klaar voor nazorg" in page  # the user's reason kept, the form carrying the version stored now
    assert f'name="version" value="{case.version}"' in page
    missing = auth.post(f"/casussen/{case.id}/overgang", {"trigger": "step_down", "reason": "Klaar"},
                        form_url=f"/casussen/{case.id}")
    assert missing.status_code == 400 and "mist de versie" in text(missing)
    db.session.refresh(case)
    assert case.phase == "aanpak.uitvoering"
    assert db.session.execute(sa.select(sa.func.count(TransitionLog.id))).scalar_one() == 0


def test_early_closure_needs_a_second_supervisor(client, db, world, auth, login):
    from casus.approvals.models import Approval

    login(world["regisseur"])
    case = world["case"]
    page = text(client.get(f"/casussen/{case.id}"))
    assert "Vroegtijdig afsluiten aanvragen" in page
    response = auth.post(f"/casussen/{case.id}/vroegtijdig-afsluiten",
                         {"reason": "Betrokkene verhuisd", "result": "verhuisd"}, form_url=f"/casussen/{case.id}")
    assert response.status_code == 302
    approval = db.session.execute(sa.select(Approval).where(Approval.case_id == case.id)).scalar_one()
    page = text(client.get(f"/casussen/{case.id}"))
    assert "Vroegtijdig afsluiten aanvragen" not in page  # one pending request at a time
    assert f"/akkoorden/{approval.id}" in page and "Betrokkene verhuisd" in page
    auth.logout()
    login(world["supervisor"])
    page = text(client.get(f"/casussen/{case.id}"))
    assert "Rosa Regisseur vraagt akkoord voor: Vroegtijdig afsluiten" in page and f"/akkoorden/{approval.id}" in page
    response = auth.post(f"/akkoorden/{approval.id}/besluit", {"decision": "approve", "version": approval.version},
                         form_url=f"/akkoorden/{approval.id}")
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.phase == "afgesloten" and case.result == "verhuisd"


def test_a_partner_sees_neither_pending_requests_nor_the_request_forms(client, db, world, auth, login):
    from casus.approvals.case_requests import request_early_closure

    request_early_closure(world["regisseur"], world["case"], reason="Betrokkene verhuisd", result="verhuisd")
    login(world["agent"])
    page = text(client.get(f"/casussen/{world['case'].id}"))
    assert "vraagt akkoord" not in page and "Betrokkene verhuisd" not in page
    assert "Vroegtijdig afsluiten aanvragen" not in page
    response = auth.post(f"/casussen/{world['case'].id}/vroegtijdig-afsluiten",
                         {"reason": "Nogmaals", "result": "verhuisd"}, form_url=f"/casussen/{world['case'].id}")
    assert response.status_code == 403


def test_overview_shows_the_case_facts(client, world, login):
    login(world["agent"])
    page = text(client.get(f"/casussen/{world['case'].id}"))
    for expected in ("Overlast Dorpsstraat", "Aanpak: uitvoering", "Operationeel", "Woonoverlast", "Voorbeeldstad",
                     "Rosa Regisseur", "Politie Eenheid", "Convenant Zorg- en Veiligheidshuis"):
        assert expected in page, expected


def _grow(app, db, world, case, n):
    """Give ``case`` n notes, n timeline lines, n participations."""
    from casus.organisations.models import Organisation

    with app.test_request_context():
        for i in range(n):
            organisation = Organisation(name=f"Extra partner {case.id}-{i}", kind=OrganisationKind.GGZ,
                                        convenant_partner=True)
            db.session.add(organisation)
            db.session.flush()
            cases.invite_organisation(world["regisseur"], case, organisation_id=organisation.id, role="deelnemer",
                                      legal_basis="convenant")
            cases.add_note(world["agent"], case, text=f"Notitie {i}", visibility="alle_deelnemers")
            cases.add_note(world["agent"], case, text=f"Genoemd {i}", visibility="genoemde_organisaties",
                           organisation_ids=[organisation.id])
            plans.add_goal(world["regisseur"], case, description=f"Doel {i}")


@pytest.mark.parametrize("tab", ["", "/partners", "/notities", "/tijdlijn", "/betrokkenen"])
def test_case_tabs_cost_the_same_number_of_queries_with_1_and_20_items(app, client, db, world, login, make_case,
                                                                      make_subject, count_queries, tab):
    small = make_case(team=world["team"], partners=[world["politie"]], phase="aanpak.uitvoering",
                      procesregisseur=world["regisseur"], subjects=[make_subject()])
    large = make_case(team=world["team"], partners=[world["politie"]], phase="aanpak.uitvoering",
                      procesregisseur=world["regisseur"], subjects=[make_subject(bsn=None) for _ in range(20)])
    _grow(app, db, world, small, 1)
    _grow(app, db, world, large, 20)
    login(world["agent"])
    counts = []
    for case in (small, large):
        client.get(f"/casussen/{case.id}{tab}")  # warm up
        with count_queries() as counter:
            assert client.get(f"/casussen/{case.id}{tab}").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_case_is_audited_on_every_view(client, db, world, login):
    login(world["agent"])
    client.get(f"/casussen/{world['case'].id}")
    events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "case.view",
                                                            AuditEvent.case_id == world["case"].id)).scalars().all()
    assert len(events) == 1 and events[0].user_id == world["agent"].id
