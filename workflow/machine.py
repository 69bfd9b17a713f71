"""The workflow machines: one module-level instance per kind, shared by every case in every thread.

Each ``WorkflowMachine`` hands its states and transition table to the ``transitions`` library, which
validates them and resolves the hierarchy (``aanpak`` is the parent of ``aanpak.plan`` and
``aanpak.uitvoering``, so a row from ``aanpak`` applies to both). From the library's resolved events the
machine derives an immutable routing table ``(state, trigger) -> (row, destination)`` once, at import time.

After that nothing is ever mutated: ``check``, ``available`` and ``fire`` read the routing table and evaluate
pure guards, so concurrent requests need no lock, and no model is ever attached to the shared library machine.
The only write is ``fire``'s final ``setattr`` on the caller's own object, and only when every check passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NamedTuple

from transitions import Machine
from transitions.extensions.nesting import HierarchicalMachine, NestedState

from workflow import guards as g
from workflow.enums import CasePhase, EscalationLevel, LabelledEnum, VoordrachtState, is_english
from workflow.facts import CaseFacts, Context, EscalationFacts, Id, VoordrachtFacts, plain
from workflow.guards import GuardFailure
from workflow.tables import CASE_TABLE, ESCALATION_TABLE, VOORDRACHT_TABLE, TransitionSpec

__all__ = [
    "CASE",
    "ESCALATION",
    "MACHINES",
    "VOORDRACHT",
    "TransitionRecord",
    "TransitionRefused",
    "TriggerOption",
    "WorkflowMachine",
]

SEPARATOR = "."


class DottedState(NestedState):
    """Nested state named ``parent.child``; a subclass, so the library's global separator stays untouched."""

    separator = SEPARATOR


class DottedMachine(HierarchicalMachine):
    state_cls = DottedState


