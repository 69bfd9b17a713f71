"""The package stays framework-free, leaves the library's globals alone and marks its vocabulary's labels."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import workflow
from workflow import (
    ActionStatus,
    CasePhase,
    ClosureResult,
    EscalationLevel,
    InclusionCriterion,
    ParticipationRole,
    Role,
    TriageOutcome,
    VoordrachtState,
)
from workflow.enums import N_, NC_, Label, LabelledEnum

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENUMS = [
    ActionStatus,
    CasePhase,
    ClosureResult,
    EscalationLevel,
    InclusionCriterion,
    ParticipationRole,
    Role,
    TriageOutcome,
    VoordrachtState,
]


def test_importing_workflow_imports_neither_flask_nor_sqlalchemy():
    probe = (
        "import sys, workflow, workflow.docs, workflow.__main__\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'flask', 'sqlalchemy', 'flask_sqlalchemy'})\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_library_separator_is_untouched():
    from transitions.extensions.nesting import NestedState

    assert NestedState.separator == "_"


def test_public_api_is_exported():
    for name in workflow.__all__:
        assert hasattr(workflow, name), name


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_member_has_a_dutch_label_marked_for_the_catalogue(enum):
    for member in enum:
        assert isinstance(member.label_nl, Label) and member.label_nl.strip(), member
        assert isinstance(member, str) and member == member.value


def test_a_label_not_marked_for_the_catalogue_is_refused():
    with pytest.raises(TypeError, match="N_"):
        LabelledEnum("Unmarked", [("X", ("x", "Niet gemarkeerd"))])


def test_a_label_with_a_context_keeps_it():
    assert ActionStatus.OPEN.label_nl == "Open" and ActionStatus.OPEN.label_nl.context == "action status"
    assert N_("Open").context is None and NC_("ctx", "Open").context == "ctx"


def test_enum_values_are_the_domain_terms():
    assert CasePhase.values() == (
        "signalering", "triage", "aanpak.plan", "aanpak.uitvoering", "nazorg", "afgesloten",
    )  # fmt: skip
    assert Role.values() == ("procesregisseur", "partner", "supervisor", "riec", "privacy", "beheerder")
    assert TriageOutcome.values() == ("A", "B", "C", "advies", "geen_casus")
    assert ClosureResult.values() == (
        "doel_bereikt", "overgedragen_regulier", "verhuisd", "overleden", "zonder_resultaat", "geen_casus",
        "doorverwezen",
    )  # fmt: skip
    assert ParticipationRole.values() == ("aanbrenger", "casushouder", "deelnemer")
    assert ActionStatus.values() == ("open", "in_uitvoering", "gereed", "vervallen")
    assert EscalationLevel.values() == ("operationeel", "tactisch", "bestuurlijk")
    assert InclusionCriterion("meerdere_leefgebieden").label_nl == "Problemen op meer dan één leefgebied"
    assert CasePhase.AANPAK_PLAN.label_nl == "Aanpak: plan"
