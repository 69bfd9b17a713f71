"""Every documented command, run as a user runs it: the installed ``casus`` script in a subprocess.

The README's command table is the contract: each command in it must exist (``--help`` answers without any
configuration), and the first-installation path must bring an empty database to users who can log in.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from processes import (
    assert_ok,
    assert_scheduler_starts_and_stops,
    casus_env,
    fresh_database,
    gunicorn,
    log_in,
    production_env,
    run_casus,
)

README = Path(__file__).resolve().parent.parent / "README.md"
PASSWORD = "een-lang-wachtwoord-voor-tests"


def documented_commands() -> list[str]:
    """The commands of README's command table, e.g. ``casus create-user`` or ``casus db upgrade``."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("### Command line"):text.index("### First installation")]
    rows = re.findall(r"^\| `((?:casus|python -m workflow)[^`]*)`", table, flags=re.MULTILINE)
    return [" ".join(_command_words(row.split())) for row in rows]


def _command_words(words: list[str]) -> list[str]:
    """``casus create-team --organisation O`` -> ``casus create-team``; keeps ``python -m workflow diagram``."""
    kept = words[:2] if words[0] == "python" else words[:1]
    for word in words[len(kept):]:
        if not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        kept.append(word)
    return kept


def test_the_readme_table_documents_the_commands_an_operator_needs():
    commands = documented_commands()
    for needed in ("casus scheduler", "casus create-organisation", "casus create-team", "casus create-user",
                   "casus db upgrade", "casus demo", "casus seed", "casus create-token", "casus revoke-token"):
        assert needed in commands


def test_casus_help_lists_every_documented_command_without_configuration(tmp_path):
    result = run_casus("--help", env=casus_env(), cwd=tmp_path)
    listed = assert_ok(result)
    for command in documented_commands():
        if command.startswith("casus "):
            assert f"  {command.split()[1]} " in listed, f"{command} is not listed by casus --help"
    assert not (tmp_path / "instance").exists(), "listing commands must not create anything"


@pytest.mark.parametrize("command", documented_commands())
def test_every_documented_command_answers_help_unconfigured(command, tmp_path):
    words = command.split()
    if words[0] == "python":
        result = subprocess.run([sys.executable, *words[1:], "--help"], capture_output=True, text=True,
                                cwd=README.parent, env=casus_env(), check=False)
    else:
        result = run_casus(*words[1:], "--help", env=casus_env(), cwd=tmp_path)
    assert "Usage" in assert_ok(result) or "usage" in result.stdout


def test_workflow_diagram_prints_the_machines():
    result = subprocess.run([sys.executable, "-m", "workflow", "diagram"], capture_output=True, text=True,
                            cwd=README.parent, env=casus_env(), check=False)
    assert "stateDiagram" in assert_ok(result)


def test_a_command_needing_the_app_names_the_missing_setting_in_one_line(tmp_path):
    result = run_casus("create-organisation", "--name", "Gemeente Testdorp", "--kind", "gemeente",
                       env=casus_env(), cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(error_lines) == 1 and "CASUS_SECRET_KEY" in error_lines[0]


def test_documented_first_installation_brings_people_who_can_log_in(tmp_path):
    """Empty database -> migrate -> organisations, team, users -> they log in over HTTP under gunicorn."""
    with fresh_database(tmp_path) as url:
        env = production_env(url)
        assert_ok(run_casus("db", "upgrade", env=env, cwd=tmp_path))
        assert_ok(run_casus("create-organisation", "--name", "Gemeente Testdorp", "--kind", "gemeente",
                            env=env, cwd=tmp_path))
        assert_ok(run_casus("create-organisation", "--name", "Politie Eenheid Test", "--kind", "politie",
                            env=env, cwd=tmp_path))
        assert_ok(run_casus("create-team", "--organisation", "Gemeente Testdorp", "--name", "Team Z&V",
                            env=env, cwd=tmp_path))
        people = {
            "beheer@testdorp.example": ("Gemeente Testdorp", None, "beheerder"),
            "regie@testdorp.example": ("Gemeente Testdorp", "Team Z&V", "procesregisseur"),
            "baas@testdorp.example": ("Gemeente Testdorp", "Team Z&V", "supervisor"),
            "agent@politie.example": ("Politie Eenheid Test", None, "partner"),
        }
        for email, (organisation, team, role) in people.items():
            args = ["create-user", "--email", email, "--name", "Test Persoon", "--organisation", organisation,
                    "--role", role, "--password-stdin"]
            assert_ok(run_casus(*args, *(["--team", team] if team else []), env=env, cwd=tmp_path,
                                stdin=PASSWORD + "\n"))
        with gunicorn(env, tmp_path) as base:
            clients = {email: log_in(base, email, PASSWORD) for email in people}
            organisations = clients["beheer@testdorp.example"].get("/beheer/organisaties")
            assert organisations.status_code == 200 and "Politie Eenheid Test" in organisations.text
            assert clients["regie@testdorp.example"].get("/casussen").status_code == 200


def test_create_user_names_the_unknown_organisation(tmp_path):
    with fresh_database(tmp_path) as url:
        env = production_env(url)
        assert_ok(run_casus("db", "upgrade", env=env, cwd=tmp_path))
        result = run_casus("create-user", "--email", "a@example.org", "--name", "A", "--organisation",
                           "Gemeente Nergens", "--role", "partner", env=env, cwd=tmp_path)
        assert result.returncode == 1
        assert "Onbekende organisatie: Gemeente Nergens" in result.stderr and "%(" not in result.stderr
        result = run_casus("create-organisation", "--name", "X", "--kind", "brandweer", env=env, cwd=tmp_path)
        assert result.returncode == 2 and "gemeente" in result.stderr


def test_tokens_seed_and_scheduler_through_the_script(tmp_path):
    with fresh_database(tmp_path) as url:
        env = production_env(url)
        assert_ok(run_casus("db", "upgrade", env=env, cwd=tmp_path))
        seeded = assert_ok(run_casus("seed", "--cases", "5", "--seed", "3", env=env, cwd=tmp_path))
        assert "5 casussen" in seeded
        assert_ok(run_casus("create-organisation", "--name", "Gemeente Tokendorp", "--kind", "gemeente",
                            env=env, cwd=tmp_path))
        assert_ok(run_casus("create-user", "--email", "api@tokendorp.example", "--name", "Koppeling",
                            "--organisation", "Gemeente Tokendorp", "--role", "partner", env=env, cwd=tmp_path))
        created = assert_ok(run_casus("create-token", "--email", "api@tokendorp.example", "--days", "30",
                                      env=env, cwd=tmp_path))
        prefix = created.strip().splitlines()[-1].split("_")[1]
        assert "ingetrokken" in assert_ok(run_casus("revoke-token", "--prefix", prefix, env=env, cwd=tmp_path))
        assert_scheduler_starts_and_stops(env, tmp_path)


def test_demo_prepares_its_database_through_the_script(tmp_path):
    result = run_casus("demo", "--no-serve", env=casus_env(CASUS_INSTANCE_PATH=str(tmp_path)), cwd=tmp_path)
    assert "regisseur@demo.example.org" in assert_ok(result)
    assert (tmp_path / "casus.db").exists()
