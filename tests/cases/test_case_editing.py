"""Correcting a case after it was opened: title, category, risk level, gemeente and procesregisseur, on the
"Bewerken" page and through PATCH /api/v1/cases/{id}; stale versions, partners, audit and timeline."""

from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.organisations.models import OrganisationKind
from casus.timeline.models import TimelineEvent

from support import csrf_from, ok


@pytest.fixture
def world(db, categories, make_organisation, make_team, make_user, make_case, make_subject):
    zvh = make_organisation(name="Zorg- en Veiligheidshuis", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, gemeente="Voorbeeldstad")
    politie = make_organisation(name="Politie Eenheid", kind=OrganisationKind.POLITIE)

    def user(*roles, **fields):
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    w = {
        "categories": categories,
        "regisseur": user("procesregisseur", organisation=zvh, team=team, name="Rosa Regisseur"),
        "tweede": user("procesregisseur", organisation=zvh, team=team, name="Tim Tweede"),
        "supervisor": user("supervisor", organisation=zvh, team=team, name="Sem Supervisor"),
        "agent": user("partner", organisation=politie, name="Anton Agent"),
        "elders": user("procesregisseur", organisation=zvh, team=make_team(organisation=zvh, gemeente="Elders"),
                       name="Erik Elders"),
    }
    w["case"] = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering",
                          procesregisseur=w["regisseur"], subjects=[make_subject(name="Jan de Vries")],
                          title="Overlast Dorpsstraat")
    return w


def text(response) -> str:
    return response.get_data(as_text=True)


def edit_form(client, case_id: int) -> tuple[str, dict]:
    page = client.get(f"/casussen/{case_id}/bewerken")
    assert page.status_code == 200, text(page)
    return csrf_from(page), page


def post_edit(client, case, **fields):
    token, _page = edit_form(client, case.id)
    data = {"csrf_token": token, "version": case.version, "title": case.title, "category_id": case.category_id,
            "risk_level": str(case.risk_level), "gemeente": case.gemeente,
            "procesregisseur_id": case.procesregisseur_id or "", **fields}
    return client.post(f"/casussen/{case.id}/bewerken", data=data)


def timeline_of(db, case) -> list[str]:
    return list(db.session.scalars(sa.select(TimelineEvent.summary).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == "case.edited").order_by(TimelineEvent.id)))


def edit_events(db) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "case.edited")
                                   .order_by(AuditEvent.id)))


def test_the_overview_offers_bewerken_to_the_team_only(client, world, login, auth):
    case_id = world["case"].id
    login(world["regisseur"])
    assert f"/casussen/{case_id}/bewerken" in text(client.get(f"/casussen/{case_id}"))
    auth.logout()
    login(world["agent"])
    assert f"/casussen/{case_id}/bewerken" not in text(client.get(f"/casussen/{case_id}"))


def test_every_field_is_edited_on_the_page_audited_by_name_and_on_the_timeline(client, db, world, login):
    case = world["case"]
    login(world["regisseur"])
    response = post_edit(client, case, title="Overlast Kerkstraat", category_id=world["categories"]["jeugd"].id,
                         risk_level="hoog", gemeente="Nieuwegein", procesregisseur_id=world["tweede"].id)
    assert response.status_code == 302, text(response)
    db.session.refresh(case)
    assert (case.title, case.category.code, str(case.risk_level), case.gemeente, case.procesregisseur_id) == (
        "Overlast Kerkstraat", "jeugd", "hoog", "Nieuwegein", world["tweede"].id)
    [line] = timeline_of(db, case)
    assert line.startswith("Titel, categorie, risiconiveau, gemeente en procesregisseur gewijzigd")
    assert "risiconiveau: Hoog" in line and "procesregisseur: Tim Tweede" in line
    assert "Dorpsstraat" not in line and "Kerkstraat" not in line and "Voorbeeldstad" not in line
    [event] = edit_events(db)
    assert event.details == {"fields": ["title", "category_id", "risk_level", "gemeente", "procesregisseur_id"]}
    assert "Kerkstraat" not in str(event.details) and event.case_id == case.id


