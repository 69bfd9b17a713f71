from flask import Blueprint, render_template

from casus.security import roles_required
from casus.users import services

bp = Blueprint("users", __name__, url_prefix="/beheer")


@bp.get("/gebruikers")
@roles_required("beheerder")
def index():
    return render_template("users/index.html", users=services.list_users())
