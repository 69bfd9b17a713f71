"""Validation of Dutch identifiers: BSN (11-proef), postcode, huisnummer, KvK-nummer.

Each function returns the normalised value or raises a ``ServiceError`` that names its field (the
column name: ``bsn``, ``postcode``, ...) with a Dutch message from the catalogue, so forms, API schemas and
services give the same answer next to the same field.
"""

from __future__ import annotations

import re
from datetime import date

from casus.services import ServiceError

POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s?([A-Za-z]{2})\s*$")
HUISNUMMER = re.compile(r"^\s*(\d{1,5})\s*$")
TOEVOEGING = re.compile(r"^[A-Za-z0-9 -]{0,6}$")
# Combinations the postcode system never hands out.
EXCLUDED_POSTCODE_LETTERS = {"SA", "SD", "SS"}


def bsn(value: str) -> str:
    """A BSN is nine digits that pass the 11-proef (weights 9..2 and -1)."""
    digits = re.sub(r"[\s.]", "", value or "")
    if not digits.isdigit() or len(digits) not in (8, 9):
        raise ServiceError("Een BSN bestaat uit negen cijfers.", field="bsn")
    digits = digits.zfill(9)
    total = sum(int(digit) * weight for digit, weight in zip(digits[:8], range(9, 1, -1), strict=True))
    total -= int(digits[8])
    if total % 11 != 0 or digits == "000000000":
        raise ServiceError("Dit BSN klopt niet (de elfproef faalt). Controleer de cijfers.", field="bsn")
    return digits


def postcode(value: str) -> str:
    """``1234 AB`` in any spacing or case; stored as ``1234AB``."""
    match = POSTCODE.match(value or "")
    if not match or match.group(2).upper() in EXCLUDED_POSTCODE_LETTERS:
        raise ServiceError("Vul een postcode in als 1234 AB.", field="postcode")
    return f"{match.group(1)}{match.group(2).upper()}"


def format_postcode(value: str | None) -> str:
    return f"{value[:4]} {value[4:]}" if value and len(value) == 6 else (value or "")


def huisnummer(value: str | int) -> int:
    match = HUISNUMMER.match(str(value or ""))
    if not match or int(match.group(1)) < 1:
        raise ServiceError("Vul een huisnummer in (alleen cijfers, de toevoeging apart).", field="huisnummer")
    return int(match.group(1))


def toevoeging(value: str | None) -> str | None:
    value = (value or "").strip()
    if not TOEVOEGING.match(value):
        raise ServiceError("Een toevoeging is hoogstens zes letters of cijfers, zoals 'A' of 'bis'.",
                           field="toevoeging")
    return value.upper() or None


def kvk_nummer(value: str) -> str:
    digits = re.sub(r"\s", "", value or "")
    if not digits.isdigit() or len(digits) != 8:
        raise ServiceError("Een KvK-nummer bestaat uit acht cijfers.", field="kvk_nummer")
    return digits


def date_of_birth(value: date | None, today: date) -> date | None:
    if value is None:
        return None
    if value > today:
        raise ServiceError("Een geboortedatum kan niet in de toekomst liggen.", field="date_of_birth")
    if value.year < 1900:
        raise ServiceError("Controleer het geboortejaar.", field="date_of_birth")
    return value


def normalise_name(value: str) -> str:
    """Lower-case, single spaces: what name search and matching compare."""
    return " ".join((value or "").lower().split())
