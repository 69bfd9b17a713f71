"""The benchmark machinery (``python -m benchmarks``) at tiny scale, in-process, so it cannot rot.

50 seeded cases on a SQLite file, the scenario, the SQL counts, the daily sweep, the real login form and
CSRF through HTTP (a threaded werkzeug server instead of gunicorn, to stay fast), 2 clients for 1 s per
endpoint, the page-200 cursor against the app's own "next" links, and the Markdown report. The list floor
(benchmarks/list_floor.py) runs under real gunicorn on the same seeded file, and the report renders both floor
ratios and the comparison between two sizes.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import replace

import pytest


@pytest.fixture(scope="module")
def bench_app(tmp_path_factory):
    from casus import create_app
    from casus.extensions import db
    from casus_seed.seed import seed

    path = tmp_path_factory.mktemp("bench") / "casus.db"
    app = create_app({"env": "production", "database_url": f"sqlite:///{path}",
                      "secret_key": secrets.token_urlsafe(40), "secure_cookies": False,
                      "instance_path": str(path.parent)})
    with app.app_context():
        db.create_all()
        seed(50, 3)
        db.session.commit()
        db.engine.dispose()
    return app


@pytest.fixture(scope="module")
def server(bench_app):
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, bench_app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def _token(app, email):
    from casus.auth.services import find_user_by_email
    from casus.auth.tokens import create_token
    from casus.extensions import db

    with app.app_context():
        _row, plain = create_token(find_user_by_email(email), days=1, name="benchmark")
        db.session.commit()
    return plain


def test_benchmark_machinery_end_to_end(bench_app, server, tmp_path_factory):
    from benchmarks import report, scenario
    from benchmarks.client import Client, drive
    from casus_seed.region import SEED_PASSWORD

    chosen = scenario.build_scenario(bench_app)
    names = [endpoint.name for endpoint in chosen.endpoints]
    assert "case list p200 (partner)" in names and "API case list (partner token)" in names
    assert chosen.partner_cases > 0 and chosen.procesregisseur_cases > 0

    sweep = scenario.time_sweep(bench_app)
    assert sweep and "send_emails" not in sweep and "audit_verify" not in sweep and "report_rollup" not in sweep
    rollup = scenario.time_rollup(bench_app)  # the reports page below reads it, as in production
    assert rollup is not None and rollup > 0

    token = _token(bench_app, chosen.partner_email)
    in_process = scenario.measure_in_process(bench_app, chosen, password=SEED_PASSWORD, token=token, repeats=2)
    for endpoint in chosen.endpoints:
        if endpoint.missing or (endpoint.pool is not None and endpoint.name not in in_process):
            continue
        measured = in_process[endpoint.name]
        assert measured["queries"] > 0, endpoint.name
        assert measured["status"] in endpoint.expect, (endpoint.name, measured["status"])

    groups = {}
    for group, email in (("partner", chosen.partner_email), ("procesregisseur", chosen.procesregisseur_email)):
        client = Client(server)
        client.login(email, SEED_PASSWORD)
        client.read_csrf("/signalen/nieuw")
        twin = Client(server)  # a second client on the same session: one argon2 login less
        twin.cookies, twin.csrf = dict(client.cookies), client.csrf
        groups[group] = [client, twin]
    if chosen.supervisor_email:  # the reports page: a supervisor logs in with a second factor
        supervisor = Client(server)
        supervisor.login(chosen.supervisor_email, SEED_PASSWORD,
                         scenario.prepare_second_factor(bench_app, chosen.supervisor_email))
        groups["supervisor"] = [supervisor, supervisor.twin()]
    groups["api"] = [Client(server, bearer=token) for _ in range(2)]

    rows = [{"name": "floor (bare Flask)", "p50": 1.0, "p95": 2.0, "p99": 3.0, "rps": 1000.0, "errors": 0,
             "queries": 0, "ratio": 1.0, "list_ratio": 4.0},
            {"name": "list floor (Flask + SQLAlchemy, 25 rows)", "p50": 4.0, "p95": 8.0, "p99": 9.0, "rps": 250.0,
             "errors": 0, "queries": 1, "single_ms": 2.0, "ratio": 0.25, "list_ratio": 1.0}]
    for endpoint in chosen.endpoints:
        if endpoint.missing:
            rows.append({"name": endpoint.name, "missing": endpoint.missing})
            continue
        measured = drive(groups[endpoint.group], endpoint.spec(), duration=0.3)
        statuses = set(measured["statuses"])
        assert statuses <= {str(status) for status in endpoint.expect} | {"503"}, (endpoint.name, statuses)
        if endpoint.pool is None:
            assert measured["requests"] > 0, endpoint.name
        rows.append({"name": endpoint.name, "note": endpoint.note, "target": endpoint.target, **measured,
                     **in_process.get(endpoint.name, {}), "ratio": 0.125, "list_ratio": 0.5})
    missing = {row["name"]: row["missing"] for row in rows if row.get("missing")}
    assert not missing, missing  # the meeting agenda and the reports are measured too
    read_only = [row for row in rows if row["name"].startswith(("dashboard", "case list", "API", "meeting", "reports"))]
    assert read_only and all(row["errors"] == 0 for row in read_only)

    results = {"machine": {"cpus": 2, "cpu": "test", "memory_gb": 1, "python": "3", "system": "test"},
               "started": "now", "arguments": {"cases": 50, "clients": 2, "duration": 0.5, "workers": 1, "seed": 3},
               "backends": [{"backend": "sqlite", "cases": 50, "clients": 2, "duration": 0.5, "workers": 1,
                             "scenario": {"partner": chosen.partner_email, "partner_organisation": "x",
                                          "partner_cases": 1, "procesregisseur": "y", "procesregisseur_team": "z",
                                          "procesregisseur_cases": 1, "surname": chosen.surname, "notes": []},
                             "rows": rows, "sweep": sweep, "rollup_seconds": rollup,
                             "load_before": (0, 0, 0), "load_after": (0, 0, 0)}]}
    chain = scenario.time_audit_chain(bench_app)  # the seed's events and the run's, none linked in scheduled mode
    assert chain["linked"] == chain["chain_length"] > 0 and chain["findings"] == 0
    results["backends"][0]["audit_chain"] = {"modes": ["scheduled", "inline"], **chain}
    markdown = report.render(results)
    assert "| case file (partner) |" in markdown and "daily sweep" in markdown
    assert "One refresh of the reports' rollup" in markdown
    assert "Audit chain (CASUS_AUDIT_CHAIN scheduled vs inline): linking the" in markdown
    assert "| × floor | × list floor |" in markdown
    assert re.search(r"\| floor \(bare Flask\) \|[^\n]*\| 1\.00 \| 4\.00 \| 0 \|", markdown)
    assert re.search(r"\| list floor \(Flask \+ SQLAlchemy, 25 rows\) \|[^\n]*\| 0\.25 \| 1\.00 \|", markdown)
    assert re.search(r"\| case file \(partner\) \|[^\n]*\| 0\.12 \| 0\.50 \|", markdown)
    # the second round's endpoints and targets: search by postcode and BSN, agenda, reports, the list floor share
    for name in ("search name (partner)", "search postcode (partner)", "search BSN (procesregisseur)"):
        assert f"| {name} |" in markdown, name
    for label in ("search by BSN p95 ≤ 100 ms (procesregisseur)", "meeting agenda (30 items) p95 ≤ 75 ms",
                  "reports page p95 ≤ 250 ms (supervisor)", "procesregisseur dashboard p95 ≤ 75 ms"):
        assert f"| {label} |" in markdown, label
    assert "| case file (partner) throughput ≥ 0.5× the list floor | 0.50× | ✅ yes |" in markdown
    assert "Cost at" not in markdown  # no earlier run to compare with
    _renders_the_size_comparison(results, tmp_path_factory.mktemp("compare"))


def _renders_the_size_comparison(results, directory):
    """An earlier run's --json at another size: per endpoint the in-process cost ratio, against the target."""
    import copy
    import json

    from benchmarks import report, scaling

    small = copy.deepcopy(results)
    path = directory / "small.json"
    path.write_text(json.dumps(small, default=str))
    big = copy.deepcopy(results)
    big["backends"][0]["cases"] = 500
    for row in big["backends"][0]["rows"]:
        if row.get("single_ms") is not None:
            row["single_ms"] *= 1.1 if row["name"].startswith("case list") else 2.0
    scaling.attach(big, scaling.baseline(path))
    markdown = report.render(big)
    assert "#### Cost at 500 cases against 50" in markdown
    assert "| 1 client ms at 50 | at 500 | ratio | target ≤ 1.2× |" in markdown
    assert re.search(r"\| case list p1 \(partner\) \| [\d.]+ \| [\d.]+ \| 1\.10× \| ✅ \|", markdown)
    assert re.search(r"\| case file \(partner\) \| [\d.]+ \| [\d.]+ \| 2\.00× \| ❌ \|", markdown)
    assert re.search(r"\| list floor [^\n]*\| 2\.00× \| ❌ \|", markdown)
    assert "Casus endpoints with an in-process time cost at most 1.2× at 500 cases what they cost at 50." in markdown
    # both runs in one report (--merge small.json big.json --compare-json small.json): only the bigger is compared
    both = {**big, "backends": copy.deepcopy(small["backends"]) + big["backends"]}
    scaling.attach(both, scaling.baseline(path))
    assert [("compare" in backend) for backend in both["backends"]] == [False, True]


