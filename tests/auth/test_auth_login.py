"""The login form: same answer for unknown accounts, throttling, rehashing, TOTP."""

import re

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher

from casus.audit.models import AuditEvent


def _text_without_token(response) -> str:
    return re.sub(r'value="[^"]*"', "", response.get_data(as_text=True))


def test_login_page_renders(client):
    response = client.get("/inloggen")
    assert response.status_code == 200
    assert "Inloggen bij Casus" in response.get_data(as_text=True)


def test_partner_logs_in_and_sees_dashboard(client, auth, make_user, db):
    user = make_user("partner", name="Piet Partner")
    response = auth.login(user)
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Piet Partner" in page.get_data(as_text=True)
    db.session.refresh(user)
    assert user.last_login_at is not None
    actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
    assert "login.success" in actions


def test_unknown_account_and_wrong_password_get_the_same_answer(client, auth, make_user):
    user = make_user()
    wrong_password = auth.client.post("/inloggen", data={
        "email": user.email, "password": "niet-het-wachtwoord", "csrf_token": auth.csrf()})
    unknown = auth.client.post("/inloggen", data={
        "email": "niemand@example.org", "password": "niet-het-wachtwoord", "csrf_token": auth.csrf()})
    assert wrong_password.status_code == unknown.status_code == 200
    assert _text_without_token(wrong_password) == _text_without_token(unknown)
    assert "Onbekende combinatie van e-mailadres en wachtwoord." in unknown.get_data(as_text=True)


def test_inactive_user_cannot_log_in_and_gets_the_same_answer(client, auth, make_user):
    user = make_user(active=False)
    response = auth.login(user)
    assert response.status_code == 200
    assert "Onbekende combinatie" in response.get_data(as_text=True)


def test_failed_login_is_counted_and_audited_without_the_password(client, auth, make_user, db):
    user = make_user()
    auth.login(user, password="verkeerd-wachtwoord")
    db.session.refresh(user)
    assert user.failed_login_count == 1
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "login.failed")).scalar_one()
    assert event.user_id == user.id
    assert "verkeerd" not in str(event.details)


def test_form_errors_are_dutch_and_keep_the_email_but_never_the_password(client, auth):
    response = auth.client.post("/inloggen", data={
        "email": "geen-adres", "password": "geheim-wachtwoord", "csrf_token": auth.csrf()})
    page = response.get_data(as_text=True)
    assert "Vul een geldig e-mailadres in." in page
    assert 'value="geen-adres"' in page
    assert "geheim-wachtwoord" not in page


def test_five_failures_per_account_per_minute_then_throttled(client, auth, make_user):
    user = make_user()
    for _ in range(5):
        assert auth.login(user, password="verkeerd-wachtwoord").status_code == 200
    response = auth.login(user)  # even the right password is refused now
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.get_data(as_text=True)


def test_five_failures_per_ip_across_accounts_then_throttled(client, auth, make_user):
    for _ in range(5):
        auth.client.post("/inloggen", data={"email": "x@example.org", "password": "nope-nope-nope",
                                            "csrf_token": auth.csrf()})
    other_user = make_user()
    assert auth.login(other_user).status_code == 429
    elsewhere = auth.client.post("/inloggen", data={
        "email": other_user.email, "password": "correct-horse-battery-staple", "csrf_token": auth.csrf()},
        environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 302


def test_password_hash_is_upgraded_when_parameters_change(client, auth, make_user, db):
    from support import DEFAULT_PASSWORD

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    user = make_user()
    user.password_hash = weak.hash(DEFAULT_PASSWORD)
    db.session.flush()
    old_hash = user.password_hash
    assert auth.login(user).status_code == 302
    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert user.password_hash.startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(user.password_hash)


def test_totp_user_must_give_a_valid_code(client, auth, make_user, db):
    secret = pyotp.random_base32()
    user = make_user(totp_secret=secret)
    response = auth.login(user)
    assert response.headers["Location"].endswith("/inloggen/code")
    assert client.get("/").status_code == 302  # not logged in between the two steps
    token = auth.csrf("/inloggen/code")
    wrong = client.post("/inloggen/code", data={"code": "000000" if pyotp.TOTP(secret).now() != "000000"
                                                  else "111111", "csrf_token": token})
    assert "Deze code klopt niet" in wrong.get_data(as_text=True)
    right = client.post("/inloggen/code", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert right.status_code == 302
    assert client.get("/").status_code == 200


def test_a_totp_code_cannot_be_replayed(client, auth, make_user):
    secret = pyotp.random_base32()
    user = make_user(totp_secret=secret)
    code = pyotp.TOTP(secret).now()
    auth.login(user, totp_code=code)
    assert client.get("/").status_code == 200
    auth.logout()
    response = auth.login(user, totp_code=code)
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_supervisor_must_enrol_totp_before_getting_in(client, auth, make_user, db):
    user = make_user("supervisor")
    response = auth.login(user)
    assert response.headers["Location"].endswith("/inloggen/tweede-factor-instellen")
    page = client.get("/inloggen/tweede-factor-instellen").get_data(as_text=True)
    assert "<svg" in page
    secret = re.search(r'class="casus-secret">([A-Z2-7]+)<', page).group(1)
    token = auth.csrf("/inloggen/tweede-factor-instellen")
    response = client.post("/inloggen/tweede-factor-instellen",
                           data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    db.session.refresh(user)
    assert user.totp_secret == secret


def test_totp_requirement_is_configurable(app_config):
    from dataclasses import replace

    assert "supervisor" in app_config.totp_required_roles
    assert replace(app_config, totp_required_roles=frozenset()).totp_required_roles == frozenset()


def test_open_redirect_after_login_is_refused(client, auth, make_user):
    user = make_user()
    response = auth.client.post("/inloggen", data={
        "email": user.email, "password": "correct-horse-battery-staple", "next": "//evil.example.org/",
        "csrf_token": auth.csrf()})
    assert response.headers["Location"] == "/"


def test_logged_in_user_visiting_login_goes_to_dashboard(client, auth, make_user):
    auth.login(make_user())
    assert client.get("/inloggen").headers["Location"] == "/"
