"""Forms of the destruction-list pages: take an item off, postpone it, put it back, submit the list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from casus.organisations.forms import TOO_LONG
from casus.services import MAX_TEXT
from casus.web.fields import DutchDateField, VersionField

REQUIRED = _l("Dit veld is verplicht.")


class RemoveItemForm(FlaskForm):
    version = VersionField()
    reason = TextAreaField(_l("Reden om van de lijst te halen"), validators=[
        DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])


class PostponeItemForm(FlaskForm):
    version = VersionField()
    until = DutchDateField(_l("Nieuwe datum"), validators=[InputRequired(REQUIRED)])
    postpone_reason = TextAreaField(_l("Reden van het uitstel"), validators=[
        DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])


class RestoreItemForm(FlaskForm):
    version = VersionField()


class SubmitListForm(FlaskForm):
    version = VersionField()
