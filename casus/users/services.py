"""Creating and administering users. Disabling a user or resetting credentials ends their sessions and revokes
their API tokens; reactivating a user revives none of them."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from casus.audit.services import record
from casus.auth.passwords import check_strength, hash_password
from casus.auth.sessions import end_sessions_of
from casus.auth.tokens import revoke_all_of
from casus.database import utcnow
from casus.extensions import db
from casus.i18n import LANGUAGES
from casus.organisations.models import Team
from casus.organisations.services import get_organisation, get_team, organisation_by_name
from casus.policy import TEAM_ROLES
from casus.services import ServiceError
from casus.users.models import ApiToken, Role, User, UserRole


def list_users() -> list[User]:
    return list(db.session.execute(sa.select(User).order_by(User.name)).unique().scalars())


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ServiceError("Vul een geldig e-mailadres in.", field="email") from error


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def save_user(user: User | None, *, email: str, name: str, organisation_id: int, team_id: int | None,
              roles: Iterable[str], active: bool = True, password: str | None = None) -> tuple[User, str | None]:
    """Create (``user`` None) or update a user.

    A new user without ``password`` gets a generated one; the plain password is returned once so
    it can be handed over, and never stored.
    """
    email = normalise_email(email)
    name = name.strip()
    if not name:
        raise ServiceError("Vul een naam in.", field="name")
    role_values = _valid_roles(roles)
    organisation = get_organisation(organisation_id)
    if organisation is None or not organisation.active:
        raise ServiceError("Kies een actieve organisatie.", field="organisation_id")
    team = _valid_team(team_id, role_values, organisation.id)
    clash = db.session.execute(sa.select(User.id).where(User.email == email)).scalar_one_or_none()
    if clash is not None and (user is None or clash != user.id):
        raise ServiceError("Er bestaat al een gebruiker met dit e-mailadres.", field="email")
    created = user is None
    plain = None
    if created:
        plain = password or generate_password()
        check_strength(plain)
        user = User(password_hash=hash_password(plain))
    was_active = user.active if not created else True
    user.email, user.name, user.organisation, user.team, user.active = email, name, organisation, team, active
    _set_roles(user, role_values)
    db.session.add(user)
    db.session.flush()
    if was_active and not active:
        end_sessions_of(user)
    record("user.created" if created else "user.updated", object_type="user", object_id=user.id,
           details={"roles": sorted(role_values), "active": active})
    if not created and was_active != active:
        revoke_all_of(user, "deactivated" if not active else "reactivated")
    return user, plain


def sync_provider_roles(user: User, asserted: set[str], managed: set[str]) -> bool:
    """Single sign-on with role sync: the roles in ``managed`` (those the provider's role map can give) become
    ``asserted``; other roles stay. A procesregisseur or supervisor role is only given to an account with a
    team. Audited as ``user.sso_roles`` with what changed; returns whether anything did."""
    current = set(user.roles)
    grantable = asserted if user.team_id is not None else asserted - set(TEAM_ROLES)
    wanted = (current - managed) | (grantable & managed)
    if wanted == current:
        return False
    if not wanted:
        raise ServiceError("Kies minstens één rol.", field="roles")
    _set_roles(user, wanted)
    db.session.flush()
    record("user.sso_roles", object_type="user", object_id=user.id, user=user,
           details={"added": sorted(wanted - current), "removed": sorted(current - wanted),
                    **({"not_given": sorted(asserted - grantable)} if asserted - grantable else {})})
    return True


def create_user_by_names(*, email: str, name: str, organisation_name: str, team_name: str | None,
                         roles: Iterable[str], password: str | None) -> tuple[User, str | None]:
    """The CLI's variant of :func:`save_user`, naming organisation and team instead of ids."""
    organisation = organisation_by_name(organisation_name)
    if organisation is None:
        raise ServiceError("Onbekende organisatie: %(name)s", field="organisation_id", name=organisation_name)
    team_id = None
    if team_name:
        team = db.session.execute(sa.select(Team).where(
            Team.organisation_id == organisation.id, Team.name == team_name)).scalar_one_or_none()
        if team is None:
            raise ServiceError("Onbekend team bij %(organisation)s: %(team)s", field="team_id",
                               organisation=organisation_name, team=team_name)
        team_id = team.id
    return save_user(None, email=email, name=name, organisation_id=organisation.id, team_id=team_id,
                     roles=roles, password=password)


def set_active(user: User, active: bool) -> None:
    """Deactivating ends the user's sessions and revokes their API tokens. Reactivating revokes any token still
    standing from before (older deactivations did not revoke them): a reactivated user starts without tokens."""
    user.active = active
    if not active:
        end_sessions_of(user)
    record("user.activated" if active else "user.deactivated", object_type="user", object_id=user.id)
    revoke_all_of(user, "reactivated" if active else "deactivated")


def deactivate_inactive(now: datetime, days: int) -> list[User]:
    """Deactivate every active account without a login (or, never logged in, created) and without a use of one of
    its API tokens (a partner system's account) in the last ``days`` days, as :func:`set_active` does; each audited
    with the reason. Returns them (none when ``days`` is 0)."""
    if days <= 0:
        return []
    cutoff = now - timedelta(days=days)
    token_used = sa.exists().where(ApiToken.user_id == User.id, ApiToken.last_used_at >= cutoff)
    stale = list(db.session.execute(
        sa.select(User).where(User.active.is_(True), sa.func.coalesce(User.last_login_at, User.created_at) < cutoff,
                              ~token_used)
        .order_by(User.id)).unique().scalars())
    for user in stale:
        user.active = False
        end_sessions_of(user)
        record("user.deactivated", object_type="user", object_id=user.id,
               details={"reason": "inactive", "days": days})
        revoke_all_of(user, "deactivated")
    return stale


def reset_password(user: User) -> str:
    """Give the user a new random password (returned once), end all their sessions, revoke their API tokens."""
    plain = generate_password()
    user.password_hash = hash_password(plain)
    user.password_changed_at = utcnow()
    user.failed_login_count = 0
    end_sessions_of(user)
    record("user.password_reset", object_type="user", object_id=user.id)
    revoke_all_of(user, "password_reset")
    return plain


def reset_second_factor(user: User) -> None:
    """Remove the TOTP secret; the user enrols again at the next login. Ends all their sessions and revokes
    their API tokens."""
    user.totp_secret = None
    user.totp_last_step = None
    end_sessions_of(user)
    record("user.totp_reset", object_type="user", object_id=user.id)
    revoke_all_of(user, "totp_reset")


def set_locale(user: User, locale: str | None) -> None:
    """The user's own language for pages, e-mail and notifications (None: the default). The user changes it
    themselves — the language switch, ``PATCH /api/v1/me`` — so they are the actor; audited when it changes."""
    if locale is not None and locale not in LANGUAGES:
        raise ServiceError("Kies een waarde uit de lijst.", field="locale")
    if user.locale == locale:
        return
    previous, user.locale = user.locale, locale
    db.session.flush()
    record("user.locale", object_type="user", object_id=user.id, user=user, details={"from": previous, "to": locale})


def _valid_roles(roles: Iterable[str]) -> set[str]:
    values = {str(role) for role in roles}
    if not values:
        raise ServiceError("Kies minstens één rol.", field="roles")
    unknown = values - {role.value for role in Role}
    if unknown:
        raise ServiceError("Onbekende rol: %(roles)s", field="roles", roles=", ".join(sorted(unknown)))
    return values


def _valid_team(team_id: int | None, roles: set[str], organisation_id: int) -> Team | None:
    team = get_team(team_id) if team_id else None
    if team_id and (team is None or not team.active):
        raise ServiceError("Kies een actief team.", field="team_id")
    if team is not None and team.organisation_id != organisation_id:
        raise ServiceError("Kies een team van de gekozen organisatie.", field="team_id")
    if team is None and roles & set(TEAM_ROLES):
        raise ServiceError("Een procesregisseur of supervisor hoort bij een team.", field="team_id")
    return team


def _set_roles(user: User, roles: set[str]) -> None:
    current = {str(row.role): row for row in user.role_rows}
    for role, row in current.items():
        if role not in roles:
            user.role_rows.remove(row)
    for role in roles - current.keys():
        user.role_rows.append(UserRole(role=Role(role)))
