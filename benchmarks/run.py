"""``python -m benchmarks``: seed, serve, drive, measure and report — one backend after the other.

Per backend: a fresh database (SQLite file in a temporary directory; PostgreSQL database ``casus_bench``
created as ``postgres`` on 127.0.0.1:5432 and dropped at the end), ``casus db upgrade`` + ``casus seed``,
then in-process (not under load) the scheduler's daily sweep and the SQL statements per request, then the
two floors (benchmarks/floor.py, the bare "hello"; benchmarks/list_floor.py, a minimal 25-row case list on the
same database) and Casus, each served by gunicorn with the same settings, driven by a separate process with
``--clients`` concurrent clients for ``--duration`` seconds per endpoint. With ``--compare-json`` (an earlier
run's ``--json``, e.g. at 100,000 cases, and this one ``--big``) the report adds each page's cost ratio between
the two sizes (benchmarks/scaling.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import report, scaling
from benchmarks.client import driver_main

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PG_DATABASE = "casus_bench"
BIG = 1_000_000
AUDIT_CHAIN_MODES = ("scheduled", "inline")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases to seed (default 100,000)")
    parser.add_argument("--big", action="store_true", help=f"seed {BIG:,} cases")
    parser.add_argument("--compare-json", type=Path, default=None,
                        help="an earlier run's --json (e.g. at 100,000 cases): report each page's in-process cost "
                             "at this run's size against it")
    parser.add_argument("--repeats", type=int, default=5,
                        help="single in-process requests per page for '1 client ms' (the median after a warm-up; "
                             "default 5, more for a steadier size comparison)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load per endpoint")
    parser.add_argument("--warmup", type=float, default=None, help="seconds before measuring (default duration/10)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--seed", type=int, default=42, help="random seed of casus seed")
    parser.add_argument("--output", type=Path, default=None,
                        help="a Markdown file whose results section (between markers) is rewritten")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results as JSON")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the SQLite database here (default: a temporary directory, removed)")
    parser.add_argument("--pg-server", default=PG_SERVER, help="PostgreSQL server URL (as postgres)")
    parser.add_argument("--pg-database", default=PG_DATABASE)
    parser.add_argument("--reuse", action="store_true",
                        help="use an already seeded database (--workdir / --pg-database) and keep it")
    parser.add_argument("--no-load", action="store_true",
                        help="measure in-process only (SQL statements and 1 client ms; no gunicorn, no load, no "
                             "audit chain): enough for the size comparison of --big --compare-json")
    parser.add_argument("--only", default=None, help="comma-separated substrings: measure only these endpoints")
    parser.add_argument("--merge", type=Path, nargs="+", default=None,
                        help="measure nothing: render (and --output) the results of earlier --json files")
    parser.add_argument("--audit-chain", default="scheduled",
                        help="comma-separated CASUS_AUDIT_CHAIN modes (scheduled, inline): every endpoint runs in the "
                             "first, the write endpoints again in each other one, on a share of the same inputs")
    args = parser.parse_args(argv)
    args.audit_chain = [mode.strip() for mode in args.audit_chain.split(",") if mode.strip()]
    if not args.audit_chain or set(args.audit_chain) - set(AUDIT_CHAIN_MODES):
        parser.error(f"--audit-chain takes {' and/or '.join(AUDIT_CHAIN_MODES)}")
    if args.big:
        args.cases = BIG
    if args.warmup is None:
        args.warmup = min(3.0, args.duration / 10)
    return args


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def casus_command(*arguments: str, env: dict, capture: bool = False) -> str:
    """``casus ARGS`` in a subprocess (the installed CLI, run from the repository)."""
    command = [sys.executable, "-c", "from casus.cli import main; main()", *arguments]
    result = subprocess.run(command, cwd=ROOT, env=env, text=True, check=False,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.PIPE)
    if result.returncode:
        raise RuntimeError(f"casus {' '.join(arguments)} failed:\n{result.stderr[-2000:]}")
    return result.stdout or ""


def app_env(database_url: str, secret: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CASUS_")}
    env.update({"CASUS_DATABASE_URL": database_url, "CASUS_ENV": "production", "CASUS_SECRET_KEY": secret,
                "CASUS_SECURE_COOKIES": "false", "PYTHONPATH": str(ROOT)})
    return env


@contextlib.contextmanager
def database(backend: str, args: argparse.Namespace):
    """Yields (url, fresh): a new database, removed afterwards (unless --reuse or --workdir keeps it)."""
    if backend == "sqlite":
        directory = args.workdir or Path(tempfile.mkdtemp(prefix="casus-bench-"))
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "casus.db"
        fresh = not (args.reuse and path.exists())
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        try:
            yield f"sqlite:///{path}", fresh
        finally:
            if args.workdir is None:
                shutil.rmtree(directory, ignore_errors=True)
    elif backend == "postgresql":
        import psycopg

        server = args.pg_server.replace("postgresql+psycopg://", "postgresql://")
        name = args.pg_database
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            fresh = not (args.reuse and exists)
            if fresh:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{args.pg_server}/{name}", fresh
        finally:
            if not args.reuse:
                with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        raise SystemExit(f"unknown database {backend!r}: use sqlite and/or postgresql")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``gunicorn -w WORKERS -b 127.0.0.1:PORT APP`` until stopped; knows its workers' peak memory."""

    def __init__(self, app: str, env: dict, workers: int, ready_path: str, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self.log_file = log_path.open("w")
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--timeout", "120", app],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log_file)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {app} exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + ready_path, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError(f"gunicorn {app} did not answer within 90 s")
        # Every worker answers once before the clock starts (imports, first connection).
        for _ in range(workers * 3):
            with contextlib.suppress(OSError), urllib.request.urlopen(self.base_url + ready_path, timeout=10):
                pass

    def log_tail(self, size: int = 3000) -> str:
        self.log_file.flush()
        return self.log_path.read_text(errors="replace")[-size:]

    def workers(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    stat = (entry / "stat").read_text()
                    if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                        pids.append(int(entry.name))
        return pids

    def peak_rss_mb(self) -> float | None:
        """The highest VmHWM (peak resident set) of the workers, in MiB (Linux only)."""
        peaks = []
        for pid in self.workers():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
        return max(peaks) if peaks else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


class Driver:
    """The separate load process (benchmarks.client.driver_main) behind a pipe."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(target=driver_main, args=(child,), daemon=True)
        self.process.start()

    def call(self, *command):
        self.connection.send(command)
        status, value = self.connection.recv()
        if status != "ok":
            raise RuntimeError(value)
        return value

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.call("stop")
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": memory, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}"}


def bench_backend(backend: str, args: argparse.Namespace) -> dict:
    from benchmarks import scenario as scenarios
    from casus import create_app
    from casus_seed.region import SEED_PASSWORD

    result: dict = {"backend": backend, "cases": args.cases, "clients": args.clients, "duration": args.duration,
                    "workers": args.workers, "load_before": os.getloadavg()}
    secret = secrets.token_urlsafe(40)
    modes = args.audit_chain
    with database(backend, args) as (url, fresh):
        env = {**app_env(url, secret), "CASUS_AUDIT_CHAIN": modes[0]}
        result["fresh"] = fresh
        log(f"{backend}: migrating")  # a reused database too: it may predate the newest migrations
        casus_command("db", "upgrade", env=env)
        if fresh:
            log(f"{backend}: seeding {args.cases:,} cases")
            began = time.perf_counter()
            casus_command("seed", "--cases", str(args.cases), "--seed", str(args.seed), env=env)
            result["seed_seconds"] = time.perf_counter() - began
        settings = {"env": "production", "database_url": url, "secret_key": secret, "secure_cookies": False}
        app = create_app({**settings, "audit_chain": modes[0]})
        scenario = scenarios.build_scenario(app)
        if args.only:
            wanted = [part.strip() for part in args.only.split(",") if part.strip()]
            scenario.endpoints = [e for e in scenario.endpoints if any(w in e.name for w in wanted)]
        later_pools = share_pools(scenario.endpoints, len(modes))
        result["scenario"] = {
            "partner": scenario.partner_email, "partner_organisation": scenario.partner_organisation,
            "partner_cases": scenario.partner_cases, "procesregisseur": scenario.procesregisseur_email,
            "procesregisseur_team": scenario.procesregisseur_team,
            "procesregisseur_cases": scenario.procesregisseur_cases, "surname": scenario.surname,
            "supervisor": scenario.supervisor_email, "notes": scenario.notes}
        log(f"{backend}: daily sweep")
        result["sweep"] = scenarios.time_sweep(app)  # first run: catches up on every case of the seed
        result["sweep_repeat"] = scenarios.time_sweep(app)  # the same day again: only the checks, no new rows
        log(f"{backend}: the reports' rollup")
        result["rollup_seconds"] = scenarios.time_rollup(app)
        token = casus_command("create-token", "--email", scenario.partner_email, "--days", "1",
                              "--name", "benchmark", env=env, capture=True).strip().splitlines()[-1].strip()
        log(f"{backend}: SQL statements per request (in-process)")
        in_process = scenarios.measure_in_process(app, scenario, password=SEED_PASSWORD, token=token,
                                                  repeats=args.repeats)
        if args.no_load:
            result["rows"] = in_process_rows(scenario, in_process, url, args, backend)
            result["load_after"] = os.getloadavg()
            return result

        logs = args.workdir or Path(tempfile.gettempdir())
        logs.mkdir(parents=True, exist_ok=True)
        driver = Driver()
        rows = []
        try:
            log(f"{backend}: floor")
            floor = Gunicorn("benchmarks.floor:app", env, args.workers, "/", logs / f"{backend}-floor.log")
            try:
                driver.call("anonymous", "floor", floor.base_url, args.clients)
                measured = driver.call("run", {"group": "floor", "path": "/"}, args.duration, args.clients,
                                       args.warmup)
            finally:
                floor.stop()
            rows.append({"name": "floor (bare Flask)", **measured, "queries": 0})
            floor_rps = measured["rps"] or None
            rows.append(measure_list_floor(driver, url, env, args, logs / f"{backend}-list-floor.log", backend))
            list_floor_rps = rows[-1]["rps"] or None
            for row in rows:
                row.update(ratios(row["rps"], floor_rps, list_floor_rps))

            log(f"{backend}: casus")
            server = Gunicorn("wsgi:app", env, args.workers, "/healthz", logs / f"{backend}-casus.log")
            started = datetime.now(UTC)
            try:
                for group, email in (("partner", scenario.partner_email),
                                     ("procesregisseur", scenario.procesregisseur_email)):
                    driver.call("login", group, server.base_url, email, SEED_PASSWORD, args.clients,
                                "/signalen/nieuw")
                if scenario.supervisor_email:
                    driver.call("login", "supervisor", server.base_url, scenario.supervisor_email, SEED_PASSWORD,
                                args.clients, None,
                                scenarios.prepare_second_factor(app, scenario.supervisor_email))
                driver.call("bearer", "api", server.base_url, token, args.clients)
                for endpoint in scenario.endpoints:
                    row = {"name": with_mode(endpoint, modes), "note": endpoint.note, "target": endpoint.target}
                    if endpoint.missing:
                        rows.append({**row, "missing": endpoint.missing})
                        continue
                    log(f"{backend}: {endpoint.name}")
                    measured = driver.call("run", endpoint.spec(), args.duration, args.clients, args.warmup)
                    row.update(measured)
                    row.update(in_process.get(endpoint.name, {}))
                    row.update(ratios(measured["rps"], floor_rps, list_floor_rps))
                    rows.append(row)
                result["peak_rss_mb"] = server.peak_rss_mb()
                if any(row.get("errors") for row in rows):
                    log(f"{backend}: errors; the end of the gunicorn log ({server.log_path}):\n{server.log_tail()}")
            finally:
                server.stop()
            for index, mode in enumerate(modes[1:]):
                rows += measure_writes(driver, scenario, create_app({**settings, "audit_chain": mode}), env, mode,
                                       [pools[index] for pools in later_pools], token, args,
                                       logs / f"{backend}-casus-{mode}.log", (floor_rps, list_floor_rps))
            result["transitions"] = scenarios.transitions_since(app, started)
            log(f"{backend}: audit chain (link what is not linked yet, then verify all)")
            result["audit_chain"] = {"modes": modes, **scenarios.time_audit_chain(app)}
        finally:
            driver.stop()
        result["rows"] = rows
        result["floor_rps"] = floor_rps
        result["list_floor_rps"] = list_floor_rps
        result["load_after"] = os.getloadavg()
    return result


def in_process_rows(scenario, in_process: dict, url: str, args: argparse.Namespace, backend: str) -> list[dict]:
    """``--no-load``: the list floor and every endpoint with only what was measured in-process."""
    from benchmarks import list_floor

    log(f"{backend}: list floor (in-process)")
    rows = [{"name": f"list floor (Flask + SQLAlchemy, {list_floor.PAGE_SIZE} rows)", "in_process_only": True,
             **list_floor.time_in_process(url, args.repeats)}]
    for endpoint in scenario.endpoints:
        row = {"name": endpoint.name, "note": endpoint.note, "target": endpoint.target, "in_process_only": True}
        rows.append({**row, "missing": endpoint.missing} if endpoint.missing else
                    {**row, **in_process.get(endpoint.name, {})})
    return rows


def ratios(rps: float, floor_rps: float | None, list_floor_rps: float | None) -> dict:
    """Throughput against the bare floor (``ratio``) and against the list floor (``list_ratio``)."""
    return {"ratio": rps / floor_rps if floor_rps else None,
            "list_ratio": rps / list_floor_rps if list_floor_rps else None}


def measure_list_floor(driver: Driver, url: str, env: dict, args: argparse.Namespace, log_path: Path,
                       backend: str) -> dict:
    """The list floor (benchmarks/list_floor.py) on the benchmark database: in-process, then under load."""
    from benchmarks import list_floor

    log(f"{backend}: list floor")
    in_process = list_floor.time_in_process(url, args.repeats)
    if in_process["rows"] != list_floor.PAGE_SIZE:
        log(f"{backend}: the list floor's first page holds {in_process['rows']} rows")
    server = Gunicorn("benchmarks.list_floor:create_app()", env, args.workers, "/", log_path)
    try:
        driver.call("anonymous", "list floor", server.base_url, args.clients)
        measured = driver.call("run", {"group": "list floor", "path": "/"}, args.duration, args.clients,
                               args.warmup)
        if measured["errors"]:
            log(f"{backend}: list floor errors; the end of its gunicorn log:\n{server.log_tail()}")
    finally:
        server.stop()
    return {"name": f"list floor (Flask + SQLAlchemy, {list_floor.PAGE_SIZE} rows)", **measured, **in_process,
            "note": "cases ⋈ categories ⋈ teams ⟕ users, keyset, Jinja, no login"}


def is_write(endpoint) -> bool:
    return endpoint.method == "POST" and not endpoint.missing


def with_mode(endpoint, modes: list[str]) -> str:
    """The row name: a write endpoint measured in several chain modes says which."""
    return f"{endpoint.name} [chain {modes[0]}]" if len(modes) > 1 and is_write(endpoint) else endpoint.name


def share_pools(endpoints, modes: int) -> list[list[list]]:
    """Give every mode its own share of each write endpoint's inputs (a transition uses up its case): the first
    share stays with the endpoint, the others are returned, per endpoint with a pool, in endpoint order."""
    later = []
    for endpoint in endpoints:
        if modes > 1 and is_write(endpoint) and endpoint.pool is not None:
            shares = [endpoint.pool[index::modes] for index in range(modes)]
            endpoint.pool = shares[0]
            later.append(shares[1:])
    return later


def measure_writes(driver: Driver, scenario, app, env: dict, mode: str, pools: list[list], token: str,
                   args: argparse.Namespace, log_path: Path, floors: tuple[float | None, float | None]) -> list[dict]:
    """The write endpoints again, with CASUS_AUDIT_CHAIN=mode: their SQL statements in-process (``app``, built
    for the mode), then under load; pooled inputs from ``pools``."""
    from benchmarks import scenario as scenarios
    from casus_seed.region import SEED_PASSWORD

    log(f"casus, write endpoints with CASUS_AUDIT_CHAIN={mode}")
    writes = list(filter(is_write, scenario.endpoints))
    pools = [pools.pop(0) if endpoint.pool is not None else None for endpoint in writes]
    one_each = [replace(endpoint, pool=None if pool is None else [pool.pop()])
                for endpoint, pool in zip(writes, pools, strict=True)]
    counted = scenarios.measure_in_process(app, replace(scenario, endpoints=one_each), password=SEED_PASSWORD,
                                           token=token)
    rows = []
    server = Gunicorn("wsgi:app", {**env, "CASUS_AUDIT_CHAIN": mode}, args.workers, "/healthz", log_path)
    try:
        for group, email in (("partner", scenario.partner_email), ("procesregisseur", scenario.procesregisseur_email)):
            driver.call("login", group, server.base_url, email, SEED_PASSWORD, args.clients, "/signalen/nieuw")
        for endpoint, pool in zip(writes, pools, strict=True):
            spec = endpoint.spec()
            if pool is not None:
                spec["pool"] = pool
            log(f"{endpoint.name} [chain {mode}]")
            measured = driver.call("run", spec, args.duration, args.clients, args.warmup)
            rows.append({"name": f"{endpoint.name} [chain {mode}]", "note": endpoint.note, "target": endpoint.target,
                         **measured, **counted.get(endpoint.name, {}), **ratios(measured["rps"], *floors)})
        if any(row.get("errors") for row in rows):
            log(f"errors; the end of the gunicorn log ({server.log_path}):\n{server.log_tail()}")
    finally:
        server.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backends = [name.strip() for name in args.databases.split(",") if name.strip()]
    results = {"machine": machine(), "started": datetime.now(UTC).isoformat(timespec="seconds"),
               "arguments": {"cases": args.cases, "clients": args.clients, "duration": args.duration,
                             "workers": args.workers, "seed": args.seed, "repeats": args.repeats},
               "load_start": os.getloadavg(), "backends": []}
    if args.merge:
        loaded = [json.loads(path.read_text()) for path in args.merge]
        results = {**loaded[0], "backends": [backend for run in loaded for backend in run["backends"]]}
        results["started"] = " and ".join(run["started"] for run in loaded)
    for backend in [] if args.merge else backends:
        results["backends"].append(bench_backend(backend, args))
    if args.compare_json:
        scaling.attach(results, scaling.baseline(args.compare_json))
    markdown = report.render(results)
    print(markdown)
    if args.output:
        report.write_section(args.output, markdown)
        log(f"results written to {args.output}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    failed = [row for backend in results["backends"] for row in backend["rows"] if row.get("errors")]
    return 1 if failed else 0
