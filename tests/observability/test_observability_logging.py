"""No personal data in the logs: a marker name and a synthetic BSN go through every free-text form and API body we
can reach, and through error paths (bad JSON, a NUL byte, invalid dates, 404 paths, query strings, an unhandled
exception, database errors, a failing commit); neither may appear in any log record, extra field, formatted line
(JSON and text) or on stderr. And the request line itself: route template, status, ids.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import urllib.error
import urllib.request
import uuid
from datetime import time, timedelta

import pyotp
import pytest
import sqlalchemy as sa

from casus.clock import today
from casus.logs import JsonFormatter, TextFormatter
from casus.organisations.models import OrganisationKind
from casus.subjects.validation import bsn as check_bsn

from support import csrf_from


def synthetic_bsn(rng: random.Random) -> str:
    """Nine digits passing the 11-proef, made up for this run (never a real person's on purpose)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
        total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]
        if total % 11 == 0:
            return check_bsn("".join(map(str, digits)))


MARKER = f"MARKER-Jansen-{uuid.uuid4().hex}"
BSN = synthetic_bsn(random.Random())
SECRETS = (MARKER, BSN)
TEXT = f"{MARKER} (BSN {BSN}) woont op de Dorpsstraat"


def leaks(caplog, captured_output: str) -> list[str]:
    """Everything that reached logging or stderr/stdout and contains a secret, as readable findings."""
    found = []
    records = caplog.get_records("setup") + caplog.get_records("call")
    json_format, text_format = JsonFormatter(), TextFormatter()
    for record in records:
        views = {
            "message": record.getMessage(),
            "record": repr(record.__dict__),  # args, extras, exc_info (the exception's message) included
            "json": json_format.format(record),
            "text": text_format.format(record),
        }
        for view, content in views.items():
            for secret in SECRETS:
                if secret in content:
                    found.append(f"{record.name} ({view}): {content[:300]}")
    for secret in SECRETS:
        if secret in caplog.text:
            found.append(f"caplog.text: {secret}")
        if secret in captured_output:
            found.append(f"stderr/stdout: {captured_output[captured_output.index(secret) - 200:][:400]}")
    return found


@pytest.fixture
def logs(app, caplog, capsys):
    """Casus's own handler (JSON, as in production) and every logger at DEBUG through caplog; yields a function
    returning the leaks found so far and the request lines that were written."""
    from casus import logs as casus_logs

    casus_logs.configure(app.config["CASUS"])
    caplog.set_level(logging.DEBUG)

    class Captured:
        output = ""

        def leaks(self) -> list[str]:
            captured = capsys.readouterr()
            self.output += captured.err + captured.out
            return leaks(caplog, self.output)

        def request_lines(self) -> list[dict]:
            return [json.loads(line) for line in self.output.splitlines()
                    if line.startswith("{") and '"logger": "casus.request"' in line]

    return Captured()


