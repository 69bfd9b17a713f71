"""Server-side sessions bound to the signed Flask cookie.

The cookie holds a random token; the database holds its hash, the start time and the time last
seen. That gives a new session id at every login, idle and absolute timeouts, and a logout (or
deactivation, or password change) that ends the session on the server, not just in the browser.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, session

from casus.database import utcnow
from casus.extensions import db
from casus.users.models import User, UserSession

SESSION_TOKEN_KEY = "sid"
# last_seen_at is written at most this often, so reading pages does not write on every request.
TOUCH_INTERVAL = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User) -> UserSession:
    """Replace whatever the browser had with a fresh session for ``user``.

    Only the chosen language survives: someone who picked English on the login page keeps it.
    """
    clear_keeping_locale()
    token = secrets.token_urlsafe(32)
    row = UserSession(token_hash=token_hash(token), user=user)
    db.session.add(row)
    session[SESSION_TOKEN_KEY] = token
    session.permanent = False
    return row


def clear_keeping_locale() -> None:
    """Clear the browser session except the chosen language (a login should not switch it back)."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def load_session_user(now: datetime | None = None) -> User | None:
    """The user of the current browser session, or None when it is missing, expired or ended."""
    token = session.get(SESSION_TOKEN_KEY)
    if not token:
        return None
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.token_hash == token_hash(token))
    ).scalar_one_or_none()
    now = now or utcnow()
    if row is None or _expired(row, now) or not row.user.active:
        if row is not None:
            db.session.delete(row)
        session.clear()
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
    return row.user


def current_session_row() -> UserSession | None:
    token = session.get(SESSION_TOKEN_KEY)
    if not token:
        return None
    return db.session.execute(
        sa.select(UserSession).where(UserSession.token_hash == token_hash(token))
    ).scalar_one_or_none()


def end_current_session() -> None:
    row = current_session_row()
    if row is not None:
        db.session.delete(row)
    session.clear()


def end_sessions_of(user: User, keep: UserSession | None = None) -> int:
    """End every session of ``user`` (except ``keep``); returns how many were ended."""
    query = sa.delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    return db.session.execute(query).rowcount or 0


def _expired(row: UserSession, now: datetime) -> bool:
    cfg = current_app.config["CASUS"]
    idle = timedelta(minutes=cfg.session_idle_minutes)
    absolute = timedelta(hours=cfg.session_absolute_hours)
    return now - row.last_seen_at > idle or now - row.created_at > absolute
