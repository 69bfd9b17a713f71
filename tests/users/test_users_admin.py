"""Administration of users by the beheerder: create, edit, deactivate, reset password and TOTP."""

from __future__ import annotations

import re

import pyotp
import pytest
import sqlalchemy as sa

ADMIN_URLS = (
    ("get", "/beheer/gebruikers"),
    ("get", "/beheer/gebruikers/nieuw"),
    ("post", "/beheer/gebruikers/nieuw"),
    ("get", "/beheer/gebruikers/{user_id}"),
    ("post", "/beheer/gebruikers/{user_id}"),
    ("post", "/beheer/gebruikers/{user_id}/wachtwoord-reset"),
    ("post", "/beheer/gebruikers/{user_id}/tweede-factor-reset"),
)
PASSWORD_RE = re.compile(r'data-testid="generated-password">([^<]+)<')


@pytest.fixture
def admin(login_as):
    return login_as("beheerder")


@pytest.fixture
def second_client(app, client):
    """Another browser, set up as the ``client`` fixture sets up its own."""
    other = app.test_client()
    other.environ_base.update(client.environ_base)
    return other


def audit_actions(db, user_id) -> list[str]:
    from casus.audit.models import AuditEvent

    return list(db.session.execute(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "user", AuditEvent.object_id == str(user_id)).order_by(AuditEvent.id)).scalars())


def page(response) -> str:
    return response.get_data(as_text=True)


def user_data(organisation, team=None, **overrides) -> dict:
    data = {"name": "Lotte de Boer", "email": "lotte.deboer@example.org", "organisation_id": str(organisation.id),
            "team_id": str(team.id) if team else "", "roles": ["partner"], "active": "y"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ["partner", "procesregisseur", "supervisor", "riec", "privacy"])
def test_other_roles_get_403_on_every_admin_url(client, auth, login_as, make_user, role):
    target = make_user("partner")
    login_as(role)
    token = auth.csrf("/account")
    for method, url in ADMIN_URLS:
        url = url.format(user_id=target.id)
        data = {"csrf_token": token, "name": "X", "active": ""} if method == "post" else None
        response = client.open(url, method=method.upper(), data=data)
        assert response.status_code == 403, (method, url)


def test_anonymous_is_sent_to_login(client, auth, make_user, db):
    target = make_user("partner")
    token = auth.csrf("/inloggen")
    for method, url in ADMIN_URLS:
        url = url.format(user_id=target.id)
        data = {"csrf_token": token, "name": "Anoniem", "active": ""} if method == "post" else None
        response = client.open(url, method=method.upper(), data=data)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/inloggen"), (method, url)
    # Without a CSRF token the request is refused before anything else.
    response = client.post(f"/beheer/gebruikers/{target.id}/wachtwoord-reset")
    assert response.status_code == 400
    assert audit_actions(db, target.id) == []


def test_user_list_shows_columns(client, admin, make_user, make_team, db):
    from datetime import UTC, datetime

    team = make_team(name="Team Signalen")
    make_user("procesregisseur", name="Ravi Pinas", email="ravi@example.org", team=team,
              organisation=team.organisation, totp_secret=pyotp.random_base32(),
              last_login_at=datetime(2026, 3, 4, 8, 5, tzinfo=UTC))
    make_user("partner", name="Inge Slot", active=False)
    html = page(client.get("/beheer/gebruikers"))
    row = html[html.index("Ravi Pinas"):html.index("</tr>", html.index("Ravi Pinas"))]
    assert "ravi@example.org" in row
    assert team.organisation.name in row
    assert "Team Signalen" in row
    assert "Procesregisseur" in row
    assert ">aan<" in row
    assert "04-03-2026 09:05" in row  # Amsterdam time
    inactive_row = html[html.index("Inge Slot"):html.index("</tr>", html.index("Inge Slot"))]
    assert "inactief" in inactive_row
    assert ">uit<" in inactive_row
    assert "nooit" in inactive_row


def test_user_list_shows_how_each_user_last_logged_in(client, admin, make_user, db):
    from datetime import UTC, datetime

    from casus.users.models import LoginMethod

    when = datetime(2026, 3, 4, 8, 5, tzinfo=UTC)
    make_user("partner", name="Sara Sso", last_login_at=when, last_login_method=LoginMethod.SSO)
    make_user("partner", name="Wim Wachtwoord", last_login_at=when, last_login_method=LoginMethod.PASSWORD)
    html = page(client.get("/beheer/gebruikers"))
    assert "Ingelogd met" in html

    def row(name: str) -> str:
        return html[html.index(name):html.index("</tr>", html.index(name))]

    assert ">Single sign-on<" in row("Sara Sso")
    assert "04-03-2026 09:05" in row("Sara Sso")
    assert ">Wachtwoord<" in row("Wim Wachtwoord")


