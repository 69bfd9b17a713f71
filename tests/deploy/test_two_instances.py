"""Two gunicorn instances behind a real nginx (from deploy/nginx/casus.conf), one PostgreSQL, one Redis, and two
``casus scheduler`` processes, as deploy/ describes production.

Shown: a session started on one instance is valid on the other and through nginx; failed logins count across
both instances; a transition raced through both has one winner; killing an instance loses no acknowledged
write while nginx keeps serving; of two schedulers exactly one holds the lock and runs the jobs, once, and
the other takes over within seconds when the first is killed.
"""

from __future__ import annotations

import re
import shutil
import signal
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deploy_support import (
    REDIS_URL,
    SITE_CONF,
    VENV_BIN,
    casus_command,
    free_port,
    main_conf,
    nginx_binary,
    port_open,
    production_env,
    query,
    render_site,
    run_casus,
    self_signed_certificate,
    wait_for_port,
    wait_until,
)
from support import DEFAULT_PASSWORD

httpx = pytest.importorskip("httpx", reason="httpx is a test dependency: pip install -e '.[test]'")

pytestmark = pytest.mark.deploy

COOKIE = "__Host-casus_session"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
COOKIE_RE = re.compile(COOKIE + r"=([^;]+)")
RACE_ROUNDS = 3


@dataclass
class Deployment:
    database_url: str
    env: dict[str, str]
    ports: dict[str, int]                       # instance name (A, B) -> gunicorn port
    instances: dict[str, subprocess.Popen]
    https_url: str
    http_url: str
    tls: ssl.SSLContext
    data: dict
    nginx_prefix: Path                          # its configuration, logs and certificate

    def client(self) -> httpx.Client:
        """A browser-like client of nginx: TLS verified against the test's certificate, cookies kept."""
        return httpx.Client(base_url=self.https_url, verify=self.tls, timeout=15, follow_redirects=False)


# --- set-up ------------------------------------------------------------------------------------------------

def _bootstrap(url: str) -> dict:
    """A team with two procesregisseurs and a partner organisation, cases to race, write to and remind about,
    and API tokens — committed through the models and services (the migrations made the schema)."""
    from casus import create_app, testing_config
    from casus.auth.passwords import hash_password
    from casus.auth.tokens import create_token
    from casus.cases.categories import ensure_standard_categories
    from casus.extensions import db
    from casus.organisations.models import Organisation, OrganisationKind, Team
    from casus.users.models import Role, User, UserRole

    app = create_app(testing_config(database_url=url))
    try:
        with app.test_request_context():
            categories = ensure_standard_categories()
            zvh = Organisation(name="ZVH Uitrolregio", kind=OrganisationKind.ZVH, convenant_partner=True)
            politie = Organisation(name="Politie Uitrolregio", kind=OrganisationKind.POLITIE, convenant_partner=True)
            team = Team(name="Team Uitrol", gemeente="Uitrolstad", organisation=zvh)
            password_hash = hash_password(DEFAULT_PASSWORD)
            users = {}
            for key, name in (("regisseur", "Ria Regisseur"), ("collega", "Cor Collega"),
                              ("throttled", "Tom Tweede")):
                user = User(email=f"{key}@uitrol.example.org", name=name, organisation=zvh, team=team,
                            password_hash=password_hash)
                user.role_rows = [UserRole(role=Role("procesregisseur"))]
                users[key] = user
            db.session.add_all([zvh, politie, team, *users.values()])
            db.session.flush()
            data = {"category": categories["woonoverlast"].id, "team": team.id, "politie": politie.id,
                    "users": {key: {"id": user.id, "email": user.email, "name": user.name}
                              for key, user in users.items()},
                    "tokens": {key: create_token(users[key], days=1)[1] for key in ("regisseur", "collega")}}
            data["race_cases"] = [_add_case(data, f"Racecasus {n}") for n in range(RACE_ROUNDS)]
            data["notes_case"] = _add_case(data, "Schrijfcasus")
            data["review_cases"] = [_add_review_case(data)]
            db.session.commit()
        return data
    finally:
        _dispose(app)


