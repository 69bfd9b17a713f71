"""Bearer tokens: shown once, stored as a hash, scoped, expiring, revocable; and kept apart from sessions."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
from api_helpers import assert_api_headers, assert_problem, bearer

from casus.cli import create_token


def token_rows(db):
    return db.session.execute(sa.text("SELECT * FROM api_tokens")).mappings().all()


def test_create_token_prints_it_once_and_stores_only_its_hash(app, db, client, make_user):
    from casus.database import utcnow
    from casus.users.models import ApiToken

    user = make_user(email="koppeling@example.org")
    result = app.test_cli_runner().invoke(create_token, ["--email", "koppeling@example.org", "--days", "7"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    plain = lines[-1]
    assert plain.startswith("casus_")
    assert result.output.count(plain) == 1

    rows = token_rows(db)
    assert len(rows) == 1
    assert all(plain not in str(value) for value in rows[0].values())
    assert rows[0]["token_hash"] == hashlib.sha256(plain.encode()).hexdigest()
    token = db.session.execute(sa.select(ApiToken)).scalar_one()
    assert token.user_id == user.id
    assert token.scope_set == {"read", "write"}
    assert timedelta(days=7) - timedelta(minutes=5) < token.expires_at - utcnow() <= timedelta(days=7)

    response = client.get("/api/v1/me", headers=bearer(plain))
    assert response.status_code == 200
    assert response.get_json()["email"] == "koppeling@example.org"


def test_create_token_with_read_scope_only(app, db, make_user):
    from casus.users.models import ApiToken

    make_user(email="lezer@example.org")
    result = app.test_cli_runner().invoke(create_token, ["--email", "lezer@example.org", "--days", "1",
                                                "--scopes", "read"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(sa.select(ApiToken)).scalar_one().scope_set == {"read"}


@pytest.mark.parametrize("args", [
    ["--email", "niemand@example.org", "--days", "7"],
    ["--email", "KNOWN", "--days", "0"],
    ["--email", "KNOWN", "--days", "367"],
    ["--email", "KNOWN", "--scopes", "admin"],
])
def test_create_token_refuses_bad_input_and_stores_nothing(app, db, make_user, args):
    user = make_user()
    args = [user.email if arg == "KNOWN" else arg for arg in args]
    result = app.test_cli_runner().invoke(create_token, [*args])
    assert result.exit_code != 0
    assert "casus_" not in result.output
    assert token_rows(db) == []


def test_create_token_refuses_an_inactive_user(app, db, make_user):
    user = make_user(active=False)
    result = app.test_cli_runner().invoke(create_token, ["--email", user.email])
    assert result.exit_code != 0
    assert token_rows(db) == []


def test_a_valid_token_authenticates_and_records_last_use(client, db, make_user, make_token):
    from casus.users.models import ApiToken

    user = make_user()
    plain = make_token(user)
    assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 200
    token = db.session.execute(sa.select(ApiToken)).scalar_one()
    db.session.refresh(token)
    assert token.last_used_at is not None


def invalid_token_response(client, plain):
    response = client.get("/api/v1/me", headers=bearer(plain))
    body = assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="casus", error="invalid_token"'
    return body


def test_expired_token_is_401(client, db, make_token):
    from casus.database import utcnow
    from casus.users.models import ApiToken

    plain = make_token()
    token = db.session.execute(sa.select(ApiToken)).scalar_one()
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    invalid_token_response(client, plain)


def test_revoked_token_is_401(client, db, make_token):
    from casus.auth.tokens import revoke
    from casus.users.models import ApiToken

    plain = make_token()
    assert client.get("/api/v1/me", headers=bearer(plain)).status_code == 200
    revoke(db.session.execute(sa.select(ApiToken)).scalar_one())
    db.session.flush()
    invalid_token_response(client, plain)


def test_token_of_an_inactive_user_is_401(client, db, make_user, make_token):
    user = make_user()
    plain = make_token(user)
    user.active = False
    db.session.flush()
    invalid_token_response(client, plain)


@pytest.mark.parametrize("plain", ["casus_00000000_unknown", "not-a-casus-token", "casus_" + "x" * 300])
def test_unknown_tokens_are_401(client, make_token, plain):
    make_token()
    invalid_token_response(client, plain)


def test_a_tampered_token_is_401(client, make_token):
    plain = make_token()
    invalid_token_response(client, plain[:-1] + ("A" if plain[-1] != "A" else "B"))


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token {token}", "{token}"])
def test_other_authorization_schemes_are_401(client, make_token, header):
    response = client.get("/api/v1/me", headers={"Authorization": header.format(token=make_token())})
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_never_authenticates_a_browser_page(client, make_user, make_token):
    plain = make_token(make_user("beheerder"))
    for path in ("/", "/beheer/gebruikers", "/beheer/organisaties"):
        response = client.get(path, headers=bearer(plain))
        assert response.status_code == 302, path
        assert "/inloggen" in response.headers["Location"]


def test_a_browser_session_never_authenticates_the_api(client, auth, make_user):
    user = make_user()
    assert auth.login(user).status_code == 302
    assert client.get("/").status_code == 200  # the session works for pages
    response = client.get("/api/v1/me")
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="casus"'
    # A write with only the cookie is refused too (and so cannot be forged across sites).
    assert_problem(client.patch("/api/v1/me", json={"locale": "en"}), 401)
    assert client.get("/").status_code == 200  # and calling the API left the session alone


def test_the_api_answers_a_token_even_with_a_foreign_session_cookie(client, auth, make_user, make_token):
    browser_user, token_user = make_user(), make_user()
    auth.login(browser_user)
    response = client.get("/api/v1/me", headers=bearer(make_token(token_user)))
    assert response.status_code == 200
    assert response.get_json()["id"] == token_user.id
    assert_api_headers(response)
