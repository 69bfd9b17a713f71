"""``/api/v1/cases`` and the case file: list and search, overview, transitions and triage, participants,
notes and the timeline.

Every case is loaded through :mod:`casus.policy` (``get_case``: audited, 404 when hidden); lists take
their WHERE clause from the policy. Only the team's procesregisseurs and supervisors change a case
(403 for a partner who can see it). Writes carry the case's ``version``: a stale one answers 409 and
changes nothing; a refused workflow step answers 409 naming the failing guards in ``failedGuards``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

import sqlalchemy as sa
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy.orm import joinedload, selectinload

from casus import policy
from casus.api.blueprint import ApiBlueprint
from casus.api.paging import page_body
from casus.api.responses import CASE_CONFLICT, CASE_FORBIDDEN, CASE_NOT_FOUND
from casus.approvals.services import open_approvals_of
from casus.cases import queries, refusals, services, suggestions
from casus.cases.editing import EDITABLE, edit_case
from casus.cases.models import Case, CaseSubject, Category, Note, Participation
from casus.cases.schemas import (
    CaseListArgsSchema,
    CasePageSchema,
    CaseSchema,
    CaseUpdateSchema,
    IfMatchSchema,
    NoteInputSchema,
    NotePageSchema,
    NoteSchema,
    PageArgsSchema,
    ParticipantCreatedSchema,
    ParticipantInputSchema,
    ParticipantSchema,
    ParticipantSuggestionSchema,
    TimelineArgsSchema,
    TimelinePageSchema,
    TransitionInputSchema,
    TransitionSchema,
    TriageInputSchema,
    VersionQuerySchema,
)
from casus.errors import refused_problem
from casus.extensions import db
from casus.i18n import current_locale
from casus.pagination import KeysetPage, decode_cursor, keyset_page
from casus.plans.models import Action, Goal
from casus.security import acting_user
from casus.services import ServiceError
from casus.timeline.models import TimelineEvent
from casus.users.models import User
from casus.versioning import check_version
from workflow import TransitionRecord, TransitionRefused

blp = ApiBlueprint("cases_api", __name__, description="Cases: list and search, the case file, workflow "
                                                      "transitions, participants, notes and the timeline")

# API sort names -> the case list's sort keys (casus.cases.queries.CASE_SORTS).
SORT_KEYS = {"updatedAt": "gewijzigd", "reference": "referentie", "nextReview": "herbeoordeling"}
OPEN_ACTION_STATUSES = ("open", "in_uitvoering")


# --- cursors ----------------------------------------------------------------------------------------------

def _decode(cursor: str | None, load):
    """The (key, id) in a cursor from a previous page; a cursor that does not decode answers 400."""
    if not cursor:
        return None
    decoded = decode_cursor(cursor, load)
    if decoded is None:
        abort(400, errors={"query": {"cursor": ["Not a cursor from a previous page."]}})
    return decoded


def _time_page(query: sa.Select, key, id_col, value_of, args: dict) -> KeysetPage:
    """Newest first, keyset-paginated on (time, id)."""
    return keyset_page(
        query, key=key, id_col=id_col, descending=True, after=_decode(args.get("cursor"), datetime.fromisoformat),
        before=None, limit=args["limit"], value_of=value_of, dump=lambda value: value.isoformat())


# --- the case list ----------------------------------------------------------------------------------------

@blp.route("/cases")
class Cases(MethodView):
    @blp.arguments(CaseListArgsSchema, location="query")
    @blp.response(200, CasePageSchema)
    def get(self, args):
        """The cases the caller may see, filtered, searched and sorted; keyset-paginated.

        Every page is audited with the ids of the cases it returns: a search (`q`) or filter as `case.search`
        with its terms (a BSN-like term only as a keyed hash), else `case.list.view`. Search never reaches beyond
        the caller's cases.
        """
        user = acting_user()
        filters = queries.CaseFilters(
            q=(args.get("q") or "").strip(), phase=args.get("phase"), category_id=_category_id(args.get("category")),
            team_id=args.get("team_id"), procesregisseur_id=args.get("procesregisseur_id"),
            escalation_level=args.get("escalation_level"), overdue=bool(args.get("overdue")))
        descending = args["sort"].startswith("-")
        spec = queries.CASE_SORTS[SORT_KEYS[args["sort"].lstrip("-")]]
        page = keyset_page(
            queries.filtered_cases(user, filters), key=spec.key(), id_col=Case.id, descending=descending,
            after=_decode(args.get("cursor"), spec.load), before=None, limit=args["limit"],
            value_of=spec.value_of, dump=spec.dump, load=queries.cases_for_list)
        queries.record_list_view(filters, [case.id for case in page.items], results=len(page.items))
        return page_body(page, "cases_api.Cases")


def _category_id(code: str | None) -> int | None:
    if not code:
        return None
    category_id = db.session.execute(sa.select(Category.id).where(Category.code == code)).scalar_one_or_none()
    if category_id is None:
        abort(400, errors={"query": {"category": ["Unknown category code."]}})
    return category_id


# --- the case file ----------------------------------------------------------------------------------------

@dataclass
class CaseDetail:
    """The case plus what the overview shows around it; attribute access falls through to the case."""

    case: Case
    participants: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    available_triggers: list = field(default_factory=list)
    procesregisseur: User | None = None
    aanbrenger: object = None
    open_approvals: list = field(default_factory=list)

    def __getattr__(self, name):
        return getattr(self.case, name)


def _counts(user: User, case: Case) -> dict:
    """Every count of the overview in one statement."""
    def count(model, *where):
        return sa.select(sa.func.count()).select_from(model).where(*where).scalar_subquery()

    row = db.session.execute(sa.select(
        count(Participation, Participation.case_id == case.id, Participation.left_on.is_(None)),
        count(CaseSubject, CaseSubject.case_id == case.id),
        count(Goal, Goal.case_id == case.id),
        count(Action, Action.case_id == case.id),
        count(Action, Action.case_id == case.id, Action.status.in_(OPEN_ACTION_STATUSES)),
        count(Note, Note.case_id == case.id, policy.note_scope(user)),
    )).one()
    participants, subjects, goals, actions, open_actions, notes = row
    return {"participants": participants, "subjects": subjects, "signals": case.signal_count, "goals": goals,
            "actions": actions, "open_actions": open_actions, "notes": notes}


def _detail(user: User, case: Case) -> CaseDetail:
    from casus.organisations.models import Organisation

    participants = services.participations_of(case, active_only=True)
    by_id = {p.organisation_id: p.organisation for p in participants}
    aanbrenger = by_id.get(case.aanbrenger_organisation_id) or db.session.get(
        Organisation, case.aanbrenger_organisation_id)
    procesregisseur = db.session.get(User, case.procesregisseur_id) if case.procesregisseur_id else None
    triggers = [SimpleNamespace(trigger=option.trigger, label=option.label(current_locale()), to_state=option.to_state,
                                allowed=option.allowed, codes=list(option.codes))
                for option in services.available_triggers(user, case)]
    # Four-eyes requests are the team's business: a partner of the case gets an empty list.
    pending = open_approvals_of(case) if policy.manages(user, case) else []
    return CaseDetail(case=case, participants=participants, counts=_counts(user, case),
                      available_triggers=triggers, procesregisseur=procesregisseur, aanbrenger=aanbrenger,
                      open_approvals=pending)


@blp.route("/cases/<int:id>")
class CaseItem(MethodView):
    @blp.response(200, CaseSchema)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, id):
        """The case file's overview, with the workflow steps the caller may take now (audited: `case.view`)."""
        user = acting_user()
        return _detail(user, policy.get_case(user, id))

    @blp.arguments(CaseUpdateSchema)
    @blp.response(200, CaseSchema)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def patch(self, changes, id):
        """Correct the case (`title`, `category`, `riskLevel`, `gemeente`, `procesregisseurId`: not after closure),
        record when the plan was discussed (`planDiscussedOn`) or the evaluation (`evaluation`). Managers only."""
        user = acting_user()
        case = policy.get_case(user, id)
        policy.require_manager_audited(user, case, action="case.update")
        check_version(case, changes["version"])  # once: the first change below raises the version
        edits = {key: changes[key] for key in EDITABLE if key in changes}
        if "category" in changes:
            edits["category_id"] = db.session.execute(
                sa.select(Category.id).where(Category.code == changes["category"])).scalar_one_or_none() or 0
        try:
            if edits:
                edit_case(user, case, edits)
            if "plan_discussed_on" in changes:
                services.record_plan_discussed(user, case, on=changes["plan_discussed_on"])
            if "evaluation" in changes:
                services.record_evaluation(user, case, text=changes["evaluation"])
        except ServiceError as error:
            if error.field == "discussed_on":  # the form's name for it
                error.field = "plan_discussed_on"
            elif error.field == "category_id":  # the API names the category by its code
                error.field = "category"
            raise
        db.session.flush()
        return _detail(user, case)


