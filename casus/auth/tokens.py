"""Personal access tokens for the HTTP API: shown once, stored as a SHA-256 hash, expiring, revocable.

A token ends with the credentials it stands beside: a password change, an administrator's password reset, a
second-factor reset and a deactivation revoke all the user's tokens (:func:`revoke_all_of`), for good — a
reactivated user starts without any. Users see their own tokens and revoke them (:func:`revoke_own`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from casus.audit.services import record
from casus.database import utcnow
from casus.extensions import db
from casus.users.models import ApiToken, User

TOKEN_PREFIX = "casus_"
SCOPES = frozenset({"read", "write"})


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, *, days: int, name: str = "", scopes: str = "read write") -> tuple[ApiToken, str]:
    """Create a token; returns the row and the plain token, which is never stored or shown again."""
    if days < 1 or days > 366:
        raise ValueError("Een token is 1 tot en met 366 dagen geldig.")
    unknown = set(scopes.split()) - SCOPES
    if unknown or not scopes.split():
        raise ValueError(f"Onbekende scope: {', '.join(sorted(unknown)) or '(leeg)'}")
    public = secrets.token_hex(4)
    plain = f"{TOKEN_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    row = ApiToken(
        user=user,
        name=name or f"token {public}",
        prefix=public,
        token_hash=_hash(plain),
        scopes=" ".join(sorted(set(scopes.split()))),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(row)
    return row, plain


def user_for_token(plain: str) -> tuple[User, ApiToken] | None:
    """The active user behind a bearer token, or None when unknown, expired, revoked or disabled."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    row = db.session.execute(sa.select(ApiToken).where(ApiToken.token_hash == _hash(plain))).scalar_one_or_none()
    now = utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.active:
        return None
    # Recorded at most once a minute, so API reads do not each cost a write.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
    return row.user, row


def revoke(row: ApiToken) -> None:
    row.revoked_at = utcnow()


ACTIVE, EXPIRED, REVOKED = "actief", "verlopen", "ingetrokken"


def token_state(row: ApiToken, now=None) -> str:
    """``actief``, ``verlopen`` or ``ingetrokken`` (revoked wins: a revoked token stays revoked)."""
    if row.revoked_at is not None:
        return REVOKED
    return EXPIRED if row.expires_at <= (now or utcnow()) else ACTIVE


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first: active, expired and revoked alike (never the token itself)."""
    return list(db.session.execute(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).scalars())


def own_token(user: User, token_id: int) -> ApiToken | None:
    if not 0 < token_id < 2**31:  # beyond the id column: nobody's
        return None
    row = db.session.get(ApiToken, token_id)
    return row if row is not None and row.user_id == user.id else None


def revoke_own(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of ``user``'s own tokens (audited); None when it is not theirs. Revoking twice changes nothing."""
    row = own_token(user, token_id)
    if row is not None and row.revoked_at is None:
        revoke(row)
        record("api_token.revoked", object_type="api_token", object_id=row.id,
               details={"reason": "revoked_by_owner", "prefix": row.prefix}, user=user)
    return row


def revoke_all_of(user: User, reason: str) -> int:
    """Revoke every token of ``user`` that still works (not revoked, not expired), each audited with ``reason``
    (``password_changed``, ``password_reset``, ``totp_reset``, ``deactivated``, ``reactivated``); how many."""
    now = utcnow()
    rows = db.session.execute(sa.select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
        .order_by(ApiToken.id).with_for_update(of=ApiToken)).scalars().all()
    for row in rows:
        row.revoked_at = now
        record("api_token.revoked", object_type="api_token", object_id=row.id,
               details={"reason": reason, "prefix": row.prefix, "user_id": user.id})
    return len(rows)
