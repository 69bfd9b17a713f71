"""The fields of a betrokkene, declared once for every form that takes one: a row of the signal form and the
Betrokkenen tab's add and correct forms. Which fields apply depends on the kind; the services check them
(``subjects.services.subject_errors``). Field names are the model's columns: the address lookup's script and the
services' ``ServiceError`` fields name them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from casus.organisations.forms import TOO_LONG
from casus.web.fields import DutchDateField

# What a user types as text, by column (the date of birth is the one other field).
TEXT_FIELDS = ("name", "bsn", "straat", "huisnummer", "toevoeging", "postcode", "woonplaats", "kvk_nummer")


def _text(label, max_length: int, **render_kw) -> StringField:
    return StringField(label, validators=[Length(max=max_length, message=TOO_LONG)],
                       render_kw={"autocomplete": "off", **render_kw})


class SubjectFieldSet:
    """Mixed into a form (``class X(SubjectFieldSet, FlaskForm)``): WTForms collects these fields with its own."""

    name = _text(_l("Naam"), 200)
    date_of_birth = DutchDateField(_l("Geboortedatum"), validators=[Optional()])
    bsn = _text(_l("BSN"), 20, inputmode="numeric")
    postcode = _text(_l("Postcode"), 10)
    huisnummer = _text(_l("Huisnummer"), 10, inputmode="numeric")
    toevoeging = _text(_l("Toevoeging"), 10)
    straat = _text(_l("Straat"), 120)
    woonplaats = _text(_l("Woonplaats"), 80)
    kvk_nummer = _text(_l("KvK-nummer"), 12, inputmode="numeric")
