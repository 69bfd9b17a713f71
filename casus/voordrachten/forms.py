"""Forms of the RIEC voordracht pages. Choices depend on data (the case's subjects, the RIECs): views fill them.

Required fields and the 'overig' description are checked by the service, which reports every problem at
once; the forms check only what the browser sends (choices from the list, lengths).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from casus import labels
from casus.i18n import format_date_nl
from casus.organisations.forms import NOT_IN_LIST, TOO_LONG, optional_int
from casus.subjects.models import SubjectKind
from casus.voordrachten.drafting import MAX_INDICATOR_OTHER, MAX_SUMMARY
from casus.voordrachten.models import RiecIndicator, RiecLegalBasis, Urgency
from casus.voordrachten.services import MAX_ADVICE, MAX_REFERENCE
from casus.web.fields import MultiCheckboxField, VersionField


def subject_label(subject) -> str:
    """How a subject is offered for sharing: kind, name or address, and what identifies it further."""
    parts = [str(subject.kind_label), subject.display_name]
    if subject.kind == SubjectKind.PERSOON and subject.date_of_birth:
        parts.append(str(_l("geboren %(date)s", date=format_date_nl(subject.date_of_birth))))
    if subject.kind != SubjectKind.ADRES and subject.address:
        parts.append(subject.address)
    if subject.kvk_nummer:
        parts.append(str(_l("KvK %(number)s", number=subject.kvk_nummer)))
    return " · ".join(part for part in parts if part)


class VoordrachtForm(FlaskForm):
    """Draw up a concept voordracht (:class:`VoordrachtEditForm` changes one)."""

    summary = TextAreaField(_l("Samenvatting voor het RIEC"),
                            validators=[Length(max=MAX_SUMMARY, message=TOO_LONG)])
    subject_ids = MultiCheckboxField(_l("Betrokkenen die u deelt"), coerce=int, choices=[],
                                     invalid_choice_message=NOT_IN_LIST, invalid_value_message=NOT_IN_LIST)
    indicators = MultiCheckboxField(_l("Indicatoren van ondermijning"), choices=[],
                                    invalid_choice_message=NOT_IN_LIST, invalid_value_message=NOT_IN_LIST)
    indicator_other = StringField(_l("Omschrijving bij 'overig'"),
                                  validators=[Optional(), Length(max=MAX_INDICATOR_OTHER, message=TOO_LONG)])
    legal_basis = SelectField(_l("Grondslag voor het delen"), choices=[], invalid_choice_message=NOT_IN_LIST)
    urgency = SelectField(_l("Urgentie"), choices=[], default=Urgency.REGULIER.value,
                          invalid_choice_message=NOT_IN_LIST)
    addressee_organisation_id = SelectField(_l("Aan (RIEC)"), coerce=optional_int, choices=[],
                                            invalid_choice_message=NOT_IN_LIST)

    def fill(self, locale, *, subjects, organisations) -> None:
        self.subject_ids.choices = [SelectChoice(s.id, subject_label(s)) for s in subjects]
        self.indicators.choices = labels.choices(RiecIndicator, locale)
        self.legal_basis.choices = [SelectChoice("", _l("Kies een grondslag")),
                                    *labels.choices(RiecLegalBasis, locale)]
        self.urgency.choices = labels.choices(Urgency, locale)
        self.addressee_organisation_id.choices = [SelectChoice("", _l("Kies een RIEC")),
                                                  *(SelectChoice(str(o.id), o.name) for o in organisations)]

    def values(self) -> dict:
        return {"summary": self.summary.data, "subject_ids": self.subject_ids.data or [],
                "indicators": self.indicators.data or [], "indicator_other": self.indicator_other.data,
                "legal_basis": self.legal_basis.data, "urgency": self.urgency.data,
                "addressee_organisation_id": self.addressee_organisation_id.data}


class VoordrachtEditForm(VoordrachtForm):
    """Change a concept: with the version it was loaded with."""

    version = VersionField()


class StepForm(FlaskForm):
    """A bare workflow button: the CSRF token and the voordracht's version."""

    version = VersionField()


class AcceptForm(FlaskForm):
    version = VersionField()
    riec_reference = StringField(_l("RIEC-casusnummer"),
                                 validators=[Length(max=MAX_REFERENCE, message=TOO_LONG)],
                                 render_kw={"autocomplete": "off"})


class ReturnForm(FlaskForm):
    version = VersionField()
    advice = TextAreaField(_l("Advies en motivering"), validators=[Length(max=MAX_ADVICE, message=TOO_LONG)])
