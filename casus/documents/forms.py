"""Forms of documents: upload (fields and the file), edit (fields), new version (the file), delete (a button)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from casus.documents.models import DocumentType, DocumentVisibility, SharingBasis
from casus.documents.services import MAX_TITLE
from casus.labels import choices
from casus.organisations.forms import NOT_IN_LIST, REQUIRED, TOO_LONG
from casus.web.fields import DutchDateField, MultiCheckboxField, VersionField

INVALID_DATE = _l("Vul een geldige datum in (dag-maand-jaar).")


class _Fields(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(REQUIRED), Length(max=MAX_TITLE, message=TOO_LONG)])
    document_type = SelectField(_l("Soort document"), choices=[], validators=[InputRequired(REQUIRED)],
                                invalid_choice_message=NOT_IN_LIST)
    document_date = DutchDateField(_l("Datum van het document"), validators=[InputRequired(INVALID_DATE)])
    visibility = SelectField(_l("Zichtbaar voor"), choices=[], validators=[InputRequired(REQUIRED)],
                             invalid_choice_message=NOT_IN_LIST)
    audience_ids = MultiCheckboxField(_l("Genoemde organisaties"), coerce=int, choices=[],
                                      invalid_choice_message=NOT_IN_LIST, invalid_value_message=NOT_IN_LIST)
    legal_basis = SelectField(_l("Grondslag voor het delen"), choices=[], validators=[InputRequired(REQUIRED)],
                              invalid_choice_message=NOT_IN_LIST)

    def fill(self, *, organisations) -> None:
        self.document_type.choices = choices(DocumentType)
        self.visibility.choices = choices(DocumentVisibility)
        self.legal_basis.choices = choices(SharingBasis)
        self.audience_ids.choices = [SelectChoice(o.id, o.name) for o in organisations]


class UploadForm(_Fields):
    file = FileField(_l("Bestand"))


class EditForm(_Fields):
    version = VersionField()


class NewVersionForm(FlaskForm):
    version = VersionField()
    file = FileField(_l("Nieuw bestand"))


class DeleteForm(FlaskForm):
    version = VersionField()
