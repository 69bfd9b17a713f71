"""Personal access tokens for the HTTP API: shown once, stored as a SHA-256 hash, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

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
