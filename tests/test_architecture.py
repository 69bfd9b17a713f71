"""The house keeps its shape: the import contract in pyproject.toml ([tool.importlinter]) and no import cycles.

docs/ARCHITECTURE.md draws the layers these checks hold: workflow ← base ← domain models ← policy ← domain
services ← views and api ← the app factory and the CLI. A function-level import still counts as an import here, so a
cycle cannot hide inside a function.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("casus", "workflow", exclude_type_checking_imports=True)


def strongly_connected(graph) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other, directly or round about."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.find_modules_directly_imported_by(successor)))))
                    break
                if successor in on_stack:
                    low[module] = min(low[module], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[module])
                if low[module] == index[module]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == module:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return groups


def test_no_module_imports_itself_round_about(graph):
    assert strongly_connected(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    """The check above could pass by finding nothing at all; on a graph with a cycle it must name it."""
    made_up = grimp.ImportGraph()
    for importer, imported in (("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")):
        made_up.add_import(importer=importer, imported=imported)
    assert strongly_connected(made_up) == [["a", "b", "c"]]


def test_the_import_contract_holds():
    """import-linter's contracts in pyproject.toml: layers, framework-free workflow, no domain reaching into
    another domain's views or api."""
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")
