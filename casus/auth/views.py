from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from casus.audit.services import record
from casus.auth import services, sso, tokens
from casus.auth.forms import ChangePasswordForm, LoginForm, TotpForm
from casus.auth.oidc import SsoError
from casus.auth.services import SSO_SESSION_KEY, LoginStep
from casus.auth.sessions import current_session_row, end_current_session
from casus.navigation import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if not form.is_submitted():
        # The deep link the visitor was sent here from travels in the form's hidden field.
        form.next.data = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        step = services.check_password(form.email.data, form.password.data)
        if step is LoginStep.THROTTLED:
            flash(_("Te veel mislukte pogingen. Wacht een minuut en probeer het opnieuw."), "error")
            return render_template("auth/login.html", form=form), 429
        if step is LoginStep.INVALID:
            flash(_("Onbekende combinatie van e-mailadres en wachtwoord."), "error")
        elif step is LoginStep.PASSWORD_OFF:
            flash(_("Uw organisatie logt in via %(provider)s; inloggen met een wachtwoord staat uit.",
                    provider=current_app.config["CASUS"].oidc_provider_name), "error")
        elif step is LoginStep.DONE:
            return _logged_in_redirect(form.next.data)
        else:
            session["login_next"] = safe_next(form.next.data)  # for after the second factor
            return _after_password(step)
    form.password.data = None  # never echo a password back
    return _login_page(form)


def _login_page(form: LoginForm, status: int = 200):
    cfg = current_app.config["CASUS"]
    return render_template("auth/login.html", form=form, demo=cfg.demo_mode,
                           sso_provider=cfg.oidc_provider_name if cfg.oidc_enabled else None), status


# Why a login through the provider stopped, for the person trying it: text and status per SsoError reason.
SSO_FAILURES = {
    "state": (_l("De inlogpoging is verlopen of komt niet uit deze browser. Probeer opnieuw in te loggen."), 400),
    "nonce": (_l("Het antwoord van de identiteitsprovider hoort niet bij deze inlogpoging. Probeer opnieuw in te "
                 "loggen."), 400),
    "token": (_l("Het antwoord van de identiteitsprovider kon niet worden gecontroleerd. Probeer opnieuw in te "
                 "loggen."), 400),
    "expired": (_l("Het bewijs van de identiteitsprovider is verlopen. Probeer opnieuw in te loggen."), 400),
    "denied": (_l("De identiteitsprovider heeft het inloggen niet toegestaan."), 400),
    "provider": (_l("De identiteitsprovider is nu niet bereikbaar. Probeer het later opnieuw, of log in met uw "
                    "wachtwoord als uw organisatie dat toestaat."), 503),
    "unknown": (_l("Uw account bij de identiteitsprovider is niet bekend in Casus. Vraag de beheerder van uw "
                   "organisatie om een account."), 403),
    "organisation": (_l("Uw account bij de identiteitsprovider hoort niet bij een organisatie of rol in Casus. Vraag "
                        "de beheerder van uw organisatie om een account."), 403),
    "inactive": (_l("Uw account in Casus is niet actief. Neem contact op met de beheerder van uw organisatie."), 403),
    "roles": (_l("Uw account bij de identiteitsprovider geeft u geen rol meer in Casus. Vraag de beheerder van uw "
                 "organisatie om een rol."), 403),
}


def _sso_failed(error: SsoError):
    message, status = SSO_FAILURES.get(error.reason, SSO_FAILURES["token"])
    flash(str(message), "error")
    return _login_page(LoginForm(), status)


@bp.get("/inloggen/sso")
def sso_start():
    if not current_app.config["CASUS"].oidc_enabled:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    try:
        return redirect(sso.start(url_for("auth.sso_callback", _external=True), safe_next(request.args.get("next"))))
    except SsoError as error:
        return _sso_failed(error)


@bp.get("/inloggen/sso/terug")
def sso_callback():
    if not current_app.config["CASUS"].oidc_enabled:
        abort(404)
    next_url = sso.pending_next()
    try:
        step = sso.callback(request.args, url_for("auth.sso_callback", _external=True))
    except SsoError as error:
        return _sso_failed(error)
    if step is LoginStep.DONE:
        return _logged_in_redirect(next_url)
    session["login_next"] = next_url
    return _after_password(step)


def _after_password(step: LoginStep):
    if step is LoginStep.TOTP:
        return redirect(url_for("auth.totp"))
    return redirect(url_for("auth.enrol"))


