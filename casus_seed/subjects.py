"""Betrokkenen of synthetic cases: persons (BSNs that pass the 11-proef), addresses (local postcodes) and
businesses (a KvK-nummer), and now and then a person who is in several cases (the known-elsewhere hint).
"""

from __future__ import annotations

from datetime import timedelta

from faker import Faker

from casus.subjects.models import Subject
from casus.subjects.validation import normalise_name
from casus_seed.context import SeedContext
from casus_seed.draws import make_bsn, make_postcode, weighted
from casus_seed.texts import BUSINESS_TYPES


class NamePools:
    """First names, surnames and street names from Faker ``nl_NL``, drawn once: picking from a list is much
    faster than asking Faker per case."""

    def __init__(self, fake: Faker) -> None:
        self.first_names = [fake.first_name() for _ in range(400)]
        self.last_names = [fake.last_name() for _ in range(600)]
        self.streets = [fake.street_name() for _ in range(300)]


class SubjectMaker:
    def __init__(self, ctx: SeedContext, names: NamePools) -> None:
        self.ctx, self.names = ctx, names
        self.recent_persons: list[int] = []  # adults who may turn up in a later case

    def person(self, min_age: int, max_age: int, gemeente: str, with_bsn: float = 0.75) -> int:
        rng = self.ctx.rng
        name = f"{rng.choice(self.names.first_names)} {rng.choice(self.names.last_names)}"
        born = self.ctx.today - timedelta(days=rng.randint(min_age * 365, max_age * 365 + 364))
        has_address = rng.random() < 0.6
        subject_id = self._subject(kind="persoon", name=name, name_key=normalise_name(name),
                                   date_of_birth=born, bsn=make_bsn(rng) if rng.random() < with_bsn else None,
                                   postcode=make_postcode(rng, gemeente) if has_address else None,
                                   huisnummer=rng.randint(1, 240) if has_address else None,
                                   toevoeging=rng.choice(("A", "B", "1", "2", "bis"))
                                   if has_address and rng.random() < 0.1 else None)
        if min_age >= 18 and rng.random() < 0.3:
            self.recent_persons.append(subject_id)
            del self.recent_persons[:-500]
        return subject_id

    def address(self, gemeente: str) -> int:
        rng = self.ctx.rng
        return self._subject(kind="adres", name=None, name_key=None, date_of_birth=None, bsn=None,
                             postcode=make_postcode(rng, gemeente), huisnummer=rng.randint(1, 240),
                             toevoeging=rng.choice((None, None, None, "A", "B", "H", "1")))

    def business(self, gemeente: str) -> int:
        rng = self.ctx.rng
        name = f"{rng.choice(BUSINESS_TYPES)} {rng.choice(self.names.last_names).split()[-1].capitalize()}"
        if rng.random() < 0.4:
            name += " B.V."
        return self._subject(kind="bedrijf", name=name, name_key=normalise_name(name), date_of_birth=None,
                             bsn=None, postcode=make_postcode(rng, gemeente), huisnummer=rng.randint(1, 400),
                             toevoeging=None, kvk_nummer=f"{rng.randint(10_000_000, 99_999_999)}")

    def _subject(self, **values) -> int:
        ctx = self.ctx
        subject_id = ctx.new_id(Subject)
        values.setdefault("kvk_nummer", None)
        ctx.add(Subject, id=subject_id, created_at=ctx.now, updated_at=ctx.now, **values)
        return subject_id

    def for_case(self, category: str, gemeente: str) -> list[int]:
        """The betrokkenen of a new case of ``category``: who or what it is about first."""
        rng = self.ctx.rng
        if self.recent_persons and rng.random() < 0.04:
            main = [rng.choice(self.recent_persons)]  # known elsewhere: the same person in several cases
        elif category == "ondermijning":
            main = [self.business(gemeente) if rng.random() < 0.6 else self.address(gemeente)]
        elif category == "jeugd":
            main = [self.person(12, 22, gemeente, with_bsn=0.85)]
        elif category == "woonoverlast" and rng.random() < 0.3:
            main = [self.address(gemeente)]
        else:
            main = [self.person(18, 85, gemeente)]
        extra = weighted(rng, ((0, 55), (1, 33), (2, 12)))
        for _ in range(int(extra)):
            if category == "ondermijning":
                main.append(self.person(20, 65, gemeente, with_bsn=0.5))
            elif category in ("huiselijk_geweld", "jeugd"):
                main.append(self.person(4, 50, gemeente))
            else:
                main.append(self.address(gemeente) if rng.random() < 0.5 else self.person(18, 80, gemeente))
        return main
