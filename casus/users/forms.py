"""The form for administering users. Organisation and team choices are filled in by the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from casus import labels
from casus.organisations.forms import NOT_IN_LIST, REQUIRED, TOO_LONG, optional_int
from casus.organisations.models import Team
from casus.users.models import Role
from casus.web.fields import MultiCheckboxField


def role_choices() -> list[SelectChoice]:
    return labels.choices(Role)


def team_choices(teams: list[Team], current_id: int | None = None) -> list[SelectChoice]:
    """An empty option, then the active teams (and the current one) grouped by organisation."""
    choices = [SelectChoice("", _l("Geen team"))]
    usable = [team for team in teams if team.active or team.id == current_id]
    for team in sorted(usable, key=lambda t: (t.organisation.name, t.name)):
        label = team.name if team.active else _l("%(name)s (inactief)", name=team.name)
        choices.append(SelectChoice(str(team.id), label, optgroup=team.organisation.name))
    return choices


class UserForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
                       render_kw={"autocomplete": "off"})
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(REQUIRED), Length(max=254, message=TOO_LONG)],
                       render_kw={"autocomplete": "off"})
    organisation_id = SelectField(_l("Organisatie"), validators=[InputRequired(REQUIRED)], coerce=optional_int,
                                  choices=[], invalid_choice_message=NOT_IN_LIST, invalid_value_message=NOT_IN_LIST)
    team_id = SelectField(_l("Team"), coerce=optional_int, choices=[], invalid_choice_message=NOT_IN_LIST,
                          invalid_value_message=NOT_IN_LIST)
    roles = MultiCheckboxField(_l("Rollen"), validators=[DataRequired(_l("Kies minstens één rol."))],
                               choices=role_choices, invalid_choice_message=NOT_IN_LIST,
                               invalid_value_message=NOT_IN_LIST)
    active = BooleanField(_l("Actief"), default=True)

    def __init__(self, *args, editing_self: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A beheerder must not lock themselves out: another beheerder has to do that.
        self.editing_self = editing_self

    def validate_active(self, field) -> None:
        if self.editing_self and not field.data:
            raise ValidationError(_l("U kunt uw eigen account niet deactiveren."))

    def validate_roles(self, field) -> None:
        if self.editing_self and Role.BEHEERDER.value not in (field.data or []):
            raise ValidationError(_l("U kunt uw eigen rol beheerder niet intrekken."))
