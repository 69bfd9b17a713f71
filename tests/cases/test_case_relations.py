"""Relations on the case file: the Betrokkenen tab's section (list, households with members, diagram, forms) and
/api/v1/cases/{id}/relations — who reads and who changes them, what is audited and what the tijdlijn says."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from support import csrf_from, ok


@pytest.fixture
def world(db, make_organisation, make_team, make_user, make_case, make_subject):
    """A team's case about the De Vries household (Jan, Sanne, the household, their address), with the police as
    partner; a person outside the case related to Jan; a GGZ user who takes no part."""
    import pyotp

    from casus.subjects.models import Subject

    team = make_team()
    regisseur = make_user("procesregisseur", organisation=team.organisation, team=team,
                          totp_secret=pyotp.random_base32())
    politie, ggz = make_organisation(name="Politie"), make_organisation(name="GGZ")
    huishouden = Subject(kind="huishouden", name="Huishouden De Vries", name_key="huishouden de vries")
    db.session.add(huishouden)
    db.session.flush()
    jan, sanne = make_subject("persoon", name="Jan de Vries"), make_subject("persoon", name="Sanne de Vries")
    adres = make_subject("adres", postcode="3511AB", huisnummer=12, straat="Dorpsstraat", woonplaats="Utrecht")
    case = make_case(team=team, partners=[politie], phase="aanpak.uitvoering", procesregisseur=regisseur,
                     subjects=[jan, sanne, huishouden, adres])
    return {"team": team, "regisseur": regisseur, "case": case, "jan": jan, "sanne": sanne,
            "huishouden": huishouden, "adres": adres, "buiten": make_subject("persoon", name="Piet Buiten"),
            "agent": make_user("partner", organisation=politie), "ggz": make_user("partner", organisation=ggz)}


def relation(db, source, kind, target, **dates):
    from casus.subjects.models import SubjectRelation

    row = SubjectRelation(subject_id=source.id, related_subject_id=target.id, kind=kind, **dates)
    db.session.add(row)
    db.session.flush()
    return row


def events(db, action: str):
    from casus.audit.models import AuditEvent

    return list(db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)).scalars())


def timeline(db, case) -> list[tuple[str, str]]:
    from casus.timeline.models import TimelineEvent

    return [(row.kind, row.summary) for row in db.session.execute(
        sa.select(TimelineEvent).where(TimelineEvent.case_id == case.id).order_by(TimelineEvent.id)).scalars()]


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- the Betrokkenen tab ----------------------------------------------------------------------------------

def test_the_tab_shows_households_relations_and_the_diagram(db, client, login, world):
    relation(db, world["jan"], "ouder_van", world["sanne"], start_on=date(2020, 3, 1))
    relation(db, world["jan"], "lid_van", world["huishouden"])
    relation(db, world["sanne"], "lid_van", world["huishouden"], end_on=date(2025, 6, 30))
    relation(db, world["buiten"], "partner_van", world["jan"])
    login(world["regisseur"])
    page = client.get(f"/casussen/{world['case'].id}/betrokkenen")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    text = text_of(html)
    assert "Jan de Vries — ouder van — Sanne de Vries, sinds 01-03-2020." in text
    assert "Piet Buiten — partner van — Jan de Vries." in text
    assert "Huishoudens en groepen" in text and "Huishouden De Vries" in text
    assert "Sanne de Vries, tot en met 30-06-2025" in text
    svg = re.search(r"<svg[^>]*>", html).group(0)
    ids = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
    assert 'role="img"' in svg and ids[0] == "relaties-diagram-titel"
    assert all(f'id="{name}"' in html for name in ids) and len(ids) == 5  # the title and every relation's text
    # The manager adds, ends and removes — but only relations between two subjects of the case.
    assert html.count("/verwijderen") == 3 and "Relatie vastleggen" in html
    (event,) = events(db, "subject.relations_view")
    assert event.case_id == world["case"].id and event.details["outside_subject_ids"] == [world["buiten"].id]


def test_a_partner_reads_the_relations_but_gets_no_forms(db, client, login_as, world):
    relation(db, world["jan"], "ouder_van", world["sanne"])
    user = login_as("partner", organisation=world["agent"].organisation)
    html = client.get(f"/casussen/{world['case'].id}/betrokkenen").get_data(as_text=True)
    assert "Jan de Vries — ouder van — Sanne de Vries" in text_of(html)
    assert "/verwijderen" not in html and "Relatie vastleggen" not in html
    token = csrf_from(client.get(f"/casussen/{world['case'].id}/betrokkenen"))
    refused = client.post(f"/casussen/{world['case'].id}/relaties", data={
        "csrf_token": token, "subject_id": world["jan"].id, "kind": "partner_van",
        "related_subject_id": world["sanne"].id})
    assert refused.status_code == 403
    assert client.get(f"/casussen/{world['case'].id}/relaties/nieuw").status_code == 403
    refusals = events(db, "subject.relation_added")  # the POST and the form's page
    assert len(refusals) == 2 and {(str(e.outcome.value), e.user_id) for e in refusals} == {("denied", user.id)}


def test_a_partner_does_not_see_whom_the_subjects_are_related_to_outside_the_case(db, client, login_as, world, api):
    relation(db, world["jan"], "ouder_van", world["sanne"])
    relation(db, world["buiten"], "partner_van", world["jan"])
    login_as("partner", organisation=world["agent"].organisation)
    html = text_of(client.get(f"/casussen/{world['case'].id}/betrokkenen").get_data(as_text=True))
    assert "Jan de Vries — ouder van — Sanne de Vries" in html and "Piet Buiten" not in html
    listed = ok(api(world["agent"], "GET", f"/cases/{world['case'].id}/relations"))
    assert [item["kind"] for item in listed] == ["ouder_van"]
    (event,) = events(db, "subject.relations_view")[-1:]
    assert event.details["outside_subject_ids"] == []


def test_someone_outside_the_case_sees_nothing(db, client, login_as, world):
    login_as("partner", organisation=world["ggz"].organisation)
    assert client.get(f"/casussen/{world['case'].id}/betrokkenen").status_code == 404
    assert client.get(f"/casussen/{world['case'].id}/relaties/nieuw").status_code == 404


def test_the_manager_adds_a_member_audited_and_on_the_tijdlijn_without_names(db, client, login, world):
    login(world["regisseur"])
    case = world["case"]
    form = client.get(f"/casussen/{case.id}/relaties/nieuw")
    assert form.status_code == 200 and "Relatie vastleggen" in form.get_data(as_text=True)
    saved = client.post(f"/casussen/{case.id}/relaties", data={
        "csrf_token": csrf_from(form), "subject_id": world["jan"].id, "kind": "lid_van",
        "related_subject_id": world["huishouden"].id, "start_on": "01-03-2020"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/casussen/{case.id}/betrokkenen#relaties")
    (event,) = events(db, "subject.relation_added")
    assert event.case_id == case.id and event.details == {
        "kind": "lid_van", "subject_id": world["jan"].id, "related_subject_id": world["huishouden"].id}
    assert ("relation.added", "Relatie vastgelegd: lid van") in timeline(db, case)
    html = client.get(f"/casussen/{case.id}/betrokkenen").get_data(as_text=True)
    assert "De relatie is vastgelegd." in html and "Jan de Vries, sinds 01-03-2020" in text_of(html)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kind": "lid_van", "subject": "jan", "related": "sanne"}, "kind", "alleen van een huishouden of groep"),
    ({"kind": "ouder_van", "subject": "jan", "related": "jan"}, "related_subject_id", "met zichzelf"),
    ({"kind": "ouder_van", "subject": "jan", "related": "buiten"}, "related_subject_id", "Kies een waarde uit"),
    ({"kind": "ouder_van", "subject": "jan", "related": "sanne", "start_on": "02-01-2020", "end_on": "01-01-2020"},
     "end_on", "voor de begindatum"),
    ({"kind": "ouder_van", "subject": "jan", "related": "sanne", "start_on": "31-02-2020"}, "start_on", "dd-mm-jjjj"),
    ({"kind": "", "subject": "jan", "related": "sanne"}, "kind", "Kies een soort relatie"),
])
def test_a_refused_relation_is_shown_next_to_its_field(db, client, login, world, data, field, message):
    login(world["regisseur"])
    case = world["case"]
    token = csrf_from(client.get(f"/casussen/{case.id}/relaties/nieuw"))
    answer = client.post(f"/casussen/{case.id}/relaties", data={
        "csrf_token": token, "subject_id": world[data["subject"]].id, "kind": data["kind"],
        "related_subject_id": world[data["related"]].id, "start_on": data.get("start_on", ""),
        "end_on": data.get("end_on", "")})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    error = re.search(rf'id="relatie-{field}-error">(.*?)</div>', html, re.S)
    assert error and message in error.group(1)
    assert events(db, "subject.relation_added") == [] and timeline(db, case) == []


def test_the_manager_ends_and_removes_a_relation(db, client, login, world):
    case = world["case"]
    row = relation(db, world["jan"], "partner_van", world["sanne"], start_on=date(2015, 1, 1))
    outside = relation(db, world["buiten"], "partner_van", world["jan"])
    login(world["regisseur"])
    tab = client.get(f"/casussen/{case.id}/betrokkenen")
    token = csrf_from(tab)
    assert re.search(rf'id="relatie-{row.id}-end_on"[^>]*value=""', tab.get_data(as_text=True))  # not ended: empty
    empty = client.post(f"/casussen/{case.id}/relaties/{row.id}/beeindigen", data={"csrf_token": token, "end_on": ""})
    assert empty.status_code == 400
    assert "Vul de datum in waarop de relatie is beëindigd." in empty.get_data(as_text=True)
    ended = client.post(f"/casussen/{case.id}/relaties/{row.id}/beeindigen",
                        data={"csrf_token": token, "end_on": "31-12-2024"})
    assert ended.status_code == 302
    db.session.refresh(row)
    assert row.end_on == date(2024, 12, 31)
    wrong = client.post(f"/casussen/{case.id}/relaties/{row.id}/beeindigen",
                        data={"csrf_token": token, "end_on": "01-01-2014"})
    assert wrong.status_code == 400 and "voor de begindatum" in wrong.get_data(as_text=True)
    removed = client.post(f"/casussen/{case.id}/relaties/{row.id}/verwijderen", data={"csrf_token": token})
    assert removed.status_code == 302
    assert [kind for kind, _summary in timeline(db, case)] == ["relation.ended", "relation.removed"]
    assert timeline(db, case)[0][1] == "Relatie beëindigd: partner van"
    assert [e.details["kind"] for e in events(db, "subject.relation_removed")] == ["partner_van"]
    # Gone, and a relation reaching outside the case is not changed from it.
    for target in (row.id, outside.id):
        assert client.post(f"/casussen/{case.id}/relaties/{target}/verwijderen",
                           data={"csrf_token": token}).status_code == 404


def test_a_restricted_case_refuses_relation_changes(db, client, login, world, monkeypatch):
    from casus.cases import relation_services

    monkeypatch.setattr(relation_services, "is_restricted", lambda case_id: True)
    login(world["regisseur"])
    case = world["case"]
    token = csrf_from(client.get(f"/casussen/{case.id}/relaties/nieuw"))
    answer = client.post(f"/casussen/{case.id}/relaties", data={
        "csrf_token": token, "subject_id": world["jan"].id, "kind": "ouder_van",
        "related_subject_id": world["sanne"].id})
    assert answer.status_code == 423 and "beperkt" in answer.get_data(as_text=True)


def test_the_tab_costs_the_same_queries_for_many_relations(db, client, login, world, make_subject, count_queries):
    from casus.cases.models import CaseSubject

    login(world["regisseur"])
    url = f"/casussen/{world['case'].id}/betrokkenen"

    def queries() -> int:
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = queries()
    for index in range(15):
        child = make_subject("persoon", name=f"Kind {index}")
        db.session.add(CaseSubject(case_id=world["case"].id, subject_id=child.id))
        relation(db, world["jan"], "ouder_van", child)
        relation(db, child, "lid_van", world["huishouden"])
    db.session.flush()
    assert queries() == few


# --- the API ----------------------------------------------------------------------------------------------

def test_api_lists_adds_ends_and_removes(db, api, world):
    case, regisseur = world["case"], world["regisseur"]
    relation(db, world["buiten"], "partner_van", world["jan"])
    created = ok(api(regisseur, "POST", f"/cases/{case.id}/relations", json={
        "subjectId": world["jan"].id, "relatedSubjectId": world["sanne"].id, "kind": "ouder_van",
        "startOn": "2020-03-01"}), 201)
    assert created["kind"] == "ouder_van" and created["kindLabel"] == "ouder van" and created["startOn"] == "2020-03-01"
    assert created["subject"] == {"id": world["jan"].id, "kind": "persoon", "name": "Jan de Vries"}
    assert created["endOn"] is None and created["editable"] is True
    listed = ok(api(regisseur, "GET", f"/cases/{case.id}/relations"))
    assert {(item["kind"], item["editable"]) for item in listed} == {("ouder_van", True), ("partner_van", False)}
    still_open = ok(api(regisseur, "PATCH", f"/cases/{case.id}/relations/{created['id']}", json={"endOn": None}), 400)
    assert still_open["invalidParams"][0]["name"] == "endOn"
    ended = ok(api(regisseur, "PATCH", f"/cases/{case.id}/relations/{created['id']}", json={"endOn": "2024-12-31"}))
    assert ended["endOn"] == "2024-12-31"
    cleared = ok(api(regisseur, "PATCH", f"/cases/{case.id}/relations/{created['id']}", json={"endOn": None}))
    assert cleared["endOn"] is None
    assert api(regisseur, "DELETE", f"/cases/{case.id}/relations/{created['id']}").status_code == 204
    assert [kind for kind, _ in timeline(db, case)] == ["relation.added", "relation.ended", "relation.ended",
                                                        "relation.removed"]
    assert timeline(db, case)[2][1] == "Einddatum van relatie verwijderd: ouder van"


def test_api_refusals_are_problems(db, api, world):
    case, regisseur = world["case"], world["regisseur"]
    url = f"/cases/{case.id}/relations"
    body = {"subjectId": world["jan"].id, "relatedSubjectId": world["sanne"].id, "kind": "ouder_van"}
    ok(api(regisseur, "POST", url, json=body), 201)
    duplicate = api(regisseur, "POST", url, json=body)
    assert duplicate.status_code == 409 and duplicate.mimetype == "application/problem+json"
    misfit = ok(api(regisseur, "POST", url, json={**body, "kind": "lid_van"}), 400)
    assert misfit["invalidParams"][0]["name"] == "kind"
    outside = ok(api(regisseur, "POST", url, json={**body, "relatedSubjectId": world["buiten"].id}), 400)
    assert outside["invalidParams"][0]["name"] == "relatedSubjectId"
    backwards = ok(api(regisseur, "POST", url, json={**body, "kind": "partner_van", "startOn": "2020-01-02",
                                                   "endOn": "2020-01-01"}), 400)
    assert backwards["invalidParams"][0]["name"] == "endOn"
    assert api(regisseur, "POST", url, json={**body, "extra": 1}).status_code == 400
    assert api(regisseur, "PATCH", f"{url}/999999", json={"endOn": None}).status_code == 404
    assert api(regisseur, "DELETE", f"{url}/999999").status_code == 404


def test_api_access_partner_reads_cannot_write_outsider_sees_nothing(db, api, world):
    case = world["case"]
    row = relation(db, world["jan"], "ouder_van", world["sanne"])
    url = f"/cases/{case.id}/relations"
    assert len(ok(api(world["agent"], "GET", url))) == 1
    body = {"subjectId": world["sanne"].id, "relatedSubjectId": world["jan"].id, "kind": "kind_van"}
    assert api(world["agent"], "POST", url, json=body).status_code == 403
    assert api(world["agent"], "PATCH", f"{url}/{row.id}", json={"endOn": "2024-01-01"}).status_code == 403
    assert api(world["agent"], "DELETE", f"{url}/{row.id}").status_code == 403
    for method, path, payload in (("GET", url, None), ("POST", url, body), ("DELETE", f"{url}/{row.id}", None)):
        assert api(world["ggz"], method, path, json=payload).status_code == 404
    assert {str(e.outcome.value) for e in events(db, "subject.relation_added")} == {"denied"}
    assert timeline(db, case) == []


def test_api_list_costs_the_same_queries_for_many_relations(db, api, world, make_subject, count_queries):
    from casus.cases.models import CaseSubject

    url = f"/cases/{world['case'].id}/relations"
    ok(api(world["agent"], "GET", url))  # the token is made and cached first

    def queries() -> int:
        with count_queries() as counter:
            ok(api(world["agent"], "GET", url))
        return counter.count

    few = queries()
    for index in range(15):
        child = make_subject("persoon", name=f"Kind {index}")
        db.session.add(CaseSubject(case_id=world["case"].id, subject_id=child.id))
        relation(db, world["sanne"], "ouder_van", child)
    db.session.flush()
    assert queries() == few
    assert len(ok(api(world["agent"], "GET", url))) == 15
