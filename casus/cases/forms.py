"""Forms of the case list and the case file. Choices that depend on data are filled in by the views.

Several forms of one kind can appear on one page (a transition form per trigger, an end button per
participation); views give their fields unique ids with :func:`unique_ids` while the names stay plain,
so the POST handler parses one form.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from casus.cases.models import LegalBasis, NoteVisibility
from casus.labels import choices
from casus.organisations.forms import NOT_IN_LIST, REQUIRED, TOO_LONG, optional_int
from casus.services import MAX_TEXT
from casus.web.fields import DutchDateField, MultiCheckboxField, VersionField
from workflow import CasePhase, ClosureResult, EscalationLevel, ParticipationRole

INVALID_DATE = _l("Vul een geldige datum in (dag-maand-jaar).")

SORT_CHOICES = [
    SelectChoice("gewijzigd", _l("Laatst gewijzigd")),
    SelectChoice("referentie", _l("Referentie")),
    SelectChoice("herbeoordeling", _l("Volgende herbeoordeling")),
]

TIMELINE_GROUPS = {
    "signalen": (_l("Signalen"), ("signal.",)),
    # approval.* and voordracht.* lines reach only the case's team (policy.team_timeline_scope).
    "fase": (_l("Fase en besluiten"), ("case.", "approval.", "voordracht.")),
    "notities": (_l("Notities"), ("note.",)),
    "acties": (_l("Plan en acties"), ("goal.", "action.", "plan.")),
    "partners": (_l("Partners"), ("participation.",)),
    "escalaties": (_l("Escalaties"), ("escalation.",)),
    "betrokkenen": (_l("Betrokkenen"), ("subject.", "relation.")),
}

def unique_ids(form: FlaskForm, prefix: str) -> FlaskForm:
    """Give every field of ``form`` an id starting with ``prefix`` (names stay as they are)."""
    for field in form:
        field.id = f"{prefix}-{field.name}"
    return form


def enum_choices(enum_cls, locale, empty_label) -> list[SelectChoice]:
    return [SelectChoice("", empty_label), *choices(enum_cls, locale)]


class CaseFilterForm(FlaskForm):
    """The filter and search form above the case list (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    q = StringField(_l("Zoeken"), validators=[Optional(), Length(max=100, message=TOO_LONG)])
    phase = SelectField(_l("Fase"), choices=[], validate_choice=False)
    category = SelectField(_l("Categorie"), choices=[], coerce=optional_int, validate_choice=False)
    team = SelectField(_l("Team (gemeente)"), choices=[], coerce=optional_int, validate_choice=False)
    procesregisseur = SelectField(_l("Procesregisseur"), choices=[], coerce=optional_int, validate_choice=False)
    escalation = SelectField(_l("Escalatieniveau"), choices=[], validate_choice=False)
    overdue = BooleanField(_l("Alleen over datum (herbeoordeling of triagetermijn)"))
    sort = SelectField(_l("Sorteren op"), choices=SORT_CHOICES, default="gewijzigd", validate_choice=False)

    def fill(self, locale, *, categories, teams, procesregisseurs) -> None:
        self.phase.choices = enum_choices(CasePhase, locale, _l("Alle fasen"))
        self.escalation.choices = enum_choices(EscalationLevel, locale, _l("Alle niveaus"))
        self.category.choices = [SelectChoice("", _l("Alle categorieën")),
                                 *(SelectChoice(str(c.id), c.label(locale)) for c in categories)]
        self.team.choices = [SelectChoice("", _l("Alle teams")),
                             *(SelectChoice(str(t.id), f"{t.name} ({t.gemeente})") for t in teams)]
        self.procesregisseur.choices = [SelectChoice("", _l("Iedereen")),
                                        *(SelectChoice(str(u.id), u.name) for u in procesregisseurs)]


class TransitionForm(FlaskForm):
    """Fire a workflow trigger: reason, and for closing a result (a supervisor may override nazorg)."""

    trigger = HiddenField()
    version = VersionField()
    reason = TextAreaField(_l("Reden"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])
    result = SelectField(_l("Resultaat"), choices=[], validate_choice=False)
    override = BooleanField(_l("Nazorgperiode overslaan (supervisor)"))

    def fill(self, locale) -> None:
        self.result.choices = enum_choices(ClosureResult, locale, _l("Kies een resultaat"))


class EarlyClosureForm(FlaskForm):
    """Ask a second supervisor to close the case early (four-eyes; decided under /akkoorden)."""

    reason = TextAreaField(_l("Reden voor vroegtijdig afsluiten"),
                           validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])
    result = SelectField(_l("Resultaat"), choices=[], validators=[InputRequired(REQUIRED)],
                         invalid_choice_message=NOT_IN_LIST)

    def fill(self, locale) -> None:
        self.result.choices = enum_choices(ClosureResult, locale, _l("Kies een resultaat"))