def test_each_chain_mode_gets_its_own_share_of_the_write_inputs():
    from benchmarks.run import share_pools, with_mode
    from benchmarks.scenario import Endpoint

    transition = Endpoint("transition POST", "procesregisseur", method="POST", pool=list(range(7)))
    page = Endpoint("case list", "partner", path="/casussen")
    later = share_pools([page, transition], 2)
    assert transition.pool == [0, 2, 4, 6] and later == [[[1, 3, 5]]]
    assert with_mode(transition, ["scheduled", "inline"]) == "transition POST [chain scheduled]"
    assert with_mode(page, ["scheduled", "inline"]) == "case list"
    assert with_mode(transition, ["scheduled"]) == "transition POST"


def test_page_cursor_matches_the_apps_next_links(bench_app):
    """The benchmark builds the page-200 cursor with one OFFSET; it must equal what walking the pages gives."""
    from benchmarks import scenario
    from benchmarks.scenario import _TestClient
    from casus.extensions import db
    from casus.users.models import User
    from casus_seed.region import SEED_PASSWORD

    chosen = scenario.build_scenario(bench_app)
    configured = bench_app.config["CASUS"]
    bench_app.config["CASUS"] = replace(configured, cases_page_size=5)
    try:
        client = _TestClient(bench_app, chosen.procesregisseur_email, SEED_PASSWORD)
        cursor = None
        for _page in range(2):
            body = client.send("GET", f"/casussen?na={cursor}" if cursor else "/casussen", None).get_data(as_text=True)
            cursor = re.search(r'href="[^"]*[?&]na=([^"&]+)"', body).group(1)
        with bench_app.app_context():
            user = db.session.execute(db.select(User).where(User.email == chosen.procesregisseur_email)).scalar_one()
            expected, page = scenario.page_cursor(user, 3, 5)
            db.engine.dispose()
        assert page == 3
        assert expected == cursor
    finally:
        bench_app.config["CASUS"] = configured