def _logged_in_redirect(next_url: str | None):
    return redirect(safe_next(next_url) or url_for("main.index"))


@bp.route("/inloggen/code", methods=["GET", "POST"])
def totp():
    user = services.pending_user(LoginStep.TOTP)
    if user is None:
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        next_url = session.get("login_next")
        if services.second_factor(user, form.code.data):
            return _logged_in_redirect(next_url)
        flash(_("Deze code klopt niet of is al gebruikt."), "error")
    return render_template("auth/totp.html", form=form)


@bp.route("/inloggen/tweede-factor-instellen", methods=["GET", "POST"])
def enrol():
    user = services.pending_user(LoginStep.ENROL)
    if user is None:
        return redirect(url_for("auth.login"))
    secret = session.setdefault("enrol_secret", services.new_totp_secret())
    form = TotpForm()
    if form.validate_on_submit():
        next_url = session.get("login_next")
        if services.enrol_totp(user, secret, form.code.data):
            services.complete_login(user)
            flash(_("Tweestapsverificatie is ingesteld."), "success")
            return _logged_in_redirect(next_url)
        flash(_("Deze code klopt niet. Controleer de tijd op uw telefoon en probeer het opnieuw."), "error")
    return render_template("auth/enrol.html", form=form, secret=secret,
                           qr_svg=_qr_svg(services.provisioning_uri(user, secret)), required=True)


@bp.route("/account/tweede-factor", methods=["GET", "POST"])
def account_totp():
    user = current_user._get_current_object()
    if user.totp_enabled:
        flash(_("Tweestapsverificatie staat al aan. Vraag een beheerder om die te resetten."), "info")
        return redirect(url_for("auth.account"))
    secret = session.setdefault("enrol_secret", services.new_totp_secret())
    form = TotpForm()
    if form.validate_on_submit():
        if services.enrol_totp(user, secret, form.code.data):
            session.pop("enrol_secret", None)
            flash(_("Tweestapsverificatie is ingesteld."), "success")
            return redirect(url_for("auth.account"))
        flash(_("Deze code klopt niet. Controleer de tijd op uw telefoon en probeer het opnieuw."), "error")
    return render_template("auth/enrol.html", form=form, secret=secret,
                           qr_svg=_qr_svg(services.provisioning_uri(user, secret)), required=False)


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if services.change_own_password(user, form.current.data, form.new.data, current_session_row()):
            flash(_("Uw wachtwoord is gewijzigd. Andere sessies zijn beëindigd en uw API-tokens ingetrokken."),
                  "success")
            return redirect(url_for("auth.account"))
        form.current.errors.append(_("Het huidige wachtwoord klopt niet."))
    for field in (form.current, form.new, form.repeat):
        field.data = None
    api_tokens = tokens.tokens_of(current_user._get_current_object())
    return render_template("auth/account.html", form=form, api_tokens=api_tokens,
                           token_state=tokens.token_state)


@bp.post("/account/api-tokens/<int:token_id>/intrekken")
def revoke_token(token_id: int):
    """Revoke one of the user's own API tokens (CSRF-protected like every form; audited)."""
    row = tokens.revoke_own(current_user._get_current_object(), token_id)
    if row is None:
        abort(404)
    flash(_("Het API-token %(prefix)s is ingetrokken. Systemen die het gebruiken, krijgen geen toegang meer.",
            prefix=row.prefix), "success")
    return redirect(url_for("auth.account", _anchor="api-tokens"))


@bp.post("/uitloggen")
def logout():
    record("logout", object_type="user", object_id=current_user.get_id())
    through_provider = bool(session.get(SSO_SESSION_KEY))
    end_current_session()
    if through_provider:
        # The Casus session has ended; the provider's own session is the provider's: offer to end it there too.
        end_url = sso.end_session_url(url_for("auth.login", _external=True))
        return render_template("auth/logged_out.html", end_session_url=end_url,
                               provider=current_app.config["CASUS"].oidc_provider_name)
    flash(_("U bent uitgelogd."), "success")
    return redirect(url_for("auth.login"))


def _qr_svg(uri: str) -> Markup:
    """The otpauth URI as an inline SVG QR code: no script, no external image, CSP-safe."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg.split("?>", 1)[-1]  # drop the XML declaration for inline use
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR-code" ', 1))
