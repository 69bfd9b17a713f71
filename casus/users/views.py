"""Administration of users, for the ``beheerder`` only.

New and reset passwords are rendered once on a result page, never put in a flash message or a
redirect, so they do not end up in the session cookie or in the browser history.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from casus.labels import Labels
from casus.organisations.forms import organisation_choices
from casus.organisations.services import list_organisations, list_teams
from casus.policy import administers
from casus.security import requires
from casus.users import services
from casus.users.forms import UserForm, team_choices
from casus.users.models import Role, User
from casus.web.forms import submit_form

bp = Blueprint("users", __name__, url_prefix="/beheer")



def _user_or_404(user_id: int) -> User:
    return services.get_user(user_id) or abort(404)


@bp.get("/gebruikers")
@requires(administers)
def index():
    return render_template("users/index.html", users=services.list_users(), role_labels=Labels(Role))


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@requires(administers)
def new():
    form = _user_form(None)
    created = submit_form(form, lambda: services.save_user(None, **_form_values(form)))
    if created:
        user, password = created.result
        return render_template("users/password.html", user=user, password=password, created=True)
    return render_template("users/form.html", form=form, user=None)


@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@requires(administers)
def edit(user_id: int):
    user = _user_or_404(user_id)
    form = _user_form(user)
    if submit_form(form, lambda: services.save_user(user, **_form_values(form)),
            success=lambda saved: _("Gebruiker %(name)s is opgeslagen.", name=user.name)):
        return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, user=user)


@bp.post("/gebruikers/<int:user_id>/wachtwoord-reset")
@requires(administers)
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("Wijzig uw eigen wachtwoord via Mijn account."), "error")
        return redirect(url_for("users.edit", user_id=user.id))
    password = services.reset_password(user)
    return render_template("users/password.html", user=user, password=password, created=False)


@bp.post("/gebruikers/<int:user_id>/tweede-factor-reset")
@requires(administers)
def reset_totp(user_id: int):
    user = _user_or_404(user_id)
    services.reset_second_factor(user)
    flash(_("De tweede factor van %(name)s is gereset. Bij de volgende keer inloggen stelt "
            "deze gebruiker die opnieuw in.", name=user.name), "success")
    return redirect(url_for("users.edit", user_id=user.id))


def _user_form(user: User | None) -> UserForm:
    form = UserForm(obj=user, editing_self=user is not None and user.id == current_user.id)
    form.organisation_id.choices = organisation_choices(
        list_organisations(), current_id=user.organisation_id if user else None)
    form.team_id.choices = team_choices(list_teams(), current_id=user.team_id if user else None)
    return form


def _form_values(form: UserForm) -> dict:
    return {
        "email": form.email.data,
        "name": form.name.data,
        "organisation_id": form.organisation_id.data,
        "team_id": form.team_id.data,
        "roles": form.roles.data,
        "active": form.active.data,
    }
