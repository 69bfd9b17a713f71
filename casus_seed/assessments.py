"""Leefgebieden assessments of a synthetic case: a share of the accepted cases is scored at triage, once or twice
at an evaluation, and — when closed — at closure, with scores that mostly improve, so the case's chart and the
report on change between triage and closure have data.

Drawn from a stream of its own, seeded from the seed's stream without advancing it: the same seed gives the same
assessments, and every other seeded value stays as it was without them."""

from __future__ import annotations

import random
from datetime import date, timedelta

from casus.assessments.domains import ZRM_DOMAINS
from casus.assessments.models import Assessment, AssessmentScore
from casus_seed.context import SeedContext, Timeline
from casus_seed.draws import at_time

SHARE = 0.6  # of the cases that reached the aanpak
PARTICIPANTS = ("Betrokkene en procesregisseur", "Betrokkene, procesregisseur en wijkagent",
                "Procesregisseur met de woonconsulent", "Betrokkene, mentor en procesregisseur")
NOTES = (None, None, "Gescoord in een huisbezoek.", "Betrokkene herkent zich in de scores.",
         "Schulden en huisvesting blijven aandachtspunten.")


def add_assessments(ctx: SeedContext, case_id: int, *, accepted_on: date, closed_on: date | None, author: int,
                    tl: Timeline) -> None:
    rng = random.Random(hash(ctx.rng.getstate()))  # integers hash the same in every run
    if rng.random() >= SHARE:
        return
    end = min(closed_on or ctx.today, ctx.today)
    applies = [domain.code for domain in ZRM_DOMAINS if rng.random() < 0.75] or [ZRM_DOMAINS[0].code]
    scores = {code: rng.choices((1, 2, 3, 4), (2, 4, 3, 1))[0] for code in applies}
    moments = [("triage", min(accepted_on, end))]
    span = (end - accepted_on).days
    if span > 30:
        for _ in range(rng.randint(1, 2)):
            moments.append(("evaluatie", accepted_on + timedelta(days=rng.randint(14, span - 1))))
    if closed_on is not None and closed_on <= ctx.today:
        moments.append(("afsluiting", closed_on))
    moments.sort(key=lambda item: (item[1], item[0] != "triage"))
    for number, (moment, day) in enumerate(moments):
        if number:  # mostly better, sometimes worse
            scores = {code: min(5, max(1, score + rng.choices((-1, 0, 1, 2), (1, 4, 4, 1))[0]))
                      for code, score in scores.items()}
        assessment_id = ctx.new_id(Assessment)
        at = at_time(day, rng, ctx.now, ctx.zone)
        ctx.add(Assessment, id=assessment_id, case_id=case_id, moment=moment, assessed_on=day,
                participants=rng.choice(PARTICIPANTS), note=rng.choice(NOTES), recorded_by_id=author, created_at=at,
                version=1)
        for code, score in scores.items():
            ctx.add(AssessmentScore, assessment_id=assessment_id, domain=code, score=score)
        tl("assessment.recorded", f"Leefgebieden gescoord ({moment})", at, author)
