"""Personal calendar feeds: the management page under the account, and the feed itself.

The feed (``GET /agenda/<token>.ics``) needs no login — calendar apps cannot log in — and authenticates by
its secret token instead, like the API's bearer tokens: only the token's SHA-256 is stored, a revoked or
unknown token answers 404, and every read is audited as the feed's owner (``calendar.feed``).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from casus.audit.services import record
from casus.meetings import calendar

bp = Blueprint("calendar", __name__)


@bp.route("/account/agenda", methods=["GET", "POST"])
def feeds():
    """GET: whether a feed is active. POST: make a new feed URL (replacing any earlier one) and show it once."""
    user = current_user._get_current_object()
    new_url = None
    if request.method == "POST":
        new_url = calendar.feed_url(calendar.create_feed(user))
        flash(_("Uw agenda-link is gemaakt. Kopieer hem nu: hij wordt maar één keer getoond."), "success")
    return render_template("calendar/feeds.html", feed=calendar.active_feed(user), new_url=new_url)


@bp.post("/account/agenda/intrekken")
def revoke():
    count = calendar.revoke_feeds(current_user._get_current_object())
    flash(_("Uw agenda-link is ingetrokken; hij werkt niet meer.") if count
          else _("U had geen actieve agenda-link."), "success")
    return redirect(url_for("calendar.feeds"))


@bp.get("/agenda/<token>.ics")
def feed(token: str):
    found = calendar.user_for_token(token)
    if found is None:
        abort(404)
    feed_row, user = found
    content = calendar.feed_ics(user)
    record("calendar.feed", object_type="calendar_feed", object_id=feed_row.id, user=user,
           details={"meetings": content.meetings, "actions": content.actions})
    response = Response(content.body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="casus.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response
