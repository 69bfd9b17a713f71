"""Every endpoint the code names exists: a renamed or removed page fails here, not as a link that silently
vanishes or a BuildError in front of a user.

Templates and views call ``url_for`` directly (no "link only if the page exists" guard), so this test walks
every endpoint name written down as a string — ``url_for('cases.detail', …)`` in a template, ``"cases.notes"``
handed to a helper, a menu item — and looks each up in the application's URL map. A string counts as an
endpoint name when it is ``<blueprint>.<name>`` for a blueprint of the app; foreign keys (``"cases.id"``) and
audit actions (``record("audit.view", …)``) share that shape and are left out.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUOTED = re.compile(r"""['"]([a-z_]+\.[a-z_]+)['"]""")
NOT_ENDPOINTS = {"ForeignKey", "record"}  # calls whose string arguments have the endpoint shape but are not


def _call_name(node: ast.Call) -> str:
    return getattr(node.func, "attr", None) or getattr(node.func, "id", "")


def names_in_python(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string constant shaped like an endpoint, except arguments of NOT_ENDPOINTS calls."""
    tree = ast.parse(source)
    skipped = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call) and _call_name(node) in NOT_ENDPOINTS
               for arg in node.args}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped
            and QUOTED.fullmatch(repr(node.value))]


def names_in_template(source: str) -> list[tuple[int, str]]:
    return [(source.count("\n", 0, match.start()) + 1, match[1]) for match in QUOTED.finditer(source)]


def endpoint_names() -> list[tuple[str, int, str]]:
    """(file, line, name) for every endpoint-shaped string in casus/ and templates/."""
    found = []
    for path in sorted((ROOT / "casus").rglob("*.py")):
        found += [(str(path.relative_to(ROOT)), line, name) for line, name in names_in_python(path.read_text())]
    for path in sorted((ROOT / "templates").rglob("*.html")):
        found += [(str(path.relative_to(ROOT)), line, name) for line, name in names_in_template(path.read_text())]
    return found


def unknown_endpoints(app, names) -> list[str]:
    blueprints = set(app.blueprints)
    return [f"{where}:{line}: {name}" for where, line, name in names
            if name.split(".")[0] in blueprints and name not in app.view_functions]


def test_every_endpoint_named_in_code_and_templates_exists(app):
    names = endpoint_names()
    # The walk sees what it should: links in templates, names handed to helpers in views, the menu.
    assert ("templates/main/dashboard.html" in {where for where, _, _ in names}
            and {"cases.detail", "cases.notes", "signals.triage_case", "organisations.categories"}
            <= {name for _, _, name in names})
    assert unknown_endpoints(app, names) == []


def test_a_renamed_endpoint_is_reported(app):
    template = """<a href="{{ url_for('cases.detail', case_id=1) }}">x</a><a href="{{ url_for("cases.gone") }}">y</a>"""
    python = 'back = url_for("signals.weg")\nrecord("audit.view")\nsa.ForeignKey("cases.id")\nurl_for("main.index")\n'
    names = ([("t.html", line, name) for line, name in names_in_template(template)]
             + [("v.py", line, name) for line, name in names_in_python(python)])
    assert unknown_endpoints(app, names) == ["t.html:1: cases.gone", "v.py:1: signals.weg"]
