"""The form of a leefgebieden assessment: moment, date, who took part, a note and one radio group (1–5, or not
scored) per configured domain. The domains are configuration, so the form class is made per list of domains."""

from __future__ import annotations

from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from casus import labels
from casus.assessments import domains
from casus.assessments.models import AssessmentMoment
from casus.assessments.services import MAX_PARTICIPANTS
from casus.cases.forms import INVALID_DATE
from casus.organisations.forms import NOT_IN_LIST, TOO_LONG
from casus.services import MAX_TEXT
from casus.web.fields import DutchDateField, VersionField

PREFIX = "score_"  # a domain's radio group is named score_<code>
NOT_SCORED = ""


def _score(value) -> int | str | None:
    """A submitted score as a number; anything else stays as it came and fails the choices (NOT_IN_LIST)."""
    if value in (None, NOT_SCORED):
        return None
    return int(value) if str(value).isdigit() and len(str(value)) == 1 else str(value)


class _AssessmentForm(FlaskForm):
    moment = RadioField(_l("Moment"), choices=[], validators=[InputRequired(_l("Kies het moment van de scoring."))],
                        invalid_choice_message=NOT_IN_LIST)
    assessed_on = DutchDateField(_l("Datum van de scoring"), validators=[InputRequired(INVALID_DATE)])
    participants = StringField(_l("Wie deden mee"), validators=[Length(max=MAX_PARTICIPANTS, message=TOO_LONG)])
    note = TextAreaField(_l("Toelichting"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)],
                         render_kw={"rows": 3})

    def fill(self, locale: str) -> None:
        self.moment.choices = labels.choices(AssessmentMoment, locale)
        scale = [SelectChoice(NOT_SCORED, _l("Niet gescoord")),
                 *(SelectChoice(str(score), f"{score} · {domains.scale_label(score, locale)}")
                   for score in domains.SCALE)]
        for domain in domains.current():
            field = self[PREFIX + domain.code]
            field.choices = scale
            field.label.text = domain.label(locale)

    def score_fields(self) -> list:
        return [self[PREFIX + domain.code] for domain in domains.current()]

    def scores(self) -> dict[str, int | None]:
        return {domain.code: self[PREFIX + domain.code].data for domain in domains.current()}


@cache
def _form_class(codes: tuple[str, ...], versioned: bool) -> type[_AssessmentForm]:
    fields = {PREFIX + code: RadioField(code, choices=[], coerce=_score, default=NOT_SCORED,
                                        invalid_choice_message=NOT_IN_LIST) for code in codes}
    if versioned:
        fields["version"] = VersionField()
    return type("AssessmentForm", (_AssessmentForm,), fields)


def assessment_form(locale: str, *, versioned: bool = False, **kwargs) -> _AssessmentForm:
    """A new assessment's form (``versioned``: a correction's, with the version it was loaded with)."""
    form = _form_class(domains.codes(), versioned)(**kwargs)
    form.fill(locale)
    return form


def form_data_of(assessment) -> dict:
    """An assessment as the form's initial data."""
    data = {"moment": str(assessment.moment), "assessed_on": assessment.assessed_on,
            "participants": assessment.participants or "", "note": assessment.note or "",
            "version": assessment.version}
    data.update({PREFIX + score.domain: score.score for score in assessment.scores})
    return data
