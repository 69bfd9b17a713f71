"""Seals: keys that are not in the database, signed statements of the chain head, written outside the database."""

from __future__ import annotations

import email
import email.policy
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from casus.audit.chain import head
from casus.audit.models import AuditSeal
from casus.audit.seals import (
    SEAL_FILE,
    Seal,
    SealRefused,
    check_can_seal,
    key_id_of,
    read_file,
    seal_chain,
    seal_keys,
    signing_key,
)
from casus.config import Config

KEY_A, KEY_B = "a" * 40, "b" * 40


def config(**values) -> Config:
    return replace(Config(env="testing", database_url="sqlite://"), **values)


def test_the_key_id_names_a_key_without_revealing_it():
    assert key_id_of(KEY_A.encode()).startswith("hmac-") and len(key_id_of(KEY_A.encode())) == 21
    assert key_id_of(KEY_A.encode()) != key_id_of(KEY_B.encode())
    assert KEY_A not in key_id_of(KEY_A.encode())


def test_the_last_key_signs_and_every_key_verifies(tmp_path):
    key_file = tmp_path / "keys"
    key_file.write_text(f"# retired 2026-01\n{KEY_A}\n\n{KEY_B}\n")
    keys = seal_keys(config(audit_seal_key_file=str(key_file)))
    assert [key.secret for key in keys] == [KEY_A.encode(), KEY_B.encode()]
    assert signing_key(config(audit_seal_key_file=str(key_file), audit_seal_key="c" * 40)).secret == b"c" * 40


def test_sealing_is_refused_in_one_line_without_a_key_or_with_a_short_or_unreadable_one(tmp_path):
    with pytest.raises(SealRefused, match="CASUS_AUDIT_SEAL_KEY or CASUS_AUDIT_SEAL_KEY_FILE") as refused:
        signing_key(config())
    assert "\n" not in str(refused.value)
    (tmp_path / "short").write_text("too short\n")
    with pytest.raises(SealRefused, match="at least 32"):
        seal_keys(config(audit_seal_key_file=str(tmp_path / "short")))
    with pytest.raises(SealRefused, match="cannot be read"):
        seal_keys(config(audit_seal_key_file=str(tmp_path / "missing")))


def test_production_refuses_a_seal_kept_only_in_the_database(tmp_path):
    with pytest.raises(SealRefused, match="CASUS_AUDIT_SEAL_DIR and/or CASUS_AUDIT_SEAL_MAIL_TO"):
        check_can_seal(config(env="production", audit_seal_key=KEY_A))
    check_can_seal(config(env="production", audit_seal_key=KEY_A, audit_seal_dir=str(tmp_path)))
    check_can_seal(config(env="production", audit_seal_key=KEY_A, audit_seal_mail_to=("p@example.org",)))
    check_can_seal(config(audit_seal_key=KEY_A))  # outside production the database alone will do


def test_a_signature_covers_every_field_and_needs_the_key():
    key = signing_key(config(audit_seal_key=KEY_A))
    seal = Seal(sealed_at=datetime(2026, 12, 6, 1, 30, tzinfo=UTC), head_position=9, head_hash="ab" * 32,
                event_count=9, key_id="").signed(key)
    keys = {key.key_id: key.secret}
    assert seal.key_id == key.key_id and seal.signature_valid(keys)
    for changed in (replace(seal, head_position=10), replace(seal, head_hash="cd" * 32),
                    replace(seal, event_count=8), replace(seal, sealed_at=datetime(2026, 12, 7, tzinfo=UTC))):
        assert changed.signature_valid(keys) is False
    assert seal.signature_valid({}) is None
    assert Seal.from_line(seal.line()) == seal


def test_a_seal_goes_to_the_file_then_the_database_with_the_chain_head(chain_app, chain_db, write_events, seal_dir):
    write_events(3)
    first = seal_chain(chain_app, chain_db.session)
    write_events(1)
    second = seal_chain(chain_app, chain_db.session)
    assert (first.head_position, first.event_count, second.head_position) == (3, 3, 4)
    assert second.head_hash == head(chain_db.session)[1]
    assert second.destinations == "database,file"
    in_file, unreadable = read_file(seal_dir / SEAL_FILE)
    assert unreadable == []
    assert [seal.identity for seal in in_file] == [Seal.from_row(first).identity, Seal.from_row(second).identity]
    stored = chain_db.session.execute(sa.select(AuditSeal).order_by(AuditSeal.id)).scalars().all()
    assert [row.id for row in stored] == [first.id, second.id]


def test_the_seal_file_is_only_ever_appended_to(chain_app, chain_db, write_events, seal_dir):
    (seal_dir / SEAL_FILE).write_text('{"earlier": "line"}\n')
    write_events(1)
    seal_chain(chain_app, chain_db.session)
    lines = (seal_dir / SEAL_FILE).read_text().splitlines()
    assert lines[0] == '{"earlier": "line"}' and json.loads(lines[1])["head_position"] == 1


def test_a_seal_is_e_mailed_to_the_configured_addresses(chain_app, chain_db, write_events, tmp_path, monkeypatch):
    from casus.mail import Mailer

    outbox = tmp_path / "outbox"
    monkeypatch.setitem(chain_app.config, "CASUS", replace(chain_app.config["CASUS"], audit_seal_dir="",
                                                           audit_seal_mail_to=("privacy@example.org",)))
    monkeypatch.setitem(chain_app.extensions, "casus_mailer", Mailer(host="-", port=0, sender="c@example.org",
                                                                     outbox=str(outbox)))
    write_events(2)
    seal = seal_chain(chain_app, chain_db.session)
    assert seal.destinations == "database,mail"
    (path,) = outbox.glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "privacy@example.org"
    assert Seal.from_row(seal).line() in message.get_content().splitlines()


def test_a_failed_e_mail_leaves_the_seal_standing_without_it(chain_app, chain_db, write_events, monkeypatch):
    class Broken:
        def message(self, **_fields):
            return None

        def connect(self):
            raise ConnectionRefusedError

    monkeypatch.setitem(chain_app.config, "CASUS", replace(chain_app.config["CASUS"],
                                                           audit_seal_mail_to=("privacy@example.org",)))
    monkeypatch.setitem(chain_app.extensions, "casus_mailer", Broken())
    write_events(1)
    assert seal_chain(chain_app, chain_db.session).destinations == "database,file"


def test_an_unwritable_seal_file_stores_no_seal(chain_app, chain_db, write_events, tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-directory"
    blocked.write_text("")
    monkeypatch.setitem(chain_app.config, "CASUS", replace(chain_app.config["CASUS"], audit_seal_dir=str(blocked)))
    write_events(1)
    with pytest.raises(OSError):
        seal_chain(chain_app, chain_db.session)
    chain_db.session.rollback()
    assert chain_db.session.execute(sa.select(sa.func.count()).select_from(AuditSeal)).scalar_one() == 0
