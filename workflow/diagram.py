"""Render the machines from their tables: Mermaid state diagrams and Markdown transition tables.

Everything here is derived from ``WorkflowMachine.transitions``, so the diagrams and the generated parts of
``docs/WORKFLOW.md`` cannot tell a different story than the code.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING

from workflow.cadences import Cadences
from workflow.guards import GUARDS, SYSTEM_FAILURES

if TYPE_CHECKING:
    from workflow.machine import WorkflowMachine
    from workflow.tables import TransitionSpec

__all__ = ["cadence_table", "guard_table", "mermaid", "transition_table"]

INDENT = "    "


def _node(state: str) -> str:
    # Mermaid ids may not contain dots; the dotted name stays visible as the label inside its parent.
    return state.replace(".", "_")


def _parent(state: str) -> str:
    return state.rpartition(".")[0]


def _terminal_states(machine: WorkflowMachine) -> list[str]:
    return [s for s in machine.states if not any(machine.target(s, t) for t in machine.triggers)]


def _inside_one_parent(source: str, dest: str) -> bool:
    return bool(_parent(source)) and _parent(source) == _parent(dest)


def _edges(machine: WorkflowMachine) -> list[tuple[str, str, str]]:
    return [(source, spec.dest, spec.trigger) for spec in machine.transitions for source in spec.sources]


def _edge_line(source: str, dest: str, trigger: str, depth: int = 1) -> str:
    return f"{INDENT * depth}{_node(source)} --> {_node(dest)} : {trigger}"


def _composite(machine: WorkflowMachine, parent: str, children: tuple[str, ...]) -> list[str]:
    lines = [f"{INDENT}state {_node(parent)} {{"]
    lines += [f'{INDENT * 2}state "{child.rpartition(".")[2]}" as {_node(child)}' for child in children]
    lines.append(f"{INDENT * 2}[*] --> {_node(children[0])}")
    # Edges that stay inside the parent are drawn inside it, so Mermaid keeps them in the box.
    lines += [
        _edge_line(s, d, t, 2) for s, d, t in _edges(machine) if _inside_one_parent(s, d) and _parent(s) == parent
    ]
    lines.append(f"{INDENT}}}")
    return lines


def mermaid(machine: WorkflowMachine) -> str:
    """A Mermaid ``stateDiagram-v2``: parents as composite states, one arrow per (source, trigger)."""
    lines = ["stateDiagram-v2", f"{INDENT}[*] --> {_node(machine.initial)}"]
    for parent, children in machine.parents.items():
        lines += _composite(machine, parent, children)
    lines += [_edge_line(s, d, t) for s, d, t in _edges(machine) if not _inside_one_parent(s, d)]
    lines += [f"{INDENT}{_node(state)} --> [*]" for state in _terminal_states(machine)]
    return "\n".join(lines)


def _sources_cell(machine: WorkflowMachine, spec: TransitionSpec) -> str:
    names = [f"`{s}.*`" if s in machine.parents else f"`{s}`" for s in spec.sources]
    return ", ".join(names)


def _codes_cell(codes: tuple[str, ...]) -> str:
    return ", ".join(f"`{code}`" for code in codes) or "—"


def transition_table(machine: WorkflowMachine) -> str:
    """Markdown: one row per table row — trigger, from, to, roles, guard codes (checked in this order)."""
    lines = [
        "| trigger | van / from | naar / to | rollen / roles | guards |",
        "|---|---|---|---|---|",
    ]
    for spec in machine.transitions:
        roles = ", ".join(f"`{role}`" for role in spec.roles)
        lines.append(
            f"| `{spec.trigger}` | {_sources_cell(machine, spec)} | `{spec.dest}` | {roles} "
            f"| {_codes_cell(spec.guard_codes)} |"
        )
    return "\n".join(lines)


def guard_table() -> str:
    """Markdown: every guard and machine failure code with its Dutch and English message."""
    lines = ["| code | Nederlands | English |", "|---|---|---|"]
    for failure in [guard.failure for guard in GUARDS.values()] + list(SYSTEM_FAILURES.values()):
        lines.append(f"| `{failure.code}` | {failure.message_nl} | {failure.message_en} |")
    return "\n".join(lines)


def cadence_table(cadences: Cadences | None = None) -> str:
    """Markdown: each configurable period and its default value."""
    cadences = cadences or Cadences()
    lines = ["| instelling / setting | standaard / default |", "|---|---|"]
    for item in fields(cadences):
        value = getattr(cadences, item.name)
        shown = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
        lines.append(f"| `{item.name}` | {shown} |")
    return "\n".join(lines)