def test_create_user_shows_password_once_and_it_works(client, auth, admin, make_organisation, db, second_client):
    from casus.users.models import User

    organisation = make_organisation(name="Woonstichting Noord")
    form = page(client.get("/beheer/gebruikers/nieuw"))
    assert 'type="checkbox"' in form and "Procesregisseur" in form
    response = auth.post("/beheer/gebruikers/nieuw", user_data(organisation, email="Lotte.DeBoer@Example.org"))
    assert response.status_code == 200
    html = page(response)
    password = PASSWORD_RE.search(html).group(1)
    assert len(password) >= 12
    user = db.session.execute(sa.select(User).where(User.email == "lotte.deboer@example.org")).unique().scalar_one()
    assert user.organisation_id == organisation.id
    assert user.roles == {"partner"}
    assert audit_actions(db, user.id) == ["user.created"]
    # Shown once: not on the list, the edit page, or in a flash.
    assert password not in page(client.get("/beheer/gebruikers"))
    assert password not in page(client.get(f"/beheer/gebruikers/{user.id}"))
    # The new user can log in with it.
    assert type(auth)(second_client).login(user, password=password).status_code == 302
    assert second_client.get("/").status_code == 200


def test_user_validation_errors_keep_input(client, auth, admin, make_organisation, db):
    from casus.users.models import User

    organisation = make_organisation()
    response = auth.post("/beheer/gebruikers/nieuw", user_data(organisation, name="", roles=[]))
    html = page(response)
    assert response.status_code == 200
    assert 'id="name-error"' in html and "Dit veld is verplicht." in html
    assert 'id="roles-error"' in html and "Kies minstens één rol." in html
    assert 'value="lotte.deboer@example.org"' in html
    assert f'<option selected value="{organisation.id}">' in html
    assert "generated-password" not in html

    html = page(auth.post("/beheer/gebruikers/nieuw", user_data(organisation, email="geen-adres")))
    assert 'id="email-error"' in html and "Vul een geldig e-mailadres in." in html
    assert 'value="Lotte de Boer"' in html
    assert re.search(r'value="partner" checked', html)
    assert db.session.execute(sa.select(sa.func.count()).select_from(User)).scalar_one() == 1


def test_duplicate_email_is_refused_case_insensitively(client, auth, admin, make_user, make_organisation):
    make_user("partner", email="dubbel@example.org")
    organisation = make_organisation()
    html = page(auth.post("/beheer/gebruikers/nieuw", user_data(organisation, email="DUBBEL@example.org")))
    assert 'id="email-error"' in html
    assert "Er bestaat al een gebruiker met dit e-mailadres." in html
    assert "generated-password" not in html


def test_procesregisseur_needs_a_team(client, auth, admin, make_team, make_organisation):
    organisation = make_organisation()
    html = page(auth.post("/beheer/gebruikers/nieuw", user_data(organisation, roles=["procesregisseur"])))
    assert 'id="team_id-error"' in html
    assert "Een procesregisseur of supervisor hoort bij een team." in html
    # A team of another organisation is refused too.
    other_team = make_team()
    html = page(auth.post("/beheer/gebruikers/nieuw",
                          user_data(organisation, other_team, roles=["procesregisseur"])))
    assert "Kies een team van de gekozen organisatie." in html
    team = make_team(organisation=organisation)
    response = auth.post("/beheer/gebruikers/nieuw", user_data(organisation, team, roles=["procesregisseur"]))
    assert "generated-password" in page(response)


def test_edit_user(client, auth, admin, make_user, make_team, db):
    user = make_user("partner", name="Sem Bos")
    team = make_team(organisation=user.organisation)
    url = f"/beheer/gebruikers/{user.id}"
    form = page(client.get(url))
    assert 'value="Sem Bos"' in form
    assert re.search(r'value="partner" checked', form)
    response = auth.post(url, user_data(user.organisation, team, name="Sem Bos-Vos", email=user.email,
                                        roles=["procesregisseur", "partner"]))
    assert response.status_code == 302
    assert response.headers["Location"] == "/beheer/gebruikers"
    db.session.refresh(user)
    assert user.name == "Sem Bos-Vos"
    assert user.team_id == team.id
    assert user.roles == {"procesregisseur", "partner"}
    assert audit_actions(db, user.id) == ["user.updated"]