def test_results_section_is_replaced_between_markers(tmp_path):
    from benchmarks import report

    path = tmp_path / "PERFORMANCE.md"
    path.write_text("# Performance\n\nIntro.\n")
    report.write_section(path, "first")
    report.write_section(path, "second")
    text = path.read_text()
    assert text.startswith("# Performance\n\nIntro.")
    assert "second" in text and "first" not in text
    assert text.count(report.BEGIN) == 1 and text.count(report.END) == 1


def test_list_floor_serves_the_case_list_under_gunicorn(bench_app, tmp_path):
    """The second floor on the seeded file: real gunicorn, 25 rows a page in Casus's default order, the next
    page through its cursor, and the same page in-process."""
    import urllib.request

    import sqlalchemy as sa

    from benchmarks import list_floor
    from benchmarks.run import Gunicorn, app_env
    from casus.cases.models import Case
    from casus.extensions import db

    url = bench_app.config["CASUS"].database_url
    with bench_app.app_context():
        expected = list(db.session.execute(
            sa.select(Case.id).order_by(Case.updated_at.desc(), Case.id.desc())).scalars())
        db.engine.dispose()
    assert len(expected) == 50

    def ids(page: str) -> list[int]:
        return [int(number) for number in re.findall(r'<th scope="row"><a href="/casussen/(\d+)">', page)]

    server = Gunicorn("benchmarks.list_floor:create_app()", app_env(url, "x" * 40), 2, "/",
                      tmp_path / "list-floor.log")
    try:
        with urllib.request.urlopen(server.base_url + "/", timeout=10) as response:
            first = response.read().decode()
        assert list_floor.rows_on(first) == list_floor.PAGE_SIZE == 25
        assert ids(first) == expected[:25]
        cursor = re.search(r'href="/\?na=([^"]+)"', first).group(1)
        with urllib.request.urlopen(f"{server.base_url}/?na={cursor}", timeout=10) as response:
            second = response.read().decode()
        assert ids(second) == expected[25:50]
        assert 'rel="next"' not in second
    finally:
        server.stop()

    measured = list_floor.time_in_process(url, repeats=3)
    assert measured["rows"] == 25 and measured["single_ms"] > 0


def test_no_load_measures_in_process_only_through_the_command_line(tmp_path):
    """``python -m benchmarks --no-load`` (what the 1,000,000-case comparison needs): migrate, seed, sweep and the
    in-process numbers, no gunicorn; a second run on the kept database (``--reuse``) migrates it again and reuses it."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "benchmarks", "--databases", "sqlite", "--cases", "30", "--seed", "3",
               "--no-load", "--repeats", "2", "--workdir", str(tmp_path / "work")]
    first = subprocess.run([*command, "--json", str(tmp_path / "first.json")], cwd=root, capture_output=True,
                           text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    backend = json.loads((tmp_path / "first.json").read_text())["backends"][0]
    measured = {row["name"]: row for row in backend["rows"] if not row.get("missing")}
    assert measured["case file (partner)"]["single_ms"] > 0 and "p95" not in measured["case file (partner)"]
    assert backend["seed_seconds"] > 0 and backend["sweep"]
    earlier = json.loads((tmp_path / "first.json").read_text())  # as if the first run had been a smaller one
    earlier["backends"][0]["cases"] = 10
    (tmp_path / "first.json").write_text(json.dumps(earlier))
    second = subprocess.run([*command, "--reuse", "--compare-json", str(tmp_path / "first.json")], cwd=root,
                            capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "sqlite: migrating" in second.stderr and "seeding" not in second.stderr
    assert "#### Cost at 30 cases against 10" in second.stdout
    assert re.search(r"\| case file \(partner\) \| – \| – \| – \| – \|", second.stdout)
