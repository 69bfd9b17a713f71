"""Helpers of the deployment tests (imported as ``deploy_support``; fixtures are in this folder's conftest.py):
the ``casus`` script, process groups, PostgreSQL and nginx set-up."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get("CASUS_CI_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CASUS_CI_REDIS_URL", "redis://127.0.0.1:6379/13")
SITE_CONF = ROOT / "deploy" / "nginx" / "casus.conf"
# Synthetic, shared by every process of one deployment (sessions and CSRF tokens are signed with it).
SECRET_KEY = "casus-deploy-test-" + "s" * 40


# --- PostgreSQL --------------------------------------------------------------------------------------------

def hide_password(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def database_url(admin_url: str, name: str, *, driver: str = "postgresql+psycopg") -> str:
    """The URL of database ``name`` on the admin URL's server (SQLAlchemy's by default, libpq's with
    ``driver="postgresql"``)."""
    import sqlalchemy as sa

    return sa.engine.make_url(admin_url).set(drivername=driver, database=name).render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def query(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    """Rows of one statement on the database at ``url`` (autocommit, a connection of its own)."""
    import psycopg

    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        return conn.execute(statement, params).fetchall()


# --- the casus script --------------------------------------------------------------------------------------

def casus_env(**settings: str) -> dict[str, str]:
    """A clean environment: none of the test run's ``CASUS_*`` variables, plus ``settings``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CASUS_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(settings)
    return env


def production_env(database_url: str, **settings: str) -> dict[str, str]:
    """What deploy/casus.env.example sets, for one deployment of the tests."""
    return casus_env(CASUS_ENV="production", CASUS_SECRET_KEY=SECRET_KEY, CASUS_DATABASE_URL=database_url,
                     CASUS_SECURE_COOKIES="true", CASUS_PROXY_FIX_HOPS="1",
                     # Nothing listens there: e-mail fails fast and is retried later, nothing leaves the machine.
                     CASUS_SMTP_HOST="127.0.0.1", CASUS_SMTP_PORT=str(free_port()), **settings)


def casus_command() -> list[str]:
    """The installed ``casus`` script (``flask --app casus`` when the interpreter has none beside it)."""
    script = VENV_BIN / "casus"
    return [str(script)] if script.exists() else [sys.executable, "-m", "flask", "--app", "casus"]


def run_casus(*args: str, env: dict[str, str], timeout: float = 180) -> str:
    """Run ``casus <args>`` as an operator would; its standard output, after checking it succeeded."""
    result = subprocess.run([*casus_command(), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, (f"casus {' '.join(args)}: exit {result.returncode}\n"
                                    f"stdout: {result.stdout[-3000:]}\nstderr: {result.stderr[-3000:]}")
    return result.stdout


# --- processes ---------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Processes:
    """Long-running processes of one test module, each the leader of its own process group (so gunicorn's
    master and workers go together), output in a log file each."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.started: list[subprocess.Popen] = []
        self.logs: dict[int, Path] = {}

    def start(self, name: str, argv: list[str], *, env: dict[str, str], cwd: Path = ROOT) -> subprocess.Popen:
        log_path = self.log_dir / f"{name}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append(process)
        self.logs[process.pid] = log_path
        return process

    def output(self, process: subprocess.Popen) -> str:
        return self.logs[process.pid].read_text(errors="replace")

    def kill(self, process: subprocess.Popen, signum: int = signal.SIGKILL, timeout: float = 15) -> None:
        """Send ``signum`` to the process's whole group and wait for the leader to end."""
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        process.wait(timeout)

    def stop_all(self) -> None:
        for process in reversed(self.started):
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                with suppress(subprocess.TimeoutExpired):
                    process.wait(10)
            # SIGKILL the group even when the leader has ended: no orphaned worker survives the test.
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with suppress(subprocess.TimeoutExpired):
                process.wait(5)


def wait_until(condition, *, timeout: float, interval: float = 0.2, message: str = "condition"):
    """Poll ``condition()`` until it returns something truthy (returned), failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {message}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port: int, process: subprocess.Popen, processes: Processes, *, timeout: float = 40) -> None:
    def listening() -> bool:
        if process.poll() is not None:
            pytest.fail(f"process ended with {process.returncode} before listening on {port}:\n"
                        f"{processes.output(process)[-4000:]}")
        return port_open(port)

    wait_until(listening, timeout=timeout, message=f"a listener on 127.0.0.1:{port}")


# --- nginx -------------------------------------------------------------------------------------------------

def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


# Placeholder in deploy/nginx/casus.conf -> what the test puts there. A placeholder that disappeared from the
# file fails the test instead of silently testing something else.
def render_site(template: str, *, https_port: int, http_port: int, upstream_ports: list[int], certificate: Path,
                key: Path, static_dir: Path, access_log: Path) -> str:
    replacements = [
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{upstream_ports[0]} "),
        ("server 127.0.0.1:8002 ", f"server 127.0.0.1:{upstream_ports[1]} "),
        ("casus.example.nl", "localhost"),
        ("/etc/casus/tls/fullchain.pem", str(certificate)),
        ("/etc/casus/tls/privkey.pem", str(key)),
        ("/srv/casus/.venv/lib/python3.11/site-packages/casus/static/", f"{static_dir}/"),
        ("/var/log/nginx/casus.access.log", str(access_log)),
    ]
    site = template
    for placeholder, value in replacements:
        assert placeholder in site, f"{SITE_CONF} no longer contains {placeholder!r}; update the test"
        site = site.replace(placeholder, value)
    patterns = [
        (r"^\s*listen \[::\]:.*\n", ""),  # the test listens on the loopback only
        (r"listen 443\b", f"listen 127.0.0.1:{https_port}"),
        (r"listen 80\b", f"listen 127.0.0.1:{http_port}"),
    ]
    for pattern, value in patterns:
        site, count = re.subn(pattern, value, site, flags=re.M)
        assert count, f"{SITE_CONF}: nothing matches {pattern!r}; update the test"
    return site


def main_conf(prefix: Path, site: Path) -> str:
    """A minimal nginx.conf around the site file, everything under ``prefix`` (no root needed)."""
    user = ""
    if os.geteuid() == 0:  # workers would otherwise run as nobody, who may not read the checkout
        import grp
        import pwd

        user = f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};"
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else (
        "types { text/html html; text/css css; application/javascript js; image/svg+xml svg; font/woff2 woff2; }")
    temp = "\n".join(f"    {kind}_temp_path {prefix}/tmp/{kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    {mime}
    default_type application/octet-stream;
{temp}
    include {site};
}}
"""


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    certificate, key = directory / "localhost.pem", directory / "localhost.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(certificate)], check=True, capture_output=True, timeout=30)
    return certificate, key
