"""Fixtures for the workflow tests: contexts at a fixed clock and facts under which a trigger may fire."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# tests/conftest.py lives outside a package, so pytest puts tests/ on sys.path, where the folder
# tests/workflow would shadow the real ``workflow`` package as a namespace package. The project root goes
# first, and any shadow already imported is dropped.
PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
if sys.path[:1] != [PROJECT_ROOT]:
    sys.path.insert(0, PROJECT_ROOT)
if getattr(sys.modules.get("workflow"), "__file__", "") is None:
    del sys.modules["workflow"]

from workflow import Actor, Context  # noqa: E402

from workflow_design import NOW, PASSING  # noqa: E402 - both need the path fix above


@pytest.fixture
def make_ctx() -> Callable[..., Context]:
    """``make_ctx("supervisor", actor_id=1, reason="...")`` -> a Context at NOW."""

    def make(*roles: str, actor_id: int = 1, **kwargs) -> Context:
        return Context(actor=Actor(actor_id, frozenset(roles), organisation_id=1), now=NOW, **kwargs)

    return make


@pytest.fixture
def passing(make_ctx) -> Callable[..., tuple]:
    """``passing("case", "accept", "procesregisseur")`` -> (facts, ctx) under which every guard holds."""

    def make(machine: str, trigger: str, *roles: str, actor_id: int = 1, **overrides) -> tuple:
        facts, ctx_kwargs = PASSING[(machine, trigger)]
        return facts, make_ctx(*roles, actor_id=actor_id, **{**ctx_kwargs, **overrides})

    return make
