"""Forms of the retention pages: a retention term, its confirmation, a legal hold and its lifting, a request to
extend a case's term. Labels and messages in Dutch through lazy_gettext."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from casus import labels
from casus.cases.models import Archiefnominatie
from casus.services import MAX_TEXT
from casus.web.fields import DutchDateField, VersionField

REQUIRED = _l("Dit veld is verplicht.")
TOO_LONG = _l("Gebruik hoogstens %(max)d tekens.")


class DutchIntegerField(IntegerField):
    """An integer field whose conversion error is Dutch (WTForms' own message is English)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Vul een heel getal in.")) from error


class TermForm(FlaskForm):
    months = DutchIntegerField(_l("Bewaartermijn in maanden"), validators=[
        InputRequired(REQUIRED),
        NumberRange(min=1, max=1200, message=_l("Kies een bewaartermijn van 1 tot en met 1200 maanden."))])
    archiefnominatie = SelectField(_l("Archiefnominatie"), validators=[InputRequired(REQUIRED)],
                                   choices=labels.lazy_choices(Archiefnominatie),
                                   invalid_choice_message=_l("Kies een waarde uit de lijst."))
    basis = TextAreaField(_l("Grondslag"), validators=[Optional(), Length(max=MAX_TEXT, message=TOO_LONG)])
    version = VersionField()


class ConfirmTermForm(FlaskForm):
    version = VersionField()


class HoldForm(FlaskForm):
    reason = TextAreaField(_l("Reden van de bevriezing"), validators=[
        DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])
    until = DutchDateField(_l("Tot en met (niet verplicht)"), validators=[Optional()])


class LiftHoldForm(FlaskForm):
    lift_reason = TextAreaField(_l("Reden van het opheffen"), validators=[
        DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])
    version = VersionField()


class CaseReferenceForm(FlaskForm):
    reference = StringField(_l("Casusnummer"), validators=[DataRequired(REQUIRED), Length(max=12, message=TOO_LONG)],
                            render_kw={"autocomplete": "off", "placeholder": "2026-00042"})


class ExtensionForm(FlaskForm):
    """On the same page as the hold form: its fields carry the prefix ``extension-`` so no id is used twice."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "extension")
        super().__init__(*args, **kwargs)

    until = DutchDateField(_l("Bewaren tot en met"), validators=[InputRequired(REQUIRED)])
    reason = TextAreaField(_l("Reden van de verlenging"), validators=[
        DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])
