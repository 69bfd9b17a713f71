"""Casus as it is installed and run: the ``casus`` script in a subprocess, a fresh database, gunicorn, HTTP.

These helpers let tests use the product the way an operator does, instead of calling command functions:
a command the CLI never registered, or a wheel without its templates, fails here.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from support import ADMIN_DATABASE_URL, OWNER_DATABASE_URL, TEST_DATABASE_URL

VENV_BIN = Path(sys.executable).parent
SECRET_KEY = "casus-test-secret-" + "x" * 32
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def casus_env(**settings: str) -> dict[str, str]:
    """The environment of a fresh shell: no ``CASUS_*`` variable from the test run, plus ``settings``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CASUS_")}
    env.update(settings)
    return env


def production_env(database_url: str, **settings: str) -> dict[str, str]:
    """What an operator sets for production: env, secret, database (plain http in the tests)."""
    return casus_env(CASUS_ENV="production", CASUS_SECRET_KEY=SECRET_KEY, CASUS_DATABASE_URL=database_url,
                     CASUS_SECURE_COOKIES="false", **settings)


def run_casus(*args: str, env: dict[str, str], bin_dir: Path = VENV_BIN, stdin: str | None = None,
              cwd: Path | str | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the installed ``casus`` script, as a user would type it."""
    return subprocess.run([str(bin_dir / "casus"), *args], env=env, input=stdin, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)


def assert_ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout


@contextmanager
def fresh_database(tmp_path: Path):
    """An empty database of its own: a new PostgreSQL database when the suite runs on PostgreSQL, else a
    SQLite file. Yields its URL — on PostgreSQL the owner's (``support.OWNER_DATABASE_URL``'s role owns the
    database), who may migrate it; a PostgreSQL database is dropped afterwards."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    import psycopg
    import sqlalchemy as sa

    owner = sa.engine.make_url(OWNER_DATABASE_URL)
    name = f"casus_fresh_{secrets.token_hex(4)}"
    admin = sa.engine.make_url(ADMIN_DATABASE_URL).set(drivername="postgresql", database="postgres")
    admin = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' OWNER "{owner.username}"' if owner.username else ""))
    try:
        yield owner.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 60, process: subprocess.Popen | None = None) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@contextmanager
def background(args: list[str], *, env: dict[str, str], cwd: Path | str | None = None, log_path: Path):
    """A long-running process in its own process group, killed with its children afterwards."""
    with open(log_path, "wb") as log:
        process = subprocess.Popen(args, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


@contextmanager
def gunicorn(env: dict[str, str], tmp_path: Path, *, bin_dir: Path = VENV_BIN, cwd: Path | str | None = None):
    """Casus under gunicorn on a free port, built by the app factory as the deployment kit does; yields its
    base URL."""
    port = free_port()
    args = [str(bin_dir / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "casus:create_app()"]
    with background(args, env=env, cwd=cwd or tmp_path, log_path=tmp_path / f"gunicorn-{port}.log") as process:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(base + "/healthz", process=process)
        yield base


def log_in(base_url: str, email: str, password: str):
    """Log in through the login form (enrolling the second factor when asked); returns the httpx client."""
    import httpx
    import pyotp

    client = httpx.Client(base_url=base_url, follow_redirects=True, timeout=30)
    page = client.get("/inloggen")
    response = client.post("/inloggen", data={"csrf_token": _csrf(page.text), "email": email, "password": password})
    if response.url.path == "/inloggen/tweede-factor-instellen":
        secret = re.search(r'class="casus-secret">([A-Z2-7]+)<', response.text).group(1)
        response = client.post(response.url.path, data={"csrf_token": _csrf(response.text),
                                                        "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.status_code
    assert response.url.path not in ("/inloggen", "/inloggen/code"), "the login was refused"
    return client


def _csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def assert_scheduler_starts_and_stops(env: dict[str, str], cwd: Path, bin_dir: Path = VENV_BIN) -> None:
    """``casus scheduler`` takes the lock, says it runs, and stops cleanly on SIGTERM."""
    process = subprocess.Popen([str(bin_dir / "casus"), "scheduler"], env=env, cwd=cwd, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output = _read_until(process, "Scheduler draait", timeout=60)
        process.send_signal(signal.SIGTERM)
        output += process.communicate(timeout=30)[0]
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "No such command" not in output and "Traceback" not in output


def _read_until(process: subprocess.Popen, marker: str, timeout: float) -> str:
    """What ``process`` printed up to and including ``marker``.

    Reads the pipe's file descriptor directly: ``readline()`` on the buffered stream can pull several
    lines into Python's buffer at once, after which ``select`` sees an empty pipe and the marker that
    is already read would never be looked at (a flaky "no marker within 60 s").
    """
    import codecs
    import selectors

    seen, deadline = "", time.monotonic() + timeout
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    descriptor = process.stdout.fileno()
    selector = selectors.DefaultSelector()
    selector.register(descriptor, selectors.EVENT_READ)
    while marker not in seen:
        if process.poll() is not None:  # it stopped: what it said last is why
            seen += decoder.decode(_drain(descriptor), final=True)
            raise AssertionError(f"no {marker!r} from the scheduler (exit {process.returncode}):\n{seen}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {marker!r} from the scheduler within {timeout} s:\n{seen}")
        if selector.select(timeout=1):
            seen += decoder.decode(os.read(descriptor, 65536))
    return seen


def _drain(descriptor: int) -> bytes:
    chunks = []
    while chunk := os.read(descriptor, 65536):
        chunks.append(chunk)
    return b"".join(chunks)
