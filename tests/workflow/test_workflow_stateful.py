"""Random walks through every machine (Hypothesis stateful testing).

Random sequences of triggers, actors and facts must never reach an undefined state, never get past a failing
guard, and never let a requester decide on their own request. Whether a step should succeed is decided by an
oracle written here from docs/DESIGN.md §3 — independently of ``workflow.guards`` — and compared both ways: the
machine may neither refuse what the design allows nor allow what it refuses.
"""

from __future__ import annotations

import calendar
import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from workflow import (
    MACHINES,
    ActionFacts,
    Actor,
    CaseFacts,
    Context,
    EscalationFacts,
    Participation,
    TransitionRefused,
    VoordrachtFacts,
)

from workflow_design import DESIGN, FOUR_EYES, NOW, PASSING, STATES, TODAY, Thing

RESULTS = {"doel_bereikt", "overgedragen_regulier", "verhuisd", "overleden", "zonder_resultaat", "geen_casus",
           "doorverwezen"}  # fmt: skip
CRITERIA = {"meerdere_leefgebieden", "meerdere_ketens", "impact_omgeving", "ernstig_veiligheidsprobleem"}
ROLES = ["procesregisseur", "partner", "supervisor", "riec", "privacy", "beheerder"]


# --- the oracle: docs/DESIGN.md §3 in a few lines per trigger -----------------------------------------------


def given(text: str | None) -> bool:
    return bool(text and text.strip())


