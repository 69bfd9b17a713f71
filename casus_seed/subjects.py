"""Betrokkenen of synthetic cases: persons (BSNs that pass the 11-proef), addresses (local postcodes, a street and
the gemeente as woonplaats) and businesses (a KvK-nummer), and now and then a person who is in several cases (the
known-elsewhere hint). Some family cases get a household with its members, a parent and a child; some youth cases a
group of youngsters (relations ``lid_van``, ``ouder_van``, ``kind_van``).
"""

from __future__ import annotations

import random
from datetime import timedelta

from faker import Faker

from casus.search.keys import fold
from casus.subjects.models import RelationKind, Subject, SubjectRelation
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
        # Streets, households and groups draw from a stream of their own, derived from the seed without drawing from
        # it: the main stream, and so every case a seed gave before, stays as it was.
        self.extra = random.Random(hash(ctx.rng.getstate()[1][:8]))

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
                                   if has_address and rng.random() < 0.1 else None,
                                   **self._street(gemeente, has_address))
        if min_age >= 18 and rng.random() < 0.3:
            self.recent_persons.append(subject_id)
            del self.recent_persons[:-500]
        return subject_id

    def address(self, gemeente: str) -> int:
        rng = self.ctx.rng
        return self._subject(kind="adres", name=None, name_key=None, date_of_birth=None, bsn=None,
                             postcode=make_postcode(rng, gemeente), huisnummer=rng.randint(1, 240),
                             toevoeging=rng.choice((None, None, None, "A", "B", "H", "1")),
                             **self._street(gemeente, True))

    def business(self, gemeente: str) -> int:
        rng = self.ctx.rng
        name = f"{rng.choice(BUSINESS_TYPES)} {rng.choice(self.names.last_names).split()[-1].capitalize()}"
        if rng.random() < 0.4:
            name += " B.V."
        return self._subject(kind="bedrijf", name=name, name_key=normalise_name(name), date_of_birth=None,
                             bsn=None, postcode=make_postcode(rng, gemeente), huisnummer=rng.randint(1, 400),
                             toevoeging=None, kvk_nummer=f"{rng.randint(10_000_000, 99_999_999)}",
                             **self._street(gemeente, True))

    def _street(self, gemeente: str, has_address: bool) -> dict:
        """Straat and woonplaats of an address (the gemeente: its postcodes are the gemeente's)."""
        if not has_address:
            return {"straat": None, "woonplaats": None}
        return {"straat": self.extra.choice(self.names.streets), "woonplaats": gemeente}

    def _subject(self, **values) -> int:
        ctx = self.ctx
        subject_id = ctx.new_id(Subject)
        values.setdefault("kvk_nummer", None)
        values.setdefault("straat", None)
        values.setdefault("woonplaats", None)
        values["search_key"] = fold(values["name_key"])  # bulk inserts skip the model's flush hook
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
        return self._collectives(category, gemeente, main)

    # --- households and groups ---------------------------------------------------------------------------------

    def _collectives(self, category: str, gemeente: str, main: list[int]) -> list[int]:
        """Now and then a household (a parent, a child, both members) or a group of youngsters, as subjects of the
        case besides ``main``."""
        extra = self.extra
        if category in ("huiselijk_geweld", "jeugd", "woonoverlast") and extra.random() < 0.3:
            return main + self._household(gemeente)
        if category in ("jeugd", "radicalisering") and extra.random() < 0.3:
            return main + self._group(gemeente, main)
        return main

    def _household(self, gemeente: str) -> list[int]:
        extra = self.extra
        surname = extra.choice(self.names.last_names)
        parent = self._relative(surname, 28, 55, gemeente)
        child = self._relative(surname, 3, 17, gemeente)
        household = self._subject(kind="huishouden", name=f"Huishouden {surname}",
                                  name_key=normalise_name(f"Huishouden {surname}"), date_of_birth=None, bsn=None,
                                  postcode=None, huisnummer=None, toevoeging=None)
        since = self.ctx.today - timedelta(days=extra.randint(365, 15 * 365))
        self._relation(parent, RelationKind.OUDER_VAN, child, None)
        self._relation(child, RelationKind.KIND_VAN, parent, None)
        self._relation(parent, RelationKind.LID_VAN, household, since)
        self._relation(child, RelationKind.LID_VAN, household, since)
        return [parent, child, household]

    def _group(self, gemeente: str, main: list[int]) -> list[int]:
        extra = self.extra
        name = f"Jongeren {extra.choice(self.names.streets)}"
        group = self._subject(kind="groep", name=name, name_key=normalise_name(name), date_of_birth=None, bsn=None,
                              postcode=None, huisnummer=None, toevoeging=None)
        members = [self._relative(extra.choice(self.names.last_names), 14, 22, gemeente)
                   for _ in range(extra.randint(2, 4))]
        since = self.ctx.today - timedelta(days=extra.randint(30, 2 * 365))
        for member in members:
            self._relation(member, RelationKind.LID_VAN, group, since)
        return [*members, group]

    def _relative(self, surname: str, min_age: int, max_age: int, gemeente: str) -> int:
        """A person of a household or group: drawn from the extra stream, no BSN, no address of their own."""
        extra = self.extra
        name = f"{extra.choice(self.names.first_names)} {surname}"
        born = self.ctx.today - timedelta(days=extra.randint(min_age * 365, max_age * 365 + 364))
        return self._subject(kind="persoon", name=name, name_key=normalise_name(name), date_of_birth=born, bsn=None,
                             postcode=None, huisnummer=None, toevoeging=None)

    def _relation(self, subject_id: int, kind: RelationKind, related_id: int, since) -> None:
        # No id: the database numbers relations (they are not among the seed's id tables).
        self.ctx.add(SubjectRelation, subject_id=subject_id, related_subject_id=related_id, kind=kind.value,
                     start_on=since, end_on=None, created_by_id=None, created_at=self.ctx.now,
                     updated_at=self.ctx.now)
