"""Nazorg check-ins of a synthetic case in nazorg: the planned ones of its cadence (3 and 6 months), those whose day
has come mostly recorded — contact made or not, an outcome, now and then a signal of relapse (the first recorded
check-in of a run always has one, so the demo shows the relapse step on offer).

Drawn from a stream of its own, seeded from the seed's stream without advancing it (as the assessments are): the
same seed gives the same check-ins, and every other seeded value stays as it was without them."""

from __future__ import annotations

import random
from datetime import date, timedelta

from casus.nazorg.models import NazorgCheckin
from casus_seed.context import SeedContext, Timeline
from casus_seed.draws import at_time

OUTCOMES = (
    "Betrokkene is in zorg bij het wijkteam; geen nieuwe meldingen.",
    "De buren melden dat het rustig is gebleven.",
    "Afspraken met de woonconsulent worden nagekomen.",
    "Geen gehoor bij twee huisbezoeken; de wijkagent houdt een oogje in het zeil.",
    "De schuldhulpverlening loopt; betrokkene komt de afspraken na.",
)
RELAPSE_OUTCOMES = (
    "Opnieuw meldingen van geluidsoverlast; de hulpverlening is gestopt.",
    "Betrokkene is weer in beeld bij de politie na een incident.",
)


def add_checkins(ctx: SeedContext, case_id: int, *, nazorg_started_on: date, author: int, tl: Timeline) -> None:
    rng = random.Random(hash(ctx.rng.getstate()) ^ 0x6E617A6F)  # a stream apart from the assessments' too
    first_relapse = not getattr(ctx, "relapse_seeded", False)
    for months, planned_on in zip(ctx.cadences.nazorg_checkins_months, ctx.cadences.nazorg_checkins(
            nazorg_started_on), strict=True):
        row = {"id": ctx.new_id(NazorgCheckin), "case_id": case_id, "nazorg_started_on": nazorg_started_on,
               "months": months, "planned_on": planned_on, "done_on": None, "contact_made": None, "outcome": None,
               "relapse_signal": False, "recorded_by_id": None, "recorded_at": None,
               "created_at": at_time(nazorg_started_on, rng, ctx.now, ctx.zone), "version": 1}
        if planned_on <= ctx.today and rng.random() < 0.85:
            done_on = min(ctx.today, planned_on + timedelta(days=rng.randint(0, 10)))
            relapse = first_relapse or rng.random() < 0.1
            first_relapse = False
            contact = relapse or rng.random() < 0.8
            recorded_at = at_time(done_on, rng, ctx.now, ctx.zone)
            row.update(done_on=done_on, contact_made=contact, relapse_signal=relapse,
                       outcome=rng.choice(RELAPSE_OUTCOMES if relapse else OUTCOMES), recorded_by_id=author,
                       recorded_at=recorded_at, version=2)
            ctx.relapse_seeded = True
            tl("nazorg_checkin.recorded", f"Nazorgcontact na {months} maanden vastgelegd; "
               f"{'contact gelegd' if contact else 'geen contact'}{'; signaal van terugval' if relapse else ''}",
               recorded_at, author)
        ctx.add(NazorgCheckin, **row)
