"""Credentials end together: a password change, an administrator's password reset, a second-factor reset and a
deactivation revoke every API token of the user (audited), and reactivating the user revives none. Users see
their own tokens on /account and under /api/v1/me/tokens, and revoke them there."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from support import DEFAULT_PASSWORD, csrf_from

NEW_PASSWORD = "een-heel-nieuw-wachtwoord"


@pytest.fixture
def make_token(db):
    """``make_token(user, name=..., scopes=..., days=...)`` -> (row, plain token)."""
    from casus.auth.tokens import create_token

    def make(user, *, name: str = "", scopes: str = "read write", days: int = 30):
        row, plain = create_token(user, days=days, name=name, scopes=scopes)
        db.session.flush()
        return row, plain

    return make


@pytest.fixture
def admin(login_as):
    return login_as("beheerder")


def _bearer(plain: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plain}"}


def _works(client, plain: str) -> bool:
    status = client.get("/api/v1/me", headers=_bearer(plain)).status_code
    assert status in (200, 401)
    return status == 200


def _revocations(db, *rows) -> list[tuple[str, dict]]:
    from casus.audit.models import AuditEvent

    ids = [str(row.id) for row in rows]
    return [(event.object_id, event.details) for event in db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.action == "api_token.revoked", AuditEvent.object_id.in_(ids))
        .order_by(AuditEvent.id)).scalars()]


def _expired_token(db, make_token, user):
    from casus.database import utcnow

    row, plain = make_token(user, name="oud")
    row.expires_at = utcnow() - timedelta(days=1)
    db.session.flush()
    return row, plain


def test_changing_ones_own_password_revokes_every_token(client, auth, db, make_user, make_token):
    user = make_user("partner")
    first, first_plain = make_token(user, name="BVH-koppeling")
    second, second_plain = make_token(user, name="Rapportage", scopes="read")
    expired, _plain = _expired_token(db, make_token, user)
    assert _works(client, first_plain) and _works(client, second_plain)
    auth.login(user)
    response = auth.post("/account", {"current": DEFAULT_PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 302
    assert "uw API-tokens ingetrokken" in client.get("/account").get_data(as_text=True)
    assert not _works(client, first_plain) and not _works(client, second_plain)
    for row in (first, second, expired):
        db.session.refresh(row)
    assert first.revoked_at is not None and second.revoked_at is not None
    assert expired.revoked_at is None  # expired already: nothing to revoke, it stays "verlopen"
    assert _revocations(db, first, second, expired) == [
        (str(first.id), {"reason": "password_changed", "prefix": first.prefix, "user_id": user.id}),
        (str(second.id), {"reason": "password_changed", "prefix": second.prefix, "user_id": user.id})]


def test_an_administrators_password_reset_revokes_the_users_tokens(client, auth, db, admin, make_user, make_token):
    from casus.audit.models import AuditEvent

    user = make_user("partner")
    row, plain = make_token(user)
    response = auth.post(f"/beheer/gebruikers/{user.id}/wachtwoord-reset", form_url=f"/beheer/gebruikers/{user.id}")
    assert response.status_code == 200
    assert not _works(client, plain)
    assert [details["reason"] for _id, details in _revocations(db, row)] == ["password_reset"]
    event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "api_token.revoked")).scalar_one()
    assert event.user_id == admin.id  # the administrator did it


def test_a_second_factor_reset_revokes_the_users_tokens(client, auth, db, admin, make_user, make_token):
    user = make_user("supervisor", totp_secret=pyotp.random_base32())
    row, plain = make_token(user)
    response = auth.post(f"/beheer/gebruikers/{user.id}/tweede-factor-reset",
                         form_url=f"/beheer/gebruikers/{user.id}")
    assert response.status_code == 302
    assert not _works(client, plain)
    assert [details["reason"] for _id, details in _revocations(db, row)] == ["totp_reset"]


def _user_form(user, active: bool) -> dict:
    data = {"name": user.name, "email": user.email, "organisation_id": str(user.organisation_id), "team_id": "",
            "roles": ["partner"]}
    return {**data, "active": "y"} if active else data


def test_deactivation_revokes_and_reactivation_revives_nothing(client, auth, db, admin, make_user, make_token):
    user = make_user("partner")
    row, plain = make_token(user)
    assert auth.post(f"/beheer/gebruikers/{user.id}", _user_form(user, active=False)).status_code == 302
    assert not _works(client, plain)
    assert auth.post(f"/beheer/gebruikers/{user.id}", _user_form(user, active=True)).status_code == 302
    db.session.refresh(user)
    assert user.active is True
    assert not _works(client, plain), "a reactivated user's old token works again"
    assert [details["reason"] for _id, details in _revocations(db, row)] == ["deactivated"]


def test_reactivation_revokes_a_token_left_over_from_an_older_deactivation(client, db, make_user, make_token):
    """A user deactivated before deactivation revoked tokens: their token must not come back to life."""
    from casus.users import services

    user = make_user("partner")
    row, plain = make_token(user)
    user.active = False  # as an older version of Casus left it: inactive, token not revoked
    db.session.flush()
    assert not _works(client, plain)
    services.set_active(user, True)
    db.session.flush()
    assert not _works(client, plain)
    assert [details["reason"] for _id, details in _revocations(db, row)] == ["reactivated"]


def test_the_account_page_lists_ones_own_tokens_and_revokes_them(client, auth, db, make_user, make_token):
    user = make_user("partner")
    other = make_user("partner")
    active, active_plain = make_token(user, name="BVH-koppeling", scopes="read")
    expired, _plain = _expired_token(db, make_token, user)
    revoked, _plain = make_token(user, name="Ingetrokken koppeling")
    from casus.auth.tokens import revoke

    revoke(revoked)
    foreign, foreign_plain = make_token(other, name="Koppeling van een ander")
    assert _works(client, active_plain)  # last used: now
    auth.login(user)
    html = client.get("/account").get_data(as_text=True)
    section = html[html.index('id="api-tokens"'):]
    for text in (f"casus_{active.prefix}_…", "BVH-koppeling", f"casus_{expired.prefix}_…", "Ingetrokken koppeling",
                 "actief", "verlopen", "ingetrokken"):
        assert text in section, text
    assert "Koppeling van een ander" not in html and foreign.prefix not in html
    assert active_plain not in html and active.token_hash not in html
    assert section.count('action="/account/api-tokens/') == 1  # only the active token can be revoked
    row = re.search(rf'<tr class="utrecht-table__row">\s*<td[^>]*><code>casus_{active.prefix}_…</code>.*?</tr>',
                    section, re.S).group(0)
    assert "read" in row and "write" not in row and "nooit" not in row  # used just now
    # Without the CSRF token the revocation is refused.
    assert client.post(f"/account/api-tokens/{active.id}/intrekken").status_code == 400
    assert _works(client, active_plain)
    token = csrf_from(client.get("/account"))
    assert client.post(f"/account/api-tokens/{foreign.id}/intrekken", data={"csrf_token": token}).status_code == 404
    assert _works(client, foreign_plain)
    response = client.post(f"/account/api-tokens/{active.id}/intrekken", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account#api-tokens")
    assert f"Het API-token {active.prefix} is ingetrokken" in client.get("/account").get_data(as_text=True)
    assert not _works(client, active_plain)
    assert [details["reason"] for _id, details in _revocations(db, active)] == ["revoked_by_owner"]


def test_the_api_lists_and_revokes_ones_own_tokens(client, db, make_user, make_token):
    user = make_user("partner")
    other = make_user("partner")
    calling, calling_plain = make_token(user, name="Beheerkoppeling")
    spare, spare_plain = make_token(user, name="Reserve", scopes="read")
    expired, _plain = _expired_token(db, make_token, user)
    foreign, foreign_plain = make_token(other)
    headers = _bearer(calling_plain)
    response = client.get("/api/v1/me/tokens", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert [item["id"] for item in body] == [expired.id, spare.id, calling.id]  # newest first
    by_id = {item["id"]: item for item in body}
    assert by_id[calling.id]["current"] is True and by_id[spare.id]["current"] is False
    assert by_id[spare.id] == {
        "id": spare.id, "name": "Reserve", "prefix": spare.prefix, "scopes": ["read"],
        "createdAt": by_id[spare.id]["createdAt"], "lastUsedAt": None, "expiresAt": by_id[spare.id]["expiresAt"],
        "revokedAt": None, "state": "actief", "current": False}
    assert by_id[calling.id]["scopes"] == ["read", "write"] and by_id[calling.id]["lastUsedAt"].endswith("Z")
    assert by_id[expired.id]["state"] == "verlopen"
    assert spare_plain not in response.get_data(as_text=True) and spare.token_hash not in response.get_data(
        as_text=True)
    assert client.get(f"/api/v1/me/tokens/{spare.id}", headers=headers).get_json()["name"] == "Reserve"
    # Someone else's token is not there, whatever the method.
    for method in ("GET", "DELETE"):
        assert client.open(f"/api/v1/me/tokens/{foreign.id}", method=method, headers=headers).status_code == 404
    assert client.delete("/api/v1/me/tokens/99999999999", headers=headers).status_code in (404, 400)
    assert _works(client, foreign_plain)
    # A read-only token may look but not revoke.
    assert client.delete(f"/api/v1/me/tokens/{calling.id}", headers=_bearer(spare_plain)).status_code == 403
    # Revoking: 204, listed as revoked, audited; doing it again changes nothing.
    assert client.delete(f"/api/v1/me/tokens/{spare.id}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/me/tokens/{spare.id}", headers=headers).status_code == 204
    assert not _works(client, spare_plain)
    assert client.get(f"/api/v1/me/tokens/{spare.id}", headers=headers).get_json()["state"] == "ingetrokken"
    assert [details["reason"] for _id, details in _revocations(db, spare)] == ["revoked_by_owner"]
    # The token of the request itself may go too; the next request with it is refused.
    assert client.delete(f"/api/v1/me/tokens/{calling.id}", headers=headers).status_code == 204
    assert client.get("/api/v1/me/tokens", headers=headers).status_code == 401


def test_the_openapi_document_describes_the_token_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert set(document["paths"]["/me/tokens"]) >= {"get"}
    assert set(document["paths"]["/me/tokens/{id}"]) >= {"get", "delete"}
    schema = document["components"]["schemas"]["ApiToken"]
    assert {"prefix", "name", "scopes", "createdAt", "lastUsedAt", "expiresAt", "revokedAt", "state"} <= set(
        schema["properties"])
    assert "token" not in schema["properties"] and "tokenHash" not in schema["properties"]
