"""Meetings over the API: ``/meetings``, ``/meetings/{id}``, ``/meetings/{id}/agenda``, ``/meetings/{id}/minutes``,
``/agenda-items/{id}`` and ``/agenda-items/{id}/decisions``.

Need-to-know as in the pages (:mod:`casus.policy`): a meeting outside ``meeting_scope`` answers 404; within
a meeting only the agenda items of cases the caller may see exist (``agenda_item_scope``) — the others are
left out, not counted. The team's procesregisseurs and supervisors change meetings (403 for an attendee).
Writes that move, cancel or close a meeting, or take an item off its agenda, carry the meeting's ``version``.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import abort

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.paging import page_body
from casus.api.responses import CASE_CONFLICT
from casus.api.schemas import ProblemSchema
from casus.clock import local_zone
from casus.extensions import db
from casus.meetings import services
from casus.meetings.agenda import (
    add_agenda_item,
    agenda_number,
    agenda_of,
    move_agenda_item,
    remove_agenda_item,
    set_purpose,
)
from casus.meetings.minutes import add_decision, close_meeting, save_minutes
from casus.meetings.models import AgendaItem, Attendance, Decision, Meeting, MeetingInvitation, MeetingStatus
from casus.meetings.schemas import (
    AgendaItemInputSchema,
    AgendaItemSchema,
    AgendaItemUpdateSchema,
    DecisionInputSchema,
    DecisionSchema,
    MeetingDetailSchema,
    MeetingInputSchema,
    MeetingListArgsSchema,
    MeetingPageSchema,
    MeetingUpdateSchema,
    MinutesItemSchema,
    MinutesSchema,
    RemoveArgsSchema,
)
from casus.organisations.models import Organisation
from casus.pagination import decode_cursor
from casus.security import acting_user
from casus.users.models import User
from casus.versioning import check_version

blp = ApiBlueprint("meetings_api", __name__, description="Meetings (casusoverleg): agenda, minutes and decisions")

NOT_FOUND = {"schema": ProblemSchema, "description": "No such meeting or agenda item, or the caller may not "
                                                     "know about it"}
FORBIDDEN = {"schema": ProblemSchema, "description": "The caller may see the meeting but not change it"}



def _manager(user: User, meeting: Meeting, action: str) -> None:
    if not policy.manages_team(user, meeting.team_id):
        policy.refuse(action, status=403, object_type="meeting", object_id=meeting.id)


def _detail(meeting: Meeting) -> SimpleNamespace:
    db.session.flush()
    invited = list(db.session.execute(
        sa.select(Organisation).join(MeetingInvitation, MeetingInvitation.organisation_id == Organisation.id)
        .where(MeetingInvitation.meeting_id == meeting.id).order_by(Organisation.name)).scalars())
    fields = {column.key: getattr(meeting, column.key) for column in Meeting.__table__.columns}
    return SimpleNamespace(**fields, invited_organisations=invited)


def _item_view(item: AgendaItem, case, decisions=None, *, number: int | None = None) -> SimpleNamespace:
    """The item for the schemas; ``position`` is its number as this caller sees the agenda, as on the page
    (``agenda_of``): items of cases the caller may not see leave no gap."""
    fields = {column.key: getattr(item, column.key) for column in AgendaItem.__table__.columns}
    fields["position"] = item.number if number is None else number
    return SimpleNamespace(**fields, case=case, decisions=decisions or [])


def _number(user: User, meeting: Meeting, item: AgendaItem) -> int:
    return agenda_number(meeting, item, policy.agenda_item_scope(user))


@blp.route("/meetings")
class Meetings(MethodView):
    @blp.arguments(MeetingListArgsSchema, location="query")
    @blp.response(200, MeetingPageSchema)
    def get(self, args):
        """The meetings the caller may see: coming ones soonest first (`period=upcoming`), or ended ones
        latest first (`period=past`); keyset-paginated."""
        user = acting_user()
        cursor = args.get("cursor")
        if cursor and decode_cursor(cursor, lambda value: value) is None:
            abort(400, errors={"query": {"cursor": ["Not a cursor from a previous page."]}})
        page = services.list_meetings(policy.meeting_scope(user), past=args["period"] == "past", after=cursor,
                                      limit=args["limit"])
        return page_body(page, "meetings_api.Meetings")

    @blp.arguments(MeetingInputSchema)
    @blp.response(201, MeetingDetailSchema)
    @blp.alt_response(403, **FORBIDDEN)
    def post(self, data):
        """Plan a single meeting for the caller's team (procesregisseur or supervisor); the invited
        organisations get an invitation."""
        user = acting_user()
        if not policy.manages_team(user, user.team_id):
            policy.refuse("meeting.created", status=403, object_type="meeting", object_id=None)
        local = data["starts_at"].astimezone(local_zone())
        meeting = services.create_meeting(
            user, type=data["type"], title=data["title"], day=local.date(), start_time=local.time(),
            duration_minutes=data["duration_minutes"], location=data["location"], online_url=data["online_url"],
            chair_id=data["chair_id"], organisation_ids=data["organisation_ids"])
        return _detail(meeting)


@blp.route("/meetings/<int:id>")
class MeetingItem(MethodView):
    @blp.response(200, MeetingDetailSchema)
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """One meeting: when, where, who is invited."""
        return _detail(policy.get_meeting(acting_user(), id))

    @blp.arguments(MeetingUpdateSchema)
    @blp.response(200, MeetingDetailSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def patch(self, data, id):
        """Move a planned meeting, cancel it (`status: geannuleerd`) or close it after it was held
        (`status: gehouden`: every discussed case gets its next review date). With the meeting's `version`."""
        user = acting_user()
        meeting = policy.get_meeting(user, id, action="meeting.changed")
        _manager(user, meeting, "meeting.changed")
        version = data["version"]
        if data.get("status") == MeetingStatus.GEANNULEERD:
            services.cancel_meeting(user, meeting, expected_version=version)
        elif data.get("status") == MeetingStatus.GEHOUDEN:
            close_meeting(user, meeting, expected_version=version)
        else:
            starts = data.get("starts_at", meeting.starts_at).astimezone(local_zone())
            duration = data.get("duration_minutes",
                                int((meeting.ends_at - meeting.starts_at) / timedelta(minutes=1)))
            services.move_meeting(user, meeting, day=starts.date(), start_time=starts.time(),
                                  duration_minutes=duration, location=data.get("location", meeting.location),
                                  online_url=data.get("online_url", meeting.online_url), expected_version=version)
        return _detail(meeting)