@pytest.fixture
def world(app, db, categories, make_organisation, make_team, make_user, make_case, make_subject):
    from casus.meetings.models import AgendaItem, Meeting, MeetingInvitation
    from casus.meetings.services import local_start
    from casus.plans.models import Action, Goal

    zvh = make_organisation(name="ZVH Logboek", kind=OrganisationKind.ZVH)
    team = make_team(organisation=zvh, name="Team Logboek")
    politie = make_organisation(name="Politie Logboek", kind=OrganisationKind.POLITIE)
    riec = make_organisation(name="RIEC Logboek", kind=OrganisationKind.RIEC)

    def user(*roles, **fields):
        return make_user(*roles, totp_secret=pyotp.random_base32(), **fields)

    regisseur = user("procesregisseur", organisation=zvh, team=team)
    supervisor = user("supervisor", organisation=zvh, team=team)
    agent = user("partner", organisation=politie)
    subject = make_subject(name="Piet Logboek")
    case = make_case(team=team, partners=[politie, zvh], phase="aanpak.uitvoering", procesregisseur=regisseur,
                     subjects=[subject], plan_discussed_on=today(), category=categories["ondermijning"])
    goal = Goal(case_id=case.id, description="Rust", created_by_id=regisseur.id)
    db.session.add(goal)
    db.session.flush()
    action = Action(case_id=case.id, goal_id=goal.id, description="Gesprek", owner_organisation_id=politie.id,
                    due_on=today() + timedelta(days=7))
    db.session.add(action)
    day = today() - timedelta(days=1)  # a meeting that has begun: minutes are recorded from its start only
    starts = local_start(day, time(9, 30))
    meeting = Meeting(team_id=team.id, type="casusoverleg", title="Overleg Logboek", starts_at=starts,
                      ends_at=starts + timedelta(hours=2), location="Zaal 1", chair_id=regisseur.id,
                      ical_uid=f"meeting-{uuid.uuid4().hex}@casus")
    db.session.add(meeting)
    db.session.flush()
    db.session.add(MeetingInvitation(meeting_id=meeting.id, organisation_id=politie.id))
    item = AgendaItem(meeting_id=meeting.id, case_id=case.id, purpose="bespreken", position=1)
    db.session.add(item)
    db.session.flush()
    return {"zvh": zvh, "team": team, "politie": politie, "riec": riec, "regisseur": regisseur,
            "supervisor": supervisor, "agent": agent, "case": case, "goal": goal, "action": action,
            "meeting": meeting, "item": item, "category": categories["ondermijning"], "subject": subject}


def _version(db, model, row_id) -> int:
    return db.session.execute(sa.select(model.version).where(model.id == row_id)).scalar_one()


def _post_form(client, url, page, data):
    return client.post(url, data={"csrf_token": csrf_from(client.get(page)), **data})


