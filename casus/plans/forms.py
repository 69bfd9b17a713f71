"""Forms of the plan van aanpak. Per-action forms get unique field ids from the view (names stay plain)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casus import labels
from casus.cases.forms import INVALID_DATE
from casus.organisations.forms import NOT_IN_LIST, REQUIRED, TOO_LONG, optional_int
from casus.plans.models import GoalStatus
from casus.services import MAX_TEXT
from casus.web.fields import DutchDateField, VersionField
from workflow import ActionStatus


def status_choices(locale, empty_label=None) -> list[SelectChoice]:
    choices = labels.choices(ActionStatus, locale)
    return [SelectChoice("", empty_label), *choices] if empty_label else choices


class GoalForm(FlaskForm):
    description = TextAreaField(_l("Doel"), validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])


class ActionForm(FlaskForm):
    description = TextAreaField(_l("Actie"),
                                validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])
    goal_id = SelectField(_l("Hoort bij doel"), coerce=optional_int, choices=[], invalid_choice_message=NOT_IN_LIST)
    owner_organisation_id = SelectField(_l("Eigenaar (organisatie)"), coerce=optional_int, choices=[],
                                        validators=[InputRequired(REQUIRED)], invalid_choice_message=NOT_IN_LIST)
    owner_user_id = SelectField(_l("Uitvoerder (optioneel)"), coerce=optional_int, choices=[],
                                invalid_choice_message=NOT_IN_LIST)
    due_on = DutchDateField(_l("Uiterste datum"), validators=[InputRequired(INVALID_DATE)])

    def fill(self, *, goals, organisations, users) -> None:
        self.goal_id.choices = [SelectChoice("", _l("Geen doel")),
                                *(SelectChoice(str(g.id), g.description[:80]) for g in goals)]
        self.owner_organisation_id.choices = [SelectChoice("", _l("Kies een deelnemende organisatie")),
                                              *(SelectChoice(str(o.id), o.name) for o in organisations)]
        self.owner_user_id.choices = [SelectChoice("", _l("Geen uitvoerder")), *(
            SelectChoice(str(u.id), u.name, optgroup=u.organisation.name) for u in users)]


class ActionStatusForm(FlaskForm):
    version = VersionField()
    status = SelectField(_l("Status"), choices=[], validators=[InputRequired(REQUIRED)],
                         invalid_choice_message=NOT_IN_LIST)
    # Moving the due date of an open action: whoever the action is for is notified (plans.events.ActionDueChanged).
    due_on = DutchDateField(_l("Uiterste datum"), validators=[Optional()])

    def fill(self, locale) -> None:
        self.status.choices = status_choices(locale)


class ProgressForm(FlaskForm):
    version = VersionField()
    text = TextAreaField(_l("Voortgang"), validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])
    status = SelectField(_l("Nieuwe status (optioneel)"), choices=[], default="", invalid_choice_message=NOT_IN_LIST)

    def fill(self, locale) -> None:
        self.status.choices = status_choices(locale, _l("Status niet wijzigen"))


class GoalStatusForm(FlaskForm):
    """Settle a goal (behaald, deels behaald, vervallen: with a date) or open it again."""

    version = VersionField()
    status = SelectField(_l("Status van het doel"), choices=[], validators=[InputRequired(REQUIRED)],
                         invalid_choice_message=NOT_IN_LIST)
    status_on = DutchDateField(_l("Datum"), validators=[Optional()])
    status_note = TextAreaField(_l("Toelichting (optioneel)"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])

    def fill(self, locale) -> None:
        self.status.choices = labels.choices(GoalStatus, locale)
