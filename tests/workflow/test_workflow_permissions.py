"""Every state × trigger × role of every machine is allowed or refused exactly as docs/DESIGN.md §3 says."""

from __future__ import annotations

import itertools

import pytest

from workflow import MACHINES, Role, TransitionRefused

from workflow_design import DESIGN, FOUR_EYES, REQUESTER_ID, STATES, Thing

ALL_ROLES = Role.values()
CELLS = [
    (machine, state, trigger)
    for machine in DESIGN
    for state, trigger in itertools.product(STATES[machine], DESIGN[machine])
]


def _cell_id(cell: tuple[str, str, str]) -> str:
    return "-".join(cell)


def test_machines_have_exactly_the_designed_states_and_triggers():
    for name, machine in MACHINES.items():
        assert machine.states == STATES[name]
        assert set(machine.triggers) == set(DESIGN[name])
        assert machine.initial == STATES[name][0]


@pytest.mark.parametrize("cell", CELLS, ids=_cell_id)
def test_target_of_every_state_and_trigger(cell):
    machine, state, trigger = cell
    routes, _roles = DESIGN[machine][trigger]
    assert MACHINES[machine].target(state, trigger) == routes.get(state)


@pytest.mark.parametrize("cell", CELLS, ids=_cell_id)
def test_each_role_alone_is_allowed_exactly_when_designed(cell, passing):
    machine_name, state, trigger = cell
    machine = MACHINES[machine_name]
    routes, roles = DESIGN[machine_name][trigger]
    for role in ALL_ROLES:
        facts, ctx = passing(machine_name, trigger, role)
        failures = machine.check(state, trigger, facts, ctx)
        if state not in routes:
            assert [f.code for f in failures] == ["not_allowed_from_state"], role
        elif role in roles:
            assert failures == (), role
        else:
            assert [f.code for f in failures] == ["role_not_permitted"], role


@pytest.mark.parametrize("cell", CELLS, ids=_cell_id)
def test_fire_follows_check(cell, passing):
    machine_name, state, trigger = cell
    routes, roles = DESIGN[machine_name][trigger]
    facts, ctx = passing(machine_name, trigger, *sorted(roles))
    thing = Thing(state)
    if state in routes:
        record = MACHINES[machine_name].fire(thing, trigger, facts, ctx)
        assert thing.state == routes[state] == record.to_state
    else:
        with pytest.raises(TransitionRefused) as refused:
            MACHINES[machine_name].fire(thing, trigger, facts, ctx)
        assert refused.value.codes == ("not_allowed_from_state",)
        assert thing.state == state


@pytest.mark.parametrize("machine_name, trigger", sorted(FOUR_EYES))
def test_four_eyes_refuses_the_requester_even_when_they_hold_every_role(machine_name, trigger, passing):
    machine = MACHINES[machine_name]
    routes, _roles = DESIGN[machine_name][trigger]
    state = next(iter(routes))
    facts, ctx = passing(machine_name, trigger, *ALL_ROLES, actor_id=REQUESTER_ID)
    assert [f.code for f in machine.check(state, trigger, facts, ctx)] == ["four_eyes"]
    facts, ctx = passing(machine_name, trigger, *ALL_ROLES, actor_id=REQUESTER_ID + 1)
    assert machine.check(state, trigger, facts, ctx) == ()


def test_only_the_designed_triggers_apply_the_four_eyes_rule():
    for name, machine in MACHINES.items():
        for spec in machine.transitions:
            assert spec.four_eyes == ((name, spec.trigger) in FOUR_EYES), (name, spec.trigger)


def test_an_actor_without_roles_may_fire_nothing(passing):
    for machine, state, trigger in CELLS:
        routes, _roles = DESIGN[machine][trigger]
        if state in routes:
            facts, ctx = passing(machine, trigger)
            assert "role_not_permitted" in {f.code for f in MACHINES[machine].check(state, trigger, facts, ctx)}
