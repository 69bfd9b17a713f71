"""The English catalogue: complete, up to date with the Dutch source texts, compiled, and actually used.

When a test here fails after you added or changed a UI text: run ``scripts/translations.sh``, translate the
new entries in ``casus/translations/en/LC_MESSAGES/messages.po`` and run ``scripts/translations.sh compile``
(see ``casus/translations/README.md``).
"""

from __future__ import annotations

import ast
import gettext
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CASUS = ROOT / "casus"
TRANSLATIONS = CASUS / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
HOW_TO_FIX = "run scripts/translations.sh, translate the entries in messages.po, then scripts/translations.sh compile"
# The extractor's keywords, read from the script itself so that this test extracts exactly what it does.
KEYWORDS = re.search(r'^KEYWORDS="([^"]*)"$', (ROOT / "scripts" / "translations.sh").read_text(), re.M)[1].split()

# UI words that must not show up once English is chosen (user-made data such as names may still be Dutch).
DUTCH_UI_WORDS = ("Inloggen", "Uitloggen", "Wachtwoord", "Mijn account", "Naar de inhoud", "Hoofdmenu",
                  "Meldingen", "Casussen")


def _key(message) -> str:
    return message.id[0] if message.pluralizable else message.id


def _read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh, locale="en")


@pytest.fixture(scope="module")
def catalog():
    return _read(PO)


def test_every_message_is_translated_and_none_is_fuzzy(catalog):
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if message.pluralizable else (message.string,)
        complete = len(strings) == (catalog.num_plurals if message.pluralizable else 1)
        if not complete or not all(s and s.strip() for s in strings):
            untranslated.append(_key(message))
        if message.fuzzy:
            fuzzy.append(_key(message))
    assert not untranslated, f"untranslated messages ({HOW_TO_FIX}):\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy messages, check and unflag them:\n" + "\n".join(fuzzy)


def test_translations_keep_the_placeholders(catalog):
    problems = [f"{_key(message)}: {error}" for message, errors in catalog.check() for error in errors]
    assert not problems, "\n".join(problems)


def test_catalogue_has_every_message_of_the_source(tmp_path, catalog):
    """Extract exactly as scripts/translations.sh does; every extracted msgid must be in the .po."""
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), *KEYWORDS, "--no-location", "--sort-output",
        "-o", str(pot), str(ROOT)])
    extracted = {_key(message) for message in _read(pot) if message.id}
    assert len(extracted) > 100, "extraction found hardly any messages; is babel.cfg right?"
    known = {_key(message) for message in catalog if message.id}
    missing = sorted(extracted - known)
    assert not missing, f"{len(missing)} UI texts are not in messages.po ({HOW_TO_FIX}):\n" + "\n".join(missing)


def test_compiled_catalogue_matches_the_po(tmp_path, catalog):
    compiled = tmp_path / "messages.mo"
    with compiled.open("wb") as fh:
        write_mo(fh, catalog)

    def messages(path: Path) -> dict:
        with path.open("rb") as fh:
            entries = dict(gettext.GNUTranslations(fh)._catalog)
        entries.pop("", None)  # the header: creation dates may differ, the messages may not
        return entries

    assert MO.exists(), f"messages.mo is missing ({HOW_TO_FIX})"
    assert messages(MO) == messages(compiled), "messages.mo is out of date: run scripts/translations.sh compile"


def _switch_to_english(client, auth, page: str) -> None:
    response = client.post("/taal", data={"locale": "en", "next": page, "csrf_token": auth.csrf(page)})
    assert response.status_code == 302


def _assert_english(html: str, *expected: str) -> None:
    assert re.search(r'<html lang="en"', html), "the page is not in English"
    for text in expected:
        assert text in html, f"{text!r} not on the page"
    dutch = [word for word in DUTCH_UI_WORDS if word in html]
    assert not dutch, f"Dutch UI words on an English page: {dutch}"


def test_login_page_is_english_after_switching(client, auth):
    _switch_to_english(client, auth, "/inloggen")
    page = client.get("/inloggen")
    assert page.status_code == 200
    _assert_english(page.get_data(as_text=True), "Log in", "Password", "Email address", "Skip to content")


def test_dashboard_and_case_list_are_english_for_a_partner(client, auth, login_as):
    login_as("partner")
    _switch_to_english(client, auth, "/")
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    _assert_english(dashboard.get_data(as_text=True), "Dashboard", "Log out", "Notifications",
                    "Report a signal")

    cases = client.get("/casussen")
    assert cases.status_code == 200
    _assert_english(cases.get_data(as_text=True), "Cases", "Search", "Log out")


def test_english_chosen_before_logging_in_survives_the_login(client, auth, make_user):
    user = make_user("partner")
    _switch_to_english(client, auth, "/inloggen")
    assert auth.login(user).status_code == 302
    _assert_english(client.get("/").get_data(as_text=True), "Dashboard", "Log out")


# --- every ServiceError message and every label reaches the English catalogue ---------------------------------

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
MARKERS = {"N_"}
TRANSLATED_ALREADY = {"_", "gettext", "lazy_gettext", "_l", "ngettext", "pgettext"}


@dataclass(frozen=True)
class SourceMessage:
    """A ServiceError message as written in casus/: its Dutch text, or why the catalogue cannot have it."""

    where: str
    text: str | None
    problem: str | None
    params: frozenset[str] | None  # the keyword arguments passed; None when unknown (**kwargs, a subclass)