def _add_case(data: dict, title: str, **fields) -> int:
    """A case of the team (in signalering unless ``fields`` say otherwise), reported by the police; needs an app
    context, does not commit."""
    import sqlalchemy as sa

    from casus.cases.models import Case, LegalBasis, Participation
    from casus.clock import today
    from casus.extensions import db
    from workflow import ParticipationRole

    number = db.session.execute(sa.select(sa.func.count(Case.id))).scalar_one() + 1
    case = Case(reference=f"2026-8{number:04d}", title=title, category_id=data["category"], team_id=data["team"],
                gemeente="Uitrolstad", aanbrenger_organisation_id=data["politie"],
                procesregisseur_id=data["users"]["regisseur"]["id"], signal_count=1, **fields)
    db.session.add(case)
    db.session.flush()
    db.session.add(Participation(case_id=case.id, organisation_id=data["politie"], role=ParticipationRole.AANBRENGER,
                                 legal_basis=LegalBasis.CONVENANT, joined_on=today()))
    db.session.flush()
    return case.id


def _add_review_case(data: dict) -> int:
    """A case in aanpak whose review date was yesterday: the ``review_due`` job owes its procesregisseur one
    notification (key ``review-due:case:<id>:<date>:user:<id>``)."""
    from casus.clock import today

    return _add_case(data, "Herbeoordeelcasus", phase="aanpak.uitvoering", next_review_on=today() - timedelta(days=1))


def _dispose(app) -> None:
    from casus.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at {REDIS_URL} is unreachable ({type(error).__name__}); set CASUS_CI_REDIS_URL")
    return client


def _wait_healthy(port: int, process: subprocess.Popen, processes) -> None:
    def healthy() -> bool:
        if process.poll() is not None:
            pytest.fail(f"gunicorn on {port} ended:\n{processes.output(process)[-4000:]}")
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(healthy, timeout=40, message=f"gunicorn on {port} to answer /healthz")


@pytest.fixture(scope="module")
def deployment(new_database, processes, tmp_path_factory):
    nginx = nginx_binary()
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (it makes the test's TLS certificate)")
    if not (VENV_BIN / "gunicorn").exists():
        pytest.skip(f"gunicorn is not installed in {VENV_BIN} (pip install -e '.[test,dev]')")
    redis_client = _redis_or_skip()
    redis_client.flushdb()

    url = new_database("casus_deploy")
    env = production_env(url, CASUS_REDIS_URL=REDIS_URL)
    run_casus("db", "upgrade", env=env)
    data = _bootstrap(url)

    ports = {"A": free_port(), "B": free_port()}
    instances = {
        name: processes.start(f"gunicorn-{name}", [
            str(VENV_BIN / "gunicorn"), "--workers", "2", "--threads", "2", "--bind", f"127.0.0.1:{port}",
            "--graceful-timeout", "5", "wsgi:app"], env=env)
        for name, port in ports.items()}
    for name, port in ports.items():
        _wait_healthy(port, instances[name], processes)

    prefix = tmp_path_factory.mktemp("nginx")
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / kind).mkdir(parents=True)
    certificate, key = self_signed_certificate(prefix)
    https_port, http_port = free_port(), free_port()
    site = prefix / "casus.conf"
    site.write_text(render_site(SITE_CONF.read_text(), https_port=https_port, http_port=http_port,
                                upstream_ports=[ports["A"], ports["B"]], certificate=certificate, key=key,
                                static_dir=_installed_static_dir(), access_log=prefix / "access.log"))
    conf = prefix / "nginx.conf"
    conf.write_text(main_conf(prefix, site))
    command = [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30, check=False)
    assert checked.returncode == 0, f"nginx -t refused the generated configuration:\n{checked.stderr}"
    front = processes.start("nginx", [*command, "-g", "daemon off;"], env=None)
    wait_for_port(https_port, front, processes)

    tls = ssl.create_default_context(cafile=str(certificate))
    yield Deployment(database_url=url, env=env, ports=ports, instances=instances,
                     https_url=f"https://localhost:{https_port}", http_url=f"http://localhost:{http_port}",
                     tls=tls, data=data, nginx_prefix=prefix)
    redis_client.flushdb()


