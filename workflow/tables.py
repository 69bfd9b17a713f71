"""The three transition tables, as data (docs/DESIGN.md §3.1–§3.3).

Each row says: which trigger, from which state(s), to which state, who may fire it, which guards must all
hold, whether the four-eyes rule applies, and which closure result the transition records. The machines in
``workflow.machine`` are built from these rows, and so are the Mermaid diagrams and the generated parts of
``docs/WORKFLOW.md``; change a rule here and everything else follows.

A source may name a parent state: ``aanpak`` stands for both ``aanpak.plan`` and ``aanpak.uitvoering``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflow import guards as g
from workflow.enums import CasePhase, ClosureResult, EscalationLevel, Role, VoordrachtState, is_english
from workflow.facts import plain
from workflow.guards import Guard

__all__ = ["CASE_TABLE", "ESCALATION_TABLE", "VOORDRACHT_TABLE", "TransitionSpec"]

PROCESREGISSEUR = Role.PROCESREGISSEUR.value
SUPERVISOR = Role.SUPERVISOR.value
RIEC = Role.RIEC.value


@dataclass(frozen=True)
class TransitionSpec:
    """One row of a transition table.

    Attributes:
        trigger: the trigger name, unique per machine (a trigger may have several rows for different sources).
        sources: states (or parent states) the trigger may fire from.
        dest: the state it leads to.
        roles: roles of which the actor must hold at least one.
        guards: conditions that must all hold.
        four_eyes: the actor decides on someone else's request: a requester must be recorded and differ from
            the actor.
        result: the closure result this transition always records (dismiss: geen_casus, refer: doorverwezen).
        result_from_context: the transition records the result the actor chose (``ctx.result``).
        label_nl, label_en: the button text for the UI.
    """

    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: tuple[str, ...]
    guards: tuple[Guard, ...] = ()
    four_eyes: bool = False
    result: str | None = None
    result_from_context: bool = False
    label_nl: str = ""
    label_en: str = ""

    def __post_init__(self) -> None:
        # Rows are written with enum members for readability; the machine works with plain strings.
        object.__setattr__(self, "sources", tuple(plain(source) for source in self.sources))
        object.__setattr__(self, "dest", plain(self.dest))
        object.__setattr__(self, "roles", tuple(plain(role) for role in self.roles))
        object.__setattr__(self, "result", plain(self.result))

    def label(self, locale: object = "nl") -> str:
        return self.label_en if is_english(locale) else self.label_nl

    @property
    def guard_codes(self) -> tuple[str, ...]:
        """Every code this row can fail with besides ``role_not_permitted``, in the order they are checked."""
        four_eyes = (g.NEEDS_REQUESTER.code, g.FOUR_EYES.code) if self.four_eyes else ()
        return four_eyes + tuple(guard.code for guard in self.guards)


def _row(
    trigger: str, sources: str | tuple[str, ...], dest: str, roles: tuple[str, ...], **kwargs: Any
) -> TransitionSpec:
    sources = (sources,) if isinstance(sources, str) else sources
    return TransitionSpec(trigger=trigger, sources=sources, dest=dest, roles=roles, **kwargs)


_P = CasePhase
# The rows are aligned by hand: one line per aspect reads like the table in docs/DESIGN.md §3.1.
# fmt: off
CASE_TABLE: tuple[TransitionSpec, ...] = (
    _row(
        "start_triage", _P.SIGNALERING, _P.TRIAGE, (PROCESREGISSEUR, SUPERVISOR),
        guards=(g.has_signal, g.has_procesregisseur),
        label_nl="Start triage", label_en="Start triage",
    ),
    _row(
        "dismiss", (_P.SIGNALERING, _P.TRIAGE), _P.AFGESLOTEN, (PROCESREGISSEUR, SUPERVISOR),
        guards=(g.has_reason, g.outcome_is_geen_casus),
        result=ClosureResult.GEEN_CASUS,
        label_nl="Afwijzen: geen casus", label_en="Dismiss: not a case",
    ),
    _row(
        "refer", _P.TRIAGE, _P.AFGESLOTEN, (PROCESREGISSEUR,),
        guards=(g.outcome_allows_referral, g.has_referral_organisation, g.has_reason),
        result=ClosureResult.DOORVERWEZEN,
        label_nl="Doorverwijzen", label_en="Refer",
    ),
    _row(
        "accept", _P.TRIAGE, _P.AANPAK_PLAN, (PROCESREGISSEUR,),
        guards=(g.outcome_is_a, g.has_inclusion_criterion, g.has_two_partners, g.partners_have_legal_basis),
        label_nl="Aannemen als casus", label_en="Accept as case",
    ),
    _row(
        "adopt_plan", _P.AANPAK_PLAN, _P.AANPAK_UITVOERING, (PROCESREGISSEUR,),
        guards=(g.has_goal, g.has_action, g.actions_have_owner, g.actions_have_due_date, g.plan_discussed),
        label_nl="Plan van aanpak vaststellen", label_en="Adopt the plan",
    ),
    _row(
        "step_down", _P.AANPAK_UITVOERING, _P.NAZORG, (PROCESREGISSEUR,),
        guards=(g.actions_finished, g.has_evaluation),
        label_nl="Afschalen naar nazorg", label_en="Step down to aftercare",
    ),
    _row(
        "relapse", _P.NAZORG, _P.AANPAK_UITVOERING, (PROCESREGISSEUR, SUPERVISOR),
        guards=(g.has_reason,),
        label_nl="Terugval: terug naar uitvoering", label_en="Relapse: back to execution",
    ),
    _row(
        "close", _P.NAZORG, _P.AFGESLOTEN, (PROCESREGISSEUR, SUPERVISOR),
        guards=(g.nazorg_period_over, g.has_result),
        result_from_context=True,
        label_nl="Afsluiten", label_en="Close",
    ),
    _row(
        "close_early", "aanpak", _P.AFGESLOTEN, (SUPERVISOR,),
        guards=(g.has_reason, g.has_result),
        four_eyes=True, result_from_context=True,
        label_nl="Voortijdig afsluiten (goedkeuren)", label_en="Close early (approve)",
    ),
    _row(
        "reopen", _P.AFGESLOTEN, _P.TRIAGE, (SUPERVISOR,),
        guards=(g.within_retention, g.has_reason),
        four_eyes=True,
        label_nl="Heropenen (goedkeuren)", label_en="Reopen (approve)",
    ),
)
# fmt: on

_E = EscalationLevel
_ESCALATE_GUARDS = (g.has_reason, g.has_decision_owner, g.has_decision_deadline, g.has_review_date)
# fmt: off
ESCALATION_TABLE: tuple[TransitionSpec, ...] = (
    _row(
        "escalate", _E.OPERATIONEEL, _E.TACTISCH, (PROCESREGISSEUR, SUPERVISOR),
        guards=_ESCALATE_GUARDS, label_nl="Opschalen", label_en="Escalate",
    ),
    _row(
        "escalate", _E.TACTISCH, _E.BESTUURLIJK, (PROCESREGISSEUR, SUPERVISOR),
        guards=_ESCALATE_GUARDS, label_nl="Opschalen", label_en="Escalate",
    ),
    _row(
        "deescalate", _E.TACTISCH, _E.OPERATIONEEL, (PROCESREGISSEUR, SUPERVISOR),
        guards=(g.has_decision,), label_nl="Afschalen", label_en="De-escalate",
    ),
    _row(
        "deescalate", _E.BESTUURLIJK, _E.TACTISCH, (PROCESREGISSEUR, SUPERVISOR),
        guards=(g.has_decision,), label_nl="Afschalen", label_en="De-escalate",
    ),
)
# fmt: on

_V = VoordrachtState
# fmt: off
VOORDRACHT_TABLE: tuple[TransitionSpec, ...] = (
    _row(
        "submit", _V.CONCEPT, _V.TER_BEOORDELING, (PROCESREGISSEUR, SUPERVISOR),
        guards=(g.has_summary, g.has_subject, g.has_legal_basis),
        label_nl="Ter beoordeling aanbieden", label_en="Submit for review",
    ),
    _row(
        "approve", _V.TER_BEOORDELING, _V.GOEDGEKEURD, (SUPERVISOR,),
        four_eyes=True, label_nl="Goedkeuren", label_en="Approve",
    ),
    _row(
        "reject", _V.TER_BEOORDELING, _V.AFGEWEZEN, (SUPERVISOR,),
        guards=(g.has_motivation,), four_eyes=True, label_nl="Afwijzen", label_en="Reject",
    ),
    _row(
        "revise", _V.AFGEWEZEN, _V.CONCEPT, (PROCESREGISSEUR,),
        label_nl="Herzien", label_en="Revise",
    ),
    _row(
        "send_to_riec", _V.GOEDGEKEURD, _V.INGEDIEND, (PROCESREGISSEUR, SUPERVISOR),
        label_nl="Indienen bij het RIEC", label_en="Send to the RIEC",
    ),
    _row(
        "accept", _V.INGEDIEND, _V.AANGENOMEN, (RIEC,),
        guards=(g.has_riec_reference,), label_nl="Aannemen als RIEC-casus", label_en="Accept as RIEC case",
    ),
    _row(
        "return_with_advice", _V.INGEDIEND, _V.TERUGGELEGD, (RIEC,),
        guards=(g.has_motivation,), label_nl="Terugleggen met advies", label_en="Return with advice",
    ),
)
# fmt: on
