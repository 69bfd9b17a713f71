"""The API the web app and the HTTP API share: fire, check, available, target and the history entry."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from workflow import (
    CASE,
    ESCALATION,
    VOORDRACHT,
    Actor,
    CaseFacts,
    CasePhase,
    Context,
    EscalationFacts,
    GuardFailure,
    TransitionRecord,
    TransitionRefused,
    TriggerOption,
    VoordrachtFacts,
)

from workflow_design import NOW, PASSING, REQUESTER_ID, Thing


def test_fire_moves_the_object_and_returns_the_history_entry(passing):
    facts, ctx = passing("case", "start_triage", "procesregisseur", actor_id=42)
    case = Thing("signalering")
    record = CASE.fire(case, "start_triage", facts, ctx)
    assert case.state == "triage"
    assert record == TransitionRecord(
        machine="case",
        trigger="start_triage",
        from_state="signalering",
        to_state="triage",
        actor_id=42,
        reason=None,
        at=NOW,
    )
    assert record.allowed


def test_fire_uses_the_named_attribute_and_accepts_enum_members(passing):
    facts, ctx = passing("case", "adopt_plan", "procesregisseur")
    case = Thing(CasePhase.AANPAK_PLAN, attr="phase")
    CASE.fire(case, "adopt_plan", facts, ctx, attr="phase")
    assert case.phase == "aanpak.uitvoering"
    assert type(case.phase) is str


def test_refusal_leaves_the_object_untouched_and_lists_every_failure(make_ctx):
    case = Thing("triage")
    ctx = make_ctx("partner", reason="x")
    with pytest.raises(TransitionRefused) as caught:
        CASE.fire(case, "accept", CaseFacts(triage_outcome="B"), ctx)
    refused = caught.value
    assert case.state == "triage"
    assert (refused.machine, refused.trigger, refused.from_state, refused.to_state) == (
        "case",
        "accept",
        "triage",
        "aanpak.plan",
    )
    assert refused.codes == (
        "role_not_permitted",
        "needs_outcome_a",
        "needs_inclusion_criterion",
        "needs_two_partners",
    )
    assert all(isinstance(failure, GuardFailure) for failure in refused.failures)
    assert refused.messages("en")[0] == "Your role may not take this step."
    assert "needs_two_partners" in str(refused)
    assert refused.record.refused == refused.codes
    assert not refused.record.allowed


@pytest.mark.parametrize(
    ("state", "trigger", "code"),
    [
        ("triage", "fly", "invalid_trigger"),
        ("afgesloten", "close", "not_allowed_from_state"),
        (None, "start_triage", "unknown_state"),
        ("aanpak", "close_early", "unknown_state"),  # the parent itself is never a persisted state
    ],
)
def test_invalid_triggers_and_states_are_refusals_too(state, trigger, code, make_ctx):
    case = Thing(state)
    with pytest.raises(TransitionRefused) as caught:
        CASE.fire(case, trigger, CaseFacts(), make_ctx("supervisor"))
    assert caught.value.codes == (code,)
    assert caught.value.to_state is None
    assert case.state == state


@pytest.mark.parametrize(
    ("trigger", "ctx_result", "recorded"),
    [("dismiss", None, "geen_casus"), ("refer", None, "doorverwezen"), ("close", "overleden", "overleden")],
)
def test_closing_transitions_record_their_result(trigger, ctx_result, recorded, passing):
    state = {"dismiss": "triage", "refer": "triage", "close": "nazorg"}[trigger]
    facts, ctx = passing("case", trigger, "procesregisseur", result=ctx_result)
    assert CASE.fire(Thing(state), trigger, facts, ctx).result == recorded


def test_close_early_is_the_supervisors_approval_of_someone_elses_request(passing):
    facts, ctx = passing("case", "close_early", "supervisor", actor_id=REQUESTER_ID + 1)
    record = CASE.fire(Thing("aanpak.plan"), "close_early", facts, ctx)
    assert (record.to_state, record.result, record.reason) == ("afgesloten", "verhuisd", "Betrokkene verhuisd")


def test_history_entry_carries_the_escalation_details_as_strings(passing):
    facts, ctx = passing("escalation", "escalate", "supervisor")
    record = ESCALATION.fire(Thing("tactisch", attr="level"), "escalate", facts, ctx, attr="level")
    assert record.to_state == "bestuurlijk"
    assert record.details == {
        "decision_owner": "ketenmanager politie",
        "decision_deadline": "2026-03-25",
        "review_on": "2026-05-10",
    }
    assert record.as_dict()["at"] == "2026-03-11T12:00:00+00:00"


def test_voordracht_happy_path_and_return(make_ctx):
    voordracht = Thing("concept")
    facts = PASSING[("voordracht", "submit")][0]
    author, boss, riec = make_ctx("procesregisseur", actor_id=REQUESTER_ID), make_ctx("supervisor"), make_ctx("riec")
    VOORDRACHT.fire(voordracht, "submit", facts, author)
    with pytest.raises(TransitionRefused, match="role_not_permitted"):
        VOORDRACHT.fire(voordracht, "approve", facts, author)
    VOORDRACHT.fire(voordracht, "approve", facts, boss)
    VOORDRACHT.fire(voordracht, "send_to_riec", facts, author)
    with pytest.raises(TransitionRefused, match="needs_riec_reference"):
        VOORDRACHT.fire(voordracht, "accept", facts, riec)
    riec_with_advice = make_ctx("riec", motivation="Eerst bestuurlijke aanpak")
    VOORDRACHT.fire(voordracht, "return_with_advice", facts, riec_with_advice)
    assert voordracht.state == "teruggelegd"
    assert VOORDRACHT.available("teruggelegd", facts, riec) == []


def test_available_lists_valid_triggers_in_table_order_with_their_blockers(make_ctx):
    options = CASE.available(
        "triage",
        CaseFacts(triage_outcome="B", referral_organisation_id=4),
        make_ctx("procesregisseur", reason="Past bij wijkteam"),
    )
    assert [option.trigger for option in options] == ["dismiss", "refer", "accept"]
    dismiss, refer, accept = options
    assert dismiss.codes == ("needs_outcome_geen_casus",) and not dismiss.allowed
    assert refer == TriggerOption("refer", "afgesloten", True, (), "Doorverwijzen", "Refer")
    assert accept.to_state == "aanpak.plan"
    assert accept.codes == ("needs_outcome_a", "needs_inclusion_criterion", "needs_two_partners")
    assert refer.label("en") == "Refer"


def test_check_target_and_sources_agree(passing):
    facts, ctx = passing("case", "close_early", "supervisor")
    assert CASE.check("aanpak.uitvoering", "close_early", facts, ctx) == ()
    assert CASE.target("aanpak.uitvoering", "close_early") == "afgesloten"
    assert CASE.target("nazorg", "close_early") is None
    assert CASE.sources("close_early") == ("aanpak.plan", "aanpak.uitvoering")
    assert CASE.sources("dismiss") == ("signalering", "triage")


def test_wrong_facts_type_is_a_programming_error(make_ctx):
    with pytest.raises(TypeError, match="CaseFacts"):
        CASE.check("triage", "accept", VoordrachtFacts(), make_ctx("procesregisseur"))
    with pytest.raises(TypeError, match="EscalationFacts"):
        ESCALATION.available("operationeel", CaseFacts(), make_ctx("procesregisseur"))
    assert ESCALATION.available("operationeel", EscalationFacts(), make_ctx("procesregisseur"))


def test_context_needs_an_aware_clock(make_ctx):
    actor = make_ctx("supervisor").actor
    with pytest.raises(ValueError, match="aware"):
        Context(actor=actor, now=datetime(2026, 1, 1, 12, 0))
    assert Context(actor=actor).now.tzinfo is not None


def test_today_is_the_dutch_date():
    late_evening_utc = datetime.fromisoformat("2026-06-30T22:30:00+00:00")  # 00:30 on 1 July in Amsterdam
    assert str(Context(actor=Actor(1), now=late_evening_utc).today) == "2026-07-01"


def test_facts_normalise_collections_and_enums():
    from workflow import ClosureResult, InclusionCriterion, TriageOutcome

    facts = CaseFacts(
        triage_outcome=TriageOutcome.A,
        inclusion_criteria=[InclusionCriterion.MEERDERE_KETENS],
        result=ClosureResult.VERHUISD,
        participations=[],
    )
    assert facts.triage_outcome == "A" and type(facts.triage_outcome) is str
    assert facts.inclusion_criteria == frozenset({"meerdere_ketens"})
    assert facts.participations == ()
    hash(facts)  # frozen and hashable: safe to share between threads and cache


def test_concurrent_fires_on_a_shared_machine(passing):
    """Many threads fire on their own objects through the one machine; none sees another's state."""
    ok_facts, ok_ctx = passing("case", "start_triage", "procesregisseur")
    bad_facts = CaseFacts()
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for _ in range(200):
                good, bad = Thing("signalering"), Thing("signalering")
                CASE.fire(good, "start_triage", ok_facts, ok_ctx)
                with pytest.raises(TransitionRefused):
                    CASE.fire(bad, "start_triage", bad_facts, ok_ctx)
                assert (good.state, bad.state) == ("triage", "signalering")
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert CASE.engine.models == []  # no object was ever attached to the shared library machine
