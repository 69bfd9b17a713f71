"""The voordracht pages: drafting with every error at once, the team's steps, the RIEC's answer, query counts."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from casus.voordrachten import services
from casus.voordrachten.models import Voordracht

from support import shown_case_ids


@pytest.fixture
def regisseur(login_as, world):
    return login_as("procesregisseur", organisation=world["zvh"], team=world["team"], name="Pim Regisseur")


def form_values(world, **overrides) -> dict:
    values = {"summary": "Drugslab achter de bakkerij.", "subject_ids": [str(world["subjects"][0].id)],
              "indicators": ["drugs"], "indicator_other": "", "legal_basis": "riec_convenant", "urgency": "hoog",
              "addressee_organisation_id": str(world["riec"].id)}
    return {**values, **overrides}


def flashes(response) -> str:
    return response.get_data(as_text=True)


def test_the_case_tab_lists_the_voordrachten_and_offers_a_new_one(client, regisseur, world, make_voordracht):
    voordracht = make_voordracht("concept")
    page = client.get(f"/voordrachten/casus/{world['case'].id}").get_data(as_text=True)
    assert f"RV-{voordracht.id}" in page and f'/voordrachten/casus/{world["case"].id}/nieuw' in page
    overview = client.get(f"/casussen/{world['case'].id}").get_data(as_text=True)
    assert f'href="/voordrachten/casus/{world["case"].id}"' in overview  # the RIEC tab, for the team


def test_drafting_shows_every_problem_at_once_then_saves_a_concept(client, auth, regisseur, world):
    url = f"/voordrachten/casus/{world['case'].id}/nieuw"
    form = client.get(url).get_data(as_text=True)
    assert "Nina Nietgedeeld" in form and " checked" not in form  # nothing shared unless chosen
    response = auth.post(url, {"summary": "", "indicators": ["overig"], "indicator_other": "", "legal_basis": "",
                               "urgency": "regulier", "addressee_organisation_id": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("Schrijf de samenvatting voor het RIEC.", "Kies minstens één betrokkene",
                    "Beschrijf kort wat", "Kies de grondslag", "Kies een actief RIEC"):
        assert message in page, message
    assert not services_count()
    response = auth.post(url, form_values(world))
    assert response.status_code == 302
    voordracht = services_latest()
    assert response.headers["Location"].endswith(f"/voordrachten/{voordracht.id}")
    assert voordracht.state == "concept" and voordracht.urgency == "hoog"
    detail = client.get(f"/voordrachten/{voordracht.id}").get_data(as_text=True)
    assert "Ter beoordeling aanbieden" in detail and "Concept wijzigen" in detail
    assert "******333" in detail  # the team sees the masked BSN of what it shares


def services_count() -> int:
    from casus.extensions import db

    return db.session.execute(sa.select(sa.func.count()).select_from(Voordracht)).scalar_one()


def services_latest() -> Voordracht:
    from casus.extensions import db

    return db.session.execute(sa.select(Voordracht).order_by(Voordracht.id.desc()).limit(1)).scalar_one()


def test_a_concept_is_edited_with_its_version(db, client, auth, regisseur, world, make_voordracht):
    voordracht = make_voordracht("concept")
    url = f"/voordrachten/{voordracht.id}/wijzigen"
    page = client.get(url).get_data(as_text=True)
    assert "Samenvatting in status concept" in page
    response = auth.post(url, {**form_values(world, summary="Aangevuld"), "version": voordracht.version})
    assert response.status_code == 302
    db.session.refresh(voordracht)
    assert voordracht.summary == "Aangevuld" and [s.id for s in services.shared_subjects(voordracht)] == [
        world["subjects"][0].id]
    stale = auth.post(url, {**form_values(world, summary="Te laat"), "version": 1})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "Iemand anders heeft dit intussen gewijzigd" in page
    assert "Aangevuld" in page and "Te laat" in page  # what is stored now, and the user's input in the form
    assert f'name="version" value="{voordracht.version}"' in page
    missing = auth.post(url, form_values(world, summary="Zonder versie"))
    assert missing.status_code == 400 and "mist de versie" in missing.get_data(as_text=True)
    db.session.refresh(voordracht)
    assert voordracht.summary == "Aangevuld"


def test_the_team_submits_and_sends(db, app, client, auth, regisseur, world, make_voordracht):
    voordracht = make_voordracht("concept")
    response = auth.post(f"/voordrachten/{voordracht.id}/ter-beoordeling", {"version": voordracht.version},
                         form_url=f"/voordrachten/{voordracht.id}", follow_redirects=True)
    assert "ligt nu ter beoordeling" in response.get_data(as_text=True)
    db.session.refresh(voordracht)
    assert voordracht.state == "ter_beoordeling"
    page = client.get(f"/voordrachten/{voordracht.id}").get_data(as_text=True)
    approval = services.latest_approval(voordracht)
    assert f'href="/akkoorden/{approval.id}"' in page and "Verzoek intrekken" in page
    from casus.approvals import services as approvals

    with app.test_request_context():
        approvals.decide(world["supervisor"], approval, approve=True)
    db.session.refresh(voordracht)
    response = auth.post(f"/voordrachten/{voordracht.id}/indienen", {"version": voordracht.version},
                         form_url=f"/voordrachten/{voordracht.id}", follow_redirects=True)
    assert "ingediend bij het RIEC" in response.get_data(as_text=True)
    db.session.refresh(voordracht)
    assert voordracht.state == "ingediend"


def test_a_supervisor_decides_on_the_voordracht_page(db, app, client, auth, login_as, world, make_voordracht):
    voordracht = make_voordracht("concept")
    with app.test_request_context():
        services.submit(world["regisseur"], voordracht)
    db.session.flush()
    login_as("supervisor", organisation=world["zvh"], team=world["team"])
    url = f"/voordrachten/{voordracht.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="decision" value="approve"' in page
    approval = services.latest_approval(voordracht)
    response = auth.post(f"/akkoorden/{approval.id}/besluit",
                         {"decision": "reject", "motivation": "", "version": approval.version, "next": url},
                         form_url=url, follow_redirects=True)
    assert "motivering" in response.get_data(as_text=True).lower()
    db.session.refresh(voordracht)
    assert voordracht.state == "ter_beoordeling"


def test_the_riec_accepts_through_the_form(db, client, auth, login_as, world, make_voordracht):
    voordracht = make_voordracht("ingediend")
    login_as("riec", organisation=world["riec"])
    url = f"/voordrachten/{voordracht.id}"
    response = auth.post(f"{url}/aannemen", {"version": voordracht.version, "riec_reference": ""}, form_url=url)
    assert response.status_code == 200 and "Vul het RIEC-casusnummer in." in response.get_data(as_text=True)
    db.session.refresh(voordracht)
    assert voordracht.state == "ingediend"
    response = auth.post(f"{url}/aannemen", {"version": voordracht.version, "riec_reference": "RIEC-MN-12"},
                         form_url=url, follow_redirects=True)
    assert "aangenomen als RIEC-casus" in response.get_data(as_text=True)
    db.session.refresh(voordracht)
    assert voordracht.state == "aangenomen" and voordracht.riec_reference == "RIEC-MN-12"
    assert 'name="riec_reference"' not in client.get(url).get_data(as_text=True)  # answered: no forms


def test_the_riec_returns_with_advice_through_the_form(db, auth, login_as, world, make_voordracht):
    voordracht = make_voordracht("ingediend")
    login_as("riec", organisation=world["riec"])
    url = f"/voordrachten/{voordracht.id}"
    response = auth.post(f"{url}/terugleggen", {"version": voordracht.version, "advice": " "}, form_url=url)
    assert "Geef een motivering." in response.get_data(as_text=True)
    auth.post(f"{url}/terugleggen", {"version": voordracht.version, "advice": "Bibob-toets eerst"}, form_url=url)
    db.session.refresh(voordracht)
    assert voordracht.state == "teruggelegd" and voordracht.riec_advice == "Bibob-toets eerst"


# --- query counts: constant for 1 and many rows -----------------------------------------------------------------

def _count(client, count_queries, url) -> int:
    with count_queries() as counter:
        assert client.get(url).status_code == 200, url
    return counter.count


def test_team_list_case_tab_and_detail_cost_the_same_for_1_and_12(client, regisseur, world, make_voordracht,
                                                                  make_case, count_queries, make_subject):
    make_voordracht("concept")
    first = make_voordracht("ingediend")
    urls = ["/voordrachten", f"/voordrachten/casus/{world['case'].id}", f"/voordrachten/{first.id}"]
    few = [_count(client, count_queries, url) for url in urls]
    for state in ("concept", "ter_beoordeling", "goedgekeurd", "afgewezen", "aangenomen") * 2:
        make_voordracht(state)
    other_case = make_case(team=world["team"], phase="aanpak.uitvoering")
    make_voordracht("ingediend", case=other_case)
    from casus.voordrachten.models import VoordrachtSubject

    for _ in range(4):  # the detail page with more shared subjects
        subject = make_subject("persoon")
        from casus.cases.models import CaseSubject
        from casus.extensions import db

        db.session.add_all([CaseSubject(case_id=world["case"].id, subject_id=subject.id),
                            VoordrachtSubject(voordracht_id=first.id, subject_id=subject.id)])
    many = [_count(client, count_queries, url) for url in urls]
    assert many == few
    page = client.get("/voordrachten").get_data(as_text=True)
    assert len(set(re.findall(r"RV-\d+", page))) == 13 and other_case.reference in page
    assert shown_case_ids(db, "voordracht.list") == {world["case"].id, other_case.id}  # what was seen, audited


def test_riec_list_and_detail_cost_the_same_for_1_and_12(client, login_as, world, make_voordracht, count_queries):
    first = make_voordracht("ingediend")
    login_as("riec", organisation=world["riec"])
    urls = ["/voordrachten", f"/voordrachten/{first.id}"]
    few = [_count(client, count_queries, url) for url in urls]
    for state in ("ingediend", "aangenomen", "teruggelegd") * 4:
        make_voordracht(state)
    many = [_count(client, count_queries, url) for url in urls]
    assert many == few
