"""Language and time zone: Dutch by default, English available; dates as dd-mm-jjjj in local time (casus.clock)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

from babel.support import Translations
from flask import Flask, current_app, g, has_app_context, request, session
from flask_babel import format_datetime, get_locale, get_translations
from flask_login import current_user
from wtforms.i18n import messages_path

from casus.clock import local_zone

LANGUAGES = {"nl": "Nederlands", "en": "English"}


def select_locale() -> str:
    chosen = session.get("locale")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return current_app.config["CASUS"].default_locale


def current_locale() -> str:
    """The language of this request (``nl`` or ``en``), as a plain string."""
    return str(get_locale() or "nl")


def select_timezone() -> str:
    return current_app.config["CASUS"].timezone


def format_date_nl(value: date | datetime | None) -> str:
    """``21-11-2026``: the date format Dutch users expect, in local time for datetimes."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(local_zone()).date()
    return value.strftime("%d-%m-%Y")


def format_datetime_nl(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(local_zone()).strftime("%d-%m-%Y %H:%M")


def request_translations():
    """The catalogue of the current language, looked up once per request and language.

    flask-babel looks it up on every call (three context proxies each time), and a page calls gettext a few
    hundred times: caching it on ``g`` saves a few milliseconds per page. Keyed by the locale, because a request
    may switch it for a while (``force_locale``: an e-mail or a notification in its reader's language).
    """
    if not has_app_context():
        return get_translations()
    cache = g.setdefault("_casus_translations", {})
    locale = str(get_locale())
    translations = cache.get(locale)
    if translations is None:
        translations = cache[locale] = get_translations()
    return translations


@cache
def _wtforms_catalogue(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class _WtformsTranslations:
    """WTForms' own messages ("This field is required.") in the request's language, from a catalogue read once
    per process and language: flask-wtf reads and parses the .mo file again on every request that builds a
    form (about 1 ms). Looked up lazily, so a request without forms never selects a locale for it."""

    def ugettext(self, message: str) -> str:
        return _wtforms_catalogue(str(get_locale())).ugettext(message)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(str(get_locale())).ungettext(singular, plural, n)


WTFORMS_TRANSLATIONS = _WtformsTranslations()


def init_app(app: Flask) -> None:
    @app.before_request
    def share_wtforms_catalogue() -> None:
        # flask_wtf.i18n looks for request.wtforms_translations before it loads the catalogue itself.
        request.wtforms_translations = WTFORMS_TRANSLATIONS

    app.jinja_env.install_gettext_callables(
        gettext=lambda message: request_translations().ugettext(message),
        ngettext=lambda singular, plural, n: request_translations().ungettext(singular, plural, n),
        pgettext=lambda context, message: request_translations().upgettext(context, message),
        npgettext=lambda context, singular, plural, n: request_translations().unpgettext(
            context, singular, plural, n),
        newstyle=True)
    app.jinja_env.filters["date_nl"] = format_date_nl
    app.jinja_env.filters["datetime_nl"] = format_datetime_nl
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["format_datetime"] = format_datetime
    app.jinja_env.policies["ext.i18n.trimmed"] = True

    @app.context_processor
    def inject_request_path():
        return {"request_path": request.path}
