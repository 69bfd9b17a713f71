"""In-process work on a seeded database: pick the users and inputs, count SQL statements, time the sweep.

Everything here runs in the benchmark's own process with an app built on the benchmark database (never
under load): it chooses who logs in and what they request, counts the statements each endpoint sends
(one request with the Flask test client and a ``before_cursor_execute`` counter), and runs the scheduler's
daily jobs over all cases.
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask

from benchmarks.client import CSRF

IGNORED_STATEMENTS = re.compile(r"^\s*(SAVEPOINT|RELEASE|ROLLBACK TO|BEGIN)", re.I)
# The per-minute mailer is not part of the daily sweep, nor are the audit chain's jobs (no sweep over the cases):
# time_audit_chain measures what chaining and verifying the whole log cost. Nor is the reports' rollup, a
# 15-minute job: time_rollup runs it once before the reports are measured, and reports its time apart.
ROLLUP_JOB = "report_rollup"
SWEEP_SKIPPED = ("send_emails", "audit_chain", "audit_seal", "audit_verify", ROLLUP_JOB)
PAGE_200 = 200
CASE_SAMPLE = 2000
TRANSITION_POOL = 20_000
MEETINGS = 5  # meetings the benchmark plans for the procesregisseur's team when the seed has none
AGENDA_ITEMS = 30  # cases on each of their agendas (a long meeting: the agenda target is for 30 items)
# A type the daily sweep's agenda_review_due leaves alone: it puts every case whose review is due on the team's
# next casusoverleg, which after seeding is the whole backlog (thousands of items on one agenda).
MEETING_TYPE = "zorgnetwerkoverleg"


@dataclass
class Endpoint:
    """One measured endpoint: a name for the table, who calls it, and what they send."""

    name: str
    group: str  # "partner", "procesregisseur", "supervisor", "api" or "floor"
    method: str = "GET"
    path: str | None = None
    paths: list[str] | None = None
    form: dict | None = None
    pool: list[dict] | None = None
    expect: tuple[int, ...] = (200,)
    location: str | None = None
    note: str = ""
    target: tuple[str, float] | None = None  # ("p95", 50.0)
    missing: str | None = None  # why the endpoint is n/a

    def spec(self) -> dict:
        return {"group": self.group, "method": self.method, "path": self.path, "paths": self.paths,
                "form": self.form, "pool": self.pool, "expect": self.expect, "location": self.location}


@dataclass
class Scenario:
    partner_email: str
    partner_organisation: str
    partner_cases: int
    procesregisseur_email: str
    procesregisseur_team: str
    procesregisseur_cases: int
    surname: str
    postcode: str | None = None  # of a betrokkene in the partner's cases, written as users type it ("1234 AB")
    supervisor_email: str | None = None  # of the procesregisseur's team: reads the reports
    endpoints: list[Endpoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _rule_argument(app: Flask, endpoint: str) -> str | None:
    for rule in app.url_map.iter_rules(endpoint):
        return next(iter(rule.arguments), None)
    return None


def page_cursor(user, page: int, page_size: int) -> tuple[str | None, int]:
    """The ``na`` cursor that opens ``page`` of the user's case list (default sort), as the app builds it
    after walking ``page - 1`` pages: the (updated_at, id) of the last row of the page before. Uses OFFSET
    once, here in the benchmark, so the app never has to. Returns (cursor, the page it really opens)."""
    from casus.cases.models import Case
    from casus.cases.queries import CASE_SORTS
    from casus.extensions import db
    from casus.pagination import encode_cursor
    from casus.policy import visible_cases

    spec = CASE_SORTS["gewijzigd"]
    visible = db.session.execute(sa.select(sa.func.count()).select_from(
        visible_cases(user).with_only_columns(Case.id).subquery())).scalar_one()
    page = max(1, min(page, (visible + page_size - 1) // page_size))
    if page == 1:
        return None, 1
    row = db.session.execute(
        visible_cases(user).order_by(Case.updated_at.desc(), Case.id.desc())
        .offset((page - 1) * page_size - 1).limit(1)).scalar_one()
    return encode_cursor(spec.dump(spec.value_of(row)), row.id), page


def build_scenario(app: Flask, *, rng: random.Random | None = None) -> Scenario:
    """Choose the partner (the organisation in most cases), the procesregisseur (the busiest team) and the
    inputs of every endpoint."""
    from casus.cases.categories import active_categories
    from casus.cases.models import Case, CaseSubject, Participation
    from casus.extensions import db
    from casus.organisations.models import Organisation, Team
    from casus.policy import case_scope
    from casus.subjects.models import Subject
    from casus.users.models import Role, User, UserRole

    rng = rng or random.Random(7)
    with app.app_context():
        session = db.session
        partner_orgs = session.execute(
            sa.select(Participation.organisation_id, sa.func.count())
            .join(User, User.organisation_id == Participation.organisation_id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(Participation.left_on.is_(None), UserRole.role == Role.PARTNER, User.active.is_(True))
            .group_by(Participation.organisation_id).order_by(sa.func.count().desc())).first()
        if partner_orgs is None:
            raise RuntimeError("no partner user whose organisation takes part in a case: seed first")
        partner = session.execute(
            sa.select(User).join(UserRole, UserRole.user_id == User.id)
            .where(User.organisation_id == partner_orgs[0], UserRole.role == Role.PARTNER, User.active.is_(True))
            .order_by(User.id)).scalars().first()
        busiest_team = session.execute(
            sa.select(Case.team_id).where(Case.procesregisseur_id.is_not(None)).group_by(Case.team_id)
            .order_by(sa.func.count().desc())).scalars().first()
        procesregisseur = session.execute(
            sa.select(User).join(UserRole, UserRole.user_id == User.id)
            .where(User.team_id == busiest_team, UserRole.role == Role.PROCESREGISSEUR, User.active.is_(True))
            .order_by(User.id)).scalars().first()
        if procesregisseur is None:
            raise RuntimeError("no procesregisseur in the busiest team")
        supervisor = session.execute(
            sa.select(User).join(UserRole, UserRole.user_id == User.id)
            .where(User.team_id == busiest_team, UserRole.role == Role.SUPERVISOR, User.active.is_(True))
            .order_by(User.id)).scalars().first()

        def visible_ids(user) -> tuple[list[int], int]:
            total = session.execute(sa.select(sa.func.count()).select_from(Case)
                                    .where(case_scope(user))).scalar_one()
            ids = list(session.execute(sa.select(Case.id).where(case_scope(user))
                                       .order_by(sa.func.random()).limit(CASE_SAMPLE)).scalars())
            return ids, total

        partner_ids, partner_total = visible_ids(partner)
        regie_ids, regie_total = visible_ids(procesregisseur)

        # A common surname among the partner's cases: the last word of betrokkenen's names.
        names = session.execute(
            sa.select(Subject.name).join(CaseSubject, CaseSubject.subject_id == Subject.id)
            .join(Case, Case.id == CaseSubject.case_id)
            .where(case_scope(partner), Subject.kind == "persoon", Subject.name.is_not(None)).limit(20_000)).scalars()
        surnames = Counter(name.split()[-1] for name in names if name and name.split())
        surname = surnames.most_common(1)[0][0] if surnames else "Jansen"
        postcodes, bsns = _subject_terms(session, partner, rng)

        page_size = app.config["CASUS"].cases_page_size
        cursors = {}
        for group, user in (("partner", partner), ("procesregisseur", procesregisseur)):
            cursors[group] = page_cursor(user, PAGE_200, page_size)

        pool_rows = session.execute(
            sa.select(Case.id, Case.version)
            .where(Case.team_id == procesregisseur.team_id, Case.phase == "signalering",
                   Case.procesregisseur_id.is_not(None)).order_by(Case.id).limit(TRANSITION_POOL)).all()
        category = active_categories()[0]
        team = session.execute(sa.select(Team).where(Team.active.is_(True)).order_by(Team.id)).scalars().first()
        scenario = Scenario(
            partner_email=partner.email,
            partner_organisation=session.get(Organisation, partner.organisation_id).name,
            partner_cases=partner_total, procesregisseur_email=procesregisseur.email,
            procesregisseur_team=session.get(Team, procesregisseur.team_id).name,
            procesregisseur_cases=regie_total, surname=surname, postcode=postcodes[0] if postcodes else None,
            supervisor_email=supervisor.email if supervisor is not None else None)
        pool = [{"path": f"/casussen/{case_id}/overgang",
                 "form": {"trigger": "start_triage", "version": str(version), "reason": ""}}
                for case_id, version in pool_rows]
        rng.shuffle(pool)

        endpoints = scenario.endpoints
        for group in ("partner", "procesregisseur"):
            endpoints.append(Endpoint(f"dashboard ({group})", group, path="/", target=("p95", 75.0)))
        for group in ("partner", "procesregisseur"):
            endpoints.append(Endpoint(f"case list p1 ({group})", group, path="/casussen", target=("p95", 50.0)))
        for group in ("partner", "procesregisseur"):
            cursor, page = cursors[group]
            note = "" if page == PAGE_200 else f"only {page} pages visible"
            path = f"/casussen?na={cursor}" if cursor else "/casussen"
            endpoints.append(Endpoint(f"case list p200 ({group})", group, path=path, note=note,
                                      target=("p95", 50.0)))
        for group in ("partner", "procesregisseur"):
            endpoints.extend(_search_endpoints(group, surname, postcodes, bsns))
        for group, ids in (("partner", partner_ids), ("procesregisseur", regie_ids)):
            endpoints.append(Endpoint(f"case file ({group})", group, paths=[f"/casussen/{i}" for i in ids],
                                      note=f"random of {len(ids)} visible cases", target=("p95", 30.0)))
        endpoints.append(Endpoint(
            "signal intake POST (partner)", "partner", method="POST", path="/signalen/nieuw", expect=(302,),
            location="/signalen/", note="new signal, one new person",
            form={"category_id": str(category.id), "team_id": str(team.id), "urgency": "normaal",
                  "description": "Benchmark: buren melden overlast en zorgen om de bewoner.",
                  "subjects-0-kind": "persoon", "subjects-0-name": "Bram Benchmark{n}",
                  "subjects-0-date_of_birth": "01-02-1980"}))
        endpoints.append(Endpoint(
            "transition POST (procesregisseur)", "procesregisseur", method="POST", pool=pool, expect=(302,),
            note=f"allowed start_triage, each on its own signalering case ({len(pool)} prepared)"))
        endpoints.append(Endpoint("API case list (partner token)", "api", path="/api/v1/cases",
                                  target=("p95", 50.0)))
        if "meetings.detail" in app.view_functions:
            endpoints.append(_meeting_endpoint(app, procesregisseur))
        else:
            endpoints.append(Endpoint("meeting agenda", "procesregisseur", missing="n/a: meetings.detail not built"))
        endpoints.append(_reports_endpoint(app, supervisor))
        for group, total in (("partner", partner_total), ("procesregisseur", regie_total)):
            if total < PAGE_200 * page_size:
                scenario.notes.append(f"the {group} sees {total} cases: page 200 is the last page")
        return scenario


SEARCH_TERMS = 50  # postcodes and BSNs searched for, each request one of them


def _subject_terms(session, partner, rng: random.Random) -> tuple[list[str], list[str]]:
    """Postcodes (as "1234 AB") and BSNs of betrokkenen in cases the partner sees: what a user searches for
    when a person or an address is known. Synthetic data only (the seed's)."""
    from casus.cases.models import Case, CaseSubject
    from casus.policy import case_scope
    from casus.subjects.models import Subject

    def sample(column) -> list[str]:
        values = list(session.execute(
            sa.select(column).join(CaseSubject, CaseSubject.subject_id == Subject.id)
            .join(Case, Case.id == CaseSubject.case_id)
            .where(case_scope(partner), column.is_not(None)).limit(5000)).scalars())
        rng.shuffle(values)
        return values[:SEARCH_TERMS]

    postcodes = [f"{code[:4]} {code[4:]}" for code in sample(Subject.postcode)]
    return postcodes, sample(Subject.bsn)


def _search_endpoints(group: str, surname: str, postcodes: list[str], bsns: list[str]) -> list[Endpoint]:
    """The case list's search as a procesregisseur uses it before an intake ("is this person known?"): by
    surname, by postcode, by BSN (the second round's target: p95 ≤ 100 ms for each)."""
    found = [Endpoint(f"search name ({group})", group, path=f"/casussen?q={surname}", note=f"q={surname}",
                      target=("p95", 100.0))]
    for kind, terms in (("postcode", postcodes), ("BSN", bsns)):
        if not terms:
            found.append(Endpoint(f"search {kind} ({group})", group, missing=f"n/a: no {kind} in the seed"))
            continue
        found.append(Endpoint(f"search {kind} ({group})", group,
                              paths=[f"/casussen?q={term.replace(' ', '+')}" for term in terms],
                              note=f"random of {len(terms)} {kind}s of betrokkenen", target=("p95", 100.0)))
    return found


def _reports_endpoint(app: Flask, supervisor) -> Endpoint:
    """The supervisor's reports page (every report of the team, default period), once it exists."""
    if "reports.index" not in app.view_functions:
        return Endpoint("reports", "supervisor", missing="n/a: reports not built")
    if supervisor is None:
        return Endpoint("reports", "supervisor", missing="n/a: no supervisor in the procesregisseur's team")
    with app.test_request_context():
        from flask import url_for

        path = url_for("reports.index")
    return Endpoint("reports (supervisor)", "supervisor", path=path, target=("p95", 250.0),
                    note="every report of the team's cases, default period; login with TOTP")


def prepare_second_factor(app: Flask, email: str) -> str:
    """Give the (synthetic) user a TOTP secret if they have none and forget the last code used, so the next
    login may use the current code (a code is accepted once). Returns the secret."""
    import pyotp

    from casus.extensions import db
    from casus.users.models import User

    with app.app_context():
        user = db.session.execute(sa.select(User).where(User.email == email)).unique().scalar_one()
        user.totp_secret = user.totp_secret or pyotp.random_base32()
        user.totp_last_step = None
        secret = user.totp_secret
        db.session.commit()
        db.engine.dispose()
    return secret


def _plan_meetings(app: Flask, user) -> None:
    """MEETINGS meetings of the user's team from tomorrow, each with AGENDA_ITEMS running cases of the team on
    its agenda, through the app's own services (the seed plans no meetings)."""
    from datetime import time as clock
    from datetime import timedelta

    from flask_login import login_user

    from casus.cases.models import Case, Participation
    from casus.clock import today
    from casus.extensions import db
    from casus.meetings import services
    from casus.meetings.agenda import add_agenda_item
    from workflow import CasePhase

    cases = list(db.session.execute(
        sa.select(Case).where(Case.team_id == user.team_id, Case.phase.in_(
            (CasePhase.AANPAK_PLAN, CasePhase.AANPAK_UITVOERING, CasePhase.NAZORG)))
        .order_by(Case.id).limit(MEETINGS * AGENDA_ITEMS)).scalars())
    first = today() + timedelta(days=1)
    with app.test_request_context():
        login_user(user)
        for number in range(max(1, min(MEETINGS, -(-len(cases) // AGENDA_ITEMS)))):
            agenda = cases[number * AGENDA_ITEMS:(number + 1) * AGENDA_ITEMS]
            invited = {user.organisation_id} | set(db.session.execute(sa.select(Participation.organisation_id).where(
                Participation.case_id.in_([case.id for case in agenda]), Participation.left_on.is_(None))).scalars())
            meeting = services.create_meeting(
                user, type=MEETING_TYPE, title=f"Benchmark-overleg {number + 1}",
                day=first + timedelta(days=7 * number), start_time=clock(10), duration_minutes=120,
                location="Zaal 1", online_url=None, chair_id=None, organisation_ids=sorted(invited))
            for case in agenda:
                add_agenda_item(user, meeting, case, purpose="bespreken")
        db.session.commit()


def _meeting_endpoint(app: Flask, user) -> Endpoint:
    """The agenda of the team's meetings (``meetings.detail``); plans some when there are none."""
    try:
        from casus.extensions import db
        from casus.meetings.models import Meeting

        argument = _rule_argument(app, "meetings.detail") or "meeting_id"
        query = sa.select(Meeting.id).where(Meeting.team_id == user.team_id, Meeting.type == MEETING_TYPE)
        ids = list(db.session.execute(query.order_by(Meeting.id.desc()).limit(200)).scalars())
        if not ids:
            _plan_meetings(app, user)
            ids = list(db.session.execute(query.order_by(Meeting.id.desc()).limit(200)).scalars())
        with app.test_request_context():
            from flask import url_for

            paths = [url_for("meetings.detail", **{argument: meeting_id}) for meeting_id in ids]
        return Endpoint("meeting agenda (procesregisseur)", "procesregisseur", paths=paths, target=("p95", 75.0),
                        note=f"random of {len(ids)} {MEETING_TYPE} meetings of the team, {AGENDA_ITEMS} cases each")
    except Exception as error:  # reported in the table instead of stopping the run
        from casus.extensions import db

        db.session.rollback()
        return Endpoint("meeting agenda", "procesregisseur",
                        missing=f"n/a: {type(error).__name__} preparing meetings: {error}")


# --- SQL statements per request (in-process, not under load) ------------------------------------------------

class _TestClient:
    """The Flask test client behind the same login form and CSRF token as the load clients."""

    def __init__(self, app: Flask, email: str | None, password: str | None, bearer: str | None = None,
                 totp_secret: str | None = None):
        self.client = app.test_client()
        self.bearer = bearer
        self.csrf = None
        if email:
            token = self._csrf("/inloggen")
            response = self.client.post("/inloggen", data={"csrf_token": token, "email": email,
                                                           "password": password, "next": ""})
            if totp_secret and response.headers.get("Location", "").endswith("/inloggen/code"):
                import pyotp

                token = self._csrf("/inloggen/code")
                response = self.client.post("/inloggen/code", data={
                    "csrf_token": token, "code": pyotp.TOTP(totp_secret).now()})
            if response.status_code != 302 or "inloggen" in response.headers.get("Location", ""):
                raise RuntimeError(f"in-process login of {email} failed: HTTP {response.status_code}")
            self.csrf = self._csrf("/signalen/nieuw")

    def _csrf(self, path: str) -> str:
        body = self.client.get(path).get_data(as_text=True)
        match = CSRF.search(body)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1) or match.group(2)

    def send(self, method: str, path: str, form: dict | None):
        headers = {"Authorization": f"Bearer {self.bearer}", "Accept": "application/json"} if self.bearer else {}
        if method == "GET":
            return self.client.get(path, headers=headers)
        data = dict(form or {})
        if self.csrf:
            data.setdefault("csrf_token", self.csrf)
        return self.client.post(path, data=data, headers=headers)


def measure_in_process(app: Flask, scenario: Scenario, *, password: str, token: str,
                       repeats: int = 5) -> dict[str, dict]:
    """Per endpoint: SQL statements of one request (after one warm-up) and the median single-request latency.
    POST endpoints take their inputs from the same pool as the load clients (used items are removed)."""
    from casus.extensions import db

    rng = random.Random(11)
    results: dict[str, dict] = {}
    with app.app_context():
        engine = db.engine
    clients = {
        "partner": _TestClient(app, scenario.partner_email, password),
        "procesregisseur": _TestClient(app, scenario.procesregisseur_email, password),
        "api": _TestClient(app, None, None, bearer=token),
    }
    if scenario.supervisor_email:
        clients["supervisor"] = _TestClient(app, scenario.supervisor_email, password,
                                            totp_secret=prepare_second_factor(app, scenario.supervisor_email))
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not IGNORED_STATEMENTS.match(statement):
            statements.append(statement)

    for endpoint in scenario.endpoints:
        if endpoint.missing:
            continue
        client = clients[endpoint.group]
        runs = 1 if endpoint.method == "POST" else repeats

        def one(endpoint=endpoint, client=client):
            if endpoint.pool is not None:
                item = endpoint.pool.pop() if endpoint.pool else None
                if item is None:
                    return None
                path, form = item["path"], item["form"]
            else:
                path = rng.choice(endpoint.paths) if endpoint.paths else endpoint.path
                form = None if endpoint.form is None else {
                    key: value.format(n=rng.randrange(10**9)) for key, value in endpoint.form.items()}
            return client.send(endpoint.method, path, form)

        if endpoint.method == "GET":
            one()  # warm-up: caches, first connection
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            statements.clear()
            response = one()
            queries = len(statements)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        timings = []
        for _ in range(runs - 1):
            began = time.perf_counter()
            one()
            timings.append((time.perf_counter() - began) * 1000)
        status = response.status_code if response is not None else None
        results[endpoint.name] = {"queries": queries, "status": status,
                                  "single_ms": sorted(timings)[len(timings) // 2] if timings else None}
    with app.app_context():
        db.engine.dispose()
    return results


# --- the scheduler's daily sweep ------------------------------------------------------------------------------

def time_sweep(app: Flask, now: datetime | None = None) -> dict[str, float]:
    """Run every daily job of casus.scheduling.jobs.JOBS once, as the scheduler does; seconds per job."""
    from casus.extensions import db
    from casus.scheduling.jobs import JOBS
    from casus.scheduling.runner import run_job

    now = now or datetime.now(UTC)
    timings: dict[str, float] = {}
    for spec in JOBS:
        if spec.name in SWEEP_SKIPPED:
            continue
        began = time.perf_counter()
        outcome = run_job(app, spec, now)
        # run_job logs and swallows a failure (None); the table says so instead of showing a fast job.
        timings[spec.name if outcome is not None else f"{spec.name} (failed)"] = time.perf_counter() - began
    with app.app_context():
        db.engine.dispose()
    return timings


def time_rollup(app: Flask, now: datetime | None = None) -> float | None:
    """Seconds of one refresh of the reports' rollup (so the reports page reads it, as in production); None when
    the job is not there or failed."""
    from casus.extensions import db
    from casus.scheduling.jobs import registry
    from casus.scheduling.runner import run_job

    spec = registry().get(ROLLUP_JOB)
    if spec is None:
        return None
    began = time.perf_counter()
    outcome = run_job(app, spec, now or datetime.now(UTC))
    seconds = time.perf_counter() - began
    with app.app_context():
        db.engine.dispose()
    return seconds if outcome is not None else None


def time_audit_chain(app: Flask) -> dict[str, float]:
    """Link every audit event not linked yet (the seed's, and the load's in scheduled mode), as the minute job does
    in batches, then verify the whole chain as ``casus audit verify`` does; seconds and counts."""
    from casus.audit.chain import chain_all
    from casus.audit.verify import verify_chain
    from casus.extensions import db

    with app.app_context():
        began = time.perf_counter()
        linked = chain_all(db.session, seconds=float("inf"))
        chained = time.perf_counter() - began
        began = time.perf_counter()
        report = verify_chain(db.session, app.config["CASUS"])
        verified = time.perf_counter() - began
        db.session.rollback()
        db.engine.dispose()
    return {"linked": linked, "chain_seconds": chained, "chain_length": report.chain_length,
            "verify_seconds": verified, "findings": sum(report.counts.values())}


def transitions_since(app: Flask, since: datetime) -> dict[str, int]:
    """How many start_triage transitions were allowed and refused since ``since`` (checks the POSTs)."""
    from casus.cases.models import TransitionLog
    from casus.extensions import db

    with app.app_context():
        rows = db.session.execute(
            sa.select(TransitionLog.allowed, sa.func.count()).where(
                TransitionLog.trigger == "start_triage", TransitionLog.at >= since)
            .group_by(TransitionLog.allowed)).all()
        db.engine.dispose()
    return {("allowed" if allowed else "refused"): count for allowed, count in rows}
