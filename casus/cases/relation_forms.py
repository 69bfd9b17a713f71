"""The forms of the relations section on the Betrokkenen tab: add a relation, end one, remove one.

Relations have no version of their own (they are added, ended or removed, never edited field by field), so these
forms carry only the CSRF token besides their fields.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from casus.labels import choices, enum_label
from casus.organisations.forms import NOT_IN_LIST, optional_int
from casus.subjects.models import RelationKind, Subject, SubjectKind
from casus.web.fields import DutchDateField

CHOOSE_SUBJECT = _l("Kies een betrokkene.")


class RelationForm(FlaskForm):
    """"<subject> <kind> <related subject>", with optional dates."""

    subject_id = SelectField(_l("Betrokkene"), coerce=optional_int, choices=[],
                             validators=[InputRequired(CHOOSE_SUBJECT)], invalid_choice_message=NOT_IN_LIST)
    kind = SelectField(_l("Soort relatie"), choices=[], validators=[InputRequired(_l("Kies een soort relatie."))],
                       invalid_choice_message=NOT_IN_LIST)
    related_subject_id = SelectField(_l("Met betrokkene"), coerce=optional_int, choices=[],
                                     validators=[InputRequired(CHOOSE_SUBJECT)], invalid_choice_message=NOT_IN_LIST)
    start_on = DutchDateField(_l("Sinds (optioneel)"), validators=[Optional()])
    end_on = DutchDateField(_l("Tot en met (optioneel)"), validators=[Optional()])

    def fill(self, locale, subjects: list[Subject]) -> RelationForm:
        # The kind after the name: "Huishouden De Vries (Huishouden)" and the person De Vries are told apart.
        options = [SelectChoice(str(subject.id),
                                f"{subject.display_name} ({enum_label(SubjectKind, subject.kind, locale)})")
                   for subject in subjects]
        self.subject_id.choices = [SelectChoice("", _l("Kies een betrokkene")), *options]
        self.related_subject_id.choices = [SelectChoice("", _l("Kies een betrokkene")), *options]
        self.kind.choices = [SelectChoice("", _l("Kies een soort relatie")), *choices(RelationKind, locale)]
        # Ids of their own on the Betrokkenen tab, whose subject forms have a "kind" too; the names stay plain.
        for form_field in self:
            form_field.id = f"relatie-{form_field.name}"
        return self


class EndRelationForm(FlaskForm):
    """The day a relation ended; empty clears it (the relation had not ended after all)."""

    end_on = DutchDateField(_l("Beëindigd op"), validators=[Optional()])


class RemoveRelationForm(FlaskForm):
    """A bare button: the CSRF token only."""
