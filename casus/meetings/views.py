"""The meeting pages: the list of meetings, a meeting (agenda, verslag, besluiten, aanwezigheid), planning and
moving meetings, meeting series, and the case file's meetings tab.

Meetings load through ``policy.get_meeting`` (404 outside ``meeting_scope``), agenda items through
``policy.agenda_item_scope``: an attendee sees only the items of cases its organisation takes part in, the
others are absent. Only the team's procesregisseurs and supervisors (``policy.manages_team``) change
anything; the services do the work, and :mod:`casus.meetings.pages` builds what the pages show.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from casus import policy
from casus.cases.models import Case
from casus.extensions import db
from casus.i18n import current_locale
from casus.labels import Labels
from casus.meetings import services
from casus.meetings.agenda import add_agenda_item, move_agenda_item, remove_agenda_item
from casus.meetings.forms import (
    WEEKDAYS,
    WEEKS_OF_MONTH,
    AgendaAddForm,
    AttendanceForm,
    ButtonForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    MoveForm,
    PeriodForm,
    SeriesEditForm,
    SeriesForm,
    VersionForm,
)
from casus.meetings.minutes import add_decision, close_meeting, participants_by_case, record_attendance, save_minutes
from casus.meetings.models import (
    AgendaItem,
    AgendaPurpose,
    Decision,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    MeetingType,
)
from casus.meetings.pages import (
    active_organisations,
    chairs,
    move_form,
    render_detail,
    render_move,
    render_series_form,
)
from casus.meetings.series import SeriesInput, save_series, series_invited_ids
from casus.security import acting_user
from casus.services import ServiceError
from casus.users.models import User
from casus.web.forms import is_stale, missing_version, show_conflict, show_service_error, version_of
from casus.web.helpers import template_helpers

bp = Blueprint("meetings", __name__)
bp.context_processor(template_helpers)

PAGE_SIZE = 25


@bp.context_processor
def meeting_helpers() -> dict:
    return {
        "meeting_type_label": Labels(MeetingType),
        "purpose_label": Labels(AgendaPurpose),
        "meeting_status_label": Labels(MeetingStatus),
        "weekday_label": lambda value: WEEKDAYS[int(value)],
        "week_of_month_label": lambda value: WEEKS_OF_MONTH.get(int(value or 1), ""),
    }


def _require_manager(user: User, team_id: int, action: str, object_type: str, object_id) -> None:
    if not policy.manages_team(user, team_id):
        policy.refuse(action, status=403, object_type=object_type, object_id=object_id)


def _back(meeting: Meeting, anchor: str | None = None):
    return redirect(url_for("meetings.detail", meeting_id=meeting.id, _anchor=anchor))


# --- the list ---------------------------------------------------------------------------------------------------

@bp.get("/overleggen")
def index():
    user = acting_user()
    if not policy.can_see_cases(user):
        policy.refuse("meeting.list", status=403, object_type="meeting", object_id=None)
    form = PeriodForm(request.args)
    past = form.periode.data == "verleden"
    page = services.list_meetings(policy.meeting_scope(user), past=past, after=request.args.get("na"),
                                  limit=PAGE_SIZE)
    next_url = url_for("meetings.index", periode=form.periode.data, na=page.next_cursor) if page.next_cursor else None
    return render_template("meetings/index.html", page=page, form=form, past=past, next_url=next_url,
                           manages=policy.manages_a_team(user))


# --- one meeting --------------------------------------------------------------------------------------------------

@bp.get("/overleggen/<int:meeting_id>")
def detail(meeting_id: int):
    user = acting_user()
    return render_detail(policy.get_meeting(user, meeting_id))


def _meeting_for_change(meeting_id: int, action: str) -> tuple[User, Meeting]:
    user = acting_user()
    meeting = policy.get_meeting(user, meeting_id, action=action)
    _require_manager(user, meeting.team_id, action, "meeting", meeting.id)
    return user, meeting


def _item_of(user: User, meeting: Meeting, item_id: int) -> AgendaItem:
    return policy.get_visible(user, AgendaItem, item_id, action="agenda_item.view",
                              where=(AgendaItem.meeting_id == meeting.id,))


@bp.post("/overleggen/<int:meeting_id>/agenda")
def add_item(meeting_id: int):
    user, meeting = _meeting_for_change(meeting_id, "agenda_item.added")
    form = AgendaAddForm()
    form.fill(current_locale())
    if form.validate_on_submit():
        reference = form.reference.data.strip()
        case = db.session.execute(policy.visible_cases(user).where(Case.reference == reference)).unique()\
            .scalar_one_or_none()
        try:
            if case is None:
                raise ServiceError("Er is geen casus met dit nummer die u kunt zien.", field="reference")
            add_agenda_item(user, meeting, case, purpose=form.purpose.data)
        except ServiceError as error:
            show_service_error(form, error)
            if error.status == 409:  # on the agenda already (perhaps added a moment ago by someone else)
                return render_detail(meeting, add_form=form, status=409)
        else:
            flash(_("Casus %(reference)s staat op de agenda.", reference=case.reference), "success")
            return _back(meeting, "agenda")
    return render_detail(meeting, add_form=form, status=400)


@bp.post("/overleggen/<int:meeting_id>/agenda/<int:item_id>/omhoog")
def item_up(meeting_id: int, item_id: int):
    return _move_item(meeting_id, item_id, "up")


@bp.post("/overleggen/<int:meeting_id>/agenda/<int:item_id>/omlaag")
def item_down(meeting_id: int, item_id: int):
    return _move_item(meeting_id, item_id, "down")


def _move_item(meeting_id: int, item_id: int, direction: str):
    user, meeting = _meeting_for_change(meeting_id, "agenda_item.moved")
    item = _item_of(user, meeting, item_id)
    if not ButtonForm().validate_on_submit():
        flash(_("Laad de pagina opnieuw en probeer het nog eens."), "error")
        return _back(meeting, "agenda")
    try:
        move_agenda_item(user, meeting, item, direction)
    except ServiceError as error:
        flash(error.message, "error")
    return _back(meeting, "agenda")


@bp.post("/overleggen/<int:meeting_id>/agenda/<int:item_id>/verwijderen")
def remove_item(meeting_id: int, item_id: int):
    user, meeting = _meeting_for_change(meeting_id, "agenda_item.removed")
    item = _item_of(user, meeting, item_id)
    form = VersionForm()
    if not form.validate_on_submit():
        if missing_version(form):
            return render_detail(meeting, status=400)
        flash(_("Laad de pagina opnieuw en probeer het nog eens."), "error")
        return _back(meeting, "agenda")
    try:
        remove_agenda_item(user, meeting, item, expected_version=version_of(form))
    except ServiceError as error:
        if is_stale(error):
            show_conflict()
            return render_detail(meeting, status=409, conflict=f"punt-{item.id}")
        flash(error.message, "error")
    else:
        flash(_("De casus is van de agenda gehaald."), "success")
    return _back(meeting, "agenda")


@bp.post("/overleggen/<int:meeting_id>/agenda/<int:item_id>/verslag")
def minutes(meeting_id: int, item_id: int):
    user, meeting = _meeting_for_change(meeting_id, "agenda_item.minutes")
    item = _item_of(user, meeting, item_id)
    form = MinutesForm()
    if form.validate_on_submit():
        try:
            save_minutes(user, meeting, item, beeldvorming=form.beeldvorming.data,
                         oordeelsvorming=form.oordeelsvorming.data, besluitvorming=form.besluitvorming.data,
                         discussed=form.discussed.data, expected_version=version_of(form))
        except ServiceError as error:
            if is_stale(error):  # someone saved these minutes meanwhile: theirs shown, the user's input kept
                show_conflict()
                return render_detail(meeting, item_forms={item.id: (form, None)}, status=409,
                                     conflict=f"punt-{item.id}")
            show_service_error(form, error)
        else:
            flash(_("Het verslag is opgeslagen."), "success")
            return _back(meeting, f"punt-{item.id}")
    return render_detail(meeting, item_forms={item.id: (form, None)}, status=400)


@bp.post("/overleggen/<int:meeting_id>/agenda/<int:item_id>/besluiten")
def decide(meeting_id: int, item_id: int):
    user, meeting = _meeting_for_change(meeting_id, "decision.added")
    item = _item_of(user, meeting, item_id)
    form = DecisionForm()
    form.fill(participants_by_case([item.case_id])[item.case_id])
    if form.validate_on_submit():
        case = policy.get_case(user, item.case_id, action="decision.added")
        try:
            if form.as_action.data and form.due_on.data is None:
                raise ServiceError("Vul een uiterste datum in.", field="due_on")
            decision = add_decision(user, meeting, item, case, text=form.text.data,
                                    as_action=bool(form.as_action.data),
                                    owner_organisation_id=form.owner_organisation_id.data,
                                    due_on=form.due_on.data)
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Het besluit is vastgelegd en als actie in het plan van aanpak gezet.") if decision.action_id
                  else _("Het besluit is vastgelegd."), "success")
            return _back(meeting, f"punt-{item.id}")
    return render_detail(meeting, item_forms={item.id: (None, form)}, status=400)


@bp.post("/overleggen/<int:meeting_id>/aanwezigheid")
def attendance(meeting_id: int):
    user, meeting = _meeting_for_change(meeting_id, "meeting.attendance")
    form = AttendanceForm()
    if form.validate_on_submit():
        rows = {}
        try:
            for row in form.rows:
                rows[int(row.organisation_id.data)] = (bool(row.present.data), row.names.data)
            record_attendance(user, meeting, rows, expected_version=version_of(form))
        except (TypeError, ValueError):
            flash(_("Laad de pagina opnieuw en probeer het nog eens."), "error")
        except ServiceError as error:
            if is_stale(error):
                show_conflict()
                return render_detail(meeting, attendance_form=form, status=409, conflict="aanwezigheid")
            flash(error.message, "error")
        else:
            flash(_("De aanwezigheid is opgeslagen."), "success")
            return _back(meeting, "aanwezigheid")
    elif missing_version(form):
        return render_detail(meeting, attendance_form=form, status=400)
    return _back(meeting, "aanwezigheid")


@bp.post("/overleggen/<int:meeting_id>/afsluiten")
def close(meeting_id: int):
    user, meeting = _meeting_for_change(meeting_id, "meeting.closed")
    form = VersionForm()
    if not form.validate_on_submit():
        if missing_version(form):
            return render_detail(meeting, status=400)
        flash(_("Laad de pagina opnieuw en probeer het nog eens."), "error")
        return _back(meeting)
    try:
        cases = close_meeting(user, meeting, expected_version=version_of(form))
    except ServiceError as error:
        if is_stale(error):
            show_conflict()
            return render_detail(meeting, status=409)
        flash(error.message, "error")
    else:
        flash(ngettext("Het overleg is afgesloten. %(num)d besproken casus heeft een nieuwe herbeoordelingsdatum.",
                       "Het overleg is afgesloten. %(num)d besproken casussen hebben een nieuwe herbeoordelingsdatum.",
                       len(cases)), "success")
    return _back(meeting)


@bp.route("/overleggen/<int:meeting_id>/wijzigen", methods=["GET", "POST"])
def move(meeting_id: int):
    user, meeting = _meeting_for_change(meeting_id, "meeting.moved")
    form = move_form(meeting) if request.method == "GET" else MoveForm()
    if meeting.status != MeetingStatus.GEPLAND:
        flash(_("Dit overleg is geannuleerd of al gehouden."), "error")
        return _back(meeting)
    status, conflict = 200, False
    if form.validate_on_submit():
        try:
            services.move_meeting(user, meeting, day=form.day.data, start_time=form.start_time.data,
                                  duration_minutes=form.duration_minutes.data, location=form.location.data,
                                  online_url=form.online_url.data, expected_version=version_of(form))
        except ServiceError as error:
            if is_stale(error):  # moved meanwhile: the page shows where it is now, the form the user's input
                show_conflict()
                status, conflict = 409, True
            elif error.status == 409:
                flash(error.message, "error")
                return redirect(url_for("meetings.move", meeting_id=meeting.id))
            else:
                show_service_error(form, error)
                status = 400
        else:
            flash(_("Het overleg is gewijzigd; de genodigden krijgen een bijgewerkte uitnodiging."), "success")
            return _back(meeting)
    elif request.method == "POST":
        status = 400
    return render_move(meeting, form, status=status, conflict=conflict)


@bp.post("/overleggen/<int:meeting_id>/annuleren")
def cancel(meeting_id: int):
    user, meeting = _meeting_for_change(meeting_id, "meeting.cancelled")
    form = VersionForm()
    if not form.validate_on_submit():
        if missing_version(form):
            return render_move(meeting, move_form(meeting), status=400)
        flash(_("Laad de pagina opnieuw en probeer het nog eens."), "error")
        return _back(meeting)
    try:
        services.cancel_meeting(user, meeting, expected_version=version_of(form))
    except ServiceError as error:
        if is_stale(error):
            show_conflict()
            return render_move(meeting, move_form(meeting), status=409, conflict=True)
        flash(error.message, "error")
    else:
        flash(_("Het overleg is geannuleerd; de genodigden krijgen bericht."), "success")
    return _back(meeting)


@bp.post("/overleggen/<int:meeting_id>/agenda-versturen")
def send_agenda(meeting_id: int):
    user, meeting = _meeting_for_change(meeting_id, "meeting.agenda_sent")
    form = VersionForm()
    if not form.validate_on_submit():
        flash(_("Laad de pagina opnieuw en probeer het nog eens."), "error")
        return _back(meeting)
    try:
        services.send_agenda(user, meeting, expected_version=version_of(form))
    except ServiceError as error:
        if is_stale(error):
            show_conflict()
            return render_detail(meeting, status=409)
        flash(error.message, "error")
    else:
        flash(_("De genodigden krijgen de uitnodiging opnieuw, met de agenda van hun eigen organisatie als PDF."),
              "success")
    return _back(meeting)


@bp.route("/overleggen/nieuw", methods=["GET", "POST"])
def new():
    user = acting_user()
    _require_manager(user, user.team_id, "meeting.created", "meeting", None)
    form = MeetingForm()
    form.fill(current_locale(), chairs=chairs(user.team_id), organisations=active_organisations())
    if request.method == "GET":
        form.chair_id.data = user.id
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(
                user, type=form.type.data, title=form.title.data, day=form.day.data, start_time=form.start_time.data,
                duration_minutes=form.duration_minutes.data, location=form.location.data,
                online_url=form.online_url.data, chair_id=form.chair_id.data,
                organisation_ids=form.organisation_ids.data or [])
        except ServiceError as error:
            show_service_error(form, error)
        else:
            flash(_("Het overleg is gepland; de genodigden krijgen een uitnodiging."), "success")
            return _back(meeting)
    return render_template("meetings/new.html", form=form)


# --- series -------------------------------------------------------------------------------------------------------

@bp.get("/overleggen/reeksen")
def series_index():
    user = acting_user()
    if not policy.can_see_cases(user):
        policy.refuse("meeting_series.list", status=403, object_type="meeting_series", object_id=None)
    series = list(db.session.execute(sa.select(MeetingSeries).where(policy.series_scope(user))
                                     .order_by(MeetingSeries.active.desc(), MeetingSeries.title,
                                               MeetingSeries.id)).unique().scalars())
    return render_template("meetings/series_index.html", series=series,
                           manages=policy.manages_a_team(user))


@bp.route("/overleggen/reeksen/nieuw", methods=["GET", "POST"])
def series_new():
    user = acting_user()
    _require_manager(user, user.team_id, "meeting_series.created", "meeting_series", None)
    return _series_form(user, None)


@bp.route("/overleggen/reeksen/<int:series_id>", methods=["GET", "POST"])
def series_edit(series_id: int):
    user = acting_user()
    series = policy.get_series(user, series_id)
    _require_manager(user, series.team_id, "meeting_series.changed", "meeting_series", series.id)
    return _series_form(user, series)


def _series_form(user: User, series: MeetingSeries | None):
    form = SeriesEditForm(obj=series) if series is not None else SeriesForm()
    if request.method == "GET" and series is not None:
        form.organisation_ids.data = series_invited_ids(series)
    elif request.method == "GET":
        form.chair_id.data = user.id
    form.fill(current_locale(), chairs=chairs(user.team_id), organisations=active_organisations())
    status, conflict = 200, False
    if form.validate_on_submit():
        data = SeriesInput(
            type=form.type.data, title=form.title.data, weekday=form.weekday.data,
            interval_weeks=form.interval_weeks.data or 0, start_time=form.start_time.data,
            duration_minutes=form.duration_minutes.data, first_date=form.first_date.data,
            last_date=form.last_date.data, skip_holidays=form.skip_holidays.data, location=form.location.data,
            online_url=form.online_url.data, chair_id=form.chair_id.data,
            organisation_ids=tuple(form.organisation_ids.data or ()), active=form.active.data,
            recurrence=form.recurrence.data, week_of_month=form.week_of_month.data)
        try:
            saved = save_series(user, series, data,
                                expected_version=version_of(form) if series is not None else None)
        except ServiceError as error:
            if is_stale(error):  # changed meanwhile: the stored series shown, the user's input kept
                show_conflict()
                form.version.data = series.version
                status, conflict = 409, True
            else:
                show_service_error(form, error)
        else:
            flash(_("De reeks is opgeslagen; de overleggen van de komende weken zijn ingepland."), "success")
            return redirect(url_for("meetings.series_edit", series_id=saved.id))
    if request.method == "POST" and status == 200:
        status = 400
    return render_series_form(form, series, status=status, conflict=conflict)


# --- the case file's meetings tab ---------------------------------------------------------------------------------

@bp.get("/casussen/<int:case_id>/overleggen")
def for_case(case_id: int):
    user = acting_user()
    case = policy.get_case(user, case_id)
    rows = db.session.execute(
        sa.select(Meeting, AgendaItem).join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
        .where(AgendaItem.case_id == case.id, policy.meeting_scope(user))
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc()).limit(100)).unique().all()
    decisions: dict[int, list] = defaultdict(list)
    if rows:
        for decision in db.session.execute(
                sa.select(Decision).where(Decision.agenda_item_id.in_([item.id for _m, item in rows]))
                .order_by(Decision.created_at, Decision.id)).scalars():
            decisions[decision.agenda_item_id].append(decision)
    return render_template("meetings/for_case.html", case=case, rows=rows, decisions=decisions,
                           active_tab="meetings.for_case")
