"""``casus documents verify`` and ``casus documents rotate-key`` as an operator runs them: the installed ``casus``
script in a subprocess, against a database of its own brought up with ``casus db upgrade``."""

from __future__ import annotations

import base64
import os
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from document_samples import image_bytes, pdf_bytes
from processes import assert_ok, casus_env, fresh_database, production_env, run_casus


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def installation(tmp_path):
    """A migrated database and a storage directory, as `casus db upgrade` leaves them."""
    with fresh_database(tmp_path) as url:
        storage_dir = tmp_path / "documents"
        assert_ok(run_casus("db", "upgrade", env=production_env(url), cwd=tmp_path))
        yield url, storage_dir


def casus(installation, *args: str, keys: str):
    url, storage_dir = installation
    env = production_env(url, CASUS_STORAGE_DIR=str(storage_dir), CASUS_STORAGE_KEYS=keys)
    return run_casus("documents", *args, env=env, cwd=storage_dir.parent)


@contextmanager
def documents_app(installation, keys: dict[str, str]):
    """The application on the same database and storage, in this process, inside an app context."""
    from casus import create_app, testing_config
    from casus.extensions import db

    url, storage_dir = installation
    app = create_app(testing_config(database_url=url, storage_dir=str(storage_dir), storage_keys=keys,
                                    instance_path=str(storage_dir.parent / "instance")))
    with app.app_context():
        try:
            yield db
        finally:
            db.session.remove()
            db.engine.dispose()


def store(installation, keys: dict[str, str], *files: bytes) -> list[str]:
    from casus.documents.files import store_upload

    with documents_app(installation, keys) as db:
        names = [store_upload(data, "upload").sha256 for data in files]
        db.session.commit()
    return names


def key_ids(installation, keys: dict[str, str]) -> dict[str, str]:
    from casus.documents.models import StoredFile

    with documents_app(installation, keys) as db:
        return dict(db.session.execute(sa.select(StoredFile.sha256, StoredFile.key_id)).all())


def test_a_key_rotation_from_a_to_b_after_which_a_can_be_removed(installation):
    from casus.documents.files import CorruptFile, read_verified

    a, b = new_key(), new_key()
    names = store(installation, {"A": a}, pdf_bytes(), image_bytes("PNG"))
    assert set(key_ids(installation, {"A": a}).values()) == {"A"}
    with documents_app(installation, {"B": b}), pytest.raises(CorruptFile):
        read_verified(names[0])  # B alone cannot read what A wrote

    # Step 1: B added in front of A. Everything stays readable.
    assert "Alle 2 opgeslagen bestanden zijn in orde." in assert_ok(casus(installation, "verify", keys=f"B={b};A={a}"))
    # Step 2: rotate. Every file is now under B; a second run has nothing left to do.
    assert "2 bestanden opnieuw versleuteld met sleutel B." in assert_ok(
        casus(installation, "rotate-key", keys=f"B={b};A={a}"))
    assert set(key_ids(installation, {"B": b}).values()) == {"B"}
    assert "0 bestanden" in assert_ok(casus(installation, "rotate-key", keys=f"B={b};A={a}"))
    # Step 3: A removed.
    assert "Alle 2" in assert_ok(casus(installation, "verify", keys=f"B={b}"))
    with documents_app(installation, {"B": b}):
        assert read_verified(names[0]) == pdf_bytes()
        assert read_verified(names[1]) == image_bytes("PNG")


def test_an_interrupted_rotation_continues_where_it_stopped(installation):
    """A file re-encrypted but not yet committed (the run was stopped in between) is picked up again."""
    from casus.documents import crypto
    from casus.documents.files import backend

    a, b = new_key(), new_key()
    [name] = store(installation, {"A": a}, pdf_bytes())
    with documents_app(installation, {"B": b, "A": a}):
        stored = backend()
        plain = crypto.decrypt(stored.storage.get(name), name, stored.ring)
        stored.storage.put(name, crypto.encrypt(plain, name, stored.ring))
    assert key_ids(installation, {"A": a}) == {name: "A"}
    assert "1 bestand opnieuw versleuteld" in assert_ok(casus(installation, "rotate-key", keys=f"B={b};A={a}"))
    assert key_ids(installation, {"B": b}) == {name: "B"}
    assert "Alle 1" in assert_ok(casus(installation, "verify", keys=f"B={b}"))


def test_verify_reports_a_corrupted_and_a_missing_file_with_exit_1(installation):
    a = new_key()
    corrupted, missing, intact = store(installation, {"A": a}, pdf_bytes("een"), pdf_bytes("twee"),
                                       image_bytes("PNG"))
    _, storage_dir = installation
    path = storage_dir / corrupted[:2] / corrupted[2:4] / corrupted
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0x40
    path.write_bytes(bytes(blob))
    (storage_dir / missing[:2] / missing[2:4] / missing).unlink()

    result = casus(installation, "verify", keys=f"A={a}")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "2 van 3 opgeslagen bestanden zijn beschadigd of ontbreken" in result.stdout
    assert f"{corrupted} decrypt" in result.stdout
    assert f"{missing} missing" in result.stdout
    assert intact not in result.stdout


def test_without_keys_or_with_a_malformed_key_the_commands_say_so_in_one_line(tmp_path):
    installation = (f"sqlite:///{tmp_path / 'casus.db'}", tmp_path / "documents")  # keys are checked first
    # No keys: the command refuses (1). A malformed key is a configuration error like any other setting's: the app
    # does not start, and the CLI says so as a usage error (2).
    for keys, says, code in (("", "Geen sleutels ingesteld", 1), ("A=a29ydA==", "must be 32 bytes", 2)):
        for command in ("verify", "rotate-key"):
            result = casus(installation, command, keys=keys)
            assert result.returncode == code
            assert says in result.stderr
            assert "Traceback" not in result.stderr


def test_casus_help_lists_the_documents_commands_without_configuration(tmp_path):
    listed = assert_ok(run_casus("documents", "--help", env=casus_env(), cwd=tmp_path))
    assert "verify" in listed and "rotate-key" in listed
    assert "  documents " in assert_ok(run_casus("--help", env=casus_env(), cwd=tmp_path))
