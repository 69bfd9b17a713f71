"""OpenID Connect, the protocol half of single sign-on: authorization code with PKCE (Authlib's OAuth2Session)
and ID-token validation (joserfc, Authlib's JOSE library: signature, issuer, audience, expiry, nonce).

State, nonce and the PKCE verifier live in the signed Flask session between the redirect to the provider and its
answer, for at most :data:`PENDING_SECONDS`; the answer is accepted once. Every failure is an :class:`SsoError`
with a short reason, which the view turns into a clear page and :mod:`casus.auth.sso` into an audit event.
Who the identity is in Casus (accounts, organisation, roles, MFA) is :mod:`casus.auth.sso`'s business.
"""

from __future__ import annotations

import hmac
import secrets
import time

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app, session
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

PENDING_KEY = "oidc_pending"
PENDING_SECONDS = 600
HTTP_TIMEOUT = 5  # seconds: a provider that does not answer in time is "down"
LEEWAY = 60  # seconds of clock difference allowed on exp, iat and nbf
METADATA_SECONDS = 300  # discovery and keys are fetched again after this
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]

_cache: dict[str, tuple[float, dict]] = {}


class SsoError(Exception):
    """A login through the provider that cannot go on. ``reason``: state, nonce, expired, token, provider,
    denied, unknown, organisation, inactive."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _config():
    return current_app.config["CASUS"]


def _get_json(url: str) -> dict:
    try:
        answer = requests.get(url, timeout=HTTP_TIMEOUT)
        answer.raise_for_status()
        data = answer.json()
    except (requests.RequestException, ValueError) as error:
        raise SsoError("provider") from error
    if not isinstance(data, dict):
        raise SsoError("provider")
    return data


def _cached(url: str) -> dict:
    hit = _cache.get(url)
    if hit is not None and time.monotonic() - hit[0] < METADATA_SECONDS:
        return hit[1]
    data = _get_json(url)
    _cache[url] = (time.monotonic(), data)
    return data


def forget_provider() -> None:
    """Drop the cached discovery document and keys (a test that restarts its provider; a key rollover)."""
    _cache.clear()


def metadata() -> dict:
    """The provider's discovery document; its issuer must be the configured one."""
    issuer = _config().oidc_issuer
    data = _cached(f"{issuer}/.well-known/openid-configuration")
    if data.get("issuer", "").rstrip("/") != issuer:
        _cache.clear()
        raise SsoError("provider")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(data.get(key), str):
            raise SsoError("provider")
    return data


def end_session_endpoint() -> str | None:
    """Where the provider ends its own session (RP-initiated logout), if it says; never fails."""
    try:
        endpoint = metadata().get("end_session_endpoint")
    except SsoError:
        return None
    return endpoint if isinstance(endpoint, str) else None


def _client(redirect_uri: str) -> OAuth2Session:
    cfg = _config()
    return OAuth2Session(cfg.oidc_client_id, cfg.oidc_client_secret or None, scope=cfg.oidc_scopes,
                         redirect_uri=redirect_uri, code_challenge_method="S256")


def begin(redirect_uri: str, next_url: str | None) -> str:
    """The provider's authorization URL; state, nonce and PKCE verifier kept in the session for the answer."""
    endpoint = metadata()["authorization_endpoint"]
    pending = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32),
               "verifier": secrets.token_urlsafe(48), "since": time.time(), "next": next_url}
    url, _state = _client(redirect_uri).create_authorization_url(
        endpoint, state=pending["state"], nonce=pending["nonce"], code_verifier=pending["verifier"])
    session[PENDING_KEY] = pending
    return url


def pending_next() -> str | None:
    pending = session.get(PENDING_KEY) or {}
    return pending.get("next")


def finish(args, redirect_uri: str) -> dict:
    """Check the provider's answer (``args``: the callback's query), redeem the code, validate the ID token;
    returns its claims. The pending login is used up whatever the outcome."""
    pending = session.pop(PENDING_KEY, None)
    state = args.get("state") or ""
    if (not isinstance(pending, dict) or time.time() - float(pending.get("since", 0)) > PENDING_SECONDS
            or not hmac.compare_digest(state.encode(), str(pending.get("state", "")).encode())):
        raise SsoError("state")
    if args.get("error") or not args.get("code"):
        raise SsoError("denied")
    meta = metadata()
    try:
        token = _client(redirect_uri).fetch_token(
            meta["token_endpoint"], code=args["code"], code_verifier=pending["verifier"],
            grant_type="authorization_code", timeout=HTTP_TIMEOUT)
    except requests.RequestException as error:
        raise SsoError("provider") from error
    except (AuthlibBaseError, ValueError) as error:
        raise SsoError("token") from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SsoError("token")
    return validate_id_token(id_token, meta, pending["nonce"])


def validate_id_token(id_token: str, meta: dict, nonce: str) -> dict:
    """The claims of ``id_token`` once its signature (the provider's published keys), issuer, audience, expiry and
    nonce hold; else :class:`SsoError` (``expired``, ``nonce`` or ``token``)."""
    cfg = _config()
    try:
        keys = KeySet.import_key_set(_cached(meta["jwks_uri"]))
        decoded = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except SsoError:
        raise
    except (JoseError, ValueError, KeyError, TypeError) as error:
        raise SsoError("token") from error
    claims = decoded.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": meta["issuer"]},
        aud={"essential": True, "value": cfg.oidc_client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise SsoError("expired") from error
    except JoseError as error:
        raise SsoError("token") from error
    if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise SsoError("nonce")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != cfg.oidc_client_id:
        raise SsoError("token")
    return dict(claims)

