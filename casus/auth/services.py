"""The login flow: password, then (where needed) a TOTP code or TOTP enrolment, then a session.

Between the password and the second factor the browser holds only a short-lived "pending"
marker in its session, never a logged-in session.
"""

from __future__ import annotations

import enum
import time
from datetime import UTC, datetime

import pyotp
import sqlalchemy as sa
from flask import current_app, request, session

from casus.audit.models import Outcome
from casus.audit.services import record
from casus.auth.passwords import hash_password, needs_rehash, verify_password
from casus.auth.sessions import clear_keeping_locale, end_sessions_of, start_session
from casus.auth.tokens import revoke_all_of
from casus.database import utcnow
from casus.extensions import db
from casus.users.models import LoginMethod, User

PENDING_SECONDS = 300
SSO_SESSION_KEY = "sso"  # on a session begun through the identity provider: logout offers its end-session endpoint


class LoginStep(enum.Enum):
    DONE = "done"
    TOTP = "totp"
    ENROL = "enrol"
    INVALID = "invalid"
    THROTTLED = "throttled"
    PASSWORD_OFF = "password_off"  # the right password, but the organisation logs in through single sign-on only


def throttle():
    return current_app.extensions["casus_throttle"]


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        sa.select(User).where(User.email == email.strip().lower())
    ).unique().scalar_one_or_none()


def totp_required(user: User) -> bool:
    required = current_app.config["CASUS"].totp_required_roles
    return bool(user.roles & required)


def check_password(email: str, password: str) -> LoginStep:
    """First step of the login. Unknown accounts and wrong passwords give the same answer.

    The attempt counts against the account and the IP before the password is checked (see
    :mod:`casus.auth.throttling`): simultaneous guesses get at most the limit of checks between them.
    """
    ip = request.remote_addr or "-"
    attempt = throttle().attempt(email, ip)
    if attempt is None:
        record("login.throttled", outcome=Outcome.DENIED)
        return LoginStep.THROTTLED
    user = find_user_by_email(email)
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.active:
        _register_failure(user)
        return LoginStep.INVALID
    throttle().release(email, ip, attempt)  # a right password is no failed attempt
    if not user.organisation.password_login:
        record("login.password_disabled", object_type="user", object_id=user.id, outcome=Outcome.DENIED, user=user)
        return LoginStep.PASSWORD_OFF
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    step = second_factor_step(user)
    if step is LoginStep.DONE:
        complete_login(user, LoginMethod.PASSWORD)
        return step
    return pend(user, step, LoginMethod.PASSWORD)


def second_factor_step(user: User) -> LoginStep:
    """What Casus asks after the first factor: its TOTP code, enrolment where the role requires it, or nothing."""
    if user.totp_enabled:
        return LoginStep.TOTP
    if totp_required(user):
        return LoginStep.ENROL
    return LoginStep.DONE


def _register_failure(user: User | None) -> None:
    """Record a failed attempt; the throttle counted it already, before the check."""
    if user is not None:
        user.failed_login_count += 1
    record("login.failed", object_type="user", object_id=getattr(user, "id", None),
           outcome=Outcome.DENIED, user=user)


def pend(user: User, step: LoginStep, method: LoginMethod) -> LoginStep:
    clear_keeping_locale()
    session["pending_uid"] = user.id
    session["pending_step"] = step.value
    session["pending_since"] = time.time()
    session["pending_method"] = method.value
    return step


def pending_user(step: LoginStep) -> User | None:
    """The user half-way through logging in at ``step``, if that has not timed out."""
    if session.get("pending_step") != step.value:
        return None
    if time.time() - float(session.get("pending_since", 0)) > PENDING_SECONDS:
        session.clear()
        return None
    user = db.session.get(User, session.get("pending_uid"))
    return user if user is not None and user.active else None


def verify_totp(user: User, code: str, secret: str | None = None) -> bool:
    """Check a code against the user's (or a new) secret; a code is accepted only once."""
    secret = secret or user.totp_secret
    code = code.strip().replace(" ", "")
    if not secret or not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    now = datetime.now(UTC)
    for drift in (-1, 0, 1):
        moment = datetime.fromtimestamp(now.timestamp() + drift * totp.interval, UTC)
        step = totp.timecode(moment)
        if totp.at(moment) == code and (user.totp_last_step is None or step > user.totp_last_step):
            user.totp_last_step = step
            return True
    return False


def second_factor(user: User, code: str) -> bool:
    """Check the TOTP code, counted by the throttle before the check like a password."""
    ip = request.remote_addr or "-"
    attempt = throttle().attempt(user.email, ip)
    if attempt is None:
        record("login.throttled", outcome=Outcome.DENIED, user=user)
        return False
    if not verify_totp(user, code):
        _register_failure(user)
        return False
    throttle().release(user.email, ip, attempt)
    complete_login(user)
    return True


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name="Casus")


def enrol_totp(user: User, secret: str, code: str) -> bool:
    """Store ``secret`` as the user's second factor once they prove their app produces codes."""
    if not verify_totp(user, code, secret=secret):
        return False
    user.totp_secret = secret
    record("user.totp_enrolled", object_type="user", object_id=user.id, user=user)
    return True


def complete_login(user: User, method: LoginMethod | None = None, details: dict | None = None) -> None:
    """Start the session. ``method``: how the first factor was given (else the pending login's, else password)."""
    method = method or LoginMethod(session.get("pending_method", LoginMethod.PASSWORD.value))
    throttle().succeeded(user.email)  # first: when the throttle is down, no session is started at all
    start_session(user)
    if method is LoginMethod.SSO:
        session[SSO_SESSION_KEY] = True
    user.failed_login_count = 0
    user.last_login_at = utcnow()
    user.last_login_method = method
    record("login.success", object_type="user", object_id=user.id, user=user,
           details={"method": method.value, **(details or {})})


def change_own_password(user: User, current: str, new: str, keep_session) -> bool:
    """Change the password; every other session of the user ends, and all their API tokens are revoked."""
    if not verify_password(user.password_hash, current):
        return False
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    end_sessions_of(user, keep=keep_session)
    record("user.password_changed", object_type="user", object_id=user.id, user=user)
    revoke_all_of(user, "password_changed")
    return True
