"""Straat and woonplaats for a postcode and huisnummer, so nobody has to type what the BAG already knows.

``CASUS_ADDRESS_LOOKUP`` chooses the source: ``none`` (the default: no lookup, the user types them) or ``pdok``, the
free search of the PDOK Locatieserver (BAG addresses, no key needed) at ``CASUS_ADDRESS_LOOKUP_URL``. Only the
postcode and huisnummer leave the server — never a name — and a lookup is a convenience: any failure (timeout,
error status, an answer we cannot read, no match) is simply no suggestion, logged by its kind only, never with the
address asked for.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from flask import current_app

from casus.services import ServiceError
from casus.subjects import validation

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2.0  # a form waits for this; PDOK answers in well under a second
MAX_RESPONSE_BYTES = 256 * 1024  # one address is a few kilobytes; never read an unbounded body
# The columns' lengths (casus.subjects.models.Subject).
MAX_STRAAT, MAX_WOONPLAATS = 120, 80


@dataclass(frozen=True)
class FoundAddress:
    straat: str
    woonplaats: str


def find_address(postcode: str, huisnummer: str | int, toevoeging: str | None = None, *,
                 mode: str | None = None, base_url: str | None = None) -> FoundAddress | None:
    """The street and place of this address, or None when lookup is off, the input is no address or the source
    does not know it (or fails). ``mode`` and ``base_url`` default to the configuration.

    ``toevoeging`` is accepted but not sent: a street and place never differ between the toevoegingen of one
    huisnummer, while a toevoeging typed as huisletter (or the other way round) would make PDOK find nothing."""
    del toevoeging
    config = current_app.config["CASUS"] if mode is None or base_url is None else None
    mode = mode if mode is not None else config.address_lookup
    if mode != "pdok":
        return None
    try:
        code, number = validation.postcode(postcode), validation.huisnummer(huisnummer)
    except ServiceError:
        return None
    return _pdok(base_url if base_url is not None else config.address_lookup_url, code, number)


def _pdok(base_url: str, postcode: str, huisnummer: int) -> FoundAddress | None:
    query = urllib.parse.urlencode({"q": f"postcode:{postcode} and huisnummer:{huisnummer}", "fq": "type:adres",
                                    "rows": "1"})
    request = urllib.request.Request(f"{base_url.rstrip('/')}/free?{query}", headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
        if len(body) > MAX_RESPONSE_BYTES:
            raise ValueError("response too large")
        return _first_address(json.loads(body))
    except (OSError, ValueError, urllib.error.URLError) as error:  # timeouts are OSErrors; bad JSON ValueErrors
        # The kind of failure only: the postcode and huisnummer asked for stay out of the logs.
        log.warning("address lookup failed: %s", type(error).__name__)
        return None


def _first_address(answer: object) -> FoundAddress | None:
    """The first document's straatnaam and woonplaatsnaam; None when there is none or it is not what PDOK sends."""
    response = answer.get("response") if isinstance(answer, dict) else None
    docs = response.get("docs") if isinstance(response, dict) else None
    if not isinstance(docs, list) or not docs or not isinstance(docs[0], dict):
        return None
    straat, woonplaats = docs[0].get("straatnaam"), docs[0].get("woonplaatsnaam")
    if not isinstance(straat, str) or not isinstance(woonplaats, str) or not straat.strip() or not woonplaats.strip():
        return None
    return FoundAddress(straat=" ".join(straat.split())[:MAX_STRAAT],
                        woonplaats=" ".join(woonplaats.split())[:MAX_WOONPLAATS])
