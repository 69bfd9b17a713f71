"""Forms of the Betrokkenen tab: add a subject, correct one, unlink one; and the case's own edit form.

Each subject form checks its input with the services' own rules (``subjects.services.subject_errors``) so every
problem shows next to its field before anything is saved; the services check again. Field names are the model's
columns (``postcode``, ``huisnummer``, ``straat``, ``woonplaats``): the address lookup's script finds them by id.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from casus.cases.case_subjects import CORRECTABLE
from casus.cases.models import RiskLevel
from casus.clock import today
from casus.labels import choices
from casus.organisations.forms import NOT_IN_LIST, REQUIRED, TOO_LONG, optional_int
from casus.subjects.forms import TEXT_FIELDS, SubjectFieldSet
from casus.subjects.models import SubjectKind
from casus.subjects.services import SubjectInput, subject_errors
from casus.web.fields import VersionField


class SubjectFields(SubjectFieldSet, FlaskForm):
    """The fields of a betrokkene; which apply depends on its kind (the template says so, the services check)."""

    def subject_kind(self) -> str:
        raise NotImplementedError

    def entered(self, columns=None) -> dict[str, object]:
        """What was typed, by column (``columns``: only those); text trimmed, an empty field ``""``."""
        columns = columns or (*TEXT_FIELDS, "date_of_birth")
        return {column: self.date_of_birth.data if column == "date_of_birth" else (self[column].data or "").strip()
                for column in columns}

    def subject_input(self, base: dict | None = None) -> SubjectInput:
        values = {**(base or {}), **self.entered()}
        return SubjectInput(kind=self.subject_kind(), **{key: (value if value != "" else None)
                                                         for key, value in values.items()})

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        problems = subject_errors(self.subject_input(self.stored()), today())
        for name, message in problems.items():
            target = self[name] if name in self else self._fields.get("kind")
            if target is not None:
                target.errors = [*target.errors, message]
        return not problems

    def stored(self) -> dict:
        return {}


class SubjectAddForm(SubjectFields):
    """Add a betrokkene to the case: a known one is matched as with a signal. ``version``: the case's."""

    version = VersionField()
    # Its own id: the relations form on the same tab has a "kind" of its own.
    kind = SelectField(_l("Soort betrokkene"), id="soort-betrokkene", choices=[], default=SubjectKind.PERSOON.value,
                       validators=[InputRequired(REQUIRED)], invalid_choice_message=NOT_IN_LIST)

    def fill(self, locale) -> None:
        self.kind.choices = choices(SubjectKind, locale)

    def subject_kind(self) -> str:
        return self.kind.data or ""


class SubjectCorrectForm(SubjectFields):
    """Correct a betrokkene of the case; only its kind's fields are shown and sent."""

    version = VersionField()

    def for_subject(self, subject) -> SubjectCorrectForm:
        self._subject = subject
        return self

    def subject_kind(self) -> str:
        return str(self._subject.kind)

    def columns(self) -> tuple[str, ...]:
        return CORRECTABLE[SubjectKind(self._subject.kind)]

    def stored(self) -> dict:
        """What is stored for the fields this form does not show (the check judges the whole subject)."""
        return {column: getattr(self._subject, column) for column in self.columns()}

    def subject_input(self, base: dict | None = None) -> SubjectInput:
        values = {**(base or {}), **self.entered(self.columns())}
        return SubjectInput(kind=self.subject_kind(), **{key: (value if value != "" else None)
                                                         for key, value in values.items()})

    def changes(self) -> dict[str, object]:
        return self.entered(self.columns())

    def load(self, subject) -> None:
        """Show what is stored now."""
        for column in self.columns():
            value = getattr(subject, column)
            self[column].data = value if column == "date_of_birth" else ("" if value is None else str(value))
        self.version.data = str(subject.version)


class CaseEditForm(FlaskForm):
    """Correct the case itself: title, category, risk level, gemeente, procesregisseur."""

    version = VersionField()
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)])
    category_id = SelectField(_l("Categorie"), coerce=optional_int, choices=[], validators=[InputRequired(REQUIRED)],
                              invalid_choice_message=NOT_IN_LIST)
    risk_level = SelectField(_l("Risiconiveau"), choices=[], validators=[InputRequired(REQUIRED)],
                             invalid_choice_message=NOT_IN_LIST)
    gemeente = StringField(_l("Gemeente"), validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)])
    procesregisseur_id = SelectField(_l("Procesregisseur"), coerce=optional_int, choices=[],
                                     invalid_choice_message=NOT_IN_LIST)

    def fill(self, locale, *, categories, procesregisseurs) -> None:
        self.category_id.choices = [SelectChoice(c.id, c.label(locale)) for c in categories]
        self.risk_level.choices = choices(RiskLevel, locale)
        self.procesregisseur_id.choices = [SelectChoice("", _l("Nog niet toegewezen")),
                                           *(SelectChoice(u.id, u.name) for u in procesregisseurs)]

    def changes(self) -> dict[str, object]:
        return {"title": self.title.data, "category_id": self.category_id.data, "risk_level": self.risk_level.data,
                "gemeente": self.gemeente.data, "procesregisseur_id": self.procesregisseur_id.data}
