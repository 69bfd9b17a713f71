"""The form that records a nazorg check-in. Each check-in's form gets unique field ids from the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from casus.cases.forms import INVALID_DATE
from casus.organisations.forms import NOT_IN_LIST, TOO_LONG
from casus.services import MAX_TEXT
from casus.web.fields import DutchDateField, VersionField

CONTACT_REQUIRED = _l("Geef aan of er contact is geweest.")


class CheckinForm(FlaskForm):
    version = VersionField()
    done_on = DutchDateField(_l("Datum van het contact"), validators=[InputRequired(INVALID_DATE)])
    contact_made = SelectField(_l("Contact gelegd?"), choices=[
        SelectChoice("", _l("Kies ja of nee")), SelectChoice("ja", _l("Ja")), SelectChoice("nee", _l("Nee"))],
        validators=[InputRequired(CONTACT_REQUIRED)], invalid_choice_message=NOT_IN_LIST)
    outcome = TextAreaField(_l("Uitkomst"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])
    relapse_signal = BooleanField(_l("Signaal van terugval"))

    @property
    def contact(self) -> bool | None:
        return {"ja": True, "nee": False}.get(self.contact_made.data)
