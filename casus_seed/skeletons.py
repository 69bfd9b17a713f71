"""What each synthetic case becomes before any row is written: its phase, the route it took through the case
workflow, its category and team, and how many days each step took; and the references reserved for them.

A route is a list of triggers of the workflow's CASE machine. The phases it passes through, and the closure result
a trigger always records (dismiss: geen_casus, refer: doorverwezen), are read from the machine's table
(workflow/tables.py), never written here again: a route the table does not allow fails at import.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from casus.cases.models import Category
from casus_seed.bulk import reserve_numbers
from casus_seed.draws import weighted
from workflow import CASE, CasePhase, ClosureResult

_P = CasePhase
# Phases, weighted: most cases are in aanpak, nazorg or closed, few still in signalering.
PHASE_WEIGHTS = tuple((phase.value, weight) for phase, weight in (
    (_P.SIGNALERING, 5), (_P.TRIAGE, 8), (_P.AANPAK_PLAN, 9), (_P.AANPAK_UITVOERING, 28), (_P.NAZORG, 15),
    (_P.AFGESLOTEN, 35)))

# The usual route through the workflow, and the ways a closed case got there: dismissed at intake, referred after
# triage, closed early, or the full route.
FULL_ROUTE = ("start_triage", "accept", "adopt_plan", "step_down", "close")
CLOSURE_ROUTES = {
    "dismissed": ("dismiss",),
    "referred": ("start_triage", "refer"),
    "early": ("start_triage", "accept", "adopt_plan", "close_early"),
    "full": FULL_ROUTE,
}
CLOSURE_ROUTE_WEIGHTS = (("dismissed", 18), ("referred", 15), ("early", 9), ("full", 58))
# Categories, weighted (a category not named here: 2).
CATEGORY_WEIGHTS = {
    "woonoverlast": 24, "jeugd": 16, "verward_gedrag": 20, "ondermijning": 8, "radicalisering": 3,
    "huiselijk_geweld": 12, "nazorg_ex_gedetineerden": 12, "overig": 5,
}
_R = ClosureResult
# The result a closure records when the table leaves it to the person closing, per route.
CHOSEN_RESULTS = {
    "full": ((_R.DOEL_BEREIKT, 50), (_R.OVERGEDRAGEN_REGULIER, 28), (_R.VERHUISD, 8), (_R.ZONDER_RESULTAAT, 11),
             (_R.OVERLEDEN, 3)),
    "early": ((_R.VERHUISD, 35), (_R.ZONDER_RESULTAAT, 35), (_R.OVERGEDRAGEN_REGULIER, 25), (_R.OVERLEDEN, 5)),
}
CHOSEN_RESULTS = {route: tuple((result.value, weight) for result, weight in pairs)
                  for route, pairs in CHOSEN_RESULTS.items()}

# Days a step takes, (fewest, most). Every range is drawn for every step, in this order, and the step's own is
# kept: the stream has always been drawn that way, and a seed number must keep giving the same data.
STEP_DAYS = {"start_triage": (0, 3), "dismiss": (1, 8), "refer": (2, 10), "accept": (2, 10), "adopt_plan": (7, 30),
             "step_down": (60, 300), "close": (182, 230), "close_early": (20, 200)}
# Days a case has been in its current phase (drawn the same way).
PHASE_DAYS = {_P.SIGNALERING: (0, 8), _P.TRIAGE: (0, 14), _P.AANPAK_PLAN: (0, 35), _P.AANPAK_UITVOERING: (0, 360),
              _P.NAZORG: (0, 200), _P.AFGESLOTEN: (0, 1000)}


@dataclass(frozen=True)
class Step:
    """One transition of a route: ``trigger`` from ``source`` to ``target``, as the CASE table has it."""

    trigger: str
    source: str
    target: str
    result: str | None  # the closure result the table always records for this trigger, if any


def walk(triggers: tuple[str, ...]) -> tuple[Step, ...]:
    """The steps of ``triggers`` from the machine's initial phase; ValueError for one the table does not allow."""
    steps, state = [], CASE.initial
    for trigger in triggers:
        spec = CASE.spec(state, trigger)
        if spec is None:
            raise ValueError(f"the case workflow has no {trigger!r} from {state!r}")
        steps.append(Step(trigger, state, CASE.target(state, trigger), spec.result))
        state = steps[-1].target
    return tuple(steps)


def _end(steps: tuple[Step, ...]) -> str:
    return steps[-1].target if steps else CASE.initial


