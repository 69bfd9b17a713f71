"""The address lookup against a local stand-in for the PDOK Locatieserver: a match, no match, a timeout, an error
status, an answer that is no JSON, input that is no address; "none" asks nobody; the page endpoint the forms call."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

PDOK_MATCH = {"response": {"numFound": 1, "start": 0, "maxScore": 9.1, "numFoundExact": True, "docs": [{
    "type": "adres", "weergavenaam": "Dorpsstraat 12A, 3511AB Utrecht", "straatnaam": "Dorpsstraat",
    "huisnummer": 12, "huisletter": "A", "postcode": "3511AB", "woonplaatsnaam": "Utrecht",
    "gemeentenaam": "Utrecht"}]}}
PDOK_NOTHING = {"response": {"numFound": 0, "start": 0, "maxScore": 0.0, "numFoundExact": True, "docs": []}}


class Stub:
    """What the stand-in answers next, and what it was asked."""

    def __init__(self) -> None:
        self.mode = "match"
        self.paths: list[str] = []


@pytest.fixture
def pdok():
    stub = Stub()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            stub.paths.append(self.path)
            if stub.mode == "slow":
                time.sleep(1.0)
            status, body = {
                "match": (200, json.dumps(PDOK_MATCH)), "nothing": (200, json.dumps(PDOK_NOTHING)),
                "error": (500, "Internal Server Error"), "malformed": (200, '{"response": {"docs": [{"straat'),
                "odd": (200, json.dumps({"response": {"docs": [{"straatnaam": 12, "woonplaatsnaam": None}]}})),
                "slow": (200, json.dumps(PDOK_MATCH)),
            }[stub.mode]
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())
            except OSError:
                pass  # the client gave up (the timeout test)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/bzk/locatieserver/search/v3_1"
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def find(app, pdok):
    from casus.subjects.lookup import find_address

    def call(postcode="3511 ab", huisnummer="12", toevoeging=None):
        with app.app_context():
            return find_address(postcode, huisnummer, toevoeging, mode="pdok", base_url=pdok.url)

    return call


def test_a_match_gives_straat_and_woonplaats_asking_only_postcode_and_huisnummer(find, pdok):
    from casus.subjects.lookup import FoundAddress

    assert find(toevoeging="A") == FoundAddress(straat="Dorpsstraat", woonplaats="Utrecht")
    url = urlparse(pdok.paths[0])
    assert url.path.endswith("/search/v3_1/free")
    assert parse_qs(url.query) == {"q": ["postcode:3511AB and huisnummer:12"], "fq": ["type:adres"], "rows": ["1"]}


@pytest.mark.parametrize("mode", ["nothing", "error", "malformed", "odd"])
def test_no_match_an_error_or_an_unreadable_answer_is_no_suggestion(find, pdok, mode, caplog):
    pdok.mode = mode
    with caplog.at_level(logging.WARNING):
        assert find() is None
    assert "3511" not in caplog.text  # the address asked for never reaches the log


def test_a_slow_answer_times_out_to_no_suggestion_and_is_logged_by_kind(find, pdok, monkeypatch, caplog):
    from casus.subjects import lookup

    monkeypatch.setattr(lookup, "TIMEOUT_SECONDS", 0.2)
    pdok.mode = "slow"
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="casus.subjects.lookup"):
        assert find() is None
    assert time.monotonic() - started < 0.9
    assert "address lookup failed" in caplog.text and "3511" not in caplog.text


def test_input_that_is_no_address_asks_nobody(find, pdok):
    assert find(postcode="12345") is None and find(huisnummer="twaalf") is None
    assert pdok.paths == []


def test_an_unreachable_source_is_no_suggestion(app):
    from casus.subjects.lookup import find_address

    with app.app_context():
        assert find_address("3511AB", 12, mode="pdok", base_url="http://127.0.0.1:9/nergens") is None


def test_none_the_default_asks_nobody(app, pdok):
    from casus.subjects.lookup import find_address

    assert app.config["CASUS"].address_lookup == "none"
    with app.app_context():
        assert find_address("3511AB", 12) is None
    assert pdok.paths == []


def test_the_settings_are_read_and_checked():
    from casus.config import Config, ConfigError

    config = Config.from_env({"CASUS_ENV": "testing", "CASUS_ADDRESS_LOOKUP": "PDOK",
                              "CASUS_ADDRESS_LOOKUP_URL": "https://pdok.example/search/"})
    assert config.address_lookup == "pdok" and config.address_lookup_url == "https://pdok.example/search"
    assert Config.from_env({"CASUS_ENV": "testing"}).address_lookup_url.startswith("https://api.pdok.nl/")
    with pytest.raises(ConfigError, match="CASUS_ADDRESS_LOOKUP must be one of"):
        Config.from_env({"CASUS_ENV": "testing", "CASUS_ADDRESS_LOOKUP": "google"})
    with pytest.raises(ConfigError, match="CASUS_ADDRESS_LOOKUP_URL"):
        Config.from_env({"CASUS_ENV": "testing", "CASUS_ADDRESS_LOOKUP": "pdok",
                         "CASUS_ADDRESS_LOOKUP_URL": "ftp://pdok.example"})


def test_the_forms_endpoint_answers_json_and_404_and_needs_a_login(app, client, login_as, pdok, monkeypatch):
    monkeypatch.setitem(app.config, "CASUS", replace(app.config["CASUS"], address_lookup="pdok",
                                                     address_lookup_url=pdok.url))
    anonymous = client.get("/adres-opzoeken?postcode=3511AB&huisnummer=12")
    assert anonymous.status_code == 302 and "/inloggen" in anonymous.headers["Location"]
    login_as("partner")
    found = client.get("/adres-opzoeken?postcode=3511AB&huisnummer=12")
    assert found.status_code == 200 and found.get_json() == {"found": True, "straat": "Dorpsstraat",
                                                             "woonplaats": "Utrecht"}
    pdok.mode = "nothing"
    missing = client.get("/adres-opzoeken?postcode=3511AB&huisnummer=13")
    assert missing.status_code == 404 and missing.get_json() == {"found": False}
    assert client.get("/adres-opzoeken").status_code == 404
