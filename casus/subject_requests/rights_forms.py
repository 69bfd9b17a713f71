"""Forms of rectificatie, beperking and wissing on the request page. Each confirmed subject has its own correction
and restriction form (``prefix`` per subject, so the ids on the page stay unique); the services check every rule
again (``casus.subject_requests.rights``) and name the field they refuse."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from casus.organisations.forms import TOO_LONG
from casus.services import MAX_TEXT
from casus.subject_requests.rights import CORRECTABLE
from casus.subjects.models import Subject
from casus.web.fields import DutchDateField, VersionField


def correction_prefix(subject_id: int) -> str:
    return f"correctie-{subject_id}"


def restriction_prefix(subject_id: int) -> str:
    return f"beperking-{subject_id}"


class CorrectionForm(FlaskForm):
    """The subject's fields, filled with what is stored now; the privacy officer changes what is wrong."""

    name = StringField(_l("Naam"), validators=[Optional(), Length(max=200, message=TOO_LONG)])
    date_of_birth = DutchDateField(_l("Geboortedatum"), validators=[Optional()])
    bsn = StringField(_l("BSN"), validators=[Optional(), Length(max=11, message=TOO_LONG)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=7, message=TOO_LONG)])
    huisnummer = StringField(_l("Huisnummer"), validators=[Optional(), Length(max=5, message=TOO_LONG)])
    toevoeging = StringField(_l("Toevoeging"), validators=[Optional(), Length(max=6, message=TOO_LONG)])
    kvk_nummer = StringField(_l("KvK-nummer"), validators=[Optional(), Length(max=8, message=TOO_LONG)])

    @classmethod
    def for_subject(cls, subject: Subject, *, posted: bool = False) -> CorrectionForm:
        """The form of ``subject``: the posted data when ``posted``, else the stored values."""
        prefix = correction_prefix(subject.id)
        if posted:
            return cls(prefix=prefix)
        stored = {column: getattr(subject, column) for column in CORRECTABLE[str(subject.kind)]}
        return cls(formdata=None, prefix=prefix, **stored)

    @staticmethod
    def fields_for(subject: Subject) -> tuple[str, ...]:
        """The fields shown for the subject's kind (a person has a date of birth, a business a KvK-nummer)."""
        return CORRECTABLE[str(subject.kind)]

    def changes(self, subject: Subject) -> dict[str, object]:
        return {column: self[column].data for column in self.fields_for(subject)}


class RestrictionForm(FlaskForm):
    reason = TextAreaField(_l("Reden van de beperking"), validators=[
        InputRequired(_l("Vermeld de reden.")), Length(max=MAX_TEXT, message=TOO_LONG)])


class LiftForm(FlaskForm):
    """Lift a restriction: the button alone (and the CSRF token)."""


class ErasureForm(FlaskForm):
    """Grant the wissing, or confirm it as the second privacy officer: the request's version."""

    version = VersionField()
