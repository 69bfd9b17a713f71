"""The plan van aanpak of a synthetic case once it is accepted: goals, actions owned by participating
organisations, and progress written by their owners. An adopted plan always has goals and actions; in a case
that stepped down or closed no action is left open (the workflow's ``actions_finished`` guard)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from casus.plans.models import Action, Goal, ProgressEntry
from casus_seed.context import SeedContext, Timeline
from casus_seed.draws import at_time, weighted
from casus_seed.texts import ACTIONS, GOALS, PROGRESS
from workflow import ActionStatus

OPEN, IN_UITVOERING, GEREED, VERVALLEN = (status.value for status in (
    ActionStatus.OPEN, ActionStatus.IN_UITVOERING, ActionStatus.GEREED, ActionStatus.VERVALLEN))
CANCELLED_PROGRESS = PROGRESS[6]  # "Vervalt: ..." — the progress line of a cancelled action
OTHER_PROGRESS = PROGRESS[:6] + PROGRESS[7:]


def add_plan(ctx: SeedContext, case_id: int, *, finished: bool, accepted_on: date, adopted_on: date | None,
             closed_on: date | None, orgs: list[int], author: int, tl: Timeline) -> None:
    """Goals and actions of an accepted case; ``finished``: it stepped down to nazorg or closed."""
    rng = ctx.rng
    # Whether a goal is settled comes from a stream apart, seeded without advancing the seed's: every other
    # seeded value stays as it was before goals had a status.
    settling = random.Random(hash(rng.getstate()) ^ 0x646F656C)
    adopted = adopted_on is not None
    goal_count = rng.randint(1, 3) if adopted else rng.randint(0, 2)
    goal_ids = []
    for _ in range(goal_count):
        goal_id = ctx.new_id(Goal)
        created = ctx.at(accepted_on + timedelta(days=rng.randint(0, 3)))
        description = rng.choice(GOALS)
        status = _goal_status(settling, finished=finished, adopted=adopted)
        end = min(closed_on or ctx.today, ctx.today)
        settled_on = None if status == "open" else max(created.date(), end - timedelta(days=settling.randint(0, 20)))
        ctx.add(Goal, id=goal_id, case_id=case_id, description=description, created_at=created,
                created_by_id=author, status=status, status_on=settled_on,
                status_note=None if status == "open" else settling.choice(GOAL_NOTES[status]),
                status_by_id=None if status == "open" else author, version=1 if status == "open" else 2)
        goal_ids.append(goal_id)
        tl("goal.added", f"Doel: {description}", created, author)
        if settled_on is not None:
            tl("goal.status", f"Doel gemarkeerd als {GOAL_PHRASES[status]}: {description}",
               max(created, at_time(settled_on, settling, ctx.now, ctx.zone)), author)
    action_count = rng.randint(1, 8) if adopted else rng.randint(0, 4)
    end = closed_on or ctx.today
    for _ in range(action_count):
        _add_action(ctx, case_id, goal_ids, finished=finished, adopted=adopted, accepted_on=accepted_on, end=end,
                    orgs=orgs, author=author, tl=tl)


GOAL_PHRASES = {"behaald": "behaald", "deels_behaald": "deels behaald", "vervallen": "vervallen"}
GOAL_NOTES = {
    "behaald": ("Geen meldingen meer sinds twee maanden.", "Betrokkene heeft een vaste dagbesteding."),
    "deels_behaald": ("Minder overlast, maar nog niet weg.", "De schulden zijn in beeld; een regeling volgt."),
    "vervallen": ("Betrokkene is verhuisd buiten de regio.", "Het doel is opgegaan in een ander doel."),
}


def _goal_status(rng: random.Random, *, finished: bool, adopted: bool) -> str:
    """Most goals of a case that stepped down are settled; now and then one during the aanpak."""
    if finished:
        return weighted(rng, (("behaald", 55), ("deels_behaald", 25), ("vervallen", 10), ("open", 10)))
    if adopted and rng.random() < 0.1:
        return weighted(rng, (("behaald", 2), ("vervallen", 1)))
    return "open"


def _status(ctx: SeedContext, *, finished: bool, adopted: bool, due_on: date) -> tuple[str, date]:
    """The action's status now, and its due date (a plan still being made has its actions ahead of it)."""
    rng = ctx.rng
    if finished:
        return (GEREED if rng.random() < 0.85 else VERVALLEN), due_on
    if not adopted:
        return OPEN, max(due_on, ctx.today + timedelta(days=rng.randint(7, 45)))
    if due_on < ctx.today:
        return weighted(rng, ((GEREED, 55), (VERVALLEN, 10), (IN_UITVOERING, 18), (OPEN, 17))), due_on
    return weighted(rng, ((OPEN, 40), (IN_UITVOERING, 45), (GEREED, 15))), due_on


def _add_action(ctx: SeedContext, case_id: int, goal_ids: list[int], *, finished: bool, adopted: bool,
                accepted_on: date, end: date, orgs: list[int], author: int, tl: Timeline) -> None:
    rng = ctx.rng
    created_on = accepted_on + timedelta(days=rng.randint(0, 7))
    created_on = min(created_on, end)
    due_on = created_on + timedelta(days=rng.randint(14, 90))
    status, due_on = _status(ctx, finished=finished, adopted=adopted, due_on=due_on)
    owner_org = rng.choice(orgs)
    owner_user = ctx.user_of(owner_org) if rng.random() < 0.5 else None
    action_id = ctx.new_id(Action)
    created_at = ctx.at(created_on)
    description = rng.choice(ACTIONS)
    org_name = ctx.region.org_names[owner_org]
    tl("action.added", f"Actie voor {org_name}: {description}", created_at, author)
    last_activity = created_at
    entries = {OPEN: rng.randint(0, 1), IN_UITVOERING: rng.randint(1, 2), GEREED: rng.randint(1, 3),
               VERVALLEN: 1}[status]
    writer = owner_user or ctx.user_of(owner_org) or author
    span = max(1, (min(end, due_on + timedelta(days=10)) - created_on).days)
    for number in range(entries):
        last = number == entries - 1
        moment = ctx.at(min(end, created_on + timedelta(days=rng.randint(1, span))))
        moment = max(moment, last_activity + timedelta(minutes=1))
        moment = min(moment, ctx.now - timedelta(seconds=1))
        # Progress before the last entry moves the action on; the last one leaves it in its status.
        status_after = status if last and status != OPEN else (IN_UITVOERING if status != OPEN else None)
        text = CANCELLED_PROGRESS if status_after == VERVALLEN else rng.choice(OTHER_PROGRESS)
        ctx.add(ProgressEntry, id=ctx.new_id(ProgressEntry), action_id=action_id, author_id=writer,
                organisation_id=owner_org, text=text, status_after=status_after, created_at=moment)
        tl("action.progress", f"Voortgang '{description[:80]}': {text}", moment, writer)
        last_activity = moment
    ctx.add(Action, id=action_id, case_id=case_id, goal_id=rng.choice(goal_ids) if goal_ids and
            rng.random() < 0.7 else None, description=description, owner_organisation_id=owner_org,
            owner_user_id=owner_user, due_on=due_on, status=status, created_at=created_at,
            last_activity_at=last_activity, version=1 + entries)
