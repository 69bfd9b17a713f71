"""Seals of the audit chain: a signed statement of the chain's head — position, hash, number of links, time —
kept in the database (``audit_seals``) and where a database administrator cannot silently change it: appended as
one JSON line to ``<CASUS_AUDIT_SEAL_DIR>/audit-seals.jsonl`` (opened O_APPEND; make the directory append-only,
``chattr +a``, or put it on another host) and/or e-mailed to ``CASUS_AUDIT_SEAL_MAIL_TO`` (addresses from the
configuration, not from the database, which the administrator could change).

Signature: HMAC-SHA256 with a key that is never stored in the database (``CASUS_AUDIT_SEAL_KEY`` or the keys in
``CASUS_AUDIT_SEAL_KEY_FILE``, one a line: the last one signs, each one verifies), over :meth:`Seal.payload`. A
key is named by its key id, a hash of the key (``hmac-`` and 16 hex characters), so a seal says which key signed
it without revealing it.

Sealing refuses, with a one-line message, when no key is configured; in production also when the seal would go
nowhere but the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from casus.audit.chain import LINKS, chain_all, head, timestamp
from casus.audit.models import AuditSeal
from casus.config import Config
from casus.database import utcnow
from casus.mail import mailer_for

log = logging.getLogger("casus.audit")

SEAL_FILE = "audit-seals.jsonl"
SEAL_VERSION = 1
MIN_KEY_LENGTH = 32


class SealRefused(RuntimeError):
    """Sealing cannot be done safely with this configuration; the message says what to set (one line)."""


@dataclass(frozen=True)
class SealKey:
    key_id: str
    secret: bytes


def key_id_of(secret: bytes) -> str:
    return "hmac-" + hashlib.sha256(b"casus audit seal key id\0" + secret).hexdigest()[:16]


def seal_keys(config: Config) -> list[SealKey]:
    """Every configured key, the signing one last: the key file's lines, then ``CASUS_AUDIT_SEAL_KEY``."""
    texts = []
    if config.audit_seal_key_file:
        try:
            lines = Path(config.audit_seal_key_file).read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise SealRefused(f"CASUS_AUDIT_SEAL_KEY_FILE cannot be read ({type(error).__name__})") from error
        texts = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        if any(len(text) < MIN_KEY_LENGTH for text in texts):
            raise SealRefused(f"every key in CASUS_AUDIT_SEAL_KEY_FILE must be at least {MIN_KEY_LENGTH} characters")
    if config.audit_seal_key:
        texts.append(config.audit_seal_key)
    return [SealKey(key_id_of(text.encode()), text.encode()) for text in texts]


def signing_key(config: Config) -> SealKey:
    keys = seal_keys(config)
    if not keys:
        raise SealRefused("no key to seal the audit log with: set CASUS_AUDIT_SEAL_KEY or CASUS_AUDIT_SEAL_KEY_FILE "
                          "(docs/OPERATIONS.md, 'The audit chain')")
    return keys[-1]