def _installed_static_dir() -> Path:
    import casus

    return Path(casus.__file__).resolve().parent / "static"


# --- talking to one instance directly ----------------------------------------------------------------------

def direct(deployment: Deployment, instance: str, method: str, path: str, *, cookie: str | None = None,
           ip: str = "203.0.113.10", headers: dict | None = None, **kwargs) -> httpx.Response:
    """A request straight to one gunicorn instance, as nginx would forward it from client ``ip`` over TLS.

    The session cookie is sent by hand: a client's cookie jar keeps a Secure cookie off plain http.
    """
    port = deployment.ports[instance]
    sent = {"X-Forwarded-Proto": "https", "X-Forwarded-For": ip, "Referer": f"https://127.0.0.1:{port}{path}",
            **(headers or {})}
    if cookie:
        sent["Cookie"] = f"{COOKIE}={cookie}"
    return httpx.request(method, f"http://127.0.0.1:{port}{path}", headers=sent, timeout=15,
                         follow_redirects=False, **kwargs)


def session_cookie(response: httpx.Response) -> str:
    match = COOKIE_RE.search(response.headers.get("set-cookie", ""))
    assert match, f"no {COOKIE} cookie set (status {response.status_code})"
    return match.group(1)


def login_form(deployment: Deployment, instance: str, ip: str = "203.0.113.10") -> tuple[str, str]:
    """The browser session cookie and CSRF token of a fresh /inloggen form on ``instance``."""
    response = direct(deployment, instance, "GET", "/inloggen", ip=ip)
    assert response.status_code == 200
    return session_cookie(response), CSRF_RE.search(response.text).group(1)


def api(deployment: Deployment, instance: str, method: str, path: str, token: str, **kwargs) -> httpx.Response:
    return direct(deployment, instance, method, f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"},
                  **kwargs)


# --- a) one session, any instance --------------------------------------------------------------------------

