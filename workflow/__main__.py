"""Command line: ``python -m workflow diagram [case|escalation|voordracht]`` and ``python -m workflow docs``.

* ``diagram`` prints the Mermaid state diagram of each machine (or of one) as Markdown, a heading and a
  fenced block per machine; ``--raw`` prints bare Mermaid, e.g. to pipe into ``mmdc``.
* ``docs`` regenerates the generated sections of ``docs/WORKFLOW.md`` in place; ``docs --check`` only reports
  drift and exits 1 when there is any (for CI).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from workflow.diagram import mermaid
from workflow.docs import DOC_PATH, drift, sync
from workflow.machine import MACHINES


def diagram_block(name: str, raw: bool = False) -> str:
    """One machine's diagram: as Markdown (heading and fenced block), or bare Mermaid when ``raw``."""
    machine = MACHINES[name]
    if raw:
        return mermaid(machine)
    heading = f"## {name}: {machine.title('nl')} / {machine.title('en')}"
    return f"{heading}\n\n```mermaid\n{mermaid(machine)}\n```"


def print_diagrams(names: Sequence[str], raw: bool = False) -> int:
    print("\n\n".join(diagram_block(name, raw) for name in names))
    return 0


def update_docs(path: Path, check: bool) -> int:
    text = path.read_text(encoding="utf-8")
    if check:
        problems = drift(text)
        for problem in problems:
            print(f"{path}: {problem}", file=sys.stderr)
        if problems:
            print("run `python -m workflow docs` to regenerate", file=sys.stderr)
        return 1 if problems else 0
    updated = sync(text)
    if updated != text:
        path.write_text(updated, encoding="utf-8")
        print(f"updated {path}")
    else:
        print(f"{path} is up to date")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflow", description="Casus workflow tools")
    commands = parser.add_subparsers(dest="command", required=True)
    diagram = commands.add_parser("diagram", help="print Mermaid state diagrams")
    diagram.add_argument("machine", nargs="?", choices=list(MACHINES), help="only this machine")
    diagram.add_argument("--raw", action="store_true", help="bare Mermaid, no headings or fences")
    docs = commands.add_parser("docs", help="regenerate the generated sections of docs/WORKFLOW.md")
    docs.add_argument("--check", action="store_true", help="report drift, change nothing, exit 1 on drift")
    docs.add_argument("--path", type=Path, default=DOC_PATH, help=f"document to update (default {DOC_PATH})")
    args = parser.parse_args(argv)
    if args.command == "diagram":
        return print_diagrams([args.machine] if args.machine else list(MACHINES), args.raw)
    return update_docs(args.path, args.check)


if __name__ == "__main__":
    sys.exit(main())
