"""/api/v1/cases/{id}/subjects: list, add (matching known subjects), correct with the subject's version, unlink (never
the last); partners read but do not write; problems as problem+json naming the field; a beperking answers 423."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from casus.audit.models import AuditEvent
from casus.cases.models import CaseSubject
from casus.organisations.models import OrganisationKind
from casus.subject_requests.models import SubjectCorrection, SubjectRestriction
from casus.subjects.lookup import FoundAddress
from casus.subjects.models import Subject
from casus.timeline.models import TimelineEvent

from support import ok


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case, make_subject):
    zvh = make_organisation(name="Zorg- en Veiligheidshuis", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, gemeente="Voorbeeldstad")
    politie = make_organisation(name="Politie Eenheid", kind=OrganisationKind.POLITIE)
    w = {
        "regisseur": make_user("procesregisseur", organisation=zvh, team=team, name="Rosa Regisseur"),
        "agent": make_user("partner", organisation=politie, name="Anton Agent"),
        "elders": make_user("procesregisseur", organisation=zvh, team=make_team(organisation=zvh), name="Erik"),
        "privacy": make_user("privacy", organisation=zvh, name="Petra Privacy"),
        "jan": make_subject(name="Jan de Vries", bsn="111222333"),
        "piet": make_subject(name="Piet Pietersen"),
    }
    w["case"] = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering",
                          procesregisseur=w["regisseur"], subjects=[w["jan"], w["piet"]])
    return w


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


def path(world, subject=None) -> str:
    base = f"/cases/{world['case'].id}/subjects"
    return f"{base}/{subject.id}" if subject is not None else base


def linked(db, case) -> set[int]:
    return set(db.session.scalars(sa.select(CaseSubject.subject_id).where(CaseSubject.case_id == case.id)))


def test_the_list_shows_the_subjects_with_only_the_end_of_a_bsn(db, world, api):
    for someone in (world["regisseur"], world["agent"]):
        body = ok(api(someone, "GET", path(world)))
        by_name = {item["name"]: item for item in body}
        assert set(by_name) == {"Jan de Vries", "Piet Pietersen"}
        assert by_name["Jan de Vries"]["bsnEnding"] == "333" and "111222333" not in str(body)
        assert by_name["Piet Pietersen"]["bsnEnding"] is None and by_name["Jan de Vries"]["version"] == 1
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "subject.view")) == 2
    problem(api(world["elders"], "GET", path(world)), 404)


def test_a_person_is_added_and_a_known_one_matched(db, world, api, make_subject):
    body = ok(api(world["regisseur"], "POST", path(world), json={
        "kind": "persoon", "name": "Sanne de Vries", "dateOfBirth": "2010-03-01", "bsn": "123456782",
        "postcode": "1234 ab", "huisnummer": 12, "straat": "Dorpsstraat", "woonplaats": "Utrecht"}), 201)
    assert (body["name"], body["postcode"], body["straat"], body["matched"]) == ("Sanne de Vries", "1234AB",
                                                                                "Dorpsstraat", False)
    assert body["caseVersion"] == 2
    known = make_subject(kind="bedrijf", name="Shoarma B.V.", kvk_nummer="12345678")
    body = ok(api(world["regisseur"], "POST", path(world), json={"kind": "bedrijf", "name": "Shoarma BV",
                                                                 "kvkNummer": "12345678"}), 201)
    assert body["id"] == known.id and body["matched"] is True
    body = ok(api(world["regisseur"], "POST", path(world), json={"kind": "huishouden", "name": "Huishouden De Vries"}),
              201)
    assert body["kind"] == "huishouden"
    assert len(linked(db, world["case"])) == 5


def test_adding_names_every_wrong_field(db, world, api):
    body = problem(api(world["regisseur"], "POST", path(world), json={"kind": "persoon", "bsn": "123456789"}), 400)
    names = {param["name"] for param in body["invalidParams"]}
    assert {"name", "bsn"} <= names
    problem(api(world["regisseur"], "POST", path(world), json={"kind": "dier", "name": "Bello"}), 400)
    problem(api(world["regisseur"], "POST", path(world), json={"kind": "groep", "name": "X", "extra": 1}), 400)
    body = problem(api(world["regisseur"], "POST", path(world), json={"kind": "persoon", "name": "Jan de Vries",
                                                                      "bsn": "111222333"}), 400)
    assert "hoort al bij de casus" in body["detail"]


def test_a_missing_street_is_looked_up_and_a_failing_lookup_stops_nothing(db, world, api, monkeypatch):
    from casus.cases import case_subjects

    asked = []

    def found(postcode, huisnummer, toevoeging):
        asked.append((postcode, huisnummer))
        return FoundAddress(straat="Stationsplein", woonplaats="Utrecht")

    monkeypatch.setattr(case_subjects, "find_address", found)
    body = ok(api(world["regisseur"], "POST", path(world), json={"kind": "adres", "postcode": "3511 CE",
                                                                 "huisnummer": 1}), 201)
    assert (body["straat"], body["woonplaats"], asked) == ("Stationsplein", "Utrecht", [("3511CE", 1)])

    def broken(*_args):
        raise TimeoutError("no answer")

    monkeypatch.setattr(case_subjects, "find_address", broken)
    body = ok(api(world["regisseur"], "POST", path(world), json={"kind": "adres", "postcode": "3511 CE",
                                                                 "huisnummer": 2, "woonplaats": "Utrecht"}), 201)
    assert (body["straat"], body["woonplaats"]) == (None, "Utrecht")


def test_a_correction_needs_the_version_and_keeps_the_old_value_for_the_privacy_officer(db, world, api):
    jan = world["jan"]
    body = ok(api(world["regisseur"], "PATCH", path(world, jan), json={"version": 1, "name": "Jan Jansen",
                                                                       "dateOfBirth": "1980-05-04"}))
    assert body["name"] == "Jan Jansen" and body["version"] == 2
    assert body["correctedFields"] == ["name", "dateOfBirth"]
    stale = problem(api(world["regisseur"], "PATCH", path(world, jan), json={"version": 1, "name": "Te laat"}), 409)
    assert stale["currentVersion"] == 2
    problem(api(world["regisseur"], "PATCH", path(world, jan), json={"name": "Zonder versie"}), 400)
    assert db.session.scalars(sa.select(SubjectCorrection.old_value).order_by(SubjectCorrection.field)).all() == [
        None, "Jan de Vries"]
    summary = db.session.scalar(sa.select(TimelineEvent.summary).where(TimelineEvent.kind == "subject.corrected"))
    assert summary == "Naam en geboortedatum van een betrokkene gecorrigeerd"


def test_a_correction_is_checked_like_a_new_subject(db, world, api, make_subject):
    make_subject(name="Iemand Anders", bsn="123456782")
    piet = world["piet"]
    for change, name in (({"bsn": "123456789"}, "bsn"), ({"bsn": "123456782"}, "bsn"), ({"name": ""}, "name"),
                         ({"kvkNummer": "12345678"}, "kvkNummer"), ({"straat": "Alleen een straat"}, "postcode")):
        body = problem(api(world["regisseur"], "PATCH", path(world, piet), json={"version": 1, **change}), 400)
        assert body["invalidParams"][0]["name"] == name, change
    body = problem(api(world["regisseur"], "PATCH", path(world, piet), json={"version": 1, "name": "Piet Pietersen"}),
                   400)
    assert "niets gewijzigd" in body["detail"]


def test_unlinking_keeps_the_last_subject(db, world, api):
    case = world["case"]
    assert api(world["regisseur"], "DELETE", path(world, world["piet"])).status_code == 204
    assert linked(db, case) == {world["jan"].id}
    body = problem(api(world["regisseur"], "DELETE", path(world, world["jan"])), 409)
    assert "minstens één betrokkene" in body["detail"]
    problem(api(world["regisseur"], "DELETE", path(world, world["piet"])), 404)
    db.session.refresh(case)
    problem(api(world["regisseur"], "DELETE", path(world, world["jan"]) + f"?version={case.version + 1}"), 409)


def test_partners_read_but_do_not_write_and_strangers_see_nothing(db, world, api):
    jan = world["jan"]
    problem(api(world["agent"], "POST", path(world), json={"kind": "groep", "name": "Van de politie"}), 403)
    problem(api(world["agent"], "PATCH", path(world, jan), json={"version": 1, "name": "Van de politie"}), 403)
    problem(api(world["agent"], "DELETE", path(world, world["piet"])), 403)
    problem(api(world["elders"], "PATCH", path(world, jan), json={"version": 1, "name": "Van elders"}), 404)
    db.session.refresh(jan)
    assert jan.name == "Jan de Vries" and len(linked(db, world["case"])) == 2
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.outcome == "denied")) >= 4


def test_a_beperking_answers_423_and_changes_nothing(db, world, api):
    db.session.add(SubjectRestriction(subject_id=world["jan"].id, reason="Betwist", placed_by_id=world["privacy"].id))
    db.session.flush()
    piet = world["piet"]
    problem(api(world["regisseur"], "PATCH", path(world, piet), json={"version": 1, "name": "Piet Anders"}), 423)
    problem(api(world["regisseur"], "DELETE", path(world, piet)), 423)
    problem(api(world["regisseur"], "POST", path(world), json={"kind": "groep", "name": "Nieuw"}), 423)
    db.session.expire_all()
    assert db.session.get(Subject, piet.id).name == "Piet Pietersen" and len(linked(db, world["case"])) == 2
    assert db.session.scalar(sa.select(Subject).where(Subject.name == "Nieuw")) is None