def _trees() -> dict[str, ast.Module]:
    return {str(path.relative_to(ROOT)): ast.parse(path.read_text(encoding="utf-8")) for path in CASUS.rglob("*.py")}


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _service_error_classes(trees) -> dict[str, ast.ClassDef]:
    """ServiceError and every subclass of it (of a subclass ...) defined in casus/."""
    classes: dict[str, ast.ClassDef | None] = {"ServiceError": None}
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if (isinstance(node, ast.ClassDef) and node.name not in classes
                        and any(_name(base) in classes for base in node.bases)):
                    classes[node.name], grew = node, True
    return classes


def _text_of(arg: ast.expr) -> tuple[str | None, str | None]:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value, None
    if isinstance(arg, ast.Call) and _name(arg.func) in MARKERS and len(arg.args) == 1:
        return _text_of(arg.args[0])
    if isinstance(arg, ast.JoinedStr):
        return None, "an f-string never reaches the catalogue: write %(name)s and pass name=... instead"
    if isinstance(arg, ast.Call) and _name(arg.func) in TRANSLATED_ALREADY:
        return None, "translated before ServiceError translates it: pass the Dutch text itself"
    return None, "not a literal, so the extractor cannot see it: pass the Dutch text itself"


def _message(path: str, call: ast.Call, arg: ast.expr, params: frozenset[str] | None) -> SourceMessage:
    text, problem = _text_of(arg)
    return SourceMessage(f"{path}:{call.lineno}", text, problem, params)


def _params(call: ast.Call) -> frozenset[str] | None:
    if any(keyword.arg is None for keyword in call.keywords):
        return None
    return frozenset(keyword.arg for keyword in call.keywords) - {"field", "status", "message"}


def service_error_messages() -> list[SourceMessage]:
    """Every message a ServiceError is raised with in casus/: ``ServiceError("…")``, a subclass's
    ``super().__init__("…")``, and a call of a subclass that keeps ServiceError's constructor."""
    trees = _trees()
    classes = _service_error_classes(trees)
    own_init = {name for name, node in classes.items() if node is not None and any(
        isinstance(item, ast.FunctionDef) and item.name == "__init__" for item in node.body)}
    messages = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name in own_init:
                for call in ast.walk(node):
                    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                            and call.func.attr == "__init__" and isinstance(call.func.value, ast.Call)
                            and _name(call.func.value.func) == "super" and call.args):
                        messages.append(_message(path, call, call.args[0], None))
            if isinstance(node, ast.Call) and _name(node.func) in classes and _name(node.func) not in own_init:
                arg = node.args[0] if node.args else next(
                    (keyword.value for keyword in node.keywords if keyword.arg == "message"), None)
                if arg is not None:
                    messages.append(_message(path, node, arg, _params(node)))
    return messages


@pytest.fixture(scope="module")
def messages():
    found = service_error_messages()
    assert len(found) > 100, "the scan found hardly any ServiceError messages; has ServiceError moved?"
    return found


def test_every_service_error_message_is_a_dutch_text_the_extractor_sees(messages):
    problems = [f"{message.where}: {message.problem}" for message in messages if message.problem]
    assert not problems, "\n".join(problems)


def test_every_placeholder_of_a_service_error_message_is_passed(messages):
    problems = [f"{message.where}: {name!r} is not passed" for message in messages
                if message.text and message.params is not None
                for name in PLACEHOLDER.findall(message.text) if name not in message.params]
    assert not problems, "\n".join(problems)


def test_every_service_error_message_reads_english_in_english(app, messages):
    """Each message rendered as an English reader gets it, placeholders filled in: never the Dutch text."""
    from flask_babel import force_locale

    from casus.services import ServiceError

    dutch_only = []
    with app.test_request_context(), force_locale("en"):
        for message in (message for message in messages if message.text):
            params = dict.fromkeys(PLACEHOLDER.findall(message.text), 7)
            english = ServiceError(message.text, **params).message
            if english == message.text % params:
                dutch_only.append(f"{message.where}: {message.text}")
    assert not dutch_only, f"ServiceError messages without English ({HOW_TO_FIX}):\n" + "\n".join(dutch_only)


def _labelled_enums() -> list[type]:
    """Every LabelledEnum in casus/ and workflow/: the modules that declare one are imported, then the
    subclasses collected."""
    from casus.labels import LabelledEnum

    for path in [*CASUS.rglob("*.py"), *(ROOT / "workflow").rglob("*.py")]:
        if re.search(r"^class \w+\(LabelledEnum\):", path.read_text(encoding="utf-8"), re.M):
            importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    found, todo = [], [LabelledEnum]
    while todo:
        for enum_cls in todo.pop().__subclasses__():
            found.append(enum_cls)
            todo.append(enum_cls)
    return found


def test_every_enum_label_has_an_english_translation(catalog):
    enums = _labelled_enums()
    assert len(enums) > 20, "hardly any labelled enums found; has LabelledEnum moved?"
    missing = [f"{enum_cls.__module__}.{enum_cls.__name__}.{member.name}: {member.label_nl!r}"
               for enum_cls in enums for member in enum_cls
               if not (entry := catalog.get(member.label_nl, context=member.label_nl.context)) or not entry.string]
    assert not missing, f"enum labels without English ({HOW_TO_FIX}):\n" + "\n".join(missing)


def test_every_notification_text_has_an_english_translation(catalog):
    from casus.notifications.kinds import KINDS

    missing = [f"{kind.name}: {text!r}" for kind in KINDS.values() for text in (kind.title, kind.intro)
               if not (entry := catalog.get(text)) or not entry.string]
    assert not missing, f"notification texts without English ({HOW_TO_FIX}):\n" + "\n".join(missing)
