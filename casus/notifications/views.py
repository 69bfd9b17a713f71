"""Meldingen: the user's own notifications, newest first, and marking them read."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from casus.extensions import db
from casus.labels import translate
from casus.navigation import safe_next
from casus.notifications import preferences as preferences_service
from casus.notifications import services
from casus.notifications.forms import preferences_form
from casus.notifications.preferences import grouped_kinds
from casus.services import ServiceError
from casus.web.forms import show_service_error

bp = Blueprint("notifications", __name__, url_prefix="/meldingen")


@bp.record_once
def _register_globals(state) -> None:
    state.app.jinja_env.globals["unread_notifications"] = unread_notifications


def unread_notifications() -> int:
    """Unread notifications of the logged-in user, for the header badge (one COUNT, once per request).

    Capped at 100: the badge shows "99+" beyond that.
    """
    if not current_user or not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        try:
            g.unread_notifications = services.unread_count(current_user)
        except sa.exc.SQLAlchemyError:  # an error page while the database is away must still render
            db.session.rollback()
            g.unread_notifications = 0
    return g.unread_notifications


@bp.get("")
def index():
    unread_only = request.args.get("ongelezen") == "1"
    page = services.list_for(current_user, cursor=request.args.get("na"), unread_only=unread_only)
    return render_template("notifications/index.html", page=page, unread_only=unread_only,
                           title_of=services.title_of)


@bp.post("/<bigint:notification_id>/gelezen")
def mark_read(notification_id: int):
    notification = services.get_own(current_user, notification_id) or abort(404)
    services.mark_read(current_user, notification)
    if request.form.get("open") == "1":
        return redirect(safe_next(notification.link) or url_for("notifications.index"))
    flash(_("De melding is als gelezen gemarkeerd."), "success")
    return redirect(url_for("notifications.index", **_kept_filters()))


@bp.post("/alles-gelezen")
def mark_all_read():
    count = services.mark_all_read(current_user)
    flash(ngettext("%(num)d melding als gelezen gemarkeerd.", "%(num)d meldingen als gelezen gemarkeerd.", count)
          if count
          else _("Er waren geen ongelezen meldingen."), "success")
    return redirect(url_for("notifications.index"))


def _kept_filters() -> dict:
    return {"ongelezen": "1"} if request.form.get("ongelezen") == "1" else {}


@bp.route("/voorkeuren", methods=["GET", "POST"])
def preferences():
    """Meldingen — voorkeuren: per kind of notification, direct by e-mail, in the daily digest, or in Casus only."""
    user = current_user._get_current_object()
    form = preferences_form(preferences_service.preferences_of(user))
    if form.validate_on_submit():
        try:
            preferences_service.set_preferences(user, form.choices())
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Uw voorkeuren voor meldingen zijn opgeslagen."), "success")
            return redirect(url_for("notifications.preferences"))
    status = 400 if form.is_submitted() else 200
    return render_template("notifications/preferences.html", form=form,
                           groups=[(translate(title), specs) for title, specs in grouped_kinds()],
                           digest_time=current_app.config["CASUS"].digest_time.strftime("%H:%M")), status
