"""The OpenAPI document is the contract: schemathesis fuzzes every operation it describes (docs/API.md, "Fuzzing").

Three callers — a partner whose organisation takes part in the team's cases, and a procesregisseur and a
supervisor of that team — each get a database of their own (a file on SQLite, a schema on PostgreSQL) with a
realistic world committed in it (``casus_seed``: the region's organisations, teams and users, 120 cases in every
phase with their plans, notes, escalations, voordrachten and approvals, running meeting series, and a few
notifications), and Casus served over HTTP on 127.0.0.1. Schemathesis runs every phase against it as
``schemathesis run`` would — the schema's examples, the coverage cases (boundaries, missing, wrong and extra
values) and a bounded number of generated valid and invalid requests per operation — with a fixed seed and
every check on. Half of the path ids it draws are ids that exist, so requests get past the 404 to the code.

Zero failures is the bar. What the contract leaves out, and so what the generator is told, is listed below with
the reason: :data:`REFUSED_VALID` (valid input a business rule refuses with a documented 400) and the date
window and NUL character of :mod:`casus.edge`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import schemathesis
from hypothesis import strategies as st

from support import app_with_own_database

SEED = 20260301
EXAMPLES = int(os.environ.get("CASUS_FUZZ_EXAMPLES", "8"))  # generated requests per operation and mode
ROLES = ("partner", "procesregisseur", "supervisor")
# Left out, and why. The stateful phase follows GET /me/tokens to DELETE /me/tokens/{id} with the caller's own
# token, and every request after that would be a 401: revoking is tested in tests/users/test_users_tokens.py.
LEFT_OUT = {"DELETE /me/tokens/{id}": "revokes the caller's own token"}
# The coverage phase (every boundary, missing, wrong and extra value: some 3,000 requests) tests the input
# validation, which is the same whoever asks: it runs once, as the caller who may do the most.
COVERAGE_ROLE = "supervisor"
CURSOR = "a `cursor` that is not the `next` of a previous page (cursors are opaque)"
PLAN = "the plan van aanpak cannot change in the case's phase"
REFERRAL = ("subjects not of this case, `overig` without `indicatorOther`, an addressee that is not an active "
            "RIEC")
# Valid input (by the document) that a business rule refuses with the operation's documented 400, and why. The
# services check what a schema cannot say: the state of the case, who takes part, dates relative to today, fields
# that depend on each other. Every other operation answers valid input with 2xx or 401/403/404/409/429.
REFUSED_VALID = {
    "GET /cases": f"an unknown `category` code (categories are data, not an enum); {CURSOR}",
    "GET /cases/{id}/notes": CURSOR,
    "GET /cases/{id}/timeline": CURSOR,
    "GET /approvals": CURSOR,
    "GET /escalations": CURSOR,
    "GET /meetings": CURSOR,
    "GET /me/notifications": CURSOR,
    "GET /riec-referrals": CURSOR,
    "GET /signals": CURSOR,
    "GET /reports/{name}": "`to` before `from`, a date outside 2000–2100 or a period over ten years, a team or "
                           "category whose figures the caller may not read",
    "PATCH /actions/{id}": PLAN,
    "POST /actions/{id}/progress": PLAN,
    "POST /cases/{id}/goals": PLAN,
    "PATCH /goals/{id}": "a settled `status` without `statusOn`, a `statusOn` in the future",
    "PATCH /cases/{id}/checkins/{checkin}": "a `doneOn` in the future or before nazorg started",
    "POST /cases/{id}/actions": f"{PLAN}; an owner that does not take part, a due date in the past, a goal of "
                                "another plan, an owner user of another organisation",
    "POST /agenda-items/{id}/decisions": "an action owner that does not take part in the case, a due date in the past",
    "PATCH /agenda-items/{id}": "nothing to change",
    "POST /approvals/{id}/decision": "a rejection without `motivation`",
    "PATCH /cases/{id}": "`planDiscussedOn` once the plan is adopted or in the future, an evaluation outside the "
                         "approach and nazorg; a `title` or `gemeente` of blanks only, an unknown `category` code, "
                         "a `procesregisseurId` outside the case's team, nothing changed, a closed case",
    "POST /cases/{id}/subjects": "the betrokkene rules of the web form (a postcode needs a huisnummer, a BSN the "
                                 "11-proef …), a subject already of the case, a closed case",
    "PATCH /cases/{id}/subjects/{subject}": "the same rules against the stored subject, a field its kind does not "
                                            "have, a BSN of another subject, nothing changed, a closed case",
    "DELETE /cases/{id}/subjects/{subject}": "a closed case",
    "POST /cases/{id}/assessments": "an `assessedOn` in the future or before the case was opened, a domain "
                                    "code that is not configured, no score at all, another moment than "
                                    "`afsluiting` for a closed case",
    "PATCH /cases/{id}/assessments/{assessment}": "the same as for recording one",
    "POST /cases/{id}/approvals": "`close_early` without `result`",
    "POST /cases/{id}/escalations": "a field of the other direction, a date in the past or over two years ahead, "
                                    "a closed case",
    "POST /escalations/{id}/decision": "a step that is no longer open",
    "POST /cases/{id}/notes": "`organisationIds` that do not take part in the case",
    "POST /cases/{id}/relations": "subjects that are not both of this case, a kind that does not fit the two "
                                  "subjects (`lid_van` only of a huishouden or groep, …), a relation to itself",
    "PATCH /cases/{id}/relations/{relation}": "an `endOn` before the relation's start, or `null` for a relation "
                                              "that has not ended",
    "POST /cases/{id}/participants": "an inactive organisation or one that takes part already, a "
                                     "geheimhoudingsverklaring without its date or for another role than deelnemer, "
                                     "a contact user of another organisation",
    "POST /cases/{id}/riec-referrals": REFERRAL,
    "PATCH /riec-referrals/{id}": REFERRAL,
    "POST /riec-referrals/{id}/transitions": REFERRAL,
    "POST /cases/{id}/triage": "a `referralOrganisationId` that does not exist",
    "DELETE /participants/{id}": "no `version` (it may come as `If-Match` or `?version=`, so neither is required "
                                 "on its own), the aanbrenger while the case runs, an organisation with open "
                                 "actions, a participation that ended",
    "POST /meetings": "a start in the past, a chair outside the team, inactive organisations, neither a location "
                      "nor an `https://` link",
    "PATCH /meetings/{id}": "a new status and a move at once, or neither; a move into the past",
    "POST /meetings/{id}/agenda": "a case of another team, a closed case",
    "POST /signals": "the betrokkene rules of the web form (a postcode needs a huisnummer, a BSN the 11-proef …), "
                     "an unknown category or team",
    "POST /signals/bundles": "a `title` of blanks only, `convenant` for an aanbrenger that is no convenant partner, "
                             "a geheimhoudingsverklaring without its date or dated in the future",
    "POST /cases/{id}/legal-holds": "an `until` in the past, a `reason` of blanks only",
    "POST /legal-holds/{id}/lift": "a `reason` of blanks only",
    "PATCH /documents/{id}": "a `title` of blanks only, `genoemde_organisaties` without organisations taking part",
    "DELETE /documents/{id}": "no `version` (it may come as `If-Match` or `?version=`, so neither is required on its "
                              "own)",
    "POST /cases/{id}/retention-extension": "an `until` not after the case's archiefactiedatum, a `reason` of "
                                            "blanks only",
}


# Uploads (multipart/form-data, the file as binary): generated bytes are no PDF, image, office document or plain
# text by their content, so valid input is mostly refused with the operation's documented 415 (and 400 for an empty
# file, a `title` of blanks only, `genoemde_organisaties` without organisations taking part). A real upload of each
# kind is tested in tests/documents/test_documents_api.py and tests/api/test_api_documents_http.py.
UPLOAD = ("generated bytes of a type not allowed (415), an empty file, a title of blanks only, named organisations "
          "that do not take part")
REFUSED_UPLOADS = {f"POST /{parent}/{{id}}/documents": UPLOAD
                   for parent in ("cases", "signals", "agenda-items", "riec-referrals")}
REFUSED_UPLOADS["POST /documents/{id}/versions"] = UPLOAD
# Downloads: an `If-None-Match` naming the content's ETag, or `*`, answers the documented 304 without a body.
NOT_MODIFIED = {"GET /documents/{id}/content", "GET /documents/{id}/versions/{number}/content"}


@dataclass
class World:
    token: str
    ids: dict[str, list[int]] = field(default_factory=dict)
    report_names: list[str] = field(default_factory=list)


def _build_world(role: str) -> World:
    """Seed the region and its cases, pick the caller, and note which ids exist (in the team's cases or not)."""
    import sqlalchemy as sa

    from casus.approvals.models import Approval
    from casus.auth.tokens import create_token
    from casus.cases.models import Case, Participation
    from casus.documents.models import Document
    from casus.escalations.models import Escalation
    from casus.extensions import db
    from casus.meetings.models import AgendaItem, Meeting
    from casus.notifications.models import Notification
    from casus.notifications.services import NewNotification, case_link, notify_many
    from casus.plans.models import Action
    from casus.reports.queries import REPORTS
    from casus.signals.models import Signal
    from casus.users.models import Role, User, UserRole
    from casus.voordrachten.models import Voordracht
    from casus_seed.meetings import seed_meetings
    from casus_seed.seed import seed

    seed(120, SEED)
    seed_meetings(seed=SEED)
    db.session.commit()

    def first_user(*where):
        return db.session.execute(sa.select(User).join(UserRole).where(User.active.is_(True), *where)
                                  .order_by(User.id)).unique().scalars().first()

    team_id = db.session.execute(sa.select(Case.team_id).group_by(Case.team_id)
                                 .order_by(sa.func.count().desc(), Case.team_id)).scalars().first()
    if role == "partner":  # of the organisation taking part in most of the team's cases
        organisation_id = db.session.execute(
            sa.select(Participation.organisation_id).join(Case, Case.id == Participation.case_id)
            .join(User, User.organisation_id == Participation.organisation_id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(Case.team_id == team_id, Participation.left_on.is_(None), UserRole.role == Role.PARTNER)
            .group_by(Participation.organisation_id).order_by(sa.func.count().desc(), Participation.organisation_id)
        ).scalars().first()
        user = first_user(User.organisation_id == organisation_id, UserRole.role == Role.PARTNER)
    else:
        user = first_user(User.team_id == team_id, UserRole.role == Role(role))
    team_cases = db.session.execute(sa.select(Case.id, Case.reference).where(Case.team_id == team_id)
                                    .order_by(Case.id)).all()
    notify_many([NewNotification(user_id=user.id, key=f"fuzz-{user.id}-{case_id}", kind="triage_deadline",
                                 link=case_link(case_id), params={"reference": reference, "date": "01-03-2026"},
                                 case_id=case_id) for case_id, reference in team_cases[:6]], email=False)
    _row, token = create_token(user, days=1, scopes="read write")
    db.session.commit()

    def ids(model, *where, limit: int = 12) -> list[int]:
        return list(db.session.execute(sa.select(model.id).where(*where).order_by(model.id).limit(limit)).scalars())

    in_team = Case.id.in_(sa.select(Case.id).where(Case.team_id == team_id))
    team_meetings = AgendaItem.meeting_id.in_(sa.select(Meeting.id).where(Meeting.team_id == team_id))
    return World(token=token, report_names=sorted(REPORTS), ids={
        "cases": ids(Case, in_team) + ids(Case, ~in_team, limit=3),
        "actions": ids(Action, Action.case_id.in_(sa.select(Case.id).where(in_team))),
        "participants": ids(Participation, Participation.case_id.in_(sa.select(Case.id).where(in_team))),
        "meetings": ids(Meeting, Meeting.team_id == team_id) + ids(Meeting, Meeting.team_id != team_id, limit=2),
        "agenda-items": ids(AgendaItem, team_meetings),
        "escalations": ids(Escalation),
        "riec-referrals": ids(Voordracht),
        "approvals": ids(Approval),
        "signals": ids(Signal),
        "notifications": ids(Notification, Notification.user_id == user.id),
        "documents": ids(Document),
    })


def _resource(path: str) -> str:
    """``/cases/{id}/notes`` -> ``cases``; ``/me/notifications/{id}`` -> ``notifications``."""
    parts = [part for part in path.split("/") if part]
    return parts[1] if parts[0] == "me" and len(parts) > 2 else parts[0]


def _contract(document: dict) -> dict:
    """The published document less the catch-all ``default`` response (there for the unexpected 500): every
    status an operation answers must be listed on it, or status_code_conformance fails."""
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].pop("default", None)
    return document


@contextmanager
def _served(app):
    """``app`` over HTTP on 127.0.0.1 (a free port), one request at a time, for the duration."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _register_formats() -> None:
    """Dates and moments inside :mod:`casus.edge`'s window (1900-01-01 … 2100-12-31): outside it a date is a
    400 by design (docs/API.md, "Limits"), which the document cannot say in OpenAPI 3.0."""
    from casus.edge import DATE_MAX, DATE_MIN

    offsets = st.sampled_from([UTC, *(timezone(timedelta(hours=hours)) for hours in (-5, 1, 2, 14))])
    moments = st.datetimes(min_value=datetime.combine(DATE_MIN + timedelta(days=1), datetime.min.time()),
                           max_value=datetime.combine(DATE_MAX - timedelta(days=1), datetime.min.time()),
                           timezones=offsets)
    schemathesis.openapi.format("date", st.dates(min_value=DATE_MIN, max_value=DATE_MAX).map(date.isoformat))
    schemathesis.openapi.format("date-time", moments.map(lambda moment: moment.isoformat()))


def _config(world: World, base_url: str, *, coverage: bool):
    operations = [{"include-name": name, "checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]}}} for name in sorted(REFUSED_VALID)]
    operations += [{"include-name": name, "checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "415", "429"]}}}
        for name in sorted(REFUSED_UPLOADS)]
    operations += [{"include-name": name, "checks": {"positive_data_acceptance": {
        "expected-statuses": ["2xx", "304", "401", "403", "404", "409", "429"]}}} for name in sorted(NOT_MODIFIED)]
    operations += [{"include-name": name, "enabled": False} for name in sorted(LEFT_OUT)]
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "suppress-health-check": ["all"],
        "base-url": f"{base_url}/api/v1",
        "headers": {"Authorization": f"Bearer {world.token}"},
        "request-timeout": 30,
        # No NUL character: it is refused at the edge (docs/API.md, "Limits"); negative cases still send it.
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "database": "none", "no-shrink": True,
                       "with-security-parameters": False, "allow-x00": False},
        # Every check, every phase. A valid request answers 2xx or a documented refusal — never 400 (but for the
        # operations in REFUSED_VALID), 422 or 5xx.
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "429"]},
                   # Invalid input answers one of the documented refusals; 414 is the edge's for a long query.
                   "negative_data_rejection": {"expected-statuses": [
                       "400", "401", "403", "404", "405", "409", "413", "414", "415", "429"]}},
        "operations": operations,
        "phases": {"coverage": {"enabled": coverage}},
    })


@pytest.fixture(scope="module", params=ROLES)
def fuzz_schema(request, app_config, tmp_path_factory):
    role = request.param
    quiet = [logging.getLogger(name) for name in ("casus.request", "werkzeug")]  # a line per request otherwise
    levels = [logger.level for logger in quiet]
    with app_with_own_database(app_config, tmp_path_factory, f"casus_fuzz_{role}") as app:
        if os.environ.get("CASUS_FUZZ_DEBUG"):  # print the traceback of every server error, and what was sent
            import traceback

            from casus.errors import handle_unexpected

            def debug(error):
                traceback.print_exception(error)
                return handle_unexpected(error)

            app.register_error_handler(Exception, debug)
        with app.app_context():
            world = _build_world(role)
        document = _contract(json.loads(app.test_client().get("/api/v1/openapi.json").get_data()))
        _register_formats()
        for logger in quiet:
            logger.setLevel(logging.WARNING)
        try:
            with _served(app) as base_url:
                config = _config(world, base_url, coverage=role == COVERAGE_ROLE)
                schema = schemathesis.openapi.from_dict(document, config=config)

                @schema.hook
                def flatmap_path_parameters(context, path_parameters):
                    """Half the time an id that exists (the caller's or not), else the one generated."""
                    if not path_parameters or context.operation is None:
                        return st.just(path_parameters)
                    key, known = (("name", world.report_names) if "name" in path_parameters else
                                  ("id", world.ids.get(_resource(context.operation.path), [])))
                    value = path_parameters.get(key)
                    if not known or type(value) is not type(known[0]):
                        return st.just(path_parameters)
                    return st.one_of(st.just(path_parameters),
                                     st.sampled_from(known).map(lambda chosen: {**path_parameters, key: chosen}))

                yield schema
                # A fuzzer that lost its own token halfway would have tested nothing but 401s after that.
                still = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {world.token}"})
                assert still.status_code == 200, "the caller's token did not survive the run"
        finally:
            for logger, level in zip(quiet, levels, strict=True):
                logger.setLevel(level)


def _failures(schema) -> tuple[list[str], int]:
    """Run every phase of the engine (as ``schemathesis run`` does): one line per distinct failure, and how many
    requests were answered."""
    from schemathesis.engine import events, from_schema

    found: dict[tuple, str] = {}
    answered = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            count = sum(1 for item in recorder.interactions.values() if item.response is not None)
            answered += count
            if os.environ.get("CASUS_FUZZ_DEBUG"):
                print("PHASE", event.phase.value, count, recorder.label)
            for case_id, checks in recorder.checks.items():
                for check in checks:
                    if check.failure_info is None:
                        continue
                    failure = check.failure_info.failure
                    interaction = recorder.interactions.get(case_id)
                    response = interaction.response if interaction else None
                    answer = (f"{response.status_code} {response.content[:300]!r}" if response is not None
                              else "no response")
                    found.setdefault((recorder.label, check.name, failure.title), (
                        f"{recorder.label} [{event.phase.value}] {check.name}: {failure.title}\n"
                        f"    {failure.message[:400]}\n    -> {answer}\n    {check.failure_info.code_sample[:600]}"))
        elif isinstance(event, events.NonFatalError):
            found.setdefault(("error", event.label, event.info.title),
                             f"{event.label}: {event.info.title}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    return list(found.values()), answered


def test_every_operation_keeps_the_contract(fuzz_schema):
    failures, answered = _failures(fuzz_schema)
    assert answered > 300, f"only {answered} requests answered"
    assert not failures, f"{len(failures)} contract failures:\n" + "\n".join(failures)