def test_deactivating_a_user_ends_their_session(client, auth, admin, make_user, second_client, db):
    user = make_user("partner")
    assert type(auth)(second_client).login(user).status_code == 302
    assert second_client.get("/").status_code == 200
    data = user_data(user.organisation, name=user.name, email=user.email)
    data.pop("active")
    response = auth.post(f"/beheer/gebruikers/{user.id}", data)
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.active is False
    answer = second_client.get("/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/inloggen")
    assert "inactief" in page(client.get("/beheer/gebruikers"))


def test_beheerder_cannot_deactivate_or_demote_themselves(client, auth, admin, db):
    url = f"/beheer/gebruikers/{admin.id}"
    data = user_data(admin.organisation, name=admin.name, email=admin.email, roles=["beheerder"])
    data.pop("active")
    html = page(auth.post(url, data))
    assert 'id="active-error"' in html
    assert "U kunt uw eigen account niet deactiveren." in html
    html = page(auth.post(url, user_data(admin.organisation, name=admin.name, email=admin.email,
                                         roles=["partner"])))
    assert "U kunt uw eigen rol beheerder niet intrekken." in html
    db.session.refresh(admin)
    assert admin.active is True
    assert client.get("/beheer/gebruikers").status_code == 200


def test_reset_password_ends_sessions_and_old_password_stops_working(client, auth, admin, make_user,
                                                                     second_client, db):
    from casus.auth.passwords import verify_password

    old_password = "oud-wachtwoord-met-variatie"
    user = make_user("partner", password=old_password)
    other = type(auth)(second_client)
    assert other.login(user, password=old_password).status_code == 302
    assert client.get(f"/beheer/gebruikers/{user.id}/wachtwoord-reset").status_code == 405  # no change on GET
    response = auth.post(f"/beheer/gebruikers/{user.id}/wachtwoord-reset",
                         form_url=f"/beheer/gebruikers/{user.id}")
    assert response.status_code == 200
    password = PASSWORD_RE.search(page(response)).group(1)
    assert second_client.get("/").headers["Location"].startswith("/inloggen")
    db.session.refresh(user)
    assert not verify_password(user.password_hash, old_password)
    assert other.login(user, password=old_password).status_code == 200  # old password refused
    assert other.login(user, password=password).status_code == 302
    assert "user.password_reset" in audit_actions(db, user.id)


def test_beheerder_resets_own_password_via_account_page(client, auth, admin, db):
    response = auth.post(f"/beheer/gebruikers/{admin.id}/wachtwoord-reset", form_url="/account")
    assert response.status_code == 302
    assert "Mijn account" in page(client.get(response.headers["Location"]))
    assert "user.password_reset" not in audit_actions(db, admin.id)


def test_reset_totp_clears_the_secret(client, auth, admin, make_user, second_client, db):
    secret = pyotp.random_base32()
    user = make_user("partner", totp_secret=secret)
    type(auth)(second_client).login(user, totp_code=pyotp.TOTP(secret).now())
    assert second_client.get("/").status_code == 200
    assert "Tweede factor resetten" in page(client.get(f"/beheer/gebruikers/{user.id}"))
    response = auth.post(f"/beheer/gebruikers/{user.id}/tweede-factor-reset",
                         form_url=f"/beheer/gebruikers/{user.id}")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.totp_secret is None and user.totp_last_step is None
    assert second_client.get("/").status_code == 302
    assert "user.totp_reset" in audit_actions(db, user.id)
    assert "De tweede factor van" in page(client.get(response.headers["Location"]))


def test_unknown_user_ids_answer_404(client, auth, admin):
    assert client.get("/beheer/gebruikers/999999").status_code == 404
    for path in ("", "/wachtwoord-reset", "/tweede-factor-reset"):
        response = auth.post(f"/beheer/gebruikers/999999{path}", {}, form_url="/beheer/gebruikers/nieuw")
        assert response.status_code == 404, path


def test_user_list_query_count_does_not_grow_with_users(client, admin, make_user, make_team, count_queries):
    def cost() -> int:
        with count_queries() as counter:
            assert client.get("/beheer/gebruikers").status_code == 200
        return counter.count

    team = make_team()
    make_user("procesregisseur", team=team, organisation=team.organisation)
    one = cost()
    for _ in range(19):
        team = make_team()
        make_user("supervisor", "partner", team=team, organisation=team.organisation,
                  totp_secret=pyotp.random_base32())
    assert cost() == one
