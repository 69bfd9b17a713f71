"""Forms for administering organisations, teams and case categories. Choices are filled in by the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from casus import labels
from casus.organisations.models import Organisation, OrganisationKind

REQUIRED = _l("Dit veld is verplicht.")
TOO_LONG = _l("Gebruik hoogstens %(max)d tekens.")
NOT_IN_LIST = _l("Kies een waarde uit de lijst.")


def optional_int(value) -> int | None:
    """Coerce a submitted id; the empty option becomes None (and is refused by DataRequired)."""
    if value in (None, "", "None"):
        return None
    return int(value)


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Kies een soort")), *labels.choices(OrganisationKind)]


def organisation_choices(organisations: list[Organisation], current_id: int | None = None) -> list[SelectChoice]:
    """Active organisations, plus the currently chosen one even when it has been deactivated."""
    choices = [SelectChoice("", _l("Kies een organisatie"))]
    for organisation in organisations:
        if organisation.active or organisation.id == current_id:
            label = organisation.name if organisation.active else _l("%(name)s (inactief)", name=organisation.name)
            choices.append(SelectChoice(str(organisation.id), label))
    return choices


class OrganisationForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
                       render_kw={"autocomplete": "organization"})
    kind = SelectField(_l("Soort organisatie"), validators=[InputRequired(REQUIRED)], choices=kind_choices,
                       invalid_choice_message=NOT_IN_LIST)
    convenant_partner = BooleanField(_l("Convenantpartner"))
    active = BooleanField(_l("Actief"), default=True)
    password_login = BooleanField(_l("Inloggen met wachtwoord toegestaan"), default=True)


class TeamForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    gemeente = StringField(_l("Gemeente"), validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)])
    organisation_id = SelectField(_l("Organisatie"), validators=[InputRequired(REQUIRED)], coerce=optional_int,
                                  choices=[], invalid_choice_message=NOT_IN_LIST,
                                  invalid_value_message=NOT_IN_LIST)
    active = BooleanField(_l("Actief"), default=True)


class CategoryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[
        DataRequired(REQUIRED), Length(max=40, message=TOO_LONG),
        Regexp(r"^[a-z][a-z0-9_]{1,39}$", message=_l(
            "Gebruik 2 tot 40 kleine letters, cijfers of liggende streepjes (_), te beginnen met een letter."))])
    name = StringField(_l("Naam"), validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)])
    name_en = StringField(_l("Engelse naam"), validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)],
                          render_kw={"lang": "en"})
    active = BooleanField(_l("Actief"), default=True)