def test_one_field_at_a_time_names_only_that_field(client, db, world, login):
    case = world["case"]
    login(world["supervisor"])
    assert post_edit(client, case, risk_level="laag").status_code == 302
    db.session.refresh(case)
    assert post_edit(client, case, title="Nieuwe titel").status_code == 302
    assert timeline_of(db, case) == ["Risiconiveau gewijzigd (risiconiveau: Laag)", "Titel gewijzigd"]
    assert [event.details["fields"] for event in edit_events(db)] == [["risk_level"], ["title"]]


def test_refusals_stand_next_to_their_field_and_change_nothing(client, db, world, login):
    case = world["case"]
    login(world["regisseur"])
    response = post_edit(client, case, title="   ")
    assert response.status_code == 400 and "Dit veld is verplicht." in text(response)
    response = post_edit(client, case, procesregisseur_id=world["elders"].id)
    assert response.status_code == 400 and "Kies een waarde uit de lijst." in text(response)
    response = post_edit(client, case)
    assert response.status_code == 200 and "Er is niets gewijzigd." in text(response)
    db.session.refresh(case)
    assert case.title == "Overlast Dorpsstraat" and edit_events(db) == []


def test_a_stale_page_is_refused_with_409_and_shows_what_is_stored(client, db, world, login):
    case = world["case"]
    login(world["regisseur"])
    token, _page = edit_form(client, case.id)
    stale_version = case.version
    case.title = "Door een ander gewijzigd"
    db.session.flush()
    response = client.post(f"/casussen/{case.id}/bewerken", data={
        "csrf_token": token, "version": stale_version, "title": "Mijn titel", "category_id": case.category_id,
        "risk_level": "midden", "gemeente": case.gemeente, "procesregisseur_id": case.procesregisseur_id})
    assert response.status_code == 409
    body = text(response)
    assert "Iemand anders heeft dit intussen gewijzigd" in body
    assert "Door een ander gewijzigd" in body and 'value="Mijn titel"' in body
    assert f'name="version" value="{case.version}"' in body
    db.session.refresh(case)
    assert case.title == "Door een ander gewijzigd"


def test_a_partner_is_refused_and_a_stranger_sees_nothing(client, db, world, login, auth):
    case = world["case"]
    login(world["agent"])
    assert client.get(f"/casussen/{case.id}/bewerken").status_code == 403
    token = csrf_from(client.get("/"))
    response = client.post(f"/casussen/{case.id}/bewerken", data={"csrf_token": token, "version": case.version,
                                                                 "title": "Van de politie"})
    assert response.status_code == 403
    auth.logout()
    login(world["elders"])
    assert client.get(f"/casussen/{case.id}/bewerken").status_code == 404
    db.session.refresh(case)
    assert case.title == "Overlast Dorpsstraat"
    denied = db.session.scalars(sa.select(AuditEvent.user_id).where(
        AuditEvent.action == "case.edited", AuditEvent.outcome == "denied")).all()
    assert world["agent"].id in denied


def test_a_closed_case_is_not_edited(client, db, world, login, make_case):
    closed = make_case(team=world["case"].team, phase="afgesloten", procesregisseur=world["regisseur"])
    login(world["regisseur"])
    assert f"/casussen/{closed.id}/bewerken" not in text(client.get(f"/casussen/{closed.id}"))
    response = post_edit(client, closed, title="Toch nog")
    assert "Een afgesloten casus kan niet meer worden gewijzigd." in text(response)


# --- the API ------------------------------------------------------------------------------------------------------

def test_the_api_edits_every_field(db, world, api):
    case = world["case"]
    body = ok(api(world["regisseur"], "PATCH", f"/cases/{case.id}", json={
        "version": case.version, "title": "Overlast Kerkstraat", "category": "jeugd", "riskLevel": "hoog",
        "gemeente": "Nieuwegein", "procesregisseurId": world["tweede"].id}))
    assert (body["title"], body["category"]["code"], body["riskLevel"], body["gemeente"]) == (
        "Overlast Kerkstraat", "jeugd", "hoog", "Nieuwegein")
    db.session.refresh(case)
    assert body["procesregisseur"]["id"] == world["tweede"].id and body["version"] == case.version
    body = ok(api(world["regisseur"], "PATCH", f"/cases/{case.id}",
                  json={"version": body["version"], "procesregisseurId": None}))
    assert body["procesregisseur"] is None
    assert [event.details["fields"] for event in edit_events(db)] == [
        ["title", "category_id", "risk_level", "gemeente", "procesregisseur_id"], ["procesregisseur_id"]]
    assert timeline_of(db, case)[-1] == "Procesregisseur gewijzigd (procesregisseur: niemand)"


