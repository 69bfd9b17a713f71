"""Single sign-on, the Casus half: who a validated identity is here (docs/OPERATIONS.md, "Single sign-on").

An identity is the provider's issuer and ``sub``. It finds the account linked to it; else a pre-created account
with the same e-mail address that no identity claimed yet (linked now); else, only with
``CASUS_OIDC_CREATE_USERS``, a new account in the organisation and with the roles its claims map to. Anything
else is refused, with an audit event. With ``CASUS_OIDC_SYNC_ROLES`` the roles the role map can give follow the
claims at every login. When the provider asserts multi-factor authentication (``amr`` or ``acr``,
configurable) Casus asks no TOTP code of its own; otherwise its TOTP rules apply as after a password.
"""

from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app

from casus.audit.models import Outcome
from casus.audit.services import record
from casus.auth import oidc, services
from casus.auth.oidc import SsoError
from casus.auth.services import LoginStep
from casus.extensions import db
from casus.organisations.models import Organisation
from casus.services import ServiceError
from casus.users.models import LoginMethod, Role, User
from casus.users.services import save_user, sync_provider_roles

# An identity Casus refuses (login.sso_refused); every other reason is a failed exchange (login.sso_failed).
REFUSALS = frozenset({"unknown", "organisation", "inactive", "roles"})


def _config():
    return current_app.config["CASUS"]


def _values(claim: object) -> list[str]:
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, list | tuple):
        return [str(item) for item in claim if isinstance(item, str | int)]
    return []


def provider_asserted_mfa(claims: dict) -> bool:
    cfg = _config()
    amr = set(_values(claims.get("amr")))
    return bool(amr & cfg.oidc_mfa_amr) or (bool(cfg.oidc_mfa_acr) and claims.get("acr") in cfg.oidc_mfa_acr)


def mapped_organisation(claims: dict) -> Organisation | None:
    """The organisation the claims name: the organisation claim's value through the map (or, unmapped, by name)."""
    cfg = _config()
    if not cfg.oidc_organisation_claim:
        return None
    for value in _values(claims.get(cfg.oidc_organisation_claim)):
        name = cfg.oidc_organisation_map.get(value, value if not cfg.oidc_organisation_map else None)
        if name is None:
            continue
        organisation = db.session.execute(
            sa.select(Organisation).where(Organisation.name == name, Organisation.active.is_(True))
        ).scalar_one_or_none()
        if organisation is not None:
            return organisation
    return None


def mapped_roles(claims: dict) -> set[str]:
    cfg = _config()
    known = {role.value for role in Role}
    return {cfg.oidc_role_map[value] for value in _values(claims.get(cfg.oidc_roles_claim))
            if cfg.oidc_role_map.get(value) in known}


def refuse(reason: str, *, user: User | None = None) -> SsoError:
    """Audit a refused or failed single sign-on and return the error to raise. The details name the reason and
    the provider, never the claims (they can hold a name)."""
    action = "login.sso_refused" if reason in REFUSALS else "login.sso_failed"
    record(action, object_type="user", object_id=getattr(user, "id", None), outcome=Outcome.DENIED, user=user,
           details={"reason": reason, "issuer": _config().oidc_issuer})
    return SsoError(reason)


def _linked(issuer: str, subject: str) -> User | None:
    return db.session.execute(
        sa.select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)).unique().scalar_one_or_none()


def _precreated(claims: dict) -> User | None:
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is False:
        return None
    return db.session.execute(
        sa.select(User).where(User.email == email.strip().lower(), User.oidc_subject.is_(None))
    ).unique().scalar_one_or_none()


def _create(claims: dict, issuer: str) -> User:
    organisation = mapped_organisation(claims)
    roles = mapped_roles(claims)
    email = claims.get("email")
    if organisation is None or not roles or not isinstance(email, str):
        raise refuse("organisation")
    name = claims.get("name") or " ".join(
        str(claims[key]) for key in ("given_name", "family_name") if claims.get(key)) or email
    try:
        user, _password = save_user(None, email=email, name=str(name)[:200], organisation_id=organisation.id,
                                    team_id=None, roles=roles)
    except ServiceError as error:
        raise refuse("organisation") from error
    user.oidc_issuer, user.oidc_subject = issuer, str(claims["sub"])
    record("user.sso_created", object_type="user", object_id=user.id, user=user,
           details={"issuer": issuer, "roles": sorted(roles)})
    return user


def identify(claims: dict) -> User:
    """The account of a validated identity (linking or creating it as configured), or a refusal."""
    cfg = _config()
    issuer, subject = cfg.oidc_issuer, str(claims["sub"])
    user = _linked(issuer, subject)
    if user is None:
        user = _precreated(claims)
        if user is not None:
            user.oidc_issuer, user.oidc_subject = issuer, subject
            db.session.flush()
            record("user.sso_linked", object_type="user", object_id=user.id, user=user, details={"issuer": issuer})
    if user is None:
        if not cfg.oidc_create_users:
            raise refuse("unknown")
        user = _create(claims, issuer)
    if not user.active or not user.organisation.active:
        raise refuse("inactive", user=user)
    if cfg.oidc_sync_roles:
        _sync_roles(user, claims)
    return user


def _sync_roles(user: User, claims: dict) -> None:
    """The roles the role map can give follow the claims (``CASUS_OIDC_SYNC_ROLES``); an account left without
    any role is refused (its roles stay as they were)."""
    known = {role.value for role in Role}
    managed = {role for role in _config().oidc_role_map.values() if role in known}
    try:
        sync_provider_roles(user, mapped_roles(claims), managed)
    except ServiceError as error:
        raise refuse("roles", user=user) from error


def sign_in(claims: dict) -> LoginStep:
    """Log the identity in, or send it on to Casus's TOTP step when the provider asserted no MFA."""
    user = identify(claims)
    if provider_asserted_mfa(claims):
        services.complete_login(user, LoginMethod.SSO, details={"mfa": "provider"})
        return LoginStep.DONE
    step = services.second_factor_step(user)
    if step is LoginStep.DONE:
        services.complete_login(user, LoginMethod.SSO)
        return step
    return services.pend(user, step, LoginMethod.SSO)


def pending_next() -> str | None:
    return oidc.pending_next()


def start(redirect_uri: str, next_url: str | None) -> str:
    """The provider's authorization URL; a provider that does not answer is audited and raised."""
    try:
        return oidc.begin(redirect_uri, next_url)
    except SsoError as error:
        raise refuse(error.reason) from error


def callback(args, redirect_uri: str) -> LoginStep:
    """The provider's answer: validated, identified, logged in (or on to the TOTP step); every failure audited."""
    try:
        claims = oidc.finish(args, redirect_uri)
    except SsoError as error:
        raise refuse(error.reason) from error
    return sign_in(claims)


def end_session_url(post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session endpoint for this client (RP-initiated logout), if the provider has one."""
    endpoint = oidc.end_session_endpoint()
    if endpoint is None:
        return None
    query = urlencode({"client_id": _config().oidc_client_id, "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