def test_free_text_and_errors_never_reach_the_logs(app, db, client, auth, login, api, world, logs, caplog,
                                                   monkeypatch):
    from casus.cases.models import Case
    from casus.clock import today as case_today
    from casus.meetings.models import AgendaItem
    from casus.plans.models import Action

    w = world
    case_id, action_id, item_id, meeting_id = w["case"].id, w["action"].id, w["item"].id, w["meeting"].id
    due = (case_today() + timedelta(days=14)).isoformat()
    statuses: dict[str, int] = {}

    def call(name, response):
        statuses[name] = response.status_code
        return response

    # --- the API, as the partner (reporter, action owner) and the procesregisseur ------------------------------
    agent, regisseur = w["agent"], w["regisseur"]
    call("api signal", api(agent, "POST", "/signals", json={
        "categoryId": w["category"].id, "teamId": w["team"].id, "description": TEXT, "urgency": "hoog",
        "subjects": [{"kind": "persoon", "name": MARKER, "bsn": BSN, "dateOfBirth": "1980-11-21"}]}))
    call("api note", api(regisseur, "POST", f"/cases/{case_id}/notes",
                         json={"text": TEXT, "visibility": "alle_deelnemers"}))
    call("api transition", api(regisseur, "POST", f"/cases/{case_id}/transitions", json={
        "trigger": "step_down", "reason": TEXT, "version": _version(db, Case, case_id)}))
    call("api evaluation", api(regisseur, "PATCH", f"/cases/{case_id}",
                               json={"evaluation": TEXT, "version": _version(db, Case, case_id)}))
    call("api goal", api(regisseur, "POST", f"/cases/{case_id}/goals", json={"description": TEXT}))
    call("api action", api(regisseur, "POST", f"/cases/{case_id}/actions", json={
        "description": TEXT, "ownerOrganisationId": w["politie"].id, "dueOn": due}))
    call("api progress", api(agent, "POST", f"/actions/{action_id}/progress",
                             json={"text": TEXT, "version": _version(db, Action, action_id)}))
    call("api minutes", api(regisseur, "PATCH", f"/agenda-items/{item_id}", json={
        "beeldvorming": TEXT, "oordeelsvorming": TEXT, "besluitvorming": TEXT, "discussed": True,
        "version": _version(db, AgendaItem, item_id)}))
    call("api decision", api(regisseur, "POST", f"/agenda-items/{item_id}/decisions", json={"text": TEXT}))
    call("api escalation", api(regisseur, "POST", f"/cases/{case_id}/escalations", json={
        "direction": "opschalen", "reason": TEXT, "decisionOwner": MARKER, "decisionDeadline": due, "reviewOn": due,
        "version": _version(db, Case, case_id)}))
    call("api voordracht", api(regisseur, "POST", f"/cases/{case_id}/riec-referrals", json={
        "summary": TEXT, "indicators": ["overig"], "indicatorOther": MARKER, "legalBasis": "riec_convenant",
        "urgency": "hoog", "addresseeOrganisationId": w["riec"].id, "subjectIds": [w["subject"].id]}))
    call("api approval", api(regisseur, "POST", f"/cases/{case_id}/approvals",
                             json={"kind": "close_early", "reason": TEXT, "result": "verhuisd"}))
    # Errors: a NUL byte, an invalid date, malformed JSON, unknown fields, a query string, a 404 path.
    call("api NUL byte", api(regisseur, "POST", f"/cases/{case_id}/notes",
                             json={"text": f"{MARKER}\x00{BSN}", "visibility": "alle_deelnemers"}))
    call("api invalid date", api(regisseur, "POST", f"/cases/{case_id}/actions", json={
        "description": TEXT, "ownerOrganisationId": w["politie"].id, "dueOn": f"{BSN}-02-31"}))
    call("api bad JSON", api(regisseur, "POST", f"/cases/{case_id}/notes", data=f'{{"text": "{TEXT}',
                             content_type="application/json"))
    call("api unknown field", api(regisseur, "POST", f"/cases/{case_id}/notes",
                                  json={"text": TEXT, "visibility": "alle_deelnemers", MARKER: BSN}))
    call("api query", api(regisseur, "GET", f"/cases?q={MARKER}&bsn={BSN}"))
    call("api search", api(regisseur, "GET", f"/cases?q={BSN}"))
    call("api 404", api(regisseur, "GET", f"/cases/{MARKER}/{BSN}"))

    # --- the pages, as the procesregisseur -------------------------------------------------------------------
    call("login wrong", client.post("/inloggen", data={"email": f"{MARKER}@example.org", "password": BSN,
                                                       "csrf_token": auth.csrf()}))
    login(regisseur)
    file_url = f"/casussen/{case_id}"
    call("page note", auth.post(f"{file_url}/notities", {"text": TEXT, "visibility": "alle_deelnemers"}))
    call("page transition", _post_form(client, f"{file_url}/overgang", file_url, {
        "trigger": "step_down", "reason": TEXT, "version": _version(db, Case, case_id)}))
    call("page goal", _post_form(client, f"{file_url}/plan/doelen", f"{file_url}/plan",
                                 {"doel-description": TEXT}))
    call("page action", _post_form(client, f"{file_url}/plan/acties", f"{file_url}/plan", {
        "actie-description": TEXT, "actie-due_on": due, "actie-owner_organisation_id": w["politie"].id}))
    meeting_url = f"/overleggen/{meeting_id}"
    call("page minutes", _post_form(client, f"{meeting_url}/agenda/{item_id}/verslag", meeting_url, {
        "beeldvorming": TEXT, "oordeelsvorming": TEXT, "besluitvorming": TEXT,
        "version": _version(db, AgendaItem, item_id)}))
    call("page decision", _post_form(client, f"{meeting_url}/agenda/{item_id}/besluiten", meeting_url,
                                     {"text": TEXT}))
    tab = f"{file_url}/escalaties"
    call("page escalation", _post_form(client, f"{tab}/opschalen", tab, {
        "version": _version(db, Case, case_id), "reason": TEXT, "decision_owner": MARKER,
        "decision_deadline": f"31-02-{BSN}", "review_on": ""}))
    new_voordracht = f"/voordrachten/casus/{case_id}/nieuw"
    call("page voordracht", _post_form(client, new_voordracht, new_voordracht, {
        "summary": TEXT, "indicators": ["overig"], "indicator_other": MARKER, "legal_basis": "riec_convenant",
        "urgency": "hoog", "addressee_organisation_id": str(w["riec"].id), "subject_ids": [str(w["subject"].id)]}))
    call("page search", client.get(f"/casussen?q={MARKER}&bsn={BSN}"))
    call("page 404", client.get(f"/casussen/{MARKER}/{BSN}?naam={MARKER}"))
    auth.logout()
    login(agent)
    signal_form = {"category_id": str(w["category"].id), "team_id": str(w["team"].id), "description": TEXT,
                   "urgency": "normaal", "subjects-0-kind": "persoon", "subjects-0-name": MARKER,
                   "subjects-0-bsn": BSN, "subjects-0-date_of_birth": "31-02-1980"}
    call("page signal, invalid date", auth.post("/signalen/nieuw", signal_form))
    call("page signal", auth.post("/signalen/nieuw", {**signal_form, "subjects-0-date_of_birth": "21-11-1980"}))
    call("page progress", _post_form(client, f"{file_url}/plan/acties/{action_id}/voortgang", f"{file_url}/plan", {
        "text": TEXT, "status": "in_uitvoering", "version": _version(db, Action, action_id)}))

    # --- forced failures with the secrets in their messages ---------------------------------------------------
    from casus.cases import services as case_services

    add_note = case_services.add_note

    def unhandled(*_args, **_kwargs):
        raise RuntimeError(f"kapot voor {TEXT}")

    monkeypatch.setattr(case_services, "add_note", unhandled)
    call("api unhandled", api(regisseur, "POST", f"/cases/{case_id}/notes",
                              json={"text": TEXT, "visibility": "alle_deelnemers"}))
    auth.logout()
    login(regisseur)
    call("page unhandled", auth.post(f"{file_url}/notities", {"text": TEXT, "visibility": "alle_deelnemers"}))

    def database_error(*_args, **_kwargs):
        from casus.extensions import db as database

        database.session.execute(sa.text("INSERT INTO no_such_table (naam, bsn) VALUES (:naam, :bsn)"),
                                 {"naam": MARKER, "bsn": BSN})

    monkeypatch.setattr(case_services, "add_note", database_error)
    call("api database error", api(regisseur, "POST", f"/cases/{case_id}/notes",
                                   json={"text": TEXT, "visibility": "alle_deelnemers"}))
    call("page database error", auth.post(f"{file_url}/notities", {"text": TEXT, "visibility": "alle_deelnemers"}))

    def constraint_error(user, case, **_kwargs):
        from casus.extensions import db as database
        from casus.notifications.models import Notification

        for _ in range(2):  # the same unique key twice: an IntegrityError quoting the statement
            database.session.add(Notification(user_id=user.id, key=MARKER, kind="review_due", title=TEXT, link="/"))
        database.session.flush()

    monkeypatch.setattr(case_services, "add_note", constraint_error)
    call("api integrity error", api(regisseur, "POST", f"/cases/{case_id}/notes",
                                    json={"text": TEXT, "visibility": "alle_deelnemers"}))

    # A commit that fails after the view: Flask's own exception path (log_exception), as in production.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr(case_services, "add_note", add_note)
    from casus.extensions import db as database

    def failing_commit():
        raise RuntimeError(f"commit kapot: {TEXT}")

    monkeypatch.setattr(database.session, "commit", failing_commit)
    call("api failing commit", api(regisseur, "POST", f"/cases/{case_id}/notes",
                                   json={"text": TEXT, "visibility": "alle_deelnemers"}))
    monkeypatch.undo()

    print_statuses = ", ".join(f"{name}: {status}" for name, status in statuses.items())
    # The data really went in: most of the free text was stored (each of these answered 2xx or a redirect).
    stored = ["api signal", "api note", "api evaluation", "api goal", "api action", "api progress", "api minutes",
              "api decision", "api escalation", "api voordracht", "api approval", "page note", "page goal",
              "page action", "page minutes", "page decision", "page voordracht", "page signal", "page progress"]
    assert all(200 <= statuses[name] < 400 for name in stored), print_statuses
    assert statuses["api unhandled"] == statuses["page unhandled"] == statuses["api failing commit"] == 500
    # A missing table is a bug (500), not an unavailable database (503); a duplicate key a conflict (409).
    assert statuses["api database error"] == statuses["page database error"] == 500, print_statuses
    assert statuses["api integrity error"] == 409, print_statuses
    assert statuses["api 404"] == statuses["page 404"] == 404
    assert statuses["api invalid date"] == statuses["api bad JSON"] == statuses["api unknown field"] == 400
    assert statuses["page signal, invalid date"] == statuses["page escalation"] == 200  # the form, with its errors

    found = logs.leaks()
    assert not found, "personal data in the logs:\n" + "\n".join(found)
    # Not vacuous: every request wrote its line, with the route template and the caller's ids.
    lines = logs.request_lines()
    assert len(lines) >= len(statuses)
    routes = {line["route"] for line in lines}
    assert {"/api/v1/cases/<int:id>/notes", "/casussen/<int:case_id>/notities", "<unmatched>",
            "/overleggen/<int:meeting_id>/agenda/<int:item_id>/verslag"} <= routes
    note_lines = [line for line in lines if line["route"] == "/api/v1/cases/<int:id>/notes"]
    assert {(line["user_id"], line["organisation_id"]) for line in note_lines} == {(regisseur.id, w["zvh"].id)}
    assert {line["status"] for line in note_lines} >= {201, 400, 409, 500}
    assert all(set(line) >= {"time", "level", "request_id", "method", "route", "status", "duration_ms"}
               for line in lines)
    messages = [record.getMessage() for record in caplog.records]
    assert any(message.startswith("unhandled RuntimeError in request ") for message in messages)
    # The failing commit went through Flask's handle_exception: CasusFlask.log_exception, type and id only.
    assert [record.getMessage().split(" in request ")[0] for record in caplog.records
            if record.name == app.logger.name] == ["unhandled RuntimeError"]
    # A missing table: OperationalError on SQLite, ProgrammingError on PostgreSQL; neither means "unavailable".
    assert any(message.startswith(("unhandled OperationalError in request", "unhandled ProgrammingError in request"))
               for message in messages)
    assert "database refused the request (conflict): IntegrityError" in messages
    assert not any(message.startswith("database unavailable") for message in messages)


