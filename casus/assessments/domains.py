"""The leefgebieden (life domains) an assessment scores and the 1–5 scale, as configuration.

By default the 13 domains of the Zelfredzaamheid-Matrix (ZRM), each with a stable code that is what the database
stores (``assessment_scores.domain``) and a Dutch label marked for the catalogue. ``CASUS_ASSESSMENT_DOMAINS``
may name a JSON file that replaces the list — ``[{"code": "financien", "nl": "Financiën", "en": "Finances"}, …]``
— for a region that scores other domains. The file is read once, when the application starts
(:func:`init_app`); a file that cannot be used stops the start with a message saying what is wrong, rather than
letting every page fail later. Changing the list never rewrites stored scores: a code that is no longer listed is
still shown (by its code) on old assessments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, has_app_context, has_request_context

from casus.config import ConfigError
from casus.i18n import current_locale
from casus.labels import N_, translate
from workflow.enums import is_english

EXTENSION = "casus_assessment_domains"
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # fits assessment_scores.domain (40) and a form field's name
MAX_LABEL = 80
SCALE = (1, 2, 3, 4, 5)

# The scale's meaning (ZRM): what a score says about how self-reliant someone is in that domain.
SCALE_LABELS = {
    1: N_("Acute problematiek"),
    2: N_("Niet zelfredzaam"),
    3: N_("Beperkt zelfredzaam"),
    4: N_("Voldoende zelfredzaam"),
    5: N_("Volledig zelfredzaam"),
}


@dataclass(frozen=True)
class Domain:
    """One leefgebied: its stored code, its Dutch label and — for a configured list — its English one. The
    default domains have no ``en``: their English is in the catalogue like every other UI text."""

    code: str
    nl: str
    en: str | None = None

    def label(self, locale: object = None) -> str:
        if self.en is None:
            return translate(self.nl, locale)
        if locale is None:
            locale = current_locale() if has_request_context() else "nl"
        return self.en if is_english(locale) else self.nl


ZRM_DOMAINS: tuple[Domain, ...] = (
    Domain("financien", N_("Financiën")),
    Domain("werk_opleiding", N_("Werk & opleiding")),
    Domain("tijdsbesteding", N_("Tijdsbesteding")),
    Domain("huisvesting", N_("Huisvesting")),
    Domain("huiselijke_relaties", N_("Huiselijke relaties")),
    Domain("geestelijke_gezondheid", N_("Geestelijke gezondheid")),
    Domain("lichamelijke_gezondheid", N_("Lichamelijke gezondheid")),
    Domain("middelengebruik", N_("Middelengebruik")),
    Domain("basale_adl", N_("Basale ADL")),
    Domain("instrumentele_adl", N_("Instrumentele ADL")),
    Domain("sociaal_netwerk", N_("Sociaal netwerk")),
    Domain("maatschappelijke_participatie", N_("Maatschappelijke participatie")),
    Domain("justitie", N_("Justitie")),
)


def scale_label(score: int, locale: object = None) -> str:
    return translate(SCALE_LABELS[score], locale) if score in SCALE_LABELS else str(score)


def load(path: str) -> tuple[Domain, ...]:
    """The domains in the JSON file at ``path``; ConfigError naming the file and the problem otherwise."""

    def refuse(problem: str) -> ConfigError:
        return ConfigError(f"CASUS_ASSESSMENT_DOMAINS ({path}): {problem}")

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise refuse(f"the file cannot be read ({error.strerror or type(error).__name__})") from error
    except (UnicodeDecodeError, ValueError) as error:
        raise refuse("the file is not valid JSON in UTF-8") from error
    if not isinstance(data, list) or not data:
        raise refuse('expected a non-empty JSON list of {"code", "nl", "en"} objects')
    domains, seen = [], set()
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or set(item) != {"code", "nl", "en"}:
            raise refuse(f'item {number} must be an object with exactly the keys "code", "nl" and "en"')
        code, nl, en = item["code"], item["nl"], item["en"]
        if not isinstance(code, str) or not CODE.match(code):
            raise refuse(f"item {number}: the code must be 1 to 40 lower-case letters, digits or _, "
                         "starting with a letter")
        if code in seen:
            raise refuse(f"item {number}: the code {code!r} occurs twice")
        for key, text in (("nl", nl), ("en", en)):
            if not isinstance(text, str) or not text.strip() or len(text) > MAX_LABEL:
                raise refuse(f"item {number}: {key!r} must be a text of 1 to {MAX_LABEL} characters")
        seen.add(code)
        domains.append(Domain(code, nl.strip(), en.strip()))
    return tuple(domains)


def init_app(app: Flask) -> None:
    """Read the configured list once, at start (a bad file stops the start), or take the ZRM's."""
    path = app.config["CASUS"].assessment_domains
    app.extensions[EXTENSION] = load(path) if path else ZRM_DOMAINS


def current() -> tuple[Domain, ...]:
    """The domains in their order (the application's; the ZRM's outside an application)."""
    if has_app_context():
        return current_app.extensions.get(EXTENSION, ZRM_DOMAINS)
    return ZRM_DOMAINS


def codes() -> tuple[str, ...]:
    return tuple(domain.code for domain in current())


def label_of(code: str, locale: object = None) -> str:
    """A code's label; a code no longer configured (an old assessment's) shows as itself."""
    for domain in current():
        if domain.code == code:
            return domain.label(locale)
    return code