def months_later(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def active_orgs(f: CaseFacts) -> list[Participation]:
    return [p for p in f.participations if p.active]


def live_actions(f: CaseFacts) -> list[ActionFacts]:
    return [a for a in f.actions if a.status != "vervallen"]


def nazorg_over(f: CaseFacts, c: Context) -> bool:
    if c.override and "supervisor" in c.actor.roles:
        return True
    return f.nazorg_started_on is not None and months_later(f.nazorg_started_on, 6) <= TODAY


def retention_ok(f: CaseFacts) -> bool:
    end = f.retention_until or (f.closed_on and months_later(f.closed_on, 60))
    return end is not None and end >= TODAY


ORACLE = {
    ("case", "start_triage"): lambda f, c: f.signal_count >= 1 and f.procesregisseur_id is not None,
    ("case", "dismiss"): lambda f, c: (
        given(c.reason) and f.triage_outcome in (None, "geen_casus") and c.result in (None, "geen_casus")
    ),
    ("case", "refer"): lambda f, c: (
        f.triage_outcome in {"B", "C", "advies"} and f.referral_organisation_id is not None and given(c.reason)
    ),
    ("case", "accept"): lambda f, c: (
        f.triage_outcome == "A"
        and bool(f.inclusion_criteria & CRITERIA)
        and len({p.organisation_id for p in active_orgs(f)}) >= 2
        and all(p.has_legal_basis for p in active_orgs(f))
    ),
    ("case", "adopt_plan"): lambda f, c: (
        f.goal_count >= 1
        and bool(live_actions(f))
        and all(a.owner_organisation_id is not None and a.due_date is not None for a in live_actions(f))
        and f.plan_discussed_in_meeting
    ),
    ("case", "step_down"): lambda f, c: (
        all(a.status in {"gereed", "vervallen"} for a in f.actions) and given(f.evaluation)
    ),
    ("case", "relapse"): lambda f, c: given(c.reason),
    ("case", "close"): lambda f, c: nazorg_over(f, c) and c.result in RESULTS,
    ("case", "close_early"): lambda f, c: given(c.reason) and c.result in RESULTS,
    ("case", "reopen"): lambda f, c: retention_ok(f) and given(c.reason),
    ("escalation", "escalate"): lambda f, c: (
        given(c.reason)
        and given(c.decision_owner)
        and c.decision_deadline is not None
        and c.decision_deadline >= TODAY
        and c.review_on is not None
        and c.review_on >= TODAY
    ),
    ("escalation", "deescalate"): lambda f, c: given(c.decision),
    ("voordracht", "submit"): lambda f, c: given(f.summary) and f.subject_count >= 1 and given(f.legal_basis),
    ("voordracht", "approve"): lambda f, c: True,
    ("voordracht", "reject"): lambda f, c: given(c.motivation),
    ("voordracht", "revise"): lambda f, c: True,
    ("voordracht", "send_to_riec"): lambda f, c: True,
    ("voordracht", "accept"): lambda f, c: given(f.riec_reference),
    ("voordracht", "return_with_advice"): lambda f, c: given(c.motivation),
}


# --- strategies: small domains, so that both outcomes of every guard come up often --------------------------

ids = st.sampled_from([1, 2, 3])
maybe_id = st.none() | ids
texts = st.sampled_from(["Zie verslag casusoverleg"]) | st.sampled_from([None, "", "  "])
recent_days = st.integers(min_value=-400, max_value=60).map(lambda n: TODAY + timedelta(days=n))
old_days = st.integers(min_value=-6 * 366, max_value=0).map(lambda n: TODAY + timedelta(days=n))

actors = st.builds(Actor, id=ids, roles=st.frozensets(st.sampled_from(ROLES), max_size=3), organisation_id=ids)
participations = st.builds(
    Participation,
    organisation_id=ids,
    role=st.sampled_from(["aanbrenger", "casushouder", "deelnemer"]),
    has_legal_basis=st.booleans(),
    active=st.booleans(),
)
actions = st.builds(
    ActionFacts,
    owner_organisation_id=maybe_id,
    due_date=st.none() | recent_days,
    status=st.sampled_from(["open", "in_uitvoering", "gereed", "vervallen"]),
)
RANDOM_FACTS = {
    "case": st.builds(
        CaseFacts,
        signal_count=st.integers(0, 2),
        procesregisseur_id=maybe_id,
        participations=st.lists(participations, max_size=3),
        triage_outcome=st.sampled_from([None, "A", "B", "C", "advies", "geen_casus"]),
        inclusion_criteria=st.frozensets(st.sampled_from([*CRITERIA, "onbekend"]), max_size=2),
        referral_organisation_id=maybe_id,
        goal_count=st.integers(0, 2),
        actions=st.lists(actions, max_size=3),
        plan_discussed_in_meeting=st.booleans(),
        evaluation=texts,
        nazorg_started_on=st.none() | recent_days,
        requester_id=maybe_id,
        closed_on=st.none() | old_days,
        retention_until=st.none() | old_days | recent_days,
    ),
    "escalation": st.builds(EscalationFacts, case_phase=st.sampled_from([None, *STATES["case"]])),
    "voordracht": st.builds(
        VoordrachtFacts,
        requester_id=maybe_id,
        summary=texts,
        subject_count=st.integers(0, 2),
        legal_basis=texts,
        riec_reference=texts,
    ),
}
RANDOM_INPUTS = st.fixed_dictionaries(
    {
        "reason": texts,
        "override": st.booleans(),
        "result": st.sampled_from([None, "opgelost", *sorted(RESULTS)]),
        "motivation": texts,
        "decision_owner": texts,
        "decision_deadline": st.none() | recent_days,
        "review_on": st.none() | recent_days,
        "decision": texts,
    }
)


def facts_for(machine_name: str, trigger: str) -> st.SearchStrategy:
    """Random facts, or facts under which the trigger's guards hold with a random requester."""
    if (machine_name, trigger) not in PASSING:
        return RANDOM_FACTS[machine_name]
    base = PASSING[(machine_name, trigger)][0]
    aligned = st.builds(lambda requester: dataclasses.replace(base, requester_id=requester), maybe_id)
    return RANDOM_FACTS[machine_name] | (aligned if hasattr(base, "requester_id") else st.just(base))


def inputs_for(machine_name: str, trigger: str) -> st.SearchStrategy:
    base = PASSING.get((machine_name, trigger), (None, {}))[1]
    return RANDOM_INPUTS | st.just(base)


def actors_for(roles: set[str]) -> st.SearchStrategy:
    designed = st.builds(Actor, id=ids, roles=st.frozensets(st.sampled_from(sorted(roles)), min_size=1))
    return actors | designed if roles else actors


def walk_through(machine_name: str) -> type[RuleBasedStateMachine]:
    machine = MACHINES[machine_name]
    design = DESIGN[machine_name]

    class Walk(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.thing = Thing(machine.initial)

        @rule(state=st.sampled_from(STATES[machine_name]))
        def open_another_object(self, state: str) -> None:
            # The app loads objects in any phase; walks need not earn every phase from the start.
            self.thing = Thing(state)

        @rule(data=st.data())
        def fire(self, data: st.DataObject) -> None:
            before = self.thing.state
            valid_here = [trigger for trigger, (routes, _) in design.items() if before in routes]
            any_trigger = st.sampled_from([*machine.triggers, "bogus"])
            trigger = data.draw(st.sampled_from(valid_here) | any_trigger if valid_here else any_trigger)
            routes, roles = design.get(trigger, ({}, set()))
            actor = data.draw(actors_for(roles), label="actor")
            facts = data.draw(facts_for(machine_name, trigger), label="facts")
            ctx = Context(actor=actor, now=NOW, **data.draw(inputs_for(machine_name, trigger), label="inputs"))
            dest = routes.get(before)
            role_ok = bool(actor.roles & roles)
            requester = getattr(facts, "requester_id", None)
            four_eyes_ok = (machine_name, trigger) not in FOUR_EYES or requester not in (None, actor.id)
            should_fire = dest is not None and role_ok and four_eyes_ok and ORACLE[(machine_name, trigger)](facts, ctx)
            try:
                record = machine.fire(self.thing, trigger, facts, ctx)
            except TransitionRefused as refused:
                assert not should_fire, f"refused although the design allows it: {refused.codes}"
                assert self.thing.state == before
                assert refused.codes
                assert ("role_not_permitted" in refused.codes) == (dest is not None and not role_ok)
                assert ("four_eyes" in refused.codes) == (
                    dest is not None and not four_eyes_ok and requester is not None
                )
            else:
                assert should_fire, f"{trigger} from {before} passed although the design refuses it"
                assert self.thing.state == record.to_state == dest
                assert all(guard.passes(facts, ctx) for guard in machine.spec(before, trigger).guards)
                if (machine_name, trigger) in FOUR_EYES:
                    assert requester is not None and requester != actor.id

        @invariant()
        def state_is_defined(self) -> None:
            assert self.thing.state in STATES[machine_name]

    Walk.__name__ = f"{machine_name.title()}Walk"
    return Walk


@pytest.mark.parametrize("machine_name", list(DESIGN))
def test_random_walks_obey_the_design(machine_name):
    run_state_machine_as_test(
        walk_through(machine_name),
        settings=settings(
            max_examples=50,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