# --- the development server, SQLAlchemy, the formatters, the configuration ------------------------------------------

def test_the_development_server_writes_no_raw_paths(tmp_path, caplog, capsys):
    """werkzeug's own request line is '"GET /path?query HTTP/1.1" 404': ours (the route template) replaces it."""
    from werkzeug.serving import make_server

    from casus import create_app, testing_config
    from casus.extensions import db

    app = create_app(testing_config(database_url=f"sqlite:///{tmp_path / 'dev.db'}", instance_path=str(tmp_path)))
    with app.app_context():
        db.create_all()
    caplog.set_level(logging.DEBUG)
    assert not logging.getLogger("werkzeug").isEnabledFor(logging.INFO)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        for path in (f"/{MARKER}/{BSN}", f"/healthz?naam={MARKER}&bsn={BSN}", f"/inloggen?next=/casussen/{BSN}"):
            try:
                urllib.request.urlopen(base + path, timeout=10).read()
            except urllib.error.HTTPError as error:
                assert error.code == 404
    finally:
        server.shutdown()
        thread.join(5)
    captured = capsys.readouterr()
    found = leaks(caplog, captured.err + captured.out)
    assert not found, "\n".join(found)
    routes = [getattr(record, "route", None) for record in caplog.records if record.name == "casus.request"]
    assert routes == ["<unmatched>", "/healthz", "/inloggen"]


