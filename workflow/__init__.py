"""Casus workflow: the case phases, the escalation ladder and the RIEC-voordracht as data-driven machines.

A framework-free package (no Flask, no SQLAlchemy) shared by the web app, the HTTP API and the scheduler.
docs/DESIGN.md §3 is the specification; ``docs/WORKFLOW.md`` explains the process to a procesregisseur.

Layout:

* ``enums``     – the vocabulary as string enums with Dutch labels marked for the app's catalogue
  (``CasePhase``, ``Role``).
* ``facts``     – read-only views the guards judge (``CaseFacts``, ``VoordrachtFacts``, ...) and ``Context``.
* ``guards``    – pure predicates, each with a stable code and a Dutch and English message.
* ``tables``    – the three transition tables: trigger, sources, destination, roles, guards, four-eyes.
* ``machine``   – ``WorkflowMachine`` and the module-level ``CASE``, ``ESCALATION`` and ``VOORDRACHT``.
* ``cadences``  – docs/DESIGN.md §3.4 periods as configuration; ``workdays`` – werkdagen with Dutch holidays.
* ``diagram``/``docs``/``__main__`` – Mermaid diagrams and the generated parts of ``docs/WORKFLOW.md``.

Typical use in a service::

    facts = CaseFacts(signal_count=case.signal_count, procesregisseur_id=case.procesregisseur_id)
    ctx = Context(actor=Actor(user.id, frozenset(user.roles), user.organisation_id), reason=form.reason.data)
    try:
        record = CASE.fire(case, "start_triage", facts, ctx, attr="phase")
    except TransitionRefused as refused:
        ...  # record refused.record, show refused.messages(locale) or answer 409 with refused.codes
    else:
        ...  # record the history entry; the caller commits

The machine never commits, never reads the clock behind the caller's back (``ctx.now``) and never mutates
itself, so one instance per kind serves every thread.
"""

from workflow import workdays
from workflow.cadences import Cadences, add_months, add_years
from workflow.enums import (
    ActionStatus,
    CasePhase,
    ClosureResult,
    EscalationLevel,
    InclusionCriterion,
    LabelledEnum,
    ParticipationRole,
    Role,
    TriageOutcome,
    VoordrachtState,
)
from workflow.facts import (
    ActionFacts,
    Actor,
    CaseFacts,
    Context,
    EscalationFacts,
    Participation,
    VoordrachtFacts,
)
from workflow.guards import GUARDS, SYSTEM_FAILURES, Guard, GuardFailure
from workflow.machine import (
    CASE,
    ESCALATION,
    MACHINES,
    VOORDRACHT,
    TransitionRecord,
    TransitionRefused,
    TriggerOption,
    WorkflowMachine,
)
from workflow.tables import TransitionSpec

__all__ = [
    "CASE",
    "ESCALATION",
    "GUARDS",
    "MACHINES",
    "SYSTEM_FAILURES",
    "VOORDRACHT",
    "ActionFacts",
    "ActionStatus",
    "Actor",
    "Cadences",
    "CaseFacts",
    "CasePhase",
    "ClosureResult",
    "Context",
    "EscalationFacts",
    "EscalationLevel",
    "Guard",
    "GuardFailure",
    "InclusionCriterion",
    "LabelledEnum",
    "Participation",
    "ParticipationRole",
    "Role",
    "TransitionRecord",
    "TransitionRefused",
    "TransitionSpec",
    "TriageOutcome",
    "TriggerOption",
    "VoordrachtFacts",
    "VoordrachtState",
    "WorkflowMachine",
    "add_months",
    "add_years",
    "workdays",
]
