"""The package as a municipality's IT department installs it: a wheel in a fresh virtualenv, outside the checkout.

Templates and migrations must travel inside the wheel; an installed Casus must migrate, serve its pages under
gunicorn and run its scheduler without any file of the source tree. It is installed without extras, as in
production: without Faker, which only the synthetic data (``casus seed``, ``casus demo``: the demo extra) needs.
"""

from __future__ import annotations

import os
import shutil
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
    production_env,
    run_casus,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin directory of a fresh virtualenv with Casus installed from a freshly built wheel."""
    work = tmp_path_factory.mktemp("wheel")
    source = _tracked_copy(work / "source")
    _pip(sys.executable, "wheel", "--no-deps", "--wheel-dir", str(work / "dist"), str(source))
    wheels = list((work / "dist").glob("casus-*.whl"))
    assert len(wheels) == 1, wheels
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    bin_dir = work / "venv" / "bin"
    _pip(str(bin_dir / "python"), "install", str(wheels[0]), "gunicorn")
    return bin_dir


def _tracked_copy(target: Path) -> Path:
    """The files git tracks, as a clean clone has them (symlinks kept): the wheel is built from those alone,
    and the build leaves nothing behind in the checkout."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source, copy = ROOT / name, target / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the work tree, not yet committed
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, copy)
    return target


def _pip(python: str, *args: str) -> None:
    result = subprocess.run([python, "-m", "pip", "--disable-pip-version-check", "-q", *args],
                            capture_output=True, text=True, cwd="/", check=False)
    assert result.returncode == 0, result.stderr[-4000:]


def test_the_wheel_carries_templates_migrations_and_static_files(installed):
    probe = ("import casus, pathlib; p = pathlib.Path(casus.__file__).parent; print(p); "
             "print((p / 'templates' / 'base.html').is_file(), (p / 'migrations' / 'env.py').is_file(), "
             "any((p / 'migrations' / 'versions').glob('*.py')), (p / 'static' / 'css' / 'casus.css').is_file())")
    result = subprocess.run([str(installed / "python"), "-c", probe], capture_output=True, text=True, cwd="/",
                            check=True)
    location, flags = result.stdout.splitlines()
    assert not location.startswith(str(ROOT)), "Casus was imported from the checkout, not from the wheel"
    assert flags == "True True True True"


def test_an_installed_wheel_migrates_serves_and_schedules(installed, tmp_path):
    import httpx

    with fresh_database(tmp_path) as url:
        env = production_env(url)
        assert_ok(run_casus("db", "upgrade", env=env, bin_dir=installed, cwd=tmp_path))
        current = assert_ok(run_casus("db", "current", env=env, bin_dir=installed, cwd=tmp_path))
        assert "(head)" in current
        with gunicorn(env, tmp_path, bin_dir=installed) as base:
            login = httpx.get(base + "/inloggen")
            assert login.status_code == 200 and 'name="password"' in login.text
            stylesheet = httpx.get(base + "/static/css/casus.css")
            assert stylesheet.status_code == 200 and stylesheet.text.strip()
        assert_scheduler_starts_and_stops(env, tmp_path, bin_dir=installed)


def test_a_production_install_has_no_faker_and_the_seed_commands_say_which_extra_they_need(installed, tmp_path):
    find_faker = "import importlib.util; print(importlib.util.find_spec('faker'))"
    probe = subprocess.run([str(installed / "python"), "-c", find_faker], capture_output=True, text=True, cwd="/",
                           check=True)
    assert probe.stdout.strip() == "None", "the wheel without extras installed Faker"
    listed = assert_ok(run_casus("--help", env=casus_env(), bin_dir=installed, cwd=tmp_path))
    assert "  seed " in listed and "  demo " in listed
    env = production_env(f"sqlite:///{tmp_path / 'casus.db'}", CASUS_INSTANCE_PATH=str(tmp_path / "instance"))
    for command in (("seed", "--cases", "5", "--seed", "1"), ("demo", "--no-serve")):
        result = run_casus(*command, env=env, bin_dir=installed, cwd=tmp_path)
        assert result.returncode == 1, result
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines() == [
            f"Error: casus {command[0]} needs Faker, which comes with the 'demo' extra: pip install 'casus[demo]' "
            "(in a checkout: pip install -e '.[demo]')"]
    assert not (tmp_path / "casus.db").exists() and not (tmp_path / "instance").exists()


def test_the_installed_wheel_writes_a_pdf_with_its_own_fonts(installed):
    """The verklaring van vernietiging and the inzage package are PDFs in the vendored Noto Sans: the fonts must
    travel in the wheel (fpdf2's own fonts know Latin-1 only), so a name like Şahin comes out."""
    probe = ("import casus.pdf as pdf; doc = pdf.PdfDocument('Verklaring'); doc.paragraph('Şahin, Łukasz, € 12'); "
             "data = doc.to_bytes(); print(pdf.__file__); print(data[:5].decode(), len(data) > 1000)")
    result = subprocess.run([str(installed / "python"), "-c", probe], capture_output=True, text=True, cwd="/",
                            check=True)
    location, written = result.stdout.splitlines()
    assert not location.startswith(str(ROOT)), "casus.pdf was imported from the checkout, not from the wheel"
    assert written == "%PDF- True"
