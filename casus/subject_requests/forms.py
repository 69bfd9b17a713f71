"""Forms of the data-subject request pages. The service checks every rule again and names the field it refuses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from casus import labels
from casus.organisations.forms import TOO_LONG
from casus.services import MAX_TEXT
from casus.subject_requests.models import IdentityCheck, RequestKind, RequestOutcome, WithholdingGround
from casus.web.fields import DutchDateField, VersionField

CHOOSE = _l("Maak een keuze.")


def _choices(enum, locale, placeholder) -> list:
    return [SelectChoice("", placeholder), *labels.choices(enum, locale)]


class RegisterForm(FlaskForm):
    kind = SelectField(_l("Soort verzoek"), choices=[], validators=[InputRequired(CHOOSE)])
    bsn = StringField(_l("BSN"), validators=[Optional(), Length(max=11, message=TOO_LONG)])
    name = StringField(_l("Naam"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    date_of_birth = DutchDateField(_l("Geboortedatum"), validators=[Optional()])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=7, message=TOO_LONG)])
    huisnummer = StringField(_l("Huisnummer"), validators=[Optional(), Length(max=5, message=TOO_LONG)])
    toevoeging = StringField(_l("Toevoeging"), validators=[Optional(), Length(max=6, message=TOO_LONG)])
    identity_check = SelectField(_l("Identiteit vastgesteld met"), choices=[], validators=[InputRequired(CHOOSE)])
    identity_note = TextAreaField(_l("Toelichting op de identificatie"),
                                  validators=[Length(max=MAX_TEXT, message=TOO_LONG)])
    received_on = DutchDateField(_l("Ontvangen op"), validators=[InputRequired(_l("Vul de datum van ontvangst in."))])
    description = TextAreaField(_l("Omschrijving van het verzoek"),
                                validators=[Length(max=MAX_TEXT, message=TOO_LONG)])

    def fill(self, locale) -> RegisterForm:
        self.kind.choices = _choices(RequestKind, locale, _l("Kies het soort verzoek"))
        self.identity_check.choices = _choices(IdentityCheck, locale, _l("Kies hoe"))
        return self


class ExtendForm(FlaskForm):
    version = VersionField()
    months = SelectField(_l("Verlengen met"),
                         choices=[SelectChoice("1", _l("1 maand")), SelectChoice("2", _l("2 maanden"))],
                         validators=[AnyOf(("1", "2"), message=CHOOSE)])
    reason = TextAreaField(_l("Reden van de verlenging"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])
    letter_on = DutchDateField(_l("Verzoeker bericht op"), validators=[Optional()])


class CompleteForm(FlaskForm):
    version = VersionField()
    outcome = SelectField(_l("Uitkomst"), choices=[], validators=[InputRequired(CHOOSE)])
    note = TextAreaField(_l("Toelichting"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])

    def fill(self, locale) -> CompleteForm:
        self.outcome.choices = _choices(RequestOutcome, locale, _l("Kies de uitkomst"))
        return self


class ConfirmForm(FlaskForm):
    """Confirm or unconfirm one candidate subject as the person."""

    subject_id = IntegerField(validators=[InputRequired()])
    confirm = HiddenField(validators=[AnyOf(("1", "0"))])


class SearchForm(FlaskForm):
    """Run the search with the request's own identification: no terms of the user's."""


class ItemDecisionForm(FlaskForm):
    """Withhold an item of the package with a ground, or release it."""

    item_key = HiddenField(validators=[InputRequired(), Length(max=60)])
    withheld = HiddenField(validators=[AnyOf(("1", "0"))])
    ground = SelectField(_l("Grond"), choices=[], validate_choice=False)
    ground_note = StringField(_l("Toelichting"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])

    def fill(self, locale) -> ItemDecisionForm:
        self.ground.choices = _choices(WithholdingGround, locale, _l("Kies een grond"))
        return self


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False

    toon = SelectField(_l("Toon"), choices=[SelectChoice("open", _l("Open verzoeken")),
                                                SelectChoice("alle", _l("Alle verzoeken"))],
                       validate_choice=False)
