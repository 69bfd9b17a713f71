from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from casus.extensions import db
from casus.i18n import LANGUAGES
from casus.navigation import safe_next

bp = Blueprint("main", __name__)


class LanguageForm(FlaskForm):
    locale = SelectField(choices=[SelectChoice(code, label) for code, label in LANGUAGES.items()])
    next = HiddenField()


@bp.get("/")
def index():
    return render_template("main/dashboard.html")


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("main/accessibility.html")


@bp.post("/taal")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
    return redirect(safe_next(form.next.data) or url_for("main.index"))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return "unavailable", 503, {"Content-Type": "text/plain"}
    return "ok", 200, {"Content-Type": "text/plain"}


@bp.app_context_processor
def language_form():
    return {"language_form": LanguageForm(formdata=None, locale=None, next=request.full_path.rstrip("?"))}
