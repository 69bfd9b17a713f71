"""Forms of the meeting pages. Choices that depend on data (chairs, organisations) are filled in by the views;
per-item forms get unique field ids from the view (names stay plain, so one POST handler parses them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation

from casus import labels
from casus.cases.forms import INVALID_DATE
from casus.meetings.models import AgendaPurpose, MeetingType
from casus.organisations.forms import NOT_IN_LIST, REQUIRED, TOO_LONG, optional_int
from casus.services import MAX_TEXT
from casus.users.forms import MultiCheckboxField
from casus.web.fields import DateWindow, VersionField

INVALID_TIME = _l("Vul een geldige tijd in (uu:mm).")
WEEKDAYS = (_l("maandag"), _l("dinsdag"), _l("woensdag"), _l("donderdag"), _l("vrijdag"), _l("zaterdag"),
            _l("zondag"))

# A monthly series: the first to fourth, or the last (-1), weekday of the month ("de tweede dinsdag").
WEEKS_OF_MONTH = {1: _l("eerste"), 2: _l("tweede"), 3: _l("derde"), 4: _l("vierde"), -1: _l("laatste")}


def type_choices(locale: str) -> list[SelectChoice]:
    return labels.choices(MeetingType, locale)


def purpose_choices(locale: str) -> list[SelectChoice]:
    return labels.choices(AgendaPurpose, locale)


class _PlaceAndPeople:
    def fill(self, locale: str, *, chairs, organisations) -> None:
        self.type.choices = type_choices(locale)
        self.chair_id.choices = [SelectChoice("", _l("Geen voorzitter")),
                                 *(SelectChoice(str(u.id), u.name) for u in chairs)]
        self.organisation_ids.choices = [SelectChoice(str(o.id), o.name) for o in organisations]


class SeriesForm(_PlaceAndPeople, FlaskForm):
    type = SelectField(_l("Soort overleg"), choices=[], validators=[InputRequired(REQUIRED)],
                       invalid_choice_message=NOT_IN_LIST)
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    weekday = SelectField(_l("Dag van de week"), coerce=int, validators=[InputRequired(REQUIRED)],
                          choices=[SelectChoice(str(i), label) for i, label in enumerate(WEEKDAYS)],
                          invalid_choice_message=NOT_IN_LIST)
    recurrence = SelectField(_l("Herhaling"), default="wekelijks",
                             choices=[SelectChoice("wekelijks", _l("Elke zoveel weken")),
                                      SelectChoice("maandelijks", _l("Maandelijks op de …e weekdag"))],
                             invalid_choice_message=NOT_IN_LIST)
    interval_weeks = IntegerField(_l("Elke hoeveel weken"), default=2, validators=[
        Optional(), NumberRange(min=1, max=52, message=_l("Kies 1 tot 52 weken."))])
    week_of_month = SelectField(_l("Welke weekdag van de maand"), coerce=optional_int, default="", choices=[
        SelectChoice("", _l("Kies bij maandelijks")),
        *(SelectChoice(str(nth), label) for nth, label in WEEKS_OF_MONTH.items())], invalid_choice_message=NOT_IN_LIST)
    start_time = TimeField(_l("Begintijd"), validators=[InputRequired(INVALID_TIME)])
    duration_minutes = IntegerField(_l("Duur in minuten"), default=120, validators=[
        InputRequired(REQUIRED), NumberRange(min=15, max=600, message=_l("Kies 15 tot 600 minuten."))])
    first_date = DateField(_l("Eerste datum"), validators=[InputRequired(INVALID_DATE), DateWindow()])
    last_date = DateField(_l("Laatste datum (optioneel)"), validators=[Optional(), DateWindow()])
    skip_holidays = BooleanField(_l("Feestdagen overslaan"), default=True)
    location = StringField(_l("Locatie"), validators=[Length(max=200, message=TOO_LONG)])
    online_url = StringField(_l("Link voor online deelname"), validators=[Length(max=500, message=TOO_LONG)])
    chair_id = SelectField(_l("Voorzitter"), coerce=optional_int, choices=[], invalid_choice_message=NOT_IN_LIST)
    organisation_ids = MultiCheckboxField(_l("Uitgenodigde organisaties"), coerce=int, choices=[])
    active = BooleanField(_l("Actief (nieuwe overleggen worden ingepland)"), default=True)


    def validate_interval_weeks(self, field) -> None:
        if self.recurrence.data == "wekelijks" and field.data is None:
            raise StopValidation(str(REQUIRED))

    def validate_week_of_month(self, field) -> None:
        if self.recurrence.data == "maandelijks" and field.data is None:
            raise StopValidation(str(_l("Kies de hoeveelste weekdag van de maand.")))


class SeriesEditForm(SeriesForm):
    """Changing a series: with the version it was loaded with."""

    version = VersionField()


class MeetingForm(_PlaceAndPeople, FlaskForm):
    type = SelectField(_l("Soort overleg"), choices=[], validators=[InputRequired(REQUIRED)],
                       invalid_choice_message=NOT_IN_LIST)
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    day = DateField(_l("Datum"), validators=[InputRequired(INVALID_DATE), DateWindow()])
    start_time = TimeField(_l("Begintijd"), validators=[InputRequired(INVALID_TIME)])
    duration_minutes = IntegerField(_l("Duur in minuten"), default=120, validators=[
        InputRequired(REQUIRED), NumberRange(min=15, max=600, message=_l("Kies 15 tot 600 minuten."))])
    location = StringField(_l("Locatie"), validators=[Length(max=200, message=TOO_LONG)])
    online_url = StringField(_l("Link voor online deelname"), validators=[Length(max=500, message=TOO_LONG)])
    chair_id = SelectField(_l("Voorzitter"), coerce=optional_int, choices=[], invalid_choice_message=NOT_IN_LIST)
    organisation_ids = MultiCheckboxField(_l("Uitgenodigde organisaties"), coerce=int, choices=[])


class MoveForm(FlaskForm):
    version = VersionField()
    day = DateField(_l("Datum"), validators=[InputRequired(INVALID_DATE), DateWindow()])
    start_time = TimeField(_l("Begintijd"), validators=[InputRequired(INVALID_TIME)])
    duration_minutes = IntegerField(_l("Duur in minuten"), validators=[
        InputRequired(REQUIRED), NumberRange(min=15, max=600, message=_l("Kies 15 tot 600 minuten."))])
    location = StringField(_l("Locatie"), validators=[Length(max=200, message=TOO_LONG)])
    online_url = StringField(_l("Link voor online deelname"), validators=[Length(max=500, message=TOO_LONG)])


class ButtonForm(FlaskForm):
    """A bare button: only the CSRF token."""


class VersionForm(FlaskForm):
    version = VersionField()


class AgendaAddForm(FlaskForm):
    reference = StringField(_l("Casusnummer"), validators=[DataRequired(REQUIRED), Length(max=12, message=TOO_LONG)])
    purpose = SelectField(_l("Doel"), choices=[], default=AgendaPurpose.BESPREKEN.value,
                          validators=[InputRequired(REQUIRED)], invalid_choice_message=NOT_IN_LIST)

    def fill(self, locale: str) -> None:
        self.purpose.choices = purpose_choices(locale)


class MinutesForm(FlaskForm):
    version = VersionField()
    beeldvorming = TextAreaField(_l("Beeldvorming"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])
    oordeelsvorming = TextAreaField(_l("Oordeelsvorming"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])
    besluitvorming = TextAreaField(_l("Besluitvorming"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])
    discussed = BooleanField(_l("Besproken"))


class DecisionForm(FlaskForm):
    text = TextAreaField(_l("Besluit"), validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])
    as_action = BooleanField(_l("Dit besluit wordt een actie in het plan van aanpak"))
    owner_organisation_id = SelectField(_l("Uitvoerende organisatie"), coerce=optional_int, choices=[],
                                        invalid_choice_message=NOT_IN_LIST)
    due_on = DateField(_l("Uiterste datum"), validators=[Optional(), DateWindow()])

    def fill(self, organisations) -> None:
        self.owner_organisation_id.choices = [SelectChoice("", _l("Kies een deelnemende organisatie")),
                                              *(SelectChoice(str(o.id), o.name) for o in organisations)]


class AttendanceRow(Form):
    organisation_id = HiddenField()
    present = BooleanField(_l("Aanwezig"))
    names = StringField(_l("Namen"), validators=[Length(max=500, message=TOO_LONG)])


class AttendanceForm(FlaskForm):
    version = VersionField()  # the meeting's: attendance is part of it
    rows = FieldList(FormField(AttendanceRow))


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    periode = SelectField(_l("Periode"), choices=[SelectChoice("komend", _l("Komende overleggen")),
                                                  SelectChoice("verleden", _l("Eerdere overleggen"))],
                          default="komend", validators=[Optional()])
