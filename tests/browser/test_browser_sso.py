"""Single sign-on in a real Chromium against a real OpenID provider process (oidc-provider-mock): MFA asserted or
not, unknown identities refused or created, a wrong state or nonce, an expired ID token, a provider that is down,
and logout."""

from __future__ import annotations

import threading
from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import pyotp
import pytest
import sqlalchemy as sa

from browser_support import create_live_user, wait_for_axe
from sso_support import free_port, new_page, oidc_provider, set_identity

PROVIDER = "Testprovider"


@pytest.fixture(scope="module")
def issuer():
    with oidc_provider() as url:
        yield url


@pytest.fixture(scope="module")
def expiring_issuer():
    """A provider whose ID tokens expired five minutes before they were issued."""
    with oidc_provider("--token-max-age", "-300") as url:
        yield url


@pytest.fixture(scope="module")
def sso_app(app_config, issuer, tmp_path_factory):
    from casus import create_app

    from support import create_tables, database_url_for

    config = replace(app_config, database_url=database_url_for("casus_sso", tmp_path_factory), secure_cookies=False,
                     oidc_issuer=issuer, oidc_client_id="casus", oidc_client_secret="casus-geheim",
                     oidc_provider_name=PROVIDER, oidc_organisation_claim="organisation",
                     oidc_roles_claim="groups", oidc_role_map={"casus-partners": "partner"})
    app = create_app(config)
    create_tables(app)
    return app