def _routes() -> dict[tuple[str, str | None], tuple[Step, ...]]:
    """The steps behind every (phase, closure route): an open case came the shortest way along the full route."""
    if {phase for phase, _weight in PHASE_WEIGHTS} != set(CASE.states) or set(PHASE_DAYS) != set(CASE.states):
        raise ValueError("the seed weighs a different set of phases than the case workflow has")
    routes = {}
    for phase in CASE.states:
        if phase == _P.AFGESLOTEN:
            continue
        routes[phase, None] = next(steps for steps in (walk(FULL_ROUTE[:n]) for n in range(len(FULL_ROUTE) + 1))
                                   if _end(steps) == phase)
    for route, triggers in CLOSURE_ROUTES.items():
        routes[_P.AFGESLOTEN.value, route] = walk(triggers)
        if _end(routes[_P.AFGESLOTEN.value, route]) != _P.AFGESLOTEN:
            raise ValueError(f"the closure route {route!r} does not close the case")
    return routes


ROUTES = _routes()
TRIGGERS = {key: tuple(step.trigger for step in steps) for key, steps in ROUTES.items()}


@dataclass
class Skeleton:
    phase: str
    route: str | None  # for afgesloten: dismissed / referred / early / full
    category: str
    team_index: int
    durations: list[int]  # days between the milestones that happened
    since_last: int  # days in the current phase
    opened_on: date = date.min

    @property
    def steps(self) -> tuple[Step, ...]:
        return ROUTES[self.phase, self.route]

    @property
    def triggers(self) -> tuple[str, ...]:
        return TRIGGERS[self.phase, self.route]


def _draw_days(rng: random.Random, ranges: dict) -> dict:
    return {key: rng.randint(low, high) for key, (low, high) in ranges.items()}


def make_skeletons(rng: random.Random, count: int, categories: dict[str, Category], team_weights: list[int],
                   today: date) -> list[Skeleton]:
    """Decide phase, route, category, team and durations for every case; sorted by opening date."""
    codes = list(categories)
    weights = [CATEGORY_WEIGHTS.get(code, 2) for code in codes]
    teams = list(range(len(team_weights)))
    skeletons = []
    for _ in range(count):
        phase = weighted(rng, PHASE_WEIGHTS)
        route = weighted(rng, CLOSURE_ROUTE_WEIGHTS) if phase == _P.AFGESLOTEN else None
        durations = [_draw_days(rng, STEP_DAYS)[step.trigger] for step in ROUTES[phase, route]]
        since_last = _draw_days(rng, PHASE_DAYS)[phase]
        skeleton = Skeleton(phase=phase, route=route, category=rng.choices(codes, weights)[0],
                            team_index=rng.choices(teams, team_weights)[0], durations=durations,
                            since_last=since_last)
        skeleton.opened_on = today - timedelta(days=since_last + sum(durations))
        skeletons.append(skeleton)
    # Stable sort: references follow the order in which cases were opened.
    skeletons.sort(key=lambda s: s.opened_on)
    return skeletons


def reserve_references(skeletons: list[Skeleton], signal_counts: list[int], loose: int,
                       today: date) -> tuple[list[str], list[list[str]], list[str]]:
    """Case and signal references for every skeleton, and for ``loose`` signals of today, reserved per year in
    opening order: (case references, signal references per case, loose signal references)."""
    case_years: dict[int, int] = defaultdict(int)
    signal_years: dict[int, int] = defaultdict(int)
    for skeleton, count in zip(skeletons, signal_counts, strict=True):
        case_years[skeleton.opened_on.year] += 1
        signal_years[skeleton.opened_on.year] += count
    signal_years[today.year] += loose
    next_case = {year: reserve_numbers("case", year, n) for year, n in sorted(case_years.items())}
    next_signal = {year: reserve_numbers("signal", year, n) for year, n in sorted(signal_years.items())}
    case_refs, signal_refs = [], []
    for skeleton, count in zip(skeletons, signal_counts, strict=True):
        year = skeleton.opened_on.year
        case_refs.append(f"{year}-{next_case[year]:05d}")
        next_case[year] += 1
        refs = []
        for _ in range(count):
            refs.append(f"S-{year}-{next_signal[year]:06d}")
            next_signal[year] += 1
        signal_refs.append(refs)
    loose_refs = []
    for _ in range(loose):
        loose_refs.append(f"S-{today.year}-{next_signal[today.year]:06d}")
        next_signal[today.year] = next_signal[today.year] + 1
    return case_refs, signal_refs, loose_refs
