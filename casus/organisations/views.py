from flask import Blueprint, render_template

from casus.organisations import services
from casus.security import roles_required

bp = Blueprint("organisations", __name__, url_prefix="/beheer")


@bp.get("/organisaties")
@roles_required("beheerder")
def index():
    return render_template("organisations/index.html", organisations=services.list_organisations())


@bp.get("/teams")
@roles_required("beheerder")
def teams():
    return render_template("organisations/teams.html", teams=services.list_teams())