@pytest.fixture(scope="module")
def sso_server(sso_app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, sso_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def sso_db(sso_app):
    from casus.auth import oidc
    from casus.extensions import db

    from support import empty_tables

    config = sso_app.config["CASUS"]
    with sso_app.app_context():
        yield db
        sso_app.config["CASUS"] = config
        oidc.forget_provider()
        empty_tables(sso_app)
        sso_app.extensions["casus_throttle"].counter.__init__()


@pytest.fixture
def sso_page(chromium, sso_server):
    context, browser_page = new_page(chromium, sso_server)
    yield browser_page
    context.close()
    reports = browser_page.axe
    assert reports.pages, "axe did not run on any page"
    assert not reports.violations(), "accessibility violations:\n" + "\n".join(reports.violations())


def configure(app, **changes) -> None:
    app.config["CASUS"] = replace(app.config["CASUS"], **changes)


def start_login(page) -> None:
    page.goto("/inloggen")
    wait_for_axe(page)
    page.click(f"text=Inloggen met {PROVIDER}")
    page.wait_for_url("**/oauth2/authorize**")


def authorize(page, sub: str) -> None:
    page.fill("input[name=sub]", sub)
    page.click("button:has-text('Authorize')")
    wait_for_axe(page)


def events(db, action: str) -> list:
    from casus.audit.models import AuditEvent

    db.session.rollback()
    db.session.expire_all()  # committed by the server in the meantime
    found = list(db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars())
    db.session.commit()  # outside a request SQLite begins IMMEDIATE: never keep the live server waiting
    return found


def stored_user(db, user_id: int):
    from casus.users.models import User

    db.session.rollback()
    db.session.expire_all()  # committed by the server in the meantime
    user = db.session.get(User, user_id)
    db.session.commit()
    return user


def test_provider_mfa_replaces_the_totp_code_and_logout_offers_the_providers_end(sso_page, sso_db, issuer):
    user = create_live_user(sso_db, "supervisor", name="Sanne Supervisor")
    user.totp_secret = pyotp.random_base32()
    sso_db.session.commit()
    set_identity(issuer, "sanne-1", {"email": user.email, "amr": ["pwd", "mfa"]})
    start_login(sso_page)
    authorize(sso_page, "sanne-1")
    assert "Welkom, Sanne Supervisor" in sso_page.inner_text("h1")
    linked = stored_user(sso_db, user.id)
    assert (linked.oidc_issuer, linked.oidc_subject) == (issuer, "sanne-1")
    assert linked.last_login_method.value == "sso"
    assert [event.details for event in events(sso_db, "login.success")] == [{"method": "sso", "mfa": "provider"}]

    sso_page.click("text=Uitloggen")
    wait_for_axe(sso_page)
    assert "U bent uitgelogd bij Casus" in sso_page.inner_text("h1")
    end_link = sso_page.get_attribute(f"text=Ook uitloggen bij {PROVIDER}", "href")
    assert end_link.startswith(f"{issuer}/oauth2/end_session?client_id=casus")
    sso_page.goto("/")
    wait_for_axe(sso_page)
    assert "/inloggen" in sso_page.url  # the Casus session is over
    sso_page.goto(end_link)
    assert "End session" in sso_page.inner_text("body")


def test_without_mfa_from_the_provider_casus_asks_its_own_totp(sso_page, sso_db, issuer):
    user = create_live_user(sso_db, "supervisor", name="Sem Supervisor")
    secret = pyotp.random_base32()
    user.totp_secret = secret
    sso_db.session.commit()
    set_identity(issuer, "sem-1", {"email": user.email, "amr": ["pwd"]})
    start_login(sso_page)
    authorize(sso_page, "sem-1")
    assert sso_page.url.endswith("/inloggen/code")
    sso_page.fill("#code", pyotp.TOTP(secret).now())
    sso_page.click("button[type=submit] >> text=Bevestigen")
    wait_for_axe(sso_page)
    assert "Welkom, Sem Supervisor" in sso_page.inner_text("h1")
    assert stored_user(sso_db, user.id).last_login_method.value == "sso"
    assert [event.details for event in events(sso_db, "login.success")] == [{"method": "sso"}]

    # A session begun through the provider keeps Casus's idle timeout like any other.
    from datetime import timedelta

    from casus.database import utcnow
    from casus.users.models import UserSession

    sso_db.session.execute(sa.update(UserSession).where(UserSession.user_id == user.id).values(
        last_seen_at=utcnow() - timedelta(minutes=31)))
    sso_db.session.commit()
    sso_page.goto("/")
    wait_for_axe(sso_page)
    assert "/inloggen" in sso_page.url


def test_an_unknown_identity_is_refused_with_the_password_form_still_there(sso_page, sso_db, issuer):
    set_identity(issuer, "onbekend-1", {"email": "onbekend@example.org", "amr": ["mfa"]})
    start_login(sso_page)
    authorize(sso_page, "onbekend-1")
    assert "niet bekend in Casus" in sso_page.inner_text("main")
    assert sso_page.locator("#password").is_visible()
    [event] = events(sso_db, "login.sso_refused")
    assert event.details["reason"] == "unknown"
    assert event.outcome.value == "denied"
    assert events(sso_db, "login.success") == []


def test_just_in_time_creation_makes_the_account_from_the_claims(sso_page, sso_db, sso_app, issuer):
    from casus.organisations.models import Organisation, OrganisationKind
    from casus.users.models import User

    sso_db.session.add(Organisation(name="Woonstichting Oost", kind=OrganisationKind.WONINGCORPORATIE))
    sso_db.session.commit()
    configure(sso_app, oidc_create_users=True)
    set_identity(issuer, "nieuw-1", {"email": "Nieuw.Partner@example.org", "name": "Noor Nieuw",
                                     "organisation": "Woonstichting Oost", "groups": ["casus-partners", "x"],
                                     "amr": ["mfa"]})
    start_login(sso_page)
    authorize(sso_page, "nieuw-1")
    assert "Welkom, Noor Nieuw" in sso_page.inner_text("h1")
    sso_db.session.rollback()
    sso_db.session.expire_all()
    created = sso_db.session.execute(sa.select(User).where(User.oidc_subject == "nieuw-1")).unique().scalar_one()
    sso_db.session.commit()
    assert created.email == "nieuw.partner@example.org"
    assert created.roles == {"partner"}
    assert created.organisation.name == "Woonstichting Oost"
    assert len(events(sso_db, "user.sso_created")) == 1


def test_with_role_sync_the_provider_gives_and_takes_the_mapped_roles(sso_page, sso_db, sso_app, issuer):
    from casus.users.models import Role, UserRole

    user = create_live_user(sso_db, "partner", "beheerder", name="Rik Rollen")
    configure(sso_app, oidc_sync_roles=True, oidc_role_map={"casus-partners": "partner", "casus-riec": "riec"})
    set_identity(issuer, "rik-1", {"email": user.email, "groups": ["casus-riec"], "amr": ["mfa"]})
    start_login(sso_page)
    authorize(sso_page, "rik-1")
    assert "Welkom, Rik Rollen" in sso_page.inner_text("h1")
    assert stored_user(sso_db, user.id).roles == {"riec", "beheerder"}  # beheerder is not the provider's to take
    assert [event.details for event in events(sso_db, "user.sso_roles")] == [
        {"added": ["riec"], "removed": ["partner"]}]

    sso_page.click("text=Uitloggen")
    wait_for_axe(sso_page)
    sso_db.session.execute(sa.delete(UserRole).where(UserRole.user_id == user.id, UserRole.role == Role.BEHEERDER))
    sso_db.session.commit()
    set_identity(issuer, "rik-1", {"email": user.email, "groups": [], "amr": ["mfa"]})
    start_login(sso_page)
    authorize(sso_page, "rik-1")
    assert "geen rol meer in Casus" in sso_page.inner_text("main")
    assert stored_user(sso_db, user.id).roles == {"riec"}, "refused: the roles stay as they were"
    assert [event.details["reason"] for event in events(sso_db, "login.sso_refused")] == ["roles"]


def _tampered(url: str, **changes: str) -> str:
    parts = urlparse(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return urlunparse(parts._replace(query=urlencode({**query, **changes})))


def test_a_wrong_state_is_refused(sso_page, sso_db, issuer):
    user = create_live_user(sso_db, "partner")
    set_identity(issuer, "staat-1", {"email": user.email, "amr": ["mfa"]})
    answers = []

    def hold(route):  # the provider's answer (a redirect back to Casus) is kept back, to be delivered altered
        if route.request.method != "POST":
            route.continue_()
            return
        answer = route.fetch(max_redirects=0)
        answers.append(answer.headers["location"])
        route.fulfill(status=204)

    start_login(sso_page)
    sso_page.route("**/oauth2/authorize**", hold)
    sso_page.fill("input[name=sub]", "staat-1")
    sso_page.click("button:has-text('Authorize')")
    for _ in range(200):
        if answers:
            break
        sso_page.wait_for_timeout(50)
    assert "state=" in answers[0]
    sso_page.goto(_tampered(answers[0], state="niet-de-goede-staat"))
    wait_for_axe(sso_page)
    assert "komt niet uit deze browser" in sso_page.inner_text("main")
    assert [event.details["reason"] for event in events(sso_db, "login.sso_failed")] == ["state"]
    assert events(sso_db, "login.success") == []


def test_a_wrong_nonce_is_refused(sso_page, sso_db, issuer):
    user = create_live_user(sso_db, "partner")
    set_identity(issuer, "nonce-1", {"email": user.email, "amr": ["mfa"]})
    start_login(sso_page)
    sso_page.goto(_tampered(sso_page.url, nonce="een-andere-nonce"))  # the request the provider sees is altered
    authorize(sso_page, "nonce-1")
    assert "hoort niet bij deze inlogpoging" in sso_page.inner_text("main")
    assert [event.details["reason"] for event in events(sso_db, "login.sso_failed")] == ["nonce"]
    assert events(sso_db, "login.success") == []


def test_an_expired_id_token_is_refused(sso_page, sso_db, sso_app, expiring_issuer):
    configure(sso_app, oidc_issuer=expiring_issuer)
    user = create_live_user(sso_db, "partner")
    set_identity(expiring_issuer, "verlopen-1", {"email": user.email, "amr": ["mfa"]})
    start_login(sso_page)
    authorize(sso_page, "verlopen-1")
    assert "is verlopen" in sso_page.inner_text("main")
    assert [event.details["reason"] for event in events(sso_db, "login.sso_failed")] == ["expired"]
    assert events(sso_db, "login.success") == []


def test_a_provider_that_is_down_gives_a_clear_page_and_the_password_form(sso_page, sso_db, sso_app):
    configure(sso_app, oidc_issuer=f"http://127.0.0.1:{free_port()}")  # nothing listens there
    sso_page.goto("/inloggen")
    wait_for_axe(sso_page)
    sso_page.click(f"text=Inloggen met {PROVIDER}")
    wait_for_axe(sso_page)
    assert "niet bereikbaar" in sso_page.inner_text("main")
    assert sso_page.locator("#password").is_visible()
    [event] = events(sso_db, "login.sso_failed")
    assert event.details["reason"] == "provider"


def test_password_login_switched_off_for_the_organisation(sso_page, sso_db):
    from browser_support import PASSWORD

    user = create_live_user(sso_db, "partner")
    user.organisation.password_login = False
    sso_db.session.commit()
    sso_page.goto("/inloggen")
    wait_for_axe(sso_page)
    sso_page.fill("#email", user.email)
    sso_page.fill("#password", PASSWORD)
    sso_page.click("button[type=submit] >> text=Inloggen")
    wait_for_axe(sso_page)
    assert "inloggen met een wachtwoord staat uit" in sso_page.inner_text("main")
    assert len(events(sso_db, "login.password_disabled")) == 1
    assert events(sso_db, "login.success") == []
