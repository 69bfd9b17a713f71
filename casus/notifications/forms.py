"""The form of "Meldingen — voorkeuren": per kind of notification one radio group of the three deliveries."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

from casus.labels import lazy_choices, translate
from casus.notifications.models import Delivery
from casus.notifications.preferences import choosable_kinds

CHOOSE = _l("Kies hoe u deze meldingen wilt ontvangen.")


class PreferencesForm(FlaskForm):
    """One ``RadioField`` per choosable kind, named after the kind; built per request (:func:`preferences_form`)."""

    def choices(self) -> dict[str, str]:
        return {spec.name: self[spec.name].data for spec in choosable_kinds()}


def preferences_form(current: Mapping[str, Delivery]) -> PreferencesForm:
    """The form with each kind's current delivery chosen; the kinds are known at start, so the class is built
    once per call from the registry (a kind added later appears without a change here)."""
    fields = {spec.name: RadioField(LazyString(translate, spec.label), choices=lazy_choices(Delivery),
                                    default=current[spec.name].value, validators=[InputRequired(CHOOSE)])
              for spec in choosable_kinds()}
    return type("PreferencesForm", (PreferencesForm,), fields)()
