"""Session rules (OWASP ASVS 5.0 level 2): new id at login, server-side logout, timeouts, revocation."""

from datetime import timedelta

import sqlalchemy as sa

from casus.users.models import UserSession


def session_cookie(client):
    cookie = client.get_cookie("__Host-casus_session")
    return cookie.value if cookie else None


def test_login_issues_a_new_session_id(client, auth, make_user):
    user = make_user()
    client.get("/inloggen")
    before = session_cookie(client)
    auth.login(user)
    after = session_cookie(client)
    assert before and after and before != after
    auth.logout()
    auth.login(user)
    assert session_cookie(client) != after


def test_a_session_planted_before_login_is_not_kept(app, client, auth, make_user, db):
    """Session fixation: the token set at login is fresh, whatever the browser carried in."""
    user = make_user()
    auth.login(user)
    tokens = set(db.session.execute(sa.select(UserSession.token_hash)).scalars())
    auth.logout()
    auth.login(user)
    new_tokens = set(db.session.execute(sa.select(UserSession.token_hash)).scalars())
    assert tokens.isdisjoint(new_tokens)


def test_logout_ends_the_session_on_the_server(app, client, auth, make_user):
    user = make_user()
    auth.login(user)
    stolen = session_cookie(client)
    auth.logout()
    replay = app.test_client()
    replay.environ_base.update(client.environ_base)
    replay.set_cookie("__Host-casus_session", stolen, domain="localhost", secure=True)
    response = replay.get("/")
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]


def _only_session(db):
    return db.session.execute(sa.select(UserSession)).scalar_one()


def test_idle_timeout_ends_the_session(client, auth, make_user, db):
    auth.login(make_user())
    row = _only_session(db)
    row.last_seen_at -= timedelta(minutes=31)
    db.session.flush()
    assert client.get("/").status_code == 302
    assert db.session.execute(sa.select(sa.func.count(UserSession.id))).scalar() == 0


def test_activity_within_the_idle_timeout_keeps_the_session(client, auth, make_user, db):
    auth.login(make_user())
    row = _only_session(db)
    row.last_seen_at -= timedelta(minutes=29)
    db.session.flush()
    assert client.get("/").status_code == 200


def test_absolute_timeout_ends_even_an_active_session(client, auth, make_user, db):
    auth.login(make_user())
    row = _only_session(db)
    row.created_at -= timedelta(hours=12, minutes=1)
    db.session.flush()
    assert client.get("/").status_code == 302


def test_timeouts_are_configurable(app_config):
    from dataclasses import replace

    config = replace(app_config, session_idle_minutes=5, session_absolute_hours=2)
    assert config.validated().session_idle_minutes == 5


def test_disabling_a_user_ends_their_sessions(client, auth, make_user, db, app):
    from casus.users.services import set_active

    user = make_user()
    auth.login(user)
    with app.test_request_context():
        set_active(user, False)
    db.session.flush()
    assert client.get("/").status_code == 302


def test_changing_password_ends_other_sessions_but_keeps_this_one(app, client, auth, make_user):
    from support import DEFAULT_PASSWORD, Auth

    user = make_user()
    other = app.test_client()
    other.environ_base.update(client.environ_base)
    Auth(other).login(user)
    auth.login(user)
    response = auth.post("/account", {"current": DEFAULT_PASSWORD, "new": "een-heel-nieuw-wachtwoord",
                                      "repeat": "een-heel-nieuw-wachtwoord"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_wrong_current_password_changes_nothing(client, auth, make_user):
    from support import DEFAULT_PASSWORD

    user = make_user()
    auth.login(user)
    response = auth.post("/account", {"current": "fout-wachtwoord", "new": "een-heel-nieuw-wachtwoord",
                                      "repeat": "een-heel-nieuw-wachtwoord"})
    assert response.status_code == 200
    assert "Het huidige wachtwoord klopt niet." in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(user, DEFAULT_PASSWORD).status_code == 302
