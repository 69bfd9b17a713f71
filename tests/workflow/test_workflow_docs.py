"""docs/WORKFLOW.md and the diagrams stay in step with the tables; the CLI prints and regenerates them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from workflow import CASE, MACHINES
from workflow.diagram import mermaid
from workflow.docs import DOC_PATH, drift, generated_sections, prose, sync

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workflow", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )


def test_workflow_md_matches_the_tables():
    problems = drift(DOC_PATH.read_text(encoding="utf-8"))
    assert not problems, (
        "docs/WORKFLOW.md no longer matches workflow/tables.py:\n  "
        + "\n  ".join(problems)
        + "\nRun `python -m workflow docs` and review the prose around the generated sections."
    )


def test_the_prose_explains_every_trigger_in_dutch_and_in_english():
    text = prose(DOC_PATH.read_text(encoding="utf-8"))
    dutch = text.split("\n## English\n")[0]
    english = text.split("\n## English\n")[1].split("\n## Referentie / Reference\n")[0]
    for name, machine in MACHINES.items():
        for trigger in machine.triggers:
            assert f"`{trigger}`" in dutch, f"Dutch part does not explain {name}.{trigger}"
            assert f"`{trigger}`" in english, f"English part does not explain {name}.{trigger}"


def test_drift_is_detected_and_sync_repairs_it():
    fresh = DOC_PATH.read_text(encoding="utf-8")
    stale = fresh.replace(
        "| `reopen` | `afgesloten` | `triage` | `supervisor` |", "| `reopen` | `afgesloten` | `triage` | `partner` |"
    )
    assert stale != fresh
    assert drift(stale) == ["section 'case' differs from the tables"]
    assert sync(stale) == fresh
    without_markers = re.sub(r"<!-- (BEGIN|END) GENERATED: guards -->\n?", "", fresh)
    assert "section 'guards' is missing its markers" in drift(without_markers)
    with pytest.raises(ValueError, match="guards"):
        sync(without_markers)


def test_every_row_is_an_arrow_in_the_diagram():
    for machine in MACHINES.values():
        diagram = mermaid(machine)
        assert diagram.startswith("stateDiagram-v2\n")
        for spec in machine.transitions:
            for source in spec.sources:
                edge = f"{source.replace('.', '_')} --> {spec.dest.replace('.', '_')} : {spec.trigger}"
                assert edge in diagram
    assert "state aanpak {" in mermaid(CASE)
    assert "aanpak --> afgesloten : close_early" in mermaid(CASE)
    assert "aangenomen --> [*]" in mermaid(MACHINES["voordracht"])


def test_generated_sections_cover_machines_guards_and_cadences():
    assert set(generated_sections()) == {*MACHINES, "guards", "cadences"}


def test_cli_prints_all_diagrams_with_headings():
    result = run_cli("diagram")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("stateDiagram-v2") == 3
    for name in MACHINES:
        assert f"## {name}: " in result.stdout


def test_cli_prints_one_bare_diagram():
    result = run_cli("diagram", "case", "--raw")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == mermaid(CASE)
    assert run_cli("diagram", "bogus").returncode == 2


def test_cli_checks_and_regenerates_the_document(tmp_path):
    assert run_cli("docs", "--check").returncode == 0
    copy = tmp_path / "WORKFLOW.md"
    fresh = DOC_PATH.read_text(encoding="utf-8")
    copy.write_text(fresh.replace("`needs_two_partners` | Er moeten", "`needs_two_partners` | Er mogen"), "utf-8")
    checked = run_cli("docs", "--check", "--path", str(copy))
    assert checked.returncode == 1
    assert "section 'guards' differs" in checked.stderr
    assert run_cli("docs", "--path", str(copy)).returncode == 0
    assert copy.read_text(encoding="utf-8") == fresh
