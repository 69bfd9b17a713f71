"""Every audit event belongs to a registered processing activity: every action used in casus/ and every endpoint
of the app maps to one, and record() stores its id and legal basis (the endpoint's first, else the action's)."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from itertools import product
from pathlib import Path

import pytest
import sqlalchemy as sa

CASUS = Path(__file__).resolve().parents[2] / "casus"
ACTION_PARAMETERS = {"action", "audit_action"}
ACTION = re.compile(r"^[a-z][a-z_]*(\.[a-z][a-z_]*)*$")


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _constants(tree: ast.Module) -> dict[str, str]:
    """The module's top-level ``NAME = "text"`` assignments."""
    return {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
            for target in node.targets if isinstance(target, ast.Name)}


def _texts(node: ast.expr, constants: dict[str, str]) -> list[str]:
    """The strings ``node`` can be: a literal, a module constant, either branch of ``a if c else b``, an f-string
    of those; none for a variable (its callers pass it and are walked themselves)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Name):
        return [constants[node.id]] if node.id in constants else []
    if isinstance(node, ast.IfExp):
        return _texts(node.body, constants) + _texts(node.orelse, constants)
    if isinstance(node, ast.FormattedValue):
        return _texts(node.value, constants)
    if isinstance(node, ast.JoinedStr):
        parts = [_texts(value, constants) for value in node.values]
        return ["".join(combination) for combination in product(*parts)] if all(parts) else []
    return []


def _is_action(argument: ast.arg) -> bool:
    """A parameter that takes an audit action: named so and a string (``action: Action`` is a plan's action)."""
    return (argument.arg in ACTION_PARAMETERS and isinstance(argument.annotation, ast.Name)
            and argument.annotation.id == "str")


Parameters = dict[str, set[int]]  # an audit-action parameter's name -> its positions (none for keyword-only)


def _action_parameters(tree: ast.Module) -> dict[str, Parameters]:
    """The functions a module defines -> their audit-action parameters (empty for a function without one)."""
    functions: dict[str, Parameters] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            parameters = functions.setdefault(node.name, defaultdict(set))
            for index, argument in enumerate([*node.args.posonlyargs, *node.args.args]):
                if _is_action(argument):
                    parameters[argument.arg].add(index)
            for argument in node.args.kwonlyargs:
                if _is_action(argument):
                    parameters.setdefault(argument.arg, set())  # keyword-only: known by name
    return functions


def _called(call: ast.Call, local: dict[str, Parameters], everywhere: dict[str, Parameters]) -> Parameters:
    """The audit-action parameters of the function ``call`` calls: the module's own function of that name for a
    plain name that the module defines, else any function of that name in casus/."""
    name = _name(call.func)
    if isinstance(call.func, ast.Name) and name in local:
        return local[name]
    return everywhere.get(name, {})


def _defaults(node: ast.FunctionDef | ast.AsyncFunctionDef):
    positional = [*node.args.posonlyargs, *node.args.args]
    yield from zip(positional[len(positional) - len(node.args.defaults):], node.args.defaults, strict=True)
    yield from ((argument, default) for argument, default in zip(node.args.kwonlyargs, node.args.kw_defaults,
                                                                  strict=True) if default is not None)


def audit_actions(unseen: list[str] | None = None) -> dict[str, str]:
    """Every audit action casus/ passes: to a parameter named ``action`` or ``audit_action`` (``record``'s first
    is one) by position or keyword, or as such a parameter's default. Action -> where it was first seen.
    ``unseen`` collects where an action is neither of those nor passed on from such a parameter."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in CASUS.rglob("*.py")}
    local = {path: _action_parameters(tree) for path, tree in trees.items()}
    everywhere: dict[str, Parameters] = defaultdict(lambda: defaultdict(set))
    for functions in local.values():
        for name, parameters in functions.items():
            for parameter, positions in parameters.items():
                everywhere[name][parameter] |= positions
    found: dict[str, str] = {}
    unseen = [] if unseen is None else unseen
    for path, tree in trees.items():
        constants, where = _constants(tree), str(path.relative_to(CASUS.parent))
        for node in ast.walk(tree):
            values = []
            if isinstance(node, ast.Call):
                called = _called(node, local[path], everywhere)
                values += [node.args[index] for positions in called.values() for index in positions
                           if index < len(node.args)]
                values += [keyword.value for keyword in node.keywords if keyword.arg in called]
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                values += [default for argument, default in _defaults(node) if _is_action(argument)]
            for value in values:
                texts = _texts(value, constants)
                for text in texts:
                    found.setdefault(text, f"{where}:{value.lineno}")
                if not texts and not (isinstance(value, ast.Name) and value.id in ACTION_PARAMETERS):
                    unseen.append(f"{where}:{value.lineno}")
    return found


def test_the_walk_finds_the_actions_however_they_are_passed():
    actions = audit_actions()
    # record("...") itself, a getter's default, a keyword, a helper's positional argument, a module constant, an
    # f-string of one and a conditional: if the walk misses any of these it proves nothing.
    for expected in ("login.failed", "case.view", "participation.end", "voordracht.list", "agenda_item.view",
                     "subject.known_elsewhere", "subject.known_elsewhere_withheld", "report.export",
                     "user.created", "user.updated"):
        assert expected in actions, expected
    assert len(actions) > 60


def test_every_action_used_in_casus_belongs_to_a_registered_activity():
    from casus.audit.activities import activity_of_action

    unseen: list[str] = []
    actions = audit_actions(unseen)
    assert not unseen, ("an audit action this test cannot read (write it as a literal or a module constant, or "
                        f"pass on a parameter named action): {unseen}")
    malformed = {action: where for action, where in actions.items() if not ACTION.match(action)}
    assert not malformed, f"not an audit action (lower case, dotted): {malformed}"
    missing = {action: where for action, where in actions.items() if activity_of_action(action) is None}
    assert not missing, ("actions without a processing activity: add their prefix to ACTION_ACTIVITIES in "
                         f"casus/audit/activities.py: {missing}")


def test_every_endpoint_belongs_to_a_registered_activity_or_processes_nothing(app):
    from casus.audit.activities import NOT_PROCESSING, activity_of_endpoint

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"cases.detail", "cases_api.Cases", "audit_register.index"} <= endpoints
    missing = sorted(endpoint for endpoint in endpoints
                     if endpoint not in NOT_PROCESSING and activity_of_endpoint(endpoint) is None)
    assert not missing, f"endpoints without a processing activity (ENDPOINT_ACTIVITIES): {missing}"
    assert endpoints >= NOT_PROCESSING, f"stale entries in NOT_PROCESSING: {NOT_PROCESSING - endpoints}"


def test_the_tables_name_registered_activities_and_existing_endpoints(app):
    from casus.audit.activities import ACTION_ACTIVITIES, ENDPOINT_ACTIVITIES
    from casus.processing import ACTIVITIES

    registered = {entry.id for entry in ACTIVITIES}
    assert set(ENDPOINT_ACTIVITIES.values()) | set(ACTION_ACTIVITIES.values()) <= registered
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    blueprints = {endpoint.rpartition(".")[0] for endpoint in endpoints}
    stale = sorted(set(ENDPOINT_ACTIVITIES) - endpoints - blueprints)
    assert not stale, f"ENDPOINT_ACTIVITIES names no such endpoint or blueprint: {stale}"


@pytest.mark.parametrize(("action", "endpoint", "expected"), [
    ("case.search", None, "casusregie"),
    ("case.triage_recorded", None, "triage"),
    ("signal.reported", None, "signaal_melden"),
    ("agenda.auto_scheduled", None, "casusoverleg"),
    ("subject.view", "signals.triage_case", "triage"),  # the page says what the user was doing
    ("subject.view", "cases.subjects", "casusregie"),
    ("api_token.revoked", "users.edit", "beheer"),  # a beheerder deactivating someone
    ("api_token.revoked", "auth.revoke_token", "account"),  # the owner
    ("case.view", "cases_api.CaseTriage", "triage"),  # an endpoint wins over its blueprint
    ("audit.view", "no_such.endpoint", "toezicht"),  # an endpoint unknown to the table: the action decides
    ("unknown.action", None, None),
])
def test_the_activity_comes_from_the_endpoint_else_the_action(action, endpoint, expected):
    from casus.audit.activities import activity_for

    found = activity_for(action, endpoint=endpoint)
    assert (found.id if found else None) == expected


def test_an_activity_the_service_names_wins_and_must_be_registered():
    from casus.audit.activities import activity_for

    assert activity_for("case.view", endpoint="cases.detail", explicit="privacyverzoek").id == "privacyverzoek"
    with pytest.raises(KeyError):
        activity_for("case.view", explicit="geen_activiteit")


def _events(db, action: str):
    from casus.audit.models import AuditEvent

    return list(db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_record_stores_activity_legal_basis_and_trace_id_outside_a_request(app, db):
    from casus.audit.services import record
    from casus.processing import activity

    record("agenda.auto_scheduled", object_type="meeting", object_id=1)
    record("case.view", object_type="case", object_id=1, activity="privacyverzoek")
    (job,), (named,) = _events(db, "agenda.auto_scheduled"), _events(db, "case.view")
    assert (job.activity, job.legal_basis) == ("casusoverleg", activity("casusoverleg").legal_basis)
    assert (named.activity, named.legal_basis) == ("privacyverzoek", activity("privacyverzoek").legal_basis)
    assert re.fullmatch(r"[0-9a-f]{32}", job.trace_id) and job.trace_id == named.trace_id  # one job, one trace


def test_events_of_a_page_carry_the_endpoints_activity(client, db, login_as, make_case):
    from casus.processing import activity

    user = login_as("procesregisseur")
    case = make_case(team=user.team, phase="triage", procesregisseur=user)
    assert client.get(f"/casussen/{case.id}").status_code == 200
    assert client.get(f"/triage/casussen/{case.id}").status_code == 200
    views = _events(db, "case.view")  # the same read, from the case file and from the triage page
    assert [(event.activity, event.legal_basis) for event in views] == [
        ("casusregie", activity("casusregie").legal_basis), ("triage", activity("triage").legal_basis)]
    assert views[0].trace_id != views[1].trace_id  # a trace per request
    logins = _events(db, "login.success")
    assert logins and all(event.activity == "account" for event in logins)


def test_the_audit_log_shows_and_exports_activity_legal_basis_and_trace_id(client, db, login_as):
    import csv
    import io

    from casus.processing import activity

    login_as("privacy")
    first = client.get("/audit", headers={"traceparent": f"00-{'ab' * 16}-{'cd' * 8}-01"})
    assert first.status_code == 200
    html = client.get("/audit").get_data(as_text=True)
    assert "<code>toezicht</code>" in html and activity("toezicht").legal_basis in html
    rows = list(csv.reader(io.StringIO(client.get("/audit/export").get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=";"))
    header = rows[0]
    assert header[-3:] == ["verwerkingsactiviteit", "grondslag", "trace-id"]
    traced = [row for row in rows[1:] if row[header.index("trace-id")] == "ab" * 16]
    assert traced and traced[0][header.index("verwerkingsactiviteit")] == "toezicht"
    assert traced[0][header.index("grondslag")] == activity("toezicht").legal_basis
