"""The filter form of the audit log (GET, so no CSRF token: filtering changes nothing)."""

from __future__ import annotations

import ipaddress

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from casus import labels
from casus.audit.models import Outcome
from casus.organisations.forms import optional_int
from casus.web.fields import DutchDateField

TOO_LONG = _l("Gebruik hoogstens %(max)d tekens.")
NOT_IN_LIST = _l("Kies een waarde uit de lijst.")




def outcome_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Alle uitkomsten")),
            *labels.choices(Outcome)]


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    gebruiker = StringField(_l("Gebruiker (e-mailadres of een deel ervan)"),
                            validators=[Optional(), Length(max=254, message=TOO_LONG)])
    organisatie = SelectField(_l("Organisatie"), coerce=optional_int, choices=[], validators=[Optional()],
                              invalid_choice_message=NOT_IN_LIST, invalid_value_message=NOT_IN_LIST)
    actie = StringField(_l("Actie (begint met, bijvoorbeeld case.)"),
                        validators=[Optional(), Length(max=80, message=TOO_LONG),
                                    Regexp(r"^[a-z_.]+$", message=_l("Gebruik kleine letters, punten en _."))])
    casus = StringField(_l("Casusnummer"), validators=[
        Optional(), Regexp(r"^\s*\d{4}-\d{5,6}\s*$", message=_l("Vul een casusnummer in als 2026-00042."))])
    uitkomst = SelectField(_l("Uitkomst"), choices=outcome_choices, validators=[Optional()], default="",
                           invalid_choice_message=NOT_IN_LIST)
    van = DutchDateField(_l("Vanaf (dd-mm-jjjj)"), validators=[Optional()])
    tot = DutchDateField(_l("Tot en met (dd-mm-jjjj)"), validators=[Optional()])
    ip = StringField(_l("IP-adres"), validators=[Optional(), Length(max=45, message=TOO_LONG)])

    def validate_ip(self, field) -> None:
        try:
            field.data = str(ipaddress.ip_address(field.data.strip()))
        except ValueError as error:
            raise ValidationError(_l("Vul een geldig IP-adres in, zoals 192.0.2.10.")) from error

    def validate_tot(self, field) -> None:
        if field.data and self.van.data and field.data < self.van.data:
            raise ValidationError(_l("De einddatum ligt vóór de begindatum."))

    def active_filters(self) -> dict[str, str]:
        """The filters that were given, as strings (for the audit event and the links to further pages)."""
        values = {}
        for name in ("gebruiker", "organisatie", "actie", "casus", "uitkomst", "van", "tot", "ip"):
            field = self[name]
            if field.data not in (None, ""):
                values[name] = field._value() if name in ("van", "tot") else str(field.data).strip()
        return values


class AuditTrailForm(FlaskForm):
    """Whose trail (``casus.audit.subject_views``): one case by its number, or one subject (betrokkene) by BSN or by
    the subject number the case file shows. GET, so no CSRF token."""

    class Meta:
        csrf = False

    casus = StringField(_l("Casusnummer"), validators=[
        Optional(), Regexp(r"^\s*\d{4}-\d{5,6}\s*$", message=_l("Vul een casusnummer in als 2026-00042."))])
    bsn = StringField(_l("BSN van de betrokkene"), validators=[
        Optional(), Regexp(r"^\s*\d{8,9}\s*$", message=_l("Vul een BSN in van 8 of 9 cijfers."))])
    betrokkene = StringField(_l("Nummer van de betrokkene (uit het casusdossier)"), validators=[
        Optional(), Regexp(r"^\s*\d{1,9}\s*$", message=_l("Vul een nummer in, zoals 1234."))])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if len(self.given()) != 1:
            self.casus.errors.append(_l("Vul precies één van de drie in: een casusnummer, een BSN of het nummer "
                                        "van een betrokkene."))
            return False
        return True

    def given(self) -> dict[str, str]:
        """The one field filled in (after validation), stripped: what the trail is of."""
        return {name: str(self[name].data).strip() for name in ("casus", "bsn", "betrokkene")
                if (self[name].data or "").strip()}
