"""Administration of organisations and teams by the beheerder."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

ADMIN_URLS = (
    ("get", "/beheer/organisaties"),
    ("get", "/beheer/organisaties/nieuw"),
    ("post", "/beheer/organisaties/nieuw"),
    ("get", "/beheer/organisaties/{organisation_id}"),
    ("post", "/beheer/organisaties/{organisation_id}"),
    ("get", "/beheer/teams"),
    ("get", "/beheer/teams/nieuw"),
    ("post", "/beheer/teams/nieuw"),
    ("get", "/beheer/teams/{team_id}"),
    ("post", "/beheer/teams/{team_id}"),
)


@pytest.fixture
def admin(login_as):
    return login_as("beheerder")


def audit_actions(db, object_type: str, object_id) -> list[str]:
    from casus.audit.models import AuditEvent

    return list(db.session.execute(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))).scalars())


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["partner", "procesregisseur", "supervisor", "riec", "privacy"])
def test_other_roles_get_403_on_every_admin_url(client, auth, login_as, make_team, role):
    team = make_team()
    login_as(role)
    token = auth.csrf("/account")
    for method, url in ADMIN_URLS:
        url = url.format(organisation_id=team.organisation_id, team_id=team.id)
        data = {"csrf_token": token, "name": "X"} if method == "post" else None
        response = client.open(url, method=method.upper(), data=data)
        assert response.status_code == 403, (method, url)


def test_anonymous_is_sent_to_login(client, auth, make_team, db):
    from casus.organisations.models import Organisation

    team = make_team()
    form = {"csrf_token": auth.csrf("/inloggen"), "name": "Anoniem", "kind": "overig", "gemeente": "Stad",
            "organisation_id": str(team.organisation_id)}
    for method, url in ADMIN_URLS:
        url = url.format(organisation_id=team.organisation_id, team_id=team.id)
        data = form if method == "post" else None
        response = client.open(url, method=method.upper(), data=data)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/inloggen"), (method, url)
    assert db.session.execute(sa.select(Organisation).where(Organisation.name == "Anoniem")).first() is None


@pytest.mark.parametrize("url", ["/beheer/organisaties", "/beheer/teams"])
def test_lists_cost_the_same_queries_for_1_and_20_rows(client, admin, make_team, count_queries, url):
    def cost() -> int:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    make_team()
    one = cost()
    for _ in range(19):
        make_team()
    assert cost() == one


def test_organisation_list_shows_kind_convenant_and_status(client, admin, make_organisation):
    from casus.organisations.models import OrganisationKind

    make_organisation(name="Woonstichting Dak", kind=OrganisationKind.WONINGCORPORATIE, convenant_partner=False,
                      active=False)
    html = page(client.get("/beheer/organisaties"))
    assert "Woonstichting Dak" in html
    assert "Woningcorporatie" in html
    assert "inactief" in html
    assert 'role="region"' in html
    assert "/beheer/organisaties/nieuw" in html


def test_create_organisation(client, auth, admin, db):
    from casus.organisations.models import Organisation, OrganisationKind

    response = auth.post("/beheer/organisaties/nieuw", {
        "name": "  GGZ Noord  ", "kind": "ggz", "convenant_partner": "y", "active": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/beheer/organisaties"
    organisation = db.session.execute(sa.select(Organisation).where(Organisation.name == "GGZ Noord")).scalar_one()
    assert organisation.kind is OrganisationKind.GGZ
    assert organisation.convenant_partner and organisation.active
    assert audit_actions(db, "organisation", organisation.id) == ["organisation.created"]
    assert "GGZ Noord is aangemaakt" in page(client.get("/beheer/organisaties"))


def test_organisation_validation_errors_are_dutch_next_to_the_field_and_input_is_kept(client, auth, admin, db):
    from casus.organisations.models import Organisation

    before = db.session.execute(sa.select(sa.func.count()).select_from(Organisation)).scalar_one()
    response = auth.post("/beheer/organisaties/nieuw", {"name": "", "kind": "politie", "convenant_partner": "y"})
    html = page(response)
    assert response.status_code == 200
    assert 'id="name-error"' in html
    assert "Dit veld is verplicht." in html
    assert 'aria-invalid="true"' in html
    assert '<option selected value="politie">' in html
    assert "Controleer de gemarkeerde velden" in html

    response = auth.post("/beheer/organisaties/nieuw", {"name": "Halt Zuid", "kind": "bestaat-niet"})
    html = page(response)
    assert 'id="kind-error"' in html
    assert "Kies een waarde uit de lijst." in html
    assert 'value="Halt Zuid"' in html
    after = db.session.execute(sa.select(sa.func.count()).select_from(Organisation)).scalar_one()
    assert after == before


def test_duplicate_organisation_name_is_refused(client, auth, admin, make_organisation):
    make_organisation(name="Politie Oost")
    response = auth.post("/beheer/organisaties/nieuw", {"name": "Politie Oost", "kind": "politie"})
    html = page(response)
    assert response.status_code == 200
    assert 'id="name-error"' in html
    assert "Er bestaat al een organisatie met deze naam." in html
    assert 'value="Politie Oost"' in html


def test_edit_and_deactivate_organisation(client, auth, admin, make_organisation, db):
    organisation = make_organisation(name="Wijkteam West")
    url = f"/beheer/organisaties/{organisation.id}"
    form = page(client.get(url))
    assert 'value="Wijkteam West"' in form
    assert re.search(r'<input[^>]* checked [^>]*id="active"', form)
    response = auth.post(url, {"name": "Wijkteam West-Oost", "kind": "wijkteam", "convenant_partner": "y",
                               "password_login": "y"})
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert organisation.name == "Wijkteam West-Oost"
    assert organisation.active is False  # unchecked box: deactivated
    assert "inactief" in page(client.get("/beheer/organisaties"))
    response = auth.post(url, {"name": "Wijkteam West-Oost", "kind": "wijkteam", "active": "y",
                               "password_login": "y"})
    db.session.refresh(organisation)
    assert organisation.active is True
    assert organisation.convenant_partner is False
    assert audit_actions(db, "organisation", organisation.id) == ["organisation.updated", "organisation.updated"]


def test_rename_to_an_existing_name_is_refused(client, auth, admin, make_organisation, db):
    make_organisation(name="Reclassering A")
    organisation = make_organisation(name="Reclassering B")
    url = f"/beheer/organisaties/{organisation.id}"
    html = page(auth.post(url, {"name": "Reclassering A", "kind": "reclassering", "active": "y"}))
    assert "Er bestaat al een organisatie met deze naam." in html
    db.session.refresh(organisation)
    assert organisation.name == "Reclassering B"


def test_unknown_ids_answer_404(client, auth, admin):
    assert client.get("/beheer/organisaties/999999").status_code == 404
    assert client.get("/beheer/teams/999999").status_code == 404
    assert auth.post("/beheer/teams/999999", {"name": "x"}, form_url="/beheer/teams/nieuw").status_code == 404


def test_no_state_change_on_get(client, admin, make_organisation, db):
    organisation = make_organisation(name="Ongewijzigd")
    client.get(f"/beheer/organisaties/{organisation.id}?name=Anders&active=")
    db.session.refresh(organisation)
    assert organisation.name == "Ongewijzigd"
    assert organisation.active is True


def test_post_without_csrf_token_is_refused(client, admin, make_organisation):
    response = client.post("/beheer/organisaties/nieuw", data={"name": "Zonder token", "kind": "overig"})
    assert response.status_code == 400


def test_create_team(client, auth, admin, make_organisation, db):
    from casus.organisations.models import Team

    organisation = make_organisation(name="ZVH Midden")
    form = page(client.get("/beheer/teams/nieuw"))
    assert "ZVH Midden" in form
    response = auth.post("/beheer/teams/nieuw", {
        "name": "Team Jeugd", "gemeente": "Voorbeeldstad", "organisation_id": str(organisation.id), "active": "y"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/beheer/teams"
    team = db.session.execute(sa.select(Team).where(Team.name == "Team Jeugd")).scalar_one()
    assert team.organisation_id == organisation.id
    assert audit_actions(db, "team", team.id) == ["team.created"]
    html = page(client.get("/beheer/teams"))
    assert "Team Jeugd" in html and "ZVH Midden" in html


def test_team_validation_errors_keep_input(client, auth, admin, make_organisation):
    organisation = make_organisation()
    html = page(auth.post("/beheer/teams/nieuw", {
        "name": "Team Zonder Gemeente", "gemeente": "", "organisation_id": str(organisation.id)}))
    assert 'id="gemeente-error"' in html
    assert "Dit veld is verplicht." in html
    assert 'value="Team Zonder Gemeente"' in html
    assert f'<option selected value="{organisation.id}">' in html

    html = page(auth.post("/beheer/teams/nieuw", {"name": "Team X", "gemeente": "Stad", "organisation_id": ""}))
    assert 'id="organisation_id-error"' in html
    assert "Dit veld is verplicht." in html

    html = page(auth.post("/beheer/teams/nieuw", {"name": "Team X", "gemeente": "Stad", "organisation_id": "abc"}))
    assert "Kies een waarde uit de lijst." in html


def test_team_needs_an_active_organisation(client, auth, admin, make_organisation):
    inactive = make_organisation(active=False)
    html = page(auth.post("/beheer/teams/nieuw", {
        "name": "Team Y", "gemeente": "Stad", "organisation_id": str(inactive.id)}))
    assert "Kies een waarde uit de lijst." in html  # inactive organisations are not offered


def test_duplicate_team_name_in_organisation_is_refused(client, auth, admin, make_team):
    team = make_team(name="Team Overlast")
    html = page(auth.post("/beheer/teams/nieuw", {
        "name": "Team Overlast", "gemeente": "Stad", "organisation_id": str(team.organisation_id)}))
    assert 'id="name-error"' in html
    assert "Deze organisatie heeft al een team met deze naam." in html


def test_edit_and_deactivate_team(client, auth, admin, make_team, db):
    team = make_team(name="Team Nazorg", gemeente="Oudstad")
    url = f"/beheer/teams/{team.id}"
    assert 'value="Team Nazorg"' in page(client.get(url))
    response = auth.post(url, {"name": "Team Nazorg", "gemeente": "Nieuwstad",
                               "organisation_id": str(team.organisation_id)})
    assert response.status_code == 302
    db.session.refresh(team)
    assert team.gemeente == "Nieuwstad"
    assert team.active is False
    assert audit_actions(db, "team", team.id) == ["team.updated"]
    assert "inactief" in page(client.get("/beheer/teams"))


def test_switching_password_login_off_is_audited_and_its_people_cannot_log_in_with_a_password(
        client, auth, admin, make_organisation, make_user, db):
    from casus.audit.models import AuditEvent

    organisation = make_organisation(name="Gemeente Eenlogin")
    member = make_user("partner", organisation=organisation)
    response = auth.post(f"/beheer/organisaties/{organisation.id}", {
        "name": "Gemeente Eenlogin", "kind": organisation.kind.value, "active": "y"})  # the box left unticked
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert organisation.password_login is False
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "organisation.password_login")
                               ).scalar_one()
    assert event.details == {"enabled": False}
    assert "Inloggen met wachtwoord toegestaan" in page(client.get(f"/beheer/organisaties/{organisation.id}"))

    auth.post("/uitloggen", form_url="/account")
    answer = auth.login(member)
    assert "inloggen met een wachtwoord staat uit" in page(answer)
    assert client.get("/").status_code == 302  # no session was started
    refused = db.session.execute(sa.select(AuditEvent.user_id).where(AuditEvent.action == "login.password_disabled")
                                 ).scalars().all()
    assert refused == [member.id]