# --- transitions and triage -------------------------------------------------------------------------------


def _transition_body(user: User, case: Case, record: TransitionRecord) -> dict:
    db.session.flush()
    return {"trigger": record.trigger, "from_state": record.from_state, "to_state": record.to_state,
            "at": record.at, "actor": user, "reason": record.reason, "result": record.result,
            "override": record.override, "case_version": case.version}


@blp.route("/cases/<int:id>/transitions")
class CaseTransitions(MethodView):
    @blp.arguments(TransitionInputSchema)
    @blp.response(201, TransitionSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def post(self, data, id):
        """Take a workflow step (`trigger`) with a reason; answers the transition as recorded."""
        user = acting_user()
        case = policy.get_case(user, id)
        policy.require_manager_audited(user, case, action="case.transition")
        try:
            record = services.transition(user, case, data["trigger"], reason=data["reason"], result=data["result"],
                                         override=data["override"], expected_version=data["version"])
        except TransitionRefused as refused:
            return refused_problem(refusals.for_user(refused, user, case, api=True))
        return _transition_body(user, case, record)


@blp.route("/cases/<int:id>/triage")
class CaseTriage(MethodView):
    @blp.arguments(TriageInputSchema)
    @blp.response(201, TransitionSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def post(self, data, id):
        """Record the triage outcome and the inclusion criteria that apply, and take the step it implies
        (`A` → `accept`, `B`/`C`/`advies` → `refer`, `geen_casus` → `dismiss`), all or nothing."""
        user = acting_user()
        case = policy.get_case(user, id)
        policy.require_manager_audited(user, case, action="case.triage")
        try:
            record = services.triage(user, case, outcome=data["outcome"], criteria=data["criteria"],
                                     reason=data["reason"], referral_organisation_id=data["referral_organisation_id"],
                                     expected_version=data["version"])
        except TransitionRefused as refused:
            return refused_problem(refused)
        return _transition_body(user, case, record)


# --- participants -----------------------------------------------------------------------------------------

@blp.route("/cases/<int:id>/participants")
class CaseParticipants(MethodView):
    @blp.response(200, ParticipantSchema(many=True))
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, id):
        """Every participation in the case, ended ones included (`active`: false)."""
        user = acting_user()
        case = policy.get_case(user, id)
        return db.session.execute(
            sa.select(Participation).where(Participation.case_id == case.id)
            .options(joinedload(Participation.contact_user)).order_by(Participation.id)).scalars().all()

    @blp.arguments(ParticipantInputSchema)
    @blp.response(201, ParticipantCreatedSchema)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def post(self, data, id):
        """Invite an organisation with a role and a legal basis (a convenant, or for a non-convenant
        `deelnemer` a signed geheimhoudingsverklaring). Managers only."""
        user = acting_user()
        case = policy.get_case(user, id)
        policy.require_manager_audited(user, case, action="participation.add")
        participation = services.invite_organisation(
            user, case, organisation_id=data["organisation_id"], role=data["role"], legal_basis=data["legal_basis"],
            signed_on=data["signed_on"], contact_user_id=data["contact_user_id"], expected_version=data["version"])
        db.session.flush()
        contact = db.session.get(User, participation.contact_user_id) if participation.contact_user_id else None
        return _participant_view(participation, contact, case_version=case.version)


@blp.route("/cases/<int:id>/participant-suggestions")
class CaseParticipantSuggestions(MethodView):
    @blp.response(200, ParticipantSuggestionSchema(many=True))
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, id):
        """The organisations that reported a signal bundled into the case and take no part in it now, by name:
        the first to invite (`POST /cases/{id}/participants`). Managers of the case only (the signals are the
        team's); an empty list once all of them take part."""
        user = acting_user()
        case = policy.get_case(user, id)
        policy.require_manager_audited(user, case, action="participation.suggestions")
        return suggestions.suggested_participants(case)


