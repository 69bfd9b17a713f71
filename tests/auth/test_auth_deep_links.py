"""A deep link survives the login: the anonymous visitor is sent to /inloggen?next=<path>, the login form carries
that path in its hidden ``next`` field, and after the password (and the second factor, or its enrolment) the
visitor lands on the page they asked for. Only same-site paths are followed (``navigation.safe_next``)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from support import DEFAULT_PASSWORD

DEEP_LINK = "/casussen?fase=triage&sorteer=referentie"
HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|next)"[^>]*>')
VALUE = re.compile(r'value="([^"]*)"')


def _hidden_fields(page: str) -> dict[str, str]:
    """The hidden inputs of the login form exactly as the browser would post them back."""
    fields = {}
    for tag in HIDDEN.finditer(page):
        value = VALUE.search(tag.group(0))
        fields[tag.group(1)] = unescape(value.group(1)) if value else ""
    return fields


def _to_login_page(client, deep_link: str) -> dict[str, str]:
    """Visit ``deep_link`` anonymously, follow the redirect to the login page, return its hidden fields."""
    redirect = client.get(deep_link)
    assert redirect.status_code == 302
    location = urlsplit(redirect.headers["Location"])
    assert location.path == "/inloggen"
    assert parse_qs(location.query)["next"] == [deep_link]
    page = client.get(redirect.headers["Location"])
    assert page.status_code == 200
    fields = _hidden_fields(page.get_data(as_text=True))
    assert fields["next"] == deep_link, "the login form does not carry the deep link"
    return fields


def _post_password(client, user, fields):
    return client.post("/inloggen", data={**fields, "email": user.email, "password": DEFAULT_PASSWORD})


def _code_step(client, url: str, code: str):
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"code": code, "csrf_token": _hidden_fields(page)["csrf_token"]}), page


def test_a_deep_link_survives_a_password_only_login(client, make_user):
    user = make_user("partner")
    fields = _to_login_page(client, DEEP_LINK)
    response = _post_password(client, user, fields)
    assert response.status_code == 302 and response.headers["Location"] == DEEP_LINK
    landed = client.get(response.headers["Location"])
    assert landed.status_code == 200 and "Casussen" in landed.get_data(as_text=True)


def test_a_wrong_password_keeps_the_deep_link_for_the_next_try(client, make_user):
    user = make_user("partner")
    fields = _to_login_page(client, "/account")
    wrong = client.post("/inloggen", data={**fields, "email": user.email, "password": "niet-het-wachtwoord"})
    assert wrong.status_code == 200
    fields = _hidden_fields(wrong.get_data(as_text=True))
    assert fields["next"] == "/account"
    assert _post_password(client, user, fields).headers["Location"] == "/account"


def test_a_deep_link_survives_the_second_factor(client, make_user):
    user = make_user("supervisor", totp_secret=pyotp.random_base32())
    fields = _to_login_page(client, DEEP_LINK)
    response = _post_password(client, user, fields)
    assert response.headers["Location"].endswith("/inloggen/code")
    response, _page = _code_step(client, "/inloggen/code", pyotp.TOTP(user.totp_secret).now())
    assert response.status_code == 302 and response.headers["Location"] == DEEP_LINK
    assert client.get(DEEP_LINK).status_code == 200


def test_a_deep_link_survives_the_enrolment_of_a_second_factor(client, make_user):
    user = make_user("supervisor")  # no second factor yet: enrols during this login
    fields = _to_login_page(client, "/account")
    response = _post_password(client, user, fields)
    assert response.headers["Location"].endswith("/inloggen/tweede-factor-instellen")
    page = client.get("/inloggen/tweede-factor-instellen").get_data(as_text=True)
    secret = re.search(r'<code class="casus-secret">([A-Z2-7]+)</code>', page).group(1)
    response, _page = _code_step(client, "/inloggen/tweede-factor-instellen", pyotp.TOTP(secret).now())
    assert response.status_code == 302 and response.headers["Location"] == "/account"


@pytest.mark.parametrize("target", ["//evil.example.org/", "https://evil.example.org/", "javascript:alert(1)",
                                    "/\\evil.example.org"])
def test_only_same_site_paths_are_followed(client, make_user, target):
    user = make_user("partner")
    page = client.get("/inloggen", query_string={"next": target}).get_data(as_text=True)
    fields = _hidden_fields(page)
    assert fields["next"] == ""  # a foreign target is not even put in the form
    response = _post_password(client, user, {**fields, "next": target})  # nor followed when posted anyway
    assert response.headers["Location"] == "/"
