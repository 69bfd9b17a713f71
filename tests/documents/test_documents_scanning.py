"""Virus scanning through a real clamd (tests/clamd_support.py): EICAR refused, clean files pass with the
scanner's name kept, and a scanner that is configured but down refuses every upload — nothing stored unscanned."""

from __future__ import annotations

import socket
import threading
from dataclasses import replace

import pytest
import sqlalchemy as sa

from clamd_support import EICAR, clamd_address  # noqa: F401 - a fixture
from document_samples import pdf_bytes


@pytest.fixture
def configure(app, db, monkeypatch, tmp_path):
    from casus.documents.files import EXTENSION

    def apply(**settings):
        settings.setdefault("storage_dir", str(tmp_path / "documents"))
        monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], storage_backend="local", **settings))
        monkeypatch.delitem(app.extensions, EXTENSION, raising=False)

    return apply


def nothing_stored(db, tmp_path) -> bool:
    from casus.documents.models import StoredFile

    return (db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
            and not any((tmp_path / "documents").rglob("*")))


def test_the_clamd_client_talks_to_a_real_clamd(clamd_address):  # noqa: F811
    from casus.documents.scanning import ClamdClient

    client = ClamdClient(clamd_address, timeout=30)
    assert client.ping()
    assert client.version().startswith("ClamAV ")
    clean = client.scan(pdf_bytes())
    assert (clean.clean, clean.signature) == (True, None)
    infected = client.scan(EICAR)
    assert (infected.clean, infected.signature) == (False, "Casus-Test-EICAR.UNOFFICIAL")
    assert infected.text.endswith("Casus-Test-EICAR.UNOFFICIAL FOUND")


def test_a_large_file_is_streamed_in_chunks(clamd_address):  # noqa: F811
    from casus.documents.scanning import CHUNK, ClamdClient

    assert ClamdClient(clamd_address, timeout=30).scan(b"a" * (CHUNK * 5 + 17)).clean


def test_the_eicar_test_file_is_refused_and_never_stored(configure, db, tmp_path, clamd_address):  # noqa: F811
    from casus.documents.files import UploadRefused, store_upload

    configure(clamd_address=clamd_address)
    with pytest.raises(UploadRefused) as refused:
        store_upload(EICAR, "rapport.txt")
    assert (refused.value.reason, refused.value.signature) == ("virus", "Casus-Test-EICAR.UNOFFICIAL")
    assert "virus" in refused.value.message
    assert nothing_stored(db, tmp_path)


def test_a_clean_upload_keeps_what_the_scanner_said(configure, clamd_address):  # noqa: F811
    from casus.documents.files import store_upload

    configure(clamd_address=clamd_address)
    upload = store_upload(pdf_bytes(), "rapport.pdf")
    assert upload.scan_result.startswith("ClamAV ")
    assert upload.scan_result.endswith(": OK")


@pytest.fixture
def silent_server():
    """A TCP server that accepts and never answers: a hung scanner."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        accepted = []
        stop = threading.Event()

        def accept():
            server.settimeout(0.2)
            while not stop.is_set():
                try:
                    accepted.append(server.accept()[0])
                except OSError:
                    continue

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        yield f"tcp:127.0.0.1:{server.getsockname()[1]}"
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()


def closed_tcp_port() -> str:
    from processes import free_port

    return f"tcp:127.0.0.1:{free_port()}"


@pytest.mark.parametrize("address", ["unix:/nonexistent/clamd.ctl", "closed", "silent"])
def test_a_configured_scanner_that_is_down_refuses_the_upload(configure, db, tmp_path, request, address):
    from casus.documents.files import UploadRefused, store_upload

    if address == "closed":
        address = closed_tcp_port()
    elif address == "silent":
        address = request.getfixturevalue("silent_server")
    configure(clamd_address=address, clamd_timeout_seconds=1)
    with pytest.raises(UploadRefused) as refused:
        store_upload(pdf_bytes(), "rapport.pdf")
    assert refused.value.reason == "scanner_unavailable"
    assert "virusscanner" in refused.value.message
    assert nothing_stored(db, tmp_path)


def test_without_a_scanner_configured_nothing_is_scanned(configure):
    from casus.documents.files import store_upload

    configure(clamd_address="")
    assert store_upload(pdf_bytes(), "rapport.pdf").scan_result is None
