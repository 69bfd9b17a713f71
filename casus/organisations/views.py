"""Administration of organisations, teams and case categories, for the ``beheerder`` only."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _

from casus.cases import categories as category_services
from casus.cases.models import Category
from casus.extensions import db
from casus.organisations import services
from casus.organisations.forms import CategoryForm, OrganisationForm, TeamForm, organisation_choices
from casus.organisations.models import Organisation, Team
from casus.policy import administers
from casus.security import requires
from casus.web.forms import submit_form

bp = Blueprint("organisations", __name__, url_prefix="/beheer")



@bp.get("/organisaties")
@requires(administers)
def index():
    return render_template("organisations/index.html", organisations=services.list_organisations())


@bp.route("/organisaties/nieuw", methods=["GET", "POST"])
@requires(administers)
def new():
    return _organisation_form(None)


@bp.route("/organisaties/<int:organisation_id>", methods=["GET", "POST"])
@requires(administers)
def edit(organisation_id: int):
    return _organisation_form(services.get_organisation(organisation_id) or abort(404))


def _organisation_form(organisation: Organisation | None):
    form = OrganisationForm(obj=organisation)
    if submit_form(form, lambda: services.save_organisation(organisation, name=form.name.data, kind=form.kind.data,
            convenant_partner=form.convenant_partner.data, active=form.active.data,
            password_login=form.password_login.data),
            success=lambda saved: (_("Organisatie %(name)s is aangemaakt.", name=saved.name) if organisation is None
                                   else _("Organisatie %(name)s is opgeslagen.", name=saved.name))):
        return redirect(url_for("organisations.index"))
    return render_template("organisations/form.html", form=form, organisation=organisation)


@bp.get("/teams")
@requires(administers)
def teams():
    return render_template("organisations/teams.html", teams=services.list_teams())


@bp.route("/teams/nieuw", methods=["GET", "POST"])
@requires(administers)
def team_new():
    return _team_form(None)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
@requires(administers)
def team_edit(team_id: int):
    return _team_form(services.get_team(team_id) or abort(404))


def _team_form(team: Team | None):
    form = TeamForm(obj=team)
    form.organisation_id.choices = organisation_choices(
        services.list_organisations(), current_id=team.organisation_id if team else None)
    if submit_form(form, lambda: services.save_team(team, name=form.name.data, gemeente=form.gemeente.data,
            organisation_id=form.organisation_id.data, active=form.active.data),
            success=lambda saved: (_("Team %(name)s is aangemaakt.", name=saved.name) if team is None
                                   else _("Team %(name)s is opgeslagen.", name=saved.name))):
        return redirect(url_for("organisations.teams"))
    return render_template("organisations/team_form.html", form=form, team=team)


# --- case categories -----------------------------------------------------------------------------------------

@bp.get("/categorieen")
@requires(administers)
def categories():
    return render_template("organisations/categories.html", categories=category_services.list_categories())


@bp.route("/categorieen/nieuw", methods=["GET", "POST"])
@requires(administers)
def category_new():
    return _category_form(None)


@bp.route("/categorieen/<int:category_id>", methods=["GET", "POST"])
@requires(administers)
def category_edit(category_id: int):
    return _category_form(db.session.get(Category, category_id) or abort(404))


def _category_form(category: Category | None):
    form = CategoryForm(obj=category)
    if category is not None:
        del form.code  # the code is fixed once the category exists
    if submit_form(form, lambda: category_services.save_category(category,
            code=form.code.data if category is None else None, name=form.name.data, name_en=form.name_en.data,
            active=form.active.data),
            success=lambda saved: (_("Categorie %(name)s is aangemaakt.", name=saved.name) if category is None
                                   else _("Categorie %(name)s is opgeslagen.", name=saved.name))):
        return redirect(url_for("organisations.categories"))
    return render_template("organisations/category_form.html", form=form, category=category)
