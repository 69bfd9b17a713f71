"""The Betrokkenen tab: adding (matching known subjects), correcting and unlinking the subjects of a case, with
stale versions, the BSN 11-proef and collisions, the last subject, a beperking, audit, timeline and query counts."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.cases.models import CaseSubject
from casus.organisations.models import OrganisationKind
from casus.subject_requests.models import SubjectCorrection, SubjectRestriction
from casus.subjects.models import Subject
from casus.timeline.models import TimelineEvent

from support import csrf_from


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case, make_subject):
    zvh = make_organisation(name="Zorg- en Veiligheidshuis", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, gemeente="Voorbeeldstad")
    politie = make_organisation(name="Politie Eenheid", kind=OrganisationKind.POLITIE)

    def user(*roles, **fields):
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    w = {
        "regisseur": user("procesregisseur", organisation=zvh, team=team, name="Rosa Regisseur"),
        "agent": user("partner", organisation=politie, name="Anton Agent"),
        "privacy": user("privacy", organisation=zvh, name="Petra Privacy"),
        "jan": make_subject(name="Jan de Vries", bsn="111222333"),
        "piet": make_subject(name="Piet Pietersen"),
    }
    w["case"] = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering",
                          procesregisseur=w["regisseur"], subjects=[w["jan"], w["piet"]])
    w["other_case"] = make_case(team=make_team(organisation=zvh, gemeente="Elders"), partners=[zvh],
                                phase="triage", subjects=[w["jan"]])
    return w


def text(response) -> str:
    return response.get_data(as_text=True)


def tab(client, case):
    return client.get(f"/casussen/{case.id}/betrokkenen")


def add(client, db, case, **fields):
    page = tab(client, case)
    db.session.refresh(case)
    return client.post(f"/casussen/{case.id}/betrokkenen", data={
        "csrf_token": csrf_from(page), "version": case.version, **fields})


def correct(client, subject, case, **fields):
    url = f"/casussen/{case.id}/betrokkenen/{subject.id}/corrigeren"
    page = client.get(url)
    assert page.status_code == 200, text(page)
    version = re.search(r'name="version" value="(\d+)"', text(page)).group(1)
    values = dict(re.findall(r'<input [^>]*name="(\w+)" [^>]*value="([^"]*)"', text(page)))
    return client.post(url, data={**values, "csrf_token": csrf_from(page), "version": version, **fields})


def lines(db, case, kind: str) -> list[str]:
    return list(db.session.scalars(sa.select(TimelineEvent.summary).where(
        TimelineEvent.case_id == case.id, TimelineEvent.kind == kind).order_by(TimelineEvent.id)))


def linked_ids(db, case) -> set[int]:
    return set(db.session.scalars(sa.select(CaseSubject.subject_id).where(CaseSubject.case_id == case.id)))


# --- adding -------------------------------------------------------------------------------------------------------

def test_a_person_with_an_address_is_added_audited_and_on_the_timeline(client, db, world, login):
    case = world["case"]
    login(world["regisseur"])
    response = add(client, db, case, kind="persoon", name="  Sanne   de Vries ", date_of_birth="01-03-2010",
                   bsn="123456782", postcode="1234ab", huisnummer="12", toevoeging="a", straat=" Dorpsstraat ",
                   woonplaats="Utrecht")
    assert response.status_code == 302, text(response)
    sanne = db.session.scalar(sa.select(Subject).where(Subject.name == "Sanne de Vries"))
    assert (sanne.bsn, sanne.postcode, sanne.huisnummer, sanne.toevoeging, sanne.straat, sanne.woonplaats) == (
        "123456782", "1234AB", 12, "A", "Dorpsstraat", "Utrecht")
    assert sanne.id in linked_ids(db, case)
    assert lines(db, case, "subject.added") == ["Betrokkene toegevoegd (persoon)"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "case.subject_added"))
    assert event.object_id == str(sanne.id) and event.details == {"kind": "persoon", "matched": False}
    assert "Sanne" not in text(client.get(f"/casussen/{case.id}/tijdlijn")).split("Betrokkene toegevoegd")[0][-200:]


def test_a_known_subject_is_matched_not_made_twice(client, db, world, login, make_subject):
    known = make_subject(name="Karel Bekend", bsn="123456782")
    login(world["regisseur"])
    response = add(client, db, world["case"], kind="persoon", name="Karel Bekend", bsn="123456782")
    assert response.status_code == 302
    assert known.id in linked_ids(db, world["case"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Subject).where(Subject.bsn == "123456782")) == 1
    assert "was al bekend" in text(tab(client, world["case"]))


def test_a_household_a_group_an_address_and_a_business_are_added(client, db, world, login):
    case = world["case"]
    login(world["regisseur"])
    for fields in ({"kind": "huishouden", "name": "Huishouden De Vries"}, {"kind": "groep", "name": "Jongeren Plein"},
                   {"kind": "adres", "postcode": "1234 AB", "huisnummer": "7"},
                   {"kind": "bedrijf", "name": "Shoarma B.V.", "kvk_nummer": "12345678"}):
        assert add(client, db, case, **fields).status_code == 302, fields
    kinds = set(db.session.scalars(sa.select(Subject.kind).join(CaseSubject, CaseSubject.subject_id == Subject.id)
                                   .where(CaseSubject.case_id == case.id)))
    assert {"huishouden", "groep", "adres", "bedrijf"} <= {str(kind) for kind in kinds}
    body = text(tab(client, case))
    assert "Huishouden De Vries" in body and "Jongeren Plein" in body and "Shoarma B.V." in body


def test_a_sixth_youth_joins_a_group_case(client, db, world, login, make_case, make_subject):
    youths = [make_subject(name=f"Jongere {number}") for number in range(1, 6)]
    group = make_subject(kind="groep", name="Jongeren Stationsplein")
    case = make_case(team=world["case"].team, partners=[world["case"].team.organisation], phase="aanpak.plan",
                     procesregisseur=world["regisseur"], subjects=[group, *youths])
    login(world["regisseur"])
    assert add(client, db, case, kind="persoon", name="Jongere 6", date_of_birth="12-05-2009").status_code == 302
    assert len(linked_ids(db, case)) == 7
    assert "Jongere 6" in text(tab(client, case))


def test_a_wrong_bsn_stands_next_to_its_field(client, db, world, login):
    login(world["regisseur"])
    response = add(client, db, world["case"], kind="persoon", name="Fout Nummer", bsn="123456789")
    assert response.status_code == 400
    body = text(response)
    assert "Dit BSN klopt niet (de elfproef faalt)." in body
    assert re.search(r'id="bsn-error"', body) and 'value="Fout Nummer"' in body
    assert db.session.scalar(sa.select(Subject).where(Subject.name == "Fout Nummer")) is None


def test_a_subject_already_linked_is_refused(client, db, world, login):
    login(world["regisseur"])
    response = add(client, db, world["case"], kind="persoon", name="Jan de Vries", bsn="111222333")
    assert response.status_code == 400 and "Deze betrokkene hoort al bij de casus." in text(response)


def test_a_stale_add_form_is_refused(client, db, world, login):
    case = world["case"]
    login(world["regisseur"])
    page = tab(client, case)
    response = client.post(f"/casussen/{case.id}/betrokkenen", data={
        "csrf_token": csrf_from(page), "version": case.version + 3, "kind": "groep", "name": "Te laat"})
    assert response.status_code == 409 and "Iemand anders heeft dit intussen gewijzigd" in text(response)
    assert db.session.scalar(sa.select(Subject).where(Subject.name == "Te laat")) is None


# --- correcting ---------------------------------------------------------------------------------------------------

def test_a_name_and_bsn_correction_keeps_the_old_values_for_the_privacy_officer_only(client, db, world, login):
    jan, case = world["jan"], world["case"]
    login(world["regisseur"])
    response = correct(client, jan, case, name="Jan de Vries-Jansen", bsn="123456782")
    assert response.status_code == 302, text(response)
    db.session.refresh(jan)
    assert (jan.name, jan.name_key, jan.bsn, jan.version) == ("Jan de Vries-Jansen", "jan de vries-jansen",
                                                              "123456782", 2)
    corrections = db.session.scalars(sa.select(SubjectCorrection).order_by(SubjectCorrection.field)).all()
    assert [(c.field, c.old_value, c.new_value, c.request_id) for c in corrections] == [
        ("bsn", "111222333", "123456782", None), ("name", "Jan de Vries", "Jan de Vries-Jansen", None)]
    assert lines(db, case, "subject.corrected") == ["Naam en BSN van een betrokkene gecorrigeerd"]
    # The subject's other case learns that it changed, not by whom.
    other = db.session.scalar(sa.select(TimelineEvent).where(TimelineEvent.case_id == world["other_case"].id))
    assert other.summary == "Naam en BSN van een betrokkene gecorrigeerd" and other.actor_id is None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "subject.corrected"))
    assert event.details == {"fields": ["name", "bsn"]} and event.object_id == str(jan.id)
    everything = " ".join(str(e.details) for e in db.session.scalars(sa.select(AuditEvent)))
    assert "111222333" not in everything and "Jansen" not in everything


def test_a_bsn_of_another_subject_and_a_wrong_bsn_are_refused_next_to_the_field(client, db, world, login,
                                                                               make_subject):
    make_subject(name="Iemand Anders", bsn="123456782")
    login(world["regisseur"])
    response = correct(client, world["piet"], world["case"], bsn="123456782")
    assert response.status_code == 400
    assert "Dit BSN hoort al bij een andere betrokkene." in text(response) and 'id="bsn-error"' in text(response)
    response = correct(client, world["piet"], world["case"], bsn="123456789")
    assert response.status_code == 400 and "de elfproef faalt" in text(response)
    db.session.refresh(world["piet"])
    assert world["piet"].bsn is None and db.session.scalar(sa.select(sa.func.count(SubjectCorrection.id))) == 0


def test_a_stale_correction_is_refused_with_409_and_shows_what_is_stored(client, db, world, login):
    jan, case = world["jan"], world["case"]
    login(world["regisseur"])
    url = f"/casussen/{case.id}/betrokkenen/{jan.id}/corrigeren"
    page = client.get(url)
    jan.name = "Jan Anders"
    db.session.flush()
    response = client.post(url, data={"csrf_token": csrf_from(page), "version": 1, "name": "Mijn correctie",
                                      "bsn": "111222333"})
    assert response.status_code == 409
    body = text(response)
    assert "Iemand anders heeft dit intussen gewijzigd" in body and "Jan Anders" in body
    assert 'value="Mijn correctie"' in body and f'name="version" value="{jan.version}"' in body
    db.session.refresh(jan)
    assert jan.name == "Jan Anders"


def test_a_partner_cannot_correct_add_or_unlink(client, db, world, login):
    case, jan = world["case"], world["jan"]
    login(world["agent"])
    body = text(tab(client, case))
    assert "Betrokkene toevoegen" not in body and "Ontkoppelen" not in body and "Corrigeren" not in body
    token = csrf_from(client.get("/"))
    assert client.get(f"/casussen/{case.id}/betrokkenen/{jan.id}/corrigeren").status_code == 403
    for url in (f"/casussen/{case.id}/betrokkenen", f"/casussen/{case.id}/betrokkenen/{jan.id}/ontkoppelen",
                f"/casussen/{case.id}/betrokkenen/{jan.id}/corrigeren"):
        response = client.post(url, data={"csrf_token": token, "version": case.version, "kind": "groep",
                                          "name": "Van de politie"})
        assert response.status_code == 403, url
    assert linked_ids(db, case) == {jan.id, world["piet"].id}


def test_a_subject_of_another_case_is_not_found_here(client, db, world, login, make_subject):
    stranger = make_subject(name="Niet Hier")
    login(world["regisseur"])
    assert client.get(f"/casussen/{world['case'].id}/betrokkenen/{stranger.id}/corrigeren").status_code == 404


# --- unlinking ----------------------------------------------------------------------------------------------------

def test_unlinking_removes_the_link_and_the_last_subject_stays(client, db, world, login):
    case, jan, piet = world["case"], world["jan"], world["piet"]
    login(world["regisseur"])
    page = tab(client, case)
    db.session.refresh(case)
    response = client.post(f"/casussen/{case.id}/betrokkenen/{piet.id}/ontkoppelen",
                           data={"csrf_token": csrf_from(page), "version": case.version})
    assert response.status_code == 302
    assert linked_ids(db, case) == {jan.id} and db.session.get(Subject, piet.id) is not None
    assert lines(db, case, "subject.unlinked") == ["Betrokkene ontkoppeld (persoon)"]
    assert db.session.scalar(sa.select(AuditEvent.object_id).where(AuditEvent.action == "case.subject_unlinked")) \
        == str(piet.id)
    body = text(tab(client, case))
    assert "Ontkoppelen" not in body and "minstens één betrokkene" in body
    db.session.refresh(case)
    response = client.post(f"/casussen/{case.id}/betrokkenen/{jan.id}/ontkoppelen",
                           data={"csrf_token": csrf_from(client.get("/")), "version": case.version},
                           follow_redirects=True)
    assert "Een casus heeft minstens één betrokkene." in text(response)
    assert linked_ids(db, case) == {jan.id}


def test_a_stale_unlink_is_refused(client, db, world, login):
    case = world["case"]
    login(world["regisseur"])
    response = client.post(f"/casussen/{case.id}/betrokkenen/{world['piet'].id}/ontkoppelen",
                           data={"csrf_token": csrf_from(tab(client, case)), "version": case.version + 4})
    assert response.status_code == 409
    assert len(linked_ids(db, case)) == 2


# --- a beperking --------------------------------------------------------------------------------------------------

def test_a_restricted_subject_keeps_its_case_read_only(client, db, world, login):
    case, jan, piet = world["case"], world["jan"], world["piet"]
    db.session.add(SubjectRestriction(subject_id=jan.id, reason="Juistheid betwist", placed_by_id=world["privacy"].id))
    db.session.flush()
    login(world["regisseur"])
    response = correct(client, piet, case, name="Piet Anders")
    assert response.status_code == 423 and "beperkt (AVG art. 18)" in text(response)
    page = tab(client, case)
    db.session.refresh(case)
    response = client.post(f"/casussen/{case.id}/betrokkenen/{piet.id}/ontkoppelen",
                           data={"csrf_token": csrf_from(page), "version": case.version})
    assert response.status_code == 423
    response = add(client, db, case, kind="groep", name="Nieuwe groep")
    assert response.status_code == 423
    db.session.expire_all()
    assert db.session.get(Subject, piet.id).name == "Piet Pietersen"
    assert linked_ids(db, case) == {jan.id, piet.id}
    assert db.session.scalar(sa.select(Subject).where(Subject.name == "Nieuwe groep")) is None
    refused = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.outcome == "denied")).all()
    assert refused.count("case.change_restricted") == 3


def test_a_restricted_subject_is_not_linked_to_another_case(client, db, world, login, make_case, make_subject):
    held = make_subject(name="Hanna Beperkt", bsn="123456782")
    db.session.add(SubjectRestriction(subject_id=held.id, reason="Bezwaar", placed_by_id=world["privacy"].id))
    db.session.flush()
    login(world["regisseur"])
    response = add(client, db, world["case"], kind="persoon", name="Hanna Beperkt", bsn="123456782")
    assert response.status_code == 423
    assert held.id not in linked_ids(db, world["case"])


# --- the tab's cost -----------------------------------------------------------------------------------------------

def test_the_tab_costs_the_same_few_queries_for_few_or_many_subjects(client, db, world, login, make_subject,
                                                                    count_queries):
    case = world["case"]
    login(world["regisseur"])
    tab(client, case)
    with count_queries() as few:
        assert tab(client, case).status_code == 200
    for number in range(30):
        db.session.add(CaseSubject(case_id=case.id, subject_id=make_subject(name=f"Extra {number}").id))
    db.session.flush()
    with count_queries() as many:
        assert tab(client, case).status_code == 200
    assert many.count == few.count
    assert few.count <= 16


def test_the_privacy_officer_sees_a_case_work_correction_in_the_request_of_that_person(app, client, db, world,
                                                                                      login, auth):
    from datetime import timedelta

    from casus.clock import today
    from casus.subject_requests import search, services

    login(world["regisseur"])
    assert correct(client, world["jan"], world["case"], name="Jan de Vries-Jansen").status_code == 302
    auth.logout()
    with app.test_request_context():
        request = services.register_request(
            world["privacy"], kind="rectificatie", person=services.Identification(bsn="111222333"),
            identity_check="id_bewijs", identity_note=None, received_on=today() - timedelta(days=1),
            description="Wat is er over mij vastgelegd?")
        search.confirm(world["privacy"], request, world["jan"].id)
    db.session.flush()
    login(world["privacy"])
    page = text(client.get(f"/verzoeken/{request.id}"))
    assert "Jan de Vries-Jansen" in page and "Jan de Vries</td>" in page


def test_the_timeline_filters_the_betrokkenen_lines(client, db, world, login):
    case = world["case"]
    login(world["regisseur"])
    assert add(client, db, case, kind="groep", name="Jongeren Plein").status_code == 302
    filtered = text(client.get(f"/casussen/{case.id}/tijdlijn", query_string={"group": "betrokkenen"}))
    assert "Betrokkene toegevoegd (groep)" in filtered
    assert "Betrokkene toegevoegd" not in text(client.get(f"/casussen/{case.id}/tijdlijn",
                                                          query_string={"group": "notities"}))