def test_database_errors_hide_their_parameters_outside_development(app, db):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    with pytest.raises(sa.exc.DBAPIError) as raised, db.session.begin_nested():
        db.session.execute(sa.text("INSERT INTO no_such_table (naam) VALUES (:naam)"), {"naam": MARKER})
    assert MARKER not in str(raised.value)
    assert "hidden" in str(raised.value)


def test_development_shows_parameters_and_production_refuses_sql_echo(tmp_path):
    from casus.config import Config, ConfigError

    development = Config.from_env({}, env="development", instance_path=str(tmp_path))
    assert development.flask_settings()["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is False
    production = Config.from_env({}, env="production", secret_key="k" * 40, instance_path=str(tmp_path),
                                 database_url="postgresql+psycopg://casus@db/casus")
    assert production.flask_settings()["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    with pytest.raises(ConfigError, match="CASUS_SQL_ECHO"):
        Config.from_env({"CASUS_SQL_ECHO": "true"}, env="production", secret_key="k" * 40,
                        instance_path=str(tmp_path))


def _record_with_exception() -> logging.LogRecord:
    try:
        raise ValueError(f"geheim {MARKER}")
    except ValueError:
        import sys

        return logging.LogRecord("casus.test", logging.ERROR, __file__, 1, "failed %s", ("job",), sys.exc_info(),
                                 func=None, sinfo="Stack (most recent call last): " + MARKER)


def test_formatters_reduce_an_exception_to_its_type():
    record = _record_with_exception()
    record.job = "review_due"
    line = json.loads(JsonFormatter().format(record))
    assert (line["level"], line["logger"], line["message"], line["job"], line["exc_type"]) == (
        "ERROR", "casus.test", "failed job", "review_due", "ValueError")
    assert "time" in line and MARKER not in json.dumps(line)
    text = TextFormatter().format(_record_with_exception())
    assert "ERROR casus.test: failed job" in text and "exc_type=ValueError" in text and MARKER not in text
    # With tracebacks switched on (development and CASUS_DEBUG_LOGS only) the trace is there.
    assert MARKER in TextFormatter(tracebacks=True).format(_record_with_exception())
    assert MARKER in JsonFormatter(tracebacks=True).format(_record_with_exception())


def test_log_configuration_from_the_environment(tmp_path):
    from casus.config import Config, ConfigError

    def config(env, **environ):
        extra = {"CASUS_SECRET_KEY": "k" * 40} if env == "production" else {}
        return Config.from_env({"CASUS_ENV": env, "CASUS_INSTANCE_PATH": str(tmp_path), **extra, **environ})

    assert (config("production").log_format, config("production").log_level) == ("json", "INFO")
    assert config("development").log_format == "text"
    assert config("development", CASUS_LOG_FORMAT="json", CASUS_LOG_LEVEL="debug").log_level == "DEBUG"
    assert config("development", CASUS_LOG_FORMAT="json").log_format == "json"
    assert config("development", CASUS_DEBUG_LOGS="true").log_tracebacks is True
    assert config("production", CASUS_DEBUG_LOGS="true").log_tracebacks is False
    assert config("testing", CASUS_DEBUG_LOGS="true").log_tracebacks is False
    with pytest.raises(ConfigError, match="CASUS_LOG_FORMAT"):
        config("production", CASUS_LOG_FORMAT="xml")
    with pytest.raises(ConfigError, match="CASUS_LOG_LEVEL"):
        config("production", CASUS_LOG_LEVEL="chatty")


def test_create_app_installs_one_handler_in_the_configured_format(tmp_path, capsys):
    from casus import create_app
    from casus.config import Config

    root = logging.getLogger()
    for fmt in ("text", "json", "text"):
        create_app(Config.from_env({}, env="development", log_format=fmt, instance_path=str(tmp_path),
                                   database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    ours = [handler for handler in root.handlers if getattr(handler, "_casus_handler", False)]
    assert len(ours) == 1 and isinstance(ours[0].formatter, TextFormatter)
    logging.getLogger("casus.test").warning("hallo", extra={"job": "x"})
    assert "WARNING casus.test: hallo job=x" in capsys.readouterr().err
    assert logging.getLogger("sqlalchemy").level == logging.WARNING
