"""Forms of the escalations tab: opschalen, recording the decision, afschalen.

Required fields and dates in the past are judged by the workflow guards (all failures at once, next to
their fields, and recorded as a refused attempt); the forms check only what a guard cannot: a date that
does not parse, and lengths. The view gives each form's fields unique ids (two forms have a ``decision``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from casus.escalations.services import MAX_OWNER
from casus.organisations.forms import TOO_LONG
from casus.services import MAX_TEXT
from casus.web.fields import DutchDateField, VersionField

# Which form field a failing guard concerns, so its message appears next to that field.
GUARD_FIELDS = {
    "needs_reason": "reason",
    "needs_decision_owner": "decision_owner",
    "needs_decision_deadline": "decision_deadline",
    "needs_review_date": "review_on",
    "needs_decision": "decision",
}


class EscalateForm(FlaskForm):
    version = VersionField()
    reason = TextAreaField(_l("Reden om op te schalen"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])
    decision_owner = StringField(_l("Wie beslist op het nieuwe niveau"),
                                 validators=[Length(max=MAX_OWNER, message=TOO_LONG)])
    decision_deadline = DutchDateField(_l("Beslistermijn"))
    review_on = DutchDateField(_l("Afschalen heroverwegen op"))


class DecisionForm(FlaskForm):
    version = VersionField()  # the step's
    decision = TextAreaField(_l("Genomen besluit"), validators=[Length(max=MAX_TEXT, message=TOO_LONG)])


class DeescalateForm(FlaskForm):
    version = VersionField()
    decision = TextAreaField(_l("Besluit waarmee wordt afgeschaald"),
                             validators=[Length(max=MAX_TEXT, message=TOO_LONG)])
