"""Guards: pure predicates over (facts, context), each with a stable code and a Dutch and English message.

A guard never changes anything and never reads a clock or a database: everything it needs is in the facts or
the context (``ctx.today``, ``ctx.cadences``). Codes are part of the public contract — the HTTP API returns
them in a 409 and the UI maps them to messages — so never rename one; add a new guard instead.

Besides the guards in the transition tables, this module defines the failures the machine itself reports:
unknown state or trigger, a trigger not allowed from the current state, a role that may not fire it, and the
four-eyes rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workflow.enums import (
    FINISHED_ACTION_STATUSES,
    REFERRAL_OUTCOMES,
    ActionStatus,
    ClosureResult,
    InclusionCriterion,
    Role,
    TriageOutcome,
    is_english,
)
from workflow.facts import CaseFacts, Context, VoordrachtFacts

__all__ = ["GUARDS", "SYSTEM_FAILURES", "Guard", "GuardFailure"]

MIN_PARTNERS_FOR_CASUSOVERLEG = 2


@dataclass(frozen=True)
class GuardFailure:
    """Why a trigger may not fire: a stable code and a message in Dutch and English."""

    code: str
    message_nl: str
    message_en: str

    def message(self, locale: object = "nl") -> str:
        return self.message_en if is_english(locale) else self.message_nl


@dataclass(frozen=True)
class Guard:
    """A named predicate; ``passes(facts, ctx)`` is True when the condition holds."""

    code: str
    message_nl: str
    message_en: str
    predicate: Callable[[Any, Context], bool]

    def passes(self, facts: Any, ctx: Context) -> bool:
        return bool(self.predicate(facts, ctx))

    @property
    def failure(self) -> GuardFailure:
        return GuardFailure(self.code, self.message_nl, self.message_en)


GUARDS: dict[str, Guard] = {}


def guard(code: str, nl: str, en: str) -> Callable[[Callable[[Any, Context], bool]], Guard]:
    """Register ``predicate`` as the guard ``code``; codes are unique across all machines."""

    def register(predicate: Callable[[Any, Context], bool]) -> Guard:
        if code in GUARDS:
            raise ValueError(f"duplicate guard code {code!r}")
        GUARDS[code] = Guard(code, nl, en, predicate)
        return GUARDS[code]

    return register


def _given(text: str | None) -> bool:
    # Whitespace is not a reason; forms submit "" for an empty field.
    return bool(text and text.strip())


# --- shared ------------------------------------------------------------------------------------------------


@guard("needs_reason", "Geef een reden op.", "Give a reason.")
def has_reason(_facts: object, ctx: Context) -> bool:
    return _given(ctx.reason)


@guard("needs_result", "Kies het resultaat van de afsluiting.", "Choose the result of the closure.")
def has_result(_facts: object, ctx: Context) -> bool:
    return ctx.result in ClosureResult.values()


@guard("needs_motivation", "Geef een motivering.", "Give a motivation.")
def has_motivation(_facts: object, ctx: Context) -> bool:
    return _given(ctx.motivation)


# --- case phases -------------------------------------------------------------------------------------------


@guard("needs_signal", "De casus heeft nog geen signaal.", "The case has no signal yet.")
def has_signal(case: CaseFacts, _ctx: Context) -> bool:
    return case.signal_count >= 1


@guard("needs_procesregisseur", "Wijs eerst een procesregisseur toe.", "Assign a procesregisseur first.")
def has_procesregisseur(case: CaseFacts, _ctx: Context) -> bool:
    return case.procesregisseur_id is not None


@guard(
    "needs_outcome_geen_casus",
    "Afwijzen kan alleen met de uitkomst 'geen casus'.",
    "Dismissing requires the outcome 'geen casus' (not a case).",
)
def outcome_is_geen_casus(case: CaseFacts, ctx: Context) -> bool:
    # Nothing recorded yet is fine (dismissal records geen_casus); any other outcome contradicts a dismissal.
    acceptable = (None, TriageOutcome.GEEN_CASUS.value)
    return case.triage_outcome in acceptable and ctx.result in acceptable


@guard(
    "needs_referral_outcome",
    "Doorverwijzen kan alleen bij triage-uitkomst B, C of advies.",
    "Referral requires triage outcome B, C or advies.",
)
def outcome_allows_referral(case: CaseFacts, _ctx: Context) -> bool:
    return case.triage_outcome in REFERRAL_OUTCOMES


@guard(
    "needs_referral_organisation",
    "Kies de organisatie waarnaar wordt doorverwezen.",
    "Choose the organisation the case is referred to.",
)
def has_referral_organisation(case: CaseFacts, _ctx: Context) -> bool:
    return case.referral_organisation_id is not None


@guard(
    "needs_outcome_a",
    "Aannemen vraagt triage-uitkomst A (casusoverleg).",
    "Accepting requires triage outcome A (case meeting).",
)
def outcome_is_a(case: CaseFacts, _ctx: Context) -> bool:
    return case.triage_outcome == TriageOutcome.A.value


@guard(
    "needs_inclusion_criterion",
    "Leg vast aan welk inclusiecriterium de casus voldoet.",
    "Record which inclusion criterion the case meets.",
)
def has_inclusion_criterion(case: CaseFacts, _ctx: Context) -> bool:
    return bool(case.inclusion_criteria & set(InclusionCriterion.values()))


@guard(
    "needs_two_partners",
    "Er moeten minstens twee organisaties actief deelnemen.",
    "At least two organisations must take part.",
)
def has_two_partners(case: CaseFacts, _ctx: Context) -> bool:
    organisations = {p.organisation_id for p in case.active_participations}
    return len(organisations) >= MIN_PARTNERS_FOR_CASUSOVERLEG


@guard(
    "partners_need_legal_basis",
    "Elke deelnemende organisatie heeft een grondslag nodig (convenant of geheimhoudingsverklaring).",
    "Every participating organisation needs a legal basis (covenant or confidentiality agreement).",
)
def partners_have_legal_basis(case: CaseFacts, _ctx: Context) -> bool:
    return all(p.has_legal_basis for p in case.active_participations)


@guard("needs_goal", "Het plan van aanpak heeft minstens één doel nodig.", "The plan needs at least one goal.")
def has_goal(case: CaseFacts, _ctx: Context) -> bool:
    return case.goal_count >= 1


def _live_actions(case: CaseFacts) -> list:
    # A cancelled action no longer binds anyone, so it needs neither owner nor due date.
    return [a for a in case.actions if a.status != ActionStatus.VERVALLEN.value]


@guard(
    "needs_action",
    "Het plan van aanpak heeft minstens één actie nodig.",
    "The plan needs at least one action.",
)
def has_action(case: CaseFacts, _ctx: Context) -> bool:
    return bool(_live_actions(case))


@guard(
    "actions_need_owner",
    "Elke actie heeft een eigenaar (organisatie) nodig.",
    "Every action needs an owning organisation.",
)
def actions_have_owner(case: CaseFacts, _ctx: Context) -> bool:
    return all(a.owner_organisation_id is not None for a in _live_actions(case))


@guard("actions_need_due_date", "Elke actie heeft een uiterste datum nodig.", "Every action needs a due date.")
def actions_have_due_date(case: CaseFacts, _ctx: Context) -> bool:
    return all(a.due_date is not None for a in _live_actions(case))


@guard(
    "needs_plan_discussed",
    "Het plan moet eerst in een casusoverleg besproken zijn.",
    "The plan must first be discussed in a case meeting.",
)
def plan_discussed(case: CaseFacts, _ctx: Context) -> bool:
    return case.plan_discussed_in_meeting


@guard(
    "actions_must_be_finished",
    "Alle acties moeten gereed of vervallen zijn.",
    "Every action must be done or cancelled.",
)
def actions_finished(case: CaseFacts, _ctx: Context) -> bool:
    return all(a.status in FINISHED_ACTION_STATUSES for a in case.actions)


@guard("needs_evaluation", "Schrijf eerst de evaluatie.", "Write the evaluation first.")
def has_evaluation(case: CaseFacts, _ctx: Context) -> bool:
    return _given(case.evaluation)


@guard(
    "nazorg_period_over",
    "De nazorgperiode loopt nog; alleen een supervisor kan eerder afsluiten (override).",
    "The aftercare period has not ended yet; only a supervisor can override it.",
)
def nazorg_period_over(case: CaseFacts, ctx: Context) -> bool:
    if ctx.override and ctx.actor.has_role(Role.SUPERVISOR):
        return True
    if case.nazorg_started_on is None:
        return False
    return ctx.cadences.nazorg_ends(case.nazorg_started_on) <= ctx.today


@guard(
    "within_retention",
    "De bewaartermijn is verstreken; de casus kan niet meer worden heropend.",
    "The retention period has ended; the case can no longer be reopened.",
)
def within_retention(case: CaseFacts, ctx: Context) -> bool:
    retention_end = case.retention_until
    if retention_end is None and case.closed_on is not None:
        retention_end = ctx.cadences.retention_ends(case.closed_on)
    return retention_end is not None and ctx.today <= retention_end


# --- escalation ladder -------------------------------------------------------------------------------------


@guard(
    "needs_decision_owner",
    "Leg vast wie op het nieuwe niveau beslist.",
    "Record who decides at the new level.",
)
def has_decision_owner(_facts: object, ctx: Context) -> bool:
    return _given(ctx.decision_owner)


@guard(
    "needs_decision_deadline",
    "Geef een beslistermijn op die niet in het verleden ligt.",
    "Give a decision deadline that is not in the past.",
)
def has_decision_deadline(_facts: object, ctx: Context) -> bool:
    return ctx.decision_deadline is not None and ctx.decision_deadline >= ctx.today


@guard(
    "needs_review_date",
    "Geef een datum op om afschalen te heroverwegen, niet in het verleden.",
    "Give a date, not in the past, to review de-escalation.",
)
def has_review_date(_facts: object, ctx: Context) -> bool:
    return ctx.review_on is not None and ctx.review_on >= ctx.today


@guard("needs_decision", "Leg het genomen besluit vast.", "Record the decision taken.")
def has_decision(_facts: object, ctx: Context) -> bool:
    return _given(ctx.decision)


# --- RIEC-voordracht ---------------------------------------------------------------------------------------


@guard("needs_summary", "Schrijf de samenvatting voor het RIEC.", "Write the summary for the RIEC.")
def has_summary(voordracht: VoordrachtFacts, _ctx: Context) -> bool:
    return _given(voordracht.summary)


@guard("needs_subject", "Koppel minstens één betrokkene.", "Link at least one subject.")
def has_subject(voordracht: VoordrachtFacts, _ctx: Context) -> bool:
    return voordracht.subject_count >= 1


@guard(
    "needs_legal_basis",
    "Leg de grondslag vast voor het delen met het RIEC.",
    "Record the legal basis for sharing with the RIEC.",
)
def has_legal_basis(voordracht: VoordrachtFacts, _ctx: Context) -> bool:
    return _given(voordracht.legal_basis)


@guard("needs_riec_reference", "Vul het RIEC-casusnummer in.", "Enter the RIEC case reference.")
def has_riec_reference(voordracht: VoordrachtFacts, _ctx: Context) -> bool:
    return _given(voordracht.riec_reference)


# --- failures reported by the machine itself ---------------------------------------------------------------

UNKNOWN_STATE = GuardFailure(
    "unknown_state",
    "De huidige status is onbekend in dit proces.",
    "The current state is unknown to this process.",
)
INVALID_TRIGGER = GuardFailure("invalid_trigger", "Deze stap bestaat niet.", "This step does not exist.")
NOT_ALLOWED_FROM_STATE = GuardFailure(
    "not_allowed_from_state",
    "Deze stap kan niet vanuit de huidige status.",
    "This step is not possible from the current state.",
)
ROLE_NOT_PERMITTED = GuardFailure(
    "role_not_permitted", "Uw rol mag deze stap niet zetten.", "Your role may not take this step."
)
NEEDS_REQUESTER = GuardFailure(
    "needs_requester",
    "Er is geen aanvrager vastgelegd; een vier-ogenbesluit is zo niet mogelijk.",
    "No requester is recorded, so a four-eyes decision is not possible.",
)
FOUR_EYES = GuardFailure(
    "four_eyes",
    "Vier ogen: de aanvrager mag het eigen verzoek niet beoordelen.",
    "Four eyes: the requester may not decide on their own request.",
)

SYSTEM_FAILURES: dict[str, GuardFailure] = {
    failure.code: failure
    for failure in (
        UNKNOWN_STATE,
        INVALID_TRIGGER,
        NOT_ALLOWED_FROM_STATE,
        ROLE_NOT_PERMITTED,
        NEEDS_REQUESTER,
        FOUR_EYES,
    )
}
