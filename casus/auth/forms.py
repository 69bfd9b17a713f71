from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from casus.auth.passwords import MAX_LENGTH, check_strength
from casus.services import ServiceError

REQUIRED = _l("Dit veld is verplicht.")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[
        DataRequired(REQUIRED), Email(_l("Vul een geldig e-mailadres in.")), Length(max=254)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH)])
    next = HiddenField()


class TotpForm(FlaskForm):
    code = StringField(_l("Code uit uw authenticator-app"), validators=[
        DataRequired(REQUIRED), Regexp(r"^\s*\d{3}\s?\d{3}\s*$", message=_l("Vul de zes cijfers in."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


def strong_password(_form, field):
    try:
        check_strength(field.data or "")
    except ServiceError as problem:
        raise ValidationError(problem.message) from problem


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Huidig wachtwoord"), validators=[DataRequired(REQUIRED)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("Nieuw wachtwoord"), validators=[DataRequired(REQUIRED), strong_password],
                        render_kw={"autocomplete": "new-password"})
    repeat = PasswordField(_l("Herhaal nieuw wachtwoord"), validators=[
        DataRequired(REQUIRED), EqualTo("new", _l("De wachtwoorden zijn niet gelijk."))],
        render_kw={"autocomplete": "new-password"})
