"""argon2id password hashing; hashes made with older parameters are upgraded at the next login."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from casus.services import ServiceError

_hasher = PasswordHasher()  # argon2id with the library's current RFC 9106 defaults

# Verifying against this when the account is unknown costs the same time as a real check,
# so response timing does not reveal which e-mail addresses exist.
_DUMMY_HASH = _hasher.hash("casus-dummy-password-for-timing")

MIN_LENGTH = 12
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_strength(password: str) -> None:
    """Refuse a new password that is too short, too long or too predictable (on the ``password`` field)."""
    if len(password) < MIN_LENGTH:
        raise ServiceError("Gebruik minstens %(min)d tekens.", field="password", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise ServiceError("Gebruik hoogstens %(max)d tekens.", field="password", max=MAX_LENGTH)
    if len(set(password)) < 5:
        raise ServiceError("Dit wachtwoord is te voorspelbaar; kies een wachtwoordzin met meer variatie.",
                           field="password")
