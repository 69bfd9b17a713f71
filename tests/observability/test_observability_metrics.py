"""GET /metrics: what it measures, who may read it (configured networks or the bearer token; everyone else the same
404 as a page that does not exist), not in the OpenAPI document; the scheduler's own port; multiprocess mode."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

TOKEN = "m" * 40
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.7"}


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture(scope="module")
def token_app(app_config):
    """An app on the test database with a metrics token and only 10.0.0.0/8 allowed by address."""
    from casus import create_app

    return create_app(replace(app_config, metrics_token=TOKEN, metrics_allowed_networks=("10.0.0.0/8",)))


def test_an_allowed_caller_gets_the_metrics_without_logging_in(client, db):
    before = sample("casus_http_request_duration_seconds_count", method="GET", route="/healthz", status="200")
    assert client.get("/healthz?naam=Jansen").status_code == 200
    response = client.get("/metrics")  # the test client calls from 127.0.0.1, in the default networks
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "# TYPE casus_http_request_duration_seconds histogram" in text
    assert 'casus_http_request_duration_seconds_bucket{le="0.1",method="GET",route="/healthz",status="200"}' in text
    assert "Jansen" not in text  # labels are route templates, never paths or query strings
    assert sample("casus_http_request_duration_seconds_count", method="GET", route="/healthz", status="200") == \
        before + 1
    for name in ("casus_email_queue_length", "casus_email_retrying", "casus_database_up 1.0",
                 "casus_db_pool_size", "casus_db_pool_checked_out"):
        assert name in text, name
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_a_caller_from_elsewhere_gets_the_plain_404_of_a_missing_page(client, db):
    def fresh():  # a new visitor each time: the first answer to a visitor also sets the session cookie
        visitor = client.application.test_client()
        visitor.environ_base.update(client.environ_base)
        return visitor

    hidden = fresh().get("/metrics", environ_base=ELSEWHERE)
    missing = fresh().get("/bestaat-niet", environ_base=ELSEWHERE)
    assert hidden.status_code == missing.status_code == 404

    def page(response, path):  # the page names its own path (the language switch) and a fresh CSRF token
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", response.get_data(as_text=True)
                      ).replace(f'value="{path}"', 'value="PATH"')

    assert page(hidden, "/metrics") == page(missing, "/bestaat-niet")
    assert set(hidden.headers.keys()) == set(missing.headers.keys())
    assert hidden.mimetype == missing.mimetype == "text/html"
    # Any token is refused when none is configured (an empty CASUS_METRICS_TOKEN never matches).
    assert client.get("/metrics", environ_base=ELSEWHERE, headers={"Authorization": "Bearer "}).status_code == 404


def test_the_bearer_token_opens_it_from_anywhere(token_app):
    client = token_app.test_client()
    assert client.get("/metrics").status_code == 404  # 127.0.0.1 is not in this app's networks
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.get("/metrics", environ_base=ELSEWHERE,
                      headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    for wrong in (f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer"):
        assert client.get("/metrics", environ_base=ELSEWHERE, headers={"Authorization": wrong}).status_code == 404
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_a_request_through_an_untrusted_proxy_needs_the_token(client, db):
    """nginx on the same machine without CASUS_PROXY_FIX_HOPS: every visitor would seem to come from 127.0.0.1."""
    assert client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 404


def test_ipv6_loopback_and_mapped_addresses(client, db):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::ffff:203.0.113.7"}).status_code == 404


def test_metrics_are_not_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_data(as_text=True)
    assert "/metrics" not in document and "readyz" not in document


def test_network_configuration(tmp_path):
    from casus.config import Config, ConfigError

    def config(**environ):
        return Config.from_env({"CASUS_ENV": "testing", "CASUS_INSTANCE_PATH": str(tmp_path), **environ})

    assert config().metrics_allowed_networks == ("127.0.0.1/32", "::1/128")
    assert config(CASUS_METRICS_ALLOWED_NETWORKS="10.0.0.0/8, 192.168.1.5").metrics_allowed_networks == (
        "10.0.0.0/8", "192.168.1.5/32")
    assert config(CASUS_METRICS_ALLOWED_NETWORKS="none").metrics_allowed_networks == ()
    with pytest.raises(ConfigError, match="CASUS_METRICS_ALLOWED_NETWORKS"):
        config(CASUS_METRICS_ALLOWED_NETWORKS="10.0.0.0/33")
    with pytest.raises(ConfigError, match="CASUS_METRICS_TOKEN"):
        config(CASUS_METRICS_TOKEN="short")


# --- the scheduler ---------------------------------------------------------------------------------------------

def _probe_job(app, now):
    return 3


def _failing_probe_job(app, now):
    raise ValueError("Jan Jansen")


def test_job_runs_failures_and_last_success_are_counted(app, caplog):
    from casus.scheduling.jobs import JobSpec
    from casus.scheduling.runner import run_job

    runs = sample("casus_scheduler_job_runs_total", job="probe")
    assert run_job(app, JobSpec("probe", "test_observability_metrics:_probe_job")) == 3
    assert sample("casus_scheduler_job_runs_total", job="probe") == runs + 1
    assert sample("casus_scheduler_job_failures_total", job="probe") == 0
    assert sample("casus_scheduler_job_last_success_timestamp_seconds", job="probe") > 1_700_000_000
    assert run_job(app, JobSpec("probe_fails", "test_observability_metrics:_failing_probe_job")) is None
    assert sample("casus_scheduler_job_failures_total", job="probe_fails") >= 1
    assert sample("casus_scheduler_job_last_success_timestamp_seconds", job="probe_fails") == 0
    done = next(record for record in caplog.records if getattr(record, "job", None) == "probe")
    assert (done.outcome, done.result) == ("success", 3) and done.duration_ms >= 0
    failed = next(record for record in caplog.records if getattr(record, "job", None) == "probe_fails")
    assert (failed.outcome, failed.exc_type) == ("failure", "ValueError")
    assert "Jansen" not in caplog.text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_scheduler_serves_its_metrics_on_loopback(app):
    from casus.metrics import serve_scheduler_metrics
    from casus.scheduling.jobs import JobSpec
    from casus.scheduling.runner import run_job

    run_job(app, JobSpec("probe", "test_observability_metrics:_probe_job"))
    server = serve_scheduler_metrics(_free_port())
    try:
        assert server.server_address[0] == "127.0.0.1"
        url = f"http://127.0.0.1:{server.server_address[1]}/metrics"
        text = urllib.request.urlopen(url, timeout=10).read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert 'casus_scheduler_job_runs_total{job="probe"}' in text
    assert "casus_email_send_failures_total" in text


def test_the_scheduler_command_reads_its_port_from_the_environment(tmp_path):
    from casus.config import Config, ConfigError

    config = Config.from_env({"CASUS_ENV": "testing", "CASUS_INSTANCE_PATH": str(tmp_path),
                              "CASUS_SCHEDULER_METRICS_PORT": "9464"})
    assert config.scheduler_metrics_port == 9464
    with pytest.raises(ConfigError, match="CASUS_SCHEDULER_METRICS_PORT"):
        Config.from_env({"CASUS_ENV": "testing", "CASUS_INSTANCE_PATH": str(tmp_path),
                         "CASUS_SCHEDULER_METRICS_PORT": "70000"})


# --- several gunicorn workers ------------------------------------------------------------------------------------

def test_multiprocess_mode_adds_up_the_workers(tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR every process writes its values there and /metrics reads them all."""
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    script = textwrap.dedent(f"""
        import sys
        from casus import create_app, testing_config
        from casus.extensions import db

        app = create_app(testing_config(database_url="sqlite:///{tmp_path / 'mp.db'}", instance_path="{tmp_path}"))
        with app.app_context():
            db.create_all()
        client = app.test_client()
        for _ in range(int(sys.argv[1])):
            client.get("/healthz")
        if sys.argv[2] == "scrape":
            print(client.get("/metrics").get_data(as_text=True))
    """)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir), "PYTHONPATH": str(root)}

    def run(*args) -> str:
        result = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True,
                                timeout=120, cwd=tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    run("2", "quiet")  # another "worker", already gone
    text = run("3", "scrape")
    assert any(metrics_dir.iterdir())
    line = next(line for line in text.splitlines()
                if line.startswith("casus_http_request_duration_seconds_count{") and 'route="/healthz"' in line)
    assert float(line.rsplit(" ", 1)[1]) == 5.0


