"""The seed's routes through the workflow come from the workflow's own tables (no app, no database)."""

from __future__ import annotations

import pytest

from casus_seed.escalations import VOORDRACHT_ROUTES, steps_up
from casus_seed.skeletons import CLOSURE_ROUTES, ROUTES, walk
from workflow import CASE, VOORDRACHT, CasePhase, ClosureResult, EscalationLevel, VoordrachtState


def test_every_phase_has_a_route_that_the_case_table_allows_and_ends_there():
    phases = {phase for phase, _route in ROUTES}
    assert phases == set(CasePhase)
    for (phase, _route), steps in ROUTES.items():
        state = CASE.initial
        for step in steps:
            assert CASE.target(state, step.trigger) == step.target, step
            state = step.target
        assert state == phase


def test_a_closure_records_the_result_its_trigger_always_records():
    assert ROUTES[CasePhase.AFGESLOTEN, "dismissed"][-1].result == ClosureResult.GEEN_CASUS
    assert ROUTES[CasePhase.AFGESLOTEN, "referred"][-1].result == ClosureResult.DOORVERWEZEN
    assert ROUTES[CasePhase.AFGESLOTEN, "full"][-1].result is None  # chosen by whoever closes the case
    assert set(CLOSURE_ROUTES) == {route for phase, route in ROUTES if phase == CasePhase.AFGESLOTEN}


def test_a_route_the_table_does_not_allow_is_refused():
    with pytest.raises(ValueError, match="'adopt_plan' from 'signalering'"):
        walk(("adopt_plan",))


def test_the_ladder_and_the_voordracht_routes_follow_their_tables():
    assert steps_up(EscalationLevel.OPERATIONEEL) == []
    assert steps_up(EscalationLevel.BESTUURLIJK) == [("operationeel", "tactisch"), ("tactisch", "bestuurlijk")]
    assert set(VOORDRACHT_ROUTES) == set(VoordrachtState)
    for state, route in VOORDRACHT_ROUTES.items():
        current = VOORDRACHT.initial
        for spec in route:
            assert VOORDRACHT.target(current, spec.trigger) == spec.dest
            current = spec.dest
        assert current == state
    assert [spec.trigger for spec in VOORDRACHT_ROUTES[VoordrachtState.AFGEWEZEN]] == ["submit", "reject"]