def test_a_login_on_one_instance_is_valid_on_the_other_and_through_nginx(deployment):
    user = deployment.data["users"]["regisseur"]
    cookie, token = login_form(deployment, "A")
    response = direct(deployment, "A", "POST", "/inloggen", cookie=cookie,
                      data={"email": user["email"], "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.text[:2000]
    assert "Secure" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]
    logged_in = session_cookie(response)
    for instance in ("B", "A"):
        page = direct(deployment, instance, "GET", "/", cookie=logged_in)
        assert page.status_code == 200, f"instance {instance}: {page.status_code} {page.headers.get('location')}"
        assert user["name"] in page.text

    # The same through nginx, the way a browser does it; then that session on each instance directly.
    with deployment.client() as browser:
        form = browser.get("/inloggen")
        assert form.status_code == 200
        response = browser.post("/inloggen", headers={"Referer": f"{deployment.https_url}/inloggen"}, data={
            "email": user["email"], "password": DEFAULT_PASSWORD, "csrf_token": CSRF_RE.search(form.text).group(1)})
        assert response.status_code == 302, response.text[:2000]
        for _ in range(4):  # round robin: both instances answer
            page = browser.get("/")
            assert page.status_code == 200 and user["name"] in page.text
        through_nginx = browser.cookies[COOKIE]
        for instance in ("A", "B"):
            assert user["name"] in direct(deployment, instance, "GET", "/", cookie=through_nginx).text

        # Logging out through nginx ends the session on the server: no instance accepts it any more.
        token = CSRF_RE.search(browser.get("/").text).group(1)
        response = browser.post("/uitloggen", headers={"Referer": f"{deployment.https_url}/"},
                                data={"csrf_token": token})
        assert response.status_code in (302, 303)
    for instance in ("A", "B"):
        page = direct(deployment, instance, "GET", "/", cookie=through_nginx)
        assert page.status_code == 302 and "/inloggen" in page.headers["location"]


def test_a_nginx_front_door(deployment):
    """HTTP → HTTPS, static files with long cache headers, the app's security headers through the proxy, the
    body limit, /metrics hidden, unknown host names refused."""
    redirect = httpx.get(f"{deployment.http_url}/inloggen?x=1", follow_redirects=False, timeout=10)
    assert redirect.status_code == 301
    assert redirect.headers["location"] == "https://localhost/inloggen?x=1"

    with deployment.client() as browser:
        css = browser.get("/static/css/casus.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert "immutable" in css.headers["cache-control"] and "max-age=2592000" in css.headers["cache-control"]
        assert "expires" in css.headers

        page = browser.get("/inloggen")
        assert "max-age=" in page.headers["strict-transport-security"]  # Casus saw https (X-Forwarded-Proto)
        assert "default-src" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"
        assert re.fullmatch(r"[0-9a-f]{32}", page.headers["x-request-id"])  # nginx's $request_id, kept by Casus

        assert browser.get("/metrics").status_code == 404
        too_big = browser.post("/inloggen", content=b"x" * (2 * 1024 * 1024 + 1),
                               headers={"Content-Type": "application/octet-stream"})
        assert too_big.status_code == 413

    with pytest.raises(httpx.RemoteProtocolError):  # `return 444`: the connection is closed unanswered
        httpx.get(deployment.http_url.replace("localhost", "127.0.0.1"), headers={"Host": "elders.example"},
                  timeout=10)


# --- b) throttling counts across instances -----------------------------------------------------------------

def test_b_failed_logins_on_both_instances_count_together(deployment):
    user = deployment.data["users"]["throttled"]
    ip = "198.51.100.23"
    limit = 5  # CASUS_LOGIN_ATTEMPTS_PER_MINUTE's default
    cookie, token = login_form(deployment, "A", ip=ip)
    for attempt in range(limit):
        instance = "AB"[attempt % 2]
        response = direct(deployment, instance, "POST", "/inloggen", cookie=cookie, ip=ip, data={
            "email": user["email"], "password": "fout-wachtwoord", "csrf_token": token})
        assert response.status_code == 200, f"attempt {attempt + 1} on {instance}: {response.status_code}"
        assert "Onbekende combinatie" in response.text
    # Three failures went to A and two to B; each alone is under the limit, together they reach it: even the
    # right password is refused now, on either instance.
    for instance in ("B", "A"):
        response = direct(deployment, instance, "POST", "/inloggen", cookie=cookie, ip=ip, data={
            "email": user["email"], "password": DEFAULT_PASSWORD, "csrf_token": token})
        assert response.status_code == 429, f"{instance}: {response.status_code}"
        assert "Te veel mislukte pogingen" in response.text
    counters = _redis_or_skip().keys("casus:login-fail:*")
    assert counters, "the failures were not counted in Redis"
    assert not any(user["email"].encode() in key for key in counters)  # hashed, not in clear


# --- c) one winner for a raced transition ------------------------------------------------------------------

def _race(deployment: Deployment, case_id: int, version: int) -> dict[str, int]:
    """The same step with the same version, one request through instance A and one through B, released together
    by a barrier; the status each answered."""
    tokens = deployment.data["tokens"]
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def fire(instance: str, token: str) -> None:
        barrier.wait(timeout=10)
        response = api(deployment, instance, "POST", f"/cases/{case_id}/transitions", token, json={
            "trigger": "start_triage", "reason": f"Via instantie {instance}", "version": version})
        statuses[instance] = response.status_code

    threads = [threading.Thread(target=fire, args=("A", tokens["regisseur"])),
               threading.Thread(target=fire, args=("B", tokens["collega"]))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return statuses


def test_c_transition_raced_through_both_instances_has_one_winner(deployment):
    token = deployment.data["tokens"]["regisseur"]
    for case_id in deployment.data["race_cases"]:
        version = api(deployment, "A", "GET", f"/cases/{case_id}", token).json()["version"]
        statuses = _race(deployment, case_id, version)
        assert sorted(statuses.values()) == [201, 409], statuses
        logged = query(deployment.database_url, "SELECT allowed FROM transition_log WHERE case_id = %s",
                       (case_id,))
        assert logged == [(True,)]
        assert query(deployment.database_url, "SELECT phase, version FROM cases WHERE id = %s",
                     (case_id,)) == [("triage", version + 1)]


# --- e) two schedulers, one lock ---------------------------------------------------------------------------

def _make_jobs_due(app) -> None:
    """Put every job of the registry in the store with a run time a minute ago — as after a short outage.

    A scheduler that starts (or takes over) finds them due and runs each once at once (``coalesce``). The
    store is changed through APScheduler itself, on a scheduler that never processes jobs: paused, and with
    its processing step switched off, because a stopping scheduler's thread wakes once more and would mark
    every due job as done (it cannot submit them to its stopped executor, but moves their run time on).
    """
    from casus.scheduling.jobs import registry
    from casus.scheduling.runner import JOB_ID_PREFIX, build_scheduler, execute

    scheduler = build_scheduler(app)
    scheduler._process_jobs = lambda: None
    scheduler.start(paused=True)
    try:
        due = datetime.now(UTC) - timedelta(minutes=1)
        for name, spec in registry().items():
            job_id = JOB_ID_PREFIX + name
            if scheduler.get_job(job_id) is None:
                scheduler.add_job(execute, spec.trigger(), args=[name], id=job_id, name=name)
            scheduler.modify_job(job_id, next_run_time=due)
    finally:
        scheduler.shutdown(wait=False)


def _lock_holders(url: str) -> int:
    from casus.scheduling.locks import ADVISORY_LOCK_KEY

    return query(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0 "
                      "AND objid = %s AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                 (ADVISORY_LOCK_KEY,))[0][0]


def _due_jobs(url: str) -> int:
    return query(url, "SELECT count(*) FROM apscheduler_jobs WHERE next_run_time <= extract(epoch FROM now())")[0][0]


def _review_notifications(url: str, case_id: int) -> int:
    return query(url, "SELECT count(*) FROM notifications WHERE key LIKE %s", (f"review-due:case:{case_id}:%",))[0][0]


JOB_LINE = re.compile(r"job (\w+) (?:done|failed)")
RUNNING = "Scheduler draait"


def _runs(output: str, job: str) -> int:
    return sum(1 for name in JOB_LINE.findall(output) if name == job)


def test_e_two_schedulers_one_lock_jobs_once_and_takeover(deployment, processes):
    from casus import create_app, testing_config
    from casus.extensions import db
    from casus.scheduling.locks import WAITING_MESSAGE

    url, data = deployment.database_url, deployment.data
    app = create_app(testing_config(database_url=url))
    try:
        _make_jobs_due(app)
        command = [*casus_command(), "scheduler", "--retry-seconds", "1"]
        schedulers = [processes.start(f"scheduler-{n}", command, env=deployment.env) for n in (1, 2)]

        def settled():
            outputs = [processes.output(process) for process in schedulers]
            for process, output in zip(schedulers, outputs, strict=True):
                assert process.poll() is None, f"a scheduler ended:\n{output[-3000:]}"
            return sorted((RUNNING in output, WAITING_MESSAGE in output) for output in outputs) == [
                (False, True), (True, False)]

        wait_until(settled, timeout=40, message="one scheduler running and one waiting")
        holder, waiter = sorted(schedulers, key=lambda process: RUNNING not in processes.output(process))
        first_case = data["review_cases"][0]
        wait_until(lambda: _review_notifications(url, first_case), timeout=30, message="the review_due run")
        wait_until(lambda: _due_jobs(url) == 0, timeout=30, message="every due job to have run")
        time.sleep(1)  # room for a second run, if there were one
        assert _lock_holders(url) == 1
        assert _runs(processes.output(holder), "review_due") == 1, processes.output(holder)[-3000:]
        assert JOB_LINE.findall(processes.output(waiter)) == [], processes.output(waiter)[-3000:]
        assert _review_notifications(url, first_case) == 1

        # A new case is due for review; the jobs are due again — and the running scheduler is killed at once,
        # before it wakes up (it sleeps until the next whole minute; stay clear of one).
        with app.test_request_context():
            second_case = _add_review_case(data)
            db.session.commit()
        wait_until(lambda: 2 <= datetime.now().second <= 55, timeout=20, interval=0.5, message="mid-minute")
        _make_jobs_due(app)
        processes.kill(holder)
        killed = time.monotonic()

        wait_until(lambda: RUNNING in processes.output(waiter), timeout=30, message="the waiting scheduler")
        takeover = time.monotonic() - killed
        assert takeover < 15, f"takeover took {takeover:.1f} s"
        assert "lock acquired" in processes.output(waiter)
        wait_until(lambda: _review_notifications(url, second_case), timeout=30, message="the survivor's run")
        wait_until(lambda: _due_jobs(url) == 0, timeout=30, message="every due job to have run again")
        time.sleep(1)
        assert _lock_holders(url) == 1
        assert _runs(processes.output(waiter), "review_due") == 1, processes.output(waiter)[-3000:]
        assert _review_notifications(url, first_case) == 1 and _review_notifications(url, second_case) == 1
        processes.kill(waiter, signal.SIGTERM)  # stops cleanly, releasing the lock
    finally:
        _dispose(app)


# --- d) losing an instance ---------------------------------------------------------------------------------

def test_d_killing_an_instance_loses_no_acknowledged_write(deployment, processes):
    case_id, token = deployment.data["notes_case"], deployment.data["tokens"]["regisseur"]
    results: list[tuple[str, int | None, float]] = []  # (text, status or None, monotonic start)
    stop = threading.Event()

    def write(writer: int) -> None:
        with deployment.client() as client:
            number = 0
            while not stop.is_set():
                number += 1
                text = f"Notitie {writer}-{number}"
                started = time.monotonic()
                try:
                    status = client.post(f"/api/v1/cases/{case_id}/notes", headers={
                        "Authorization": f"Bearer {token}"}, json={"text": text, "visibility": "alle_deelnemers"},
                        ).status_code
                except httpx.HTTPError:
                    status = None
                results.append((text, status, started))

    writers = [threading.Thread(target=write, args=(n,)) for n in (1, 2)]
    for thread in writers:
        thread.start()
    try:
        wait_until(lambda: sum(status == 201 for _t, status, _s in results) >= 20, timeout=30,
                   message="writes through nginx")
        processes.kill(deployment.instances["A"])  # SIGKILL to master and workers at once
        wait_until(lambda: not port_open(deployment.ports["A"]), timeout=10, message="instance A's port to close")
        killed = time.monotonic()
        wait_until(lambda: sum(started > killed for _t, _s, started in results) >= 30, timeout=30,
                   message="writes after the kill")
    finally:
        stop.set()
        for thread in writers:
            thread.join(30)

    stored = {text for (text,) in query(deployment.database_url, "SELECT text FROM notes WHERE case_id = %s",
                                        (case_id,))}
    acknowledged = [text for text, status, _started in results if status == 201]
    lost = [text for text in acknowledged if text not in stored]
    assert not lost, f"acknowledged but not stored: {lost}"
    after = [status for _text, status, started in results if started > killed]
    assert after and all(status == 201 for status in after), f"after the kill: {after}"
    failed = [(text, status) for text, status, _started in results if status != 201]
    assert len(failed) <= len(writers), f"more failures than requests in flight at the kill: {failed}"
    with deployment.client() as client:
        assert client.get("/healthz").status_code == 200