@dataclass(frozen=True)
class TransitionRecord:
    """One entry of the history (tijdlijn): what was attempted, by whom, when, and how it ended.

    ``fire`` returns one when the transition happened; a ``TransitionRefused`` carries one whose ``refused``
    lists the failing codes (and whose ``to_state`` is where the trigger would have led, if anywhere), so the
    app records allowed and refused attempts alike.
    """

    machine: str
    trigger: str
    from_state: str | None
    to_state: str | None
    actor_id: Id
    reason: str | None
    at: datetime
    result: str | None = None
    override: bool = False
    details: Mapping[str, str] = field(default_factory=dict)
    refused: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.refused

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes as ISO 8601 strings."""
        return {
            "machine": self.machine,
            "trigger": self.trigger,
            "from_state": self.from_state,
            "to_state": self.to_state,
            "actor_id": self.actor_id,
            "reason": self.reason,
            "at": self.at.isoformat(),
            "result": self.result,
            "override": self.override,
            "details": dict(self.details),
            "refused": list(self.refused),
        }


class TransitionRefused(Exception):
    """A trigger was refused; the object is untouched. ``failures`` lists every reason, not just the first."""

    def __init__(self, record: TransitionRecord, failures: tuple[GuardFailure, ...]) -> None:
        self.record = record
        self.machine = record.machine
        self.trigger = record.trigger
        self.from_state = record.from_state
        self.to_state = record.to_state
        self.failures = failures
        super().__init__(f"{self.machine}: {self.trigger!r} refused from {self.from_state!r}: {', '.join(self.codes)}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(failure.code for failure in self.failures)

    def messages(self, locale: object = "nl") -> list[str]:
        return [failure.message(locale) for failure in self.failures]


@dataclass(frozen=True)
class TriggerOption:
    """A trigger valid from the current state: where it leads, and whether this actor may fire it now."""

    trigger: str
    to_state: str
    allowed: bool
    failures: tuple[GuardFailure, ...]
    label_nl: str = ""
    label_en: str = ""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(failure.code for failure in self.failures)

    def label(self, locale: object = "nl") -> str:
        return self.label_en if is_english(locale) else self.label_nl


class Route(NamedTuple):
    spec: TransitionSpec
    dest: str


def state_tree(states: tuple[str, ...]) -> list[str | dict[str, Any]]:
    """The library's state declaration for dotted names: ``aanpak.plan`` becomes a child of ``aanpak``.

    The first child listed is the parent's initial state.
    """
    tree: list[str | dict[str, Any]] = []
    parents: dict[str, dict[str, Any]] = {}
    for state in states:
        parent, _, child = state.rpartition(SEPARATOR)
        if not parent:
            tree.append(state)
        elif parent in parents:
            parents[parent]["children"].append(child)
        else:
            parents[parent] = {"name": parent, "children": [child], "initial": child}
            tree.append(parents[parent])
    return tree


def _build_engine(states: tuple[str, ...], initial: str, table: tuple[TransitionSpec, ...]) -> Machine:
    engine_class = DottedMachine if any(SEPARATOR in state for state in states) else Machine
    return engine_class(
        model=None,
        states=state_tree(states),
        initial=initial,
        transitions=[{"trigger": s.trigger, "source": list(s.sources), "dest": s.dest} for s in table],
        auto_transitions=False,
    )


def _engine_state_names(engine: Machine) -> set[str]:
    if isinstance(engine, HierarchicalMachine):
        return set(engine.get_nested_state_names())
    return set(engine.states)


def _ancestry(state: str) -> list[str]:
    """``aanpak.plan`` -> ``["aanpak.plan", "aanpak"]``: where a nested state looks for a transition."""
    parts = state.split(SEPARATOR)
    return [SEPARATOR.join(parts[:depth]) for depth in range(len(parts), 0, -1)]


def _resolve_dest(engine: Machine, dest: str) -> str:
    # Entering a parent state means entering its initial child, as the library itself would.
    while isinstance(engine, HierarchicalMachine) and engine.get_state(dest).initial:
        dest = f"{dest}{SEPARATOR}{engine.get_state(dest).initial}"
    return dest


def _build_routes(engine: Machine, states: tuple[str, ...], table: tuple[TransitionSpec, ...]) -> dict:
    rows = {(spec.trigger, source): spec for spec in table for source in spec.sources}
    if len(rows) != sum(len(spec.sources) for spec in table):
        raise ValueError("two rows share a (trigger, source): the machine would be ambiguous")
    routes: dict[tuple[str, str], Route] = {}
    for state in states:
        for trigger, event in engine.events.items():
            source = next((s for s in _ancestry(state) if event.transitions.get(s)), None)
            if source is not None:
                dest = _resolve_dest(engine, event.transitions[source][0].dest)
                routes[(state, trigger)] = Route(rows[(trigger, source)], dest)
    return routes


class WorkflowMachine:
    """A process declared as a states enum plus a transition table; see the module docstring."""

    def __init__(
        self,
        name: str,
        state_enum: type[LabelledEnum],
        table: tuple[TransitionSpec, ...],
        facts_type: type,
        title_nl: str,
        title_en: str,
    ) -> None:
        self.name = name
        self.state_enum = state_enum
        self.states: tuple[str, ...] = state_enum.values()
        self.initial: str = self.states[0]
        self.transitions: tuple[TransitionSpec, ...] = tuple(table)
        self.triggers: tuple[str, ...] = tuple(dict.fromkeys(spec.trigger for spec in table))
        self.facts_type = facts_type
        self.title_nl = title_nl
        self.title_en = title_en
        self.engine = _build_engine(self.states, self.initial, self.transitions)
        self._validate_table()
        self._routes: Mapping[tuple[str, str], Route] = MappingProxyType(
            _build_routes(self.engine, self.states, self.transitions)
        )

    def __repr__(self) -> str:
        return f"<WorkflowMachine {self.name}: {len(self.states)} states, {len(self.triggers)} triggers>"

    def _validate_table(self) -> None:
        known = _engine_state_names(self.engine)
        for spec in self.transitions:
            unknown = [state for state in (*spec.sources, spec.dest) if state not in known]
            if unknown:
                raise ValueError(f"{self.name}.{spec.trigger}: unknown state(s) {unknown}")
            if not spec.roles:
                raise ValueError(f"{self.name}.{spec.trigger}: no role may fire it")

    # --- queries -----------------------------------------------------------------------------------------

    def title(self, locale: object = "nl") -> str:
        return self.title_en if is_english(locale) else self.title_nl

    def state_label(self, state: str) -> str:
        """The state's Dutch label, as the timeline records it (the app shows it translated: casus.labels)."""
        return self.state_enum(plain(state)).label_nl

    @property
    def parents(self) -> dict[str, tuple[str, ...]]:
        """Parent states and their children, e.g. ``{"aanpak": ("aanpak.plan", "aanpak.uitvoering")}``."""
        grouped: dict[str, tuple[str, ...]] = {}
        for state in self.states:
            parent = state.rpartition(SEPARATOR)[0]
            if parent:
                grouped[parent] = (*grouped.get(parent, ()), state)
        return grouped

    def spec(self, state: str, trigger: str) -> TransitionSpec | None:
        """The table row that applies to ``trigger`` from ``state``, or None."""
        route = self._routes.get((plain(state), trigger))
        return route.spec if route else None

    def target(self, state: str, trigger: str) -> str | None:
        """Where ``trigger`` leads from ``state``, or None when it cannot fire from there."""
        route = self._routes.get((plain(state), trigger))
        return route.dest if route else None

    def sources(self, trigger: str) -> tuple[str, ...]:
        """The (leaf) states ``trigger`` can fire from."""
        return tuple(state for state in self.states if (state, trigger) in self._routes)

    def check(self, state: str, trigger: str, facts: Any, ctx: Context) -> tuple[GuardFailure, ...]:
        """Every reason ``trigger`` may not fire from ``state`` now; empty when it may."""
        state = plain(state)
        if state not in self.states:
            return (g.UNKNOWN_STATE,)
        if trigger not in self.triggers:
            return (g.INVALID_TRIGGER,)
        route = self._routes.get((state, trigger))
        if route is None:
            return (g.NOT_ALLOWED_FROM_STATE,)
        return self._failures(route.spec, facts, ctx)

    def available(self, state: str, facts: Any, ctx: Context) -> list[TriggerOption]:
        """Every trigger valid from ``state``, in table order, with whether ``ctx.actor`` may fire it now."""
        state = plain(state)
        options = []
        for trigger in self.triggers:
            route = self._routes.get((state, trigger))
            if route is not None:
                failures = self._failures(route.spec, facts, ctx)
                spec = route.spec
                options.append(TriggerOption(trigger, route.dest, not failures, failures, spec.label_nl, spec.label_en))
        return options

    def _failures(self, spec: TransitionSpec, facts: Any, ctx: Context) -> tuple[GuardFailure, ...]:
        if not isinstance(facts, self.facts_type):
            # Passing case facts to the voordracht machine is a programming error, not a refusal.
            expected, got = self.facts_type.__name__, type(facts).__name__
            raise TypeError(f"the {self.name} machine needs {expected}, got {got}")
        failures: list[GuardFailure] = []
        if not ctx.actor.has_role(*spec.roles):
            failures.append(g.ROLE_NOT_PERMITTED)
        if spec.four_eyes:
            failures.extend(_four_eyes_failures(facts, ctx))
        failures.extend(guard.failure for guard in spec.guards if not guard.passes(facts, ctx))
        return tuple(failures)

    # --- the one command ---------------------------------------------------------------------------------

    def fire(self, obj: Any, trigger: str, facts: Any, ctx: Context, attr: str = "state") -> TransitionRecord:
        """Move ``obj`` along ``trigger`` if every check holds, and return the history entry to record.

        Raises ``TransitionRefused`` (listing every failing code) and leaves ``obj`` untouched otherwise.
        """
        from_state = plain(getattr(obj, attr))
        failures = self.check(from_state, trigger, facts, ctx)
        record = self._record(from_state, trigger, ctx, failures)
        if failures:
            raise TransitionRefused(record, failures)
        setattr(obj, attr, record.to_state)
        return record

    def _record(
        self, from_state: Any, trigger: str, ctx: Context, failures: tuple[GuardFailure, ...]
    ) -> TransitionRecord:
        route = self._routes.get((from_state, trigger)) if isinstance(from_state, str) else None
        return TransitionRecord(
            machine=self.name,
            trigger=trigger,
            from_state=from_state,
            to_state=route.dest if route else None,
            actor_id=ctx.actor.id,
            reason=ctx.reason,
            at=ctx.now,
            result=_recorded_result(route.spec, ctx) if route else None,
            override=ctx.override,
            details=MappingProxyType(_details(ctx)),
            refused=tuple(failure.code for failure in failures),
        )


