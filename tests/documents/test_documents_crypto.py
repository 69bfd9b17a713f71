"""Encryption at rest: AES-256-GCM bound to the content's SHA-256, a key id in the header, keys from
configuration checked with a clear error, the development key only outside production."""

from __future__ import annotations

import base64
import hashlib
import os

import pytest

PLAIN = b"Verslag van het casusoverleg (testtekst)."
SHA = hashlib.sha256(PLAIN).hexdigest()


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def ring(**keys: str):
    from casus.documents.crypto import parse_keys

    return parse_keys(keys)


def test_a_stored_object_decrypts_to_the_plain_content_and_never_contains_it():
    from casus.documents.crypto import decrypt, encrypt, key_id_of

    keys = ring(A=new_key())
    blob = encrypt(PLAIN, SHA, keys)
    assert PLAIN not in blob
    assert key_id_of(blob) == "A"
    assert decrypt(blob, SHA, keys) == PLAIN
    assert encrypt(PLAIN, SHA, keys) != blob, "a fresh nonce for every encryption"


@pytest.mark.parametrize("position", [0, 4, 8, 20, -1])
def test_any_flipped_byte_fails_authentication(position):
    from casus.documents.crypto import DecryptionFailed, decrypt, encrypt

    keys = ring(A=new_key())
    blob = bytearray(encrypt(PLAIN, SHA, keys))
    blob[position] ^= 0x01
    with pytest.raises(DecryptionFailed):
        decrypt(bytes(blob), SHA, keys)


def test_an_object_stored_under_another_name_does_not_decrypt():
    from casus.documents.crypto import DecryptionFailed, decrypt, encrypt

    keys = ring(A=new_key())
    other = hashlib.sha256(b"another file").hexdigest()
    with pytest.raises(DecryptionFailed):
        decrypt(encrypt(PLAIN, SHA, keys), other, keys)


def test_the_first_key_encrypts_and_every_key_decrypts():
    from casus.documents.crypto import DecryptionFailed, decrypt, encrypt, key_id_of

    old, new = new_key(), new_key()
    before = encrypt(PLAIN, SHA, ring(A=old))
    both = ring(B=new, A=old)
    assert decrypt(before, SHA, both) == PLAIN
    after = encrypt(PLAIN, SHA, both)
    assert key_id_of(after) == "B"
    assert decrypt(after, SHA, ring(B=new)) == PLAIN
    with pytest.raises(DecryptionFailed, match="not configured"):
        decrypt(before, SHA, ring(B=new))


@pytest.mark.parametrize(("keys", "says"), [
    ({"A": base64.b64encode(b"short").decode()}, "must be 32 bytes"),
    ({"A": "niet*base64!"}, "not valid base64"),
    ({"sleutel met spaties": base64.b64encode(b"k" * 32).decode()}, "key id"),
])
def test_a_malformed_key_is_refused_with_a_clear_message_that_never_quotes_it(keys, says):
    from casus.config import ConfigError
    from casus.documents.crypto import parse_keys

    with pytest.raises(ConfigError, match=says) as refused:
        parse_keys(keys)
    for value in keys.values():
        assert value not in str(refused.value)


def test_without_keys_development_and_testing_use_the_development_key_and_production_none():
    from casus.documents.crypto import DEVELOPMENT_KEY_ID, key_ring_for

    assert key_ring_for({}, "development").current_id == DEVELOPMENT_KEY_ID
    assert key_ring_for({}, "testing").current_id == DEVELOPMENT_KEY_ID
    assert key_ring_for({}, "production") is None
    assert key_ring_for({"K1": new_key()}, "production").current_id == "K1"


def test_keys_come_from_the_environment_in_order():
    from casus.config import Config
    from casus.documents.crypto import key_ring_for

    first, second = new_key(), new_key()
    config = Config.from_env({"CASUS_STORAGE_KEYS": f"2026b={first}; 2026a={second}"}, env="testing")
    keys = key_ring_for(config.storage_keys, config.env)
    assert [key_id for key_id, _ in keys.keys] == ["2026b", "2026a"]
    assert keys.key("2026a") == base64.b64decode(second)


def test_a_malformed_storage_key_stops_the_app_at_start(app_config):
    from dataclasses import replace

    from casus import create_app
    from casus.config import ConfigError

    with pytest.raises(ConfigError, match="CASUS_STORAGE_KEYS"):
        create_app(replace(app_config, storage_keys={"2026": "dGUgc2hvcnQ="}))
