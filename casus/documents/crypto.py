"""Encryption at rest of stored documents: AES-256-GCM (``cryptography``), one key ring from configuration.

A stored object is ``MAGIC | format version | key id length | key id | 96-bit nonce | ciphertext+tag``. The key id
in the header says which key decrypts it, so files written under an older key stay readable while a rotation
runs (``casus documents rotate-key``). The associated data is the header plus the SHA-256 of the plain content:
an object swapped for another stored object, or a header edited to name another key, fails authentication.

Keys come from ``CASUS_STORAGE_KEYS`` (``id=base64 of 32 bytes;...``): the first encrypts, every one decrypts.
Without keys, development and testing use :data:`DEVELOPMENT_KEY` — a key written in this source file, so it
protects nothing (never use it for real documents); production without keys has no documents at all.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from casus.config import ConfigError

MAGIC = b"CSD"
FORMAT_VERSION = 1
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")  # fits StoredFile.key_id

# UNSAFE: public (it is in this file). Only for development and tests, where no real document is stored.
DEVELOPMENT_KEY_ID = "development-unsafe"
DEVELOPMENT_KEY = hashlib.sha256(b"casus development key - not secret, never for real documents").digest()


class DecryptionFailed(Exception):
    """The object is not ours, was altered, or names a key that is not configured."""


@dataclass(frozen=True)
class KeyRing:
    """The configured keys in order: ``keys[0]`` encrypts."""

    keys: tuple[tuple[str, bytes], ...]

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    def key(self, key_id: str) -> bytes | None:
        return dict(self.keys).get(key_id)


def parse_keys(configured: Mapping[str, str]) -> KeyRing | None:
    """The key ring of ``CASUS_STORAGE_KEYS`` (None when empty); a malformed key raises ConfigError that says
    which one and why, never the key itself."""
    keys = []
    for key_id, encoded in configured.items():
        if not KEY_ID.fullmatch(key_id):
            raise ConfigError(f"CASUS_STORAGE_KEYS: key id {key_id!r} must be 1-40 letters, digits, '.', '_' or '-'")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ConfigError(f"CASUS_STORAGE_KEYS: key {key_id!r} is not valid base64") from exc
        if len(key) != KEY_BYTES:
            raise ConfigError(f"CASUS_STORAGE_KEYS: key {key_id!r} must be {KEY_BYTES} bytes (base64 of "
                              f"{KEY_BYTES} random bytes, e.g. `openssl rand -base64 32`), not {len(key)}")
        keys.append((key_id, key))
    return KeyRing(tuple(keys)) if keys else None


def key_ring_for(configured: Mapping[str, str], env: str) -> KeyRing | None:
    """The configured keys; without any, the development key in development and testing, None in production."""
    ring = parse_keys(configured)
    if ring is None and env in ("development", "testing"):
        return KeyRing(((DEVELOPMENT_KEY_ID, DEVELOPMENT_KEY),))
    return ring


def _header(key_id: str) -> bytes:
    encoded = key_id.encode("ascii")
    return MAGIC + struct.pack("BB", FORMAT_VERSION, len(encoded)) + encoded


def encrypt(plain: bytes, sha256: str, ring: KeyRing) -> bytes:
    """``plain`` encrypted under the ring's first key, bound to its SHA-256 (hex)."""
    key_id, key = ring.keys[0]
    header = _header(key_id)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + AESGCM(key).encrypt(nonce, plain, header + sha256.encode("ascii"))


def key_id_of(blob: bytes) -> str:
    """The key id named in a stored object's header; DecryptionFailed when there is no valid header."""
    if len(blob) < len(MAGIC) + 2 or not blob.startswith(MAGIC):
        raise DecryptionFailed("not an encrypted document")
    version, length = struct.unpack_from("BB", blob, len(MAGIC))
    if version != FORMAT_VERSION:
        raise DecryptionFailed(f"unknown format version {version}")
    start = len(MAGIC) + 2
    try:
        return blob[start:start + length].decode("ascii")
    except UnicodeDecodeError as exc:
        raise DecryptionFailed("bad key id") from exc


def decrypt(blob: bytes, sha256: str, ring: KeyRing) -> bytes:
    """The plain content of a stored object; DecryptionFailed when its key is unknown or it was altered."""
    key_id = key_id_of(blob)
    key = ring.key(key_id)
    if key is None:
        raise DecryptionFailed(f"key {key_id!r} is not configured")
    header = _header(key_id)
    nonce = blob[len(header):len(header) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(header) + NONCE_BYTES:], header + sha256.encode("ascii"))
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed("authentication failed") from exc