class ReopenForm(FlaskForm):
    """Ask a second supervisor to reopen a closed case (four-eyes; decided under /akkoorden)."""

    reason = TextAreaField(_l("Reden om te heropenen"),
                           validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])


class VersionForm(FlaskForm):
    """A bare button form: the CSRF token and the case version (ending a participation, say)."""

    version = VersionField()


class EvaluationForm(FlaskForm):
    version = VersionField()
    evaluation = TextAreaField(_l("Evaluatie"),
                               validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])


class PlanDiscussedForm(FlaskForm):
    version = VersionField()
    discussed_on = DutchDateField(_l("Datum casusoverleg"), validators=[InputRequired(INVALID_DATE)])


class InviteForm(FlaskForm):
    """Invite an organisation into the case with a role and a legal basis for sharing."""

    version = VersionField()
    organisation_id = SelectField(_l("Organisatie"), coerce=optional_int, choices=[],
                                  validators=[InputRequired(REQUIRED)], invalid_choice_message=NOT_IN_LIST)
    role = SelectField(_l("Rol"), choices=[], validators=[InputRequired(REQUIRED)],
                       invalid_choice_message=NOT_IN_LIST)
    legal_basis = SelectField(_l("Grondslag"), choices=[], validators=[InputRequired(REQUIRED)],
                              invalid_choice_message=NOT_IN_LIST)
    signed_on = DutchDateField(_l("Geheimhoudingsverklaring ondertekend op"), validators=[Optional()])
    contact_user_id = SelectField(_l("Contactpersoon (optioneel)"), coerce=optional_int, choices=[],
                                  invalid_choice_message=NOT_IN_LIST)

    def fill(self, locale, *, organisations, contacts, suggested=()) -> None:
        """``suggested`` organisations (the case's reporters, casus.cases.suggestions) come first, in a group of
        their own; each contact is marked with its organisation for casus/static/js/invite-contacts.js."""
        suggested_ids = {o.id for o in suggested}
        first = [o for o in organisations if o.id in suggested_ids]
        rest_group = _l("Andere organisaties") if first else None
        self.organisation_id.choices = [
            SelectChoice("", _l("Kies een organisatie")),
            *(SelectChoice(str(o.id), o.name, optgroup=_l("Meldden signalen in deze casus")) for o in first),
            *(SelectChoice(str(o.id), o.name, optgroup=rest_group) for o in organisations
              if o.id not in suggested_ids)]
        self.role.choices = choices(ParticipationRole, locale,
                                    [role for role in ParticipationRole if role != ParticipationRole.AANBRENGER])
        self.legal_basis.choices = choices(LegalBasis, locale)
        names = {o.id: o.name for o in organisations}  # no query per contact for its organisation's name
        self.contact_user_id.choices = [SelectChoice("", _l("Geen contactpersoon")), *(
            SelectChoice(str(u.id), u.name, render_kw={"data-organisation": str(u.organisation_id)},
                         optgroup=names.get(u.organisation_id)) for u in contacts)]


class NoteForm(FlaskForm):
    text = TextAreaField(_l("Notitie"), validators=[DataRequired(REQUIRED), Length(max=MAX_TEXT, message=TOO_LONG)])
    visibility = SelectField(_l("Zichtbaar voor"), choices=[], validators=[InputRequired(REQUIRED)],
                             invalid_choice_message=NOT_IN_LIST)
    organisation_ids = MultiCheckboxField(_l("Genoemde organisaties"), coerce=int, choices=[],
                                          invalid_choice_message=NOT_IN_LIST, invalid_value_message=NOT_IN_LIST)

    def fill(self, *, organisations) -> None:
        self.visibility.choices = choices(NoteVisibility)
        self.organisation_ids.choices = [SelectChoice(o.id, o.name) for o in organisations]


class TimelineFilterForm(FlaskForm):
    class Meta:
        csrf = False

    group = SelectField(_l("Soort gebeurtenis"), validate_choice=False, choices=[
        SelectChoice("", _l("Alles")), *(SelectChoice(key, label) for key, (label, _p) in TIMELINE_GROUPS.items())])