@dataclass(frozen=True)
class Seal:
    """One seal as written to the file and the database."""

    sealed_at: datetime
    head_position: int
    head_hash: str
    event_count: int
    key_id: str
    signature: str = ""

    def payload(self) -> bytes:
        """What the signature covers: the seal's fields but the signature, as sorted compact JSON."""
        fields = {"v": SEAL_VERSION, "sealed_at": timestamp(self.sealed_at), "head_position": self.head_position,
                  "head_hash": self.head_hash, "event_count": self.event_count, "key_id": self.key_id}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("ascii")

    def signed(self, key: SealKey) -> Seal:
        unsigned = replace(self, key_id=key.key_id)
        return replace(unsigned, signature=hmac.new(key.secret, unsigned.payload(), hashlib.sha256).hexdigest())

    def signature_valid(self, keys: dict[str, bytes]) -> bool | None:
        """True or False; None when the key that signed it is not configured."""
        secret = keys.get(self.key_id)
        if secret is None:
            return None
        expected = hmac.new(secret, self.payload(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.signature)

    def line(self) -> str:
        return json.dumps({**asdict(self), "sealed_at": timestamp(self.sealed_at)}, sort_keys=True)

    @property
    def identity(self) -> tuple:
        """Equal for the same seal in the file and the database."""
        return (timestamp(self.sealed_at), self.head_position, self.head_hash, self.event_count, self.key_id,
                self.signature)

    @classmethod
    def from_line(cls, line: str) -> Seal:
        """A line of the seal file; ValueError (KeyError, TypeError) when it is not one."""
        data = json.loads(line)
        sealed_at = datetime.fromisoformat(data["sealed_at"].replace("Z", "+00:00"))
        return cls(sealed_at=sealed_at, head_position=int(data["head_position"]), head_hash=str(data["head_hash"]),
                   event_count=int(data["event_count"]), key_id=str(data["key_id"]),
                   signature=str(data["signature"]))

    @classmethod
    def from_row(cls, row: AuditSeal) -> Seal:
        return cls(sealed_at=row.sealed_at, head_position=row.head_position, head_hash=row.head_hash,
                   event_count=row.event_count, key_id=row.key_id, signature=row.signature)


# --- outside the database -------------------------------------------------------------------------------------

def seal_file(config: Config) -> Path | None:
    return Path(config.audit_seal_dir) / SEAL_FILE if config.audit_seal_dir else None


def append_to_file(path: Path, seal: Seal) -> None:
    """One line appended (O_APPEND: never overwriting, also in an append-only directory) and synced to disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(descriptor, (seal.line() + "\n").encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_file(path: Path) -> tuple[list[Seal], list[int]]:
    """The seals in the file and the numbers of the lines that are not seals."""
    seals, unreadable = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            seals.append(Seal.from_line(line))
        except (ValueError, KeyError, TypeError, AttributeError):
            unreadable.append(number)
    return seals, unreadable


def mail_seal(app: Flask, seal: Seal, addresses: tuple[str, ...]) -> None:
    mailer = mailer_for(app)
    body = ("Dit is een zegel van het auditlog van Casus. Bewaar dit bericht: met de zegels buiten de database "
            "toont 'casus audit verify' aan dat het auditlog sinds het zegel niet is gewijzigd, ingekort of "
            "aangevuld.\n\n" + seal.line() + "\n")
    subject = f"Casus: zegel van het auditlog, positie {seal.head_position}"
    with mailer.connect() as connection:
        for address in addresses:
            connection.send(mailer.message(to=address, subject=subject, body=body, language="nl"))


# --- sealing ---------------------------------------------------------------------------------------------------

def check_can_seal(config: Config) -> SealKey:
    """The signing key; SealRefused when sealing would be unsafe with this configuration."""
    key = signing_key(config)
    if config.env == "production" and not (config.audit_seal_dir or config.audit_seal_mail_to):
        raise SealRefused("a seal kept only in the database proves nothing: set CASUS_AUDIT_SEAL_DIR and/or "
                          "CASUS_AUDIT_SEAL_MAIL_TO (docs/OPERATIONS.md, 'The audit chain')")
    return key


def seal_chain(app: Flask, session: Session, *, now: datetime | None = None) -> AuditSeal:
    """Chain what is pending, sign the head, write the seal outside the database, then into it. Commits.

    The file comes first (the outside copy is the one that counts); if it cannot be written nothing is stored. A
    failed e-mail is logged and leaves ``mail`` out of the seal's destinations.
    """
    config: Config = app.config["CASUS"]
    key = check_can_seal(config)
    chain_all(session, seconds=float("inf"))
    position, head_hash = head(session)
    count = session.execute(sa.select(sa.func.count()).select_from(LINKS)
                            .where(LINKS.c.position <= position)).scalar_one()
    seal = Seal(sealed_at=now or utcnow(), head_position=position, head_hash=head_hash, event_count=count,
                key_id=key.key_id).signed(key)
    destinations = ["database"]
    if path := seal_file(config):
        append_to_file(path, seal)
        destinations.append("file")
    if config.audit_seal_mail_to:
        try:
            mail_seal(app, seal, config.audit_seal_mail_to)
            destinations.append("mail")
        except Exception as error:  # the seal stands without its e-mail; the log says so (type only)
            log.error("audit seal not e-mailed: %s", type(error).__name__, extra={"exc_type": type(error).__name__})
    row = AuditSeal(sealed_at=seal.sealed_at, head_position=seal.head_position, head_hash=seal.head_hash,
                    event_count=seal.event_count, key_id=seal.key_id, signature=seal.signature,
                    destinations=",".join(destinations))
    session.add(row)
    session.commit()
    return row