def _participant_view(participation: Participation, contact: User | None, **extra) -> SimpleNamespace:
    fields = {name: getattr(participation, name) for name in (
        "id", "organisation", "role", "legal_basis", "confidentiality_signed_on", "has_legal_basis", "joined_on",
        "left_on", "active", "version")}
    return SimpleNamespace(**fields, contact_user=contact, **extra)


ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


@blp.route("/participants/<int:id>")
class ParticipantItem(MethodView):
    @blp.arguments(VersionQuerySchema, location="query")
    @blp.arguments(IfMatchSchema, location="headers")
    @blp.response(204)
    @blp.alt_response(403, **CASE_FORBIDDEN)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    @blp.alt_response(409, **CASE_CONFLICT)
    def delete(self, query, headers, id):
        """End a participation (its organisation loses access). The case's `version` goes in
        `If-Match: "<version>"` or `?version=`. Managers only."""
        user = acting_user()
        participation = policy.get_participation(user, id, audit_action="participation.end")
        case = policy.get_case(user, participation.case_id)
        policy.require_manager_audited(user, case, action="participation.end")
        services.end_participation(user, case, participation, expected_version=_version_of(query, headers))
        return None


def _version_of(query: dict, headers: dict) -> int:
    if query.get("version") is not None:
        return query["version"]
    match = ETAG.match(headers.get("if_match") or "")
    if match is None:
        abort(400, errors={"query": {"version": [
            'Send the case\'s version as If-Match: "<version>" or as ?version=<version>.']}})
    return int(match.group(1))


