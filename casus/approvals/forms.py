"""Forms of the approvals pages: the decision (approve or reject, with a motivation) and the withdrawal.

The decision form has two submit buttons, ``decision=approve`` and ``decision=reject``, and one motivation
field (required to reject: the service says so, next to the field). ``next`` lets a page that includes the
partial ``approvals/_decision_form.html`` — the RIEC voordracht, say — get the user back after the POST.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length

from casus import labels
from casus.approvals.models import ApprovalKind
from casus.organisations.forms import TOO_LONG
from casus.services import MAX_TEXT
from casus.web.fields import VersionField

DECISIONS = ("approve", "reject")


class DecisionForm(FlaskForm):
    version = VersionField()
    next = HiddenField()
    decision = HiddenField(validators=[InputRequired(_l("Kies goedkeuren of afwijzen.")),
                                       AnyOf(DECISIONS, message=_l("Kies goedkeuren of afwijzen."))])
    motivation = TextAreaField(_l("Motivering"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])


class WithdrawForm(FlaskForm):
    version = VersionField()


class QueueFilterForm(FlaskForm):
    """The filter above the queue (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    soort = SelectField(_l("Soort verzoek"), choices=[], validate_choice=False)

    def fill(self, locale) -> None:
        self.soort.choices = [SelectChoice("", _l("Alle soorten")),
                              *labels.choices(ApprovalKind, locale)]
