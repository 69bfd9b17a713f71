"""The PDF routes of the printable packs, in the URL style of the pages they print: a case's summary under
/casussen, a meeting's agenda and minutes (?organisatie=<id>) under /overleggen, a voordracht under
/voordrachten. Each is 404 for whoever may not see the object; the services gather, render and audit."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, request, url_for

from casus.printing import services
from casus.printing.services import PrintedPack
from casus.security import acting_user

bp = Blueprint("printing", __name__)


@bp.app_context_processor
def print_helpers() -> dict:
    """For the meeting page's print form: the invited organisations the reader may print for, and whether the
    meeting has minutes to print."""
    return {
        "print_organisations": lambda meeting, invited: services.organisations_to_print_for(
            acting_user(), meeting, invited),
        "meeting_has_minutes": services.has_minutes,
    }


def _pdf(pack: PrintedPack) -> Response:
    response = Response(pack.data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
    return response


def _organisation_id() -> int | None:
    """?organisatie=<id>: an id, or absent (the reader's own organisation); anything else matches none (404)."""
    value = request.args.get("organisatie")
    if value is None or value == "":
        return None
    return int(value) if value.isdigit() and len(value) <= 9 else 0


@bp.get("/casussen/<int:case_id>/samenvatting.pdf")
def case_summary(case_id: int):
    return _pdf(services.case_summary(acting_user(), case_id))


@bp.get("/overleggen/<int:meeting_id>/agenda.pdf")
def meeting_agenda(meeting_id: int):
    return _pdf(services.meeting_agenda(acting_user(), meeting_id, _organisation_id()))


@bp.get("/overleggen/<int:meeting_id>/notulen.pdf")
def meeting_minutes(meeting_id: int):
    try:
        return _pdf(services.meeting_minutes(acting_user(), meeting_id, _organisation_id()))
    except services.NoMinutesYet as none_yet:  # a link followed too early: back to the meeting, told why
        flash(none_yet.message, "error")
        return redirect(url_for("meetings.detail", meeting_id=none_yet.meeting.id))


@bp.get("/voordrachten/<int:voordracht_id>/voordracht.pdf")
def voordracht(voordracht_id: int):
    return _pdf(services.voordracht(acting_user(), voordracht_id))