def test_the_api_keeps_evaluation_working_alongside(db, world, api):
    case = world["case"]
    body = ok(api(world["regisseur"], "PATCH", f"/cases/{case.id}", json={
        "version": case.version, "riskLevel": "laag", "evaluation": "Goed verlopen"}))
    assert body["riskLevel"] == "laag" and body["evaluation"] == "Goed verlopen"


def test_the_api_names_the_wrong_field(db, world, api):
    case = world["case"]
    for change, name in (({"category": "bestaat_niet"}, "category"), ({"title": " "}, "title"),
                         ({"procesregisseurId": world["elders"].id}, "procesregisseurId")):
        response = api(world["regisseur"], "PATCH", f"/cases/{case.id}", json={"version": case.version, **change})
        assert response.status_code == 400, change
        assert response.mimetype == "application/problem+json"
        assert name in {param["name"] for param in response.get_json()["invalidParams"]}
    response = api(world["regisseur"], "PATCH", f"/cases/{case.id}", json={"version": case.version, "riskLevel": "x"})
    assert response.status_code == 400
    db.session.refresh(case)
    assert case.title == "Overlast Dorpsstraat" and edit_events(db) == []


def test_the_api_answers_409_with_the_stored_version_when_stale(db, world, api):
    case = world["case"]
    response = api(world["regisseur"], "PATCH", f"/cases/{case.id}", json={"version": case.version + 5,
                                                                           "title": "Te laat"})
    assert response.status_code == 409 and response.get_json()["currentVersion"] == case.version
    response = api(world["regisseur"], "PATCH", f"/cases/{case.id}", json={"title": "Zonder versie"})
    assert response.status_code == 400


def test_the_api_refuses_a_partner_and_hides_the_case_from_strangers(db, world, api):
    case = world["case"]
    assert api(world["agent"], "PATCH", f"/cases/{case.id}",
               json={"version": case.version, "title": "Van de politie"}).status_code == 403
    assert api(world["elders"], "PATCH", f"/cases/{case.id}",
               json={"version": case.version, "title": "Van elders"}).status_code == 404
    db.session.refresh(case)
    assert case.title == "Overlast Dorpsstraat"


def test_a_beperking_keeps_the_case_as_it_is(client, db, world, login, api, make_user):
    from casus.cases.models import CaseSubject
    from casus.subject_requests.models import SubjectRestriction

    case = world["case"]
    subject_id = db.session.scalar(sa.select(CaseSubject.subject_id).where(CaseSubject.case_id == case.id))
    privacy = make_user("privacy", organisation=world["regisseur"].organisation)
    db.session.add(SubjectRestriction(subject_id=subject_id, reason="Juistheid betwist", placed_by_id=privacy.id))
    db.session.flush()
    response = api(world["regisseur"], "PATCH", f"/cases/{case.id}", json={"version": case.version,
                                                                           "title": "Toch gewijzigd"})
    assert response.status_code == 423 and response.mimetype == "application/problem+json"
    login(world["regisseur"])
    response = post_edit(client, case, title="Via de pagina")
    assert response.status_code == 423 and "beperkt (AVG art. 18)" in text(response)
    db.session.expire_all()
    assert db.session.get(type(case), case.id).title == "Overlast Dorpsstraat" and edit_events(db) == []


def test_a_procesregisseur_no_longer_of_the_team_stays_while_other_fields_change(client, db, world, login, make_team):
    case, regisseur = world["case"], world["regisseur"]
    regisseur.team = make_team(organisation=regisseur.organisation, gemeente="Verhuisd")
    db.session.flush()
    login(world["supervisor"])
    assert post_edit(client, case, risk_level="hoog").status_code == 302
    db.session.refresh(case)
    assert case.procesregisseur_id == regisseur.id and str(case.risk_level) == "hoog"