@blp.route("/meetings/<int:id>/agenda")
class MeetingAgenda(MethodView):
    @blp.response(200, AgendaItemSchema(many=True))
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """The agenda in order: only the items of cases the caller may see."""
        user = acting_user()
        meeting = policy.get_meeting(user, id)
        return [_item_view(item, item.case) for item in agenda_of(meeting, policy.agenda_item_scope(user))]

    @blp.arguments(AgendaItemInputSchema)
    @blp.response(201, AgendaItemSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def post(self, data, id):
        """Put a case of the team on the agenda (last), with a purpose."""
        user = acting_user()
        meeting = policy.get_meeting(user, id, action="agenda_item.added")
        _manager(user, meeting, "agenda_item.added")
        case = policy.get_case(user, data["case_id"], action="agenda_item.added")
        item = add_agenda_item(user, meeting, case, purpose=data["purpose"])
        return _item_view(item, case, number=_number(user, meeting, item))


@blp.route("/meetings/<int:id>/minutes")
class MeetingMinutes(MethodView):
    @blp.response(200, MinutesSchema)
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """The minutes: per visible agenda item the BOB text, whether it was discussed and its decisions;
        attendance per invited organisation. Write them per item with `PATCH /agenda-items/{id}`."""
        user = acting_user()
        meeting = policy.get_meeting(user, id)
        items = agenda_of(meeting, policy.agenda_item_scope(user))
        decisions: dict[int, list] = {item.id: [] for item in items}
        if items:
            for decision in db.session.execute(sa.select(Decision).where(Decision.agenda_item_id.in_(list(decisions)))
                                               .order_by(Decision.created_at, Decision.id)).scalars():
                decisions[decision.agenda_item_id].append(decision)
        attendance = {row.organisation_id: row for row in db.session.execute(
            sa.select(Attendance).where(Attendance.meeting_id == meeting.id)).scalars()}
        invited = db.session.execute(
            sa.select(Organisation).join(MeetingInvitation, MeetingInvitation.organisation_id == Organisation.id)
            .where(MeetingInvitation.meeting_id == meeting.id).order_by(Organisation.name)).scalars()
        return {
            "meeting_id": meeting.id, "status": meeting.status,
            "items": [_item_view(item, item.case, decisions[item.id]) for item in items],
            "attendance": [{"organisation": org, "present": getattr(attendance.get(org.id), "present", None),
                            "attendees": getattr(attendance.get(org.id), "attendees", None)} for org in invited],
        }


def _item_and_meeting(user: User, id: int, action: str) -> tuple[AgendaItem, Meeting]:
    item = policy.get_agenda_item(user, id, action=action)
    meeting = db.session.get(Meeting, item.meeting_id)
    return item, meeting


@blp.route("/agenda-items/<int:id>")
class AgendaItemResource(MethodView):
    @blp.response(200, MinutesItemSchema)
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """One agenda item with its minutes and decisions (audited as a read of its case)."""
        user = acting_user()
        item, meeting = _item_and_meeting(user, id, "agenda_item.view")
        case = policy.get_case(user, item.case_id)
        decisions = list(db.session.execute(sa.select(Decision).where(Decision.agenda_item_id == item.id)
                                            .order_by(Decision.created_at, Decision.id)).scalars())
        return _item_view(item, case, decisions, number=_number(user, meeting, item))

    @blp.arguments(AgendaItemUpdateSchema)
    @blp.response(200, MinutesItemSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def patch(self, data, id):
        """Write the item's minutes (beeldvorming, oordeelsvorming, besluitvorming, discussed), change its
        purpose or move it up or down. Until the meeting is closed; minutes only from the meeting's start (409
        before). With the item's `version` (a stale one answers 409 with `currentVersion`; nothing is changed)."""
        user = acting_user()
        item, meeting = _item_and_meeting(user, id, "agenda_item.minutes")
        _manager(user, meeting, "agenda_item.minutes")
        case = policy.get_case(user, item.case_id, action="agenda_item.minutes")
        check_version(item, data.pop("version"))  # once, for every change below
        minutes_keys = {"beeldvorming", "oordeelsvorming", "besluitvorming", "discussed"}
        if minutes_keys & set(data):
            save_minutes(
                user, meeting, item, beeldvorming=data.get("beeldvorming", item.beeldvorming),
                oordeelsvorming=data.get("oordeelsvorming", item.oordeelsvorming),
                besluitvorming=data.get("besluitvorming", item.besluitvorming),
                discussed=data.get("discussed", item.discussed))
        if "purpose" in data:
            set_purpose(user, meeting, item, data["purpose"])
        if "move" in data:
            move_agenda_item(user, meeting, item, data["move"])
        decisions = list(db.session.execute(sa.select(Decision).where(Decision.agenda_item_id == item.id)
                                            .order_by(Decision.created_at, Decision.id)).scalars())
        return _item_view(item, case, decisions, number=_number(user, meeting, item))

    @blp.arguments(RemoveArgsSchema, location="query")
    @blp.response(204)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def delete(self, args, id):
        """Take the item off the agenda (not once decisions were recorded), with `?version=` of the item."""
        user = acting_user()
        item, meeting = _item_and_meeting(user, id, "agenda_item.removed")
        _manager(user, meeting, "agenda_item.removed")
        remove_agenda_item(user, meeting, item, expected_version=args["version"])
        return None


@blp.route("/agenda-items/<int:id>/decisions")
class AgendaItemDecisions(MethodView):
    @blp.response(200, DecisionSchema(many=True))
    @blp.alt_response(404, **NOT_FOUND)
    def get(self, id):
        """The decisions about this agenda item, oldest first."""
        user = acting_user()
        item, _meeting = _item_and_meeting(user, id, "agenda_item.view")
        return db.session.execute(sa.select(Decision).where(Decision.agenda_item_id == item.id)
                                  .order_by(Decision.created_at, Decision.id)).scalars().all()

    @blp.arguments(DecisionInputSchema)
    @blp.response(201, DecisionSchema)
    @blp.alt_response(403, **FORBIDDEN)
    @blp.alt_response(404, **NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def post(self, data, id):
        """Record a decision; with `action` it becomes an action in the case's plan van aanpak (owner: a
        participating organisation, with a due date). Only from the meeting's start (409 before)."""
        user = acting_user()
        item, meeting = _item_and_meeting(user, id, "decision.added")
        _manager(user, meeting, "decision.added")
        case = policy.get_case(user, item.case_id, action="decision.added")
        action = data.get("action")
        return add_decision(
            user, meeting, item, case, text=data["text"], as_action=action is not None,
            owner_organisation_id=(action or {}).get("owner_organisation_id"), due_on=(action or {}).get("due_on"))
