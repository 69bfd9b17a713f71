"""Faker is optional (the ``demo`` extra): the application never imports it (nor the seeding package), ``casus
--help`` lists ``seed`` and ``demo`` without it, and both commands, run without it, say in one line how to install
it.

tests/test_wheel.py checks the same on a real production install (a wheel without extras in a fresh virtualenv).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from casus_seed.commands import demo, seed

ROOT = Path(__file__).resolve().parent.parent
IMPORT_EVERYTHING = """
import pkgutil, sys
import casus
skipped = ("casus.migrations", "casus.templates", "casus.static")
for module in pkgutil.walk_packages(casus.__path__, "casus."):
    if not module.name.startswith(skipped):
        __import__(module.name)
casus.create_app({"env": "testing", "database_url": "sqlite://"})
print(sorted(name for name in sys.modules if name.startswith("casus_seed")))
import casus_seed.commands
print(sorted(name for name in sys.modules if name.startswith("casus")))
print("faker" in sys.modules)
"""
WITHOUT_FAKER = "import sys; sys.modules['faker'] = None  # import faker now fails, as without the extra\n"


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "CASUS_INSTANCE_PATH": str(tmp_path)}, check=False)


def test_importing_every_casus_module_and_the_commands_imports_no_faker(tmp_path):
    result = _python(IMPORT_EVERYTHING, tmp_path)
    assert result.returncode == 0, result.stderr
    seeding_by_the_app, imported, faker_imported = result.stdout.splitlines()
    assert seeding_by_the_app == "[]"  # the application never imports the tooling that stands on it
    assert "'casus.reports.services'" in imported and "'casus_seed.commands'" in imported  # it did import them
    assert faker_imported == "False"


def test_casus_help_lists_seed_and_demo_without_faker(tmp_path):
    result = _python(WITHOUT_FAKER + "from casus.cli import main; sys.argv = ['casus', '--help']; main()", tmp_path)
    assert result.returncode == 0, result.stderr
    listed = result.stdout
    assert "\n  seed " in listed and "\n  demo " in listed


@pytest.fixture
def no_faker(monkeypatch):
    monkeypatch.setitem(sys.modules, "faker", None)


def _one_error_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def test_seed_without_faker_says_how_to_install_it(app, no_faker):
    result = app.test_cli_runner().invoke(seed, ["--cases", "5", "--seed", "1"])
    assert result.exit_code == 1
    assert _one_error_line(result.output) == (
        "Error: casus seed needs Faker, which comes with the 'demo' extra: pip install 'casus[demo]' "
        "(in a checkout: pip install -e '.[demo]')")


def test_demo_without_faker_says_how_to_install_it_and_creates_nothing(tmp_path, monkeypatch, no_faker):
    monkeypatch.setenv("CASUS_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(demo, ["--no-serve"])
    assert result.exit_code == 1
    assert "casus demo needs Faker" in _one_error_line(result.output)
    assert not (tmp_path / "instance").exists()
