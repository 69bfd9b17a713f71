"""Each guard: one case where it holds, one where it fails, and the exact message it gives.

Every case starts from facts under which *all* guards of the trigger hold and changes one thing, so the
failing case must report exactly that one code.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import NamedTuple

import pytest

from workflow import (
    GUARDS,
    MACHINES,
    SYSTEM_FAILURES,
    ActionFacts,
    CaseFacts,
    Participation,
)

from workflow_design import DESIGN, PASSING, REQUESTER_ID, TODAY


class GuardCase(NamedTuple):
    code: str
    machine: str
    state: str
    trigger: str
    ok: tuple[dict, dict]  # (changes to the facts, changes to the context) under which the guard holds
    bad: tuple[dict, dict]  # ... under which it fails
    nl: str
    en: str


def c(code, machine, state, trigger, ok, bad, nl, en) -> GuardCase:
    return GuardCase(code, machine, state, trigger, ok, bad, nl, en)


NO_CHANGE: tuple[dict, dict] = ({}, {})
PARTNER_A = Participation(1, "aanbrenger", has_legal_basis=True)
PARTNER_B = Participation(2, "deelnemer", has_legal_basis=True)
DUE = TODAY + timedelta(days=14)

CASES = [
    c("needs_signal", "case", "signalering", "start_triage",
      ({"signal_count": 1}, {}), ({"signal_count": 0}, {}),
      "De casus heeft nog geen signaal.", "The case has no signal yet."),
    c("needs_procesregisseur", "case", "signalering", "start_triage",
      ({"procesregisseur_id": "u-7"}, {}), ({"procesregisseur_id": None}, {}),
      "Wijs eerst een procesregisseur toe.", "Assign a procesregisseur first."),
    c("needs_reason", "case", "triage", "dismiss",
      ({}, {"reason": "Valt buiten de doelgroep"}), ({}, {"reason": "   "}),
      "Geef een reden op.", "Give a reason."),
    c("needs_outcome_geen_casus", "case", "triage", "dismiss",
      ({"triage_outcome": "geen_casus"}, {"result": "geen_casus"}), ({"triage_outcome": "A"}, {}),
      "Afwijzen kan alleen met de uitkomst 'geen casus'.",
      "Dismissing requires the outcome 'geen casus' (not a case)."),
    c("needs_referral_outcome", "case", "triage", "refer",
      ({"triage_outcome": "advies"}, {}), ({"triage_outcome": "A"}, {}),
      "Doorverwijzen kan alleen bij triage-uitkomst B, C of advies.",
      "Referral requires triage outcome B, C or advies."),
    c("needs_referral_organisation", "case", "triage", "refer",
      ({"referral_organisation_id": 12}, {}), ({"referral_organisation_id": None}, {}),
      "Kies de organisatie waarnaar wordt doorverwezen.", "Choose the organisation the case is referred to."),
    c("needs_outcome_a", "case", "triage", "accept",
      ({"triage_outcome": "A"}, {}), ({"triage_outcome": "C"}, {}),
      "Aannemen vraagt triage-uitkomst A (casusoverleg).", "Accepting requires triage outcome A (case meeting)."),
    c("needs_inclusion_criterion", "case", "triage", "accept",
      ({"inclusion_criteria": {"meerdere_ketens"}}, {}), ({"inclusion_criteria": {"onbekend"}}, {}),
      "Leg vast aan welk inclusiecriterium de casus voldoet.", "Record which inclusion criterion the case meets."),
    c("needs_two_partners", "case", "triage", "accept",
      ({"participations": (PARTNER_A, PARTNER_B)}, {}),
      ({"participations": (PARTNER_A, dataclasses.replace(PARTNER_B, active=False))}, {}),
      "Er moeten minstens twee organisaties actief deelnemen.", "At least two organisations must take part."),
    c("partners_need_legal_basis", "case", "triage", "accept",
      ({"participations": (PARTNER_A, PARTNER_B)}, {}),
      ({"participations": (PARTNER_A, dataclasses.replace(PARTNER_B, has_legal_basis=False))}, {}),
      "Elke deelnemende organisatie heeft een grondslag nodig (convenant of geheimhoudingsverklaring).",
      "Every participating organisation needs a legal basis (covenant or confidentiality agreement)."),
    c("needs_goal", "case", "aanpak.plan", "adopt_plan",
      ({"goal_count": 2}, {}), ({"goal_count": 0}, {}),
      "Het plan van aanpak heeft minstens één doel nodig.", "The plan needs at least one goal."),
    c("needs_action", "case", "aanpak.plan", "adopt_plan",
      ({"actions": (ActionFacts(1, DUE, "in_uitvoering"),)}, {}),
      ({"actions": (ActionFacts(1, DUE, "vervallen"),)}, {}),
      "Het plan van aanpak heeft minstens één actie nodig.", "The plan needs at least one action."),
    c("actions_need_owner", "case", "aanpak.plan", "adopt_plan",
      ({"actions": (ActionFacts(1, DUE), ActionFacts(None, None, "vervallen"))}, {}),
      ({"actions": (ActionFacts(1, DUE), ActionFacts(None, DUE))}, {}),
      "Elke actie heeft een eigenaar (organisatie) nodig.", "Every action needs an owning organisation."),
    c("actions_need_due_date", "case", "aanpak.plan", "adopt_plan",
      ({"actions": (ActionFacts(1, DUE),)}, {}), ({"actions": (ActionFacts(1, DUE), ActionFacts(2, None))}, {}),
      "Elke actie heeft een uiterste datum nodig.", "Every action needs a due date."),
    c("needs_plan_discussed", "case", "aanpak.plan", "adopt_plan",
      ({"plan_discussed_in_meeting": True}, {}), ({"plan_discussed_in_meeting": False}, {}),
      "Het plan moet eerst in een casusoverleg besproken zijn.",
      "The plan must first be discussed in a case meeting."),
    c("actions_must_be_finished", "case", "aanpak.uitvoering", "step_down",
      ({"actions": ()}, {}), ({"actions": (ActionFacts(1, DUE, "gereed"), ActionFacts(2, DUE, "in_uitvoering"))}, {}),
      "Alle acties moeten gereed of vervallen zijn.", "Every action must be done or cancelled."),
    c("needs_evaluation", "case", "aanpak.uitvoering", "step_down",
      ({"evaluation": "Doelen gehaald"}, {}), ({"evaluation": None}, {}),
      "Schrijf eerst de evaluatie.", "Write the evaluation first."),
    c("nazorg_period_over", "case", "nazorg", "close",
      ({"nazorg_started_on": TODAY - timedelta(days=190)}, {}),
      ({"nazorg_started_on": TODAY - timedelta(days=30)}, {"override": True, "roles": ("procesregisseur",)}),
      "De nazorgperiode loopt nog; alleen een supervisor kan eerder afsluiten (override).",
      "The aftercare period has not ended yet; only a supervisor can override it."),
    c("needs_result", "case", "nazorg", "close",
      ({}, {"result": "overgedragen_regulier"}), ({}, {"result": "opgelost"}),
      "Kies het resultaat van de afsluiting.", "Choose the result of the closure."),
    c("within_retention", "case", "afgesloten", "reopen",
      ({"closed_on": TODAY - timedelta(days=4 * 365)}, {}), ({"closed_on": TODAY - timedelta(days=6 * 365)}, {}),
      "De bewaartermijn is verstreken; de casus kan niet meer worden heropend.",
      "The retention period has ended; the case can no longer be reopened."),
    c("needs_decision_owner", "escalation", "operationeel", "escalate",
      ({}, {"decision_owner": "burgemeester"}), ({}, {"decision_owner": None}),
      "Leg vast wie op het nieuwe niveau beslist.", "Record who decides at the new level."),
    c("needs_decision_deadline", "escalation", "tactisch", "escalate",
      ({}, {"decision_deadline": TODAY}), ({}, {"decision_deadline": TODAY - timedelta(days=1)}),
      "Geef een beslistermijn op die niet in het verleden ligt.",
      "Give a decision deadline that is not in the past."),
    c("needs_review_date", "escalation", "operationeel", "escalate",
      ({}, {"review_on": TODAY + timedelta(days=90)}), ({}, {"review_on": None}),
      "Geef een datum op om afschalen te heroverwegen, niet in het verleden.",
      "Give a date, not in the past, to review de-escalation."),
    c("needs_decision", "escalation", "bestuurlijk", "deescalate",
      ({}, {"decision": "Sluiting pand"}), ({}, {"decision": ""}),
      "Leg het genomen besluit vast.", "Record the decision taken."),
    c("needs_summary", "voordracht", "concept", "submit",
      ({"summary": "Kort"}, {}), ({"summary": None}, {}),
      "Schrijf de samenvatting voor het RIEC.", "Write the summary for the RIEC."),
    c("needs_subject", "voordracht", "concept", "submit",
      ({"subject_count": 3}, {}), ({"subject_count": 0}, {}),
      "Koppel minstens één betrokkene.", "Link at least one subject."),
    c("needs_legal_basis", "voordracht", "concept", "submit",
      ({"legal_basis": "convenant"}, {}), ({"legal_basis": " "}, {}),
      "Leg de grondslag vast voor het delen met het RIEC.", "Record the legal basis for sharing with the RIEC."),
    c("needs_motivation", "voordracht", "ter_beoordeling", "reject",
      ({}, {"motivation": "Onvoldoende onderbouwd"}), ({}, {"motivation": None}),
      "Geef een motivering.", "Give a motivation."),
    c("needs_riec_reference", "voordracht", "ingediend", "accept",
      ({"riec_reference": "RIEC-1"}, {}), ({"riec_reference": None}, {}),
      "Vul het RIEC-casusnummer in.", "Enter the RIEC case reference."),
    c("role_not_permitted", "case", "triage", "accept",
      ({}, {"roles": ("procesregisseur",)}), ({}, {"roles": ("supervisor", "partner")}),
      "Uw rol mag deze stap niet zetten.", "Your role may not take this step."),
    c("needs_requester", "case", "aanpak.uitvoering", "close_early",
      ({"requester_id": 5}, {}), ({"requester_id": None}, {}),
      "Er is geen aanvrager vastgelegd; een vier-ogenbesluit is zo niet mogelijk.",
      "No requester is recorded, so a four-eyes decision is not possible."),
    c("four_eyes", "voordracht", "ter_beoordeling", "approve",
      ({}, {"actor_id": REQUESTER_ID + 1}), ({}, {"actor_id": REQUESTER_ID}),
      "Vier ogen: de aanvrager mag het eigen verzoek niet beoordelen.",
      "Four eyes: the requester may not decide on their own request."),
    c("not_allowed_from_state", "case", "nazorg", "start_triage",
      NO_CHANGE, NO_CHANGE,
      "Deze stap kan niet vanuit de huidige status.", "This step is not possible from the current state."),
    c("invalid_trigger", "case", "triage", "escalate",
      NO_CHANGE, NO_CHANGE, "Deze stap bestaat niet.", "This step does not exist."),
    c("unknown_state", "escalation", "landelijk", "escalate",
      NO_CHANGE, NO_CHANGE,
      "De huidige status is onbekend in dit proces.", "The current state is unknown to this process."),
]  # fmt: skip

STRUCTURAL = {"not_allowed_from_state", "invalid_trigger", "unknown_state"}


def _check(case: GuardCase, changes: tuple[dict, dict], make_ctx):
    machine = MACHINES[case.machine]
    base_facts, base_ctx = PASSING.get((case.machine, case.trigger), (machine.facts_type(), {}))
    facts_changes, ctx_changes = changes
    ctx_kwargs = {**base_ctx, **ctx_changes}
    roles = ctx_kwargs.pop("roles", None) or sorted(DESIGN[case.machine].get(case.trigger, ((), ()))[1])
    ctx = make_ctx(*roles, **ctx_kwargs)
    return machine.check(case.state, case.trigger, dataclasses.replace(base_facts, **facts_changes), ctx)


def test_every_code_has_a_case():
    assert {case.code for case in CASES} == set(GUARDS) | set(SYSTEM_FAILURES)


@pytest.mark.parametrize("case", [k for k in CASES if k.code not in STRUCTURAL], ids=lambda k: k.code)
def test_guard_holds(case, make_ctx):
    assert _check(case, case.ok, make_ctx) == ()


@pytest.mark.parametrize("case", CASES, ids=lambda k: k.code)
def test_guard_fails_with_its_code_and_messages(case, make_ctx):
    failures = _check(case, case.bad, make_ctx)
    assert [f.code for f in failures] == [case.code]
    assert failures[0].message("nl") == failures[0].message() == case.nl
    assert failures[0].message("en_GB") == case.en


def test_every_guard_is_used_by_a_machine():
    used = {guard.code for machine in MACHINES.values() for spec in machine.transitions for guard in spec.guards}
    assert used == set(GUARDS)


def test_guard_codes_are_lower_snake_case():
    for code in set(GUARDS) | set(SYSTEM_FAILURES):
        assert code.isidentifier() and code == code.lower(), code


# --- edges of the period and four-eyes rules ---------------------------------------------------------------


def _case_codes(state, trigger, facts, ctx):
    return [f.code for f in MACHINES["case"].check(state, trigger, facts, ctx)]


def test_close_becomes_possible_on_the_day_the_nazorg_period_ends(make_ctx):
    started = date(2025, 9, 11)  # six months before TODAY
    ctx = make_ctx("procesregisseur", result="doel_bereikt")
    assert _case_codes("nazorg", "close", CaseFacts(nazorg_started_on=started), ctx) == []
    one_day_later = started + timedelta(days=1)
    assert _case_codes("nazorg", "close", CaseFacts(nazorg_started_on=one_day_later), ctx) == ["nazorg_period_over"]


def test_close_without_nazorg_start_needs_a_supervisor_override(make_ctx):
    facts = CaseFacts()
    assert _case_codes("nazorg", "close", facts, make_ctx("procesregisseur", result="verhuisd", override=True)) == [
        "nazorg_period_over"
    ]
    assert _case_codes("nazorg", "close", facts, make_ctx("supervisor", result="verhuisd", override=True)) == []
    assert _case_codes("nazorg", "close", facts, make_ctx("supervisor", result="verhuisd")) == ["nazorg_period_over"]


def test_nazorg_period_comes_from_the_cadences_on_the_context(make_ctx):
    from workflow import Cadences

    facts = CaseFacts(nazorg_started_on=TODAY - timedelta(days=100))
    short = make_ctx("procesregisseur", result="doel_bereikt", cadences=Cadences(nazorg_period_months=3))
    assert _case_codes("nazorg", "close", facts, short) == []


def test_retention_until_overrides_the_default_period(make_ctx):
    ctx = make_ctx("supervisor", reason="Nieuwe signalen")
    long_ago = TODAY - timedelta(days=10 * 365)
    asked = {"requester_id": REQUESTER_ID}  # reopening is four-eyes: someone else asked for it
    assert _case_codes("afgesloten", "reopen", CaseFacts(closed_on=long_ago, retention_until=TODAY, **asked),
                       ctx) == []
    expired = CaseFacts(closed_on=TODAY, retention_until=TODAY - timedelta(days=1), **asked)
    assert _case_codes("afgesloten", "reopen", expired, ctx) == ["within_retention"]
    assert _case_codes("afgesloten", "reopen", CaseFacts(**asked), ctx) == ["within_retention"]
    assert _case_codes("afgesloten", "reopen", CaseFacts(closed_on=TODAY), ctx) == ["needs_requester"]


def test_dismiss_refuses_a_result_other_than_geen_casus(make_ctx):
    ctx = make_ctx("procesregisseur", reason="Geen casus", result="doel_bereikt")
    assert _case_codes("signalering", "dismiss", CaseFacts(), ctx) == ["needs_outcome_geen_casus"]


def test_one_organisation_twice_is_not_two_partners(make_ctx):
    twice = (PARTNER_A, dataclasses.replace(PARTNER_A, role="casushouder"))
    facts = dataclasses.replace(PASSING[("case", "accept")][0], participations=twice)
    assert _case_codes("triage", "accept", facts, make_ctx("procesregisseur")) == ["needs_two_partners"]


def test_every_failing_guard_is_reported_in_check_order(make_ctx):
    codes = _case_codes("triage", "accept", CaseFacts(), make_ctx("partner"))
    assert codes == ["role_not_permitted", "needs_outcome_a", "needs_inclusion_criterion", "needs_two_partners"]
    codes = _case_codes("aanpak.plan", "close_early", CaseFacts(requester_id=1), make_ctx("procesregisseur"))
    assert codes == ["role_not_permitted", "four_eyes", "needs_reason", "needs_result"]