# --- notes ------------------------------------------------------------------------------------------------

@blp.route("/cases/<int:id>/notes")
class CaseNotes(MethodView):
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, NotePageSchema)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, args, id):
        """The notes the caller's organisation may read, newest first; keyset-paginated."""
        user = acting_user()
        case = policy.get_case(user, id)
        query = (sa.select(Note).where(Note.case_id == case.id, policy.note_scope(user))
                 .options(joinedload(Note.author), joinedload(Note.organisation), selectinload(Note.audience)))
        page = _time_page(query, Note.created_at, Note.id, lambda note: note.created_at, args)
        return page_body(page, "cases_api.CaseNotes", id=case.id)

    @blp.arguments(NoteInputSchema)
    @blp.response(201, NoteSchema)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def post(self, data, id):
        """Write a note, for all participants, the own organisation, or named participating organisations."""
        user = acting_user()
        case = policy.get_case(user, id)
        note = services.add_note(user, case, text=data["text"], visibility=data["visibility"],
                                 organisation_ids=data["organisation_ids"])
        db.session.flush()
        return db.session.execute(
            sa.select(Note).where(Note.id == note.id)
            .options(joinedload(Note.author), joinedload(Note.organisation), selectinload(Note.audience))
            .execution_options(populate_existing=True)).unique().scalar_one()


# --- timeline ---------------------------------------------------------------------------------------------

@blp.route("/cases/<int:id>/timeline")
class CaseTimeline(MethodView):
    @blp.arguments(TimelineArgsSchema, location="query")
    @blp.response(200, TimelinePageSchema)
    @blp.alt_response(404, **CASE_NOT_FOUND)
    def get(self, args, id):
        """Every event of the case the caller may see, newest first; `kind` filters (`note`, `note.added`)."""
        user = acting_user()
        case = policy.get_case(user, id)
        query = (sa.select(TimelineEvent).where(TimelineEvent.case_id == case.id, policy.timeline_scope(user))
                 .options(joinedload(TimelineEvent.actor)))
        if args.get("kind"):
            kind = args["kind"]
            query = query.where(sa.or_(TimelineEvent.kind == kind,
                                       TimelineEvent.kind.startswith(kind + ".", autoescape=True)))
        page = _time_page(query, TimelineEvent.occurred_at, TimelineEvent.id, lambda event: event.occurred_at, args)
        return page_body(page, "cases_api.CaseTimeline", id=case.id)

