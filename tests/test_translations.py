"""The English catalogue: complete, up to date with the Dutch source texts, compiled, and actually used.

When a test here fails after you added or changed a UI text: run ``scripts/translations.sh``, translate the
new entries in ``casus/translations/en/LC_MESSAGES/messages.po`` and run ``scripts/translations.sh compile``
(see ``casus/translations/README.md``).
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "casus" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
HOW_TO_FIX = "run scripts/translations.sh, translate the entries in messages.po, then scripts/translations.sh compile"

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
        "pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext",
        "-k", "ServiceError:1", "--no-location", "--sort-output", "-o", str(pot), str(ROOT)])
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
