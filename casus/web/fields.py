"""Form fields every domain's forms use: Dutch dates, the version a form was loaded with, checkboxes."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectMultipleField
from wtforms.validators import InputRequired, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from casus.edge import date_in_window

DATE_FORMATS = ["%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y"]
BAD_DATE = _l("Vul een datum in als dd-mm-jjjj, bijvoorbeeld 21-11-2026.")
OUTSIDE_DATE_WINDOW = _l("Vul een datum in tussen 01-01-1900 en 31-12-2100.")
MISSING_VERSION = _l("Dit formulier mist de versie van de gegevens en is niet opgeslagen. Laad de pagina opnieuw "
                     "en probeer het nog eens.")


class DutchDateField(DateField):
    """A date typed as ``21-11-2026`` (ISO and slashes accepted too) in a plain text box, shown as dd-mm-jjjj."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", DATE_FORMATS)
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off", "placeholder": "dd-mm-jjjj"})
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        text = valuelist[0].strip()
        for fmt in self.strptime_format:
            try:
                day = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if not date_in_window(day):  # 01-01-0001 parses, but is no date anyone means (and no date to store)
                self.data = None
                raise ValueError(OUTSIDE_DATE_WINDOW)
            self.data = day
            return
        self.data = None
        raise ValueError(BAD_DATE)


class VersionField(HiddenField):
    """The version of the object the form was loaded with (optimistic locking). Required: a form without it is
    refused (400), never saved without the check. Templates write the object's current version into it."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label or _l("Versie"), validators=[
            InputRequired(MISSING_VERSION), Regexp(r"^[1-9][0-9]{0,9}$", message=MISSING_VERSION),
            *(validators or [])], **kwargs)


class DateWindow:
    """For a plain ``DateField``: the day lies in the date window (01-01-1900 … 31-12-2100, casus.edge); a day
    such as 31-12-9999 parses, but no meeting or deadline falls on it and date arithmetic overflows near it."""

    def __call__(self, form, field) -> None:
        if field.data is not None and not date_in_window(field.data):
            raise ValidationError(OUTSIDE_DATE_WINDOW)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes; the ``field`` macro renders it as a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