def _four_eyes_failures(facts: Any, ctx: Context) -> list[GuardFailure]:
    requester_id = getattr(facts, "requester_id", None)
    if requester_id is None:
        return [g.NEEDS_REQUESTER]
    if requester_id == ctx.actor.id:
        return [g.FOUR_EYES]
    return []


def _recorded_result(spec: TransitionSpec, ctx: Context) -> str | None:
    return ctx.result if spec.result_from_context else spec.result


def _details(ctx: Context) -> dict[str, str]:
    """The optional inputs the actor supplied, as strings, for the history entry."""
    values = {
        "motivation": ctx.motivation,
        "decision_owner": ctx.decision_owner,
        "decision_deadline": ctx.decision_deadline,
        "review_on": ctx.review_on,
        "decision": ctx.decision,
    }
    return {
        key: value.isoformat() if isinstance(value, date) else str(value)
        for key, value in values.items()
        if value not in (None, "")
    }


CASE = WorkflowMachine("case", CasePhase, CASE_TABLE, CaseFacts, "Fasen van een casus", "Case phases")
ESCALATION = WorkflowMachine(
    "escalation", EscalationLevel, ESCALATION_TABLE, EscalationFacts, "Escalatieladder", "Escalation ladder"
)
VOORDRACHT = WorkflowMachine(
    "voordracht", VoordrachtState, VOORDRACHT_TABLE, VoordrachtFacts, "RIEC-voordracht", "RIEC referral"
)
MACHINES: Mapping[str, WorkflowMachine] = MappingProxyType(
    {machine.name: machine for machine in (CASE, ESCALATION, VOORDRACHT)}
)
