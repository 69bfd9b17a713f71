"""The ID token's checks, one by one: signature, issuer, audience (and azp), expiry, nonce — each failure named."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from casus.auth import oidc
from casus.auth.oidc import SsoError, validate_id_token

ISSUER = "https://sso.example.nl"
KEY = RSAKey.generate_key(2048)
META = {"issuer": ISSUER, "jwks_uri": f"{ISSUER}/keys"}


@pytest.fixture(autouse=True)
def provider(app, monkeypatch):
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], oidc_issuer=ISSUER, oidc_client_id="casus"))
    monkeypatch.setattr(oidc, "_cached", lambda url: {"keys": [KEY.as_dict(private=False)]})
    with app.test_request_context():
        yield


def token(key=KEY, **changes) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "casus", "sub": "abc", "iat": now, "exp": now + 300, "nonce": "n-1", **changes}
    return jwt.encode({"alg": "RS256"}, {k: v for k, v in claims.items() if v is not None}, key)


def reason(id_token: str) -> str:
    with pytest.raises(SsoError) as refused:
        validate_id_token(id_token, META, "n-1")
    return refused.value.reason


def test_a_valid_token_gives_its_claims():
    assert validate_id_token(token(amr=["mfa"]), META, "n-1")["amr"] == ["mfa"]


def test_each_check_names_what_failed():
    now = int(time.time())
    assert reason(token(exp=now - 120)) == "expired"
    assert reason(token(nonce="n-2")) == "nonce"
    assert reason(token(nonce=None)) == "nonce"
    assert reason(token(iss="https://elders.example.nl")) == "token"
    assert reason(token(aud="iemand-anders")) == "token"
    assert reason(token(aud=["casus", "iemand-anders"])) == "token"  # several audiences need azp = casus
    assert reason(token(key=RSAKey.generate_key(2048))) == "token"  # not signed by the provider's key
    assert reason(token(sub=None)) == "token"
    assert reason("geen.jwt.token") == "token"


def test_several_audiences_with_casus_as_azp_are_accepted():
    assert validate_id_token(token(aud=["casus", "api"], azp="casus"), META, "n-1")["sub"] == "abc"


def test_an_expiry_within_the_leeway_is_accepted():
    assert validate_id_token(token(exp=int(time.time()) - 30), META, "n-1")["sub"] == "abc"