def test_casus_scheduler_starts_the_metrics_server_only_when_a_port_is_configured(app_config, monkeypatch):
    from casus import create_app
    from casus.scheduling import runner

    started: list[int] = []
    monkeypatch.setattr(runner.metrics, "serve_scheduler_metrics", started.append)
    monkeypatch.setattr(runner, "run_scheduler", lambda app, **kwargs: 0)
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        for port in (0, 9464):
            app = create_app(replace(app_config, scheduler_metrics_port=port))
            result = app.test_cli_runner().invoke(runner.scheduler_command)
            assert result.exit_code == 0, result.output
    finally:
        for signum, handler in handlers.items():  # the command installs its own stop handlers
            signal.signal(signum, handler)
    assert started == [9464]


def test_the_gunicorn_settings_keep_the_access_log_off_and_reset_the_metrics_directory(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from casus import gunicorn_conf

    assert gunicorn_conf.accesslog is None
    directory = tmp_path / "prometheus"
    directory.mkdir()
    (directory / "counter_123.db").write_bytes(b"old run")
    (directory / "keep.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    gunicorn_conf.on_starting(server=None)
    assert sorted(path.name for path in directory.iterdir()) == ["keep.txt"]
    gunicorn_conf.child_exit(server=None, worker=SimpleNamespace(pid=123))  # marks a dead worker's gauges
