"""The filter form above the reports (GET, so no CSRF token). Choices are filled in by the view."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from casus.organisations.forms import NOT_IN_LIST, optional_int
from casus.web.fields import DutchDateField

# Service field names -> this form's field names.
FIELD_OF = {"date_from": "van", "date_to": "tot", "team_id": "team", "category_id": "categorie"}


class ReportFilterForm(FlaskForm):
    class Meta:
        csrf = False

    van = DutchDateField(_l("Van"), validators=[Optional()])
    tot = DutchDateField(_l("Tot en met"), validators=[Optional()])
    team = SelectField(_l("Team"), choices=[], coerce=optional_int,
                       invalid_choice_message=NOT_IN_LIST, invalid_value_message=NOT_IN_LIST)
    categorie = SelectField(_l("Categorie"), choices=[], coerce=optional_int,
                            invalid_choice_message=NOT_IN_LIST, invalid_value_message=NOT_IN_LIST)

    def fill(self, locale: str, *, teams, categories) -> None:
        english = str(locale).startswith("en")
        self.team.choices = [SelectChoice("", _l("Alle teams")), *(
            SelectChoice(team.id, f"{team.gemeente} — {team.name}") for team in teams)]
        self.categorie.choices = [SelectChoice("", _l("Alle categorieën")), *(
            SelectChoice(category.id, category.name_en if english else category.name) for category in categories)]

    def filter_values(self) -> dict:
        """The filters as :func:`casus.reports.services.resolve_filters` takes them."""
        return {"date_from": self.van.data, "date_to": self.tot.data, "team_id": self.team.data,
                "category_id": self.categorie.data}

    def query_args(self) -> dict:
        """The filters as typed, for the download links (empty ones left out)."""
        return {field.name: field.raw_data[0] for field in self if field.raw_data and field.raw_data[0]}
