"""GET and PATCH /api/v1/me: the caller, in camelCase, with Dutch domain values."""

from __future__ import annotations

import re

import pytest
from api_helpers import assert_api_headers, bearer

CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def keys_of(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from keys_of(value)
    elif isinstance(node, list):
        for item in node:
            yield from keys_of(item)


def test_me_returns_the_caller(client, make_user, make_token, make_organisation):
    from casus.organisations.models import OrganisationKind

    organisation = make_organisation(name="Politie Voorbeeld", kind=OrganisationKind.POLITIE)
    user = make_user("riec", "partner", email="agent@example.org", name="A. Gent", organisation=organisation)
    response = client.get("/api/v1/me", headers=bearer(make_token(user)))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert_api_headers(response)
    assert response.get_json() == {
        "id": user.id,
        "email": "agent@example.org",
        "name": "A. Gent",
        "organisation": {"id": organisation.id, "name": "Politie Voorbeeld", "kind": "politie"},
        "team": None,
        "roles": ["partner", "riec"],
        "totpEnabled": False,
        "locale": None,
    }


def test_me_includes_the_team_and_sorted_roles(client, make_user, make_token, db):
    user = make_user("supervisor", "procesregisseur", "beheerder", totp_secret="JBSWY3DPEHPK3PXP", locale="en")
    body = client.get("/api/v1/me", headers=bearer(make_token(user))).get_json()
    assert body["team"] == {"id": user.team.id, "name": user.team.name, "gemeente": user.team.gemeente}
    assert body["roles"] == ["beheerder", "procesregisseur", "supervisor"]
    assert body["totpEnabled"] is True
    assert body["locale"] == "en"
    assert all(CAMEL_CASE.match(key) for key in keys_of(body))


def test_me_never_shows_secrets(client, make_user, make_token):
    user = make_user(totp_secret="JBSWY3DPEHPK3PXP")
    text = client.get("/api/v1/me", headers=bearer(make_token(user))).get_data(as_text=True)
    for secret in ("JBSWY3DPEHPK3PXP", user.password_hash, "password", "totpSecret"):
        assert secret not in text


@pytest.mark.parametrize(("sent", "stored"), [("en", "en"), ("nl", "nl"), (None, None)])
def test_patch_me_sets_the_language(client, make_user, make_token, db, sent, stored):
    user = make_user(locale="nl" if sent != "nl" else "en")
    token = make_token(user)
    response = client.patch("/api/v1/me", headers=bearer(token), json={"locale": sent})
    assert response.status_code == 200
    assert_api_headers(response)
    assert response.get_json()["locale"] == stored
    assert set(response.get_json()) == {"id", "email", "name", "organisation", "team", "roles", "totpEnabled",
                                        "locale"}
    db.session.refresh(user)
    assert user.locale == stored
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["locale"] == stored


def test_patch_me_with_an_empty_object_changes_nothing(client, make_user, make_token, db):
    user = make_user(locale="en")
    response = client.patch("/api/v1/me", headers=bearer(make_token(user)), json={})
    assert response.status_code == 200
    assert response.get_json()["locale"] == "en"
    db.session.refresh(user)
    assert user.locale == "en"


def test_patch_me_cannot_change_anything_else(client, make_user, make_token, db):
    user = make_user(email="vast@example.org")
    response = client.patch("/api/v1/me", headers=bearer(make_token(user)),
                            json={"email": "ander@example.org", "roles": ["beheerder"], "name": "X"})
    assert response.status_code == 400
    assert {param["name"] for param in response.get_json()["invalidParams"]} == {"email", "roles", "name"}
    db.session.refresh(user)
    assert user.email == "vast@example.org" and user.roles == {"partner"} and user.name != "X"


def test_patch_me_accepts_merge_patch_json(client, make_user, make_token):
    response = client.patch("/api/v1/me", headers=bearer(make_token(make_user())), data='{"locale": "en"}',
                            content_type="application/merge-patch+json")
    assert response.status_code == 200
    assert response.get_json()["locale"] == "en"


def test_the_language_chosen_through_the_api_is_used_by_the_web_interface(client, auth, make_user, make_token):
    user = make_user()
    client.patch("/api/v1/me", headers=bearer(make_token(user)), json={"locale": "en"})
    auth.login(user)
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
