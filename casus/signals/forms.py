"""Forms for reporting a signal and for weighing it (triage). Choices are filled in by the views.

The signal form has no JavaScript: betrokkenen are a FieldList of sub-forms, and the secondary button
"Nog een betrokkene" re-renders the form with one more entry without saving anything. Field names and
ids (``subjects-0-bsn``) are the ones services name in a ``ServiceError``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casus import labels
from casus.cases.models import LegalBasis, RiskLevel
from casus.organisations.forms import NOT_IN_LIST, REQUIRED, TOO_LONG, optional_int
from casus.services import MAX_TEXT
from casus.signals.models import Urgency
from casus.signals.services import MAX_SUBJECTS
from casus.subjects.forms import TEXT_FIELDS, SubjectFieldSet
from casus.subjects.models import SubjectKind
from casus.web.fields import DutchDateField, MultiCheckboxField, VersionField
from workflow import InclusionCriterion, TriageOutcome


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class SubjectForm(SubjectFieldSet, Form):
    """One betrokkene. Which fields apply depends on the kind; the services check them."""

    kind = RadioField(_l("Soort betrokkene"), choices=labels.lazy_choices(SubjectKind), default=SubjectKind.PERSOON,
                      validators=[InputRequired(REQUIRED)], validate_choice=True)

    def is_blank(self) -> bool:
        """Nothing typed in (the kind alone does not count): an unused extra row."""
        typed_date = any(str(value).strip() for value in (self.date_of_birth.raw_data or ()))
        return not typed_date and all(not (self[name].data or "").strip() for name in TEXT_FIELDS)


class SignalForm(FlaskForm):
    category_id = SelectField(_l("Categorie"), coerce=optional_int, choices=[],
                              validators=[InputRequired(REQUIRED)], invalid_choice_message=NOT_IN_LIST,
                              invalid_value_message=NOT_IN_LIST)
    team_id = SelectField(_l("Ontvangende gemeente en team"), coerce=optional_int, choices=[],
                          validators=[InputRequired(REQUIRED)], invalid_choice_message=NOT_IN_LIST,
                          invalid_value_message=NOT_IN_LIST)
    description = TextAreaField(_l("Beschrijving"), validators=[
        DataRequired(_l("Beschrijf wat er aan de hand is.")), Length(max=MAX_TEXT, message=TOO_LONG)],
        render_kw={"rows": 8})
    urgency = SelectField(_l("Urgentie"), choices=labels.lazy_choices(Urgency), default=Urgency.NORMAAL,
                          validators=[InputRequired(REQUIRED)], invalid_choice_message=NOT_IN_LIST)
    subjects = FieldList(FormField(SubjectForm), min_entries=1, max_entries=MAX_SUBJECTS)


class OpenCaseForm(FlaskForm):
    title = StringField(_l("Titel van de casus"),
                        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    risk_level = SelectField(_l("Risiconiveau"), choices=labels.lazy_choices(RiskLevel), default=RiskLevel.MIDDEN,
                             validators=[InputRequired(REQUIRED)], invalid_choice_message=NOT_IN_LIST)
    legal_basis = RadioField(_l("Grondslag van de aanbrengende organisatie"), choices=labels.lazy_choices(LegalBasis),
                             default=LegalBasis.CONVENANT, validators=[InputRequired(REQUIRED)])
    confidentiality_signed_on = DutchDateField(_l("Geheimhoudingsverklaring ondertekend op"),
                                               validators=[Optional()])
    # The other signals of the duplicate group, bundled into the same case (choices filled by the view).
    also = MultiCheckboxField(_l("Bundel ook deze signalen in de casus"), coerce=int, choices=[],
                              invalid_choice_message=NOT_IN_LIST, invalid_value_message=NOT_IN_LIST)


class DismissForm(FlaskForm):
    reason = TextAreaField(_l("Reden"), validators=[DataRequired(_l("Geef een reden.")),
                                                   Length(max=MAX_TEXT, message=TOO_LONG)], render_kw={"rows": 3})


class WithdrawSignalForm(FlaskForm):
    """The reporter withdraws their own signal: the CSRF token is all it carries."""


class AttachForm(FlaskForm):
    case_id = HiddenField(validators=[DataRequired(REQUIRED)])


class TriageForm(FlaskForm):
    criteria = MultiCheckboxField(_l("Inclusiecriteria die van toepassing zijn"), choices=[],
                                  invalid_choice_message=NOT_IN_LIST, invalid_value_message=NOT_IN_LIST)
    outcome = RadioField(_l("Uitkomst van de triage"), choices=[], validators=[InputRequired(
        _l("Kies een uitkomst van de triage."))])
    referral_organisation_id = SelectField(_l("Ontvangende organisatie (bij B, C of advies)"), coerce=optional_int,
                                           choices=[], invalid_choice_message=NOT_IN_LIST,
                                           invalid_value_message=NOT_IN_LIST)
    reason = TextAreaField(_l("Reden"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)], render_kw={"rows": 4})
    version = VersionField()

    def fill_choices(self, locale: str, organisations) -> None:
        self.criteria.choices = labels.choices(InclusionCriterion, locale)
        self.outcome.choices = labels.choices(TriageOutcome, locale)
        self.referral_organisation_id.choices = choices([("", _l("Geen (bij A of geen casus)"))] + [
            (str(org.id), org.name) for org in organisations])
