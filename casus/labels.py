"""One way to label an enum, in both languages.

Every enum the UI shows is a :class:`LabelledEnum` whose members carry their Dutch label, marked for the
catalogue::

    class SignalStatus(LabelledEnum):
        ONTVANGEN = "ontvangen", N_("Ontvangen")

``scripts/translations.sh`` extracts every ``N_("…")`` (and ``NC_("context", "…")`` for a Dutch word that
English translates in two ways) into the catalogue, where the English sits next to every other UI text; this
module looks the label up in the language of the request or of a given locale. The workflow's enums use the
same declaration (``workflow.enums``: it stays framework-free and knows only the Dutch), and so do texts that
are not enum labels but are written before they are shown: notification kinds and messages of ServiceError
subclasses. Values the beheerder manages (the names of categories, organisations and teams) are data, not
labels: they live in the database, categories with an English name beside the Dutch one.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from flask_babel import force_locale, get_translations
from flask_babel.speaklater import LazyString
from wtforms.fields.choices import SelectChoice

from casus.i18n import request_translations
from workflow.enums import N_, NC_, Label, LabelledEnum, is_english

__all__ = ["NC_", "N_", "Label", "LabelledEnum", "Labels", "choices", "enum_label", "init_app", "label",
           "lazy_choices", "translate"]


def translate(text: str, locale: object = None) -> str:
    """``text``, a Dutch source text (a :class:`Label` may carry a context), in ``locale`` — by default the
    request's language. Dutch is the source, so Dutch is the text itself; so is any language outside an
    application context."""
    if locale is not None and not is_english(locale):
        return str(text)
    catalogue = request_translations() if locale is None else _catalogue(str(locale))
    context = getattr(text, "context", None)
    return str(catalogue.upgettext(context, text) if context else catalogue.ugettext(text))


def _catalogue(locale: str):
    with force_locale(locale):  # flask-babel keeps each language's catalogue cached on the app
        return get_translations()


def label(member: LabelledEnum, locale: object = None) -> str:
    """The member's label in ``locale`` (by default the request's language)."""
    return translate(member.label_nl, locale)


def enum_label(enum_cls: type[LabelledEnum], value: object, locale: object = None) -> str:
    """The label of a stored value: empty for no value, and a value the enum does not know as it is."""
    if value in (None, ""):
        return ""
    try:
        member = enum_cls(str(value))
    except ValueError:
        return str(value)
    return label(member, locale)


class Labels:
    """An enum's labels for templates: ``labels(value)`` and ``labels[value]`` alike, in the request's
    language (see :func:`enum_label`)."""

    def __init__(self, enum_cls: type[LabelledEnum]) -> None:
        self.enum_cls = enum_cls

    def __call__(self, value: object) -> str:
        return enum_label(self.enum_cls, value)

    __getitem__ = __call__

    def get(self, value: object, default: object = None) -> str:
        return self(value)


def choices(enum_cls: type[LabelledEnum], locale: object = None,
            members: Iterable[LabelledEnum] | None = None) -> list[SelectChoice]:
    """Choices for a select or radio field: every member, or ``members`` in their order."""
    return [SelectChoice(member.value, label(member, locale))
            for member in (enum_cls if members is None else members)]


def lazy_choices(enum_cls: type[LabelledEnum]) -> list[SelectChoice]:
    """:func:`choices` for a field declared at import time: each label is looked up when it is shown."""
    return [SelectChoice(member.value, LazyString(label, member)) for member in enum_cls]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["enum_label"] = enum_label
