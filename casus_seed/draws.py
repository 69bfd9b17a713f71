"""Random draws from the seed's one stream: a weighted choice, a BSN that passes the 11-proef, a local postcode,
a moment during office hours. Each takes the ``random.Random`` it draws from, so a seed number gives the same data.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

# Postcode ranges per gemeente (4-digit part), so addresses look local.
POSTCODE_RANGES = {"Voorbeeldstad": (3500, 3589), "Lindendal": (3700, 3719)}
EXCLUDED_POSTCODE_LETTERS = {"SA", "SD", "SS"}
LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"


def weighted(rng: random.Random, pairs):
    """One value of ``(value, weight)`` pairs, drawn by weight."""
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def make_bsn(rng: random.Random) -> str:
    """A random nine-digit number that passes the 11-proef (synthetic: it belongs to nobody we know)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def make_postcode(rng: random.Random, gemeente: str) -> str:
    low, high = POSTCODE_RANGES.get(gemeente, (1000, 9999))
    while True:
        letters = rng.choice(LETTERS) + rng.choice(LETTERS)
        if letters not in EXCLUDED_POSTCODE_LETTERS:
            return f"{rng.randint(low, high)}{letters}"


@lru_cache(maxsize=4096)
def _office_opens(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(8, 0), zone).astimezone(UTC)


def at_time(day: date, rng: random.Random, now: datetime, zone: ZoneInfo) -> datetime:
    """A moment during office hours on ``day`` (8:00-18:00 in ``zone``), in UTC, never in the future."""
    moment = _office_opens(day, zone) + timedelta(seconds=int(rng.random() * 36_000),
                                                  microseconds=int(rng.random() * 1_000_000))
    return min(moment, now - timedelta(seconds=1 + int(rng.random() * 600)))
